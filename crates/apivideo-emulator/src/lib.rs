//! A local, stateful emulator of the api.video API.
//!
//! It serves every operation of `openapi.yaml` with the JSON types of
//! `apivideo-raw`, keeps its state in SQLite and its media on disk, and
//! simulates encoding, live broadcasts, webhooks and faults (rate limits, 5xx answers,
//! dropped connections, latency) on demand.
//!
//! Start it in-process in a test:
//!
//! ```no_run
//! # async fn demo() -> Result<(), apivideo_emulator::StartError> {
//! let emulator = apivideo_emulator::Emulator::start(apivideo_emulator::Config::default()).await?;
//! println!("{} with key {}", emulator.base_url(), emulator.api_key());
//! // dropping `emulator` stops it
//! # Ok(()) }
//! ```
//!
//! Or run the binary beside a service: `apivideo-emulator --listen 127.0.0.1:8080`.
#![forbid(unsafe_code)]

mod admin;
mod auth;
pub mod cli;
mod clock;
mod config;
mod db;
mod delivery;
mod drain;
mod extract;
mod faults;
mod form;
mod formats;
mod ids;
mod media;
mod metrics;
mod multipart_guard;
mod pagination;
mod private;
mod problem;
mod routes;
mod server;
mod settings;
mod state;
mod stats;
mod store;
mod webhook_guard;

pub use config::{Config, Durability, FaultSettings, RateLimit, UploadLimits, WebhookTargets};
pub use server::{Emulator, StartError};
pub use stats::Stats;

/// The README's Rust example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
