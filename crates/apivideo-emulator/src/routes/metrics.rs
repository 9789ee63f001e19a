//! The `/data` analytics: one figure, a breakdown by one dimension, or a
//! time series, computed on every call from the player sessions and events
//! recorded through the admin API (see `analytics.rs`).
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
use axum::extract::{OriginalUri, Path, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::query_pairs;
use crate::pagination::Page;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::sessions::{self, Session};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/metrics/{metric}/{aggregation}", get(aggregated))
        .route("/data/buckets/{metric}/{breakdown}", get(breakdown))
        .route("/data/timeseries/{metric}", get(timeseries))
}

const AGGREGATED: &[(&str, &[&str])] = &[
    ("play", &["count", "rate", "total"]),
    ("start", &["count"]),
    ("end", &["count"]),
    ("impression", &["count"]),
    ("impression-time", &["average", "sum"]),
    ("watch-time", &["average", "sum"]),
    ("ccv", &["peak", "live"]),
    ("view", &["count"]),
];
const BUCKET_METRICS: &[&str] = &[
    "play",
    "play-rate",
    "play-total",
    "start",
    "end",
    "impression",
    "ccv-peak",
    "ccv-average",
    "view",
];
const BREAKDOWNS: &[&str] = &[
    "media-id",
    "media-type",
    "continent",
    "country",
    "device-type",
    "operating-system",
    "browser",
    "referrer",
];
const CONTINENTS: &[&str] = &["AS", "AF", "NA", "SA", "AN", "EU", "AZ"];
const VIEW_DURATIONS: &[&str] = &["3s", "5s", "10s", "30s"];
/// How far back `from` may go.
const MAX_AGE_DAYS: i64 = 30;
/// The window of `ccv` `live`.
const LIVE_SECONDS: i64 = 20;
/// The most intervals a time series may span (a month of minutes is
/// 44,640).
const MAX_POINTS: i64 = 50_000;

/// What one computation measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
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

fn bad(name: &str, title: impl Into<String>) -> ApiError {
    ApiError::attribute(name, title)
}

fn one_of(values: &[&str]) -> String {
    values.join(", ")
}

