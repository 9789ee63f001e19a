//! Watermarks as stored: the document, and the image on disk.

use apivideo_raw::types::Watermark;

use crate::db::Kind;
use crate::problem::ApiResult;
use crate::state::AppState;

/// Whether watermark `id` exists in the project.
pub(crate) fn exists(state: &AppState, project: &str, id: &str) -> ApiResult<bool> {
    Ok(state
        .db
        .get::<Watermark>(project, Kind::Watermark, id)?
        .is_some())
}

/// Where the watermark's image is kept.
pub(crate) fn image_path(state: &AppState, project: &str, id: &str) -> std::path::PathBuf {
    state.media.dir(project, "watermarks", id).join("image")
}
