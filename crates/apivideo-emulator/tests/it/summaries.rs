//! Summaries and transcripts: a generated summary waits for its video's
//! encoding and completes (with its webhook), a written one stays missing
//! until written, every `sourceStatus` is reached by the emulator's
//! documented rules, the list filters, sorts and pages, bad input is
//! refused, summaries go with their video, `transcriptSummary` on videos
//! creates them, and `transcript` gives a caption in the video's language.
//!
//! Encoding takes no time here, so the first read after an upload records
//! its end and sees what followed: no test waits for a state, only for a
//! webhook delivery, which is asynchronous by nature.

use std::time::Duration;

use apivideo_emulator::{Config, FaultSettings};
use apivideo_raw::patch::VideoUpdatePayload;
use apivideo_raw::prelude::*;
use apivideo_raw::types::{
    ListSummariesOrigin, ListSummariesSortBy, ListSummariesSortOrder, ListSummariesSourceStatus,
    Summary, SummaryCreationPayload, SummaryCreationPayloadAttributesItem,
    SummaryCreationPayloadOrigin, SummaryOrigin, SummarySource, SummarySourceStatus,
    SummaryUpdatePayload, VideoCreationPayload, VideoCreationPayloadLanguage,
    VideoCreationPayloadTranscriptSummaryAttributesItem,
};
use serde_json::{Value, json};

use crate::common::{self, TestEnv, status};
use crate::live_streams::support::{api, problem};
use crate::uploads::{bytes, send_chunk};
use crate::webhooks::{receiver, register, wait_for};

/// A source long enough to hold speech (at least 1 KiB).
const SPEECH: usize = 4096;
/// A source too short to hold speech.
const NO_SPEECH: usize = 100;

async fn env() -> TestEnv {
    common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_api_key("key-b")
            .with_encoding_delay(Duration::ZERO),
    )
    .await
}

async fn video(env: &TestEnv, title: &str) -> String {
    crate::uploads::create(env, title).await.video_id
}

/// Uploads a source of `len` bytes and reads the status, which records
/// the end of encoding.
async fn upload(env: &TestEnv, video_id: &str, len: usize) {
    let answer = send_chunk(env, "key-a", video_id, None, &bytes(len, 3)).await;
    assert_eq!(answer.status(), 201);
    let status = crate::uploads::status(env, video_id).await;
    assert!(status.encoding.playable);
}

fn auto(video_id: &str) -> SummaryCreationPayload {
    SummaryCreationPayload {
        video_id: video_id.to_owned(),
        origin: Some(SummaryCreationPayloadOrigin::Auto),
        attributes: Vec::new(),
    }
}

fn written(video_id: &str) -> SummaryCreationPayload {
    SummaryCreationPayload {
        video_id: video_id.to_owned(),
        origin: None,
        attributes: Vec::new(),
    }
}

async fn create(env: &TestEnv, body: SummaryCreationPayload) -> Summary {
    env.raw
        .create_summary()
        .body(body)
        .send()
        .await
        .expect("summary created")
}

async fn source(env: &TestEnv, id: &str) -> SummarySource {
    env.raw
        .get_summary_source()
        .summary_id(id)
        .send()
        .await
        .expect("content")
}

async fn listed(env: &TestEnv) -> Vec<Summary> {
    env.raw
        .list_summaries()
        .send()
        .await
        .expect("summaries")
        .data
}

fn words(text: Option<&str>) -> usize {
    text.unwrap_or_default().split_whitespace().count()
}

