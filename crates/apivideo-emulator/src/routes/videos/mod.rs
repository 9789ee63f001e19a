//! Videos: create (with an optional `source` URL or video to copy), list
//! with filters, sorts and pages, show, update (a PATCH where only present
//! fields change), delete with everything attached (or discard, when the
//! project has Video Restore on), the upload and encoding status, and
//! thumbnails (picked from a frame or uploaded).
//!
//! What is stored, and what a deletion or a discard does to what is
//! attached, is [`crate::store::videos`]'s; `discarded` holds the routes
//! of discarded videos, `list` the query `GET /videos` shares with them.
//!
//! `transcript` and `transcriptSummary` on create and update are handed to
//! `transcripts`: the first asks for a generated caption, the second
//! creates a summary with `origin: auto` (409 naming `transcriptSummary`
//! on an update of a video that has one).

mod checks;
mod discarded;
mod list;
mod thumbnails;

use apivideo_raw::patch::{Patch, VideoUpdatePayload};
use apivideo_raw::types::{Video, VideoCreationPayload, VideoLanguageOrigin, VideoStatus};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde_json::Value;

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::{ApiJson, decode_json};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::transcripts::{self, Attribute, Media};
use crate::store::videos::{self, load, present};
use crate::store::{encoding, ingest, players};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/videos", get(list::list).post(create))
        .route("/videos/{videoId}", get(show).patch(update).delete(remove))
        .route("/videos/{videoId}/status", get(status))
        .route(
            "/videos/{videoId}/thumbnail",
            patch(thumbnails::pick_thumbnail)
                .post(thumbnails::upload_thumbnail)
                .layer(DefaultBodyLimit::disable()),
        )
        .merge(discarded::routes())
}

/// Where the media of a new video come from.
enum Import {
    Nothing,
    Url(String),
    Copy(String),
}

fn import_of(state: &AppState, project: &str, source: Option<&str>) -> ApiResult<Import> {
    let Some(source) = source.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Import::Nothing);
    };
    if source.starts_with("http://") || source.starts_with("https://") {
        return Ok(Import::Url(source.to_owned()));
    }
    if state
        .db
        .get::<Video>(project, Kind::Video, source)?
        .is_none()
    {
        return Err(ApiError::attribute(
            "source",
            "This attribute must be a URL or the id of an existing video.",
        ));
    }
    let from = ingest::load(state, project, source)?;
    match (from.uploaded, from.imported_from) {
        (true, Some(url)) => Ok(Import::Url(url)),
        (true, None) => Ok(Import::Copy(source.to_owned())),
        (false, _) => Err(ApiError::attribute(
            "source",
            "The source video has no uploaded file yet.",
        )),
    }
}

/// Fills the source of a new video; true if there is work in the background.
async fn import(state: &AppState, project: &str, video_id: &str, from: Import) -> ApiResult<bool> {
    let mut ingest = ingest::Ingest::default();
    match from {
        Import::Nothing => return Ok(false),
        Import::Url(url) => {
            ingest.imported_from = Some(url);
            ingest.complete(None, state.clock.now_millis());
        }
        Import::Copy(source) => {
            let size = ingest::copy_source(
                ingest::video_dir(state, project, &source),
                ingest::video_dir(state, project, video_id),
            )
            .await?;
            ingest.complete(Some(size), state.clock.now_millis());
        }
    }
    ingest::store(state, project, video_id, &ingest)?;
    encoding::schedule(state, project, video_id);
    Ok(true)
}

/// A language set through the API: `languageOrigin` is `api`.
fn set_language(video: &mut Video, language: Option<&impl ToString>) {
    if let Some(language) = language {
        video.language = Some(language.to_string());
        video.language_origin = Some(VideoLanguageOrigin::Api);
    }
}

fn check_player(state: &AppState, project: &str, player_id: Option<&str>) -> ApiResult<()> {
    match player_id {
        Some(id) if !players::exists(state, project, id)? => {
            Err(ApiError::attribute("playerId", "No player has this id."))
        }
        _ => Ok(()),
    }
}

/// A `watermark.id` that names no watermark of the project is a 404
/// naming the attribute.
fn check_watermark(
    state: &AppState,
    project: &str,
    payload: &VideoCreationPayload,
) -> ApiResult<()> {
    match payload.watermark.as_ref().and_then(|w| w.id.as_deref()) {
        Some(id) if !crate::store::watermarks::exists(state, project, id)? => {
            Err(ApiError::not_found("watermark.id"))
        }
        _ => Ok(()),
    }
}

/// A checked JSON body as its generated type.
fn typed<T: serde::de::DeserializeOwned>(body: &Value) -> ApiResult<T> {
    decode_json(&serde_json::to_vec(body).map_err(ApiError::internal)?)
}

