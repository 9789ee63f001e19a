//! The api.video REST API as a raw Rust client.
//!
//! Everything here is generated at build time by progenitor from
//! `openapi.yaml`, through the pipeline in `apivideo-codegen`. Most users want
//! the `apivideo` crate instead, which adds authentication, retries,
//! pagination streams and uploads on top of this one.
//!
//! Operations are grouped by tag into extension traits (`ClientVideosExt`,
//! `ClientPlayersExt`, …), re-exported from [`prelude`]. Each operation
//! returns a builder; `send()` performs the request.
//!
//! The operations that progenitor cannot express (multipart uploads and
//! `metadata[key]=value` filters) are not generated; [`spec::OPERATIONS`]
//! lists them with `handwritten: true`, and the `apivideo` crate implements
//! them with the types from [`types`].
//!
//! Every generated builder's `send()` returns [`error::Result`]: the
//! pipeline wraps progenitor's `send` so that its error becomes
//! [`error::Error`], the one error type of the SDK, and
//! `send_with_response()` keeps the answer's status and headers. List
//! builders implement [`pagination::Paginated`].
#![forbid(unsafe_code)]

pub mod convert;
pub mod error;
pub mod hooks;
pub mod pagination;
pub mod patch;
mod shortcuts;
pub mod spec;
pub mod unknown;

#[allow(
    missing_docs,
    missing_debug_implementations,
    unused_imports,
    unreachable_pub,
    rust_2018_idioms,
    clippy::all,
    clippy::pedantic
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/apivideo.rs"));
}

pub use generated::*;
