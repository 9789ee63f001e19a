//! Change a video's details: its title, tags and metadata, and remove the
//! player theme it was shown with.
//!
//! ```sh
//! cargo run --example update_video
//! ```
//!
//! It creates a player and a video that uses it first, and deletes both at
//! the end. With `APIVIDEO_API_KEY` set it talks to the API; without, to
//! the emulator, started in-process.

use apivideo::patch::{Patch, VideoUpdatePayload};
use apivideo::prelude::*;
use apivideo::types::{Metadata, PlayerThemeCreationPayload, Video, VideoCreationPayload};

/// Renames the video, replaces its tags and metadata, and puts it back on
/// the default player. Fields left out stay as they are.
pub async fn run(client: &Client, video_id: &str) -> apivideo::Result<Video> {
    let video = client
        .update_video()
        .video_id(video_id)
        .body(VideoUpdatePayload {
            title: Some("Maths 101: fractions".into()),
            // Tags and metadata are replaced as a whole; `Some(vec![])`
            // would remove them all.
            tags: Some(vec!["maths".into(), "fractions".into()]),
            metadata: Some(vec![
                Metadata::new("teacher", "Ada"),
                Metadata::new("level", "1"),
            ]),
            // `Clear` sends `"playerId": null`, which removes the player;
            // the default, `Unchanged`, leaves it alone.
            player_id: Patch::Clear,
            ..Default::default()
        })
        .send()
        .await?;

    for entry in &video.metadata {
        println!("  {}: {}", entry.key, entry.value);
    }
    println!(
        "  player: {}",
        video.player_id.as_deref().unwrap_or("the default one")
    );
    Ok(video)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The API when APIVIDEO_API_KEY is set, else an emulator in this process.
    let (client, _emulator) = apivideo::testing::from_env_or_emulator().await?;

    let player = client
        .create_player()
        .body(
            PlayerThemeCreationPayload::builder()
                .name("dark")
                .text("#ffffff"),
        )
        .send()
        .await?;
    let video = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Untitled")
                .player_id(player.player_id.clone())
                .metadata(vec![Metadata::new("draft", "yes")]),
        )
        .send()
        .await?;

    println!("{} after the update:", video.video_id);
    run(&client, &video.video_id).await?;

    client
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await?;
    client
        .delete_player()
        .player_id(&player.player_id)
        .send()
        .await?;
    Ok(())
}
