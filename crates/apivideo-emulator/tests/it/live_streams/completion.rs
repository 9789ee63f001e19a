//! Completion: a broadcast ends after the delay, with its webhook, and a
//! requested completion survives a restart.

use super::*;

/// Two projects, with completions that take `delay`.
async fn start_completing_after(delay: Duration) -> TestEnv {
    common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_api_key("key-b")
            .with_complete_delay(delay),
    )
    .await
}

/// A new live stream of the first project, broadcasting.
async fn on_air(env: &TestEnv) -> String {
    let id = env
        .raw
        .create_live_stream()
        .body(payload("on air"))
        .send()
        .await
        .unwrap()
        .live_stream_id;
    let answer = broadcast(env, "key-a", &id, true).await;
    assert_eq!(answer.status(), 200);
    id
}

async fn broadcasting(env: &TestEnv, id: &str) -> bool {
    env.raw
        .get_live_stream()
        .live_stream_id(id)
        .send()
        .await
        .expect("shown")
        .broadcasting
}

async fn complete(raw: &apivideo_raw::Client, id: &str) -> Result<u16, apivideo_raw::error::Error> {
    raw.complete_live_stream()
        .live_stream_id(id)
        .send_with_response()
        .await
        .map(|answer| answer.status().as_u16())
}

async fn playlist(env: &TestEnv, id: &str) -> String {
    let answer = env
        .http
        .get(env.url(&format!("/live/{id}.m3u8")))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap()
}

#[tokio::test]
async fn complete_ends_a_running_broadcast_with_its_webhook() {
    // No delay: the broadcast has ended by the time anyone looks.
    let env = start_completing_after(Duration::ZERO).await;
    let (url, seen) = receiver(vec![]).await;
    register(&env, &url, &["live-stream.broadcast.ended"]).await;
    let id = on_air(&env).await;
    assert!(!playlist(&env, &id).await.contains("#EXT-X-ENDLIST"));

    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    assert!(!broadcasting(&env, &id).await);
    assert!(playlist(&env, &id).await.ends_with("#EXT-X-ENDLIST\n"));
    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(10)).await;
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.bodies.len(), 1);
        let body = &seen.bodies[0];
        assert_eq!(body["type"], "live-stream.broadcast.ended");
        assert_eq!(body["liveStreamId"], id.as_str());
        let at = body["emittedAt"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
        assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
    }
    assert_eq!(env.emulator.stats().event("live-stream.completed"), 1);

    // Not broadcasting: 202, and nothing changes.
    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    assert!(!broadcasting(&env, &id).await);
    assert!(playlist(&env, &id).await.ends_with("#EXT-X-ENDLIST\n"));
    assert_eq!(env.emulator.stats().event("live-stream.completed"), 1);

    // A new broadcast reopens the playlist.
    broadcast(&env, "key-a", &id, true).await;
    assert!(broadcasting(&env, &id).await);
    assert!(!playlist(&env, &id).await.contains("#EXT-X-ENDLIST"));

    // An update right after a completion does not bring the broadcast back.
    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    let updated = env
        .raw
        .update_live_stream()
        .live_stream_id(&id)
        .body(LiveStreamUpdatePayload {
            name: Some("off air".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert!(!updated.broadcasting);
    assert_eq!(updated.name, "off air");
    let listed = env.raw.list_live_streams().send().await.unwrap();
    assert!(!listed.data[0].broadcasting);
    wait_for(&env, "webhook.delivered", 2, Duration::from_secs(10)).await;
    assert_eq!(env.emulator.stats().event("live-stream.completed"), 2);
}

#[tokio::test]
async fn a_completion_under_way_keeps_broadcasting_until_its_time() {
    // A delay no test outlives: the broadcast is still on after the 202.
    let env = start_completing_after(Duration::from_secs(3600)).await;
    let (url, seen) = receiver(vec![]).await;
    register(&env, &url, &["live-stream.broadcast.ended"]).await;
    let id = on_air(&env).await;
    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    assert!(broadcasting(&env, &id).await);
    assert!(!playlist(&env, &id).await.contains("#EXT-X-ENDLIST"));
    // Asking again changes nothing.
    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    assert!(broadcasting(&env, &id).await);

    // The encoder disconnecting ends the broadcast at once, and the
    // completion with it: one `ended`, no completion.
    let answer = broadcast(&env, "key-a", &id, false).await;
    let stream: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(stream["broadcasting"], false);
    assert!(playlist(&env, &id).await.ends_with("#EXT-X-ENDLIST\n"));
    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(10)).await;
    assert_eq!(seen.lock().unwrap().bodies.len(), 1);
    assert_eq!(env.emulator.stats().event("live-stream.completed"), 0);
}

#[tokio::test]
async fn a_completion_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = |delay: Duration| {
        Config::default()
            .with_api_key("key-a")
            .with_data_dir(dir.path())
            .with_complete_delay(delay)
    };
    let (url, seen) = receiver(vec![]).await;
    let env = common::start_with(config(Duration::from_secs(3600))).await;
    register(&env, &url, &["live-stream.broadcast.ended"]).await;
    let id = on_air(&env).await;
    assert_eq!(complete(&env.raw, &id).await.expect("accepted"), 202);
    // Stopped while the completion is under way: its timer is gone.
    env.emulator.shutdown().await;

    // The delay is now over: the first read ends the broadcast, once.
    let env = common::start_with(config(Duration::ZERO)).await;
    assert!(!broadcasting(&env, &id).await);
    assert!(!broadcasting(&env, &id).await);
    assert!(playlist(&env, &id).await.ends_with("#EXT-X-ENDLIST\n"));
    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(10)).await;
    let bodies = seen.lock().unwrap().bodies.clone();
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["liveStreamId"], id.as_str());
    assert_eq!(env.emulator.stats().event("live-stream.completed"), 1);
}

#[tokio::test]
async fn complete_needs_a_stream_of_the_project() {
    let env = start_completing_after(Duration::ZERO).await;
    let id = on_air(&env).await;
    let (code, p) = problem(
        complete(&env.raw, "li0000000000000000000000")
            .await
            .unwrap_err(),
    );
    assert_eq!((code, p.name.as_deref()), (404, Some("liveStreamId")));
    assert_eq!(p.status, Some(404));
    let foreign = complete(&env.raw_for("key-b"), &id).await.unwrap_err();
    assert_eq!(status(&foreign), Some(404));
    // Nothing happened to it: with no delay, a completion would show.
    assert!(broadcasting(&env, &id).await);
    let anonymous = env
        .http
        .put(env.url(&format!("/live-streams/{id}/complete")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong_method = api(
        &env,
        reqwest::Method::POST,
        &format!("/live-streams/{id}/complete"),
        "key-a",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert!(broadcasting(&env, &id).await);

    // Deleting a stream whose completion is under way is clean.
    let env = start_completing_after(Duration::from_secs(3600)).await;
    let id = on_air(&env).await;
    complete(&env.raw, &id).await.expect("accepted");
    env.raw
        .delete_live_stream()
        .live_stream_id(&id)
        .send()
        .await
        .unwrap();
    let gone = complete(&env.raw, &id).await.unwrap_err();
    assert_eq!(status(&gone), Some(404));
}
