//! Shared setup: an emulator and an SDK client pointed at it.

// Shared by every test module; not each one uses every helper.
#![allow(dead_code)]

use std::time::Duration;

use apivideo::{Client, Config, RetryPolicy};
use apivideo_emulator::{Config as EmulatorConfig, Emulator};

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
