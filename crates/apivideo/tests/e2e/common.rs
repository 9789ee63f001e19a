//! Shared setup of the end-to-end tests: an emulator with two projects, SDK
//! clients pointed at it, deterministic source files with their SHA-256,
//! the SHA-256 of what the emulator serves back, the emulator's admin API,
//! and a local receiver for webhook deliveries.

// Shared by every test module; not each one uses every helper.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use apivideo::{Client, Config, RetryPolicy};
use apivideo_emulator::{Config as EmulatorConfig, Emulator};
use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The API key of the emulator's first project.
pub const KEY: &str = "e2e-owner-key";
/// A second project, for isolation tests.
pub const OTHER_KEY: &str = "e2e-other-key";
/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;

/// An emulator with two projects, the given token lifetime and a short
/// encoding delay.
pub async fn emulator_with(token_ttl: Duration) -> Emulator {
    Emulator::start(
        EmulatorConfig::default()
            .with_api_key(KEY)
            .with_api_key(OTHER_KEY)
            .with_token_ttl(token_ttl)
            .with_encoding_delay(Duration::from_millis(100)),
    )
    .await
    .expect("emulator starts")
}

/// An emulator with one-hour tokens.
pub async fn emulator() -> Emulator {
    emulator_with(Duration::from_secs(3600)).await
}

/// A retry policy with short waits, so tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(6)
        .with_backoff(Duration::from_millis(10), Duration::from_millis(100))
}

/// Config for the emulator's first project, fast retries.
pub fn config(emulator: &Emulator) -> Config {
    Config::new(emulator.base_url())
        .with_api_key(KEY)
        .with_retry_policy(fast_retries())
}

/// A client for the emulator's first project.
pub fn client(emulator: &Emulator) -> Client {
    Client::with_config(config(emulator)).expect("valid config")
}

/// A client for the emulator's second project.
pub fn other_client(emulator: &Emulator) -> Client {
    Client::with_config(config(emulator).with_api_key(OTHER_KEY)).expect("valid config")
}

/// A client without any API key: only upload-token calls work.
pub fn keyless_client(emulator: &Emulator) -> Client {
    Client::with_config(Config::new(emulator.base_url()).with_retry_policy(fast_retries()))
        .expect("valid config")
}

/// Calls to both auth endpoints: how many tokens were issued.
pub fn token_calls(emulator: &Emulator) -> u64 {
    let stats = emulator.stats();
    stats.requests_to("POST /auth/api-key") + stats.requests_to("POST /auth/refresh")
}

/// Answers with `status` the emulator gave on `"METHOD /route"`.
pub fn responses(emulator: &Emulator, route: &str, status: u16) -> u64 {
    emulator
        .stats()
        .responses
        .get(&format!("{route} {status}"))
        .copied()
        .unwrap_or(0)
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `size` deterministic bytes to `dir/name` and returns the path and
/// the SHA-256 of the content. Every MiB is a fixed pseudo-random block
/// stamped with its index and `seed`, so no two MiB are alike and a part
/// stored at the wrong offset changes the hash.
pub async fn source_file(dir: &Path, name: &str, size: u64, seed: u64) -> (PathBuf, String) {
    let path = dir.join(name);
    let mut block = vec![0u8; MIB as usize];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ seed;
    for word in block.chunks_exact_mut(8) {
        // xorshift64
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        word.copy_from_slice(&x.to_le_bytes());
    }
    let mut file = tokio::io::BufWriter::new(tokio::fs::File::create(&path).await.expect("create"));
    let mut hasher = Sha256::new();
    let mut written = 0u64;
    let mut index = 0u64;
    while written < size {
        block[..8].copy_from_slice(&index.to_le_bytes());
        block[8..16].copy_from_slice(&seed.to_le_bytes());
        let n = (size - written).min(MIB) as usize;
        file.write_all(&block[..n]).await.expect("write");
        hasher.update(&block[..n]);
        written += n as u64;
        index += 1;
    }
    file.flush().await.expect("flush");
    (path, hex(&hasher.finalize()))
}

/// Streams `url` (no credential, like a CDN) and returns the byte count and
/// the SHA-256 of the body.
pub async fn served_sha256(url: &str) -> (u64, String) {
    let response = reqwest::get(url).await.expect("asset reachable");
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    let mut hasher = Sha256::new();
    let mut len = 0u64;
    let mut body = response.bytes_stream();
    while let Some(piece) = body.next().await {
        let piece = piece.expect("body streams");
        len += piece.len() as u64;
        hasher.update(&piece);
    }
    (len, hex(&hasher.finalize()))
}

/// The MP4 asset URL of an uploaded video.
pub fn mp4_url(video: &apivideo::types::Video) -> String {
    video
        .assets
        .as_ref()
        .and_then(|a| a.mp4.clone())
        .expect("the video has an mp4 asset")
}

/// A POST to the emulator's admin API, authenticated with the owner's key.
pub async fn admin_post(
    emulator: &Emulator,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", emulator.base_url()))
        .basic_auth(KEY, None::<&str>)
        .json(&body)
        .send()
        .await
        .expect("admin API reachable");
    let status = response.status();
    let answer: serde_json::Value = response.json().await.expect("admin JSON");
    assert_eq!(status, reqwest::StatusCode::CREATED, "{path}: {answer}");
    answer
}

/// Webhook deliveries received by [`hook_receiver`]: each request body.
#[derive(Debug, Clone, Default)]
pub struct Deliveries(Arc<Mutex<Vec<serde_json::Value>>>);

impl Deliveries {
    /// The bodies received so far.
    pub fn bodies(&self) -> Vec<serde_json::Value> {
        self.0.lock().expect("not poisoned").clone()
    }
}

/// A local HTTP endpoint that answers 204 to every POST and keeps its JSON
/// body, so webhook deliveries never leave the machine. Returns its URL.
pub async fn hook_receiver() -> (String, Deliveries) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
    let deliveries = Deliveries::default();
    let kept = deliveries.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut piece = [0u8; 4096];
                // Headers, then as many body bytes as Content-Length says.
                let (head_end, length) = loop {
                    let Ok(n) = stream.read(&mut piece).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&piece[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        break (end + 4, length);
                    }
                };
                while buf.len() < head_end + length {
                    match stream.read(&mut piece).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&piece[..n]),
                    }
                }
                if let Ok(body) = serde_json::from_slice(&buf[head_end..head_end + length]) {
                    kept.0.lock().expect("not poisoned").push(body);
                }
                let _ = stream
                    .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    (url, deliveries)
}

/// Polls `check` every 50 ms until it returns `Some`, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
