//! Video uploads through the SDK: one request or chunks, readers and
//! unknown-size streams, progress, bad sources refused before anything is
//! sent; a delegated chunked upload with an upload token (three chunks, one
//! video); and resume, of an upload with a gap and of one cut off mid-way
//! by a new client, sending only the missing parts. What the emulator
//! serves back is compared with the source by SHA-256.

use std::sync::{Arc, Mutex};

use apivideo::prelude::*;
use apivideo::types::{TokenCreationPayload, VideoStatusIngestStatus};
use apivideo::{Client, Config, Progress, SourceErrorKind};
use apivideo_emulator::FaultSettings;
use futures::TryStreamExt;

use crate::common::{self, MIB, mp4_url, served_sha256, sha256_hex};

const CHUNK: u64 = 5 * MIB;
const TITLE: &str = "upload test";
const SOURCE_ROUTE: &str = "POST /videos/{videoId}/source";

fn upload_parts(emulator: &apivideo_emulator::Emulator) -> u64 {
    emulator.stats().event("upload.parts")
}

#[tokio::test]
async fn a_small_file_goes_in_one_request() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = common::create_video(&client, TITLE).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = common::source_file(dir.path(), "movie.mp4", 300_000, 1).await;
    let uploaded = client
        .upload_video()
        .video_id(&video.video_id)
        .file(&path)
        .send()
        .await
        .expect("uploaded");
    assert_eq!(uploaded.video_id, video.video_id);
    assert_eq!(upload_parts(&emulator), 1);
    assert_eq!(served_sha256(&mp4_url(&video)).await, (300_000, sha));
}

#[tokio::test]
async fn a_large_file_goes_in_chunks_with_progress() {
    let emulator = common::emulator().await;
    let client = Client::with_config(common::config(&emulator).with_chunk_size(CHUNK)).unwrap();
    let video = common::create_video(&client, TITLE).await;
    let size = 11 * MIB;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = common::source_file(dir.path(), "movie.mp4", size, 2).await;
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let sink = seen.clone();
    client
        .upload_video()
        .video_id(&video.video_id)
        .on_progress(move |p| sink.lock().unwrap().push(p))
        .file(&path)
        .send()
        .await
        .expect("uploaded");
    assert_eq!(upload_parts(&emulator), 3, "11 MiB in 5 MiB chunks");
    assert_eq!(served_sha256(&mp4_url(&video)).await, (size, sha));
    let seen = seen.lock().unwrap().clone();
    let last = seen.last().expect("progress was reported");
    assert_eq!(
        (last.bytes_sent, last.total_bytes, last.part, last.parts),
        (size, Some(size), 3, Some(3))
    );
    assert!(
        seen.windows(2).all(|w| w[0].bytes_sent <= w[1].bytes_sent),
        "progress never goes back"
    );
    let status = client
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap();
    let ingest = status.ingest;
    assert_eq!(ingest.filesize, Some(size as i64));
}

#[tokio::test]
async fn a_reader_of_known_size_and_a_stream_of_unknown_size() {
    let emulator = common::emulator().await;
    let client = Client::with_config(common::config(&emulator).with_chunk_size(CHUNK)).unwrap();
    let bytes = common::source_bytes(11 * MIB, 3);
    let expected = (bytes.len() as u64, sha256_hex(&bytes));

    let video = common::create_video(&client, TITLE).await;
    client
        .upload_video()
        .video_id(&video.video_id)
        .reader(&bytes[..], bytes.len() as u64)
        .send()
        .await
        .expect("uploaded");
    assert_eq!(served_sha256(&mp4_url(&video)).await, expected);

    let progressive = common::create_video(&client, TITLE).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    client
        .upload_video()
        .video_id(&progressive.video_id)
        .progress_channel(tx)
        .stream(&bytes[..])
        .send()
        .await
        .expect("uploaded as a progressive session");
    assert_eq!(served_sha256(&mp4_url(&progressive)).await, expected);
    let mut last = None;
    while let Ok(p) = rx.try_recv() {
        last = Some(p);
    }
    let last = last.expect("progress");
    assert_eq!(
        (last.bytes_sent, last.total_bytes, last.parts),
        (bytes.len() as u64, None, None)
    );
    assert_eq!(upload_parts(&emulator), 6);
}

