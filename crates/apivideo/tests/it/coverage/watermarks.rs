//! Watermarks: two images uploaded (a PNG and a JPEG), one placed on a new
//! video, an unknown one refused by `create_video`, the watermarks listed
//! by creation date, then one deleted.

use apivideo::MediaFile;
use apivideo::prelude::*;
use apivideo::types::{
    ListWatermarksSortBy, ListWatermarksSortOrder, VideoCreationPayload, VideoWatermark,
};
use futures::TryStreamExt;

use super::Calls;
use crate::common::{self, GIF, JPEG, PNG};

pub(super) const TAG: &str = "Watermarks";
pub(super) const OPERATIONS: &[&str] = &["upload_watermark", "list_watermarks", "delete_watermark"];

fn placed(id: &str) -> VideoWatermark {
    VideoWatermark {
        id: Some(id.to_owned()),
        bottom: Some("10px".into()),
        right: Some("10px".into()),
        width: Some("50%".into()),
        opacity: Some("70%".into()),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);

    calls.called("upload_watermark");
    let png = client
        .upload_watermark()
        .file(MediaFile::from_bytes("mark.png", PNG))
        .send()
        .await
        .expect("PNG uploaded");
    assert!(png.watermark_id.starts_with("watermark_"), "{png:?}");
    let answer = client
        .upload_watermark()
        .file(MediaFile::from_bytes("mark", JPEG))
        .send_with_response()
        .await
        .expect("JPEG uploaded");
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    let jpeg = answer.into_inner();
    assert_ne!(jpeg.watermark_id, png.watermark_id);

    let err = client
        .upload_watermark()
        .file(MediaFile::from_bytes("mark.gif", GIF))
        .send()
        .await
        .expect_err("a GIF is refused");
    assert!(err.is_bad_request(), "{err:?}");
    assert_eq!(common::problem_name(&err), Some("file"));
    let err = client.upload_watermark().send().await.expect_err("no file");
    assert!(matches!(err, apivideo::Error::InvalidRequest(_)), "{err:?}");

    // A video carries one; an id that names none is a 404 naming it.
    let video = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Watermarked")
                .watermark(placed(&png.watermark_id)),
        )
        .send()
        .await
        .expect("video created with the watermark");
    assert_eq!(video.title, "Watermarked");
    let err = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Unknown watermark")
                .watermark(placed("watermark_0000000000000000000000")),
        )
        .send()
        .await
        .expect_err("unknown watermark");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(common::problem_name(&err), Some("watermark.id"));

    calls.called("list_watermarks");
    let listed: Vec<_> = client
        .list_watermarks()
        .page_size(1)
        .stream()
        .try_collect()
        .await
        .expect("watermarks listed");
    assert_eq!(listed, vec![png.clone(), jpeg.clone()]);
    let newest_first = client
        .list_watermarks()
        .sort_by(ListWatermarksSortBy::CreatedAt)
        .sort_order(ListWatermarksSortOrder::Desc)
        .send()
        .await
        .expect("watermarks listed newest first");
    assert_eq!(newest_first.data, vec![jpeg.clone(), png.clone()]);
    assert_eq!(newest_first.pagination.items_total, 2);
    // Another project has none.
    let theirs = common::other_client(&emulator)
        .list_watermarks()
        .send()
        .await
        .expect("the other project's watermarks");
    assert!(theirs.data.is_empty());

    calls.called("delete_watermark");
    client
        .delete_watermark()
        .watermark_id(&png.watermark_id)
        .send()
        .await
        .expect("watermark deleted");
    let left = client
        .list_watermarks()
        .send()
        .await
        .expect("watermarks listed");
    assert_eq!(left.data, vec![jpeg]);
    let err = client
        .delete_watermark()
        .watermark_id(&png.watermark_id)
        .send()
        .await
        .expect_err("already deleted");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(common::problem_name(&err), Some("watermarkId"));

    calls.assert_all_called_and_answered(&emulator);
}
