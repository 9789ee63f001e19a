//! Webhooks end to end: an axum receiver built on `apivideo::webhooks`
//! subscribes to every event, the emulator is driven through each one, and
//! every delivery is verified by the SDK and by an HMAC-SHA256 written here
//! from its definition (RFC 2104), so that the format is pinned by code
//! that shares nothing with either side.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::{
    LiveStreamCreationPayload, VideoCreationPayload, WebhookEvent, WebhooksCreationPayload,
};
use apivideo::webhooks::{self, Event, Secrets, SigningSecret, Verified, WebhookError};
use apivideo::{Client, Error};
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::common;

/// HMAC-SHA256 from RFC 2104, on top of SHA-256 alone, as lowercase hex.
fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block_key.map(|k| k ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_independent_hmac_matches_rfc_4231_and_the_sdk() {
    // RFC 4231, test cases 2 and 6 (a key longer than a block).
    assert_eq!(
        hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    assert_eq!(
        hmac_sha256_hex(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        ),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
    let body = br#"{"type":"video.source.recorded","liveStreamId":"li1","videoId":"vi1"}"#;
    let secret = "sig_sec_Abcd12348RLP7VPLi7nYVh";
    assert_eq!(
        webhooks::sign(&SigningSecret::new(secret), body),
        hmac_sha256_hex(secret.as_bytes(), body)
    );
}

/// One delivery as the receiver got it, before any parsing.
#[derive(Debug, Clone)]
struct Raw {
    webhook_id: String,
    signature: String,
    body: bytes::Bytes,
}

#[derive(Clone)]
struct Receiver {
    secrets: Arc<Secrets>,
    raw: Arc<Mutex<Vec<Raw>>>,
    events: mpsc::UnboundedSender<Event>,
}

impl FromRef<Receiver> for Arc<Secrets> {
    fn from_ref(state: &Receiver) -> Self {
        state.secrets.clone()
    }
}

/// Keeps the raw delivery, then lets the SDK's extractor verify it.
async fn keep_raw(
    State(receiver): State<Receiver>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    receiver.raw.lock().unwrap().push(Raw {
        webhook_id: header("x-api-video-webhookid"),
        signature: header("x-api-video-signature"),
        body: body.clone(),
    });
    next.run(axum::extract::Request::from_parts(parts, body.into()))
        .await
}

async fn receive(State(receiver): State<Receiver>, Verified(event): Verified) -> StatusCode {
    receiver.events.send(event).unwrap();
    StatusCode::NO_CONTENT
}

/// Starts the receiver on 127.0.0.1:0: its URL, the raw deliveries, and
/// the verified events in order of arrival.
async fn start_receiver(
    client: Client,
) -> (
    String,
    Arc<Secrets>,
    Arc<Mutex<Vec<Raw>>>,
    mpsc::UnboundedReceiver<Event>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let receiver = Receiver {
        secrets: Arc::new(Secrets::new(client)),
        raw: Arc::default(),
        events: tx,
    };
    let app = axum::Router::new()
        .route("/hooks", post(receive))
        .layer(axum::middleware::from_fn_with_state(
            receiver.clone(),
            keep_raw,
        ))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receiver.secrets, receiver.raw, rx)
}

const ALL: [WebhookEvent; 6] = [
    WebhookEvent::VideoEncodingQualityCompleted,
    WebhookEvent::VideoSourceRecorded,
    WebhookEvent::VideoCaptionGenerated,
    WebhookEvent::VideoSummaryGenerated,
    WebhookEvent::LiveStreamBroadcastStarted,
    WebhookEvent::LiveStreamBroadcastEnded,
];

/// Waits for the next verified event; a minute without one fails the test.
async fn next(events: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(60), events.recv())
        .await
        .expect("an event within a minute")
        .expect("the receiver is running")
}

#[tokio::test]
async fn every_event_is_delivered_signed_and_decodes_to_its_variant() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let (url, _secrets, raw, mut events) = start_receiver(client.clone()).await;
    let hook = client
        .create_webhook()
        .body(WebhooksCreationPayload {
            events: ALL.to_vec(),
            url,
        })
        .send()
        .await
        .unwrap();
    let hook_id = hook.webhook_id.clone();
    let secret = hook.signature_secret.clone().unwrap();
    assert!(secret.starts_with("sig_sec_"), "{secret}");
    assert_eq!(hook.events.len(), 6);

    // A video uploaded and encoded: one event per quality and encoding,
    // then its transcript (a caption) and its summary.
    let video = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("webhooks")
                .transcript(true)
                .transcript_summary(true),
        )
        .send()
        .await
        .unwrap();
    client
        .upload_video()
        .video_id(&video.video_id)
        .reader(&[7u8; 4096][..], 4096)
        .send()
        .await
        .unwrap();
    let status = client
        .wait_until_playable(&video.video_id, Duration::from_secs(60))
        .await
        .unwrap();
    let renditions = status.encoding.qualities.len();
    assert!(renditions >= 2, "{renditions}");

    // A live stream: a broadcast starts, is completed, ends, and is recorded.
    let stream = client
        .create_live_stream()
        .body(LiveStreamCreationPayload::builder().name("webhooks"))
        .send()
        .await
        .unwrap();
    common::broadcast(&emulator, &stream.live_stream_id, true).await;
    client
        .complete_live_stream()
        .live_stream_id(&stream.live_stream_id)
        .send()
        .await
        .unwrap();

    // Until every expected event arrived: the uploaded video's qualities,
    // started, ended, recorded, and the recording's own qualities.
    let mut qualities: BTreeMap<String, usize> = BTreeMap::new();
    let (mut started, mut ended, mut recorded) = (false, false, None);
    let (mut captioned, mut summarised) = (false, false);
    while !(started
        && ended
        && captioned
        && summarised
        && recorded.is_some()
        && qualities.get(&video.video_id) == Some(&renditions)
        && recorded
            .as_ref()
            .is_some_and(|id| qualities.get(id) == Some(&renditions)))
    {
        match next(&mut events).await {
            Event::VideoEncodingQualityCompleted(e) => {
                assert_eq!(e.type_, "video.encoding.quality.completed");
                assert!(e.emitted_at.is_some());
                *qualities.entry(e.video_id).or_default() += 1;
            }
            Event::LiveStreamBroadcastStarted(e) => {
                assert_eq!(e.live_stream_id, stream.live_stream_id);
                started = true;
            }
            Event::LiveStreamBroadcastEnded(e) => {
                assert_eq!(e.live_stream_id, stream.live_stream_id);
                ended = true;
            }
            Event::VideoSourceRecorded(e) => {
                assert_eq!(e.live_stream_id, stream.live_stream_id);
                let recording = client
                    .get_video()
                    .video_id(&e.video_id)
                    .send()
                    .await
                    .unwrap();
                let source = recording.source.unwrap().live_stream.unwrap();
                assert_eq!(
                    source.live_stream_id.as_deref(),
                    Some(e.live_stream_id.as_str())
                );
                recorded = Some(e.video_id);
            }
            Event::VideoCaptionGenerated(e) => {
                assert_eq!(e.video_id, video.video_id);
                assert_eq!(e.language.as_deref(), Some("en"));
                assert_eq!(
                    e.generation_mode.map(|m| m.to_string()).as_deref(),
                    Some("transcript")
                );
                let caption = client
                    .get_caption()
                    .video_id(&video.video_id)
                    .language("en")
                    .send()
                    .await
                    .unwrap();
                assert!(caption.src.ends_with("/en.vtt"), "{caption:?}");
                captioned = true;
            }
            Event::VideoSummaryGenerated(e) => {
                assert_eq!(e.video_id, video.video_id);
                let source = client
                    .get_summary_source()
                    .summary_id(&e.summary_id)
                    .send()
                    .await
                    .unwrap();
                assert!(source.abstract_.is_some(), "{source:?}");
                summarised = true;
            }
            other => panic!("unexpected event {other:?}"),
        }
    }

    // Every delivery, raw: named for the webhook, signed with its secret as
    // computed here independently.
    let raw = raw.lock().unwrap().clone();
    assert!(raw.len() >= 5 + 2 * renditions, "{}", raw.len());
    for delivery in &raw {
        assert_eq!(delivery.webhook_id, hook_id);
        assert_eq!(
            delivery.signature,
            hmac_sha256_hex(secret.as_bytes(), &delivery.body)
        );
    }
    // No delivery was refused, so none was retried.
    assert_eq!(emulator.stats().event("webhook.failed"), 0);
    assert_eq!(emulator.stats().event("webhook.attempts"), raw.len() as u64);
}

