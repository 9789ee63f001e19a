//! Live streams: creation defaults, list filters, sorts and pages, PATCH
//! semantics, validation, thumbnails, served assets, tenant isolation, and
//! completion (the broadcast ends later, with its webhook, across restarts).

use std::time::Duration;

use apivideo_emulator::Config;
use apivideo_raw::prelude::*;
use apivideo_raw::types::{
    ListLiveStreamsSortOrder, LiveStreamCreationPayload, LiveStreamUpdatePayload,
    RestreamsRequestObject,
};
use serde_json::json;

use crate::common::{self, TestEnv, status};
use crate::support::{Form, JPEG, api, problem};
use crate::webhooks::{broadcast, receiver, register, wait_for};

mod completion;

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
