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
use crate::live_streams::support::{Form, api};
use crate::uploads::{bytes, send_chunk};

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

#[tokio::test]
async fn discarded_videos_are_filtered_sorted_and_paged_like_videos() {
    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_api_key("key-b")
            .with_video_restore(true),
    )
    .await;
    let mut ids = Vec::new();
    for (title, tags, author, description) in [
        ("Fractions", vec!["maths"], "Ada", "Parts of a whole"),
        ("Algebra", vec!["maths", "letters"], "Alan", "Unknowns"),
        ("Poetry", vec!["letters"], "Ada", "Verses"),
        ("Decimals", vec!["maths"], "Ada", "Parts of ten"),
    ] {
        let video = create(
            &env,
            "key-a",
            json!({
                "title": title,
                "tags": tags,
                "metadata": [{"key": "Author", "value": author}],
                "description": description,
            }),
        )
        .await;
        ids.push(video.video_id);
    }
    create(
        &env,
        "key-a",
        json!({"title": "Live maths", "tags": ["maths"]}),
    )
    .await;
    for id in &ids {
        assert_eq!(delete(&env, "key-a", id).await, 204);
    }

    let list = |query: &'static str| {
        let env = &env;
        async move { titles(&page(env, "key-a", "/discarded/videos", query).await).join(",") }
    };
    assert_eq!(list("").await, "Fractions,Algebra,Poetry,Decimals");
    assert_eq!(list("title=ALG").await, "Algebra");
    assert_eq!(list("tags[]=maths").await, "Fractions,Algebra,Decimals");
    assert_eq!(list("tags[]=maths&tags[]=letters").await, "Algebra");
    assert_eq!(
        list("metadata[Author]=Ada").await,
        "Fractions,Poetry,Decimals"
    );
    assert_eq!(
        list("metadata[Author]=Ada&tags[]=maths&description=parts").await,
        "Fractions,Decimals"
    );
    assert_eq!(
        list("sortBy=title").await,
        "Algebra,Decimals,Fractions,Poetry"
    );
    assert_eq!(
        list("sortBy=title&sortOrder=desc").await,
        "Poetry,Fractions,Decimals,Algebra"
    );
    assert_eq!(
        list("sortBy=createdAt&sortOrder=desc").await,
        "Decimals,Poetry,Algebra,Fractions"
    );
    assert_eq!(
        titles(&page(&env, "key-a", "/videos", "").await),
        ["Live maths"]
    );

    let second = page(
        &env,
        "key-a",
        "/discarded/videos",
        "sortBy=title&pageSize=3&currentPage=2",
    )
    .await;
    assert_eq!(titles(&second), ["Poetry"]);
    let pagination = &second.pagination;
    assert_eq!(
        (
            pagination.pages_total,
            pagination.items_total,
            pagination.current_page_items
        ),
        (2, 4, 1)
    );
    let links: Vec<(&str, &str)> = pagination
        .links
        .iter()
        .map(|l| (l.rel.as_str(), l.uri.as_str()))
        .collect();
    let uri = |n: u8| {
        env.url(&format!(
            "/discarded/videos?sortBy=title&currentPage={n}&pageSize=3"
        ))
    };
    assert_eq!(
        links,
        [
            ("self", uri(2).as_str()),
            ("first", uri(1).as_str()),
            ("previous", uri(1).as_str()),
            ("last", uri(2).as_str()),
        ]
    );

    for (query, name) in [
        ("sortBy=deletesAt", "sortBy"),
        ("sortOrder=up", "sortOrder"),
        ("pageSize=101", "pageSize"),
        ("currentPage=3&pageSize=3", "currentPage"),
    ] {
        let (status, problem) = get(&env, &format!("/discarded/videos?{query}"), "key-a").await;
        assert_eq!(
            (status, &problem["name"]),
            (400, &json!(name)),
            "{query}: {problem}"
        );
    }
    let anonymous = env
        .http
        .get(env.url("/discarded/videos"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn discarded_videos_are_deleted_for_good_once_the_clock_passes_deletes_at() {
    let env = start().await;
    set_video_restore(&env, "key-a", true).await;
    let (early, _) = furnished(&env, "Early").await;
    let late = create(&env, "key-a", json!({"title": "Late"})).await;
    let saved = create(&env, "key-a", json!({"title": "Saved"})).await;
    for video in [&early, &saved] {
        assert_eq!(delete(&env, "key-a", &video.video_id).await, 204);
    }
    let early_id = &early.video_id;
    let (_, shown) = get(&env, &format!("/discarded/videos/{early_id}"), "key-a").await;
    let deletes_at: DateTime<Utc> = serde_json::from_value(shown["deletesAt"].clone()).unwrap();

    let clock = advance_days(&env, 89).await;
    assert_eq!(clock["offsetMs"], 89 * 86_400_000_i64);
    let now = clock_now(&env).await;
    assert!(now < deletes_at, "{now} < {deletes_at}");
    assert_eq!(
        titles(&page(&env, "key-a", "/discarded/videos", "").await),
        ["Early", "Saved"]
    );
    // Dates written from now on follow the clock.
    assert_eq!(delete(&env, "key-a", &late.video_id).await, 204);
    let (_, late_shown) = get(
        &env,
        &format!("/discarded/videos/{}", late.video_id),
        "key-a",
    )
    .await;
    let late_at: DateTime<Utc> = serde_json::from_value(late_shown["discardedAt"].clone()).unwrap();
    assert!(late_at >= now, "{late_at} >= {now}");
    let fresh = create(&env, "key-a", json!({"title": "Fresh"})).await;
    assert!(fresh.created_at.unwrap() >= now);
    let (status, _) = restore(&env, "key-a", &saved.video_id, json!({"discarded": false})).await;
    assert_eq!(status, 200);
    assert!(has_media(env.emulator.data_dir(), early_id));

    advance_days(&env, 2).await;
    assert!(clock_now(&env).await > deletes_at);
    assert_eq!(
        titles(&page(&env, "key-a", "/discarded/videos", "").await),
        ["Late"],
        "Early is gone, Late has 88 days left, Saved was restored"
    );
    assert_eq!(
        get(&env, &format!("/discarded/videos/{early_id}"), "key-a")
            .await
            .0,
        404
    );
    let (status, _) = restore(&env, "key-a", early_id, json!({"discarded": false})).await;
    assert_eq!(status, 404);
    assert_eq!(
        get(&env, &format!("/videos/{early_id}"), "key-a").await.0,
        404
    );
    assert!(!has_media(env.emulator.data_dir(), early_id));
    assert_eq!(
        get(&env, &format!("/videos/{}", saved.video_id), "key-a")
            .await
            .0,
        200
    );

    advance_days(&env, 88).await;
    assert!(
        page(&env, "key-a", "/discarded/videos", "")
            .await
            .data
            .is_empty()
    );
    assert_eq!(
        titles(&page(&env, "key-a", "/videos", "").await),
        ["Saved", "Fresh"]
    );
}

#[tokio::test]
async fn the_clock_only_moves_ahead_by_a_checked_amount() {
    let env = common::start().await;
    let (status, clock) = get(&env, "/_emulator/clock", "key-a").await;
    assert_eq!((status, &clock["offsetMs"]), (200, &json!(0)));
    for body in [
        json!({}),
        json!({"days": -1}),
        json!({"seconds": 1.5}),
        json!({"weeks": 1}),
        json!({"days": 40_000}),
        json!({"seconds": u64::MAX}),
        json!("tomorrow"),
    ] {
        let (status, problem) = call(
            &env,
            Method::POST,
            "/_emulator/clock/advance",
            ADMIN,
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "{body}: {problem}");
        assert!(problem["title"].is_string(), "{problem}");
    }
    // A project's API key does not move the clock of every project.
    let (status, problem) = call(
        &env,
        Method::POST,
        "/_emulator/clock/advance",
        "key-b",
        Some(json!({"days": 1})),
    )
    .await;
    assert_eq!((status, &problem["status"]), (401, &json!(401)));
    let (status, clock) = get(&env, "/_emulator/clock", ADMIN).await;
    assert_eq!((status, &clock["offsetMs"]), (200, &json!(0)));
    let (status, clock) = call(
        &env,
        Method::POST,
        "/_emulator/clock/advance",
        ADMIN,
        Some(json!({"days": 1, "seconds": 30})),
    )
    .await;
    assert_eq!((status, &clock["offsetMs"]), (200, &json!(86_430_000)));
    let anonymous = env
        .http
        .post(env.url("/_emulator/clock/advance"))
        .json(&json!({"days": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let (_, clock) = get(&env, "/_emulator/clock", "key-a").await;
    assert_eq!(clock["offsetMs"], 86_430_000, "one clock for every project");

    // Deadlines set as dates pass with the clock: an upload token for an
    // hour is gone a day later.
    let (status, token) = call(
        &env,
        Method::POST,
        "/upload-tokens",
        "key-a",
        Some(json!({"ttl": 3600})),
    )
    .await;
    assert_eq!(status, 200, "{token}");
    let path = format!("/upload-tokens/{}", token["token"].as_str().unwrap());
    assert_eq!(get(&env, &path, "key-a").await.0, 200);
    advance_days(&env, 1).await;
    assert_eq!(get(&env, &path, "key-a").await.0, 404);
}

#[tokio::test]
async fn each_project_has_its_own_setting_and_discarded_videos() {
    let env = common::start().await;
    set_video_restore(&env, "key-a", true).await;
    let (status, body) = get(&env, "/_emulator/settings", "key-b").await;
    assert_eq!((status, body), (200, json!({ "videoRestore": false })));

    let a = create(&env, "key-a", json!({"title": "A"})).await;
    let b = create(&env, "key-b", json!({"title": "B"})).await;
    assert_eq!(delete(&env, "key-b", &a.video_id).await, 404);
    assert_eq!(delete(&env, "key-a", &a.video_id).await, 204);
    assert_eq!(delete(&env, "key-b", &b.video_id).await, 204);

    assert_eq!(
        titles(&page(&env, "key-a", "/discarded/videos", "").await),
        ["A"]
    );
    assert!(
        page(&env, "key-b", "/discarded/videos", "")
            .await
            .data
            .is_empty(),
        "B was deleted for good, and A is not B's"
    );
    let path = format!("/discarded/videos/{}", a.video_id);
    assert_eq!(get(&env, &path, "key-b").await.0, 404);
    let (status, _) = restore(&env, "key-b", &a.video_id, json!({"discarded": false})).await;
    assert_eq!(status, 404);
    assert_eq!(get(&env, &path, "key-a").await.0, 200);

    // Turned off again, a delete is for good once more.
    set_video_restore(&env, "key-a", false).await;
    let c = create(&env, "key-a", json!({"title": "C"})).await;
    assert_eq!(delete(&env, "key-a", &c.video_id).await, 204);
    assert_eq!(
        titles(&page(&env, "key-a", "/discarded/videos", "").await),
        ["A"]
    );
}

#[tokio::test]
async fn settings_changes_are_checked() {
    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_video_restore(true),
    )
    .await;
    let (status, body) = get(&env, "/_emulator/settings", "key-a").await;
    assert_eq!((status, body), (200, json!({ "videoRestore": true })));
    for body in [
        json!({"videoRestore": "yes"}),
        json!({"videoRestor": false}),
        json!(true),
    ] {
        let (status, problem) = call(
            &env,
            Method::PATCH,
            "/_emulator/settings",
            "key-a",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "{body}: {problem}");
    }
    let (status, body) = call(
        &env,
        Method::PATCH,
        "/_emulator/settings",
        "key-a",
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({ "videoRestore": true })),
        "an empty change keeps it"
    );
    set_video_restore(&env, "key-a", false).await;
    let anonymous = env
        .http
        .get(env.url("/_emulator/settings"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn the_setting_the_clock_and_discarded_videos_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || {
        Config::default()
            .with_api_key("key-a")
            .with_data_dir(dir.path())
    };
    let env = common::start_with(config()).await;
    set_video_restore(&env, "key-a", true).await;
    let video = create(&env, "key-a", json!({"title": "Kept"})).await;
    assert_eq!(delete(&env, "key-a", &video.video_id).await, 204);
    advance_days(&env, 30).await;
    let (_, before) = get(
        &env,
        &format!("/discarded/videos/{}", video.video_id),
        "key-a",
    )
    .await;
    env.emulator.shutdown().await;

    let env = common::start_with(config()).await;
    let (_, settings) = get(&env, "/_emulator/settings", "key-a").await;
    assert_eq!(settings, json!({ "videoRestore": true }));
    let (_, clock) = get(&env, "/_emulator/clock", "key-a").await;
    assert_eq!(clock["offsetMs"], 30 * 86_400_000_i64);
    let (status, after) = get(
        &env,
        &format!("/discarded/videos/{}", video.video_id),
        "key-a",
    )
    .await;
    assert_eq!((status, after), (200, before));
    advance_days(&env, 61).await;
    assert!(
        page(&env, "key-a", "/discarded/videos", "")
            .await
            .data
            .is_empty()
    );
}
