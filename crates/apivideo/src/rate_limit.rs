//! The rate-limit figures the API sends with its answers.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName};

/// The latest rate-limit figures seen, from the `X-RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window (`X-RateLimit-Limit`).
    pub limit: Option<u64>,
    /// Requests left in the window (`X-RateLimit-Remaining`).
    pub remaining: Option<u64>,
    /// How long to wait before the next request, on a 429
    /// (`X-RateLimit-Retry-After` or `Retry-After`).
    pub retry_after: Option<Duration>,
    /// When these figures arrived.
    pub observed_at: Instant,
}

impl RateLimit {
    /// The figures in an answer's headers, if it has any: e.g. those of
    /// `send_with_response()`.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
        const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
        let number =
            |name: &HeaderName| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
        let limit = number(&LIMIT);
        let remaining = number(&REMAINING);
        let retry_after = crate::retry::retry_after(headers);
        if limit.is_none() && remaining.is_none() && retry_after.is_none() {
            return None;
        }
        Some(Self {
            limit,
            remaining,
            retry_after,
            observed_at: Instant::now(),
        })
    }
}
