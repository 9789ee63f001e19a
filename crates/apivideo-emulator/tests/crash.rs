//! Crash safety of the `apivideo-emulator` binary, proven with kill -9.
//!
//! Each test runs the real binary on a data directory of its own, uploads
//! a source in chunks over plain HTTP and kills the process with SIGKILL
//! at one point of the upload:
//!
//! - mid-body: a chunk's headers and half its body are sent, and the
//!   emulator has begun writing it to disk;
//! - after N acknowledged chunks: right after the Nth 2xx;
//! - during reassembly: while the request of the last chunk is in flight,
//!   as soon as the assembled file appears in `media/tmp` (or, if the
//!   assembly is over before it can be seen, as soon as the answer comes).
//!
//! Then it restarts the binary on the same directory and checks that every
//! chunk acknowledged with a 2xx is in the upload status (`receivedParts`
//! or `receivedBytes`), that finishing the upload serves exactly the bytes
//! sent, and that `media/tmp` holds nothing (and no chunk directory is
//! left once the source is complete). The last kill can land on either
//! side of the end of the assembly: the checks hold on both sides, since a
//! chunk is either acknowledged (and the source then complete and exact)
//! or not (and then it can be sent again to completion).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

const API_KEY: &str = "crash-test-api-key";
const ADMIN_TOKEN: &str = "crash-test-admin-token";
const BOUNDARY: &str = "crash-test-boundary-5b1f0c2d";
/// How long anything may take before the test gives up.
const DEADLINE: Duration = Duration::from_secs(120);
const MIB: usize = 1024 * 1024;
/// The API's smallest chunk (the last one of a source excepted), which the
/// binary keeps to.
const CHUNK: usize = 5 * MIB;

/// The emulator binary, running on a data directory. Killed (SIGKILL) when
/// dropped, so no process outlives a failed test; its log is printed then.
struct Emulator {
    child: Child,
    base: String,
    data_dir: PathBuf,
    log: PathBuf,
}

impl Emulator {
    /// Starts the binary on `data_dir` and waits for its `listening on`
    /// line. Logs go to `<data_dir>.log`.
    fn start(data_dir: &Path) -> Self {
        let log = data_dir.with_extension("log");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_apivideo-emulator"))
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(["--api-key", API_KEY, "--admin-token", ADMIN_TOKEN])
            // Encoding ends at once: a status read after a restart records it.
            .args(["--encoding-delay-ms", "0"])
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("the emulator binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the `listening on` line, then drains stdout until the process
        // ends, so that it can never block on a full pipe.
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        let mut emulator = Self {
            child,
            base: String::new(),
            data_dir: data_dir.to_owned(),
            log,
        };
        emulator.base = rx
            .recv_timeout(DEADLINE)
            .expect("the emulator prints `listening on http://…`");
        emulator
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `host:port`.
    fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    fn tmp(&self) -> PathBuf {
        self.data_dir.join("media").join("tmp")
    }

    /// kill -9, and reap the process.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL sent");
        self.child.wait().expect("process reaped");
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- emulator log (last lines) ---");
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

fn basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{API_KEY}:"))
    )
}

/// Deterministic, position-dependent bytes: a misplaced chunk shows.
fn source(len: usize, seed: u32) -> Vec<u8> {
    (0..len)
        .map(|i| ((i as u32).wrapping_mul(2_654_435_761) ^ seed).to_be_bytes()[1])
        .collect()
}

/// A `multipart/form-data` body carrying `data` as the `file` field.
fn form(data: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// How a source is cut: `part N/M` or `bytes from-to/total` chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Parts,
    Bytes,
}

/// A source cut into chunks of `chunk` bytes (the last one shorter).
struct Upload {
    data: Vec<u8>,
    chunk: usize,
    mode: Mode,
}

impl Upload {
    fn new(len: usize, chunk: usize, mode: Mode, seed: u32) -> Self {
        Self {
            data: source(len, seed),
            chunk,
            mode,
        }
    }

    fn count(&self) -> usize {
        self.data.len().div_ceil(self.chunk)
    }

