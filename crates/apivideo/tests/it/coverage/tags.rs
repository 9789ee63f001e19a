//! Tags: videos created with tags, their tags listed as a stream across
//! pages (alphabetically, then the most used first), searched without
//! regard to case or accents, one page read with its pagination, and a bad
//! page refused with a problem naming it.

use apivideo::prelude::*;
use apivideo::types::{
    ListTagsResponseData, ListTagsSortBy, ListTagsSortOrder, VideoCreationPayload,
};
use futures::TryStreamExt;

use super::Calls;
use crate::common;

pub(super) const TAG: &str = "Tags";
pub(super) const OPERATIONS: &[&str] = &["list_tags"];

fn tag(value: &str, videos: i64) -> ListTagsResponseData {
    ListTagsResponseData {
        value: value.to_owned(),
        video_count: videos,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);
    for (title, tags) in [
        ("Fractions", &["maths", "Cours élémentaire"][..]),
        ("Decimals", &["maths", "cours moyen"][..]),
        ("Percentages", &["maths"][..]),
        ("Reading", &["Cours élémentaire", "french"][..]),
    ] {
        let video = client
            .create_video()
            .body(
                VideoCreationPayload::builder()
                    .title(title)
                    .tags(tags.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>()),
            )
            .send()
            .await
            .expect("video created");
        assert_eq!(video.tags, tags);
    }
    // Another project's tags are not ours.
    common::other_client(&emulator)
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Elsewhere")
                .tags(vec!["maths".to_owned()]),
        )
        .send()
        .await
        .expect("video created in the other project");

    calls.called("list_tags");
    let alphabetical: Vec<_> = client
        .list_tags()
        .page_size(2)
        .stream()
        .try_collect()
        .await
        .expect("tags listed");
    assert_eq!(
        alphabetical,
        vec![
            tag("Cours élémentaire", 2),
            tag("cours moyen", 1),
            tag("french", 1),
            tag("maths", 3),
        ]
    );

    let most_used: Vec<_> = client
        .list_tags()
        .sort_by(ListTagsSortBy::VideoCount)
        .sort_order(ListTagsSortOrder::Desc)
        .page_size(3)
        .stream()
        .try_collect()
        .await
        .expect("tags listed by count");
    assert_eq!(
        most_used,
        vec![
            tag("maths", 3),
            tag("Cours élémentaire", 2),
            tag("cours moyen", 1),
            tag("french", 1),
        ]
    );

    let search = client
        .list_tags()
        .value("COURS ELEM")
        .send()
        .await
        .expect("tags searched");
    assert_eq!(search.data, vec![tag("Cours élémentaire", 2)]);
    let pagination = &search.pagination;
    assert_eq!(pagination.current_page, 1);
    assert_eq!(pagination.page_size, 25);
    assert_eq!(pagination.pages_total, 1);
    assert_eq!(pagination.items_total, 1);
    assert_eq!(pagination.current_page_items, 1);
    let links: Vec<_> = pagination
        .links
        .iter()
        .map(|l| (l.rel.as_str(), l.uri.clone()))
        .collect();
    let uri = format!(
        "{}/tags?value=COURS+ELEM&currentPage=1&pageSize=25",
        emulator.base_url()
    );
    assert_eq!(
        links,
        vec![("self", uri.clone()), ("first", uri.clone()), ("last", uri)]
    );

    let second = client
        .list_tags()
        .sort_order(ListTagsSortOrder::Desc)
        .page_size(2)
        .page(2)
        .await
        .expect("page 2");
    assert_eq!(second.number(), 2);
    assert!(!second.has_next());
    assert_eq!(
        second.items,
        vec![tag("cours moyen", 1), tag("Cours élémentaire", 2)]
    );
    // Four tags fit on one page of 25: there is no page 2.
    let err = client
        .list_tags()
        .current_page(2)
        .send()
        .await
        .expect_err("no page 2");
    assert!(err.is_bad_request(), "{err:?}");
    assert_eq!(common::problem_name(&err), Some("currentPage"));

    calls.assert_all_called_and_answered(&emulator);
}
