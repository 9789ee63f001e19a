//! Analytics: the player sessions of videos and live streams, and the
//! events of each session, as recorded through the admin API
//! (`crate::admin::sessions`) or by the player collector (`collector`),
//! and stored in `crate::store::sessions`.
//!
//! The three API operations list them, filtered by `period` on
//! `loadedAt` (and by `metadata[key]=value` for videos), oldest first.
//! Their answers hold every field the API always writes: what a recording
//! leaves out reads `unknown`, as the API writes what it could not find
//! out, and a session recorded without `endedAt` ended when it loaded.

use apivideo_raw::types::{
    LiveStreamSessionsListResponse, PlayerSessionEventsListResponse, VideoSessionsListResponse,
};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::ApiQuery;
use crate::formats::period::{Period, parse_period};
use crate::pagination::PageQuery;
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;
use crate::store::sessions::{self, Session};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/analytics/videos/{videoId}", get(video_sessions))
        .route(
            "/analytics/live-streams/{liveStreamId}",
            get(live_stream_sessions),
        )
        .route(
            "/analytics/sessions/{sessionId}/events",
            get(session_events),
        )
}

fn period_of(text: &str) -> ApiResult<Period> {
    parse_period(text).ok_or_else(|| {
        ApiError::invalid(vec![Invalid::attribute(
            "period",
            "This parameter must be a day (2024-03-05), a week (2024-W10), a month (2024-03), a year (2024) or a range of those (2024-03-01/2024-03-31).",
        )])
    })
}

#[derive(Debug, Deserialize)]
struct SessionsQuery {
    period: String,
}

/// The `metadata[key]=value` pairs of a query.
fn metadata_filter(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix("metadata[")?.strip_suffix(']')?;
            Some((key.to_owned(), v.clone()))
        })
        .collect()
}

fn has_metadata(session: &Session, wanted: &[(String, String)]) -> bool {
    wanted.iter().all(|(key, value)| {
        session
            .metadata
            .iter()
            .any(|m| m.key == *key && m.value == *value)
    })
}

async fn video_sessions(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    ApiQuery(query): ApiQuery<SessionsQuery>,
    page: PageQuery,
) -> ApiResult<Json<VideoSessionsListResponse>> {
    let project = project.id();
    sessions::require(&state, project, Kind::Video, &video_id, "videoId")?;
    let period = period_of(&query.period)?;
    let wanted = metadata_filter(page.pairs());
    let mut sessions = sessions::loaded_in(&state, project, &video_id, period)?;
    sessions.retain(|s| has_metadata(s, &wanted));
    let (data, pagination) = page.apply(sessions)?;
    Ok(Json(VideoSessionsListResponse {
        data: data.iter().map(Session::present_video).collect(),
        pagination,
    }))
}

async fn live_stream_sessions(
    project: Project,
    State(state): State<AppState>,
    Path(live_stream_id): Path<String>,
    ApiQuery(query): ApiQuery<SessionsQuery>,
    page: PageQuery,
) -> ApiResult<Json<LiveStreamSessionsListResponse>> {
    let project = project.id();
    sessions::require(
        &state,
        project,
        Kind::LiveStream,
        &live_stream_id,
        "liveStreamId",
    )?;
    let period = period_of(&query.period)?;
    let sessions = sessions::loaded_in(&state, project, &live_stream_id, period)?;
    let (data, pagination) = page.apply(sessions)?;
    Ok(Json(LiveStreamSessionsListResponse {
        data: data.iter().map(Session::present_live_stream).collect(),
        pagination,
    }))
}

async fn session_events(
    project: Project,
    State(state): State<AppState>,
    Path(session_id): Path<String>,
    page: PageQuery,
) -> ApiResult<Json<PlayerSessionEventsListResponse>> {
    let project = project.id();
    sessions::load(&state, project, &session_id)?;
    let events = sessions::events_of(&state, project, &session_id)?;
    let (data, pagination) = page.apply(events)?;
    Ok(Json(PlayerSessionEventsListResponse { data, pagination }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_filters() {
        let pairs = vec![
            ("metadata[plan]".to_owned(), "premium".to_owned()),
            ("period".to_owned(), "2024".to_owned()),
        ];
        assert_eq!(
            metadata_filter(&pairs),
            [("plan".to_owned(), "premium".to_owned())]
        );
    }
}

/// Properties of the `metadata[…]` filter, on generated input: what the
/// URL carries reads back, and nothing is made up.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::extract::query_pairs;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn metadata_filters_read_back_through_the_url(
            wanted in prop::collection::vec((any::<String>(), any::<String>()), 0..5),
            noise in prop::collection::vec(
                (prop_oneof!["[a-zA-Z]{1,10}", "metadata", "metadata\\[.{0,4}", ".{0,4}\\]"], any::<String>()),
                0..5,
            ),
        ) {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &noise {
                query.append_pair(k, v);
            }
            for (k, v) in &wanted {
                query.append_pair(&format!("metadata[{k}]"), v);
            }
            let query = query.finish();
            let pairs = query_pairs(Some(&query));
            let noise_len = noise.iter().filter(|(k, _)| k.starts_with("metadata[") && k.ends_with(']')).count();
            let filter = metadata_filter(&pairs);
            prop_assert_eq!(&filter[noise_len..], &wanted[..]);
            // Nothing is made up: never more, or longer, than what was sent.
            let sent: usize = pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
            let kept: usize = filter.iter().map(|(k, v)| k.len() + v.len()).sum();
            prop_assert!(filter.len() <= pairs.len() && kept <= sent);
        }

        #[test]
        fn raw_queries_never_panic(query in any::<String>()) {
            let pairs = query_pairs(Some(&query));
            let filter = metadata_filter(&pairs);
            prop_assert!(filter.len() <= pairs.len());
        }
    }
}
