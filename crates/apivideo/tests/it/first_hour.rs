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

/// A list stream, generated (`list_players`) or handwritten
/// (`list_videos`), is looped over as it is: no pinning by hand.
#[tokio::test]
async fn list_streams_loop_without_pinning() {
    use futures::TryStreamExt;

    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    for _ in 0..3 {
        common::create_player(&client).await;
        common::create_video(&client, "looped").await;
    }
    let mut players = client.list_players().page_size(2).stream();
    let mut seen = 0;
    while let Some(player) = players.try_next().await.unwrap() {
        assert!(player.player_id.starts_with("pt"));
        seen += 1;
    }
    assert_eq!(seen, 3);
    let mut videos = client.list_videos().title("looped").page_size(2).stream();
    let mut seen = 0;
    while let Some(video) = videos.try_next().await.unwrap() {
        assert_eq!(video.title, "looped");
        seen += 1;
    }
    assert_eq!(seen, 3);
}

/// The README's testing example is `readme_testing.rs`, which runs: the
/// two must not drift apart.
#[test]
fn the_readme_testing_example_is_the_one_that_runs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let section = readme
        .find("## Testing your code against the emulator")
        .expect("the README has its testing section");
    let start = readme[section..].find("```rust\n").expect("a Rust block") + section + 8;
    let end = readme[start..].find("\n```\n").expect("the block ends") + start + 1;
    let shown = &readme[start..end];

    let file = std::fs::read_to_string(format!("{root}/tests/it/readme_testing.rs")).unwrap();
    let run: String = file
        .lines()
        .skip_while(|l| l.starts_with("//!"))
        .skip(1)
        .flat_map(|l| [l, "\n"])
        .collect();
    assert!(
        shown == run,
        "the README's testing example and tests/it/readme_testing.rs differ: \
         make them the same (the file, below its module doc, is the block)"
    );
}

/// The repository's README opens with the crate README's first program,
/// which is compiled as a doctest: the two must not drift apart.
#[test]
fn the_root_readme_example_is_the_compiled_one() {
    let root = env!("CARGO_MANIFEST_DIR");
    let first_block = |path: &str, fence: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        let start = text
            .find(fence)
            .unwrap_or_else(|| panic!("{path}: no {fence}"))
            + fence.len();
        let end = text[start..].find("\n```\n").expect("the block ends") + start;
        text[start..end].to_owned()
    };
    let shown = first_block(&format!("{root}/../../README.md"), "```rust\n");
    let compiled = first_block(&format!("{root}/README.md"), "```rust,no_run\n");
    assert!(
        shown == compiled,
        "the first Rust example of the repository's README differs from the \
         crate README's first program (compiled as a doctest): make them the same"
    );
}
