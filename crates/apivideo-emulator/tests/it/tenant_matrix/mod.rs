//! The tenant matrix. Project A owns one resource of every kind; then every
//! operation of the spec and every admin route under `/_emulator` is tried
//! on them with no credential, and with project B's credentials (its API
//! key as HTTP basic, and a token issued for that key). A request without
//! a credential gets 401; B gets 404 for A's resources and 401 at the
//! routes that take the admin token; every asset of A's private video is
//! a 404 without the token of the URLs the API returns; no answer to B
//! shows an id of A's that B did not send; and A's state, read through the
//! API and the asset URLs, is the same afterwards.
//!
//! The operations come from the spec's own list
//! (`apivideo_raw::spec::OPERATIONS`), so a new operation is tried without
//! anyone adding it here: its path parameters are filled from the
//! resources below (an unknown parameter fails the test, naming it), and
//! an operation with a request body must have one in [`body`] (checked
//! against `openapi.yaml`). The operations that take no credential are
//! listed in [`public`], each with its reason. The admin routes are listed
//! in `admin.rs`, checked against every `/_emulator/` path the
//! emulator's source declares.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use apivideo_emulator::Config;
use apivideo_raw::spec::{OPERATIONS, Operation};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::{self, TestEnv};
use crate::uploads;

mod admin;
mod fixture;

use self::admin::{admin_routes, declared_admin_paths};
use self::fixture::{fixture, id_of, snapshot};

const JPEG: &[u8] = b"\xff\xd8\xff\xe0 fake jpeg \xff\xd9";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n fake png";
const VTT: &[u8] = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n";
/// Every analytics period the sessions below fall in.
const PERIOD: &str = "2000/2099";

/// A's resources, one of each kind, and B's own upload token.
#[derive(Debug)]
struct Fixture {
    video: String,
    discarded: String,
    copy: String,
    live_stream: String,
    stream_key: String,
    player: String,
    summary: String,
    upload_token: String,
    webhook: String,
    watermark: String,
    session: String,
    /// A private video (`public: false`), and the asset URLs the API
    /// returns for it, which carry its token.
    private: String,
    private_assets: Vec<String>,
    /// A's project id, as `GET /_emulator/project` gives it.
    project: String,
    /// B's upload token, for the delegated upload.
    b_upload_token: String,
}

impl Fixture {
    /// Every id of A's, its project id, the stream key and the private
    /// video's token: none may show in B's answers.
    fn secrets(&self) -> Vec<&str> {
        [
            &self.video,
            &self.discarded,
            &self.copy,
            &self.live_stream,
            &self.stream_key,
            &self.player,
            &self.summary,
            &self.upload_token,
            &self.webhook,
            &self.watermark,
            &self.session,
            &self.private,
            &self.project,
        ]
        .into_iter()
        .map(String::as_str)
        .chain(self.private_assets.iter().map(|url| token_of(url)))
        .collect()
    }

    /// The value of path parameter `name` in `path`, and whether it names
    /// a resource of A's.
    fn param(&self, path: &str, name: &str) -> (String, bool) {
        let resource = |id: &str| (id.to_owned(), true);
        let plain = |value: &str| (value.to_owned(), false);
        match name {
            "videoId" if path.starts_with("/discarded/") => resource(&self.discarded),
            "videoId" => resource(&self.video),
            "liveStreamId" => resource(&self.live_stream),
            "playerId" => resource(&self.player),
            "summaryId" => resource(&self.summary),
            "uploadToken" => resource(&self.upload_token),
            "webhookId" => resource(&self.webhook),
            "watermarkId" => resource(&self.watermark),
            "sessionId" => resource(&self.session),
            "language" => plain("en"),
            "metric" if path.starts_with("/data/buckets/") => plain("play-total"),
            "metric" => plain("play"),
            "aggregation" => plain("count"),
            "breakdown" => plain("media-id"),
            other => panic!(
                "{path}: no value for the path parameter `{other}`; add one to Fixture::param"
            ),
        }
    }

    /// `template` with its parameters filled; true if one names a
    /// resource of A's.
    fn fill(&self, template: &str) -> (String, bool) {
        let mut path = String::new();
        let mut names_resource = false;
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').expect("a closed parameter") + open;
            let (value, resource) = self.param(template, &rest[open + 1..close]);
            path.push_str(&rest[..open]);
            path.push_str(&value);
            names_resource |= resource;
            rest = &rest[close + 1..];
        }
        path.push_str(rest);
        (path, names_resource)
    }
}

