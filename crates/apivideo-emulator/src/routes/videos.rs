//! Videos: create (with an optional `source` URL or video to copy), list
//! with filters, sorts and pages, show, update (a PATCH where only present
//! fields change), delete with everything attached (or discard, when the
//! project has Video Restore on), the upload and encoding status, and
//! thumbnails (picked from a frame or uploaded).
//!
//! A discarded video is stored as [`Kind::DiscardedVideo`], so every
//! lookup of a video misses it (404, absent from lists, tags and assets)
//! while its captions, chapters, ingest state and media stay where they
//! are, ready for a restore.
//!
//! `transcript` and `transcriptSummary` on create and update are handed to
//! `transcripts`: the first asks for a generated caption, the second
//! creates a summary with `origin: auto` (409 naming `transcriptSummary`
//! on an update of a video that has one).

#[path = "encoding.rs"]
pub(crate) mod encoding;
#[path = "ingest.rs"]
pub(crate) mod ingest;

use std::cmp::Ordering;

use apivideo_raw::patch::{Patch, VideoUpdatePayload};
use apivideo_raw::types::{
    Video, VideoAssets, VideoCreationPayload, VideoLanguageOrigin, VideoSource, VideoStatus,
    VideosListResponse,
};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::transcripts::{self, Attribute, Media};
use crate::auth::Project;
use crate::db::Kind;
use crate::extract::{ApiJson, ApiQuery, decode_json, query_pairs};
use crate::ids::{new_id, prefix};
use crate::pagination::Page;
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/videos", get(list).post(create))
        .route("/videos/{videoId}", get(show).patch(update).delete(remove))
        .route("/videos/{videoId}/status", get(status))
        .route(
            "/videos/{videoId}/thumbnail",
            patch(pick_thumbnail)
                .post(upload_thumbnail)
                .layer(DefaultBodyLimit::disable()),
        )
}

/// How long a discarded video can be restored before it is deleted for
/// good.
pub(crate) const RETENTION_DAYS: i64 = 90;

/// A new video created at `now`, with the API's defaults: public, not
/// panoramic, with MP4.
pub(crate) fn new_video(title: String, now: chrono::DateTime<chrono::Utc>) -> Video {
    let id = new_id(prefix::VIDEO);
    Video {
        source: Some(VideoSource {
            type_: Some("upload".into()),
            uri: Some(format!("/videos/{id}/source")),
            live_stream: None,
        }),
        video_id: id,
        created_at: Some(now),
        updated_at: Some(now),
        published_at: now,
        title,
        description: String::new(),
        tags: Vec::new(),
        metadata: Vec::new(),
        assets: None,
        player_id: None,
        public: Some(true),
        panoramic: Some(false),
        mp4_support: Some(true),
        language: None,
        language_origin: None,
        discarded: false,
        discarded_at: None,
        deletes_at: None,
    }
}

/// Stores a video (without its assets, which depend on the base URL).
pub(crate) fn store(state: &AppState, project: &str, video: &Video) -> ApiResult<()> {
    let mut video = video.clone();
    video.assets = None;
    state
        .db
        .put(project, Kind::Video, &video.video_id, None, &video)?;
    Ok(())
}

/// A video of this project, or the 404 naming `videoId`.
pub(crate) fn load(state: &AppState, project: &str, video_id: &str) -> ApiResult<Video> {
    state
        .db
        .get(project, Kind::Video, video_id)?
        .ok_or_else(|| ApiError::not_found("videoId"))
}

/// The video as the API answers it, with asset URLs pointing at the
/// emulator.
pub(crate) fn present(state: &AppState, mut video: Video) -> Video {
    let urls = crate::routes::assets::urls(state, &video);
    video.assets = Some(VideoAssets {
        hls: urls.hls,
        iframe: format!(
            r#"<iframe src="{}" width="100%" height="100%" frameborder="0" scrolling="no" allowfullscreen=""></iframe>"#,
            urls.player
        ),
        mp4: (video.mp4_support != Some(false)).then_some(urls.mp4),
        thumbnail: urls.thumbnail,
        player: urls.player,
    });
    video
}

