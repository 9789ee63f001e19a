//! The emulator's configuration: where it listens, which API keys it knows,
//! how long tokens live, how long encoding takes, how long a completed
//! broadcast goes on, whether projects start with Video Restore on, which
//! faults it injects.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crate::db::Durability;
pub use crate::webhook_guard::WebhookTargets;

/// How to run an emulator. `Config::default()` listens on `127.0.0.1:0`
/// with one generated API key, a temporary data directory, one-hour tokens,
/// and short encoding and completion delays.
#[derive(Clone)]
pub struct Config {
    /// Address to bind; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The API keys it accepts, one project each. Empty: one is generated.
    pub api_keys: Vec<String>,
    /// The bearer token of the admin routes that act on the whole emulator
    /// (`/_emulator/faults`, `/_emulator/stats`, `/_emulator/tokens`,
    /// `/_emulator/clock/advance`). No API key grants them. `None`: one is
    /// generated at start ([`crate::Emulator::admin_token`]).
    pub admin_token: Option<String>,
    /// Where state and media live. `None`: a temporary directory removed
    /// when the emulator stops.
    pub data_dir: Option<PathBuf>,
    /// Lifetime of access tokens.
    pub token_ttl: Duration,
    /// How long simulated encoding takes after an upload completes.
    pub encoding_delay: Duration,
    /// How long a broadcast goes on after `PUT /live-streams/{id}/complete`
    /// before it ends (the API says "a few seconds").
    pub complete_delay: Duration,
    /// The wait between the attempts of a webhook delivery that failed (an
    /// answer above 299, or none); the API waits 3 seconds.
    pub webhook_retry_delay: Duration,
    /// The URL clients reach it at, used in asset URLs and pagination
    /// links. `None`: `http://` plus the bound address.
    pub public_url: Option<String>,
    /// Largest JSON request body accepted.
    pub max_json_body: usize,
    /// Largest multipart request (one upload chunk) accepted.
    pub max_upload_request: usize,
    /// The API's bounds on a video source's pieces: a file sent whole, and
    /// each chunk of a source sent in several.
    pub upload_limits: UploadLimits,
    /// Whether every project starts with Video Restore on: deleting a video
    /// then discards it, restorable for 90 days, instead of deleting it for
    /// good. Off by default, as on the API; a project changes its own
    /// setting with `PATCH /_emulator/settings`.
    pub video_restore: bool,
    /// Which hosts webhooks may be delivered to: public ones, loopback
    /// (on by default, for test receivers) and private ranges (off by
    /// default). Link-local and metadata addresses never.
    pub webhook_targets: WebhookTargets,
    /// How hard a write is made durable before it is acknowledged.
    pub durability: Durability,
    /// How long a connection may take to send a request's headers, idle
    /// keep-alive time before the next request included. Past it the
    /// connection is closed.
    pub header_timeout: Duration,
    /// How long a connection may go without a byte read or written, in the
    /// middle of a body for instance, before it is closed.
    pub idle_timeout: Duration,
    /// Faults injected from the start.
    pub faults: FaultSettings,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_keys: Vec::new(),
            admin_token: None,
            data_dir: None,
            token_ttl: Duration::from_secs(3600),
            encoding_delay: Duration::from_millis(200),
            complete_delay: Duration::from_millis(500),
            webhook_retry_delay: Duration::from_secs(3),
            public_url: None,
            max_json_body: 1024 * 1024,
            max_upload_request: 256 * 1024 * 1024,
            upload_limits: UploadLimits::default(),
            video_restore: false,
            webhook_targets: WebhookTargets::default(),
            durability: Durability::default(),
            header_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(120),
            faults: FaultSettings::default(),
        }
    }
}

impl Config {
    /// Adds an API key (a project).
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys.push(key.into());
        self
    }

    /// Sets the admin token, instead of a generated one.
    pub fn with_admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Sets the lifetime of access tokens.
    pub fn with_token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Sets the simulated encoding time.
    pub fn with_encoding_delay(mut self, delay: Duration) -> Self {
        self.encoding_delay = delay;
        self
    }

    /// Sets how long a broadcast goes on after its live stream is completed.
    pub fn with_complete_delay(mut self, delay: Duration) -> Self {
        self.complete_delay = delay;
        self
    }

    /// Sets the wait between the attempts of a failed webhook delivery.
    pub fn with_webhook_retry_delay(mut self, delay: Duration) -> Self {
        self.webhook_retry_delay = delay;
        self
    }

    /// Keeps state and media in `dir`, across restarts.
    pub fn with_data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Sets the address to bind.
    pub fn with_listen(mut self, listen: SocketAddr) -> Self {
        self.listen = listen;
        self
    }

    /// Sets the public URL used in asset URLs and links.
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    /// Turns Video Restore on (or off) for every project that has not
    /// changed its own setting.
    pub fn with_video_restore(mut self, on: bool) -> Self {
        self.video_restore = on;
        self
    }

    /// Sets which hosts webhooks may be delivered to.
    pub fn with_webhook_targets(mut self, targets: WebhookTargets) -> Self {
        self.webhook_targets = targets;
        self
    }

    /// Sets the bounds on a video source's pieces.
    pub fn with_upload_limits(mut self, limits: UploadLimits) -> Self {
        self.upload_limits = limits;
        self
    }

    /// Sets how hard writes are made durable.
    pub fn with_durability(mut self, durability: Durability) -> Self {
        self.durability = durability;
        self
    }

    /// Sets the header and idle timeouts of connections.
    pub fn with_timeouts(mut self, header: Duration, idle: Duration) -> Self {
        self.header_timeout = header;
        self.idle_timeout = idle;
        self
    }

    /// Sets the faults injected from the start.
    pub fn with_faults(mut self, faults: FaultSettings) -> Self {
        self.faults = faults;
        self
    }
}

