//! Captions and chapters: WebVTT uploads per language tag, the default
//! caption, served files, validation of tags and files, pages, tenant
//! isolation, and removal with the video.

use apivideo_raw::prelude::*;
use apivideo_raw::types::{Caption, CaptionUpdatePayload, Chapter};

use crate::common::{self, TestEnv, status};
use crate::support::{Form, api, create_video, problem};

const VTT: &str =
    "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello\n\n00:05.000 --> 00:07.500\nWorld\n";
const CHAPTERS_VTT: &str = "WEBVTT\n\nintro\n00:00:00.000 --> 00:01:00.000\nIntroduction\n\n00:01:00.000 --> 01:00:00.000\nThe rest\n";

async fn upload(env: &TestEnv, key: &str, path: &str, text: &str) -> reqwest::Response {
    Form::new()
        .file("file", "track.vtt", "text/vtt", text.as_bytes())
        .post(env, path, key)
        .await
}

async fn upload_caption(env: &TestEnv, video: &str, lang: &str) -> Caption {
    let answer = upload(
        env,
        "key-a",
        &format!("/videos/{video}/captions/{lang}"),
        VTT,
    )
    .await;
    assert_eq!(answer.status(), 200, "{lang}");
    answer.json().await.unwrap()
}

#[tokio::test]
async fn captions_are_uploaded_served_listed_and_deleted() {
    let env = common::start().await;
    let video = create_video(&env, "key-a", "subtitled").await;
    let caption = upload_caption(&env, &video, "en").await;
    assert_eq!(caption.uri, format!("/videos/{video}/captions/en"));
    let src = caption.src.clone();
    assert_eq!(src, env.url(&format!("/vod/{video}/captions/en.vtt")));
    assert_eq!(caption.srclang, "en");
    assert!(!caption.default);

    let served = env.http.get(&src).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert!(
        served.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/vtt")
    );
    assert_eq!(served.text().await.unwrap(), VTT);

    let fetched = env
        .raw
        .get_caption()
        .video_id(&video)
        .language("en")
        .send()
        .await
        .unwrap();
    assert_eq!(fetched, caption);

    // Tags are stored in their canonical case and found in any case.
    let brazil = upload_caption(&env, &video, "pt-br").await;
    assert_eq!(brazil.srclang, "pt-BR");
    upload_caption(&env, &video, "zh-Hant-TW").await;
    let again = env
        .raw
        .get_caption()
        .video_id(&video)
        .language("PT-BR")
        .send()
        .await
        .unwrap();
    assert_eq!(again, brazil);

    let list = env
        .raw
        .list_captions()
        .video_id(&video)
        .send()
        .await
        .unwrap();
    let langs: Vec<_> = list.data.iter().map(|c| c.srclang.clone()).collect();
    assert_eq!(langs, ["en", "pt-BR", "zh-Hant-TW"]);
    let page = env
        .raw
        .list_captions()
        .video_id(&video)
        .page_size(2)
        .current_page(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.pagination.pages_total, 2);
    assert_eq!(page.data.len(), 1);
    let out_of_range = env
        .raw
        .list_captions()
        .video_id(&video)
        .current_page(9)
        .send()
        .await
        .unwrap_err();
    assert_eq!(problem(out_of_range).1.name.as_deref(), Some("currentPage"));

    env.raw
        .delete_caption()
        .video_id(&video)
        .language("en")
        .send()
        .await
        .expect("deleted");
    let gone = env
        .raw
        .get_caption()
        .video_id(&video)
        .language("en")
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(gone);
    assert_eq!((code, p.name.as_deref()), (404, Some("language")));
    assert_eq!(env.http.get(&src).send().await.unwrap().status(), 404);
    let again = env
        .raw
        .delete_caption()
        .video_id(&video)
        .language("en")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&again), Some(404));
}

