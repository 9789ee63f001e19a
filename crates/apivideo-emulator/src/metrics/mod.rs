//! The `/data` metrics computed from the stored player sessions and their
//! events (`crate::store::sessions`), on every call: one figure over a
//! span, the figures of each value of a dimension, or a figure per
//! interval. The HTTP side, which reads the query and writes the answer,
//! is `routes::metrics`.
//!
//! How each metric reads the recordings:
//! - `impression`: a session whose `loadedAt` is in the period;
//! - `play`: a `play` event emitted in the period (`total` is the same count
//!   over every media, and the only one that takes `mediaId`/`mediaType`);
//! - `start`: a session whose first `play` event is in the period;
//! - `end`: an `end` event emitted in the period;
//! - `play` `rate` (`play-rate`): plays divided by impressions, 0 without
//!   impressions;
//! - `impression-time`: milliseconds from `loadedAt` to the first `play`,
//!   for the sessions loaded in the period that played;
//! - `watch-time`: seconds between each `play`/`resume` and the next
//!   `pause`/`end` (or the session's `endedAt`), for the sessions loaded in
//!   the period that watched something;
//! - `view`: a session loaded in the period whose watch time reaches
//!   `viewDuration` (5 s by default);
//! - `ccv`: a viewer is watching from the first `play` to the `end` event,
//!   else `endedAt`, else still. `peak` is the most viewers
//!   watching at one instant of the period, `live` the same over the last
//!   20 seconds; `ccv-average` is the watching time inside the period
//!   divided by its length.
//!
//! With `unique`, sessions of the same `viewerId` count once.

use std::collections::{BTreeMap, BTreeSet};

use apivideo_raw::types::Video;
use chrono::{DateTime, Duration, Utc};

use crate::db::Kind;
use crate::problem::ApiResult;
use crate::state::AppState;
use crate::store::sessions::{self, Session};

/// The window of `ccv` `live`.
const LIVE_SECONDS: i64 = 20;

/// What one computation measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    Impressions,
    Plays,
    Starts,
    Ends,
    PlayRate,
    ImpressionTime { average: bool },
    WatchTime { average: bool },
    Views,
    CcvPeak,
    CcvLive,
    CcvAverage,
}

/// A session with what the metrics read from its events.
pub(crate) struct Facts {
    session: Session,
    tags: Vec<String>,
    plays: Vec<DateTime<Utc>>,
    ends: Vec<DateTime<Utc>>,
    first_play: Option<DateTime<Utc>>,
    /// Wall-clock spans of playback.
    segments: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// When the viewer was watching, for `ccv`.
    watching: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl Facts {
    fn watch_seconds(&self) -> f64 {
        self.segments
            .iter()
            .map(|(a, b)| (*b - *a).num_milliseconds() as f64 / 1000.0)
            .sum()
    }

    fn viewer(&self, unique: bool) -> String {
        match (&self.session.dimensions.viewer_id, unique) {
            (Some(viewer), true) => viewer.clone(),
            _ => self.session.session_id.clone(),
        }
    }

    fn media_id(&self) -> String {
        self.session
            .video_id
            .clone()
            .or_else(|| self.session.live_stream_id.clone())
            .unwrap_or_default()
    }

    fn media_type(&self) -> &'static str {
        if self.session.live_stream_id.is_some() {
            "live-stream"
        } else {
            "video"
        }
    }

    /// The session's value for a dimension (a breakdown or a filter key).
    pub(crate) fn dimension(&self, name: &str) -> Option<String> {
        let s = &self.session;
        let d = &s.dimensions;
        match name {
            "media-id" | "mediaId" => Some(self.media_id()),
            "media-type" | "mediaType" => Some(self.media_type().to_owned()),
            "continent" => d.continent.clone(),
            "country" => d
                .country
                .clone()
                .or_else(|| s.location.as_ref().and_then(|l| l.country.clone())),
            "device-type" | "deviceType" => d
                .device_type
                .clone()
                .or_else(|| s.device.as_ref().and_then(|x| x.type_.clone())),
            "operating-system" | "operatingSystem" => d
                .operating_system
                .clone()
                .or_else(|| s.os.as_ref().and_then(|x| x.name.clone())),
            "browser" => d
                .browser
                .clone()
                .or_else(|| s.client.as_ref().and_then(|x| x.name.clone())),
            "referrer" => s.referrer.as_ref().and_then(|r| r.url.clone()),
            _ => None,
        }
    }
}

