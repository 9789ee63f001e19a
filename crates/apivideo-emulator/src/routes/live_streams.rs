//! Live streams: create, list (filters, sorts), show, update (PATCH), delete,
//! a JPEG thumbnail and completion. The stored streams, their broadcasts
//! and the end of a completion are in `store::live_streams`; the playback
//! assets in `live_assets`, and the simulated broadcast in
//! `admin::broadcasts`.
//!
//! `PUT /live-streams/{id}/complete` on a broadcasting stream answers 202
//! and ends the broadcast `complete_delay` later, as an encoder
//! disconnecting would (see `store::live_streams`).

use apivideo_raw::types::{
    ListLiveStreamsSortOrder, LiveStream, LiveStreamCreationPayload, LiveStreamUpdatePayload,
    LiveStreamsListResponse, RestreamsRequestObject,
};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::{ApiJson, ApiQuery, decode_json};
use crate::form;
use crate::pagination::PageQuery;
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;
use crate::store::live_streams::{
    self as store, load, lock, present, restream, save, settle_locked, settled,
};
use crate::store::players;

/// Most restream destinations a live stream takes.
const MAX_RESTREAMS: usize = 5;
/// Extensions a thumbnail may have.
const THUMBNAIL_EXTENSIONS: [&str; 4] = ["jpeg", "jpg", "JPG", "JPEG"];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/live-streams", get(list).post(create))
        .route(
            "/live-streams/{liveStreamId}",
            get(show).patch(update).delete(remove),
        )
        .route("/live-streams/{liveStreamId}/complete", put(complete))
        .route(
            "/live-streams/{liveStreamId}/thumbnail",
            post(upload_thumbnail)
                .delete(delete_thumbnail)
                .layer(DefaultBodyLimit::disable()),
        )
}

/// `PUT /live-streams/{id}/complete`: 202, and a running broadcast ends
/// `complete_delay` later. A stream that is not broadcasting, or whose
/// completion is under way already, stays as it is: the first completion
/// keeps its time.
async fn complete(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    store::complete(&state, project.id(), &id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(rename = "streamKey")]
    stream_key: Option<String>,
    name: Option<String>,
    #[serde(rename = "sortBy")]
    sort_by: Option<String>,
    #[serde(rename = "sortOrder")]
    sort_order: Option<ListLiveStreamsSortOrder>,
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
    page: PageQuery,
) -> ApiResult<Json<LiveStreamsListResponse>> {
    let project = project.id();
    let stored: Vec<LiveStream> = state.db.list(project, Kind::LiveStream, None)?;
    let mut streams = Vec::with_capacity(stored.len());
    for stream in stored {
        streams.push(settled(&state, project, stream).await?);
    }
    streams.retain(|s| {
        query.stream_key.as_ref().is_none_or(|k| s.stream_key == *k)
            // As on the API, `name` matches part of the name (case
            // and all: `Demo` finds `My Demo 2`, not `my demo`).
            && query
                .name
                .as_ref()
                .is_none_or(|n| s.name.contains(n.as_str()))
    });
    sort(&mut streams, query.sort_by.as_deref(), query.sort_order)?;
    let (data, pagination) = page.apply(streams)?;
    Ok(Json(LiveStreamsListResponse {
        data: data.into_iter().map(|s| present(&state, s)).collect(),
        pagination,
    }))
}

/// Sorts by `name`, `createdAt` or `updatedAt`; without `sortBy`, creation
/// order. Ties are broken by creation order (`streams` come in it), and
/// `sortOrder=desc` is the exact reverse of `asc`: streams created in the
/// same millisecond still come newest first by `createdAt` `desc`.
fn sort(
    streams: &mut [LiveStream],
    by: Option<&str>,
    order: Option<ListLiveStreamsSortOrder>,
) -> ApiResult<()> {
    let desc = order == Some(ListLiveStreamsSortOrder::Desc);
    let cmp: fn(&LiveStream, &LiveStream) -> std::cmp::Ordering = match by {
        None | Some("createdAt") => |a, b| a.created_at.cmp(&b.created_at),
        Some("name") => |a, b| a.name.cmp(&b.name),
        Some("updatedAt") => |a, b| a.updated_at.cmp(&b.updated_at),
        Some(_) => {
            return Err(ApiError::invalid(vec![Invalid::attribute(
                "sortBy",
                "This parameter must be one of `name`, `createdAt` or `updatedAt`.",
            )]));
        }
    };
    // Stable: equal streams keep creation order.
    streams.sort_by(cmp);
    if desc {
        streams.reverse();
    }
    Ok(())
}

