//! What a newcomer writes first, from the docs, as it should compile and
//! run: each test is one friction of the first hour, in that shape.

use std::time::Duration;

use apivideo::Error;
use apivideo::prelude::*;
use apivideo::types::{PlayerThemeCreationPayload, VideoCreationPayload};

use crate::common;

/// Optional fields take the plain value: `&str` for a constrained name,
/// `&str` for an optional text, a number; a value the spec refuses is a
/// typed error at `send()`, and nothing is created.
#[tokio::test]
async fn optional_setters_take_plain_values() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let theme = client
        .create_player()
        .body(
            PlayerThemeCreationPayload::builder()
                .name("dark")
                .text("#ffffff"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(theme.name.as_deref(), Some("dark"));

    let video = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("first hour")
                .description("set without Some(..)")
                .player_id(theme.player_id.clone()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(video.description, "set without Some(..)");

    let too_long = "x".repeat(101);
    let err = client
        .create_player()
        .body(PlayerThemeCreationPayload::builder().name(too_long.as_str()))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(err.to_string().contains("name"), "{err}");
    let themes = client.list_players().send().await.unwrap();
    assert_eq!(themes.data.len(), 1, "the refused theme was not created");
}

/// Waiting for playable takes one call and no `Option` chain.
#[tokio::test]
async fn wait_until_playable_needs_no_option_chain() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = common::create_video(&client, "wait").await;
    client
        .upload_video()
        .video_id(&video.video_id)
        .reader(&[1u8; 1024][..], 1024)
        .send()
        .await
        .unwrap();
    let status = client
        .wait_until_playable(&video.video_id, Duration::from_secs(60))
        .await
        .unwrap();
    assert!(status.is_playable());
}

/// Values the API always has are plain fields: metadata built with
/// `Metadata::new` and read back without `Option`s, an upload token used
/// without `unwrap()`.
#[tokio::test]
async fn models_hold_what_the_api_always_sends() {
    use apivideo::types::{Metadata, TokenCreationPayload};
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("metadata")
                .metadata(vec![Metadata::new("Author", "Ada")]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            video.metadata[0].key.as_str(),
            video.metadata[0].value.as_str()
        ),
        ("Author", "Ada")
    );
    let token = client
        .create_upload_token()
        .body(TokenCreationPayload::default())
        .send()
        .await
        .unwrap();
    let uploaded = common::keyless_client(&emulator)
        .upload_with_upload_token()
        .token(&token.token)
        .reader(&[3u8; 512][..], 512)
        .send()
        .await
        .unwrap();
    assert!(uploaded.video_id.starts_with("vi"));
}
