//! The one receiver of `multipart/form-data` requests (video sources and
//! chunks, thumbnails, captions, chapters, watermarks, player logos): the
//! part that carries a file (whatever its field name) is streamed chunk by
//! chunk into a synced temporary file under the media `tmp/` directory;
//! small text parts (a chunk's `videoId`, a logo's `link`) are kept.
//!
//! Every route answers the same faults the same way:
//! - a body that is not multipart, or that cannot be read as such: 400
//!   `invalid-multipart`;
//! - more than `max_upload_request` bytes in all: 413;
//! - a text part over 64 KiB or not UTF-8: 400 naming the part;
//! - no file: 400 `uploaded-file-no-file`; two files: 400
//!   `uploaded-file-multiple-files`;
//! - a file name the route refuses: its problem, before any byte is stored.

use std::path::Path;

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::http::StatusCode;
use tempfile::TempPath;
use tokio::io::{AsyncWriteExt, BufWriter};

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Largest text part kept, in bytes.
const MAX_TEXT_PART: usize = 64 * 1024;

/// A received file (deleted when dropped unless moved with [`Self::save`])
/// and the form's text parts.
#[derive(Debug)]
pub(crate) struct Received {
    file: TempPath,
    /// The file's size in bytes.
    pub(crate) size: u64,
    /// The file name the client gave, if any.
    pub(crate) file_name: Option<String>,
    /// Text parts, by name.
    fields: Vec<(String, String)>,
}

impl Received {
    /// Where the file is now.
    pub(crate) fn path(&self) -> &Path {
        &self.file
    }

    /// The value of text part `name`, trimmed; `None` when absent or blank.
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Moves the file to `dest` durably (see [`crate::media::persist`]).
    pub(crate) async fn save(self, dest: &Path) -> ApiResult<()> {
        crate::media::persist(self.file, dest.to_path_buf()).await?;
        Ok(())
    }
}

/// The extension of a file name (after the last dot), if any.
pub(crate) fn extension(file_name: Option<&str>) -> Option<&str> {
    file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, ext)| ext)
}

/// Reads the form. `check_name` sees the file's name before any byte is
/// written, so a wrong extension is refused without storing anything.
pub(crate) async fn receive(
    state: &AppState,
    form: Result<Multipart, MultipartRejection>,
    check_name: impl Fn(Option<&str>) -> ApiResult<()>,
) -> ApiResult<Received> {
    let mut form = form.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-multipart",
            "The request body must be multipart/form-data.",
        )
        .with_detail(e.body_text())
    })?;
    let limit = state.config.max_upload_request;
    let mut budget = limit;
    let mut file: Option<(TempPath, u64, Option<String>)> = None;
    let mut fields = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(|e| broken(&e, limit))? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        if file_name.is_none() && name != "file" {
            let text = read_text(&mut field, &name, limit).await?;
            budget = budget
                .checked_sub(text.len())
                .ok_or_else(|| ApiError::too_large(limit))?;
            fields.push((name, text));
            continue;
        }
        if file.is_some() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "uploaded-file-multiple-files",
                "There is more than one uploaded file in the request.",
            )
            .with_name("file"));
        }
        check_name(file_name.as_deref())?;
        let (path, size) = stream_to_tmp(state, &mut field, &mut budget, limit).await?;
        file = Some((path, size, file_name));
    }
    let (file, size, file_name) = file.ok_or_else(ApiError::file_missing)?;
    Ok(Received {
        file,
        size,
        file_name,
        fields,
    })
}

/// Streams one part to a new temporary file, synced before returning.
async fn stream_to_tmp(
    state: &AppState,
    field: &mut Field<'_>,
    budget: &mut usize,
    limit: usize,
) -> ApiResult<(TempPath, u64)> {
    let tmp_dir = state.media.tmp();
    tokio::fs::create_dir_all(&tmp_dir).await?;
    let (file, path) = tempfile::Builder::new()
        .prefix("form-")
        .tempfile_in(&tmp_dir)?
        .into_parts();
    let mut out = BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(file));
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(|e| broken(&e, limit))? {
        *budget = budget
            .checked_sub(chunk.len())
            .ok_or_else(|| ApiError::too_large(limit))?;
        out.write_all(&chunk).await?;
        size += chunk.len() as u64;
    }
    out.flush().await?;
    out.into_inner().sync_all().await?;
    Ok((path, size))
}

/// A text part, at most [`MAX_TEXT_PART`] bytes of UTF-8.
async fn read_text(field: &mut Field<'_>, name: &str, limit: usize) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| broken(&e, limit))? {
        if bytes.len() + chunk.len() > MAX_TEXT_PART {
            return Err(ApiError::attribute(
                name,
                "This field is too long: at most 64 KiB.",
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes)
        .map_err(|_| ApiError::attribute(name, "This field must be UTF-8 text."))
}

/// The problem for a body multer could not read: 413 past the request
/// limit, 400 `invalid-multipart` otherwise.
fn broken(e: &MultipartError, limit: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::too_large(limit);
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid-multipart",
        "The multipart/form-data body could not be read.",
    )
    .with_detail(e.body_text())
}
