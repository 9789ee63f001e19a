//! Shared setup: an emulator and an SDK client pointed at it.

// Shared by every test module; not each one uses every helper.
#![allow(dead_code)]

use std::cell::RefCell;
use std::io::Write;
use std::marker::PhantomData;
use std::sync::Once;
use std::time::Duration;

use apivideo::{Client, Config, RetryPolicy};
use apivideo_emulator::{Config as EmulatorConfig, Emulator};
use tracing_subscriber::Layer as _;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt as _;

/// The API key of the emulator's first project.
pub const KEY: &str = "sdk-test-key";
/// A second project, for isolation tests.
pub const OTHER_KEY: &str = "sdk-other-key";

/// An emulator with two projects and the given token lifetime.
pub async fn emulator_with(token_ttl: Duration) -> Emulator {
    Emulator::start(
        EmulatorConfig::default()
            .with_api_key(KEY)
            .with_api_key(OTHER_KEY)
            .with_token_ttl(token_ttl),
    )
    .await
    .expect("emulator starts")
}

/// An emulator with one-hour tokens.
pub async fn emulator() -> Emulator {
    emulator_with(Duration::from_secs(3600)).await
}

/// A retry policy with short waits, so tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(6)
        .with_backoff(Duration::from_millis(10), Duration::from_millis(100))
}

/// Config for the emulator's first project, fast retries.
pub fn config(emulator: &Emulator) -> Config {
    Config::new(emulator.base_url())
        .with_api_key(KEY)
        .with_retry_policy(fast_retries())
}

/// A client for the emulator's first project.
pub fn client(emulator: &Emulator) -> Client {
    Client::with_config(config(emulator)).expect("valid config")
}

/// Requests the emulator received for `"METHOD /route"`.
pub fn requests(emulator: &Emulator, route: &str) -> u64 {
    emulator.stats().requests_to(route)
}

/// Calls to the two auth endpoints.
pub fn auth_calls(emulator: &Emulator) -> (u64, u64) {
    (
        requests(emulator, "POST /auth/api-key"),
        requests(emulator, "POST /auth/refresh"),
    )
}

thread_local! {
    /// The log buffer of the test running on this thread, if it captures.
    static CAPTURE: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// Writes into this thread's capture buffer, or nowhere when there is none.
struct CaptureWriter;

impl Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with(|capture| {
            if let Ok(mut capture) = capture.try_borrow_mut()
                && let Some(capture) = capture.as_mut()
            {
                capture.extend_from_slice(buf);
            }
        });
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capturing() -> bool {
    CAPTURE.with(|capture| capture.try_borrow().is_ok_and(|c| c.is_some()))
}

/// Installs, once per process, the global subscriber that feeds
/// [`capture_logs`].
///
/// It is global rather than a thread-local default because tracing caches
/// each callsite's interest process-wide: with a thread-local default, a
/// callsite first hit on another test's thread could be cached as "never"
/// and stay silent here. The filter is dynamic (asked at every event, its
/// interest is "sometimes"), so it works per thread without caching.
fn install_capture_subscriber() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_span_events(FmtSpan::NEW)
            .with_writer(|| CaptureWriter)
            .with_filter(tracing_subscriber::filter::dynamic_filter_fn(|_, _| {
                capturing()
            }));
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
            .expect("no other global subscriber in this test binary");
        tracing::callsite::rebuild_interest_cache();
    });
}

/// Captures, until dropped, every span and event logged on this thread (at
/// any level). Use it in a current-thread `#[tokio::test]`, where the SDK,
/// hyper and the in-process emulator all run on the test's thread.
pub struct LogCapture {
    /// Tied to the thread whose logs it captures.
    _not_send: PhantomData<*const ()>,
}

/// Starts capturing this thread's logs; see [`LogCapture`].
pub fn capture_logs() -> LogCapture {
    install_capture_subscriber();
    CAPTURE.with(|capture| {
        let mut capture = capture.borrow_mut();
        assert!(
            capture.is_none(),
            "logs are already captured on this thread"
        );
        *capture = Some(Vec::new());
    });
    LogCapture {
        _not_send: PhantomData,
    }
}

impl LogCapture {
    /// Everything captured so far.
    pub fn text(&self) -> String {
        CAPTURE.with(|capture| {
            String::from_utf8_lossy(capture.borrow().as_deref().unwrap_or_default()).into_owned()
        })
    }
}

impl Drop for LogCapture {
    fn drop(&mut self) {
        CAPTURE.with(|capture| *capture.borrow_mut() = None);
    }
}
