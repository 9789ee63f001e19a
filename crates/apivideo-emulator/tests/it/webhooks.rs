//! Webhooks: registration, listing by event, validation, tenant isolation,
//! and delivery to a real receiver (with retries) for live-stream
//! broadcasts and finished video encodings.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use apivideo_emulator::Config;
use apivideo_raw::prelude::*;
use apivideo_raw::types::{Webhook, WebhooksCreationPayload};
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, TestEnv, status};
use crate::support::{Form, api, create_live_stream, create_video, problem};

/// What the receiver saw.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) bodies: Vec<Value>,
    pub(crate) headers: Vec<axum::http::HeaderMap>,
}

/// Holds the receiver's answers while `false`.
type Gate = Arc<tokio::sync::watch::Sender<bool>>;

type Shared = (Arc<Mutex<Seen>>, Arc<Mutex<Vec<u16>>>, Gate);

async fn record(
    State((seen, statuses, gate)): State<Shared>,
    headers: axum::http::HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> StatusCode {
    // Errs only if the sender is gone, which it never is: the state holds it.
    let _ = gate.subscribe().wait_for(|open| *open).await;
    let mut seen = seen.lock().unwrap();
    seen.bodies.push(body);
    seen.headers.push(headers);
    let mut statuses = statuses.lock().unwrap();
    let code = if statuses.is_empty() {
        200
    } else {
        statuses.remove(0)
    };
    StatusCode::from_u16(code).unwrap()
}

/// A tiny server on 127.0.0.1:0 that records POSTs to `/hook` and answers
/// `statuses` in turn, then 200.
pub(crate) async fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Seen>>) {
    let (url, seen, gate) = gated_receiver(statuses).await;
    gate.send_replace(true);
    (url, seen)
}

/// Like [`receiver`], but it neither records nor answers a delivery until
/// the returned gate is set to `true`.
async fn gated_receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Seen>>, Gate) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let gate = Arc::new(tokio::sync::watch::Sender::new(false));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(record))
        .with_state((seen.clone(), Arc::new(Mutex::new(statuses)), gate.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen, gate)
}

pub(crate) async fn register(env: &TestEnv, url: &str, events: &[&str]) -> Webhook {
    env.raw
        .create_webhook()
        .body(WebhooksCreationPayload {
            events: events.iter().map(|e| e.parse().unwrap()).collect(),
            url: url.to_owned(),
        })
        .send()
        .await
        .expect("registered")
}

