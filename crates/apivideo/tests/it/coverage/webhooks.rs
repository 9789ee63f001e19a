//! Webhooks: a webhook to a local receiver created, shown and listed by
//! event; an upload's encoding then announced to it; the webhook deleted.

use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::WebhooksCreationPayload;
use futures::TryStreamExt;

use super::Calls;
use crate::common::{self, MIB};

pub(super) const TAG: &str = "Webhooks";
pub(super) const OPERATIONS: &[&str] = &[
    "create_webhook",
    "get_webhook",
    "list_webhooks",
    "delete_webhook",
];

const ENCODED: &str = "video.encoding.quality.completed";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);
    let (url, deliveries) = common::hook_receiver().await;

    calls.called("create_webhook");
    let created = client
        .create_webhook()
        .body(WebhooksCreationPayload {
            events: vec![ENCODED.parse().unwrap()],
            url: url.clone(),
        })
        .send()
        .await
        .expect("webhook created");
    let id = created.webhook_id.clone();
    assert!(id.starts_with("webhook"), "{id}");
    assert_eq!(created.events[0].to_string(), ENCODED);
    assert_eq!(created.events.len(), 1);
    assert_eq!(created.url, url);

    calls.called("get_webhook");
    let shown = client
        .get_webhook()
        .webhook_id(&id)
        .send()
        .await
        .expect("webhook shown");
    assert_eq!(shown, created);

    calls.called("list_webhooks");
    let listed: Vec<_> = client
        .list_webhooks()
        .events(ENCODED)
        .stream()
        .try_collect()
        .await
        .expect("webhooks listed");
    assert_eq!(listed, vec![created.clone()]);
    let other_event: Vec<_> = client
        .list_webhooks()
        .events("live-stream.broadcast.started")
        .stream()
        .try_collect()
        .await
        .expect("webhooks listed");
    assert!(other_event.is_empty(), "{other_event:?}");

    // An upload completes encoding, which the webhook announces.
    let video = common::create_video(&client, "Announced").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = common::source_file(dir.path(), "announced.mp4", MIB, 6).await;
    client
        .upload_video()
        .video_id(&video.video_id)
        .file(&path)
        .send()
        .await
        .expect("video uploaded");
    let bodies = common::eventually(Duration::from_secs(10), || {
        let bodies = deliveries.bodies();
        async move { (!bodies.is_empty()).then_some(bodies) }
    })
    .await;
    assert!(
        bodies
            .iter()
            .all(|b| b["type"] == ENCODED && b["videoId"] == video.video_id.as_str()),
        "{bodies:?}"
    );

    calls.called("delete_webhook");
    client
        .delete_webhook()
        .webhook_id(&id)
        .send()
        .await
        .expect("webhook deleted");
    let err = client
        .get_webhook()
        .webhook_id(&id)
        .send()
        .await
        .expect_err("deleted");
    assert!(err.is_not_found(), "{err:?}");
    let left: Vec<_> = client
        .list_webhooks()
        .stream()
        .try_collect()
        .await
        .expect("webhooks listed");
    assert!(left.is_empty(), "{left:?}");

    calls.assert_all_called_and_answered(&emulator);
}
