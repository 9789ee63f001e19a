//! Retries: 429 with its headers, 5xx on idempotent requests only,
//! connection failures, dropped connections, and the figures exposed.

use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::WebhooksCreationPayload;
use apivideo_emulator::{FaultSettings, RateLimit};
use futures::future::join_all;

use crate::common;

fn webhook() -> WebhooksCreationPayload {
    WebhooksCreationPayload {
        events: vec!["video.encoding.quality.completed".into()],
        url: "https://example.com/hook".into(),
    }
}

#[tokio::test]
async fn rate_limited_burst_completes_and_every_429_is_retried() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    client.get_account().send().await.expect("token first");
    emulator.set_faults(FaultSettings {
        rate_limit: Some(RateLimit {
            limit: 25,
            window_ms: 1000,
        }),
        ..FaultSettings::default()
    });
    let results = join_all((0..60).map(|_| {
        let client = client.clone();
        async move { client.get_account().send().await }
    }))
    .await;
    assert!(results.iter().all(Result::is_ok));
    let stats = emulator.stats();
    let limited = stats.event("faults.rate_limited");
    assert!(limited > 0, "the burst was rate limited");
    assert_eq!(
        stats.requests_to("GET /account"),
        1 + 60 + limited,
        "every 429 was retried, none lost"
    );
    let figures = client.rate_limit().expect("figures seen");
    assert_eq!(figures.limit, Some(25));
}

#[tokio::test]
async fn get_is_retried_on_503_until_attempts_run_out() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    client.get_account().send().await.expect("token first");
    emulator.set_faults(FaultSettings {
        error_rate: 1.0,
        error_statuses: vec![503],
        ..FaultSettings::default()
    });
    let err = apivideo::Error::from(client.get_account().send().await.expect_err("always 503"));
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(
        common::requests(&emulator, "GET /account"),
        1 + 6,
        "max_attempts of the policy"
    );
}

/// Seeds the emulator's fault draws in
/// `get_succeeds_through_intermittent_503_and_drops`.
const SEED: u64 = 2024;

#[tokio::test]
async fn get_succeeds_through_intermittent_503_and_drops() {
    let emulator = common::emulator().await;
    // About 28% of attempts fail. The draws are seeded and the calls
    // sequential, so every run meets the same faults: some of both kinds
    // (checked below), never ten in a row for one call.
    let policy = common::fast_retries().with_max_attempts(10);
    let client =
        apivideo::Client::with_config(common::config(&emulator).with_retry_policy(policy)).unwrap();
    client.get_account().send().await.expect("token first");
    emulator.set_faults(FaultSettings {
        error_rate: 0.2,
        error_statuses: vec![502, 503, 504],
        drop_rate: 0.1,
        seed: Some(SEED),
        ..FaultSettings::default()
    });
    for _ in 0..20 {
        client
            .get_account()
            .send()
            .await
            .expect("retried through faults");
    }
    let stats = emulator.stats();
    let (errors, dropped) = (stats.event("faults.errors"), stats.event("faults.dropped"));
    assert!(
        errors > 0 && dropped > 0,
        "both kinds of faults happened (else pick another seed): {errors} error(s), {dropped} drop(s)"
    );
}

#[tokio::test]
async fn post_is_not_retried_on_503_or_a_dropped_connection() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    client.get_account().send().await.expect("token first");
    emulator.set_faults(FaultSettings {
        error_rate: 1.0,
        error_statuses: vec![503],
        ..FaultSettings::default()
    });
    let err = apivideo::Error::from(
        client
            .create_webhook()
            .body(webhook())
            .send()
            .await
            .expect_err("503"),
    );
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(
        common::requests(&emulator, "POST /webhooks"),
        1,
        "may have been applied: not retried"
    );

    emulator.set_faults(FaultSettings {
        drop_rate: 1.0,
        ..FaultSettings::default()
    });
    let err = apivideo::Error::from(
        client
            .create_webhook()
            .body(webhook())
            .send()
            .await
            .expect_err("dropped"),
    );
    assert!(err.is_transport(), "{err:?}");
    assert_eq!(common::requests(&emulator, "POST /webhooks"), 2);
}

#[tokio::test]
async fn post_is_retried_on_429() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    client.get_account().send().await.expect("token first");
    // The window starts with this call; a full second leaves ample margin
    // for both calls to land in it, and the 429 asks for a wait of at least
    // a second anyway.
    emulator.set_faults(FaultSettings {
        rate_limit: Some(RateLimit {
            limit: 1,
            window_ms: 1000,
        }),
        ..FaultSettings::default()
    });
    client
        .create_webhook()
        .body(webhook())
        .send()
        .await
        .expect("created");
    client
        .create_webhook()
        .body(webhook())
        .send()
        .await
        .expect("created after a 429");
    assert!(emulator.stats().event("faults.rate_limited") >= 1);
    emulator.set_faults(FaultSettings::default());
    let list = client.list_webhooks().send().await.unwrap().into_inner();
    assert_eq!(list.data.len(), 2, "no duplicate from the retry");
}

/// Connection refused means nothing was sent, so even a POST is retried:
/// the server comes up while the client backs off.
#[tokio::test]
async fn connection_refused_is_retried_even_for_post() {
    // Bound but not listening: connections are refused, and no other test
    // can take the port. SO_REUSEADDR lets the emulator bind it too (Linux
    // allows it while this socket does not listen).
    let reserved = tokio::net::TcpSocket::new_v4().unwrap();
    reserved.set_reuseaddr(true).unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = reserved.local_addr().unwrap();
    let base = format!("http://{addr}");
    let policy = apivideo::RetryPolicy::default()
        .with_max_attempts(20)
        .with_backoff(Duration::from_millis(50), Duration::from_millis(100));
    let client = apivideo::Client::with_config(
        apivideo::Config::new(&base)
            .with_api_key(common::KEY)
            .with_retry_policy(policy),
    )
    .unwrap();
    let call = tokio::spawn(async move {
        client
            .create_webhook()
            .body(webhook())
            .send()
            .await
            .map(|r| r.into_inner())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let emulator = apivideo_emulator::Emulator::start(
        apivideo_emulator::Config::default()
            .with_api_key(common::KEY)
            .with_listen(addr),
    )
    .await
    .expect("binds the reserved port");
    drop(reserved);
    let created = call
        .await
        .unwrap()
        .expect("retried until the server answered");
    assert!(
        created
            .webhook_id
            .as_deref()
            .is_some_and(|id| id.starts_with("webhook_"))
    );
    assert_eq!(common::requests(&emulator, "POST /webhooks"), 1);
}