/// A JSON request as the first project; the status and body.
async fn call(env: &TestEnv, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
    let answer = api(env, method, path, "key-a")
        .json(&body)
        .send()
        .await
        .expect("an answer");
    let code = answer.status().as_u16();
    (code, answer.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_generated_summary_waits_for_encoding_then_completes_and_is_announced() {
    let env = env().await;
    let (url, seen) = receiver(vec![]).await;
    register(&env, &url, &["video.summary.generated"]).await;
    let id = video(&env, "String theory").await;

    let summary = create(&env, auto(&id)).await;
    assert!(summary.summary_id.starts_with("summary_"), "{summary:?}");
    assert_eq!(summary.summary_id.len(), "summary_".len() + 22);
    assert_eq!(summary.video_id, id);
    assert_eq!(summary.origin, SummaryOrigin::Auto);
    assert_eq!(summary.source_status, SummarySourceStatus::Waiting);
    assert_eq!(summary.created_at, summary.updated_at);
    assert_eq!(
        source(&env, &summary.summary_id).await,
        SummarySource::default()
    );
    assert_eq!(listed(&env).await, std::slice::from_ref(&summary));

    upload(&env, &id, SPEECH).await;
    let content = source(&env, &summary.summary_id).await;
    let n = words(content.abstract_.as_deref());
    assert!((20..=300).contains(&n), "{n} words: {content:?}");
    assert!(
        content
            .abstract_
            .as_deref()
            .unwrap()
            .contains("String theory"),
        "{content:?}"
    );
    assert_eq!(content.takeaways.len(), 3);
    assert!(content.takeaways[0].contains("opens"), "{content:?}");
    assert!(content.takeaways[2].contains("recap"), "{content:?}");
    let [done] = &listed(&env).await[..] else {
        panic!("one summary")
    };
    assert_eq!(done.source_status, SummarySourceStatus::Completed);
    assert_eq!(done.created_at, summary.created_at);
    assert!(done.updated_at >= summary.updated_at);

    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(10)).await;
    let bodies = seen.lock().unwrap().bodies.clone();
    let [body] = &bodies[..] else {
        panic!("one delivery: {bodies:?}")
    };
    assert_eq!(body["type"], "video.summary.generated");
    assert_eq!(body["videoId"], id.as_str());
    assert_eq!(body["summaryId"], summary.summary_id.as_str());
    let at = body["emittedAt"].as_str().expect("emittedAt");
    assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    assert_eq!(env.emulator.stats().event("summary.generated"), 1);
}

#[tokio::test]
async fn attributes_choose_what_is_generated() {
    let env = env().await;
    let mut ids = Vec::new();
    for title in ["Abstract only", "Takeaways only", "Empty list"] {
        let id = video(&env, title).await;
        upload(&env, &id, SPEECH).await;
        ids.push(id);
    }
    // On an encoded video, the summary is generated at once.
    let only_abstract = create(
        &env,
        SummaryCreationPayload {
            attributes: vec![SummaryCreationPayloadAttributesItem::Abstract],
            ..auto(&ids[0])
        },
    )
    .await;
    assert_eq!(only_abstract.source_status, SummarySourceStatus::Completed);
    let content = source(&env, &only_abstract.summary_id).await;
    assert!(content.abstract_.is_some() && content.takeaways.is_empty());

    let only_takeaways = create(
        &env,
        SummaryCreationPayload {
            attributes: vec![
                SummaryCreationPayloadAttributesItem::Takeaways,
                SummaryCreationPayloadAttributesItem::Takeaways,
            ],
            ..auto(&ids[1])
        },
    )
    .await;
    let content = source(&env, &only_takeaways.summary_id).await;
    assert!(content.abstract_.is_none() && content.takeaways.len() == 3);

    let (code, both) = call(
        &env,
        reqwest::Method::POST,
        "/summaries",
        json!({"videoId": ids[2], "origin": "auto", "attributes": []}),
    )
    .await;
    assert_eq!(code, 201, "{both}");
    let content = source(&env, both["summaryId"].as_str().unwrap()).await;
    assert!(content.abstract_.is_some() && content.takeaways.len() == 3);
}

#[tokio::test]
async fn a_written_summary_is_missing_until_its_content_is_sent() {
    let env = env().await;
    let id = video(&env, "Interview").await;
    let summary = create(&env, written(&id)).await;
    assert_eq!(summary.origin, SummaryOrigin::Api);
    assert_eq!(summary.source_status, SummarySourceStatus::Missing);
    // Encoding generates nothing for it.
    upload(&env, &id, SPEECH).await;
    assert_eq!(
        source(&env, &summary.summary_id).await,
        SummarySource::default()
    );
    assert_eq!(
        listed(&env).await[0].source_status,
        SummarySourceStatus::Missing
    );

    let answer = env
        .raw
        .update_summary_source()
        .summary_id(&summary.summary_id)
        .body(SummaryUpdatePayload {
            abstract_: Some("A violinist who turned to physics.".into()),
            takeaways: Vec::new(),
        })
        .send_with_response()
        .await
        .expect("written");
    assert_eq!(answer.status(), 201);
    assert_eq!(
        answer.into_inner(),
        SummarySource {
            abstract_: Some("A violinist who turned to physics.".into()),
            takeaways: Vec::new(),
        }
    );
    let [done] = &listed(&env).await[..] else {
        panic!("one summary")
    };
    assert_eq!(done.source_status, SummarySourceStatus::Completed);
    assert!(done.updated_at >= summary.updated_at);

    // Written again: takeaways added, the abstract kept.
    let takeaways = vec!["Music first.".to_owned(), "Physics at thirty.".to_owned()];
    let content = env
        .raw
        .update_summary_source()
        .summary_id(&summary.summary_id)
        .body(SummaryUpdatePayload {
            abstract_: None,
            takeaways: takeaways.clone(),
        })
        .send()
        .await
        .expect("written again");
    assert_eq!(
        content.abstract_.as_deref(),
        Some("A violinist who turned to physics.")
    );
    assert_eq!(content.takeaways, takeaways);
    assert_eq!(source(&env, &summary.summary_id).await, content);
    // No webhook counts for content written through the API.
    assert_eq!(env.emulator.stats().event("summary.generated"), 0);
}

#[tokio::test]
async fn content_is_checked_and_generated_summaries_cannot_be_written() {
    let env = env().await;
    let id = video(&env, "Checked").await;
    let summary = create(&env, written(&id)).await;
    let path = format!("/summaries/{}/source", summary.summary_id);
    for (body, name, all) in [
        (json!({"abstract": "  "}), "abstract", vec!["abstract"]),
        (json!({"abstract": 42}), "abstract", vec!["abstract"]),
        (
            json!({"takeaways": ["a", "b", "c", "d"]}),
            "takeaways",
            vec!["takeaways"],
        ),
        (
            json!({"takeaways": ["a", ""]}),
            "takeaways[1]",
            vec!["takeaways[1]"],
        ),
        (json!({}), "abstract", vec!["abstract", "takeaways"]),
        (
            json!({"takeaways": []}),
            "abstract",
            vec!["abstract", "takeaways"],
        ),
    ] {
        let (code, p) = call(&env, reqwest::Method::PATCH, &path, body.clone()).await;
        assert_eq!(code, 400, "{body}: {p}");
        assert_eq!(p["name"], name, "{body}: {p}");
        let names: Vec<_> = p["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .map(|q| q["name"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(names, all, "{body}: {p}");
    }
    // Nothing refused was written.
    assert_eq!(
        source(&env, &summary.summary_id).await,
        SummarySource::default()
    );

    let err = env
        .raw
        .update_summary_source()
        .summary_id("summary_0000000000000000000000")
        .body(SummaryUpdatePayload {
            abstract_: Some("Lost.".into()),
            takeaways: Vec::new(),
        })
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (404, Some("summaryId")));

    // A generated summary, waiting and then completed, is not written.
    let other = video(&env, "Generated").await;
    let generated = create(&env, auto(&other)).await;
    for encoded in [false, true] {
        if encoded {
            upload(&env, &other, SPEECH).await;
        }
        let err = env
            .raw
            .update_summary_source()
            .summary_id(&generated.summary_id)
            .body(SummaryUpdatePayload {
                abstract_: Some("Mine.".into()),
                takeaways: Vec::new(),
            })
            .send()
            .await
            .unwrap_err();
        let (code, p) = problem(err);
        assert_eq!((code, p.name.as_deref()), (409, Some("summaryId")));
        assert_eq!(
            p.type_.as_deref(),
            Some("https://docs.api.video/reference/summary-already-exists")
        );
    }
    assert!(
        source(&env, &generated.summary_id)
            .await
            .abstract_
            .is_some_and(|a| a != "Mine.")
    );
}

#[tokio::test]
async fn every_source_status_is_reached() {
    let env = env().await;
    let missing = create(&env, written(&video(&env, "Missing").await)).await;
    let waiting = create(&env, auto(&video(&env, "Waiting").await)).await;

    let speech = video(&env, "Completed").await;
    let completed = create(&env, auto(&speech)).await;
    upload(&env, &speech, SPEECH).await;

    // Under 1 KiB, a source holds no speech.
    let short = video(&env, "Unprocessable").await;
    let unprocessable = create(&env, auto(&short)).await;
    upload(&env, &short, NO_SPEECH).await;

    // While generation is set to fail, generated summaries fail.
    env.emulator.set_faults(FaultSettings {
        fail_generation: true,
        ..FaultSettings::default()
    });
    let broken = video(&env, "Failed").await;
    let failed = create(&env, auto(&broken)).await;
    upload(&env, &broken, SPEECH).await;
    env.emulator.set_faults(FaultSettings::default());

    for (summary, expected) in [
        (&missing, ListSummariesSourceStatus::Missing),
        (&waiting, ListSummariesSourceStatus::Waiting),
        (&completed, ListSummariesSourceStatus::Completed),
        (&unprocessable, ListSummariesSourceStatus::Unprocessable),
        (&failed, ListSummariesSourceStatus::Failed),
    ] {
        let page = env
            .raw
            .list_summaries()
            .source_status(expected.clone())
            .send()
            .await
            .expect("filtered");
        let ids: Vec<_> = page.data.iter().map(|s| s.summary_id.as_str()).collect();
        assert_eq!(ids, [summary.summary_id.as_str()], "{expected}");
        assert_eq!(page.data[0].source_status.to_string(), expected.to_string());
    }
    for summary in [&missing, &waiting, &unprocessable, &failed] {
        assert_eq!(
            source(&env, &summary.summary_id).await,
            SummarySource::default()
        );
    }
    // Only the completed one was announced.
    assert_eq!(env.emulator.stats().event("summary.generated"), 1);
}

#[tokio::test]
async fn the_list_filters_sorts_and_pages() {
    let env = env().await;
    let first = video(&env, "First").await;
    let second = video(&env, "Second").await;
    let third = video(&env, "Third").await;
    let a = create(&env, auto(&first)).await;
    let b = create(&env, written(&second)).await;
    let c = create(&env, auto(&third)).await;
    upload(&env, &third, SPEECH).await;
    // Another project's summary is not ours.
    let theirs = crate::live_streams::support::create_video(&env, "key-b", "Theirs").await;
    let (code, _) = {
        let answer = api(&env, reqwest::Method::POST, "/summaries", "key-b")
            .json(&json!({"videoId": theirs, "origin": "auto"}))
            .send()
            .await
            .unwrap();
        (answer.status().as_u16(), ())
    };
    assert_eq!(code, 201);
    // Our project cannot summarise their video.
    let err = env.raw.create_summary().body(auto(&theirs)).send().await;
    let (code, p) = problem(err.unwrap_err());
    assert_eq!((code, p.name.as_deref()), (404, Some("videoId")));

    let ids = |summaries: &[Summary]| -> Vec<String> {
        summaries.iter().map(|s| s.summary_id.clone()).collect()
    };
    let (a, b, c) = (a.summary_id, b.summary_id, c.summary_id);
    let all = listed(&env).await;
    assert_eq!(ids(&all), [&a, &b, &c].map(String::clone));

    let auto_only = env
        .raw
        .list_summaries()
        .origin(ListSummariesOrigin::Auto)
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&auto_only.data), [&a, &c].map(String::clone));
    let api_only = env
        .raw
        .list_summaries()
        .origin(ListSummariesOrigin::Api)
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&api_only.data), std::slice::from_ref(&b));
    let of_third = env
        .raw
        .list_summaries()
        .video_id(&third)
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&of_third.data), std::slice::from_ref(&c));
    let none = env
        .raw
        .list_summaries()
        .video_id(&third)
        .source_status(ListSummariesSourceStatus::Waiting)
        .send()
        .await
        .unwrap();
    assert!(none.data.is_empty());

    // Each sort is ascending by its field, ties in creation order, and
    // `desc` is its exact reverse.
    for by in [
        ListSummariesSortBy::CreatedAt,
        ListSummariesSortBy::UpdatedAt,
        ListSummariesSortBy::VideoId,
    ] {
        let asc = env
            .raw
            .list_summaries()
            .sort_by(by.clone())
            .send()
            .await
            .unwrap()
            .data;
        let mut expected = all.clone();
        match by {
            ListSummariesSortBy::CreatedAt => expected.sort_by_key(|s| s.created_at),
            ListSummariesSortBy::UpdatedAt => {
                // Read again: the listed dates are those the sort used.
                expected = listed(&env).await;
                expected.sort_by_key(|s| s.updated_at);
            }
            _ => expected.sort_by(|x, y| x.video_id.cmp(&y.video_id)),
        }
        assert_eq!(ids(&asc), ids(&expected), "{by}");
        let desc = env
            .raw
            .list_summaries()
            .sort_by(by.clone())
            .sort_order(ListSummariesSortOrder::Desc)
            .send()
            .await
            .unwrap()
            .data;
        expected.reverse();
        assert_eq!(ids(&desc), ids(&expected), "{by} desc");
    }

    let page = env
        .raw
        .list_summaries()
        .page_size(2)
        .current_page(2)
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&page.data), std::slice::from_ref(&c));
    assert_eq!(page.pagination.pages_total, 2);
    assert_eq!(page.pagination.items_total, 3);
    assert!(
        page.pagination
            .links
            .iter()
            .all(|l| l.uri.contains("/summaries?")),
        "{page:?}"
    );

    for (query, name) in [
        ("origin=manual", "origin"),
        ("sourceStatus=done", "sourceStatus"),
        ("sortBy=title", "sortBy"),
        ("sortOrder=up", "sortOrder"),
        ("currentPage=3&pageSize=2", "currentPage"),
        ("pageSize=101", "pageSize"),
    ] {
        let answer = api(
            &env,
            reqwest::Method::GET,
            &format!("/summaries?{query}"),
            "key-a",
        )
        .send()
        .await
        .unwrap();
        assert_eq!(answer.status(), 400, "{query}");
        let p: Value = answer.json().await.unwrap();
        assert_eq!(p["name"], name, "{query}: {p}");
    }
}