    /// The bytes of chunk `i` (from 0).
    fn piece(&self, i: usize) -> &[u8] {
        let from = i * self.chunk;
        &self.data[from..(from + self.chunk).min(self.data.len())]
    }

    /// The `Content-Range` of chunk `i`.
    fn range(&self, i: usize) -> String {
        match self.mode {
            Mode::Parts => format!("part {}/{}", i + 1, self.count()),
            Mode::Bytes => {
                let from = i * self.chunk;
                let to = from + self.piece(i).len() - 1;
                format!("bytes {from}-{to}/{}", self.data.len())
            }
        }
    }

    /// The chunks the status says were received, as indexes from 0.
    fn received(&self, status: &Value) -> BTreeSet<usize> {
        let ingest = &status["ingest"];
        match self.mode {
            Mode::Parts => ingest["receivedParts"]["parts"]
                .as_array()
                .map(|parts| {
                    parts
                        .iter()
                        .map(|p| p.as_u64().expect("a part number") as usize - 1)
                        .collect()
                })
                .unwrap_or_default(),
            Mode::Bytes => {
                let ranges = ingest["receivedBytes"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                (0..self.count())
                    .filter(|&i| {
                        let from = (i * self.chunk) as u64;
                        let to = from + self.piece(i).len() as u64 - 1;
                        ranges.iter().any(|r| {
                            r["from"].as_u64() == Some(from)
                                && r["to"].as_u64() == Some(to)
                                && r["total"].as_u64() == Some(self.data.len() as u64)
                        })
                    })
                    .collect()
            }
        }
    }

    /// The whole request of chunk `i`: head and body.
    fn request(&self, emulator: &Emulator, video_id: &str, i: usize) -> (Vec<u8>, Vec<u8>) {
        let body = form(self.piece(i));
        let head = format!(
            "POST /videos/{video_id}/source HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\
             Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Range: {}\r\n\
             Content-Length: {}\r\n\r\n",
            emulator.addr(),
            basic(),
            self.range(i),
            body.len()
        );
        (head.into_bytes(), body)
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(DEADLINE)
        .build()
        .expect("HTTP client")
}

async fn create_video(emulator: &Emulator) -> String {
    let answer = client()
        .post(emulator.url("/videos"))
        .header("authorization", basic())
        .json(&json!({"title": "crash test"}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 201);
    let video: Value = answer.json().await.expect("a video");
    video["videoId"].as_str().expect("a video id").to_owned()
}

/// Sends chunk `i` and returns the status of the answer.
async fn send_chunk(emulator: &Emulator, upload: &Upload, video_id: &str, i: usize) -> u16 {
    let answer = client()
        .post(emulator.url(&format!("/videos/{video_id}/source")))
        .header("authorization", basic())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("content-range", upload.range(i))
        .body(form(upload.piece(i)))
        .send()
        .await
        .expect("an answer");
    answer.status().as_u16()
}

async fn status(emulator: &Emulator, video_id: &str) -> Value {
    let answer = client()
        .get(emulator.url(&format!("/videos/{video_id}/status")))
        .header("authorization", basic())
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 200);
    answer.json().await.expect("a status")
}

fn uploaded(status: &Value) -> bool {
    status["ingest"]["status"] == "uploaded"
}

/// The files in `dir` with their lengths (none if it does not exist).
fn files(dir: &Path) -> Vec<(PathBuf, u64)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.path(), e.metadata().ok()?.len())))
        .collect()
}

/// Every directory named `parts` under `dir`.
fn chunk_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if entry.file_name() == "parts" {
                    found.push(entry.path());
                }
                stack.push(entry.path());
            }
        }
    }
    found
}

/// Polls `check` every few milliseconds until it is true; fails past the
/// deadline with `what`.
async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// After a restart: `media/tmp` is empty, and every chunk in `acked` is
/// in the status. Returns the status.
async fn check_after_restart(
    emulator: &Emulator,
    upload: &Upload,
    video_id: &str,
    acked: &BTreeSet<usize>,
) -> Value {
    let left = files(&emulator.tmp());
    assert!(left.is_empty(), "media/tmp after a restart: {left:?}");
    let status = status(emulator, video_id).await;
    let received = upload.received(&status);
    assert!(
        acked.is_subset(&received),
        "acknowledged chunks {acked:?}, received after the restart {received:?}: {status}"
    );
    status
}

