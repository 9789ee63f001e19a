//! Tags: counted from the project's videos, filtered on part of the tag
//! without regard to case or accents, sorted by value or by count, paged,
//! validated, and kept apart between projects.

use apivideo_raw::Client;
use apivideo_raw::patch::VideoUpdatePayload;
use apivideo_raw::prelude::*;
use apivideo_raw::types::{
    ListTagsResponse, ListTagsResponseData, ListTagsSortBy, ListTagsSortOrder, VideoCreationPayload,
};
use serde_json::Value;

use crate::common::{self, TestEnv};
use crate::support::{api, problem};

/// Creates a video with these tags and returns its id.
async fn tagged(raw: &Client, title: &str, tags: &[&str]) -> String {
    raw.create_video()
        .body(
            VideoCreationPayload::builder()
                .title(title)
                .tags(tags.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>()),
        )
        .send()
        .await
        .expect("video created")
        .video_id
}

fn tag(value: &str, videos: i64) -> ListTagsResponseData {
    ListTagsResponseData {
        value: value.to_owned(),
        video_count: videos,
    }
}

/// `(value, videoCount)` of each tag of a page, in order.
fn pairs(page: &ListTagsResponse) -> Vec<(&str, i64)> {
    page.data
        .iter()
        .map(|t| (t.value.as_str(), t.video_count))
        .collect()
}

/// Five videos of the first project: `maths` on four, `École` on two,
/// `ecoles` and `Tutorials` on one each, and a video without tags. Returns
/// the id of the video tagged `Tutorials`.
async fn library(env: &TestEnv) -> String {
    tagged(&env.raw, "Algebra", &["maths", "École"]).await;
    let geometry = tagged(&env.raw, "Geometry", &["maths", "Tutorials"]).await;
    tagged(&env.raw, "Analysis", &["maths", "ecoles", "maths"]).await;
    tagged(&env.raw, "Arithmetic", &["maths", "École"]).await;
    tagged(&env.raw, "Untagged", &[]).await;
    geometry
}

#[tokio::test]
async fn tags_are_counted_from_the_videos_in_alphabetical_order() {
    let env = common::start().await;
    let empty = env.raw.list_tags().send().await.expect("listed");
    assert!(empty.data.is_empty());
    assert_eq!(empty.pagination.items_total, 0);
    assert_eq!(empty.pagination.pages_total, 1);

    let tutorials = library(&env).await;
    let all = env.raw.list_tags().send().await.expect("listed");
    // Alphabetical on the tag without case or accents; a video that lists
    // a tag twice counts once.
    assert_eq!(
        all.data,
        [
            tag("École", 2),
            tag("ecoles", 1),
            tag("maths", 4),
            tag("Tutorials", 1)
        ]
    );
    let p = &all.pagination;
    assert_eq!(
        (
            p.current_page,
            p.page_size,
            p.pages_total,
            p.items_total,
            p.current_page_items
        ),
        (1, 25, 1, 4, 4)
    );
    let rels: Vec<_> = p.links.iter().map(|l| l.rel.as_str()).collect();
    assert_eq!(rels, ["self", "first", "last"]);
    assert_eq!(p.links[0].uri, env.url("/tags?currentPage=1&pageSize=25"));

    // Counts follow the videos: a tag removed from its last video is gone.
    env.raw
        .update_video()
        .video_id(&tutorials)
        .body(VideoUpdatePayload {
            tags: Some(vec!["maths".to_owned(), "geometry".to_owned()]),
            ..Default::default()
        })
        .send()
        .await
        .expect("updated");
    let algebra = tagged(&env.raw, "Algebra II", &["ÉCOLE"]).await;
    env.raw
        .delete_video()
        .video_id(&algebra)
        .send()
        .await
        .expect("deleted");
    let after = env.raw.list_tags().send().await.expect("listed");
    assert_eq!(
        pairs(&after),
        [("École", 2), ("ecoles", 1), ("geometry", 1), ("maths", 4)]
    );
}

#[tokio::test]
async fn value_matches_part_of_the_tag_ignoring_case_and_accents() {
    let env = common::start().await;
    library(&env).await;
    let search = |value: &'static str| env.raw.list_tags().value(value).send();
    for (value, expected) in [
        ("ecole", vec![("École", 2), ("ecoles", 1)]),
        ("ÉCOLE", vec![("École", 2), ("ecoles", 1)]),
        ("cOlE", vec![("École", 2), ("ecoles", 1)]),
        ("écoles", vec![("ecoles", 1)]),
        ("ath", vec![("maths", 4)]),
        ("TUTO", vec![("Tutorials", 1)]),
        (
            "",
            vec![("École", 2), ("ecoles", 1), ("maths", 4), ("Tutorials", 1)],
        ),
        ("physics", vec![]),
    ] {
        let page = search(value).await.expect("listed");
        assert_eq!(pairs(&page), expected, "value={value:?}");
        assert_eq!(
            page.pagination.items_total,
            i64::try_from(expected.len()).unwrap(),
            "value={value:?}"
        );
    }
    // The filter is kept in the pagination links.
    let page = env
        .raw
        .list_tags()
        .value("école")
        .page_size(1)
        .send()
        .await
        .expect("listed");
    assert_eq!(pairs(&page), [("École", 2)]);
    let next = page
        .pagination
        .links
        .iter()
        .find(|l| l.rel == "next")
        .map(|l| l.uri.clone())
        .expect("a next link");
    assert_eq!(
        next,
        env.url("/tags?value=%C3%A9cole&currentPage=2&pageSize=1")
    );
}

