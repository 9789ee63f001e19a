//! Token expiry in the middle of work: with one-second tokens, a long run
//! of mixed requests crosses many expiries and the caller never sees an
//! error, because the client renews its token before it runs out.

use std::time::Duration;

use apivideo::patch::VideoUpdatePayload;
use apivideo::prelude::*;
use apivideo::types::VideoCreationPayload;

use crate::common;

/// Iterations of the workload: bounded by count, not by wall time.
const ITERATIONS: usize = 600;
/// Pause between iterations, so the run spans several token lifetimes.
const PAUSE: Duration = Duration::from_millis(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_workload_crosses_many_token_expiries_without_an_error() {
    let emulator = common::emulator_with(Duration::from_secs(1)).await;
    let client = common::client(&emulator);
    let video = client
        .create_video()
        .body(VideoCreationPayload::builder().title("Lesson 0"))
        .send()
        .await
        .expect("video created")
        .into_inner();
    let id = video.video_id;
    let started = std::time::Instant::now();

    let mut title = "Lesson 0".to_owned();
    let mut errors = Vec::new();
    for i in 0..ITERATIONS {
        let outcome: Result<(), apivideo::Error> = async {
            match i % 4 {
                0 => {
                    let account = client.get_account().send().await?.into_inner();
                    let used = account.quota.and_then(|q| q.quota_used);
                    assert_eq!(used, Some(1.0), "iteration {i}");
                }
                1 => {
                    let shown = client.get_video().video_id(&id).send().await?.into_inner();
                    assert_eq!(
                        shown.title.as_deref(),
                        Some(title.as_str()),
                        "iteration {i}"
                    );
                }
                2 => {
                    let next = format!("Lesson {i}");
                    let updated = client
                        .update_video()
                        .video_id(&id)
                        .body(VideoUpdatePayload {
                            title: Some(next.clone()),
                            ..Default::default()
                        })
                        .send()
                        .await?
                        .into_inner();
                    assert_eq!(
                        updated.title.as_deref(),
                        Some(next.as_str()),
                        "iteration {i}"
                    );
                    title = next;
                }
                _ => {
                    let page = client.list_videos().send().await?;
                    let titles: Vec<_> = page.data.iter().map(|v| v.title.clone()).collect();
                    assert_eq!(titles, vec![Some(title.clone())], "iteration {i}");
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = outcome {
            errors.push(format!("iteration {i}: {e}"));
        }
        tokio::time::sleep(PAUSE).await;
    }
    let elapsed = started.elapsed();

    assert!(errors.is_empty(), "the caller saw errors: {errors:?}");
    let stats = emulator.stats();
    let (first, refreshes) = (
        stats.requests_to("POST /auth/api-key"),
        stats.requests_to("POST /auth/refresh"),
    );
    let renewals = first + refreshes - 1;
    eprintln!("token expiry: {ITERATIONS} iterations in {elapsed:?}, {renewals} renewals");
    assert!(
        renewals >= 5,
        "{renewals} renewals in {elapsed:?}: the run must cross at least 5 expiries"
    );
    // Renewals go through the refresh token, not the API key.
    assert!(
        refreshes >= 5,
        "{refreshes} refreshes, {first} API-key calls"
    );
    // At most one renewal per token lifetime, give or take the margin.
    let lifetimes = elapsed.as_secs_f64() / 0.8;
    assert!(
        (renewals as f64) <= lifetimes + 2.0,
        "{renewals} renewals in {elapsed:?}: more than one per token lifetime"
    );
    let final_title = client
        .get_video()
        .video_id(&id)
        .send()
        .await
        .expect("shown")
        .into_inner()
        .title;
    assert_eq!(final_title.as_deref(), Some(title.as_str()));
    assert_eq!(title, format!("Lesson {}", ITERATIONS - 2));
}
