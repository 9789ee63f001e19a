//! One realistic flow through every resource of the API, calling each of
//! the spec's 47 operations through the SDK at least once and checking each
//! answer field by field against what was sent. The test fails when an
//! operation of `openapi.yaml` was not called, or was never answered with
//! a success by the emulator.

use std::collections::BTreeSet;
use std::time::Duration;

use apivideo::patch::{Patch, VideoUpdatePayload};
use apivideo::prelude::*;
use apivideo::types::{
    AuthenticatePayload, CaptionUpdatePayload, LiveStreamCreationPayload, LiveStreamUpdatePayload,
    Metadata, PlayerThemeCreationPayload, PlayerThemeUpdatePayload, RefreshTokenPayload,
    RestreamsRequestObject, RestreamsResponseObject, TokenCreationPayload, VideoCreationPayload,
    VideoStatusIngestStatus, VideoThumbnailPickPayload, WebhooksCreationPayload,
};
use apivideo::{Client, MediaFile};
use apivideo_emulator::Emulator;
use apivideo_raw::spec::OPERATIONS;
use futures::TryStreamExt;
use serde_json::json;

use crate::common::{self, KEY, MIB};

/// Starts like a JPEG; the emulator goes by the file name.
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0xFF, 0xD9,
];
/// Starts like a PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01";
const CAPTIONS_EN: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nWelcome to the course.\n\n00:00:04.500 --> 00:00:07.000\nLet us begin.\n";
const CAPTIONS_FR: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nBienvenue.\n";
const CHAPTERS_EN: &str = "WEBVTT\n\nintro\n00:00:00.000 --> 00:00:10.000\nIntroduction\n\nmain\n00:00:10.000 --> 00:01:00.000\nThe lesson\n";
const ENCODED: &str = "video.encoding.quality.completed";

