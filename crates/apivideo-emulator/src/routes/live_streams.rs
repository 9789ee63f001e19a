//! Live streams: create, list (filters, sorts), show, update (PATCH), delete,
//! a JPEG thumbnail, completion, and the playback assets
//! (`/live/{id}.m3u8`, `/live/{id}/thumbnail.jpg`, `/embed/live/{id}`). The
//! emulator takes no RTMP, so `POST /_emulator/live-streams/{id}/broadcast`
//! simulates a broadcast starting or ending, with its webhooks.
//!
//! `PUT /live-streams/{id}/complete` on a broadcasting stream answers 202
//! and ends the broadcast `complete_delay` later, as an encoder
//! disconnecting would: `broadcasting: false`, the playlist closed with
//! `EXT-X-ENDLIST`, `live-stream.broadcast.ended` emitted. Like encoding,
//! the end is derived from the stored time of the request, so it survives a
//! restart: a timer (or, after a restart, the first read of the stream)
//! ends the broadcast and emits the webhook exactly once. Every
//! read-modify-write of a stream holds its lock, so an update never undoes
//! the end of a broadcast.

use apivideo_raw::types::{
    ListLiveStreamsSortOrder, LiveStream, LiveStreamAssets, LiveStreamCreationPayload,
    LiveStreamUpdatePayload, LiveStreamsListResponse, RestreamsRequestObject,
    RestreamsResponseObject,
};
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, OriginalUri, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::media_form;
use crate::auth::Project;
use crate::db::Kind;
use crate::extract::{ApiJson, ApiQuery, decode_json, query_pairs};
use crate::ids::{self, prefix};
use crate::pagination::Page;
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::{AppState, now_millis};

/// Most restream destinations a live stream takes.
const MAX_RESTREAMS: usize = 5;
/// Extensions a thumbnail may have.
const THUMBNAIL_EXTENSIONS: [&str; 4] = ["jpeg", "jpg", "JPG", "JPEG"];

/// A gray 8×8 baseline JPEG, shown until a thumbnail is uploaded.
const PLACEHOLDER_JPEG: &[u8] = &[
    0xFF, 0xD8, // SOI
    0xFF, 0xDB, 0x00, 0x43, 0x00, // DQT, table 0, all ones
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, // 64 entries
    0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11,
    0x00, // SOF0 8×8, one component
    0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x00, // DHT DC 0: one code
    0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x00, // DHT AC 0: end of block
    0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, // SOS
    0x3F, // DC 0, EOB, padding
    0xFF, 0xD9, // EOI
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/live-streams", get(list).post(create))
        .route(
            "/live-streams/{liveStreamId}",
            get(show).patch(update).delete(remove),
        )
        .route("/live-streams/{liveStreamId}/complete", put(complete))
        .route(
            "/live-streams/{liveStreamId}/thumbnail",
            post(upload_thumbnail)
                .delete(delete_thumbnail)
                .layer(DefaultBodyLimit::disable()),
        )
}

/// The assets of live streams, as a player fetches them: faults never
/// apply to them.
pub(crate) fn asset_routes() -> Router<AppState> {
    Router::new()
        .route("/live/{file}", get(serve_hls))
        .route("/live/{liveStreamId}/thumbnail.jpg", get(serve_thumbnail))
        .route("/embed/live/{liveStreamId}", get(serve_player))
}

/// The admin route that plays a live stream's encoder: faults never
/// apply to it.
pub(crate) fn admin_routes() -> Router<AppState> {
    Router::new().route(
        "/_emulator/live-streams/{liveStreamId}/broadcast",
        post(broadcast),
    )
}

/// The asset URLs of live stream `id`, on this emulator.
fn assets(state: &AppState, id: &str) -> LiveStreamAssets {
    let player = format!("{}/embed/live/{id}", state.base_url);
    LiveStreamAssets {
        hls: format!("{}/live/{id}.m3u8", state.base_url),
        iframe: format!(
            r#"<iframe src="{player}" width="100%" height="100%" frameborder="0" scrolling="no" allowfullscreen=""></iframe>"#
        ),
        thumbnail: format!("{}/live/{id}/thumbnail.jpg", state.base_url),
        player,
    }
}

