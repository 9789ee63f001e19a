//! Benchmarks of the `apivideo-emulator` binary, run as a child process on
//! loopback: its peak memory while it receives a chunked upload (1 GiB and
//! 256 MiB, to show the peak does not follow the file size), and its request
//! throughput for `GET /videos/{id}` and a 25-item `GET /videos` page, each
//! against `GET /_emulator/health` measured in the same run.
//!
//! Run with `cargo bench -p apivideo-emulator --bench emulator`; see
//! `docs/benchmarks.md`. Not run in CI: it prints figures, it asserts only
//! that the uploaded source comes back intact.

use std::error::Error;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use reqwest::multipart::{Form, Part};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

const KEY: &str = "bench-key";
const MIB: u64 = 1024 * 1024;
/// The emulator's memory target while it receives an upload.
const RSS_TARGET: u64 = 64 * MIB;
/// Chunk size of the uploads (the SDK's default).
const CHUNK: u64 = 50 * MIB;
/// Concurrent clients of the throughput runs.
const CONCURRENCY: usize = 32;
/// Requests before each measured run, not counted.
const WARM_UP: usize = 2_000;
/// Measured requests per route.
const REQUESTS: usize = 20_000;

fn main() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!("load average at start: {}", load_average());
    runtime.block_on(async {
        println!("== emulator: peak RSS during a chunked upload ({CHUNK_MIB} MiB chunks)");
        let small = upload_memory(256 * MIB).await?;
        let large = upload_memory(1024 * MIB).await?;
        println!(
            "ratio peak RSS 1 GiB/256 MiB upload: {:.2} (flat memory: about 1.00)",
            large as f64 / small as f64
        );
        println!();
        println!("load average now: {}", load_average());
        println!("== emulator: throughput, {CONCURRENCY} concurrent clients on loopback");
        throughput().await
    })
}

const CHUNK_MIB: u64 = CHUNK / MIB;

/// The emulator binary as a child process, killed on drop.
struct Emulator {
    child: std::process::Child,
    base_url: String,
}

impl Emulator {
    fn start() -> Result<Self> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_apivideo-emulator"));
        // The settings of the caller's environment (faults, rate limits)
        // must not leak into the measurement.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("APIVIDEO_EMULATOR_") {
                command.env_remove(name);
            }
        }
        let mut child = command
            .args(["--listen", "127.0.0.1:0", "--api-key", KEY])
            // The binary's default log level: one line per request.
            .env("RUST_LOG", "apivideo_emulator=info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let base_url = loop {
            let Some(line) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                return Err("the emulator exited before listening".into());
            };
            if let Some(url) = line?.strip_prefix("listening on ") {
                break url.trim().to_owned();
            }
        };
        Ok(Self { child, base_url })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `Vm*` figure of `/proc/<pid>/status`, in bytes.
fn proc_status(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status"))?;
    let kib: u64 = line.trim().trim_end_matches("kB").trim().parse()?;
    Ok(kib * 1024)
}

/// Samples the RSS of `/proc/<pid>/status` every 2 ms on a thread until
/// stopped, keeping the highest: `VmHWM` alone can miss a peak, since the
/// kernel folds a short-lived peak into it only at some points (an unmap).
struct RssSampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<u64>>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peak = 0;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(rss) = proc_status(pid, "VmRSS") {
                    peak = peak.max(rss);
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            peak
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops sampling; the highest RSS seen, in bytes.
    fn stop(mut self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.take().map_or(0, |t| t.join().unwrap_or(0))
    }
}

/// The machine's load averages (1, 5, 15 min), printed with the figures:
/// other work on the machine moves them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / MIB as f64
}

/// A temporary file of `size` pseudo-random bytes (deleted on drop).
fn generate(size: u64) -> Result<tempfile::NamedTempFile> {
    let mut file = tempfile::Builder::new()
        .prefix("apivideo-bench-")
        .suffix(".bin")
        .tempfile()?;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ size;
    let mut buf = vec![0u8; 8 * MIB as usize];
    let mut left = size;
    while left > 0 {
        for word in buf.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(buf.len() as u64) as usize;
        file.write_all(&buf[..n])?;
        left -= n as u64;
    }
    file.flush()?;
    Ok(file)
}

