//! Source uploads: whole files, `part N/M` chunks out of order and retried,
//! progressive `part N/*` sessions, `bytes` ranges, the status a client
//! resumes from, encoding, served assets, and persistence across restarts.

use std::time::Duration;

use apivideo_emulator::Config;
use apivideo_raw::prelude::*;
use apivideo_raw::types::{Video, VideoCreationPayload, VideoStatus};

use crate::common::{self, TestEnv};

/// A `multipart/form-data` body with one file part and text fields:
/// `(content type, body)`. (Built by hand: the workspace's reqwest has no
/// multipart feature.)
pub(crate) fn form(
    field: &str,
    file_name: &str,
    data: &[u8],
    fields: &[(&str, &str)],
) -> (String, Vec<u8>) {
    let boundary = "emulator-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Deterministic test bytes.
pub(crate) fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed)
        .collect()
}

/// Creates a video through the raw client.
pub(crate) async fn create(env: &TestEnv, title: &str) -> Video {
    create_with(&env.raw, title).await
}

/// Creates a video with `raw`, whichever project it is of.
pub(crate) async fn create_with(raw: &apivideo_raw::Client, title: &str) -> Video {
    raw.create_video()
        .body(VideoCreationPayload::builder().title(title))
        .send()
        .await
        .expect("video created")
}

/// Posts one chunk of a source; `range` is the `Content-Range` header.
pub(crate) async fn send_chunk(
    env: &TestEnv,
    key: &str,
    video_id: &str,
    range: Option<&str>,
    data: &[u8],
) -> reqwest::Response {
    let (content_type, body) = form("file", "clip.mp4", data, &[]);
    let mut req = env
        .http
        .post(env.url(&format!("/videos/{video_id}/source")))
        .header("authorization", common::basic(key))
        .header("content-type", content_type)
        .body(body);
    if let Some(range) = range {
        req = req.header("content-range", range);
    }
    req.send().await.expect("answer")
}

/// Posts a chunk as the first project and expects 201 with the video.
async fn chunk_ok(env: &TestEnv, video_id: &str, range: Option<&str>, data: &[u8]) -> Video {
    let answer = send_chunk(env, env.emulator.api_key(), video_id, range, data).await;
    assert_eq!(answer.status(), 201, "{range:?}");
    answer.json().await.expect("a video")
}

pub(crate) async fn status(env: &TestEnv, video_id: &str) -> VideoStatus {
    env.raw
        .get_video_status()
        .video_id(video_id)
        .send()
        .await
        .expect("status")
}

/// The bytes the MP4 asset serves.
pub(crate) async fn mp4(env: &TestEnv, video: &Video) -> Vec<u8> {
    let url = video
        .assets
        .as_ref()
        .and_then(|a| a.mp4.clone())
        .expect("mp4 URL");
    let answer = env.http.get(url).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    answer.bytes().await.unwrap().to_vec()
}

fn ingest_status(s: &VideoStatus) -> String {
    s.ingest.status.to_string()
}

#[tokio::test]
async fn whole_file_upload_serves_the_same_bytes() {
    let env = common::start_small_chunks().await;
    let video = create(&env, "whole").await;
    assert_eq!(
        ingest_status(&status(&env, &video.video_id).await),
        "missing"
    );
    let data = bytes(300_000, 1);
    let uploaded = chunk_ok(&env, &video.video_id, None, &data).await;
    assert_eq!(uploaded.video_id, video.video_id);
    let s = status(&env, &video.video_id).await;
    let ingest = &s.ingest;
    assert_eq!(ingest_status(&s), "uploaded");
    assert_eq!(ingest.filesize, Some(300_000));
    assert_eq!(mp4(&env, &uploaded).await, data);
    let stats = env.emulator.stats();
    assert_eq!(stats.event("upload.parts"), 1);
    assert_eq!(stats.event("upload.bytes"), 300_000);
    // Ranges and lengths, as players need them.
    let url = uploaded.assets.unwrap().mp4.unwrap();
    let part = env
        .http
        .get(&url)
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 10-19/300000");
    assert_eq!(part.bytes().await.unwrap().as_ref(), &data[10..20]);
    let head = env.http.head(&url).send().await.unwrap();
    assert_eq!(head.headers()["content-length"], "300000");
}

