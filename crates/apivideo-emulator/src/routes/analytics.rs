//! Analytics: player sessions of videos and live streams and the events of
//! each session. The emulator has no players, so sessions and events are
//! recorded through its admin API:
//!
//! - `POST /_emulator/analytics/sessions` with `videoId` or `liveStreamId`,
//!   `loadedAt`/`endedAt`, `location`, `referrer`, `device`, `os`, `client`
//!   and `metadata` (`[{key, value}]` or `{key: value}`), and for the
//!   `/data` metrics (`metrics.rs`) `continent`, `country` (a code such as
//!   `FR`), `deviceType`, `operatingSystem`, `browser` and `viewerId`,
//!   answers the stored session, with its `ps…` id;
//! - `POST /_emulator/analytics/sessions/{sessionId}/events` with a list of
//!   events (`type`, `emittedAt`, `at` or `from`/`to`) answers them.
//!
//! The three API operations then list them, filtered by `period` on
//! `loadedAt` (and by `metadata[key]=value` for videos), oldest first.
//! Their answers hold every field the API always writes: what a recording
//! leaves out reads `unknown`, as the API writes what it could not find
//! out, and a session recorded without `endedAt` ended when it loaded.

use apivideo_raw::types::{
    LiveStreamSession, LiveStreamSessionClient, LiveStreamSessionDevice, LiveStreamSessionLocation,
    LiveStreamSessionReferrer, LiveStreamSessionSession, LiveStreamSessionsListResponse, Metadata,
    PlayerSessionEvent, PlayerSessionEventsListResponse, VideoSession, VideoSessionClient,
    VideoSessionDevice, VideoSessionLocation, VideoSessionOs, VideoSessionReferrer,
    VideoSessionSession, VideoSessionsListResponse,
};
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::{ApiJson, ApiQuery, query_pairs};
use crate::ids::{self, prefix};
use crate::pagination::Page;
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;

/// Event types a player emits.
const EVENT_TYPES: [&str; 7] = [
    "ready",
    "play",
    "pause",
    "resume",
    "seek.forward",
    "seek.backward",
    "end",
];

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

/// The admin routes that record simulated player sessions: faults never
/// apply to them.
pub(crate) fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/_emulator/analytics/sessions", post(record_session))
        .route(
            "/_emulator/analytics/sessions/{sessionId}/events",
            post(record_events),
        )
}

/// A stored session; `parent` in the store is the video or live stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Session {
    pub(crate) session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) video_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) live_stream_id: Option<String>,
    pub(crate) loaded_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ended_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) metadata: Vec<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) location: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) referrer: Option<Referrer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) device: Option<Device>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) os: Option<Os>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) client: Option<Client>,
    #[serde(flatten)]
    pub(crate) dimensions: Dimensions,
}

/// Where the viewer was, as recorded: any field may be left out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) city: Option<String>,
}

/// Where the viewer came from, as recorded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Referrer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) medium: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) search_term: Option<String>,
}

/// The viewer's device, as recorded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Device {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub(crate) type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) model: Option<String>,
}

/// The viewer's operating system, as recorded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Os {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) shortname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<String>,
}

/// The viewer's browser or app, as recorded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Client {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub(crate) type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<String>,
}

/// A recorded value, or `unknown` as the API writes what it could not
/// find out.
fn known(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "unknown".to_owned())
}

/// What the `/data` metrics filter and break sessions down by, beyond the
/// legacy fields. Each is optional; `country`, `deviceType`,
/// `operatingSystem` and `browser` fall back on `location.country`,
/// `device.type`, `os.name` and `client.name`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Dimensions {
    /// Two-letter continent code: AS, AF, NA, SA, AN, EU or AZ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) continent: Option<String>,
    /// Country code, such as `FR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) device_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) operating_system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) browser: Option<String>,
    /// Who watched: sessions of one viewer count once with `unique`.
    /// Defaults to the session's own id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) viewer_id: Option<String>,
}

