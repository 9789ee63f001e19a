//! Player sessions of videos and live streams, and the events of each
//! session: kind `Session` (parent: the video or live stream) and kind
//! `SessionEvent` (parent: the session). The admin API records them
//! (`admin::sessions`), and so does the player collector, which also keeps
//! what it needs of each session it opened ([`collector`]).
//!
//! The API's view of a session ([`Session::present_video`],
//! [`Session::present_live_stream`]) holds every field the API always
//! writes: what a recording leaves out reads `unknown`, as the API writes
//! what it could not find out, and a session recorded without `endedAt`
//! ended when it loaded.

pub(crate) mod collector;

use apivideo_raw::types::{
    LiveStreamSession, LiveStreamSessionClient, LiveStreamSessionDevice, LiveStreamSessionLocation,
    LiveStreamSessionReferrer, LiveStreamSessionSession, Metadata, PlayerSessionEvent,
    VideoSession, VideoSessionClient, VideoSessionDevice, VideoSessionLocation, VideoSessionOs,
    VideoSessionReferrer, VideoSessionSession,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::Kind;
use crate::formats::period::Period;
use crate::ids;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

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
    /// The API's view of a video's session.
    pub(crate) fn present_video(&self) -> VideoSession {
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

    /// The API's view of a live stream's session.
    pub(crate) fn present_live_stream(&self) -> LiveStreamSession {
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

    /// The video or live stream the session is of: its parent in the store.
    fn parent(&self) -> &str {
        self.video_id
            .as_deref()
            .or(self.live_stream_id.as_deref())
            .unwrap_or_default()
    }
}

/// 404 naming `name` unless the resource a session is of (a video or a
/// live stream) exists in the project.
pub(crate) fn require(
    state: &AppState,
    project: &str,
    kind: Kind,
    id: &str,
    name: &str,
) -> ApiResult<()> {
    state
        .db
        .get::<serde_json::Value>(project, kind, id)?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found(name))
}

/// The session, or the 404 naming `sessionId`.
pub(crate) fn load(state: &AppState, project: &str, session_id: &str) -> ApiResult<Session> {
    state
        .db
        .get(project, Kind::Session, session_id)?
        .ok_or_else(|| ApiError::not_found("sessionId"))
}

/// Stores the session under its video or live stream.
pub(crate) fn save(state: &AppState, project: &str, session: &Session) -> ApiResult<()> {
    state.db.put(
        project,
        Kind::Session,
        &session.session_id,
        Some(session.parent()),
        session,
    )?;
    Ok(())
}

/// Every session of the project, of every video and live stream.
pub(crate) fn all(state: &AppState, project: &str) -> ApiResult<Vec<Session>> {
    Ok(state.db.list(project, Kind::Session, None)?)
}

/// The sessions under `parent` whose `loadedAt` falls in the period,
/// oldest first.
pub(crate) fn loaded_in(
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

/// Stores one event of the session.
pub(crate) fn save_event(
    state: &AppState,
    project: &str,
    session_id: &str,
    event: &PlayerSessionEvent,
) -> ApiResult<()> {
    let id = ids::random("ev", 22);
    state
        .db
        .put(project, Kind::SessionEvent, &id, Some(session_id), event)?;
    Ok(())
}
