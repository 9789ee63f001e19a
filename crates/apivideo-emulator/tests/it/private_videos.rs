//! Private videos: their assets answer only at the tokenised URLs the API
//! returns; the plain URLs, a wrong token and another video's token all
//! get the 404 of a video that does not exist. An imported video's source
//! is never a redirect to the URL it was imported from.

use serde_json::{Value, json};

use crate::common::{self, TestEnv};
use crate::uploads::{bytes, send_chunk};

async fn create(env: &TestEnv, body: Value) -> Value {
    let answer = env
        .http
        .post(env.url("/videos"))
        .header("authorization", env.basic())
        .json(&body)
        .send()
        .await
        .unwrap();
    // 201, or 202 for a video imported from a URL.
    assert!(
        matches!(answer.status().as_u16(), 201 | 202),
        "{}",
        answer.status()
    );
    answer.json().await.unwrap()
}

async fn get_video(env: &TestEnv, id: &str) -> Value {
    env.http
        .get(env.url(&format!("/videos/{id}")))
        .header("authorization", env.basic())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// An asset, fetched with no credential, as a player would.
async fn fetch(env: &TestEnv, url: &str) -> (u16, Vec<u8>) {
    let answer = env.http.get(url).send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_private_video_is_served_only_through_its_tokenised_urls() {
    let env = common::start().await;
    let private = create(&env, json!({ "title": "secret", "public": false })).await;
    let public = create(&env, json!({ "title": "open" })).await;
    let source = bytes(20_000, 7);
    for video in [&private, &public] {
        let id = video["videoId"].as_str().unwrap();
        let answer = send_chunk(&env, "key-a", id, None, &source).await;
        assert_eq!(answer.status(), 201);
    }
    let private_id = private["videoId"].as_str().unwrap();
    let public_id = public["videoId"].as_str().unwrap();
    let video = get_video(&env, private_id).await;
    let assets = &video["assets"];
    let base = env.emulator.base_url();

    // The API's shapes: /vod/{id}/token/{token}/… and ?token= on the player.
    let mp4 = assets["mp4"].as_str().unwrap();
    let token = mp4
        .strip_prefix(&format!("{base}/vod/{private_id}/token/"))
        .and_then(|rest| rest.strip_suffix("/mp4/source.mp4"))
        .expect("a tokenised mp4 URL");
    assert_eq!(token.len(), 36, "{token}");
    assert_eq!(
        assets["player"],
        format!("{base}/embed/vod/{private_id}?token={token}")
    );
    assert!(
        assets["iframe"]
            .as_str()
            .unwrap()
            .contains(&format!("?token={token}"))
    );

    assert_eq!(fetch(&env, mp4).await, (200, source.clone()));
    let (status, manifest) = fetch(&env, assets["hls"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(
        String::from_utf8(manifest).unwrap().contains(mp4),
        "the manifest plays the tokenised file"
    );
    assert_eq!(
        fetch(&env, assets["thumbnail"].as_str().unwrap()).await.0,
        200
    );
    let (status, page) = fetch(&env, assets["player"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8(page).unwrap().contains(mp4));

    // Without the token, with a wrong one, or with another video's: 404.
    let wrong = "00000000-0000-0000-0000-000000000000";
    for url in [
        format!("{base}/vod/{private_id}/mp4/source.mp4"),
        format!("{base}/vod/{private_id}/hls/manifest.m3u8"),
        format!("{base}/vod/{private_id}/thumbnail.jpg"),
        format!("{base}/embed/vod/{private_id}"),
        format!("{base}/vod/{private_id}/token/{wrong}/mp4/source.mp4"),
        format!("{base}/embed/vod/{private_id}?token={wrong}"),
        format!("{base}/vod/{public_id}/token/{token}/mp4/source.mp4"),
    ] {
        let (status, body) = fetch(&env, &url).await;
        assert_eq!(status, 404, "{url}");
        assert!(!String::from_utf8_lossy(&body).contains(token), "{url}");
    }

    // A public video keeps its plain URLs.
    let open = get_video(&env, public_id).await;
    let open_mp4 = open["assets"]["mp4"].as_str().unwrap();
    assert_eq!(open_mp4, format!("{base}/vod/{public_id}/mp4/source.mp4"));
    assert_eq!(fetch(&env, open_mp4).await, (200, source));

    // Made public, the private video's plain URLs work; made private
    // again, they stop.
    let set_public = |public: bool| {
        let env = &env;
        async move {
            let answer = env
                .http
                .patch(env.url(&format!("/videos/{private_id}")))
                .header("authorization", env.basic())
                .json(&json!({ "public": public }))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 200);
        }
    };
    let plain = format!("{base}/vod/{private_id}/mp4/source.mp4");
    set_public(true).await;
    assert_eq!(fetch(&env, &plain).await.0, 200);
    set_public(false).await;
    assert_eq!(fetch(&env, &plain).await.0, 404);
}

#[tokio::test]
async fn an_imported_source_is_never_a_redirect() {
    let env = common::start().await;
    let video = create(
        &env,
        json!({ "title": "imported", "source": "https://example.com/v.mp4" }),
    )
    .await;
    let url = video["assets"]["mp4"].as_str().unwrap().to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 404);
    assert!(answer.headers().get("location").is_none());
}
