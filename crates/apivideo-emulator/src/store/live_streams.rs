//! Live streams as stored: the stream, its broadcast state, its media
//! directory (the uploaded thumbnail), the defaults of a new stream, and
//! what happens to a stream without an HTTP request: the end of a
//! completed broadcast, the recording of a broadcast as a video, and the
//! player a deleted theme no longer is.
//!
//! `PUT /live-streams/{id}/complete` on a broadcasting stream ends the
//! broadcast `complete_delay` later, as an encoder disconnecting would:
//! `broadcasting: false`, the playlist closed with `EXT-X-ENDLIST`,
//! `live-stream.broadcast.ended` emitted. Like encoding, the end is derived
//! from the stored time of the request, so it survives a restart: a timer
//! (or, after a restart, the first read of the stream) ends the broadcast
//! and emits the webhook exactly once. Every read-modify-write of a stream
//! holds its lock, so an update never undoes the end of a broadcast.

use apivideo_raw::types::{
    LiveStream, LiveStreamAssets, LiveStreamCreationPayload, RestreamsRequestObject,
    RestreamsResponseObject,
};
use serde::{Deserialize, Serialize};

use super::{encoding, ingest, videos};
use crate::db::{Attached, Kind};
use crate::ids::{self, prefix};
use crate::media;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

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
pub(crate) fn present(state: &AppState, mut stream: LiveStream) -> LiveStream {
    stream.assets = assets(state, &stream.live_stream_id);
    stream
}

pub(crate) fn load(state: &AppState, project: &str, id: &str) -> ApiResult<LiveStream> {
    state
        .db
        .get(project, Kind::LiveStream, id)?
        .ok_or_else(|| ApiError::not_found("liveStreamId"))
}

pub(crate) fn save(state: &AppState, project: &str, stream: &LiveStream) -> ApiResult<()> {
    state.db.put(
        project,
        Kind::LiveStream,
        &stream.live_stream_id,
        None,
        stream,
    )?;
    Ok(())
}

/// A new live stream, not broadcasting, with a fresh id and stream key and
/// the API's defaults (`public: true`). Not stored yet.
pub(crate) fn new_live_stream(state: &AppState, body: LiveStreamCreationPayload) -> LiveStream {
    let now = state.now();
    let live_stream_id = ids::new_id(prefix::LIVE_STREAM);
    LiveStream {
        assets: assets(state, &live_stream_id),
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
    }
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

/// A restream destination as the API answers it.
pub(crate) fn restream(r: RestreamsRequestObject) -> RestreamsResponseObject {
    RestreamsResponseObject {
        name: r.name,
        server_url: r.server_url,
        stream_key: r.stream_key,
    }
}

fn media_dir(state: &AppState, project: &str, id: &str) -> std::path::PathBuf {
    state.media.dir(project, "live-streams", id)
}

/// Where the uploaded thumbnail of live stream `id` is kept.
pub(crate) fn thumbnail_path(state: &AppState, project: &str, id: &str) -> std::path::PathBuf {
    media_dir(state, project, id).join("thumbnail.jpg")
}

/// Locks a live stream for a read-modify-write sequence.
pub(crate) async fn lock<'a>(state: &'a AppState, id: &str) -> tokio::sync::MutexGuard<'a, ()> {
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

