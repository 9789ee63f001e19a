//! Video Restore: off by default (a delete is for good); once a project
//! turns it on, a deleted video is discarded: gone from everything under
//! `/videos` and from the tags, listed and shown under `/discarded/videos`
//! with the filters, sorts and pages of `/videos`, restored whole, and
//! deleted for good once the emulator's clock passes its `deletesAt`.
//! Projects keep their own setting and their own discarded videos, and the
//! setting, the clock and the discarded videos survive a restart.

use std::path::{Path, PathBuf};
use std::time::Duration;

use apivideo_emulator::Config;
use apivideo_raw::types::{Video, VideosListResponse};
use chrono::{DateTime, TimeDelta, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{self, TestEnv};
use crate::support::{Form, api};
use crate::uploads::{bytes, send_chunk};

mod clock;
mod list;
mod settings;

const VTT: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello\n";

/// The `key` of [`call`] that sends the admin token instead of an API key.
const ADMIN: &str = "(admin token)";

/// Sends a request as `key` (or with the admin token, for [`ADMIN`]), with
/// a JSON body if given: `(status, body)`, the body `null` when the answer
/// has none.
async fn call(
    env: &TestEnv,
    method: Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = if key == ADMIN {
        env.http
            .request(method, env.url(path))
            .header("authorization", env.admin())
    } else {
        api(env, method, path, key)
    };
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.expect("an answer");
    let status = answer.status().as_u16();
    let bytes = answer.bytes().await.expect("a body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON body")
    };
    (status, body)
}

async fn get(env: &TestEnv, path: &str, key: &str) -> (u16, Value) {
    call(env, Method::GET, path, key, None).await
}

/// Turns Video Restore on or off for the project of `key`.
async fn set_video_restore(env: &TestEnv, key: &str, on: bool) {
    let (status, body) = call(
        env,
        Method::PATCH,
        "/_emulator/settings",
        key,
        Some(json!({ "videoRestore": on })),
    )
    .await;
    assert_eq!((status, body), (200, json!({ "videoRestore": on })));
}

/// Moves the emulator's clock `days` ahead and returns its answer.
async fn advance_days(env: &TestEnv, days: u32) -> Value {
    let (status, body) = call(
        env,
        Method::POST,
        "/_emulator/clock/advance",
        ADMIN,
        Some(json!({ "days": days })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Now on the emulator's clock.
async fn clock_now(env: &TestEnv) -> DateTime<Utc> {
    let (status, body) = get(env, "/_emulator/clock", "key-a").await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body["now"].clone()).expect("a date")
}

/// Creates a video as `key` from a JSON body.
async fn create(env: &TestEnv, key: &str, body: Value) -> Video {
    let (status, body) = call(env, Method::POST, "/videos", key, Some(body)).await;
    assert_eq!(status, 201, "{body}");
    serde_json::from_value(body).expect("a video")
}

async fn delete(env: &TestEnv, key: &str, id: &str) -> u16 {
    call(env, Method::DELETE, &format!("/videos/{id}"), key, None)
        .await
        .0
}

async fn restore(env: &TestEnv, key: &str, id: &str, body: Value) -> (u16, Value) {
    let path = format!("/discarded/videos/{id}");
    call(env, Method::PATCH, &path, key, Some(body)).await
}

/// One page of `path?query` as `key`.
async fn page(env: &TestEnv, key: &str, path: &str, query: &str) -> VideosListResponse {
    let (status, body) = get(env, &format!("{path}?{query}"), key).await;
    assert_eq!(status, 200, "{path}?{query}: {body}");
    serde_json::from_value(body).expect("a list")
}

fn titles(page: &VideosListResponse) -> Vec<&str> {
    page.data.iter().map(|v| v.title.as_str()).collect()
}

/// The tags of the project of `key` with their counts.
async fn tags(env: &TestEnv, key: &str) -> Vec<(String, i64)> {
    let (status, body) = get(env, "/tags", key).await;
    assert_eq!(status, 200, "{body}");
    body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|t| {
            (
                t["value"].as_str().expect("value").to_owned(),
                t["videoCount"].as_i64().expect("count"),
            )
        })
        .collect()
}

/// Whether a media directory of this video exists in the data directory.
fn has_media(data_dir: &Path, video_id: &str) -> bool {
    let projects = std::fs::read_dir(data_dir.join("media")).expect("media directory");
    projects
        .map(|p| p.expect("an entry").path())
        .map(|project: PathBuf| project.join("videos").join(video_id))
        .any(|dir| dir.is_dir())
}

/// Two projects, `key-a` and `key-b`, whose encoding never ends during a
/// test, so that nothing changes a video behind the test's back (the end
/// of encoding sets its detected language).
async fn start() -> TestEnv {
    common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_api_key("key-b")
            .with_encoding_delay(Duration::from_secs(3600)),
    )
    .await
}

