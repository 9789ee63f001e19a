//! Captions and chapters: WebVTT files attached to a video, one per
//! language, that the player offers to viewers.
//!
//! ```sh
//! cargo run --example captions_chapters
//! ```
//!
//! With `APIVIDEO_API_KEY` set it talks to the API; without, to the
//! emulator, started in-process.

use apivideo::MediaFile;
use apivideo::prelude::*;
use apivideo::types::{Caption, CaptionUpdatePayload, VideoCreationPayload};
use futures::TryStreamExt;

const ENGLISH: &str = "WEBVTT

00:00:01.000 --> 00:00:04.000
Hello, and welcome.
";

const FRENCH: &str = "WEBVTT

00:00:01.000 --> 00:00:04.000
Bonjour, et bienvenue.
";

const CHAPTERS: &str = "WEBVTT

00:00:00.000 --> 00:00:10.000
Introduction

00:00:10.000 --> 00:01:00.000
The lesson
";

/// Adds English and French captions to the video, French shown by default,
/// and English chapters; returns the video's captions.
pub async fn run(client: &Client, video_id: &str) -> apivideo::Result<Vec<Caption>> {
    // A caption file per language, from memory here; `MediaFile::from_path`
    // reads one from disk. The name's `.vtt` tells the API what it is.
    for (language, text) in [("en", ENGLISH), ("fr", FRENCH)] {
        client
            .upload_caption()
            .video_id(video_id)
            .language(language)
            .file(MediaFile::from_bytes(format!("{language}.vtt"), text))
            .send()
            .await?;
    }

    // The player shows the default caption track without being asked.
    client
        .update_caption()
        .video_id(video_id)
        .language("fr")
        .body(CaptionUpdatePayload {
            default: Some(true),
        })
        .send()
        .await?;

    let chapters = client
        .upload_chapter()
        .video_id(video_id)
        .language("en")
        .file(MediaFile::from_bytes("chapters.vtt", CHAPTERS))
        .send()
        .await?;
    println!("chapters at {}", chapters.src);

    // Every caption of the video, across pages.
    let captions: Vec<Caption> = client
        .list_captions()
        .video_id(video_id)
        .stream()
        .try_collect()
        .await?;
    for caption in &captions {
        let default = if caption.default { " (default)" } else { "" };
        println!("captions {}{default}", caption.srclang);
    }
    Ok(captions)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The API when APIVIDEO_API_KEY is set, else an emulator in this process.
    let (client, _emulator) = apivideo::testing::from_env_or_emulator().await?;
    let video = client
        .create_video()
        .body(VideoCreationPayload::builder().title("Captioned"))
        .send()
        .await?;
    run(&client, &video.video_id).await?;
    client
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await?;
    Ok(())
}