#[tokio::test]
async fn parts_out_of_order_and_retried_reassemble_exactly() {
    let env = common::start_small_chunks().await;
    let video = create(&env, "parts").await;
    let id = &video.video_id;
    let (p1, p2, p3) = (bytes(70_000, 1), bytes(70_000, 2), bytes(12_345, 3));
    chunk_ok(&env, id, Some("part 3/3"), &p3).await;
    chunk_ok(&env, id, Some("part 1/3"), &bytes(70_000, 9)).await;
    // A retried part replaces the earlier copy.
    chunk_ok(&env, id, Some("part 1/3"), &p1).await;
    let mid = status(&env, id).await;
    assert_eq!(ingest_status(&mid), "uploading");
    let received = mid.ingest.received_parts.unwrap();
    assert_eq!(received.parts, [1, 3]);
    assert_eq!(received.total, Some(3));
    let done = chunk_ok(&env, id, Some("part 2/3"), &p2).await;
    assert_eq!(ingest_status(&status(&env, id).await), "uploaded");
    assert_eq!(mp4(&env, &done).await, [p1, p2, p3].concat());
    assert_eq!(env.emulator.stats().event("upload.parts"), 4);
}

#[tokio::test]
async fn parallel_parts_are_all_recorded() {
    let env = common::start_small_chunks().await;
    let video = create(&env, "parallel").await;
    let parts: Vec<Vec<u8>> = (1..=6).map(|i| bytes(30_000, i)).collect();
    let ranges: Vec<String> = (1..=6).map(|n| format!("part {n}/6")).collect();
    let answers = futures::future::join_all(
        parts
            .iter()
            .zip(&ranges)
            .map(|(data, range)| send_chunk(&env, "key-a", &video.video_id, Some(range), data)),
    )
    .await;
    assert!(answers.iter().all(|a| a.status() == 201));
    let done = env
        .raw
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap();
    assert_eq!(mp4(&env, &done).await, parts.concat());
    let ingest = status(&env, &video.video_id).await.ingest;
    assert_eq!(ingest.received_parts.unwrap().parts, [1, 2, 3, 4, 5, 6]);
}

#[tokio::test]
async fn progressive_session_ends_with_part_n_of_n() {
    let env = common::start_small_chunks().await;
    let video = create(&env, "progressive").await;
    let id = &video.video_id;
    let chunks: Vec<Vec<u8>> = (1..=3).map(|i| bytes(40_000, i)).collect();
    chunk_ok(&env, id, Some("part 1/*"), &chunks[0]).await;
    chunk_ok(&env, id, Some("part 2/*"), &chunks[1]).await;
    let mid = status(&env, id).await.ingest;
    assert_eq!(mid.received_parts.as_ref().unwrap().parts, [1, 2]);
    assert_eq!(mid.received_parts.unwrap().total, None);
    let done = chunk_ok(&env, id, Some("part 3/3"), &chunks[2]).await;
    let s = status(&env, id).await.ingest;
    assert_eq!(s.received_parts.unwrap().total, Some(3));
    assert_eq!(s.filesize, Some(120_000));
    assert_eq!(mp4(&env, &done).await, chunks.concat());
}

#[tokio::test]
async fn byte_ranges_in_any_order() {
    let env = common::start_small_chunks().await;
    let video = create(&env, "bytes").await;
    let id = &video.video_id;
    let data = bytes(100_000, 4);
    chunk_ok(&env, id, Some("bytes 60000-99999/100000"), &data[60_000..]).await;
    chunk_ok(&env, id, Some("bytes 0-29999/100000"), &data[..30_000]).await;
    let mid = status(&env, id).await.ingest;
    let ranges: Vec<_> = mid
        .received_bytes
        .iter()
        .map(|r| (r.from, r.to, r.total))
        .collect();
    assert_eq!(ranges, [(0, 29_999, 100_000), (60_000, 99_999, 100_000)]);
    assert_eq!(mid.filesize, Some(100_000));
    let done = chunk_ok(
        &env,
        id,
        Some("bytes 30000-59999/100000"),
        &data[30_000..60_000],
    )
    .await;
    assert_eq!(mp4(&env, &done).await, data);
}

async fn problem(answer: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(answer.status(), status);
    answer.json().await.expect("a problem document")
}

