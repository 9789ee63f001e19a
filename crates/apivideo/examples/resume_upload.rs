//! Finish an upload that was interrupted (a crash, a lost connection):
//! ask the API what it already has and send only the rest.
//!
//! ```sh
//! cargo run --example resume_upload
//! ```
//!
//! It starts uploading a generated 24 MiB file in 5 MiB chunks, stops once
//! the first chunk is in, as a crash would, then resumes. With
//! `APIVIDEO_API_KEY` set it talks to the API; without, to the emulator,
//! started in-process.

use std::path::Path;
use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::{Video, VideoCreationPayload};

/// Completes the upload of the file at `path` as the source of `video_id`,
/// however much of it an earlier attempt sent.
pub async fn run(client: &Client, video_id: &str, path: &Path) -> apivideo::Result<Video> {
    // What the API has: the byte ranges it received.
    let status = client.get_video_status().video_id(video_id).send().await?;
    let received: i64 = status
        .ingest
        .received_bytes
        .iter()
        .map(|range| range.to - range.from + 1)
        .sum();
    println!("the API has {received} bytes of {video_id}");

    // `resume()` asks the same question and sends only the missing bytes.
    // It needs the same file, and accepts any chunk size.
    client
        .upload_video()
        .video_id(video_id)
        .file(path)
        .resume()
        .on_progress(|p| println!("  {} of {:?} bytes", p.bytes_sent, p.total_bytes))
        .send()
        .await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The API when APIVIDEO_API_KEY is set, else an emulator in this process.
    let (client, _emulator) = apivideo::testing::from_env_or_emulator().await?;

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sample.mp4");
    std::fs::write(&path, vec![0x42; 24 * 1024 * 1024])?;
    let video = client
        .create_video()
        .body(VideoCreationPayload::builder().title("Resumed upload"))
        .send()
        .await?;

    // An upload in 5 MiB chunks that stops once part 2 starts: dropping
    // the upload's future is all it takes to interrupt it.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stop = std::sync::Mutex::new(Some(stop));
    let upload = client
        .upload_video()
        .video_id(&video.video_id)
        .file(&path)
        .chunk_size(5 * 1024 * 1024)
        .on_progress(move |p| {
            if p.part == 2
                && let Some(stop) = stop.lock().unwrap().take()
            {
                let _ = stop.send(());
            }
        })
        .send();
    tokio::select! {
        done = upload => { done?; }
        _ = stopped => println!("interrupted"),
    }

    let video = run(&client, &video.video_id, &path).await?;
    client
        .wait_until_playable(&video.video_id, Duration::from_secs(600))
        .await?;
    println!("{} is complete and playable", video.video_id);
    Ok(())
}
