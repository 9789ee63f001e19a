//! Discarded videos (tag `Videos`): with Video Restore turned on for the
//! project through the emulator's admin API, deleted videos are listed as a
//! stream across pages with the filters and sorts of `list_videos`, one is
//! shown, a restore with `discarded: true` is refused, and the round trip
//! brings a video back with its source, captions, tags and metadata. Once
//! the emulator's clock passes `deletesAt`, the last one is gone for good.

use apivideo::prelude::*;
use apivideo::types::{
    DiscardedVideoUpdatePayload, ListDiscardedVideosSortBy, ListDiscardedVideosSortOrder, Video,
    VideoCreationPayload,
};
use apivideo::{Client, MediaFile};
use apivideo_emulator::Emulator;
use futures::TryStreamExt;

use super::{Calls, meta};
use crate::common::{self, CAPTIONS_EN, KEY};

pub(super) const TAG: &str = "Videos";
pub(super) const OPERATIONS: &[&str] = &[
    "list_discarded_videos",
    "get_discarded_video",
    "restore_video",
];

/// A call to the emulator's admin API: the answer.
async fn admin(
    emulator: &Emulator,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let request = reqwest::Client::new().request(method, format!("{}{path}", emulator.base_url()));
    // A project's own settings take its API key; the clock, shared by
    // every project, takes the emulator's admin token.
    let request = if path.starts_with("/_emulator/settings") {
        request.basic_auth(KEY, None::<&str>)
    } else {
        request.bearer_auth(emulator.admin_token())
    };
    let response = request
        .json(&body)
        .send()
        .await
        .expect("admin API reachable");
    assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
    response.json().await.expect("admin JSON")
}

async fn create(client: &Client, title: &str, tag: &str, author: &str) -> Video {
    client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title(title)
                .tags(vec![tag.to_owned()])
                .metadata(vec![meta("Author", author)]),
        )
        .send()
        .await
        .expect("video created")
}

async fn delete(client: &Client, video: &Video) {
    client
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("video deleted");
}

