//! Chapters: chapters uploaded to a video and served as uploaded, shown,
//! listed, then deleted.

use apivideo::MediaFile;
use apivideo::prelude::*;
use futures::TryStreamExt;

use super::Calls;
use crate::common::{self, CHAPTERS, served};

pub(super) const TAG: &str = "Chapters";
pub(super) const OPERATIONS: &[&str] = &[
    "upload_chapter",
    "get_chapter",
    "list_chapters",
    "delete_chapter",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);
    let id = common::create_video(&client, "Maths 101").await.video_id;

    calls.called("upload_chapter");
    let chapter = client
        .upload_chapter()
        .video_id(&id)
        .language("en")
        .file(MediaFile::from_bytes("chapters.vtt", CHAPTERS))
        .send()
        .await
        .expect("chapter uploaded");
    assert_eq!(chapter.language, "en");
    assert_eq!(chapter.uri, format!("/videos/{id}/chapters/en"));
    assert_eq!(
        chapter.src,
        format!("{}/vod/{id}/chapters/en.vtt", emulator.base_url())
    );
    let (_, body) = served(&chapter.src).await;
    assert_eq!(body, CHAPTERS.as_bytes());

    calls.called("get_chapter");
    let shown = client
        .get_chapter()
        .video_id(&id)
        .language("en")
        .send()
        .await
        .expect("chapter shown");
    assert_eq!(shown, chapter);

    calls.called("list_chapters");
    let listed: Vec<_> = client
        .list_chapters()
        .video_id(&id)
        .stream()
        .try_collect()
        .await
        .expect("chapters listed");
    assert_eq!(listed, vec![chapter.clone()]);

    calls.called("delete_chapter");
    client
        .delete_chapter()
        .video_id(&id)
        .language("en")
        .send()
        .await
        .expect("chapter deleted");
    let left: Vec<_> = client
        .list_chapters()
        .video_id(&id)
        .stream()
        .try_collect()
        .await
        .expect("chapters listed");
    assert!(left.is_empty(), "{left:?}");

    calls.assert_all_called_and_answered(&emulator);
}