#[tokio::test]
async fn sorted_by_value_or_by_count_and_paged() {
    let env = common::start().await;
    library(&env).await;
    let sorted = |by: Option<ListTagsSortBy>, order: Option<ListTagsSortOrder>| {
        let mut request = env.raw.list_tags();
        if let Some(by) = by {
            request = request.sort_by(by);
        }
        if let Some(order) = order {
            request = request.sort_order(order);
        }
        request.send()
    };
    let alphabetical = [("École", 2), ("ecoles", 1), ("maths", 4), ("Tutorials", 1)];
    for (by, order, expected) in [
        (None, None, alphabetical.to_vec()),
        (Some(ListTagsSortBy::Value), None, alphabetical.to_vec()),
        (
            Some(ListTagsSortBy::Value),
            Some(ListTagsSortOrder::Asc),
            alphabetical.to_vec(),
        ),
        (
            Some(ListTagsSortBy::Value),
            Some(ListTagsSortOrder::Desc),
            alphabetical.iter().rev().copied().collect(),
        ),
        (
            None,
            Some(ListTagsSortOrder::Desc),
            alphabetical.iter().rev().copied().collect(),
        ),
        // By count, equal counts stay alphabetical in both directions.
        (
            Some(ListTagsSortBy::VideoCount),
            None,
            vec![("ecoles", 1), ("Tutorials", 1), ("École", 2), ("maths", 4)],
        ),
        (
            Some(ListTagsSortBy::VideoCount),
            Some(ListTagsSortOrder::Desc),
            vec![("maths", 4), ("École", 2), ("ecoles", 1), ("Tutorials", 1)],
        ),
    ] {
        let page = sorted(by.clone(), order.clone()).await.expect("listed");
        assert_eq!(pairs(&page), expected, "sortBy={by:?} sortOrder={order:?}");
    }

    // Pages of the most used tags first.
    let mut seen = Vec::new();
    for n in 1..=2u64 {
        let page = env
            .raw
            .list_tags()
            .sort_by(ListTagsSortBy::VideoCount)
            .sort_order(ListTagsSortOrder::Desc)
            .page_size(3)
            .current_page(n)
            .send()
            .await
            .expect("a page");
        let p = &page.pagination;
        assert_eq!(
            (p.current_page, p.pages_total, p.items_total),
            (i64::try_from(n).unwrap(), 2, 4)
        );
        seen.extend(pairs(&page).into_iter().map(|(v, c)| (v.to_owned(), c)));
    }
    let seen: Vec<(&str, i64)> = seen.iter().map(|(v, c)| (v.as_str(), *c)).collect();
    assert_eq!(
        seen,
        [("maths", 4), ("École", 2), ("ecoles", 1), ("Tutorials", 1)]
    );
    let past = env
        .raw
        .list_tags()
        .page_size(3)
        .current_page(3u64)
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(past);
    assert_eq!((code, p.name.as_deref()), (400, Some("currentPage")));
}

#[tokio::test]
async fn bad_parameters_are_400_problems_naming_them() {
    let env = common::start().await;
    for (query, name) in [
        ("sortBy=title", "sortBy"),
        ("sortBy=VIDEOCOUNT", "sortBy"),
        ("sortOrder=up", "sortOrder"),
        ("pageSize=0", "pageSize"),
        ("pageSize=101", "pageSize"),
        ("currentPage=0", "currentPage"),
        ("currentPage=first", "currentPage"),
        ("pageSize=1.5", "pageSize"),
    ] {
        let answer = api(
            &env,
            reqwest::Method::GET,
            &format!("/tags?{query}"),
            "key-a",
        )
        .send()
        .await
        .unwrap();
        assert_eq!(answer.status(), 400, "{query}");
        let p: Value = answer.json().await.unwrap();
        assert_eq!(p["status"], 400, "{query}: {p}");
        assert_eq!(p["name"], name, "{query}: {p}");
        assert!(p["type"].as_str().unwrap().starts_with("https://"), "{p}");
        assert!(p["title"].is_string(), "{p}");
    }
    let both = api(
        &env,
        reqwest::Method::GET,
        "/tags?sortBy=title&sortOrder=up",
        "key-a",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(both.status(), 400);
    let p: Value = both.json().await.unwrap();
    let names: Vec<_> = p["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["sortBy", "sortOrder"]);
    let anonymous = env.http.get(env.url("/tags")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn each_project_sees_its_own_tags() {
    let env = common::start().await;
    tagged(&env.raw, "A", &["shared", "only-a"]).await;
    let b = env.raw_for("key-b");
    tagged(&b, "B", &["shared"]).await;
    tagged(&b, "B2", &["shared"]).await;
    let a_tags = env.raw.list_tags().send().await.unwrap();
    assert_eq!(pairs(&a_tags), [("only-a", 1), ("shared", 1)]);
    let b_tags = b.list_tags().send().await.unwrap();
    assert_eq!(pairs(&b_tags), [("shared", 2)]);
}
