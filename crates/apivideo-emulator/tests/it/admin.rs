//! The admin routes that act on every project take the admin token alone:
//! an API key, as HTTP basic or through a token issued for it, gets 401
//! and changes nothing. The project routes under `/_emulator` still take
//! the project's credential, and the fault settings are bounded.

use apivideo_emulator::{Config, FaultSettings};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{self, TestEnv};
use crate::uploads;

/// The admin routes that act on every project, each with a body that
/// would change something if it were accepted.
fn global_routes() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::GET, "/_emulator/faults", None),
        (
            Method::PUT,
            "/_emulator/faults",
            Some(json!({"latencyMs": 60_000, "errorRate": 1.0})),
        ),
        (Method::GET, "/_emulator/stats", None),
        (Method::DELETE, "/_emulator/stats", None),
        (Method::DELETE, "/_emulator/tokens", None),
        (
            Method::POST,
            "/_emulator/clock/advance",
            Some(json!({"days": 1})),
        ),
    ]
}

async fn send(
    env: &TestEnv,
    method: Method,
    path: &str,
    authorization: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = env.http.request(method, env.url(path));
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let answer = request.send().await.expect("an answer");
    let status = answer.status().as_u16();
    let bytes = answer.bytes().await.expect("a body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON body")
    };
    (status, body)
}

/// An access token issued for `key`.
async fn access_token(env: &TestEnv, key: &str) -> String {
    let (status, token) = send(
        env,
        Method::POST,
        "/auth/api-key",
        None,
        Some(&json!({"apiKey": key})),
    )
    .await;
    assert_eq!(status, 200, "{token}");
    token["access_token"].as_str().expect("a token").to_owned()
}

