//! Authentication: an API key exchanged for a pair of tokens, the refresh
//! token exchanged for a new pair, once.

use apivideo::prelude::*;
use apivideo::types::{AuthenticatePayload, RefreshTokenPayload};

use super::Calls;
use crate::common::{self, KEY};

pub(super) const TAG: &str = "Authentication";
pub(super) const OPERATIONS: &[&str] = &["authenticate", "refresh_token"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);

    calls.called("authenticate");
    let token = client
        .authenticate()
        .body(AuthenticatePayload {
            api_key: KEY.to_owned(),
        })
        .send()
        .await
        .expect("authenticated");
    assert_eq!(token.token_type, "Bearer");
    assert_eq!(token.expires_in, 3600);
    let access = token.access_token;
    let refresh = token.refresh_token;
    assert!(!access.is_empty() && !refresh.is_empty() && access != refresh);
    let account = |bearer: String| {
        let url = format!("{}/account", emulator.base_url());
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(bearer)
                .send()
                .await
                .expect("reachable")
                .status()
        }
    };
    assert_eq!(account(access.clone()).await, reqwest::StatusCode::OK);

    calls.called("refresh_token");
    let renewed = client
        .refresh_token()
        .body(RefreshTokenPayload {
            refresh_token: refresh.clone(),
        })
        .send()
        .await
        .expect("refreshed");
    assert_eq!(renewed.token_type, "Bearer");
    assert_eq!(renewed.expires_in, 3600);
    let renewed_access = renewed.access_token;
    assert_ne!(renewed_access, access);
    assert_ne!(renewed.refresh_token, refresh);
    assert_eq!(account(renewed_access).await, reqwest::StatusCode::OK);
    // A refresh token is used once.
    let reused = client
        .refresh_token()
        .body(RefreshTokenPayload {
            refresh_token: refresh,
        })
        .send()
        .await
        .expect_err("a used refresh token is refused");
    assert!(reused.is_bad_request(), "{reused:?}");

    calls.assert_all_called_and_answered(&emulator);
}
