//! Auth: token exchange, single-flight renewal under concurrency, refresh
//! before expiry, one retry on 401, typed errors, basic mode, no-key mode,
//! and token expiry in the middle of work: with one-second tokens, a long
//! run of mixed requests crosses many expiries and the caller never sees an
//! error, because the client renews its token before it runs out.

use std::time::Duration;

use apivideo::patch::VideoUpdatePayload;
use apivideo::prelude::*;
use apivideo::{AuthMode, Client, Config, Error};
use apivideo_emulator::FaultSettings;
use futures::future::join_all;

use crate::common;

fn is_auth_call(route: &str) -> bool {
    route == "POST /auth/api-key" || route == "POST /auth/refresh"
}

/// Runs `n` concurrent `get_account` calls, each on its own task as
/// concurrent callers in a service are, and returns the emulator's record of
/// what arrived.
async fn burst(
    client: &Client,
    emulator: &apivideo_emulator::Emulator,
    n: usize,
) -> apivideo_emulator::Stats {
    emulator.reset_stats();
    let results = join_all((0..n).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_account().send().await.map(|_| ()) })
    }))
    .await;
    for result in results {
        result.expect("task").expect("request succeeds");
    }
    emulator.stats()
}

/// Checks one burst: exactly one auth call (of the expected kind) before the
/// first request arrived, so all `n` requests shared it; any later auth call
/// answers a token that expired while requests were still in flight (a 401),
/// never a race between callers.
fn assert_single_flight(stats: &apivideo_emulator::Stats, n: u64, expected: &str) {
    let first = stats
        .sequence
        .iter()
        .position(|r| r == "GET /account")
        .expect("requests arrived");
    let before: Vec<&String> = stats.sequence[..first]
        .iter()
        .filter(|r| is_auth_call(r))
        .collect();
    assert_eq!(
        before,
        [expected],
        "exactly one auth call for {n} concurrent requests"
    );
    let later = stats.sequence[first..]
        .iter()
        .filter(|r| is_auth_call(r))
        .count() as u64;
    let unauthorized = stats
        .responses
        .get("GET /account 401")
        .copied()
        .unwrap_or(0);
    assert!(
        later <= unauthorized,
        "{later} later auth call(s) but only {unauthorized} 401(s)"
    );
    assert_eq!(stats.responses.get("GET /account 200").copied(), Some(n));
}

/// N concurrent requests that find no token, then an expired one, make one
/// auth call each time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_requests_make_one_auth_call() {
    // The SDK renews a token once within a fifth of its lifetime of expiry,
    // so each burst has 4 s to complete before a renewal (not caused by
    // expiry) would muddle the count: ample even on a loaded machine.
    let ttl = Duration::from_secs(5);
    let emulator = common::emulator_with(ttl).await;
    let client = common::client(&emulator);
    let stats = burst(&client, &emulator, 1000).await;
    assert_single_flight(&stats, 1000, "POST /auth/api-key");

    // Past the token's lifetime: the next burst renews once, with the refresh token.
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    let stats = burst(&client, &emulator, 1000).await;
    assert_single_flight(&stats, 1000, "POST /auth/refresh");
}

#[tokio::test]
async fn token_is_reused_until_it_nears_expiry() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    for _ in 0..5 {
        client.get_account().send().await.expect("ok");
    }
    assert_eq!(common::auth_calls(&emulator), (1, 0));
}

/// A 401 (a revoked token) costs one renewal and one retry; the refresh
/// token is revoked too, so the SDK falls back to the API key.
#[tokio::test]
async fn revoked_token_is_renewed_and_the_request_retried_once() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    client.get_account().send().await.expect("ok");
    let revoked = reqwest::Client::new()
        .delete(format!("{}/_emulator/tokens", emulator.base_url()))
        .bearer_auth(emulator.admin_token())
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    client
        .get_account()
        .send()
        .await
        .expect("renewed transparently");
    assert_eq!(
        common::requests(&emulator, "GET /account"),
        3,
        "first call, the 401, the retry"
    );
    // The refresh token was revoked too: refused, then the API key again.
    assert_eq!(common::auth_calls(&emulator), (2, 1));
}