#[tokio::test]
async fn an_api_key_never_opens_the_global_admin_routes() {
    let env = common::start().await;
    let token_a = access_token(&env, "key-a").await;
    let token_b = access_token(&env, "key-b").await;
    let credentials = [
        None,
        Some(common::basic("key-a")),
        Some(common::basic("key-b")),
        Some(format!("Bearer {token_a}")),
        Some(format!("Bearer {token_b}")),
        Some("Bearer not-the-admin-token".to_owned()),
        // The admin token is a bearer token, not an HTTP basic user.
        Some(common::basic(env.emulator.admin_token())),
    ];
    let before = env.emulator.stats().requests_to("POST /auth/api-key");
    for credential in &credentials {
        for (method, path, body) in global_routes() {
            let (status, problem) = send(
                &env,
                method.clone(),
                path,
                credential.as_deref(),
                body.as_ref(),
            )
            .await;
            assert_eq!(
                status, 401,
                "{method} {path} with {credential:?}: {problem}"
            );
            assert_eq!(problem["status"], 401, "{problem}");
        }
    }
    // Nothing changed: no faults, the clock where it was, the counters
    // kept, and both projects' tokens still valid.
    assert_eq!(env.emulator.faults(), FaultSettings::default());
    let (status, clock) = send(
        &env,
        Method::GET,
        "/_emulator/clock",
        Some(&common::basic("key-a")),
        None,
    )
    .await;
    assert_eq!((status, &clock["offsetMs"]), (200, &json!(0)));
    assert_eq!(
        env.emulator.stats().requests_to("POST /auth/api-key"),
        before
    );
    for token in [&token_a, &token_b] {
        let (status, _) = send(
            &env,
            Method::GET,
            "/account",
            Some(&format!("Bearer {token}")),
            None,
        )
        .await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn the_admin_token_opens_the_global_admin_routes() {
    let env = common::start().await;
    let token_a = access_token(&env, "key-a").await;
    let admin = env.admin();
    let faults = json!({"latencyMs": 5, "slowPaths": ["/nowhere/"]});
    let (status, body) = send(
        &env,
        Method::PUT,
        "/_emulator/faults",
        Some(&admin),
        Some(&faults),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(env.emulator.faults().latency_ms, 5);
    let (status, stats) = send(&env, Method::GET, "/_emulator/stats", Some(&admin), None).await;
    assert_eq!(status, 200);
    assert_eq!(stats["requests"]["PUT /_emulator/faults"], 1, "{stats}");
    let (status, _) = send(
        &env,
        Method::DELETE,
        "/_emulator/tokens",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = send(
        &env,
        Method::GET,
        "/account",
        Some(&format!("Bearer {token_a}")),
        None,
    )
    .await;
    assert_eq!(status, 401, "the revoked token is refused");
    let (status, clock) = send(
        &env,
        Method::POST,
        "/_emulator/clock/advance",
        Some(&admin),
        Some(&json!({"seconds": 10})),
    )
    .await;
    assert_eq!((status, &clock["offsetMs"]), (200, &json!(10_000)));
    // A project's own settings take the project's credential, not the
    // admin token, which belongs to no project.
    let (status, _) = send(&env, Method::GET, "/_emulator/settings", Some(&admin), None).await;
    assert_eq!(status, 401);
    let (status, settings) = send(
        &env,
        Method::GET,
        "/_emulator/settings",
        Some(&common::basic("key-a")),
        None,
    )
    .await;
    assert_eq!((status, settings), (200, json!({"videoRestore": false})));
}

#[tokio::test]
async fn a_configured_admin_token_replaces_the_generated_one() {
    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_admin_token("admin-secret"),
    )
    .await;
    assert_eq!(env.emulator.admin_token(), "admin-secret");
    let (status, _) = send(
        &env,
        Method::GET,
        "/_emulator/faults",
        Some("Bearer admin-secret"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(
        &env,
        Method::GET,
        "/_emulator/faults",
        Some("Bearer admin-secreT"),
        None,
    )
    .await;
    assert_eq!(status, 401);
    // Generated tokens differ from one emulator to the next.
    let other = common::start().await;
    let third = common::start().await;
    assert!(other.emulator.admin_token().len() >= 32);
    assert_ne!(other.emulator.admin_token(), third.emulator.admin_token());
}

#[tokio::test]
async fn fault_settings_are_bounded() {
    let env = common::start().await;
    let admin = env.admin();
    let many: Vec<String> = (0..65).map(|i| format!("/p{i}/")).collect();
    for (body, name) in [
        (json!({"latencyMs": 60_001}), "latencyMs"),
        (json!({"slowPaths": many}), "slowPaths"),
        (json!({"slowPaths": ["/".repeat(1025)]}), "slowPaths"),
        (json!({"errorStatuses": vec![500; 65]}), "errorStatuses"),
        (
            json!({"rateLimit": {"limit": 1, "windowMs": 0}}),
            "rateLimit",
        ),
        (
            json!({"rateLimit": {"limit": 1, "windowMs": 3_600_001}}),
            "rateLimit",
        ),
        (
            json!({"rateLimit": {"limit": 0, "windowMs": 1000}}),
            "rateLimit",
        ),
    ] {
        let (status, problem) = send(
            &env,
            Method::PUT,
            "/_emulator/faults",
            Some(&admin),
            Some(&body),
        )
        .await;
        assert_eq!(status, 400, "{body}: {problem}");
        assert!(problem.to_string().contains(name), "{problem}");
    }
    assert_eq!(env.emulator.faults(), FaultSettings::default());
    let (status, _) = send(
        &env,
        Method::PUT,
        "/_emulator/faults",
        Some(&admin),
        Some(&json!({"latencyMs": 60_000, "slowPaths": ["/nowhere/"]})),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_project_learns_its_id_and_no_one_else_does() {
    let env = common::start().await;
    let id = env.emulator.project_id("key-a").expect("a known key");
    assert!(id.starts_with("pr"));
    assert_ne!(Some(id), env.emulator.project_id("key-b"));
    assert_eq!(env.emulator.project_id("unknown"), None);
    let (status, body) = send(
        &env,
        Method::GET,
        "/_emulator/project",
        Some(&common::basic("key-a")),
        None,
    )
    .await;
    assert_eq!((status, body), (200, json!({ "projectId": id })));
    let token = access_token(&env, "key-a").await;
    let (status, body) = send(
        &env,
        Method::GET,
        "/_emulator/project",
        Some(&format!("Bearer {token}")),
        None,
    )
    .await;
    assert_eq!((status, body), (200, json!({ "projectId": id })));
    let (status, _) = send(&env, Method::GET, "/_emulator/project", None, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn faults_and_stats_can_be_scoped_to_one_project() {
    let env = common::start().await;
    let a = env.emulator.project_id("key-a").unwrap().to_owned();
    let b = env.emulator.project_id("key-b").unwrap().to_owned();
    let admin = env.admin();

    let (status, problem) = send(
        &env,
        Method::PUT,
        "/_emulator/faults",
        Some(&admin),
        Some(&json!({ "errorRate": 1.0, "errorStatuses": [503], "project": "prnope" })),
    )
    .await;
    assert_eq!(
        (status, &problem["name"]),
        (400, &json!("project")),
        "{problem}"
    );
    let (status, _) = send(
        &env,
        Method::PUT,
        "/_emulator/faults",
        Some(&admin),
        Some(&json!({ "errorRate": 1.0, "errorStatuses": [503], "project": a })),
    )
    .await;
    assert_eq!(status, 200);

    // Project A meets the fault, with its key or a token issued for it;
    // project B and the credential-less token call do not.
    let list = |authorization: String| {
        let env = &env;
        async move {
            send(env, Method::GET, "/videos", Some(&authorization), None)
                .await
                .0
        }
    };
    assert_eq!(list(common::basic("key-a")).await, 503);
    assert_eq!(list(common::basic("key-b")).await, 200);
    let (status, _) = send(
        &env,
        Method::POST,
        "/auth/api-key",
        None,
        Some(&json!({ "apiKey": "key-b" })),
    )
    .await;
    assert_eq!(status, 200);

    let stats = |project: &str| {
        let env = &env;
        let path = format!("/_emulator/stats?project={project}");
        let admin = admin.clone();
        async move {
            let (status, body) = send(env, Method::GET, &path, Some(&admin), None).await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    let of_a = stats(&a).await;
    assert_eq!(of_a["requests"], json!({ "GET /videos": 1 }), "{of_a}");
    assert_eq!(of_a["responses"], json!({ "GET /videos 503": 1 }), "{of_a}");
    let of_b = stats(&b).await;
    assert_eq!(of_b["requests"], json!({ "GET /videos": 1 }), "{of_b}");
    assert_eq!(of_b["responses"], json!({ "GET /videos 200": 1 }), "{of_b}");
    // The whole emulator's stats hold every request, the token call too.
    let (_, all) = send(&env, Method::GET, "/_emulator/stats", Some(&admin), None).await;
    assert_eq!(all["requests"]["GET /videos"], 2, "{all}");
    assert_eq!(all["requests"]["POST /auth/api-key"], 1, "{all}");

    // Events count for the project they happen in: A's injected fault,
    // B's upload.
    assert_eq!(of_a["events"], json!({ "faults.errors": 1 }), "{of_a}");
    assert_eq!(of_b["events"], json!({}), "{of_b}");
    let video = uploads::create_with(&env.raw_for("key-b"), "b's").await;
    let uploaded = uploads::send_chunk(&env, "key-b", &video.video_id, None, b"0123456789").await;
    assert_eq!(uploaded.status(), 201);
    let of_b = stats(&b).await;
    assert_eq!(of_b["events"]["upload.parts"], 1, "{of_b}");
    assert_eq!(of_b["events"]["upload.bytes"], 10, "{of_b}");
    assert!(of_b["events"].get("faults.errors").is_none(), "{of_b}");
    let of_a = stats(&a).await;
    assert!(of_a["events"].get("upload.parts").is_none(), "{of_a}");
    let (_, all) = send(&env, Method::GET, "/_emulator/stats", Some(&admin), None).await;
    assert_eq!(all["events"]["upload.parts"], 1, "{all}");
    assert_eq!(all["events"]["faults.errors"], 1, "{all}");
    let (status, problem) = send(
        &env,
        Method::GET,
        "/_emulator/stats?project=prnope",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(
        (status, &problem["name"]),
        (400, &json!("project")),
        "{problem}"
    );
}

#[tokio::test]
async fn the_emulator_debug_shows_no_secret() {
    let env = common::start_with(
        Config::default()
            .with_api_key("secret-key-a")
            .with_admin_token("secret-admin-token"),
    )
    .await;
    let shown = format!("{:?}", env.emulator);
    assert!(shown.contains(env.emulator.base_url()), "{shown}");
    assert!(!shown.contains("secret-key-a"), "{shown}");
    assert!(!shown.contains("secret-admin-token"), "{shown}");
}