#[tokio::test]
async fn creation_is_checked_and_a_video_has_one_summary() {
    let env = env().await;
    let id = video(&env, "Once").await;
    for (body, name) in [
        (json!({}), "videoId"),
        (json!({"videoId": 7}), "videoId"),
        (json!({"videoId": id, "origin": "api"}), "origin"),
        (
            json!({"videoId": id, "attributes": ["summary"]}),
            "attributes[0]",
        ),
        (
            json!({"videoId": id, "attributes": "abstract"}),
            "attributes",
        ),
    ] {
        let (code, p) = call(&env, reqwest::Method::POST, "/summaries", body.clone()).await;
        assert_eq!(code, 400, "{body}: {p}");
        assert_eq!(p["name"], name, "{body}: {p}");
    }
    let (code, p) = call(
        &env,
        reqwest::Method::POST,
        "/summaries",
        json!({"videoId": "vi0000000000000000000000", "origin": "auto"}),
    )
    .await;
    assert_eq!((code, p["name"].as_str()), (404, Some("videoId")), "{p}");
    assert!(listed(&env).await.is_empty());

    let first = create(&env, auto(&id)).await;
    for body in [auto(&id), written(&id)] {
        let err = env
            .raw
            .create_summary()
            .body(body)
            .send()
            .await
            .unwrap_err();
        let (code, p) = problem(err);
        assert_eq!((code, p.name.as_deref()), (409, Some("videoId")));
        assert_eq!(
            p.type_.as_deref(),
            Some("https://docs.api.video/reference/summary-already-exists")
        );
        assert_eq!(
            p.title.as_deref(),
            Some("A summary already exists or is being created on this video.")
        );
    }

    let deleted = env
        .raw
        .delete_summary()
        .summary_id(&first.summary_id)
        .send_with_response()
        .await
        .expect("deleted");
    assert_eq!(deleted.status(), 204);
    for err in [
        env.raw
            .delete_summary()
            .summary_id(&first.summary_id)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        env.raw
            .get_summary_source()
            .summary_id(&first.summary_id)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
    ] {
        let (code, p) = problem(err);
        assert_eq!((code, p.name.as_deref()), (404, Some("summaryId")));
    }
    // Deleted while waiting: encoding then announces nothing, and the video
    // takes a new summary.
    upload(&env, &id, SPEECH).await;
    assert_eq!(env.emulator.stats().event("summary.generated"), 0);
    let second = create(&env, written(&id)).await;
    assert_ne!(second.summary_id, first.summary_id);
}