/// Waits until the emulator counted `n` of `event`; `within` (at least a
/// minute, so that a loaded machine does not fail the test) bounds the
/// wait.
pub(crate) async fn wait_for(env: &TestEnv, event: &str, n: u64, within: Duration) {
    let within = within.max(Duration::from_secs(60));
    let started = std::time::Instant::now();
    while env.emulator.stats().event(event) < n {
        assert!(
            started.elapsed() < within,
            "{event}: {} of {n} after {within:?}",
            env.emulator.stats().event(event)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn webhooks_are_registered_listed_and_deleted() {
    let env = common::start().await;
    let first = register(
        &env,
        "https://hooks.example.com/videos",
        &["video.encoding.quality.completed", "video.source.recorded"],
    )
    .await;
    let id = first.webhook_id.clone();
    assert!(id.starts_with("webhook_") && id.len() == 30, "{id}");
    assert_eq!(first.url, "https://hooks.example.com/videos");
    assert_eq!(first.events.len(), 2);
    let second = register(
        &env,
        "http://hooks.example.com/live",
        &["live-stream.broadcast.started"],
    )
    .await;

    let fetched = env.raw.get_webhook().webhook_id(&id).send().await.unwrap();
    assert_eq!(fetched, first);
    let all = env.raw.list_webhooks().send().await.unwrap();
    assert_eq!(all.data, [first.clone(), second.clone()]);
    let live = env
        .raw
        .list_webhooks()
        .events("live-stream.broadcast.started")
        .send()
        .await
        .unwrap();
    assert_eq!(live.data, std::slice::from_ref(&second));
    let none = env
        .raw
        .list_webhooks()
        .events("video.caption.generated")
        .send()
        .await
        .unwrap();
    assert!(none.data.is_empty());
    let page = env
        .raw
        .list_webhooks()
        .page_size(1)
        .current_page(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.data, [second]);
    let links = page.pagination.links;
    assert!(
        links
            .iter()
            .all(|l| { l.uri.starts_with(&env.url("/webhooks?")) })
    );
    let err = env
        .raw
        .list_webhooks()
        .current_page(3)
        .page_size(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(problem(err).1.name.as_deref(), Some("currentPage"));

    env.raw
        .delete_webhook()
        .webhook_id(&id)
        .send()
        .await
        .expect("deleted");
    let err = env
        .raw
        .get_webhook()
        .webhook_id(&id)
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (404, Some("webhookId")));
    let err = env
        .raw
        .delete_webhook()
        .webhook_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    assert_eq!(env.raw.list_webhooks().send().await.unwrap().data.len(), 1);
}

#[tokio::test]
async fn creation_is_validated() {
    let env = common::start().await;
    let post = |body: Value| {
        api(&env, reqwest::Method::POST, "/webhooks", "key-a")
            .json(&body)
            .send()
    };
    let answer = post(json!({})).await.unwrap();
    assert_eq!(answer.status(), 400);
    let p: Value = answer.json().await.unwrap();
    assert_eq!(p["name"], "events");
    assert_eq!(p["title"], "This attribute is required.");
    let names: Vec<_> = p["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["events", "url"]);
    for (body, name) in [
        (
            json!({"events": "video.encoding.quality.completed", "url": "https://h/x"}),
            "events",
        ),
        (json!({"events": [], "url": "https://h/x"}), "events"),
        (json!({"events": [""], "url": "https://h/x"}), "events[0]"),
        (json!({"events": [7], "url": "https://h/x"}), "events[0]"),
        (
            json!({"events": ["live-stream.broadcast.started", "video.deleted"], "url": "https://h/x"}),
            "events[1]",
        ),
        (
            json!({"events": ["live-stream.broadcast.started"], "url": "ftp://h/x"}),
            "url",
        ),
        (
            json!({"events": ["live-stream.broadcast.started"], "url": "not a url"}),
            "url",
        ),
        (
            json!({"events": ["live-stream.broadcast.started"], "url": 3}),
            "url",
        ),
        (json!({"events": ["live-stream.broadcast.started"]}), "url"),
    ] {
        let answer = post(body.clone()).await.unwrap();
        assert_eq!(answer.status(), 400, "{body}");
        let p: Value = answer.json().await.unwrap();
        assert_eq!(p["name"], name, "{body}");
    }
    let not_json = api(&env, reqwest::Method::POST, "/webhooks", "key-a")
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert!(
        env.raw
            .list_webhooks()
            .send()
            .await
            .unwrap()
            .data
            .is_empty()
    );
}

#[tokio::test]
async fn another_project_cannot_see_or_delete_a_webhook() {
    let env = common::start().await;
    let hook = register(&env, "https://h/x", &["live-stream.broadcast.started"]).await;
    let id = hook.webhook_id;
    let b = env.raw_for("key-b");
    assert!(b.list_webhooks().send().await.unwrap().data.is_empty());
    let get = b.get_webhook().webhook_id(&id).send().await.unwrap_err();
    assert_eq!(status(&get), Some(404));
    let delete = b.delete_webhook().webhook_id(&id).send().await.unwrap_err();
    assert_eq!(status(&delete), Some(404));
    assert!(env.raw.get_webhook().webhook_id(&id).send().await.is_ok());
}

/// Starts or ends a broadcast through the emulator's admin API.
pub(crate) async fn broadcast(
    env: &TestEnv,
    key: &str,
    live_stream_id: &str,
    on: bool,
) -> reqwest::Response {
    api(
        env,
        reqwest::Method::POST,
        &format!("/_emulator/live-streams/{live_stream_id}/broadcast"),
        key,
    )
    .json(&json!({ "broadcasting": on }))
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn broadcasts_are_delivered_to_subscribed_webhooks() {
    let env = common::start().await;
    let (started_url, started) = receiver(vec![]).await;
    let (ended_url, ended) = receiver(vec![]).await;
    let (other_url, other) = receiver(vec![]).await;
    let hook = register(&env, &started_url, &["live-stream.broadcast.started"]).await;
    register(&env, &ended_url, &["live-stream.broadcast.ended"]).await;
    // Another project's webhook for the same event hears nothing.
    env.raw_for("key-b")
        .create_webhook()
        .body(WebhooksCreationPayload {
            events: vec!["live-stream.broadcast.started".parse().unwrap()],
            url: other_url,
        })
        .send()
        .await
        .unwrap();
    let id = create_live_stream(&env, "key-a", "on air").await;

    let answer = broadcast(&env, "key-a", &id, true).await;
    assert_eq!(answer.status(), 200);
    let stream: Value = answer.json().await.unwrap();
    assert_eq!(stream["broadcasting"], true);
    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(5)).await;
    {
        let seen = started.lock().unwrap();
        assert_eq!(seen.bodies.len(), 1);
        let body = &seen.bodies[0];
        assert_eq!(body["type"], "live-stream.broadcast.started");
        assert_eq!(body["liveStreamId"], id.as_str());
        let at = body["emittedAt"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
        let headers = &seen.headers[0];
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        assert_eq!(headers["x-api-video-webhookid"], hook.webhook_id.as_str());
    }
    assert!(ended.lock().unwrap().bodies.is_empty());
    let fetched = env
        .raw
        .get_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .unwrap();
    assert!(fetched.broadcasting);

    // Saying it again changes nothing and sends nothing.
    broadcast(&env, "key-a", &id, true).await;
    broadcast(&env, "key-a", &id, false).await;
    wait_for(&env, "webhook.delivered", 2, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(started.lock().unwrap().bodies.len(), 1);
    {
        let ended = ended.lock().unwrap();
        assert_eq!(ended.bodies.len(), 1);
        assert_eq!(ended.bodies[0]["type"], "live-stream.broadcast.ended");
    }
    assert!(other.lock().unwrap().bodies.is_empty());
    assert_eq!(env.emulator.stats().event("webhook.delivered"), 2);

    let missing = broadcast(&env, "key-a", "linope", true).await;
    assert_eq!(missing.status(), 404);
    let foreign = broadcast(&env, "key-b", &id, false).await;
    assert_eq!(foreign.status(), 404);
}

#[tokio::test]
async fn failed_deliveries_are_retried_3_times_apart() {
    let delay = Duration::from_millis(100);
    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_api_key("key-b")
            .with_webhook_retry_delay(delay),
    )
    .await;
    let (url, seen, gate) = gated_receiver(vec![500, 500]).await;
    register(&env, &url, &["live-stream.broadcast.started"]).await;
    let id = create_live_stream(&env, "key-a", "on air").await;
    let started = std::time::Instant::now();
    // The API answer does not wait for the deliveries: it comes while the
    // receiver still holds the first one.
    let answer = tokio::time::timeout(Duration::from_secs(5), broadcast(&env, "key-a", &id, true))
        .await
        .expect("the API answers before the first delivery is answered");
    assert_eq!(answer.status(), 200);
    assert!(seen.lock().unwrap().bodies.is_empty());
    gate.send_replace(true);
    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(5)).await;
    // Two waits between three attempts.
    assert!(started.elapsed() >= 2 * delay);
    assert_eq!(seen.lock().unwrap().bodies.len(), 3);
    let stats = env.emulator.stats();
    assert_eq!(stats.event("webhook.attempts"), 3);
    assert_eq!(stats.event("webhook.failed"), 0);

    // A receiver that never answers below 300: the first attempt and 3
    // retries, then it fails.
    let (url, seen) = receiver(vec![503; 10]).await;
    let hook = register(&env, &url, &["live-stream.broadcast.ended"]).await;
    broadcast(&env, "key-a", &id, false).await;
    wait_for(&env, "webhook.failed", 1, Duration::from_secs(5)).await;
    assert_eq!(seen.lock().unwrap().bodies.len(), 4);
    env.raw
        .delete_webhook()
        .webhook_id(hook.webhook_id)
        .send()
        .await
        .unwrap();

    // An unreachable URL fails the same way, and the API stays responsive.
    // The port stays bound without listening, so connections are refused
    // and no other socket can take it before the test ends.
    let reserved = tokio::net::TcpSocket::new_v4().unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let closed = format!("http://{}/hook", reserved.local_addr().unwrap());
    register(&env, &closed, &["live-stream.broadcast.started"]).await;
    broadcast(&env, "key-a", &id, true).await;
    wait_for(&env, "webhook.failed", 2, Duration::from_secs(5)).await;
    drop(reserved);
}

#[tokio::test]
async fn finished_encodings_are_delivered() {
    let env = common::start().await;
    let (url, seen) = receiver(vec![]).await;
    register(&env, &url, &["video.encoding.quality.completed"]).await;
    let video = create_video(&env, "key-a", "encoded").await;
    let uploaded = Form::new()
        .file("file", "clip.mp4", "video/mp4", &[0u8; 2048])
        .post(&env, &format!("/videos/{video}/source"), "key-a")
        .await;
    assert_eq!(uploaded.status(), 201);
    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(10)).await;
    let seen = seen.lock().unwrap();
    let body = &seen.bodies[0];
    assert_eq!(body["type"], "video.encoding.quality.completed");
    assert_eq!(body["videoId"], video.as_str());
    assert!(
        body["encoding"].is_string() && body["quality"].is_string(),
        "{body}"
    );
    assert!(body["emittedAt"].is_string());
}

/// Creates a webhook as `key` from a JSON body: `(status, body)`.
async fn create_raw(env: &TestEnv, key: &str, url: &str) -> (u16, Value) {
    let answer = api(env, reqwest::Method::POST, "/webhooks", key)
        .json(&json!({"events": ["live-stream.broadcast.started"], "url": url}))
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

#[tokio::test]
async fn link_local_metadata_and_private_targets_are_refused() {
    let env = common::start().await;
    for url in [
        "http://169.254.169.254/latest/meta-data",
        "http://2852039166/latest/meta-data",
        "http://[fe80::1]/hook",
        "http://[::ffff:169.254.169.254]/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://10.0.0.1/hook",
        "http://192.168.1.20/hook",
        "http://[fd00::1]/hook",
    ] {
        let (status, problem) = create_raw(&env, "key-a", url).await;
        assert_eq!(status, 400, "{url}: {problem}");
        assert_eq!(problem["name"], "url", "{problem}");
    }
    let listed = env.raw.list_webhooks().send().await.unwrap();
    assert!(listed.data.is_empty(), "nothing was registered");
    // Loopback is allowed by default, for local receivers.
    let (status, _) = create_raw(&env, "key-a", "http://127.0.0.1:9/hook").await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn private_ranges_and_loopback_follow_the_configuration() {
    use apivideo_emulator::WebhookTargets;

    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_webhook_targets(WebhookTargets {
                allow_loopback: false,
                allow_private: true,
            }),
    )
    .await;
    let (status, _) = create_raw(&env, "key-a", "http://10.0.0.1/hook").await;
    assert_eq!(status, 201);
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://[::1]:9/hook",
        "http://169.254.169.254/",
    ] {
        let (status, problem) = create_raw(&env, "key-a", url).await;
        assert_eq!(status, 400, "{url}: {problem}");
    }
}

/// What the redirect target saw: any request, any method, any path.
async fn anything_receiver() -> (String, Arc<Mutex<u32>>) {
    let hits = Arc::new(Mutex::new(0_u32));
    let app = axum::Router::new()
        .fallback(|State(hits): State<Arc<Mutex<u32>>>| async move {
            *hits.lock().unwrap() += 1;
            StatusCode::OK
        })
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/elsewhere", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hits)
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_webhook_retry_delay(Duration::from_millis(10)),
    )
    .await;
    let (elsewhere, hits) = anything_receiver().await;
    for status in [302_u16, 307, 308] {
        let location = elsewhere.clone();
        let app = axum::Router::new().fallback(move || {
            let location = location.clone();
            async move {
                (
                    StatusCode::from_u16(status).unwrap(),
                    [("location", location)],
                )
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let hook = register(&env, &url, &["live-stream.broadcast.started"]).await;
        let id = create_live_stream(&env, "key-a", "on air").await;
        let failed = env.emulator.stats().event("webhook.failed");
        broadcast(&env, "key-a", &id, true).await;
        wait_for(&env, "webhook.failed", failed + 1, Duration::from_secs(5)).await;
        env.raw
            .delete_webhook()
            .webhook_id(hook.webhook_id)
            .send()
            .await
            .unwrap();
    }
    assert_eq!(*hits.lock().unwrap(), 0, "no redirect was followed");
    assert_eq!(env.emulator.stats().event("webhook.delivered"), 0);
}

/// Held requests in flight at a gated receiver, and the most at once.
type InFlight = (Arc<Mutex<(u32, u32)>>, Gate);

async fn held(State((counts, gate)): State<InFlight>) -> StatusCode {
    {
        let mut counts = counts.lock().unwrap();
        counts.0 += 1;
        counts.1 = counts.1.max(counts.0);
    }
    let _ = gate.subscribe().wait_for(|open| *open).await;
    counts.lock().unwrap().0 -= 1;
    StatusCode::OK
}

#[tokio::test]
async fn deliveries_in_flight_are_capped() {
    const HOOKS: u64 = 40;
    const CAP: u32 = 32;
    let env = common::start().await;
    let counts = Arc::new(Mutex::new((0_u32, 0_u32)));
    let gate: Gate = Arc::new(tokio::sync::watch::Sender::new(false));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(held))
        .with_state((counts.clone(), gate.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    for _ in 0..HOOKS {
        register(&env, &url, &["live-stream.broadcast.started"]).await;
    }
    let id = create_live_stream(&env, "key-a", "on air").await;
    broadcast(&env, "key-a", &id, true).await;
    // The cap's worth are held at the receiver, the rest wait for a place;
    // none of them can move on while the gate is shut.
    wait_for(
        &env,
        "webhook.waiting",
        HOOKS - u64::from(CAP),
        Duration::ZERO,
    )
    .await;
    while counts.lock().unwrap().0 < CAP {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(*counts.lock().unwrap(), (CAP, CAP));
    gate.send_replace(true);
    wait_for(&env, "webhook.delivered", HOOKS, Duration::ZERO).await;
    assert_eq!(
        counts.lock().unwrap().1,
        CAP,
        "never more than the cap at once"
    );
}
