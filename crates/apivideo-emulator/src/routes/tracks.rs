//! What captions and chapters share: WebVTT files attached to a video, one
//! per BCP 47 language tag. Language tags are validated and put in their
//! canonical case (`pt-br` is stored as `pt-BR`), WebVTT files are checked
//! before they are kept, and the files are served back under
//! `/vod/{videoId}/captions|chapters/{language}.vtt`.

use std::path::PathBuf;

use axum::body::Body;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::media_form;
use crate::db::Kind;
use crate::formats::{bcp47, webvtt};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Which kind of track.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spec {
    pub(super) kind: Kind,
    /// Path segment and media directory: `captions` or `chapters`.
    pub(super) segment: &'static str,
    /// Whether reading, changing or deleting a track under a malformed
    /// language tag is a 400 (captions) rather than a 404 (chapters), as
    /// the API answers.
    pub(super) malformed_language_is_invalid: bool,
}

pub(super) const CAPTIONS: Spec = Spec {
    kind: Kind::Caption,
    segment: "captions",
    malformed_language_is_invalid: true,
};

pub(super) const CHAPTERS: Spec = Spec {
    kind: Kind::Chapter,
    segment: "chapters",
    malformed_language_is_invalid: false,
};

/// A stored track; its URLs are derived when it is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Track {
    pub(super) video_id: String,
    pub(super) language: String,
    #[serde(default)]
    pub(super) default: bool,
}

impl Track {
    /// `/videos/{videoId}/{segment}/{language}`.
    pub(super) fn uri(&self, spec: Spec) -> String {
        format!(
            "/videos/{}/{}/{}",
            self.video_id, spec.segment, self.language
        )
    }

    /// The public URL of the WebVTT file.
    pub(super) fn src(&self, state: &AppState, spec: Spec) -> String {
        format!(
            "{}/vod/{}/{}/{}.vtt",
            state.base_url, self.video_id, spec.segment, self.language
        )
    }
}

fn doc_id(video_id: &str, language: &str) -> String {
    format!("{video_id}/{language}")
}

fn file_path(state: &AppState, project: &str, spec: Spec, video_id: &str, lang: &str) -> PathBuf {
    state
        .media
        .dir(project, "videos", video_id)
        .join(spec.segment)
        .join(format!("{lang}.vtt"))
}

/// 404 naming `videoId` unless the video exists in the project.
pub(super) fn require_video(state: &AppState, project: &str, video_id: &str) -> ApiResult<()> {
    state
        .db
        .get::<serde_json::Value>(project, Kind::Video, video_id)?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("videoId"))
}

/// The stored track, or 404 naming the missing video or language.
pub(super) fn get(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
    language: &str,
) -> ApiResult<Track> {
    require_video(state, project, video_id)?;
    let language = bcp47::canonical_language(language).ok_or_else(|| {
        if spec.malformed_language_is_invalid {
            invalid_language()
        } else {
            ApiError::not_found("language")
        }
    })?;
    state
        .db
        .get(project, spec.kind, &doc_id(video_id, &language))?
        .ok_or_else(|| ApiError::not_found("language"))
}

/// Every track of the video, oldest first.
pub(super) fn list(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
) -> ApiResult<Vec<Track>> {
    require_video(state, project, video_id)?;
    Ok(state.db.list(project, spec.kind, Some(video_id))?)
}

/// Stores `track` under its video.
pub(super) fn put(state: &AppState, project: &str, spec: Spec, track: &Track) -> ApiResult<()> {
    state.db.put(
        project,
        spec.kind,
        &doc_id(&track.video_id, &track.language),
        Some(&track.video_id),
        track,
    )?;
    Ok(())
}

/// Receives, checks and stores an uploaded WebVTT file. A new upload in a
/// language that already has one replaces the file and keeps `default`.
pub(super) async fn upload(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
    language: &str,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Track> {
    require_video(state, project, video_id)?;
    let language = bcp47::canonical_language(language).ok_or_else(invalid_language)?;
    let received = media_form::receive(state, form, |_| Ok(())).await?;
    webvtt::check_webvtt(received.path())
        .await
        .map_err(|detail| {
            ApiError::attribute("file", "The file is not a valid WebVTT file.").with_detail(detail)
        })?;
    received
        .save(&file_path(state, project, spec, video_id, &language))
        .await?;
    let existing: Option<Track> = state
        .db
        .get(project, spec.kind, &doc_id(video_id, &language))?;
    let track = Track {
        video_id: video_id.to_owned(),
        default: existing.is_some_and(|t| t.default),
        language,
    };
    put(state, project, spec, &track)?;
    Ok(track)
}

/// Stores a WebVTT file the emulator wrote itself (a transcript) as the
/// track of `language` (a canonical tag), synced to disk first. Like an
/// upload, it replaces a file already there in that language and keeps
/// its `default`.
pub(super) async fn put_generated(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
    language: &str,
    vtt: String,
) -> ApiResult<Track> {
    let dest = file_path(state, project, spec, video_id, language);
    let tmp_dir = state.media.tmp();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        std::fs::create_dir_all(&tmp_dir)?;
        let mut file = tempfile::NamedTempFile::new_in(&tmp_dir)?;
        file.write_all(vtt.as_bytes())?;
        file.as_file().sync_all()?;
        let dir = dest.parent().map(std::path::Path::to_path_buf);
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir)?;
        }
        file.persist(&dest).map_err(|e| e.error)?;
        match dir {
            Some(dir) => std::fs::File::open(dir)?.sync_all(),
            None => Ok(()),
        }
    })
    .await
    .map_err(ApiError::internal)??;
    let existing: Option<Track> = state
        .db
        .get(project, spec.kind, &doc_id(video_id, language))?;
    let track = Track {
        video_id: video_id.to_owned(),
        language: language.to_owned(),
        default: existing.is_some_and(|t| t.default),
    };
    put(state, project, spec, &track)?;
    Ok(track)
}

/// Deletes a track and its file.
pub(super) async fn delete(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
    language: &str,
) -> ApiResult<StatusCode> {
    let track = get(state, project, spec, video_id, language)?;
    state.db.delete(
        project,
        spec.kind,
        &doc_id(&track.video_id, &track.language),
    )?;
    let path = file_path(state, project, spec, video_id, &track.language);
    if let Err(e) = tokio::fs::remove_file(&path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        return Err(e.into());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Serves `/vod/{videoId}/{segment}/{language}.vtt` (no credential, like
/// the CDN).
pub(super) async fn serve(
    state: &AppState,
    spec: Spec,
    video_id: &str,
    file: &str,
) -> ApiResult<Response> {
    let missing = || ApiError::not_found("language");
    let language = file
        .strip_suffix(".vtt")
        .and_then(bcp47::canonical_language)
        .ok_or_else(missing)?;
    let (project, track) = state
        .db
        .find::<Track>(spec.kind, &doc_id(video_id, &language))?
        .ok_or_else(missing)?;
    // A discarded video's files wait for a restore, unserved.
    if state
        .db
        .get::<serde_json::Value>(&project, Kind::Video, video_id)?
        .is_none()
    {
        return Err(missing());
    }
    let path = file_path(state, &project, spec, video_id, &track.language);
    let file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(e) => return Err(e.into()),
    };
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok(([(header::CONTENT_TYPE, "text/vtt; charset=utf-8")], body).into_response())
}

/// 400 for a `language` path parameter that is no language tag.
fn invalid_language() -> ApiError {
    ApiError::attribute(
        "language",
        "This parameter must be a valid BCP 47 language tag, such as `en`, `fr` or `pt-BR`.",
    )
}
