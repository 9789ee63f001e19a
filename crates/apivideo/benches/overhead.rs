//! Per-request overhead of the SDK: `client.get_video()` against the same
//! `GET /videos/{id}` sent by a bare `reqwest::Client` with a bearer token
//! fetched beforehand, both decoding the answer into a `Video`: sequential
//! requests on the same emulator, interleaved one by one so drift hits both.
//!
//! Run with `cargo bench -p apivideo --bench overhead`; see
//! `docs/benchmarks.md`. The emulator runs in a child process.

mod common;

use std::time::{Duration, Instant};

use apivideo::prelude::*;
use apivideo::types::{Video, VideoCreationPayload};
use apivideo::{Client, Config};
use common::{ChildEmulator, KEY, Result};

/// Uncounted requests of each kind first.
const WARM_UP: usize = 500;
/// Measured requests of each kind, interleaved one by one.
const REQUESTS: usize = 5_000;

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
    let emulator = ChildEmulator::start()?;
    let client = Client::with_config(Config::new(emulator.base_url()).with_api_key(KEY))?;
    let video = client
        .create_video()
        .body(VideoCreationPayload::builder().title("overhead"))
        .send()
        .await?
        .video_id;

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
    let url = emulator.url(&format!("/videos/{video}"));

    let sdk_get = || async {
        let got = client.get_video().video_id(&video).send().await?;
        Ok::<Video, Box<dyn std::error::Error + Send + Sync>>(got)
    };
    let bare_get = || async {
        let got: Video = http
            .get(&url)
            .header("authorization", &bearer)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok::<Video, Box<dyn std::error::Error + Send + Sync>>(got)
    };

    for _ in 0..WARM_UP {
        sdk_get().await?;
        bare_get().await?;
    }
    let mut sdk = Vec::with_capacity(REQUESTS);
    let mut bare = Vec::with_capacity(REQUESTS);
    for n in 0..REQUESTS {
        // One of each per step, the order alternating: drift and periodic
        // stalls of the machine hit both alike.
        for sdk_turn in [n % 2 == 0, n % 2 == 1] {
            let started = Instant::now();
            let got = if sdk_turn {
                sdk_get().await?
            } else {
                bare_get().await?
            };
            let elapsed = started.elapsed();
            check(&got, &video)?;
            if sdk_turn {
                sdk.push(elapsed);
            } else {
                bare.push(elapsed);
            }
        }
    }

    println!(
        "== GET /videos/{{id}}: SDK vs bare reqwest, {} sequential requests each after {WARM_UP} warm-up",
        sdk.len()
    );
    let (sdk_mean, sdk_p50) = report("SDK client.get_video()", &mut sdk);
    let (bare_mean, bare_p50) = report("bare reqwest + bearer", &mut bare);
    println!(
        "SDK overhead per request: {:.1} µs (mean), {:.1} µs (median)",
        (sdk_mean - bare_mean) * 1e6,
        (sdk_p50 - bare_p50) * 1e6
    );
    println!(
        "ratio sdk/reqwest mean latency: {:.3} (target <= 1.10)",
        sdk_mean / bare_mean
    );
    println!(
        "ratio sdk/reqwest median latency: {:.3} (less sensitive to stalls)",
        sdk_p50 / bare_p50
    );
    Ok(())
}

fn check(got: &Video, video: &str) -> Result<()> {
    if got.video_id == video {
        Ok(())
    } else {
        Err(format!("asked for {video}, got {}", got.video_id).into())
    }
}

/// Prints mean, median and 99th percentile; returns the mean and the
/// median, in seconds.
fn report(name: &str, latencies: &mut [Duration]) -> (f64, f64) {
    latencies.sort();
    let mean = latencies.iter().map(Duration::as_secs_f64).sum::<f64>() / latencies.len() as f64;
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize].as_secs_f64();
    let slow = latencies
        .iter()
        .filter(|d| *d > &Duration::from_millis(1))
        .count();
    println!(
        "{name}: mean {:.1} µs, p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, {slow} of {} over 1 ms",
        mean * 1e6,
        at(0.5) * 1e6,
        at(0.9) * 1e6,
        at(0.99) * 1e6,
        latencies.len()
    );
    (mean, at(0.5))
}
