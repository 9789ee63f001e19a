//! A webhook receiver: an axum service that accepts only deliveries signed
//! by api.video and reads each as a typed event.
//!
//! ```sh
//! cargo run --example webhook_receiver
//! ```
//!
//! Without `APIVIDEO_API_KEY` it starts the local emulator in-process,
//! subscribes to every event, drives a live stream through a broadcast
//! (started, completed, ended, recorded as a video that is then encoded),
//! prints the events as they arrive and exits. With `APIVIDEO_API_KEY` set
//! it serves `POST /webhooks` on `APIVIDEO_WEBHOOK_LISTEN` (default
//! `127.0.0.1:8000`) until Ctrl-C; register its public URL with
//! `create_webhook` and every delivery is checked against the secret of the
//! webhook it names.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use apivideo::prelude::*;
use apivideo::testing::TestEmulator;
use apivideo::types::{LiveStreamCreationPayload, WebhookEvent, WebhooksCreationPayload};
use apivideo::webhooks::{Event, Secrets, Verified};
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use tokio::sync::mpsc;

/// What the handler needs: the secrets, and where to hand events on.
#[derive(Clone)]
struct AppState {
    secrets: Arc<Secrets>,
    events: mpsc::UnboundedSender<Event>,
}

// `Verified` finds the secrets in the state through `FromRef`.
impl FromRef<AppState> for Arc<Secrets> {
    fn from_ref(state: &AppState) -> Self {
        state.secrets.clone()
    }
}

/// Runs only for a delivery whose signature matches; anything else was
/// already answered with a 401 by the extractor.
async fn receive(State(state): State<AppState>, Verified(event): Verified) -> StatusCode {
    match &event {
        Event::VideoEncodingQualityCompleted(e) => {
            println!(
                "video {} can be played in {} {}",
                e.video_id, e.encoding, e.quality
            );
        }
        Event::LiveStreamBroadcastStarted(e) => {
            println!("live stream {} is on air", e.live_stream_id)
        }
        Event::LiveStreamBroadcastEnded(e) => {
            println!("live stream {} went off air", e.live_stream_id)
        }
        Event::VideoSourceRecorded(e) => {
            println!(
                "live stream {} was recorded as video {}",
                e.live_stream_id, e.video_id
            );
        }
        Event::VideoCaptionGenerated(e) => println!("captions {} are ready", e.caption_id),
        Event::VideoSummaryGenerated(e) => println!("summary {} is ready", e.summary_id),
        // Events added to the API after this version still arrive here.
        other => println!("{} (not known to this version)", other.event_type()),
    }
    // A 2xx tells api.video not to send it again.
    let _ = state.events.send(event);
    StatusCode::NO_CONTENT
}

/// The receiver: a router serving `POST /webhooks`, whose verified events
/// come out of the returned channel.
pub fn receiver(client: &Client) -> (axum::Router, mpsc::UnboundedReceiver<Event>) {
    let (tx, events) = mpsc::unbounded_channel();
    let state = AppState {
        secrets: Arc::new(Secrets::new(client.clone())),
        events: tx,
    };
    let app = axum::Router::new()
        .route("/webhooks", post(receive))
        .with_state(state);
    (app, events)
}

/// The emulator's tour: subscribes `url` to every event, broadcasts on a
/// new live stream, and returns the events received until the recording of
/// the broadcast can be played.
pub async fn tour(
    client: &Client,
    emulator: &TestEmulator,
    url: &str,
    events: &mut mpsc::UnboundedReceiver<Event>,
) -> Result<Vec<Event>, Box<dyn std::error::Error>> {
    client
        .create_webhook()
        .body(WebhooksCreationPayload {
            events: vec![
                WebhookEvent::LiveStreamBroadcastStarted,
                WebhookEvent::LiveStreamBroadcastEnded,
                WebhookEvent::VideoSourceRecorded,
                WebhookEvent::VideoEncodingQualityCompleted,
            ],
            url: url.to_owned(),
        })
        .send()
        .await?;
    let stream = client
        .create_live_stream()
        .body(LiveStreamCreationPayload::builder().name("webhook tour"))
        .send()
        .await?;
    // The emulator takes no RTMP: it plays the encoder on request.
    emulator.broadcast(&stream.live_stream_id, true).await?;
    client
        .complete_live_stream()
        .live_stream_id(&stream.live_stream_id)
        .send()
        .await?;

    // Until the recording can be played. Deliveries may arrive in any
    // order, so both facts are kept as they come.
    let mut seen = Vec::new();
    let mut recording = None;
    let mut playable = HashSet::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(60), events.recv())
            .await?
            .ok_or("the receiver stopped")?;
        match &event {
            Event::VideoSourceRecorded(e) => recording = Some(e.video_id.clone()),
            Event::VideoEncodingQualityCompleted(e) => {
                playable.insert(e.video_id.clone());
            }
            _ => {}
        }
        seen.push(event);
        if recording.as_ref().is_some_and(|id| playable.contains(id)) {
            return Ok(seen);
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The API when APIVIDEO_API_KEY is set, else an emulator in this process.
    let (client, emulator) = apivideo::testing::from_env_or_emulator().await?;

    let (app, mut events) = receiver(&client);
    let listen = match emulator {
        None => {
            std::env::var("APIVIDEO_WEBHOOK_LISTEN").unwrap_or_else(|_| "127.0.0.1:8000".into())
        }
        Some(_) => "127.0.0.1:0".into(),
    };
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let url = format!("http://{}/webhooks", listener.local_addr()?);
    println!("receiving webhooks at {url}");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let Some(emulator) = emulator else {
        println!("register this service's public URL with create_webhook; Ctrl-C stops it");
        tokio::signal::ctrl_c().await?;
        return Ok(());
    };
    tour(&client, &emulator, &url, &mut events).await?;
    server.abort();
    println!("done");
    Ok(())
}