impl fmt::Debug for Config {
    /// API keys and the admin token are secrets: only the keys' number is
    /// shown, and whether an admin token was set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field(
                "api_keys",
                &format_args!("[{} redacted]", self.api_keys.len()),
            )
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "[redacted]"),
            )
            .field("data_dir", &self.data_dir)
            .field("token_ttl", &self.token_ttl)
            .field("encoding_delay", &self.encoding_delay)
            .field("complete_delay", &self.complete_delay)
            .field("webhook_retry_delay", &self.webhook_retry_delay)
            .field("public_url", &self.public_url)
            .field("max_json_body", &self.max_json_body)
            .field("max_upload_request", &self.max_upload_request)
            .field("upload_limits", &self.upload_limits)
            .field("video_restore", &self.video_restore)
            .field("webhook_targets", &self.webhook_targets)
            .field("durability", &self.durability)
            .field("header_timeout", &self.header_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("faults", &self.faults)
            .finish()
    }
}

/// Faults injected into API requests (not into `/_emulator` admin calls nor
/// asset downloads), and one into background generation
/// (`fail_generation`). Changeable at run time through the admin API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FaultSettings {
    /// Answer 429 once more than `limit` requests arrive in a window. The
    /// first window starts when the settings are applied.
    pub rate_limit: Option<RateLimit>,
    /// Share of requests (0.0 to 1.0) answered with a server error.
    pub error_rate: f64,
    /// The statuses server errors are drawn from; empty means 500, 502, 503.
    pub error_statuses: Vec<u16>,
    /// Share of requests (0.0 to 1.0) whose connection is closed without
    /// an answer.
    pub drop_rate: f64,
    /// Share of requests (0.0 to 1.0) handled in full, their changes
    /// stored, whose connection is then closed without an answer: a retry
    /// of such a request repeats work already done.
    pub drop_after_rate: f64,
    /// Latency added before each request is handled, in milliseconds (only
    /// to the requests of `slow_paths`, if any).
    pub latency_ms: u64,
    /// Path prefixes (e.g. `/auth/`) of the requests `latency_ms` applies
    /// to; empty means every request.
    pub slow_paths: Vec<String>,
    /// Share of requests (0.0 to 1.0) outside `/auth/*` answered 401 as if
    /// their credential had expired.
    pub unauthorized_rate: f64,
    /// Seeds the random draws of `error_rate`, `drop_rate`,
    /// `drop_after_rate`, `unauthorized_rate` and `error_statuses`, so the
    /// same requests, sent one at a time, meet the same faults on every run
    /// (for a given build of the emulator). Each change of the settings
    /// restarts the sequence. Unset, the draws are unpredictable.
    pub seed: Option<u64>,
    /// Only the requests of this project (its id, `pr…`: see
    /// [`crate::Emulator::project_id`] or `GET /_emulator/project`) meet the
    /// request faults; requests without its credential pass untouched.
    /// `None`: every request.
    pub project: Option<String>,
    /// Not a request fault: while set, what the emulator generates from a
    /// video's speech when the video finishes encoding fails. Summaries
    /// with `origin: auto` end with `sourceStatus: failed`, and captions
    /// asked for with `transcript: true` are not written; no webhook is
    /// sent for either.
    pub fail_generation: bool,
}

/// The API's bounds on the pieces of a video source. The defaults are the
/// API's: a file sent whole in one request up to 200 MiB; in chunks, each
/// from 5 to 128 MiB, but the last, which may be smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// Largest file sent whole, without `Content-Range`.
    pub max_whole: u64,
    /// Smallest chunk, the last one of a source excepted.
    pub min_chunk: u64,
    /// Largest chunk.
    pub max_chunk: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        const MIB: u64 = 1024 * 1024;
        Self {
            max_whole: 200 * MIB,
            min_chunk: 5 * MIB,
            max_chunk: 128 * MIB,
        }
    }
}

impl UploadLimits {
    /// No lower bound on chunks: for tests of ingest logic that send
    /// chunks of a few bytes. The upper bounds stay the API's.
    pub fn any_chunk_size() -> Self {
        Self {
            min_chunk: 1,
            ..Self::default()
        }
    }
}

/// A fixed-window rate limit over all API requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u32,
    /// Window length in milliseconds.
    pub window_ms: u64,
}
