//! One page query for every list. Each paginated operation of the spec
//! (`apivideo_raw::spec::OPERATIONS`, so a new list is covered without
//! anyone adding it here) refuses a `currentPage` or `pageSize` that is no
//! integer or out of bounds with a 400 naming it, and answers a valid page
//! with `pagination` links to itself that keep the caller's query.

use apivideo_raw::spec::OPERATIONS;
use serde_json::{Value, json};

use crate::common::{self, TestEnv};

/// `POST path` as the first project, which must succeed.
async fn post(env: &TestEnv, path: &str, body: Value) -> Value {
    let (status, answer) = env.post_json(path, body).await;
    assert!(
        (200..300).contains(&status),
        "POST {path}: {status} {answer}"
    );
    answer
}

fn id(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("`{field}` in {value}"))
        .to_owned()
}

/// The ids the lists' path parameters name.
struct Ids {
    video: String,
    live_stream: String,
    session: String,
}

/// `path` with its parameters filled; panics naming a parameter nobody
/// knows how to fill, so a new list cannot slip past this test.
fn fill(path: &str, ids: &Ids) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').expect("a closed parameter") + start;
        out.push_str(&rest[..start]);
        let value = match &rest[start + 1..end] {
            "videoId" => ids.video.as_str(),
            "liveStreamId" => ids.live_stream.as_str(),
            "sessionId" => ids.session.as_str(),
            "metric" if path.starts_with("/data/buckets/") => "play-total",
            "metric" => "play",
            "breakdown" => "media-id",
            other => panic!("no value for path parameter `{other}` of {path}"),
        };
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The query a list needs besides its page.
fn required(id: &str) -> &'static str {
    match id {
        "list_video_sessions" | "list_live_stream_sessions" => "period=2000%2F2099&",
        _ => "",
    }
}

#[tokio::test]
async fn every_list_reads_its_page_the_same_way() {
    let env = common::start().await;
    let video = id(
        &post(&env, "/videos", json!({"title": "v"})).await,
        "videoId",
    );
    let live_stream = id(
        &post(&env, "/live-streams", json!({"name": "live"})).await,
        "liveStreamId",
    );
    let session = id(
        &post(
            &env,
            "/_emulator/analytics/sessions",
            json!({"videoId": video}),
        )
        .await,
        "sessionId",
    );
    let ids = Ids {
        video,
        live_stream,
        session,
    };
    let lists: Vec<_> = OPERATIONS.iter().filter(|o| o.paginated).collect();
    assert!(lists.len() >= 16, "{} lists", lists.len());
    for operation in lists {
        assert_eq!(operation.method, "GET", "{}", operation.id);
        let path = fill(operation.path, &ids);
        let needed = required(operation.id);
        for (query, name) in [
            ("currentPage=x", "currentPage"),
            ("currentPage=0", "currentPage"),
            ("pageSize=1.5", "pageSize"),
            ("pageSize=0", "pageSize"),
            ("pageSize=101", "pageSize"),
        ] {
            let (status, problem) = env.get_json(&format!("{path}?{needed}{query}")).await;
            assert_eq!(status, 400, "{} {query}: {problem}", operation.id);
            assert_eq!(problem["name"], name, "{} {query}: {problem}", operation.id);
        }
        let (status, page) = env
            .get_json(&format!("{path}?{needed}pageSize=1&currentPage=1"))
            .await;
        assert_eq!(status, 200, "{}: {page}", operation.id);
        let pagination = &page["pagination"];
        assert_eq!(
            (&pagination["currentPage"], &pagination["pageSize"]),
            (&json!(1), &json!(1)),
            "{}: {pagination}",
            operation.id
        );
        let links = pagination["links"].as_array().expect("links");
        assert!(!links.is_empty(), "{}: {pagination}", operation.id);
        for link in links {
            let uri = link["uri"].as_str().expect("a link URI");
            assert!(
                uri.starts_with(&format!("{}?{needed}", env.url(&path))),
                "{}: {uri}",
                operation.id
            );
            assert!(uri.ends_with("&pageSize=1"), "{}: {uri}", operation.id);
        }
    }
}
