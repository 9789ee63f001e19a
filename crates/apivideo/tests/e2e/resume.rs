//! Resume: an upload cut off after two of its six parts (every request
//! dropped from then on) is finished by a new client with `.resume()`,
//! which sends only the four missing parts; the result is byte-identical.

use std::sync::{Arc, Mutex};

use apivideo::prelude::*;
use apivideo::types::{VideoCreationPayload, VideoStatusIngestStatus};
use apivideo::{Progress, SourceErrorKind};
use apivideo_emulator::FaultSettings;

use crate::common::{self, MIB};

const CHUNK: u64 = 5 * MIB;
const SIZE: u64 = 5 * CHUNK + 2 * MIB + 123;
const PARTS: u64 = 6;
const SOURCE_ROUTE: &str = "POST /videos/{videoId}/source";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_client_resumes_an_interrupted_upload_with_only_the_missing_parts() {
    assert_eq!(SIZE.div_ceil(CHUNK), PARTS);
    let emulator = Arc::new(common::emulator().await);
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, sha) = common::source_file(dir.path(), "course.mp4", SIZE, 7).await;

    let first = common::client(&emulator);
    let video = first
        .create_video()
        .body(VideoCreationPayload::builder().title("Course"))
        .send()
        .await
        .expect("video created")
        .into_inner();
    let id = video.video_id.clone();

    // The network goes away once two parts are through.
    let cut = emulator.clone();
    let err = first
        .upload_video(&id)
        .chunk_size(CHUNK)
        .on_progress(move |p| {
            if p.bytes_sent >= 2 * CHUNK {
                cut.set_faults(FaultSettings {
                    drop_rate: 1.0,
                    ..FaultSettings::default()
                });
            }
        })
        .from_path(&path)
        .await
        .expect_err("the upload is cut off");
    assert!(err.is_transport(), "{err:?}");
    assert_eq!(common::responses(&emulator, SOURCE_ROUTE, 201), 2);
    emulator.set_faults(FaultSettings::default());
    drop(first);

    let second = common::client(&emulator);
    let interrupted = second
        .get_video_status()
        .video_id(&id)
        .send()
        .await
        .expect("status")
        .into_inner()
        .ingest
        .expect("ingest");
    assert_eq!(interrupted.status, Some(VideoStatusIngestStatus::Uploading));
    let received = interrupted.received_parts.expect("received parts");
    assert_eq!((received.parts, received.total), (vec![1, 2], Some(6)));
    let mp4 = common::mp4_url(&video);
    let not_yet = reqwest::get(&mp4).await.expect("reachable");
    assert_eq!(not_yet.status(), reqwest::StatusCode::NOT_FOUND);

    // Resuming with another chunk size would cut the file differently.
    emulator.reset_stats();
    let mismatch = second
        .upload_video(&id)
        .resume()
        .chunk_size(2 * CHUNK)
        .from_path(&path)
        .await
        .expect_err("another chunk size is refused");
    assert_eq!(
        mismatch.source_kind(),
        Some(SourceErrorKind::ChunkSizeMismatch),
        "{mismatch:?}"
    );
    assert_eq!(emulator.stats().requests_to(SOURCE_ROUTE), 0);

    emulator.reset_stats();
    let reports: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let seen = reports.clone();
    let resumed = second
        .upload_video(&id)
        .resume()
        .chunk_size(CHUNK)
        .on_progress(move |p| seen.lock().expect("not poisoned").push(p))
        .from_path(&path)
        .await
        .expect("resumed");
    assert_eq!(resumed.video_id, id);
    assert_eq!(resumed.title.as_deref(), Some("Course"));

    let stats = emulator.stats();
    assert_eq!(
        stats.requests_to(SOURCE_ROUTE),
        PARTS - 2,
        "only the missing parts"
    );
    assert_eq!(stats.event("upload.parts"), PARTS - 2);
    assert_eq!(stats.event("upload.bytes"), SIZE - 2 * CHUNK);
    assert_eq!(stats.requests_to("GET /videos/{videoId}/status"), 1);
    let reports = reports.lock().expect("not poisoned").clone();
    assert!(
        reports
            .iter()
            .all(|p| p.part >= 3 && p.bytes_sent >= 2 * CHUNK),
        "skipped parts count as sent: {reports:?}"
    );
    let last = reports.last().expect("progress reported");
    assert_eq!(
        (last.bytes_sent, last.total_bytes, last.part, last.parts),
        (SIZE, Some(SIZE), 6, Some(6))
    );

    let done = second
        .get_video_status()
        .video_id(&id)
        .send()
        .await
        .expect("status")
        .into_inner()
        .ingest
        .expect("ingest");
    assert_eq!(done.status, Some(VideoStatusIngestStatus::Uploaded));
    assert_eq!(done.filesize, Some(SIZE as i64));
    assert_eq!(common::served_sha256(&mp4).await, (SIZE, sha));
}