#[tokio::test]
async fn only_one_caption_is_the_default() {
    let env = common::start().await;
    let video = create_video(&env, "key-a", "defaults").await;
    for lang in ["en", "fr", "de"] {
        upload_caption(&env, &video, lang).await;
    }
    let set_default = |lang: &'static str, default: bool| {
        env.raw
            .update_caption()
            .video_id(&video)
            .language(lang)
            .body(CaptionUpdatePayload {
                default: Some(default),
            })
            .send()
    };
    let en = set_default("en", true).await.unwrap();
    assert!(en.default);
    let fr = set_default("fr", true).await.unwrap();
    assert!(fr.default);
    let defaults = |list: Vec<Caption>| -> Vec<String> {
        list.into_iter()
            .filter(|c| c.default)
            .map(|c| c.srclang)
            .collect()
    };
    let list = env
        .raw
        .list_captions()
        .video_id(&video)
        .send()
        .await
        .unwrap();
    assert_eq!(defaults(list.data), ["fr"]);

    // Uploading a new file keeps the flag.
    let replaced = upload_caption(&env, &video, "fr").await;
    assert!(replaced.default);

    let off = set_default("fr", false).await.unwrap();
    assert!(!off.default);
    let list = env
        .raw
        .list_captions()
        .video_id(&video)
        .send()
        .await
        .unwrap();
    assert!(defaults(list.data).is_empty());

    let path = format!("/videos/{video}/captions/de");
    let bad = api(&env, reqwest::Method::PATCH, &path, "key-a")
        .json(&serde_json::json!({"default": "yes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let p: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(p["name"], "default");
    let missing = set_default("it", true).await.unwrap_err();
    let (code, p) = problem(missing);
    assert_eq!((code, p.name.as_deref()), (404, Some("language")));
}

#[tokio::test]
async fn language_tags_and_files_are_validated() {
    let env = common::start().await;
    let video = create_video(&env, "key-a", "strict").await;
    for tag in ["english", "e1", "en_US", "en-", "x-private"] {
        let answer = upload(
            &env,
            "key-a",
            &format!("/videos/{video}/captions/{tag}"),
            VTT,
        )
        .await;
        assert_eq!(answer.status(), 400, "{tag}");
        let p: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(p["name"], "language", "{tag}");
    }
    let malformed = [
        "",
        "hello\n",
        "WEBVTT\n\n00:00:01,000 --> 00:00:04,000\nSRT commas\n",
        "WEBVTT\n\n1:2:3.4 --> 00:00:04.000\nshort\n",
        "WEBVTT\n\njust text, no timing\n",
        "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nbackwards\n",
        "WEBVTT\n\n00:00:61.000 --> 00:01:01.000\nbad seconds\n",
    ];
    for text in malformed {
        for kind in ["captions", "chapters"] {
            let answer = upload(&env, "key-a", &format!("/videos/{video}/{kind}/en"), text).await;
            assert_eq!(answer.status(), 400, "{kind}: {text:?}");
            let p: serde_json::Value = answer.json().await.unwrap();
            assert_eq!(p["name"], "file", "{text:?}");
            assert_eq!(p["title"], "The file is not a valid WebVTT file.");
            assert!(p["detail"].is_string());
        }
    }
    let no_file = Form::new()
        .text("language", "en")
        .post(&env, &format!("/videos/{video}/captions/en"), "key-a")
        .await;
    assert_eq!(no_file.status(), 400);
    let p: serde_json::Value = no_file.json().await.unwrap();
    assert_eq!(p["name"], "file");
    let list = env
        .raw
        .list_captions()
        .video_id(&video)
        .send()
        .await
        .unwrap();
    assert!(list.data.is_empty(), "nothing invalid was stored");

    let unknown = upload(&env, "key-a", "/videos/vinope/captions/en", VTT).await;
    assert_eq!(unknown.status(), 404);
    let p: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(p["name"], "videoId");
    let err = env
        .raw
        .list_captions()
        .video_id("vinope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(problem(err).1.name.as_deref(), Some("videoId"));
    let err = env
        .raw
        .get_chapter()
        .video_id(&video)
        .language("english")
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (404, Some("language")));
}

#[tokio::test]
async fn chapters_are_uploaded_served_listed_and_deleted() {
    let env = common::start().await;
    let video = create_video(&env, "key-a", "chaptered").await;
    let path = format!("/videos/{video}/chapters/fr");
    let answer = upload(&env, "key-a", &path, CHAPTERS_VTT).await;
    assert_eq!(answer.status(), 200);
    let chapter: Chapter = answer.json().await.unwrap();
    assert_eq!(chapter.uri, path);
    assert_eq!(chapter.language, "fr");
    let src = chapter.src.clone();
    assert_eq!(src, env.url(&format!("/vod/{video}/chapters/fr.vtt")));
    let served = env.http.get(&src).send().await.unwrap();
    assert!(
        served.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/vtt")
    );
    assert_eq!(served.text().await.unwrap(), CHAPTERS_VTT);

    let fetched = env
        .raw
        .get_chapter()
        .video_id(&video)
        .language("fr")
        .send()
        .await
        .unwrap();
    assert_eq!(fetched, chapter);
    assert_eq!(
        upload(
            &env,
            "key-a",
            &format!("/videos/{video}/chapters/en"),
            CHAPTERS_VTT
        )
        .await
        .status(),
        200
    );
    let list = env
        .raw
        .list_chapters()
        .video_id(&video)
        .send()
        .await
        .unwrap();
    let langs: Vec<_> = list.data.iter().map(|c| c.language.clone()).collect();
    assert_eq!(langs, ["fr", "en"]);
    assert_eq!(list.pagination.items_total, 2);
    // Chapters and captions are separate.
    let captions = env
        .raw
        .list_captions()
        .video_id(&video)
        .send()
        .await
        .unwrap();
    assert!(captions.data.is_empty());

    env.raw
        .delete_chapter()
        .video_id(&video)
        .language("fr")
        .send()
        .await
        .expect("deleted");
    let err = env
        .raw
        .get_chapter()
        .video_id(&video)
        .language("fr")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    assert_eq!(env.http.get(&src).send().await.unwrap().status(), 404);
    let err = env
        .raw
        .list_chapters()
        .video_id(&video)
        .page_size(101)
        .send()
        .await
        .unwrap_err();
    assert_eq!(problem(err).1.name.as_deref(), Some("pageSize"));
}

#[tokio::test]
async fn another_project_cannot_see_or_touch_tracks() {
    let env = common::start().await;
    let video = create_video(&env, "key-a", "a's video").await;
    let caption = upload_caption(&env, &video, "en").await;
    let b = env.raw_for("key-b");
    let list = b.list_captions().video_id(&video).send().await.unwrap_err();
    assert_eq!(problem(list).1.name.as_deref(), Some("videoId"));
    let get = b
        .get_caption()
        .video_id(&video)
        .language("en")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&get), Some(404));
    let patch = b
        .update_caption()
        .video_id(&video)
        .language("en")
        .body(CaptionUpdatePayload {
            default: Some(true),
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&patch), Some(404));
    let delete = b
        .delete_caption()
        .video_id(&video)
        .language("en")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&delete), Some(404));
    let up = upload(&env, "key-b", &format!("/videos/{video}/chapters/en"), VTT).await;
    assert_eq!(up.status(), 404);
    let still = env
        .raw
        .get_caption()
        .video_id(&video)
        .language("en")
        .send()
        .await
        .unwrap();
    assert_eq!(still, caption);
}

#[tokio::test]
async fn deleting_the_video_removes_its_tracks() {
    let env = common::start().await;
    let video = create_video(&env, "key-a", "doomed").await;
    let caption = upload_caption(&env, &video, "en").await;
    let chapter = upload(
        &env,
        "key-a",
        &format!("/videos/{video}/chapters/en"),
        CHAPTERS_VTT,
    )
    .await;
    let chapter: Chapter = chapter.json().await.unwrap();
    let deleted = api(
        &env,
        reqwest::Method::DELETE,
        &format!("/videos/{video}"),
        "key-a",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(deleted.status(), 204);
    let err = env
        .raw
        .list_captions()
        .video_id(&video)
        .send()
        .await
        .unwrap_err();
    assert_eq!(problem(err).1.name.as_deref(), Some("videoId"));
    for src in [caption.src, chapter.src] {
        assert_eq!(
            env.http.get(&src).send().await.unwrap().status(),
            404,
            "{src}"
        );
    }
}
