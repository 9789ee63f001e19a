//! Fields of today's API: a video's language (set, or detected once
//! encoded), the discard fields, a caption's language name and a webhook's
//! signature secret.

use std::time::Duration;

use apivideo_emulator::Config;
use apivideo_raw::patch::{Patch, VideoUpdatePayload};
use apivideo_raw::prelude::*;
use apivideo_raw::types::{
    Video, VideoCreationPayload, VideoCreationPayloadLanguage, VideoLanguageOrigin,
    WebhooksCreationPayload,
};

use crate::common::{self, TestEnv};
use crate::uploads::send_chunk;

async fn env() -> TestEnv {
    common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_encoding_delay(Duration::ZERO),
    )
    .await
}

async fn show(env: &TestEnv, id: &str) -> Video {
    env.raw
        .get_video()
        .video_id(id)
        .send()
        .await
        .expect("video")
}

#[tokio::test]
async fn a_language_set_through_the_api_is_kept_and_can_go_back_to_detection() {
    let env = env().await;
    let video = env
        .raw
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Cours")
                .language(Some(VideoCreationPayloadLanguage::Fr)),
        )
        .send()
        .await
        .expect("created");
    assert_eq!(video.language.as_deref(), Some("fr"));
    assert_eq!(video.language_origin, Some(VideoLanguageOrigin::Api));
    assert!(!video.discarded);
    assert_eq!((video.discarded_at, video.deletes_at), (None, None));

    let updated = env
        .raw
        .update_video()
        .video_id(&video.video_id)
        .body(VideoUpdatePayload {
            language: Patch::Set(VideoCreationPayloadLanguage::De),
            ..Default::default()
        })
        .send()
        .await
        .expect("updated");
    assert_eq!(updated.language.as_deref(), Some("de"));
    assert_eq!(updated.language_origin, Some(VideoLanguageOrigin::Api));

    let cleared = env
        .raw
        .update_video()
        .video_id(&video.video_id)
        .body(VideoUpdatePayload {
            language: Patch::Clear,
            ..Default::default()
        })
        .send()
        .await
        .expect("updated");
    assert_eq!((cleared.language, cleared.language_origin), (None, None));

    // A language the API does not list is refused.
    let answer = env
        .http
        .post(env.url("/videos"))
        .header("authorization", env.basic())
        .json(&serde_json::json!({"title": "x", "language": "xx"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 400);
    let problem: serde_json::Value = answer.json().await.expect("problem");
    assert_eq!(problem["name"], "language", "{problem}");
}

#[tokio::test]
async fn a_language_left_out_is_detected_once_the_video_is_encoded() {
    let env = env().await;
    let video = env
        .raw
        .create_video()
        .body(VideoCreationPayload::builder().title("Talk"))
        .send()
        .await
        .expect("created");
    assert_eq!(
        (video.language.clone(), video.language_origin.clone()),
        (None, None)
    );
    let answer = send_chunk(&env, "key-a", &video.video_id, None, &[7; 10_000]).await;
    assert_eq!(answer.status(), 201);
    let detected = {
        let mut tries = 0;
        loop {
            let shown = show(&env, &video.video_id).await;
            if shown.language.is_some() {
                break shown;
            }
            tries += 1;
            assert!(tries < 600, "the language is detected once encoded");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    assert_eq!(detected.language.as_deref(), Some("en"));
    assert_eq!(detected.language_origin, Some(VideoLanguageOrigin::Auto));
}

#[tokio::test]
async fn captions_name_their_language_and_webhooks_have_a_signature_secret() {
    let env = env().await;
    let video = env
        .raw
        .create_video()
        .body(VideoCreationPayload::builder().title("Subtitled"))
        .send()
        .await
        .expect("created");
    for (language, name) in [("en", "English"), ("pt-BR", "português"), ("ja", "日本語")] {
        let (content_type, body) = crate::uploads::form(
            "file",
            "subs.vtt",
            b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n",
            &[],
        );
        let answer = env
            .http
            .post(env.url(&format!("/videos/{}/captions/{language}", video.video_id)))
            .header("authorization", env.basic())
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("answer");
        assert!(answer.status().is_success(), "{}", answer.status());
        let caption: serde_json::Value = answer.json().await.expect("caption");
        assert_eq!(caption["languageName"], name, "{caption}");
    }

    let hook = env
        .raw
        .create_webhook()
        .body(WebhooksCreationPayload {
            events: vec!["video.encoding.quality.completed".parse().unwrap()],
            url: "https://example.com/hooks".to_owned(),
        })
        .send()
        .await
        .expect("created");
    let secret = hook.signature_secret.clone().expect("a signature secret");
    assert!(
        secret.starts_with("sig_sec_") && secret.len() == "sig_sec_".len() + 22,
        "{secret}"
    );
    let shown = env
        .raw
        .get_webhook()
        .webhook_id(hook.webhook_id.as_str())
        .send()
        .await
        .expect("shown");
    assert_eq!(shown.signature_secret, Some(secret));
}