fn titles(videos: &[Video]) -> Vec<&str> {
    videos.iter().map(|v| v.title.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);
    let settings = admin(
        &emulator,
        reqwest::Method::PATCH,
        "/_emulator/settings",
        serde_json::json!({ "videoRestore": true }),
    )
    .await;
    assert_eq!(settings, serde_json::json!({ "videoRestore": true }));

    let fractions = create(&client, "Fractions", "maths", "Ada").await;
    let id = fractions.video_id.clone();
    let source = common::source_bytes(200_000, 3);
    client
        .upload_video()
        .video_id(&id)
        .reader(std::io::Cursor::new(source.clone()), source.len() as u64)
        .file_name("fractions.mp4")
        .send()
        .await
        .expect("source uploaded");
    client
        .upload_caption()
        .video_id(&id)
        .language("en")
        .file(MediaFile::from_bytes("en.vtt", CAPTIONS_EN))
        .send()
        .await
        .expect("caption uploaded");
    let algebra = create(&client, "Algebra", "maths", "Alan").await;
    let poetry = create(&client, "Poetry", "letters", "Ada").await;
    for video in [&fractions, &algebra, &poetry] {
        delete(&client, video).await;
    }
    let gone = client
        .get_video()
        .video_id(&id)
        .send()
        .await
        .expect_err("discarded, so not a video");
    assert!(gone.is_not_found(), "{gone:?}");

    calls.called("list_discarded_videos");
    let all: Vec<Video> = client
        .list_discarded_videos()
        .page_size(2)
        .stream()
        .try_collect()
        .await
        .expect("discarded videos listed");
    assert_eq!(titles(&all), ["Fractions", "Algebra", "Poetry"]);
    for video in &all {
        assert!(video.discarded);
        let at = video.discarded_at.expect("discardedAt");
        let kept = video.deletes_at.expect("deletesAt") - at;
        assert_eq!(kept.num_milliseconds(), 90 * 86_400_000, "90 days");
        assert_eq!(video.assets, None);
    }
    let by_ada: Vec<Video> = client
        .list_discarded_videos()
        .metadata("Author", "Ada")
        .sort_by(ListDiscardedVideosSortBy::Title)
        .sort_order(ListDiscardedVideosSortOrder::Desc)
        .stream()
        .try_collect()
        .await
        .expect("filtered");
    assert_eq!(titles(&by_ada), ["Poetry", "Fractions"]);
    let maths = client
        .list_discarded_videos()
        .tag("maths")
        .title("alg")
        .send()
        .await
        .expect("one page");
    assert_eq!(titles(&maths.data), ["Algebra"]);
    assert_eq!(maths.pagination.items_total, 1);
    let elsewhere = common::other_client(&emulator)
        .list_discarded_videos()
        .send()
        .await
        .expect("the other project's list");
    assert!(elsewhere.data.is_empty());

    calls.called("get_discarded_video");
    let shown = client
        .get_discarded_video()
        .video_id(&id)
        .send()
        .await
        .expect("discarded video shown");
    assert_eq!(shown, all[0]);
    assert_eq!(shown.tags, ["maths"]);
    assert_eq!(shown.metadata, vec![meta("Author", "Ada")]);
    assert_eq!(shown.created_at, fractions.created_at);

    calls.called("restore_video");
    let refused = client
        .restore_video()
        .video_id(&id)
        .body(DiscardedVideoUpdatePayload { discarded: true })
        .send()
        .await
        .expect_err("only false restores");
    assert!(refused.is_bad_request(), "{refused:?}");
    assert_eq!(common::problem_name(&refused), Some("discarded"));
    let unknown = client
        .restore_video()
        .video_id("vi0000000000000000000000")
        .body(DiscardedVideoUpdatePayload { discarded: false })
        .send()
        .await
        .expect_err("no such video");
    assert!(unknown.is_not_found(), "{unknown:?}");

    let restored = client
        .restore_video()
        .video_id(&id)
        .body(DiscardedVideoUpdatePayload::builder().discarded(false))
        .send()
        .await
        .expect("video restored");
    assert!(!restored.discarded);
    assert_eq!((restored.discarded_at, restored.deletes_at), (None, None));
    assert_eq!(
        (&restored.title, &restored.tags, &restored.metadata),
        (&fractions.title, &fractions.tags, &fractions.metadata)
    );
    assert_eq!(restored.assets, fractions.assets);
    let back = client
        .get_video()
        .video_id(&id)
        .send()
        .await
        .expect("a video again");
    assert_eq!(back.video_id, id);
    let (_, served) = common::served(&common::mp4_url(&back)).await;
    assert_eq!(served, source, "the source is back");
    let captions = client
        .list_captions()
        .video_id(&id)
        .send()
        .await
        .expect("captions listed");
    let languages: Vec<_> = captions.data.iter().map(|c| c.srclang.as_str()).collect();
    assert_eq!(languages, ["en"]);
    let left: Vec<Video> = client
        .list_discarded_videos()
        .stream()
        .try_collect()
        .await
        .expect("listed");
    assert_eq!(titles(&left), ["Algebra", "Poetry"]);

    // Past `deletesAt` on the emulator's clock, discarded videos are gone
    // for good; the restored one stays.
    admin(
        &emulator,
        reqwest::Method::POST,
        "/_emulator/clock/advance",
        serde_json::json!({ "days": 91 }),
    )
    .await;
    let purged = client
        .get_discarded_video()
        .video_id(&algebra.video_id)
        .send()
        .await
        .expect_err("deleted for good");
    assert!(purged.is_not_found(), "{purged:?}");
    let page = client
        .list_discarded_videos()
        .send()
        .await
        .expect("empty list");
    assert!(page.data.is_empty());
    client
        .get_video()
        .video_id(&id)
        .send()
        .await
        .expect("the restored video stays");

    calls.assert_all_called_and_answered(&emulator);
}