/// The stored live stream with its asset URLs filled in.
fn present(state: &AppState, mut stream: LiveStream) -> LiveStream {
    stream.assets = assets(state, &stream.live_stream_id);
    stream
}

fn load(state: &AppState, project: &str, id: &str) -> ApiResult<LiveStream> {
    state
        .db
        .get(project, Kind::LiveStream, id)?
        .ok_or_else(|| ApiError::not_found("liveStreamId"))
}

fn save(state: &AppState, project: &str, stream: &LiveStream) -> ApiResult<()> {
    state.db.put(
        project,
        Kind::LiveStream,
        &stream.live_stream_id,
        None,
        stream,
    )?;
    Ok(())
}

fn media_dir(state: &AppState, project: &str, id: &str) -> std::path::PathBuf {
    state.media.dir(project, "live-streams", id)
}

/// Locks a live stream for a read-modify-write sequence.
async fn lock<'a>(state: &'a AppState, id: &str) -> tokio::sync::MutexGuard<'a, ()> {
    state.live_stream_locks.lock(id).await
}

/// What the emulator keeps about a stream's broadcasts besides the stream
/// itself, stored beside it (id: the live stream id).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Broadcast {
    /// When the running broadcast was completed (Unix milliseconds); it
    /// ends `complete_delay` after that. `None`: no completion under way.
    completion_requested_at: Option<i64>,
    /// The last broadcast has ended and no other has started since: the
    /// playlist is closed with `EXT-X-ENDLIST`.
    ended: bool,
}

fn load_broadcast(state: &AppState, project: &str, id: &str) -> ApiResult<Broadcast> {
    Ok(state
        .db
        .get(project, Kind::Broadcast, id)?
        .unwrap_or_default())
}

fn store_broadcast(
    state: &AppState,
    project: &str,
    id: &str,
    broadcast: &Broadcast,
) -> ApiResult<()> {
    state
        .db
        .put(project, Kind::Broadcast, id, None, broadcast)?;
    Ok(())
}

fn complete_delay_ms(state: &AppState) -> i64 {
    i64::try_from(state.config.complete_delay.as_millis()).unwrap_or(i64::MAX)
}

/// Emits a broadcast event of a live stream.
fn emit(state: &AppState, project: &str, event: &str, id: &str) {
    crate::delivery::emit(
        state,
        project,
        event,
        serde_json::json!({ "liveStreamId": id }),
    );
}

/// Ends the running broadcast of `stream`: `broadcasting: false`, the
/// playlist closed, no completion under way any more, and
/// `live-stream.broadcast.ended` emitted. Under the stream's lock.
fn end_broadcast(state: &AppState, project: &str, stream: &mut LiveStream) -> ApiResult<()> {
    stream.broadcasting = false;
    save(state, project, stream)?;
    let ended = Broadcast {
        completion_requested_at: None,
        ended: true,
    };
    store_broadcast(state, project, &stream.live_stream_id, &ended)?;
    emit(
        state,
        project,
        "live-stream.broadcast.ended",
        &stream.live_stream_id,
    );
    record(state, project, stream);
    Ok(())
}

/// Size of the file that stands for a recorded broadcast.
const RECORDING_BYTES: usize = 64 * 1024;

/// Turns the broadcast that just ended into a video, in the background, as
/// the API records every broadcast (a stream created or updated with the
/// legacy `record: false` is not recorded): a new video whose `source`
/// names the live stream, a stand-in file as its source, encoded like an
/// upload, and `video.source.recorded` emitted once the video exists.
fn record(state: &AppState, project: &str, stream: &LiveStream) {
    if stream.record == Some(false) {
        return;
    }
    let (task_state, project) = (state.clone(), project.to_owned());
    let (id, name) = (stream.live_stream_id.clone(), stream.name.clone());
    state.spawn(async move {
        if let Err(e) = save_recording(&task_state, &project, &id, name).await {
            tracing::warn!(live_stream_id = %id, error = ?e.problem, "broadcast not recorded");
        }
    });
}