#[tokio::test]
async fn bad_uploads_are_problems() {
    let env = common::start_small_chunks().await;
    let video = create(&env, "bad").await;
    let id = &video.video_id;
    let p = problem(
        send_chunk(&env, "key-a", id, Some("part 0/2"), b"x").await,
        400,
    )
    .await;
    assert_eq!(p["name"], "Content-Range");
    let p = problem(
        send_chunk(&env, "key-a", id, Some("bytes 0-9/100"), b"short").await,
        400,
    )
    .await;
    assert_eq!(p["name"], "Content-Range");
    chunk_ok(&env, id, Some("part 1/2"), b"abc").await;
    let p = problem(
        send_chunk(&env, "key-a", id, Some("part 2/3"), b"x").await,
        400,
    )
    .await;
    assert_eq!(p["name"], "Content-Range");
    let p = problem(
        send_chunk(&env, "key-a", id, Some("bytes 0-0/5"), b"x").await,
        400,
    )
    .await;
    assert_eq!(p["name"], "Content-Range");
    // No file part at all.
    let answer = env
        .http
        .post(env.url(&format!("/videos/{id}/source")))
        .header("authorization", env.basic())
        .header("content-type", "multipart/form-data; boundary=b")
        .body("--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx\r\n--b--\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(answer, 400).await["type"],
        "https://docs.api.video/reference/uploaded-file-no-file"
    );
    let p = problem(
        send_chunk(&env, "key-a", "vi0000000000000000000000", None, b"x").await,
        404,
    )
    .await;
    assert_eq!(p["name"], "videoId");
    // Another project's video does not exist for key-b.
    problem(send_chunk(&env, "key-b", id, None, b"x").await, 404).await;
    assert_eq!(ingest_status(&status(&env, id).await), "uploading");
}

#[tokio::test]
async fn requests_over_the_limit_are_refused_and_leave_nothing() {
    let mut config = Config::default().with_api_key("key-a");
    config.max_upload_request = 10_000;
    let env = common::start_with(config).await;
    let video = create(&env, "too big").await;
    let answer = send_chunk(&env, "key-a", &video.video_id, None, &bytes(20_000, 1)).await;
    assert_eq!(answer.status(), 413);
    assert_eq!(
        ingest_status(&status(&env, &video.video_id).await),
        "missing"
    );
    let tmp = env.emulator.data_dir().join("media").join("tmp");
    assert_eq!(std::fs::read_dir(tmp).unwrap().count(), 0);
    chunk_ok(&env, &video.video_id, Some("part 1/1"), &bytes(9_000, 1)).await;
}

#[tokio::test]
async fn a_complete_source_cannot_be_uploaded_again() {
    let env = common::start_small_chunks().await;
    let video = create(&env, "once").await;
    chunk_ok(&env, &video.video_id, None, b"the whole thing").await;
    for range in [None, Some("part 1/1")] {
        let answer = send_chunk(&env, "key-a", &video.video_id, range, b"again").await;
        let p = problem(answer, 400).await;
        assert_eq!(
            p["type"],
            "https://docs.api.video/reference/video-source-already-uploaded"
        );
        assert_eq!(p["title"], "The source of the video is already uploaded.");
    }
}

