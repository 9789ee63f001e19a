//! Summaries: one generated from a video's speech (waiting until the video
//! is encoded, then completed with an abstract and three takeaways), one
//! written through the API (missing until written), a second summary of a
//! video refused with a 409, both listed as a stream and filtered, their
//! content read, then one deleted and created again.

use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::{
    ListSummariesOrigin, ListSummariesSortBy, ListSummariesSortOrder, ListSummariesSourceStatus,
    SummaryCreationPayload, SummaryCreationPayloadAttributesItem, SummaryCreationPayloadOrigin,
    SummaryOrigin, SummarySourceStatus, SummaryUpdatePayload,
};
use apivideo_emulator::{Config as EmulatorConfig, Emulator};
use futures::TryStreamExt;
use reqwest::StatusCode;

use super::Calls;
use crate::common;

pub(super) const TAG: &str = "Summaries";
pub(super) const OPERATIONS: &[&str] = &[
    "create_summary",
    "list_summaries",
    "get_summary_source",
    "update_summary_source",
    "delete_summary",
];

/// An emulator whose encoding ends as soon as a source is complete: the
/// first read after the upload sees the outcome, with no wait.
async fn emulator() -> Emulator {
    Emulator::start(
        EmulatorConfig::default()
            .with_api_key(common::KEY)
            .with_api_key(common::OTHER_KEY)
            .with_encoding_delay(Duration::ZERO),
    )
    .await
    .expect("emulator starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);
    let spoken = common::create_video(&client, "String theory").await;
    let written = common::create_video(&client, "Interview").await;

    calls.called("create_summary");
    let auto = client
        .create_summary()
        .body(
            SummaryCreationPayload::builder()
                .video_id(&spoken.video_id)
                .origin(SummaryCreationPayloadOrigin::Auto)
                .attributes(vec![
                    SummaryCreationPayloadAttributesItem::Abstract,
                    SummaryCreationPayloadAttributesItem::Takeaways,
                ]),
        )
        .send_with_response()
        .await
        .expect("summary created");
    assert_eq!(auto.status(), StatusCode::CREATED);
    let auto = auto.into_inner();
    assert!(auto.summary_id.starts_with("summary_"), "{auto:?}");
    assert_eq!(auto.video_id, spoken.video_id);
    assert_eq!(auto.origin, SummaryOrigin::Auto);
    // No source yet: it waits for the video.
    assert_eq!(auto.source_status, SummarySourceStatus::Waiting);
    assert_eq!(auto.created_at, auto.updated_at);

    // One summary per video.
    let err = client
        .create_summary()
        .body(SummaryCreationPayload::builder().video_id(&spoken.video_id))
        .send()
        .await
        .expect_err("the video has a summary");
    assert_eq!(err.status(), Some(StatusCode::CONFLICT), "{err:?}");
    assert_eq!(common::problem_name(&err), Some("videoId"));
    let err = client
        .create_summary()
        .body(SummaryCreationPayload::builder().video_id(common::UNKNOWN_VIDEO))
        .send()
        .await
        .expect_err("no such video");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(common::problem_name(&err), Some("videoId"));

    let source = common::source_bytes(64 * 1024, 1);
    let size = source.len() as u64;
    client
        .upload_video()
        .video_id(&spoken.video_id)
        .file_name("lesson.mp4")
        .reader(std::io::Cursor::new(source), size)
        .send()
        .await
        .expect("source uploaded");

    calls.called("get_summary_source");
    let content = client
        .get_summary_source()
        .summary_id(&auto.summary_id)
        .send()
        .await
        .expect("generated content");
    let words = content.abstract_.as_deref().unwrap_or_default();
    let words = words.split_whitespace().count();
    assert!((20..=300).contains(&words), "{content:?}");
    assert_eq!(content.takeaways.len(), 3, "{content:?}");

    // Written through the API: missing until then.
    let manual = client
        .create_summary()
        .body(SummaryCreationPayload::builder().video_id(&written.video_id))
        .send()
        .await
        .expect("summary created");
    assert_eq!(manual.origin, SummaryOrigin::Api);
    assert_eq!(manual.source_status, SummarySourceStatus::Missing);
    let empty = client
        .get_summary_source()
        .summary_id(&manual.summary_id)
        .send()
        .await
        .expect("no content yet");
    assert_eq!((empty.abstract_, empty.takeaways.len()), (None, 0));

    calls.called("update_summary_source");
    let takeaways = vec![
        "The guest starts as a violinist.".to_owned(),
        "She turns to physics at thirty.".to_owned(),
    ];
    let answer = client
        .update_summary_source()
        .summary_id(&manual.summary_id)
        .body(
            SummaryUpdatePayload::builder()
                .abstract_("An interview about music and physics.".to_owned())
                .takeaways(takeaways.clone()),
        )
        .send_with_response()
        .await
        .expect("content written");
    assert_eq!(answer.status(), StatusCode::CREATED);
    let written_content = answer.into_inner();
    assert_eq!(
        written_content.abstract_.as_deref(),
        Some("An interview about music and physics.")
    );
    assert_eq!(written_content.takeaways, takeaways);
    let read = client
        .get_summary_source()
        .summary_id(&manual.summary_id)
        .send()
        .await
        .expect("written content");
    assert_eq!(read, written_content);
    // A generated summary cannot be written.
    let err = client
        .update_summary_source()
        .summary_id(&auto.summary_id)
        .body(SummaryUpdatePayload::builder().abstract_("Mine now.".to_owned()))
        .send()
        .await
        .expect_err("generated summaries are not written");
    assert_eq!(err.status(), Some(StatusCode::CONFLICT), "{err:?}");
    assert_eq!(common::problem_name(&err), Some("summaryId"));
    let err = client
        .update_summary_source()
        .summary_id(&manual.summary_id)
        .body(SummaryUpdatePayload::builder().takeaways(vec![" ".to_owned()]))
        .send()
        .await
        .expect_err("a blank takeaway");
    assert!(err.is_bad_request(), "{err:?}");
    assert_eq!(common::problem_name(&err), Some("takeaways[0]"));

    calls.called("list_summaries");
    let listed: Vec<_> = client
        .list_summaries()
        .page_size(1)
        .stream()
        .try_collect()
        .await
        .expect("summaries listed");
    let ids: Vec<_> = listed.iter().map(|s| s.summary_id.as_str()).collect();
    assert_eq!(ids, [auto.summary_id.as_str(), manual.summary_id.as_str()]);
    assert!(
        listed
            .iter()
            .all(|s| s.source_status == SummarySourceStatus::Completed),
        "{listed:?}"
    );
    let by_api = client
        .list_summaries()
        .origin(ListSummariesOrigin::Api)
        .send()
        .await
        .expect("filtered by origin");
    assert_eq!(by_api.data, [listed[1].clone()]);
    let of_video = client
        .list_summaries()
        .video_id(&spoken.video_id)
        .source_status(ListSummariesSourceStatus::Completed)
        .send()
        .await
        .expect("filtered by video and status");
    assert_eq!(of_video.data, [listed[0].clone()]);
    let by_video_desc = client
        .list_summaries()
        .sort_by(ListSummariesSortBy::VideoId)
        .sort_order(ListSummariesSortOrder::Desc)
        .send()
        .await
        .expect("sorted by video");
    let videos: Vec<_> = by_video_desc
        .data
        .iter()
        .map(|s| s.video_id.clone())
        .collect();
    let mut expected = vec![spoken.video_id.clone(), written.video_id.clone()];
    expected.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(videos, expected);
    let theirs = common::other_client(&emulator)
        .list_summaries()
        .send()
        .await
        .expect("the other project's summaries");
    assert!(theirs.data.is_empty());

    calls.called("delete_summary");
    client
        .delete_summary()
        .summary_id(&manual.summary_id)
        .send()
        .await
        .expect("summary deleted");
    let err = client
        .delete_summary()
        .summary_id(&manual.summary_id)
        .send()
        .await
        .expect_err("already deleted");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(common::problem_name(&err), Some("summaryId"));
    let left = client
        .list_summaries()
        .send()
        .await
        .expect("summaries listed");
    assert_eq!(left.data, [listed[0].clone()]);
    // Its video can get another one now.
    let again = client
        .create_summary()
        .body(SummaryCreationPayload::builder().video_id(&written.video_id))
        .send()
        .await
        .expect("a new summary");
    assert_ne!(again.summary_id, manual.summary_id);

    calls.assert_all_called_and_answered(&emulator);
}
