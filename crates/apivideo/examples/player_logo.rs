//! A player theme: the colours of the player's controls and a logo that
//! links to your site, applied to a video.
//!
//! ```sh
//! cargo run --example player_logo -- path/to/logo.png
//! ```
//!
//! Without a path it uploads a tiny generated PNG. With `APIVIDEO_API_KEY`
//! set it talks to the API; without, to the emulator, started in-process.

use apivideo::MediaFile;
use apivideo::patch::{Patch, VideoUpdatePayload};
use apivideo::prelude::*;
use apivideo::types::{PlayerTheme, PlayerThemeCreationPayload, VideoCreationPayload};

/// A one-pixel orange PNG.
const ORANGE_DOT: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0x3f, 0x93, 0xe1,
    0x3f, 0x00, 0x06, 0xcb, 0x02, 0x98, 0x75, 0x77, 0xe9, 0x99, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Creates a dark theme with `logo` linking to `link`, and shows the video
/// with it. Returns the theme, whose `assets.logo` serves the logo.
pub async fn run(
    client: &Client,
    video_id: &str,
    logo: MediaFile,
    link: &str,
) -> apivideo::Result<PlayerTheme> {
    // Colours are CSS colours; a value the API would refuse is an
    // `Error::InvalidRequest` at `send()`, before anything is sent.
    let theme = client
        .create_player()
        .body(
            PlayerThemeCreationPayload::builder()
                .name("dark")
                .text("#ffffff")
                .link("#ff9900")
                .track_played("#ff9900")
                .background_top("rgba(0, 0, 0, 0.8)")
                .enable_controls(true),
        )
        .send()
        .await?;

    // The logo: a JPEG or PNG of at most 200x100 pixels.
    let theme = client
        .upload_player_logo()
        .player_id(&theme.player_id)
        .link(link)
        .file(logo)
        .send()
        .await?;
    println!(
        "logo at {}",
        theme
            .assets
            .as_ref()
            .and_then(|a| a.logo.as_deref())
            .unwrap_or("?")
    );

    // Videos (and live streams) name their theme by id.
    client
        .update_video()
        .video_id(video_id)
        .body(VideoUpdatePayload {
            player_id: Patch::Set(theme.player_id.clone()),
            ..Default::default()
        })
        .send()
        .await?;
    Ok(theme)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The API when APIVIDEO_API_KEY is set, else an emulator in this process.
    let (client, _emulator) = apivideo::testing::from_env_or_emulator().await?;

    let logo = match std::env::args_os().nth(1) {
        Some(path) => MediaFile::from_path(path).await?,
        None => MediaFile::from_bytes("logo.png", ORANGE_DOT),
    };
    let video = client
        .create_video()
        .body(VideoCreationPayload::builder().title("Branded"))
        .send()
        .await?;
    let theme = run(&client, &video.video_id, logo, "https://example.com").await?;

    client
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await?;
    client
        .delete_player()
        .player_id(&theme.player_id)
        .send()
        .await?;
    Ok(())
}