/// Sends every chunk the status does not list, then checks that the
/// source is complete, served byte for byte, and that nothing is left in
/// `media/tmp` or in a chunk directory.
async fn finish_and_verify(emulator: &Emulator, upload: &Upload, video_id: &str) {
    let mut status = status(emulator, video_id).await;
    if !uploaded(&status) {
        let received = upload.received(&status);
        for i in (0..upload.count()).filter(|i| !received.contains(i)) {
            assert_eq!(
                send_chunk(emulator, upload, video_id, i).await,
                201,
                "chunk {i}"
            );
        }
        status = self::status(emulator, video_id).await;
    }
    assert!(uploaded(&status), "{status}");
    assert_eq!(
        status["ingest"]["filesize"].as_u64(),
        Some(upload.data.len() as u64)
    );
    let answer = client()
        .get(emulator.url(&format!("/vod/{video_id}/mp4/source.mp4")))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 200);
    let served = answer.bytes().await.expect("the source");
    assert_eq!(served.len(), upload.data.len());
    assert!(served == upload.data, "the served source differs");
    // Encoding is over (no delay), and its end recorded by the status read.
    assert_eq!(status["encoding"]["playable"], true, "{status}");
    let left = files(&emulator.tmp());
    assert!(left.is_empty(), "media/tmp: {left:?}");
    let chunks = chunk_dirs(&emulator.data_dir.join("media"));
    assert!(
        chunks.is_empty(),
        "chunks left after completion: {chunks:?}"
    );
}

fn data_dir(root: &tempfile::TempDir) -> PathBuf {
    let dir = root.path().join("data");
    std::fs::create_dir_all(&dir).expect("data dir");
    dir
}

#[tokio::test]
async fn a_kill_mid_body_loses_only_the_unacknowledged_chunk() {
    for mode in [Mode::Bytes, Mode::Parts] {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = data_dir(&root);
        // Two full chunks and a short last one. Half a chunk is more than
        // the emulator buffers before writing to disk.
        let upload = Upload::new(2 * CHUNK + 4096, CHUNK, mode, 1);
        assert_eq!(upload.count(), 3);
        let emulator = Emulator::start(&dir);
        let video_id = create_video(&emulator).await;
        let acked = BTreeSet::from([2]);
        assert_eq!(send_chunk(&emulator, &upload, &video_id, 2).await, 201);
        // Chunk 0: its headers and half its body, then nothing.
        let (head, body) = upload.request(&emulator, &video_id, 0);
        let mut stream = tokio::net::TcpStream::connect(emulator.addr())
            .await
            .expect("connect");
        stream.write_all(&head).await.expect("head sent");
        stream
            .write_all(&body[..body.len() / 2])
            .await
            .expect("half the body sent");
        stream.flush().await.expect("flushed");
        // The emulator is streaming the chunk to a file in media/tmp.
        let tmp = emulator.tmp();
        wait_until("the chunk reaches media/tmp", || {
            files(&tmp).iter().any(|(_, len)| *len > 0)
        })
        .await;
        emulator.kill();
        drop(stream);

        let emulator = Emulator::start(&dir);
        let status = check_after_restart(&emulator, &upload, &video_id, &acked).await;
        assert_eq!(upload.received(&status), acked, "{mode:?}: {status}");
        assert_eq!(status["ingest"]["status"], "uploading");
        finish_and_verify(&emulator, &upload, &video_id).await;
    }
}

