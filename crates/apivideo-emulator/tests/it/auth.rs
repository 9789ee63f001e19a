//! Authentication: tokens, basic auth, expiry, refresh, and the problem
//! documents for missing or wrong credentials.

use std::time::Duration;

use apivideo_emulator::Config;
use apivideo_raw::prelude::*;
use apivideo_raw::types::{AuthenticatePayload, RefreshTokenPayload};

use crate::common::{self, status};

#[tokio::test]
async fn api_key_gives_tokens_that_authenticate() {
    let env = common::start().await;
    let token = env
        .raw
        .authenticate()
        .body(AuthenticatePayload {
            api_key: "key-a".into(),
        })
        .send()
        .await
        .expect("authenticates");
    assert_eq!(token.token_type, "Bearer");
    assert_eq!(token.expires_in, 3600);
    let access = token.access_token;
    assert!(access.len() >= 32);
    let answer = env
        .http
        .get(env.url("/account"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn wrong_api_key_is_a_400_problem() {
    let env = common::start().await;
    let err = env
        .raw
        .authenticate()
        .body(AuthenticatePayload {
            api_key: "nope".into(),
        })
        .send()
        .await
        .expect_err("rejected");
    assert_eq!(status(&err), Some(400));
    let problem = err.problem().expect("a problem document").clone();
    assert_eq!(
        problem.title.as_deref(),
        Some("The user credentials were incorrect.")
    );
    assert_eq!(problem.status, Some(400));
}

#[tokio::test]
async fn missing_api_key_attribute_is_named() {
    let env = common::start().await;
    let answer = env
        .http
        .post(env.url("/auth/api-key"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let problem: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(problem["name"], "apiKey");
    assert_eq!(problem["title"], "This attribute is required.");
    assert_eq!(problem["problems"][0]["name"], "apiKey");
}

#[tokio::test]
async fn malformed_json_and_wrong_content_type_are_clean_400s() {
    let env = common::start().await;
    let answer = env
        .http
        .post(env.url("/auth/api-key"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let problem: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(problem["title"], "The request body is not valid JSON.");
    let answer = env
        .http
        .post(env.url("/auth/api-key"))
        .header("content-type", "text/plain")
        .body("apiKey=key-a")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
}

#[tokio::test]
async fn oversized_json_is_413() {
    let env = common::start().await;
    let huge = serde_json::json!({ "apiKey": "x".repeat(2 * 1024 * 1024) });
    let answer = env
        .http
        .post(env.url("/auth/api-key"))
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token() {
    let env = common::start().await;
    let first = env
        .raw
        .authenticate()
        .body(AuthenticatePayload {
            api_key: "key-a".into(),
        })
        .send()
        .await
        .unwrap();
    let refresh = first.refresh_token.clone();
    let second = env
        .raw
        .refresh_token()
        .body(RefreshTokenPayload {
            refresh_token: refresh.clone(),
        })
        .send()
        .await
        .expect("refreshes");
    assert_ne!(second.access_token, first.access_token);
    let reused = env
        .raw
        .refresh_token()
        .body(RefreshTokenPayload {
            refresh_token: refresh,
        })
        .send()
        .await
        .expect_err("a refresh token is single-use");
    assert_eq!(status(&reused), Some(400));
}

#[tokio::test]
async fn expired_missing_and_wrong_credentials_are_401() {
    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            // Long enough that the first use comes before expiry even on a
            // loaded machine.
            .with_token_ttl(Duration::from_secs(2)),
    )
    .await;
    let token = env
        .raw
        .authenticate()
        .body(AuthenticatePayload {
            api_key: "key-a".into(),
        })
        .send()
        .await
        .unwrap()
        .access_token;
    let get = |auth: Option<String>| {
        let mut req = env.http.get(env.url("/account"));
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        req.send()
    };
    assert_eq!(
        get(Some(format!("Bearer {token}"))).await.unwrap().status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let expired = get(Some(format!("Bearer {token}"))).await.unwrap();
    assert_eq!(expired.status(), 401);
    let problem: serde_json::Value = expired.json().await.unwrap();
    assert_eq!(problem["status"], 401);
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .starts_with("https://docs.api.video/")
    );
    assert_eq!(get(None).await.unwrap().status(), 401);
    assert_eq!(
        get(Some(common::basic("wrong"))).await.unwrap().status(),
        401
    );
    assert_eq!(
        get(Some(common::basic("key-a"))).await.unwrap().status(),
        200
    );
    assert_eq!(
        get(Some("Bearer nonsense".into())).await.unwrap().status(),
        401
    );
}

#[tokio::test]
async fn unknown_routes_are_404_problems() {
    let env = common::start().await;
    let answer = env
        .http
        .get(env.url("/no/such/route"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    let problem: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(problem["status"], 404);
}

#[tokio::test]
async fn generated_key_when_none_is_configured() {
    let env = common::start_with(Config::default()).await;
    assert_eq!(env.emulator.api_keys().len(), 1);
    assert!(env.emulator.api_key().len() >= 20);
    assert!(!format!("{:?}", Config::default().with_api_key("secret-key")).contains("secret-key"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_token_is_used_once_even_by_concurrent_calls() {
    let env = common::start().await;
    let token = env
        .raw
        .authenticate()
        .body(AuthenticatePayload {
            api_key: "key-a".into(),
        })
        .send()
        .await
        .unwrap();
    let refresh = token.refresh_token;
    let calls = (0..16).map(|_| {
        env.http
            .post(env.url("/auth/refresh"))
            .json(&serde_json::json!({ "refreshToken": refresh }))
            .send()
    });
    let mut statuses: Vec<u16> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|answer| answer.unwrap().status().as_u16())
        .collect();
    statuses.sort_unstable();
    let mut expected = vec![200];
    expected.extend([400; 15]);
    assert_eq!(statuses, expected);
}
