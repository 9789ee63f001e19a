//! The Video Restore setting: each project has its own, changes are checked,
//! and the setting, the clock and the discarded videos survive a restart.

use super::*;

#[tokio::test]
async fn each_project_has_its_own_setting_and_discarded_videos() {
    let env = common::start().await;
    set_video_restore(&env, "key-a", true).await;
    let (status, body) = get(&env, "/_emulator/settings", "key-b").await;
    assert_eq!((status, body), (200, json!({ "videoRestore": false })));

    let a = create(&env, "key-a", json!({"title": "A"})).await;
    let b = create(&env, "key-b", json!({"title": "B"})).await;
    assert_eq!(delete(&env, "key-b", &a.video_id).await, 404);
    assert_eq!(delete(&env, "key-a", &a.video_id).await, 204);
    assert_eq!(delete(&env, "key-b", &b.video_id).await, 204);

    assert_eq!(
        titles(&page(&env, "key-a", "/discarded/videos", "").await),
        ["A"]
    );
    assert!(
        page(&env, "key-b", "/discarded/videos", "")
            .await
            .data
            .is_empty(),
        "B was deleted for good, and A is not B's"
    );
    let path = format!("/discarded/videos/{}", a.video_id);
    assert_eq!(get(&env, &path, "key-b").await.0, 404);
    let (status, _) = restore(&env, "key-b", &a.video_id, json!({"discarded": false})).await;
    assert_eq!(status, 404);
    assert_eq!(get(&env, &path, "key-a").await.0, 200);

    // Turned off again, a delete is for good once more.
    set_video_restore(&env, "key-a", false).await;
    let c = create(&env, "key-a", json!({"title": "C"})).await;
    assert_eq!(delete(&env, "key-a", &c.video_id).await, 204);
    assert_eq!(
        titles(&page(&env, "key-a", "/discarded/videos", "").await),
        ["A"]
    );
}

#[tokio::test]
async fn settings_changes_are_checked() {
    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_video_restore(true),
    )
    .await;
    let (status, body) = get(&env, "/_emulator/settings", "key-a").await;
    assert_eq!((status, body), (200, json!({ "videoRestore": true })));
    for body in [
        json!({"videoRestore": "yes"}),
        json!({"videoRestor": false}),
        json!(true),
    ] {
        let (status, problem) = call(
            &env,
            Method::PATCH,
            "/_emulator/settings",
            "key-a",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "{body}: {problem}");
    }
    let (status, body) = call(
        &env,
        Method::PATCH,
        "/_emulator/settings",
        "key-a",
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({ "videoRestore": true })),
        "an empty change keeps it"
    );
    set_video_restore(&env, "key-a", false).await;
    let anonymous = env
        .http
        .get(env.url("/_emulator/settings"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn the_setting_the_clock_and_discarded_videos_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || {
        Config::default()
            .with_api_key("key-a")
            .with_data_dir(dir.path())
    };
    let env = common::start_with(config()).await;
    set_video_restore(&env, "key-a", true).await;
    let video = create(&env, "key-a", json!({"title": "Kept"})).await;
    assert_eq!(delete(&env, "key-a", &video.video_id).await, 204);
    advance_days(&env, 30).await;
    let (_, before) = get(
        &env,
        &format!("/discarded/videos/{}", video.video_id),
        "key-a",
    )
    .await;
    env.emulator.shutdown().await;

    let env = common::start_with(config()).await;
    let (_, settings) = get(&env, "/_emulator/settings", "key-a").await;
    assert_eq!(settings, json!({ "videoRestore": true }));
    let (_, clock) = get(&env, "/_emulator/clock", "key-a").await;
    assert_eq!(clock["offsetMs"], 30 * 86_400_000_i64);
    let (status, after) = get(
        &env,
        &format!("/discarded/videos/{}", video.video_id),
        "key-a",
    )
    .await;
    assert_eq!((status, after), (200, before));
    advance_days(&env, 61).await;
    assert!(
        page(&env, "key-a", "/discarded/videos", "")
            .await
            .data
            .is_empty()
    );
}
