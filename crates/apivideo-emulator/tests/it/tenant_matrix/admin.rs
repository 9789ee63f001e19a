//! The admin routes, each with what a request without a credential and
//! with B's credentials get, and the `/_emulator/` paths the emulator's
//! source declares, which the list must cover.

use super::*;

/// Every route under `/_emulator`.
pub(super) fn admin_routes(fx: &Fixture) -> Vec<AdminRoute> {
    let route = |method, path: &str, body, without, with_b, reason| AdminRoute {
        method,
        path: path.to_owned(),
        body,
        without,
        with_b,
        reason,
    };
    let none = Body::None;
    let admin = "acts on every project: the admin token alone opens it";
    let own = "acts on the caller's own project";
    let a_resource = "names a resource of A's";
    vec![
        route(
            Method::GET,
            "/_emulator/health",
            none.clone(),
            200,
            200,
            "a health check, with nothing of any project",
        ),
        route(
            Method::GET,
            "/_emulator/faults",
            none.clone(),
            401,
            401,
            admin,
        ),
        route(
            Method::PUT,
            "/_emulator/faults",
            Body::Json(json!({"latencyMs": 60_000, "errorRate": 1.0})),
            401,
            401,
            admin,
        ),
        route(
            Method::GET,
            "/_emulator/stats",
            none.clone(),
            401,
            401,
            admin,
        ),
        route(
            Method::DELETE,
            "/_emulator/stats",
            none.clone(),
            401,
            401,
            admin,
        ),
        route(
            Method::DELETE,
            "/_emulator/tokens",
            none.clone(),
            401,
            401,
            admin,
        ),
        route(
            Method::POST,
            "/_emulator/clock/advance",
            Body::Json(json!({"days": 100})),
            401,
            401,
            admin,
        ),
        route(
            Method::GET,
            "/_emulator/clock",
            none.clone(),
            401,
            200,
            "reads the clock every project shares, with nothing of any project",
        ),
        route(
            Method::GET,
            "/_emulator/project",
            none.clone(),
            401,
            200,
            "gives the caller's own project id",
        ),
        route(
            Method::GET,
            "/_emulator/settings",
            none.clone(),
            401,
            200,
            own,
        ),
        route(
            Method::PATCH,
            "/_emulator/settings",
            Body::Json(json!({"videoRestore": false})),
            401,
            200,
            own,
        ),
        route(
            Method::POST,
            &format!("/_emulator/live-streams/{}/broadcast", fx.live_stream),
            Body::Json(json!({"broadcasting": true})),
            401,
            404,
            a_resource,
        ),
        route(
            Method::POST,
            "/_emulator/analytics/sessions",
            Body::Json(json!({"videoId": fx.video})),
            401,
            404,
            "names a video of A's in its body",
        ),
        route(
            Method::POST,
            &format!("/_emulator/analytics/sessions/{}/events", fx.session),
            Body::Json(json!([])),
            401,
            404,
            a_resource,
        ),
    ]
}

/// Every `"/_emulator/…"` path the emulator's source declares, with
/// parameters as `{}`.
pub(super) fn declared_admin_paths() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            for (i, _) in text.match_indices("\"/_emulator/") {
                let literal = &text[i + 1..];
                let end = literal.find('"').expect("a closed literal");
                found.insert(generic(&literal[..end]));
            }
        }
    }
    found
}

/// `path` with each `{param}` written `{}`.
fn generic(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}
