//! Retries: 429 with its headers, 5xx on idempotent requests only,
//! connection failures, dropped connections, and the figures exposed; a
//! burst of 500 requests against a limit of 100 per second, where every
//! 429 is retried after the one second the emulator asks for and no
//! request is lost or applied twice; and a 300 MiB upload in 50 MiB chunks
//! through one request in ten answered 503 or dropped, whose source the
//! emulator reassembles byte-identical to the file.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use apivideo::prelude::*;
use apivideo::types::{VideoStatusIngestStatus, WebhooksCreationPayload};
use apivideo::{Client, DEFAULT_CHUNK_SIZE, RetryPolicy};
use apivideo_emulator::{FaultSettings, RateLimit};
use futures::TryStreamExt;
use futures::future::join_all;

use crate::common::{self, MIB};

fn webhook() -> WebhooksCreationPayload {
    WebhooksCreationPayload {
        events: vec!["video.encoding.quality.completed".parse().unwrap()],
        url: "https://example.com/hook".into(),
    }
}

#[tokio::test]
async fn get_is_retried_on_503_until_attempts_run_out() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    client.get_account().send().await.expect("token first");
    emulator.set_faults(FaultSettings {
        error_rate: 1.0,
        error_statuses: vec![503],
        ..FaultSettings::default()
    });
    let err = client.get_account().send().await.expect_err("always 503");
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(
        common::requests(&emulator, "GET /account"),
        1 + 6,
        "max_attempts of the policy"
    );
}

/// Seeds the emulator's fault draws in
/// `get_succeeds_through_intermittent_503_and_drops`.
const SEED: u64 = 2024;

#[tokio::test]
async fn get_succeeds_through_intermittent_503_and_drops() {
    let emulator = common::emulator().await;
    // About 28% of attempts fail. The draws are seeded and the calls
    // sequential, so every run meets the same faults: some of both kinds
    // (checked below), never ten in a row for one call.
    let policy = common::fast_retries().with_max_attempts(10);
    let client =
        apivideo::Client::with_config(common::config(&emulator).with_retry_policy(policy)).unwrap();
    client.get_account().send().await.expect("token first");
    emulator.set_faults(FaultSettings {
        error_rate: 0.2,
        error_statuses: vec![502, 503, 504],
        drop_rate: 0.1,
        seed: Some(SEED),
        ..FaultSettings::default()
    });
    for _ in 0..20 {
        client
            .get_account()
            .send()
            .await
            .expect("retried through faults");
    }
    let stats = emulator.stats();
    let (errors, dropped) = (stats.event("faults.errors"), stats.event("faults.dropped"));
    assert!(
        errors > 0 && dropped > 0,
        "both kinds of faults happened (else pick another seed): {errors} error(s), {dropped} drop(s)"
    );
}

#[tokio::test]
async fn post_is_not_retried_on_503_or_a_dropped_connection() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    client.get_account().send().await.expect("token first");
    emulator.set_faults(FaultSettings {
        error_rate: 1.0,
        error_statuses: vec![503],
        ..FaultSettings::default()
    });
    let err = client
        .create_webhook()
        .body(webhook())
        .send()
        .await
        .expect_err("503");
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(
        common::requests(&emulator, "POST /webhooks"),
        1,
        "may have been applied: not retried"
    );

    emulator.set_faults(FaultSettings {
        drop_rate: 1.0,
        ..FaultSettings::default()
    });
    let err = client
        .create_webhook()
        .body(webhook())
        .send()
        .await
        .expect_err("dropped");
    assert!(err.is_transport(), "{err:?}");
    assert_eq!(common::requests(&emulator, "POST /webhooks"), 2);
}

#[tokio::test]
async fn post_is_retried_on_429() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    client.get_account().send().await.expect("token first");
    // The window starts with this call; a full second leaves ample margin
    // for both calls to land in it, and the 429 asks for a wait of at least
    // a second anyway.
    emulator.set_faults(FaultSettings {
        rate_limit: Some(RateLimit {
            limit: 1,
            window_ms: 1000,
        }),
        ..FaultSettings::default()
    });
    client
        .create_webhook()
        .body(webhook())
        .send()
        .await
        .expect("created");
    client
        .create_webhook()
        .body(webhook())
        .send()
        .await
        .expect("created after a 429");
    assert!(emulator.stats().event("faults.rate_limited") >= 1);
    emulator.set_faults(FaultSettings::default());
    let list = client.list_webhooks().send().await.unwrap();
    assert_eq!(list.data.len(), 2, "no duplicate from the retry");
}

