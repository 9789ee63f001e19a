//! The player collector: where the player page (`/embed/vod/{videoId}`,
//! see `assets.rs`) reports what a viewer does, as api.video's player
//! reports to api.video's collector. What it records are ordinary player
//! sessions and events (`crate::store::sessions`), so a video played in a
//! browser shows up in `/analytics/...` and in the `/data` metrics
//! (`metrics`).
//!
//! The real collector lives on a host of its own; the emulator serves it
//! under `/collector`, as it serves the player host under `/embed`. Like
//! the real one it takes no credential, so everything it accepts is
//! bounded and tied to the video's own project:
//!
//! - `POST /collector/sessions` with `{"videoId", "referrer"?}` opens a
//!   session (an impression) of a known video whose source was uploaded,
//!   in that video's project. It answers 201 with `{"sessionId"}`. The
//!   session's dimensions come from the request's `User-Agent` (browser,
//!   operating system, device type; see `crate::formats::user_agent`) and
//!   the `referrer` the page read from
//!   `document.referrer`. There is no geolocation in the emulator:
//!   `continent`, `country` and `location` stay absent, and the `/data`
//!   breakdowns by them show these sessions as `unknown`.
//! - `POST /collector/sessions/{sessionId}/events` with `{"events": [...],
//!   "leave"?}` records events of a session this collector opened, and of
//!   no other. An event is `{"type", "at"}` (`ready`, `play`, `resume`,
//!   `pause`, `end`; `at` is the position in seconds), or `{"type", "from",
//!   "to"}` for `seek.forward` and `seek.backward`. A `pause` or `end` may
//!   carry `watched`: the seconds of the media played since the `play` or
//!   `resume` that started this stretch of playback, as the media element
//!   counts them. `leave: true` ends the session (its `endedAt`), after
//!   which it takes no more events. It answers 200 with `{"recorded",
//!   "remaining"}`.
//!
//! Times: events are stamped on the emulator's clock when they arrive,
//! except a `pause` or `end` that reports `watched`, which is stamped that
//! many seconds after the event that started the stretch, so the metrics'
//! watch time is the media's own played time and not the network's
//! timing. Such a stamp may run at most [`MAX_AHEAD_MS`] past the arrival,
//! and a session's stamps never go back (see
//! `crate::store::sessions::collector`).
//!
//! [`MAX_AHEAD_MS`]: collector::MAX_AHEAD_MS
//!
//! Limits: bodies of at most [`MAX_BODY`] bytes (413), at most
//! [`MAX_EVENTS_PER_REPORT`] events a report and [`MAX_EVENTS_PER_SESSION`]
//! a session (400), at most [`MAX_SESSIONS_PER_VIDEO`] sessions a video
//! (429). Both routes take a JSON body sent as `application/json` or as
//! `text/plain` (what `navigator.sendBeacon` sends), answer CORS preflights,
//! and are exempt from fault injection, which is for API routes.
//!
//! A private video's player page needs its token (see `crate::private`),
//! but its reports here do not: like a real player's, they are taken for
//! any uploaded video whose id they name.

use apivideo_raw::types::{PlayerSessionEvent, Video};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::db::Kind;
use crate::extract::decode_json;
use crate::formats::referrer::{MAX_REFERRER, is_referrer};
use crate::formats::user_agent::UserAgent;
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;
use crate::store::ingest;
use crate::store::sessions;
use crate::store::sessions::collector::{self, Opened};

/// The largest body either route reads, in bytes.
pub(crate) const MAX_BODY: usize = 16 * 1024;
/// The most events one report carries.
pub(crate) const MAX_EVENTS_PER_REPORT: usize = 64;
/// The most events one session records.
pub(crate) const MAX_EVENTS_PER_SESSION: u32 = 1_000;
/// The most sessions the collector opens for one video.
pub(crate) const MAX_SESSIONS_PER_VIDEO: i64 = 10_000;
/// The largest position or duration an event may report, in seconds (a
/// week).
const MAX_SECONDS: f64 = 7.0 * 86_400.0;

/// The event types a page may report.
const EVENT_TYPES: [&str; 7] = [
    "ready",
    "play",
    "resume",
    "pause",
    "end",
    "seek.forward",
    "seek.backward",
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/collector/sessions", post(open).options(preflight))
        .route(
            "/collector/sessions/{sessionId}/events",
            post(report).options(preflight),
        )
}