#[tokio::test]
async fn resume_sends_only_the_missing_parts() {
    let emulator = common::emulator().await;
    let client = Client::with_config(common::config(&emulator).with_chunk_size(CHUNK)).unwrap();
    let video = common::create_video(&client, TITLE).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = common::source_file(dir.path(), "movie.mp4", 13 * MIB, 4).await;
    let bytes = std::fs::read(&path).unwrap();
    let chunk = CHUNK as usize;
    // An earlier run sent the first and the last chunk, then stopped.
    let len = bytes.len();
    for range in [0..chunk, 2 * chunk..len] {
        let header = format!("bytes {}-{}/{len}", range.start, range.end - 1);
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes[range].to_vec()).file_name("movie.mp4"),
        );
        let answer = reqwest::Client::new()
            .post(format!(
                "{}/videos/{}/source",
                emulator.base_url(),
                video.video_id
            ))
            .basic_auth(common::KEY, Some(""))
            .header("Content-Range", header)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
    }
    assert_eq!(upload_parts(&emulator), 2);
    let fresh = Client::with_config(common::config(&emulator).with_chunk_size(CHUNK)).unwrap();
    fresh
        .upload_video()
        .video_id(&video.video_id)
        .resume()
        .file(&path)
        .send()
        .await
        .expect("resumed");
    assert_eq!(upload_parts(&emulator), 3, "only the middle chunk was sent");
    assert_eq!(served_sha256(&mp4_url(&video)).await, (13 * MIB, sha));

    // Resuming a finished upload sends nothing.
    fresh
        .upload_video()
        .video_id(&video.video_id)
        .resume()
        .file(&path)
        .send()
        .await
        .expect("already complete");
    assert_eq!(upload_parts(&emulator), 3);
}

#[tokio::test]
async fn bad_sources_are_refused_before_anything_is_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = common::create_video(&client, TITLE).await;
    let dir = tempfile::tempdir().unwrap();

    let err = client
        .upload_video()
        .video_id(&video.video_id)
        .file(dir.path().join("absent.mp4"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Missing));

    let empty = dir.path().join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    let err = client
        .upload_video()
        .video_id(&video.video_id)
        .file(&empty)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Empty));

    let err = client
        .upload_video()
        .video_id(&video.video_id)
        .chunk_size(1024)
        .file(&empty)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_config(), "{err:?}");

    let short = common::source_bytes(1000, 5);
    let err = client
        .upload_video()
        .video_id(&video.video_id)
        .reader(&short[..], 2000)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Changed));
    let err = client
        .upload_video()
        .video_id(&video.video_id)
        .reader(&short[..], 500)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Changed));

    // Builders that miss what they need, or get what does not apply.
    let file = dir.path().join("movie.mp4");
    std::fs::write(&file, b"some bytes").unwrap();
    for (builder, what) in [
        (client.upload_video().file(&file), "video_id"),
        (client.upload_video().video_id(&video.video_id), "source"),
        (
            client
                .upload_video()
                .video_id(&video.video_id)
                .token("t")
                .file(&file),
            "token does not apply",
        ),
        (
            client
                .upload_with_upload_token()
                .token("t")
                .video_id("v")
                .file(&file),
            "video_id does not apply",
        ),
    ] {
        let err = builder.send().await.unwrap_err();
        assert!(
            matches!(err, apivideo::Error::InvalidRequest(ref m) if m.contains(what)),
            "{what}: {err:?}"
        );
    }

    assert_eq!(upload_parts(&emulator), 0, "nothing reached the server");
    let status = client
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap();
    assert_ne!(status.ingest.status, VideoStatusIngestStatus::Uploaded);
}

