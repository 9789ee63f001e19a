//! The `/data` analytics with exact figures: a known set of sessions and
//! events recorded through the admin API, every valid metric and
//! aggregation pair, breakdowns, time series, filters, the period's edges
//! and the refusals. The expected numbers are worked out by hand below.
//!
//! The recordings, `T` being a whole hour 3 to 4 hours before now:
//!
//! | session | media | loaded | play | pause/resume | end | endedAt | viewer | country | browser | device |
//! |---|---|---|---|---|---|---|---|---|---|---|
//! | S1 | video A | T | T+2s | pause T+32s, resume T+42s | T+62s | T+70s | v1 | FR/EU | firefox | computer |
//! | S2 | video A | T+10m | T+10m1s | | T+10m5s | T+10m5s | v1 | DE/EU | chrome | mobile |
//! | S3 | video B | T+20s | | | | T+30s | v2 | US/NA | safari | computer |
//! | S4 | live L | T+70m | T+70m3s | pause T+70m13s | | T+70m20s | v3 | FR/EU | chrome | computer |
//! | S6 | video B | T+30s | T+40s | | T+100s | T+100s | v1 | FR/EU | safari | tablet |
//! | S5 | video B | now-2s | now-1s | | | | v4 | US/NA | chrome | computer |
//!
//! Video A has the tags `Cool videos` and `maths`, video B `news`.
//! Watch times: S1 30+20 = 50 s, S2 4 s, S4 10 s, S6 60 s.
//! Impression times: S1 2000 ms, S2 1000, S4 3000, S6 10000.
//! S5 lies after `T+2h`, the end of the period most queries use; it is the
//! one viewer watching now.

use chrono::{DateTime, Duration, DurationRound, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::common::{self, TestEnv};
use crate::support::{api, create_video};

struct Fixture {
    env: TestEnv,
    t: DateTime<Utc>,
    video_a: String,
    video_b: String,
    live: String,
}

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn enc(t: DateTime<Utc>) -> String {
    form_urlencoded::byte_serialize(at(t).as_bytes()).collect()
}

async fn post(env: &TestEnv, path: &str, body: Value) -> Value {
    let answer = api(env, reqwest::Method::POST, path, "key-a")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.json().await.unwrap()
}

async fn get(env: &TestEnv, path: &str) -> (u16, Value) {
    let answer = api(env, reqwest::Method::GET, path, "key-a")
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap())
}

async fn session(env: &TestEnv, body: Value, events: Value) {
    let recorded = post(env, "/_emulator/analytics/sessions", body).await;
    let id = recorded["sessionId"].as_str().unwrap();
    if events.as_array().is_some_and(|e| !e.is_empty()) {
        post(
            env,
            &format!("/_emulator/analytics/sessions/{id}/events"),
            events,
        )
        .await;
    }
}

fn ev(kind: &str, t: DateTime<Utc>) -> Value {
    json!({"type": kind, "at": 0, "emittedAt": at(t)})
}

