//! Faults on demand: rate limiting with headers, server errors, dropped
//! connections, latency, and the admin API that sets them.

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
        .header("authorization", env.basic())
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
        .header("authorization", env.basic())
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
        .header("authorization", env.basic())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(stats["requests"]["PUT /_emulator/faults"].as_u64().unwrap() >= 1);
}