/// Connection refused means nothing was sent, so even a POST is retried:
/// the server comes up while the client backs off.
#[tokio::test]
async fn connection_refused_is_retried_even_for_post() {
    // Bound but not listening: connections are refused, and no other test
    // can take the port. SO_REUSEADDR lets the emulator bind it too (Linux
    // allows it while this socket does not listen).
    let reserved = tokio::net::TcpSocket::new_v4().unwrap();
    reserved.set_reuseaddr(true).unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = reserved.local_addr().unwrap();
    let base = format!("http://{addr}");
    let policy = apivideo::RetryPolicy::default()
        .with_max_attempts(20)
        .with_backoff(Duration::from_millis(50), Duration::from_millis(100));
    let client = apivideo::Client::with_config(
        apivideo::Config::new(&base)
            .with_api_key(common::KEY)
            .with_retry_policy(policy),
    )
    .unwrap();
    let call = tokio::spawn(async move { client.create_webhook().body(webhook()).send().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let emulator = apivideo_emulator::Emulator::start(
        apivideo_emulator::Config::default()
            .with_api_key(common::KEY)
            .with_listen(addr),
    )
    .await
    .expect("binds the reserved port");
    drop(reserved);
    let created = call
        .await
        .unwrap()
        .expect("retried until the server answered");
    assert!(created.webhook_id.starts_with("webhook_"));
    assert_eq!(common::requests(&emulator, "POST /webhooks"), 1);
}

/// The burst: reads and writes sent at once, against a limit per second.
const READS: usize = 400;
const WRITES: usize = 100;
const LIMIT: u32 = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_500_requests_completes_and_every_429_is_retried() {
    let emulator = common::emulator().await;
    // Enough attempts for a request to lose a few rounds to the others.
    let policy = RetryPolicy::default()
        .with_max_attempts(12)
        .with_backoff(Duration::from_millis(10), Duration::from_millis(200));
    let client = Client::with_config(common::config(&emulator).with_retry_policy(policy))
        .expect("valid config");
    // The token first, and a video to read.
    let video = common::create_video(&client, "Burst").await;
    let id = video.video_id.clone();
    emulator.set_faults(FaultSettings {
        rate_limit: Some(RateLimit {
            limit: LIMIT,
            window_ms: 1000,
        }),
        ..FaultSettings::default()
    });
    emulator.reset_stats();

    let started = Instant::now();
    let reads = join_all((0..READS).map(|_| {
        let (client, id) = (client.clone(), id.clone());
        async move { client.get_video().video_id(&id).send().await }
    }));
    let writes = join_all((0..WRITES).map(|i| {
        let client = client.clone();
        async move {
            client
                .create_webhook()
                .body(WebhooksCreationPayload {
                    events: vec!["video.encoding.quality.completed".parse().unwrap()],
                    url: format!("http://127.0.0.1:9/hooks/{i}"),
                })
                .send()
                .await
        }
    }));
    let (reads, writes) = tokio::join!(reads, writes);
    let elapsed = started.elapsed();

    for read in reads {
        let shown = read.expect("every read completes");
        assert_eq!(shown, video);
    }
    let mut sent_urls = BTreeSet::new();
    for write in writes {
        let hook = write.expect("every write completes");
        sent_urls.insert(hook.url);
    }
    assert_eq!(
        sent_urls.len(),
        WRITES,
        "each write answered its own webhook"
    );

    let stats = emulator.stats();
    let read_429 = common::responses(&emulator, "GET /videos/{videoId}", 429);
    let write_429 = common::responses(&emulator, "POST /webhooks", 429);
    assert_eq!(
        stats.requests_to("GET /videos/{videoId}"),
        READS as u64 + read_429,
        "every rate-limited read was retried, none lost"
    );
    assert_eq!(
        stats.requests_to("POST /webhooks"),
        WRITES as u64 + write_429,
        "every rate-limited write was retried, none lost"
    );
    assert_eq!(
        common::responses(&emulator, "GET /videos/{videoId}", 200),
        READS as u64
    );
    assert_eq!(
        common::responses(&emulator, "POST /webhooks", 201),
        WRITES as u64
    );
    eprintln!(
        "rate limit: 500 requests in {elapsed:?}, {} answered 429 and retried",
        read_429 + write_429
    );
    assert_eq!(stats.event("faults.rate_limited"), read_429 + write_429);
    assert!(read_429 + write_429 > 0, "the burst was rate limited");
    // 500 requests at 100 per one-second window need five windows: the
    // client waited as told instead of hammering through.
    assert!(
        elapsed >= Duration::from_secs(4),
        "the burst took only {elapsed:?}"
    );
    let figures = client.rate_limit().expect("figures seen");
    assert_eq!(figures.limit, Some(u64::from(LIMIT)));

    // Applied exactly once each: the webhooks are the ones sent, no more.
    emulator.set_faults(FaultSettings::default());
    let stored: BTreeSet<String> = client
        .list_webhooks()
        .page_size(100)
        .stream()
        .map_ok(|h| h.url)
        .try_collect::<Vec<_>>()
        .await
        .expect("webhooks listed")
        .into_iter()
        .collect();
    assert_eq!(stored, sent_urls);
    let count = client
        .list_webhooks()
        .page(1)
        .await
        .expect("first page")
        .pagination
        .items_total;
    assert_eq!(count, WRITES as i64);
}

/// The upload through faults: its size and parts (of the default chunk
/// size), and the route that receives them.
const UPLOAD_SIZE: u64 = 300 * MIB;
const UPLOAD_PARTS: u64 = UPLOAD_SIZE.div_ceil(DEFAULT_CHUNK_SIZE);
const SOURCE_ROUTE: &str = "POST /videos/{videoId}/source";

fn one_in_ten() -> FaultSettings {
    FaultSettings {
        error_rate: 0.05,
        error_statuses: vec![503],
        drop_rate: 0.05,
        ..FaultSettings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_300_mib_upload_completes_through_503s_and_dropped_connections() {
    const { assert!(UPLOAD_PARTS >= 6, "at least six chunks") };
    let emulator = Arc::new(common::emulator().await);
    // Waits long enough for the fault switch below to react.
    let policy = RetryPolicy::default()
        .with_max_attempts(8)
        .with_backoff(Duration::from_millis(200), Duration::from_secs(1));
    let client = Client::with_config(common::config(&emulator).with_retry_policy(policy))
        .expect("valid config");
    let video = common::create_video(&client, "Big lecture").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, sha) = common::source_file(dir.path(), "lecture.mp4", UPLOAD_SIZE, 42).await;

    // Random faults all along, and one certain 503 once two parts are in,
    // so the run never passes without a retried part.
    emulator.set_faults(one_in_ten());
    emulator.reset_stats();
    let armed = Arc::new(AtomicBool::new(false));
    let switch = {
        let (emulator, armed) = (emulator.clone(), armed.clone());
        tokio::spawn(async move {
            while !armed.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            let before = emulator.stats().event("faults.errors");
            emulator.set_faults(FaultSettings {
                error_rate: 1.0,
                error_statuses: vec![503],
                ..FaultSettings::default()
            });
            while emulator.stats().event("faults.errors") == before {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            emulator.set_faults(one_in_ten());
        })
    };
    let trigger = armed.clone();
    let uploaded = client
        .upload_video()
        .video_id(&video.video_id)
        .on_progress(move |p| {
            if p.bytes_sent >= 2 * DEFAULT_CHUNK_SIZE {
                trigger.store(true, Ordering::Relaxed);
            }
        })
        .file(&path)
        .send()
        .await
        .expect("the upload completes through the faults");
    tokio::time::timeout(Duration::from_secs(5), switch)
        .await
        .expect("the forced 503 happened")
        .expect("switch task");
    emulator.set_faults(FaultSettings::default());

    assert_eq!(uploaded.video_id, video.video_id);
    assert_eq!(uploaded.title, "Big lecture");
    let stats = emulator.stats();
    let accepted = common::responses(&emulator, SOURCE_ROUTE, 201);
    let refused = common::responses(&emulator, SOURCE_ROUTE, 503);
    let dropped = stats.event("faults.dropped");
    assert_eq!(accepted, UPLOAD_PARTS, "each part accepted once");
    assert_eq!(stats.event("upload.parts"), UPLOAD_PARTS);
    assert!(refused >= 1, "the forced 503 hit a part");
    assert_eq!(
        stats.requests_to(SOURCE_ROUTE),
        accepted + refused + dropped,
        "every faulty attempt was followed by another until the part was in"
    );
    eprintln!("300 MiB upload: {UPLOAD_PARTS} parts, {refused} answered 503, {dropped} dropped");

    let status = client
        .get_video_status()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("status");
    let ingest = status.ingest;
    assert_eq!(ingest.status, VideoStatusIngestStatus::Uploaded);
    assert_eq!(ingest.filesize, Some(UPLOAD_SIZE as i64));
    assert_eq!(
        common::served_sha256(&common::mp4_url(&uploaded)).await,
        (UPLOAD_SIZE, sha),
        "the reassembled source is byte-identical"
    );
}