async fn create_video(http: &reqwest::Client, emulator: &Emulator, title: &str) -> Result<String> {
    let video: serde_json::Value = http
        .post(emulator.url("/videos"))
        .basic_auth(KEY, Some(""))
        .json(&serde_json::json!({ "title": title }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(video["videoId"]
        .as_str()
        .ok_or("no videoId in the created video")?
        .to_owned())
}

/// Sends `path` to `POST /videos/{id}/source` in `chunk`-byte parts, each
/// streamed from disk as a multipart body.
async fn upload_chunks(
    http: &reqwest::Client,
    emulator: &Emulator,
    video_id: &str,
    path: &Path,
    chunk: u64,
) -> Result<()> {
    let size = std::fs::metadata(path)?.len();
    let parts = size.div_ceil(chunk);
    for index in 0..parts {
        let start = index * chunk;
        let len = chunk.min(size - start);
        let mut file = tokio::fs::File::open(path).await?;
        file.seek(std::io::SeekFrom::Start(start)).await?;
        let body =
            reqwest::Body::wrap_stream(ReaderStream::with_capacity(file.take(len), 256 * 1024));
        let part = Part::stream_with_length(body, len)
            .file_name("source.bin")
            .mime_str("application/octet-stream")?;
        let response = http
            .post(emulator.url(&format!("/videos/{video_id}/source")))
            .basic_auth(KEY, Some(""))
            .header("content-range", format!("part {}/{parts}", index + 1))
            .multipart(Form::new().part("file", part))
            .send()
            .await?;
        if !response.status().is_success() {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            return Err(format!("part {}/{parts}: {status}: {body}", index + 1).into());
        }
    }
    Ok(())
}

/// Checks the source the emulator serves back: its length, and sampled
/// ranges (around each chunk boundary, the middle and the end) byte for byte.
async fn verify(
    http: &reqwest::Client,
    emulator: &Emulator,
    video_id: &str,
    path: &Path,
) -> Result<usize> {
    let url = emulator.url(&format!("/vod/{video_id}/mp4/source.mp4"));
    let local = std::fs::File::open(path)?;
    let size = local.metadata()?.len();
    let head = http.get(&url).header("range", "bytes=0-0").send().await?;
    let served = head
        .headers()
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit('/').next())
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or("no total length in the served Content-Range")?;
    if served != size {
        return Err(format!("served source is {served} bytes, uploaded {size}").into());
    }
    let sample = 4096u64;
    let mut starts = vec![0, size / 2, size - sample];
    let mut boundary = CHUNK;
    while boundary < size {
        starts.push(boundary - sample / 2);
        boundary += CHUNK;
    }
    for &start in &starts {
        let end = (start + sample).min(size) - 1;
        let got = http
            .get(&url)
            .header("range", format!("bytes={start}-{end}"))
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let mut want = vec![0u8; (end - start + 1) as usize];
        local.read_exact_at(&mut want, start)?;
        if got.as_ref() != want.as_slice() {
            return Err(format!("served bytes {start}-{end} differ from the file").into());
        }
    }
    Ok(starts.len())
}

/// Uploads a generated file of `size` bytes to a fresh emulator and prints
/// its peak RSS before and during the upload. Returns the peak, in bytes.
async fn upload_memory(size: u64) -> Result<u64> {
    let label = if size >= 1024 * MIB {
        format!("{} GiB", size / (1024 * MIB))
    } else {
        format!("{} MiB", size / MIB)
    };
    let file = generate(size)?;
    let emulator = Emulator::start()?;
    let http = reqwest::Client::new();
    let video_id = create_video(&http, &emulator, &format!("rss {label}")).await?;
    let before = proc_status(emulator.pid(), "VmHWM")?;
    let sampler = RssSampler::start(emulator.pid());
    let started = Instant::now();
    upload_chunks(&http, &emulator, &video_id, file.path(), CHUNK).await?;
    let elapsed = started.elapsed();
    let sampled = sampler.stop();
    let after = proc_status(emulator.pid(), "VmHWM")?.max(sampled);
    let samples = verify(&http, &emulator, &video_id, file.path()).await?;
    println!(
        "{label} upload: {} parts in {:.2} s ({:.0} MiB/s); source served back: same length, {samples} sampled ranges identical",
        size.div_ceil(CHUNK),
        elapsed.as_secs_f64(),
        mib(size) / elapsed.as_secs_f64(),
    );
    println!(
        "{label} upload: emulator peak RSS before: {:.1} MiB",
        mib(before)
    );
    println!(
        "{label} upload: emulator peak RSS after:  {:.1} MiB (highest 2 ms sample: {:.1} MiB)",
        mib(after),
        mib(sampled)
    );
    println!(
        "ratio emulator peak RSS/target ({label}): {:.2} (target <= 1.00, {} MiB)",
        after as f64 / RSS_TARGET as f64,
        RSS_TARGET / MIB
    );
    drop(emulator);
    drop(file);
    Ok(after)
}

async fn throughput() -> Result<()> {
    let emulator = Emulator::start()?;
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(emulator.url("/auth/api-key"))
        .json(&serde_json::json!({ "apiKey": KEY }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let bearer = format!(
        "Bearer {}",
        token["access_token"].as_str().ok_or("no access_token")?
    );
    let mut ids = Vec::new();
    for n in 0..100 {
        ids.push(create_video(&http, &emulator, &format!("video {n}")).await?);
    }
    let health = vec![emulator.url("/_emulator/health")];
    let videos: Vec<String> = ids
        .iter()
        .map(|id| emulator.url(&format!("/videos/{id}")))
        .collect();
    let lists: Vec<String> = (1..=4)
        .map(|page| emulator.url(&format!("/videos?currentPage={page}&pageSize=25")))
        .collect();

    let base = run_load(&http, "GET /_emulator/health", &health, None).await?;
    let get = run_load(&http, "GET /videos/{id}", &videos, Some(&bearer)).await?;
    let list = run_load(&http, "GET /videos (25 items)", &lists, Some(&bearer)).await?;
    println!(
        "ratio GET /videos/{{id}}/health: {:.2} (share of the trivial route's throughput)",
        get / base
    );
    println!(
        "ratio GET /videos (25 items)/health: {:.2} (share of the trivial route's throughput)",
        list / base
    );
    Ok(())
}

/// Sends `REQUESTS` requests (after `WARM_UP` uncounted ones) from
/// `CONCURRENCY` workers, cycling through `urls`; prints and returns the
/// requests per second.
async fn run_load(
    http: &reqwest::Client,
    name: &str,
    urls: &[String],
    auth: Option<&str>,
) -> Result<f64> {
    let urls = Arc::new(urls.to_vec());
    let auth = auth.map(str::to_owned);
    let mut figures = None;
    for count in [WARM_UP, REQUESTS] {
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..CONCURRENCY {
            let (http, urls, auth, next) = (http.clone(), urls.clone(), auth.clone(), next.clone());
            workers.spawn(async move {
                let mut bytes = 0usize;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= count {
                        return Ok::<_, reqwest::Error>(bytes);
                    }
                    let mut request = http.get(&urls[n % urls.len()]);
                    if let Some(auth) = &auth {
                        request = request.header("authorization", auth);
                    }
                    bytes += request
                        .send()
                        .await?
                        .error_for_status()?
                        .bytes()
                        .await?
                        .len();
                }
            });
        }
        let mut bytes = 0;
        while let Some(done) = workers.join_next().await {
            bytes += done??;
        }
        figures = Some((started.elapsed(), bytes));
    }
    let (elapsed, bytes) = figures.ok_or("no run")?;
    let rate = REQUESTS as f64 / elapsed.as_secs_f64();
    println!(
        "{name}: {REQUESTS} requests in {:.2} s: {rate:.0} requests/s, mean {:.2} ms at {CONCURRENCY} in flight, {} bytes/response",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 * CONCURRENCY as f64 / REQUESTS as f64,
        bytes / REQUESTS,
    );
    Ok(rate)
}
