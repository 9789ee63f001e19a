//! What captions and chapters share: WebVTT files attached to a video, one
//! per BCP 47 language tag. Language tags are validated and put in their
//! canonical case (`pt-br` is stored as `pt-BR`), WebVTT files are checked
//! before they are kept, and the files are served back under
//! `/vod/{videoId}/captions|chapters/{language}.vtt`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::db::Kind;
use crate::form::Received;
use crate::formats::{bcp47, webvtt};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Which kind of track.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    pub(crate) kind: Kind,
    /// Path segment and media directory: `captions` or `chapters`.
    pub(crate) segment: &'static str,
    /// Whether reading, changing or deleting a track under a malformed
    /// language tag is a 400 (captions) rather than a 404 (chapters), as
    /// the API answers.
    pub(crate) malformed_language_is_invalid: bool,
}

pub(crate) const CAPTIONS: Spec = Spec {
    kind: Kind::Caption,
    segment: "captions",
    malformed_language_is_invalid: true,
};

pub(crate) const CHAPTERS: Spec = Spec {
    kind: Kind::Chapter,
    segment: "chapters",
    malformed_language_is_invalid: false,
};

/// A stored track; its URLs are derived when it is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Track {
    pub(crate) video_id: String,
    pub(crate) language: String,
    #[serde(default)]
    pub(crate) default: bool,
}

impl Track {
    /// `/videos/{videoId}/{segment}/{language}`.
    pub(crate) fn uri(&self, spec: Spec) -> String {
        format!(
            "/videos/{}/{}/{}",
            self.video_id, spec.segment, self.language
        )
    }

    /// The public URL of the WebVTT file.
    pub(crate) fn src(&self, state: &AppState, spec: Spec) -> String {
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
pub(crate) fn require_video(state: &AppState, project: &str, video_id: &str) -> ApiResult<()> {
    state
        .db
        .get::<serde_json::Value>(project, Kind::Video, video_id)?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("videoId"))
}

/// The stored track, or 404 naming the missing video or language.
pub(crate) fn get(
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
pub(crate) fn list(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
) -> ApiResult<Vec<Track>> {
    require_video(state, project, video_id)?;
    Ok(state.db.list(project, spec.kind, Some(video_id))?)
}

/// Stores `track` under its video.
pub(crate) fn put(state: &AppState, project: &str, spec: Spec, track: &Track) -> ApiResult<()> {
    state.db.put(
        project,
        spec.kind,
        &doc_id(&track.video_id, &track.language),
        Some(&track.video_id),
        track,
    )?;
    Ok(())
}

/// Where an upload to `language` of `video_id` goes, checked before the
/// body is read: the video exists and the tag is valid; returns the tag
/// in its canonical case.
pub(crate) fn upload_language(
    state: &AppState,
    project: &str,
    video_id: &str,
    language: &str,
) -> ApiResult<String> {
    require_video(state, project, video_id)?;
    bcp47::canonical_language(language).ok_or_else(invalid_language)
}

/// Checks and stores an uploaded WebVTT file in `language` (from
/// [`upload_language`]). A new upload in a language that already has one
/// replaces the file and keeps `default`.
pub(crate) async fn upload(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
    language: String,
    received: Received,
) -> ApiResult<Track> {
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
pub(crate) async fn put_generated(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
    language: &str,
    vtt: String,
) -> ApiResult<Track> {
    let dest = file_path(state, project, spec, video_id, language);
    crate::media::write(state.media.tmp(), dest, vtt.into_bytes()).await?;
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
pub(crate) async fn delete(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
    language: &str,
) -> ApiResult<()> {
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
    Ok(())
}

/// The file `/vod/{videoId}/{segment}/{file}` names (`{language}.vtt`),
/// opened: the track of a live video, whatever its project (these files
/// are served without credentials, like the CDN's).
pub(crate) async fn open(
    state: &AppState,
    spec: Spec,
    video_id: &str,
    file: &str,
) -> ApiResult<tokio::fs::File> {
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
    match tokio::fs::File::open(&path).await {
        Ok(file) => Ok(file),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(missing()),
        Err(e) => Err(e.into()),
    }
}

/// 400 for a `language` path parameter that is no language tag.
fn invalid_language() -> ApiError {
    ApiError::attribute(
        "language",
        "This parameter must be a valid BCP 47 language tag, such as `en`, `fr` or `pt-BR`.",
    )
}
