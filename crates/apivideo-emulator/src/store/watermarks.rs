//! Watermarks as stored: the document, and the image on disk.

use apivideo_raw::types::Watermark;

use crate::db::Kind;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Whether watermark `id` exists in the project.
pub(crate) fn exists(state: &AppState, project: &str, id: &str) -> ApiResult<bool> {
    Ok(state
        .db
        .get::<Watermark>(project, Kind::Watermark, id)?
        .is_some())
}

/// Deletes the watermark and its image; 404 if there is no such
/// watermark. Videos created with it keep it.
pub(crate) async fn delete(state: &AppState, project: &str, id: &str) -> ApiResult<()> {
    if !state.db.delete(project, Kind::Watermark, id)? {
        return Err(ApiError::not_found("watermarkId"));
    }
    Ok(crate::media::remove_dir(state.media.dir(project, "watermarks", id)).await?)
}

/// Where the watermark's image is kept.
pub(crate) fn image_path(state: &AppState, project: &str, id: &str) -> std::path::PathBuf {
    state.media.dir(project, "watermarks", id).join("image")
}
