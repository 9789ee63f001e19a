//! The admin routes that control the emulator itself: faults, stats,
//! tokens, the caller's project and its settings, and health.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use super::Admin;
use crate::auth::Project;
use crate::config::FaultSettings;
use crate::extract::{ApiJson, ApiQuery};
use crate::problem::{ApiError, ApiResult};
use crate::settings::{self, Settings};
use crate::state::AppState;
use crate::stats::Stats;

/// The largest latency the faults can add to a request: one minute.
const MAX_LATENCY_MS: u64 = 60_000;
/// The most entries of `slowPaths` and of `errorStatuses`.
const MAX_LIST: usize = 64;
/// The longest path prefix in `slowPaths`.
const MAX_PATH_PREFIX: usize = 1024;
/// The longest and shortest rate-limit windows, in milliseconds.
const RATE_WINDOW_MS: std::ops::RangeInclusive<u64> = 1..=3_600_000;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/_emulator/health",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/_emulator/faults", get(get_faults).put(put_faults))
        .route("/_emulator/stats", get(get_stats).delete(reset_stats))
        .route("/_emulator/project", get(get_project))
        .route("/_emulator/tokens", axum::routing::delete(revoke_tokens))
        .route(
            "/_emulator/settings",
            get(get_settings).patch(patch_settings),
        )
}

async fn get_faults(_: Admin, State(state): State<AppState>) -> Json<FaultSettings> {
    Json(state.faults())
}

/// `PUT /_emulator/faults`: replaces the fault settings. Applying them
/// starts a new rate-limit window (so a test's first requests after the
/// call are counted from its start, not from wherever the previous window
/// happened to be) and, with a `seed`, a new sequence of random draws.
async fn put_faults(
    _: Admin,
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
    check_bounds(&faults)?;
    if let Some(project) = &faults.project {
        known_project(&state, "project", project)?;
    }
    state.set_faults(faults.clone());
    Ok(Json(faults))
}

/// `?project=pr…` narrows the stats to one project's requests.
#[derive(Debug, serde::Deserialize)]
struct StatsQuery {
    project: Option<String>,
}

async fn get_stats(
    _: Admin,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Stats>> {
    Ok(Json(match query.project {
        None => state.counters.snapshot(),
        Some(project) => {
            known_project(&state, "project", &project)?;
            state.counters.project_snapshot(&project)
        }
    }))
}

/// `GET /_emulator/project`: the id of the caller's project, which scopes
/// faults and stats.
async fn get_project(project: Project) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "projectId": project.id() }))
}

/// Refuses a project id no configured API key has.
fn known_project(state: &AppState, name: &str, project: &str) -> ApiResult<()> {
    if state.project_ids().any(|p| p == project) {
        Ok(())
    } else {
        Err(ApiError::attribute(
            name,
            "No project has this id (`GET /_emulator/project` gives a project's id).",
        ))
    }
}

async fn reset_stats(_: Admin, State(state): State<AppState>) -> StatusCode {
    state.counters.reset();
    StatusCode::NO_CONTENT
}

/// Revokes every access and refresh token of every project, as if they had
/// all expired.
async fn revoke_tokens(_: Admin, State(state): State<AppState>) -> ApiResult<StatusCode> {
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

/// Refuses fault settings that would stall the emulator or grow without
/// bound: latency above a minute, more than 64 paths or statuses, a path
/// prefix above 1 KiB, a rate-limit window outside 1 ms to an hour, or a
/// limit of zero requests.
fn check_bounds(faults: &FaultSettings) -> ApiResult<()> {
    if faults.latency_ms > MAX_LATENCY_MS {
        return Err(ApiError::attribute(
            "latencyMs",
            format!("This attribute must be at most {MAX_LATENCY_MS}."),
        ));
    }
    for (name, len) in [
        ("slowPaths", faults.slow_paths.len()),
        ("errorStatuses", faults.error_statuses.len()),
    ] {
        if len > MAX_LIST {
            return Err(ApiError::attribute(
                name,
                format!("This attribute must have at most {MAX_LIST} items."),
            ));
        }
    }
    if faults.slow_paths.iter().any(|p| p.len() > MAX_PATH_PREFIX) {
        return Err(ApiError::attribute(
            "slowPaths",
            format!("Each path prefix must be at most {MAX_PATH_PREFIX} bytes long."),
        ));
    }
    if let Some(rate) = faults.rate_limit {
        if !RATE_WINDOW_MS.contains(&rate.window_ms) {
            return Err(ApiError::attribute(
                "rateLimit",
                "The window must be between 1 and 3600000 milliseconds.",
            ));
        }
        if rate.limit == 0 {
            return Err(ApiError::attribute(
                "rateLimit",
                "The limit must be at least 1 request.",
            ));
        }
    }
    Ok(())
}
