//! When and how long to wait before trying a request again.
//!
//! Retried: 429 (honouring `X-RateLimit-Retry-After` / `Retry-After`), and
//! connection failures, for every method, because neither can have been
//! applied; 502, 503, 504 and timeouts or resets only for idempotent
//! methods (GET, HEAD, PUT, DELETE, OPTIONS). Waits grow exponentially with
//! jitter, within a bounded number of attempts and a bounded total time.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use crate::error::{Error, Result};

/// How failed requests are retried. `RetryPolicy::default()`: 5 attempts,
/// waits from 200 ms doubling up to 10 s, at most 60 s in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 means no retry).
    pub max_attempts: u32,
    /// Wait before the first retry, before jitter.
    pub initial_backoff: Duration,
    /// Longest single wait.
    pub max_backoff: Duration,
    /// No retry starts once this much time has passed since the first attempt.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts, the first included.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets the first wait and the longest single wait.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Sets the total time budget for retries.
    pub fn with_max_elapsed(mut self, max: Duration) -> Self {
        self.max_elapsed = max;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.max_attempts == 0 {
            return Err(Error::Config(
                "retry policy: max_attempts must be at least 1".into(),
            ));
        }
        if self.initial_backoff > self.max_backoff {
            return Err(Error::Config(
                "retry policy: initial_backoff exceeds max_backoff".into(),
            ));
        }
        Ok(())
    }

    /// The wait before attempt `attempt + 1` (attempts count from 1):
    /// exponential, capped, with jitter between half and all of it.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let capped = exp.min(self.max_backoff);
        capped.mul_f64(0.5 + 0.5 * unit_random())
    }
}

/// A uniform draw from [0, 1), for jitter. Jitter needs spread between
/// clients and attempts, not cryptographic quality, so it comes from the
/// standard library's randomly keyed hasher applied to a counter, rather
/// than from a random-number crate that every service would have to build.
fn unit_random() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static DRAWS: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(DRAWS.fetch_add(1, Ordering::Relaxed));
    // The top 53 bits, as a fraction: exact in an f64.
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Methods safe to send twice.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Whether an answer with `status` may be retried for `method`.
pub(crate) fn retry_status(method: &Method, status: StatusCode) -> bool {
    match status {
        StatusCode::TOO_MANY_REQUESTS => true,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
            is_idempotent(method)
        }
        _ => false,
    }
}

/// Whether a transport error may be retried for `method`: a failed connect
/// means nothing was sent; anything later is retried only when idempotent.
pub(crate) fn retry_error(method: &Method, error: &reqwest::Error) -> bool {
    if error.is_connect() {
        return true;
    }
    is_idempotent(method) && (error.is_timeout() || error.is_request() || error.is_body())
}

/// The wait a 429 asks for, from `X-RateLimit-Retry-After` or `Retry-After`
/// (seconds).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    ["x-ratelimit-retry-after", "retry-after"]
        .iter()
        .find_map(|name| {
            let value = headers.get(*name)?.to_str().ok()?.trim();
            let secs: f64 = value.parse().ok()?;
            (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_draws_spread_over_the_unit_interval() {
        let draws: Vec<f64> = (0..2000).map(|_| unit_random()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)), "{draws:?}");
        // Each tenth of the interval gets its share (200 expected; the bounds
        // are more than 7 standard deviations away).
        for tenth in 0..10 {
            let n = draws
                .iter()
                .filter(|d| (**d * 10.0) as usize == tenth)
                .count();
            assert!((100..300).contains(&n), "tenth {tenth}: {n} of 2000");
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default()
            .with_backoff(Duration::from_millis(100), Duration::from_millis(1000));
        for attempt in 1..10 {
            let d = p.backoff(attempt);
            let full =
                Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_millis(1000));
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
    }

    #[test]
    fn which_statuses_retry() {
        assert!(retry_status(&Method::POST, StatusCode::TOO_MANY_REQUESTS));
        assert!(retry_status(&Method::GET, StatusCode::SERVICE_UNAVAILABLE));
        assert!(!retry_status(
            &Method::POST,
            StatusCode::SERVICE_UNAVAILABLE
        ));
        assert!(!retry_status(&Method::PATCH, StatusCode::BAD_GATEWAY));
        assert!(retry_status(&Method::DELETE, StatusCode::GATEWAY_TIMEOUT));
        assert!(!retry_status(
            &Method::GET,
            StatusCode::INTERNAL_SERVER_ERROR
        ));
        assert!(!retry_status(&Method::GET, StatusCode::NOT_FOUND));
    }

    #[test]
    fn retry_after_headers() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert("x-ratelimit-retry-after", "1".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(1)));
    }

    #[test]
    fn invalid_policies() {
        assert!(
            RetryPolicy::default()
                .with_max_attempts(0)
                .validate()
                .is_err()
        );
        assert!(
            RetryPolicy::default()
                .with_backoff(Duration::from_secs(2), Duration::from_secs(1))
                .validate()
                .is_err()
        );
    }
}
