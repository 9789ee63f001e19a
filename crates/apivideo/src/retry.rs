//! When and how long to wait before trying a request again.
//!
//! Retried: 429 (honouring `X-RateLimit-Retry-After` / `Retry-After`), and
//! connection failures, for every operation, because neither can have been
//! applied; 502, 503, 504 and timeouts or resets only for idempotent
//! operations ([`verdict`]). Waits grow exponentially with jitter, within a
//! bounded number of attempts and a bounded total time.

use std::time::Duration;

use reqwest::StatusCode;

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

/// What an attempt came to, as far as retrying goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// An answer with this status.
    Answer(StatusCode),
    /// No answer. `connect`: the connection failed, so nothing was sent.
    /// `transient`: a timeout, reset or body failure, worth another try.
    Failed { connect: bool, transient: bool },
}

impl Outcome {
    pub(crate) fn of(result: &reqwest::Result<reqwest::Response>) -> Self {
        match result {
            Ok(r) => Outcome::Answer(r.status()),
            Err(e) => Outcome::Failed {
                connect: e.is_connect(),
                transient: e.is_timeout() || e.is_request() || e.is_body(),
            },
        }
    }
}

/// What the retry loop does after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The answer is final.
    Done,
    /// A 401 with a bearer token: renew it and send again, once.
    Renew,
    /// Send again; `lost` when this attempt may have been acted on.
    Retry { lost: bool },
}

/// The one retry rule. A request that is not idempotent is sent again only
/// when the server provably did not act on it: the connection was refused
/// (nothing was sent), 429 (refused before handling), 401 (refused before
/// handling; `can_renew` when a bearer token can be renewed, once). An
/// idempotent one is also sent again after 502, 503, 504, a timeout or a
/// reset, when the first may or may not have been acted on (`lost`).
pub(crate) fn verdict(outcome: Outcome, idempotent: bool, can_renew: bool) -> Verdict {
    match outcome {
        Outcome::Answer(StatusCode::UNAUTHORIZED) if can_renew => Verdict::Renew,
        Outcome::Answer(StatusCode::TOO_MANY_REQUESTS) => Verdict::Retry { lost: false },
        Outcome::Answer(
            StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT,
        ) if idempotent => Verdict::Retry { lost: true },
        Outcome::Answer(_) => Verdict::Done,
        Outcome::Failed { connect: true, .. } => Verdict::Retry { lost: false },
        Outcome::Failed {
            transient: true, ..
        } if idempotent => Verdict::Retry { lost: true },
        Outcome::Failed { .. } => Verdict::Done,
    }
}

/// The wait a 429 asks for, from `X-RateLimit-Retry-After` or `Retry-After`
/// (seconds).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    use reqwest::header::{HeaderName, RETRY_AFTER};
    const RATE_LIMIT_RETRY_AFTER: HeaderName = HeaderName::from_static("x-ratelimit-retry-after");
    [RATE_LIMIT_RETRY_AFTER, RETRY_AFTER]
        .iter()
        .find_map(|name| {
            let value = headers.get(name)?.to_str().ok()?.trim();
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
    fn which_outcomes_retry() {
        let answer = |code: u16| Outcome::Answer(StatusCode::from_u16(code).unwrap());
        let retry = |lost| Verdict::Retry { lost };
        // A 429 and a refused connection: for every operation.
        assert_eq!(verdict(answer(429), false, false), retry(false));
        let refused = Outcome::Failed {
            connect: true,
            transient: false,
        };
        assert_eq!(verdict(refused, false, false), retry(false));
        // A 5xx and a timeout: only when sending twice is harmless.
        assert_eq!(verdict(answer(503), true, false), retry(true));
        assert_eq!(verdict(answer(503), false, false), Verdict::Done);
        assert_eq!(verdict(answer(504), true, false), retry(true));
        let timeout = Outcome::Failed {
            connect: false,
            transient: true,
        };
        assert_eq!(verdict(timeout, true, false), retry(true));
        assert_eq!(verdict(timeout, false, false), Verdict::Done);
        // Never: other statuses.
        assert_eq!(verdict(answer(500), true, false), Verdict::Done);
        assert_eq!(verdict(answer(404), true, false), Verdict::Done);
        // A 401: renew once, when a bearer token can be.
        assert_eq!(verdict(answer(401), false, true), Verdict::Renew);
        assert_eq!(verdict(answer(401), true, false), Verdict::Done);
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