#[tokio::test]
async fn encoding_makes_the_video_playable() {
    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            // Long enough that the first status read comes before the end
            // even on a loaded machine; the test polls, so it waits no more.
            .with_encoding_delay(Duration::from_secs(3)),
    )
    .await;
    let video = create(&env, "encode me").await;
    let done = chunk_ok(&env, &video.video_id, None, &bytes(50_000, 5)).await;
    let early = status(&env, &video.video_id).await.encoding;
    assert!(!early.playable);
    assert!(!early.qualities.is_empty());
    assert!(
        early
            .qualities
            .iter()
            .all(|q| q.status.to_string() != "encoded")
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    // Playable comes with the first rendition (see `api_limits`); wait
    // for the last.
    let late = loop {
        let encoding = status(&env, &video.video_id).await.encoding;
        if encoding
            .qualities
            .iter()
            .all(|q| q.status.to_string() == "encoded")
        {
            break encoding;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never encoded: {encoding:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(late.playable);
    let kinds: Vec<String> = late
        .qualities
        .iter()
        .map(|q| format!("{} {}", q.type_.as_ref().unwrap(), q.quality))
        .collect();
    assert!(kinds.contains(&"hls 720p".to_owned()) && kinds.contains(&"mp4 1080p".to_owned()));
    let metadata = late.metadata;
    assert_eq!(metadata.video_codec.as_deref(), Some("h264"));
    assert!(metadata.duration.unwrap() >= 1);
    assert_eq!(env.emulator.stats().event("encoding.completed"), 1);
    // The HLS manifest and the player page lead to the MP4.
    let assets = done.assets.unwrap();
    let mp4_url = assets.mp4.unwrap();
    let manifest = env.http.get(assets.hls).send().await.unwrap();
    assert_eq!(manifest.status(), 200);
    let manifest = manifest.text().await.unwrap();
    assert!(manifest.starts_with("#EXTM3U") && manifest.contains(&mp4_url));
    let page = env.http.get(assets.player).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains(&format!("<video src=\"{mp4_url}\"")));
    assert!(assets.iframe.contains(&env.url("/embed/vod/")));
}

#[tokio::test]
async fn assets_of_videos_without_source_are_404() {
    let env = common::start_small_chunks().await;
    let video = create(&env, "empty").await;
    let assets = video.assets.unwrap();
    for url in [
        assets.mp4.unwrap(),
        assets.hls,
        assets.thumbnail,
        assets.player,
        env.url("/vod/vi0000000000000000000000/mp4/source.mp4"),
    ] {
        assert_eq!(
            env.http.get(&url).send().await.unwrap().status(),
            404,
            "{url}"
        );
    }
}

#[tokio::test]
async fn sources_and_partial_uploads_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || {
        Config::default()
            .with_api_key("k")
            .with_data_dir(dir.path())
            .with_encoding_delay(Duration::from_millis(300))
            .with_upload_limits(apivideo_emulator::UploadLimits::any_chunk_size())
    };
    let env = common::start_with(config()).await;
    let full = create(&env, "full").await;
    let data = bytes(80_000, 6);
    chunk_ok(&env, &full.video_id, Some("part 1/2"), &data[..50_000]).await;
    chunk_ok(&env, &full.video_id, Some("part 2/2"), &data[50_000..]).await;
    let partial = create(&env, "partial").await;
    chunk_ok(&env, &partial.video_id, Some("part 2/3"), b"second").await;
    env.emulator.shutdown().await;

    let env = common::start_with(config()).await;
    let again = env
        .raw
        .get_video()
        .video_id(&full.video_id)
        .send()
        .await
        .expect("still there");
    assert_eq!(again.title, "full");
    assert_eq!(mp4(&env, &again).await, data);
    // The resume point survived; the upload completes after the restart.
    let parts = status(&env, &partial.video_id)
        .await
        .ingest
        .received_parts
        .unwrap();
    assert_eq!(parts.parts, [2]);
    chunk_ok(&env, &partial.video_id, Some("part 1/3"), b"first,").await;
    let done = chunk_ok(&env, &partial.video_id, Some("part 3/3"), b",third").await;
    assert_eq!(mp4(&env, &done).await, b"first,second,third");
    // Encoding is derived from the stored upload time, timer or not.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let encoding = status(&env, &full.video_id).await.encoding;
    assert!(encoding.playable);
}

/// A chunk refused before its body is read (here: an unknown upload token)
/// still gets its answer: the emulator reads the rest of the body instead of
/// closing the connection under a client that is still sending.
#[tokio::test]
async fn a_large_chunk_refused_early_still_gets_its_answer() {
    let env = common::start_small_chunks().await;
    let chunk = vec![7u8; 20 * 1024 * 1024];
    for _ in 0..3 {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(chunk.clone()).file_name("big.mp4"),
        );
        let answer = env
            .http
            .post(env.url("/upload?token=to0000000000000000000000"))
            .multipart(form)
            .send()
            .await
            .expect("an answer, not a broken pipe");
        assert_eq!(answer.status(), 400);
    }
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(chunk).file_name("big.mp4"),
    );
    let unauthorized = env
        .http
        .post(env.url("/videos/vi0000000000000000000000/source"))
        .multipart(form)
        .send()
        .await
        .expect("an answer, not a broken pipe");
    assert_eq!(unauthorized.status(), 401);
}
