//! Faults on demand: rate limiting with headers, server errors, connections
//! dropped before or after handling, latency on every path or some, and the
//! admin API that sets them.

use std::time::{Duration, Instant};

use apivideo_emulator::{FaultSettings, RateLimit};

use crate::common;

async fn stats_status(env: &common::TestEnv) -> reqwest::Result<reqwest::Response> {
    env.http.get(env.url("/_emulator/health")).send().await?;
    env.http
        .post(env.url("/auth/api-key"))
        .json(&serde_json::json!({"apiKey": "key-a"}))
        .send()
        .await
}

#[tokio::test]
async fn rate_limit_answers_429_with_headers() {
    let env = common::start().await;
    env.emulator.set_faults(FaultSettings {
        rate_limit: Some(RateLimit {
            limit: 3,
            window_ms: 60_000,
        }),
        ..FaultSettings::default()
    });
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let answer = stats_status(&env).await.unwrap();
        statuses.push(answer.status().as_u16());
        last = Some(answer);
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    let last = last.unwrap();
    let header = |name: &str| {
        last.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("x-ratelimit-limit").as_deref(), Some("3"));
    assert_eq!(header("x-ratelimit-remaining").as_deref(), Some("0"));
    let retry: u64 = header("x-ratelimit-retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(env.emulator.stats().event("faults.rate_limited"), 2);
}

#[tokio::test]
async fn setting_faults_starts_a_new_rate_window() {
    let env = common::start().await;
    let limited = FaultSettings {
        rate_limit: Some(RateLimit {
            limit: 1,
            window_ms: 60_000,
        }),
        ..FaultSettings::default()
    };
    for _ in 0..2 {
        env.emulator.set_faults(limited.clone());
        assert_eq!(stats_status(&env).await.unwrap().status(), 200);
        assert_eq!(stats_status(&env).await.unwrap().status(), 429);
    }
}

#[tokio::test]
async fn seeded_faults_repeat() {
    let env = common::start().await;
    let seeded = FaultSettings {
        error_rate: 0.5,
        error_statuses: vec![500, 503],
        seed: Some(7),
        ..FaultSettings::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        env.emulator.set_faults(seeded.clone());
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(stats_status(&env).await.unwrap().status().as_u16());
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&200) && runs[0].iter().any(|s| *s >= 500));
}

#[tokio::test]
async fn error_rate_one_answers_server_errors() {
    let env = common::start().await;
    env.emulator.set_faults(FaultSettings {
        error_rate: 1.0,
        error_statuses: vec![503],
        ..FaultSettings::default()
    });
    let answer = stats_status(&env).await.unwrap();
    assert_eq!(answer.status(), 503);
    let problem: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(problem["status"], 503);
    // Admin calls are never faulted, so the faults can always be turned off.
    let off = env
        .http
        .put(env.url("/_emulator/faults"))
        .header("authorization", env.admin())
        .json(&FaultSettings::default())
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 200);
    assert_eq!(stats_status(&env).await.unwrap().status(), 200);
}

#[tokio::test]
async fn drop_rate_one_closes_the_connection_without_an_answer() {
    let env = common::start().await;
    env.emulator.set_faults(FaultSettings {
        drop_rate: 1.0,
        ..FaultSettings::default()
    });
    let err = stats_status(&env).await.expect_err("no answer");
    assert!(!err.is_status(), "{err}");
    assert_eq!(env.emulator.stats().event("faults.dropped"), 1);
}

#[tokio::test]
async fn drop_after_rate_one_handles_the_request_then_closes_without_an_answer() {
    let env = common::start().await;
    env.emulator.set_faults(FaultSettings {
        drop_after_rate: 1.0,
        ..FaultSettings::default()
    });
    let err = env
        .http
        .post(env.url("/videos"))
        .header("authorization", env.basic())
        .json(&serde_json::json!({"title": "Handled once"}))
        .send()
        .await
        .expect_err("no answer");
    assert!(!err.is_status(), "{err}");
    // Token calls are not spared.
    let err = stats_status(&env).await.expect_err("no answer");
    assert!(!err.is_status(), "{err}");
    let stats = env.emulator.stats();
    assert_eq!(stats.event("faults.dropped_after"), 2);
    assert_eq!(stats.requests_to("POST /videos"), 1);
    env.emulator.set_faults(FaultSettings::default());
    let listed: serde_json::Value = env
        .http
        .get(env.url("/videos"))
        .header("authorization", env.basic())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles: Vec<_> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Handled once"]);
}