/// The operations called so far, by spec id.
#[derive(Debug, Default)]
struct Calls(BTreeSet<&'static str>);

impl Calls {
    /// Records a call of `id`, which must be an operation of the spec.
    fn called(&mut self, id: &'static str) {
        assert!(
            OPERATIONS.iter().any(|o| o.id == id),
            "`{id}` is not an operation of the spec"
        );
        self.0.insert(id);
    }
}

fn meta(key: &str, value: &str) -> Metadata {
    Metadata {
        key: Some(key.to_owned()),
        value: Some(value.to_owned()),
    }
}

/// What the emulator serves at a public URL: content type and body.
async fn served(url: &str) -> (String, Vec<u8>) {
    let response = reqwest::get(url).await.expect("served");
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (content_type, response.bytes().await.expect("body").to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_of_the_spec_is_called_and_answers_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::default();
    let dir = tempfile::tempdir().expect("temp dir");

    authentication(&emulator, &client, &mut calls).await;
    let player_id = players(&emulator, &client, &mut calls).await;
    let (hook_id, deliveries) = webhooks(&client, &mut calls).await;
    let video_id = videos(&emulator, &client, &mut calls, &player_id, dir.path()).await;

    // The upload completed encoding, which the webhook announced.
    let bodies = common::eventually(Duration::from_secs(10), || {
        let bodies = deliveries.bodies();
        async move { (!bodies.is_empty()).then_some(bodies) }
    })
    .await;
    assert!(
        bodies
            .iter()
            .all(|b| b["type"] == ENCODED && b["videoId"] == video_id.as_str()),
        "{bodies:?}"
    );

    thumbnails(&emulator, &client, &mut calls, &video_id).await;
    captions(&emulator, &client, &mut calls, &video_id).await;
    chapters(&emulator, &client, &mut calls, &video_id).await;
    upload_tokens(&emulator, &client, &mut calls, dir.path()).await;
    let live_stream_id = live_streams(&emulator, &client, &mut calls, &player_id).await;
    analytics(&emulator, &client, &mut calls, &video_id, &live_stream_id).await;
    account(&client, &mut calls).await;
    deletes(
        &emulator,
        &client,
        &mut calls,
        &video_id,
        &live_stream_id,
        &player_id,
        &hook_id,
    )
    .await;

    let spec: BTreeSet<&str> = OPERATIONS.iter().map(|o| o.id).collect();
    assert_eq!(spec.len(), 47, "the spec has 47 operations");
    let missing: Vec<_> = spec.difference(&calls.0).collect();
    assert!(missing.is_empty(), "operations never called: {missing:?}");
    assert_eq!(calls.0, spec);

    // And the emulator saw each one answered with a success.
    let stats = emulator.stats();
    let unanswered: Vec<_> = OPERATIONS
        .iter()
        .filter(|o| {
            let route = format!("{} {}", o.method, o.path);
            !stats.responses.iter().any(|(key, n)| {
                *n > 0
                    && key
                        .strip_prefix(&route)
                        .and_then(|status| status.trim().parse::<u16>().ok())
                        .is_some_and(|s| (200..300).contains(&s))
            })
        })
        .map(|o| o.id)
        .collect();
    assert!(
        unanswered.is_empty(),
        "never answered 2xx by the emulator: {unanswered:?}"
    );
}

async fn authentication(emulator: &Emulator, client: &Client, calls: &mut Calls) {
    calls.called("authenticate");
    let token = client
        .authenticate()
        .body(AuthenticatePayload {
            api_key: KEY.to_owned(),
        })
        .send()
        .await
        .expect("authenticated")
        .into_inner();
    assert_eq!(token.token_type, "Bearer");
    assert_eq!(token.expires_in, Some(3600));
    let access = token.access_token.expect("access token");
    let refresh = token.refresh_token.expect("refresh token");
    assert!(!access.is_empty() && !refresh.is_empty() && access != refresh);
    let account = |bearer: String| async move {
        reqwest::Client::new()
            .get(format!("{}/account", emulator.base_url()))
            .bearer_auth(bearer)
            .send()
            .await
            .expect("reachable")
            .status()
    };
    assert_eq!(account(access.clone()).await, reqwest::StatusCode::OK);

    calls.called("refresh_token");
    let renewed = client
        .refresh_token()
        .body(RefreshTokenPayload {
            refresh_token: refresh.clone(),
        })
        .send()
        .await
        .expect("refreshed")
        .into_inner();
    assert_eq!(renewed.token_type, "Bearer");
    assert_eq!(renewed.expires_in, Some(3600));
    let renewed_access = renewed.access_token.expect("access token");
    assert_ne!(renewed_access, access);
    assert_ne!(renewed.refresh_token.as_deref(), Some(refresh.as_str()));
    assert_eq!(account(renewed_access).await, reqwest::StatusCode::OK);
    // A refresh token is used once.
    let reused = apivideo::Error::from(
        client
            .refresh_token()
            .body(RefreshTokenPayload {
                refresh_token: refresh,
            })
            .send()
            .await
            .expect_err("a used refresh token is refused"),
    );
    assert!(reused.is_bad_request(), "{reused:?}");
}

async fn players(emulator: &Emulator, client: &Client, calls: &mut Calls) -> String {
    calls.called("create_player");
    let created = client
        .create_player()
        .body(
            PlayerThemeCreationPayload::builder()
                .name(
                    "Classroom"
                        .parse::<apivideo::types::PlayerThemeCreationPayloadName>()
                        .expect("name"),
                )
                .text("rgba(255, 255, 255, 1)".to_owned())
                .link("rgba(255, 0, 0, 1)".to_owned())
                .hide_title(true)
                .force_loop(true),
        )
        .send()
        .await
        .expect("player created")
        .into_inner();
    let id = created.player_id.clone();
    assert!(id.starts_with("pt"), "{id}");
    assert_eq!(created.name.as_deref(), Some("Classroom"));
    assert_eq!(created.text.as_deref(), Some("rgba(255, 255, 255, 1)"));
    assert_eq!(created.link.as_deref(), Some("rgba(255, 0, 0, 1)"));
    assert_eq!(created.hide_title, Some(true));
    assert_eq!(created.force_loop, Some(true));
    assert_eq!(created.force_autoplay, Some(false));
    assert_eq!(created.enable_controls, Some(true));
    assert_eq!(created.enable_api, Some(true));
    assert!(created.assets.is_none());
    assert!(created.created_at.is_some());

    calls.called("get_player");
    let shown = client
        .get_player()
        .player_id(&id)
        .send()
        .await
        .expect("player shown")
        .into_inner();
    assert_eq!(shown, created);

    calls.called("update_player");
    let updated = client
        .update_player()
        .player_id(&id)
        .body(PlayerThemeUpdatePayload {
            name: Some("Lecture hall".parse().expect("name")),
            track_played: Some("rgba(0, 170, 255, 1)".into()),
            force_autoplay: Some(true),
            ..Default::default()
        })
        .send()
        .await
        .expect("player updated")
        .into_inner();
    assert_eq!(updated.player_id, id);
    assert_eq!(updated.name.as_deref(), Some("Lecture hall"));
    assert_eq!(
        updated.track_played.as_deref(),
        Some("rgba(0, 170, 255, 1)")
    );
    assert_eq!(updated.force_autoplay, Some(true));
    // Untouched fields keep their values.
    assert_eq!(updated.text, created.text);
    assert_eq!(updated.link, created.link);
    assert_eq!(updated.hide_title, Some(true));
    assert_eq!(updated.created_at, created.created_at);
    assert!(updated.updated_at >= created.updated_at);

    calls.called("upload_player_logo");
    let link = "https://www.example.com/school";
    let with_logo = client
        .upload_player_logo(&id, MediaFile::from_bytes("logo.png", PNG), Some(link))
        .await
        .expect("logo uploaded");
    assert_eq!(with_logo.player_id, id);
    assert_eq!(with_logo.name.as_deref(), Some("Lecture hall"));
    let assets = with_logo.assets.clone().expect("assets");
    assert_eq!(assets.link.as_deref(), Some(link));
    let logo = assets.logo.expect("logo URL");
    assert_eq!(
        logo,
        format!("{}/embed/players/{id}/logo", emulator.base_url())
    );
    assert_eq!(served(&logo).await, ("image/png".to_owned(), PNG.to_vec()));

    calls.called("list_players");
    let listed: Vec<_> = client
        .list_players()
        .stream()
        .try_collect()
        .await
        .expect("players listed");
    assert_eq!(listed, vec![with_logo.clone()]);

    calls.called("delete_player_logo");
    client
        .delete_player_logo()
        .player_id(&id)
        .send()
        .await
        .expect("logo deleted");
    let without = client
        .get_player()
        .player_id(&id)
        .send()
        .await
        .expect("player shown")
        .into_inner();
    assert!(without.assets.is_none());
    assert_eq!(without.name.as_deref(), Some("Lecture hall"));
    let gone = reqwest::get(&logo).await.expect("reachable");
    assert_eq!(gone.status(), reqwest::StatusCode::NOT_FOUND);
    id
}

async fn webhooks(client: &Client, calls: &mut Calls) -> (String, common::Deliveries) {
    let (url, deliveries) = common::hook_receiver().await;
    calls.called("create_webhook");
    let created = client
        .create_webhook()
        .body(WebhooksCreationPayload {
            events: vec![ENCODED.to_owned()],
            url: url.clone(),
        })
        .send()
        .await
        .expect("webhook created")
        .into_inner();
    let id = created.webhook_id.clone().expect("webhook id");
    assert!(id.starts_with("webhook"), "{id}");
    assert_eq!(created.events, vec![ENCODED.to_owned()]);
    assert_eq!(created.url.as_deref(), Some(url.as_str()));
    assert!(created.created_at.is_some());

    calls.called("get_webhook");
    let shown = client
        .get_webhook()
        .webhook_id(&id)
        .send()
        .await
        .expect("webhook shown")
        .into_inner();
    assert_eq!(shown, created);

    calls.called("list_webhooks");
    let listed: Vec<_> = client
        .list_webhooks()
        .events(ENCODED)
        .stream()
        .try_collect()
        .await
        .expect("webhooks listed");
    assert_eq!(listed, vec![created.clone()]);
    let other_event: Vec<_> = client
        .list_webhooks()
        .events("live-stream.broadcast.started")
        .stream()
        .try_collect()
        .await
        .expect("webhooks listed");
    assert!(other_event.is_empty(), "{other_event:?}");
    (id, deliveries)
}

async fn videos(
    emulator: &Emulator,
    client: &Client,
    calls: &mut Calls,
    player_id: &str,
    dir: &std::path::Path,
) -> String {
    calls.called("create_video");
    let created = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Maths 101")
                .description("Fractions, the basics".to_owned())
                .tags(vec!["maths".to_owned(), "beginner".to_owned()])
                .metadata(vec![meta("teacher", "Ada")])
                .public(false),
        )
        .send()
        .await
        .expect("video created")
        .into_inner();
    let id = created.video_id.clone();
    assert!(id.starts_with("vi"), "{id}");
    assert_eq!(created.title.as_deref(), Some("Maths 101"));
    assert_eq!(
        created.description.as_deref(),
        Some("Fractions, the basics")
    );
    assert_eq!(created.tags, ["maths", "beginner"]);
    assert_eq!(created.metadata, vec![meta("teacher", "Ada")]);
    assert_eq!(created.public, Some(false));
    assert_eq!(created.panoramic, Some(false));
    assert_eq!(created.mp4_support, Some(true));
    assert_eq!(created.player_id, None);
    let source = created.source.clone().expect("source");
    assert_eq!(source.type_.as_deref(), Some("upload"));
    assert_eq!(source.uri, Some(format!("/videos/{id}/source")));
    let assets = created.assets.clone().expect("assets");
    assert_eq!(
        assets.mp4,
        Some(format!("{}/vod/{id}/mp4/source.mp4", emulator.base_url()))
    );
    assert_eq!(
        assets.player,
        Some(format!("{}/embed/vod/{id}", emulator.base_url()))
    );

    calls.called("get_video");
    let shown = client
        .get_video()
        .video_id(&id)
        .send()
        .await
        .expect("video shown")
        .into_inner();
    assert_eq!(shown, created);

    calls.called("update_video");
    let updated = client
        .update_video()
        .video_id(&id)
        .body(VideoUpdatePayload {
            player_id: Patch::Set(player_id.to_owned()),
            title: Some("Maths 101: fractions".to_owned()),
            tags: Some(vec!["maths".to_owned(), "fractions".to_owned()]),
            metadata: Some(vec![meta("teacher", "Ada"), meta("level", "1")]),
            ..Default::default()
        })
        .send()
        .await
        .expect("video updated")
        .into_inner();
    assert_eq!(updated.video_id, id);
    assert_eq!(updated.title.as_deref(), Some("Maths 101: fractions"));
    assert_eq!(updated.player_id.as_deref(), Some(player_id));
    assert_eq!(updated.tags, ["maths", "fractions"]);
    assert_eq!(
        updated.metadata,
        vec![meta("teacher", "Ada"), meta("level", "1")]
    );
    assert_eq!(updated.description, created.description);
    assert_eq!(updated.public, Some(false));
    assert_eq!(updated.created_at, created.created_at);

    // A second video the filters must leave out.
    let other = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("History 101")
                .tags(vec!["history".to_owned()]),
        )
        .send()
        .await
        .expect("video created")
        .into_inner();

    calls.called("list_videos");
    let by_tag: Vec<_> = client
        .list_videos()
        .tag("fractions")
        .metadata("level", "1")
        .stream()
        .try_collect()
        .await
        .expect("videos listed");
    assert_eq!(by_tag, vec![updated.clone()]);
    let page = client
        .list_videos()
        .sort_by(apivideo::VideoSortBy::Title)
        .sort_order(apivideo::SortOrder::Desc)
        .page_size(1)
        .page(2)
        .await
        .expect("second page");
    assert_eq!(
        page.items,
        vec![other.clone()],
        "Maths, then History: descending"
    );
    assert_eq!(page.pagination.items_total, Some(2));
    assert_eq!(page.pagination.pages_total, Some(2));
    client
        .delete_video()
        .video_id(&other.video_id)
        .send()
        .await
        .expect("other video deleted");

    calls.called("get_video_status");
    let before = client
        .get_video_status()
        .video_id(&id)
        .send()
        .await
        .expect("status")
        .into_inner();
    let ingest = before.ingest.expect("ingest");
    assert_eq!(ingest.status, Some(VideoStatusIngestStatus::Missing));
    assert_eq!(ingest.filesize, None);
    assert_eq!(before.encoding.and_then(|e| e.playable), Some(false));

    calls.called("upload_video");
    let size = 12 * MIB + 12_345;
    let (path, sha) = common::source_file(dir, "maths-101.mp4", size, 1).await;
    let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = progress.clone();
    let uploaded = client
        .upload_video(&id)
        .chunk_size(5 * MIB)
        .on_progress(move |p| seen.lock().expect("not poisoned").push(p))
        .from_path(&path)
        .await
        .expect("video uploaded");
    assert_eq!(uploaded.video_id, id);
    assert_eq!(uploaded.title.as_deref(), Some("Maths 101: fractions"));
    assert_eq!(uploaded.player_id.as_deref(), Some(player_id));
    assert_eq!(
        emulator
            .stats()
            .requests_to("POST /videos/{videoId}/source"),
        3
    );
    let last = *progress
        .lock()
        .expect("not poisoned")
        .last()
        .expect("progress");
    assert_eq!(
        (last.bytes_sent, last.total_bytes, last.part, last.parts),
        (size, Some(size), 3, Some(3))
    );
    assert_eq!(
        common::served_sha256(&common::mp4_url(&uploaded)).await,
        (size, sha)
    );

    let after = client
        .get_video_status()
        .video_id(&id)
        .send()
        .await
        .expect("status")
        .into_inner();
    let ingest = after.ingest.expect("ingest");
    assert_eq!(ingest.status, Some(VideoStatusIngestStatus::Uploaded));
    assert_eq!(ingest.filesize, Some(size as i64));
    let parts = ingest.received_parts.expect("parts");
    assert_eq!((parts.parts, parts.total), (vec![1, 2, 3], Some(3)));
    id
}

