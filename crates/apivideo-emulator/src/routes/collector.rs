//! The player collector: where the player page (`/embed/vod/{videoId}`,
//! see `assets.rs`) reports what a viewer does, as api.video's player
//! reports to api.video's collector. What it records are ordinary player
//! sessions and events (`analytics.rs`), so a video played in a browser
//! shows up in `/analytics/...` and in the `/data` metrics (`metrics.rs`).
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
//!   operating system, device type) and the `referrer` the page read from
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
//! and a session's stamps never go back.
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
use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::analytics::{self, Client, Device, Dimensions, Referrer, Session};
use crate::db::Kind;
use crate::extract::decode_json;
use crate::ids::{self, prefix};
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;
use crate::store::ingest;

/// The largest body either route reads, in bytes.
pub(crate) const MAX_BODY: usize = 16 * 1024;
/// The most events one report carries.
pub(crate) const MAX_EVENTS_PER_REPORT: usize = 64;
/// The most events one session records.
pub(crate) const MAX_EVENTS_PER_SESSION: u32 = 1_000;
/// The most sessions the collector opens for one video.
pub(crate) const MAX_SESSIONS_PER_VIDEO: i64 = 10_000;
/// How far past its arrival a `pause` or `end` stamped from `watched` may
/// land (the network's jitter between two reports), in milliseconds.
pub(crate) const MAX_AHEAD_MS: i64 = 5_000;
/// The longest referrer kept, as the API's `referrer` filter.
const MAX_REFERRER: usize = 2_048;
/// The largest position or duration an event may report, in seconds (a
/// week).
const MAX_SECONDS: f64 = 7.0 * 86_400.0;
/// The longest `User-Agent` read.
const MAX_USER_AGENT: usize = 1_024;

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

/// What the collector keeps of a session it opened (kind
/// [`Kind::CollectorSession`], id: the session id, parent: the video id).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Opened {
    video_id: String,
    /// Events recorded so far.
    events: u32,
    /// The stamp of the `play` or `resume` that started the current
    /// stretch of playback, while it lasts.
    playing_since: Option<DateTime<Utc>>,
    /// The latest stamp given in this session.
    last: DateTime<Utc>,
    /// The page left: no more events.
    left: bool,
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
    let counter = format!("collector_sessions:{video_id}");
    let opened_before = state.db.counter(&counter)?;
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
    let session_id = ids::new_id(prefix::SESSION);
    let session = Session {
        session_id: session_id.clone(),
        video_id: Some(video_id.clone()),
        live_stream_id: None,
        loaded_at: now,
        ended_at: None,
        metadata: Vec::new(),
        location: None,
        referrer: referrer.map(|url| Referrer {
            source: Some(origin_of(&url).to_owned()),
            medium: Some("referral".to_owned()),
            search_term: None,
            url: Some(url),
        }),
        device: Some(Device {
            type_: Some(agent.legacy_device().to_owned()),
            vendor: None,
            model: None,
        }),
        os: agent.os.map(|os| analytics::Os {
            name: Some(os.display.to_owned()),
            shortname: None,
            version: None,
        }),
        client: agent.browser.as_ref().map(|b| Client {
            type_: Some("browser".to_owned()),
            name: Some(b.display.to_owned()),
            version: b.version.clone(),
        }),
        dimensions: Dimensions {
            continent: None,
            country: None,
            device_type: Some(agent.device.to_owned()),
            operating_system: agent.os.map(|os| os.name.to_owned()),
            browser: agent.browser.as_ref().map(|b| b.name.to_owned()),
            viewer_id: None,
        },
    };
    let opened = Opened {
        video_id: video_id.clone(),
        events: 0,
        playing_since: None,
        last: now,
        left: false,
    };
    state.db.put(
        &project,
        Kind::CollectorSession,
        &session_id,
        Some(&video_id),
        &opened,
    )?;
    state.db.put(
        &project,
        Kind::Session,
        &session_id,
        Some(&video_id),
        &session,
    )?;
    state.db.set_counter(&counter, opened_before + 1)?;
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
    let fine = url.len() <= MAX_REFERRER
        && (url.starts_with("http://") || url.starts_with("https://"))
        && url.chars().all(|c| c.is_ascii_graphic());
    if fine {
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

/// `scheme://host[:port]` of an http(s) URL.
fn origin_of(url: &str) -> &str {
    let rest_at = url.find("://").map_or(0, |i| i + 3);
    let end = url[rest_at..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| rest_at + i);
    &url[..end]
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
    let (project, mut opened) = state
        .db
        .find::<Opened>(Kind::CollectorSession, &session_id)?
        .ok_or_else(unknown)?;
    let mut session: Session = state
        .db
        .get(&project, Kind::Session, &session_id)?
        .ok_or_else(unknown)?;
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
        let stamp = stamp(&mut opened, e, now);
        let event = PlayerSessionEvent {
            type_: e.kind.clone(),
            emitted_at: stamp,
            at: whole(e.at),
            from: whole(e.from),
            to: whole(e.to),
        };
        let id = ids::random("ev", 22);
        state
            .db
            .put(&project, Kind::SessionEvent, &id, Some(&session_id), &event)?;
    }
    opened.events += count;
    if input.leave {
        opened.left = true;
        opened.playing_since = None;
        session.ended_at = Some(opened.last.max(now));
        state.db.put(
            &project,
            Kind::Session,
            &session_id,
            Some(&opened.video_id),
            &session,
        )?;
    }
    state.db.put(
        &project,
        Kind::CollectorSession,
        &session_id,
        Some(&opened.video_id),
        &opened,
    )?;
    Ok(cors(
        axum::Json(json!({
            "recorded": count,
            "remaining": MAX_EVENTS_PER_SESSION - opened.events,
        }))
        .into_response(),
    ))
}

