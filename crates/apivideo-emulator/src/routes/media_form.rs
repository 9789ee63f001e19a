//! Receiving one file from a `multipart/form-data` request: the part that
//! carries a file (whatever its name) is streamed chunk by chunk into a
//! temporary file; small text parts (such as a logo's `link`) are kept.

use std::path::Path;

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::http::StatusCode;
use tokio::io::AsyncWriteExt;

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Largest text part kept, in bytes.
const MAX_TEXT_PART: usize = 64 * 1024;

/// A received file (removed when dropped unless moved with [`Self::save`])
/// and the form's text parts.
#[derive(Debug)]
pub(super) struct Received {
    file: tempfile::TempPath,
    /// The file name the client gave, if any.
    pub(super) file_name: Option<String>,
    /// Text parts, by name.
    pub(super) fields: Vec<(String, String)>,
}

impl Received {
    /// Where the file is now.
    pub(super) fn path(&self) -> &Path {
        &self.file
    }

    /// The value of text part `name`.
    pub(super) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Moves the file to `dest`, creating its directory.
    pub(super) async fn save(self, dest: &Path) -> ApiResult<()> {
        if let Some(dir) = dest.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(&self.file, dest).await?;
        Ok(())
    }
}

/// The extension of a file name (after the last dot), if any.
pub(super) fn extension(file_name: Option<&str>) -> Option<&str> {
    file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, ext)| ext)
}

/// Reads the form. `check_name` sees the file's name before any byte is
/// written, so a wrong extension is rejected without storing anything.
pub(super) async fn receive(
    state: &AppState,
    form: Result<Multipart, MultipartRejection>,
    check_name: impl Fn(Option<&str>) -> ApiResult<()>,
) -> ApiResult<Received> {
    let mut form = form.map_err(|_| not_multipart())?;
    let limit = state.config.max_upload_request;
    let mut file: Option<(tempfile::TempPath, Option<String>)> = None;
    let mut fields = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(|e| broken(&e, limit))? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        if file_name.is_none() && name != "file" {
            fields.push((name, read_text(&mut field).await?));
            continue;
        }
        if file.is_some() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "file-multiple",
                "There is more than one uploaded file in the request.",
            )
            .with_name("file"));
        }
        check_name(file_name.as_deref())?;
        let path = stream_to_tmp(state, &mut field, limit).await?;
        file = Some((path, file_name));
    }
    let (file, file_name) = file.ok_or_else(ApiError::file_missing)?;
    Ok(Received {
        file,
        file_name,
        fields,
    })
}

async fn stream_to_tmp(
    state: &AppState,
    field: &mut Field<'_>,
    limit: usize,
) -> ApiResult<tempfile::TempPath> {
    let tmp_dir = state.media.tmp();
    tokio::fs::create_dir_all(&tmp_dir).await?;
    let (file, path) = tempfile::Builder::new()
        .prefix("form-")
        .tempfile_in(&tmp_dir)?
        .into_parts();
    let mut out = tokio::fs::File::from_std(file);
    let mut written = 0usize;
    while let Some(chunk) = field.chunk().await.map_err(|e| broken(&e, limit))? {
        written = written.saturating_add(chunk.len());
        if written > limit {
            return Err(ApiError::too_large(limit));
        }
        out.write_all(&chunk).await?;
    }
    out.flush().await?;
    out.sync_all().await?;
    Ok(path)
}

async fn read_text(field: &mut Field<'_>) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| broken(&e, MAX_TEXT_PART))? {
        if bytes.len() + chunk.len() > MAX_TEXT_PART {
            return Err(ApiError::too_large(MAX_TEXT_PART));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-body",
            "A text part of the form is not valid UTF-8.",
        )
    })
}

fn not_multipart() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid-content-type",
        "The request body must be multipart/form-data.",
    )
}

fn broken(e: &MultipartError, limit: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::too_large(limit);
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid-body",
        "The multipart body is malformed.",
    )
    .with_detail(e.body_text())
}
