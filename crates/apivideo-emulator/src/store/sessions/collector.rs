//! What the player collector keeps of each session it opened (kind
//! `CollectorSession`, id: the session id, parent: the video id), beside
//! the session itself: how many events it recorded, whether the page left,
//! and the stamps it gave, so that a `pause` or `end` reporting `watched`
//! is stamped from the media's played time (see [`Opened::stamp`]). It
//! also counts the sessions it opened for each video.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Client, Device, Dimensions, Os, Referrer, Session};
use crate::db::Kind;
use crate::formats::referrer::origin_of;
use crate::formats::user_agent::UserAgent;
use crate::ids::{self, prefix};
use crate::problem::ApiResult;
use crate::state::AppState;

/// How far past its arrival a `pause` or `end` stamped from `watched` may
/// land (the network's jitter between two reports), in milliseconds.
pub(crate) const MAX_AHEAD_MS: i64 = 5_000;

/// What the collector keeps of a session it opened.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Opened {
    pub(crate) video_id: String,
    /// Events recorded so far.
    pub(crate) events: u32,
    /// The stamp of the `play` or `resume` that started the current
    /// stretch of playback, while it lasts.
    pub(crate) playing_since: Option<DateTime<Utc>>,
    /// The latest stamp given in this session.
    pub(crate) last: DateTime<Utc>,
    /// The page left: no more events.
    pub(crate) left: bool,
}

impl Opened {
    /// A session of the video opened `now`.
    pub(crate) fn new(video_id: String, now: DateTime<Utc>) -> Self {
        Self {
            video_id,
            events: 0,
            playing_since: None,
            last: now,
            left: false,
        }
    }

    /// The stamp of one event of type `kind` arriving `now`, and what it
    /// does to the session's stretch of playback: a `pause` or `end` that
    /// reports `watched` seconds is stamped that long after the `play` or
    /// `resume` that started the stretch, at most [`MAX_AHEAD_MS`] past
    /// `now`. Stamps never go back.
    pub(crate) fn stamp(
        &mut self,
        kind: &str,
        watched: Option<f64>,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let mut at = now;
        match kind {
            "play" | "resume" => {
                at = at.max(self.last);
                self.playing_since.get_or_insert(at);
            }
            "pause" | "end" => {
                if let (Some(since), Some(watched)) = (self.playing_since, watched) {
                    let millis = (watched * 1000.0).round() as i64;
                    at = (since + Duration::milliseconds(millis))
                        .min(now + Duration::milliseconds(MAX_AHEAD_MS));
                }
                self.playing_since = None;
            }
            _ => {}
        }
        let at = at.max(self.last);
        self.last = at;
        at
    }
}

/// A session of the video that a page opened `now`, as its `User-Agent`
/// and `referrer` describe it: no location, since the emulator has no
/// geolocation.
pub(crate) fn new_session(
    video_id: &str,
    referrer: Option<String>,
    agent: &UserAgent,
    now: DateTime<Utc>,
) -> Session {
    Session {
        session_id: ids::new_id(prefix::SESSION),
        video_id: Some(video_id.to_owned()),
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
        os: agent.os.map(|os| Os {
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
    }
}

fn counter(video_id: &str) -> String {
    format!("collector_sessions:{video_id}")
}

/// How many sessions the collector opened for the video.
pub(crate) fn opened_for(state: &AppState, video_id: &str) -> ApiResult<i64> {
    Ok(state.db.counter(&counter(video_id))?)
}

/// Stores a session the collector opened, and what it keeps of it, and
/// counts it as the video's `opened_before + 1`th.
pub(crate) fn open(
    state: &AppState,
    project: &str,
    session: &Session,
    opened: &Opened,
    opened_before: i64,
) -> ApiResult<()> {
    save(state, project, &session.session_id, opened)?;
    super::save(state, project, session)?;
    state
        .db
        .set_counter(&counter(&opened.video_id), opened_before + 1)?;
    Ok(())
}

/// A session this collector opened, with its project and the session
/// itself; `None` for any other id.
pub(crate) fn find(
    state: &AppState,
    session_id: &str,
) -> ApiResult<Option<(String, Opened, Session)>> {
    let Some((project, opened)) = state
        .db
        .find::<Opened>(Kind::CollectorSession, session_id)?
    else {
        return Ok(None);
    };
    let session = state.db.get(&project, Kind::Session, session_id)?;
    Ok(session.map(|session| (project, opened, session)))
}

/// Stores what the collector keeps of the session.
pub(crate) fn save(
    state: &AppState,
    project: &str,
    session_id: &str,
    opened: &Opened,
) -> ApiResult<()> {
    state.db.put(
        project,
        Kind::CollectorSession,
        session_id,
        Some(&opened.video_id),
        opened,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Event = (&'static str, Option<f64>);

    fn event(kind: &'static str, watched: Option<f64>) -> Event {
        (kind, watched)
    }

    fn stamp(opened: &mut Opened, (kind, watched): &Event, now: DateTime<Utc>) -> DateTime<Utc> {
        opened.stamp(kind, *watched, now)
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
}
