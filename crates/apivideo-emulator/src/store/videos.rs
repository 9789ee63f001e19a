//! Videos as stored: a new video with the API's defaults, load and save,
//! the API's view of one (asset URLs, tokenised for a private video), and
//! the cascades of a deletion: a discard (Video Restore on) that keeps
//! everything attached for a restore, a restore, and a deletion for good
//! that removes the video's ingest and transcript state, captions,
//! chapters, summaries and media in one go.
//!
//! A discarded video is stored as [`Kind::DiscardedVideo`], so every
//! lookup of a video misses it (404, absent from lists, tags and assets)
//! while its captions, chapters, ingest state and media stay where they
//! are, ready for a restore. One whose `deletesAt` has passed on the
//! emulator's clock is deleted for good by [`purge_due`].

use apivideo_raw::types::{Video, VideoAssets, VideoSource};

use super::ingest;
use crate::db::{Attached, Kind};
use crate::ids::{new_id, prefix};
use crate::media;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

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
pub(crate) fn save(state: &AppState, project: &str, video: &Video) -> ApiResult<()> {
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
    let urls = urls(state, &video);
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

/// The asset URLs of a video: plain for a public one, with its token for
/// a private one (see [`crate::private`]).
#[derive(Debug)]
pub(crate) struct AssetUrls {
    pub(crate) hls: String,
    pub(crate) mp4: String,
    pub(crate) thumbnail: String,
    pub(crate) player: String,
}

pub(crate) fn urls(state: &AppState, video: &Video) -> AssetUrls {
    let token = private_token(state, video);
    asset_urls(state, &video.video_id, token.as_deref())
}

fn private_token(state: &AppState, video: &Video) -> Option<String> {
    (video.public == Some(false)).then(|| state.private_key.token(&video.video_id))
}

fn asset_urls(state: &AppState, id: &str, token: Option<&str>) -> AssetUrls {
    let base = &state.base_url;
    let vod = match token {
        Some(token) => format!("{base}/vod/{id}/token/{token}"),
        None => format!("{base}/vod/{id}"),
    };
    AssetUrls {
        hls: format!("{vod}/hls/manifest.m3u8"),
        mp4: format!("{vod}/mp4/source.mp4"),
        thumbnail: format!("{vod}/thumbnail.jpg"),
        player: match token {
            Some(token) => format!("{base}/embed/vod/{id}?token={token}"),
            None => format!("{base}/embed/vod/{id}"),
        },
    }
}

/// Discards a live video: marks it `discarded` now, to be deleted for good
/// [`RETENTION_DAYS`] later, and moves it out of the live videos in one
/// write. False if the project has no such live video. The caller holds
/// the video's ingest lock.
pub(crate) fn discard(state: &AppState, project: &str, video_id: &str) -> ApiResult<bool> {
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
/// attached: its ingest state, transcript state, captions, chapters,
/// summaries, player sessions and their events in one transaction, then
/// its media on disk. (A discarded video keeps its sessions, for its
/// restore.) False if there was no such video. The caller
/// holds the video's ingest lock.
pub(crate) async fn erase(
    state: &AppState,
    project: &str,
    kind: Kind,
    video_id: &str,
) -> ApiResult<bool> {
    let attached = Attached {
        same_id: &[Kind::Ingest, Kind::Transcript],
        children: &[Kind::Caption, Kind::Chapter, Kind::Summary, Kind::Session],
        grandchildren: &[(Kind::Session, Kind::SessionEvent)],
    };
    if !state.db.delete_tree(project, kind, video_id, attached)? {
        return Ok(false);
    }
    media::remove_dir(ingest::video_dir(state, project, video_id)).await?;
    Ok(true)
}

/// Restores a discarded video whole, with its `discarded`, `discardedAt`
/// and `deletesAt` reset and nothing else changed, in one write; `None`
/// if the project has no such discarded video. The caller holds the
/// video's ingest lock.
pub(crate) fn restore(
    state: &AppState,
    project: &str,
    mut video: Video,
) -> ApiResult<Option<Video>> {
    video.discarded = false;
    video.discarded_at = None;
    video.deletes_at = None;
    let moved = state.db.move_kind(
        project,
        &video.video_id,
        Kind::DiscardedVideo,
        Kind::Video,
        &video,
    )?;
    Ok(moved.then_some(video))
}

/// The discarded video of this project with this id, if there is one.
pub(crate) fn load_discarded(
    state: &AppState,
    project: &str,
    video_id: &str,
) -> ApiResult<Option<Video>> {
    Ok(state.db.get(project, Kind::DiscardedVideo, video_id)?)
}

/// Whether the video's `deletesAt` has passed at `now`.
fn due(video: &Video, now: chrono::DateTime<chrono::Utc>) -> bool {
    video.deletes_at.is_some_and(|at| at <= now)
}

/// Deletes for good the discarded videos whose `deletesAt` has passed, of
/// `project` or of every project; returns how many.
pub(crate) async fn purge_due(state: &AppState, project: Option<&str>) -> ApiResult<usize> {
    let now = state.now();
    let discarded: Vec<(String, Video)> = match project {
        Some(project) => state
            .db
            .list::<Video>(project, Kind::DiscardedVideo, None)?
            .into_iter()
            .map(|v| (project.to_owned(), v))
            .collect(),
        None => state.db.list_all(Kind::DiscardedVideo)?,
    };
    let mut purged = 0;
    for (project, video) in discarded.into_iter().filter(|(_, v)| due(v, now)) {
        let id = &video.video_id;
        let _guard = ingest::lock(state, id).await;
        // A restore may have come first: check again under the lock.
        let still_due = state
            .db
            .get::<Video>(&project, Kind::DiscardedVideo, id)?
            .is_some_and(|v| due(&v, now));
        if still_due && erase(state, &project, Kind::DiscardedVideo, id).await? {
            tracing::info!(video_id = %id, "discarded video deleted for good");
            purged += 1;
        }
    }
    Ok(purged)
}
