//! Videos: a video created with metadata, shown, updated (with a player),
//! listed with filters and sorted, its status before and after a chunked
//! upload, a thumbnail uploaded then picked from a frame, then deleted with
//! its source.

use apivideo::MediaFile;
use apivideo::patch::{Patch, VideoUpdatePayload};
use apivideo::prelude::*;
use apivideo::types::{VideoCreationPayload, VideoStatusIngestStatus, VideoThumbnailPickPayload};
use futures::TryStreamExt;

use super::{Calls, meta};
use crate::common::{self, JPEG, MIB, served};

pub(super) const TAG: &str = "Videos";
pub(super) const OPERATIONS: &[&str] = &[
    "create_video",
    "get_video",
    "update_video",
    "list_videos",
    "get_video_status",
    "upload_video",
    "upload_video_thumbnail",
    "pick_video_thumbnail",
    "delete_video",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let player = common::create_player(&client).await;
    let player_id = &player.player_id;

    calls.called("create_video");
    let created = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Maths 101")
                .description("Fractions, the basics".to_owned())
                .tags(vec!["maths".to_owned(), "beginner".to_owned()])
                .metadata(vec![meta("teacher", "Ada")])
                .public(false),
        )
        .send()
        .await
        .expect("video created");
    let id = created.video_id.clone();
    assert!(id.starts_with("vi"), "{id}");
    assert_eq!(created.title, "Maths 101");
    assert_eq!(created.description, "Fractions, the basics");
    assert_eq!(created.tags, ["maths", "beginner"]);
    assert_eq!(created.metadata, vec![meta("teacher", "Ada")]);
    assert_eq!(created.public, Some(false));
    assert_eq!(created.panoramic, Some(false));
    assert_eq!(created.mp4_support, Some(true));
    assert_eq!(created.player_id, None);
    let source = created.source.clone().expect("source");
    assert_eq!(source.type_.as_deref(), Some("upload"));
    assert_eq!(source.uri, Some(format!("/videos/{id}/source")));
    // A private video's assets carry its token, as on the API.
    let assets = created.assets.clone().expect("assets");
    let mp4 = assets.mp4.clone().expect("an mp4 URL");
    let token = mp4
        .strip_prefix(&format!("{}/vod/{id}/token/", emulator.base_url()))
        .and_then(|rest| rest.strip_suffix("/mp4/source.mp4"))
        .unwrap_or_else(|| panic!("a tokenised mp4 URL: {mp4}"));
    assert_eq!(
        assets.player,
        format!("{}/embed/vod/{id}?token={token}", emulator.base_url())
    );

    calls.called("get_video");
    let shown = client
        .get_video()
        .video_id(&id)
        .send()
        .await
        .expect("video shown");
    assert_eq!(shown, created);

    calls.called("update_video");
    let updated = client
        .update_video()
        .video_id(&id)
        .body(VideoUpdatePayload {
            player_id: Patch::Set(player_id.clone()),
            title: Some("Maths 101: fractions".to_owned()),
            tags: Some(vec!["maths".to_owned(), "fractions".to_owned()]),
            metadata: Some(vec![meta("teacher", "Ada"), meta("level", "1")]),
            ..Default::default()
        })
        .send()
        .await
        .expect("video updated");
    assert_eq!(updated.video_id, id);
    assert_eq!(updated.title, "Maths 101: fractions");
    assert_eq!(updated.player_id.as_deref(), Some(player_id.as_str()));
    assert_eq!(updated.tags, ["maths", "fractions"]);
    assert_eq!(
        updated.metadata,
        vec![meta("teacher", "Ada"), meta("level", "1")]
    );
    assert_eq!(updated.description, created.description);
    assert_eq!(updated.public, Some(false));
    assert_eq!(updated.created_at, created.created_at);

    // A second video the filters must leave out.
    let other = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("History 101")
                .tags(vec!["history".to_owned()]),
        )
        .send()
        .await
        .expect("video created");

    calls.called("list_videos");
    let by_tag: Vec<_> = client
        .list_videos()
        .tag("fractions")
        .metadata("level", "1")
        .stream()
        .try_collect()
        .await
        .expect("videos listed");
    assert_eq!(by_tag, vec![updated.clone()]);
    let page = client
        .list_videos()
        .sort_by(apivideo::types::ListVideosSortBy::Title)
        .sort_order(apivideo::types::ListVideosSortOrder::Desc)
        .page_size(1)
        .page(2)
        .await
        .expect("second page");
    assert_eq!(
        page.items,
        vec![other.clone()],
        "Maths, then History: descending"
    );
    assert_eq!(page.pagination.items_total, 2);
    assert_eq!(page.pagination.pages_total, 2);
    client
        .delete_video()
        .video_id(&other.video_id)
        .send()
        .await
        .expect("other video deleted");

    calls.called("get_video_status");
    let before = client
        .get_video_status()
        .video_id(&id)
        .send()
        .await
        .expect("status");
    let ingest = before.ingest;
    assert_eq!(ingest.status, VideoStatusIngestStatus::Missing);
    assert_eq!(ingest.filesize, None);
    assert!(!before.encoding.playable);

    calls.called("upload_video");
    let size = 12 * MIB + 12_345;
    let (path, sha) = common::source_file(dir, "maths-101.mp4", size, 1).await;
    let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = progress.clone();
    let uploaded = client
        .upload_video()
        .video_id(&id)
        .chunk_size(5 * MIB)
        .on_progress(move |p| seen.lock().expect("not poisoned").push(p))
        .file(&path)
        .send()
        .await
        .expect("video uploaded");
    assert_eq!(uploaded.video_id, id);
    assert_eq!(uploaded.title, "Maths 101: fractions");
    assert_eq!(uploaded.player_id.as_deref(), Some(player_id.as_str()));
    assert_eq!(
        emulator
            .stats()
            .requests_to("POST /videos/{videoId}/source"),
        3
    );
    let last = *progress
        .lock()
        .expect("not poisoned")
        .last()
        .expect("progress");
    assert_eq!(
        (last.bytes_sent, last.total_bytes, last.part, last.parts),
        (size, Some(size), 3, Some(3))
    );
    assert_eq!(
        common::served_sha256(&common::mp4_url(&uploaded)).await,
        (size, sha)
    );

    let after = client
        .get_video_status()
        .video_id(&id)
        .send()
        .await
        .expect("status");
    let ingest = after.ingest;
    assert_eq!(ingest.status, VideoStatusIngestStatus::Uploaded);
    assert_eq!(ingest.filesize, Some(size as i64));
    assert_eq!(common::received_ranges(&ingest), vec![(0, size as i64)]);

    let thumbnail_url = format!(
        "{}/vod/{id}/token/{token}/thumbnail.jpg",
        emulator.base_url()
    );

    calls.called("upload_video_thumbnail");
    let with_thumbnail = client
        .upload_video_thumbnail()
        .video_id(&id)
        .file(MediaFile::from_bytes("cover.jpg", JPEG))
        .send()
        .await
        .expect("thumbnail uploaded");
    assert_eq!(with_thumbnail.video_id, id);
    assert_eq!(with_thumbnail.title, "Maths 101: fractions");
    assert_eq!(
        with_thumbnail.assets.as_ref().map(|a| a.thumbnail.clone()),
        Some(thumbnail_url.clone())
    );
    assert_eq!(
        served(&thumbnail_url).await,
        ("image/jpeg".to_owned(), JPEG.to_vec())
    );

    calls.called("pick_video_thumbnail");
    let picked = client
        .pick_video_thumbnail()
        .video_id(&id)
        .body(VideoThumbnailPickPayload {
            timecode: "00:00:01.50".parse().expect("timecode"),
        })
        .send()
        .await
        .expect("thumbnail picked");
    assert_eq!(picked.video_id, id);
    assert_eq!(picked.title, with_thumbnail.title);
    assert!(picked.updated_at >= with_thumbnail.updated_at);
    // A frame replaces the uploaded image.
    let (content_type, frame) = served(&thumbnail_url).await;
    assert_eq!(content_type, "image/jpeg");
    assert_ne!(frame, JPEG);

    let mp4 = common::mp4_url(&uploaded);
    calls.called("delete_video");
    client
        .delete_video()
        .video_id(&id)
        .send()
        .await
        .expect("video deleted");
    let err = client
        .get_video()
        .video_id(&id)
        .send()
        .await
        .expect_err("deleted");
    assert!(err.is_not_found(), "{err:?}");
    let videos: Vec<_> = client
        .list_videos()
        .stream()
        .try_collect()
        .await
        .expect("videos listed");
    assert!(videos.is_empty(), "{videos:?}");
    let gone = reqwest::get(&mp4).await.expect("reachable");
    assert_eq!(gone.status(), reqwest::StatusCode::NOT_FOUND);

    calls.assert_all_called_and_answered(&emulator);
}