async fn thumbnails(emulator: &Emulator, client: &Client, calls: &mut Calls, id: &str) {
    let thumbnail_url = format!("{}/vod/{id}/thumbnail.jpg", emulator.base_url());

    calls.called("upload_video_thumbnail");
    let uploaded = client
        .upload_video_thumbnail(id, MediaFile::from_bytes("cover.jpg", JPEG))
        .await
        .expect("thumbnail uploaded");
    assert_eq!(uploaded.video_id, id);
    assert_eq!(uploaded.title.as_deref(), Some("Maths 101: fractions"));
    assert_eq!(
        uploaded.assets.as_ref().and_then(|a| a.thumbnail.clone()),
        Some(thumbnail_url.clone())
    );
    assert_eq!(
        served(&thumbnail_url).await,
        ("image/jpeg".to_owned(), JPEG.to_vec())
    );

    calls.called("pick_video_thumbnail");
    let picked = client
        .pick_video_thumbnail()
        .video_id(id)
        .body(VideoThumbnailPickPayload {
            timecode: "00:00:01.50".parse().expect("timecode"),
        })
        .send()
        .await
        .expect("thumbnail picked")
        .into_inner();
    assert_eq!(picked.video_id, id);
    assert_eq!(picked.title, uploaded.title);
    assert!(picked.updated_at >= uploaded.updated_at);
    // A frame replaces the uploaded image.
    let (content_type, frame) = served(&thumbnail_url).await;
    assert_eq!(content_type, "image/jpeg");
    assert_ne!(frame, JPEG);
}

