//! The small multipart uploads (thumbnails, player logos, captions,
//! chapters) against the emulator: what each returns, field by field, what
//! the emulator then serves, and that a refused upload changes nothing.

use apivideo::prelude::*;
use apivideo::{Client, Error, MediaFile, SourceErrorKind};
use apivideo_emulator::{FaultSettings, RateLimit};
use futures::TryStreamExt;
use futures::future::join_all;

use crate::common::{
    self, CAPTIONS_EN, CHAPTERS, JPEG, NOT_WEBVTT, PNG, UNKNOWN_VIDEO, problem_name, served,
};

/// The title of the videos these tests upload media to.
const TITLE: &str = "Media test";

async fn captions(client: &Client, video_id: &str) -> Vec<apivideo::types::Caption> {
    client
        .list_captions()
        .video_id(video_id)
        .stream()
        .try_collect()
        .await
        .expect("captions listed")
}

async fn chapters(client: &Client, video_id: &str) -> Vec<apivideo::types::Chapter> {
    client
        .list_chapters()
        .video_id(video_id)
        .stream()
        .try_collect()
        .await
        .expect("chapters listed")
}

#[tokio::test]
async fn caption_is_stored_listed_and_served_as_uploaded() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = common::create_video(&client, TITLE).await;
    let id = &video.video_id;

    let caption = client
        .upload_caption()
        .video_id(id)
        .language("en")
        .file(MediaFile::from_bytes("en.vtt", CAPTIONS_EN))
        .send()
        .await
        .expect("caption uploaded");
    assert_eq!(caption.srclang, "en");
    assert_eq!(caption.uri, format!("/videos/{id}/captions/en"));
    assert_eq!(
        caption.src,
        format!("{}/vod/{id}/captions/en.vtt", emulator.base_url())
    );
    assert!(!caption.default, "a new caption is not the default");

    let (content_type, body) = served(&caption.src).await;
    assert!(content_type.starts_with("text/vtt"), "{content_type}");
    assert_eq!(body, CAPTIONS_EN.as_bytes());

    assert_eq!(captions(&client, id).await, vec![caption.clone()]);
    let shown = client
        .get_caption()
        .video_id(id)
        .language("en")
        .send()
        .await
        .expect("shown");
    assert_eq!(shown, caption);
}

#[tokio::test]
async fn caption_language_is_sent_as_given_and_comes_back_canonical() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = common::create_video(&client, TITLE).await;
    let id = &video.video_id;

    // A name without extension gets `.vtt` from the content.
    let caption = client
        .upload_caption()
        .video_id(id)
        .language("pt-br")
        .file(MediaFile::from_bytes("subtitles", CAPTIONS_EN))
        .send()
        .await
        .expect("caption uploaded");
    assert_eq!(caption.srclang, "pt-BR");
    assert_eq!(caption.uri, format!("/videos/{id}/captions/pt-BR"));
    let (_, body) = served(&caption.src).await;
    assert_eq!(body, CAPTIONS_EN.as_bytes());
}

#[tokio::test]
async fn chapter_from_a_file_is_stored_listed_and_served_as_uploaded() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = common::create_video(&client, TITLE).await;
    let id = &video.video_id;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("chapters.vtt");
    std::fs::write(&path, CHAPTERS).expect("written");

    let file = MediaFile::from_path(&path).await.expect("read");
    assert_eq!(file.file_name(), "chapters.vtt");
    let chapter = client
        .upload_chapter()
        .video_id(id)
        .language("fr")
        .file(file)
        .send()
        .await
        .expect("chapter uploaded");
    assert_eq!(chapter.language, "fr");
    assert_eq!(chapter.uri, format!("/videos/{id}/chapters/fr"));
    assert_eq!(
        chapter.src,
        format!("{}/vod/{id}/chapters/fr.vtt", emulator.base_url())
    );

    let (content_type, body) = served(&chapter.src).await;
    assert!(content_type.starts_with("text/vtt"), "{content_type}");
    assert_eq!(body, CHAPTERS.as_bytes());
    assert_eq!(chapters(&client, id).await, vec![chapter]);
}

#[tokio::test]
async fn video_thumbnail_is_served_as_uploaded() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let before = common::create_video(&client, TITLE).await;
    let id = &before.video_id;

    let after = client
        .upload_video_thumbnail()
        .video_id(id)
        .file(MediaFile::from_bytes("cover.jpg", JPEG))
        .send()
        .await
        .expect("uploaded");
    assert_eq!(&after.video_id, id);
    assert_eq!(after.title, before.title);
    assert_eq!(after.created_at, before.created_at);
    let thumbnail = after
        .assets
        .as_ref()
        .map(|a| a.thumbnail.clone())
        .expect("thumbnail URL");
    assert_eq!(
        thumbnail,
        format!("{}/vod/{id}/thumbnail.jpg", emulator.base_url())
    );

    let (content_type, body) = served(&thumbnail).await;
    assert_eq!(content_type, "image/jpeg");
    assert_eq!(body, JPEG);
    let shown = client.get_video().video_id(id).send().await.expect("shown");
    assert_eq!(shown, after);
}