#[tokio::test]
async fn latency_is_added() {
    let env = common::start().await;
    env.emulator.set_faults(FaultSettings {
        latency_ms: 150,
        ..FaultSettings::default()
    });
    let started = Instant::now();
    stats_status(&env).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn admin_api_validates_and_reports() {
    let env = common::start().await;
    let bad = env
        .http
        .put(env.url("/_emulator/faults"))
        .header("authorization", env.admin())
        .json(&serde_json::json!({"errorRate": 2.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let unauthenticated = env
        .http
        .get(env.url("/_emulator/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    let stats: serde_json::Value = env
        .http
        .get(env.url("/_emulator/stats"))
        .header("authorization", env.admin())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(stats["requests"]["PUT /_emulator/faults"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn slow_paths_limit_latency_to_their_prefixes() {
    let env = common::start().await;
    env.emulator.set_faults(FaultSettings {
        latency_ms: 60_000,
        slow_paths: vec!["/auth/".to_owned()],
        ..FaultSettings::default()
    });
    let mut token = std::pin::pin!(
        env.http
            .post(env.url("/auth/api-key"))
            .json(&serde_json::json!({"apiKey": "key-a"}))
            .send()
    );
    // The token call reaches the emulator, which holds it.
    let arrived = tokio::time::timeout(Duration::from_secs(30), async {
        while env.emulator.stats().requests_to("POST /auth/api-key") == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    tokio::select! {
        arrived = arrived => arrived.expect("the token call reaches the emulator"),
        answer = &mut token => panic!("the token call was not slowed: {answer:?}"),
    }
    // Meanwhile an ordinary call is answered at once.
    let ordinary = tokio::time::timeout(
        Duration::from_secs(30),
        env.http
            .get(env.url("/videos"))
            .header("authorization", env.basic())
            .send(),
    );
    tokio::select! {
        answer = ordinary => {
            let answer = answer.expect("the ordinary call is not slowed").unwrap();
            assert_eq!(answer.status(), 200);
        }
        answer = &mut token => panic!("the token call was not slowed: {answer:?}"),
    }
    assert!(futures::poll!(token.as_mut()).is_pending());
    env.emulator.set_faults(FaultSettings::default());
}

#[tokio::test]
async fn admin_api_sets_drop_after_rate_and_slow_paths() {
    let env = common::start().await;
    let put = |body: serde_json::Value| {
        env.http
            .put(env.url("/_emulator/faults"))
            .header("authorization", env.admin())
            .json(&body)
            .send()
    };
    let bad = put(serde_json::json!({"dropAfterRate": 1.5}))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let set = put(serde_json::json!({"dropAfterRate": 0.25, "slowPaths": ["/auth/"]}))
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let faults = env.emulator.faults();
    assert_eq!(faults.drop_after_rate, 0.25);
    assert_eq!(faults.slow_paths, ["/auth/"]);
    // Settings written before these fields existed still apply.
    let old = put(serde_json::json!({"dropRate": 0.5, "latencyMs": 10}))
        .await
        .unwrap();
    assert_eq!(old.status(), 200);
    assert_eq!(
        env.emulator.faults(),
        FaultSettings {
            drop_rate: 0.5,
            latency_ms: 10,
            ..FaultSettings::default()
        }
    );
}

#[tokio::test]
async fn admin_routes_assets_and_the_player_s_reports_are_never_faulted() {
    let env = common::start().await;
    // Resources whose assets are fetched below, made before the faults.
    let video = crate::uploads::create(&env, "assets").await;
    let id = video.video_id.clone();
    let answer =
        crate::uploads::send_chunk(&env, "key-a", &id, None, &crate::uploads::bytes(4096, 1)).await;
    assert_eq!(answer.status(), 201);
    let live: serde_json::Value = env
        .http
        .post(env.url("/live-streams"))
        .header("authorization", env.basic())
        .json(&serde_json::json!({ "name": "live" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let live_id = live["liveStreamId"].as_str().unwrap().to_owned();

    env.emulator.set_faults(FaultSettings {
        error_rate: 1.0,
        error_statuses: vec![503],
        ..FaultSettings::default()
    });
    // An API route meets the fault…
    let listed = env
        .http
        .get(env.url("/videos"))
        .header("authorization", env.basic())
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 503);
    // …and none of these do.
    let unfaulted = [
        ("/_emulator/health".to_owned(), None),
        ("/_emulator/clock".to_owned(), Some(env.admin())),
        ("/_emulator/project".to_owned(), Some(env.basic())),
        (format!("/vod/{id}/mp4/source.mp4"), None),
        (format!("/vod/{id}/thumbnail.jpg"), None),
        (format!("/embed/vod/{id}"), None),
        (format!("/live/{live_id}/thumbnail.jpg"), None),
        (format!("/embed/live/{live_id}"), None),
    ];
    for (path, authorization) in unfaulted {
        let mut request = env.http.get(env.url(&path));
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        let status = request.send().await.unwrap().status();
        assert_eq!(status, 200, "{path}");
    }
    let opened = env
        .http
        .post(env.url("/collector/sessions"))
        .json(&serde_json::json!({ "videoId": id }))
        .send()
        .await
        .unwrap();
    assert!(opened.status().is_success(), "{}", opened.status());
    assert_eq!(env.emulator.stats().event("faults.errors"), 1);
}
