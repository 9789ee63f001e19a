//! The player collector (`/collector`), which the player page reports to
//! without a credential: a session reported over plain HTTP shows up in the
//! analytics and `/data` metrics of the video's project and of no other,
//! and every report the collector must not take gets a 4xx problem.
//! (`tests/browser.rs` plays a real video in a real browser.)

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, TestEnv};
use crate::support::create_video;
use crate::uploads::send_chunk;

const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0";

/// A video of the project of `key-a` whose source was uploaded.
async fn uploaded_video(env: &TestEnv) -> String {
    let id = create_video(env, "key-a", "Played").await;
    let answer = send_chunk(env, "key-a", &id, None, b"not really an mp4").await;
    assert!(answer.status().is_success(), "{}", answer.status());
    id
}

/// POSTs `body` as JSON to the collector, without any credential.
async fn collect(env: &TestEnv, path: &str, body: &Value) -> (StatusCode, Value) {
    let answer = env
        .http
        .post(env.url(path))
        .header("user-agent", FIREFOX)
        .json(body)
        .send()
        .await
        .expect("an answer");
    let status = answer.status();
    (status, answer.json().await.unwrap_or(Value::Null))
}

async fn open(env: &TestEnv, video_id: &str) -> String {
    let (status, body) = collect(env, "/collector/sessions", &json!({"videoId": video_id})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["sessionId"].as_str().expect("a sessionId").to_owned()
}

fn events_path(session_id: &str) -> String {
    format!("/collector/sessions/{session_id}/events")
}

/// A metric of a project, by API key.
async fn metric(env: &TestEnv, key: &str, path: &str) -> Value {
    let answer = env
        .http
        .get(env.url(path))
        .header("authorization", common::basic(key))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), StatusCode::OK, "{path}");
    answer.json::<Value>().await.expect("JSON")["data"].clone()
}

/// Asserts a problem answer: its status and `type` ending.
fn refused(answer: (StatusCode, Value), status: StatusCode, kind: &str) -> Value {
    let (got, body) = answer;
    assert_eq!(got, status, "{body}");
    let type_ = body["type"].as_str().unwrap_or_default();
    assert!(type_.ends_with(kind), "type {type_} for {kind}: {body}");
    assert_eq!(body["status"], status.as_u16());
    body
}

