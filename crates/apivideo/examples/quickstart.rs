//! The quickstart: a realistic flow through the SDK, from a new video to
//! cleaning up.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Without `APIVIDEO_API_KEY` it starts the local emulator in-process, so it
//! needs no account and no network. With `APIVIDEO_API_KEY` set it talks to
//! the real service (production, or `APIVIDEO_BASE_URL` if given, e.g.
//! `https://sandbox.api.video`).

use std::io::Write;
use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::{Metadata, VideoCreationPayload, VideoThumbnailPickPayload};
use apivideo::{Client, Config, MediaFile};
use futures::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};

/// Size of the generated test video.
const SOURCE_BYTES: u64 = 120 * 1024 * 1024;

const CAPTIONS: &str = "WEBVTT

00:00:00.000 --> 00:00:04.000
Welcome to the quickstart.

00:00:04.000 --> 00:00:08.000
This video was uploaded in chunks.
";

const CHAPTERS: &str = "WEBVTT

00:00:00.000 --> 00:00:04.000
Introduction

00:00:04.000 --> 00:00:08.000
Uploading
";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the emulator alive for the whole run when there is one.
    let (client, _emulator) = connect().await?;
    run(&client, SOURCE_BYTES).await
}

/// The tour, with a generated source of `source_bytes` bytes.
pub async fn run(client: &Client, source_bytes: u64) -> Result<(), Box<dyn std::error::Error>> {
    let tag = format!("quickstart-{}", std::process::id());

    println!("1. Creating a video tagged `{tag}` with metadata…");
    let video = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Quickstart video")
                .description("Uploaded by the apivideo Rust SDK quickstart.")
                .tags(vec![tag.clone(), "rust".to_owned()])
                .metadata(vec![Metadata::new("source", "quickstart")]),
        )
        .send()
        .await?;
    println!("   created {} ({})", video.video_id, video.title);

    println!(
        "2. Generating a {} MiB test file and uploading it in chunks…",
        source_bytes / (1024 * 1024)
    );
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("quickstart.mp4");
    write_test_file(&path, source_bytes)?;
    let bar = ProgressBar::new(source_bytes);
    bar.set_style(
        ProgressStyle::with_template(
            "   [{bar:40}] {bytes}/{total_bytes} {binary_bytes_per_sec} part {msg}",
        )?
        .progress_chars("=> "),
    );
    let progress = bar.clone();
    client
        .upload_video()
        .video_id(&video.video_id)
        .file(&path)
        .on_progress(move |p| {
            progress.set_position(p.bytes_sent);
            progress.set_message(format!("{}/{}", p.part, p.parts.unwrap_or(0)));
        })
        .send()
        .await?;
    bar.finish();
    println!(
        "   uploaded in {} chunk(s) of {} MiB",
        source_bytes.div_ceil(client.config().chunk_size()),
        client.config().chunk_size() / (1024 * 1024)
    );

    println!("3. Waiting until the video is playable…");
    client
        .wait_until_playable(&video.video_id, Duration::from_secs(600))
        .await?;
    println!("   playable");

    println!("4. Adding English captions and chapters…");
    let caption = client
        .upload_caption()
        .video_id(&video.video_id)
        .language("en")
        .file(MediaFile::from_bytes("en.vtt", CAPTIONS))
        .send()
        .await?;
    let chapter = client
        .upload_chapter()
        .video_id(&video.video_id)
        .language("en")
        .file(MediaFile::from_bytes("en.vtt", CHAPTERS))
        .send()
        .await?;
    println!("   caption {} and chapters {}", caption.src, chapter.src);

    println!("5. Picking the thumbnail at 00:00:02…");
    client
        .pick_video_thumbnail()
        .video_id(&video.video_id)
        .body(VideoThumbnailPickPayload::builder().timecode("00:00:02.00"))
        .send()
        .await?;

    println!("6. Listing videos tagged `{tag}` as a stream…");
    let tagged: Vec<_> = client
        .list_videos()
        .tag(tag.as_str())
        .stream()
        .try_collect()
        .await?;
    for v in &tagged {
        println!("   {} {}", v.video_id, v.title);
    }

    println!("7. Asset URLs:");
    let video = client.get_video().video_id(&video.video_id).send().await?;
    if let Some(assets) = &video.assets {
        for (name, url) in [
            ("player", Some(assets.player.as_str())),
            ("hls", Some(assets.hls.as_str())),
            ("mp4", assets.mp4.as_deref()),
            ("thumbnail", Some(assets.thumbnail.as_str())),
        ] {
            println!("   {name:<9} {}", url.unwrap_or("-"));
        }
    }

    println!("8. Cleaning up…");
    client
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await?;
    println!("   deleted {}. Done.", video.video_id);
    Ok(())
}

/// A client for the real API when `APIVIDEO_API_KEY` is set, otherwise for
/// an emulator started here.
async fn connect()
-> Result<(Client, Option<apivideo_emulator::Emulator>), Box<dyn std::error::Error>> {
    if std::env::var("APIVIDEO_API_KEY").is_ok_and(|k| !k.trim().is_empty()) {
        let client = Client::from_env()?;
        println!("Using the API at {}", client.config().base_url());
        return Ok((client, None));
    }
    let emulator = apivideo_emulator::Emulator::start(
        apivideo_emulator::Config::default().with_encoding_delay(Duration::from_millis(500)),
    )
    .await?;
    println!(
        "APIVIDEO_API_KEY is not set: using the local emulator at {}",
        emulator.base_url()
    );
    let client =
        Client::with_config(Config::new(emulator.base_url()).with_api_key(emulator.api_key()))?;
    Ok((client, Some(emulator)))
}

/// Writes `len` bytes of varied, repeatable content.
fn write_test_file(path: &std::path::Path, len: u64) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut block = vec![0u8; 1024 * 1024];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut written = 0;
    while written < len {
        for b in block.iter_mut() {
            x ^= x << 7;
            x ^= x >> 9;
            *b = x as u8;
        }
        let n = block.len().min((len - written) as usize);
        out.write_all(&block[..n])?;
        written += n as u64;
    }
    out.flush()
}