impl Session {
    fn as_video_session(&self) -> VideoSession {
        let location = self.location.clone().unwrap_or_default();
        let referrer = self.referrer.clone().unwrap_or_default();
        let device = self.device.clone().unwrap_or_default();
        let client = self.client.clone().unwrap_or_default();
        VideoSession {
            session: VideoSessionSession {
                session_id: self.session_id.clone(),
                loaded_at: self.loaded_at,
                ended_at: self.ended_at.unwrap_or(self.loaded_at),
                metadata: self.metadata.clone(),
            },
            location: VideoSessionLocation {
                country: known(&location.country),
                city: location.city,
            },
            referrer: VideoSessionReferrer {
                url: referrer.url,
                medium: known(&referrer.medium),
                source: known(&referrer.source),
                search_term: referrer.search_term,
            },
            device: VideoSessionDevice {
                type_: known(&device.type_),
                vendor: known(&device.vendor),
                model: known(&device.model),
            },
            os: self.os_answer(),
            client: VideoSessionClient {
                type_: known(&client.type_),
                name: known(&client.name),
                version: known(&client.version),
            },
        }
    }

    fn as_live_stream_session(&self) -> LiveStreamSession {
        let location = self.location.clone().unwrap_or_default();
        let referrer = self.referrer.clone().unwrap_or_default();
        let device = self.device.clone().unwrap_or_default();
        let client = self.client.clone().unwrap_or_default();
        LiveStreamSession {
            session: LiveStreamSessionSession {
                session_id: self.session_id.clone(),
                loaded_at: self.loaded_at,
                ended_at: self.ended_at.unwrap_or(self.loaded_at),
            },
            location: LiveStreamSessionLocation {
                country: known(&location.country),
                city: known(&location.city),
            },
            referrer: LiveStreamSessionReferrer {
                url: known(&referrer.url),
                medium: known(&referrer.medium),
                source: known(&referrer.source),
                search_term: known(&referrer.search_term),
            },
            device: LiveStreamSessionDevice {
                type_: known(&device.type_),
                vendor: known(&device.vendor),
                model: known(&device.model),
            },
            os: self.os_answer(),
            client: LiveStreamSessionClient {
                type_: known(&client.type_),
                name: known(&client.name),
                version: known(&client.version),
            },
        }
    }

    fn os_answer(&self) -> VideoSessionOs {
        let os = self.os.clone().unwrap_or_default();
        VideoSessionOs {
            name: known(&os.name),
            shortname: known(&os.shortname),
            version: known(&os.version),
        }
    }
}

/// A time span `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Period {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Period {
    fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
}

/// Parses `period`: a day (`2024-03-05`), an ISO week (`2024-W10`), a month
/// (`2024-03`), a year (`2024`), or `start/end` of those (both included).
fn parse_period(text: &str) -> Option<Period> {
    match text.split_once('/') {
        Some((from, to)) => {
            let (start, end) = (span(from.trim())?.start, span(to.trim())?.end);
            (start < end).then_some(Period { start, end })
        }
        None => span(text.trim()),
    }
}

/// The span one period term names.
fn span(term: &str) -> Option<Period> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let (start, end) = match term.split('-').collect::<Vec<_>>().as_slice() {
        [y] if digits(y, 4) => {
            let start = NaiveDate::from_ymd_opt(y.parse().ok()?, 1, 1)?;
            (start, start.checked_add_months(Months::new(12))?)
        }
        [y, w] if digits(y, 4) && w.len() == 3 && w.starts_with('W') && digits(&w[1..], 2) => {
            let start = NaiveDate::from_isoywd_opt(
                y.parse().ok()?,
                w[1..].parse().ok()?,
                chrono::Weekday::Mon,
            )?;
            (start, start.checked_add_days(Days::new(7))?)
        }
        [y, m] if digits(y, 4) && digits(m, 2) => {
            let start = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)?;
            (start, start.checked_add_months(Months::new(1))?)
        }
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            let start = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
            (start, start.checked_add_days(Days::new(1))?)
        }
        _ => return None,
    };
    Some(Period {
        start: start.and_hms_opt(0, 0, 0)?.and_utc(),
        end: end.and_hms_opt(0, 0, 0)?.and_utc(),
    })
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
    #[serde(rename = "currentPage")]
    current_page: Option<i64>,
    #[serde(rename = "pageSize")]
    page_size: Option<i64>,
}