#[tokio::test]
async fn a_reported_session_counts_in_its_own_project_only() {
    let env = common::start().await;
    let video = uploaded_video(&env).await;
    let session = open(&env, &video).await;
    let events = json!({"events": [
        {"type": "ready", "at": 0},
        {"type": "play", "at": 0},
        {"type": "pause", "at": 1.5, "watched": 1.5},
        {"type": "resume", "at": 1.5},
        {"type": "end", "at": 4.0, "watched": 2.5},
    ]});
    let (status, body) = collect(&env, &events_path(&session), &events).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"recorded": 5, "remaining": 995}));

    // The session, as the analytics list it for the video's project.
    let listed = metric(
        &env,
        "key-a",
        &format!("/analytics/videos/{video}?period=2020/2100"),
    )
    .await;
    let listed = listed.as_array().expect("sessions");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["session"]["sessionId"], session.as_str());
    assert_eq!(listed[0]["client"]["name"], "Firefox");
    assert_eq!(listed[0]["client"]["version"], "125.0");
    assert_eq!(listed[0]["os"]["name"], "Microsoft Windows");
    assert_eq!(listed[0]["device"]["type"], "desktop");
    let events = metric(
        &env,
        "key-a",
        &format!("/analytics/sessions/{session}/events"),
    )
    .await;
    let kinds: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["type"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["ready", "play", "pause", "resume", "end"]);
    assert_eq!(events[4]["at"], 4);

    // The metrics of the video's project; watch time is the played time.
    // The end is stamped from the played time, so it may lie a moment
    // ahead: the period runs to a minute from now.
    let to = (chrono::Utc::now() + chrono::Duration::minutes(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let period = format!("?to={}", urlencode(&to));
    for (path, expected) in [
        ("/data/metrics/impression/count", json!(1.0)),
        ("/data/metrics/play/count", json!(1.0)),
        ("/data/metrics/end/count", json!(1.0)),
        ("/data/metrics/watch-time/sum", json!(4.0)),
    ] {
        assert_eq!(
            metric(&env, "key-a", &format!("{path}{period}")).await,
            expected,
            "{path}"
        );
        // Nothing in the other project.
        assert_eq!(
            metric(&env, "key-b", &format!("{path}{period}")).await,
            json!(0.0),
            "{path} of key-b"
        );
    }
    let browsers = metric(
        &env,
        "key-a",
        &format!("/data/buckets/play/browser{period}"),
    )
    .await;
    assert_eq!(
        browsers,
        json!([{"dimensionValue": "firefox", "metricValue": 1.0}])
    );
    let systems = metric(
        &env,
        "key-a",
        &format!("/data/buckets/impression/operating-system{period}"),
    )
    .await;
    assert_eq!(
        systems,
        json!([{"dimensionValue": "windows", "metricValue": 1.0}])
    );
    // No geolocation in the emulator.
    let countries = metric(
        &env,
        "key-a",
        &format!("/data/buckets/play/country{period}"),
    )
    .await;
    assert_eq!(
        countries,
        json!([{"dimensionValue": "unknown", "metricValue": 1.0}])
    );
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn sessions_only_for_known_uploaded_videos() {
    let env = common::start().await;
    let unknown = collect(
        &env,
        "/collector/sessions",
        &json!({"videoId": "vi0000000000000000000000"}),
    )
    .await;
    let body = refused(unknown, StatusCode::NOT_FOUND, "resource-not-found");
    assert_eq!(body["name"], "videoId");

    let empty = create_video(&env, "key-a", "No source").await;
    let not_uploaded = collect(&env, "/collector/sessions", &json!({"videoId": empty})).await;
    refused(not_uploaded, StatusCode::NOT_FOUND, "resource-not-found");

    // A deleted video takes no more events: its sessions went with it.
    let video = uploaded_video(&env).await;
    let session = open(&env, &video).await;
    let deleted = env
        .http
        .delete(env.url(&format!("/videos/{video}")))
        .header("authorization", common::basic("key-a"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let late = collect(
        &env,
        &events_path(&session),
        &json!({"events": [{"type": "play", "at": 0}]}),
    )
    .await;
    let body = refused(late, StatusCode::NOT_FOUND, "resource-not-found");
    assert_eq!(body["name"], "sessionId");
}

#[tokio::test]
async fn events_only_for_sessions_the_collector_opened() {
    let env = common::start().await;
    let video = uploaded_video(&env).await;
    let play = json!({"events": [{"type": "play", "at": 0}]});
    let unknown = collect(&env, &events_path("ps0000000000000000000000"), &play).await;
    let body = refused(unknown, StatusCode::NOT_FOUND, "resource-not-found");
    assert_eq!(body["name"], "sessionId");

    // A session recorded through the admin API is the project's own: the
    // collector does not add to it.
    let recorded = env
        .http
        .post(env.url("/_emulator/analytics/sessions"))
        .header("authorization", common::basic("key-a"))
        .json(&json!({"videoId": video}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(recorded.status(), StatusCode::CREATED);
    let recorded: Value = recorded.json().await.expect("JSON");
    let admin_session = recorded["sessionId"].as_str().expect("sessionId");
    let answer = collect(&env, &events_path(admin_session), &play).await;
    refused(answer, StatusCode::NOT_FOUND, "resource-not-found");
}

#[tokio::test]
async fn malformed_and_oversized_reports_are_refused() {
    let env = common::start().await;
    let video = uploaded_video(&env).await;
    let session = open(&env, &video).await;
    let path = events_path(&session);

    let not_json = env
        .http
        .post(env.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("events=play")
        .send()
        .await
        .expect("an answer");
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let broken = env
        .http
        .post(env.url(&path))
        .header("content-type", "application/json")
        .body("{\"events\": [")
        .send()
        .await
        .expect("an answer");
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);

    let cases = [
        (
            json!({"events": [{"type": "stop", "at": 0}]}),
            "events[0].type",
        ),
        (json!({"events": [{"type": "play"}]}), "events[0].at"),
        (
            json!({"events": [{"type": "play", "at": -1}]}),
            "events[0].at",
        ),
        (
            json!({"events": [{"type": "play", "at": 0, "watched": 3}]}),
            "events[0].watched",
        ),
        (
            json!({"events": [{"type": "seek.forward", "from": 1}]}),
            "events[0].to",
        ),
        (json!({"events": [], "project": "pr1"}), ""),
    ];
    for (body, name) in cases {
        let answer = collect(&env, &path, &body).await;
        let problem = refused(answer, StatusCode::BAD_REQUEST, "");
        assert!(
            problem["name"].as_str().unwrap_or_default().contains(name),
            "{body} → {problem}"
        );
    }
    let many: Vec<Value> = (0..65).map(|_| json!({"type": "ready", "at": 0})).collect();
    let answer = collect(&env, &path, &json!({"events": many})).await;
    let problem = refused(answer, StatusCode::BAD_REQUEST, "invalid-attribute");
    assert_eq!(problem["name"], "events");

    // Over 16 KiB: 413, whatever the body says.
    let huge = json!({"events": [], "padding": "x".repeat(20_000)});
    let answer = collect(&env, &path, &huge).await;
    refused(answer, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    let referrer = format!("https://example.com/{}", "a".repeat(2_048));
    let answer = collect(
        &env,
        "/collector/sessions",
        &json!({"videoId": video, "referrer": referrer}),
    )
    .await;
    let problem = refused(answer, StatusCode::BAD_REQUEST, "invalid-attribute");
    assert_eq!(problem["name"], "referrer");
    let answer = collect(
        &env,
        "/collector/sessions",
        &json!({"videoId": video, "referrer": "javascript:alert(1)"}),
    )
    .await;
    refused(answer, StatusCode::BAD_REQUEST, "invalid-attribute");

    // None of it was recorded.
    let events = metric(
        &env,
        "key-a",
        &format!("/analytics/sessions/{session}/events"),
    )
    .await;
    assert_eq!(events, json!([]));
}

#[tokio::test]
async fn a_session_records_a_bounded_number_of_events() {
    let env = common::start().await;
    let video = uploaded_video(&env).await;
    let session = open(&env, &video).await;
    let path = events_path(&session);
    let batch: Vec<Value> = (0..64).map(|_| json!({"type": "ready", "at": 0})).collect();
    let batch = json!({"events": batch});
    // 15 × 64 = 960, then 40 more make 1000.
    for _ in 0..15 {
        let (status, body) = collect(&env, &path, &batch).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let forty: Vec<Value> = (0..40).map(|_| json!({"type": "ready", "at": 0})).collect();
    let (status, body) = collect(&env, &path, &json!({"events": forty})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["remaining"], 0);
    let one_more = collect(&env, &path, &json!({"events": [{"type": "play", "at": 0}]})).await;
    let problem = refused(one_more, StatusCode::BAD_REQUEST, "too-many-events");
    assert_eq!(problem["name"], "events");
    assert_eq!(
        metric(&env, "key-a", "/data/metrics/play/count").await,
        json!(0.0)
    );
}

#[tokio::test]
async fn leaving_ends_the_session() {
    let env = common::start().await;
    let video = uploaded_video(&env).await;
    let session = open(&env, &video).await;
    let path = events_path(&session);
    // What `navigator.sendBeacon` sends: JSON as text/plain.
    let beacon = env
        .http
        .post(env.url(&path))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(r#"{"events":[{"type":"play","at":0}],"leave":true}"#)
        .send()
        .await
        .expect("an answer");
    assert_eq!(beacon.status(), StatusCode::OK);
    let listed = metric(
        &env,
        "key-a",
        &format!("/analytics/videos/{video}?period=2020/2100"),
    )
    .await;
    assert!(listed[0]["session"]["endedAt"].is_string(), "{listed}");
    let after = collect(&env, &path, &json!({"events": [{"type": "end", "at": 1}]})).await;
    let problem = refused(after, StatusCode::BAD_REQUEST, "session-ended");
    assert_eq!(problem["name"], "sessionId");
}

#[tokio::test]
async fn cross_origin_pages_may_report_and_faults_do_not_apply() {
    let env = common::start().await;
    let video = uploaded_video(&env).await;
    let preflight = env
        .http
        .request(reqwest::Method::OPTIONS, env.url("/collector/sessions"))
        .header("origin", "https://example.com")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("an answer");
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert_eq!(preflight.headers()["access-control-allow-methods"], "POST");

    // Every API request fails; the collector, like the assets, is not the API.
    let mut faults = env.emulator.faults();
    faults.error_rate = 1.0;
    env.emulator.set_faults(faults);
    let answer = env
        .http
        .post(env.url("/collector/sessions"))
        .json(&json!({"videoId": video}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), StatusCode::CREATED);
    assert_eq!(answer.headers()["access-control-allow-origin"], "*");
}
