//! Shared setup: an emulator with two projects started in-process on
//! 127.0.0.1:0, SDK clients pointed at it, the resources most tests start
//! from, deterministic source files with their SHA-256, what the emulator
//! serves back, its admin API, a local receiver for webhook deliveries, and
//! the capture of this thread's logs.

use std::cell::RefCell;
use std::io::Write;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::{
    LiveStream, LiveStreamCreationPayload, PlayerTheme, PlayerThemeCreationPayload, Video,
    VideoCreationPayload,
};
use apivideo::{Client, Config, Error, RetryPolicy};
use apivideo_emulator::{Config as EmulatorConfig, Emulator};
use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing_subscriber::Layer as _;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt as _;

/// The API key of the emulator's first project.
pub const KEY: &str = "sdk-test-key";
/// A second project, for isolation tests.
pub const OTHER_KEY: &str = "sdk-other-key";
/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;

/// A well-formed video id that no project has.
pub const UNKNOWN_VIDEO: &str = "vi0000000000000000000000";
/// Starts like a JPEG; the emulator goes by the file name, not the pixels.
pub const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0xFF, 0xD9,
];
/// Starts like a PNG.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01";
/// Starts like a GIF: a format no media upload takes.
pub const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
/// English captions in WebVTT.
pub const CAPTIONS_EN: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello, and welcome.\n\n00:00:04.500 --> 00:00:07.000\nLet us begin.\n";
/// Chapters in WebVTT.
pub const CHAPTERS: &str = "WEBVTT\n\nintro\n00:00:00.000 --> 00:00:10.000\nIntroduction\n\nmain\n00:00:10.000 --> 00:01:00.000\nThe lesson\n";
/// Not WebVTT: no header, SRT-style timings.
pub const NOT_WEBVTT: &str = "1\n00:00:01,000 --> 00:00:04,000\nHello\n";

