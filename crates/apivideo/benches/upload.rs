//! Upload throughput of a generated 1 GiB file through
//! `client.upload_video().video_id(id).file(..).send()` (default 50 MiB chunks) against
//! `curl` sending the same chunks to the same emulator, one process per
//! chunk; and the client's peak RSS during the SDK upload with 50 MiB and
//! 128 MiB chunks.
//!
//! Run with `cargo bench -p apivideo --bench upload`; see
//! `docs/benchmarks.md`. The emulator runs in a child process, so its memory
//! and CPU are not counted as the client's.

mod common;

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use apivideo::prelude::*;
use apivideo::types::VideoCreationPayload;
use apivideo::{Client, Config, DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE};
use common::{ChildEmulator, KEY, MIB, Result, mib};

/// Size of the uploaded file.
const SIZE: u64 = 1024 * MIB;
/// Measured rounds of SDK and curl uploads, alternated.
const ROUNDS: usize = 3;
/// The client's memory target during an upload, whatever the chunk size.
const RSS_TARGET: u64 = 64 * MIB;

fn main() -> Result<()> {
    if common::serve_if_child()? {
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!("load average at start: {}", common::load_average());
    runtime.block_on(run())
}

async fn run() -> Result<()> {
    let file = common::generate(SIZE)?;
    let emulator = ChildEmulator::start()?;
    let client = Client::with_config(Config::new(emulator.base_url()).with_api_key(KEY))?;
    println!(
        "== SDK upload vs curl: {} MiB file, {} MiB chunks, emulator in a child process",
        SIZE / MIB,
        DEFAULT_CHUNK_SIZE / MIB
    );

    // Not timed: curl cannot send a byte range of a file with -F, so it
    // gets the same chunks as separate files.
    let chunk_dir = tempfile::Builder::new()
        .prefix("apivideo-bench-chunks-")
        .tempdir()?;
    let chunks = split(file.path(), chunk_dir.path(), DEFAULT_CHUNK_SIZE)?;
    let curl_version = Command::new("curl").arg("--version").output();
    let curl = match curl_version {
        Ok(out) if out.status.success() => {
            let version = String::from_utf8_lossy(&out.stdout);
            println!("curl: {}", version.lines().next().unwrap_or("?"));
            true
        }
        _ => {
            println!("curl: not found; only the SDK is measured (apt-get install -y curl)");
            false
        }
    };

    // Warm-up, not counted: the file and chunks in the page cache, the
    // connection pool, a token.
    sdk_upload(&client, file.path(), DEFAULT_CHUNK_SIZE).await?;

    let mut sdk_rates = Vec::new();
    let mut curl_rates = Vec::new();
    for round in 1..=ROUNDS {
        let (elapsed, _) = sdk_upload(&client, file.path(), DEFAULT_CHUNK_SIZE).await?;
        let sdk = mib(SIZE) / elapsed.as_secs_f64();
        print!(
            "round {round}: SDK {:.2} s ({sdk:.0} MiB/s)",
            elapsed.as_secs_f64()
        );
        sdk_rates.push(sdk);
        if curl {
            let elapsed = curl_upload(&client, &emulator, &chunks).await?;
            let rate = mib(SIZE) / elapsed.as_secs_f64();
            print!(", curl {:.2} s ({rate:.0} MiB/s)", elapsed.as_secs_f64());
            curl_rates.push(rate);
        }
        println!();
    }
    let sdk = common::median(sdk_rates);
    println!("SDK upload throughput (median of {ROUNDS}): {sdk:.0} MiB/s");
    if curl {
        let curl = common::median(curl_rates);
        println!("curl upload throughput (median of {ROUNDS}): {curl:.0} MiB/s");
        println!("ratio sdk/curl: {:.2} (target >= 0.80)", sdk / curl);
    }
    drop(chunk_dir);

    println!();
    println!("== SDK client peak RSS during a {} MiB upload", SIZE / MIB);
    for chunk in [DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE] {
        let sampler = common::RssSampler::start();
        common::reset_peak()?;
        let before = common::self_status("VmHWM")?;
        let (elapsed, hwm) = sdk_upload(&client, file.path(), chunk).await?;
        let sampled = sampler.stop();
        let peak = hwm.max(sampled);
        println!(
            "{} MiB chunks: {:.0} MiB/s; client peak RSS before: {:.1} MiB, after: {:.1} MiB (highest 2 ms sample: {:.1} MiB)",
            chunk / MIB,
            mib(SIZE) / elapsed.as_secs_f64(),
            mib(before),
            mib(peak),
            mib(sampled)
        );
        println!(
            "ratio client peak RSS/target ({} MiB chunks): {:.2} (target <= 1.00, {} MiB)",
            chunk / MIB,
            peak as f64 / RSS_TARGET as f64,
            RSS_TARGET / MIB
        );
    }
    Ok(())
}

/// Uploads `path` to a new video with `chunk`-byte chunks, checks the size
/// the emulator reports, and deletes the video. Returns the upload's time
/// and this process's peak RSS right after it.
async fn sdk_upload(client: &Client, path: &Path, chunk: u64) -> Result<(Duration, u64)> {
    let video = create(client, "sdk upload").await?;
    let started = Instant::now();
    client
        .upload_video()
        .video_id(&video)
        .chunk_size(chunk)
        .file(path)
        .send()
        .await?;
    let elapsed = started.elapsed();
    let peak = common::self_status("VmHWM")?;
    check_and_delete(client, &video).await?;
    Ok((elapsed, peak))
}

/// Sends the chunk files one by one, each with its own `curl` process, to a
/// new video; checks and deletes the video. Returns the time of the sends.
async fn curl_upload(
    client: &Client,
    emulator: &ChildEmulator,
    chunks: &[PathBuf],
) -> Result<Duration> {
    let video = create(client, "curl upload").await?;
    let url = emulator.url(&format!("/videos/{video}/source"));
    let parts = chunks.len();
    let started = Instant::now();
    for (index, chunk) in chunks.iter().enumerate() {
        let status = Command::new("curl")
            .args(["-sS", "--fail", "-o", "/dev/null", "-u"])
            .arg(format!("{KEY}:"))
            .arg("-H")
            .arg(format!("Content-Range: part {}/{parts}", index + 1))
            .arg("-F")
            .arg(format!("file=@{}", chunk.display()))
            .arg(&url)
            .stdin(Stdio::null())
            .status()?;
        if !status.success() {
            return Err(format!("curl part {}/{parts}: {status}", index + 1).into());
        }
    }
    let elapsed = started.elapsed();
    check_and_delete(client, &video).await?;
    Ok(elapsed)
}

async fn create(client: &Client, title: &str) -> Result<String> {
    Ok(client
        .create_video()
        .body(VideoCreationPayload::builder().title(title))
        .send()
        .await?
        .video_id)
}

/// Checks that the emulator has the whole source, then deletes the video
/// (and its stored gigabytes).
async fn check_and_delete(client: &Client, video: &str) -> Result<()> {
    let status = client.get_video_status().video_id(video).send().await?;
    let ingest = status.ingest;
    if ingest.filesize != Some(SIZE as i64) {
        return Err(format!("emulator has {:?} bytes, sent {SIZE}", ingest.filesize).into());
    }
    client.delete_video().video_id(video).send().await?;
    Ok(())
}

/// Splits `path` into files of `chunk` bytes in `dir`, in order.
fn split(path: &Path, dir: &Path, chunk: u64) -> Result<Vec<PathBuf>> {
    let mut source = std::fs::File::open(path)?;
    let size = source.metadata()?.len();
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < size {
        let name = dir.join(format!("chunk-{:03}.bin", chunks.len() + 1));
        let mut out = std::fs::File::create(&name)?;
        source.seek(std::io::SeekFrom::Start(start))?;
        std::io::copy(&mut (&mut source).take(chunk), &mut out)?;
        out.flush()?;
        chunks.push(name);
        start += chunk;
    }
    Ok(chunks)
}
