//! Faults on demand: added latency (on every API path or some), a
//! fixed-window rate limit answering 429 with the `X-RateLimit-*` headers, a
//! share of 5xx answers, and connections dropped before the request is
//! handled or after. Applied to API routes only, never to `/_emulator`
//! admin calls, asset downloads or the player collector. The random draws
//! can be seeded, for reproducible runs. With `project` set, only the
//! requests that carry that project's credential meet the faults.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::Notify;

use crate::config::{FaultSettings, RateLimit};
use crate::problem::ApiError;
use crate::state::AppState;

/// Put in each request's extensions by the server: notifying it closes the
/// connection without an answer.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionDropper(pub(crate) Arc<Notify>);

/// The current rate-limit window.
#[derive(Debug)]
pub(crate) struct RateWindow(Mutex<(Instant, u32)>);

impl Default for RateWindow {
    fn default() -> Self {
        Self(Mutex::new((Instant::now(), 0)))
    }
}

impl RateWindow {
    /// Starts a new, empty window now.
    pub(crate) fn restart(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = (Instant::now(), 0);
    }

    /// Counts one request; `Err(retry_after)` once over the limit, `Ok(remaining)` otherwise.
    fn admit(&self, limit: RateLimit) -> Result<u32, Duration> {
        let window = Duration::from_millis(limit.window_ms.max(1));
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (start, count) = &mut *guard;
        let now = Instant::now();
        if now.duration_since(*start) >= window {
            *start = now;
            *count = 0;
        }
        if *count >= limit.limit {
            return Err(window.saturating_sub(now.duration_since(*start)));
        }
        *count += 1;
        Ok(limit.limit - *count)
    }
}

/// The source of the random fault draws: seeded by the settings, or the
/// thread's OS-seeded generator when unseeded.
#[derive(Debug)]
pub(crate) struct FaultRng(Mutex<Option<StdRng>>);

impl FaultRng {
    pub(crate) fn new(seed: Option<u64>) -> Self {
        Self(Mutex::new(seed.map(StdRng::seed_from_u64)))
    }

    /// Restarts the sequence from `seed`, or makes the draws unseeded.
    pub(crate) fn reseed(&self, seed: Option<u64>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = seed.map(StdRng::seed_from_u64);
    }

    /// Draws the random faults of one request.
    fn draw(&self, faults: &FaultSettings) -> Draw {
        let mut seeded = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match seeded.as_mut() {
            Some(rng) => Draw::new(rng, faults),
            None => Draw::new(&mut rand::rng(), faults),
        }
    }
}

/// The random faults of one request.
struct Draw {
    drop: bool,
    /// The server error to answer with, if any.
    error: Option<u16>,
    unauthorized: bool,
    /// Drop the connection once the request is handled.
    drop_after: bool,
}

impl Draw {
    fn new(rng: &mut impl Rng, faults: &FaultSettings) -> Self {
        let drop = rng.random_bool(faults.drop_rate.clamp(0.0, 1.0));
        let error = rng.random_bool(faults.error_rate.clamp(0.0, 1.0));
        let unauthorized = rng.random_bool(faults.unauthorized_rate.clamp(0.0, 1.0));
        let error = error.then(|| {
            let statuses: &[u16] = if faults.error_statuses.is_empty() {
                &[500, 502, 503]
            } else {
                &faults.error_statuses
            };
            statuses[rng.random_range(0..statuses.len())]
        });
        // Drawn last, and only when its rate is above zero, so that leaving
        // it at zero does not shift the seeded draws of the other faults.
        let drop_after =
            faults.drop_after_rate > 0.0 && rng.random_bool(faults.drop_after_rate.min(1.0));
        Self {
            drop,
            error,
            unauthorized,
            drop_after,
        }
    }
}

pub(crate) async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let faults = state.faults();
    // The project of the request's credential, if any: its faults count
    // in its stats too.
    let project = req
        .extensions()
        .get::<crate::auth::RequestProject>()
        .and_then(|p| p.0.clone());
    if let Some(scope) = &faults.project
        && project.as_ref() != Some(scope)
    {
        return next.run(req).await;
    }
    let slow = faults.slow_paths.is_empty()
        || faults
            .slow_paths
            .iter()
            .any(|p| path.starts_with(p.as_str()));
    if faults.latency_ms > 0 && slow {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let mut remaining = None;
    if let Some(limit) = faults.rate_limit {
        match state.rate.admit(limit) {
            Ok(left) => remaining = Some((limit.limit, left)),
            Err(retry_after) => {
                let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
                state
                    .counters
                    .add("faults.rate_limited", 1, project.as_deref());
                return ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too-many-requests",
                    "Too many requests.",
                )
                .with_detail(format!("Retry in {secs} second(s)."))
                .with_header("x-ratelimit-limit", limit.limit)
                .with_header("x-ratelimit-remaining", 0)
                .with_header("x-ratelimit-retry-after", secs)
                .with_header("retry-after", secs)
                .into_response();
            }
        }
    }
    let Draw {
        drop,
        error,
        unauthorized,
        drop_after,
    } = state.fault_rng.draw(&faults);
    if unauthorized && !req.uri().path().starts_with("/auth/") {
        state
            .counters
            .add("faults.unauthorized", 1, project.as_deref());
        return ApiError::unauthorized().into_response();
    }
    let dropper = req.extensions().get::<ConnectionDropper>().cloned();
    if drop && let Some(dropper) = &dropper {
        state.counters.add("faults.dropped", 1, project.as_deref());
        dropper.0.notify_one();
        // The server closes the connection; this answer is never sent.
        std::future::pending::<()>().await;
    }
    if let Some(code) = error {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        state.counters.add("faults.errors", 1, project.as_deref());
        return ApiError::new(
            status,
            "server-error",
            "The server could not handle the request.",
        )
        .with_detail("Injected by the emulator's fault settings.")
        .into_response();
    }
    let mut response = next.run(req).await;
    if drop_after && let Some(dropper) = &dropper {
        // The handler has returned, its changes stored. Not one byte of its
        // answer is sent: the response is discarded here, never handed to
        // the server, which closes the connection.
        std::mem::drop(response);
        state
            .counters
            .add("faults.dropped_after", 1, project.as_deref());
        dropper.0.notify_one();
        return std::future::pending().await;
    }
    if let Some((limit, left)) = remaining {
        let headers = response.headers_mut();
        headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(left));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_admits_up_to_the_limit() {
        let w = RateWindow::default();
        let limit = RateLimit {
            limit: 2,
            window_ms: 60_000,
        };
        assert_eq!(w.admit(limit), Ok(1));
        assert_eq!(w.admit(limit), Ok(0));
        assert!(w.admit(limit).is_err());
        w.restart();
        assert_eq!(w.admit(limit), Ok(1));
    }

    #[test]
    fn seeded_draws_repeat() {
        let faults = FaultSettings {
            error_rate: 0.5,
            drop_rate: 0.5,
            drop_after_rate: 0.5,
            unauthorized_rate: 0.5,
            seed: Some(42),
            ..FaultSettings::default()
        };
        let rng = FaultRng::new(faults.seed);
        let run = |rng: &FaultRng| -> Vec<_> {
            (0..64)
                .map(|_| {
                    let d = rng.draw(&faults);
                    (d.drop, d.error, d.unauthorized, d.drop_after)
                })
                .collect()
        };
        let first = run(&rng);
        assert!(first.iter().any(|d| d.0) && first.iter().any(|d| !d.0));
        assert!(first.iter().any(|d| d.3) && first.iter().any(|d| !d.3));
        rng.reseed(faults.seed);
        assert_eq!(run(&rng), first);
    }
}