/// A video of the first project with a source, a caption, a chapter, tags
/// and metadata, as `GET /videos/{videoId}` shows it, and its source.
async fn furnished(env: &TestEnv, title: &str) -> (Video, Vec<u8>) {
    let video = create(
        env,
        "key-a",
        json!({
            "title": title,
            "description": "A lesson",
            "tags": ["maths", "algebra"],
            "metadata": [{"key": "Author", "value": "Ada"}],
        }),
    )
    .await;
    let id = &video.video_id;
    let source = bytes(120_000, 7);
    let answer = send_chunk(env, "key-a", id, None, &source).await;
    assert_eq!(answer.status(), 201);
    for (path, text) in [
        (format!("/videos/{id}/captions/en"), VTT),
        (format!("/videos/{id}/chapters/fr"), VTT),
    ] {
        let answer = Form::new()
            .file("file", "track.vtt", "text/vtt", text.as_bytes())
            .post(env, &path, "key-a")
            .await;
        assert_eq!(answer.status(), 200, "{path}");
    }
    let (status, body) = get(env, &format!("/videos/{id}"), "key-a").await;
    assert_eq!(status, 200, "{body}");
    (serde_json::from_value(body).expect("a video"), source)
}

#[tokio::test]
async fn without_video_restore_a_delete_is_for_good() {
    let env = start().await;
    let (status, body) = get(&env, "/_emulator/settings", "key-a").await;
    assert_eq!((status, body), (200, json!({ "videoRestore": false })));
    let (video, _) = furnished(&env, "Gone").await;
    assert!(!video.discarded);
    assert_eq!((video.discarded_at, video.deletes_at), (None, None));
    let id = &video.video_id;
    assert!(has_media(env.emulator.data_dir(), id));

    assert_eq!(delete(&env, "key-a", id).await, 204);
    assert_eq!(get(&env, &format!("/videos/{id}"), "key-a").await.0, 404);
    assert_eq!(
        get(&env, &format!("/discarded/videos/{id}"), "key-a")
            .await
            .0,
        404
    );
    assert!(
        page(&env, "key-a", "/discarded/videos", "")
            .await
            .data
            .is_empty()
    );
    let (status, body) = restore(&env, "key-a", id, json!({ "discarded": false })).await;
    assert_eq!((status, &body["name"]), (404, &json!("videoId")), "{body}");
    assert!(!has_media(env.emulator.data_dir(), id));
    assert_eq!(delete(&env, "key-a", id).await, 404);
}

