//! The `/data` analytics: one figure, a breakdown by one dimension, or a
//! time series, computed on every call from the player sessions and events
//! recorded through the admin API or by the player collector. What each
//! metric counts is in `crate::metrics`; `query` reads and checks the
//! query.

mod query;

use axum::extract::{OriginalUri, Path, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::auth::Project;
use crate::extract::query_pairs;
use crate::metrics::{Measure, Metric, Span, facts_of, matching};
use crate::pagination::PageQuery;
use crate::problem::ApiResult;
use crate::state::AppState;
use query::{
    Accepts, Query, bad, check_options, context_metric, one_of, parse_query, period, sort_order,
    view_seconds,
};

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
/// The most intervals a time series may span (a month of minutes is
/// 44,640).
const MAX_POINTS: i64 = 50_000;

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
    let q = parse_query(&query_pairs(uri.query()), false, false)?;
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
    let kept = matching(&all, &q.filters);
    let value = metric_of(measure, &q, now).value(&kept, span);
    Ok(Json(json!({
        "context": {
            "metric": context_metric(&metric, &q),
            "aggregation": aggregation,
            "timeframe": timeframe(span),
        },
        "data": value,
    })))
}

/// The measure as the query asks for it.
fn metric_of(measure: Measure, q: &Query, now: DateTime<Utc>) -> Metric {
    Metric {
        measure,
        unique: q.unique == Some(true),
        view_seconds: view_seconds(q),
        now,
    }
}

fn cmp_f64(a: f64, b: f64) -> std::cmp::Ordering {
    a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal)
}

async fn breakdown(
    project: Project,
    State(state): State<AppState>,
    Path((metric, breakdown)): Path<(String, String)>,
    page: PageQuery,
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
    let q = parse_query(page.pairs(), true, false)?;
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
    let now = state.now();
    let span = period(&q, now)?;
    let all = facts_of(&state, project.id())?;
    let kept = matching(&all, &q.filters);
    let mut buckets = metric_of(bucket_measure(&metric), &q, now).buckets(&kept, &breakdown, span);
    buckets.sort_by(|a, b| {
        let o = if by_dimension {
            a.0.cmp(&b.0)
        } else {
            cmp_f64(a.1, b.1).then_with(|| a.0.cmp(&b.0))
        };
        if desc { o.reverse() } else { o }
    });
    let (data, pagination) = page.apply(buckets)?;
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
    page: PageQuery,
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
    let q = parse_query(page.pairs(), true, true)?;
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
    let start = DateTime::from_timestamp(first, 0).unwrap_or(span.from);
    let all = facts_of(&state, project.id())?;
    let kept = matching(&all, &q.filters);
    let mut points = metric_of(bucket_measure(&metric), &q, now).series(&kept, span, start, step);
    points.sort_by(|a, b| {
        let o = if by_value {
            cmp_f64(a.1, b.1).then_with(|| a.0.cmp(&b.0))
        } else {
            a.0.cmp(&b.0)
        };
        if desc { o.reverse() } else { o }
    });
    let (data, pagination) = page.apply(points)?;
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