async fn save_recording(
    state: &AppState,
    project: &str,
    live_stream_id: &str,
    title: String,
) -> ApiResult<()> {
    use super::videos::{encoding, ingest};
    use apivideo_raw::types::{VideoSource, VideoSourceLiveStream, VideoSourceLiveStreamLink};

    let mut video = super::videos::new_video(title, state.now());
    let video_id = video.video_id.clone();
    video.source = Some(VideoSource {
        type_: Some("live".to_owned()),
        uri: Some(format!("/videos/{video_id}/source")),
        live_stream: Some(VideoSourceLiveStream {
            live_stream_id: Some(live_stream_id.to_owned()),
            links: vec![VideoSourceLiveStreamLink {
                rel: Some("self".to_owned()),
                uri: Some(format!("/live-streams/{live_stream_id}")),
            }],
        }),
    });
    let dir = ingest::video_dir(state, project, &video_id);
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(ingest::SOURCE_FILE);
        std::fs::write(&path, vec![0u8; RECORDING_BYTES])?;
        std::fs::File::open(&path)?.sync_all()
    })
    .await
    .map_err(ApiError::internal)??;
    let mut source = ingest::Ingest::default();
    source.complete(Some(RECORDING_BYTES as u64), state.clock.now_millis());
    ingest::store(state, project, &video_id, &source)?;
    super::videos::store(state, project, &video)?;
    encoding::schedule(state, project, &video_id);
    crate::delivery::emit(
        state,
        project,
        "video.source.recorded",
        serde_json::json!({ "liveStreamId": live_stream_id, "videoId": video_id }),
    );
    state.counters.event("live-stream.recorded");
    Ok(())
}

/// Ends the broadcast of `stream` if its completion is due at `now`.
/// Under the stream's lock.
fn settle_locked(
    state: &AppState,
    project: &str,
    stream: &mut LiveStream,
    now: i64,
) -> ApiResult<()> {
    if !stream.broadcasting {
        return Ok(());
    }
    let broadcast = load_broadcast(state, project, &stream.live_stream_id)?;
    if let Some(at) = broadcast.completion_requested_at
        && now.saturating_sub(at) >= complete_delay_ms(state)
    {
        end_broadcast(state, project, stream)?;
        state.counters.event("live-stream.completed");
    }
    Ok(())
}

/// The stream as it is now: a broadcast whose completion is due has ended
/// (after a restart the timer is gone, so reads finish the job). Only a
/// broadcasting stream can have a completion under way, so the others cost
/// nothing.
async fn settled(state: &AppState, project: &str, stream: LiveStream) -> ApiResult<LiveStream> {
    if !stream.broadcasting {
        return Ok(stream);
    }
    let _guard = lock(state, &stream.live_stream_id).await;
    let Some(mut current) =
        state
            .db
            .get::<LiveStream>(project, Kind::LiveStream, &stream.live_stream_id)?
    else {
        // Deleted meanwhile: answer what was read.
        return Ok(stream);
    };
    settle_locked(state, project, &mut current, now_millis())?;
    Ok(current)
}

/// Ends the broadcast `complete_delay` after the completion requested at
/// `requested_at`, unless that completion is over by then (the encoder
/// disconnected, the stream was deleted).
fn schedule_completion(state: &AppState, project: &str, id: &str, requested_at: i64) {
    let (task_state, project, id) = (state.clone(), project.to_owned(), id.to_owned());
    state.spawn(async move {
        tokio::time::sleep(task_state.config.complete_delay).await;
        if let Err(e) = finish_completion(&task_state, &project, &id, requested_at).await {
            tracing::warn!(live_stream_id = id, error = ?e.problem, "completion could not finish");
        }
    });
}

