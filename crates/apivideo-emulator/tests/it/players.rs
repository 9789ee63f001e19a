//! Player themes: documented defaults, sorting and pages, PATCH semantics,
//! validation, logos (JPEG/PNG with a link) and tenant isolation.

use apivideo_raw::prelude::*;
use apivideo_raw::types::{
    ListPlayersSortBy, ListPlayersSortOrder, LiveStreamCreationPayload, PlayerTheme,
    PlayerThemeCreationPayload, PlayerThemeUpdatePayload,
};
use serde_json::json;

use crate::common::{self, status};
use crate::support::{Form, JPEG, api, problem};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n fake png";

async fn create(env: &common::TestEnv, body: serde_json::Value) -> PlayerTheme {
    let answer = api(env, reqwest::Method::POST, "/players", "key-a")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    answer.json().await.unwrap()
}

#[tokio::test]
async fn create_applies_the_documented_defaults() {
    let env = common::start().await;
    let player = env
        .raw
        .create_player()
        .body(PlayerThemeCreationPayload::default())
        .send()
        .await
        .expect("created");
    assert!(player.player_id.starts_with("pt") && player.player_id.len() == 24);
    assert!(player.enable_api);
    assert!(player.enable_controls);
    assert!(!player.force_autoplay);
    assert!(!player.hide_title);
    assert!(!player.force_loop);
    assert_eq!(player.assets, None);
    assert_eq!(player.created_at, player.updated_at);

    // An empty JSON object takes the same defaults.
    let bare = create(&env, json!({})).await;
    assert!(bare.enable_api);
    assert_eq!(bare.name, None);

    let themed = create(
        &env,
        json!({
            "name": "Dark brand theme",
            "text": "rgba(255, 255, 255, .95)",
            "trackPlayed": "rgba(255, 0, 0, .95)",
            "forceLoop": true,
            "enableApi": false
        }),
    )
    .await;
    assert_eq!(themed.name.as_deref(), Some("Dark brand theme"));
    assert_eq!(themed.text, "rgba(255, 255, 255, .95)");
    assert_eq!(themed.track_played, "rgba(255, 0, 0, .95)");
    assert_eq!((themed.force_loop, themed.enable_api), (true, false));

    let fetched = env
        .raw
        .get_player()
        .player_id(&themed.player_id)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched, themed);
}