/// The query of `list_videos` and `list_discarded_videos`, apart from
/// the `tags[]` and `metadata[…]` filters (see [`DynamicFilters`]).
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    title: Option<String>,
    description: Option<String>,
    #[serde(rename = "liveStreamId")]
    live_stream_id: Option<String>,
    #[serde(rename = "sortBy")]
    sort_by: Option<String>,
    #[serde(rename = "sortOrder")]
    sort_order: Option<String>,
    #[serde(rename = "currentPage")]
    current_page: Option<i64>,
    #[serde(rename = "pageSize")]
    page_size: Option<i64>,
}

/// The filters of `list_videos` that serde cannot name statically.
#[derive(Debug, Default)]
struct DynamicFilters {
    tags: Vec<String>,
    metadata: Vec<(String, String)>,
}

impl DynamicFilters {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut out = Self::default();
        for (k, v) in pairs {
            if k == "tags" || (k.starts_with("tags[") && k.ends_with(']')) {
                out.tags.push(v.clone());
            } else if let Some(key) = k
                .strip_prefix("metadata[")
                .and_then(|k| k.strip_suffix(']'))
            {
                out.metadata.push((key.to_owned(), v.clone()));
            }
        }
        out
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn matches(video: &Video, q: &ListQuery, dynamic: &DynamicFilters) -> bool {
    q.title
        .as_deref()
        .is_none_or(|t| contains_ci(&video.title, t))
        && q.description
            .as_deref()
            .is_none_or(|d| contains_ci(&video.description, d))
        && q.live_stream_id.as_deref().is_none_or(|id| {
            video
                .source
                .as_ref()
                .and_then(|s| s.live_stream.as_ref())
                .and_then(|l| l.live_stream_id.as_deref())
                == Some(id)
        })
        && dynamic.tags.iter().all(|t| video.tags.contains(t))
        && dynamic
            .metadata
            .iter()
            .all(|(k, v)| video.metadata.iter().any(|m| m.key == *k && m.value == *v))
}

fn query_enum(name: &str, value: Option<&str>, allowed: &[&str]) -> Result<(), Invalid> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(Invalid {
            kind: "invalid-query-parameter",
            title: format!("This parameter must be one of: {}.", allowed.join(", ")),
            name: name.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Checks `sortBy` and `sortOrder` against their allowed values.
pub(crate) fn check_sort(
    sort_by: Option<&str>,
    allowed: &[&str],
    sort_order: Option<&str>,
) -> ApiResult<bool> {
    let problems: Vec<Invalid> = [
        query_enum("sortBy", sort_by, allowed),
        query_enum("sortOrder", sort_order, &["asc", "desc"]),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if problems.is_empty() {
        Ok(sort_order == Some("desc"))
    } else {
        Err(ApiError::invalid(problems))
    }
}

fn compare(a: &Video, b: &Video, by: &str) -> Ordering {
    match by {
        "title" => {
            let key = |v: &Video| v.title.to_lowercase();
            key(a).cmp(&key(b))
        }
        "publishedAt" => a.published_at.cmp(&b.published_at),
        "updatedAt" => a.updated_at.cmp(&b.updated_at),
        _ => a.created_at.cmp(&b.created_at),
    }
}

/// One page of the project's videos of `kind` (live or discarded),
/// filtered, sorted and paged by the query of `uri`, with links to `path`.
/// Live videos come with their assets; discarded ones, which cannot be
/// played, without.
pub(crate) fn list_page(
    state: &AppState,
    project: &str,
    kind: Kind,
    path: &str,
    uri: &Uri,
    q: &ListQuery,
) -> ApiResult<VideosListResponse> {
    let page = Page::new(q.current_page, q.page_size)?;
    let desc = check_sort(
        q.sort_by.as_deref(),
        &["title", "createdAt", "publishedAt", "updatedAt"],
        q.sort_order.as_deref(),
    )?;
    let pairs = query_pairs(uri.query());
    let dynamic = DynamicFilters::from_pairs(&pairs);
    let mut videos: Vec<Video> = state.db.list(project, kind, None)?;
    videos.retain(|v| matches(v, q, &dynamic));
    // Without `sortBy`, creation order, which `sortOrder` still turns
    // around. The sort is stable: ties keep creation order.
    let by = q.sort_by.as_deref().unwrap_or("createdAt");
    videos.sort_by(|a, b| compare(a, b, by));
    if desc {
        videos.reverse();
    }
    let (data, pagination) = page.apply(videos, &format!("{}{path}", state.base_url), &pairs)?;
    let data = match kind {
        Kind::Video => data.into_iter().map(|v| present(state, v)).collect(),
        _ => data,
    };
    Ok(VideosListResponse { data, pagination })
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    uri: Uri,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<VideosListResponse>> {
    let page = list_page(&state, project.id(), Kind::Video, "/videos", &uri, &q)?;
    Ok(Json(page))
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
        Some(id) if state.db.get::<Value>(project, Kind::Player, id)?.is_none() => {
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
        Some(id) if !super::watermarks::exists(state, project, id)? => {
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
    let mut video = new_video(payload.title, state.now());
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
    store(&state, project.id(), &video)?;
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
    store(&state, project, &video)?;
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
        discard(&state, project, &video_id)?
    } else {
        erase(&state, project, Kind::Video, &video_id).await?
    };
    if found {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("videoId"))
    }
}

/// Discards a live video: marks it `discarded` now, to be deleted for good
/// [`RETENTION_DAYS`] later, and moves it out of the live videos in one
/// write. False if the project has no such live video. The caller holds
/// the video's ingest lock.
fn discard(state: &AppState, project: &str, video_id: &str) -> ApiResult<bool> {
    let Some(mut video) = state.db.get::<Video>(project, Kind::Video, video_id)? else {
        return Ok(false);
    };
    let now = state.now();
    video.discarded = true;
    video.discarded_at = Some(now);
    video.deletes_at = Some(now + chrono::TimeDelta::days(RETENTION_DAYS));
    video.assets = None;
    Ok(state
        .db
        .move_kind(project, video_id, Kind::Video, Kind::DiscardedVideo, &video)?)
}

/// Deletes a video of `kind` (live or discarded) for good with everything
/// attached: its ingest state, transcript state, captions, chapters and
/// summaries in one transaction,
/// then its media on disk. False if there was no such video. The caller
/// holds the video's ingest lock.
pub(crate) async fn erase(
    state: &AppState,
    project: &str,
    kind: Kind,
    video_id: &str,
) -> ApiResult<bool> {
    if !state.db.delete_tree(
        project,
        kind,
        video_id,
        &[Kind::Ingest, Kind::Transcript],
        &[Kind::Caption, Kind::Chapter, Kind::Summary],
    )? {
        return Ok(false);
    }
    match tokio::fs::remove_dir_all(ingest::video_dir(state, project, video_id)).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(true),
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

/// Marks the video as just changed, stores and presents it.
fn touched(state: &AppState, project: &str, mut video: Video) -> ApiResult<Json<Video>> {
    video.updated_at = Some(state.now());
    store(state, project, &video)?;
    Ok(Json(present(state, video)))
}

async fn pick_thumbnail(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Video>> {
    let project = project.id();
    let video = load(&state, project, &video_id)?;
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

async fn upload_thumbnail(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<Video>> {
    let project = project.id();
    let video = load(&state, project, &video_id)?;
    let image = ingest::receive(&state, multipart).await?;
    if !image
        .extension()
        .is_some_and(|e| THUMBNAIL_EXTENSIONS.contains(&e))
    {
        return Err(ApiError::file_extension(&THUMBNAIL_EXTENSIONS));
    }
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
        ingest::persist(image.file, dir.join(ingest::THUMBNAIL_FILE)).await?;
        let mut ingest = ingest::load(&state, project, &video_id)?;
        ingest.thumbnail_timecode = None;
        ingest::store(&state, project, &video_id, &ingest)?;
    }
    touched(&state, project, video)
}

/// Validation of JSON bodies beyond what the types say: every problem is
/// reported at once, with the API's wording.
mod checks {
    use serde_json::{Map, Value};

    use crate::problem::{ApiError, ApiResult, Invalid};

    type Date = chrono::DateTime<chrono::Utc>;

    fn object(body: &Value) -> ApiResult<&Map<String, Value>> {
        body.as_object()
            .ok_or_else(|| ApiError::attribute("", "The request body must be a JSON object."))
    }

    /// Checks a `create_video` body; returns it without `null` attributes
    /// (which mean "the default") and its `publishedAt`, if any.
    pub(super) fn creation(body: Value) -> ApiResult<(Value, Option<Date>)> {
        let mut map = object(&body)?.clone();
        map.retain(|_, v| !v.is_null());
        let mut problems = Vec::new();
        match map.get("title") {
            None => problems.push(Invalid::required("title")),
            Some(title) => check_title(title, &mut problems),
        }
        let published_at = check_common(&map, &mut problems);
        finish(problems)?;
        Ok((Value::Object(map), published_at))
    }

    /// Checks an `update_video` body; returns its `publishedAt`, if any.
    pub(super) fn update(body: &Value) -> ApiResult<Option<Date>> {
        let map = object(body)?;
        let mut problems = Vec::new();
        if let Some(title) = map.get("title").filter(|t| !t.is_null()) {
            check_title(title, &mut problems);
        }
        let published_at = check_common(map, &mut problems);
        finish(problems)?;
        Ok(published_at)
    }

    fn finish(problems: Vec<Invalid>) -> ApiResult<()> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(problems))
        }
    }

    fn check_title(title: &Value, problems: &mut Vec<Invalid>) {
        match title.as_str() {
            None => problems.push(Invalid::attribute(
                "title",
                "This attribute must be a string.",
            )),
            Some(t) if t.trim().is_empty() => problems.push(Invalid::attribute(
                "title",
                "This attribute must not be blank.",
            )),
            Some(_) => {}
        }
    }

    /// Checks the optional attributes shared by creation and update.
    fn check_common(map: &Map<String, Value>, problems: &mut Vec<Invalid>) -> Option<Date> {
        let present = |name: &str| map.get(name).filter(|v| !v.is_null());
        for name in ["description", "source", "playerId"] {
            if present(name).is_some_and(|v| !v.is_string()) {
                problems.push(Invalid::attribute(name, "This attribute must be a string."));
            }
        }
        for name in ["public", "panoramic", "mp4Support"] {
            if present(name).is_some_and(|v| !v.is_boolean()) {
                problems.push(Invalid::attribute(
                    name,
                    "This attribute must be a boolean.",
                ));
            }
        }
        if let Some(tags) = present("tags") {
            match tags.as_array() {
                None => problems.push(Invalid::attribute(
                    "tags",
                    "This attribute must be an array.",
                )),
                Some(items) if !items.iter().all(Value::is_string) => problems.push(
                    Invalid::attribute("tags", "This attribute must be an array of strings."),
                ),
                Some(_) => {}
            }
        }
        if let Some(metadata) = present("metadata") {
            match metadata.as_array() {
                None => problems.push(Invalid::attribute(
                    "metadata",
                    "This attribute must be an array.",
                )),
                Some(items) if !items.iter().all(is_pair) => problems.push(Invalid::attribute(
                    "metadata",
                    "This attribute must be an array of objects with a string `key` and `value`.",
                )),
                Some(_) => {}
            }
        }
        let published_at = present("publishedAt")?;
        let date = published_at.as_str().and_then(parse_date);
        if date.is_none() {
            problems.push(Invalid::attribute(
                "publishedAt",
                "This attribute must be a ISO-8601 date.",
            ));
        }
        date
    }

    fn is_pair(item: &Value) -> bool {
        item.get("key").is_some_and(Value::is_string)
            && item.get("value").is_some_and(Value::is_string)
    }

    /// An RFC 3339 date-time, or one without offset taken as UTC.
    fn parse_date(s: &str) -> Option<Date> {
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&chrono::Utc))
            .ok()
            .or_else(|| {
                chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                    .ok()
                    .map(|d| d.and_utc())
            })
    }

    /// The `timecode` of `pick_video_thumbnail`, checked against the spec's
    /// `pattern` with JSON Schema semantics (through the generated type):
    /// a pattern is not anchored, so `00:00:01.000`, which the reference's
    /// own example sends, is valid.
    pub(super) fn timecode(body: &Value) -> ApiResult<String> {
        let value = object(body)?
            .get("timecode")
            .filter(|v| !v.is_null())
            .ok_or_else(|| ApiError::invalid(vec![Invalid::required("timecode")]))?;
        value
            .as_str()
            .filter(|t| is_timecode(t))
            .map(str::to_owned)
            .ok_or_else(|| {
                ApiError::attribute(
                    "timecode",
                    "This attribute must be a timecode such as `00:01:30` or `00:01:30.25`.",
                )
            })
    }

    fn is_timecode(t: &str) -> bool {
        t.parse::<apivideo_raw::types::VideoThumbnailPickPayloadTimecode>()
            .is_ok()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn timecodes() {
            // JSON Schema patterns are not anchored: the pattern needs to be
            // found, not to span the value.
            for ok in [
                "00:00:00",
                "01:59:59",
                "00:00:01.25",
                "99:00:00",
                "00:00:01.000",
                "00:00:01.5",
                "x00:00:01",
            ] {
                assert!(is_timecode(ok), "{ok}");
            }
            for bad in ["0:00:00", "00:00", "00-00-01", ""] {
                assert!(!is_timecode(bad), "{bad}");
            }
        }

        #[test]
        fn every_problem_is_listed() {
            let err = creation(serde_json::json!({
                "tags": "a", "public": "yes", "publishedAt": "yesterday"
            }))
            .unwrap_err();
            let names: Vec<_> = err
                .problem
                .problems
                .iter()
                .map(|p| p.name.clone().unwrap_or_default())
                .collect();
            assert_eq!(names, ["title", "public", "tags", "publishedAt"]);
        }
    }
}

/// Properties of the `tags[]` and `metadata[…]` filters of `list_videos`,
/// on generated queries: whatever keys and values a client sends, URL
/// encoded, come back as the same filters, and arbitrary queries never
/// panic or make up filters.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn filters_read_back_through_the_url(
            tags in prop::collection::vec(any::<String>(), 0..5),
            metadata in prop::collection::vec((any::<String>(), any::<String>()), 0..5),
            indexed in any::<bool>(),
            noise in prop::collection::vec(
                ("(title|description|sortBy|currentPage|tag|metadata|metadata\\[x|tagsx)", any::<String>()),
                0..4,
            ),
        ) {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &noise {
                query.append_pair(k, v);
            }
            for (i, tag) in tags.iter().enumerate() {
                // `tags[]=a`, or `tags[0]=a` as some encoders write arrays.
                let key = if indexed { format!("tags[{i}]") } else { "tags[]".to_owned() };
                query.append_pair(&key, tag);
            }
            for (k, v) in &metadata {
                query.append_pair(&format!("metadata[{k}]"), v);
            }
            let query = query.finish();
            let filters = DynamicFilters::from_pairs(&query_pairs(Some(&query)));
            prop_assert_eq!(filters.tags, tags);
            prop_assert_eq!(filters.metadata, metadata);
        }

        #[test]
        fn raw_queries_never_panic_or_make_up_filters(query in any::<String>()) {
            let pairs = query_pairs(Some(&query));
            let filters = DynamicFilters::from_pairs(&pairs);
            let sent: usize = pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
            let kept: usize = filters.tags.iter().map(String::len).sum::<usize>()
                + filters.metadata.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
            prop_assert!(filters.tags.len() + filters.metadata.len() <= pairs.len());
            prop_assert!(kept <= sent);
        }
    }
}
