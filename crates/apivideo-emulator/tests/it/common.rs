//! Shared test setup: an emulator, a raw client authenticated with HTTP
//! basic, and a plain HTTP client.

// Shared by every test module; not each one uses every helper.
#![allow(dead_code)]

use apivideo_emulator::{Config, Emulator};
use apivideo_raw::hooks::OperationInfo;
use apivideo_raw::hooks::{BoxFuture, Hooks, RequestHooks};
use base64::Engine;

/// A started emulator with clients for its first project.
pub struct TestEnv {
    pub emulator: Emulator,
    /// The generated client, sending the first API key as HTTP basic.
    pub raw: apivideo_raw::Client,
    /// A plain client for requests the raw client cannot make.
    pub http: reqwest::Client,
}

impl TestEnv {
    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emulator.base_url())
    }

    /// The `Authorization` value for the first project.
    pub fn basic(&self) -> String {
        basic(self.emulator.api_key())
    }

    /// The `Authorization` value for the admin routes: the emulator's
    /// admin token as a bearer token.
    pub fn admin(&self) -> String {
        format!("Bearer {}", self.emulator.admin_token())
    }

    /// `GET path` as the first project: the status and the JSON answer.
    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let answer = self
            .http
            .get(self.url(path))
            .header("authorization", self.basic())
            .send()
            .await
            .expect("an answer");
        let status = answer.status().as_u16();
        (status, answer.json().await.expect("a JSON answer"))
    }

    /// `POST path` with a JSON body as the first project: the status and
    /// the JSON answer.
    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let answer = self
            .http
            .post(self.url(path))
            .header("authorization", self.basic())
            .json(&body)
            .send()
            .await
            .expect("an answer");
        let status = answer.status().as_u16();
        (status, answer.json().await.expect("a JSON answer"))
    }

    /// A raw client for another API key (another project).
    pub fn raw_for(&self, key: &str) -> apivideo_raw::Client {
        raw_client(self.emulator.base_url(), key)
    }
}

/// Starts an emulator with two projects and default settings.
pub async fn start() -> TestEnv {
    start_with(
        Config::default()
            .with_api_key("key-a")
            .with_api_key("key-b"),
    )
    .await
}

/// Starts an emulator like [`start`], but taking chunks of any size: for
/// tests of ingest logic, which send chunks of a few bytes. (`api_limits`
/// tests the API's bounds.)
pub async fn start_small_chunks() -> TestEnv {
    start_with(
        Config::default()
            .with_api_key("key-a")
            .with_api_key("key-b")
            .with_upload_limits(apivideo_emulator::UploadLimits::any_chunk_size()),
    )
    .await
}

/// Starts an emulator with `config`.
pub async fn start_with(config: Config) -> TestEnv {
    let emulator = Emulator::start(config).await.expect("emulator starts");
    let raw = raw_client(emulator.base_url(), emulator.api_key());
    TestEnv {
        emulator,
        raw,
        http: reqwest::Client::new(),
    }
}

/// `Basic base64(key:)`.
pub fn basic(key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
    )
}

struct BasicAuth(String);

impl RequestHooks for BasicAuth {
    fn prepare<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        _: &'a OperationInfo,
    ) -> BoxFuture<'a, Result<(), String>> {
        let value = reqwest::header::HeaderValue::from_str(&self.0).map_err(|e| e.to_string());
        Box::pin(async move {
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, value?);
            Ok(())
        })
    }
}

/// A raw client that authenticates with `key` as HTTP basic.
pub fn raw_client(base_url: &str, key: &str) -> apivideo_raw::Client {
    apivideo_raw::Client::new(base_url, Hooks::new(BasicAuth(basic(key))))
}

/// The status of a raw-client error, for asserting error answers.
pub fn status(err: &apivideo_raw::error::Error) -> Option<u16> {
    err.status().map(|s| s.as_u16())
}
