//! Video uploads through the SDK: one request or chunks, readers and
//! unknown-size streams, progress, delegated tokens, resume, bad sources.

use std::sync::{Arc, Mutex};

use apivideo::prelude::*;
use apivideo::types::{TokenCreationPayload, Video, VideoCreationPayload};
use apivideo::{Client, Config, Progress, SourceErrorKind};

use crate::common;

const MIB: usize = 1024 * 1024;
const CHUNK: u64 = 5 * MIB as u64;

/// Deterministic, not-all-zero bytes.
fn data(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn temp_file(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("movie.mp4");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

async fn new_video(client: &Client) -> Video {
    client
        .create_video()
        .body(VideoCreationPayload::builder().title("upload test"))
        .send()
        .await
        .unwrap()
        .into_inner()
}

/// The source the emulator serves back for a video.
async fn served(client: &Client, video_id: &str) -> Vec<u8> {
    let video = client
        .get_video()
        .video_id(video_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let url = video.assets.and_then(|a| a.mp4).expect("an mp4 asset");
    reqwest::get(url)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

fn upload_parts(emulator: &apivideo_emulator::Emulator) -> u64 {
    emulator.stats().event("upload.parts")
}

#[tokio::test]
async fn a_small_file_goes_in_one_request() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = new_video(&client).await;
    let bytes = data(300_000);
    let (_dir, path) = temp_file(&bytes);
    let uploaded = client
        .upload_video(&video.video_id)
        .from_path(&path)
        .await
        .expect("uploaded");
    assert_eq!(uploaded.video_id, video.video_id);
    assert_eq!(upload_parts(&emulator), 1);
    assert_eq!(served(&client, &video.video_id).await, bytes);
}

#[tokio::test]
async fn a_large_file_goes_in_chunks_with_progress() {
    let emulator = common::emulator().await;
    let client = Client::with_config(common::config(&emulator).with_chunk_size(CHUNK)).unwrap();
    let video = new_video(&client).await;
    let bytes = data(11 * MIB);
    let (_dir, path) = temp_file(&bytes);
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let sink = seen.clone();
    client
        .upload_video(&video.video_id)
        .on_progress(move |p| sink.lock().unwrap().push(p))
        .from_path(&path)
        .await
        .expect("uploaded");
    assert_eq!(upload_parts(&emulator), 3, "11 MiB in 5 MiB chunks");
    assert_eq!(served(&client, &video.video_id).await, bytes);
    let seen = seen.lock().unwrap().clone();
    let last = seen.last().expect("progress was reported");
    assert_eq!(
        (last.bytes_sent, last.total_bytes, last.part, last.parts),
        (bytes.len() as u64, Some(bytes.len() as u64), 3, Some(3))
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
        .unwrap()
        .into_inner();
    let ingest = status.ingest.expect("ingest");
    assert_eq!(ingest.filesize, Some(bytes.len() as i64));
}

#[tokio::test]
async fn a_reader_of_known_size_and_a_stream_of_unknown_size() {
    let emulator = common::emulator().await;
    let client = Client::with_config(common::config(&emulator).with_chunk_size(CHUNK)).unwrap();
    let bytes = data(11 * MIB);

    let video = new_video(&client).await;
    client
        .upload_video(&video.video_id)
        .from_reader(&bytes[..], bytes.len() as u64)
        .await
        .expect("uploaded");
    assert_eq!(served(&client, &video.video_id).await, bytes);

    let progressive = new_video(&client).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    client
        .upload_video(&progressive.video_id)
        .progress_channel(tx)
        .from_stream(&bytes[..])
        .await
        .expect("uploaded as a progressive session");
    assert_eq!(served(&client, &progressive.video_id).await, bytes);
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
async fn a_delegated_chunked_upload_makes_one_video() {
    let emulator = common::emulator().await;
    let owner = common::client(&emulator);
    let token = owner
        .create_upload_token()
        .body(TokenCreationPayload { ttl: 0 })
        .send()
        .await
        .unwrap()
        .into_inner();
    let token = token.token.expect("a token");
    let anonymous =
        Client::with_config(Config::new(emulator.base_url()).with_chunk_size(CHUNK)).unwrap();
    let bytes = data(12 * MIB);
    let (_dir, path) = temp_file(&bytes);
    let video = anonymous
        .upload_with_upload_token(&token)
        .from_path(&path)
        .await
        .expect("uploaded");
    assert_eq!(upload_parts(&emulator), 3);
    let videos = owner.list_videos().send().await.unwrap();
    assert_eq!(videos.data.len(), 1, "three chunks, one video");
    assert_eq!(videos.data[0].video_id, video.video_id);
    assert_eq!(served(&owner, &video.video_id).await, bytes);
    assert_eq!(
        common::auth_calls(&emulator).0,
        1,
        "only the owner authenticated"
    );
}

#[tokio::test]
async fn resume_sends_only_the_missing_parts() {
    let emulator = common::emulator().await;
    let client = Client::with_config(common::config(&emulator).with_chunk_size(CHUNK)).unwrap();
    let video = new_video(&client).await;
    let bytes = data(13 * MIB);
    let (_dir, path) = temp_file(&bytes);
    // An earlier run sent parts 1 and 3 of 3, then stopped.
    for (index, range) in [(1usize, 0..5 * MIB), (3, 10 * MIB..bytes.len())] {
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
            .header("Content-Range", format!("part {index}/3"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
    }
    assert_eq!(upload_parts(&emulator), 2);
    let fresh = Client::with_config(common::config(&emulator).with_chunk_size(CHUNK)).unwrap();
    fresh
        .upload_video(&video.video_id)
        .resume()
        .from_path(&path)
        .await
        .expect("resumed");
    assert_eq!(upload_parts(&emulator), 3, "only part 2 was sent");
    assert_eq!(served(&client, &video.video_id).await, bytes);

    // Resuming a finished upload sends nothing.
    fresh
        .upload_video(&video.video_id)
        .resume()
        .from_path(&path)
        .await
        .expect("already complete");
    assert_eq!(upload_parts(&emulator), 3);
}

#[tokio::test]
async fn resume_with_another_chunk_size_is_refused() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = new_video(&client).await;
    let bytes = data(11 * MIB);
    let (_dir, path) = temp_file(&bytes);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes[..5 * MIB].to_vec()).file_name("m.mp4"),
    );
    reqwest::Client::new()
        .post(format!(
            "{}/videos/{}/source",
            emulator.base_url(),
            video.video_id
        ))
        .basic_auth(common::KEY, Some(""))
        .header("Content-Range", "part 1/3")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let err = client
        .upload_video(&video.video_id)
        .chunk_size(6 * MIB as u64)
        .resume()
        .from_path(&path)
        .await
        .expect_err("2 parts here, 3 on the server");
    assert_eq!(err.source_kind(), Some(SourceErrorKind::ChunkSizeMismatch));
    assert_eq!(upload_parts(&emulator), 1, "nothing more was sent");
}

#[tokio::test]
async fn bad_sources_are_refused_before_anything_is_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = new_video(&client).await;
    let dir = tempfile::tempdir().unwrap();

    let err = client
        .upload_video(&video.video_id)
        .from_path(dir.path().join("absent.mp4"))
        .await
        .unwrap_err();
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Missing));

    let empty = dir.path().join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    let err = client
        .upload_video(&video.video_id)
        .from_path(&empty)
        .await
        .unwrap_err();
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Empty));

    let err = client
        .upload_video(&video.video_id)
        .chunk_size(1024)
        .from_path(&empty)
        .await
        .unwrap_err();
    assert!(err.is_config(), "{err:?}");

    let short = data(1000);
    let err = client
        .upload_video(&video.video_id)
        .from_reader(&short[..], 2000)
        .await
        .unwrap_err();
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Changed));
    let err = client
        .upload_video(&video.video_id)
        .from_reader(&short[..], 500)
        .await
        .unwrap_err();
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Changed));

    assert_eq!(upload_parts(&emulator), 0, "nothing reached the server");
    let status = client
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_ne!(
        status.ingest.and_then(|i| i.status),
        Some(apivideo::types::VideoStatusIngestStatus::Uploaded)
    );
}

#[tokio::test]
async fn a_file_that_shrinks_mid_upload_stops_the_upload() {
    let emulator = common::emulator().await;
    let client = Client::with_config(common::config(&emulator).with_chunk_size(CHUNK)).unwrap();
    let video = new_video(&client).await;
    let bytes = data(11 * MIB);
    let (_dir, path) = temp_file(&bytes);
    let target = path.clone();
    let err = client
        .upload_video(&video.video_id)
        .on_progress(move |p| {
            // Once part 1 is through, cut the file.
            if p.part == 1 && p.bytes_sent >= CHUNK {
                let _ = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .and_then(|f| f.set_len(CHUNK + 10));
            }
        })
        .from_path(&path)
        .await
        .expect_err("the file changed");
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Changed), "{err:?}");
    assert_eq!(
        upload_parts(&emulator),
        1,
        "no part of the changed file was accepted"
    );
}
