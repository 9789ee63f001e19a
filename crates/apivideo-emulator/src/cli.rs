//! The emulator as a command: its options (shared by the
//! `apivideo-emulator` binary and the `apivideo emulator` command of the
//! command line) and [`run`], which serves until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::{Config, Durability, Emulator, FaultSettings, RateLimit, WebhookTargets};

/// The values of `--durability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[non_exhaustive]
pub enum DurabilityArg {
    /// Writes survive the process being killed.
    Process,
    /// Writes also survive a power loss.
    Full,
}

/// The emulator's options, as flags (each with an environment variable).
#[derive(Debug, Clone, clap::Args)]
#[non_exhaustive]
pub struct Options {
    /// Address to listen on; port 0 picks a free port.
    #[arg(
        long,
        env = "APIVIDEO_EMULATOR_LISTEN",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: SocketAddr,
    /// An API key to accept (repeat for several projects). None: one is generated and printed.
    #[arg(
        long = "api-key",
        env = "APIVIDEO_EMULATOR_API_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub api_keys: Vec<String>,
    /// The bearer token of the admin routes that act on every project
    /// (/_emulator/faults, /_emulator/stats, /_emulator/tokens,
    /// /_emulator/clock/advance); no API key opens them. None: one is
    /// generated and printed.
    #[arg(
        long = "admin-token",
        env = "APIVIDEO_EMULATOR_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// Keep state and media here across restarts. Default: a temporary directory removed on exit.
    #[arg(long, env = "APIVIDEO_EMULATOR_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Access token lifetime in seconds.
    #[arg(long, env = "APIVIDEO_EMULATOR_TOKEN_TTL", default_value_t = 3600)]
    pub token_ttl: u64,
    /// Simulated encoding time in milliseconds.
    #[arg(
        long,
        env = "APIVIDEO_EMULATOR_ENCODING_DELAY_MS",
        default_value_t = 200
    )]
    pub encoding_delay_ms: u64,
    /// How long a broadcast goes on after its live stream is completed, in milliseconds.
    #[arg(
        long,
        env = "APIVIDEO_EMULATOR_COMPLETE_DELAY_MS",
        default_value_t = 500
    )]
    pub complete_delay_ms: u64,
    /// The wait between the attempts of a failed webhook delivery, in milliseconds.
    #[arg(
        long,
        env = "APIVIDEO_EMULATOR_WEBHOOK_RETRY_DELAY_MS",
        default_value_t = 3000
    )]
    pub webhook_retry_delay_ms: u64,
    /// The URL clients reach the emulator at (asset URLs and links use it).
    #[arg(long, env = "APIVIDEO_EMULATOR_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Turn Video Restore on for every project: deleting a video discards
    /// it, restorable for 90 days. A project can still change its own
    /// setting with PATCH /_emulator/settings.
    #[arg(long, env = "APIVIDEO_EMULATOR_VIDEO_RESTORE")]
    pub video_restore: bool,
    /// Deliver webhooks to private ranges too (10/8, 172.16/12,
    /// 192.168/16, 100.64/10, fc00::/7). Link-local and metadata addresses
    /// are refused whatever the flags.
    #[arg(long, env = "APIVIDEO_EMULATOR_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,
    /// Refuse webhooks to loopback addresses and localhost, allowed by
    /// default so that local receivers work.
    #[arg(long, env = "APIVIDEO_EMULATOR_WEBHOOK_DENY_LOOPBACK")]
    pub webhook_deny_loopback: bool,
    /// How hard a write is made durable before it is acknowledged: `process`
    /// survives the emulator being killed, `full` also a power loss (an
    /// fsync per write).
    #[arg(long, env = "APIVIDEO_EMULATOR_DURABILITY", value_enum, default_value_t = DurabilityArg::Process)]
    pub durability: DurabilityArg,
    /// Seconds a connection may take to send a request's headers (idle
    /// keep-alive time included) before it is closed.
    #[arg(long, env = "APIVIDEO_EMULATOR_HEADER_TIMEOUT", default_value_t = 30)]
    pub header_timeout: u64,
    /// Seconds a connection may go without a byte read or written before
    /// it is closed.
    #[arg(long, env = "APIVIDEO_EMULATOR_IDLE_TIMEOUT", default_value_t = 120)]
    pub idle_timeout: u64,
    /// Answer 429 past this many requests per rate-limit window.
    #[arg(long, env = "APIVIDEO_EMULATOR_RATE_LIMIT")]
    pub rate_limit: Option<u32>,
    /// Rate-limit window in milliseconds.
    #[arg(
        long,
        env = "APIVIDEO_EMULATOR_RATE_LIMIT_WINDOW_MS",
        default_value_t = 1000
    )]
    pub rate_limit_window_ms: u64,
    /// Share of requests (0 to 1) answered 500, 502 or 503.
    #[arg(long, env = "APIVIDEO_EMULATOR_ERROR_RATE", default_value_t = 0.0)]
    pub error_rate: f64,
    /// Share of requests (0 to 1) whose connection is dropped without an answer.
    #[arg(long, env = "APIVIDEO_EMULATOR_DROP_RATE", default_value_t = 0.0)]
    pub drop_rate: f64,
    /// Share of requests (0 to 1) handled in full, then dropped without an answer.
    #[arg(long, env = "APIVIDEO_EMULATOR_DROP_AFTER_RATE", default_value_t = 0.0)]
    pub drop_after_rate: f64,
    /// Latency added to every API request (or to those of --slow-path), in milliseconds.
    #[arg(long, env = "APIVIDEO_EMULATOR_LATENCY_MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// A path prefix, e.g. /auth/, that the latency applies to (repeat for
    /// several). None: every API path.
    #[arg(
        long = "slow-path",
        env = "APIVIDEO_EMULATOR_SLOW_PATHS",
        value_delimiter = ','
    )]
    pub slow_paths: Vec<String>,
    /// Seeds the random fault draws, so that the same requests, sent one at
    /// a time, meet the same faults on every run.
    #[arg(long, env = "APIVIDEO_EMULATOR_FAULT_SEED")]
    pub fault_seed: Option<u64>,
    /// Make generation from speech fail: automatic summaries end `failed`
    /// and transcripts write no caption.
    #[arg(long, env = "APIVIDEO_EMULATOR_FAIL_GENERATION")]
    pub fail_generation: bool,
}

