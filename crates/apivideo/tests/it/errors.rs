//! Errors: typed by stage, with the problem document, and free of secrets
//! in Debug, Display and logs; for each kind of bad input (an unknown or
//! another project's id, an invalid file, an out-of-range chunk size, a
//! source that changes mid-upload, an expired upload token), a typed error
//! and the emulator's state the same afterwards (compared as the full
//! listings of every resource).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use apivideo::patch::VideoUpdatePayload;
use apivideo::prelude::*;
use apivideo::types::{
    TokenCreationPayload, Video, VideoStatusIngestStatus, WebhooksCreationPayload,
};
use apivideo::{Client, Config, Error, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, MediaFile, SourceErrorKind};
use apivideo_emulator::Emulator;
use futures::TryStreamExt;

use crate::common::{
    self, CAPTIONS_EN, GIF, KEY, MIB, NOT_WEBVTT, PNG, UNKNOWN_VIDEO, problem_name,
};

const CHUNK: u64 = 5 * MIB;

#[tokio::test]
async fn bad_request_lists_its_problems() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let body = WebhooksCreationPayload {
        events: vec![],
        url: "not a url".into(),
    };
    let err = client
        .create_webhook()
        .body(body)
        .send()
        .await
        .expect_err("400");
    assert!(err.is_bad_request(), "{err:?}");
    assert!(!err.problem().expect("problem").problems.is_empty());
    assert!(err.to_string().contains("400"), "{err}");
}

#[test]
fn config_errors_are_typed() {
    let err = Client::with_config(Config::production().with_api_key("k").with_chunk_size(1024))
        .unwrap_err();
    assert!(err.is_config());
    assert!(err.to_string().contains("5 MiB to 128 MiB"), "{err}");
    let err = Client::with_config(
        Config::production()
            .with_api_key("k")
            .with_application("bad name", "1"),
    )
    .unwrap_err();
    assert!(err.is_config());
}

/// Looks for anything shaped like the emulator's tokens (64 base62 chars).
fn contains_token_like(text: &str) -> bool {
    text.as_bytes()
        .windows(64)
        .any(|w| w.iter().all(u8::is_ascii_alphanumeric))
}

#[tokio::test]
async fn secrets_never_appear_in_debug_display_or_logs() {
    // Current-thread runtime: the SDK, hyper and the emulator all log on
    // this thread, which the capture records.
    let capture = common::capture_logs();

    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    client.get_account().send().await.expect("ok");
    let wrong =
        Client::with_config(Config::new(emulator.base_url()).with_api_key("wrong-secret-key"))
            .unwrap();
    let err = wrong.get_account().send().await.expect_err("refused");

    let texts = [
        format!("{client:?}"),
        format!("{:?}", client.config()),
        format!("{err}"),
        format!("{err:?}"),
        capture.text(),
    ];
    let logs = &texts[4];
    assert!(
        logs.contains("apivideo.request"),
        "spans were logged: {logs}"
    );
    for text in &texts {
        assert!(!text.contains(KEY), "the API key leaked: {text}");
        assert!(
            !text.contains("wrong-secret-key"),
            "the API key leaked: {text}"
        );
        assert!(!contains_token_like(text), "a token leaked: {text}");
    }
}

/// Everything a project holds that these tests could change, as listed by
/// the API.
async fn state(client: &Client) -> String {
    let videos: Vec<Video> = client
        .list_videos()
        .stream()
        .try_collect()
        .await
        .expect("videos");
    let mut out = format!("{videos:?}\n");
    for video in &videos {
        let captions: Vec<_> = client
            .list_captions()
            .video_id(&video.video_id)
            .stream()
            .try_collect()
            .await
            .expect("captions");
        let chapters: Vec<_> = client
            .list_chapters()
            .video_id(&video.video_id)
            .stream()
            .try_collect()
            .await
            .expect("chapters");
        let status = client
            .get_video_status()
            .video_id(&video.video_id)
            .send()
            .await
            .expect("status");
        out += &format!("{captions:?}\n{chapters:?}\n{:?}\n", status.ingest);
    }
    let players: Vec<_> = client
        .list_players()
        .stream()
        .try_collect()
        .await
        .expect("players");
    let streams: Vec<_> = client
        .list_live_streams()
        .stream()
        .try_collect()
        .await
        .expect("live streams");
    let hooks: Vec<_> = client
        .list_webhooks()
        .stream()
        .try_collect()
        .await
        .expect("webhooks");
    let tokens: Vec<_> = client
        .list_upload_tokens()
        .stream()
        .try_collect()
        .await
        .expect("upload tokens");
    out += &format!("{players:?}\n{streams:?}\n{hooks:?}\n{tokens:?}\n");
    out
}

fn api_error<T>(result: Result<T, impl Into<Error>>) -> Error {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.into(),
    }
}