#[tokio::test]
async fn a_deleted_video_takes_its_summary_along() {
    let env = env().await;
    let gone = video(&env, "Gone").await;
    let kept = video(&env, "Kept").await;
    let summary = create(&env, auto(&gone)).await;
    let other = create(&env, written(&kept)).await;
    env.raw
        .delete_video()
        .video_id(&gone)
        .send()
        .await
        .expect("video deleted");
    assert_eq!(listed(&env).await, [other]);
    let err = env
        .raw
        .get_summary_source()
        .summary_id(&summary.summary_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
}

#[tokio::test]
async fn transcript_summary_on_videos_creates_a_generated_summary() {
    let env = env().await;
    let created = env
        .raw
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Lecture")
                .transcript_summary(true)
                .transcript_summary_attributes(vec![
                    VideoCreationPayloadTranscriptSummaryAttributesItem::Abstract,
                ]),
        )
        .send()
        .await
        .expect("created");
    let [summary] = &listed(&env).await[..] else {
        panic!("one summary")
    };
    assert_eq!(summary.video_id, created.video_id);
    assert_eq!(summary.origin, SummaryOrigin::Auto);
    assert_eq!(summary.source_status, SummarySourceStatus::Waiting);
    upload(&env, &created.video_id, SPEECH).await;
    let content = source(&env, &summary.summary_id).await;
    assert!(content.abstract_.is_some() && content.takeaways.is_empty());

    // Asked again on update: a 409 naming the attribute, and no change.
    let err = env
        .raw
        .update_video()
        .video_id(&created.video_id)
        .body(VideoUpdatePayload {
            title: Some("Renamed".into()),
            transcript_summary: Some(true),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (409, Some("transcriptSummary")));
    let shown = env
        .raw
        .get_video()
        .video_id(&created.video_id)
        .send()
        .await
        .unwrap();
    assert_eq!(shown.title, "Lecture");

    // On an encoded video without one, the summary is generated at once;
    // `false` changes nothing.
    let encoded = video(&env, "Encoded").await;
    upload(&env, &encoded, SPEECH).await;
    for ask in [false, true] {
        env.raw
            .update_video()
            .video_id(&encoded)
            .body(VideoUpdatePayload {
                transcript_summary: Some(ask),
                ..Default::default()
            })
            .send()
            .await
            .expect("updated");
    }
    let page = env
        .raw
        .list_summaries()
        .video_id(&encoded)
        .send()
        .await
        .unwrap();
    let [generated] = &page.data[..] else {
        panic!("one summary: {page:?}")
    };
    assert_eq!(generated.source_status, SummarySourceStatus::Completed);
    let content = source(&env, &generated.summary_id).await;
    assert!(content.abstract_.is_some() && content.takeaways.len() == 3);
    assert_eq!(env.emulator.stats().event("summary.generated"), 2);
}

/// The captions of a video, as JSON.
async fn captions(env: &TestEnv, video_id: &str) -> Vec<Value> {
    let (code, page) = call(
        env,
        reqwest::Method::GET,
        &format!("/videos/{video_id}/captions"),
        Value::Null,
    )
    .await;
    assert_eq!(code, 200, "{page}");
    page["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_transcript_becomes_a_caption_in_the_language_of_the_video() {
    let env = env().await;
    let (url, seen) = receiver(vec![]).await;
    register(&env, &url, &["video.caption.generated"]).await;

    let french = env
        .raw
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Cours --> magistral")
                .language(Some(VideoCreationPayloadLanguage::Fr))
                .transcript(true),
        )
        .send()
        .await
        .expect("created")
        .video_id;
    assert!(captions(&env, &french).await.is_empty());
    upload(&env, &french, SPEECH).await;
    let [caption] = &captions(&env, &french).await[..] else {
        panic!("one caption")
    };
    assert_eq!(caption["srclang"], "fr");
    assert_eq!(caption["languageName"], "français");
    assert_eq!(caption["default"], false);

    // A real WebVTT file, served like an uploaded one, that the emulator
    // itself takes back as an upload.
    let src = caption["src"].as_str().expect("src");
    let answer = env.http.get(src).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/vtt")
    );
    let vtt = answer.text().await.unwrap();
    assert!(vtt.starts_with("WEBVTT\n\n1\n00:00:00.000 --> "), "{vtt}");
    assert_eq!(vtt.matches(" --> ").count(), 3, "{vtt}");
    let (content_type, body) = crate::uploads::form("file", "back.vtt", vtt.as_bytes(), &[]);
    let back = api(
        &env,
        reqwest::Method::POST,
        &format!("/videos/{french}/captions/de"),
        "key-a",
    )
    .header("content-type", content_type)
    .body(body)
    .send()
    .await
    .unwrap();
    assert_eq!(back.status(), 200);

    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(10)).await;
    let bodies = seen.lock().unwrap().bodies.clone();
    let [body] = &bodies[..] else {
        panic!("one delivery: {bodies:?}")
    };
    assert_eq!(body["type"], "video.caption.generated");
    assert_eq!(body["videoId"], french.as_str());
    assert_eq!(body["generationMode"], "transcript");
    assert_eq!(body["language"], "fr");
    let caption_id = body["captionId"].as_str().expect("captionId");
    assert!(
        caption_id.starts_with("caption_") && caption_id.len() == "caption_".len() + 22,
        "{caption_id}"
    );

    // Asked on update of an encoded video: at once, in the detected
    // language; and only once.
    let detected = video(&env, "Talk").await;
    upload(&env, &detected, SPEECH).await;
    for _ in 0..2 {
        env.raw
            .update_video()
            .video_id(&detected)
            .body(VideoUpdatePayload {
                transcript: Some(true),
                ..Default::default()
            })
            .send()
            .await
            .expect("updated");
    }
    let [caption] = &captions(&env, &detected).await[..] else {
        panic!("one caption")
    };
    assert_eq!(caption["srclang"], "en");
    assert_eq!(caption["languageName"], "English");
    assert_eq!(env.emulator.stats().event("caption.generated"), 2);

    // No speech, or generation set to fail: no caption.
    let short = env
        .raw
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Short")
                .transcript(true),
        )
        .send()
        .await
        .unwrap()
        .video_id;
    upload(&env, &short, NO_SPEECH).await;
    env.emulator.set_faults(FaultSettings {
        fail_generation: true,
        ..FaultSettings::default()
    });
    let broken = env
        .raw
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Broken")
                .transcript(true),
        )
        .send()
        .await
        .unwrap()
        .video_id;
    upload(&env, &broken, SPEECH).await;
    env.emulator.set_faults(FaultSettings::default());
    assert!(captions(&env, &short).await.is_empty());
    assert!(captions(&env, &broken).await.is_empty());
    assert_eq!(env.emulator.stats().event("caption.generated"), 2);
}
