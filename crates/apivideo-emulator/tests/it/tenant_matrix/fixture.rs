//! A's resources, one of each kind, built with the bodies the matrix
//! sends, and A's state as read through the API and the asset URLs.

use super::*;

/// Sends a request as A and expects a 2xx; returns the JSON answer.
async fn as_a(env: &TestEnv, method: Method, path: &str, body: Body) -> Value {
    let (status, text) = send(
        env,
        &method,
        path,
        &Credential::Basic("key-a".into()),
        &body,
    )
    .await;
    assert!(
        (200..300).contains(&status),
        "{method} {path} as A: {status} {text}"
    );
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

pub(super) fn id_of(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("`{field}` in {value}"))
        .to_owned()
}

/// Builds A's resources (and B's upload token) with the same bodies the
/// matrix sends.
pub(super) async fn fixture(env: &TestEnv) -> Fixture {
    as_a(
        env,
        Method::PATCH,
        "/_emulator/settings",
        Body::Json(json!({"videoRestore": true})),
    )
    .await;
    let video = as_a(
        env,
        Method::POST,
        "/videos",
        Body::Json(json!({
            "title": "A's video",
            "tags": ["a-tag"],
            "metadata": [{"key": "owner", "value": "a"}],
        })),
    )
    .await;
    let video = id_of(&video, "videoId");
    let source = uploads::bytes(4096, 7);
    let answer = uploads::send_chunk(env, "key-a", &video, None, &source).await;
    assert_eq!(answer.status(), 201);
    // No encoding delay: the status read records the end of encoding.
    let status = as_a(
        env,
        Method::GET,
        &format!("/videos/{video}/status"),
        Body::None,
    )
    .await;
    assert_eq!(status["encoding"]["playable"], true, "{status}");
    let discarded = as_a(
        env,
        Method::POST,
        "/videos",
        Body::Json(json!({"title": "A's discarded video"})),
    )
    .await;
    let discarded = id_of(&discarded, "videoId");
    as_a(
        env,
        Method::DELETE,
        &format!("/videos/{discarded}"),
        Body::None,
    )
    .await;

    let live_stream = as_a(
        env,
        Method::POST,
        "/live-streams",
        Body::Json(json!({"name": "A's live stream"})),
    )
    .await;
    let (live_stream, stream_key) = (
        id_of(&live_stream, "liveStreamId"),
        id_of(&live_stream, "streamKey"),
    );
    let player = as_a(env, Method::POST, "/players", Body::Json(json!({}))).await;
    let player = id_of(&player, "playerId");
    let watermark = as_a(
        env,
        Method::POST,
        "/watermarks",
        Body::Form("mark.png", PNG, vec![]),
    )
    .await;
    let watermark = id_of(&watermark, "watermarkId");
    let upload_token = as_a(env, Method::POST, "/upload-tokens", Body::Json(json!({}))).await;
    let upload_token = id_of(&upload_token, "token");
    let webhook = as_a(
        env,
        Method::POST,
        "/webhooks",
        Body::Json(json!({
            "url": "http://127.0.0.1:9/hook",
            "events": ["live-stream.broadcast.started"],
        })),
    )
    .await;
    let webhook = id_of(&webhook, "webhookId");
    let session = as_a(
        env,
        Method::POST,
        "/_emulator/analytics/sessions",
        Body::Json(json!({"videoId": video})),
    )
    .await;
    let session = id_of(&session, "sessionId");
    let b_upload_token = {
        let (status, text) = send(
            env,
            &Method::POST,
            "/upload-tokens",
            &Credential::Basic("key-b".into()),
            &Body::Json(json!({})),
        )
        .await;
        assert!((200..300).contains(&status), "{status} {text}");
        id_of(&serde_json::from_str(&text).expect("JSON"), "token")
    };
    let private = as_a(
        env,
        Method::POST,
        "/videos",
        Body::Json(json!({"title": "A's private video", "public": false})),
    )
    .await;
    let private = id_of(&private, "videoId");
    let answer = uploads::send_chunk(env, "key-a", &private, None, &source).await;
    assert_eq!(answer.status(), 201);
    as_a(
        env,
        Method::GET,
        &format!("/videos/{private}/status"),
        Body::None,
    )
    .await;
    let shown = as_a(env, Method::GET, &format!("/videos/{private}"), Body::None).await;
    let private_assets: Vec<String> = ["hls", "mp4", "thumbnail", "player"]
        .iter()
        .map(|kind| {
            let url = shown["assets"][kind].as_str().expect("an asset URL");
            url.strip_prefix(env.emulator.base_url())
                .expect("an URL of the emulator")
                .to_owned()
        })
        .collect();
    let project = as_a(env, Method::GET, "/_emulator/project", Body::None).await;
    let project = id_of(&project, "projectId");
    let mut fx = Fixture {
        video,
        discarded,
        copy: String::new(),
        live_stream,
        stream_key,
        player,
        summary: String::new(),
        upload_token,
        webhook,
        watermark,
        session,
        private,
        private_assets,
        project,
        b_upload_token,
    };
    // The bodies the matrix sends, used by A: the resources they name are
    // found, so B's refusals are about who asks, not about the body.
    let copy = as_a(env, Method::POST, "/videos", body("create_video", &fx)).await;
    fx.copy = id_of(&copy, "videoId");
    let copy_status = as_a(
        env,
        Method::GET,
        &format!("/videos/{}/status", fx.copy),
        Body::None,
    )
    .await;
    assert_eq!(copy_status["encoding"]["playable"], true, "{copy_status}");
    let summary = as_a(env, Method::POST, "/summaries", body("create_summary", &fx)).await;
    fx.summary = id_of(&summary, "summaryId");
    for (path, id) in [
        (
            format!("/videos/{}/captions/en", fx.video),
            "upload_caption",
        ),
        (
            format!("/videos/{}/chapters/en", fx.video),
            "upload_chapter",
        ),
        (format!("/players/{}/logo", fx.player), "upload_player_logo"),
        (
            format!("/live-streams/{}/thumbnail", fx.live_stream),
            "upload_live_stream_thumbnail",
        ),
        (
            format!("/videos/{}/thumbnail", fx.copy),
            "upload_video_thumbnail",
        ),
    ] {
        as_a(env, Method::POST, &path, body(id, &fx)).await;
    }
    fx
}