/// An emulator with two projects, the given token lifetime, and short
/// encoding and completion delays.
pub async fn emulator_with(token_ttl: Duration) -> Emulator {
    Emulator::start(
        EmulatorConfig::default()
            .with_api_key(KEY)
            .with_api_key(OTHER_KEY)
            .with_token_ttl(token_ttl)
            .with_encoding_delay(Duration::from_millis(100))
            .with_complete_delay(Duration::from_millis(100)),
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

/// A client without any API key, fast retries: only upload-token calls
/// work.
pub fn keyless_client(emulator: &Emulator) -> Client {
    Client::with_config(Config::new(emulator.base_url()).with_retry_policy(fast_retries()))
        .expect("valid config")
}

/// Requests the emulator received for `"METHOD /route"`.
pub fn requests(emulator: &Emulator, route: &str) -> u64 {
    emulator.stats().requests_to(route)
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

/// Calls to the two auth endpoints: (API key, refresh token).
pub fn auth_calls(emulator: &Emulator) -> (u64, u64) {
    (
        requests(emulator, "POST /auth/api-key"),
        requests(emulator, "POST /auth/refresh"),
    )
}

/// A new video with only a title, and no source.
pub async fn create_video(client: &Client, title: &str) -> Video {
    client
        .create_video()
        .body(VideoCreationPayload::builder().title(title))
        .send()
        .await
        .expect("video created")
}

/// A new player with the default settings.
pub async fn create_player(client: &Client) -> PlayerTheme {
    client
        .create_player()
        .body(PlayerThemeCreationPayload::builder())
        .send()
        .await
        .expect("player created")
}

/// A new live stream with only a name.
pub async fn create_live_stream(client: &Client, name: &str) -> LiveStream {
    client
        .create_live_stream()
        .body(LiveStreamCreationPayload::builder().name(name))
        .send()
        .await
        .expect("live stream created")
}

/// The `name` of an error's problem document: the attribute the API blames.
pub fn problem_name(err: &Error) -> Option<&str> {
    err.problem().and_then(|p| p.name.as_deref())
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lowercase hex of the SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The deterministic content of a source, a MiB at a time. Every MiB is a
/// fixed pseudo-random block stamped with its index and the seed, so no two
/// MiB are alike and a part stored at the wrong offset changes the hash.
struct Source {
    block: Vec<u8>,
    seed: u64,
    index: u64,
    left: u64,
}

impl Source {
    fn new(size: u64, seed: u64) -> Self {
        let mut block = vec![0u8; MIB as usize];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ seed;
        for word in block.chunks_exact_mut(8) {
            // xorshift64
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes());
        }
        Self {
            block,
            seed,
            index: 0,
            left: size,
        }
    }

    /// The next MiB, or what is left of the size; `None` at the end.
    fn next_piece(&mut self) -> Option<&[u8]> {
        if self.left == 0 {
            return None;
        }
        self.block[..8].copy_from_slice(&self.index.to_le_bytes());
        self.block[8..16].copy_from_slice(&self.seed.to_le_bytes());
        let n = self.left.min(MIB) as usize;
        self.left -= n as u64;
        self.index += 1;
        Some(&self.block[..n])
    }
}

/// `size` deterministic bytes, in memory: the content [`source_file`]
/// writes for the same `seed`.
pub fn source_bytes(size: u64, seed: u64) -> Vec<u8> {
    let mut source = Source::new(size, seed);
    let mut bytes = Vec::with_capacity(size as usize);
    while let Some(piece) = source.next_piece() {
        bytes.extend_from_slice(piece);
    }
    bytes
}

/// Writes `size` deterministic bytes to `dir/name`, a MiB at a time, and
/// returns the path and the SHA-256 of the content.
pub async fn source_file(dir: &Path, name: &str, size: u64, seed: u64) -> (PathBuf, String) {
    let path = dir.join(name);
    let mut file = tokio::io::BufWriter::new(tokio::fs::File::create(&path).await.expect("create"));
    let mut hasher = Sha256::new();
    let mut source = Source::new(size, seed);
    while let Some(piece) = source.next_piece() {
        file.write_all(piece).await.expect("write");
        hasher.update(piece);
    }
    file.flush().await.expect("flush");
    (path, hex(&hasher.finalize()))
}

/// What the emulator serves at a public URL (no credential, like a CDN):
/// the content type and the body.
pub async fn served(url: &str) -> (String, Vec<u8>) {
    let response = reqwest::get(url).await.expect("served");
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (content_type, response.bytes().await.expect("body").to_vec())
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

/// The MP4 asset URL of a video: where its uploaded source is served.
pub fn mp4_url(video: &Video) -> String {
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

/// Starts (`on`) or ends a broadcast of the first project's live stream
/// through the emulator's admin API, as an encoder connecting or
/// disconnecting would; returns the live stream it answers.
pub async fn broadcast(emulator: &Emulator, live_stream_id: &str, on: bool) -> LiveStream {
    let path = format!("/_emulator/live-streams/{live_stream_id}/broadcast");
    let response = reqwest::Client::new()
        .post(format!("{}{path}", emulator.base_url()))
        .basic_auth(KEY, None::<&str>)
        .json(&serde_json::json!({ "broadcasting": on }))
        .send()
        .await
        .expect("admin API reachable");
    assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
    response.json().await.expect("a live stream")
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

thread_local! {
    /// The log buffer of the test running on this thread, if it captures.
    static CAPTURE: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// Writes into this thread's capture buffer, or nowhere when there is none.
struct CaptureWriter;

impl Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with(|capture| {
            if let Ok(mut capture) = capture.try_borrow_mut()
                && let Some(capture) = capture.as_mut()
            {
                capture.extend_from_slice(buf);
            }
        });
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capturing() -> bool {
    CAPTURE.with(|capture| capture.try_borrow().is_ok_and(|c| c.is_some()))
}

/// Installs, once per process, the global subscriber that feeds
/// [`capture_logs`].
///
/// It is global rather than a thread-local default because tracing caches
/// each callsite's interest process-wide: with a thread-local default, a
/// callsite first hit on another test's thread could be cached as "never"
/// and stay silent here. The filter is dynamic (asked at every event, its
/// interest is "sometimes"), so it works per thread without caching.
fn install_capture_subscriber() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_span_events(FmtSpan::NEW)
            .with_writer(|| CaptureWriter)
            .with_filter(tracing_subscriber::filter::dynamic_filter_fn(|_, _| {
                capturing()
            }));
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
            .expect("no other global subscriber in this test binary");
        tracing::callsite::rebuild_interest_cache();
    });
}

/// Captures, until dropped, every span and event logged on this thread (at
/// any level). Use it in a current-thread `#[tokio::test]`, where the SDK,
/// hyper and the in-process emulator all run on the test's thread.
pub struct LogCapture {
    /// Tied to the thread whose logs it captures.
    _not_send: PhantomData<*const ()>,
}

/// Starts capturing this thread's logs; see [`LogCapture`].
pub fn capture_logs() -> LogCapture {
    install_capture_subscriber();
    CAPTURE.with(|capture| {
        let mut capture = capture.borrow_mut();
        assert!(
            capture.is_none(),
            "logs are already captured on this thread"
        );
        *capture = Some(Vec::new());
    });
    LogCapture {
        _not_send: PhantomData,
    }
}

impl LogCapture {
    /// Everything captured so far.
    pub fn text(&self) -> String {
        CAPTURE.with(|capture| {
            String::from_utf8_lossy(capture.borrow().as_deref().unwrap_or_default()).into_owned()
        })
    }
}

impl Drop for LogCapture {
    fn drop(&mut self) {
        CAPTURE.with(|capture| *capture.borrow_mut() = None);
    }
}

/// The byte ranges an ingest has received, merged, as `(from, to)` with
/// `to` exclusive.
pub fn received_ranges(ingest: &apivideo::types::VideoStatusIngest) -> Vec<(i64, i64)> {
    let mut ranges: Vec<(i64, i64)> = ingest
        .received_bytes
        .iter()
        .map(|r| (r.from, r.to + 1))
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (from, to) in ranges {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// A new delegated upload token of the project `owner` works for, without
/// a lifetime.
pub async fn upload_token(owner: &Client) -> String {
    owner
        .create_upload_token()
        .body(apivideo::types::TokenCreationPayload::builder())
        .send()
        .await
        .expect("token created")
        .token
}

/// A client without an API key, as a browser holding an upload token
/// would be: fast retries and 5 MiB chunks.
pub fn delegate(emulator: &Emulator) -> Client {
    Client::with_config(
        Config::new(emulator.base_url())
            .with_retry_policy(fast_retries())
            .with_chunk_size(5 * MIB),
    )
    .expect("valid config")
}
