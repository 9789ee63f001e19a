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
use crate::support::{api, problem};
use crate::uploads::{bytes, send_chunk};
use crate::webhooks::{receiver, register, wait_for};

mod list;
mod transcripts;

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
