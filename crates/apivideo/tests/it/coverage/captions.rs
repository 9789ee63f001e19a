//! Captions: two captions uploaded to a video and served as uploaded, one
//! made the default, shown, listed, the other deleted.

use apivideo::MediaFile;
use apivideo::prelude::*;
use apivideo::types::CaptionUpdatePayload;
use futures::TryStreamExt;

use super::Calls;
use crate::common::{self, CAPTIONS_EN, served};

pub(super) const TAG: &str = "Captions";
pub(super) const OPERATIONS: &[&str] = &[
    "upload_caption",
    "update_caption",
    "get_caption",
    "list_captions",
    "delete_caption",
];

const CAPTIONS_FR: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nBienvenue.\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);
    let id = common::create_video(&client, "Maths 101").await.video_id;

    calls.called("upload_caption");
    let en = client
        .upload_caption()
        .video_id(&id)
        .language("en")
        .file(MediaFile::from_bytes("en.vtt", CAPTIONS_EN))
        .send()
        .await
        .expect("caption uploaded");
    assert_eq!(en.srclang, "en");
    assert_eq!(en.uri, format!("/videos/{id}/captions/en"));
    assert_eq!(
        en.src,
        format!("{}/vod/{id}/captions/en.vtt", emulator.base_url())
    );
    assert!(!en.default);
    let (_, body) = served(&en.src).await;
    assert_eq!(body, CAPTIONS_EN.as_bytes());
    let fr = client
        .upload_caption()
        .video_id(&id)
        .language("fr")
        .file(MediaFile::from_bytes("fr.vtt", CAPTIONS_FR))
        .send()
        .await
        .expect("caption uploaded");

    calls.called("update_caption");
    let default = client
        .update_caption()
        .video_id(&id)
        .language("fr")
        .body(CaptionUpdatePayload {
            default: Some(true),
        })
        .send()
        .await
        .expect("caption updated");
    assert!(default.default);
    assert_eq!(default.srclang, "fr");
    assert_eq!(default.src, fr.src);

    calls.called("get_caption");
    let shown = client
        .get_caption()
        .video_id(&id)
        .language("fr")
        .send()
        .await
        .expect("caption shown");
    assert_eq!(shown, default);

    calls.called("list_captions");
    let mut listed: Vec<_> = client
        .list_captions()
        .video_id(&id)
        .stream()
        .try_collect()
        .await
        .expect("captions listed");
    listed.sort_by(|a, b| a.srclang.cmp(&b.srclang));
    assert_eq!(listed, vec![en.clone(), default.clone()]);

    calls.called("delete_caption");
    client
        .delete_caption()
        .video_id(&id)
        .language("en")
        .send()
        .await
        .expect("caption deleted");
    let left: Vec<_> = client
        .list_captions()
        .video_id(&id)
        .stream()
        .try_collect()
        .await
        .expect("captions listed");
    assert_eq!(left, vec![default]);
    let gone = reqwest::get(&en.src).await.expect("reachable");
    assert_eq!(gone.status(), reqwest::StatusCode::NOT_FOUND);

    calls.assert_all_called_and_answered(&emulator);
}