/// `Access-Control-Allow-Origin: *`: the reports carry no credential, so
/// any page that embeds the player may send them.
fn cors(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

async fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    cors(response)
}

/// Reads a bounded JSON body sent as `application/json` or `text/plain`.
async fn read_json<T: DeserializeOwned>(headers: &HeaderMap, body: Body) -> ApiResult<T> {
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    if !matches!(mime.as_deref(), Some("application/json" | "text/plain")) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-content-type",
            "The report must be JSON, sent as application/json or text/plain.",
        ));
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| ApiError::too_large(MAX_BODY))?;
    decode_json(&bytes)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OpenInput {
    video_id: String,
    #[serde(default)]
    referrer: Option<String>,
}

/// `POST /collector/sessions`: a page was loaded.
async fn open(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let input: OpenInput = read_json(&headers, body).await?;
    let referrer = match input.referrer.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(url) => Some(check_referrer(url)?),
    };
    let video_id = input.video_id;
    let (project, _) = state
        .db
        .find::<Video>(Kind::Video, &video_id)?
        .ok_or_else(|| ApiError::not_found("videoId"))?;
    // One video's sessions are counted one at a time.
    let _guard = state.ingest_locks.lock(&video_id).await;
    if !ingest::load(&state, &project, &video_id)?.uploaded {
        return Err(ApiError::not_found("videoId").with_detail("The video has no source yet."));
    }
    let opened_before = collector::opened_for(&state, &video_id)?;
    if opened_before >= MAX_SESSIONS_PER_VIDEO {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-sessions",
            "This video has had as many player sessions as the emulator records.",
        )
        .with_detail(format!(
            "The collector opens at most {MAX_SESSIONS_PER_VIDEO} sessions a video."
        )));
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let agent = UserAgent::parse(user_agent);
    let now = state.now();
    let session = collector::new_session(&video_id, referrer, &agent, now);
    let session_id = session.session_id.clone();
    let opened = Opened::new(video_id, now);
    collector::open(&state, &project, &session, &opened, opened_before)?;
    Ok(cors(
        (
            StatusCode::CREATED,
            axum::Json(json!({"sessionId": session_id})),
        )
            .into_response(),
    ))
}

