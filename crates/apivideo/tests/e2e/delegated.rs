//! Delegated chunked upload: a client holding only an upload token sends a
//! file in three chunks; the first creates the video and the other two
//! name it, so the project gains one video, not three.

use apivideo::prelude::*;
use apivideo::types::{TokenCreationPayload, VideoCreationPayload, VideoStatusIngestStatus};
use apivideo::{Client, Config};
use futures::TryStreamExt;

use crate::common::{self, MIB};

const CHUNK: u64 = 5 * MIB;
const SIZE: u64 = 2 * CHUNK + 2 * MIB + 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_chunk_upload_with_an_upload_token_makes_one_video() {
    let emulator = common::emulator().await;
    let owner = common::client(&emulator);
    let existing = owner
        .create_video()
        .body(VideoCreationPayload::builder().title("Already there"))
        .send()
        .await
        .expect("video created")
        .into_inner();
    let token = owner
        .create_upload_token()
        .body(TokenCreationPayload { ttl: 600 })
        .send()
        .await
        .expect("token created")
        .into_inner()
        .token
        .expect("token");
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, sha) = common::source_file(dir.path(), "field-trip.mp4", SIZE, 3).await;

    emulator.reset_stats();
    let delegate = Client::with_config(
        Config::new(emulator.base_url())
            .with_chunk_size(CHUNK)
            .with_retry_policy(common::fast_retries()),
    )
    .expect("valid config");
    let video = delegate
        .upload_with_upload_token(&token)
        .from_path(&path)
        .await
        .expect("uploaded");

    let stats = emulator.stats();
    assert_eq!(stats.requests_to("POST /upload"), 3, "three chunks");
    assert_eq!(common::responses(&emulator, "POST /upload", 201), 3);
    assert_eq!(stats.event("upload.parts"), 3);
    assert_eq!(common::token_calls(&emulator), 0, "no API key, no token");

    let videos: Vec<_> = owner
        .list_videos()
        .stream()
        .try_collect()
        .await
        .expect("videos listed");
    assert_eq!(videos.len(), 2, "one new video, not three: {videos:?}");
    let new: Vec<_> = videos
        .iter()
        .filter(|v| v.video_id != existing.video_id)
        .collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].video_id, video.video_id);
    assert_eq!(new[0].title.as_deref(), Some("field-trip.mp4"));

    let ingest = owner
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("status")
        .into_inner()
        .ingest
        .expect("ingest");
    assert_eq!(ingest.status, Some(VideoStatusIngestStatus::Uploaded));
    assert_eq!(ingest.filesize, Some(SIZE as i64));
    let parts = ingest.received_parts.expect("parts");
    assert_eq!((parts.parts, parts.total), (vec![1, 2, 3], Some(3)));
    assert_eq!(
        common::served_sha256(&common::mp4_url(&video)).await,
        (SIZE, sha)
    );
}