#[tokio::test]
async fn deliveries_that_fail_the_check_are_refused() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let (url, secrets, _raw, mut events) = start_receiver(client.clone()).await;
    let mut hooks = Vec::new();
    for _ in 0..2 {
        hooks.push(
            client
                .create_webhook()
                .body(WebhooksCreationPayload {
                    events: vec![WebhookEvent::LiveStreamBroadcastStarted],
                    url: format!("{url}-unused"),
                })
                .send()
                .await
                .unwrap(),
        );
    }
    let (a, b) = (&hooks[0], &hooks[1]);
    let a_id = a.webhook_id.clone();
    let a_secret = SigningSecret::new(a.signature_secret.clone().unwrap());
    let b_secret = SigningSecret::new(b.signature_secret.clone().unwrap());
    let body = br#"{"type":"live-stream.broadcast.started","emittedAt":"2024-08-15T10:18:47+00:00","liveStreamId":"li1"}"#;

    let http = reqwest::Client::new();
    let send = |id: Option<&str>, signature: Option<String>, body: &'static [u8]| {
        let mut request = http.post(&url).body(body);
        if let Some(id) = id {
            request = request.header("x-api-video-webhookid", id);
        }
        if let Some(signature) = signature {
            request = request.header("x-api-video-signature", signature);
        }
        async move { request.send().await.unwrap().status() }
    };

    // Genuine: accepted.
    let good = webhooks::sign(&a_secret, body);
    assert_eq!(send(Some(&a_id), Some(good.clone()), body).await, 204);
    assert!(matches!(
        next(&mut events).await,
        Event::LiveStreamBroadcastStarted(_)
    ));

    // Tampered body, wrong secret, missing headers, a delivery signed for
    // webhook b replayed as a's, an unknown webhook: each refused with 401.
    let tampered: &[u8] = br#"{"type":"live-stream.broadcast.started","emittedAt":"2024-08-15T10:18:47+00:00","liveStreamId":"li2"}"#;
    let wrong = webhooks::sign(&SigningSecret::new("sig_sec_wrong"), body);
    let replayed = webhooks::sign(&b_secret, body);
    let refused = [
        (
            "tampered body",
            send(Some(&a_id), Some(good.clone()), tampered).await,
        ),
        ("wrong secret", send(Some(&a_id), Some(wrong), body).await),
        ("no signature", send(Some(&a_id), None, body).await),
        ("no webhook id", send(None, Some(good.clone()), body).await),
        (
            "replayed from b",
            send(Some(&a_id), Some(replayed), body).await,
        ),
        (
            "unknown webhook",
            send(Some("webhook_nope"), Some(good), body).await,
        ),
    ];
    for (case, status) in refused {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}");
    }
    assert!(
        events.try_recv().is_err(),
        "no refused delivery reached the handler"
    );

    // The same checks through the functions, with typed errors that never
    // show the secret.
    let mut headers = HeaderMap::new();
    headers.insert("x-api-video-webhookid", a_id.parse().unwrap());
    assert!(matches!(
        webhooks::verify(&headers, body, &a_secret),
        Err(WebhookError::MissingHeader(_))
    ));
    headers.insert(
        "x-api-video-signature",
        webhooks::sign(&b_secret, body).parse().unwrap(),
    );
    let refused = secrets.verify(&headers, body).await.unwrap_err();
    assert!(matches!(refused, WebhookError::BadSignature), "{refused:?}");
    let secret_text = a.signature_secret.clone().unwrap();
    for shown in [
        format!("{refused}"),
        format!("{refused:?}"),
        format!("{secrets:?}"),
    ] {
        assert!(!shown.contains(&secret_text), "{shown}");
    }
    // A signed body that is no event: 400.
    let junk: &[u8] = b"[1,2,3]";
    let status = send(Some(&a_id), Some(webhooks::sign(&a_secret, junk)), junk).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn subscribing_to_an_unknown_event_is_a_400() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let err = client
        .create_webhook()
        .body(WebhooksCreationPayload {
            // Not one of the six: the forward-compatible enum still sends it.
            events: vec![serde_json::from_value(serde_json::json!("video.deleted")).unwrap()],
            url: "https://example.com/hooks".into(),
        })
        .send()
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 400);
    let problem = api.problem.as_deref().unwrap();
    assert_eq!(problem.name.as_deref(), Some("events[0]"));
    assert!(
        problem
            .title
            .as_deref()
            .unwrap()
            .contains("video.encoding.quality.completed"),
        "{problem:?}"
    );
    let all = client
        .list_webhooks()
        .stream()
        .try_collect::<Vec<_>>()
        .await;
    assert!(all.unwrap().is_empty(), "nothing was stored");
}

#[tokio::test]
async fn wait_until_playable_returns_the_status_or_a_deadline_error() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let never = common::create_video(&client, "no source").await;
    let err = client
        .wait_until_playable(&never.video_id, Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Deadline(_)), "{err:?}");
    let err = client
        .wait_until_playable(common::UNKNOWN_VIDEO, Duration::from_secs(60))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err:?}");
}
