//! Per-request overhead of the SDK: `client.get_video()` against the same
//! `GET /videos/{id}` sent by a bare `reqwest::Client` with a bearer token
//! fetched beforehand, both decoding the answer into a `Video`: sequential
//! requests on the same emulator, interleaved one by one so drift hits both.
//! A third kind, the generated client with nothing but the bearer header
//! (no SDK layer), shows which share of the overhead is the generated
//! code's and which the SDK's.
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
/// Rounds; the figure is the median of the rounds' ratios, so one noisy
/// stretch of the machine does not decide it.
const ROUNDS: usize = 5;
/// Measured requests of each kind per round, interleaved one by one.
const REQUESTS: usize = 3_000;

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
    let generated = apivideo_raw::Client::new_with_client(
        emulator.base_url(),
        reqwest::Client::new(),
        apivideo_raw::hooks::Hooks::new(BearerOnly(bearer.parse()?)),
    );

    let sdk_get = || async {
        let got = client.get_video().video_id(&video).send().await?;
        Ok::<Video, Box<dyn std::error::Error + Send + Sync>>(got)
    };
    let generated_get = || async {
        let got = apivideo_raw::ClientVideosExt::get_video(&generated)
            .video_id(&video)
            .send()
            .await?;
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
    let mut sdk_all = Vec::with_capacity(ROUNDS * REQUESTS);
    let mut bare_all = Vec::with_capacity(ROUNDS * REQUESTS);
    let mut ratios = Vec::with_capacity(ROUNDS);
    let mut generated_ratios = Vec::with_capacity(ROUNDS);
    for round in 1..=ROUNDS {
        let mut sdk = Vec::with_capacity(REQUESTS);
        let mut bare = Vec::with_capacity(REQUESTS);
        let mut raw = Vec::with_capacity(REQUESTS);
        for n in 0..REQUESTS {
            // One of each kind per step, the order rotating: drift, periodic
            // stalls of the machine and the position in the step hit all
            // three alike.
            for turn in 0..3 {
                let started = Instant::now();
                let got = match (n + turn) % 3 {
                    0 => sdk_get().await?,
                    1 => bare_get().await?,
                    _ => generated_get().await?,
                };
                let elapsed = started.elapsed();
                check(&got, &video)?;
                match (n + turn) % 3 {
                    0 => sdk.push(elapsed),
                    1 => bare.push(elapsed),
                    _ => raw.push(elapsed),
                }
            }
        }
        let ratio = median(&mut sdk) / median(&mut bare);
        let generated_ratio = median(&mut raw) / median(&mut bare);
        println!(
            "round {round}: median ratio sdk/reqwest {ratio:.3}, generated client alone/reqwest {generated_ratio:.3}"
        );
        ratios.push(ratio);
        generated_ratios.push(generated_ratio);
        sdk_all.extend(sdk);
        bare_all.extend(bare);
    }

    println!(
        "== GET /videos/{{id}}: SDK vs bare reqwest, {} sequential requests each after {WARM_UP} warm-up",
        sdk_all.len()
    );
    let (sdk_mean, sdk_p50) = report("SDK client.get_video()", &mut sdk_all);
    let (bare_mean, bare_p50) = report("bare reqwest + bearer", &mut bare_all);
    println!(
        "SDK overhead per request: {:.1} µs (mean), {:.1} µs (median)",
        (sdk_mean - bare_mean) * 1e6,
        (sdk_p50 - bare_p50) * 1e6
    );
    println!(
        "ratio sdk/reqwest mean latency, all rounds: {:.3}",
        sdk_mean / bare_mean
    );
    ratios.sort_by(f64::total_cmp);
    generated_ratios.sort_by(f64::total_cmp);
    println!(
        "ratio generated client alone/reqwest median latency, median of {ROUNDS} rounds: {:.3}",
        generated_ratios[ROUNDS / 2]
    );
    println!(
        "ratio sdk/reqwest median latency, median of {ROUNDS} rounds: {:.3} (target <= 1.05)",
        ratios[ROUNDS / 2]
    );
    Ok(())
}

/// The generated client's hooks with nothing but a bearer token: no
/// retries, no refresh, no origin headers, no timeout.
struct BearerOnly(reqwest::header::HeaderValue);

impl apivideo_raw::hooks::RequestHooks for BearerOnly {
    fn prepare<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        _info: &'a apivideo_raw::hooks::OperationInfo,
    ) -> apivideo_raw::hooks::BoxFuture<'a, std::result::Result<(), String>> {
        request
            .headers_mut()
            .insert(reqwest::header::AUTHORIZATION, self.0.clone());
        Box::pin(async { Ok(()) })
    }
}

/// The median, in seconds.
fn median(latencies: &mut [Duration]) -> f64 {
    latencies.sort();
    latencies[latencies.len() / 2].as_secs_f64()
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
