//! The emulator's own admin API under `/_emulator`, a prefix the real API
//! never uses: fault settings, counters, health and the caller's project
//! settings.
//!
//! Two kinds of route, two credentials:
//! - the routes that act on the whole emulator, every project at once
//!   (`/_emulator/faults`, `/_emulator/stats`, `DELETE /_emulator/tokens`,
//!   `POST /_emulator/clock/advance`), take only the admin token, as
//!   `Authorization: Bearer <admin token>` ([`Admin`]). An API key, or a
//!   token issued for one, is refused with 401 and changes nothing;
//! - the routes that act on one project (`/_emulator/settings`, the
//!   simulated analytics sessions and broadcasts) take that project's
//!   credential, like the API; `GET /_emulator/clock` takes either, and
//!   `GET /_emulator/health` none.
//!
//! Setting the faults (`PUT /_emulator/faults`) starts a new rate-limit
//! window and restarts seeded fault draws. Faults with a `project` (a
//! project id, `pr…`) apply to that project's requests alone, and
//! `GET /_emulator/stats?project=pr…` counts that project's requests and
//! answers alone. A project reads its own id at `GET /_emulator/project`
//! with its credential.
//!
//! `GET`/`PATCH /_emulator/settings` read and change the settings of the
//! project whose credential the call carries, and of no other:
//! `{"videoRestore": true}` turns Video Restore on.
//!
//! `control` holds the faults, stats, tokens, settings and health routes;
//! `clock` the clock's; `broadcasts` the simulated encoder of a live
//! stream; `sessions` the simulated player sessions.

mod broadcasts;
mod clock;
mod control;
mod sessions;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::Project;
use crate::problem::ApiError;
use crate::state::AppState;

/// A request that carries the admin token. Taking it as an argument makes
/// a handler an admin route, closed to every API key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if Self::present(parts, state) {
            Ok(Self)
        } else {
            Err(ApiError::admin_unauthorized())
        }
    }
}

impl Admin {
    /// Whether the request carries the admin token, without refusing it.
    pub(crate) fn present(parts: &Parts, state: &AppState) -> bool {
        let token = state.config.admin_token.as_deref().unwrap_or_default();
        bearer(parts).is_some_and(|sent| !token.is_empty() && same(sent, token))
    }
}

/// The admin token or any project's credential: for the admin routes that
/// only read what every project sees alike (the clock).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AdminOrProject;

impl FromRequestParts<AppState> for AdminOrProject {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if !Admin::present(parts, state) {
            Project::from_request_parts(parts, state).await?;
        }
        Ok(Self)
    }
}

/// The credential of an `Authorization: Bearer …` header.
fn bearer(parts: &Parts) -> Option<&str> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, credential) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credential.trim())
}

/// Compares two secrets in a time that depends only on their lengths.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// Every route under `/_emulator`, one router that the fault layer never
/// wraps.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(control::routes())
        .merge(clock::routes())
        .merge(sessions::routes())
        .merge(broadcasts::routes())
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn secrets_compare_by_every_byte_and_the_length() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(!same("", "a"));
    }
}
