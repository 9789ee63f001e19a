//! Errors and retries: tell a missing video from a refused request from a
//! network failure, and give one call more (or less) patience than the
//! client's default.
//!
//! ```sh
//! cargo run --example errors_retries
//! ```
//!
//! With `APIVIDEO_API_KEY` set it talks to the API; without, to the
//! emulator, started in-process.

use std::time::Duration;

use apivideo::prelude::*;
use apivideo::types::{Video, WebhookEvent, WebhooksCreationPayload};

/// What each kind of failure looked like.
#[derive(Debug)]
pub struct Seen {
    /// A missing video was read as `None`.
    pub missing_is_none: bool,
    /// The attribute the API blamed for a refused request.
    pub refused_attribute: Option<String>,
}

/// Meets a 404 and a 400, and reads them.
pub async fn run(client: &Client) -> apivideo::Result<Seen> {
    // A 404: nothing there. `is_not_found()` asks the status for you.
    let missing = match client
        .get_video()
        .video_id("vi0000000000000000000000")
        .send()
        .await
    {
        Ok(video) => Some(video),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Err(e),
    };

    // A 400: the API refused the input, and its problem document says why
    // and which attribute (`name`) it blames.
    let refused = client
        .create_webhook()
        .body(WebhooksCreationPayload {
            events: vec![WebhookEvent::VideoEncodingQualityCompleted],
            url: "not a URL".into(),
        })
        .send()
        .await;
    let refused_attribute = match refused {
        Err(e) if e.is_bad_request() => {
            let problem = e.problem();
            println!("refused: {e}");
            problem.and_then(|p| p.name.clone())
        }
        Err(e) => return Err(e),
        Ok(_) => None,
    };

    // Anything else falls through to the caller, typed by stage: no
    // answer (`is_transport`), a timeout (`is_timeout`), rate limited
    // after every retry (`is_rate_limited`), a bad key (`is_auth`)…
    Ok(Seen {
        missing_is_none: missing.is_none(),
        refused_attribute,
    })
}

/// Lists the first page of videos with more patience than the client's
/// default: up to 10 attempts, but 20 seconds in all, whatever happens.
/// Reads are retried after a 429, a 502, 503 or 504, a timeout or a lost
/// connection; a create only when the API provably did not act on it.
pub async fn list_patiently(client: &Client) -> apivideo::Result<Vec<Video>> {
    let page = client
        .list_videos()
        .send()
        .with_retry_policy(
            RetryPolicy::default()
                .with_max_attempts(10)
                .with_backoff(Duration::from_millis(100), Duration::from_secs(2)),
        )
        .with_timeout(Duration::from_secs(20))
        .await?;
    // Rate-limit figures of the latest answer, to slow down before a 429.
    if let Some(limit) = client.rate_limit() {
        println!("{:?} of {:?} requests left", limit.remaining, limit.limit);
    }
    Ok(page.data)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The API when APIVIDEO_API_KEY is set, else an emulator in this process.
    let (client, _emulator) = apivideo::testing::from_env_or_emulator().await?;
    let seen = run(&client).await?;
    println!("{seen:?}");
    let videos = list_patiently(&client).await?;
    println!("{} video(s) on the first page", videos.len());
    Ok(())
}
