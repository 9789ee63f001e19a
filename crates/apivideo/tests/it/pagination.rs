//! Pagination: every list operation streams across pages, keeping the
//! caller's filters; none is missing.

use std::collections::BTreeSet;

use apivideo::prelude::*;
use apivideo::types::{VideoCreationPayload, WebhooksCreationPayload};
use futures::TryStreamExt;

use crate::common;

/// The pipeline derives the `Paginated` impls of the generated lists from
/// `x-paginated`; the handwritten paginated lists are these five.
#[test]
fn every_handwritten_paginated_operation_has_a_stream() {
    fn paginated<T: Paginated>() {}
    paginated::<apivideo::ListVideos<'static>>();
    paginated::<apivideo::ListDiscardedVideos<'static>>();
    paginated::<apivideo::ListVideoSessions<'static>>();
    paginated::<apivideo::GetMetricsBreakdown<'static>>();
    paginated::<apivideo::GetMetricsOverTime<'static>>();
    let handwritten: BTreeSet<&str> = apivideo_raw::spec::OPERATIONS
        .iter()
        .filter(|o| o.paginated && o.handwritten)
        .map(|o| o.id)
        .collect();
    assert_eq!(
        handwritten,
        BTreeSet::from([
            "get_metrics_breakdown",
            "get_metrics_over_time",
            "list_discarded_videos",
            "list_video_sessions",
            "list_videos"
        ])
    );
}

#[tokio::test]
async fn generated_list_streams_across_pages_with_filters() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    for i in 0..7 {
        let event = if i % 2 == 0 {
            "video.encoding.quality.completed"
        } else {
            "live-stream.broadcast.started"
        };
        client
            .create_webhook()
            .body(WebhooksCreationPayload {
                events: vec![event.parse().unwrap()],
                url: format!("https://example.com/{i}"),
            })
            .send()
            .await
            .unwrap();
    }
    let all: Vec<_> = client
        .list_webhooks()
        .page_size(2u64)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 7);
    let filtered: Vec<_> = client
        .list_webhooks()
        .events("video.encoding.quality.completed")
        .page_size(2u64)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(filtered.len(), 4, "the filter holds on every page");
    let pages: Vec<_> = client
        .list_webhooks()
        .page_size(3u64)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        [3, 3, 1]
    );
    assert_eq!(common::requests(&emulator, "GET /webhooks"), 4 + 2 + 3);
    let second = client
        .list_webhooks()
        .page_size(3u64)
        .page(2)
        .await
        .unwrap();
    assert_eq!(second.number(), 2);
}

#[tokio::test]
async fn handwritten_list_videos_streams_with_metadata_and_tags() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    for i in 0..5 {
        let mut body = VideoCreationPayload::builder().title(format!("video {i}"));
        if i < 3 {
            body = body
                .tags(vec!["keep".to_owned()])
                .metadata(vec![apivideo::types::Metadata::new("Author", "Ada")]);
        }
        client.create_video().body(body).send().await.unwrap();
    }
    let tagged: Vec<_> = client
        .list_videos()
        .tag("keep")
        .page_size(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(tagged.len(), 3);
    let by_author: Vec<_> = client
        .list_videos()
        .metadata("Author", "Ada")
        .page_size(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(by_author.len(), 3);
    let none: Vec<_> = client
        .list_videos()
        .metadata("Author", "Bob")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());
}