async fn captions(emulator: &Emulator, client: &Client, calls: &mut Calls, id: &str) {
    calls.called("upload_caption");
    let en = client
        .upload_caption(id, "en", MediaFile::from_bytes("en.vtt", CAPTIONS_EN))
        .await
        .expect("caption uploaded");
    assert_eq!(en.srclang.as_deref(), Some("en"));
    assert_eq!(en.uri, Some(format!("/videos/{id}/captions/en")));
    assert_eq!(
        en.src,
        Some(format!("{}/vod/{id}/captions/en.vtt", emulator.base_url()))
    );
    assert!(!en.default);
    let (_, body) = served(en.src.as_deref().expect("src")).await;
    assert_eq!(body, CAPTIONS_EN.as_bytes());
    let fr = client
        .upload_caption(id, "fr", MediaFile::from_bytes("fr.vtt", CAPTIONS_FR))
        .await
        .expect("caption uploaded");

    calls.called("update_caption");
    let default = client
        .update_caption()
        .video_id(id)
        .language("fr")
        .body(CaptionUpdatePayload {
            default: Some(true),
        })
        .send()
        .await
        .expect("caption updated")
        .into_inner();
    assert!(default.default);
    assert_eq!(default.srclang.as_deref(), Some("fr"));
    assert_eq!(default.src, fr.src);

    calls.called("get_caption");
    let shown = client
        .get_caption()
        .video_id(id)
        .language("fr")
        .send()
        .await
        .expect("caption shown")
        .into_inner();
    assert_eq!(shown, default);

    calls.called("list_captions");
    let mut listed: Vec<_> = client
        .list_captions()
        .video_id(id)
        .stream()
        .try_collect()
        .await
        .expect("captions listed");
    listed.sort_by(|a, b| a.srclang.cmp(&b.srclang));
    assert_eq!(listed, vec![en.clone(), default.clone()]);

    calls.called("delete_caption");
    client
        .delete_caption()
        .video_id(id)
        .language("en")
        .send()
        .await
        .expect("caption deleted");
    let left: Vec<_> = client
        .list_captions()
        .video_id(id)
        .stream()
        .try_collect()
        .await
        .expect("captions listed");
    assert_eq!(left, vec![default]);
    let gone = reqwest::get(en.src.as_deref().expect("src"))
        .await
        .expect("reachable");
    assert_eq!(gone.status(), reqwest::StatusCode::NOT_FOUND);
}

