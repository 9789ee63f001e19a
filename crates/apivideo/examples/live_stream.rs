//! A live stream from start to end: create it, broadcast to it, end the
//! broadcast, and find its recording, a video like any other.
//!
//! ```sh
//! cargo run --example live_stream
//! ```
//!
//! With `APIVIDEO_API_KEY` set it talks to the API and waits for you to
//! broadcast with an encoder (OBS, ffmpeg) to the RTMP address it prints.
//! Without, it runs against the emulator, started in-process, which plays
//! the encoder itself.

use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::{LiveStream, LiveStreamCreationPayload, Video};
use futures::TryStreamExt;

/// How long to wait for each step before giving up.
const PATIENCE: Duration = Duration::from_secs(600);

/// Creates a recorded, public live stream and says where to broadcast.
pub async fn create(client: &Client, name: &str) -> apivideo::Result<LiveStream> {
    let stream = client
        .create_live_stream()
        .body(
            LiveStreamCreationPayload::builder()
                .name(name)
                .record(true)
                .public(true),
        )
        .send()
        .await?;
    println!(
        "broadcast to rtmp://broadcast.api.video/s with stream key {}",
        stream.stream_key
    );
    Ok(stream)
}

/// Waits for the broadcast to start, ends it, and returns the video it was
/// recorded as, once that can be played. Deletes the live stream.
pub async fn run(client: &Client, stream: &LiveStream) -> apivideo::Result<Video> {
    let id = stream.live_stream_id.as_str();
    poll_until(|| async {
        let live = client.get_live_stream().live_stream_id(id).send().await?;
        Ok(live.broadcasting.then_some(()))
    })
    .await?;
    println!("{id} is on air");

    // Ends the broadcast within seconds, even if the encoder goes on.
    client
        .complete_live_stream()
        .live_stream_id(id)
        .send()
        .await?;

    // The recording: a new video whose source is this live stream.
    let recording = poll_until(|| async {
        let videos: Vec<Video> = client
            .list_videos()
            .live_stream_id(id)
            .stream()
            .try_collect()
            .await?;
        Ok(videos.into_iter().next())
    })
    .await?;
    client
        .wait_until_playable(&recording.video_id, PATIENCE)
        .await?;
    println!("recorded as {}", recording.video_id);

    client
        .delete_live_stream()
        .live_stream_id(id)
        .send()
        .await?;
    Ok(recording)
}

/// Calls `check` every half second until it finds something, for at most
/// [`PATIENCE`].
async fn poll_until<T, Fut>(mut check: impl FnMut() -> Fut) -> apivideo::Result<T>
where
    Fut: Future<Output = apivideo::Result<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check().await? {
            return Ok(found);
        }
        if tokio::time::Instant::now() > deadline {
            return Err(apivideo::Error::Deadline(format!(
                "nothing after {PATIENCE:?}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The API when APIVIDEO_API_KEY is set, else an emulator in this process.
    let (client, emulator) = apivideo::testing::from_env_or_emulator().await?;

    let stream = create(&client, "Weekly stand-up").await?;
    if let Some(emulator) = &emulator {
        // The emulator takes no RTMP: it plays the encoder on request.
        emulator.broadcast(&stream.live_stream_id, true).await?;
    }
    let recording = run(&client, &stream).await?;
    client
        .delete_video()
        .video_id(&recording.video_id)
        .send()
        .await?;
    Ok(())
}
