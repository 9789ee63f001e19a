//! Live streams: creation defaults, list filters, sorts and pages, PATCH
//! semantics, validation, thumbnails, served assets, tenant isolation, and
//! completion (the broadcast ends later, with its webhook, across restarts).
//! Also holds helpers the other resource tests share (`support`).

use std::time::Duration;

use apivideo_emulator::Config;
use apivideo_raw::prelude::*;
use apivideo_raw::types::{
    ListLiveStreamsSortOrder, LiveStreamCreationPayload, LiveStreamUpdatePayload,
    RestreamsRequestObject,
};
use serde_json::json;

use self::support::{Form, JPEG, api, problem};
use crate::common::{self, TestEnv, status};
use crate::webhooks::{broadcast, receiver, register, wait_for};

fn payload(name: &str) -> LiveStreamCreationPayload {
    LiveStreamCreationPayload {
        name: name.into(),
        player_id: None,
        public: None,
        record: None,
        restreams: Vec::new(),
    }
}

fn youtube() -> RestreamsRequestObject {
    RestreamsRequestObject {
        name: "YouTube channel".into(),
        server_url: "rtmp://a.rtmp.youtube.com/live2".into(),
        stream_key: "abcd-1234".into(),
    }
}

#[tokio::test]
async fn create_applies_defaults_and_get_returns_it() {
    let env = common::start().await;
    let created = env
        .raw
        .create_live_stream()
        .body(payload("Weekly demo"))
        .send()
        .await
        .expect("created");
    let id = created.live_stream_id.clone();
    assert!(id.starts_with("li") && id.len() == 24, "{id}");
    assert_eq!(created.name, "Weekly demo");
    assert_eq!(
        created.record, None,
        "the legacy switch is shown only when set"
    );
    assert!(created.public);
    assert!(!created.broadcasting);
    assert!(created.restreams.is_empty());
    assert_eq!(created.player_id, None);
    let key = created.stream_key.clone();
    let groups: Vec<usize> = key.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12]);
    assert_eq!(created.created_at, created.updated_at);
    let assets = created.assets.clone();
    assert_eq!(assets.hls, env.url(&format!("/live/{id}.m3u8")));
    assert_eq!(assets.player, env.url(&format!("/embed/live/{id}")));
    assert_eq!(
        assets.thumbnail,
        env.url(&format!("/live/{id}/thumbnail.jpg"))
    );
    assert!(assets.iframe.contains(&assets.player));

    let fetched = env
        .raw
        .get_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched, created);

    // Recording and restreams as asked.
    let full = env
        .raw
        .create_live_stream()
        .body(LiveStreamCreationPayload {
            record: Some(true),
            public: Some(false),
            restreams: vec![youtube()],
            ..payload("Recorded")
        })
        .send()
        .await
        .unwrap();
    assert_eq!((full.record, full.public), (Some(true), false));
    assert_eq!(full.restreams.len(), 1);
    assert_eq!(
        full.restreams[0].server_url,
        "rtmp://a.rtmp.youtube.com/live2"
    );
}

