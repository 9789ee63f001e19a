//! The deprecated `GET /account`: quota, features and environment. The
//! emulator has no quota of its own, so it reports a plausible one: the
//! project's videos against a fixed total.

use apivideo_raw::types::{Account, AccountQuota};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::Project;
use crate::db::Kind;
use crate::problem::ApiResult;
use crate::state::AppState;

/// The quota every emulated project has.
const QUOTA_TOTAL: f64 = 1000.0;

/// The features every emulated project has, as the real API names them.
const FEATURES: [&str; 5] = [
    "app.dynamic_metadata",
    "app.event_log",
    "player.white_label",
    "stats.player_events",
    "transcode.mp4_support",
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/account", get(show))
}

async fn show(project: Project, State(state): State<AppState>) -> ApiResult<Json<Account>> {
    let videos = state
        .db
        .list::<serde_json::Value>(project.id(), Kind::Video, None)?
        .len();
    let used = (videos as f64).min(QUOTA_TOTAL);
    Ok(Json(Account {
        quota: AccountQuota {
            quota_used: used,
            quota_remaining: QUOTA_TOTAL - used,
            quota_total: QUOTA_TOTAL,
        },
        features: FEATURES.iter().map(|f| (*f).to_owned()).collect(),
        environment: "sandbox".to_owned(),
    }))
}
