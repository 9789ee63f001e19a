//! Helpers the resource tests share: requests as a project, the problem
//! of a raw-client error, a hand-built multipart form, and creating a
//! video or a live stream.

use apivideo_raw::types::Problem;

use crate::common::{self, TestEnv};

/// A tiny JPEG-looking payload (the emulator checks extensions, not
/// pixels).
pub const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 0xFF, 0xD9];

/// A request to the emulator authenticated as `key`.
pub fn api(
    env: &TestEnv,
    method: reqwest::Method,
    path: &str,
    key: &str,
) -> reqwest::RequestBuilder {
    env.http
        .request(method, env.url(path))
        .header("authorization", common::basic(key))
}

/// The status and problem document of a raw-client error.
pub fn problem(err: apivideo_raw::error::Error) -> (u16, Problem) {
    match (err.status(), err.problem()) {
        (Some(status), Some(problem)) => (status.as_u16(), problem.clone()),
        _ => panic!("expected a problem document, got {err:?}"),
    }
}

/// A `multipart/form-data` body built by hand (the test client has no
/// multipart support).
#[derive(Debug)]
pub struct Form {
    boundary: String,
    body: Vec<u8>,
}

impl Default for Form {
    fn default() -> Self {
        Self::new()
    }
}

impl Form {
    pub fn new() -> Self {
        Self {
            boundary: "emulator-test-boundary-7MA4YWxkTrZu0gW".into(),
            body: Vec::new(),
        }
    }

    /// Adds a file part.
    pub fn file(mut self, name: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> Self {
        let head = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n",
            self.boundary
        );
        self.body.extend_from_slice(head.as_bytes());
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// Adds a text part.
    pub fn text(mut self, name: &str, value: &str) -> Self {
        let part = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n",
            self.boundary
        );
        self.body.extend_from_slice(part.as_bytes());
        self
    }

    /// POSTs the form to `path` as `key`.
    pub async fn post(mut self, env: &TestEnv, path: &str, key: &str) -> reqwest::Response {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        api(env, reqwest::Method::POST, path, key)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={}", self.boundary),
            )
            .body(self.body)
            .send()
            .await
            .expect("an answer")
    }
}

/// Creates a live stream in the project of `key` and returns its id.
pub async fn create_live_stream(env: &TestEnv, key: &str, name: &str) -> String {
    let answer = api(env, reqwest::Method::POST, "/live-streams", key)
        .json(&serde_json::json!({"name": name}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 200, "live stream created");
    let stream: serde_json::Value = answer.json().await.expect("JSON");
    stream["liveStreamId"]
        .as_str()
        .expect("a liveStreamId")
        .to_owned()
}

/// Creates a video in the project of `key` and returns its id.
pub async fn create_video(env: &TestEnv, key: &str, title: &str) -> String {
    let answer = api(env, reqwest::Method::POST, "/videos", key)
        .json(&serde_json::json!({"title": title}))
        .send()
        .await
        .expect("an answer");
    assert!(
        answer.status().is_success(),
        "video created: {}",
        answer.status()
    );
    let video: serde_json::Value = answer.json().await.expect("JSON");
    video["videoId"].as_str().expect("a videoId").to_owned()
}
