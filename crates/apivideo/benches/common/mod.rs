//! Shared by the SDK benchmarks: the emulator in a child process (this same
//! bench binary, re-run with `APIVIDEO_BENCH_EMULATOR=1`, so its memory and
//! CPU are not the client's), `/proc` memory figures, and generated files.

// Each bench uses part of this module.
#![allow(dead_code)]

use std::error::Error;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

pub type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// The API key of the emulator's one project.
pub const KEY: &str = "bench-key";
pub const MIB: u64 = 1024 * 1024;
/// Set in the child process that serves the emulator.
const CHILD_ENV: &str = "APIVIDEO_BENCH_EMULATOR";

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / MIB as f64
}

/// In the child process, serves the emulator until stdin closes and returns
/// `true`; in the bench itself, returns `false` at once.
pub fn serve_if_child() -> Result<bool> {
    if std::env::var_os(CHILD_ENV).is_none() {
        return Ok(false);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let emulator = apivideo_emulator::Emulator::start(
            apivideo_emulator::Config::default().with_api_key(KEY),
        )
        .await?;
        println!("listening on {}", emulator.base_url());
        std::io::stdout().flush()?;
        // The parent closes stdin (or dies): time to go.
        tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await??;
        emulator.shutdown().await;
        Ok::<_, Box<dyn Error + Send + Sync>>(())
    })?;
    Ok(true)
}

/// The emulator in a child process, killed on drop.
pub struct ChildEmulator {
    child: std::process::Child,
    base_url: String,
}

impl ChildEmulator {
    pub fn start() -> Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .env(CHILD_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
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

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for ChildEmulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `Vm*` figure of this process's `/proc/self/status`, in bytes.
pub fn self_status(field: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .ok_or_else(|| format!("no {field} in /proc/self/status"))?;
    let kib: u64 = line.trim().trim_end_matches("kB").trim().parse()?;
    Ok(kib * 1024)
}

/// Samples the RSS of `/proc/self/status` every 2 ms on a thread until
/// stopped, keeping the highest: `VmHWM` alone can miss a peak, since the
/// kernel folds a short-lived peak into it only at some points (an unmap).
pub struct RssSampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<u64>>,
}

impl RssSampler {
    pub fn start() -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peak = 0;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(rss) = self_status("VmRSS") {
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
    pub fn stop(mut self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.take().map_or(0, |t| t.join().unwrap_or(0))
    }
}

/// Resets this process's peak RSS (`VmHWM`) to its current RSS.
pub fn reset_peak() -> Result<()> {
    std::fs::write("/proc/self/clear_refs", "5")?;
    Ok(())
}

/// A temporary file of `size` pseudo-random bytes (deleted on drop).
pub fn generate(size: u64) -> Result<tempfile::NamedTempFile> {
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

/// The machine's load averages (1, 5, 15 min), printed with the figures:
/// other work on the machine moves them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The median of some figures.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}