/// Every session of the project, with what the metrics read from its
/// events and the tags of its video.
pub(crate) fn facts_of(state: &AppState, project: &str) -> ApiResult<Vec<Facts>> {
    let sessions = sessions::all(state, project)?;
    let mut out = Vec::with_capacity(sessions.len());
    for session in sessions {
        let tags = match &session.video_id {
            Some(id) => state
                .db
                .get::<Video>(project, Kind::Video, id)?
                .map(|v| v.tags)
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let events = sessions::events_of(state, project, &session.session_id)?;
        let mut plays = Vec::new();
        let mut ends = Vec::new();
        let mut segments = Vec::new();
        let mut open: Option<DateTime<Utc>> = None;
        for e in &events {
            let at = e.emitted_at;
            match e.type_.as_str() {
                "play" => {
                    plays.push(at);
                    open.get_or_insert(at);
                }
                "resume" => {
                    open.get_or_insert(at);
                }
                kind @ ("pause" | "end") => {
                    if let Some(start) = open.take() {
                        segments.push((start, at));
                    }
                    if kind == "end" {
                        ends.push(at);
                    }
                }
                _ => {}
            }
        }
        if let (Some(start), Some(end)) = (open, session.ended_at)
            && end > start
        {
            segments.push((start, end));
        }
        let first_play = plays.first().copied();
        // A viewer with neither an `end` event nor `endedAt` is still watching.
        let stop = ends
            .first()
            .copied()
            .or(session.ended_at)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let watching = first_play.filter(|a| stop > *a).map(|a| (a, stop));
        out.push(Facts {
            session,
            tags,
            plays,
            ends,
            first_play,
            segments,
            watching,
        });
    }
    Ok(out)
}

/// `[from, to)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub(crate) from: DateTime<Utc>,
    pub(crate) to: DateTime<Utc>,
}

impl Span {
    fn has(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t < self.to
    }
}

fn compute(
    measure: Measure,
    facts: &[&Facts],
    span: Span,
    unique: bool,
    view_seconds: f64,
    now: DateTime<Utc>,
) -> f64 {
    let count = |n: usize| n as f64;
    let impressions = || {
        facts
            .iter()
            .filter(|f| span.has(f.session.loaded_at))
            .count()
    };
    let plays = || {
        facts
            .iter()
            .map(|f| f.plays.iter().filter(|t| span.has(**t)).count())
            .sum::<usize>()
    };
    let loaded = || facts.iter().filter(|f| span.has(f.session.loaded_at));
    let reduce = |values: Vec<f64>, average: bool| {
        let sum: f64 = values.iter().sum();
        if average {
            if values.is_empty() {
                0.0
            } else {
                sum / values.len() as f64
            }
        } else {
            sum
        }
    };
    match measure {
        Measure::Impressions => count(impressions()),
        Measure::Plays => count(plays()),
        Measure::Starts => count(
            facts
                .iter()
                .filter(|f| f.first_play.is_some_and(|t| span.has(t)))
                .count(),
        ),
        Measure::Ends => count(
            facts
                .iter()
                .map(|f| f.ends.iter().filter(|t| span.has(**t)).count())
                .sum(),
        ),
        Measure::PlayRate => {
            let shown = impressions();
            if shown == 0 {
                0.0
            } else {
                count(plays()) / shown as f64
            }
        }
        Measure::ImpressionTime { average } => reduce(
            loaded()
                .filter_map(|f| f.first_play.map(|p| p - f.session.loaded_at))
                .map(|d| d.num_milliseconds() as f64)
                .collect(),
            average,
        ),
        Measure::WatchTime { average } => reduce(
            loaded()
                .map(|f| f.watch_seconds())
                .filter(|s| *s > 0.0)
                .collect(),
            average,
        ),
        Measure::Views => {
            let viewers: BTreeSet<String> = loaded()
                .filter(|f| f.watch_seconds() >= view_seconds)
                .map(|f| f.viewer(unique))
                .collect();
            count(viewers.len())
        }
        Measure::CcvPeak => peak(facts, span, unique),
        Measure::CcvLive => peak(
            facts,
            Span {
                from: now - Duration::seconds(LIVE_SECONDS),
                to: now,
            },
            unique,
        ),
        Measure::CcvAverage => {
            let length = (span.to - span.from).num_milliseconds();
            if length <= 0 {
                return 0.0;
            }
            let mut per_viewer: BTreeMap<String, Vec<Watched>> = BTreeMap::new();
            for f in facts {
                if let Some((a, b)) = f.watching {
                    let (a, b) = (a.max(span.from), b.min(span.to));
                    if b > a {
                        per_viewer.entry(f.viewer(unique)).or_default().push((a, b));
                    }
                }
            }
            let watched: i64 = per_viewer.into_values().map(union_millis).sum();
            watched as f64 / length as f64
        }
    }
}

