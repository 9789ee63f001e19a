//! Videos: CRUD with the API's defaults, PATCH semantics, lists with
//! filters, sorts and pages, validation problems, tenant isolation,
//! thumbnails, and creation from a URL or another video.

use apivideo_raw::patch::{Patch, VideoUpdatePayload};
use apivideo_raw::prelude::*;
use apivideo_raw::types::{
    Metadata, Video, VideoCreationPayload, VideoThumbnailPickPayload, VideosListResponse,
};

use crate::common::{self, TestEnv, status};
use crate::uploads::{bytes, create, form, mp4, send_chunk};

fn meta(key: &str, value: &str) -> Metadata {
    Metadata::new(key, value)
}

async fn patch_json(
    env: &TestEnv,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let answer = env
        .http
        .patch(env.url(path))
        .header("authorization", env.basic())
        .json(&body)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

/// `GET /videos?query` (handwritten in the SDK: `metadata[k]=v`).
async fn list(env: &TestEnv, key: &str, query: &str) -> (u16, serde_json::Value) {
    let answer = env
        .http
        .get(env.url(&format!("/videos?{query}")))
        .header("authorization", common::basic(key))
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

fn titles(body: serde_json::Value) -> Vec<String> {
    let page: VideosListResponse = serde_json::from_value(body).expect("a list");
    page.data.into_iter().map(|v| v.title).collect()
}

#[tokio::test]
async fn create_show_update_delete() {
    let env = common::start().await;
    let video = env
        .raw
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Maths")
                .description(Some("strings".to_owned()))
                .tags(vec!["a".to_owned(), "b".to_owned()])
                .metadata(vec![meta("Author", "Ada")]),
        )
        .send_with_response()
        .await
        .expect("created");
    assert_eq!(video.status(), 201);
    let video = video.into_inner();
    assert!(video.video_id.starts_with("vi") && video.video_id.len() == 24);
    assert_eq!(
        (video.public, video.panoramic, video.mp4_support),
        (Some(true), Some(false), Some(true))
    );
    assert!(video.created_at.is_some());
    let source = video.source.clone().unwrap();
    assert_eq!(
        source.uri.unwrap(),
        format!("/videos/{}/source", video.video_id)
    );
    let assets = video.assets.clone().unwrap();
    let mp4 = format!(
        "{}/vod/{}/mp4/source.mp4",
        env.emulator.base_url(),
        video.video_id
    );
    assert_eq!(assets.mp4.as_deref(), Some(mp4.as_str()));
    assert_eq!(
        assets.player,
        env.url(&format!("/embed/vod/{}", video.video_id))
    );

    let shown = env
        .raw
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap();
    assert_eq!(shown, video);

    // Only present fields change; tags: [] clears them.
    let updated = env
        .raw
        .update_video()
        .video_id(&video.video_id)
        .body(VideoUpdatePayload {
            title: Some("Physics".into()),
            public: Some(false),
            tags: Some(vec![]),
            ..Default::default()
        })
        .send()
        .await
        .expect("updated");
    assert_eq!(updated.title, "Physics");
    assert_eq!(updated.public, Some(false));
    assert!(updated.tags.is_empty());
    assert_eq!(updated.description, "strings");
    assert_eq!(updated.metadata, [meta("Author", "Ada")]);
    assert!(updated.updated_at >= video.updated_at);

    env.raw
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("deleted");
    let err = env
        .raw
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    let problem = err.problem().expect("a problem document").clone();
    assert_eq!(problem.name.as_deref(), Some("videoId"));
    let err = env
        .raw
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
}

#[tokio::test]
async fn player_is_set_and_removed_with_null() {
    let env = common::start().await;
    let video = create(&env, "with player").await;
    let path = format!("/videos/{}", video.video_id);
    let (code, body) = patch_json(
        &env,
        &path,
        serde_json::json!({"playerId": "pt0000000000000000000000"}),
    )
    .await;
    assert_eq!((code, body["name"].as_str()), (400, Some("playerId")));
    let (code, player) = env.post_json("/players", serde_json::json!({})).await;
    assert_eq!(code, 201, "{player}");
    let player_id = player["playerId"].as_str().unwrap();
    let (code, body) = patch_json(&env, &path, serde_json::json!({"playerId": player_id})).await;
    assert_eq!((code, body["playerId"].as_str()), (200, Some(player_id)));
    let cleared = env
        .raw
        .update_video()
        .video_id(&video.video_id)
        .body(VideoUpdatePayload {
            player_id: Patch::Clear,
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.player_id, None);
    assert_eq!(cleared.title, "with player");
}

#[tokio::test]
async fn lists_filter_sort_and_page() {
    let env = common::start().await;
    for (title, tags, author) in [
        ("Banana split", vec!["food", "dessert"], "Ann"),
        ("apple pie", vec!["food"], "Bob"),
        ("Cherry talk", vec!["talk"], "Ann"),
    ] {
        let (code, _) = env
            .post_json(
                "/videos",
                serde_json::json!({
                    "title": title, "tags": tags, "description": format!("About {title}"),
                    "metadata": [{"key": "Author", "value": author}]
                }),
            )
            .await;
        assert_eq!(code, 201);
    }
    let (_, all) = list(&env, "key-a", "").await;
    assert_eq!(titles(all), ["Banana split", "apple pie", "Cherry talk"]);
    let (_, sorted) = list(&env, "key-a", "sortBy=title&sortOrder=desc").await;
    assert_eq!(titles(sorted), ["Cherry talk", "Banana split", "apple pie"]);
    let (_, newest) = list(&env, "key-a", "sortBy=createdAt&sortOrder=desc").await;
    assert_eq!(titles(newest)[0], "Cherry talk");
    let (_, food) = list(&env, "key-a", "tags[]=food&sortBy=title").await;
    assert_eq!(titles(food), ["apple pie", "Banana split"]);
    let (_, both) = list(&env, "key-a", "tags[]=food&tags[]=dessert").await;
    assert_eq!(titles(both), ["Banana split"]);
    let (_, ann) = list(&env, "key-a", "metadata[Author]=Ann&description=cherry").await;
    assert_eq!(titles(ann), ["Cherry talk"]);
    let (_, by_title) = list(&env, "key-a", "title=PIE").await;
    assert_eq!(titles(by_title), ["apple pie"]);
    let (_, none) = list(&env, "key-a", "metadata[Author]=Zoe").await;
    assert!(titles(none).is_empty());
    // Filters are kept in the pagination links.
    let (_, page) = list(&env, "key-a", "tags[]=food&pageSize=1").await;
    let page: VideosListResponse = serde_json::from_value(page).unwrap();
    let next = page.pagination.links.iter().find(|l| l.rel == "next");
    assert!(next.unwrap().uri.contains("tags%5B%5D=food"));
}

#[tokio::test]
async fn pages_walk_the_list() {
    let env = common::start().await;
    for i in 0..3 {
        create(&env, &format!("v{i}")).await;
    }
    let (code, body) = list(&env, "key-a", "pageSize=2&currentPage=2").await;
    assert_eq!(code, 200);
    let page: VideosListResponse = serde_json::from_value(body).unwrap();
    assert_eq!(page.data.len(), 1);
    let p = page.pagination;
    assert_eq!(
        (p.pages_total, p.items_total, p.current_page_items),
        (2, 3, 1)
    );
    let first = p.links.iter().find(|l| l.rel == "first").unwrap();
    assert_eq!(first.uri, env.url("/videos?currentPage=1&pageSize=2"));
    let (code, body) = list(&env, "key-a", "currentPage=3&pageSize=2").await;
    assert_eq!((code, body["name"].as_str()), (400, Some("currentPage")));
    let (code, body) = list(&env, "key-a", "pageSize=500").await;
    assert_eq!((code, body["name"].as_str()), (400, Some("pageSize")));
}

#[tokio::test]
async fn invalid_input_is_named() {
    let env = common::start().await;
    let (code, body) = env
        .post_json("/videos", serde_json::json!({"description": "x"}))
        .await;
    assert_eq!(code, 400);
    assert_eq!(body["name"], "title");
    assert_eq!(body["title"], "This attribute is required.");
    let (code, body) = env
        .post_json(
            "/videos",
            serde_json::json!({"title": 3, "tags": "a", "public": "yes", "metadata": [{"key": 1}]}),
        )
        .await;
    assert_eq!(code, 400);
    let names: Vec<&str> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["title", "public", "tags", "metadata"]);
    let (code, body) = env
        .post_json(
            "/videos",
            serde_json::json!({"title": "t", "publishedAt": "next tuesday"}),
        )
        .await;
    assert_eq!((code, body["name"].as_str()), (400, Some("publishedAt")));
    let (code, body) = env
        .post_json(
            "/videos",
            serde_json::json!({"title": "t", "publishedAt": "2024-03-05T10:17:47Z"}),
        )
        .await;
    assert_eq!(
        (code, body["publishedAt"].as_str()),
        (201, Some("2024-03-05T10:17:47Z"))
    );
    let (code, body) = list(&env, "key-a", "sortBy=size").await;
    assert_eq!((code, body["name"].as_str()), (400, Some("sortBy")));
    let (code, body) = list(&env, "key-a", "sortBy=title&sortOrder=up").await;
    assert_eq!((code, body["name"].as_str()), (400, Some("sortOrder")));

    let video = create(&env, "typed").await;
    let path = format!("/videos/{}", video.video_id);
    let (code, body) = patch_json(&env, &path, serde_json::json!({"panoramic": "no"})).await;
    assert_eq!((code, body["name"].as_str()), (400, Some("panoramic")));
    let (code, body) = patch_json(&env, &path, serde_json::json!({"metadata": {"a": "b"}})).await;
    assert_eq!((code, body["name"].as_str()), (400, Some("metadata")));
    let (code, body) = patch_json(
        &env,
        "/videos/vi0000000000000000000000",
        serde_json::json!({}),
    )
    .await;
    assert_eq!((code, body["name"].as_str()), (404, Some("videoId")));
    let answer = env
        .http
        .post(env.url("/videos"))
        .header("authorization", env.basic())
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
}

#[tokio::test]
async fn other_projects_cannot_see_a_video() {
    let env = common::start().await;
    let video = create(&env, "mine").await;
    let b = env.raw_for("key-b");
    let err = b
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    let err = b
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    let err = b
        .update_video()
        .video_id(&video.video_id)
        .body(VideoUpdatePayload {
            title: Some("theirs".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    let err = b
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    let (_, theirs) = list(&env, "key-b", "").await;
    assert!(titles(theirs).is_empty());
    let (_, mine) = list(&env, "key-a", "").await;
    assert_eq!(titles(mine), ["mine"]);
}

pub(crate) async fn upload_thumbnail(
    env: &TestEnv,
    video_id: &str,
    name: &str,
    data: &[u8],
) -> reqwest::Response {
    let (content_type, body) = form("file", name, data, &[]);
    env.http
        .post(env.url(&format!("/videos/{video_id}/thumbnail")))
        .header("authorization", env.basic())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn thumbnail_bytes(env: &TestEnv, video: &Video) -> Vec<u8> {
    let url = video.assets.as_ref().unwrap().thumbnail.clone();
    let answer = env.http.get(url).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "image/jpeg");
    answer.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn thumbnails_are_uploaded_or_picked() {
    let env = common::start().await;
    let video = create(&env, "thumbs").await;
    let id = &video.video_id;
    let answer = upload_thumbnail(&env, id, "frame.gif", b"GIF89a").await;
    assert_eq!(answer.status(), 400);
    let p: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(
        p["type"],
        "https://docs.api.video/reference/uploaded-file-extension-invalid"
    );
    assert_eq!(
        p["title"],
        "Only [jpeg, jpg, JPG, JPEG, png, PNG, webp, WEBP] extensions are supported."
    );
    let image = b"\xFF\xD8 pretend jpeg \xFF\xD9".to_vec();
    let answer = upload_thumbnail(&env, id, "frame.JPG", &image).await;
    assert_eq!(answer.status(), 200);
    let with_thumb: Video = answer.json().await.unwrap();
    assert_eq!(thumbnail_bytes(&env, &with_thumb).await, image);

    let pick = |timecode: &str| {
        env.raw
            .pick_video_thumbnail()
            .video_id(id)
            .body(VideoThumbnailPickPayload::builder().timecode(timecode))
            .send()
    };
    // Nothing to pick a frame from before the source arrives.
    assert_eq!(status(&pick("00:00:01").await.unwrap_err()), Some(400));
    let (code, body) = patch_json(
        &env,
        &format!("/videos/{id}/thumbnail"),
        serde_json::json!({"timecode": "1:2"}),
    )
    .await;
    assert_eq!((code, body["name"].as_str()), (400, Some("timecode")));
    assert_eq!(
        send_chunk(&env, "key-a", id, None, &bytes(10_000, 7))
            .await
            .status(),
        201
    );
    let picked = pick("00:00:01.50").await.expect("picked");
    // The reference's own example: three decimals, which the spec's pattern
    // accepts because JSON Schema patterns are not anchored.
    let (code, body) = patch_json(
        &env,
        &format!("/videos/{id}/thumbnail"),
        serde_json::json!({"timecode": "00:00:01.000"}),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    let jpeg = thumbnail_bytes(&env, &picked).await;
    assert_ne!(jpeg, image);
    assert_eq!(
        (&jpeg[..2], &jpeg[jpeg.len() - 2..]),
        (&[0xFF, 0xD8][..], &[0xFF, 0xD9][..])
    );
    let err = env
        .raw
        .pick_video_thumbnail()
        .video_id("vi0000000000000000000000")
        .body(VideoThumbnailPickPayload::builder().timecode("00:00:01"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
}

#[tokio::test]
async fn sources_from_a_url_or_another_video() {
    let env = common::start().await;
    let (code, from_url) = env
        .post_json(
            "/videos",
            serde_json::json!({"title": "imported", "source": "https://example.com/v.mp4"}),
        )
        .await;
    assert_eq!(code, 202);
    let id = from_url["videoId"].as_str().unwrap();
    let status = crate::uploads::status(&env, id).await;
    assert_eq!(status.ingest.status.to_string(), "uploaded");

    let original = create(&env, "original").await;
    let data = bytes(20_000, 8);
    assert_eq!(
        send_chunk(&env, "key-a", &original.video_id, None, &data)
            .await
            .status(),
        201
    );
    let (code, copy) = env
        .post_json(
            "/videos",
            serde_json::json!({"title": "copy", "source": original.video_id}),
        )
        .await;
    assert_eq!(code, 202);
    let copy: Video = serde_json::from_value(copy).unwrap();
    assert_ne!(copy.video_id, original.video_id);
    assert_eq!(mp4(&env, &copy).await, data);
    let (code, body) = env
        .post_json(
            "/videos",
            serde_json::json!({"title": "x", "source": "nothing"}),
        )
        .await;
    assert_eq!((code, body["name"].as_str()), (400, Some("source")));
}

#[tokio::test]
async fn deleting_a_video_removes_its_media() {
    let env = common::start().await;
    let video = create(&env, "short-lived").await;
    assert_eq!(
        send_chunk(&env, "key-a", &video.video_id, None, b"bytes")
            .await
            .status(),
        201
    );
    let url = video.assets.as_ref().unwrap().mp4.clone().unwrap();
    assert_eq!(env.http.get(&url).send().await.unwrap().status(), 200);
    env.raw
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap();
    assert_eq!(env.http.get(&url).send().await.unwrap().status(), 404);
    let media = env.emulator.data_dir().join("media");
    let leftovers = walk(&media)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(&video.video_id))
        .count();
    assert_eq!(leftovers, 0);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}
