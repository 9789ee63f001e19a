//! Live streams: a live stream created with a restream, shown, updated
//! (with a player), listed by name, given a thumbnail then back to the
//! placeholder, its broadcast completed (which ends it, with its webhook),
//! then deleted.

use std::time::Duration;

use apivideo::MediaFile;
use apivideo::prelude::*;
use apivideo::types::{
    LiveStreamCreationPayload, LiveStreamUpdatePayload, RestreamsRequestObject,
    RestreamsResponseObject, WebhooksCreationPayload,
};
use futures::TryStreamExt;

use super::Calls;
use crate::common::{self, JPEG, served};

const ENDED: &str = "live-stream.broadcast.ended";

pub(super) const TAG: &str = "Live streams";
pub(super) const OPERATIONS: &[&str] = &[
    "create_live_stream",
    "get_live_stream",
    "update_live_stream",
    "list_live_streams",
    "upload_live_stream_thumbnail",
    "delete_live_stream_thumbnail",
    "complete_live_stream",
    "delete_live_stream",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);
    let player = common::create_player(&client).await;
    let player_id = &player.player_id;

    let twitch = RestreamsRequestObject {
        name: "Twitch".to_owned(),
        server_url: "rtmp://live.twitch.tv/app".to_owned(),
        stream_key: "live_abc".to_owned(),
    };
    calls.called("create_live_stream");
    let created = client
        .create_live_stream()
        .body(
            LiveStreamCreationPayload::builder()
                .name("Office hours")
                .record(true)
                .public(false)
                .restreams(vec![twitch]),
        )
        .send()
        .await
        .expect("live stream created");
    let id = created.live_stream_id.clone();
    assert!(id.starts_with("li"), "{id}");
    assert_eq!(created.name, "Office hours");
    assert_eq!(created.record, Some(true));
    assert!(!created.public);
    assert!(!created.broadcasting);
    assert_eq!(created.player_id, None);
    assert_eq!(
        created.restreams,
        vec![RestreamsResponseObject {
            name: "Twitch".to_owned(),
            server_url: "rtmp://live.twitch.tv/app".to_owned(),
            stream_key: "live_abc".to_owned(),
        }]
    );
    let key = created.stream_key.clone();
    assert_eq!(key.len(), 36, "{key}");

    calls.called("get_live_stream");
    let shown = client
        .get_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .expect("live stream shown");
    assert_eq!(shown, created);

    calls.called("update_live_stream");
    let updated = client
        .update_live_stream()
        .live_stream_id(&id)
        .body(LiveStreamUpdatePayload {
            name: Some("Office hours (Tuesday)".to_owned()),
            player_id: Some(player_id.clone()),
            ..Default::default()
        })
        .send()
        .await
        .expect("live stream updated");
    assert_eq!(updated.live_stream_id, id);
    assert_eq!(updated.name, "Office hours (Tuesday)");
    assert_eq!(updated.player_id.as_deref(), Some(player_id.as_str()));
    assert_eq!(updated.record, Some(true));
    assert_eq!(updated.stream_key, created.stream_key);
    assert_eq!(updated.created_at, created.created_at);

    calls.called("list_live_streams");
    let listed: Vec<_> = client
        .list_live_streams()
        .name("Office hours (Tuesday)")
        .stream()
        .try_collect()
        .await
        .expect("live streams listed");
    assert_eq!(listed, vec![updated.clone()]);

    calls.called("upload_live_stream_thumbnail");
    let with_thumbnail = client
        .upload_live_stream_thumbnail()
        .live_stream_id(&id)
        .file(MediaFile::from_bytes("poster.jpg", JPEG))
        .send()
        .await
        .expect("thumbnail uploaded");
    assert_eq!(with_thumbnail.live_stream_id, id);
    assert_eq!(with_thumbnail.name, updated.name);
    let thumbnail = with_thumbnail.assets.thumbnail.clone();
    assert_eq!(
        thumbnail,
        format!("{}/live/{id}/thumbnail.jpg", emulator.base_url())
    );
    assert_eq!(
        served(&thumbnail).await,
        ("image/jpeg".to_owned(), JPEG.to_vec())
    );

    calls.called("delete_live_stream_thumbnail");
    let without = client
        .delete_live_stream_thumbnail()
        .live_stream_id(&id)
        .send()
        .await
        .expect("thumbnail deleted");
    assert_eq!(without.live_stream_id, id);
    assert_eq!(without.name, updated.name);
    // The placeholder image is served again.
    let (content_type, placeholder) = served(&thumbnail).await;
    assert_eq!(content_type, "image/jpeg");
    assert_ne!(placeholder, JPEG);

    // An encoder starts broadcasting; completing the stream ends the
    // broadcast a moment later and announces it.
    let (url, deliveries) = common::hook_receiver().await;
    client
        .create_webhook()
        .body(WebhooksCreationPayload {
            events: vec![ENDED.parse().unwrap()],
            url,
        })
        .send()
        .await
        .expect("webhook created");
    let on_air = common::broadcast(&emulator, &id, true).await;
    assert!(on_air.broadcasting);
    calls.called("complete_live_stream");
    let accepted = client
        .complete_live_stream()
        .live_stream_id(&id)
        .send_with_response()
        .await
        .expect("completion accepted");
    assert_eq!(accepted.status(), 202);
    let ended = common::eventually(Duration::from_secs(10), || async {
        let stream = client
            .get_live_stream()
            .live_stream_id(&id)
            .send()
            .await
            .expect("live stream shown");
        (!stream.broadcasting).then_some(stream)
    })
    .await;
    // Only `broadcasting` changed.
    assert_eq!(ended, without);
    let bodies = common::eventually(Duration::from_secs(10), || {
        let bodies = deliveries.bodies();
        async move { (!bodies.is_empty()).then_some(bodies) }
    })
    .await;
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["type"], ENDED);
    assert_eq!(bodies[0]["liveStreamId"], id.as_str());
    assert!(bodies[0]["emittedAt"].is_string(), "{bodies:?}");
    // On a stream that is not broadcasting, it is accepted and does nothing.
    client
        .complete_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .expect("completion accepted");
    let err = client
        .complete_live_stream()
        .live_stream_id("li0000000000000000000000")
        .send()
        .await
        .expect_err("no such live stream");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(common::problem_name(&err), Some("liveStreamId"));

    calls.called("delete_live_stream");
    client
        .delete_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .expect("live stream deleted");
    let err = client
        .get_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .expect_err("deleted");
    assert!(err.is_not_found(), "{err:?}");

    calls.assert_all_called_and_answered(&emulator);
}
