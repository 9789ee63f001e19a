//! Faults during a large upload: with one request in ten answered 503 or
//! dropped, a 300 MiB upload in 50 MiB chunks completes and the source the
//! emulator reassembled is byte-identical to the file.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::{VideoCreationPayload, VideoStatusIngestStatus};
use apivideo::{Client, DEFAULT_CHUNK_SIZE, RetryPolicy};
use apivideo_emulator::FaultSettings;

use crate::common::{self, MIB};

const SIZE: u64 = 300 * MIB;
const PARTS: u64 = SIZE.div_ceil(DEFAULT_CHUNK_SIZE);
const SOURCE_ROUTE: &str = "POST /videos/{videoId}/source";

fn one_in_ten() -> FaultSettings {
    FaultSettings {
        error_rate: 0.05,
        error_statuses: vec![503],
        drop_rate: 0.05,
        ..FaultSettings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_300_mib_upload_completes_through_503s_and_dropped_connections() {
    const { assert!(PARTS >= 6, "at least six chunks") };
    let emulator = Arc::new(common::emulator().await);
    // Waits long enough for the fault switch below to react.
    let policy = RetryPolicy::default()
        .with_max_attempts(8)
        .with_backoff(Duration::from_millis(200), Duration::from_secs(1));
    let client = Client::with_config(common::config(&emulator).with_retry_policy(policy))
        .expect("valid config");
    let video = client
        .create_video()
        .body(VideoCreationPayload::builder().title("Big lecture"))
        .send()
        .await
        .expect("video created")
        .into_inner();
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, sha) = common::source_file(dir.path(), "lecture.mp4", SIZE, 42).await;

    // Random faults all along, and one certain 503 once two parts are in,
    // so the run never passes without a retried part.
    emulator.set_faults(one_in_ten());
    emulator.reset_stats();
    let armed = Arc::new(AtomicBool::new(false));
    let switch = {
        let (emulator, armed) = (emulator.clone(), armed.clone());
        tokio::spawn(async move {
            while !armed.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            let before = emulator.stats().event("faults.errors");
            emulator.set_faults(FaultSettings {
                error_rate: 1.0,
                error_statuses: vec![503],
                ..FaultSettings::default()
            });
            while emulator.stats().event("faults.errors") == before {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            emulator.set_faults(one_in_ten());
        })
    };
    let trigger = armed.clone();
    let uploaded = client
        .upload_video(&video.video_id)
        .on_progress(move |p| {
            if p.bytes_sent >= 2 * DEFAULT_CHUNK_SIZE {
                trigger.store(true, Ordering::Relaxed);
            }
        })
        .from_path(&path)
        .await
        .expect("the upload completes through the faults");
    tokio::time::timeout(Duration::from_secs(5), switch)
        .await
        .expect("the forced 503 happened")
        .expect("switch task");
    emulator.set_faults(FaultSettings::default());

    assert_eq!(uploaded.video_id, video.video_id);
    assert_eq!(uploaded.title.as_deref(), Some("Big lecture"));
    let stats = emulator.stats();
    let accepted = common::responses(&emulator, SOURCE_ROUTE, 201);
    let refused = common::responses(&emulator, SOURCE_ROUTE, 503);
    let dropped = stats.event("faults.dropped");
    assert_eq!(accepted, PARTS, "each part accepted once");
    assert_eq!(stats.event("upload.parts"), PARTS);
    assert!(refused >= 1, "the forced 503 hit a part");
    assert_eq!(
        stats.requests_to(SOURCE_ROUTE),
        accepted + refused + dropped,
        "every faulty attempt was followed by another until the part was in"
    );
    eprintln!("300 MiB upload: {PARTS} parts, {refused} answered 503, {dropped} dropped");

    let status = client
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("status")
        .into_inner();
    let ingest = status.ingest.expect("ingest");
    assert_eq!(ingest.status, Some(VideoStatusIngestStatus::Uploaded));
    assert_eq!(ingest.filesize, Some(SIZE as i64));
    assert_eq!(
        common::served_sha256(&common::mp4_url(&uploaded)).await,
        (SIZE, sha),
        "the reassembled source is byte-identical"
    );
}