#[tokio::test]
async fn creation_and_update_are_validated() {
    let env = common::start().await;
    for (body, name) in [
        (json!({"name": "x".repeat(101)}), "name"),
        (json!({"enableApi": "yes"}), "enableApi"),
        (json!({"text": 3}), "text"),
    ] {
        let answer = api(&env, reqwest::Method::POST, "/players", "key-a")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400);
        let p: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(p["name"], name, "{p}");
    }
    let player = create(&env, json!({"name": "ok"})).await;
    let path = format!("/players/{}", player.player_id);
    let answer = api(&env, reqwest::Method::PATCH, &path, "key-a")
        .json(&json!({"hideTitle": "sure"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let p: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(p["name"], "hideTitle");
    let list = env.raw.list_players().send().await.unwrap();
    assert_eq!(list.data.len(), 1);
}

#[tokio::test]
async fn list_sorts_and_pages() {
    let env = common::start().await;
    for name in ["bravo", "alpha", "charlie"] {
        create(&env, json!({ "name": name })).await;
    }
    let names = |list: apivideo_raw::types::PlayerThemesListResponse| -> Vec<String> {
        list.data.into_iter().map(|p| p.name.unwrap()).collect()
    };
    let all = env.raw.list_players().send().await.unwrap();
    assert_eq!(names(all), ["bravo", "alpha", "charlie"]);
    let asc = env
        .raw
        .list_players()
        .sort_by(ListPlayersSortBy::Name)
        .sort_order(ListPlayersSortOrder::Asc)
        .send()
        .await
        .unwrap();
    assert_eq!(names(asc), ["alpha", "bravo", "charlie"]);
    let desc = env
        .raw
        .list_players()
        .sort_by(ListPlayersSortBy::CreatedAt)
        .sort_order(ListPlayersSortOrder::Desc)
        .send()
        .await
        .unwrap();
    assert_eq!(names(desc), ["charlie", "alpha", "bravo"]);
    let page = env
        .raw
        .list_players()
        .page_size(1)
        .current_page(3)
        .send()
        .await
        .unwrap();
    assert_eq!(page.pagination.pages_total, 3);
    assert_eq!(names(page), ["charlie"]);
    let rels: Vec<_> = env
        .raw
        .list_players()
        .page_size(1)
        .current_page(2)
        .send()
        .await
        .unwrap()
        .pagination
        .links
        .into_iter()
        .map(|l| l.rel)
        .collect();
    assert_eq!(rels, ["self", "first", "previous", "next", "last"]);

    let err = env
        .raw
        .list_players()
        .page_size(1)
        .current_page(4)
        .send()
        .await
        .unwrap_err();
    assert_eq!(problem(err).1.name.as_deref(), Some("currentPage"));
    for query in [
        "sortBy=colour",
        "sortOrder=sideways",
        "pageSize=0",
        "currentPage=x",
    ] {
        let answer = api(
            &env,
            reqwest::Method::GET,
            &format!("/players?{query}"),
            "key-a",
        )
        .send()
        .await
        .unwrap();
        assert_eq!(answer.status(), 400, "{query}");
        let p: serde_json::Value = answer.json().await.unwrap();
        let expected = query.split('=').next().unwrap();
        assert_eq!(p["name"], expected, "{query}");
    }
}

#[tokio::test]
async fn update_changes_only_what_is_sent() {
    let env = common::start().await;
    let player = create(
        &env,
        json!({"name": "theme", "link": "rgba(255, 0, 0, .95)", "forceAutoplay": true}),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let updated = env
        .raw
        .update_player()
        .player_id(&player.player_id)
        .body(PlayerThemeUpdatePayload {
            hide_title: Some(true),
            link: Some("rgba(0, 170, 255, .95)".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert!(updated.hide_title);
    assert_eq!(updated.link, "rgba(0, 170, 255, .95)");
    assert_eq!(updated.name.as_deref(), Some("theme"));
    assert!(updated.force_autoplay);
    assert!(updated.enable_api);
    assert_eq!(updated.created_at, player.created_at);
    assert!(updated.updated_at > player.updated_at);
    let err = env
        .raw
        .update_player()
        .player_id("ptnope")
        .body(PlayerThemeUpdatePayload::default())
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (404, Some("playerId")));
}

#[tokio::test]
async fn logos_take_jpeg_and_png_with_a_link() {
    let env = common::start().await;
    let player = create(&env, json!({"name": "logo"})).await;
    let id = player.player_id.clone();
    let path = format!("/players/{id}/logo");

    let rejected = Form::new()
        .file("file", "logo.gif", "image/gif", b"GIF89a")
        .post(&env, &path, "key-a")
        .await;
    assert_eq!(rejected.status(), 400);
    let p: serde_json::Value = rejected.json().await.unwrap();
    assert_eq!(p["name"], "file");
    assert_eq!(
        p["title"],
        "Only ['jpg', 'JPG', 'jpeg', 'JPEG', 'png', 'PNG'] extensions are supported."
    );
    let missing = Form::new()
        .text("link", "https://x")
        .post(&env, &path, "key-a")
        .await;
    assert_eq!(missing.status(), 400);

    let uploaded = Form::new()
        .file("file", "logo.PNG", "image/png", PNG)
        .text("link", "https://www.example.com")
        .post(&env, &path, "key-a")
        .await;
    assert_eq!(uploaded.status(), 201);
    let theme: PlayerTheme = uploaded.json().await.unwrap();
    let assets = theme.assets.clone().unwrap();
    assert_eq!(assets.link.as_deref(), Some("https://www.example.com"));
    let logo = assets.logo.unwrap();
    assert_eq!(logo, env.url(&format!("/embed/players/{id}/logo")));
    let served = env.http.get(&logo).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);
    let fetched = env.raw.get_player().player_id(&id).send().await.unwrap();
    assert_eq!(fetched.assets, theme.assets);

    // A JPEG replaces it, in any letter case.
    let jpeg = Form::new()
        .file("logo.Jpeg", "logo.Jpeg", "image/jpeg", JPEG)
        .post(&env, &path, "key-a")
        .await;
    assert_eq!(jpeg.status(), 201);
    let served = env.http.get(&logo).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert_eq!(served.bytes().await.unwrap().as_ref(), JPEG);

    env.raw
        .delete_player_logo()
        .player_id(&id)
        .send()
        .await
        .expect("logo deleted");
    let fetched = env.raw.get_player().player_id(&id).send().await.unwrap();
    assert_eq!(fetched.assets, None);
    assert_eq!(env.http.get(&logo).send().await.unwrap().status(), 404);

    let unknown = Form::new()
        .file("file", "logo.png", "image/png", PNG)
        .post(&env, "/players/ptnope/logo", "key-a")
        .await;
    assert_eq!(unknown.status(), 404);
    let err = env
        .raw
        .delete_player_logo()
        .player_id("ptnope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
}

#[tokio::test]
async fn delete_removes_the_player_and_detaches_it() {
    let env = common::start().await;
    let player = create(&env, json!({"name": "gone"})).await;
    let id = player.player_id.clone();
    let stream = env
        .raw
        .create_live_stream()
        .body(LiveStreamCreationPayload {
            name: "uses the player".into(),
            player_id: Some(id.clone()),
            public: None,
            record: None,
            restreams: Vec::new(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(stream.player_id.as_deref(), Some(id.as_str()));
    env.raw
        .delete_player()
        .player_id(&id)
        .send()
        .await
        .expect("deleted");
    let err = env
        .raw
        .get_player()
        .player_id(&id)
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (404, Some("playerId")));
    let again = env
        .raw
        .delete_player()
        .player_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&again), Some(404));
    let stream = env
        .raw
        .get_live_stream()
        .live_stream_id(&stream.live_stream_id)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.player_id, None);
}

#[tokio::test]
async fn another_project_cannot_see_or_touch_a_player() {
    let env = common::start().await;
    let player = create(&env, json!({"name": "a's"})).await;
    let id = player.player_id.clone();
    let b = env.raw_for("key-b");
    assert!(b.list_players().send().await.unwrap().data.is_empty());
    let get = b.get_player().player_id(&id).send().await.unwrap_err();
    assert_eq!(status(&get), Some(404));
    let patch = b
        .update_player()
        .player_id(&id)
        .body(PlayerThemeUpdatePayload {
            name: Some("stolen".parse().unwrap()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&patch), Some(404));
    let logo = Form::new()
        .file("file", "l.png", "image/png", PNG)
        .post(&env, &format!("/players/{id}/logo"), "key-b")
        .await;
    assert_eq!(logo.status(), 404);
    let delete = b.delete_player().player_id(&id).send().await.unwrap_err();
    assert_eq!(status(&delete), Some(404));
    // key-b cannot attach it to its own live stream either.
    let stream = api(&env, reqwest::Method::POST, "/live-streams", "key-b")
        .json(&json!({"name": "b", "playerId": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 400);
    let still = env.raw.get_player().player_id(&id).send().await.unwrap();
    assert_eq!(still.name.as_deref(), Some("a's"));
}