/// A span of watching, start included, end excluded.
type Watched = (DateTime<Utc>, DateTime<Utc>);

/// Milliseconds covered by a set of spans.
fn union_millis(mut spans: Vec<Watched>) -> i64 {
    spans.sort();
    let mut total = 0;
    let mut current: Option<Watched> = None;
    for (a, b) in spans {
        current = match current {
            Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += (cb - ca).num_milliseconds();
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((a, b)) = current {
        total += (b - a).num_milliseconds();
    }
    total
}

/// The most viewers watching at one instant of the span.
fn peak(facts: &[&Facts], span: Span, unique: bool) -> f64 {
    let spans: Vec<_> = facts
        .iter()
        .filter_map(|f| f.watching.map(|w| (w, f.viewer(unique))))
        .filter(|((a, b), _)| *a < span.to && *b > span.from)
        .collect();
    let mut instants: Vec<DateTime<Utc>> = vec![span.from];
    instants.extend(spans.iter().map(|((a, _), _)| *a).filter(|t| span.has(*t)));
    instants
        .iter()
        .map(|t| {
            spans
                .iter()
                .filter(|((a, b), _)| a <= t && t < b)
                .map(|(_, v)| v.as_str())
                .collect::<BTreeSet<_>>()
                .len()
        })
        .max()
        .unwrap_or(0) as f64
}

/// Whether the session passes every filter: its video has every `tag`
/// wanted, and its value of each other key is one of those wanted.
fn matches(f: &Facts, filters: &BTreeMap<String, Vec<String>>) -> bool {
    filters.iter().all(|(key, wanted)| {
        if key == "tag" {
            wanted.iter().all(|t| f.tags.contains(t))
        } else {
            f.dimension(key).is_some_and(|v| wanted.contains(&v))
        }
    })
}

/// The sessions that pass every filter (a filter key, such as `country`,
/// and its accepted values).
pub(crate) fn matching<'a>(
    facts: &'a [Facts],
    filters: &BTreeMap<String, Vec<String>>,
) -> Vec<&'a Facts> {
    facts.iter().filter(|f| matches(f, filters)).collect()
}

/// One metric as a query asks for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metric {
    pub(crate) measure: Measure,
    /// Sessions of the same `viewerId` count once.
    pub(crate) unique: bool,
    /// The watch time that makes a `view`.
    pub(crate) view_seconds: f64,
    /// The emulator's clock, for `ccv` `live`.
    pub(crate) now: DateTime<Utc>,
}

impl Metric {
    /// The metric over the sessions and the span.
    pub(crate) fn value(&self, facts: &[&Facts], span: Span) -> f64 {
        compute(
            self.measure,
            facts,
            span,
            self.unique,
            self.view_seconds,
            self.now,
        )
    }

