// The crate's front page is its README, compiled: every code block in it
// is a doctest.
#![doc = include_str!("../README.md")]
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
#[cfg(feature = "test-util")]
pub mod testing;
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

/// The client, the per-tag operation traits, [`Paginated`] and
/// [`CallExt`]: `use apivideo::prelude::*;`.
pub mod prelude {
    pub use crate::call::CallExt;
    pub use crate::pagination::Paginated;
    pub use crate::retry::RetryPolicy;
    pub use crate::{Client, Error, Result};
    pub use apivideo_raw::prelude::*;
}