/// The timer's end of a completion: this very completion, whatever the
/// clock says.
async fn finish_completion(
    state: &AppState,
    project: &str,
    id: &str,
    requested_at: i64,
) -> ApiResult<()> {
    let _guard = lock(state, id).await;
    let Some(mut stream) = state.db.get::<LiveStream>(project, Kind::LiveStream, id)? else {
        return Ok(());
    };
    let broadcast = load_broadcast(state, project, id)?;
    if stream.broadcasting && broadcast.completion_requested_at == Some(requested_at) {
        end_broadcast(state, project, &mut stream)?;
        state.counters.event("live-stream.completed");
    }
    Ok(())
}

/// `PUT /live-streams/{id}/complete`: 202, and a running broadcast ends
/// `complete_delay` later. A stream that is not broadcasting, or whose
/// completion is under way already, stays as it is: the first completion
/// keeps its time.
async fn complete(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let project = project.id();
    let _guard = lock(&state, &id).await;
    let mut stream = load(&state, project, &id)?;
    let now = now_millis();
    settle_locked(&state, project, &mut stream, now)?;
    if stream.broadcasting {
        let mut broadcast = load_broadcast(&state, project, &id)?;
        if broadcast.completion_requested_at.is_none() {
            broadcast.completion_requested_at = Some(now);
            store_broadcast(&state, project, &id, &broadcast)?;
            schedule_completion(&state, project, &id, now);
        }
    }
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(rename = "streamKey")]
    stream_key: Option<String>,
    name: Option<String>,
    #[serde(rename = "sortBy")]
    sort_by: Option<String>,
    #[serde(rename = "sortOrder")]
    sort_order: Option<ListLiveStreamsSortOrder>,
    #[serde(rename = "currentPage")]
    current_page: Option<i64>,
    #[serde(rename = "pageSize")]
    page_size: Option<i64>,
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<LiveStreamsListResponse>> {
    let page = Page::new(query.current_page, query.page_size)?;
    let project = project.id();
    let stored: Vec<LiveStream> = state.db.list(project, Kind::LiveStream, None)?;
    let mut streams = Vec::with_capacity(stored.len());
    for stream in stored {
        streams.push(settled(&state, project, stream).await?);
    }
    streams.retain(|s| {
        query.stream_key.as_ref().is_none_or(|k| s.stream_key == *k)
            // As on the API, `name` matches part of the name (case
            // and all: `Demo` finds `My Demo 2`, not `my demo`).
            && query
                .name
                .as_ref()
                .is_none_or(|n| s.name.contains(n.as_str()))
    });
    sort(&mut streams, query.sort_by.as_deref(), query.sort_order)?;
    let url = format!("{}/live-streams", state.base_url);
    let (data, pagination) = page.apply(streams, &url, &query_pairs(uri.query()))?;
    Ok(Json(LiveStreamsListResponse {
        data: data.into_iter().map(|s| present(&state, s)).collect(),
        pagination,
    }))
}

/// Sorts by `name`, `createdAt` or `updatedAt`; without `sortBy`, creation
/// order. Ties are broken by creation order (`streams` come in it), and
/// `sortOrder=desc` is the exact reverse of `asc`: streams created in the
/// same millisecond still come newest first by `createdAt` `desc`.
fn sort(
    streams: &mut [LiveStream],
    by: Option<&str>,
    order: Option<ListLiveStreamsSortOrder>,
) -> ApiResult<()> {
    let desc = order == Some(ListLiveStreamsSortOrder::Desc);
    let cmp: fn(&LiveStream, &LiveStream) -> std::cmp::Ordering = match by {
        None | Some("createdAt") => |a, b| a.created_at.cmp(&b.created_at),
        Some("name") => |a, b| a.name.cmp(&b.name),
        Some("updatedAt") => |a, b| a.updated_at.cmp(&b.updated_at),
        Some(_) => {
            return Err(ApiError::invalid(vec![Invalid::attribute(
                "sortBy",
                "This parameter must be one of `name`, `createdAt` or `updatedAt`.",
            )]));
        }
    };
    // Stable: equal streams keep creation order.
    streams.sort_by(cmp);
    if desc {
        streams.reverse();
    }
    Ok(())
}

