//! The emulator's clock in the admin API: `GET /_emulator/clock` shows it
//! (`now`, and `offsetMs`, how far ahead of the real time it runs);
//! `POST /_emulator/clock/advance` with `{"days": 91}` and/or
//! `{"seconds": 30}` moves it ahead, for every project, then deletes for
//! good the discarded videos whose `deletesAt` has passed. Showing it
//! takes any credential; moving it, the admin token only. See
//! [`crate::clock`] for what the clock moves and what it does not.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::admin::{Admin, AdminOrProject};
use crate::clock::AdvanceError;
use crate::extract::ApiJson;
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/_emulator/clock", get(show))
        .route("/_emulator/clock/advance", post(advance))
}

/// The clock as the admin API shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClockView {
    /// Now on the emulator's clock.
    now: chrono::DateTime<chrono::Utc>,
    /// How far ahead of the real time the clock runs, in milliseconds.
    offset_ms: i64,
}

fn clock_view(state: &AppState) -> ClockView {
    ClockView {
        now: state.now(),
        offset_ms: state.clock.offset_ms(),
    }
}

async fn show(_: AdminOrProject, State(state): State<AppState>) -> Json<ClockView> {
    Json(clock_view(&state))
}

/// How far `POST /_emulator/clock/advance` moves the clock: days and
/// seconds, added up; at least one of them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    days: Option<u32>,
    seconds: Option<u64>,
}

/// `POST /_emulator/clock/advance`: moves the clock ahead, then purges
/// the discarded videos (of every project) whose time has come.
async fn advance(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(by): ApiJson<Advance>,
) -> ApiResult<Json<ClockView>> {
    let name = if by.days.is_some() { "days" } else { "seconds" };
    if by.days.is_none() && by.seconds.is_none() {
        return Err(ApiError::invalid(vec![Invalid::required("seconds")])
            .with_detail("Give `days`, `seconds` or both."));
    }
    let too_far = || {
        ApiError::attribute(
            name,
            "The clock cannot run more than a hundred years ahead of the real time.",
        )
    };
    let by_ms = i64::from(by.days.unwrap_or(0))
        .checked_mul(86_400_000)
        .and_then(|d| {
            i64::try_from(by.seconds.unwrap_or(0))
                .ok()?
                .checked_mul(1000)?
                .checked_add(d)
        })
        .ok_or_else(too_far)?;
    match state.clock.advance(&state.db, by_ms) {
        Ok(_) => {}
        Err(AdvanceError::TooFar) => return Err(too_far()),
        Err(AdvanceError::Db(e)) => return Err(e.into()),
    }
    crate::store::videos::purge_due(&state, None).await?;
    Ok(Json(clock_view(&state)))
}
