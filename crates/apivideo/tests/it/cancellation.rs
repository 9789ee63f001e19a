//! Dropping an SDK future at an await point leaves nothing behind: no
//! waiter stuck on a token renewal that will never finish, no progress
//! callback after the drop, no state that blocks the next call.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::VideoStatusIngestStatus;
use apivideo_emulator::FaultSettings;
use futures::FutureExt;

use crate::common::{self, MIB};

/// Long enough that nothing waits it out: a test that does would fail on
/// its own deadline instead.
const STALLED_MS: u64 = 120_000;
/// A bound on what must happen promptly, far above its usual time.
const PROMPTLY: Duration = Duration::from_secs(60);

/// A caller renewing the token is dropped mid-renewal (its `/auth` call is
/// stalled); a caller queued behind it renews in its place and finishes,
/// and later calls work.
#[tokio::test]
async fn dropping_the_caller_that_renews_the_token_strands_no_waiter() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    emulator.set_faults(FaultSettings {
        latency_ms: STALLED_MS,
        slow_paths: vec!["/auth/".to_owned()],
        ..FaultSettings::default()
    });

    // The first caller finds no token and starts renewing it.
    let mut renewer = Box::pin(client.get_account().send());
    common::eventually(PROMPTLY, || {
        let pending = renewer.as_mut().now_or_never().is_none();
        assert!(pending, "the renewal is stalled");
        let arrived = common::requests(&emulator, "POST /auth/api-key") == 1;
        async move { arrived.then_some(()) }
    })
    .await;

    // A second caller queues behind the renewal (one poll gets it there).
    let mut waiter = Box::pin(client.get_account().send());
    assert!(waiter.as_mut().now_or_never().is_none(), "it waits");

    // The stall ends for new requests, and the renewer goes away while its
    // own request is still stalled.
    emulator.set_faults(FaultSettings::default());
    drop(renewer);

    let account = tokio::time::timeout(PROMPTLY, waiter)
        .await
        .expect("the waiter is not stranded");
    account.expect("the waiter renewed the token itself");
    assert_eq!(common::requests(&emulator, "POST /auth/api-key"), 2);
    client.get_account().send().await.expect("later calls work");
    assert_eq!(
        common::requests(&emulator, "POST /auth/api-key"),
        2,
        "the token is cached again"
    );
}

/// An upload dropped while a chunk streams: no progress is reported once
/// the drop returns, its progress channel closes, and a resume completes
/// the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_an_upload_mid_chunk_stops_its_progress_and_resume_finishes_it() {
    const SIZE: u64 = 16 * MIB;
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = common::create_video(&client, "cancelled").await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = common::source_file(dir.path(), "movie.mp4", SIZE, 31).await;

    let calls = Arc::new(AtomicUsize::new(0));
    let furthest = Arc::new(AtomicU64::new(0));
    let (mid_chunk, reached) = tokio::sync::oneshot::channel::<()>();
    let mid_chunk = std::sync::Mutex::new(Some(mid_chunk));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (counted, seen) = (calls.clone(), furthest.clone());
    let upload = client
        .upload_video()
        .video_id(&video.video_id)
        .chunk_size(5 * MIB)
        .file(&path)
        .on_progress(move |p| {
            counted.fetch_add(1, Ordering::SeqCst);
            seen.fetch_max(p.bytes_sent, Ordering::SeqCst);
            let _ = tx.send(p);
            // Halfway through the second chunk.
            if p.bytes_sent > 7 * MIB
                && let Some(signal) = mid_chunk.lock().unwrap().take()
            {
                let _ = signal.send(());
            }
        })
        .send();
    tokio::select! {
        done = upload => panic!("the upload was to be dropped first: {done:?}"),
        _ = reached => {}
    }
    // The select dropped the upload.
    let after_drop = calls.load(Ordering::SeqCst);
    assert!(furthest.load(Ordering::SeqCst) < SIZE);

    // The channel drains and closes: its sender went with the upload.
    let closed = tokio::time::timeout(PROMPTLY, async { while rx.recv().await.is_some() {} }).await;
    assert!(closed.is_ok(), "the progress channel closed");

    // A resume (which takes a while) runs while the dropped upload would
    // have kept reporting; it reports nothing more.
    client
        .upload_video()
        .video_id(&video.video_id)
        .chunk_size(5 * MIB)
        .resume()
        .file(&path)
        .send()
        .await
        .expect("resumed");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        after_drop,
        "no progress after the drop"
    );
    let status = client
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("status");
    assert_eq!(status.ingest.status, VideoStatusIngestStatus::Uploaded);
    assert_eq!(
        common::served_sha256(&common::mp4_url(&video)).await,
        (SIZE, sha)
    );
}
