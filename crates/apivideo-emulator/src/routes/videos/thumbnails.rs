//! A video's thumbnail: a frame picked by its timecode
//! (`PATCH /videos/{videoId}/thumbnail`) or an uploaded image
//! (`POST /videos/{videoId}/thumbnail`: JPEG, PNG or WebP, up to 8 MiB).

use apivideo_raw::types::Video;
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use serde_json::Value;

use super::checks;
use crate::auth::Project;
use crate::extract::ApiJson;
use crate::form;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{ingest, videos};

/// Marks the video as just changed, stores and presents it.
fn touched(state: &AppState, project: &str, mut video: Video) -> ApiResult<Json<Video>> {
    video.updated_at = Some(state.now());
    videos::save(state, project, &video)?;
    Ok(Json(videos::present(state, video)))
}

pub(super) async fn pick_thumbnail(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Video>> {
    let project = project.id();
    let video = videos::load(&state, project, &video_id)?;
    let timecode = checks::timecode(&body)?;
    {
        let _guard = ingest::lock(&state, &video_id).await;
        let mut ingest = ingest::load(&state, project, &video_id)?;
        if !ingest.uploaded {
            return Err(ApiError::attribute(
                "timecode",
                "The video has no source yet: there is no frame to pick.",
            ));
        }
        ingest.thumbnail_timecode = Some(timecode);
        ingest::store(&state, project, &video_id, &ingest)?;
        let uploaded = ingest::video_dir(&state, project, &video_id).join(ingest::THUMBNAIL_FILE);
        match tokio::fs::remove_file(uploaded).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    touched(&state, project, video)
}

/// The extensions `upload_video_thumbnail` takes: JPEG, PNG and WebP.
const THUMBNAIL_EXTENSIONS: [&str; 8] =
    ["jpeg", "jpg", "JPG", "JPEG", "png", "PNG", "webp", "WEBP"];
/// The largest thumbnail `upload_video_thumbnail` takes: 8 MiB.
const MAX_THUMBNAIL: u64 = 8 * 1024 * 1024;

pub(super) async fn upload_thumbnail(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<Video>> {
    let project = project.id();
    let video = videos::load(&state, project, &video_id)?;
    let image = form::receive(&state, multipart, |name| {
        if form::extension(name).is_some_and(|e| THUMBNAIL_EXTENSIONS.contains(&e)) {
            Ok(())
        } else {
            Err(ApiError::file_extension(&THUMBNAIL_EXTENSIONS))
        }
    })
    .await?;
    if image.size == 0 {
        return Err(ApiError::file_missing().with_detail("The file is empty."));
    }
    if image.size > MAX_THUMBNAIL {
        return Err(ingest::too_big(format!(
            "A thumbnail is at most 8 MiB; this one has {} bytes.",
            image.size
        )));
    }
    {
        let _guard = ingest::lock(&state, &video_id).await;
        let dir = ingest::video_dir(&state, project, &video_id);
        image.save(&dir.join(ingest::THUMBNAIL_FILE)).await?;
        let mut ingest = ingest::load(&state, project, &video_id)?;
        ingest.thumbnail_timecode = None;
        ingest::store(&state, project, &video_id, &ingest)?;
    }
    touched(&state, project, video)
}