#[tokio::test]
async fn a_discarded_video_leaves_videos_and_is_restored_whole() {
    let env = start().await;
    set_video_restore(&env, "key-a", true).await;
    let (video, source) = furnished(&env, "Algebra").await;
    let id = video.video_id.clone();
    let kept = create(&env, "key-a", json!({"title": "Kept", "tags": ["maths"]})).await;
    let mp4 = video.assets.as_ref().and_then(|a| a.mp4.clone()).unwrap();
    let caption_file = env.url(&format!("/vod/{id}/captions/en.vtt"));
    assert_eq!(env.http.get(&mp4).send().await.unwrap().status(), 200);

    let before = clock_now(&env).await;
    assert_eq!(delete(&env, "key-a", &id).await, 204);
    let after = clock_now(&env).await;

    // Gone from everything under /videos, from the tags and the assets.
    let listed = page(&env, "key-a", "/videos", "").await;
    assert_eq!(titles(&listed), ["Kept"]);
    assert_eq!(tags(&env, "key-a").await, [("maths".to_owned(), 1)]);
    for (method, path, body) in [
        (Method::GET, format!("/videos/{id}"), None),
        (
            Method::PATCH,
            format!("/videos/{id}"),
            Some(json!({"title": "x"})),
        ),
        (Method::DELETE, format!("/videos/{id}"), None),
        (Method::GET, format!("/videos/{id}/status"), None),
        (
            Method::PATCH,
            format!("/videos/{id}/thumbnail"),
            Some(json!({"timecode": "00:00:01"})),
        ),
        (Method::GET, format!("/videos/{id}/captions"), None),
        (Method::GET, format!("/videos/{id}/captions/en"), None),
        (Method::GET, format!("/videos/{id}/chapters"), None),
        (Method::DELETE, format!("/videos/{id}/chapters/fr"), None),
    ] {
        let (status, answer) = call(&env, method.clone(), &path, "key-a", body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
        assert_eq!(answer["name"], "videoId", "{method} {path}: {answer}");
    }
    let chunk = send_chunk(&env, "key-a", &id, None, b"more").await;
    assert_eq!(chunk.status(), 404);
    for url in [&mp4, &caption_file] {
        assert_eq!(
            env.http.get(url).send().await.unwrap().status(),
            404,
            "{url}"
        );
    }
    let copy = call(
        &env,
        Method::POST,
        "/videos",
        "key-a",
        Some(json!({"title": "Copy", "source": id})),
    )
    .await;
    assert_eq!((copy.0, &copy.1["name"]), (400, &json!("source")));

    // Kept under /discarded/videos, without assets.
    let discarded = page(&env, "key-a", "/discarded/videos", "").await;
    assert_eq!(titles(&discarded), ["Algebra"]);
    let (status, body) = get(&env, &format!("/discarded/videos/{id}"), "key-a").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("assets").is_none_or(Value::is_null), "{body}");
    let shown: Video = serde_json::from_value(body).unwrap();
    assert_eq!(shown, discarded.data[0]);
    assert!(shown.discarded);
    let at = shown.discarded_at.expect("discardedAt");
    assert!(before <= at && at <= after, "{before} <= {at} <= {after}");
    assert_eq!(shown.deletes_at, Some(at + TimeDelta::days(90)));
    assert_eq!(
        (
            &shown.title,
            &shown.tags,
            &shown.metadata,
            &shown.updated_at
        ),
        (
            &video.title,
            &video.tags,
            &video.metadata,
            &video.updated_at
        ),
        "discarding changes nothing else"
    );

    // Restore takes `discarded: false` and nothing else.
    for (body, name) in [
        (json!({ "discarded": true }), "discarded"),
        (json!({}), "discarded"),
        (json!({ "discarded": null }), "discarded"),
        (json!({ "discarded": "false" }), "discarded"),
        (json!([false]), ""),
    ] {
        let (status, problem) = restore(&env, "key-a", &id, body.clone()).await;
        assert_eq!(status, 400, "{body}: {problem}");
        assert_eq!(problem["name"], name, "{body}: {problem}");
        assert_eq!(problem["status"], 400, "{problem}");
    }
    let (status, problem) = restore(&env, "key-a", &id, json!({ "discarded": true })).await;
    assert_eq!(
        (status, &problem["detail"]),
        (400, &json!("Value must be false."))
    );
    let unknown = restore(
        &env,
        "key-a",
        "vi0000000000000000000000",
        json!({"discarded": false}),
    )
    .await;
    assert_eq!((unknown.0, &unknown.1["name"]), (404, &json!("videoId")));
    assert_eq!(
        get(&env, "/discarded/videos/vi0000000000000000000000", "key-a")
            .await
            .0,
        404
    );

    let (status, body) = restore(&env, "key-a", &id, json!({ "discarded": false })).await;
    assert_eq!(status, 200, "{body}");
    let restored: Video = serde_json::from_value(body).unwrap();
    assert!(!restored.discarded);
    assert_eq!((restored.discarded_at, restored.deletes_at), (None, None));
    assert_eq!(restored, video, "the video is back as it was");

    // Back with everything attached.
    let (status, body) = get(&env, &format!("/videos/{id}"), "key-a").await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_value::<Video>(body).unwrap(), video);
    assert_eq!(
        titles(&page(&env, "key-a", "/videos", "").await),
        ["Algebra", "Kept"],
        "in its place among the videos"
    );
    assert_eq!(
        tags(&env, "key-a").await,
        [("algebra".to_owned(), 1), ("maths".to_owned(), 2)]
    );
    let served = env.http.get(&mp4).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.unwrap().to_vec(), source);
    let caption = env.http.get(&caption_file).send().await.unwrap();
    assert_eq!(caption.text().await.unwrap(), VTT);
    let (status, chapters) = get(&env, &format!("/videos/{id}/chapters"), "key-a").await;
    assert_eq!(
        (status, chapters["data"][0]["language"].clone()),
        (200, json!("fr"))
    );
    let (status, status_body) = get(&env, &format!("/videos/{id}/status"), "key-a").await;
    assert_eq!(status, 200);
    assert_eq!(status_body["ingest"]["status"], "uploaded", "{status_body}");
    assert!(
        page(&env, "key-a", "/discarded/videos", "")
            .await
            .data
            .is_empty()
    );
    assert_eq!(
        get(&env, &format!("/discarded/videos/{id}"), "key-a")
            .await
            .0,
        404
    );

    // A restore sent again (a retry) changes nothing and succeeds.
    let (status, body) = restore(&env, "key-a", &id, json!({ "discarded": false })).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_value::<Video>(body).unwrap(), video);
    assert_eq!(
        restore(&env, "key-a", &id, json!({ "discarded": true }))
            .await
            .0,
        400
    );
    assert_eq!(
        get(&env, &format!("/videos/{}", kept.video_id), "key-a")
            .await
            .0,
        200
    );
}