/// A project with a video (with captions), a player and an upload token.
async fn populated(emulator: &Emulator) -> (Client, Video) {
    let client = common::client(emulator);
    let video = common::create_video(&client, "Kept").await;
    client
        .upload_caption()
        .video_id(&video.video_id)
        .language("en")
        .file(MediaFile::from_bytes("en.vtt", CAPTIONS_EN))
        .send()
        .await
        .expect("caption");
    common::create_player(&client).await;
    client
        .create_upload_token()
        .body(TokenCreationPayload { ttl: 0 })
        .send()
        .await
        .expect("token");
    (client, video)
}

#[tokio::test]
async fn an_unknown_video_id_is_a_typed_not_found_and_changes_nothing() {
    let emulator = common::emulator().await;
    let (client, _) = populated(&emulator).await;
    let before = state(&client).await;

    let errors = [
        api_error(client.get_video().video_id(UNKNOWN_VIDEO).send().await),
        api_error(
            client
                .update_video()
                .video_id(UNKNOWN_VIDEO)
                .body(VideoUpdatePayload {
                    title: Some("Ghost".into()),
                    ..Default::default()
                })
                .send()
                .await,
        ),
        api_error(
            client
                .get_video_status()
                .video_id(UNKNOWN_VIDEO)
                .send()
                .await,
        ),
        api_error(client.delete_video().video_id(UNKNOWN_VIDEO).send().await),
        api_error(
            client
                .upload_caption()
                .video_id(UNKNOWN_VIDEO)
                .language("en")
                .file(MediaFile::from_bytes("en.vtt", CAPTIONS_EN))
                .send()
                .await,
        ),
    ];
    for err in &errors {
        assert!(matches!(err, Error::Api(_)), "{err:?}");
        assert!(err.is_not_found(), "{err:?}");
        assert_eq!(problem_name(err), Some("videoId"), "{err:?}");
        assert_eq!(err.problem().and_then(|p| p.status), Some(404));
    }
    assert_eq!(state(&client).await, before);
}

#[tokio::test]
async fn an_invalid_caption_file_is_refused_and_the_previous_one_is_kept() {
    let emulator = common::emulator().await;
    let (client, video) = populated(&emulator).await;
    let id = &video.video_id;
    let before = state(&client).await;

    let err = client
        .upload_caption()
        .video_id(id)
        .language("en")
        .file(MediaFile::from_bytes("en.vtt", NOT_WEBVTT))
        .send()
        .await
        .expect_err("not WebVTT");
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert!(err.is_bad_request(), "{err:?}");
    assert_eq!(problem_name(&err), Some("file"));
    let err = client
        .upload_caption()
        .video_id(id)
        .language("fr")
        .file(MediaFile::from_bytes("fr.vtt", NOT_WEBVTT))
        .send()
        .await
        .expect_err("not WebVTT");
    assert!(err.is_bad_request(), "{err:?}");

    assert_eq!(state(&client).await, before);
    let served = reqwest::get(format!("{}/vod/{id}/captions/en.vtt", emulator.base_url()))
        .await
        .expect("reachable")
        .text()
        .await
        .expect("text");
    assert_eq!(served, CAPTIONS_EN);
}

#[tokio::test]
async fn a_logo_of_the_wrong_type_is_refused_and_the_player_keeps_its_logo() {
    let emulator = common::emulator().await;
    let (client, _) = populated(&emulator).await;
    let players: Vec<_> = client
        .list_players()
        .stream()
        .try_collect()
        .await
        .expect("players");
    let id = players[0].player_id.clone();
    let with_logo = client
        .upload_player_logo()
        .player_id(&id)
        .file(MediaFile::from_bytes("logo.png", PNG))
        .link("https://example.com")
        .send()
        .await
        .expect("logo");
    let before = state(&client).await;

    let err = client
        .upload_player_logo()
        .player_id(&id)
        .file(MediaFile::from_bytes("logo.gif", GIF))
        .send()
        .await
        .expect_err("GIF refused");
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert!(err.is_bad_request(), "{err:?}");
    assert_eq!(problem_name(&err), Some("file"));
    assert_eq!(
        err.problem()
            .and_then(|p| p.type_.as_deref())
            .map(|t| t.ends_with("uploaded-file-extension-invalid")),
        Some(true)
    );

    assert_eq!(state(&client).await, before);
    let shown = client
        .get_player()
        .player_id(&id)
        .send()
        .await
        .expect("player");
    assert_eq!(shown, with_logo);
    let logo = reqwest::get(format!("{}/embed/players/{id}/logo", emulator.base_url()))
        .await
        .expect("reachable")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(logo.as_ref(), PNG);
}