async fn fixture() -> Fixture {
    let env = common::start().await;
    let (_, clock) = get(&env, "/_emulator/clock").await;
    let now: DateTime<Utc> = clock["now"].as_str().unwrap().parse().unwrap();
    let t = now.duration_trunc(Duration::hours(1)).unwrap() - Duration::hours(3);
    let video_a = create_video(&env, "key-a", "A").await;
    let video_b = create_video(&env, "key-a", "B").await;
    for (video, tags) in [
        (&video_a, json!(["Cool videos", "maths"])),
        (&video_b, json!(["news"])),
    ] {
        let answer = api(
            &env,
            reqwest::Method::PATCH,
            &format!("/videos/{video}"),
            "key-a",
        )
        .json(&json!({"tags": tags}))
        .send()
        .await
        .unwrap();
        assert_eq!(answer.status(), 200);
    }
    let live = post(&env, "/live-streams", json!({"name": "L"})).await["liveStreamId"]
        .as_str()
        .unwrap()
        .to_owned();
    let s = Duration::seconds;
    let m = Duration::minutes;
    let dims =
        |country: &str, continent: &str, browser: &str, device: &str, os: &str, viewer: &str| {
            json!({"country": country, "continent": continent, "browser": browser,
               "deviceType": device, "operatingSystem": os, "viewerId": viewer})
        };
    let with = |mut base: Value, media: Value| {
        for (k, v) in media.as_object().unwrap() {
            base[k] = v.clone();
        }
        base
    };
    // S1
    session(
        &env,
        with(
            dims("FR", "EU", "firefox", "computer", "windows", "v1"),
            json!({"videoId": video_a, "loadedAt": at(t), "endedAt": at(t + s(70)),
                   "referrer": {"url": "https://a.example/"}}),
        ),
        json!([
            ev("play", t + s(2)),
            ev("pause", t + s(32)),
            ev("resume", t + s(42)),
            ev("end", t + s(62))
        ]),
    )
    .await;
    // S2
    session(
        &env,
        with(
            dims("DE", "EU", "chrome", "mobile", "android", "v1"),
            json!({"videoId": video_a, "loadedAt": at(t + m(10)), "endedAt": at(t + m(10) + s(5)),
                   "referrer": {"url": "https://b.example/"}}),
        ),
        json!([ev("play", t + m(10) + s(1)), ev("end", t + m(10) + s(5))]),
    )
    .await;
    // S3
    session(
        &env,
        with(
            dims("US", "NA", "safari", "computer", "macos", "v2"),
            json!({"videoId": video_b, "loadedAt": at(t + s(20)), "endedAt": at(t + s(30))}),
        ),
        json!([]),
    )
    .await;
    // S4
    session(
        &env,
        with(
            dims("FR", "EU", "chrome", "computer", "windows", "v3"),
            json!({"liveStreamId": live, "loadedAt": at(t + m(70)), "endedAt": at(t + m(70) + s(20))}),
        ),
        json!([ev("play", t + m(70) + s(3)), ev("pause", t + m(70) + s(13))]),
    )
    .await;
    // S6
    session(
        &env,
        with(
            dims("FR", "EU", "safari", "tablet", "ios", "v1"),
            json!({"videoId": video_b, "loadedAt": at(t + s(30)), "endedAt": at(t + s(100)),
                   "referrer": {"url": "https://a.example/"}}),
        ),
        json!([ev("play", t + s(40)), ev("end", t + s(100))]),
    )
    .await;
    // S5, watching now.
    session(
        &env,
        with(
            dims("US", "NA", "chrome", "computer", "linux", "v4"),
            json!({"videoId": video_b, "loadedAt": at(now - s(2))}),
        ),
        json!([ev("play", now - s(1))]),
    )
    .await;
    Fixture {
        env,
        t,
        video_a,
        video_b,
        live,
    }
}

impl Fixture {
    /// The period `[T, T+2h)` as a query.
    fn period(&self) -> String {
        format!(
            "from={}&to={}",
            enc(self.t),
            enc(self.t + Duration::hours(2))
        )
    }

    async fn figure(&self, path: &str, extra: &str) -> f64 {
        let (status, body) = get(
            &self.env,
            &format!("/data/metrics/{path}?{}{extra}", self.period()),
        )
        .await;
        assert_eq!(status, 200, "{path}{extra}: {body}");
        body["data"].as_f64().unwrap()
    }

    async fn refused(&self, path: &str, name: &str) {
        let (status, body) = get(&self.env, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["name"], name, "{path}: {body}");
        assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    }

    async fn buckets(&self, path: &str, extra: &str) -> (Vec<(String, f64)>, Value) {
        let (status, body) = get(&self.env, &format!("{path}?{}{extra}", self.period())).await;
        assert_eq!(status, 200, "{path}{extra}: {body}");
        let data = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                let key = b["dimensionValue"]
                    .as_str()
                    .or(b["emittedAt"].as_str())
                    .unwrap()
                    .to_owned();
                (key, b["metricValue"].as_f64().unwrap())
            })
            .collect();
        (data, body)
    }
}

