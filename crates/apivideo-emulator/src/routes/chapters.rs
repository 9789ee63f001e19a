//! Chapters: WebVTT files whose cues name the sections of a video, one per
//! BCP 47 language tag. Stored under the video (so they go with it) and
//! served at `/vod/{videoId}/chapters/{language}.vtt`.

use apivideo_raw::types::{Chapter, ChaptersListResponse};
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::Project;
use crate::form;
use crate::pagination::PageQuery;
use crate::problem::ApiResult;
use crate::state::AppState;
use crate::store::tracks::{self, CHAPTERS, Track};

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

async fn list(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    page: PageQuery,
) -> ApiResult<Json<ChaptersListResponse>> {
    let tracks = tracks::list(&state, project.id(), CHAPTERS, &video_id)?;
    let (data, pagination) = page.apply(tracks)?;
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
    let project = project.id();
    let language = tracks::upload_language(&state, project, &video_id, &language)?;
    let received = form::receive(&state, form, |_| Ok(())).await?;
    let track = tracks::upload(&state, project, CHAPTERS, &video_id, language, received).await?;
    Ok(Json(present(&state, &track)))
}

async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path((video_id, language)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    tracks::delete(&state, project.id(), CHAPTERS, &video_id, &language).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn serve(
    State(state): State<AppState>,
    Path((video_id, file)): Path<(String, String)>,
) -> ApiResult<Response> {
    let file = tracks::open(&state, CHAPTERS, &video_id, &file).await?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok(([(header::CONTENT_TYPE, "text/vtt; charset=utf-8")], body).into_response())
}