/// The sessions under `parent` whose `loadedAt` falls in the period,
/// oldest first.
fn sessions_in(
    state: &AppState,
    project: &str,
    parent: &str,
    period: Period,
) -> ApiResult<Vec<Session>> {
    let mut sessions: Vec<Session> = state.db.list(project, Kind::Session, Some(parent))?;
    sessions.retain(|s| period.contains(s.loaded_at));
    sessions.sort_by_key(|s| s.loaded_at);
    Ok(sessions)
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
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<SessionsQuery>,
) -> ApiResult<Json<VideoSessionsListResponse>> {
    let project = project.id();
    require(&state, project, Kind::Video, &video_id, "videoId")?;
    let page = Page::new(query.current_page, query.page_size)?;
    let period = period_of(&query.period)?;
    let pairs = query_pairs(uri.query());
    let wanted = metadata_filter(&pairs);
    let mut sessions = sessions_in(&state, project, &video_id, period)?;
    sessions.retain(|s| has_metadata(s, &wanted));
    let url = format!("{}/analytics/videos/{video_id}", state.base_url);
    let (data, pagination) = page.apply(sessions, &url, &pairs)?;
    Ok(Json(VideoSessionsListResponse {
        data: data.iter().map(Session::as_video_session).collect(),
        pagination,
    }))
}

async fn live_stream_sessions(
    project: Project,
    State(state): State<AppState>,
    Path(live_stream_id): Path<String>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<SessionsQuery>,
) -> ApiResult<Json<LiveStreamSessionsListResponse>> {
    let project = project.id();
    require(
        &state,
        project,
        Kind::LiveStream,
        &live_stream_id,
        "liveStreamId",
    )?;
    let page = Page::new(query.current_page, query.page_size)?;
    let period = period_of(&query.period)?;
    let sessions = sessions_in(&state, project, &live_stream_id, period)?;
    let url = format!("{}/analytics/live-streams/{live_stream_id}", state.base_url);
    let (data, pagination) = page.apply(sessions, &url, &query_pairs(uri.query()))?;
    Ok(Json(LiveStreamSessionsListResponse {
        data: data.iter().map(Session::as_live_stream_session).collect(),
        pagination,
    }))
}

#[derive(Debug, Deserialize)]
struct EventsQuery {
    #[serde(rename = "currentPage")]
    current_page: Option<i64>,
    #[serde(rename = "pageSize")]
    page_size: Option<i64>,
}

async fn session_events(
    project: Project,
    State(state): State<AppState>,
    Path(session_id): Path<String>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> ApiResult<Json<PlayerSessionEventsListResponse>> {
    let project = project.id();
    require(&state, project, Kind::Session, &session_id, "sessionId")?;
    let page = Page::new(query.current_page, query.page_size)?;
    let events = events_of(&state, project, &session_id)?;
    let url = format!("{}/analytics/sessions/{session_id}/events", state.base_url);
    let (data, pagination) = page.apply(events, &url, &query_pairs(uri.query()))?;
    Ok(Json(PlayerSessionEventsListResponse { data, pagination }))
}

/// The session's events in the order they happened.
pub(crate) fn events_of(
    state: &AppState,
    project: &str,
    session_id: &str,
) -> ApiResult<Vec<PlayerSessionEvent>> {
    let mut events: Vec<PlayerSessionEvent> =
        state
            .db
            .list(project, Kind::SessionEvent, Some(session_id))?;
    events.sort_by_key(|e| e.emitted_at);
    Ok(events)
}

/// 404 naming `name` unless the resource exists in the project.
fn require(state: &AppState, project: &str, kind: Kind, id: &str, name: &str) -> ApiResult<()> {
    state
        .db
        .get::<serde_json::Value>(project, kind, id)?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found(name))
}

/// Session metadata, as a list of pairs or as an object.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum MetadataInput {
    List(Vec<Metadata>),
    Map(std::collections::BTreeMap<String, String>),
}

/// Body of `POST /_emulator/analytics/sessions`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionInput {
    video_id: Option<String>,
    live_stream_id: Option<String>,
    loaded_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    metadata: Option<MetadataInput>,
    location: Option<Location>,
    referrer: Option<Referrer>,
    device: Option<Device>,
    os: Option<Os>,
    client: Option<Client>,
    continent: Option<String>,
    country: Option<String>,
    device_type: Option<String>,
    operating_system: Option<String>,
    browser: Option<String>,
    viewer_id: Option<String>,
}

