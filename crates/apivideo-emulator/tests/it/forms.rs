//! Every multipart route reads its form through one receiver, so the same
//! fault gets the same problem everywhere: a body that is not multipart,
//! two files, no file, a text part too long or not UTF-8. And none of them
//! stores anything.

use serde_json::{Value, json};

use crate::common::{self, TestEnv};
use crate::upload_tokens;
use crate::uploads::create;

const BOUNDARY: &str = "FoRm";

/// One part of a hand-built form: its name, its file name if a file, and
/// its bytes.
type Part<'a> = (&'a str, Option<&'a str>, Vec<u8>);

fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match file_name {
            Some(file) => format!("form-data; name=\"{name}\"; filename=\"{file}\""),
            None => format!("form-data; name=\"{name}\""),
        };
        body.extend_from_slice(format!("content-disposition: {disposition}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post(
    env: &TestEnv,
    path: &str,
    authorization: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut request = env
        .http
        .post(env.url(path))
        .header("content-type", content_type)
        .body(body);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let answer = request.send().await.expect("an answer");
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("a problem document"))
}

/// The id of what `POST path` with `body` creates.
async fn created(env: &TestEnv, path: &str, body: Value) -> String {
    let (status, answer) = env.post_json(path, body).await;
    assert!(
        (200..300).contains(&status),
        "POST {path}: {status} {answer}"
    );
    answer
        .as_object()
        .and_then(|o| {
            ["playerId", "liveStreamId"]
                .iter()
                .find_map(|k| o.get(*k)?.as_str())
        })
        .expect("an id")
        .to_owned()
}

/// `GET path` as the first project, which must succeed.
async fn get(env: &TestEnv, path: &str) -> Value {
    let (status, answer) = env.get_json(path).await;
    assert_eq!(status, 200, "GET {path}: {answer}");
    answer
}

#[tokio::test]
async fn every_multipart_route_answers_the_same_fault_the_same_way() {
    let env = common::start().await;
    let video = create(&env, "target").await.video_id;
    let player = created(&env, "/players", json!({})).await;
    let stream = created(&env, "/live-streams", json!({"name": "live"})).await;
    let token = upload_tokens::token(&env, 0).await.token;
    let basic = env.basic();
    let routes: Vec<(String, Option<&str>)> = vec![
        (format!("/videos/{video}/source"), Some(&basic)),
        (format!("/upload?token={token}"), None),
        (format!("/videos/{video}/thumbnail"), Some(&basic)),
        (format!("/videos/{video}/captions/en"), Some(&basic)),
        (format!("/videos/{video}/chapters/en"), Some(&basic)),
        ("/watermarks".to_owned(), Some(&basic)),
        (format!("/players/{player}/logo"), Some(&basic)),
        (format!("/live-streams/{stream}/thumbnail"), Some(&basic)),
    ];
    let multipart = format!("multipart/form-data; boundary={BOUNDARY}");
    let file = || b"\xff\xd8\xff\xe0 not much of an image".to_vec();
    let cases: Vec<(&str, &str, Vec<u8>, &str, &str)> = vec![
        (
            "not multipart",
            "application/json",
            b"{}".to_vec(),
            "invalid-multipart",
            "",
        ),
        (
            "malformed",
            &multipart,
            b"--FoRm\r\nno headers end here".to_vec(),
            "invalid-multipart",
            "",
        ),
        (
            "two files",
            &multipart,
            form(&[
                ("file", Some("a.jpg"), file()),
                ("file", Some("b.jpg"), file()),
            ]),
            "uploaded-file-multiple-files",
            "file",
        ),
        (
            "no file",
            &multipart,
            form(&[("note", None, b"hello".to_vec())]),
            "uploaded-file-no-file",
            "file",
        ),
        (
            "a long text part",
            &multipart,
            form(&[
                ("note", None, vec![b'n'; 64 * 1024 + 1]),
                ("file", Some("a.jpg"), file()),
            ]),
            "invalid-attribute",
            "note",
        ),
        (
            "a text part that is not UTF-8",
            &multipart,
            form(&[
                ("note", None, vec![0xff, 0xfe]),
                ("file", Some("a.jpg"), file()),
            ]),
            "invalid-attribute",
            "note",
        ),
    ];
    for (path, authorization) in &routes {
        for (what, content_type, body, kind, name) in &cases {
            let (status, problem) =
                post(&env, path, *authorization, content_type, body.clone()).await;
            assert_eq!(status, 400, "{path}, {what}: {problem}");
            assert_eq!(
                problem["type"],
                format!("https://docs.api.video/reference/{kind}"),
                "{path}, {what}: {problem}"
            );
            if !name.is_empty() {
                assert_eq!(problem["name"], *name, "{path}, {what}: {problem}");
            }
        }
    }

    // Nothing was stored anywhere.
    let status = get(&env, &format!("/videos/{video}/status")).await;
    assert_eq!(status["ingest"]["status"], "missing", "{status}");
    let videos = get(&env, "/videos").await;
    assert_eq!(videos["pagination"]["itemsTotal"], 1, "{videos}");
    for list in [
        format!("/videos/{video}/captions"),
        format!("/videos/{video}/chapters"),
        "/watermarks".to_owned(),
    ] {
        let listed = get(&env, &list).await;
        assert_eq!(listed["pagination"]["itemsTotal"], 0, "{list}: {listed}");
    }
    let player = get(&env, &format!("/players/{player}")).await;
    assert!(player["assets"]["logo"].is_null(), "{player}");
    let stream = get(&env, &format!("/live-streams/{stream}")).await;
    let thumbnail = env
        .http
        .get(
            stream["assets"]["thumbnail"]
                .as_str()
                .expect("a thumbnail URL"),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_ne!(
        thumbnail.as_ref(),
        file().as_slice(),
        "the live stream keeps its placeholder thumbnail"
    );
}
