//! Watermarks: JPG or PNG images uploaded (ids starting with `watermark_`),
//! listed by creation date across pages, deleted, kept apart per project,
//! and checked by `create_video` when a video names one.

use apivideo_raw::prelude::*;
use apivideo_raw::types::{ListWatermarksSortOrder, Watermark};
use serde_json::json;

use crate::common::{self, status};
use crate::support::{Form, JPEG, api};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n fake png";

async fn upload(env: &common::TestEnv, key: &str, file_name: &str, bytes: &[u8]) -> Watermark {
    let answer = Form::new()
        .file("file", file_name, "application/octet-stream", bytes)
        .post(env, "/watermarks", key)
        .await;
    assert_eq!(answer.status(), 200, "{file_name}");
    answer.json().await.unwrap()
}

#[tokio::test]
async fn uploads_take_jpg_and_png_and_answer_the_id_and_date() {
    let env = common::start().await;
    let png = upload(&env, "key-a", "mark.png", PNG).await;
    assert!(png.watermark_id.starts_with("watermark_"), "{png:?}");
    assert_eq!(png.watermark_id.len(), "watermark_".len() + 22);
    // `createdAt` is required: without it the answer would not decode.
    // Any letter case, and a part named after the file.
    let jpeg = Form::new()
        .file("mark.JPEG", "mark.JPEG", "image/jpeg", JPEG)
        .post(&env, "/watermarks", "key-a")
        .await;
    assert_eq!(jpeg.status(), 200);
    let jpeg: Watermark = jpeg.json().await.unwrap();
    assert_ne!(jpeg.watermark_id, png.watermark_id);

    let gif = Form::new()
        .file("file", "mark.gif", "image/gif", b"GIF89a")
        .post(&env, "/watermarks", "key-a")
        .await;
    assert_eq!(gif.status(), 400);
    let p: serde_json::Value = gif.json().await.unwrap();
    assert_eq!(p["name"], "file");
    assert_eq!(
        p["type"],
        "https://docs.api.video/reference/uploaded-file-extension-invalid"
    );
    assert_eq!(
        p["title"],
        "Only [jpeg, jpg, JPG, JPEG, png, PNG] extensions are supported."
    );
    let missing = Form::new()
        .text("name", "no file")
        .post(&env, "/watermarks", "key-a")
        .await;
    assert_eq!(missing.status(), 400);
    let not_a_form = api(&env, reqwest::Method::POST, "/watermarks", "key-a")
        .json(&json!({"file": "mark.png"}))
        .send()
        .await
        .unwrap();
    assert_eq!(not_a_form.status(), 400);

    // Refused uploads stored nothing.
    let listed = env.raw.list_watermarks().send().await.unwrap();
    assert_eq!(listed.data, vec![png, jpeg]);
}

#[tokio::test]
async fn the_list_sorts_by_creation_date_and_pages() {
    let env = common::start().await;
    let mut uploaded = Vec::new();
    for i in 0..3 {
        uploaded.push(upload(&env, "key-a", &format!("mark-{i}.png"), PNG).await);
    }
    // Another project's watermark is not ours.
    upload(&env, "key-b", "theirs.png", PNG).await;

    let all = env.raw.list_watermarks().send().await.unwrap();
    assert_eq!(all.data, uploaded);
    assert_eq!(all.pagination.items_total, 3);

    let newest_first = env
        .raw
        .list_watermarks()
        .sort_by(apivideo_raw::types::ListWatermarksSortBy::CreatedAt)
        .sort_order(ListWatermarksSortOrder::Desc)
        .page_size(2)
        .send()
        .await
        .unwrap();
    let mut reversed = uploaded.clone();
    reversed.reverse();
    assert_eq!(newest_first.data, reversed[..2]);
    assert_eq!(newest_first.pagination.pages_total, 2);
    let second = env
        .raw
        .list_watermarks()
        .sort_order(ListWatermarksSortOrder::Desc)
        .page_size(2)
        .current_page(2)
        .send()
        .await
        .unwrap();
    assert_eq!(second.data, reversed[2..]);
    let last = second.pagination.links.last().unwrap();
    assert_eq!(
        last.uri,
        env.url("/watermarks?sortOrder=desc&currentPage=2&pageSize=2")
    );

    let bad_sort = api(
        &env,
        reqwest::Method::GET,
        "/watermarks?sortBy=name",
        "key-a",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(bad_sort.status(), 400);
    let err = env
        .raw
        .list_watermarks()
        .current_page(3)
        .page_size(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(400));
}

#[tokio::test]
async fn delete_removes_a_watermark_of_the_project_only() {
    let env = common::start().await;
    let kept = upload(&env, "key-a", "kept.png", PNG).await;
    let gone = upload(&env, "key-a", "gone.jpg", JPEG).await;
    let theirs = upload(&env, "key-b", "theirs.png", PNG).await;

    env.raw
        .delete_watermark()
        .watermark_id(&gone.watermark_id)
        .send()
        .await
        .expect("deleted");
    let listed = env.raw.list_watermarks().send().await.unwrap();
    assert_eq!(listed.data, vec![kept]);

    for id in [
        gone.watermark_id.as_str(),
        theirs.watermark_id.as_str(),
        "watermark_nope",
    ] {
        let err = env
            .raw
            .delete_watermark()
            .watermark_id(id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(status(&err), Some(404), "{id}");
        assert_eq!(
            err.problem().and_then(|p| p.name.as_deref()),
            Some("watermarkId")
        );
    }
    // Still there for its own project.
    let theirs_listed = env.raw_for("key-b").list_watermarks().send().await.unwrap();
    assert_eq!(theirs_listed.data, vec![theirs]);
}

#[tokio::test]
async fn create_video_checks_the_watermark_id() {
    let env = common::start().await;
    let mark = upload(&env, "key-a", "mark.png", PNG).await;
    let create = |key: &'static str, body: serde_json::Value| {
        api(&env, reqwest::Method::POST, "/videos", key)
            .json(&body)
            .send()
    };
    let placed = json!({
        "title": "Watermarked",
        "watermark": {"id": mark.watermark_id, "bottom": "10px", "right": "10px",
                      "width": "50%", "opacity": "70%"}
    });
    let created = create("key-a", placed.clone()).await.unwrap();
    assert_eq!(created.status(), 201);

    // Unknown here, or another project's: a 404 naming the attribute, and no video.
    for (key, body) in [
        (
            "key-a",
            json!({"title": "Unknown mark", "watermark": {"id": "watermark_nope", "top": "5%"}}),
        ),
        ("key-b", placed),
    ] {
        let refused = create(key, body).await.unwrap();
        assert_eq!(refused.status(), 404);
        let p: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(p["name"], "watermark.id");
        assert_eq!(p["status"], 404);
        assert_eq!(
            p["type"],
            "https://docs.api.video/reference/resource-not-found"
        );
    }
    for (key, count) in [("key-a", 1), ("key-b", 0)] {
        let videos: serde_json::Value = api(&env, reqwest::Method::GET, "/videos", key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(videos["pagination"]["itemsTotal"], count, "{key}");
    }

    // A placement without an id refers to nothing to check.
    let no_id = create(
        "key-a",
        json!({"title": "No id", "watermark": {"top": "5px"}}),
    )
    .await
    .unwrap();
    assert_eq!(no_id.status(), 201);
}
