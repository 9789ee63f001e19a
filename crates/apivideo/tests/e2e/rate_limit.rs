//! Rate limiting: a burst of 500 requests against a limit of 100 per
//! second completes; every 429 is retried after the one second the
//! emulator asks for, and no request is lost or applied twice.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use apivideo::prelude::*;
use apivideo::types::{VideoCreationPayload, WebhooksCreationPayload};
use apivideo::{Client, RetryPolicy};
use apivideo_emulator::{FaultSettings, RateLimit};
use futures::TryStreamExt;
use futures::future::join_all;

use crate::common;

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
    let video = client
        .create_video()
        .body(VideoCreationPayload::builder().title("Burst"))
        .send()
        .await
        .expect("video created")
        .into_inner();
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
                    events: vec!["video.encoding.quality.completed".to_owned()],
                    url: format!("http://127.0.0.1:9/hooks/{i}"),
                })
                .send()
                .await
        }
    }));
    let (reads, writes) = tokio::join!(reads, writes);
    let elapsed = started.elapsed();

    for read in reads {
        let shown = read.expect("every read completes").into_inner();
        assert_eq!(shown, video);
    }
    let mut sent_urls = BTreeSet::new();
    for write in writes {
        let hook = write.expect("every write completes").into_inner();
        sent_urls.insert(hook.url.expect("url"));
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
        .map_ok(|h| h.url.unwrap_or_default())
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
    assert_eq!(count, Some(WRITES as i64));
}
