//! Errors: typed by stage, with the problem document, and free of secrets
//! in Debug, Display and logs.

use apivideo::prelude::*;
use apivideo::types::WebhooksCreationPayload;
use apivideo::{Client, Config};

use crate::common::{self, KEY};

#[tokio::test]
async fn not_found_is_typed_with_its_problem() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let err = apivideo::Error::from(
        client
            .get_webhook()
            .webhook_id("webhook_0000000000000000000000")
            .send()
            .await
            .expect_err("404"),
    );
    assert!(err.is_not_found());
    let problem = err.problem().expect("problem document");
    assert_eq!(problem.status, 404);
    assert_eq!(problem.name.as_deref(), Some("webhookId"));
}

#[tokio::test]
async fn bad_request_lists_its_problems() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let body = WebhooksCreationPayload {
        events: vec![],
        url: "not a url".into(),
    };
    let err = apivideo::Error::from(
        client
            .create_webhook()
            .body(body)
            .send()
            .await
            .expect_err("400"),
    );
    assert!(err.is_bad_request(), "{err:?}");
    assert!(!err.problem().expect("problem").problems.is_empty());
    assert!(err.to_string().contains("400"), "{err}");
}

#[test]
fn config_errors_are_typed() {
    let err = Client::with_config(Config::production().with_api_key("k").with_chunk_size(1024))
        .unwrap_err();
    assert!(err.is_config());
    assert!(err.to_string().contains("5 MiB to 128 MiB"), "{err}");
    let err = Client::with_config(
        Config::production()
            .with_api_key("k")
            .with_application("bad name", "1"),
    )
    .unwrap_err();
    assert!(err.is_config());
}

/// Looks for anything shaped like the emulator's tokens (64 base62 chars).
fn contains_token_like(text: &str) -> bool {
    text.as_bytes()
        .windows(64)
        .any(|w| w.iter().all(u8::is_ascii_alphanumeric))
}

#[tokio::test]
async fn secrets_never_appear_in_debug_display_or_logs() {
    // Current-thread runtime: the SDK, hyper and the emulator all log on
    // this thread, which the capture records.
    let capture = common::capture_logs();

    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    client.get_account().send().await.expect("ok");
    let wrong =
        Client::with_config(Config::new(emulator.base_url()).with_api_key("wrong-secret-key"))
            .unwrap();
    let err = apivideo::Error::from(wrong.get_account().send().await.expect_err("refused"));

    let texts = [
        format!("{client:?}"),
        format!("{:?}", client.config()),
        format!("{err}"),
        format!("{err:?}"),
        capture.text(),
    ];
    let logs = &texts[4];
    assert!(
        logs.contains("apivideo.request"),
        "spans were logged: {logs}"
    );
    for text in &texts {
        assert!(!text.contains(KEY), "the API key leaked: {text}");
        assert!(
            !text.contains("wrong-secret-key"),
            "the API key leaked: {text}"
        );
        assert!(!contains_token_like(text), "a token leaked: {text}");
    }
}
