//! Create a video, upload its file with progress, and wait until it can be
//! played: the first thing most services do.
//!
//! ```sh
//! cargo run --example upload -- path/to/movie.mp4
//! ```
//!
//! Without a path it uploads a generated 12 MiB file. With
//! `APIVIDEO_API_KEY` set it talks to the API (`APIVIDEO_BASE_URL` picks
//! the sandbox); without, to the emulator, started in-process.

use std::path::{Path, PathBuf};
use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::{Video, VideoCreationPayload};

/// Creates a video titled `title`, uploads the file at `path` as its
/// source, and returns the video once it can be played.
pub async fn run(client: &Client, title: &str, path: &Path) -> apivideo::Result<Video> {
    // 1. The video: a title and tags now, the file next.
    let video = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title(title)
                .tags(vec!["examples".to_owned()]),
        )
        .send()
        .await?;
    println!("created {}", video.video_id);

    // 2. The file, streamed from disk: in one request up to the chunk size
    //    (50 MiB by default), in chunks above it. Progress comes as bytes
    //    go out.
    client
        .upload_video()
        .video_id(&video.video_id)
        .file(path)
        .on_progress(|p| {
            let total = p.total_bytes.unwrap_or(0).max(1);
            println!("  {:>3}% (part {})", p.bytes_sent * 100 / total, p.part);
        })
        .send()
        .await?;

    // 3. The API encodes the file: poll until a first quality can be played.
    client
        .wait_until_playable(&video.video_id, Duration::from_secs(600))
        .await?;

    // The video now has its asset URLs.
    let video = client.get_video().video_id(&video.video_id).send().await?;
    if let Some(player) = video.assets.as_ref().map(|a| &a.player) {
        println!("watch it at {player}");
    }
    Ok(video)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The API when APIVIDEO_API_KEY is set, else an emulator in this process.
    let (client, _emulator) = apivideo::testing::from_env_or_emulator().await?;

    let dir = tempfile::tempdir()?;
    let path = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None => {
            let path = dir.path().join("sample.mp4");
            std::fs::write(&path, vec![0x42; 12 * 1024 * 1024])?;
            path
        }
    };
    run(&client, "Uploaded by the upload example", &path).await?;
    Ok(())
}
