//! The simulated encoder of a live stream. The emulator takes no RTMP, so
//! `POST /_emulator/live-streams/{id}/broadcast` with
//! `{"broadcasting": true|false}` plays an encoder connecting or
//! disconnecting, with the broadcast's webhooks. It takes the project's
//! credential, like the API.

use apivideo_raw::types::LiveStream;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Project;
use crate::extract::ApiJson;
use crate::problem::ApiResult;
use crate::state::AppState;
use crate::store::live_streams;

/// The admin route that plays a live stream's encoder.
pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        "/_emulator/live-streams/{liveStreamId}/broadcast",
        post(broadcast),
    )
}

/// Body of the emulator-only broadcast switch.
#[derive(Debug, Deserialize)]
struct BroadcastBody {
    broadcasting: bool,
}

/// Emulator only: marks the live stream as broadcasting or not, as an
/// encoder connecting or disconnecting would, and emits
/// `live-stream.broadcast.started` / `live-stream.broadcast.ended`. A new
/// broadcast reopens the playlist; a disconnection ends the broadcast at
/// once, completion under way or not.
async fn broadcast(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BroadcastBody>,
) -> ApiResult<Json<LiveStream>> {
    let stream =
        live_streams::set_broadcasting(&state, project.id(), &id, body.broadcasting).await?;
    Ok(Json(live_streams::present(&state, stream)))
}