/// A request body.
#[derive(Debug, Clone)]
enum Body {
    None,
    Json(Value),
    /// A multipart form: the file part (name, bytes) and text fields.
    Form(&'static str, &'static [u8], Vec<(&'static str, String)>),
}

impl Body {
    fn content_type(&self) -> Option<&'static str> {
        match self {
            Body::None => None,
            Body::Json(_) => Some("application/json"),
            Body::Form(..) => Some("multipart/form-data"),
        }
    }
}

/// A valid request body for each operation that takes one: what would
/// change A's state if the request were let through. Bodies that name
/// A's resources are refused to B however its path reads
/// ([`names_resources_in_body`]); project A uses the same bodies
/// successfully while the fixture is built.
fn body(id: &str, fx: &Fixture) -> Body {
    let form = |file, bytes, fields| Body::Form(file, bytes, fields);
    Body::Json(match id {
        "authenticate" => json!({"apiKey": "not-a-key"}),
        "refresh_token" => json!({"refreshToken": "not-a-refresh-token"}),
        "restore_video" => json!({"discarded": false}),
        "create_live_stream" => json!({"name": "created"}),
        "update_live_stream" => json!({"name": "renamed", "public": false}),
        "create_player" => json!({"enableApi": false}),
        "update_player" => json!({"enableApi": false}),
        "create_summary" => json!({"videoId": fx.video}),
        "update_summary_source" => json!({"abstract": "rewritten"}),
        "create_upload_token" => json!({"ttl": 600}),
        "create_video" => json!({
            "title": "copied",
            "source": fx.video,
            "playerId": fx.player,
            "watermark": {"id": fx.watermark},
        }),
        "update_video" => json!({"title": "renamed", "public": false}),
        "update_caption" => json!({"default": true}),
        "pick_video_thumbnail" => json!({"timecode": "00:00:01"}),
        "create_webhook" => json!({
            "url": "http://127.0.0.1:9/hook",
            "events": ["live-stream.broadcast.started"],
        }),
        "upload_live_stream_thumbnail" | "upload_video_thumbnail" => {
            return form("thumbnail.jpg", JPEG, vec![]);
        }
        "upload_player_logo" => {
            return form(
                "logo.png",
                PNG,
                vec![("link", "https://example.com".to_owned())],
            );
        }
        "upload_watermark" => return form("mark.png", PNG, vec![]),
        "upload_caption" | "upload_chapter" => return form("track.vtt", VTT, vec![]),
        "upload_video" => return form("clip.mp4", b"more video", vec![]),
        "upload_with_upload_token" => {
            return form(
                "clip.mp4",
                b"more video",
                vec![("videoId", fx.video.clone())],
            );
        }
        _ => return Body::None,
    })
}

/// The operations whose request body names A's resources: B is refused
/// them (400 or 404: the named resource is not B's) even where the path
/// names none.
fn names_resources_in_body(id: &str) -> bool {
    matches!(
        id,
        "create_summary" | "create_video" | "upload_with_upload_token"
    )
}

/// The query an operation needs to be valid.
fn query(id: &str, fx: &Fixture, with_b: bool) -> String {
    match id {
        "list_video_sessions" | "list_live_stream_sessions" => format!("?period={PERIOD}"),
        // The upload token is the credential of a delegated upload.
        "upload_with_upload_token" if with_b => format!("?token={}", fx.b_upload_token),
        _ => String::new(),
    }
}

/// An operation that takes no credential: why, and the statuses it may
/// answer without one and with B's (its credential being in the body or
/// the query, an `Authorization` header changes nothing).
struct Public {
    reason: &'static str,
    without: &'static [u16],
    with_b: &'static [u16],
}

fn public(id: &str) -> Option<Public> {
    Some(match id {
        "authenticate" => Public {
            reason: "it exchanges the API key of its body for tokens; an unknown key is refused",
            without: &[400],
            with_b: &[400],
        },
        "refresh_token" => Public {
            reason: "it exchanges the refresh token of its body; an unknown one is refused",
            without: &[400],
            with_b: &[400],
        },
        "upload_with_upload_token" => Public {
            reason: "the upload token in the query is the credential: without one the request \
                     is invalid, and B's token cannot write into A's video named by `videoId`",
            without: &[400],
            with_b: &[400, 404],
        },
        _ => return None,
    })
}

/// Who sends a request.
#[derive(Debug, Clone)]
enum Credential {
    None,
    Basic(String),
    Bearer(String),
}

impl Credential {
    fn header(&self) -> Option<String> {
        match self {
            Credential::None => None,
            Credential::Basic(key) => Some(common::basic(key)),
            Credential::Bearer(token) => Some(format!("Bearer {token}")),
        }
    }
}

/// Sends a request; returns the status and the body as text.
async fn send(
    env: &TestEnv,
    method: &Method,
    path: &str,
    credential: &Credential,
    body: &Body,
) -> (u16, String) {
    let mut request = env.http.request(method.clone(), env.url(path));
    if let Some(value) = credential.header() {
        request = request.header("authorization", value);
    }
    request = match body {
        Body::None => request,
        Body::Json(value) => request.json(value),
        Body::Form(file, bytes, fields) => {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (content_type, body) = uploads::form("file", file, bytes, &fields);
            request.header("content-type", content_type).body(body)
        }
    };
    let answer = request.send().await.expect("an answer");
    let status = answer.status().as_u16();
    let bytes = answer.bytes().await.expect("a body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The content type of the request body of each operation that has one
/// in `openapi.yaml`, by operation id.
fn spec_bodies() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.yaml"))
        .expect("openapi.yaml");
    let spec: Value = serde_yaml::from_str(&text).expect("openapi.yaml is YAML");
    let mut out = BTreeMap::new();
    for item in spec["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("a path item").values() {
            let Some(body) = op.get("requestBody") else {
                continue;
            };
            let body = match body.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    let name = reference.rsplit('/').next().expect("a name");
                    &spec["components"]["requestBodies"][name]
                }
                None => body,
            };
            let content_type = body["content"]
                .as_object()
                .and_then(|c| c.keys().next().cloned())
                .expect("a content type");
            let id = op["operationId"].as_str().expect("an operationId");
            out.insert(id.to_owned(), content_type);
        }
    }
    out
}

