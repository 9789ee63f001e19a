//! No duplicate side effect: under the emulator's drop-after-handling fault
//! (the request is handled in full, then its answer is lost), a request
//! that may have created something is never sent twice, and what a call
//! reports is what happened.

use std::collections::BTreeMap;

use apivideo::Client;
use apivideo::prelude::*;
use apivideo::types::VideoCreationPayload;
use apivideo_emulator::{Emulator, FaultSettings};
use futures::TryStreamExt;

use crate::common::{self, MIB};

/// Answers are lost for this share of requests, drawn from a fixed seed,
/// so each run meets the same faults at the same requests.
fn lost_answers(rate: f64, seed: u64) -> FaultSettings {
    FaultSettings {
        drop_after_rate: rate,
        seed: Some(seed),
        ..FaultSettings::default()
    }
}

/// Titles of every video in the project, with how many videos carry each.
async fn titles(client: &Client) -> BTreeMap<String, usize> {
    let videos: Vec<_> = client
        .list_videos()
        .stream()
        .try_collect()
        .await
        .expect("list");
    let mut count = BTreeMap::new();
    for v in videos {
        *count.entry(v.title).or_insert(0) += 1;
    }
    count
}

/// N creates whose answers are often lost: each gives the video or a typed
/// "outcome unknown" error, and the project then holds exactly N videos,
/// one per create, none twice.
#[tokio::test]
async fn creates_whose_answers_are_lost_are_never_sent_twice() {
    const N: usize = 16;
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    // A token first, so the creates are the only requests under faults.
    client.get_account().send().await.expect("token");
    emulator.set_faults(lost_answers(0.5, 7));

    let mut created = 0;
    let mut unknown = 0;
    for i in 0..N {
        let result = client
            .create_video()
            .body(VideoCreationPayload::builder().title(format!("create {i}")))
            .send()
            .await;
        match result {
            Ok(video) => {
                assert_eq!(video.title, format!("create {i}"));
                created += 1;
            }
            Err(e) => {
                assert!(e.is_outcome_unknown(), "a typed error: {e:?}");
                assert!(e.is_transport(), "the answer was lost: {e:?}");
                unknown += 1;
            }
        }
    }
    emulator.set_faults(FaultSettings::default());
    assert!(
        created > 0 && unknown > 0,
        "both happened: {created} {unknown}"
    );
    assert_eq!(
        common::requests(&emulator, "POST /videos"),
        N as u64,
        "no create was sent twice"
    );
    let expected: BTreeMap<String, usize> = (0..N).map(|i| (format!("create {i}"), 1)).collect();
    assert_eq!(titles(&client).await, expected);
}

/// N delegated uploads whose answers are often lost. The first request of
/// each creates its video, so it is never sent twice; the chunks after it
/// name the video and are retried. Each upload gives a complete video or a
/// typed error, and every video in the project is accounted for: one per
/// upload, complete when the upload said so.
#[tokio::test]
async fn delegated_uploads_whose_answers_are_lost_never_make_a_second_video() {
    const CHUNKED: usize = 5;
    const SINGLE: usize = 4;
    let emulator = common::emulator().await;
    let owner = common::client(&emulator);
    let token = common::upload_token(&owner).await;
    let dir = tempfile::tempdir().unwrap();
    let (big, big_sha) = common::source_file(dir.path(), "big.mp4", 11 * MIB, 21).await;
    let (small, small_sha) = common::source_file(dir.path(), "small.mp4", 300_000, 22).await;
    let delegate = common::delegate(&emulator);
    emulator.set_faults(lost_answers(0.3, 11));

    let mut complete = Vec::new();
    let mut unknown = 0;
    for (i, (path, sha)) in std::iter::repeat_n((&big, &big_sha), CHUNKED)
        .chain(std::iter::repeat_n((&small, &small_sha), SINGLE))
        .enumerate()
    {
        let result = delegate
            .upload_with_upload_token()
            .token(&token)
            .file(path)
            .send()
            .await;
        match result {
            Ok(video) => complete.push((i, video.video_id, sha.clone())),
            Err(e) => {
                assert!(e.is_outcome_unknown(), "upload {i}: a typed error: {e:?}");
                unknown += 1;
            }
        }
    }
    emulator.set_faults(FaultSettings::default());
    assert!(!complete.is_empty() && unknown > 0, "both happened");

    // One video per upload: each answer lost on a first request left one
    // video behind, none was made twice.
    let videos: Vec<_> = owner
        .list_videos()
        .stream()
        .try_collect()
        .await
        .expect("list");
    assert_eq!(videos.len(), CHUNKED + SINGLE, "{videos:?}");
    for (i, id, sha) in &complete {
        let video = videos
            .iter()
            .find(|v| &v.video_id == id)
            .unwrap_or_else(|| panic!("upload {i}: its video exists"));
        let size = if sha == &big_sha { 11 * MIB } else { 300_000 };
        assert_eq!(
            common::served_sha256(&common::mp4_url(video)).await,
            (size, sha.clone()),
            "upload {i}: complete and whole"
        );
    }
}

/// Finds a seed whose first two draws lose the first answer and keep the
/// second, by probing: the emulator restarts its sequence whenever the
/// settings are applied.
async fn seed_losing_only_the_first_answer(emulator: &Emulator) -> u64 {
    let http = reqwest::Client::new();
    let probe = || {
        http.get(format!("{}/account", emulator.base_url()))
            .basic_auth(common::KEY, Some(""))
            .send()
    };
    for seed in 0..1000 {
        emulator.set_faults(lost_answers(0.5, seed));
        let first = probe().await;
        let second = probe().await;
        if first.is_err() && second.is_ok_and(|r| r.status().is_success()) {
            return seed;
        }
    }
    panic!("no seed in 0..1000 loses only the first of two answers");
}

/// A DELETE whose answer was lost is retried (it is idempotent), finds
/// 404, and says so truthfully: the error is flagged as following a lost
/// attempt, which most likely did the delete.
#[tokio::test]
async fn a_retried_delete_that_finds_404_says_an_earlier_attempt_was_lost() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let video = common::create_video(&client, "to delete").await;
    let seed = seed_losing_only_the_first_answer(&emulator).await;

    emulator.set_faults(lost_answers(0.5, seed));
    let err = client
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await
        .expect_err("the retry finds nothing to delete");
    emulator.set_faults(FaultSettings::default());
    assert!(err.is_not_found(), "{err:?}");
    let apivideo::Error::Api(api) = &err else {
        panic!("an API error: {err:?}")
    };
    assert!(api.earlier_attempt_lost, "{err:?}");
    assert!(err.to_string().contains("may have taken effect"), "{err}");
    assert_eq!(common::requests(&emulator, "DELETE /videos/{videoId}"), 2);
    assert!(
        client
            .get_video()
            .video_id(&video.video_id)
            .send()
            .await
            .expect_err("gone")
            .is_not_found()
    );

    // Without a lost attempt, a 404 is a plain 404.
    let err = client
        .delete_video()
        .video_id(&video.video_id)
        .send()
        .await
        .expect_err("nothing to delete");
    let apivideo::Error::Api(api) = &err else {
        panic!("an API error: {err:?}")
    };
    assert!(!api.earlier_attempt_lost, "{err:?}");
}