async fn chapters(emulator: &Emulator, client: &Client, calls: &mut Calls, id: &str) {
    calls.called("upload_chapter");
    let chapter = client
        .upload_chapter(id, "en", MediaFile::from_bytes("chapters.vtt", CHAPTERS_EN))
        .await
        .expect("chapter uploaded");
    assert_eq!(chapter.language.as_deref(), Some("en"));
    assert_eq!(chapter.uri, Some(format!("/videos/{id}/chapters/en")));
    assert_eq!(
        chapter.src,
        Some(format!("{}/vod/{id}/chapters/en.vtt", emulator.base_url()))
    );
    let (_, body) = served(chapter.src.as_deref().expect("src")).await;
    assert_eq!(body, CHAPTERS_EN.as_bytes());

    calls.called("get_chapter");
    let shown = client
        .get_chapter()
        .video_id(id)
        .language("en")
        .send()
        .await
        .expect("chapter shown")
        .into_inner();
    assert_eq!(shown, chapter);

    calls.called("list_chapters");
    let listed: Vec<_> = client
        .list_chapters()
        .video_id(id)
        .stream()
        .try_collect()
        .await
        .expect("chapters listed");
    assert_eq!(listed, vec![chapter.clone()]);

    calls.called("delete_chapter");
    client
        .delete_chapter()
        .video_id(id)
        .language("en")
        .send()
        .await
        .expect("chapter deleted");
    let left: Vec<_> = client
        .list_chapters()
        .video_id(id)
        .stream()
        .try_collect()
        .await
        .expect("chapters listed");
    assert!(left.is_empty(), "{left:?}");
}

