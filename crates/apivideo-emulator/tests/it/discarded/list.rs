//! Discarded videos are filtered, sorted and paged like videos.

use super::*;

#[tokio::test]
async fn discarded_videos_are_filtered_sorted_and_paged_like_videos() {
    let env = common::start_with(
        Config::default()
            .with_api_key("key-a")
            .with_api_key("key-b")
            .with_video_restore(true),
    )
    .await;
    let mut ids = Vec::new();
    for (title, tags, author, description) in [
        ("Fractions", vec!["maths"], "Ada", "Parts of a whole"),
        ("Algebra", vec!["maths", "letters"], "Alan", "Unknowns"),
        ("Poetry", vec!["letters"], "Ada", "Verses"),
        ("Decimals", vec!["maths"], "Ada", "Parts of ten"),
    ] {
        let video = create(
            &env,
            "key-a",
            json!({
                "title": title,
                "tags": tags,
                "metadata": [{"key": "Author", "value": author}],
                "description": description,
            }),
        )
        .await;
        ids.push(video.video_id);
    }
    create(
        &env,
        "key-a",
        json!({"title": "Live maths", "tags": ["maths"]}),
    )
    .await;
    for id in &ids {
        assert_eq!(delete(&env, "key-a", id).await, 204);
    }

    let list = |query: &'static str| {
        let env = &env;
        async move { titles(&page(env, "key-a", "/discarded/videos", query).await).join(",") }
    };
    assert_eq!(list("").await, "Fractions,Algebra,Poetry,Decimals");
    assert_eq!(list("title=ALG").await, "Algebra");
    assert_eq!(list("tags[]=maths").await, "Fractions,Algebra,Decimals");
    assert_eq!(list("tags[]=maths&tags[]=letters").await, "Algebra");
    assert_eq!(
        list("metadata[Author]=Ada").await,
        "Fractions,Poetry,Decimals"
    );
    assert_eq!(
        list("metadata[Author]=Ada&tags[]=maths&description=parts").await,
        "Fractions,Decimals"
    );
    assert_eq!(
        list("sortBy=title").await,
        "Algebra,Decimals,Fractions,Poetry"
    );
    assert_eq!(
        list("sortBy=title&sortOrder=desc").await,
        "Poetry,Fractions,Decimals,Algebra"
    );
    assert_eq!(
        list("sortBy=createdAt&sortOrder=desc").await,
        "Decimals,Poetry,Algebra,Fractions"
    );
    assert_eq!(
        titles(&page(&env, "key-a", "/videos", "").await),
        ["Live maths"]
    );

    let second = page(
        &env,
        "key-a",
        "/discarded/videos",
        "sortBy=title&pageSize=3&currentPage=2",
    )
    .await;
    assert_eq!(titles(&second), ["Poetry"]);
    let pagination = &second.pagination;
    assert_eq!(
        (
            pagination.pages_total,
            pagination.items_total,
            pagination.current_page_items
        ),
        (2, 4, 1)
    );
    let links: Vec<(&str, &str)> = pagination
        .links
        .iter()
        .map(|l| (l.rel.as_str(), l.uri.as_str()))
        .collect();
    let uri = |n: u8| {
        env.url(&format!(
            "/discarded/videos?sortBy=title&currentPage={n}&pageSize=3"
        ))
    };
    assert_eq!(
        links,
        [
            ("self", uri(2).as_str()),
            ("first", uri(1).as_str()),
            ("previous", uri(1).as_str()),
            ("last", uri(2).as_str()),
        ]
    );

    for (query, name) in [
        ("sortBy=deletesAt", "sortBy"),
        ("sortOrder=up", "sortOrder"),
        ("pageSize=101", "pageSize"),
        ("currentPage=3&pageSize=3", "currentPage"),
    ] {
        let (status, problem) = get(&env, &format!("/discarded/videos?{query}"), "key-a").await;
        assert_eq!(
            (status, &problem["name"]),
            (400, &json!(name)),
            "{query}: {problem}"
        );
    }
    let anonymous = env
        .http
        .get(env.url("/discarded/videos"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
