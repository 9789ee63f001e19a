//! The simulated player sessions of the admin API. The emulator has no
//! players, so sessions and events are recorded here, in the caller's
//! project:
//!
//! - `POST /_emulator/analytics/sessions` with `videoId` or `liveStreamId`,
//!   `loadedAt`/`endedAt`, `location`, `referrer`, `device`, `os`, `client`
//!   and `metadata` (`[{key, value}]` or `{key: value}`), and for the
//!   `/data` metrics `continent`, `country` (a code such as `FR`),
//!   `deviceType`, `operatingSystem`, `browser` and `viewerId`, answers
//!   the stored session, with its `ps…` id;
//! - `POST /_emulator/analytics/sessions/{sessionId}/events` with a list of
//!   events (`type`, `emittedAt`, `at` or `from`/`to`) answers them.
//!
//! The API's `/analytics/...` operations and `/data` metrics then read
//! them (`crate::store::sessions`).

use apivideo_raw::types::{Metadata, PlayerSessionEvent};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::ApiJson;
use crate::ids::{self, prefix};
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;
use crate::store::sessions::{self, Client, Device, Dimensions, Location, Os, Referrer, Session};

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

/// The admin routes that record simulated player sessions: faults never
/// apply to them.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/_emulator/analytics/sessions", post(record_session))
        .route(
            "/_emulator/analytics/sessions/{sessionId}/events",
            post(record_events),
        )
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
    match (&input.video_id, &input.live_stream_id) {
        (Some(video), None) => {
            sessions::require(&state, project, Kind::Video, video, "videoId")?;
        }
        (None, Some(live)) => {
            sessions::require(&state, project, Kind::LiveStream, live, "liveStreamId")?;
        }
        (None, None) => return Err(ApiError::invalid(vec![Invalid::required("videoId")])),
        (Some(_), Some(_)) => {
            return Err(ApiError::attribute(
                "liveStreamId",
                "Give either `videoId` or `liveStreamId`, not both.",
            ));
        }
    }
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
    sessions::save(&state, project, &session)?;
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
    sessions::load(&state, project, &session_id)?;
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
        sessions::save_event(&state, project, &session_id, &event)?;
    }
    Ok((
        StatusCode::CREATED,
        Json(sessions::events_of(&state, project, &session_id)?),
    ))
}