#[tokio::test]
async fn assets_are_served() {
    let env = common::start().await;
    let stream = env
        .raw
        .create_live_stream()
        .body(payload("Served & <escaped>"))
        .send()
        .await
        .unwrap();
    let assets = stream.assets;
    let hls = env.http.get(assets.hls).send().await.unwrap();
    assert_eq!(hls.status(), 200);
    assert_eq!(
        hls.headers()["content-type"],
        "application/vnd.apple.mpegurl"
    );
    assert!(hls.text().await.unwrap().starts_with("#EXTM3U"));
    let page = env.http.get(assets.player).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Served &amp; &lt;escaped&gt;"), "{html}");
    let thumb = env.http.get(assets.thumbnail).send().await.unwrap();
    assert_eq!(thumb.status(), 200);
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    assert!(thumb.bytes().await.unwrap().starts_with(&[0xFF, 0xD8]));
    let missing = env
        .http
        .get(env.url("/live/linope.m3u8"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn list_filters_sorts_and_pages() {
    let env = common::start().await;
    let mut keys = Vec::new();
    for name in ["bravo", "alpha", "charlie"] {
        let s = env
            .raw
            .create_live_stream()
            .body(payload(name))
            .send()
            .await
            .unwrap();
        keys.push(s.stream_key);
    }
    let names = |list: apivideo_raw::types::LiveStreamsListResponse| -> Vec<String> {
        list.data.into_iter().map(|s| s.name).collect()
    };
    let all = env.raw.list_live_streams().send().await.unwrap();
    assert_eq!(all.pagination.items_total, 3);
    assert_eq!(names(all), ["bravo", "alpha", "charlie"]);

    let by_name = env
        .raw
        .list_live_streams()
        .name("alpha")
        .send()
        .await
        .unwrap();
    assert_eq!(names(by_name), ["alpha"]);
    let by_key = env
        .raw
        .list_live_streams()
        .stream_key(&keys[2])
        .send()
        .await
        .unwrap();
    assert_eq!(names(by_key), ["charlie"]);

    let asc = env
        .raw
        .list_live_streams()
        .sort_by("name")
        .send()
        .await
        .unwrap();
    assert_eq!(names(asc), ["alpha", "bravo", "charlie"]);
    let desc = env
        .raw
        .list_live_streams()
        .sort_by("name")
        .sort_order(ListLiveStreamsSortOrder::Desc)
        .send()
        .await
        .unwrap();
    assert_eq!(names(desc), ["charlie", "bravo", "alpha"]);
    let newest_first = env
        .raw
        .list_live_streams()
        .sort_by("createdAt")
        .sort_order(ListLiveStreamsSortOrder::Desc)
        .send()
        .await
        .unwrap();
    assert_eq!(names(newest_first), ["charlie", "alpha", "bravo"]);

    let page2 = env
        .raw
        .list_live_streams()
        .page_size(2)
        .current_page(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page2.pagination.pages_total, 2);
    assert_eq!(page2.pagination.current_page_items, 1);
    assert_eq!(names(page2), ["charlie"]);

    let err = env
        .raw
        .list_live_streams()
        .page_size(2)
        .current_page(3)
        .send()
        .await
        .unwrap_err();
    assert_eq!(problem(err).1.name.as_deref(), Some("currentPage"));
    // The typed client cannot send an unlisted value: send it by hand.
    let bad_by = api(
        &env,
        reqwest::Method::GET,
        "/live-streams?sortBy=colour",
        "key-a",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(bad_by.status(), 400);
    let p: serde_json::Value = bad_by.json().await.unwrap();
    assert_eq!(p["name"], "sortBy");
    let bad_order = api(
        &env,
        reqwest::Method::GET,
        "/live-streams?sortOrder=up",
        "key-a",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(bad_order.status(), 400);
    let p: serde_json::Value = bad_order.json().await.unwrap();
    assert_eq!(p["name"], "sortOrder");
}

#[tokio::test]
async fn creation_is_validated() {
    let env = common::start().await;
    let post = |body: serde_json::Value| {
        api(&env, reqwest::Method::POST, "/live-streams", "key-a")
            .json(&body)
            .send()
    };
    let cases = [
        (json!({}), "name"),
        (json!({"name": 12}), "name"),
        (json!({"name": "  "}), "name"),
        (json!({"name": "x", "record": "yes"}), "record"),
        (json!({"name": "x", "public": 1}), "public"),
        (json!({"name": "x", "playerId": "ptnope"}), "playerId"),
        (json!({"name": "x", "restreams": {}}), "restreams"),
        (
            json!({"name": "x", "restreams": [{"name": "a", "streamKey": "k"}]}),
            "restreams[0].serverUrl",
        ),
        (
            json!({"name": "x", "restreams": [{"name": "", "serverUrl": "rtmp://h/app", "streamKey": "k"}]}),
            "restreams[0][name]",
        ),
        (
            json!({"name": "x", "restreams": [{"name": "a", "serverUrl": "http://h/app", "streamKey": "k"}]}),
            "restreams[0][serverUrl]",
        ),
    ];
    for (body, name) in cases {
        let answer = post(body.clone()).await.unwrap();
        assert_eq!(answer.status(), 400, "{body}");
        let p: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(p["name"], name, "{body}: {p}");
        assert_eq!(p["status"], 400);
    }
    let six = vec![youtube(); 6];
    let err = env
        .raw
        .create_live_stream()
        .body(LiveStreamCreationPayload {
            restreams: six,
            ..payload("too many")
        })
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (400, Some("restreams")));
    let five = vec![youtube(); 5];
    let ok = env
        .raw
        .create_live_stream()
        .body(LiveStreamCreationPayload {
            restreams: five,
            ..payload("five")
        })
        .send()
        .await
        .unwrap();
    assert_eq!(ok.restreams.len(), 5);
    let list = env.raw.list_live_streams().send().await.unwrap();
    assert_eq!(list.data.len(), 1, "nothing invalid was stored");
}

#[tokio::test]
async fn update_changes_only_what_is_sent() {
    let env = common::start().await;
    let stream = env
        .raw
        .create_live_stream()
        .body(LiveStreamCreationPayload {
            record: Some(true),
            restreams: vec![youtube()],
            ..payload("before")
        })
        .send()
        .await
        .unwrap();
    let id = stream.live_stream_id.clone();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let renamed = env
        .raw
        .update_live_stream()
        .live_stream_id(&id)
        .body(LiveStreamUpdatePayload {
            name: Some("after".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.name, "after");
    assert_eq!(renamed.record, Some(true));
    assert_eq!(renamed.restreams, stream.restreams);
    assert_eq!(renamed.stream_key, stream.stream_key);
    assert_eq!(renamed.created_at, stream.created_at);
    assert!(renamed.updated_at > stream.updated_at);

    let player: serde_json::Value = api(&env, reqwest::Method::POST, "/players", "key-a")
        .json(&json!({"name": "theme"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let player_id = player["playerId"].as_str().unwrap();
    let twitch = RestreamsRequestObject {
        name: "Twitch".into(),
        server_url: "rtmp://live.twitch.tv/app".into(),
        stream_key: "live_1".into(),
    };
    let changed = env
        .raw
        .update_live_stream()
        .live_stream_id(&id)
        .body(LiveStreamUpdatePayload {
            public: Some(false),
            record: Some(false),
            player_id: Some(player_id.into()),
            restreams: vec![twitch],
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!((changed.public, changed.record), (false, Some(false)));
    assert_eq!(changed.player_id.as_deref(), Some(player_id));
    assert_eq!(changed.restreams.len(), 1);
    assert_eq!(changed.restreams[0].name, "Twitch");
    assert_eq!(changed.name, "after");

    // Explicit null and empty list: detach the player, drop the restreams.
    let path = format!("/live-streams/{id}");
    let cleared: serde_json::Value = api(&env, reqwest::Method::PATCH, &path, "key-a")
        .json(&json!({"playerId": null, "restreams": []}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(cleared.get("playerId").is_none(), "{cleared}");
    assert_eq!(cleared["restreams"], json!([]));
    assert_eq!(cleared["public"], false);

    for (body, name) in [
        (json!({"name": ""}), "name"),
        (json!({"record": "no"}), "record"),
        (json!({"playerId": "ptmissing"}), "playerId"),
        (
            json!({"restreams": [youtube(), youtube(), youtube(), youtube(), youtube(), youtube()]}),
            "restreams",
        ),
    ] {
        let answer = api(&env, reqwest::Method::PATCH, &path, "key-a")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{body}");
        let p: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(p["name"], name, "{body}");
    }
    let err = env
        .raw
        .update_live_stream()
        .live_stream_id("linope")
        .body(LiveStreamUpdatePayload::default())
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (404, Some("liveStreamId")));
}

#[tokio::test]
async fn delete_removes_the_stream_and_its_assets() {
    let env = common::start().await;
    let stream = env
        .raw
        .create_live_stream()
        .body(payload("short-lived"))
        .send()
        .await
        .unwrap();
    let id = stream.live_stream_id;
    env.raw
        .delete_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .expect("deleted");
    let err = env
        .raw
        .get_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (404, Some("liveStreamId")));
    let again = env
        .raw
        .delete_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&again), Some(404));
    let hls = env.http.get(stream.assets.hls).send().await.unwrap();
    assert_eq!(hls.status(), 404);
}

#[tokio::test]
async fn thumbnails_take_jpeg_only() {
    let env = common::start().await;
    let stream = env
        .raw
        .create_live_stream()
        .body(payload("thumb"))
        .send()
        .await
        .unwrap();
    let id = stream.live_stream_id.clone();
    let path = format!("/live-streams/{id}/thumbnail");

    for name in ["cover.png", "cover.gif", "cover", "cover.Jpg"] {
        let answer = Form::new()
            .file("file", name, "image/png", b"not a jpeg")
            .post(&env, &path, "key-a")
            .await;
        assert_eq!(answer.status(), 400, "{name}");
        let p: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(p["name"], "file");
        assert_eq!(
            p["title"],
            "Only [jpeg, jpg, JPG, JPEG] extensions are supported."
        );
    }
    let none = Form::new()
        .text("note", "no file here")
        .post(&env, &path, "key-a")
        .await;
    assert_eq!(none.status(), 400);
    let p: serde_json::Value = none.json().await.unwrap();
    assert_eq!(p["title"], "There is no uploaded file in the request.");
    let not_multipart = api(&env, reqwest::Method::POST, &path, "key-a")
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(not_multipart.status(), 400);

    // Any part name carries the file, as official clients send it.
    let uploaded = Form::new()
        .file("cover.JPEG", "cover.JPEG", "image/jpeg", JPEG)
        .post(&env, &path, "key-a")
        .await;
    assert_eq!(uploaded.status(), 201);
    let body: apivideo_raw::types::LiveStream = uploaded.json().await.unwrap();
    assert!(body.updated_at >= stream.updated_at);
    let url = body.assets.thumbnail;
    let served = env.http.get(&url).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert_eq!(served.bytes().await.unwrap().as_ref(), JPEG);

    let after = env
        .raw
        .delete_live_stream_thumbnail()
        .live_stream_id(&id)
        .send()
        .await
        .expect("thumbnail deleted");
    assert_eq!(after.live_stream_id, id);
    let placeholder = env
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_ne!(placeholder.as_ref(), JPEG);

    let missing = Form::new()
        .file("file", "a.jpg", "image/jpeg", JPEG)
        .post(&env, "/live-streams/linope/thumbnail", "key-a")
        .await;
    assert_eq!(missing.status(), 404);
    let err = env
        .raw
        .delete_live_stream_thumbnail()
        .live_stream_id("linope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
}

#[tokio::test]
async fn another_project_cannot_see_or_touch_a_stream() {
    let env = common::start().await;
    let stream = env
        .raw
        .create_live_stream()
        .body(payload("private to a"))
        .send()
        .await
        .unwrap();
    let id = stream.live_stream_id;
    let b = env.raw_for("key-b");
    let list = b.list_live_streams().send().await.unwrap();
    assert!(list.data.is_empty());
    let get = b
        .get_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(problem(get).1.name.as_deref(), Some("liveStreamId"));
    let patch = b
        .update_live_stream()
        .live_stream_id(&id)
        .body(LiveStreamUpdatePayload {
            name: Some("hijacked".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&patch), Some(404));
    let thumb = Form::new()
        .file("file", "a.jpg", "image/jpeg", JPEG)
        .post(&env, &format!("/live-streams/{id}/thumbnail"), "key-b")
        .await;
    assert_eq!(thumb.status(), 404);
    let delete = b
        .delete_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&delete), Some(404));
    let still = env
        .raw
        .get_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(still.name, "private to a");
    let anonymous = env.http.get(env.url("/live-streams")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// Two projects, with completions that take `delay`.
async fn start_completing_after(delay: Duration) -> TestEnv {
    common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_api_key("key-b")
            .with_complete_delay(delay),
    )
    .await
}

/// A new live stream of the first project, broadcasting.
async fn on_air(env: &TestEnv) -> String {
    let id = env
        .raw
        .create_live_stream()
        .body(payload("on air"))
        .send()
        .await
        .unwrap()
        .live_stream_id;
    let answer = broadcast(env, "key-a", &id, true).await;
    assert_eq!(answer.status(), 200);
    id
}

async fn broadcasting(env: &TestEnv, id: &str) -> bool {
    env.raw
        .get_live_stream()
        .live_stream_id(id)
        .send()
        .await
        .expect("shown")
        .broadcasting
}

async fn complete(raw: &apivideo_raw::Client, id: &str) -> Result<u16, apivideo_raw::error::Error> {
    raw.complete_live_stream()
        .live_stream_id(id)
        .send_with_response()
        .await
        .map(|answer| answer.status().as_u16())
}

async fn playlist(env: &TestEnv, id: &str) -> String {
    let answer = env
        .http
        .get(env.url(&format!("/live/{id}.m3u8")))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap()
}

#[tokio::test]
async fn complete_ends_a_running_broadcast_with_its_webhook() {
    // No delay: the broadcast has ended by the time anyone looks.
    let env = start_completing_after(Duration::ZERO).await;
    let (url, seen) = receiver(vec![]).await;
    register(&env, &url, &["live-stream.broadcast.ended"]).await;
    let id = on_air(&env).await;
    assert!(!playlist(&env, &id).await.contains("#EXT-X-ENDLIST"));

    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    assert!(!broadcasting(&env, &id).await);
    assert!(playlist(&env, &id).await.ends_with("#EXT-X-ENDLIST\n"));
    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(10)).await;
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.bodies.len(), 1);
        let body = &seen.bodies[0];
        assert_eq!(body["type"], "live-stream.broadcast.ended");
        assert_eq!(body["liveStreamId"], id.as_str());
        let at = body["emittedAt"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
        assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
    }
    assert_eq!(env.emulator.stats().event("live-stream.completed"), 1);

    // Not broadcasting: 202, and nothing changes.
    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    assert!(!broadcasting(&env, &id).await);
    assert!(playlist(&env, &id).await.ends_with("#EXT-X-ENDLIST\n"));
    assert_eq!(env.emulator.stats().event("live-stream.completed"), 1);

    // A new broadcast reopens the playlist.
    broadcast(&env, "key-a", &id, true).await;
    assert!(broadcasting(&env, &id).await);
    assert!(!playlist(&env, &id).await.contains("#EXT-X-ENDLIST"));

    // An update right after a completion does not bring the broadcast back.
    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    let updated = env
        .raw
        .update_live_stream()
        .live_stream_id(&id)
        .body(LiveStreamUpdatePayload {
            name: Some("off air".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert!(!updated.broadcasting);
    assert_eq!(updated.name, "off air");
    let listed = env.raw.list_live_streams().send().await.unwrap();
    assert!(!listed.data[0].broadcasting);
    wait_for(&env, "webhook.delivered", 2, Duration::from_secs(10)).await;
    assert_eq!(env.emulator.stats().event("live-stream.completed"), 2);
}

#[tokio::test]
async fn a_completion_under_way_keeps_broadcasting_until_its_time() {
    // A delay no test outlives: the broadcast is still on after the 202.
    let env = start_completing_after(Duration::from_secs(3600)).await;
    let (url, seen) = receiver(vec![]).await;
    register(&env, &url, &["live-stream.broadcast.ended"]).await;
    let id = on_air(&env).await;
    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    assert!(broadcasting(&env, &id).await);
    assert!(!playlist(&env, &id).await.contains("#EXT-X-ENDLIST"));
    // Asking again changes nothing.
    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    assert!(broadcasting(&env, &id).await);

    // The encoder disconnecting ends the broadcast at once, and the
    // completion with it: one `ended`, no completion.
    let answer = broadcast(&env, "key-a", &id, false).await;
    let stream: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(stream["broadcasting"], false);
    assert!(playlist(&env, &id).await.ends_with("#EXT-X-ENDLIST\n"));
    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(10)).await;
    assert_eq!(seen.lock().unwrap().bodies.len(), 1);
    assert_eq!(env.emulator.stats().event("live-stream.completed"), 0);
}

#[tokio::test]
async fn a_completion_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = |delay: Duration| {
        Config::default()
            .with_api_key("key-a")
            .with_data_dir(dir.path())
            .with_complete_delay(delay)
    };
    let (url, seen) = receiver(vec![]).await;
    let env = common::start_with(config(Duration::from_secs(3600))).await;
    register(&env, &url, &["live-stream.broadcast.ended"]).await;
    let id = on_air(&env).await;
    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    // Stopped while the completion is under way: its timer is gone.
    env.emulator.shutdown().await;

    // The delay is now over: the first read ends the broadcast, once.
    let env = common::start_with(config(Duration::ZERO)).await;
    assert!(!broadcasting(&env, &id).await);
    assert!(!broadcasting(&env, &id).await);
    assert!(playlist(&env, &id).await.ends_with("#EXT-X-ENDLIST\n"));
    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(10)).await;
    let bodies = seen.lock().unwrap().bodies.clone();
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["liveStreamId"], id.as_str());
    assert_eq!(env.emulator.stats().event("live-stream.completed"), 1);
}

#[tokio::test]
async fn complete_needs_a_stream_of_the_project() {
    let env = start_completing_after(Duration::ZERO).await;
    let id = on_air(&env).await;
    let (code, p) = problem(
        complete(&env.raw, "li0000000000000000000000")
            .await
            .unwrap_err(),
    );
    assert_eq!((code, p.name.as_deref()), (404, Some("liveStreamId")));
    assert_eq!(p.status, Some(404));
    let foreign = complete(&env.raw_for("key-b"), &id).await.unwrap_err();
    assert_eq!(status(&foreign), Some(404));
    // Nothing happened to it: with no delay, a completion would show.
    assert!(broadcasting(&env, &id).await);
    let anonymous = env
        .http
        .put(env.url(&format!("/live-streams/{id}/complete")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong_method = api(
        &env,
        reqwest::Method::POST,
        &format!("/live-streams/{id}/complete"),
        "key-a",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert!(broadcasting(&env, &id).await);

    // Deleting a stream whose completion is under way is clean.
    let env = start_completing_after(Duration::from_secs(3600)).await;
    let id = on_air(&env).await;
    complete(&env.raw, &id).await.expect("accepted");
    env.raw
        .delete_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .unwrap();
    let gone = complete(&env.raw, &id).await.unwrap_err();
    assert_eq!(status(&gone), Some(404));
}

/// Helpers the resource tests share.
pub mod support {
    use apivideo_raw::types::Problem;

    use crate::common::{self, TestEnv};

    /// A tiny JPEG-looking payload (the emulator checks extensions, not
    /// pixels).
    pub const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 0xFF, 0xD9];

    /// A request to the emulator authenticated as `key`.
    pub fn api(
        env: &TestEnv,
        method: reqwest::Method,
        path: &str,
        key: &str,
    ) -> reqwest::RequestBuilder {
        env.http
            .request(method, env.url(path))
            .header("authorization", common::basic(key))
    }

    /// The status and problem document of a raw-client error.
    pub fn problem(err: apivideo_raw::error::Error) -> (u16, Problem) {
        match (err.status(), err.problem()) {
            (Some(status), Some(problem)) => (status.as_u16(), problem.clone()),
            _ => panic!("expected a problem document, got {err:?}"),
        }
    }

    /// A `multipart/form-data` body built by hand (the test client has no
    /// multipart support).
    #[derive(Debug)]
    pub struct Form {
        boundary: String,
        body: Vec<u8>,
    }

    impl Default for Form {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Form {
        pub fn new() -> Self {
            Self {
                boundary: "emulator-test-boundary-7MA4YWxkTrZu0gW".into(),
                body: Vec::new(),
            }
        }

        /// Adds a file part.
        pub fn file(
            mut self,
            name: &str,
            file_name: &str,
            content_type: &str,
            bytes: &[u8],
        ) -> Self {
            let head = format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n",
                self.boundary
            );
            self.body.extend_from_slice(head.as_bytes());
            self.body.extend_from_slice(bytes);
            self.body.extend_from_slice(b"\r\n");
            self
        }

        /// Adds a text part.
        pub fn text(mut self, name: &str, value: &str) -> Self {
            let part = format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n",
                self.boundary
            );
            self.body.extend_from_slice(part.as_bytes());
            self
        }

        /// POSTs the form to `path` as `key`.
        pub async fn post(mut self, env: &TestEnv, path: &str, key: &str) -> reqwest::Response {
            self.body
                .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
            api(env, reqwest::Method::POST, path, key)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={}", self.boundary),
                )
                .body(self.body)
                .send()
                .await
                .expect("an answer")
        }
    }

    /// Creates a video in the project of `key` and returns its id.
    pub async fn create_video(env: &TestEnv, key: &str, title: &str) -> String {
        let answer = api(env, reqwest::Method::POST, "/videos", key)
            .json(&serde_json::json!({"title": title}))
            .send()
            .await
            .expect("an answer");
        assert!(
            answer.status().is_success(),
            "video created: {}",
            answer.status()
        );
        let video: serde_json::Value = answer.json().await.expect("JSON");
        video["videoId"].as_str().expect("a videoId").to_owned()
    }
}