/// A session with what the metrics read from its events.
struct Facts {
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
    fn dimension(&self, name: &str) -> Option<String> {
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

fn facts_of(state: &AppState, project: &str) -> ApiResult<Vec<Facts>> {
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
struct Span {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
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

/// The query of the three operations, read by hand because `filterBy` has
/// bracketed keys.
#[derive(Default)]
struct Query {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    unique: Option<bool>,
    view_duration: Option<String>,
    interval: Option<String>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    current_page: Option<i64>,
    page_size: Option<i64>,
    /// Filter key (`country`...) and its accepted values.
    filters: BTreeMap<String, Vec<String>>,
    pairs: Vec<(String, String)>,
}

const FILTER_KEYS: &[&str] = &[
    "mediaId",
    "mediaType",
    "continent",
    "country",
    "deviceType",
    "operatingSystem",
    "browser",
    "tag",
    "referrer",
];

fn date(name: &str, value: &str) -> ApiResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| {
            bad(
                name,
                "This parameter must be an ATOM date-time, such as 2024-02-05T00:00:00+01:00.",
            )
        })
}

fn integer(name: &str, value: &str) -> ApiResult<i64> {
    value
        .parse()
        .map_err(|_| bad(name, "This parameter must be an integer."))
}

fn parse_query(raw: Option<&str>, paginated: bool, timeseries: bool) -> ApiResult<Query> {
    let pairs = query_pairs(raw);
    let mut q = Query::default();
    for (key, value) in &pairs {
        match key.as_str() {
            "from" => q.from = Some(date("from", value)?),
            "to" => q.to = Some(date("to", value)?),
            "unique" => {
                q.unique = Some(match value.as_str() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => return Err(bad("unique", "This parameter must be true or false.")),
                })
            }
            "viewDuration" => {
                if !VIEW_DURATIONS.contains(&value.as_str()) {
                    return Err(bad(
                        "viewDuration",
                        format!("This parameter must be one of {}.", one_of(VIEW_DURATIONS)),
                    ));
                }
                q.view_duration = Some(value.clone());
            }
            "interval" if timeseries => q.interval = Some(value.clone()),
            "sortBy" if paginated => q.sort_by = Some(value.clone()),
            "sortOrder" if paginated => q.sort_order = Some(value.clone()),
            "currentPage" if paginated => q.current_page = Some(integer(key, value)?),
            "pageSize" if paginated => q.page_size = Some(integer(key, value)?),
            other => {
                let filter = other
                    .strip_prefix("filterBy[")
                    .and_then(|k| k.strip_suffix("[]").or(Some(k)))
                    .and_then(|k| k.strip_suffix(']'));
                match filter {
                    Some(name) if FILTER_KEYS.contains(&name) => {
                        if name == "continent" && !CONTINENTS.contains(&value.as_str()) {
                            return Err(bad(
                                "filterBy[continent]",
                                format!("This filter must be one of {}.", one_of(CONTINENTS)),
                            ));
                        }
                        if name == "mediaType"
                            && !["video", "live-stream"].contains(&value.as_str())
                        {
                            return Err(bad(
                                "filterBy[mediaType]",
                                "This filter must be video or live-stream.",
                            ));
                        }
                        let (max_items, max_len) = filter_bounds(name);
                        if value.chars().count() > max_len {
                            return Err(bad(
                                &format!("filterBy[{name}]"),
                                format!(
                                    "Each value of this filter is at most {max_len} characters long."
                                ),
                            ));
                        }
                        let values = q.filters.entry(name.to_owned()).or_default();
                        if values.len() >= max_items {
                            return Err(bad(
                                &format!("filterBy[{name}]"),
                                if max_items == 1 {
                                    "This filter takes one value.".to_owned()
                                } else {
                                    format!("This filter takes at most {max_items} values.")
                                },
                            ));
                        }
                        values.push(value.clone());
                    }
                    Some(name) => {
                        return Err(bad(
                            &format!("filterBy[{name}]"),
                            format!("The filters are {}.", one_of(FILTER_KEYS)),
                        ));
                    }
                    None => return Err(bad(other, "This parameter is not accepted here.")),
                }
            }
        }
    }
    q.pairs = pairs;
    Ok(q)
}

/// The most values a filter takes and the longest value, as
/// `openapi.yaml` bounds them: `tag` and `mediaType` take one value.
fn filter_bounds(name: &str) -> (usize, usize) {
    match name {
        "tag" => (1, 100),
        "mediaType" => (1, 32),
        "continent" => (7, 2),
        "referrer" => (3, 2048),
        _ => (10, 32),
    }
}

/// Checks and completes the period: `to` defaults to now, `from` to one
/// day before `to`, and `from` may not be more than 30 days ago.
fn period(q: &Query, now: DateTime<Utc>) -> ApiResult<Span> {
    let to = q.to.unwrap_or(now);
    let from = q.from.unwrap_or(to - Duration::days(1));
    if from < now - Duration::days(MAX_AGE_DAYS) {
        return Err(bad(
            "from",
            "This parameter must not be more than 30 days in the past.",
        ));
    }
    if from >= to {
        return Err(bad("from", "This parameter must be before `to`."));
    }
    Ok(Span { from, to })
}

/// What the options accept for a metric (as written in the path).
struct Accepts {
    unique: bool,
    view_duration: bool,
    media_filters: bool,
}

fn check_options(q: &Query, accepts: &Accepts) -> ApiResult<()> {
    if q.unique.is_some() && !accepts.unique {
        return Err(bad(
            "unique",
            "This parameter is only accepted for the ccv and view metrics.",
        ));
    }
    if q.view_duration.is_some() && !accepts.view_duration {
        return Err(bad(
            "viewDuration",
            "This parameter is only accepted for the view metric.",
        ));
    }
    if !accepts.media_filters {
        for key in ["mediaId", "mediaType"] {
            if q.filters.contains_key(key) {
                return Err(bad(
                    &format!("filterBy[{key}]"),
                    "This filter is only accepted by /data/metrics/play/total and /data/buckets/play-total/media-id.",
                ));
            }
        }
    }
    Ok(())
}

fn view_seconds(q: &Query) -> f64 {
    match q.view_duration.as_deref() {
        Some("3s") => 3.0,
        Some("10s") => 10.0,
        Some("30s") => 30.0,
        _ => 5.0,
    }
}

/// The metric's name in `context`: `view` becomes `view-<seconds>`, and
/// `unique-` is prefixed when `unique` was set.
fn context_metric(metric: &str, q: &Query) -> String {
    let base = if metric == "view" {
        format!("view-{}", view_seconds(q) as i64)
    } else {
        metric.to_owned()
    };
    if q.unique == Some(true) {
        if metric == "view" && q.view_duration.is_none() {
            "unique-view".to_owned()
        } else {
            format!("unique-{base}")
        }
    } else {
        base
    }
}

fn matches(f: &Facts, filters: &BTreeMap<String, Vec<String>>) -> bool {
    filters.iter().all(|(key, wanted)| {
        if key == "tag" {
            wanted.iter().all(|t| f.tags.contains(t))
        } else {
            f.dimension(key).is_some_and(|v| wanted.contains(&v))
        }
    })
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn timeframe(span: Span) -> Value {
    json!({"from": stamp(span.from), "to": stamp(span.to)})
}

/// The measure of a metric of the breakdowns and time series.
fn bucket_measure(metric: &str) -> Measure {
    match metric {
        "play-rate" => Measure::PlayRate,
        "start" => Measure::Starts,
        "end" => Measure::Ends,
        "impression" => Measure::Impressions,
        "ccv-peak" => Measure::CcvPeak,
        "ccv-average" => Measure::CcvAverage,
        "view" => Measure::Views,
        _ => Measure::Plays,
    }
}

fn bucket_accepts(metric: &str, media_filters: bool) -> Accepts {
    Accepts {
        unique: ["ccv-peak", "ccv-average", "view"].contains(&metric),
        view_duration: metric == "view",
        media_filters,
    }
}

async fn aggregated(
    project: Project,
    State(state): State<AppState>,
    Path((metric, aggregation)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Json<Value>> {
    let Some((_, allowed)) = AGGREGATED.iter().find(|(m, _)| *m == metric) else {
        let metrics: Vec<&str> = AGGREGATED.iter().map(|(m, _)| *m).collect();
        return Err(bad(
            "metric",
            format!("This parameter must be one of {}.", one_of(&metrics)),
        ));
    };
    if !allowed.contains(&aggregation.as_str()) {
        return Err(bad(
            "aggregation",
            format!(
                "The {metric} metric takes these aggregations: {}.",
                one_of(allowed)
            ),
        ));
    }
    let q = parse_query(uri.query(), false, false)?;
    check_options(
        &q,
        &Accepts {
            unique: metric == "ccv" || metric == "view",
            view_duration: metric == "view",
            media_filters: metric == "play" && aggregation == "total",
        },
    )?;
    let now = state.now();
    let span = period(&q, now)?;
    let measure = match (metric.as_str(), aggregation.as_str()) {
        ("play", "rate") => Measure::PlayRate,
        ("play", _) => Measure::Plays,
        ("start", _) => Measure::Starts,
        ("end", _) => Measure::Ends,
        ("impression", _) => Measure::Impressions,
        ("impression-time", a) => Measure::ImpressionTime {
            average: a == "average",
        },
        ("watch-time", a) => Measure::WatchTime {
            average: a == "average",
        },
        ("ccv", "live") => Measure::CcvLive,
        ("ccv", _) => Measure::CcvPeak,
        _ => Measure::Views,
    };
    let all = facts_of(&state, project.id())?;
    let kept: Vec<&Facts> = all.iter().filter(|f| matches(f, &q.filters)).collect();
    let unique = q.unique == Some(true);
    let value = compute(measure, &kept, span, unique, view_seconds(&q), now);
    Ok(Json(json!({
        "context": {
            "metric": context_metric(&metric, &q),
            "aggregation": aggregation,
            "timeframe": timeframe(span),
        },
        "data": value,
    })))
}

fn sort_order(q: &Query) -> ApiResult<bool> {
    match q.sort_order.as_deref() {
        None | Some("asc") => Ok(false),
        Some("desc") => Ok(true),
        Some(_) => Err(bad("sortOrder", "This parameter must be asc or desc.")),
    }
}

fn cmp_f64(a: f64, b: f64) -> std::cmp::Ordering {
    a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal)
}

async fn breakdown(
    project: Project,
    State(state): State<AppState>,
    Path((metric, breakdown)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Json<Value>> {
    if !BUCKET_METRICS.contains(&metric.as_str()) {
        return Err(bad(
            "metric",
            format!("This parameter must be one of {}.", one_of(BUCKET_METRICS)),
        ));
    }
    if !BREAKDOWNS.contains(&breakdown.as_str()) {
        return Err(bad(
            "breakdown",
            format!("This parameter must be one of {}.", one_of(BREAKDOWNS)),
        ));
    }
    if metric == "play-total" && breakdown != "media-id" {
        return Err(bad(
            "breakdown",
            "The play-total metric can only be broken down by media-id.",
        ));
    }
    let q = parse_query(uri.query(), true, false)?;
    check_options(&q, &bucket_accepts(&metric, metric == "play-total"))?;
    let by_dimension = match q.sort_by.as_deref() {
        None | Some("metricValue") => false,
        Some("dimensionValue") => true,
        Some(_) => {
            return Err(bad(
                "sortBy",
                "This parameter must be metricValue or dimensionValue.",
            ));
        }
    };
    let desc = sort_order(&q)?;
    let page = Page::new(q.current_page, q.page_size)?;
    let now = state.now();
    let span = period(&q, now)?;
    let all = facts_of(&state, project.id())?;
    let mut groups: BTreeMap<String, Vec<&Facts>> = BTreeMap::new();
    for f in all.iter().filter(|f| matches(f, &q.filters)) {
        let key = f
            .dimension(&breakdown)
            .unwrap_or_else(|| "unknown".to_owned());
        groups.entry(key).or_default().push(f);
    }
    let measure = bucket_measure(&metric);
    let unique = q.unique == Some(true);
    let mut buckets: Vec<(String, f64)> = groups
        .into_iter()
        .map(|(k, fs)| {
            (
                k,
                compute(measure, &fs, span, unique, view_seconds(&q), now),
            )
        })
        .filter(|(_, v)| *v != 0.0)
        .collect();
    buckets.sort_by(|a, b| {
        let o = if by_dimension {
            a.0.cmp(&b.0)
        } else {
            cmp_f64(a.1, b.1).then_with(|| a.0.cmp(&b.0))
        };
        if desc { o.reverse() } else { o }
    });
    let url = format!("{}/data/buckets/{metric}/{breakdown}", state.base_url);
    let (data, pagination) = page.apply(buckets, &url, &q.pairs)?;
    Ok(Json(json!({
        "context": {
            "metric": context_metric(&metric, &q),
            "breakdown": breakdown,
            "timeframe": timeframe(span),
        },
        "data": data
            .into_iter()
            .map(|(d, v)| json!({"dimensionValue": d, "metricValue": v}))
            .collect::<Vec<_>>(),
        "pagination": pagination,
    })))
}

async fn timeseries(
    project: Project,
    State(state): State<AppState>,
    Path(metric): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Json<Value>> {
    if metric == "play-total" || !BUCKET_METRICS.contains(&metric.as_str()) {
        let metrics: Vec<&str> = BUCKET_METRICS
            .iter()
            .copied()
            .filter(|m| *m != "play-total")
            .collect();
        return Err(bad(
            "metric",
            format!("This parameter must be one of {}.", one_of(&metrics)),
        ));
    }
    let q = parse_query(uri.query(), true, true)?;
    check_options(&q, &bucket_accepts(&metric, false))?;
    let by_value = match q.sort_by.as_deref() {
        None | Some("emittedAt") => false,
        Some("metricValue") => true,
        Some(_) => {
            return Err(bad(
                "sortBy",
                "This parameter must be metricValue or emittedAt.",
            ));
        }
    };
    let desc = sort_order(&q)?;
    let page = Page::new(q.current_page, q.page_size)?;
    let now = state.now();
    let span = period(&q, now)?;
    let interval = match q.interval.as_deref() {
        None if span.to - span.from <= Duration::days(2) => "hour",
        None => "day",
        Some(i @ ("minute" | "hour" | "day")) => i,
        Some(_) => {
            return Err(bad(
                "interval",
                "This parameter must be minute, hour or day.",
            ));
        }
    };
    let step = match interval {
        "minute" => Duration::minutes(1),
        "hour" => Duration::hours(1),
        _ => Duration::days(1),
    };
    // The first interval starts on a whole minute, hour or day (UTC).
    let seconds = step.num_seconds();
    let first = span.from.timestamp() - span.from.timestamp().rem_euclid(seconds);
    if (span.to.timestamp() - first) / seconds >= MAX_POINTS {
        return Err(bad(
            "interval",
            format!(
                "The period holds more than {MAX_POINTS} intervals of a {interval}; choose a wider interval or a shorter period."
            ),
        ));
    }
    let mut start = DateTime::from_timestamp(first, 0).unwrap_or(span.from);
    let all = facts_of(&state, project.id())?;
    let kept: Vec<&Facts> = all.iter().filter(|f| matches(f, &q.filters)).collect();
    let measure = bucket_measure(&metric);
    let unique = q.unique == Some(true);
    let mut points = Vec::new();
    while start < span.to {
        let slot = Span {
            from: start.max(span.from),
            to: (start + step).min(span.to),
        };
        let value = compute(measure, &kept, slot, unique, view_seconds(&q), now);
        if value != 0.0 {
            points.push((start, value));
        }
        start += step;
    }
    points.sort_by(|a, b| {
        let o = if by_value {
            cmp_f64(a.1, b.1).then_with(|| a.0.cmp(&b.0))
        } else {
            a.0.cmp(&b.0)
        };
        if desc { o.reverse() } else { o }
    });
    let url = format!("{}/data/timeseries/{metric}", state.base_url);
    let (data, pagination) = page.apply(points, &url, &q.pairs)?;
    Ok(Json(json!({
        "context": {
            "metric": context_metric(&metric, &q),
            "interval": interval,
            "timeframe": timeframe(span),
        },
        "data": data
            .into_iter()
            .map(|(t, v)| json!({"emittedAt": stamp(t), "metricValue": v}))
            .collect::<Vec<_>>(),
        "pagination": pagination,
    })))
}
