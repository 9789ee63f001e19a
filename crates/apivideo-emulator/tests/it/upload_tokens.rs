//! Upload tokens and delegated uploads: lifetimes, listing, isolation,
//! the first chunk creating the video and later ones naming it, and
//! expired or unknown tokens refused.

use std::time::Duration;

use apivideo_raw::prelude::*;
use apivideo_raw::types::{
    ListUploadTokensSortBy, ListUploadTokensSortOrder, TokenCreationPayload, UploadToken, Video,
};

use crate::common::{self, TestEnv, status};
use crate::uploads::{bytes, form, mp4};

/// A new upload token of the first project, valid for `ttl` seconds (0:
/// no expiry).
pub(crate) async fn token(env: &TestEnv, ttl: i64) -> UploadToken {
    env.raw
        .create_upload_token()
        .body(TokenCreationPayload::builder().ttl(ttl))
        .send()
        .await
        .expect("token created")
}

/// A delegated upload: no credential, the token in the query.
async fn delegated(
    env: &TestEnv,
    token: &str,
    range: Option<&str>,
    video_id: Option<&str>,
    data: &[u8],
) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = video_id.map(|id| ("videoId", id)).into_iter().collect();
    // One official client names the file part after the file.
    let (content_type, body) = form("lecture.mp4", "lecture.mp4", data, &fields);
    let mut req = env
        .http
        .post(env.url(&format!("/upload?token={token}")))
        .header("content-type", content_type)
        .body(body);
    if let Some(range) = range {
        req = req.header("content-range", range);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn tokens_are_created_listed_shown_and_deleted() {
    let env = common::start_small_chunks().await;
    let forever = token(&env, 0).await;
    let hour = token(&env, 3600).await;
    let id = forever.token.clone();
    assert!(id.starts_with("to") && id.len() == 24);
    assert_eq!(forever.ttl, 0);
    assert_eq!(forever.expires_at, None);
    assert_eq!(
        hour.expires_at.unwrap() - hour.created_at,
        chrono::Duration::seconds(3600)
    );
    let shown = env
        .raw
        .get_upload_token()
        .upload_token(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(shown, forever);

    let listed = env
        .raw
        .list_upload_tokens()
        .sort_by(ListUploadTokensSortBy::Ttl)
        .sort_order(ListUploadTokensSortOrder::Desc)
        .send()
        .await
        .unwrap();
    let ttls: Vec<_> = listed.data.iter().map(|t| t.ttl).collect();
    assert_eq!(ttls, [3600, 0]);
    assert_eq!(listed.pagination.items_total, 2);

    let deleted = env
        .raw
        .delete_upload_token()
        .upload_token(&id)
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let err = env
        .raw
        .get_upload_token()
        .upload_token(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    let problem = err.problem().expect("a problem document").clone();
    assert_eq!(problem.name.as_deref(), Some("uploadToken"));
    let err = env
        .raw
        .delete_upload_token()
        .upload_token(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    // A deleted token uploads nothing.
    assert_eq!(delegated(&env, &id, None, None, b"x").await.status(), 400);
}

#[tokio::test]
async fn invalid_tokens_requests_are_problems() {
    let env = common::start_small_chunks().await;
    for ttl in [
        serde_json::json!(-1),
        serde_json::json!("soon"),
        serde_json::json!(2_147_483_648_i64),
    ] {
        let answer = env
            .http
            .post(env.url("/upload-tokens"))
            .header("authorization", env.basic())
            .json(&serde_json::json!({ "ttl": ttl }))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{ttl}");
        let problem: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(problem["name"], "ttl");
    }
    let answer = env
        .http
        .post(env.url("/upload-tokens"))
        .header("authorization", env.basic())
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    let empty: UploadToken = answer.json().await.unwrap();
    assert_eq!(empty.ttl, 0);
    let answer = env
        .http
        .get(env.url("/upload-tokens?sortBy=name"))
        .header("authorization", env.basic())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
}

#[tokio::test]
async fn tokens_belong_to_one_project() {
    let env = common::start_small_chunks().await;
    let mine = token(&env, 0).await.token;
    let b = env.raw_for("key-b");
    let err = b
        .get_upload_token()
        .upload_token(&mine)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    let err = b
        .delete_upload_token()
        .upload_token(&mine)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    let theirs = b.list_upload_tokens().send().await.unwrap();
    assert!(theirs.data.is_empty());
    // The video a token uploads belongs to the token's project.
    let answer = delegated(&env, &mine, None, None, b"data").await;
    assert_eq!(answer.status(), 201);
    let video: Video = answer.json().await.unwrap();
    let err = b
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    env.raw
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("key-a sees it");
}

#[tokio::test]
async fn three_delegated_chunks_make_one_video() {
    let env = common::start_small_chunks().await;
    let token = token(&env, 0).await.token;
    let data = bytes(90_000, 11);
    let first = delegated(
        &env,
        &token,
        Some("bytes 0-29999/90000"),
        None,
        &data[..30_000],
    )
    .await;
    assert_eq!(first.status(), 201);
    let video: Video = first.json().await.unwrap();
    assert_eq!(video.title, "lecture.mp4");
    let id = video.video_id.clone();
    for range in [(30_000, 59_999), (60_000, 89_999)] {
        let header = format!("bytes {}-{}/90000", range.0, range.1);
        let chunk = &data[range.0..=range.1];
        let answer = delegated(&env, &token, Some(&header), Some(&id), chunk).await;
        assert_eq!(answer.status(), 201);
        let same: Video = answer.json().await.unwrap();
        assert_eq!(same.video_id, id);
    }
    let listed = env
        .http
        .get(env.url("/videos"))
        .header("authorization", env.basic())
        .send()
        .await
        .unwrap();
    let listed: serde_json::Value = listed.json().await.unwrap();
    assert_eq!(listed["pagination"]["itemsTotal"], 1);
    assert_eq!(mp4(&env, &video).await, data);
    assert_eq!(env.emulator.stats().event("upload.parts"), 3);
    // Another chunk after completion is refused.
    let again = delegated(&env, &token, None, Some(&id), b"more").await;
    assert_eq!(again.status(), 400);
    let unknown = delegated(&env, &token, None, Some("vi0000000000000000000000"), b"x").await;
    assert_eq!(unknown.status(), 400);
}

#[tokio::test]
async fn expired_and_unknown_tokens_are_refused() {
    let env = common::start_small_chunks().await;
    // Long enough for the first upload to land in time on a loaded machine.
    let short = token(&env, 3).await.token;
    assert_eq!(
        delegated(&env, &short, None, None, b"in time")
            .await
            .status(),
        201
    );
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    let answer = delegated(&env, &short, None, None, b"too late").await;
    assert_eq!(answer.status(), 400);
    let problem: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(problem["name"], "token");
    let err = env
        .raw
        .get_upload_token()
        .upload_token(&short)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    let listed = env.raw.list_upload_tokens().send().await.unwrap();
    assert!(listed.data.is_empty());
    assert_eq!(
        delegated(&env, "to0000000000000000000000", None, None, b"x")
            .await
            .status(),
        400
    );
    let answer = env.http.post(env.url("/upload")).send().await.unwrap();
    assert_eq!(answer.status(), 400);
}
