//! The emulator's own admin API under `/_emulator`, a prefix the real API
//! never uses: fault settings, counters, health and the caller's project
//! settings. It needs a valid credential of any project, like the API
//! itself.
//!
//! Setting the faults (`PUT /_emulator/faults`) starts a new rate-limit
//! window and restarts seeded fault draws.
//!
//! `GET`/`PATCH /_emulator/settings` read and change the settings of the
//! project whose credential the call carries, and of no other:
//! `{"videoRestore": true}` turns Video Restore on.
//!
//! The clock's admin routes (`/_emulator/clock`) are with the routes, since
//! moving the clock purges discarded videos.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::Project;
use crate::config::FaultSettings;
use crate::extract::ApiJson;
use crate::problem::{ApiError, ApiResult};
use crate::settings::{self, Settings};
use crate::state::AppState;
use crate::stats::Stats;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/_emulator/health",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/_emulator/faults", get(get_faults).put(put_faults))
        .route("/_emulator/stats", get(get_stats).delete(reset_stats))
        .route("/_emulator/tokens", axum::routing::delete(revoke_tokens))
        .route(
            "/_emulator/settings",
            get(get_settings).patch(patch_settings),
        )
}

async fn get_faults(_: Project, State(state): State<AppState>) -> Json<FaultSettings> {
    Json(state.faults())
}

/// `PUT /_emulator/faults`: replaces the fault settings. Applying them
/// starts a new rate-limit window (so a test's first requests after the
/// call are counted from its start, not from wherever the previous window
/// happened to be) and, with a `seed`, a new sequence of random draws.
async fn put_faults(
    _: Project,
    State(state): State<AppState>,
    ApiJson(faults): ApiJson<FaultSettings>,
) -> ApiResult<Json<FaultSettings>> {
    for (name, rate) in [
        ("errorRate", faults.error_rate),
        ("dropRate", faults.drop_rate),
        ("dropAfterRate", faults.drop_after_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(ApiError::attribute(
                name,
                "This attribute must be between 0 and 1.",
            ));
        }
    }
    if let Some(code) = faults
        .error_statuses
        .iter()
        .find(|c| !(500..=599).contains(*c))
    {
        return Err(ApiError::attribute(
            "errorStatuses",
            format!("{code} is not a server error status."),
        ));
    }
    state.set_faults(faults.clone());
    Ok(Json(faults))
}

async fn get_stats(_: Project, State(state): State<AppState>) -> Json<Stats> {
    Json(state.counters.snapshot())
}

async fn reset_stats(_: Project, State(state): State<AppState>) -> StatusCode {
    state.counters.reset();
    StatusCode::NO_CONTENT
}

/// Revokes every access and refresh token, as if they had all expired.
async fn revoke_tokens(_: Project, State(state): State<AppState>) -> ApiResult<StatusCode> {
    state.db.revoke_tokens()?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /_emulator/settings`: the settings in force for the caller's
/// project.
async fn get_settings(
    project: Project,
    State(state): State<AppState>,
) -> ApiResult<Json<Settings>> {
    Ok(Json(settings::of(&state, project.id())?))
}

/// `PATCH /_emulator/settings`: changes the settings present in the body,
/// for the caller's project only.
async fn patch_settings(
    project: Project,
    State(state): State<AppState>,
    ApiJson(change): ApiJson<settings::Change>,
) -> ApiResult<Json<Settings>> {
    Ok(Json(settings::change(&state, project.id(), change)?))
}