fn pairs(items: &[(&str, f64)]) -> Vec<(String, f64)> {
    items.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[tokio::test]
async fn every_valid_pair_has_its_exact_figure() {
    let f = fixture().await;
    assert_eq!(f.figure("impression/count", "").await, 5.0);
    assert_eq!(f.figure("play/count", "").await, 4.0);
    assert_eq!(f.figure("play/rate", "").await, 0.8);
    assert_eq!(f.figure("play/total", "").await, 4.0);
    assert_eq!(f.figure("start/count", "").await, 4.0);
    assert_eq!(f.figure("end/count", "").await, 3.0);
    assert_eq!(f.figure("impression-time/sum", "").await, 16000.0);
    assert_eq!(f.figure("impression-time/average", "").await, 4000.0);
    assert_eq!(f.figure("watch-time/sum", "").await, 124.0);
    assert_eq!(f.figure("watch-time/average", "").await, 31.0);
    // S1 and S6 overlap from T+40s to T+62s.
    assert_eq!(f.figure("ccv/peak", "").await, 2.0);
    // ...but both are v1.
    assert_eq!(f.figure("ccv/peak", "&unique=true").await, 1.0);
    // Only S5 is watching now.
    assert_eq!(f.figure("ccv/live", "").await, 1.0);
    // Views of at least 5 s: S1, S4, S6; 3 s adds S2; 30 s keeps S1, S6.
    assert_eq!(f.figure("view/count", "").await, 3.0);
    assert_eq!(f.figure("view/count", "&viewDuration=3s").await, 4.0);
    assert_eq!(f.figure("view/count", "&viewDuration=10s").await, 3.0);
    assert_eq!(f.figure("view/count", "&viewDuration=30s").await, 2.0);
    // Unique viewers of 5 s views: v1 (S1, S6) and v3 (S4).
    assert_eq!(f.figure("view/count", "&unique=true").await, 2.0);

    let (_, body) = get(
        &f.env,
        &format!(
            "/data/metrics/view/count?{}&unique=true&viewDuration=10s",
            f.period()
        ),
    )
    .await;
    assert_eq!(body["context"]["metric"], "unique-view-10");
    assert_eq!(body["context"]["aggregation"], "count");
    assert_eq!(
        body["context"]["timeframe"]["from"],
        f.t.to_rfc3339_opts(SecondsFormat::Secs, false)
    );
}

#[tokio::test]
async fn filters_alone_and_combined() {
    let f = fixture().await;
    assert_eq!(f.figure("play/count", "&filterBy[country]=FR").await, 3.0);
    assert_eq!(
        f.figure(
            "impression/count",
            "&filterBy[country][]=FR&filterBy[country][]=DE"
        )
        .await,
        4.0
    );
    assert_eq!(
        f.figure("play/count", "&filterBy[tag]=Cool%20videos").await,
        2.0
    );
    assert_eq!(
        f.figure("play/count", "&filterBy[tag]=cool%20videos").await,
        0.0
    );
    assert_eq!(
        f.figure(
            "play/count",
            "&filterBy[country]=FR&filterBy[browser][]=firefox"
        )
        .await,
        1.0
    );
    assert_eq!(
        f.figure("play/count", "&filterBy[continent][]=NA").await,
        0.0
    );
    assert_eq!(
        f.figure("impression/count", "&filterBy[continent][]=NA")
            .await,
        1.0
    );
    assert_eq!(
        f.figure("play/count", "&filterBy[deviceType][]=tablet")
            .await,
        1.0
    );
    assert_eq!(
        f.figure("play/count", "&filterBy[operatingSystem][]=windows")
            .await,
        2.0
    );
    assert_eq!(
        f.figure(
            "play/count",
            "&filterBy[referrer][]=https%3A%2F%2Fa.example%2F"
        )
        .await,
        2.0
    );
    let b = &f.video_b;
    assert_eq!(
        f.figure("play/total", &format!("&filterBy[mediaId][]={b}"))
            .await,
        1.0
    );
    assert_eq!(
        f.figure("play/total", "&filterBy[mediaType]=live-stream")
            .await,
        1.0
    );
}

#[tokio::test]
async fn breakdowns_per_dimension_paginated() {
    let f = fixture().await;
    let (data, _) = f.buckets("/data/buckets/play/country", "").await;
    assert_eq!(data, pairs(&[("DE", 1.0), ("FR", 3.0)]));
    let (data, body) = f
        .buckets("/data/buckets/play/country", "&sortOrder=desc&pageSize=1")
        .await;
    assert_eq!(data, pairs(&[("FR", 3.0)]));
    assert_eq!(body["pagination"]["itemsTotal"], 2);
    assert_eq!(body["pagination"]["pagesTotal"], 2);
    assert_eq!(body["context"]["breakdown"], "country");
    let (data, _) = f
        .buckets("/data/buckets/impression/browser", "&sortBy=dimensionValue")
        .await;
    assert_eq!(
        data,
        pairs(&[("chrome", 2.0), ("firefox", 1.0), ("safari", 2.0)])
    );
    let (data, _) = f
        .buckets(
            "/data/buckets/play-total/media-id",
            "&sortBy=dimensionValue",
        )
        .await;
    let mut expected = vec![
        (f.video_a.clone(), 2.0),
        (f.video_b.clone(), 1.0),
        (f.live.clone(), 1.0),
    ];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(data, expected);
    let (data, _) = f.buckets("/data/buckets/play/media-type", "").await;
    assert_eq!(data, pairs(&[("live-stream", 1.0), ("video", 3.0)]));
    let (data, _) = f.buckets("/data/buckets/play/continent", "").await;
    assert_eq!(data, pairs(&[("EU", 4.0)]));
    // S2's 4 s is no view.
    let (data, _) = f.buckets("/data/buckets/view/device-type", "").await;
    assert_eq!(data, pairs(&[("tablet", 1.0), ("computer", 2.0)]));
    let (data, _) = f
        .buckets(
            "/data/buckets/play/operating-system",
            "&sortBy=dimensionValue",
        )
        .await;
    assert_eq!(
        data,
        pairs(&[("android", 1.0), ("ios", 1.0), ("windows", 2.0)])
    );
    let (data, _) = f
        .buckets("/data/buckets/play/referrer", "&sortBy=dimensionValue")
        .await;
    assert_eq!(
        data,
        pairs(&[
            ("https://a.example/", 2.0),
            ("https://b.example/", 1.0),
            ("unknown", 1.0)
        ])
    );
    let (data, _) = f
        .buckets("/data/buckets/play-rate/browser", "&sortBy=dimensionValue")
        .await;
    // chrome: S2, S4 played, 2 impressions; firefox 1/1; safari: S6 of S3, S6.
    assert_eq!(
        data,
        pairs(&[("chrome", 1.0), ("firefox", 1.0), ("safari", 0.5)])
    );
    let (data, _) = f.buckets("/data/buckets/ccv-peak/country", "").await;
    assert_eq!(data, pairs(&[("DE", 1.0), ("FR", 2.0)]));
}

#[tokio::test]
async fn time_series_per_minute_hour_and_day() {
    let f = fixture().await;
    let t = f.t;
    let (data, body) = f.buckets("/data/timeseries/play", "").await;
    assert_eq!(body["context"]["interval"], "hour");
    assert_eq!(
        data,
        vec![
            (at_offset(t), 3.0),
            (at_offset(t + Duration::hours(1)), 1.0)
        ]
    );
    let (data, _) = f
        .buckets(
            "/data/timeseries/play",
            "&interval=minute&sortBy=metricValue&sortOrder=desc",
        )
        .await;
    assert_eq!(
        data,
        vec![
            (at_offset(t), 2.0),
            (at_offset(t + Duration::minutes(70)), 1.0),
            (at_offset(t + Duration::minutes(10)), 1.0)
        ]
    );
    // Per day: T and T+70m may fall on two days.
    let (data, _) = f.buckets("/data/timeseries/play", "&interval=day").await;
    let day = |x: DateTime<Utc>| x.duration_trunc(Duration::days(1)).unwrap();
    if day(t) == day(t + Duration::minutes(70)) {
        assert_eq!(data, vec![(at_offset(day(t)), 4.0)]);
    } else {
        assert_eq!(
            data,
            vec![
                (at_offset(day(t)), 3.0),
                (at_offset(day(t) + Duration::days(1)), 1.0)
            ]
        );
    }
    // A period longer than 2 days defaults to days.
    let path = format!(
        "/data/timeseries/play?from={}&to={}",
        enc(t - Duration::days(3)),
        enc(t + Duration::hours(2))
    );
    let (status, body) = get(&f.env, &path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["context"]["interval"], "day");
}

fn at_offset(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[tokio::test]
async fn period_edges() {
    let f = fixture().await;
    let t = f.t;
    // `to` is exclusive: S2's play at T+10m1s is left out, then counted.
    let upto =
        |end: DateTime<Utc>| format!("/data/metrics/play/count?from={}&to={}", enc(t), enc(end));
    let (_, body) = get(
        &f.env,
        &upto(t + Duration::minutes(10) + Duration::seconds(1)),
    )
    .await;
    assert_eq!(body["data"], 2.0);
    let (_, body) = get(
        &f.env,
        &upto(t + Duration::minutes(10) + Duration::seconds(2)),
    )
    .await;
    assert_eq!(body["data"], 3.0);
    // `from` defaults to one day before `to`.
    let to = t + Duration::hours(2);
    let (_, body) = get(&f.env, &format!("/data/metrics/play/count?to={}", enc(to))).await;
    assert_eq!(body["data"], 4.0);
    assert_eq!(
        body["context"]["timeframe"]["from"],
        at_offset(to - Duration::days(1))
    );
    assert_eq!(body["context"]["timeframe"]["to"], at_offset(to));
    // 29 days back is accepted, 31 refused.
    let (status, _) = get(
        &f.env,
        &format!(
            "/data/metrics/play/count?from={}",
            enc(t - Duration::days(29))
        ),
    )
    .await;
    assert_eq!(status, 200);
    f.refused(
        &format!(
            "/data/metrics/play/count?from={}",
            enc(t - Duration::days(31))
        ),
        "from",
    )
    .await;
}

#[tokio::test]
async fn refusals_name_the_parameter() {
    let f = fixture().await;
    f.refused("/data/metrics/play/average", "aggregation").await;
    f.refused("/data/metrics/ccv/count", "aggregation").await;
    f.refused("/data/metrics/watch-time/count", "aggregation")
        .await;
    f.refused("/data/metrics/plays/count", "metric").await;
    // The bounds the spec sets on filters: ten values of 32 characters at
    // most, one tag.
    let eleven: String = (0..11)
        .map(|i| format!("&filterBy[country][]=C{i}"))
        .collect();
    f.refused(
        &format!("/data/metrics/play/count?{}", &eleven[1..]),
        "filterBy[country]",
    )
    .await;
    f.refused(
        &format!(
            "/data/metrics/play/count?filterBy[browser][]={}",
            "b".repeat(33)
        ),
        "filterBy[browser]",
    )
    .await;
    f.refused(
        "/data/metrics/play/count?filterBy[tag]=a&filterBy[tag]=b",
        "filterBy[tag]",
    )
    .await;
    f.refused("/data/metrics/play/count?unique=true", "unique")
        .await;
    f.refused("/data/metrics/ccv/peak?viewDuration=5s", "viewDuration")
        .await;
    f.refused("/data/metrics/view/count?viewDuration=7s", "viewDuration")
        .await;
    f.refused(
        "/data/metrics/play/count?filterBy[mediaId][]=vi1",
        "filterBy[mediaId]",
    )
    .await;
    f.refused(
        "/data/metrics/play/count?filterBy[mediaType]=video",
        "filterBy[mediaType]",
    )
    .await;
    f.refused(
        "/data/metrics/play/count?filterBy[continent][]=XX",
        "filterBy[continent]",
    )
    .await;
    f.refused(
        "/data/metrics/play/count?filterBy[city]=Paris",
        "filterBy[city]",
    )
    .await;
    f.refused("/data/buckets/play-total/country", "breakdown")
        .await;
    f.refused("/data/buckets/play/city", "breakdown").await;
    f.refused(
        "/data/buckets/play/country?filterBy[mediaType]=video",
        "filterBy[mediaType]",
    )
    .await;
    f.refused("/data/buckets/play/country?sortBy=value", "sortBy")
        .await;
    f.refused("/data/timeseries/play-total", "metric").await;
    f.refused("/data/timeseries/play?interval=week", "interval")
        .await;
    f.refused("/data/timeseries/start?unique=true", "unique")
        .await;
    f.refused("/data/metrics/play/count?from=yesterday", "from")
        .await;
    // 58 days of minutes is more points than a series holds.
    let long = format!(
        "/data/timeseries/play?interval=minute&from={}&to={}",
        enc(f.t - Duration::days(29)),
        enc(f.t + Duration::days(29))
    );
    f.refused(&long, "interval").await;
}