/// Whether the playlist of `stream` is closed: a broadcast has ended and
/// no other has started since.
pub(crate) fn playlist_ended(
    state: &AppState,
    project: &str,
    stream: &LiveStream,
) -> ApiResult<bool> {
    Ok(!stream.broadcasting && load_broadcast(state, project, &stream.live_stream_id)?.ended)
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

/// Marks the live stream as broadcasting or not, as an encoder connecting
/// or disconnecting would, and emits `live-stream.broadcast.started` /
/// `live-stream.broadcast.ended`. A new broadcast reopens the playlist; a
/// disconnection ends the broadcast at once, completion under way or not.
/// Saying it again changes nothing. Takes the stream's lock.
pub(crate) async fn set_broadcasting(
    state: &AppState,
    project: &str,
    id: &str,
    broadcasting: bool,
) -> ApiResult<LiveStream> {
    let _guard = lock(state, id).await;
    let mut stream = load(state, project, id)?;
    settle_locked(state, project, &mut stream)?;
    match (stream.broadcasting, broadcasting) {
        (false, true) => {
            stream.broadcasting = true;
            save(state, project, &stream)?;
            store_broadcast(state, project, id, &Broadcast::default())?;
            emit(state, project, "live-stream.broadcast.started", id);
        }
        (true, false) => end_broadcast(state, project, &mut stream)?,
        _ => {}
    }
    Ok(stream)
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
    use apivideo_raw::types::{VideoSource, VideoSourceLiveStream, VideoSourceLiveStreamLink};

    let mut video = videos::new_video(title, state.now());
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
    videos::save(state, project, &video)?;
    encoding::schedule(state, project, &video_id);
    crate::delivery::emit(
        state,
        project,
        "video.source.recorded",
        serde_json::json!({ "liveStreamId": live_stream_id, "videoId": video_id }),
    );
    state.counters.event("live-stream.recorded", project);
    Ok(())
}

/// Ends the broadcast of `stream` if its completion is due now. Under the
/// stream's lock.
pub(crate) fn settle_locked(
    state: &AppState,
    project: &str,
    stream: &mut LiveStream,
) -> ApiResult<()> {
    settle_at(state, project, stream, state.clock.real_millis())
}

/// Ends the broadcast of `stream` if its completion is due at `now`.
/// Under the stream's lock.
fn settle_at(state: &AppState, project: &str, stream: &mut LiveStream, now: i64) -> ApiResult<()> {
    if !stream.broadcasting {
        return Ok(());
    }
    let broadcast = load_broadcast(state, project, &stream.live_stream_id)?;
    if let Some(at) = broadcast.completion_requested_at
        && now.saturating_sub(at) >= complete_delay_ms(state)
    {
        end_broadcast(state, project, stream)?;
        state.counters.event("live-stream.completed", project);
    }
    Ok(())
}

/// The stream as it is now: a broadcast whose completion is due has ended
/// (after a restart the timer is gone, so reads finish the job). Only a
/// broadcasting stream can have a completion under way, so the others cost
/// nothing.
pub(crate) async fn settled(
    state: &AppState,
    project: &str,
    stream: LiveStream,
) -> ApiResult<LiveStream> {
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
    settle_locked(state, project, &mut current)?;
    Ok(current)
}

/// Completes the running broadcast of live stream `id`: it ends
/// `complete_delay` later. A stream that is not broadcasting, or whose
/// completion is under way already, stays as it is: the first completion
/// keeps its time. Takes the stream's lock.
pub(crate) async fn complete(state: &AppState, project: &str, id: &str) -> ApiResult<()> {
    let _guard = lock(state, id).await;
    let mut stream = load(state, project, id)?;
    let now = state.clock.real_millis();
    settle_at(state, project, &mut stream, now)?;
    if stream.broadcasting {
        let mut broadcast = load_broadcast(state, project, id)?;
        if broadcast.completion_requested_at.is_none() {
            broadcast.completion_requested_at = Some(now);
            store_broadcast(state, project, id, &broadcast)?;
            schedule_completion(state, project, id, now);
        }
    }
    Ok(())
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
        state.counters.event("live-stream.completed", project);
    }
    Ok(())
}

/// Deletes live stream `id` with its broadcast state, its player sessions
/// and their events in one transaction, then its media. Takes the
/// stream's lock.
pub(crate) async fn delete(state: &AppState, project: &str, id: &str) -> ApiResult<()> {
    let _guard = lock(state, id).await;
    let attached = Attached {
        same_id: &[Kind::Broadcast],
        children: &[Kind::Session],
        grandchildren: &[(Kind::Session, Kind::SessionEvent)],
    };
    if !state
        .db
        .delete_tree(project, Kind::LiveStream, id, attached)?
    {
        return Err(ApiError::not_found("liveStreamId"));
    }
    Ok(media::remove_dir(media_dir(state, project, id)).await?)
}

/// Detaches a deleted player from the project's live streams.
pub(crate) async fn forget_player(state: &AppState, project: &str, player: &str) -> ApiResult<()> {
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
}
