//! Source uploads: `POST /videos/{videoId}/source` with the API key, and
//! `POST /upload?token=` with a delegated upload token, whose first chunk
//! creates the video and whose later chunks name it with a `videoId` form
//! field. Both take the whole file or chunks (`Content-Range`), streamed to
//! disk; see [`crate::store::ingest`].

use apivideo_raw::types::Video;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::ApiQuery;
use crate::form::{self, Received};
use crate::formats::content_range::{self, ChunkPos};
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;
use crate::store::{encoding, ingest, upload_tokens, videos};

pub(crate) fn routes() -> Router<AppState> {
    // Uploads are streamed to disk and limited by `max_upload_request`,
    // not by axum's in-memory body limit.
    Router::new()
        .route(
            "/videos/{videoId}/source",
            post(upload_video).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/upload",
            post(upload_with_token).layer(DefaultBodyLimit::disable()),
        )
}

/// The answer to an accepted chunk: 201 with the video.
type Accepted = (StatusCode, Json<Video>);

/// Stores a received chunk into `video` and answers with it; starts
/// encoding when the chunk completes the source.
async fn deliver(
    state: &AppState,
    project: &str,
    video: Video,
    pos: ChunkPos,
    chunk: Received,
) -> ApiResult<Accepted> {
    if ingest::accept(state, project, &video.video_id, pos, chunk).await? {
        encoding::schedule(state, project, &video.video_id);
    }
    Ok((StatusCode::CREATED, Json(videos::present(state, video))))
}

async fn upload_video(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Accepted> {
    let project = project.id();
    let video = videos::load(&state, project, &video_id)?;
    let pos = content_range::chunk_pos(&headers)?;
    // Refused before the body is read; checked again once it is.
    if ingest::load(&state, project, &video_id)?.uploaded {
        return Err(ApiError::already_uploaded());
    }
    let chunk = form::receive(&state, multipart, |_| Ok(())).await?;
    deliver(&state, project, video, pos, chunk).await
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn upload_with_token(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TokenQuery>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Accepted> {
    let token = query
        .token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::invalid(vec![Invalid::required("token")]))?;
    let project =
        upload_tokens::project_of(&state, &token)?.ok_or_else(upload_tokens::invalid_token)?;
    let pos = content_range::chunk_pos(&headers)?;
    let chunk = form::receive(&state, multipart, |_| Ok(())).await?;
    let video = match chunk.field("videoId") {
        Some(video_id) => state
            .db
            .get::<Video>(&project, Kind::Video, video_id)?
            .ok_or_else(|| ApiError::attribute("videoId", "No video has this id."))?,
        None => {
            let title = match chunk.file_name.as_deref().unwrap_or_default().trim() {
                "" => "file".to_owned(),
                name => name.to_owned(),
            };
            let video = videos::new_video(title, state.now());
            videos::save(&state, &project, &video)?;
            video
        }
    };
    deliver(&state, &project, video, pos, chunk).await
}
