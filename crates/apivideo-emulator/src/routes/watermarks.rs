//! Watermarks: a JPG or PNG image uploaded (the answer holds its
//! `watermarkId` and `createdAt`), listed by creation date, and deleted.
//! `create_video` checks that the `watermark.id` it is given exists
//! ([`exists`]).

use apivideo_raw::types::{
    ListWatermarksSortBy, ListWatermarksSortOrder, Watermark, WatermarksListResponse,
};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::ApiQuery;
use crate::form;
use crate::ids::{self, prefix};
use crate::pagination::PageQuery;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::watermarks::{self, image_path};

/// Image extensions, as the real API lists them.
const IMAGE_EXTENSIONS: [&str; 6] = ["jpeg", "jpg", "JPG", "JPEG", "png", "PNG"];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/watermarks",
            get(list).post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/watermarks/{watermarkId}", delete(remove))
}

/// Whether a file name has a JPG or PNG extension (any case).
fn is_image(file_name: Option<&str>) -> bool {
    form::extension(file_name)
        .is_some_and(|ext| matches!(ext.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    /// Only `createdAt`, the order used anyway: other values are refused
    /// when the query is decoded.
    #[serde(rename = "sortBy")]
    _sort_by: Option<ListWatermarksSortBy>,
    #[serde(rename = "sortOrder")]
    sort_order: Option<ListWatermarksSortOrder>,
}

/// The project's watermarks by `createdAt` (the only sort), ties in upload
/// order; `desc` is the exact reverse of `asc`.
async fn list(
    project: Project,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
    page: PageQuery,
) -> ApiResult<Json<WatermarksListResponse>> {
    let mut watermarks: Vec<Watermark> = state.db.list(project.id(), Kind::Watermark, None)?;
    watermarks.sort_by_key(|w| w.created_at);
    if query.sort_order == Some(ListWatermarksSortOrder::Desc) {
        watermarks.reverse();
    }
    let (data, pagination) = page.apply(watermarks)?;
    Ok(Json(WatermarksListResponse { data, pagination }))
}

/// Takes a JPG or PNG image (by its file name, as the real API does) and
/// answers 200 with the new watermark.
async fn upload(
    project: Project,
    State(state): State<AppState>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<Watermark>> {
    let project = project.id();
    let received = form::receive(&state, form, |name| {
        if is_image(name) {
            Ok(())
        } else {
            Err(ApiError::file_extension(&IMAGE_EXTENSIONS))
        }
    })
    .await?;
    let watermark = Watermark {
        watermark_id: ids::new_id(prefix::WATERMARK),
        created_at: state.now(),
    };
    received
        .save(&image_path(&state, project, &watermark.watermark_id))
        .await?;
    state.db.put(
        project,
        Kind::Watermark,
        &watermark.watermark_id,
        None,
        &watermark,
    )?;
    Ok(Json(watermark))
}

/// Deletes the watermark and its image. Videos created with it keep it.
async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    watermarks::delete(&state, project.id(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
