//! Analytics: player sessions of a video and of a live stream, recorded
//! through the emulator's admin API, listed by period and metadata, with
//! the events of one session; and the `/data` metrics computed from such
//! sessions: one figure, a breakdown, a time series.

use apivideo::prelude::*;
use futures::TryStreamExt;
use serde_json::json;

use super::{Calls, meta};
use crate::common;

pub(super) const TAG: &str = "Analytics";
pub(super) const OPERATIONS: &[&str] = &[
    "list_video_sessions",
    "list_session_events",
    "list_live_stream_sessions",
    "get_aggregated_metrics",
    "get_metrics_breakdown",
    "get_metrics_over_time",
];
const SESSION_OPERATIONS: &[&str] = &[
    "list_video_sessions",
    "list_session_events",
    "list_live_stream_sessions",
];
const METRIC_OPERATIONS: &[&str] = &[
    "get_aggregated_metrics",
    "get_metrics_breakdown",
    "get_metrics_over_time",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(SESSION_OPERATIONS);
    let video_id = common::create_video(&client, "Maths 101").await.video_id;
    let live_stream_id = common::create_live_stream(&client, "Office hours")
        .await
        .live_stream_id;

    let session = json!({
        "videoId": video_id,
        "loadedAt": "2024-03-05T10:00:00Z",
        "endedAt": "2024-03-05T10:05:00Z",
        "metadata": {"plan": "premium"},
        "location": {"country": "France", "city": "Paris"},
        "referrer": {"url": "https://school.example.com/", "medium": "unknown", "source": "unknown", "searchTerm": "fractions"},
        "device": {"type": "computer", "vendor": "Lenovo", "model": "ThinkPad"},
        "os": {"name": "Linux", "shortname": "LIN", "version": "6.1"},
        "client": {"type": "browser", "name": "Firefox", "version": "125.0"},
    });
    let recorded = common::admin_post(&emulator, "/_emulator/analytics/sessions", session).await;
    let session_id = recorded["sessionId"]
        .as_str()
        .expect("session id")
        .to_owned();
    // Another session of the video, without the metadata, another month.
    common::admin_post(
        &emulator,
        "/_emulator/analytics/sessions",
        json!({"videoId": video_id, "loadedAt": "2024-04-01T08:00:00Z"}),
    )
    .await;
    let events = json!([
        {"type": "ready", "at": 0, "emittedAt": "2024-03-05T10:00:01Z"},
        {"type": "play", "at": 0, "emittedAt": "2024-03-05T10:00:02Z"},
        {"type": "seek.forward", "from": 10, "to": 30, "emittedAt": "2024-03-05T10:00:12Z"},
        {"type": "end", "at": 300, "emittedAt": "2024-03-05T10:05:00Z"},
    ]);
    common::admin_post(
        &emulator,
        &format!("/_emulator/analytics/sessions/{session_id}/events"),
        events,
    )
    .await;
    common::admin_post(
        &emulator,
        "/_emulator/analytics/sessions",
        json!({"liveStreamId": live_stream_id, "loadedAt": "2024-03-06T18:00:00Z", "location": {"country": "Japan", "city": "Osaka"}}),
    )
    .await;

    calls.called("list_video_sessions");
    let sessions: Vec<_> = client
        .list_video_sessions()
        .video_id(&video_id)
        .period("2024-03")
        .metadata("plan", "premium")
        .stream()
        .try_collect()
        .await
        .expect("video sessions listed");
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let s = &sessions[0];
    let inner = &s.session;
    assert_eq!(inner.session_id, session_id);
    assert_eq!(inner.loaded_at.to_rfc3339(), "2024-03-05T10:00:00+00:00");
    assert_eq!(inner.ended_at.to_rfc3339(), "2024-03-05T10:05:00+00:00");
    assert_eq!(inner.metadata, vec![meta("plan", "premium")]);
    let location = &s.location;
    assert_eq!(
        (location.country.as_str(), location.city.as_deref()),
        ("France", Some("Paris"))
    );
    let referrer = &s.referrer;
    assert_eq!(referrer.url.as_deref(), Some("https://school.example.com/"));
    assert_eq!(referrer.search_term.as_deref(), Some("fractions"));
    let device = &s.device;
    assert_eq!(
        (
            device.type_.as_str(),
            device.vendor.as_str(),
            device.model.as_str()
        ),
        ("computer", "Lenovo", "ThinkPad")
    );
    let os = &s.os;
    assert_eq!(
        (os.name.as_str(), os.shortname.as_str(), os.version.as_str()),
        ("Linux", "LIN", "6.1")
    );
    let browser = &s.client;
    assert_eq!(
        (
            browser.type_.as_str(),
            browser.name.as_str(),
            browser.version.as_str()
        ),
        ("browser", "Firefox", "125.0")
    );
    let all_2024: Vec<_> = client
        .list_video_sessions()
        .video_id(&video_id)
        .period("2024")
        .stream()
        .try_collect()
        .await
        .expect("video sessions listed");
    assert_eq!(all_2024.len(), 2);

    calls.called("list_session_events");
    let events: Vec<_> = client
        .list_session_events()
        .session_id(&session_id)
        .stream()
        .try_collect()
        .await
        .expect("events listed");
    let summary: Vec<_> = events
        .iter()
        .map(|e| (e.type_.clone(), e.at, e.from, e.to))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("ready".to_owned(), Some(0), None, None),
            ("play".to_owned(), Some(0), None, None),
            ("seek.forward".to_owned(), None, Some(10), Some(30)),
            ("end".to_owned(), Some(300), None, None),
        ]
    );

    calls.called("list_live_stream_sessions");
    let live: Vec<_> = client
        .list_live_stream_sessions()
        .live_stream_id(&live_stream_id)
        .period("2024-03-06")
        .stream()
        .try_collect()
        .await
        .expect("live stream sessions listed");
    assert_eq!(live.len(), 1, "{live:?}");
    let location = &live[0].location;
    assert_eq!(
        (location.country.as_str(), location.city.as_str()),
        ("Japan", "Osaka")
    );
    let other_day: Vec<_> = client
        .list_live_stream_sessions()
        .live_stream_id(&live_stream_id)
        .period("2024-03-07")
        .stream()
        .try_collect()
        .await
        .expect("live stream sessions listed");
    assert!(other_day.is_empty());

    calls.assert_all_called_and_answered(&emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_the_recorded_sessions() {
    use apivideo::metrics::{
        AggregatedMetric, Breakdown, BucketMetric, Interval, MetricsFilter, PlayAggregation,
        TimeAggregation,
    };
    use apivideo::types::GetMetricsBreakdownSortBy;
    use chrono::{Duration, SecondsFormat, Utc};

    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(METRIC_OPERATIONS);
    let video_id = common::create_video(&client, "Maths 101").await.video_id;
    // An hour ago, two sessions: one in France that plays for 20 s, one
    // in Germany that only loads.
    let t = Utc::now() - Duration::hours(1);
    let at = |d: Duration| (t + d).to_rfc3339_opts(SecondsFormat::Millis, true);
    let fr = common::admin_post(
        &emulator,
        "/_emulator/analytics/sessions",
        json!({"videoId": video_id, "loadedAt": at(Duration::zero()), "country": "FR",
               "continent": "EU", "browser": "firefox"}),
    )
    .await;
    common::admin_post(
        &emulator,
        &format!(
            "/_emulator/analytics/sessions/{}/events",
            fr["sessionId"].as_str().unwrap()
        ),
        json!([
            {"type": "play", "at": 0, "emittedAt": at(Duration::seconds(2))},
            {"type": "end", "at": 20, "emittedAt": at(Duration::seconds(22))},
        ]),
    )
    .await;
    common::admin_post(
        &emulator,
        "/_emulator/analytics/sessions",
        json!({"videoId": video_id, "loadedAt": at(Duration::seconds(5)), "country": "DE",
               "continent": "EU", "browser": "chrome"}),
    )
    .await;
    let (from, to) = (t - Duration::minutes(1), t + Duration::minutes(10));

    calls.called("get_aggregated_metrics");
    let figure = |metric| {
        client
            .get_aggregated_metrics()
            .metric(metric)
            .from(from)
            .to(to)
    };
    let plays = figure(AggregatedMetric::Play(PlayAggregation::Count))
        .send()
        .await
        .expect("plays counted");
    assert_eq!(plays.data, 1.0);
    let rate = figure(AggregatedMetric::Play(PlayAggregation::Rate))
        .send()
        .await
        .expect("play rate");
    assert_eq!(rate.data, 0.5);
    let watched = figure(AggregatedMetric::WatchTime(TimeAggregation::Sum))
        .send()
        .await
        .expect("watch time");
    assert_eq!(watched.data, 20.0);
    let french = figure(AggregatedMetric::Impression)
        .filter_by(MetricsFilter::new().country("FR"))
        .send()
        .await
        .expect("impressions in France");
    assert_eq!(french.data, 1.0);
    // Refused before sending: `unique` on plays, a media filter on counts.
    let refused = figure(AggregatedMetric::Impression)
        .unique(true)
        .send()
        .await;
    assert!(
        matches!(refused, Err(apivideo::Error::InvalidRequest(_))),
        "{refused:?}"
    );
    let refused = figure(AggregatedMetric::Start)
        .filter_by(MetricsFilter::new().media_id(&video_id))
        .send()
        .await;
    assert!(
        matches!(refused, Err(apivideo::Error::InvalidRequest(_))),
        "{refused:?}"
    );

    calls.called("get_metrics_breakdown");
    let buckets: Vec<_> = client
        .get_metrics_breakdown()
        .metric(BucketMetric::Impression)
        .breakdown(Breakdown::Browser)
        .sort_by(GetMetricsBreakdownSortBy::DimensionValue)
        .from(from)
        .to(to)
        .page_size(1)
        .stream()
        .try_collect()
        .await
        .expect("impressions per browser");
    let buckets: Vec<_> = buckets
        .iter()
        .map(|b| (b.dimension_value.clone(), b.metric_value))
        .collect();
    assert_eq!(
        buckets,
        vec![("chrome".to_owned(), 1.0), ("firefox".to_owned(), 1.0)]
    );
    let refused = client
        .get_metrics_breakdown()
        .metric(BucketMetric::PlayTotal)
        .breakdown(Breakdown::Country)
        .send()
        .await;
    assert!(
        matches!(refused, Err(apivideo::Error::InvalidRequest(_))),
        "{refused:?}"
    );

    calls.called("get_metrics_over_time");
    let series = client
        .get_metrics_over_time()
        .metric(BucketMetric::Impression)
        .interval(Interval::Minute)
        .from(from)
        .to(to)
        .send()
        .await
        .expect("impressions per minute");
    let total: f64 = series.data.iter().map(|p| p.metric_value).sum();
    assert_eq!(total, 2.0);
    let context = series.context;
    assert_eq!(context.interval.to_string(), "minute");
    let points: Vec<_> = client
        .get_metrics_over_time()
        .metric(BucketMetric::Play)
        .from(from)
        .to(to)
        .stream()
        .try_collect()
        .await
        .expect("plays per hour");
    assert_eq!(points.iter().map(|p| p.metric_value).sum::<f64>(), 1.0);

    calls.assert_all_called_and_answered(&emulator);
}