async fn upload_tokens(
    emulator: &Emulator,
    client: &Client,
    calls: &mut Calls,
    dir: &std::path::Path,
) {
    calls.called("create_upload_token");
    let created = client
        .create_upload_token()
        .body(TokenCreationPayload { ttl: 3600 })
        .send()
        .await
        .expect("token created")
        .into_inner();
    let token = created.token.clone().expect("token");
    assert!(token.starts_with("to"), "{token}");
    assert_eq!(created.ttl, Some(3600));
    let created_at = created.created_at.expect("created at");
    let expires_at = created.expires_at.expect("expires at");
    assert_eq!((expires_at - created_at).num_seconds(), 3600);

    calls.called("get_upload_token");
    let shown = client
        .get_upload_token()
        .upload_token(&token)
        .send()
        .await
        .expect("token shown")
        .into_inner();
    assert_eq!(shown, created);

    calls.called("list_upload_tokens");
    let listed: Vec<_> = client
        .list_upload_tokens()
        .stream()
        .try_collect()
        .await
        .expect("tokens listed");
    assert_eq!(listed, vec![created.clone()]);

    calls.called("upload_with_upload_token");
    let size = 3 * MIB + 7;
    let (path, sha) = common::source_file(dir, "delegated.mp4", size, 2).await;
    let anonymous = common::keyless_client(emulator);
    let video = anonymous
        .upload_with_upload_token(&token)
        .from_path(&path)
        .await
        .expect("delegated upload");
    assert!(video.video_id.starts_with("vi"));
    assert_eq!(video.title.as_deref(), Some("delegated.mp4"));
    assert_eq!(
        common::served_sha256(&common::mp4_url(&video)).await,
        (size, sha)
    );
    let owned = client
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("the owner sees the delegated video")
        .into_inner();
    assert_eq!(owned.title.as_deref(), Some("delegated.mp4"));

    calls.called("delete_upload_token");
    client
        .delete_upload_token()
        .upload_token(&token)
        .send()
        .await
        .expect("token deleted");
    let left: Vec<_> = client
        .list_upload_tokens()
        .stream()
        .try_collect()
        .await
        .expect("tokens listed");
    assert!(left.is_empty(), "{left:?}");
    let refused = anonymous
        .upload_with_upload_token(&token)
        .from_path(&path)
        .await
        .expect_err("a deleted token is refused");
    assert!(refused.is_bad_request(), "{refused:?}");
    client
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("delegated video deleted");
}

async fn live_streams(
    emulator: &Emulator,
    client: &Client,
    calls: &mut Calls,
    player_id: &str,
) -> String {
    let twitch = RestreamsRequestObject {
        name: "Twitch".to_owned(),
        server_url: "rtmp://live.twitch.tv/app".to_owned(),
        stream_key: "live_abc".to_owned(),
    };
    calls.called("create_live_stream");
    let created = client
        .create_live_stream()
        .body(
            LiveStreamCreationPayload::builder()
                .name("Office hours")
                .record(true)
                .public(false)
                .restreams(vec![twitch]),
        )
        .send()
        .await
        .expect("live stream created")
        .into_inner();
    let id = created.live_stream_id.clone();
    assert!(id.starts_with("li"), "{id}");
    assert_eq!(created.name.as_deref(), Some("Office hours"));
    assert_eq!(created.record, Some(true));
    assert_eq!(created.public, Some(false));
    assert_eq!(created.broadcasting, Some(false));
    assert_eq!(created.player_id, None);
    assert_eq!(
        created.restreams,
        vec![RestreamsResponseObject {
            name: Some("Twitch".to_owned()),
            server_url: Some("rtmp://live.twitch.tv/app".to_owned()),
            stream_key: Some("live_abc".to_owned()),
        }]
    );
    let key = created.stream_key.clone().expect("stream key");
    assert_eq!(key.len(), 36, "{key}");

    calls.called("get_live_stream");
    let shown = client
        .get_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .expect("live stream shown")
        .into_inner();
    assert_eq!(shown, created);

    calls.called("update_live_stream");
    let updated = client
        .update_live_stream()
        .live_stream_id(&id)
        .body(LiveStreamUpdatePayload {
            name: Some("Office hours (Tuesday)".to_owned()),
            player_id: Some(player_id.to_owned()),
            ..Default::default()
        })
        .send()
        .await
        .expect("live stream updated")
        .into_inner();
    assert_eq!(updated.live_stream_id, id);
    assert_eq!(updated.name.as_deref(), Some("Office hours (Tuesday)"));
    assert_eq!(updated.player_id.as_deref(), Some(player_id));
    assert_eq!(updated.record, Some(true));
    assert_eq!(updated.stream_key, created.stream_key);
    assert_eq!(updated.created_at, created.created_at);

    calls.called("list_live_streams");
    let listed: Vec<_> = client
        .list_live_streams()
        .name("Office hours (Tuesday)")
        .stream()
        .try_collect()
        .await
        .expect("live streams listed");
    assert_eq!(listed, vec![updated.clone()]);

    calls.called("upload_live_stream_thumbnail");
    let with_thumbnail = client
        .upload_live_stream_thumbnail(&id, MediaFile::from_bytes("poster.jpg", JPEG))
        .await
        .expect("thumbnail uploaded");
    assert_eq!(with_thumbnail.live_stream_id, id);
    assert_eq!(with_thumbnail.name, updated.name);
    let thumbnail = with_thumbnail
        .assets
        .as_ref()
        .and_then(|a| a.thumbnail.clone())
        .expect("thumbnail URL");
    assert_eq!(
        thumbnail,
        format!("{}/live/{id}/thumbnail.jpg", emulator.base_url())
    );
    assert_eq!(
        served(&thumbnail).await,
        ("image/jpeg".to_owned(), JPEG.to_vec())
    );

    calls.called("delete_live_stream_thumbnail");
    let without = client
        .delete_live_stream_thumbnail()
        .live_stream_id(&id)
        .send()
        .await
        .expect("thumbnail deleted")
        .into_inner();
    assert_eq!(without.live_stream_id, id);
    assert_eq!(without.name, updated.name);
    // The placeholder image is served again.
    let (content_type, placeholder) = served(&thumbnail).await;
    assert_eq!(content_type, "image/jpeg");
    assert_ne!(placeholder, JPEG);
    id
}

