//! The seam between the generated client and the SDK.
//!
//! The generated `Client` requires `ClientHooks<Hooks>` (progenitor's
//! `HooksMode::Expected`), and the orphan rule puts that impl here. It
//! forwards to a [`RequestHooks`] object carried inside the client, which the
//! `apivideo` crate implements for authentication, retries and tracing.
//! [`NoHooks`] sends every request once, as it is.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use progenitor_client::OperationInfo;
use progenitor_client::{ClientHooks, Error};

use crate::Client;

/// A boxed, sendable future, as [`RequestHooks`] methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What runs around every generated request.
pub trait RequestHooks: Send + Sync + 'static {
    /// Runs before the request is sent, e.g. to set `Authorization`. An
    /// error aborts the call with `Error::Custom` carrying its message.
    fn prepare<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        info: &'a OperationInfo,
    ) -> BoxFuture<'a, Result<(), String>> {
        let _ = (request, info);
        Box::pin(async { Ok(()) })
    }

    /// Sends the request and returns the response to decode. The default
    /// sends it once; an implementation may retry.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        info: &'a OperationInfo,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        let _ = info;
        Box::pin(client.execute(request))
    }
}

/// Hooks that do nothing: every request is sent once, without credentials.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHooks;

impl RequestHooks for NoHooks {}

/// The inner value of every generated `Client`: shared, cheap to clone.
#[derive(Clone)]
pub struct Hooks(Arc<dyn RequestHooks>);

impl Hooks {
    /// Wraps a [`RequestHooks`] implementation.
    pub fn new(hooks: impl RequestHooks) -> Self {
        Self(Arc::new(hooks))
    }

    /// Hooks that send every request once, as it is.
    pub fn none() -> Self {
        Self::new(NoHooks)
    }
}

impl Default for Hooks {
    fn default() -> Self {
        Self::none()
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hooks(..)")
    }
}

impl ClientHooks<Hooks> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        self.inner
            .0
            .prepare(request, info)
            .await
            .map_err(Error::Custom)
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner.0.execute(&self.client, request, info).await
    }
}

impl Client {
    /// A client for `baseurl` without credentials or retries: each request
    /// is sent once, as it is.
    pub fn without_hooks(baseurl: &str) -> Self {
        Self::new(baseurl, Hooks::none())
    }

    /// The hooks this client runs around every request.
    pub fn hooks(&self) -> &Hooks {
        &self.inner
    }
}