/// A client holding only an upload token sends a file in three chunks; the
/// first creates the video and the other two name it, so the project gains
/// one video, not three.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_chunk_upload_with_an_upload_token_makes_one_video() {
    const SIZE: u64 = 2 * CHUNK + 2 * MIB + 5;
    let emulator = common::emulator().await;
    let owner = common::client(&emulator);
    let existing = common::create_video(&owner, "Already there").await;
    let token = owner
        .create_upload_token()
        .body(TokenCreationPayload { ttl: 600 })
        .send()
        .await
        .expect("token created")
        .token;
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
        .upload_with_upload_token()
        .token(&token)
        .file(&path)
        .send()
        .await
        .expect("uploaded");

    let stats = emulator.stats();
    assert_eq!(stats.requests_to("POST /upload"), 3, "three chunks");
    assert_eq!(common::responses(&emulator, "POST /upload", 201), 3);
    assert_eq!(stats.event("upload.parts"), 3);
    assert_eq!(
        common::auth_calls(&emulator),
        (0, 0),
        "no API key, no token"
    );

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
    assert_eq!(new[0].title, "field-trip.mp4");

    let ingest = owner
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("status")
        .ingest;
    assert_eq!(ingest.status, VideoStatusIngestStatus::Uploaded);
    assert_eq!(ingest.filesize, Some(SIZE as i64));
    assert_eq!(common::received_ranges(&ingest), vec![(0, SIZE as i64)]);
    assert_eq!(served_sha256(&mp4_url(&video)).await, (SIZE, sha));
}

/// An upload cut off after two of its six parts (every request dropped from
/// then on) is finished by a new client with `.resume()`, which sends only
/// the four missing parts; the result is byte-identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_client_resumes_an_interrupted_upload_with_only_the_missing_parts() {
    const SIZE: u64 = 5 * CHUNK + 2 * MIB + 123;
    const PARTS: u64 = 6;
    assert_eq!(SIZE.div_ceil(CHUNK), PARTS);
    let emulator = Arc::new(common::emulator().await);
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, sha) = common::source_file(dir.path(), "course.mp4", SIZE, 7).await;

    let first = common::client(&emulator);
    let video = common::create_video(&first, "Course").await;
    let id = video.video_id.clone();

    // The network goes away once two parts are through.
    let cut = emulator.clone();
    let err = first
        .upload_video()
        .video_id(&id)
        .chunk_size(CHUNK)
        .on_progress(move |p| {
            if p.bytes_sent >= 2 * CHUNK {
                cut.set_faults(FaultSettings {
                    drop_rate: 1.0,
                    ..FaultSettings::default()
                });
            }
        })
        .file(&path)
        .send()
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
        .ingest;
    assert_eq!(interrupted.status, VideoStatusIngestStatus::Uploading);
    assert_eq!(
        common::received_ranges(&interrupted),
        vec![(0, 2 * CHUNK as i64)]
    );
    let mp4 = mp4_url(&video);
    let not_yet = reqwest::get(&mp4).await.expect("reachable");
    assert_eq!(not_yet.status(), reqwest::StatusCode::NOT_FOUND);

    // Another file (of another size) is not the one being uploaded.
    emulator.reset_stats();
    let (other, _) = common::source_file(dir.path(), "other.mp4", SIZE + 1, 8).await;
    let mismatch = second
        .upload_video()
        .video_id(&id)
        .resume()
        .file(&other)
        .send()
        .await
        .expect_err("another file is refused");
    assert_eq!(
        mismatch.source_kind(),
        Some(SourceErrorKind::Changed),
        "{mismatch:?}"
    );
    assert_eq!(emulator.stats().requests_to(SOURCE_ROUTE), 0);

    emulator.reset_stats();
    let reports: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let seen = reports.clone();
    let resumed = second
        .upload_video()
        .video_id(&id)
        .resume()
        .chunk_size(CHUNK)
        .on_progress(move |p| seen.lock().expect("not poisoned").push(p))
        .file(&path)
        .send()
        .await
        .expect("resumed");
    assert_eq!(resumed.video_id, id);
    assert_eq!(resumed.title, "Course");

    let stats = emulator.stats();
    assert_eq!(
        stats.requests_to(SOURCE_ROUTE),
        PARTS - 2,
        "only the missing parts"
    );
    assert_eq!(stats.event("upload.parts"), PARTS - 2);
    assert_eq!(stats.event("upload.bytes"), SIZE - 2 * CHUNK);
    // Once to find what arrived, once to check the final size.
    assert_eq!(stats.requests_to("GET /videos/{videoId}/status"), 2);
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
        .ingest;
    assert_eq!(done.status, VideoStatusIngestStatus::Uploaded);
    assert_eq!(done.filesize, Some(SIZE as i64));
    assert_eq!(served_sha256(&mp4).await, (SIZE, sha));
}