async fn analytics(
    emulator: &Emulator,
    client: &Client,
    calls: &mut Calls,
    video_id: &str,
    live_stream_id: &str,
) {
    let session = json!({
        "videoId": video_id,
        "loadedAt": "2024-03-05T10:00:00Z",
        "endedAt": "2024-03-05T10:05:00Z",
        "metadata": {"plan": "premium"},
        "location": {"country": "France", "city": "Paris"},
        "referrer": {"url": "https://school.example.com/", "medium": "unknown", "source": "unknown", "searchTerm": "fractions"},
        "device": {"type": "computer", "vendor": "Lenovo", "model": "ThinkPad"},
        "os": {"name": "Linux", "shortname": "LIN", "version": "6.1"},
        "client": {"type": "browser", "name": "Firefox", "version": "125.0"},
    });
    let recorded = common::admin_post(emulator, "/_emulator/analytics/sessions", session).await;
    let session_id = recorded["sessionId"]
        .as_str()
        .expect("session id")
        .to_owned();
    // Another session of the video, without the metadata, another month.
    common::admin_post(
        emulator,
        "/_emulator/analytics/sessions",
        json!({"videoId": video_id, "loadedAt": "2024-04-01T08:00:00Z"}),
    )
    .await;
    let events = json!([
        {"type": "ready", "at": 0, "emittedAt": "2024-03-05T10:00:01Z"},
        {"type": "play", "at": 0, "emittedAt": "2024-03-05T10:00:02Z"},
        {"type": "seek.forward", "from": 10, "to": 30, "emittedAt": "2024-03-05T10:00:12Z"},
        {"type": "end", "at": 300, "emittedAt": "2024-03-05T10:05:00Z"},
    ]);
    common::admin_post(
        emulator,
        &format!("/_emulator/analytics/sessions/{session_id}/events"),
        events,
    )
    .await;
    common::admin_post(
        emulator,
        "/_emulator/analytics/sessions",
        json!({"liveStreamId": live_stream_id, "loadedAt": "2024-03-06T18:00:00Z", "location": {"country": "Japan", "city": "Osaka"}}),
    )
    .await;

    calls.called("list_video_sessions");
    let sessions: Vec<_> = client
        .list_video_sessions(video_id, "2024-03")
        .metadata("plan", "premium")
        .stream()
        .try_collect()
        .await
        .expect("video sessions listed");
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let s = &sessions[0];
    let inner = s.session.as_ref().expect("session");
    assert_eq!(inner.session_id.as_deref(), Some(session_id.as_str()));
    assert_eq!(
        inner.loaded_at.map(|t| t.to_rfc3339()),
        Some("2024-03-05T10:00:00+00:00".to_owned())
    );
    assert_eq!(
        inner.ended_at.map(|t| t.to_rfc3339()),
        Some("2024-03-05T10:05:00+00:00".to_owned())
    );
    assert_eq!(inner.metadata, vec![meta("plan", "premium")]);
    let location = s.location.as_ref().expect("location");
    assert_eq!(
        (location.country.as_deref(), location.city.as_deref()),
        (Some("France"), Some("Paris"))
    );
    let referrer = s.referrer.as_ref().expect("referrer");
    assert_eq!(referrer.url.as_deref(), Some("https://school.example.com/"));
    assert_eq!(referrer.search_term.as_deref(), Some("fractions"));
    let device = s.device.as_ref().expect("device");
    assert_eq!(
        (
            device.type_.as_deref(),
            device.vendor.as_deref(),
            device.model.as_deref()
        ),
        (Some("computer"), Some("Lenovo"), Some("ThinkPad"))
    );
    let os = s.os.as_ref().expect("os");
    assert_eq!(
        (
            os.name.as_deref(),
            os.shortname.as_deref(),
            os.version.as_deref()
        ),
        (Some("Linux"), Some("LIN"), Some("6.1"))
    );
    let browser = s.client.as_ref().expect("client");
    assert_eq!(
        (
            browser.type_.as_deref(),
            browser.name.as_deref(),
            browser.version.as_deref()
        ),
        (Some("browser"), Some("Firefox"), Some("125.0"))
    );
    let all_2024: Vec<_> = client
        .list_video_sessions(video_id, "2024")
        .stream()
        .try_collect()
        .await
        .expect("video sessions listed");
    assert_eq!(all_2024.len(), 2);

    calls.called("list_session_events");
    let events: Vec<_> = client
        .list_session_events()
        .session_id(&session_id)
        .stream()
        .try_collect()
        .await
        .expect("events listed");
    let summary: Vec<_> = events
        .iter()
        .map(|e| (e.type_.clone().unwrap_or_default(), e.at, e.from, e.to))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("ready".to_owned(), Some(0), None, None),
            ("play".to_owned(), Some(0), None, None),
            ("seek.forward".to_owned(), None, Some(10), Some(30)),
            ("end".to_owned(), Some(300), None, None),
        ]
    );

    calls.called("list_live_stream_sessions");
    let live: Vec<_> = client
        .list_live_stream_sessions()
        .live_stream_id(live_stream_id)
        .period("2024-03-06")
        .stream()
        .try_collect()
        .await
        .expect("live stream sessions listed");
    assert_eq!(live.len(), 1, "{live:?}");
    let location = live[0].location.as_ref().expect("location");
    assert_eq!(
        (location.country.as_deref(), location.city.as_deref()),
        (Some("Japan"), Some("Osaka"))
    );
    let other_day: Vec<_> = client
        .list_live_stream_sessions()
        .live_stream_id(live_stream_id)
        .period("2024-03-07")
        .stream()
        .try_collect()
        .await
        .expect("live stream sessions listed");
    assert!(other_day.is_empty());
}