#[tokio::test]
async fn a_chunk_size_out_of_range_is_a_config_error_and_sends_nothing() {
    let emulator = common::emulator().await;
    let (client, video) = populated(&emulator).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = common::source_file(dir.path(), "small.mp4", MIB, 5).await;
    let before = state(&client).await;
    let stats = emulator.stats();

    for size in [MIN_CHUNK_SIZE - 1, MAX_CHUNK_SIZE + 1, 0] {
        let err = client
            .upload_video()
            .video_id(&video.video_id)
            .chunk_size(size)
            .file(&path)
            .send()
            .await
            .expect_err("out of range");
        assert!(err.is_config(), "{size}: {err:?}");
        assert!(err.to_string().contains("5 MiB to 128 MiB"), "{err}");
        let err = Client::with_config(common::config(&emulator).with_chunk_size(size))
            .expect_err("out of range");
        assert!(err.is_config(), "{size}: {err:?}");
    }
    assert_eq!(emulator.stats(), stats, "no request was sent");
    assert_eq!(state(&client).await, before);
}

/// Uploads a three-part file to a new video, calling `damage` on the file
/// once the first part is through. Returns the error and the video.
async fn damaged_upload(
    emulator: &Emulator,
    client: &Client,
    damage: impl Fn(&std::path::Path) + Send + Sync + 'static,
) -> (Error, Video) {
    let video = common::create_video(client, "Damaged").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = common::source_file(dir.path(), "damaged.mp4", 2 * CHUNK + MIB, 9).await;
    let once = Arc::new(AtomicBool::new(false));
    let target = path.clone();
    let err = client
        .upload_video()
        .video_id(&video.video_id)
        .chunk_size(CHUNK)
        .on_progress(move |p| {
            if p.bytes_sent >= CHUNK && !once.swap(true, Ordering::SeqCst) {
                damage(&target);
            }
        })
        .file(&path)
        .send()
        .await
        .expect_err("the source changed");
    assert_eq!(
        emulator
            .stats()
            .requests_to("POST /videos/{videoId}/source"),
        1,
        "nothing sent after the damage"
    );
    (err, video)
}

/// After a damaged upload: the part before the damage is recorded, nothing
/// was completed, and the video itself is as created.
async fn assert_incomplete(emulator: &Emulator, client: &Client, video: &Video) {
    let shown = client
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("video");
    assert_eq!(&shown, video);
    let ingest = client
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("status")
        .ingest;
    assert_eq!(ingest.status, VideoStatusIngestStatus::Uploading);
    assert_eq!(common::received_ranges(&ingest), vec![(0, CHUNK as i64)]);
    let mp4 = reqwest::get(format!(
        "{}/vod/{}/mp4/source.mp4",
        emulator.base_url(),
        video.video_id
    ))
    .await
    .expect("reachable");
    assert_eq!(mp4.status(), reqwest::StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_disappears_or_shrinks_mid_upload_is_a_source_error() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);

    let (err, video) = damaged_upload(&emulator, &client, |path| {
        std::fs::remove_file(path).expect("removed");
    })
    .await;
    assert!(matches!(err, Error::Source(_)), "{err:?}");
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Missing), "{err:?}");
    assert_incomplete(&emulator, &client, &video).await;

    emulator.reset_stats();
    let (err, video) = damaged_upload(&emulator, &client, |path| {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .expect("open");
        file.set_len(CHUNK + 10).expect("truncated");
    })
    .await;
    assert_eq!(err.source_kind(), Some(SourceErrorKind::Changed), "{err:?}");
    assert_incomplete(&emulator, &client, &video).await;
}

#[tokio::test]
async fn an_expired_upload_token_is_refused_and_creates_no_video() {
    let emulator = common::emulator().await;
    let (client, _) = populated(&emulator).await;
    let token = client
        .create_upload_token()
        .body(TokenCreationPayload { ttl: 1 })
        .send()
        .await
        .expect("token")
        .token;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = state(&client).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = common::source_file(dir.path(), "late.mp4", MIB, 11).await;

    let err = common::keyless_client(&emulator)
        .upload_with_upload_token()
        .token(&token)
        .file(&path)
        .send()
        .await
        .expect_err("expired");
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert!(err.is_bad_request(), "{err:?}");
    assert_eq!(problem_name(&err), Some("token"));
    assert_eq!(
        err.problem()
            .and_then(|p| p.type_.as_deref())
            .map(|t| t.ends_with("invalid-upload-token")),
        Some(true),
        "{err:?}"
    );
    let err = api_error(client.get_upload_token().upload_token(&token).send().await);
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(state(&client).await, before);
}

