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
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::list::{ListQuery, list_page};
use crate::auth::Project;
use crate::db::Kind;
use crate::extract::{ApiJson, ApiQuery};
use crate::pagination::PageQuery;
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;
use crate::store::ingest;
use crate::store::videos::{self, load_discarded, purge_due};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/discarded/videos", get(list))
        .route("/discarded/videos/{videoId}", get(show).patch(restore))
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
    page: PageQuery,
) -> ApiResult<Json<VideosListResponse>> {
    let project = project.id();
    purge_due(&state, Some(project)).await?;
    let page = list_page(&state, project, Kind::DiscardedVideo, &q, &page)?;
    Ok(Json(page))
}

async fn show(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
) -> ApiResult<Json<Video>> {
    let project = project.id();
    purge_due(&state, Some(project)).await?;
    load_discarded(&state, project, &video_id)?
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
    let Some(video) = load_discarded(&state, project, &video_id)? else {
        let live = videos::load(&state, project, &video_id)?;
        check_restore(&body)?;
        return Ok(Json(videos::present(&state, live)));
    };
    check_restore(&body)?;
    let video =
        videos::restore(&state, project, video)?.ok_or_else(|| ApiError::not_found("videoId"))?;
    Ok(Json(videos::present(&state, video)))
}