    /// The metric of each value of the dimension (`unknown` for the
    /// sessions without one) that is not zero, by value.
    pub(crate) fn buckets(
        &self,
        facts: &[&Facts],
        dimension: &str,
        span: Span,
    ) -> Vec<(String, f64)> {
        let mut groups: BTreeMap<String, Vec<&Facts>> = BTreeMap::new();
        for f in facts {
            let key = f
                .dimension(dimension)
                .unwrap_or_else(|| "unknown".to_owned());
            groups.entry(key).or_default().push(f);
        }
        groups
            .into_iter()
            .map(|(k, fs)| (k, self.value(&fs, span)))
            .filter(|(_, v)| *v != 0.0)
            .collect()
    }

    /// The metric over each interval of `step` from `start` to the end of
    /// the span, each clipped to the span, that is not zero, in order.
    pub(crate) fn series(
        &self,
        facts: &[&Facts],
        span: Span,
        mut start: DateTime<Utc>,
        step: Duration,
    ) -> Vec<(DateTime<Utc>, f64)> {
        let mut points = Vec::new();
        while start < span.to {
            let slot = Span {
                from: start.max(span.from),
                to: (start + step).min(span.to),
            };
            let value = self.value(facts, slot);
            if value != 0.0 {
                points.push((start, value));
            }
            start += step;
        }
        points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    /// A session loaded at `loaded`, watched by `viewer` over `watching`.
    fn facts(loaded: &str, viewer: &str, watching: Option<(&str, &str)>) -> Facts {
        let session: Session = serde_json::from_value(serde_json::json!({
            "sessionId": format!("ps{loaded}"),
            "videoId": "vi1",
            "loadedAt": loaded,
            "viewerId": viewer,
        }))
        .unwrap();
        let watching = watching.map(|(a, b)| (at(a), at(b)));
        Facts {
            session,
            tags: Vec::new(),
            plays: watching.iter().map(|w| w.0).collect(),
            ends: Vec::new(),
            first_play: watching.map(|w| w.0),
            segments: watching.into_iter().collect(),
            watching,
        }
    }

    fn metric(measure: Measure, unique: bool) -> Metric {
        Metric {
            measure,
            unique,
            view_seconds: 5.0,
            now: at("2024-03-05T12:00:00Z"),
        }
    }

    #[test]
    fn overlapping_spans_count_once() {
        let s = |a: &str, b: &str| (at(a), at(b));
        let spans = vec![
            s("2024-03-05T10:00:20Z", "2024-03-05T10:00:30Z"),
            s("2024-03-05T10:00:00Z", "2024-03-05T10:00:10Z"),
            s("2024-03-05T10:00:05Z", "2024-03-05T10:00:15Z"),
        ];
        assert_eq!(union_millis(spans), 25_000);
        assert_eq!(union_millis(Vec::new()), 0);
    }

    #[test]
    fn series_skip_empty_intervals_and_peaks_count_viewers() {
        let all = [
            facts(
                "2024-03-05T10:10:00Z",
                "a",
                Some(("2024-03-05T10:11:00Z", "2024-03-05T10:20:00Z")),
            ),
            facts(
                "2024-03-05T10:30:00Z",
                "a",
                Some(("2024-03-05T10:15:00Z", "2024-03-05T10:40:00Z")),
            ),
            facts("2024-03-05T11:30:00Z", "b", None),
        ];
        let kept = matching(&all, &BTreeMap::new());
        let span = Span {
            from: at("2024-03-05T10:00:00Z"),
            to: at("2024-03-05T13:00:00Z"),
        };
        let hour = Duration::hours(1);
        let points = metric(Measure::Impressions, false).series(&kept, span, span.from, hour);
        assert_eq!(
            points,
            [
                (at("2024-03-05T10:00:00Z"), 2.0),
                (at("2024-03-05T11:00:00Z"), 1.0)
            ]
        );
        // Two sessions watch at once from 10:15 to 10:20: one viewer when
        // unique.
        assert_eq!(metric(Measure::CcvPeak, false).value(&kept, span), 2.0);
        assert_eq!(metric(Measure::CcvPeak, true).value(&kept, span), 1.0);
        let by_media = metric(Measure::Impressions, false).buckets(&kept, "media-id", span);
        assert_eq!(by_media, [("vi1".to_owned(), 3.0)]);
    }
}
