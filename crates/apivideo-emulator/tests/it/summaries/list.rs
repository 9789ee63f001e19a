//! The summaries list: filters, sorts and pages, and another project's
//! summaries out of sight.

use super::*;

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
    let theirs = crate::support::create_video(&env, "key-b", "Theirs").await;
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
