//! The example of the README's section "Testing your code against the
//! emulator", as it is there (`first_hour` checks that the two agree), run.

use std::time::Duration;

use apivideo::prelude::*;
use apivideo::testing::{FaultSettings, TestEmulator};
use apivideo::types::{VideoCreationPayload, WebhookEvent};
use apivideo::webhooks::Event;

/// Your code: publishes a video from bytes.
async fn publish(client: &Client, title: &str, bytes: Vec<u8>) -> apivideo::Result<String> {
    let video = client
        .create_video()
        .body(VideoCreationPayload::builder().title(title))
        .send()
        .await?;
    let size = bytes.len() as u64;
    client
        .upload_video()
        .video_id(&video.video_id)
        .reader(std::io::Cursor::new(bytes), size)
        .send()
        .await?;
    Ok(video.video_id)
}

#[tokio::test]
async fn publishing_makes_a_playable_video() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = TestEmulator::start().await?;
    let hooks = emulator
        .capture_webhooks([WebhookEvent::VideoEncodingQualityCompleted])
        .await?;

    let video_id = publish(emulator.client(), "Maths", vec![7; 4096]).await?;

    // A signed webhook says the video can be played, and the API agrees.
    hooks
        .wait_for(
            Duration::from_secs(30),
            |e| matches!(e, Event::VideoEncodingQualityCompleted(q) if q.video_id == video_id),
        )
        .await?;
    let status = emulator
        .client()
        .get_video_status()
        .video_id(&video_id)
        .send()
        .await?;
    assert!(status.is_playable());
    Ok(())
}

#[tokio::test]
async fn an_outage_is_an_error_and_no_duplicate() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = TestEmulator::start().await?;
    let client = emulator.client();
    client.get_account().send().await?; // signed in before the outage

    // From now on, every request is answered 503 Service Unavailable.
    emulator.set_faults(FaultSettings {
        error_rate: 1.0,
        error_statuses: vec![503],
        ..FaultSettings::default()
    });
    let err = publish(client, "Maths", vec![7; 4096]).await.unwrap_err();

    // The create may or may not have happened: it was not sent twice.
    assert!(err.is_outcome_unknown());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(emulator.stats().requests_to("POST /videos"), 1);
    Ok(())
}
