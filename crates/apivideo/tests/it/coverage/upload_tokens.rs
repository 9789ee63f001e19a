//! Upload tokens: a token created, shown and listed; a client without an
//! API key uploads with it, and the owner sees the video; the token
//! deleted, after which it is refused.

use apivideo::prelude::*;
use apivideo::types::TokenCreationPayload;
use futures::TryStreamExt;

use super::Calls;
use crate::common::{self, MIB};

pub(super) const TAG: &str = "Upload tokens";
pub(super) const OPERATIONS: &[&str] = &[
    "create_upload_token",
    "get_upload_token",
    "list_upload_tokens",
    "upload_with_upload_token",
    "delete_upload_token",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);
    let dir = tempfile::tempdir().expect("temp dir");

    calls.called("create_upload_token");
    let created = client
        .create_upload_token()
        .body(TokenCreationPayload { ttl: 3600 })
        .send()
        .await
        .expect("token created");
    let token = created.token.clone();
    assert!(token.starts_with("to"), "{token}");
    assert_eq!(created.ttl, 3600);
    let expires_at = created.expires_at.expect("expires at");
    assert_eq!((expires_at - created.created_at).num_seconds(), 3600);

    calls.called("get_upload_token");
    let shown = client
        .get_upload_token()
        .upload_token(&token)
        .send()
        .await
        .expect("token shown");
    assert_eq!(shown, created);

    calls.called("list_upload_tokens");
    let listed: Vec<_> = client
        .list_upload_tokens()
        .stream()
        .try_collect()
        .await
        .expect("tokens listed");
    assert_eq!(listed, vec![created.clone()]);

    calls.called("upload_with_upload_token");
    let size = 3 * MIB + 7;
    let (path, sha) = common::source_file(dir.path(), "delegated.mp4", size, 2).await;
    let anonymous = common::keyless_client(&emulator);
    let video = anonymous
        .upload_with_upload_token()
        .token(&token)
        .file(&path)
        .send()
        .await
        .expect("delegated upload");
    assert!(video.video_id.starts_with("vi"));
    assert_eq!(video.title, "delegated.mp4");
    assert_eq!(
        common::served_sha256(&common::mp4_url(&video)).await,
        (size, sha)
    );
    let owned = client
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("the owner sees the delegated video");
    assert_eq!(owned.title, "delegated.mp4");

    calls.called("delete_upload_token");
    client
        .delete_upload_token()
        .upload_token(&token)
        .send()
        .await
        .expect("token deleted");
    let left: Vec<_> = client
        .list_upload_tokens()
        .stream()
        .try_collect()
        .await
        .expect("tokens listed");
    assert!(left.is_empty(), "{left:?}");
    let refused = anonymous
        .upload_with_upload_token()
        .token(&token)
        .file(&path)
        .send()
        .await
        .expect_err("a deleted token is refused");
    assert!(refused.is_bad_request(), "{refused:?}");

    calls.assert_all_called_and_answered(&emulator);
}
