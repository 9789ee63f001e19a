//! The API's limits and semantics the emulator keeps, so that code which
//! passes here does not fail in production: source sizes (a whole file up
//! to 200 MiB, chunks of 5 to 128 MiB but the last), thumbnail formats and
//! size, `playable` as soon as one rendition is encoded, partial live
//! stream names, and list order without `sortBy`.

use std::time::Duration;

use apivideo_emulator::{Config, UploadLimits};
use apivideo_raw::prelude::*;
use apivideo_raw::types::{LiveStreamCreationPayload, QualityStatus, VideoCreationPayload};
use serde_json::{Value, json};

use crate::common::{self, TestEnv};
use crate::uploads::{bytes, create, send_chunk};
use crate::videos::upload_thumbnail;

const MIB: usize = 1024 * 1024;

async fn problem(answer: reqwest::Response) -> (u16, Value) {
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("a problem document"))
}

#[test]
fn the_default_limits_are_the_apis() {
    let limits = UploadLimits::default();
    assert_eq!(limits.max_whole, 200 * MIB as u64);
    assert_eq!(limits.min_chunk, 5 * MIB as u64);
    assert_eq!(limits.max_chunk, 128 * MIB as u64);
    assert_eq!(Config::default().upload_limits, limits);
}

#[tokio::test]
async fn a_chunk_under_5_mib_is_refused_unless_it_is_the_last() {
    let env = common::start().await;
    let video = create(&env, "chunks").await;
    let id = &video.video_id;
    let small = bytes(MIB, 1);

    for range in ["part 1/2", "part 1/*", "bytes 0-1048575/6291456"] {
        let (status, p) = problem(send_chunk(&env, "key-a", id, Some(range), &small).await).await;
        assert_eq!(status, 400, "{range}: {p}");
        assert_eq!(p["name"], "Content-Range", "{p}");
        let detail = p["detail"].as_str().unwrap();
        assert!(detail.contains("at least 5 MiB"), "{detail}");
        assert!(detail.len() < 200, "the detail does not echo the chunk");
    }
    // Nothing was kept of the refused chunks.
    let status: Value = env
        .http
        .get(env.url(&format!("/videos/{id}/status")))
        .header("authorization", env.basic())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["ingest"]["status"], "missing", "{status}");

    // 5 MiB, then a last part of one MiB: accepted, and the source is whole.
    let first = bytes(5 * MIB, 2);
    let answer = send_chunk(&env, "key-a", id, Some("part 1/2"), &first).await;
    assert_eq!(answer.status(), 201);
    let answer = send_chunk(&env, "key-a", id, Some("part 2/2"), &small).await;
    assert_eq!(answer.status(), 201);
    let done: Value = answer.json().await.unwrap();
    assert_eq!(done["videoId"], id.as_str());

    // A progressive session's closing part and a range ending the file
    // are last chunks too.
    let progressive = create(&env, "progressive").await;
    let id = &progressive.video_id;
    assert_eq!(
        send_chunk(&env, "key-a", id, Some("part 1/*"), &first)
            .await
            .status(),
        201
    );
    assert_eq!(
        send_chunk(&env, "key-a", id, Some("part 2/2"), &small)
            .await
            .status(),
        201
    );
    let ranged = create(&env, "ranged").await;
    let id = &ranged.video_id;
    let total = first.len() + small.len();
    let head = format!("bytes 0-{}/{total}", first.len() - 1);
    let tail = format!("bytes {}-{}/{total}", first.len(), total - 1);
    assert_eq!(
        send_chunk(&env, "key-a", id, Some(&tail), &small)
            .await
            .status(),
        201
    );
    assert_eq!(
        send_chunk(&env, "key-a", id, Some(&head), &first)
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn a_chunk_or_a_whole_file_over_its_limit_is_refused() {
    // Limits scaled down, so that the test does not move hundreds of MiB.
    let env = common::start_with(Config::default().with_api_key("key-a").with_upload_limits(
        UploadLimits {
            max_whole: 2 * MIB as u64,
            min_chunk: 1,
            max_chunk: MIB as u64,
        },
    ))
    .await;
    let video = create(&env, "limits").await;
    let id = &video.video_id;
    let big = bytes(MIB + 1, 3);

    let (status, p) = problem(send_chunk(&env, "key-a", id, Some("part 1/3"), &big).await).await;
    assert_eq!((status, &p["name"]), (400, &json!("file")), "{p}");
    assert_eq!(p["type"], "https://docs.api.video/reference/file-too-large");
    assert!(
        p["detail"].as_str().unwrap().contains("at most 1 MiB"),
        "{p}"
    );
    // The last chunk has the same upper bound.
    let (status, _) = problem(send_chunk(&env, "key-a", id, Some("part 3/3"), &big).await).await;
    assert_eq!(status, 400);

    let whole = bytes(2 * MIB + 1, 4);
    let (status, p) = problem(send_chunk(&env, "key-a", id, None, &whole).await).await;
    assert_eq!(status, 400, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("in chunks"), "{p}");
    // Exactly at the limit is fine.
    let answer = send_chunk(&env, "key-a", id, None, &whole[..2 * MIB]).await;
    assert_eq!(answer.status(), 201);
}

#[tokio::test]
async fn thumbnails_may_be_png_or_webp_up_to_8_mib() {
    let env = common::start().await;
    let video = create(&env, "thumbs").await;
    let id = &video.video_id;
    let png = b"\x89PNG\r\n\x1a\n pretend png".to_vec();
    let webp = b"RIFF\x10\x00\x00\x00WEBPVP8 pretend webp".to_vec();
    for (name, data, kind) in [
        ("frame.png", &png, "image/png"),
        ("frame.WEBP", &webp, "image/webp"),
    ] {
        let answer = upload_thumbnail(&env, id, name, data).await;
        assert_eq!(answer.status(), 200, "{name}");
        let video: Value = answer.json().await.unwrap();
        let url = video["assets"]["thumbnail"].as_str().unwrap();
        let served = env.http.get(url).send().await.unwrap();
        assert_eq!(served.headers()["content-type"], kind);
        assert_eq!(served.bytes().await.unwrap().to_vec(), *data);
    }
    let too_big = vec![0xFFu8; 8 * MIB + 1];
    let (status, p) = problem(upload_thumbnail(&env, id, "huge.jpg", &too_big).await).await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(p["name"], "file");
    assert!(p["detail"].as_str().unwrap().contains("8 MiB"), "{p}");
    // The refused image did not replace the WebP one.
    let served = env
        .http
        .get(video.assets.unwrap().thumbnail)
        .send()
        .await
        .unwrap();
    assert_eq!(served.headers()["content-type"], "image/webp");
}

#[tokio::test]
async fn a_video_is_playable_once_its_first_rendition_is_encoded() {
    // Encoding takes ten minutes of the emulator's clock, which the test
    // moves: nothing depends on how fast the machine is.
    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_encoding_delay(Duration::from_secs(600)),
    )
    .await;
    let video = create(&env, "renditions").await;
    let id = &video.video_id;
    assert_eq!(
        send_chunk(&env, "key-a", id, None, &bytes(4096, 5))
            .await
            .status(),
        201
    );
    let status = |env: &TestEnv| {
        let raw = env.raw.clone();
        let id = id.clone();
        async move {
            let status = raw.get_video_status().video_id(&id).send().await.unwrap();
            let encoding = status.encoding;
            let states: Vec<QualityStatus> =
                encoding.qualities.into_iter().map(|q| q.status).collect();
            (encoding.playable, states)
        }
    };
    let (playable, states) = status(&env).await;
    assert!(!playable);
    assert_eq!(states.len(), 6, "5 HLS renditions and the MP4");
    assert_eq!(states[0], QualityStatus::Encoding);
    assert!(
        states[1..].iter().all(|s| *s == QualityStatus::Waiting),
        "{states:?}"
    );

    // A sixth of the delay (the first of six renditions) and a little more.
    advance(&env, 101).await;
    let (playable, states) = status(&env).await;
    assert!(playable, "{states:?}");
    assert_eq!(states[0], QualityStatus::Encoded);
    assert_eq!(states[1], QualityStatus::Encoding);
    assert!(
        states[2..].iter().all(|s| *s == QualityStatus::Waiting),
        "{states:?}"
    );

    advance(&env, 500).await;
    let (playable, states) = status(&env).await;
    assert!(playable);
    assert!(
        states.iter().all(|s| *s == QualityStatus::Encoded),
        "{states:?}"
    );
}

