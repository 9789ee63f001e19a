//! Analytics: sessions and events recorded through the admin API, then
//! listed by period (and metadata) with pages; validation, 404s, tenant
//! isolation. Also the deprecated account endpoint.

use apivideo_raw::prelude::*;
use apivideo_raw::types::{Account, VideoSessionsListResponse};
use serde_json::{Value, json};

use crate::common::{self, TestEnv, status};
use crate::support::{api, create_live_stream, create_video, problem};

async fn record(env: &TestEnv, key: &str, body: Value) -> reqwest::Response {
    api(
        env,
        reqwest::Method::POST,
        "/_emulator/analytics/sessions",
        key,
    )
    .json(&body)
    .send()
    .await
    .unwrap()
}

async fn session(env: &TestEnv, body: Value) -> String {
    let answer = record(env, "key-a", body).await;
    assert_eq!(answer.status(), 201);
    let session: Value = answer.json().await.unwrap();
    let id = session["sessionId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("ps") && id.len() == 24, "{id}");
    id
}

async fn video_sessions(env: &TestEnv, key: &str, video: &str, query: &str) -> reqwest::Response {
    api(
        env,
        reqwest::Method::GET,
        &format!("/analytics/videos/{video}?{query}"),
        key,
    )
    .send()
    .await
    .unwrap()
}

async fn session_ids(env: &TestEnv, video: &str, query: &str) -> Vec<String> {
    let answer = video_sessions(env, "key-a", video, query).await;
    assert_eq!(answer.status(), 200, "{query}");
    let list: VideoSessionsListResponse = answer.json().await.unwrap();
    list.data
        .into_iter()
        .map(|s| s.session.session_id)
        .collect()
}

#[tokio::test]
async fn video_sessions_are_listed_by_period_and_metadata() {
    let env = common::start().await;
    let video = create_video(&env, "key-a", "watched").await;
    let morning = session(
        &env,
        json!({
            "videoId": video,
            "loadedAt": "2024-03-05T11:45:01.109Z",
            "endedAt": "2024-03-05T11:49:19.243Z",
            "metadata": [{"key": "plan", "value": "premium"}],
            "location": {"country": "France", "city": "Paris"},
            "referrer": {"url": "https://www.example.com/blog", "medium": "organic",
                         "source": "https://google.com", "searchTerm": "video hosting"},
            "device": {"type": "desktop", "vendor": "Dell", "model": "unknown"},
            "os": {"name": "Microsoft Windows", "shortname": "WIN", "version": "10"},
            "client": {"type": "browser", "name": "Firefox", "version": "123.0"}
        }),
    )
    .await;
    let evening = session(
        &env,
        json!({"videoId": video, "loadedAt": "2024-03-05T18:02:10Z", "metadata": {"plan": "free"}}),
    )
    .await;
    let april = session(
        &env,
        json!({"videoId": video, "loadedAt": "2024-04-01T00:00:00Z"}),
    )
    .await;
    let last_year = session(
        &env,
        json!({"videoId": video, "loadedAt": "2023-12-31T23:59:59Z"}),
    )
    .await;

    let answer = video_sessions(&env, "key-a", &video, "period=2024-03-05").await;
    assert_eq!(answer.status(), 200);
    let list: VideoSessionsListResponse = answer.json().await.unwrap();
    assert_eq!(list.data.len(), 2);
    let first = &list.data[0];
    let s = &first.session;
    assert_eq!(s.session_id, morning);
    assert_eq!(s.loaded_at.to_rfc3339(), "2024-03-05T11:45:01.109+00:00");
    assert_eq!(s.ended_at.to_rfc3339(), "2024-03-05T11:49:19.243+00:00");
    assert_eq!(s.metadata[0].value, "premium");
    assert_eq!(first.location.city.as_deref(), Some("Paris"));
    assert_eq!(first.os.shortname, "WIN");
    assert_eq!(first.client.name, "Firefox");
    assert_eq!(first.referrer.search_term.as_deref(), Some("video hosting"));
    // A session recorded with nothing but its start is answered whole, as
    // the API answers every session: an end, and `unknown` where nothing was
    // recorded (the nullable city and URL are left out).
    let raw: serde_json::Value = video_sessions(&env, "key-a", &video, "period=2024-03-05")
        .await
        .json()
        .await
        .unwrap();
    let bare = &raw["data"][1];
    assert_eq!(bare["session"]["sessionId"], evening.as_str());
    assert_eq!(bare["session"]["endedAt"], bare["session"]["loadedAt"]);
    assert_eq!(
        (&bare["location"], &bare["referrer"]),
        (
            &json!({"country": "unknown"}),
            &json!({"medium": "unknown", "source": "unknown"})
        )
    );
    for part in ["device", "os", "client"] {
        let values: Vec<_> = bare[part].as_object().unwrap().values().collect();
        assert_eq!(values.len(), 3, "{part}: {bare}");
        assert!(values.iter().all(|v| *v == "unknown"), "{part}: {bare}");
    }
    let self_link = list.pagination.links[0].uri.clone();
    assert!(self_link.contains("period=2024-03-05"), "{self_link}");

    assert_eq!(
        session_ids(&env, &video, "period=2024-03").await,
        [morning.clone(), evening.clone()]
    );
    assert_eq!(
        session_ids(&env, &video, "period=2024").await,
        [morning.clone(), evening.clone(), april.clone()]
    );
    assert_eq!(
        session_ids(&env, &video, "period=2023-12/2024-03-05").await,
        [last_year.clone(), morning.clone(), evening.clone()]
    );
    assert_eq!(
        session_ids(&env, &video, "period=2024-W10").await,
        [morning.clone(), evening.clone()]
    );
    assert!(session_ids(&env, &video, "period=2022").await.is_empty());
    assert_eq!(
        session_ids(&env, &video, "period=2024-03&metadata[plan]=premium").await,
        std::slice::from_ref(&morning)
    );
    assert_eq!(
        session_ids(&env, &video, "period=2024&metadata%5Bplan%5D=free").await,
        std::slice::from_ref(&evening)
    );
    assert!(
        session_ids(
            &env,
            &video,
            "period=2024&metadata[plan]=premium&metadata[x]=y"
        )
        .await
        .is_empty()
    );
    let page = video_sessions(
        &env,
        "key-a",
        &video,
        "period=2024&pageSize=2&currentPage=2",
    )
    .await;
    let page: VideoSessionsListResponse = page.json().await.unwrap();
    assert_eq!(page.pagination.pages_total, 2);
    assert_eq!(page.data.len(), 1);
    let out = video_sessions(
        &env,
        "key-a",
        &video,
        "period=2024&pageSize=2&currentPage=3",
    )
    .await;
    assert_eq!(out.status(), 400);
    let p: Value = out.json().await.unwrap();
    assert_eq!(p["name"], "currentPage");
}

#[tokio::test]
async fn periods_and_ids_are_validated() {
    let env = common::start().await;
    let video = create_video(&env, "key-a", "v").await;
    for query in [
        "",
        "period=",
        "period=yesterday",
        "period=2024-13",
        "period=2024-02-30",
        "period=2024-04/2024-03",
        "period=2019-01-01T00:00:00.000Z",
    ] {
        let answer = video_sessions(&env, "key-a", &video, query).await;
        assert_eq!(answer.status(), 400, "{query}");
        let p: Value = answer.json().await.unwrap();
        assert_eq!(p["name"], "period", "{query}");
    }
    let unknown = video_sessions(&env, "key-a", "vinope", "period=2024").await;
    assert_eq!(unknown.status(), 404);
    let p: Value = unknown.json().await.unwrap();
    assert_eq!(p["name"], "videoId");

    let err = env
        .raw
        .list_live_stream_sessions()
        .live_stream_id("linope")
        .period("2024")
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (404, Some("liveStreamId")));
    let err = env
        .raw
        .list_session_events()
        .session_id("psnope")
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (404, Some("sessionId")));

    // The admin API checks what it records.
    for (body, code, name) in [
        (json!({}), 400, "videoId"),
        (json!({"videoId": "vinope"}), 404, "videoId"),
        (json!({"liveStreamId": "linope"}), 404, "liveStreamId"),
        (
            json!({"videoId": video, "liveStreamId": "li1"}),
            400,
            "liveStreamId",
        ),
        (
            json!({"videoId": video, "loadedAt": "yesterday"}),
            400,
            "loadedAt",
        ),
        (
            json!({"videoId": video, "loadedAt": "2024-03-05T10:00:00Z", "endedAt": "2024-03-05T09:00:00Z"}),
            400,
            "endedAt",
        ),
    ] {
        let answer = record(&env, "key-a", body.clone()).await;
        assert_eq!(answer.status(), code, "{body}");
        let p: Value = answer.json().await.unwrap();
        assert_eq!(p["name"], name, "{body}");
    }
    let anonymous = env
        .http
        .post(env.url("/_emulator/analytics/sessions"))
        .json(&json!({"videoId": video}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn live_stream_sessions_and_events() {
    let env = common::start().await;
    let live_id = &create_live_stream(&env, "key-a", "live").await;
    let id = session(
        &env,
        json!({
            "liveStreamId": live_id,
            "loadedAt": "2024-03-05T13:04:37.891Z",
            "endedAt": "2024-03-05T14:47:22.186Z",
            "location": {"country": "France", "city": "Paris"},
            "device": {"type": "desktop", "vendor": "Dell", "model": "unknown"}
        }),
    )
    .await;
    let list = env
        .raw
        .list_live_stream_sessions()
        .live_stream_id(live_id)
        .period("2024-03-01/2024-03-31")
        .send()
        .await
        .unwrap();
    assert_eq!(list.data.len(), 1);
    let s = &list.data[0];
    assert_eq!(s.session.session_id, id);
    assert_eq!(s.location.country, "France");
    assert_eq!(s.device.vendor, "Dell");
    let empty = env
        .raw
        .list_live_stream_sessions()
        .live_stream_id(live_id)
        .period("2024-02")
        .send()
        .await
        .unwrap();
    assert!(empty.data.is_empty());
    let bad = env
        .raw
        .list_live_stream_sessions()
        .live_stream_id(live_id)
        .period("March")
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(bad);
    assert_eq!((code, p.name.as_deref()), (400, Some("period")));

    let events_path = format!("/_emulator/analytics/sessions/{id}/events");
    let answer = api(&env, reqwest::Method::POST, &events_path, "key-a")
        .json(&json!([
            {"type": "play", "emittedAt": "2024-03-05T13:04:45Z", "at": 0},
            {"type": "ready", "emittedAt": "2024-03-05T13:04:42Z", "at": 0},
            {"type": "seek.forward", "emittedAt": "2024-03-05T13:04:53Z", "from": 8, "to": 21},
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    let answer = api(&env, reqwest::Method::POST, &events_path, "key-a")
        .json(&json!({"events": [{"type": "end", "emittedAt": "2024-03-05T13:10:00Z", "at": 40}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);

    let events = env
        .raw
        .list_session_events()
        .session_id(&id)
        .send()
        .await
        .unwrap();
    let types: Vec<_> = events.data.iter().map(|e| e.type_.clone()).collect();
    assert_eq!(types, ["ready", "play", "seek.forward", "end"]);
    assert_eq!(
        (events.data[2].from, events.data[2].to),
        (Some(8), Some(21))
    );
    let page = env
        .raw
        .list_session_events()
        .session_id(&id)
        .page_size(3)
        .current_page(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.pagination.pages_total, 2);
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.data[0].at, Some(40));

    for body in [
        json!([{"type": "dance", "at": 1}]),
        json!([{"type": "play"}]),
        json!([{"type": "seek.backward", "from": 3}]),
        json!([{"type": "pause", "at": -1}]),
        json!([{"type": "play", "at": "zero"}]),
    ] {
        let answer = api(&env, reqwest::Method::POST, &events_path, "key-a")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{body}");
    }
    let unknown = api(
        &env,
        reqwest::Method::POST,
        "/_emulator/analytics/sessions/psnope/events",
        "key-a",
    )
    .json(&json!([]))
    .send()
    .await
    .unwrap();
    assert_eq!(unknown.status(), 404);
    let p: Value = unknown.json().await.unwrap();
    assert_eq!(p["name"], "sessionId");
}

/// A video or live stream deleted for good takes its sessions and their
/// events with it; the other media's sessions stay.
#[tokio::test]
async fn a_deleted_media_takes_its_sessions_with_it() {
    let env = common::start().await;
    let kept = create_video(&env, "key-a", "kept").await;
    let video = create_video(&env, "key-a", "deleted").await;
    let live = create_live_stream(&env, "key-a", "live").await;
    let loaded = "2024-03-05T10:00:00Z";
    let kept_session = session(&env, json!({"videoId": kept, "loadedAt": loaded})).await;
    let video_session = session(&env, json!({"videoId": video, "loadedAt": loaded})).await;
    let live_session = session(&env, json!({"liveStreamId": live, "loadedAt": loaded})).await;
    for id in [&kept_session, &video_session, &live_session] {
        let path = format!("/_emulator/analytics/sessions/{id}/events");
        let answer = api(&env, reqwest::Method::POST, &path, "key-a")
            .json(&json!([{"type": "play", "emittedAt": "2024-03-05T10:00:05Z", "at": 0}]))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 201);
    }
    for path in [format!("/videos/{video}"), format!("/live-streams/{live}")] {
        let answer = api(&env, reqwest::Method::DELETE, &path, "key-a")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 204, "{path}");
    }
    for gone in [&video_session, &live_session] {
        let events = env
            .raw
            .list_session_events()
            .session_id(gone)
            .send()
            .await
            .unwrap_err();
        assert_eq!(status(&events), Some(404), "{gone}");
    }
    let events = env
        .raw
        .list_session_events()
        .session_id(&kept_session)
        .send()
        .await
        .unwrap();
    assert_eq!(events.data.len(), 1);
    assert_eq!(
        session_ids(&env, &kept, "period=2024").await,
        [kept_session]
    );
}

#[tokio::test]
async fn another_project_cannot_read_sessions() {
    let env = common::start().await;
    let video = create_video(&env, "key-a", "a's").await;
    let id = session(
        &env,
        json!({"videoId": video, "loadedAt": "2024-03-05T10:00:00Z"}),
    )
    .await;
    let foreign = video_sessions(&env, "key-b", &video, "period=2024").await;
    assert_eq!(foreign.status(), 404);
    let b = env.raw_for("key-b");
    let events = b
        .list_session_events()
        .session_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&events), Some(404));
    let recorded = record(&env, "key-b", json!({"videoId": video})).await;
    assert_eq!(recorded.status(), 404);
    assert_eq!(session_ids(&env, &video, "period=2024").await, [id]);
}

#[tokio::test]
async fn account_reports_quota_and_features() {
    let env = common::start().await;
    let before: Account = env.raw.get_account().send().await.unwrap();
    let quota = before.quota.clone();
    assert_eq!(quota.quota_used, 0.0);
    assert_eq!(quota.quota_used + quota.quota_remaining, quota.quota_total);
    assert!(before.features.iter().any(|f| f == "transcode.mp4_support"));
    assert!(matches!(
        before.environment.as_str(),
        "sandbox" | "production"
    ));
    create_video(&env, "key-a", "counts").await;
    let after = env.raw.get_account().send().await.unwrap();
    assert_eq!(after.quota.quota_used, 1.0);
    let anonymous = env.http.get(env.url("/account")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}