#[tokio::test]
async fn chunks_acknowledged_before_a_kill_survive_it() {
    // Three chunks acknowledged, then the kill, in both ways of cutting.
    for (mode, seed) in [(Mode::Parts, 2), (Mode::Bytes, 3)] {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = data_dir(&root);
        let upload = Upload::new(3 * CHUNK + 77, CHUNK, mode, seed);
        assert_eq!(upload.count(), 4);
        let emulator = Emulator::start(&dir);
        let video_id = create_video(&emulator).await;
        let mut acked = BTreeSet::new();
        // Out of order, as parallel uploaders send them.
        for i in [2, 0, 3] {
            assert_eq!(send_chunk(&emulator, &upload, &video_id, i).await, 201);
            acked.insert(i);
        }
        emulator.kill();

        let emulator = Emulator::start(&dir);
        let status = check_after_restart(&emulator, &upload, &video_id, &acked).await;
        assert_eq!(upload.received(&status), acked, "{mode:?}: {status}");
        // A second kill and restart change nothing.
        emulator.kill();
        let emulator = Emulator::start(&dir);
        let status = check_after_restart(&emulator, &upload, &video_id, &acked).await;
        assert_eq!(upload.received(&status), acked, "{mode:?}: {status}");
        finish_and_verify(&emulator, &upload, &video_id).await;
    }
}

/// Where the kill of [`a_kill_during_reassembly_keeps_the_upload_whole`]
/// landed.
#[derive(Debug)]
enum Landed {
    /// The assembled file was in `media/tmp`.
    DuringAssembly,
    /// The answer had come: the assembly was over.
    AfterAnswer(u16),
}

#[tokio::test]
async fn a_kill_during_reassembly_keeps_the_upload_whole() {
    let runs = [
        (Mode::Parts, CHUNK + 1, CHUNK),
        (Mode::Bytes, 2 * CHUNK + 3, CHUNK),
        (Mode::Parts, CHUNK + 2 * MIB, CHUNK),
        (Mode::Bytes, CHUNK + 300 * 1024, CHUNK),
    ];
    let mut landings = Vec::new();
    for (run, (mode, len, chunk)) in runs.into_iter().enumerate() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = data_dir(&root);
        let upload = Upload::new(len, chunk, mode, 10 + run as u32);
        let last = upload.count() - 1;
        let emulator = Emulator::start(&dir);
        let video_id = create_video(&emulator).await;
        let mut acked = BTreeSet::new();
        for i in 0..last {
            assert_eq!(send_chunk(&emulator, &upload, &video_id, i).await, 201);
            acked.insert(i);
        }
        // The last chunk completes the source: its request assembles it.
        let (head, body) = upload.request(&emulator, &video_id, last);
        let mut stream = tokio::net::TcpStream::connect(emulator.addr())
            .await
            .expect("connect");
        let sending = tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            stream.write_all(&head).await.expect("head sent");
            stream.write_all(&body).await.expect("body sent");
            let mut answer = Vec::new();
            let mut buf = [0u8; 4096];
            // Reads until the status line is in.
            while !answer.windows(2).any(|w| w == b"\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return (None, stream),
                    Ok(n) => answer.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&answer).into_owned();
            let code = line.split(' ').nth(1).and_then(|c| c.parse::<u16>().ok());
            (code, stream)
        });
        // The assembly writes a file of the source's full length in
        // media/tmp; a chunk on its way in is never that long.
        let tmp = emulator.tmp();
        let total = upload.data.len() as u64;
        let start = Instant::now();
        let landed = loop {
            if files(&tmp).iter().any(|(_, len)| *len == total) {
                break Landed::DuringAssembly;
            }
            if sending.is_finished() {
                let (code, _stream) = sending.await.expect("sender");
                break Landed::AfterAnswer(code.expect("an answer to the last chunk"));
            }
            assert!(start.elapsed() < DEADLINE, "the last chunk never ended");
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        emulator.kill();
        if let Landed::AfterAnswer(code) = landed {
            assert_eq!(code, 201, "the last chunk");
            acked.insert(last);
        }

        let emulator = Emulator::start(&dir);
        let status = check_after_restart(&emulator, &upload, &video_id, &acked).await;
        if acked.contains(&last) {
            assert!(uploaded(&status), "acknowledged, then lost: {status}");
        }
        finish_and_verify(&emulator, &upload, &video_id).await;
        landings.push((mode, len, landed));
    }
    eprintln!("kills: {landings:?}");
}
