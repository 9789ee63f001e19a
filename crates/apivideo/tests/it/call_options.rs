//! Per-call control (a timeout, a retry policy), a caller's own HTTP
//! client, and the headers every request carries.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use apivideo::prelude::*;
use apivideo::{AuthMode, Client, Config};
use apivideo_emulator::FaultSettings;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common;

/// Long enough that no test waits it out.
const STALLED_MS: u64 = 120_000;

fn stalled(prefix: &str) -> FaultSettings {
    FaultSettings {
        latency_ms: STALLED_MS,
        slow_paths: vec![prefix.to_owned()],
        ..FaultSettings::default()
    }
}

#[tokio::test]
async fn a_per_call_timeout_bounds_the_call_and_its_retries() {
    let emulator = common::emulator().await;
    // The client's own timeout is longer than the stall: only the per-call
    // timeout can end the call before the guard below does.
    let client = Client::with_config(
        common::config(&emulator).with_request_timeout(Duration::from_secs(3600)),
    )
    .unwrap();
    client.get_account().send().await.expect("token");
    emulator.set_faults(stalled("/account"));
    let call = client
        .get_account()
        .send()
        .with_timeout(Duration::from_millis(300));
    let err = tokio::time::timeout(Duration::from_secs(60), call)
        .await
        .expect("the per-call timeout ended the call")
        .expect_err("timed out");
    emulator.set_faults(FaultSettings::default());
    assert!(err.is_timeout(), "{err:?}");
    // Other calls keep the client's own settings.
    client.get_account().send().await.expect("not bounded");
}

#[tokio::test]
async fn a_per_call_retry_policy_replaces_the_clients() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    client.get_account().send().await.expect("token");
    emulator.set_faults(FaultSettings {
        error_rate: 1.0,
        error_statuses: vec![503],
        ..FaultSettings::default()
    });
    emulator.reset_stats();
    let err = client
        .get_account()
        .send()
        .with_retry_policy(RetryPolicy::none())
        .await
        .expect_err("503");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(common::requests(&emulator, "GET /account"), 1, "sent once");

    emulator.reset_stats();
    client.get_account().send().await.expect_err("503");
    assert_eq!(
        common::requests(&emulator, "GET /account"),
        u64::from(common::fast_retries().max_attempts),
        "the client's policy otherwise"
    );
    emulator.set_faults(FaultSettings::default());
}

/// The SDK's default request timeout (60 s) must not replace the timeout
/// of a caller's own `reqwest::Client`.
#[tokio::test]
async fn a_callers_http_client_keeps_its_timeout() {
    let emulator = common::emulator().await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let client = Client::with_config(
        common::config(&emulator)
            .with_auth_mode(AuthMode::Basic)
            .with_retry_policy(RetryPolicy::none())
            .with_http_client(http),
    )
    .unwrap();
    // A stall shorter than the SDK's default timeout: had that default
    // replaced the client's 300 ms, the call would succeed after it.
    emulator.set_faults(FaultSettings {
        latency_ms: 20_000,
        ..stalled("/account")
    });
    let err = client.get_account().send().await.expect_err("timed out");
    emulator.set_faults(FaultSettings::default());
    assert!(err.is_timeout(), "{err:?}");
}

/// A local server that answers an account to anything and keeps the request
/// heads it receives.
async fn recording_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let heads: Arc<Mutex<Vec<String>>> = Arc::default();
    let kept = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut piece = [0u8; 4096];
                loop {
                    match stream.read(&mut piece).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&piece[..n]),
                    }
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        kept.lock().expect("not poisoned").push(head);
                        break;
                    }
                }
                let body = r#"{"quota":{"quotaUsed":0,"quotaRemaining":1,"quotaTotal":1},"features":[],"environment":"sandbox"}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    (url, heads)
}

#[tokio::test]
async fn requests_name_the_client_and_the_application() {
    let (url, heads) = recording_server().await;
    let client = Client::with_config(
        Config::new(&url)
            .with_api_key("k")
            .with_auth_mode(AuthMode::Basic)
            .with_application("my-app", "1.2.3"),
    )
    .unwrap();
    client.get_account().send().await.expect("answered");
    let version = env!("CARGO_PKG_VERSION");
    let head = heads.lock().unwrap().last().cloned().expect("a request");
    assert!(
        head.contains(&format!("av-origin-client: rust:{version}")),
        "{head}"
    );
    assert!(head.contains("av-origin-app: my-app:1.2.3"), "{head}");
    assert!(
        head.contains(&format!("user-agent: api.video client (rust; v:{version})")),
        "{head}"
    );

    // A caller's own client keeps its own User-Agent.
    let http = reqwest::Client::builder()
        .user_agent("their-agent/1")
        .build()
        .unwrap();
    let client = Client::with_config(
        Config::new(&url)
            .with_api_key("k")
            .with_auth_mode(AuthMode::Basic)
            .with_http_client(http),
    )
    .unwrap();
    client.get_account().send().await.expect("answered");
    let head = heads.lock().unwrap().last().cloned().expect("a request");
    assert!(head.contains("user-agent: their-agent/1"), "{head}");
    assert!(
        head.contains(&format!("av-origin-client: rust:{version}")),
        "{head}"
    );
}
