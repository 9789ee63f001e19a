//! The query of the `/data` operations and its checks: dates, filters and
//! their bounds, the period (at most 30 days back), and the options each
//! metric takes.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use crate::metrics::Span;
use crate::problem::{ApiError, ApiResult};

const CONTINENTS: &[&str] = &["AS", "AF", "NA", "SA", "AN", "EU", "AZ"];
const VIEW_DURATIONS: &[&str] = &["3s", "5s", "10s", "30s"];
/// How far back `from` may go.
const MAX_AGE_DAYS: i64 = 30;

pub(super) fn bad(name: &str, title: impl Into<String>) -> ApiError {
    ApiError::attribute(name, title)
}

pub(super) fn one_of(values: &[&str]) -> String {
    values.join(", ")
}

/// The query of the three operations, read by hand because `filterBy` has
/// bracketed keys.
#[derive(Default)]
pub(super) struct Query {
    pub(super) from: Option<DateTime<Utc>>,
    pub(super) to: Option<DateTime<Utc>>,
    pub(super) unique: Option<bool>,
    pub(super) view_duration: Option<String>,
    pub(super) interval: Option<String>,
    pub(super) sort_by: Option<String>,
    pub(super) sort_order: Option<String>,
    /// Filter key (`country`...) and its accepted values.
    pub(super) filters: BTreeMap<String, Vec<String>>,
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

/// Reads the query's `pairs`. A paginated operation's `currentPage` and
/// `pageSize` are read by its `PageQuery`, and skipped here.
pub(super) fn parse_query(
    pairs: &[(String, String)],
    paginated: bool,
    timeseries: bool,
) -> ApiResult<Query> {
    let mut q = Query::default();
    for (key, value) in pairs {
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
            "currentPage" | "pageSize" if paginated => {}
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
pub(super) fn period(q: &Query, now: DateTime<Utc>) -> ApiResult<Span> {
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
pub(super) struct Accepts {
    pub(super) unique: bool,
    pub(super) view_duration: bool,
    pub(super) media_filters: bool,
}

pub(super) fn check_options(q: &Query, accepts: &Accepts) -> ApiResult<()> {
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

pub(super) fn view_seconds(q: &Query) -> f64 {
    match q.view_duration.as_deref() {
        Some("3s") => 3.0,
        Some("10s") => 10.0,
        Some("30s") => 30.0,
        _ => 5.0,
    }
}

/// The metric's name in `context`: `view` becomes `view-<seconds>`, and
/// `unique-` is prefixed when `unique` was set.
pub(super) fn context_metric(metric: &str, q: &Query) -> String {
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

pub(super) fn sort_order(q: &Query) -> ApiResult<bool> {
    match q.sort_order.as_deref() {
        None | Some("asc") => Ok(false),
        Some("desc") => Ok(true),
        Some(_) => Err(bad("sortOrder", "This parameter must be asc or desc.")),
    }
}
