//! Chapters: WebVTT files whose cues name the sections of a video, one per
//! BCP 47 language tag. Stored under the video (so they go with it) and
//! served at `/vod/{videoId}/chapters/{language}.vtt`.

use apivideo_raw::types::{Chapter, ChaptersListResponse};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::tracks::{self, CHAPTERS, Track};
use crate::auth::Project;
use crate::extract::{ApiQuery, query_pairs};
use crate::pagination::Page;
use crate::problem::ApiResult;
use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/videos/{videoId}/chapters", get(list))
        .route(
            "/videos/{videoId}/chapters/{language}",
            get(show)
                .delete(remove)
                .post(upload)
                .layer(DefaultBodyLimit::disable()),
        )
}

/// The chapters' WebVTT files, as a player fetches them: faults never
/// apply to them.
pub(crate) fn asset_routes() -> Router<AppState> {
    Router::new().route("/vod/{videoId}/chapters/{file}", get(serve))
}

fn present(state: &AppState, track: &Track) -> Chapter {
    Chapter {
        uri: track.uri(CHAPTERS),
        src: track.src(state, CHAPTERS),
        language: track.language.clone(),
    }
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(rename = "currentPage")]
    current_page: Option<i64>,
    #[serde(rename = "pageSize")]
    page_size: Option<i64>,
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ChaptersListResponse>> {
    let page = Page::new(query.current_page, query.page_size)?;
    let tracks = tracks::list(&state, project.id(), CHAPTERS, &video_id)?;
    let url = format!("{}/videos/{video_id}/chapters", state.base_url);
    let (data, pagination) = page.apply(tracks, &url, &query_pairs(uri.query()))?;
    Ok(Json(ChaptersListResponse {
        data: data.iter().map(|t| present(&state, t)).collect(),
        pagination,
    }))
}

async fn show(
    project: Project,
    State(state): State<AppState>,
    Path((video_id, language)): Path<(String, String)>,
) -> ApiResult<Json<Chapter>> {
    let track = tracks::get(&state, project.id(), CHAPTERS, &video_id, &language)?;
    Ok(Json(present(&state, &track)))
}

async fn upload(
    project: Project,
    State(state): State<AppState>,
    Path((video_id, language)): Path<(String, String)>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<Chapter>> {
    let track = tracks::upload(&state, project.id(), CHAPTERS, &video_id, &language, form).await?;
    Ok(Json(present(&state, &track)))
}

async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path((video_id, language)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    tracks::delete(&state, project.id(), CHAPTERS, &video_id, &language).await
}

async fn serve(
    State(state): State<AppState>,
    Path((video_id, file)): Path<(String, String)>,
) -> ApiResult<Response> {
    tracks::serve(&state, CHAPTERS, &video_id, &file).await
}