/// A's state: what A reads through the API, and the bytes of its assets.
pub(super) async fn snapshot(env: &TestEnv, fx: &Fixture) -> BTreeMap<String, Value> {
    let a = Credential::Basic("key-a".into());
    let (video, copy) = (&fx.video, &fx.copy);
    let mut reads: Vec<(String, &Credential)> = [
        "/account".to_owned(),
        "/videos".to_owned(),
        format!("/videos/{video}"),
        format!("/videos/{video}/status"),
        format!("/videos/{video}/captions"),
        format!("/videos/{video}/captions/en"),
        format!("/videos/{video}/chapters"),
        format!("/videos/{copy}"),
        format!("/videos/{copy}/status"),
        "/discarded/videos".to_owned(),
        format!("/discarded/videos/{}", fx.discarded),
        "/live-streams".to_owned(),
        format!("/live-streams/{}", fx.live_stream),
        "/players".to_owned(),
        "/webhooks".to_owned(),
        "/watermarks".to_owned(),
        "/upload-tokens".to_owned(),
        "/summaries".to_owned(),
        format!("/summaries/{}/source", fx.summary),
        "/tags".to_owned(),
        "/_emulator/settings".to_owned(),
        format!("/analytics/videos/{video}?period={PERIOD}"),
        format!("/analytics/sessions/{}/events", fx.session),
    ]
    .into_iter()
    .map(|path| (path, &a))
    .collect();
    // The assets, as anyone reads them.
    let anyone = Credential::None;
    for path in [
        format!("/vod/{video}/mp4/source.mp4"),
        format!("/vod/{video}/thumbnail.jpg"),
        format!("/vod/{video}/captions/en.vtt"),
        format!("/vod/{video}/chapters/en.vtt"),
        format!("/vod/{copy}/thumbnail.jpg"),
        format!("/embed/players/{}/logo", fx.player),
        format!("/live/{}/thumbnail.jpg", fx.live_stream),
    ]
    .into_iter()
    .chain(fx.private_assets.iter().cloned())
    {
        reads.push((path, &anyone));
    }
    let mut state = BTreeMap::new();
    for (path, credential) in reads {
        let (status, text) = send(env, &Method::GET, &path, credential, &Body::None).await;
        assert_eq!(status, 200, "GET {path}: {text}");
        let value = serde_json::from_str(&text).unwrap_or_else(|_| {
            Value::String(format!("sha256:{:x}", Sha256::digest(text.as_bytes())))
        });
        state.insert(path, value);
    }
    state
}