/// The stamp of one event arriving `now`, and what it does to the
/// session's stretch of playback.
fn stamp(opened: &mut Opened, e: &EventInput, now: DateTime<Utc>) -> DateTime<Utc> {
    let mut at = now;
    match e.kind.as_str() {
        "play" | "resume" => {
            at = at.max(opened.last);
            opened.playing_since.get_or_insert(at);
        }
        "pause" | "end" => {
            if let (Some(since), Some(watched)) = (opened.playing_since, e.watched) {
                let millis = (watched * 1000.0).round() as i64;
                at = (since + Duration::milliseconds(millis))
                    .min(now + Duration::milliseconds(MAX_AHEAD_MS));
            }
            opened.playing_since = None;
        }
        _ => {}
    }
    let at = at.max(opened.last);
    opened.last = at;
    at
}

/// What a `User-Agent` tells of the viewer's browser, system and device.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserAgent {
    browser: Option<Browser>,
    os: Option<Os>,
    /// `computer`, `phone` or `tablet`.
    device: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Browser {
    /// As the `/data` metrics name it: `chrome`, `firefox`...
    name: &'static str,
    /// As the legacy session's `client.name`: `Chrome`, `Firefox`...
    display: &'static str,
    version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Os {
    /// As the `/data` metrics name it: `windows`, `macos`...
    name: &'static str,
    /// As the legacy session's `os.name`.
    display: &'static str,
}

impl UserAgent {
    fn parse(ua: &str) -> Self {
        let ua = match ua.char_indices().nth(MAX_USER_AGENT) {
            Some((cut, _)) => &ua[..cut],
            None => ua,
        };
        // The most specific token first: Edge and Opera also say Chrome,
        // Chrome also says Safari.
        const BROWSERS: [(&str, &str, &str); 9] = [
            ("Edg/", "edge", "Edge"),
            ("EdgA/", "edge", "Edge"),
            ("OPR/", "opera", "Opera"),
            ("Firefox/", "firefox", "Firefox"),
            ("FxiOS/", "firefox", "Firefox"),
            ("CriOS/", "chrome", "Chrome"),
            ("HeadlessChrome/", "chrome", "Chrome"),
            ("Chrome/", "chrome", "Chrome"),
            ("Safari/", "safari", "Safari"),
        ];
        let browser = BROWSERS
            .iter()
            .find_map(|(token, name, display)| {
                let start = ua.find(token)? + token.len();
                let version: String = ua[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .take(32)
                    .collect();
                Some(Browser {
                    name,
                    display,
                    version: (!version.is_empty()).then_some(version),
                })
            })
            .map(|mut b| {
                // Safari's own version is in `Version/`.
                if b.name == "safari" {
                    b.version = ua.find("Version/").map(|i| {
                        ua[i + 8..]
                            .chars()
                            .take_while(|c| c.is_ascii_digit() || *c == '.')
                            .take(32)
                            .collect()
                    });
                }
                b
            });
        const SYSTEMS: [(&str, &str, &str); 8] = [
            ("Windows", "windows", "Microsoft Windows"),
            ("Android", "android", "Android"),
            ("iPhone", "ios", "iOS"),
            ("iPad", "ios", "iOS"),
            ("iPod", "ios", "iOS"),
            ("CrOS", "chromeos", "Chrome OS"),
            ("Mac OS X", "macos", "macOS"),
            ("Linux", "linux", "GNU/Linux"),
        ];
        let os = SYSTEMS
            .iter()
            .find(|(token, _, _)| ua.contains(token))
            .map(|(_, name, display)| Os { name, display });
        let device = if ua.contains("iPad") || ua.contains("Tablet") {
            "tablet"
        } else if ua.contains("Android") {
            if ua.contains("Mobile") {
                "phone"
            } else {
                "tablet"
            }
        } else if ua.contains("iPhone") || ua.contains("iPod") || ua.contains("Mobile") {
            "phone"
        } else {
            "computer"
        };
        Self {
            browser,
            os,
            device,
        }
    }

    /// The legacy session's `device.type`.
    fn legacy_device(&self) -> &'static str {
        match self.device {
            "computer" => "desktop",
            "phone" => "mobile",
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents() {
        let headless = UserAgent::parse(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/148.0.0.0 Safari/537.36",
        );
        assert_eq!(
            headless.browser,
            Some(Browser {
                name: "chrome",
                display: "Chrome",
                version: Some("148.0.0.0".into())
            })
        );
        assert_eq!(headless.os.map(|o| o.name), Some("linux"));
        assert_eq!(headless.device, "computer");

        let firefox = UserAgent::parse(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        );
        assert_eq!(firefox.browser.as_ref().map(|b| b.name), Some("firefox"));
        assert_eq!(firefox.os.map(|o| o.name), Some("windows"));

        let iphone = UserAgent::parse(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        );
        let safari = iphone.browser.clone().unwrap();
        assert_eq!(
            (safari.name, safari.version.as_deref()),
            ("safari", Some("17.4"))
        );
        assert_eq!(iphone.os.map(|o| o.name), Some("ios"));
        assert_eq!((iphone.device, iphone.legacy_device()), ("phone", "mobile"));

        let edge = UserAgent::parse(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
        );
        assert_eq!(edge.browser.map(|b| b.name), Some("edge"));
        assert_eq!(edge.os.map(|o| o.name), Some("macos"));

        let tablet = UserAgent::parse("Mozilla/5.0 (Linux; Android 14; SM-X710) Chrome/124.0");
        assert_eq!(
            (tablet.device, tablet.os.map(|o| o.name)),
            ("tablet", Some("android"))
        );

        let nothing = UserAgent::parse("");
        assert_eq!(
            (nothing.browser, nothing.os, nothing.device),
            (None, None, "computer")
        );
        // A huge header is read up to the limit only.
        let long = format!("{}Firefox/1", "x".repeat(MAX_USER_AGENT));
        assert_eq!(UserAgent::parse(&long).browser, None);
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://example.com/a?b#c"),
            "https://example.com"
        );
        assert_eq!(origin_of("http://h:8080"), "http://h:8080");
        assert_eq!(origin_of("https://h?x=1"), "https://h");
    }

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
    fn stamps_follow_the_played_time() {
        let t0 = DateTime::parse_from_rfc3339("2024-03-05T10:00:00Z")
            .unwrap()
            .to_utc();
        let ms = Duration::milliseconds;
        let mut opened = Opened {
            video_id: "vi".into(),
            events: 0,
            playing_since: None,
            last: t0,
            left: false,
        };
        let play = stamp(&mut opened, &event("play", None), t0 + ms(100));
        assert_eq!(play, t0 + ms(100));
        // Arrives late: stamped from the played time.
        let pause = stamp(&mut opened, &event("pause", Some(2.0)), t0 + ms(2500));
        assert_eq!(pause, t0 + ms(2100));
        // Arrives early (the play's report was slow): still the played time.
        let resume = stamp(&mut opened, &event("resume", None), t0 + ms(3000));
        let end = stamp(&mut opened, &event("end", Some(1.5)), t0 + ms(4200));
        assert_eq!((resume, end), (t0 + ms(3000), t0 + ms(4500)));
        // A wild `watched` lands at most MAX_AHEAD_MS past the arrival.
        stamp(&mut opened, &event("play", None), t0 + ms(5000));
        let end = stamp(&mut opened, &event("end", Some(3600.0)), t0 + ms(6000));
        assert_eq!(end, t0 + ms(6000 + MAX_AHEAD_MS));
        // Stamps never go back.
        let ready = stamp(&mut opened, &event("ready", None), t0 + ms(7000));
        assert_eq!(ready, end);
        // Without a stretch to close, a pause is stamped on arrival.
        let late = t0 + ms(20_000);
        assert_eq!(stamp(&mut opened, &event("pause", Some(9.0)), late), late);
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