/// Sends `body` to a video's source as an earlier, interrupted run would
/// have, with this `Content-Range`.
async fn send_chunk(
    emulator: &apivideo_emulator::Emulator,
    video_id: &str,
    body: &[u8],
    range: &str,
) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(body.to_vec()).file_name("movie.mp4"),
    );
    let answer = reqwest::Client::new()
        .post(format!("{}/videos/{video_id}/source", emulator.base_url()))
        .basic_auth(common::KEY, Some(""))
        .header("Content-Range", range)
        .multipart(form)
        .send()
        .await
        .expect("reachable");
    assert!(answer.status().is_success(), "{}", answer.status());
}

/// Resume goes by byte ranges, so another chunk size sends exactly the
/// bytes the server lacks, cut its own way, and the file comes out whole.
#[tokio::test]
async fn resume_with_another_chunk_size_sends_only_the_missing_bytes() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = common::create_video(&client, TITLE).await;
    let dir = tempfile::tempdir().unwrap();
    let size = 13 * MIB;
    let (path, sha) = common::source_file(dir.path(), "movie.mp4", size, 11).await;
    let bytes = std::fs::read(&path).unwrap();
    let first = 5 * MIB as usize;
    send_chunk(
        &emulator,
        &video.video_id,
        &bytes[..first],
        &format!("bytes 0-{}/{size}", first - 1),
    )
    .await;

    emulator.reset_stats();
    client
        .upload_video()
        .video_id(&video.video_id)
        .chunk_size(6 * MIB)
        .resume()
        .file(&path)
        .send()
        .await
        .expect("resumed with 6 MiB chunks");
    let stats = emulator.stats();
    assert_eq!(
        stats.requests_to(SOURCE_ROUTE),
        2,
        "5..11 MiB, then 11..13 MiB"
    );
    assert_eq!(stats.event("upload.bytes"), size - 5 * MIB);
    assert_eq!(served_sha256(&mp4_url(&video)).await, (size, sha));
}

/// An upload begun with numbered parts cannot be checked against this
/// file's chunks: resume refuses it with a typed error and sends nothing.
#[tokio::test]
async fn resume_refuses_an_upload_begun_in_numbered_parts() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = common::create_video(&client, TITLE).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = common::source_file(dir.path(), "movie.mp4", 11 * MIB, 12).await;
    let bytes = std::fs::read(&path).unwrap();
    send_chunk(
        &emulator,
        &video.video_id,
        &bytes[..(5 * MIB) as usize],
        "part 1/3",
    )
    .await;

    emulator.reset_stats();
    let err = client
        .upload_video()
        .video_id(&video.video_id)
        .resume()
        .file(&path)
        .send()
        .await
        .expect_err("refused");
    assert_eq!(
        err.source_kind(),
        Some(SourceErrorKind::ChunkSizeMismatch),
        "{err:?}"
    );
    assert_eq!(emulator.stats().requests_to(SOURCE_ROUTE), 0);
}
