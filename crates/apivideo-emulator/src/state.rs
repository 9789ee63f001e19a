//! The state every handler shares.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex};

use crate::clock::Clock;
use crate::config::{Config, FaultSettings};
use crate::db::{Db, DbResult};
use crate::media::MediaStore;
use crate::stats::Counters;

/// Cheap to clone; handlers take it with `State(state)`.
#[derive(Clone, Debug)]
pub(crate) struct AppState(Arc<Inner>);

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) db: Db,
    /// Where the dates the API shows come from (see [`Clock`]).
    pub(crate) clock: Clock,
    pub(crate) media: MediaStore,
    /// The URL clients reach the emulator at, without a trailing slash.
    pub(crate) base_url: String,
    /// API key → project id. (Secret keys: `Inner`'s `Debug` skips it.)
    projects: HashMap<String, String>,
    /// The fault settings; lock it before `rate` and `fault_rng`.
    faults: Mutex<FaultSettings>,
    pub(crate) rate: crate::faults::RateWindow,
    /// The random draws of faults: seeded by the settings, or from the OS.
    pub(crate) fault_rng: crate::faults::FaultRng,
    pub(crate) counters: Counters,
    /// Serializes the read-modify-write updates of each video's ingest state.
    pub(crate) ingest_locks: Stripes,
    /// Serializes the read-modify-write updates of each live stream, so a
    /// broadcast that ends in the background never races an update.
    pub(crate) live_stream_locks: Stripes,
    /// Runs background work (encoding, completions, webhook delivery) that must not
    /// outlive the server.
    pub(crate) tasks: tokio_util::task::TaskTracker,
    pub(crate) shutdown: tokio_util::sync::CancellationToken,
    /// The HTTP client webhooks are delivered with (see
    /// [`crate::webhook_guard`]).
    pub(crate) http: reqwest::Client,
    /// Caps the webhook POSTs in flight at once.
    pub(crate) deliveries: tokio::sync::Semaphore,
    /// Derives the tokens of private videos' asset URLs.
    pub(crate) private_key: crate::private::TokenKey,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl std::fmt::Debug for Inner {
    /// Never the API keys (the `projects` map is keyed by them); the
    /// configuration redacts its own secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .field("base_url", &self.base_url)
            .field("projects", &self.projects.len())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state over an opened database, whose clock offset it reads.
    pub(crate) fn new(
        config: Config,
        db: Db,
        media: MediaStore,
        base_url: String,
    ) -> DbResult<Self> {
        let clock = Clock::load(&db)?;
        let projects = config
            .api_keys
            .iter()
            .map(|k| (k.clone(), project_id(k)))
            .collect();
        let fault_rng = crate::faults::FaultRng::new(config.faults.seed);
        let faults = Mutex::new(config.faults.clone());
        let http = crate::webhook_guard::client(config.webhook_targets);
        Ok(Self(Arc::new(Inner {
            config,
            db,
            clock,
            media,
            base_url,
            projects,
            faults,
            rate: crate::faults::RateWindow::default(),
            fault_rng,
            counters: Counters::default(),
            ingest_locks: Stripes::default(),
            live_stream_locks: Stripes::default(),
            tasks: tokio_util::task::TaskTracker::new(),
            shutdown: tokio_util::sync::CancellationToken::new(),
            http,
            deliveries: tokio::sync::Semaphore::new(crate::delivery::MAX_IN_FLIGHT),
            private_key: crate::private::TokenKey::random(),
        })))
    }

    /// Now on the emulator's clock, to the millisecond: the time of every
    /// date the API shows.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The ids of every project.
    pub(crate) fn project_ids(&self) -> impl Iterator<Item = &str> {
        self.projects.values().map(String::as_str)
    }

    /// The project of an API key, if the key is known.
    pub(crate) fn project_of_key(&self, key: &str) -> Option<&str> {
        self.projects.get(key).map(String::as_str)
    }

    /// The current fault settings.
    pub(crate) fn faults(&self) -> FaultSettings {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the fault settings, starting a new rate-limit window and,
    /// when seeded, a new sequence of random draws.
    pub(crate) fn set_faults(&self, faults: FaultSettings) {
        let mut current = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        self.rate.restart();
        self.fault_rng.reseed(faults.seed);
        *current = faults;
    }

    /// Runs `work` in the background until done or until the server stops.
    pub(crate) fn spawn<F>(&self, work: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let cancel = self.shutdown.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                () = work => {}
                () = cancel.cancelled() => {}
            }
        });
    }
}

/// One lock per stripe of keys, for read-modify-write sequences on a key
/// that must not interleave.
#[derive(Debug)]
pub(crate) struct Stripes([tokio::sync::Mutex<()>; 64]);

impl Default for Stripes {
    fn default() -> Self {
        Self(std::array::from_fn(|_| tokio::sync::Mutex::new(())))
    }
}

impl Stripes {
    /// Locks the stripe of `key`.
    pub(crate) async fn lock(&self, key: &str) -> tokio::sync::MutexGuard<'_, ()> {
        let hash = key.bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        });
        self.0[hash % self.0.len()].lock().await
    }
}

/// A stable project id for an API key that does not reveal the key:
/// `pr` plus 16 hex digits of a hash.
pub(crate) fn project_id(key: &str) -> String {
    // FNV-1a: fixed forever, so a data directory keeps its projects across
    // restarts and upgrades.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("pr{hash:016x}")
}
