//! Webhook delivery: every registered webhook of the project that
//! subscribes to an event receives a POST of the event as JSON, in the
//! background, never blocking the API request that caused it.
//!
//! The body is the event's `payload` object with `type` (the event name) and
//! `emittedAt` (RFC 3339) added when it does not carry them, e.g.
//! `{"type": "video.encoding.quality.completed", "emittedAt": "…",
//! "videoId": "vi…", "encoding": "hls", "quality": "720p"}`. It is
//! serialized once; every attempt sends the same bytes, signed as the API
//! signs them: `X-Api-Video-WebhookID` names the webhook and
//! `X-Api-Video-Signature` is the HMAC-SHA256 of the body bytes keyed with
//! the webhook's `signatureSecret`, as 64 lowercase hex digits.
//!
//! As in the API, an answer above 299, or none, fails the attempt, and a
//! failed delivery is retried 3 times, `webhook_retry_delay` apart (3 s by
//! default). A 1xx or 2xx answer ends it. A redirect is an answer above
//! 299: it is not followed. At most [`MAX_IN_FLIGHT`] POSTs are in flight at
//! once; the others wait their turn. A URL whose host is refused (see
//! [`crate::webhook_guard`]) fails every attempt without a connection.
//!
//! Counters: `webhook.attempts` (each POST), `webhook.delivered` (answered
//! below 300), `webhook.failed` (no such answer after every attempt),
//! `webhook.waiting` (an attempt that waited for a place in flight). Logs
//! name the webhook and event, never the URL, headers, secret or payload.

use std::time::Duration;

use apivideo_raw::types::Webhook;
use serde_json::Value;

use crate::db::Kind;
use crate::state::AppState;

/// POSTs per event and webhook before giving up: the first and 3 retries.
const ATTEMPTS: u32 = 4;
/// The most webhook POSTs in flight at once, over every project.
pub(crate) const MAX_IN_FLIGHT: usize = 32;
/// How long one POST may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Queues `event` (e.g. `video.encoding.quality.completed`) with `payload`
/// for delivery to the project's webhooks that subscribe to it. Returns at
/// once, with the number of deliveries queued.
pub(crate) fn emit(
    state: &AppState,
    project: &str,
    event: &str,
    payload: serde_json::Value,
) -> usize {
    let hooks: Vec<Webhook> = match state.db.list(project, Kind::Webhook, None) {
        Ok(hooks) => hooks,
        Err(error) => {
            tracing::error!(%error, event, "webhooks cannot be read; event not delivered");
            return 0;
        }
    };
    let body = bytes::Bytes::from(envelope(event, payload, state.now()).to_string());
    let mut queued = 0;
    for hook in hooks {
        if !hook.events.iter().any(|e| e.to_string() == event) {
            continue;
        }
        let Some(secret) = hook.signature_secret else {
            continue;
        };
        let (id, url) = (hook.webhook_id, hook.url);
        let target = Target {
            project: project.to_owned(),
            signature: signature(&secret, &body),
            webhook_id: id,
            url,
            event: event.to_owned(),
        };
        state.spawn(deliver(state.clone(), target, body.clone()));
        queued += 1;
    }
    queued
}

/// The JSON body of an event emitted at `now`.
fn envelope(event: &str, payload: Value, now: chrono::DateTime<chrono::Utc>) -> Value {
    let mut object = match payload {
        Value::Object(object) => object,
        Value::Null => serde_json::Map::new(),
        other => {
            let mut object = serde_json::Map::new();
            object.insert("data".to_owned(), other);
            object
        }
    };
    object
        .entry("type")
        .or_insert_with(|| Value::String(event.to_owned()));
    object
        .entry("emittedAt")
        .or_insert_with(|| Value::String(now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)));
    Value::Object(object)
}

