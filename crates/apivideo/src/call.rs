//! Per-call control: a deadline and a retry policy for one call, whatever
//! its kind (generated, handwritten, an upload), without a setter on every
//! builder.
//!
//! ```no_run
//! # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
//! use std::time::Duration;
//! use apivideo::prelude::*;
//!
//! let video = client
//!     .get_video()
//!     .video_id("vi4k0jvEUuaTdRAEjQ4Jfrgz")
//!     .send()
//!     .with_timeout(Duration::from_secs(5))
//!     .with_retry_policy(RetryPolicy::none())
//!     .await?;
//! # Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::retry::RetryPolicy;

tokio::task_local! {
    static CALL: CallOptions;
}

/// The options of the call being polled.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CallOptions {
    /// No attempt runs past this instant.
    pub(crate) deadline: Option<Instant>,
    /// Replaces the client's retry policy.
    pub(crate) retry: Option<RetryPolicy>,
}

impl CallOptions {
    /// The options in force for the current task: the defaults outside a
    /// [`WithOptions`].
    pub(crate) fn current() -> Self {
        CALL.try_with(|o| *o).unwrap_or_default()
    }

    /// Time left before the deadline, if there is one.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Whether a retry after waiting `wait` still starts before the deadline.
    pub(crate) fn allows(&self, wait: Duration) -> bool {
        self.deadline.is_none_or(|d| Instant::now() + wait < d)
    }
}

/// Per-call settings for any SDK call: `use apivideo::prelude::*` brings
/// them into scope for every future that returns [`crate::Result`].
pub trait CallExt: Future + Sized {
    /// Bounds the whole call, retries and every chunk of an upload
    /// included: each attempt's timeout is cut to the time left, and no
    /// retry starts past it. A call that runs out fails with a timeout
    /// ([`crate::Error::is_timeout`]).
    fn with_timeout(self, timeout: Duration) -> WithOptions<Self> {
        WithOptions::new(self).with_timeout(timeout)
    }

    /// Retries this call with `policy` instead of the client's
    /// ([`RetryPolicy::none`] to send each request once).
    fn with_retry_policy(self, policy: RetryPolicy) -> WithOptions<Self> {
        WithOptions::new(self).with_retry_policy(policy)
    }
}

impl<F: Future<Output = crate::Result<T>>, T> CallExt for F {}

/// A call with its own timeout or retry policy; see [`CallExt`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct WithOptions<F> {
    inner: Pin<Box<F>>,
    timeout: Option<Duration>,
    options: CallOptions,
    started: bool,
}

impl<F: Future> WithOptions<F> {
    fn new(inner: F) -> Self {
        Self {
            inner: Box::pin(inner),
            timeout: None,
            options: CallOptions::default(),
            started: false,
        }
    }

    /// See [`CallExt::with_timeout`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// See [`CallExt::with_retry_policy`].
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(policy);
        self
    }
}

impl<F: Future> Future for WithOptions<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        if !this.started {
            // The deadline runs from the first poll, when the call starts.
            this.started = true;
            this.options.deadline = this.timeout.map(|t| Instant::now() + t);
        }
        let options = this.options;
        let inner = this.inner.as_mut();
        CALL.sync_scope(options, || inner.poll(cx))
    }
}