#[tokio::test]
async fn live_stream_thumbnail_is_served_as_uploaded() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let before = common::create_live_stream(&client, "Weekly demo").await;
    let id = &before.live_stream_id;

    // No extension: `.jpg` comes from the content.
    let after = client
        .upload_live_stream_thumbnail()
        .live_stream_id(id)
        .file(MediaFile::from_bytes("poster", JPEG))
        .send()
        .await
        .expect("uploaded");
    assert_eq!(&after.live_stream_id, id);
    assert_eq!(after.name, before.name);
    assert_eq!(after.stream_key, before.stream_key);
    let thumbnail = after.assets.thumbnail.clone();
    assert_eq!(
        thumbnail,
        format!("{}/live/{id}/thumbnail.jpg", emulator.base_url())
    );

    let (content_type, body) = served(&thumbnail).await;
    assert_eq!(content_type, "image/jpeg");
    assert_eq!(body, JPEG);
}

#[tokio::test]
async fn player_logo_with_a_link_is_served_as_uploaded() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let before = common::create_player(&client).await;
    let id = &before.player_id;
    assert!(before.assets.is_none());

    let link = "https://www.example.com/brand";
    let after = client
        .upload_player_logo()
        .player_id(id)
        .file(MediaFile::from_bytes("logo.png", PNG))
        .link(link)
        .send()
        .await
        .expect("uploaded");
    assert_eq!(&after.player_id, id);
    assert_eq!(after.name, before.name);
    let assets = after.assets.clone().expect("assets");
    assert_eq!(assets.link.as_deref(), Some(link));
    let logo = assets.logo.expect("logo URL");
    assert_eq!(
        logo,
        format!("{}/embed/players/{id}/logo", emulator.base_url())
    );

    let (content_type, body) = served(&logo).await;
    assert_eq!(content_type, "image/png");
    assert_eq!(body, PNG);
    let shown = client
        .get_player()
        .player_id(id)
        .send()
        .await
        .expect("shown");
    assert_eq!(shown, after);
}

#[tokio::test]
async fn player_logo_without_a_link_replaces_the_previous_one() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let id = common::create_player(&client).await.player_id;
    client
        .upload_player_logo()
        .player_id(&id)
        .file(MediaFile::from_bytes("logo.png", PNG))
        .link("https://www.example.com")
        .send()
        .await
        .expect("first logo");

    let after = client
        .upload_player_logo()
        .player_id(&id)
        .file(MediaFile::from_bytes("logo.jpeg", JPEG))
        .send()
        .await
        .expect("second logo");
    let assets = after.assets.expect("assets");
    assert_eq!(assets.link, None);
    let (content_type, body) = served(&assets.logo.expect("logo URL")).await;
    assert_eq!(content_type, "image/jpeg");
    assert_eq!(body, JPEG);
}

#[tokio::test]
async fn a_live_stream_thumbnail_that_is_not_jpeg_is_refused_and_nothing_changes() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let before = common::create_live_stream(&client, "Weekly demo").await;
    let id = &before.live_stream_id;

    let err = client
        .upload_live_stream_thumbnail()
        .live_stream_id(id)
        .file(MediaFile::from_bytes("poster.png", PNG))
        .send()
        .await
        .expect_err("PNG refused");
    assert!(err.is_bad_request(), "{err:?}");
    assert_eq!(problem_name(&err), Some("file"), "{err}");

    let after = client
        .get_live_stream()
        .live_stream_id(id)
        .send()
        .await
        .expect("shown");
    assert_eq!(after, before);
}

#[tokio::test]
async fn an_invalid_webvtt_caption_or_chapter_is_refused_and_nothing_is_stored() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let id = common::create_video(&client, TITLE).await.video_id;

    let err = client
        .upload_caption()
        .video_id(&id)
        .language("en")
        .file(MediaFile::from_bytes("en.vtt", NOT_WEBVTT))
        .send()
        .await
        .expect_err("caption refused");
    assert!(err.is_bad_request(), "{err:?}");
    assert_eq!(problem_name(&err), Some("file"), "{err}");
    assert!(captions(&client, &id).await.is_empty());

    let err = client
        .upload_chapter()
        .video_id(&id)
        .language("en")
        .file(MediaFile::from_bytes("en.vtt", NOT_WEBVTT))
        .send()
        .await
        .expect_err("chapter refused");
    assert!(err.is_bad_request(), "{err:?}");
    assert_eq!(problem_name(&err), Some("file"), "{err}");
    assert!(chapters(&client, &id).await.is_empty());
}

#[tokio::test]
async fn an_invalid_language_is_refused_and_nothing_is_stored() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let id = common::create_video(&client, TITLE).await.video_id;

    let err = client
        .upload_caption()
        .video_id(&id)
        .language("not a language")
        .file(MediaFile::from_bytes("en.vtt", CAPTIONS_EN))
        .send()
        .await
        .expect_err("language refused");
    assert!(err.is_bad_request(), "{err:?}");
    assert_eq!(problem_name(&err), Some("language"), "{err}");
    assert!(captions(&client, &id).await.is_empty());
}