/// The `X-Api-Video-Signature` of `body` under `secret`: HMAC-SHA256 as 64
/// lowercase hex digits.
pub(crate) fn signature(secret: &str, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where one delivery goes, and its signature.
#[derive(Clone)]
struct Target {
    /// The project whose webhook this is.
    project: String,
    webhook_id: String,
    url: String,
    event: String,
    signature: String,
}

/// POSTs `body` until an answer below 300 or `ATTEMPTS` tries.
async fn deliver(state: AppState, target: Target, body: bytes::Bytes) {
    for attempt in 1..=ATTEMPTS {
        state.counters.event("webhook.attempts", &target.project);
        match post(&state, &target, body.clone()).await {
            Ok(status) if status.as_u16() < 300 => {
                state.counters.event("webhook.delivered", &target.project);
                tracing::info!(webhook = %target.webhook_id, event = %target.event, attempt, status = status.as_u16(), "webhook delivered");
                return;
            }
            Ok(status) => {
                tracing::warn!(webhook = %target.webhook_id, event = %target.event, attempt, status = status.as_u16(), "webhook answered with an error");
            }
            Err(error) => {
                // Without the URL, which may carry a secret.
                let error = match error {
                    PostError::Http(error) => error.without_url().to_string(),
                    other => other.to_string(),
                };
                tracing::warn!(webhook = %target.webhook_id, event = %target.event, attempt, %error, "webhook unreachable");
            }
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(state.config.webhook_retry_delay).await;
        }
    }
    state.counters.event("webhook.failed", &target.project);
    tracing::warn!(webhook = %target.webhook_id, event = %target.event, "webhook delivery failed");
}

/// Why an attempt failed without an answer.
#[derive(Debug, thiserror::Error)]
enum PostError {
    #[error("{0}")]
    Refused(&'static str),
    #[error("the delivery queue is closed")]
    Closed,
    #[error(transparent)]
    Http(#[from] reqwest::Error),
}

async fn post(
    state: &AppState,
    target: &Target,
    body: bytes::Bytes,
) -> Result<reqwest::StatusCode, PostError> {
    // Names are checked as they resolve; IP literals, which are not
    // resolved, here.
    let url = reqwest::Url::parse(&target.url)
        .map_err(|_| PostError::Refused("the webhook URL does not parse"))?;
    state
        .config
        .webhook_targets
        .check_url(&url)
        .map_err(PostError::Refused)?;
    let _permit = match state.deliveries.try_acquire() {
        Ok(permit) => permit,
        Err(_) => {
            state.counters.event("webhook.waiting", &target.project);
            state
                .deliveries
                .acquire()
                .await
                .map_err(|_| PostError::Closed)?
        }
    };
    let response = state
        .http
        .post(url)
        .timeout(TIMEOUT)
        .header("user-agent", "api.video webhook")
        .header("content-type", "application/json")
        .header("x-api-video-webhookid", &target.webhook_id)
        .header("x-api-video-signature", &target.signature)
        .body(body)
        .send()
        .await?;
    Ok(response.status())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::routing::post;

    use super::*;
    use crate::config::Config;
    use crate::db::Db;
    use crate::media::MediaStore;

    #[test]
    fn envelope_adds_type_and_time() {
        let body = envelope(
            "video.encoding.quality.completed",
            serde_json::json!({"videoId": "vi1"}),
            chrono::Utc::now(),
        );
        assert_eq!(body["type"], "video.encoding.quality.completed");
        assert_eq!(body["videoId"], "vi1");
        let at = body["emittedAt"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok());
        let kept = envelope(
            "e",
            serde_json::json!({"type": "x", "emittedAt": "t"}),
            chrono::Utc::now(),
        );
        assert_eq!(
            (kept["type"].as_str(), kept["emittedAt"].as_str()),
            (Some("x"), Some("t"))
        );
    }

    /// One delivery as the test receiver saw it.
    #[derive(Clone, Debug)]
    struct Seen {
        webhook_id: String,
        signature: String,
        body: bytes::Bytes,
    }

    /// What the test receiver keeps: deliveries seen, statuses still to
    /// answer.
    type Receiver = (Arc<Mutex<Vec<Seen>>>, Arc<Mutex<std::vec::IntoIter<u16>>>);

    async fn record(
        State((seen, statuses)): State<Receiver>,
        headers: axum::http::HeaderMap,
        body: bytes::Bytes,
    ) -> StatusCode {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        seen.lock().unwrap().push(Seen {
            webhook_id: header("x-api-video-webhookid"),
            signature: header("x-api-video-signature"),
            body,
        });
        let code = statuses.lock().unwrap().next().unwrap_or(200);
        StatusCode::from_u16(code).unwrap()
    }

    /// A receiver that answers the given statuses in turn (then 200) and
    /// records every delivery.
    async fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Seen>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let statuses = Arc::new(Mutex::new(statuses.into_iter()));
        let app = Router::new()
            .route("/hook", post(record))
            .with_state((seen.clone(), statuses));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, seen)
    }

    fn state(dir: &std::path::Path) -> AppState {
        let db = Db::open(&dir.join("db.sqlite")).unwrap();
        AppState::new(
            Config::default().with_webhook_retry_delay(Duration::from_millis(1)),
            db,
            MediaStore::new(dir.join("media")),
            "http://emulator".into(),
        )
        .unwrap()
    }

    fn register(state: &AppState, project: &str, id: &str, url: &str, events: &[&str]) {
        let hook = Webhook {
            webhook_id: id.to_owned(),
            url: url.to_owned(),
            events: events.iter().map(|e| e.parse().unwrap()).collect(),
            created_at: state.now(),
            signature_secret: Some(format!("sig_sec_{id}")),
        };
        state
            .db
            .put(project, Kind::Webhook, id, None, &hook)
            .unwrap();
    }

    /// Waits until the counter `event` reaches `n`, woken by each change.
    async fn wait_for(state: &AppState, event: &str, n: u64) {
        tokio::time::timeout(Duration::from_secs(60), async {
            while state.counters.snapshot().event(event) < n {
                tokio::task::yield_now().await;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{event} never reached {n}"));
    }

    const QUALITY: &str = "video.encoding.quality.completed";
    const STARTED: &str = "live-stream.broadcast.started";

    #[tokio::test]
    async fn delivers_signed_bodies_to_subscribed_webhooks_of_the_project_only() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path());
        let (url, seen) = receiver(vec![]).await;
        register(&state, "p1", "webhook_a", &url, &[QUALITY]);
        register(&state, "p1", "webhook_b", &url, &[STARTED]);
        register(&state, "p2", "webhook_c", &url, &[QUALITY]);
        let payload = serde_json::json!({"videoId": "vi1", "encoding": "hls", "quality": "720p"});
        assert_eq!(
            emit(&state, "p1", QUALITY, payload),
            1,
            "one subscriber in p1"
        );
        wait_for(&state, "webhook.delivered", 1).await;
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1);
        let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
        assert_eq!(body["type"], QUALITY);
        assert_eq!(
            (body["videoId"].as_str(), body["quality"].as_str()),
            (Some("vi1"), Some("720p"))
        );
        assert_eq!(seen[0].webhook_id, "webhook_a");
        assert_eq!(
            seen[0].signature,
            signature("sig_sec_webhook_a", &seen[0].body)
        );
        assert_eq!(seen[0].signature.len(), 64);
    }

    /// RFC 4231, test case 2.
    #[test]
    fn signature_is_lowercase_hex_hmac_sha256() {
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[tokio::test]
    async fn failed_attempts_are_retried_three_times_with_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path());
        let (url, seen) = receiver(vec![500, 302]).await;
        register(&state, "p", "webhook_a", &url, &[STARTED]);
        emit(
            &state,
            "p",
            STARTED,
            serde_json::json!({"liveStreamId": "li1"}),
        );
        wait_for(&state, "webhook.delivered", 1).await;
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 3, "500 and 302 fail, 200 ends it");
        assert!(
            seen.iter()
                .all(|s| s.body == seen[0].body && s.signature == seen[0].signature)
        );
        assert_eq!(state.counters.snapshot().event("webhook.attempts"), 3);

        let (url, seen) = receiver(vec![500; 10]).await;
        register(&state, "p", "webhook_a", &url, &[STARTED]);
        emit(
            &state,
            "p",
            STARTED,
            serde_json::json!({"liveStreamId": "li1"}),
        );
        wait_for(&state, "webhook.failed", 1).await;
        assert_eq!(
            seen.lock().unwrap().len(),
            ATTEMPTS as usize,
            "the first and 3 retries"
        );
    }
}