/// Emulator only: records a player session of a video or live stream.
async fn record_session(
    project: Project,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SessionInput>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let project = project.id();
    let parent = match (&input.video_id, &input.live_stream_id) {
        (Some(video), None) => {
            require(&state, project, Kind::Video, video, "videoId")?;
            video.clone()
        }
        (None, Some(live)) => {
            require(&state, project, Kind::LiveStream, live, "liveStreamId")?;
            live.clone()
        }
        (None, None) => return Err(ApiError::invalid(vec![Invalid::required("videoId")])),
        (Some(_), Some(_)) => {
            return Err(ApiError::attribute(
                "liveStreamId",
                "Give either `videoId` or `liveStreamId`, not both.",
            ));
        }
    };
    let loaded_at = input.loaded_at.unwrap_or_else(|| state.now());
    if input.ended_at.is_some_and(|end| end < loaded_at) {
        return Err(ApiError::attribute(
            "endedAt",
            "This attribute must not be before `loadedAt`.",
        ));
    }
    let metadata = match input.metadata {
        None => Vec::new(),
        Some(MetadataInput::List(list)) => list,
        Some(MetadataInput::Map(map)) => map
            .into_iter()
            .map(|(key, value)| Metadata { key, value })
            .collect(),
    };
    let session = Session {
        session_id: ids::new_id(prefix::SESSION),
        video_id: input.video_id,
        live_stream_id: input.live_stream_id,
        loaded_at,
        ended_at: input.ended_at,
        metadata,
        location: input.location,
        referrer: input.referrer,
        device: input.device,
        os: input.os,
        client: input.client,
        dimensions: Dimensions {
            continent: input.continent,
            country: input.country,
            device_type: input.device_type,
            operating_system: input.operating_system,
            browser: input.browser,
            viewer_id: input.viewer_id,
        },
    };
    state.db.put(
        project,
        Kind::Session,
        &session.session_id,
        Some(&parent),
        &session,
    )?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// Events to record: a list, or `{"events": [...]}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum EventsInput {
    List(Vec<EventInput>),
    Wrapped { events: Vec<EventInput> },
}

/// One event to record; `emittedAt` defaults to now.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventInput {
    #[serde(rename = "type")]
    type_: Option<String>,
    emitted_at: Option<DateTime<Utc>>,
    at: Option<i64>,
    from: Option<i64>,
    to: Option<i64>,
}

/// Every problem of the events to record.
fn check_events(events: &[EventInput]) -> Vec<Invalid> {
    let mut problems = Vec::new();
    for (i, e) in events.iter().enumerate() {
        match e.type_.as_deref() {
            None => problems.push(Invalid::required(format!("[{i}].type"))),
            Some(t) if !EVENT_TYPES.contains(&t) => problems.push(Invalid::attribute(
                format!("[{i}].type"),
                format!("This attribute must be one of {}.", EVENT_TYPES.join(", ")),
            )),
            Some(t) if t.starts_with("seek.") => {
                if e.from.is_none() || e.to.is_none() {
                    problems.push(Invalid::required(format!("[{i}].from")));
                }
            }
            Some(_) if e.at.is_none() => problems.push(Invalid::required(format!("[{i}].at"))),
            Some(_) => {}
        }
        for (name, value) in [("at", e.at), ("from", e.from), ("to", e.to)] {
            if value.is_some_and(|v| v < 0) {
                problems.push(Invalid::attribute(
                    format!("[{i}].{name}"),
                    "This attribute must not be negative.",
                ));
            }
        }
    }
    problems
}