#[tokio::test]
async fn uploads_to_unknown_resources_are_not_found_and_create_nothing() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let vtt = || MediaFile::from_bytes("en.vtt", CAPTIONS_EN);
    let jpeg = || MediaFile::from_bytes("a.jpg", JPEG);

    let err = client
        .upload_caption()
        .video_id(UNKNOWN_VIDEO)
        .language("en")
        .file(vtt())
        .send()
        .await
        .expect_err("404");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(problem_name(&err), Some("videoId"));
    let err = client
        .upload_chapter()
        .video_id(UNKNOWN_VIDEO)
        .language("en")
        .file(vtt())
        .send()
        .await
        .expect_err("404");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(problem_name(&err), Some("videoId"));
    let err = client
        .upload_video_thumbnail()
        .video_id(UNKNOWN_VIDEO)
        .file(jpeg())
        .send()
        .await
        .expect_err("404");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(problem_name(&err), Some("videoId"));
    let err = client
        .upload_live_stream_thumbnail()
        .live_stream_id("li0000000000000000000000")
        .file(jpeg())
        .send()
        .await
        .expect_err("404");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(problem_name(&err), Some("liveStreamId"));
    let err = client
        .upload_player_logo()
        .player_id("pt0000000000000000000000")
        .file(jpeg())
        .send()
        .await
        .expect_err("404");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(problem_name(&err), Some("playerId"));

    // The captions of the unknown video are still unknown, not created.
    let err = client
        .list_captions()
        .video_id(UNKNOWN_VIDEO)
        .send()
        .await
        .expect_err("404");
    assert!(err.is_not_found(), "{err:?}");
    let videos: Vec<_> = client
        .list_videos()
        .stream()
        .try_collect()
        .await
        .expect("listed");
    assert!(videos.is_empty());
    let players: Vec<_> = client
        .list_players()
        .stream()
        .try_collect()
        .await
        .expect("listed");
    assert!(players.is_empty());
    let streams: Vec<_> = client
        .list_live_streams()
        .stream()
        .try_collect()
        .await
        .expect("listed");
    assert!(streams.is_empty());
}

#[tokio::test]
async fn empty_and_missing_files_and_empty_ids_fail_before_any_request() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let id = common::create_video(&client, TITLE).await.video_id;

    let err = client
        .upload_caption()
        .video_id(&id)
        .language("en")
        .file(MediaFile::from_bytes("en.vtt", ""))
        .send()
        .await
        .expect_err("empty");
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Empty), "{err:?}");
    assert!(err.to_string().contains("en.vtt"), "{err}");

    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nothing-here.jpg");
    let err = MediaFile::from_path(&missing).await.expect_err("missing");
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Missing), "{err:?}");
    assert!(err.to_string().contains("nothing-here.jpg"), "{err}");

    let err = client
        .upload_video_thumbnail()
        .video_id("")
        .file(MediaFile::from_bytes("a.jpg", JPEG))
        .send()
        .await
        .expect_err("empty id");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    let err = client
        .upload_chapter()
        .video_id(&id)
        .language("")
        .file(MediaFile::from_bytes("a.vtt", CHAPTERS))
        .send()
        .await
        .expect_err("empty language");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");

    assert_eq!(
        common::requests(&emulator, "POST /videos/{videoId}/captions/{language}"),
        0
    );
    assert_eq!(
        common::requests(&emulator, "POST /videos/{videoId}/chapters/{language}"),
        0
    );
    assert_eq!(
        common::requests(&emulator, "POST /videos/{videoId}/thumbnail"),
        0
    );
    assert!(captions(&client, &id).await.is_empty());
}

#[tokio::test]
async fn rate_limited_uploads_are_sent_again_whole() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let id = common::create_video(&client, TITLE).await.video_id;
    emulator.set_faults(FaultSettings {
        rate_limit: Some(RateLimit {
            limit: 2,
            window_ms: 500,
        }),
        ..FaultSettings::default()
    });

    let languages = ["en", "fr", "de", "es", "it", "nl"];
    let results = join_all(languages.iter().map(|lang| {
        let client = client.clone();
        let id = id.clone();
        async move {
            let vtt = format!("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nLanguage {lang}\n");
            client
                .upload_caption()
                .video_id(&id)
                .language(*lang)
                .file(MediaFile::from_bytes(format!("{lang}.vtt"), vtt))
                .send()
                .await
        }
    }))
    .await;
    emulator.set_faults(FaultSettings::default());

    let limited = emulator.stats().event("faults.rate_limited");
    assert!(limited > 0, "the uploads were rate limited");
    assert_eq!(
        common::requests(&emulator, "POST /videos/{videoId}/captions/{language}"),
        languages.len() as u64 + limited,
        "every 429 was retried"
    );
    for (lang, result) in languages.iter().zip(results) {
        let caption = result.expect("uploaded through the rate limit");
        let (_, body) = served(&caption.src).await;
        assert_eq!(
            String::from_utf8_lossy(&body),
            format!("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nLanguage {lang}\n")
        );
    }
    assert_eq!(captions(&client, &id).await.len(), languages.len());
}
