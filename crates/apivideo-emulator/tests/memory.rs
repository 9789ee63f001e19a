//! The emulator's memory stays bounded under hostile bodies: the real
//! binary, in its own process, is sent a multipart body whose boundary
//! never comes (256 MiB), 100,000 tiny parts, a WebVTT file that is one
//! 200 MiB line, and an endless header block. Each gets a 4xx (or, for the
//! header block, a closed connection), and the process's peak resident set
//! (`VmHWM`) grows by less than [`MAX_GROWTH`] over its level after a
//! normal request.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;

const MIB: u64 = 1024 * 1024;
/// Bodies are streamed and bounded; the runtime, the buffers of a few
/// connections and SQLite's cache are what may grow.
const MAX_GROWTH: u64 = 64 * MIB;
const KEY: &str = "memory-test-key";

/// The emulator process, killed when the test ends however it ends.
struct Server {
    child: Child,
    base: String,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start() -> Self {
        let data = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_apivideo-emulator"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--api-key",
                KEY,
                "--admin-token",
                "admin",
            ])
            .arg("--data-dir")
            .arg(data.path())
            .env("RUST_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut base = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(url) = line.strip_prefix("listening on ") {
                base = Some(url.trim().to_owned());
                break;
            }
        }
        Self {
            base: base.expect("a `listening on` line"),
            child,
            _data: data,
        }
    }

    /// The process's peak resident set so far, in bytes.
    fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/PID/status");
        kib * 1024
    }
}

fn basic() -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:"))
    )
}

/// A body of `head`, then `filler` repeated up to `len` bytes, then
/// `tail`, generated as it is sent (the test holds none of it).
fn generated(head: Vec<u8>, filler: u8, len: u64, tail: Vec<u8>) -> reqwest::Body {
    const CHUNK: u64 = 256 * 1024;
    let block = Bytes::from(vec![filler; CHUNK as usize]);
    let full = len / CHUNK;
    let rest = (len % CHUNK) as usize;
    let middle = futures::stream::iter(0..full)
        .map(move |_| block.clone())
        .chain(futures::stream::iter([Bytes::from(vec![filler; rest])]));
    let stream = futures::stream::iter([Bytes::from(head)])
        .chain(middle)
        .chain(futures::stream::iter([Bytes::from(tail)]))
        .map(Ok::<_, std::io::Error>);
    reqwest::Body::wrap_stream(stream)
}

async fn post(
    http: &reqwest::Client,
    url: String,
    content_type: &str,
    body: reqwest::Body,
) -> Result<u16, reqwest::Error> {
    let answer = http
        .post(url)
        .header("authorization", basic())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await?;
    Ok(answer.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_bodies_get_4xx_in_bounded_memory() {
    let server = Server::start();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
        .unwrap();
    let created: serde_json::Value = http
        .post(format!("{}/videos", server.base))
        .header("authorization", basic())
        .json(&serde_json::json!({ "title": "target" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let video = created["videoId"].as_str().expect("a video").to_owned();
    let baseline = server.peak_rss();

    // A multipart body whose boundary never shows.
    let status = post(
        &http,
        format!("{}/videos/{video}/source", server.base),
        "multipart/form-data; boundary=XyZ",
        generated(Vec::new(), b'a', 256 * MIB, Vec::new()),
    )
    .await
    .expect("an answer to the boundless body");
    assert!((400..500).contains(&status), "boundless body: {status}");

    // 100,000 text parts.
    let mut parts = Vec::new();
    for i in 0..100_000 {
        parts.extend_from_slice(
            format!("--XyZ\r\ncontent-disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n")
                .as_bytes(),
        );
    }
    parts.extend_from_slice(b"--XyZ--\r\n");
    let status = post(
        &http,
        format!("{}/videos/{video}/source", server.base),
        "multipart/form-data; boundary=XyZ",
        reqwest::Body::from(parts),
    )
    .await
    .expect("an answer to 100k parts");
    assert!((400..500).contains(&status), "100k parts: {status}");

    // A caption file that is a single 200 MiB line.
    let head = b"--XyZ\r\ncontent-disposition: form-data; name=\"file\"; filename=\"en.vtt\"\r\n\
content-type: text/vtt\r\n\r\nWEBVTT\n\n00:00:00.000 --> 00:00:01.000\n"
        .to_vec();
    let status = post(
        &http,
        format!("{}/videos/{video}/captions/en", server.base),
        "multipart/form-data; boundary=XyZ",
        generated(head, b'x', 200 * MIB, b"\n\r\n--XyZ--\r\n".to_vec()),
    )
    .await
    .expect("an answer to the one-line caption");
    assert!((400..500).contains(&status), "one-line caption: {status}");

    // A header block that never ends: 4xx or a closed connection.
    let mut stream = tokio::net::TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let answer = {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let line = format!("x-filler: {}\r\n", "y".repeat(8000));
        let mut sent = 0u64;
        let mut write_failed = false;
        stream
            .write_all(b"GET /videos HTTP/1.1\r\nhost: x\r\n")
            .await
            .unwrap();
        while sent < 64 * MIB {
            if stream.write_all(line.as_bytes()).await.is_err() {
                write_failed = true;
                break;
            }
            sent += line.len() as u64;
        }
        let mut got = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut got)).await;
        (write_failed, String::from_utf8_lossy(&got).into_owned())
    };
    let (write_failed, text) = answer;
    assert!(
        write_failed || text.starts_with("HTTP/1.1 4"),
        "endless headers: {text}"
    );

    let peak = server.peak_rss();
    println!(
        "peak RSS: {} MiB after a normal request, {} MiB after the hostile bodies",
        baseline / MIB,
        peak / MIB
    );
    assert!(
        peak.saturating_sub(baseline) < MAX_GROWTH,
        "peak RSS grew from {} to {} MiB",
        baseline / MIB,
        peak / MIB
    );
}