async fn advance(env: &TestEnv, seconds: u64) {
    let answer = env
        .http
        .post(env.url("/_emulator/clock/advance"))
        .header("authorization", env.admin())
        .json(&json!({ "seconds": seconds }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn live_streams_are_found_by_part_of_their_name() {
    let env = common::start().await;
    for name in ["My Demo 2", "my demo", "Other"] {
        env.raw
            .create_live_stream()
            .body(LiveStreamCreationPayload::builder().name(name))
            .send()
            .await
            .unwrap();
    }
    let found = env
        .raw
        .list_live_streams()
        .name("Demo")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = found.data.iter().map(|s| s.name.clone()).collect();
    assert_eq!(names, ["My Demo 2"]);
}

#[tokio::test]
async fn videos_come_in_creation_order_which_sort_order_turns_around() {
    let env = common::start().await;
    for title in ["b", "c", "a"] {
        env.raw
            .create_video()
            .body(VideoCreationPayload::builder().title(title))
            .send()
            .await
            .unwrap();
    }
    let titles = |query: &'static str| {
        let (http, url, auth) = (
            env.http.clone(),
            env.url(&format!("/videos{query}")),
            env.basic(),
        );
        async move {
            let page: Value = http
                .get(url)
                .header("authorization", auth)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["title"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("").await, ["b", "c", "a"]);
    assert_eq!(titles("?sortOrder=desc").await, ["a", "c", "b"]);
}

/// A problem may name what the request sent, but never more than 512
/// characters of it: the answer does not grow with the input it refuses.
#[tokio::test]
async fn problems_quote_a_bounded_part_of_the_request() {
    let env = common::start().await;
    let name = "x".repeat(5000);
    let (status, body) = env
        .get_json(&format!("/data/metrics/play/total?{name}=1"))
        .await;
    assert_eq!(status, 400, "{body}");
    let quoted = body["name"].as_str().expect("a name");
    assert!(
        quoted.starts_with("xxxx") && quoted.ends_with('…'),
        "{quoted}"
    );
    assert_eq!(quoted.chars().count(), 513);
    assert_eq!(body["problems"][0]["name"].as_str(), Some(quoted));
}