async fn create(
    project: Project,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<LiveStreamCreationPayload>,
) -> ApiResult<Json<LiveStream>> {
    let project = project.id();
    let mut problems = Vec::new();
    if body.name.trim().is_empty() {
        problems.push(Invalid::attribute(
            "name",
            "This value should not be blank.",
        ));
    }
    problems.extend(check_restreams(&body.restreams));
    if let Some(player) = &body.player_id {
        problems.extend(check_player(&state, project, player)?);
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let now = state.now();
    let live_stream_id = ids::new_id(prefix::LIVE_STREAM);
    let stream = LiveStream {
        assets: assets(&state, &live_stream_id),
        live_stream_id,
        name: body.name,
        stream_key: stream_key(),
        record: body.record,
        public: body.public.unwrap_or(true),
        player_id: body.player_id,
        broadcasting: false,
        restreams: body.restreams.into_iter().map(restream).collect(),
        created_at: now,
        updated_at: now,
    };
    save(&state, project, &stream)?;
    Ok(Json(present(&state, stream)))
}

/// A stream key shaped like the real ones (a random version 4 UUID).
fn stream_key() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn restream(r: RestreamsRequestObject) -> RestreamsResponseObject {
    RestreamsResponseObject {
        name: r.name,
        server_url: r.server_url,
        stream_key: r.stream_key,
    }
}

/// At most five destinations, each with a name, an RTMP URL and a key.
fn check_restreams(restreams: &[RestreamsRequestObject]) -> Vec<Invalid> {
    let mut problems = Vec::new();
    if restreams.len() > MAX_RESTREAMS {
        problems.push(Invalid::attribute(
            "restreams",
            format!("This collection should contain {MAX_RESTREAMS} elements or less."),
        ));
    }
    for (i, r) in restreams.iter().enumerate() {
        for (field, value) in [
            ("name", &r.name),
            ("serverUrl", &r.server_url),
            ("streamKey", &r.stream_key),
        ] {
            if value.trim().is_empty() {
                problems.push(Invalid::attribute(
                    format!("restreams[{i}][{field}]"),
                    "This value should not be blank.",
                ));
            }
        }
        let url = r.server_url.to_ascii_lowercase();
        if !r.server_url.trim().is_empty()
            && !url.starts_with("rtmp://")
            && !url.starts_with("rtmps://")
        {
            problems.push(Invalid::attribute(
                format!("restreams[{i}][serverUrl]"),
                "This value must be an RTMP URL (`rtmp://` or `rtmps://`).",
            ));
        }
    }
    problems
}

/// `playerId` must name a player of the project.
fn check_player(state: &AppState, project: &str, player: &str) -> ApiResult<Vec<Invalid>> {
    let exists = state
        .db
        .get::<serde_json::Value>(project, Kind::Player, player)?
        .is_some();
    Ok(if exists {
        Vec::new()
    } else {
        vec![Invalid::attribute(
            "playerId",
            "This attribute must be the id of an existing player.",
        )]
    })
}

async fn show(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<LiveStream>> {
    let project = project.id();
    let stream = settled(&state, project, load(&state, project, &id)?).await?;
    Ok(Json(present(&state, stream)))
}

/// PATCH: only the attributes present change. `restreams` replaces the
/// whole list (`[]` empties it); `playerId: null` detaches the player.
async fn update(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(raw): ApiJson<serde_json::Value>,
) -> ApiResult<Json<LiveStream>> {
    let project = project.id();
    let _guard = lock(&state, &id).await;
    let mut stream = load(&state, project, &id)?;
    settle_locked(&state, project, &mut stream, now_millis())?;
    let body: LiveStreamUpdatePayload = decode_json(raw.to_string().as_bytes())?;
    let mut problems = Vec::new();
    if body.name.as_ref().is_some_and(|n| n.trim().is_empty()) {
        problems.push(Invalid::attribute(
            "name",
            "This value should not be blank.",
        ));
    }
    problems.extend(check_restreams(&body.restreams));
    if let Some(player) = &body.player_id {
        problems.extend(check_player(&state, project, player)?);
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    if let Some(name) = body.name {
        stream.name = name;
    }
    if let Some(public) = body.public {
        stream.public = public;
    }
    if let Some(record) = body.record {
        stream.record = Some(record);
    }
    match raw.get("playerId") {
        Some(serde_json::Value::Null) => stream.player_id = None,
        Some(_) => stream.player_id = body.player_id,
        None => {}
    }
    if raw.get("restreams").is_some() {
        stream.restreams = body.restreams.into_iter().map(restream).collect();
    }
    stream.updated_at = state.now();
    save(&state, project, &stream)?;
    Ok(Json(present(&state, stream)))
}

async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let project = project.id();
    let _guard = lock(&state, &id).await;
    load(&state, project, &id)?;
    state.db.delete(project, Kind::LiveStream, &id)?;
    state.db.delete(project, Kind::Broadcast, &id)?;
    forget_sessions(&state, project, &id)?;
    remove_dir(&media_dir(&state, project, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes the player sessions of a live stream and their events.
fn forget_sessions(state: &AppState, project: &str, id: &str) -> ApiResult<()> {
    let sessions: Vec<serde_json::Value> = state.db.list(project, Kind::Session, Some(id))?;
    for session in sessions {
        if let Some(session_id) = session.get("sessionId").and_then(|v| v.as_str()) {
            state
                .db
                .delete_children(project, Kind::SessionEvent, session_id)?;
        }
    }
    state.db.delete_children(project, Kind::Session, id)?;
    Ok(())
}

async fn remove_dir(dir: &std::path::Path) -> ApiResult<()> {
    match tokio::fs::remove_dir_all(dir).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Takes a JPEG (`.jpg`/`.jpeg`, lower or upper case) as the thumbnail.
async fn upload_thumbnail(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<LiveStream>)> {
    let project = project.id();
    load(&state, project, &id)?;
    let received = media_form::receive(&state, form, |name| match media_form::extension(name) {
        Some(ext) if THUMBNAIL_EXTENSIONS.contains(&ext) => Ok(()),
        _ => Err(ApiError::file_extension(&THUMBNAIL_EXTENSIONS)),
    })
    .await?;
    // Locked only once the file is in: the upload may take long.
    let _guard = lock(&state, &id).await;
    let mut stream = load(&state, project, &id)?;
    settle_locked(&state, project, &mut stream, now_millis())?;
    received
        .save(&media_dir(&state, project, &id).join("thumbnail.jpg"))
        .await?;
    stream.updated_at = state.now();
    save(&state, project, &stream)?;
    Ok((StatusCode::CREATED, Json(present(&state, stream))))
}

async fn delete_thumbnail(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<LiveStream>> {
    let project = project.id();
    let _guard = lock(&state, &id).await;
    let mut stream = load(&state, project, &id)?;
    settle_locked(&state, project, &mut stream, now_millis())?;
    let path = media_dir(&state, project, &id).join("thumbnail.jpg");
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {
            stream.updated_at = state.now();
            save(&state, project, &stream)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Json(present(&state, stream)))
}

/// Body of the emulator-only broadcast switch.
#[derive(Debug, Deserialize)]
struct BroadcastBody {
    broadcasting: bool,
}

/// Emulator only: marks the live stream as broadcasting or not, as an
/// encoder connecting or disconnecting would, and emits
/// `live-stream.broadcast.started` / `live-stream.broadcast.ended`. A new
/// broadcast reopens the playlist; a disconnection ends the broadcast at
/// once, completion under way or not.
async fn broadcast(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BroadcastBody>,
) -> ApiResult<Json<LiveStream>> {
    let project = project.id();
    let _guard = lock(&state, &id).await;
    let mut stream = load(&state, project, &id)?;
    settle_locked(&state, project, &mut stream, now_millis())?;
    let was = stream.broadcasting;
    match (was, body.broadcasting) {
        (false, true) => {
            stream.broadcasting = true;
            save(&state, project, &stream)?;
            store_broadcast(&state, project, &id, &Broadcast::default())?;
            emit(&state, project, "live-stream.broadcast.started", &id);
        }
        (true, false) => end_broadcast(&state, project, &mut stream)?,
        // Saying it again changes nothing.
        _ => {}
    }
    Ok(Json(present(&state, stream)))
}

fn find(state: &AppState, id: &str) -> ApiResult<(String, LiveStream)> {
    state
        .db
        .find(Kind::LiveStream, id)?
        .ok_or_else(|| ApiError::not_found("liveStreamId"))
}

/// `/live/{id}.m3u8`: a live HLS playlist without segments (the emulator
/// takes no RTMP), closed with `EXT-X-ENDLIST` once a broadcast has ended
/// and until the next one starts.
async fn serve_hls(State(state): State<AppState>, Path(file): Path<String>) -> ApiResult<Response> {
    let id = file
        .strip_suffix(".m3u8")
        .ok_or_else(|| ApiError::not_found("liveStreamId"))?;
    let (project, stream) = find(&state, id)?;
    let stream = settled(&state, &project, stream).await?;
    let ended = !stream.broadcasting && load_broadcast(&state, &project, id)?.ended;
    let mut playlist =
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n".to_owned();
    if ended {
        playlist.push_str("#EXT-X-ENDLIST\n");
    }
    Ok((
        [(header::CONTENT_TYPE, "application/vnd.apple.mpegurl")],
        playlist,
    )
        .into_response())
}

/// `/live/{id}/thumbnail.jpg`: the uploaded thumbnail, or a placeholder.
async fn serve_thumbnail(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (project, _) = find(&state, &id)?;
    let path = media_dir(&state, &project, &id).join("thumbnail.jpg");
    let body = match tokio::fs::File::open(&path).await {
        Ok(file) => Body::from_stream(tokio_util::io::ReaderStream::new(file)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Body::from(PLACEHOLDER_JPEG),
        Err(e) => return Err(e.into()),
    };
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], body).into_response())
}

/// `/embed/live/{id}`: a minimal player page.
async fn serve_player(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (_, stream) = find(&state, &id)?;
    let stream = present(&state, stream);
    let assets = stream.assets;
    let title = crate::formats::html::escape(&stream.name);
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><video controls autoplay poster=\"{}\" src=\"{}\"></video></body></html>\n",
        assets.thumbnail, assets.hls,
    );
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response())
}

/// Detaches a deleted player from the project's live streams.
pub(super) async fn forget_player(state: &AppState, project: &str, player: &str) -> ApiResult<()> {
    let streams: Vec<LiveStream> = state.db.list(project, Kind::LiveStream, None)?;
    for stream in streams {
        if stream.player_id.as_deref() != Some(player) {
            continue;
        }
        let _guard = lock(state, &stream.live_stream_id).await;
        let Some(mut stream) =
            state
                .db
                .get::<LiveStream>(project, Kind::LiveStream, &stream.live_stream_id)?
        else {
            continue;
        };
        stream.player_id = None;
        stream.updated_at = state.now();
        save(state, project, &stream)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_keys_look_like_uuids() {
        let key = stream_key();
        let groups: Vec<usize> = key.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert!(key.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert_ne!(stream_key(), key);
    }

    #[test]
    fn restreams_are_checked() {
        let ok = RestreamsRequestObject {
            name: "YouTube".into(),
            server_url: "rtmp://a.rtmp.youtube.com/live2".into(),
            stream_key: "abcd".into(),
        };
        assert!(check_restreams(std::slice::from_ref(&ok)).is_empty());
        assert_eq!(check_restreams(&vec![ok.clone(); 6])[0].name, "restreams");
        let blank = RestreamsRequestObject {
            name: " ".into(),
            server_url: "http://x".into(),
            ..ok
        };
        let names: Vec<String> = check_restreams(&[blank])
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["restreams[0][name]", "restreams[0][serverUrl]"]);
    }
}
