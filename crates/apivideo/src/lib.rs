//! A Rust SDK for the [api.video](https://api.video) API.
//!
//! - Every operation of the API, typed, generated from `openapi.yaml`.
//! - Auth that refreshes its token before expiry, once for any number of
//!   concurrent requests, and retries a 401 once.
//! - Retries with exponential backoff and jitter on 429 (honouring the
//!   rate-limit headers), 502/503/504 and connection failures.
//! - Every list as a `futures::Stream` across pages.
//! - Uploads that stream from disk in chunks, resume, report progress, and
//!   work with delegated upload tokens.
//! - Webhook deliveries verified against their signature and read as typed
//!   events ([`webhooks`]), with an axum extractor behind the `axum`
//!   feature.
//!
//! ```no_run
//! use apivideo::prelude::*;
//! use apivideo::types::VideoCreationPayload;
//! use futures::TryStreamExt;
//!
//! # async fn demo() -> apivideo::Result<()> {
//! let client = apivideo::Client::from_env()?;
//!
//! // Create a video…
//! let video = client
//!     .create_video()
//!     .body(VideoCreationPayload::builder().title("Maths").tags(vec!["maths".to_owned()]))
//!     .send()
//!     .await?;
//!
//! // …upload its file in chunks, with progress…
//! client
//!     .upload_video()
//!     .video_id(&video.video_id)
//!     .on_progress(|p| println!("{}/{:?} bytes, part {}", p.bytes_sent, p.total_bytes, p.part))
//!     .file("maths.mp4")
//!     .send()
//!     .await?;
//!
//! // …and list videos as a stream across pages.
//! let maths: Vec<_> = client.list_videos().tag("maths").stream().try_collect().await?;
//! println!("{} maths video(s)", maths.len());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
mod call;
mod client;
mod config;
mod engine;
mod media;
pub mod metrics;
mod rate_limit;
mod retry;
mod untyped;
pub mod upload;
mod videos;
mod wait;
pub mod webhooks;

/// An answer with its status and headers: what every builder's
/// `send_with_response()` returns, where `send()` returns the body alone.
/// `into_inner()` gives the body.
///
/// ```no_run
/// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
/// use apivideo::prelude::*;
///
/// let answer = client
///     .get_video()
///     .video_id("vi4blUQJFrYWbaG44NChkH27")
///     .send_with_response()
///     .await?;
/// println!("{} {:?}", answer.status(), answer.headers().get("x-ratelimit-remaining"));
/// let video = answer.into_inner();
/// println!("{}", video.video_id);
/// # Ok(()) }
/// ```
pub use apivideo_raw::ResponseValue;
pub use apivideo_raw::convert;
pub use apivideo_raw::pagination;
pub use apivideo_raw::patch;
pub use apivideo_raw::types;
pub use apivideo_raw::unknown::UnknownValue;
pub use call::{CallExt, WithOptions};
pub use client::Client;
pub use config::{
    AuthMode, Config, DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, PRODUCTION_URL,
    SANDBOX_URL,
};
pub use error::{ApiError, AuthError, Error, Result, SourceError, SourceErrorKind};
pub use media::{
    MediaFile, UploadCaption, UploadChapter, UploadLiveStreamThumbnail, UploadPlayerLogo,
    UploadVideoThumbnail, UploadWatermark,
};
pub use metrics::{GetAggregatedMetrics, GetMetricsBreakdown, GetMetricsOverTime};
pub use pagination::{Page, Paginated};
pub use rate_limit::RateLimit;
pub use retry::RetryPolicy;
pub use untyped::UntypedCall;
pub use upload::{Progress, VideoUpload};
pub use videos::{ListDiscardedVideos, ListVideoSessions, ListVideos};

/// The SDK's error types: one [`Error`] for every operation.
pub mod error {
    pub use apivideo_raw::error::{
        ApiError, AuthError, Error, Result, SourceError, SourceErrorKind,
    };
}

/// The generated request builders, one per operation.
pub use apivideo_raw::builder;

/// The generated client underneath ([`Client::raw`] returns its `Client`),
/// for what the SDK does not wrap: its hooks seam and the spec's index.
pub use apivideo_raw as raw;

/// The README's example, compiled as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The client, the per-tag operation traits, [`Paginated`] and
/// [`CallExt`]: `use apivideo::prelude::*;`.
pub mod prelude {
    pub use crate::call::CallExt;
    pub use crate::pagination::Paginated;
    pub use crate::retry::RetryPolicy;
    pub use crate::{Client, Error, Result};
    pub use apivideo_raw::prelude::*;
}