/// Logs to stderr: `RUST_LOG` takes `target=level` directives,
/// comma-separated, and a bare level for everything else (e.g.
/// `info,apivideo_emulator=debug`); the default is
/// `apivideo_emulator=info`. Does nothing if a subscriber is set already.
pub fn init_logging() {
    let default = || Targets::new().with_target("apivideo_emulator", Level::INFO);
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) => directives.parse::<Targets>().unwrap_or_else(|e| {
            eprintln!("warning: RUST_LOG ignored ({e}); logging apivideo_emulator=info");
            default()
        }),
        Err(_) => default(),
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .finish()
        .with(filter)
        .try_init();
}

/// Starts the emulator with these options, prints `listening on
/// http://HOST:PORT` (and, before it, the API key and the admin token
/// when it generated them) on stdout,
/// and serves until Ctrl-C or SIGTERM. Exits 2 on bad options, 1 when it
/// cannot start.
pub async fn run(args: Options) -> ExitCode {
    for (name, rate) in [
        ("--error-rate", args.error_rate),
        ("--drop-rate", args.drop_rate),
        ("--drop-after-rate", args.drop_after_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            eprintln!("error: {name} must be between 0 and 1");
            return ExitCode::from(2);
        }
    }
    for (name, seconds) in [
        ("--header-timeout", args.header_timeout),
        ("--idle-timeout", args.idle_timeout),
    ] {
        if seconds == 0 {
            eprintln!("error: {name} must be at least 1 second");
            return ExitCode::from(2);
        }
    }
    let generated = args.api_keys.is_empty();
    let admin_generated = args.admin_token.as_deref().is_none_or(str::is_empty);
    let config = Config {
        listen: args.listen,
        api_keys: args.api_keys,
        admin_token: args.admin_token,
        data_dir: args.data_dir,
        token_ttl: Duration::from_secs(args.token_ttl),
        encoding_delay: Duration::from_millis(args.encoding_delay_ms),
        complete_delay: Duration::from_millis(args.complete_delay_ms),
        webhook_retry_delay: Duration::from_millis(args.webhook_retry_delay_ms),
        public_url: args.public_url,
        video_restore: args.video_restore,
        webhook_targets: WebhookTargets {
            allow_loopback: !args.webhook_deny_loopback,
            allow_private: args.webhook_allow_private,
        },
        durability: match args.durability {
            DurabilityArg::Process => Durability::Process,
            DurabilityArg::Full => Durability::Full,
        },
        header_timeout: Duration::from_secs(args.header_timeout),
        idle_timeout: Duration::from_secs(args.idle_timeout),
        faults: FaultSettings {
            rate_limit: args.rate_limit.map(|limit| RateLimit {
                limit,
                window_ms: args.rate_limit_window_ms,
            }),
            error_rate: args.error_rate,
            drop_rate: args.drop_rate,
            drop_after_rate: args.drop_after_rate,
            latency_ms: args.latency_ms,
            slow_paths: args.slow_paths,
            seed: args.fault_seed,
            fail_generation: args.fail_generation,
            ..FaultSettings::default()
        },
        ..Config::default()
    };
    let emulator = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if generated {
        // The operator asked for no key, so showing the generated one is the point.
        println!("generated API key: {}", emulator.api_key());
    }
    if admin_generated {
        // Likewise: the operator needs it to reach the admin routes.
        println!("admin token: {}", emulator.admin_token());
    }
    println!("listening on http://{}", emulator.local_addr());
    wait_for_signal().await;
    tracing::info!("shutting down");
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