#[tokio::test]
async fn another_tenants_resources_are_not_found_and_stay_unchanged() {
    let emulator = common::emulator().await;
    let (owner, video) = populated(&emulator).await;
    let id = &video.video_id;
    let player_id = owner.list_players().page(1).await.expect("players").items[0]
        .player_id
        .clone();
    let before = state(&owner).await;
    let other = common::other_client(&emulator);
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = common::source_file(dir.path(), "intruder.mp4", MIB, 13).await;

    let errors = [
        api_error(other.get_video().video_id(id).send().await),
        api_error(
            other
                .update_video()
                .video_id(id)
                .body(VideoUpdatePayload {
                    title: Some("Hijacked".into()),
                    ..Default::default()
                })
                .send()
                .await,
        ),
        api_error(other.delete_video().video_id(id).send().await),
        api_error(other.get_caption().video_id(id).language("en").send().await),
        api_error(
            other
                .delete_caption()
                .video_id(id)
                .language("en")
                .send()
                .await,
        ),
        api_error(
            other
                .upload_caption()
                .video_id(id)
                .language("fr")
                .file(MediaFile::from_bytes("fr.vtt", CAPTIONS_EN))
                .send()
                .await,
        ),
        api_error(other.upload_video().video_id(id).file(&path).send().await),
        api_error(other.get_player().player_id(&player_id).send().await),
        api_error(other.delete_player().player_id(&player_id).send().await),
    ];
    for err in &errors {
        assert!(matches!(err, Error::Api(_)), "{err:?}");
        assert!(err.is_not_found(), "{err:?}");
    }
    let theirs: Vec<_> = other
        .list_videos()
        .stream()
        .try_collect()
        .await
        .expect("their videos");
    assert!(theirs.is_empty(), "{theirs:?}");

    assert_eq!(state(&owner).await, before);
    assert_eq!(
        emulator.stats().event("upload.parts"),
        0,
        "no source was stored"
    );
}

/// An upload token lets anyone upload to the project: it must not show in
/// a builder's `Debug`, in an error, or in any log line, at TRACE, with
/// retries under faults and an answer lost.
#[tokio::test]
async fn upload_tokens_never_appear_in_debug_errors_or_logs() {
    let capture = common::capture_logs();
    let emulator = Arc::new(common::emulator().await);
    let token = common::upload_token(&common::client(&emulator)).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = common::source_file(dir.path(), "movie.mp4", 11 * MIB, 41).await;
    let delegate = common::delegate(&emulator);
    let mut texts = vec![format!(
        "{:?}",
        delegate
            .upload_with_upload_token()
            .token(&token)
            .file(&path)
    )];

    // Once the first chunk made the video, retries of the others through
    // dropped connections and 503s.
    let faulty = emulator.clone();
    let outcome = delegate
        .upload_with_upload_token()
        .token(&token)
        .file(&path)
        .on_progress(move |p| {
            if p.part == 2 && faulty.faults().seed.is_none() {
                faulty.set_faults(apivideo_emulator::FaultSettings {
                    drop_rate: 0.3,
                    error_rate: 0.3,
                    error_statuses: vec![503],
                    seed: Some(5),
                    ..apivideo_emulator::FaultSettings::default()
                });
            }
        })
        .send()
        .await;
    texts.push(format!("{outcome:?}"));
    // An answer lost on the first request: an error that could name it.
    emulator.set_faults(apivideo_emulator::FaultSettings {
        drop_after_rate: 1.0,
        ..apivideo_emulator::FaultSettings::default()
    });
    let err = delegate
        .upload_with_upload_token()
        .token(&token)
        .file(&path)
        .send()
        .await
        .expect_err("lost");
    emulator.set_faults(apivideo_emulator::FaultSettings::default());
    assert!(err.is_outcome_unknown(), "{err:?}");
    texts.push(format!("{err} {err:?}"));
    // A token the API refuses.
    let err = delegate
        .upload_with_upload_token()
        .token(format!("{token}x"))
        .file(&path)
        .send()
        .await
        .expect_err("refused");
    texts.push(format!("{err} {err:?}"));

    let logs = capture.text();
    assert!(
        logs.contains("upload_with_upload_token"),
        "spans were logged"
    );
    assert!(logs.contains("retrying"), "retries were logged");
    texts.push(logs);
    for text in &texts {
        assert!(!text.contains(&token), "the upload token leaked: {text}");
    }
}

#[tokio::test]
async fn an_authentication_the_api_fails_keeps_its_status_and_says_so() {
    let emulator = common::emulator().await;
    emulator.set_faults(apivideo_emulator::FaultSettings {
        error_rate: 1.0,
        error_statuses: vec![503],
        ..Default::default()
    });
    let client = common::client(&emulator);
    let err = client
        .list_watermarks()
        .send()
        .await
        .expect_err("every answer is a 503");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    assert_eq!(
        err.problem().and_then(|p| p.status),
        Some(503),
        "the problem document came through: {err:?}"
    );
    let shown = err.to_string();
    assert!(shown.contains("could not authenticate"), "{shown}");
    assert!(!shown.contains("refused"), "a 503 is no refusal: {shown}");
    assert!(!shown.contains(KEY), "{shown}");
}