async fn account(client: &Client, calls: &mut Calls) {
    calls.called("get_account");
    let account = client
        .get_account()
        .send()
        .await
        .expect("account")
        .into_inner();
    assert_eq!(account.environment.as_deref(), Some("sandbox"));
    assert!(
        account
            .features
            .iter()
            .any(|f| f == "transcode.mp4_support"),
        "{:?}",
        account.features
    );
    let quota = account.quota.expect("quota");
    // One video is left at this point.
    assert_eq!(quota.quota_used, Some(1.0));
    assert_eq!(
        quota
            .quota_remaining
            .zip(quota.quota_total)
            .map(|(r, t)| t - r),
        Some(1.0)
    );
}

async fn deletes(
    emulator: &Emulator,
    client: &Client,
    calls: &mut Calls,
    video_id: &str,
    live_stream_id: &str,
    player_id: &str,
    hook_id: &str,
) {
    let mp4 = format!("{}/vod/{video_id}/mp4/source.mp4", emulator.base_url());

    calls.called("delete_video");
    client
        .delete_video()
        .video_id(video_id)
        .send()
        .await
        .expect("video deleted");
    calls.called("delete_live_stream");
    client
        .delete_live_stream()
        .live_stream_id(live_stream_id)
        .send()
        .await
        .expect("live stream deleted");
    calls.called("delete_player");
    client
        .delete_player()
        .player_id(player_id)
        .send()
        .await
        .expect("player deleted");
    calls.called("delete_webhook");
    client
        .delete_webhook()
        .webhook_id(hook_id)
        .send()
        .await
        .expect("webhook deleted");

    let not_found = |r: Result<_, apivideo_raw::Error<apivideo::types::Problem>>| {
        apivideo::Error::from(r.expect_err("deleted")).is_not_found()
    };
    assert!(not_found(
        client
            .get_video()
            .video_id(video_id)
            .send()
            .await
            .map(|_| ())
    ));
    assert!(not_found(
        client
            .get_live_stream()
            .live_stream_id(live_stream_id)
            .send()
            .await
            .map(|_| ())
    ));
    assert!(not_found(
        client
            .get_player()
            .player_id(player_id)
            .send()
            .await
            .map(|_| ())
    ));
    assert!(not_found(
        client
            .get_webhook()
            .webhook_id(hook_id)
            .send()
            .await
            .map(|_| ())
    ));
    let videos: Vec<_> = client
        .list_videos()
        .stream()
        .try_collect()
        .await
        .expect("videos listed");
    assert!(videos.is_empty(), "{videos:?}");
    let gone = reqwest::get(&mp4).await.expect("reachable");
    assert_eq!(gone.status(), reqwest::StatusCode::NOT_FOUND);
}
