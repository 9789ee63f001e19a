//! Adversarial multipart bodies get a 400 problem as soon as they pass a
//! bound, on every multipart route, the public `/upload?token=…` included:
//! a preamble that never shows its boundary, an endless part header block,
//! too many parts. The answer comes while the body is still being sent, so
//! nothing is buffered waiting for its end.

use std::time::Duration;

use apivideo_raw::prelude::*;
use bytes::Bytes;
use serde_json::Value;

use crate::common::{self, TestEnv};
use crate::upload_tokens;
use crate::uploads::create;

const CONTENT_TYPE: &str = "multipart/form-data; boundary=XyZ";

/// Sends `head`, then holds the body open forever: only an answer that
/// does not wait for the end of the body can arrive.
async fn send_endless(
    env: &TestEnv,
    path: &str,
    authorization: Option<String>,
    head: Vec<u8>,
) -> (u16, Value) {
    let chunks = futures::stream::iter(
        head.chunks(8192)
            .map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let body = reqwest::Body::wrap_stream(futures::StreamExt::chain(
        chunks,
        futures::stream::pending(),
    ));
    let mut request = env
        .http
        .post(env.url(path))
        .header("content-type", CONTENT_TYPE)
        .body(body);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let answer = tokio::time::timeout(Duration::from_secs(60), request.send())
        .await
        .expect("answered before the body ends")
        .expect("an answer");
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("a problem document"))
}

fn preamble() -> Vec<u8> {
    vec![b'a'; 256 * 1024]
}

fn endless_headers() -> Vec<u8> {
    let mut body =
        b"--XyZ\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\nx-filler: "
            .to_vec();
    body.extend(std::iter::repeat_n(b'x', 256 * 1024));
    body
}

fn many_parts() -> Vec<u8> {
    let mut body = Vec::new();
    for i in 0..10_000 {
        body.extend_from_slice(
            format!("--XyZ\r\ncontent-disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n")
                .as_bytes(),
        );
    }
    body
}

#[tokio::test]
async fn adversarial_bodies_are_refused_while_still_sent() {
    let env = common::start().await;
    let token = upload_tokens::token(&env, 0).await.token;
    let video = create(&env, "target").await;
    let routes = [
        (format!("/upload?token={token}"), None),
        (
            format!("/videos/{}/source", video.video_id),
            Some(env.basic()),
        ),
        (
            format!("/videos/{}/thumbnail", video.video_id),
            Some(env.basic()),
        ),
    ];
    for (path, authorization) in &routes {
        for (what, head) in [
            ("preamble", preamble()),
            ("header block", endless_headers()),
            ("parts", many_parts()),
        ] {
            let (status, problem) = send_endless(&env, path, authorization.clone(), head).await;
            assert_eq!(status, 400, "{path}, {what}: {problem}");
            assert_eq!(problem["status"], 400, "{problem}");
        }
    }
    // Nothing was stored: the video has no source yet, and the delegated
    // uploads made no video.
    let stored = env
        .raw
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stored.ingest.status.to_string(),
        "missing",
        "no upload started"
    );
    let listed: Value = env
        .http
        .get(env.url("/videos"))
        .header("authorization", env.basic())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1), "{listed}");
}