/// When every request is unauthorized, the SDK tries once more with a new
/// token, then returns a typed auth error: never a loop, never the raw 401.
#[tokio::test]
async fn persistent_401_is_a_typed_auth_error_after_one_retry() {
    let emulator = common::emulator().await;
    emulator.set_faults(FaultSettings {
        unauthorized_rate: 1.0,
        ..FaultSettings::default()
    });
    let client = common::client(&emulator);
    let err = client.get_account().send().await.expect_err("unauthorized");
    assert!(err.is_auth(), "{err:?}");
    assert!(
        err.to_string().contains("even after a token refresh"),
        "{err}"
    );
    assert_eq!(err.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    assert_eq!(common::requests(&emulator, "GET /account"), 2);
    let (api_key, refresh) = common::auth_calls(&emulator);
    assert_eq!(api_key + refresh, 2, "the first token and one renewal");
}

#[tokio::test]
async fn wrong_api_key_is_a_typed_auth_error() {
    let emulator = common::emulator().await;
    let client =
        Client::with_config(Config::new(emulator.base_url()).with_api_key("not-a-key")).unwrap();
    let err = client.get_account().send().await.expect_err("refused");
    assert!(err.is_auth(), "{err:?}");
    assert!(err.to_string().contains("API key was refused"), "{err}");
    assert!(!err.to_string().contains("not-a-key"));
    assert_eq!(
        common::requests(&emulator, "GET /account"),
        0,
        "nothing is sent without a token"
    );
}

#[tokio::test]
async fn basic_mode_makes_no_token_calls() {
    let emulator = common::emulator().await;
    let client =
        Client::with_config(common::config(&emulator).with_auth_mode(AuthMode::Basic)).unwrap();
    client.get_account().send().await.expect("ok");
    client.get_account().send().await.expect("ok");
    assert_eq!(common::auth_calls(&emulator), (0, 0));
}

#[tokio::test]
async fn a_client_without_a_key_says_so_before_sending_anything() {
    let emulator = common::emulator().await;
    let client = Client::with_config(Config::new(emulator.base_url())).unwrap();
    let err = client
        .get_account()
        .send()
        .await
        .expect_err("unauthenticated");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(
        err.to_string().contains("`get_account` needs an API key"),
        "says why, not that a refresh failed: {err}"
    );
    // A handwritten operation says the same.
    let err = client.list_videos().send().await.expect_err("no key");
    assert!(
        err.to_string().contains("`list_videos` needs an API key"),
        "{err}"
    );
    assert_eq!(common::auth_calls(&emulator), (0, 0));
    assert_eq!(
        emulator.stats().requests_to("GET /account"),
        0,
        "nothing was sent"
    );
    assert_eq!(
        emulator.stats().requests_to("GET /videos"),
        0,
        "nothing was sent"
    );
}

#[tokio::test]
async fn auth_survives_rate_limiting_of_the_auth_call() {
    let emulator = common::emulator().await;
    emulator.set_faults(FaultSettings {
        // The window starts with this call. A full second leaves ample
        // margin for the two calls below to land in it, and costs nothing:
        // the 429 asks for a wait of at least a second anyway.
        rate_limit: Some(apivideo_emulator::RateLimit {
            limit: 1,
            window_ms: 1000,
        }),
        ..FaultSettings::default()
    });
    let client = common::client(&emulator);
    // The auth call takes the window's only slot; the request itself is
    // then limited and retried after the window.
    client
        .get_account()
        .send()
        .await
        .expect("retried past the limit");
    assert!(emulator.stats().event("faults.rate_limited") >= 1);
}

/// Iterations of the token-expiry workload: bounded by count, not by wall time.
const ITERATIONS: usize = 600;
/// Pause between iterations, so the run spans several token lifetimes.
const PAUSE: Duration = Duration::from_millis(10);

/// With one-second tokens, a long run of mixed requests crosses many
/// expiries; the client renews each token before it runs out, once per
/// lifetime, so the caller never sees an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_workload_crosses_many_token_expiries_without_an_error() {
    let emulator = common::emulator_with(Duration::from_secs(1)).await;
    let client = common::client(&emulator);
    let id = common::create_video(&client, "Lesson 0").await.video_id;
    let started = std::time::Instant::now();

    let mut title = "Lesson 0".to_owned();
    let mut errors = Vec::new();
    for i in 0..ITERATIONS {
        let outcome: Result<(), apivideo::Error> = async {
            match i % 4 {
                0 => {
                    let account = client.get_account().send().await?;
                    assert_eq!(account.quota.quota_used, 1.0, "iteration {i}");
                }
                1 => {
                    let shown = client.get_video().video_id(&id).send().await?;
                    assert_eq!(shown.title, title, "iteration {i}");
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
                        .await?;
                    assert_eq!(updated.title, next, "iteration {i}");
                    title = next;
                }
                _ => {
                    let page = client.list_videos().send().await?;
                    let titles: Vec<_> = page.data.iter().map(|v| v.title.clone()).collect();
                    assert_eq!(titles, vec![title.clone()], "iteration {i}");
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
        .title;
    assert_eq!(final_title, title);
    assert_eq!(title, format!("Lesson {}", ITERATIONS - 2));
}