async fn create(
    project: Project,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<LiveStreamCreationPayload>,
) -> ApiResult<Json<LiveStream>> {
    let project = project.id();
    let mut problems = Vec::new();
    if body.name.trim().is_empty() {
        problems.push(Invalid::attribute(
            "name",
            "This value should not be blank.",
        ));
    }
    problems.extend(check_restreams(&body.restreams));
    if let Some(player) = &body.player_id {
        problems.extend(check_player(&state, project, player)?);
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let stream = store::new_live_stream(&state, body);
    save(&state, project, &stream)?;
    Ok(Json(present(&state, stream)))
}

/// At most five destinations, each with a name, an RTMP URL and a key.
fn check_restreams(restreams: &[RestreamsRequestObject]) -> Vec<Invalid> {
    let mut problems = Vec::new();
    if restreams.len() > MAX_RESTREAMS {
        problems.push(Invalid::attribute(
            "restreams",
            format!("This collection should contain {MAX_RESTREAMS} elements or less."),
        ));
    }
    for (i, r) in restreams.iter().enumerate() {
        for (field, value) in [
            ("name", &r.name),
            ("serverUrl", &r.server_url),
            ("streamKey", &r.stream_key),
        ] {
            if value.trim().is_empty() {
                problems.push(Invalid::attribute(
                    format!("restreams[{i}][{field}]"),
                    "This value should not be blank.",
                ));
            }
        }
        let url = r.server_url.to_ascii_lowercase();
        if !r.server_url.trim().is_empty()
            && !url.starts_with("rtmp://")
            && !url.starts_with("rtmps://")
        {
            problems.push(Invalid::attribute(
                format!("restreams[{i}][serverUrl]"),
                "This value must be an RTMP URL (`rtmp://` or `rtmps://`).",
            ));
        }
    }
    problems
}

/// `playerId` must name a player of the project.
fn check_player(state: &AppState, project: &str, player: &str) -> ApiResult<Vec<Invalid>> {
    Ok(if players::exists(state, project, player)? {
        Vec::new()
    } else {
        vec![Invalid::attribute(
            "playerId",
            "This attribute must be the id of an existing player.",
        )]
    })
}

async fn show(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<LiveStream>> {
    let project = project.id();
    let stream = settled(&state, project, load(&state, project, &id)?).await?;
    Ok(Json(present(&state, stream)))
}

/// PATCH: only the attributes present change. `restreams` replaces the
/// whole list (`[]` empties it); `playerId: null` detaches the player.
async fn update(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(raw): ApiJson<serde_json::Value>,
) -> ApiResult<Json<LiveStream>> {
    let project = project.id();
    let _guard = lock(&state, &id).await;
    let mut stream = load(&state, project, &id)?;
    settle_locked(&state, project, &mut stream)?;
    let body: LiveStreamUpdatePayload = decode_json(raw.to_string().as_bytes())?;
    let mut problems = Vec::new();
    if body.name.as_ref().is_some_and(|n| n.trim().is_empty()) {
        problems.push(Invalid::attribute(
            "name",
            "This value should not be blank.",
        ));
    }
    problems.extend(check_restreams(&body.restreams));
    if let Some(player) = &body.player_id {
        problems.extend(check_player(&state, project, player)?);
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    if let Some(name) = body.name {
        stream.name = name;
    }
    if let Some(public) = body.public {
        stream.public = public;
    }
    if let Some(record) = body.record {
        stream.record = Some(record);
    }
    match raw.get("playerId") {
        Some(serde_json::Value::Null) => stream.player_id = None,
        Some(_) => stream.player_id = body.player_id,
        None => {}
    }
    if raw.get("restreams").is_some() {
        stream.restreams = body.restreams.into_iter().map(restream).collect();
    }
    stream.updated_at = state.now();
    save(&state, project, &stream)?;
    Ok(Json(present(&state, stream)))
}

/// Deletes the stream with its broadcast state, player sessions and
/// thumbnail.
async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    store::delete(&state, project.id(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a JPEG (`.jpg`/`.jpeg`, lower or upper case) as the thumbnail.
async fn upload_thumbnail(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<LiveStream>)> {
    let project = project.id();
    load(&state, project, &id)?;
    let received = form::receive(&state, form, |name| match form::extension(name) {
        Some(ext) if THUMBNAIL_EXTENSIONS.contains(&ext) => Ok(()),
        _ => Err(ApiError::file_extension(&THUMBNAIL_EXTENSIONS)),
    })
    .await?;
    // Locked only once the file is in: the upload may take long.
    let _guard = lock(&state, &id).await;
    let mut stream = load(&state, project, &id)?;
    settle_locked(&state, project, &mut stream)?;
    received
        .save(&store::thumbnail_path(&state, project, &id))
        .await?;
    stream.updated_at = state.now();
    save(&state, project, &stream)?;
    Ok((StatusCode::CREATED, Json(present(&state, stream))))
}

async fn delete_thumbnail(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<LiveStream>> {
    let project = project.id();
    let _guard = lock(&state, &id).await;
    let mut stream = load(&state, project, &id)?;
    settle_locked(&state, project, &mut stream)?;
    let path = store::thumbnail_path(&state, project, &id);
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {
            stream.updated_at = state.now();
            save(&state, project, &stream)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Json(present(&state, stream)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restreams_are_checked() {
        let ok = RestreamsRequestObject {
            name: "YouTube".into(),
            server_url: "rtmp://a.rtmp.youtube.com/live2".into(),
            stream_key: "abcd".into(),
        };
        assert!(check_restreams(std::slice::from_ref(&ok)).is_empty());
        assert_eq!(check_restreams(&vec![ok.clone(); 6])[0].name, "restreams");
        let blank = RestreamsRequestObject {
            name: " ".into(),
            server_url: "http://x".into(),
            ..ok
        };
        let names: Vec<String> = check_restreams(&[blank])
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["restreams[0][name]", "restreams[0][serverUrl]"]);
    }
}
