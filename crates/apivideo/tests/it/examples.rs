//! Every example of `examples/`, run against an emulator in this process so
//! that none rots: each file is included as a module, its `run` called
//! with a client for the emulator, and what it did checked on the
//! emulator's side.

use std::path::PathBuf;
use std::time::Duration;

use apivideo::MediaFile;
use apivideo::prelude::*;
use apivideo::testing::{FaultSettings, PlayerSession, TestEmulator};
use apivideo::types::{Metadata, VideoCreationPayload};
use apivideo::webhooks::Event;
use futures::TryStreamExt;
use tokio::io::AsyncReadExt as _;

use crate::common::{self, MIB};

// `main` of each example is not called here.
#[allow(dead_code)]
#[path = "../../examples/analytics.rs"]
mod analytics;
#[allow(dead_code)]
#[path = "../../examples/captions_chapters.rs"]
mod captions_chapters;
#[allow(dead_code)]
#[path = "../../examples/delegated_upload.rs"]
mod delegated_upload;
#[allow(dead_code)]
#[path = "../../examples/errors_retries.rs"]
mod errors_retries;
#[allow(dead_code)]
#[path = "../../examples/list_videos.rs"]
mod list_videos;
#[allow(dead_code)]
#[path = "../../examples/live_stream.rs"]
mod live_stream;
#[allow(dead_code)]
#[path = "../../examples/player_logo.rs"]
mod player_logo;
#[allow(dead_code)]
#[path = "../../examples/quickstart.rs"]
mod quickstart;
#[allow(dead_code)]
#[path = "../../examples/resume_upload.rs"]
mod resume_upload;
#[allow(dead_code)]
#[path = "../../examples/update_video.rs"]
mod update_video;
#[allow(dead_code)]
#[path = "../../examples/upload.rs"]
mod upload;
#[allow(dead_code)]
#[path = "../../examples/webhook_receiver.rs"]
mod webhook_receiver;

/// A new example is run here too: every file of `examples/` is a module
/// of this one.
#[test]
fn every_example_is_run_here() {
    let this = include_str!("examples.rs");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rs"))
        .collect();
    names.sort();
    assert!(names.len() >= 12, "{names:?}");
    for name in names {
        assert!(
            this.contains(&format!("#[path = \"../../examples/{name}\"]")),
            "examples/{name} is not run by tests/it/examples.rs: include it as a module and test its `run`"
        );
    }
}

async fn emulator() -> TestEmulator {
    TestEmulator::start().await.expect("the emulator starts")
}

/// A file of `size` bytes in `dir`.
async fn file(dir: &tempfile::TempDir, size: u64) -> (PathBuf, String) {
    common::source_file(dir.path(), "source.mp4", size, 7).await
}

#[tokio::test]
async fn upload_makes_a_playable_video_of_the_whole_file() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = file(&dir, 3 * MIB + 17).await;

    let video = upload::run(emulator.client(), "Lesson 1", &path)
        .await
        .unwrap();

    assert_eq!(video.title, "Lesson 1");
    let status = emulator
        .client()
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap();
    assert!(status.is_playable());
    assert_eq!(
        common::served_sha256(&common::mp4_url(&video)).await,
        (3 * MIB + 17, sha)
    );
}

#[tokio::test]
async fn resume_upload_sends_only_the_missing_chunks() {
    let emulator = emulator().await;
    let client = emulator.client();
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = file(&dir, 12 * MIB).await;
    let video = common::create_video(client, "resumed").await;

    // An upload in 5 MiB chunks cut off after its first: its reader fails
    // once the first chunk has been read (and then sent in full).
    let bytes = tokio::fs::read(&path).await.unwrap();
    let cut = std::io::Cursor::new(bytes[..5 * MIB as usize].to_vec()).chain(FailingReader);
    let err = client
        .upload_video()
        .video_id(&video.video_id)
        .reader(cut, 12 * MIB)
        .chunk_size(5 * MIB)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, apivideo::Error::Io(_)), "{err:?}");
    assert_eq!(emulator.stats().event("upload.bytes"), 5 * MIB);
    emulator.reset_stats();

    let video = resume_upload::run(client, &video.video_id, &path)
        .await
        .unwrap();

    // Only the 7 MiB the API lacked went out, in one request with the
    // client's 50 MiB chunks.
    let stats = emulator.stats();
    assert_eq!(stats.event("upload.bytes"), 7 * MIB);
    assert_eq!(stats.requests_to("POST /videos/{videoId}/source"), 1);
    client
        .wait_until_playable(&video.video_id, Duration::from_secs(60))
        .await
        .unwrap();
    let video = client
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        common::served_sha256(&common::mp4_url(&video)).await,
        (12 * MIB, sha)
    );
}

/// A reader that fails: where an interrupted source stops.
struct FailingReader;

impl tokio::io::AsyncRead for FailingReader {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        _: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Err(std::io::Error::other(
            "the connection to the disk was lost",
        )))
    }
}

