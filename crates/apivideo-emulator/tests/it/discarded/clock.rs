//! The emulator's clock: it deletes discarded videos for good once it passes
//! their `deletesAt`, and moves only ahead, by a checked amount.

use super::*;

#[tokio::test]
async fn discarded_videos_are_deleted_for_good_once_the_clock_passes_deletes_at() {
    let env = start().await;
    set_video_restore(&env, "key-a", true).await;
    let (early, _) = furnished(&env, "Early").await;
    let late = create(&env, "key-a", json!({"title": "Late"})).await;
    let saved = create(&env, "key-a", json!({"title": "Saved"})).await;
    for video in [&early, &saved] {
        assert_eq!(delete(&env, "key-a", &video.video_id).await, 204);
    }
    let early_id = &early.video_id;
    let (_, shown) = get(&env, &format!("/discarded/videos/{early_id}"), "key-a").await;
    let deletes_at: DateTime<Utc> = serde_json::from_value(shown["deletesAt"].clone()).unwrap();

    let clock = advance_days(&env, 89).await;
    assert_eq!(clock["offsetMs"], 89 * 86_400_000_i64);
    let now = clock_now(&env).await;
    assert!(now < deletes_at, "{now} < {deletes_at}");
    assert_eq!(
        titles(&page(&env, "key-a", "/discarded/videos", "").await),
        ["Early", "Saved"]
    );
    // Dates written from now on follow the clock.
    assert_eq!(delete(&env, "key-a", &late.video_id).await, 204);
    let (_, late_shown) = get(
        &env,
        &format!("/discarded/videos/{}", late.video_id),
        "key-a",
    )
    .await;
    let late_at: DateTime<Utc> = serde_json::from_value(late_shown["discardedAt"].clone()).unwrap();
    assert!(late_at >= now, "{late_at} >= {now}");
    let fresh = create(&env, "key-a", json!({"title": "Fresh"})).await;
    assert!(fresh.created_at.unwrap() >= now);
    let (status, _) = restore(&env, "key-a", &saved.video_id, json!({"discarded": false})).await;
    assert_eq!(status, 200);
    assert!(has_media(env.emulator.data_dir(), early_id));

    advance_days(&env, 2).await;
    assert!(clock_now(&env).await > deletes_at);
    assert_eq!(
        titles(&page(&env, "key-a", "/discarded/videos", "").await),
        ["Late"],
        "Early is gone, Late has 88 days left, Saved was restored"
    );
    assert_eq!(
        get(&env, &format!("/discarded/videos/{early_id}"), "key-a")
            .await
            .0,
        404
    );
    let (status, _) = restore(&env, "key-a", early_id, json!({"discarded": false})).await;
    assert_eq!(status, 404);
    assert_eq!(
        get(&env, &format!("/videos/{early_id}"), "key-a").await.0,
        404
    );
    assert!(!has_media(env.emulator.data_dir(), early_id));
    assert_eq!(
        get(&env, &format!("/videos/{}", saved.video_id), "key-a")
            .await
            .0,
        200
    );

    advance_days(&env, 88).await;
    assert!(
        page(&env, "key-a", "/discarded/videos", "")
            .await
            .data
            .is_empty()
    );
    assert_eq!(
        titles(&page(&env, "key-a", "/videos", "").await),
        ["Saved", "Fresh"]
    );
}

#[tokio::test]
async fn the_clock_only_moves_ahead_by_a_checked_amount() {
    let env = common::start().await;
    let (status, clock) = get(&env, "/_emulator/clock", "key-a").await;
    assert_eq!((status, &clock["offsetMs"]), (200, &json!(0)));
    for body in [
        json!({}),
        json!({"days": -1}),
        json!({"seconds": 1.5}),
        json!({"weeks": 1}),
        json!({"days": 40_000}),
        json!({"seconds": u64::MAX}),
        json!("tomorrow"),
    ] {
        let (status, problem) = call(
            &env,
            Method::POST,
            "/_emulator/clock/advance",
            ADMIN,
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "{body}: {problem}");
        assert!(problem["title"].is_string(), "{problem}");
    }
    // A project's API key does not move the clock of every project.
    let (status, problem) = call(
        &env,
        Method::POST,
        "/_emulator/clock/advance",
        "key-b",
        Some(json!({"days": 1})),
    )
    .await;
    assert_eq!((status, &problem["status"]), (401, &json!(401)));
    let (status, clock) = get(&env, "/_emulator/clock", ADMIN).await;
    assert_eq!((status, &clock["offsetMs"]), (200, &json!(0)));
    let (status, clock) = call(
        &env,
        Method::POST,
        "/_emulator/clock/advance",
        ADMIN,
        Some(json!({"days": 1, "seconds": 30})),
    )
    .await;
    assert_eq!((status, &clock["offsetMs"]), (200, &json!(86_430_000)));
    let anonymous = env
        .http
        .post(env.url("/_emulator/clock/advance"))
        .json(&json!({"days": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let (_, clock) = get(&env, "/_emulator/clock", "key-a").await;
    assert_eq!(clock["offsetMs"], 86_430_000, "one clock for every project");

    // Deadlines set as dates pass with the clock: an upload token for an
    // hour is gone a day later.
    let (status, token) = call(
        &env,
        Method::POST,
        "/upload-tokens",
        "key-a",
        Some(json!({"ttl": 3600})),
    )
    .await;
    assert_eq!(status, 200, "{token}");
    let path = format!("/upload-tokens/{}", token["token"].as_str().unwrap());
    assert_eq!(get(&env, &path, "key-a").await.0, 200);
    advance_days(&env, 1).await;
    assert_eq!(get(&env, &path, "key-a").await.0, 404);
}
