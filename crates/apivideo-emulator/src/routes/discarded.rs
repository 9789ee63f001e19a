//! Discarded videos: the videos deleted while their project had Video
//! Restore on. `GET /discarded/videos` lists them with the filters, sorts
//! and pages of `GET /videos`; `GET /discarded/videos/{videoId}` shows one;
//! `PATCH /discarded/videos/{videoId}` with `{"discarded": false}` restores
//! it whole, in one write.
//!
//! A discarded video whose `deletesAt` has passed on the emulator's clock
//! is deleted for good, like a video deleted without Video Restore. The
//! purge runs when the clock is moved (for every project) and before each
//! of these routes answers (for the caller's project), so nothing ever
//! shows a video past its `deletesAt`.

use apivideo_raw::types::{Video, VideosListResponse};
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::videos::{self, ListQuery, ingest};
use crate::auth::Project;
use crate::db::Kind;
use crate::extract::{ApiJson, ApiQuery};
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/discarded/videos", get(list))
        .route("/discarded/videos/{videoId}", get(show).patch(restore))
}

/// Whether the video's `deletesAt` has passed at `now`.
fn due(video: &Video, now: chrono::DateTime<chrono::Utc>) -> bool {
    video.deletes_at.is_some_and(|at| at <= now)
}

/// Deletes for good the discarded videos whose `deletesAt` has passed, of
/// `project` or of every project; returns how many.
pub(crate) async fn purge_due(state: &AppState, project: Option<&str>) -> ApiResult<usize> {
    let now = state.now();
    let discarded: Vec<(String, Video)> = match project {
        Some(project) => state
            .db
            .list::<Video>(project, Kind::DiscardedVideo, None)?
            .into_iter()
            .map(|v| (project.to_owned(), v))
            .collect(),
        None => state.db.list_all(Kind::DiscardedVideo)?,
    };
    let mut purged = 0;
    for (project, video) in discarded.into_iter().filter(|(_, v)| due(v, now)) {
        let id = &video.video_id;
        let _guard = ingest::lock(state, id).await;
        // A restore may have come first: check again under the lock.
        let still_due = state
            .db
            .get::<Video>(&project, Kind::DiscardedVideo, id)?
            .is_some_and(|v| due(&v, now));
        if still_due && videos::erase(state, &project, Kind::DiscardedVideo, id).await? {
            tracing::info!(video_id = %id, "discarded video deleted for good");
            purged += 1;
        }
    }
    Ok(purged)
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    uri: Uri,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<VideosListResponse>> {
    let project = project.id();
    purge_due(&state, Some(project)).await?;
    let page = videos::list_page(
        &state,
        project,
        Kind::DiscardedVideo,
        "/discarded/videos",
        &uri,
        &q,
    )?;
    Ok(Json(page))
}

/// The discarded video of this project with this id, if there is one.
fn load(state: &AppState, project: &str, video_id: &str) -> ApiResult<Option<Video>> {
    Ok(state.db.get(project, Kind::DiscardedVideo, video_id)?)
}

async fn show(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
) -> ApiResult<Json<Video>> {
    let project = project.id();
    purge_due(&state, Some(project)).await?;
    load(&state, project, &video_id)?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("videoId"))
}

/// Checks a restore body: an object whose `discarded` is `false`.
fn check_restore(body: &Value) -> ApiResult<()> {
    let map = body
        .as_object()
        .ok_or_else(|| ApiError::attribute("", "The request body must be a JSON object."))?;
    match map.get("discarded") {
        None | Some(Value::Null) => Err(ApiError::invalid(vec![Invalid::required("discarded")])),
        Some(Value::Bool(false)) => Ok(()),
        Some(Value::Bool(true)) => Err(ApiError::attribute(
            "discarded",
            "This attribute must be false: a discarded video can only be restored.",
        )
        .with_detail("Value must be false.")),
        Some(_) => Err(ApiError::attribute(
            "discarded",
            "This attribute must be a boolean.",
        )),
    }
}

/// `PATCH /discarded/videos/{videoId}`: restores the video, with its
/// `discarded`, `discardedAt` and `deletesAt` reset and nothing else
/// changed. A video restored already answers as it is now, so a repeated
/// restore (a retry after a lost answer) succeeds too.
async fn restore(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Video>> {
    let project = project.id();
    purge_due(&state, Some(project)).await?;
    let _guard = ingest::lock(&state, &video_id).await;
    let Some(mut video) = load(&state, project, &video_id)? else {
        let live = videos::load(&state, project, &video_id)?;
        check_restore(&body)?;
        return Ok(Json(videos::present(&state, live)));
    };
    check_restore(&body)?;
    video.discarded = false;
    video.discarded_at = None;
    video.deletes_at = None;
    if !state.db.move_kind(
        project,
        &video_id,
        Kind::DiscardedVideo,
        Kind::Video,
        &video,
    )? {
        return Err(ApiError::not_found("videoId"));
    }
    Ok(Json(videos::present(&state, video)))
}