/// Emulator only: records events of a session; answers every event of the
/// session in order.
async fn record_events(
    project: Project,
    State(state): State<AppState>,
    Path(session_id): Path<String>,
    ApiJson(input): ApiJson<EventsInput>,
) -> ApiResult<(StatusCode, Json<Vec<PlayerSessionEvent>>)> {
    let project = project.id();
    require(&state, project, Kind::Session, &session_id, "sessionId")?;
    let events = match input {
        EventsInput::List(events) | EventsInput::Wrapped { events } => events,
    };
    let problems = check_events(&events);
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    for input in events {
        let event = PlayerSessionEvent {
            type_: input.type_.unwrap_or_default(),
            emitted_at: input.emitted_at.unwrap_or_else(|| state.now()),
            at: input.at,
            from: input.from,
            to: input.to,
        };
        let id = ids::random("ev", 22);
        state
            .db
            .put(project, Kind::SessionEvent, &id, Some(&session_id), &event)?;
    }
    Ok((
        StatusCode::CREATED,
        Json(events_of(&state, project, &session_id)?),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn periods() {
        let p = parse_period("2024-03-05").unwrap();
        assert_eq!(
            (p.start, p.end),
            (utc("2024-03-05T00:00:00Z"), utc("2024-03-06T00:00:00Z"))
        );
        let p = parse_period("2024-02").unwrap();
        assert_eq!(p.end, utc("2024-03-01T00:00:00Z"));
        let p = parse_period("2024").unwrap();
        assert_eq!(
            (p.start, p.end),
            (utc("2024-01-01T00:00:00Z"), utc("2025-01-01T00:00:00Z"))
        );
        let p = parse_period("2024-W10").unwrap();
        assert_eq!(
            (p.start, p.end),
            (utc("2024-03-04T00:00:00Z"), utc("2024-03-11T00:00:00Z"))
        );
        let p = parse_period("2024-03-01/2024-03-31").unwrap();
        assert_eq!(
            (p.start, p.end),
            (utc("2024-03-01T00:00:00Z"), utc("2024-04-01T00:00:00Z"))
        );
        assert!(parse_period("2023/2024-02").is_some());
        for bad in [
            "",
            "yesterday",
            "2024-13",
            "2024-02-30",
            "24",
            "2024-3-5",
            "2024-03-05/",
            "2024-04/2024-03",
            "2019-01-01T00:00:00.000Z",
            "2024-W54",
        ] {
            assert!(parse_period(bad).is_none(), "{bad}");
        }
    }

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

/// Properties of the `period` parser and of the `metadata[…]` filter, on
/// generated input: no panic, a non-empty span for every accepted period,
/// and printed days, weeks, months and years read back.
#[cfg(test)]
mod properties {
    use chrono::{Datelike, Duration, Weekday};
    use proptest::prelude::*;

    use super::*;

    fn near_period() -> impl Strategy<Value = String> {
        let term = prop_oneof![
            "[0-9]{4}",
            "[0-9]{4}-[0-9]{2}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "[0-9]{4}-W[0-9]{2}",
            "[0-9W-]{0,12}",
            "[0-9]{1,30}(-[0-9]{1,30}){0,3}",
        ];
        (
            term.clone(),
            prop::option::of(term),
            prop::sample::select(vec!["", " "]),
        )
            .prop_map(|(a, b, pad)| match b {
                Some(b) => format!("{pad}{a}{pad}/{pad}{b}"),
                None => format!("{pad}{a}{pad}"),
            })
    }

    fn day() -> impl Strategy<Value = NaiveDate> {
        (0i32..=9999, 1u32..=366)
            .prop_filter_map("a day of that year", |(y, d)| NaiveDate::from_yo_opt(y, d))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn periods_never_panic_and_are_never_empty(
            text in prop_oneof![3 => near_period(), 1 => any::<String>()],
        ) {
            if let Some(p) = parse_period(&text) {
                prop_assert!(p.start < p.end, "{text}");
                // Midnight to midnight.
                prop_assert_eq!(p.start.time(), chrono::NaiveTime::MIN);
                prop_assert_eq!(p.end.time(), chrono::NaiveTime::MIN);
                if !text.contains('/') {
                    prop_assert!(p.end - p.start <= Duration::days(366), "{text}");
                }
            }
        }

        #[test]
        fn printed_periods_read_back(a in day(), b in day()) {
            let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc();
            let p = parse_period(&a.format("%Y-%m-%d").to_string()).unwrap();
            prop_assert_eq!((p.start, p.end), (midnight(a), midnight(a) + Duration::days(1)));

            let p = parse_period(&a.format("%Y-%m").to_string()).unwrap();
            prop_assert_eq!(p.start, midnight(a.with_day(1).unwrap()));
            prop_assert!(p.contains(midnight(a)) && p.end - p.start <= Duration::days(31));

            let p = parse_period(&format!("{:04}", a.year())).unwrap();
            prop_assert_eq!(p.start, midnight(NaiveDate::from_ymd_opt(a.year(), 1, 1).unwrap()));
            prop_assert!(p.contains(midnight(a)));

            let week = a.iso_week();
            if (0..=9999).contains(&week.year()) {
                let p = parse_period(&format!("{:04}-W{:02}", week.year(), week.week())).unwrap();
                prop_assert_eq!(p.start.weekday(), Weekday::Mon);
                prop_assert_eq!(p.end - p.start, Duration::days(7));
                prop_assert!(p.contains(midnight(a)));
            }

            let (first, last) = (a.min(b), a.max(b));
            let text = format!("{}/{}", first.format("%Y-%m-%d"), last.format("%Y-%m-%d"));
            let p = parse_period(&text).unwrap();
            prop_assert_eq!((p.start, p.end), (midnight(first), midnight(last) + Duration::days(1)));
            if first != last {
                let backwards = format!("{}/{}", last.format("%Y-%m-%d"), first.format("%Y-%m-%d"));
                prop_assert_eq!(parse_period(&backwards), None);
            }
        }

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