async fn create(
    project: Project,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<(StatusCode, Json<Video>)> {
    let (body, published_at) = checks::creation(body)?;
    let payload: VideoCreationPayload = typed(&body)?;
    check_player(&state, project.id(), payload.player_id.as_deref())?;
    check_watermark(&state, project.id(), &payload)?;
    let from = import_of(&state, project.id(), payload.source.as_deref())?;
    let mut video = videos::new_video(payload.title, state.now());
    video.description = payload.description.unwrap_or_default();
    video.tags = payload.tags;
    video.metadata = payload.metadata;
    video.player_id = payload.player_id;
    video.public = Some(payload.public);
    video.panoramic = Some(payload.panoramic);
    video.mp4_support = Some(payload.mp4_support);
    set_language(&mut video, payload.language.as_ref());
    if let Some(published_at) = published_at {
        video.published_at = published_at;
    }
    videos::save(&state, project.id(), &video)?;
    // Before any import starts encoding, which finishes what these ask.
    if payload.transcript == Some(true) {
        transcripts::ask_transcript(&state, project.id(), &video, true, Media::Pending).await?;
    }
    if payload.transcript_summary == Some(true) {
        let attributes = Attribute::chosen(
            payload
                .transcript_summary_attributes
                .iter()
                .map(ToString::to_string),
        );
        transcripts::create(
            &state,
            project.id(),
            &video,
            true,
            attributes,
            Media::Pending,
        )?;
    }
    let status = if import(&state, project.id(), &video.video_id, from).await? {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(present(&state, video))))
}

async fn show(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
) -> ApiResult<Json<Video>> {
    let video = load(&state, project.id(), &video_id)?;
    Ok(Json(present(&state, video)))
}

async fn update(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Video>> {
    let project = project.id();
    load(&state, project, &video_id)?;
    let published_at = checks::update(&body)?;
    let patch: VideoUpdatePayload = typed(&body)?;
    let summarise = patch.transcript_summary == Some(true);
    if summarise || patch.transcript == Some(true) {
        // What is generated depends on whether encoding has ended.
        encoding::current(&state, project, &video_id).await?;
    }
    let _guard = ingest::lock(&state, &video_id).await;
    let mut video = load(&state, project, &video_id)?;
    if summarise && transcripts::of_video(&state, project, &video_id)?.is_some() {
        return Err(transcripts::already_exists("transcriptSummary"));
    }
    match patch.player_id {
        Patch::Unchanged => {}
        Patch::Clear => video.player_id = None,
        Patch::Set(id) => {
            check_player(&state, project, Some(&id))?;
            video.player_id = Some(id);
        }
    }
    if let Some(title) = patch.title {
        video.title = title;
    }
    if let Some(description) = patch.description {
        video.description = description;
    }
    video.public = patch.public.or(video.public);
    video.panoramic = patch.panoramic.or(video.panoramic);
    video.mp4_support = patch.mp4_support.or(video.mp4_support);
    match &patch.language {
        Patch::Unchanged => {}
        // Back to detection, on the next encoding.
        Patch::Clear => {
            video.language = None;
            video.language_origin = None;
        }
        Patch::Set(language) => set_language(&mut video, Some(language)),
    }
    if let Some(tags) = patch.tags {
        video.tags = tags;
    }
    if let Some(metadata) = patch.metadata {
        video.metadata = metadata;
    }
    if let Some(published_at) = published_at {
        video.published_at = published_at;
    }
    video.updated_at = Some(state.now());
    videos::save(&state, project, &video)?;
    let media = encoding::media(&ingest::load(&state, project, &video_id)?);
    if let Some(requested) = patch.transcript {
        transcripts::ask_transcript(&state, project, &video, requested, media).await?;
    }
    if summarise {
        let attributes = Attribute::chosen(
            patch
                .transcript_summary_attributes
                .iter()
                .flatten()
                .map(ToString::to_string),
        );
        transcripts::create(&state, project, &video, true, attributes, media)?;
    }
    Ok(Json(present(&state, video)))
}

/// `DELETE /videos/{videoId}`: discards the video when the project has
/// Video Restore on, deletes it for good otherwise.
async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
) -> ApiResult<StatusCode> {
    let project = project.id();
    let restorable = crate::settings::video_restore(&state, project)?;
    let _guard = ingest::lock(&state, &video_id).await;
    let found = if restorable {
        videos::discard(&state, project, &video_id)?
    } else {
        videos::erase(&state, project, Kind::Video, &video_id).await?
    };
    if found {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("videoId"))
    }
}

async fn status(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
) -> ApiResult<Json<VideoStatus>> {
    let video = load(&state, project.id(), &video_id)?;
    let ingest = encoding::current(&state, project.id(), &video_id).await?;
    Ok(Json(encoding::status(&state, &video, &ingest)))
}