/// An absolute `http(s)` URL of at most [`MAX_REFERRER`] characters.
fn check_referrer(url: &str) -> ApiResult<String> {
    if is_referrer(url) {
        Ok(url.to_owned())
    } else {
        Err(ApiError::attribute(
            "referrer",
            format!(
                "This attribute must be an http or https URL of at most {MAX_REFERRER} characters."
            ),
        ))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReportInput {
    #[serde(default)]
    events: Vec<EventInput>,
    #[serde(default)]
    leave: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventInput {
    #[serde(rename = "type")]
    kind: String,
    at: Option<f64>,
    from: Option<f64>,
    to: Option<f64>,
    watched: Option<f64>,
}

/// Every problem of a report's events.
fn check_events(events: &[EventInput]) -> Vec<Invalid> {
    let mut problems = Vec::new();
    if events.len() > MAX_EVENTS_PER_REPORT {
        problems.push(Invalid::attribute(
            "events",
            format!("A report carries at most {MAX_EVENTS_PER_REPORT} events."),
        ));
        return problems;
    }
    let seconds = |name: String, value: f64, problems: &mut Vec<Invalid>| {
        if !(0.0..=MAX_SECONDS).contains(&value) {
            problems.push(Invalid::attribute(
                name,
                format!("This attribute must be a number of seconds from 0 to {MAX_SECONDS}."),
            ));
        }
    };
    for (i, e) in events.iter().enumerate() {
        let kind = e.kind.as_str();
        if !EVENT_TYPES.contains(&kind) {
            problems.push(Invalid::attribute(
                format!("events[{i}].type"),
                format!("This attribute must be one of {}.", EVENT_TYPES.join(", ")),
            ));
            continue;
        }
        let seek = kind.starts_with("seek.");
        let fields: &[(&str, Option<f64>)] = if seek {
            &[("from", e.from), ("to", e.to)]
        } else {
            &[("at", e.at)]
        };
        for (name, value) in fields {
            match value {
                None => problems.push(Invalid::required(format!("events[{i}].{name}"))),
                Some(v) => seconds(format!("events[{i}].{name}"), *v, &mut problems),
            }
        }
        let stray = if seek {
            [("at", e.at.is_some()), ("watched", e.watched.is_some())]
        } else {
            [
                ("from", e.from.is_some() || e.to.is_some()),
                (
                    "watched",
                    e.watched.is_some() && !matches!(kind, "pause" | "end"),
                ),
            ]
        };
        for (name, present) in stray {
            if present {
                problems.push(Invalid::attribute(
                    format!("events[{i}].{name}"),
                    format!("A {kind} event does not take this attribute."),
                ));
            }
        }
        if let Some(w) = e.watched {
            seconds(format!("events[{i}].watched"), w, &mut problems);
        }
    }
    problems
}

/// Whole seconds of a checked, non-negative position.
fn whole(seconds: Option<f64>) -> Option<i64> {
    seconds.map(|s| s.floor() as i64)
}

/// `POST /collector/sessions/{sessionId}/events`.
async fn report(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let input: ReportInput = read_json(&headers, body).await?;
    let problems = check_events(&input.events);
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let unknown = || {
        ApiError::not_found("sessionId")
            .with_detail("The collector takes events only for the sessions it opened.")
    };
    // A session's reports are recorded one at a time.
    let _guard = state.ingest_locks.lock(&session_id).await;
    let (project, mut opened, mut session) =
        collector::find(&state, &session_id)?.ok_or_else(unknown)?;
    if state
        .db
        .get::<Video>(&project, Kind::Video, &opened.video_id)?
        .is_none()
    {
        return Err(ApiError::not_found("videoId").with_detail("The video was deleted."));
    }
    if opened.left {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "session-ended",
            "This session has ended; a new page load opens a new one.",
        )
        .with_name("sessionId"));
    }
    let count = input.events.len() as u32;
    if opened.events + count > MAX_EVENTS_PER_SESSION {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "too-many-events",
            "This session cannot record that many more events.",
        )
        .with_name("events")
        .with_detail(format!(
            "A session records at most {MAX_EVENTS_PER_SESSION} events; {} are left.",
            MAX_EVENTS_PER_SESSION - opened.events
        )));
    }
    let now = state.now();
    for e in &input.events {
        let stamp = opened.stamp(&e.kind, e.watched, now);
        let event = PlayerSessionEvent {
            type_: e.kind.clone(),
            emitted_at: stamp,
            at: whole(e.at),
            from: whole(e.from),
            to: whole(e.to),
        };
        sessions::save_event(&state, &project, &session_id, &event)?;
    }
    opened.events += count;
    if input.leave {
        opened.left = true;
        opened.playing_since = None;
        session.ended_at = Some(opened.last.max(now));
        sessions::save(&state, &project, &session)?;
    }
    collector::save(&state, &project, &session_id, &opened)?;
    Ok(cors(
        axum::Json(json!({
            "recorded": count,
            "remaining": MAX_EVENTS_PER_SESSION - opened.events,
        }))
        .into_response(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, watched: Option<f64>) -> EventInput {
        EventInput {
            kind: kind.into(),
            at: Some(0.0),
            from: None,
            to: None,
            watched,
        }
    }

    #[test]
    fn event_checks() {
        assert!(check_events(&[event("play", None), event("end", Some(2.0))]).is_empty());
        let names = |events: &[EventInput]| -> Vec<String> {
            check_events(events).into_iter().map(|p| p.name).collect()
        };
        assert_eq!(names(&[event("stop", None)]), ["events[0].type"]);
        assert_eq!(names(&[event("play", Some(1.0))]), ["events[0].watched"]);
        let mut negative = event("pause", Some(-1.0));
        negative.at = Some(f64::NAN);
        assert_eq!(names(&[negative]), ["events[0].at", "events[0].watched"]);
        let seek = EventInput {
            kind: "seek.forward".into(),
            at: Some(1.0),
            from: Some(1.0),
            to: None,
            watched: None,
        };
        assert_eq!(names(&[seek]), ["events[0].to", "events[0].at"]);
        let many: Vec<EventInput> = (0..=MAX_EVENTS_PER_REPORT)
            .map(|_| event("ready", None))
            .collect();
        assert_eq!(names(&many), ["events"]);
    }
}