#[tokio::test]
async fn delegated_upload_creates_one_video_from_a_keyless_client() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = file(&dir, 12 * MIB).await;

    let video = delegated_upload::run(emulator.client(), &path)
        .await
        .unwrap();

    // Three chunks of at most 5 MiB, one video, the whole file.
    let stats = emulator.stats();
    assert_eq!(stats.requests_to("POST /upload"), 3);
    assert_eq!(stats.event("upload.bytes"), 12 * MIB);
    let videos = emulator.client().list_videos().send().await.unwrap();
    assert_eq!(videos.data.len(), 1);
    assert_eq!(videos.data[0].video_id, video.video_id);
    let video = emulator
        .client()
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        common::served_sha256(&common::mp4_url(&video)).await,
        (12 * MIB, sha)
    );

    // The keyless client really has no key: a keyed call is refused before
    // anything is sent.
    let keyless =
        apivideo::Client::with_config(apivideo::Config::new(emulator.base_url())).unwrap();
    let err = keyless.list_videos().send().await.unwrap_err();
    assert!(err.is_config() || err.is_auth(), "{err:?}");
}

#[tokio::test]
async fn list_videos_streams_the_filtered_videos_across_pages() {
    let emulator = emulator().await;
    let client = emulator.client();
    let mut maths = Vec::new();
    for lesson in 0..23 {
        let (tag, course) = match lesson % 4 {
            0 => ("other", "maths"),
            1 => ("school", "physics"),
            _ => ("school", "maths"),
        };
        let video = client
            .create_video()
            .body(
                VideoCreationPayload::builder()
                    .title(format!("Lesson {lesson}"))
                    .tags(vec![tag.to_owned()])
                    .metadata(vec![Metadata::new("course", course)]),
            )
            .send()
            .await
            .unwrap();
        if tag == "school" && course == "maths" {
            maths.push(video.video_id);
        }
    }
    emulator.reset_stats();

    let ids = list_videos::run(client, "school", "maths").await.unwrap();

    // Every match, in creation order, 10 per page: two pages.
    assert_eq!(maths.len(), 11);
    assert_eq!(ids, maths);
    assert_eq!(emulator.stats().requests_to("GET /videos"), 2);

    assert!(
        list_videos::find(client, &maths[0])
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        list_videos::find(client, "vi0000000000000000000000")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn update_video_replaces_metadata_and_removes_the_player() {
    let emulator = emulator().await;
    let client = emulator.client();
    let player = common::create_player(client).await;
    let video = client
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("draft")
                .tags(vec!["draft".to_owned()])
                .player_id(player.player_id.clone())
                .metadata(vec![Metadata::new("draft", "yes")]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(video.player_id.as_deref(), Some(player.player_id.as_str()));

    update_video::run(client, &video.video_id).await.unwrap();

    let video = client
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap();
    assert_eq!(video.title, "Maths 101: fractions");
    assert_eq!(video.tags, ["maths", "fractions"]);
    let metadata: Vec<_> = video
        .metadata
        .iter()
        .map(|m| (m.key.as_str(), m.value.as_str()))
        .collect();
    assert_eq!(metadata, [("teacher", "Ada"), ("level", "1")]);
    assert_eq!(video.player_id, None);
}

#[tokio::test]
async fn captions_and_chapters_are_attached_and_served() {
    let emulator = emulator().await;
    let client = emulator.client();
    let video = common::create_video(client, "captioned").await;

    let captions = captions_chapters::run(client, &video.video_id)
        .await
        .unwrap();

    let mut languages: Vec<_> = captions
        .iter()
        .map(|c| (c.srclang.clone(), c.default))
        .collect();
    languages.sort();
    assert_eq!(
        languages,
        [("en".to_owned(), false), ("fr".to_owned(), true)]
    );
    let french = captions.iter().find(|c| c.default).unwrap();
    let (_, body) = common::served(&french.src).await;
    assert!(String::from_utf8(body).unwrap().contains("Bonjour"));
    let chapters: Vec<_> = client
        .list_chapters()
        .video_id(&video.video_id)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chapters.len(), 1);
    let (_, body) = common::served(&chapters[0].src).await;
    assert!(String::from_utf8(body).unwrap().contains("Introduction"));
}

#[tokio::test]
async fn live_stream_goes_from_creation_to_a_playable_recording() {
    let emulator = emulator().await;
    let client = emulator.client();

    let stream = live_stream::create(client, "stand-up").await.unwrap();
    emulator
        .broadcast(&stream.live_stream_id, true)
        .await
        .unwrap();
    let recording = live_stream::run(client, &stream).await.unwrap();

    let source = recording
        .source
        .as_ref()
        .and_then(|s| s.live_stream.as_ref());
    assert_eq!(
        source.and_then(|l| l.live_stream_id.as_deref()),
        Some(stream.live_stream_id.as_str())
    );
    let status = client
        .get_video_status()
        .video_id(&recording.video_id)
        .send()
        .await
        .unwrap();
    assert!(status.is_playable());
    let err = client
        .get_live_stream()
        .live_stream_id(&stream.live_stream_id)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "the live stream was deleted: {err:?}");
}

#[tokio::test]
async fn player_logo_themes_the_video() {
    let emulator = emulator().await;
    let client = emulator.client();
    let video = common::create_video(client, "branded").await;

    let theme = player_logo::run(
        client,
        &video.video_id,
        MediaFile::from_bytes("logo.png", common::PNG),
        "https://example.com",
    )
    .await
    .unwrap();

    let video = client
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .unwrap();
    assert_eq!(video.player_id.as_deref(), Some(theme.player_id.as_str()));
    let theme = client
        .get_player()
        .player_id(&theme.player_id)
        .send()
        .await
        .unwrap();
    assert_eq!(theme.link, "#ff9900");
    let assets = theme.assets.unwrap();
    assert_eq!(assets.link.as_deref(), Some("https://example.com"));
    let (content_type, body) = common::served(assets.logo.as_deref().unwrap()).await;
    assert_eq!(
        (content_type.as_str(), body.as_slice()),
        ("image/png", common::PNG)
    );
}

#[tokio::test]
async fn analytics_reads_the_recorded_viewers() {
    let emulator = emulator().await;
    let client = emulator.client();
    let video = common::create_video(client, "watched").await;
    let other = common::create_video(client, "also watched").await;
    for (id, country, seconds) in [
        (&video.video_id, "FR", 40),
        (&video.video_id, "FR", 25),
        (&video.video_id, "JP", 0),
        (&other.video_id, "JP", 30),
    ] {
        let mut session = PlayerSession::video(id.as_str()).country(country);
        if seconds > 0 {
            session = session.watched(Duration::from_secs(seconds));
        }
        emulator.record_session(session).await.unwrap();
    }

    let report = analytics::run(client, &video.video_id).await.unwrap();

    // Three sessions of the video, two of which played; views of the
    // project by country, most first.
    assert_eq!(report.sessions, 3);
    assert_eq!(report.plays, 2.0);
    assert_eq!(
        report.views_by_country,
        [("FR".to_owned(), 2.0), ("JP".to_owned(), 1.0)]
    );
}

#[tokio::test]
async fn errors_retries_reads_each_failure_and_outlasts_server_errors() {
    let emulator = emulator().await;
    let client = emulator.client();

    let seen = errors_retries::run(client).await.unwrap();
    assert!(seen.missing_is_none);
    assert_eq!(seen.refused_attribute.as_deref(), Some("url"));

    // Every request fails with a 503 until one has met it; the listing
    // retries through it.
    let created = common::create_video(client, "listed").await;
    emulator.reset_stats();
    emulator.set_faults(FaultSettings {
        error_rate: 1.0,
        error_statuses: vec![503],
        ..FaultSettings::default()
    });
    let patient = client.clone();
    let listing = tokio::spawn(async move { errors_retries::list_patiently(&patient).await });
    common::eventually(Duration::from_secs(30), || async {
        (common::responses(emulator.emulator(), "GET /videos", 503) > 0).then_some(())
    })
    .await;
    emulator.clear_faults();
    let videos = listing.await.unwrap().unwrap();
    assert_eq!(videos.len(), 1);
    assert_eq!(videos[0].video_id, created.video_id);
}

#[tokio::test]
async fn webhook_receiver_sees_a_broadcast_through_to_its_recording() {
    let emulator = emulator().await;
    let client = emulator.client();
    let (app, mut events) = webhook_receiver::receiver(client);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let seen = webhook_receiver::tour(client, &emulator, &url, &mut events)
        .await
        .unwrap();

    // Every kind of event, each verified; the end of the broadcast may
    // come after the recording's, deliveries being concurrent.
    let mut seen = seen;
    while !seen
        .iter()
        .any(|e| matches!(e, Event::LiveStreamBroadcastEnded(_)))
    {
        let event = tokio::time::timeout(Duration::from_secs(60), events.recv())
            .await
            .expect("the end of the broadcast is delivered")
            .expect("the receiver runs");
        seen.push(event);
    }
    server.abort();
    let recorded = seen
        .iter()
        .find_map(|e| match e {
            Event::VideoSourceRecorded(r) => Some(r.video_id.clone()),
            _ => None,
        })
        .expect("the recording was announced");
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::LiveStreamBroadcastStarted(_)))
    );
    assert!(
        seen.iter().any(
            |e| matches!(e, Event::VideoEncodingQualityCompleted(q) if q.video_id == recorded)
        )
    );
}

#[tokio::test]
async fn quickstart_tours_the_api_and_cleans_up() {
    let emulator = emulator().await;
    let client = emulator.client();

    quickstart::run(client, 3 * MIB).await.unwrap();

    let stats = emulator.stats();
    for route in [
        "POST /videos",
        "POST /videos/{videoId}/source",
        "POST /videos/{videoId}/captions/{language}",
        "POST /videos/{videoId}/chapters/{language}",
        "PATCH /videos/{videoId}/thumbnail",
        "DELETE /videos/{videoId}",
    ] {
        assert_eq!(stats.requests_to(route), 1, "{route}");
    }
    assert_eq!(stats.event("upload.bytes"), 3 * MIB);
    assert!(
        client.list_videos().send().await.unwrap().data.is_empty(),
        "cleaned up"
    );
}
