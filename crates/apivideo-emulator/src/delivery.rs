//! Webhook delivery: every registered webhook of the project that
//! subscribes to an event receives a POST of the event as JSON, in the
//! background, with retries and exponential backoff, never blocking the API
//! request that caused it.
//!
//! The body is the event's `payload` object with `type` (the event name) and
//! `emittedAt` (RFC 3339) added when it does not carry them, e.g.
//! `{"type": "video.encoding.quality.completed", "emittedAt": "…",
//! "videoId": "vi…", "encoding": "hls", "quality": "720p"}`.
//!
//! Counters: `webhook.attempts` (each POST), `webhook.delivered` (answered
//! 2xx), `webhook.failed` (no 2xx after every attempt). Logs name the
//! webhook and event, never the URL, headers or payload.

use std::time::Duration;

use apivideo_raw::types::Webhook;
use serde_json::Value;

use crate::db::Kind;
use crate::state::AppState;

/// POSTs per event and webhook before giving up.
const ATTEMPTS: u32 = 4;
/// Wait before the first retry; doubled before each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// How long one POST may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Queues `event` (e.g. `video.encoding.quality.completed`) with `payload`
/// for delivery to the project's webhooks. Returns at once.
pub(crate) fn emit(state: &AppState, project: &str, event: &str, payload: serde_json::Value) {
    let hooks: Vec<Webhook> = match state.db.list(project, Kind::Webhook, None) {
        Ok(hooks) => hooks,
        Err(error) => {
            tracing::error!(%error, event, "webhooks cannot be read; event not delivered");
            return;
        }
    };
    let body = envelope(event, payload, state.now());
    for hook in hooks {
        if !hook.events.iter().any(|e| e == event) {
            continue;
        }
        let (Some(id), Some(url)) = (hook.webhook_id, hook.url) else {
            continue;
        };
        let target = Target {
            webhook_id: id,
            url,
            event: event.to_owned(),
        };
        state.spawn(deliver(state.clone(), target, body.clone()));
    }
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

/// Where one delivery goes.
#[derive(Debug, Clone)]
struct Target {
    webhook_id: String,
    url: String,
    event: String,
}

/// POSTs `body` until a 2xx answer or `ATTEMPTS` tries.
async fn deliver(state: AppState, target: Target, body: Value) {
    let mut backoff = FIRST_BACKOFF;
    for attempt in 1..=ATTEMPTS {
        state.counters.event("webhook.attempts");
        match post(&state, &target, &body).await {
            Ok(status) if status.is_success() => {
                state.counters.event("webhook.delivered");
                tracing::info!(webhook = %target.webhook_id, event = %target.event, attempt, status = status.as_u16(), "webhook delivered");
                return;
            }
            Ok(status) => {
                tracing::warn!(webhook = %target.webhook_id, event = %target.event, attempt, status = status.as_u16(), "webhook answered with an error");
            }
            Err(error) => {
                // Without the URL, which may carry a secret.
                let error = error.without_url();
                tracing::warn!(webhook = %target.webhook_id, event = %target.event, attempt, %error, "webhook unreachable");
            }
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
    }
    state.counters.event("webhook.failed");
    tracing::warn!(webhook = %target.webhook_id, event = %target.event, "webhook delivery failed");
}

async fn post(
    state: &AppState,
    target: &Target,
    body: &Value,
) -> Result<reqwest::StatusCode, reqwest::Error> {
    let response = state
        .http
        .post(&target.url)
        .timeout(TIMEOUT)
        .header("user-agent", "api.video webhook")
        .header("x-api-video-webhookid", &target.webhook_id)
        .json(body)
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

    /// What the test receiver keeps: bodies seen, statuses still to answer.
    type Receiver = (Arc<Mutex<Vec<Value>>>, Arc<Mutex<std::vec::IntoIter<u16>>>);

    async fn record(
        State((seen, statuses)): State<Receiver>,
        axum::Json(body): axum::Json<Value>,
    ) -> StatusCode {
        seen.lock().unwrap().push(body);
        let code = statuses.lock().unwrap().next().unwrap_or(200);
        StatusCode::from_u16(code).unwrap()
    }

    /// A receiver that answers the given statuses in turn (then 200) and
    /// records every body.
    async fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Value>>>) {
        let seen = Arc::new(Mutex::new(Vec::<Value>::new()));
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
            Config::default(),
            db,
            MediaStore::new(dir.join("media")),
            "http://emulator".into(),
        )
        .unwrap()
    }

    fn register(state: &AppState, project: &str, id: &str, url: &str, events: &[&str]) {
        let hook = Webhook {
            webhook_id: Some(id.to_owned()),
            url: Some(url.to_owned()),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            created_at: None,
            signature_secret: None,
        };
        state
            .db
            .put(project, Kind::Webhook, id, None, &hook)
            .unwrap();
    }

    async fn wait_for(state: &AppState, event: &str, n: u64) {
        for _ in 0..200 {
            if state.counters.snapshot().event(event) >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{event} never reached {n}");
    }

    #[tokio::test]
    async fn delivers_to_subscribed_webhooks_of_the_project_only() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path());
        let (url, seen) = receiver(vec![]).await;
        register(
            &state,
            "p1",
            "webhook_a",
            &url,
            &["video.encoding.quality.completed"],
        );
        register(
            &state,
            "p1",
            "webhook_b",
            &url,
            &["live-stream.broadcast.started"],
        );
        register(
            &state,
            "p2",
            "webhook_c",
            &url,
            &["video.encoding.quality.completed"],
        );
        emit(
            &state,
            "p1",
            "video.encoding.quality.completed",
            serde_json::json!({"videoId": "vi1", "encoding": "hls", "quality": "720p"}),
        );
        wait_for(&state, "webhook.delivered", 1).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0]["type"], "video.encoding.quality.completed");
        assert_eq!(seen[0]["videoId"], "vi1");
        assert_eq!(seen[0]["quality"], "720p");
    }

    #[tokio::test]
    async fn retries_with_backoff_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path());
        let (url, seen) = receiver(vec![500, 503]).await;
        register(&state, "p", "webhook_a", &url, &["e"]);
        emit(&state, "p", "e", Value::Null);
        wait_for(&state, "webhook.delivered", 1).await;
        assert_eq!(seen.lock().unwrap().len(), 3);
        assert_eq!(state.counters.snapshot().event("webhook.attempts"), 3);

        let (url, seen) = receiver(vec![500; 10]).await;
        register(&state, "p", "webhook_a", &url, &["e"]);
        let started = std::time::Instant::now();
        emit(&state, "p", "e", Value::Null);
        wait_for(&state, "webhook.failed", 1).await;
        assert_eq!(seen.lock().unwrap().len(), ATTEMPTS as usize);
        // 100 + 200 + 400 ms between the four attempts.
        assert!(started.elapsed() >= Duration::from_millis(700));
    }
}