/// One admin route: what a request without a credential and with B's
/// credentials get, and why.
struct AdminRoute {
    method: Method,
    path: String,
    body: Body,
    without: u16,
    with_b: u16,
    reason: &'static str,
}

/// The token of a private asset URL: the path segment after `/token/`, or
/// the `token` query parameter.
fn token_of(url: &str) -> &str {
    if let Some((_, rest)) = url.split_once("/token/") {
        rest.split('/').next().unwrap_or_default()
    } else if let Some((_, token)) = url.split_once("token=") {
        token.split('&').next().unwrap_or_default()
    } else {
        panic!("{url} carries no token")
    }
}

/// A private asset URL without its token: the plain URL of the asset.
fn without_token(url: &str) -> String {
    let token = token_of(url);
    url.replace(&format!("/token/{token}"), "")
        .replace(&format!("?token={token}"), "")
}

fn assert_no_leak(fx: &Fixture, what: &str, sent: &str, text: &str) {
    for secret in fx.secrets() {
        assert!(
            !text.contains(secret) || sent.contains(secret),
            "{what}: the answer shows {secret}, of project A: {text}"
        );
    }
}

fn problem_type(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v["type"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[tokio::test]
async fn another_project_and_no_credential_reach_nothing_of_a_project() {
    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_api_key("key-b")
            .with_encoding_delay(Duration::ZERO),
    )
    .await;
    let fx = fixture(&env).await;
    let before = snapshot(&env, &fx).await;

    let (status, token) = send(
        &env,
        &Method::POST,
        "/auth/api-key",
        &Credential::None,
        &Body::Json(json!({"apiKey": "key-b"})),
    )
    .await;
    assert_eq!(status, 200, "{token}");
    let token: Value = serde_json::from_str(&token).expect("tokens");
    let others = [
        Credential::Basic("key-b".into()),
        Credential::Bearer(id_of(&token, "access_token")),
    ];

    // Every operation with a body has one here, of its content type.
    let bodies = spec_bodies();
    for op in OPERATIONS {
        let sent = body(op.id, &fx);
        let want = bodies.get(op.id).map(|c| c.as_str());
        assert_eq!(
            sent.content_type(),
            want,
            "{} ({} {}): add a valid body to `body`",
            op.id,
            op.method,
            op.path
        );
    }
    let public_ids: BTreeSet<&str> = OPERATIONS
        .iter()
        .filter(|op| !op.credentials)
        .map(|op| op.id)
        .collect();
    for id in &public_ids {
        let listed = public(id).map(|p| p.reason);
        assert!(
            listed.is_some(),
            "{id} takes no credential: list it in `public` with the reason"
        );
    }

    for op in OPERATIONS {
        try_operation(&env, &fx, op, &others).await;
    }

    let routes = admin_routes(&fx);
    let listed: BTreeSet<String> = routes
        .iter()
        .map(|r| {
            let mut path = r.path.clone();
            for id in [&fx.live_stream, &fx.session] {
                path = path.replace(id.as_str(), "{}");
            }
            path
        })
        .collect();
    assert_eq!(
        listed,
        declared_admin_paths(),
        "the admin routes of the matrix and those the emulator declares"
    );
    for route in &routes {
        let what = format!("{} {} ({})", route.method, route.path, route.reason);
        let (status, text) = send(
            &env,
            &route.method,
            &route.path,
            &Credential::None,
            &route.body,
        )
        .await;
        assert_eq!(status, route.without, "{what} without a credential: {text}");
        for credential in &others {
            let (status, text) =
                send(&env, &route.method, &route.path, credential, &route.body).await;
            assert_eq!(status, route.with_b, "{what} as B ({credential:?}): {text}");
            if status == 404 {
                assert!(
                    problem_type(&text).ends_with("/resource-not-found"),
                    "{what}: {text}"
                );
            }
            let sent = format!("{} {:?}", route.path, route.body);
            assert_no_leak(&fx, &what, &sent, &text);
        }
    }

    // Every asset of a private video: the URLs the API returns carry its
    // token (the snapshot reads them); without the token, an asset is a 404
    // to anyone, B included, as for a video that does not exist.
    for tokenised in &fx.private_assets {
        let plain = without_token(tokenised);
        assert_ne!(&plain, tokenised, "{tokenised} carries no token");
        for credential in [Credential::None].iter().chain(&others) {
            let (status, text) = send(&env, &Method::GET, &plain, credential, &Body::None).await;
            let what = format!("GET {plain}, of a private video ({credential:?})");
            assert_eq!(status, 404, "{what}: {text}");
            assert_no_leak(&fx, &what, &plain, &text);
        }
    }

    let after = snapshot(&env, &fx).await;
    for (path, value) in &before {
        assert_eq!(Some(value), after.get(path), "A's {path} changed");
    }
}

/// Tries one operation without a credential and with each of B's.
async fn try_operation(env: &TestEnv, fx: &Fixture, op: &Operation, others: &[Credential]) {
    let method = Method::from_bytes(op.method.as_bytes()).expect("a method");
    let (path, names_resource) = fx.fill(op.path);
    let body = body(op.id, fx);
    let what = format!("{} ({} {})", op.id, op.method, op.path);
    let sent = format!("{path} {body:?}");
    let public = public(op.id);

    let target = format!("{path}{}", query(op.id, fx, false));
    let (status, text) = send(env, &method, &target, &Credential::None, &body).await;
    match &public {
        Some(p) => assert!(
            p.without.contains(&status),
            "{what} without a credential ({}): {status} {text}",
            p.reason
        ),
        None => assert_eq!(status, 401, "{what} without a credential: {text}"),
    }
    assert_no_leak(fx, &what, &sent, &text);

    let target = format!("{path}{}", query(op.id, fx, true));
    for credential in others {
        let (status, text) = send(env, &method, &target, credential, &body).await;
        let as_b = format!("{what} as B ({credential:?})");
        if let Some(p) = &public {
            assert!(
                p.with_b.contains(&status),
                "{as_b} ({}): {status} {text}",
                p.reason
            );
        } else if names_resource {
            assert_eq!(status, 404, "{as_b}: {text}");
            assert!(
                problem_type(&text).ends_with("/resource-not-found"),
                "{as_b}: {text}"
            );
        } else if names_resources_in_body(op.id) {
            assert!([400, 404].contains(&status), "{as_b}: {status} {text}");
        } else {
            // B acting on its own project: its credential works.
            assert_ne!(status, 401, "{as_b}: {text}");
        }
        assert_no_leak(fx, &as_b, &sent, &text);
    }
}
