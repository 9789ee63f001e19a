//! Test your code against a local api.video, in the test's own process:
//! the `test-util` feature.
//!
//! [`TestEmulator::start`] runs the emulator (the `apivideo-emulator`
//! crate) on `127.0.0.1:0` inside the test and gives a [`Client`] for it.
//! The emulator keeps state like the API (videos, uploads, encoding,
//! captions, live streams, webhooks, analytics), so the code under test
//! runs as it does in production, without the internet or an account.
//! Around it, the test can inject faults ([`TestEmulator::set_faults`]),
//! capture the webhooks the code causes ([`TestEmulator::capture_webhooks`]),
//! play the encoder of a live stream ([`TestEmulator::broadcast`]), record
//! viewers for analytics ([`TestEmulator::record_session`]), move the clock
//! ([`TestEmulator::advance_clock`]) and read what was received
//! ([`TestEmulator::stats`]).
//!
//! Add the feature to your dev-dependencies only:
//!
//! ```toml
//! [dev-dependencies]
//! apivideo = { version = "0.1", features = ["test-util"] }
//! ```
//!
//! A test, with the code under test beside it:
//!
//! ```
//! use apivideo::prelude::*;
//! use apivideo::testing::TestEmulator;
//! use apivideo::types::{VideoCreationPayload, WebhookEvent};
//! use apivideo::webhooks::Event;
//! use std::time::Duration;
//!
//! /// The code under test: creates a video and uploads its file.
//! async fn publish(client: &apivideo::Client, title: &str, bytes: Vec<u8>) -> apivideo::Result<String> {
//!     let video = client
//!         .create_video()
//!         .body(VideoCreationPayload::builder().title(title))
//!         .send()
//!         .await?;
//!     let size = bytes.len() as u64;
//!     client
//!         .upload_video()
//!         .video_id(&video.video_id)
//!         .reader(std::io::Cursor::new(bytes), size)
//!         .send()
//!         .await?;
//!     Ok(video.video_id)
//! }
//!
//! // In your crate: `#[tokio::test] async fn publishing_makes_a_playable_video()`.
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = TestEmulator::start().await?;
//! let hooks = emulator
//!     .capture_webhooks([WebhookEvent::VideoEncodingQualityCompleted])
//!     .await?;
//!
//! let video_id = publish(emulator.client(), "Maths", vec![7; 4096]).await?;
//!
//! // A signed webhook says the video can be played, and the API agrees.
//! hooks
//!     .wait_for(Duration::from_secs(30), |e| {
//!         matches!(e, Event::VideoEncodingQualityCompleted(q) if q.video_id == video_id)
//!     })
//!     .await?;
//! let status = emulator.client().get_video_status().video_id(&video_id).send().await?;
//! assert!(status.is_playable());
//! assert_eq!(emulator.stats().requests_to("POST /videos/{videoId}/source"), 1);
//! # Ok(()) }
//! ```
//!
//! Faults make the code meet what production sometimes answers:
//!
//! ```
//! use apivideo::prelude::*;
//! use apivideo::testing::{FaultSettings, TestEmulator};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = TestEmulator::start().await?;
//! let client = emulator.client();
//! client.list_players().send().await?;
//!
//! // Every request fails with a 503 from now on.
//! emulator.set_faults(FaultSettings {
//!     error_rate: 1.0,
//!     error_statuses: vec![503],
//!     ..FaultSettings::default()
//! });
//! emulator.reset_stats();
//! let err = client.list_players().send().await.unwrap_err();
//! assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
//! // Sent 5 times: the client's retry policy allows 5 attempts.
//! assert_eq!(emulator.stats().requests_to("GET /players"), 5);
//!
//! emulator.clear_faults();
//! client.list_players().send().await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use apivideo_emulator::Emulator;
use apivideo_raw::ClientWebhooksExt;
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::client::Client;
use crate::config::Config;
use crate::error::{ApiError, Error, Result};
use crate::retry::RetryPolicy;
use crate::types::{LiveStream, WebhookEvent, WebhooksCreationPayload};
use crate::webhooks::{Event, Secrets, SigningSecret};

/// The emulator crate, for what this module does not wrap: its whole
/// [`Config`](apivideo_emulator::Config) for [`TestEmulator::start_with`],
/// the [`Emulator`] itself.
pub use apivideo_emulator as emulator;
/// The faults the emulator injects: see [`TestEmulator::set_faults`].
pub use apivideo_emulator::{FaultSettings, RateLimit as RateLimitFault, Stats};

/// An emulator of the api.video API running in this process, with a
/// client for it. Dropping it stops the emulator and removes its data.
pub struct TestEmulator {
    // The client first: dropped before the server it talks to.
    client: Client,
    emulator: Emulator,
}

impl fmt::Debug for TestEmulator {
    /// The base URL and the client; never the API key nor the admin token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestEmulator")
            .field("base_url", &self.emulator.base_url())
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// Why a [`TestEmulator`], or [`from_env_or_emulator`]'s client, could not
/// start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The emulator could not start (no free port, no temporary directory).
    #[error("the emulator could not start: {0}")]
    Emulator(#[from] apivideo_emulator::StartError),
    /// The client could not be built (e.g. `APIVIDEO_API_KEY` holds no key).
    #[error("the client could not be built: {0}")]
    Client(#[from] Error),
}

/// The retry policy of the clients this module builds: the default number
/// of attempts, with short waits so a test under faults stays fast.
fn test_retry_policy() -> RetryPolicy {
    RetryPolicy::default().with_backoff(Duration::from_millis(10), Duration::from_millis(200))
}

impl TestEmulator {
    /// Starts an emulator on `127.0.0.1:0` with one project, quick encoding
    /// (100 ms), quick live-stream completion (100 ms) and quick webhook
    /// retries (200 ms), and a [`Client`] for that project.
    pub async fn start() -> Result<Self, StartError> {
        Self::start_with(
            emulator::Config::default()
                .with_encoding_delay(Duration::from_millis(100))
                .with_complete_delay(Duration::from_millis(100))
                .with_webhook_retry_delay(Duration::from_millis(200)),
        )
        .await
    }

    /// Starts an emulator with this configuration (API keys, delays,
    /// faults from the start, a data directory kept across restarts…). The
    /// client is for the first API key, generated if there is none.
    ///
    /// ```
    /// use apivideo::prelude::*;
    /// use apivideo::testing::{TestEmulator, emulator};
    /// use futures::TryStreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // A project with Video Restore on: a deleted video can be restored.
    /// let emulator =
    ///     TestEmulator::start_with(emulator::Config::default().with_video_restore(true)).await?;
    /// let client = emulator.client();
    /// let video = client
    ///     .create_video()
    ///     .body(apivideo::types::VideoCreationPayload::builder().title("Oops"))
    ///     .send()
    ///     .await?;
    /// client.delete_video().video_id(&video.video_id).send().await?;
    /// let discarded: Vec<_> = client.list_discarded_videos().stream().try_collect().await?;
    /// assert_eq!(discarded.len(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn start_with(config: emulator::Config) -> Result<Self, StartError> {
        let emulator = Emulator::start(config).await?;
        let client = Client::with_config(
            Config::new(emulator.base_url())
                .with_api_key(emulator.api_key())
                .with_retry_policy(test_retry_policy()),
        )?;
        Ok(Self { client, emulator })
    }

    /// The client for the emulator's first project. Clones share its token.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A configuration for the emulator's first project, for code under
    /// test that builds its own client: the base URL, the API key, and a
    /// retry policy with short waits. Chain `with_*` setters to change it.
    ///
    /// ```
    /// use apivideo::prelude::*;
    /// use apivideo::testing::TestEmulator;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = TestEmulator::start().await?;
    /// // The client your code builds, from the emulator's configuration.
    /// let client = Client::with_config(emulator.config().with_application("my-service", "1.0"))?;
    /// client.list_videos().send().await?;
    /// assert_eq!(emulator.stats().requests_to("GET /videos"), 1);
    /// # Ok(()) }
    /// ```
    pub fn config(&self) -> Config {
        Config::new(self.emulator.base_url())
            .with_api_key(self.emulator.api_key())
            .with_retry_policy(test_retry_policy())
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        self.emulator.base_url()
    }

    /// The API key of the first project.
    pub fn api_key(&self) -> &str {
        self.emulator.api_key()
    }

    /// The emulator itself, for what this type does not wrap.
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    /// What the emulator received since it started or
    /// [`TestEmulator::reset_stats`]: requests per route
    /// (`stats().requests_to("POST /videos")`), answers per status, and
    /// events such as `upload.parts`, `upload.bytes` or
    /// `webhook.delivered`.
    pub fn stats(&self) -> Stats {
        self.emulator.stats()
    }

    /// Zeroes the counters of [`TestEmulator::stats`].
    pub fn reset_stats(&self) {
        self.emulator.reset_stats();
    }

    /// Injects these faults into every API request from now on: rate
    /// limits, server errors, dropped connections, latency, expired
    /// tokens. A seed makes the random ones repeat from run to run.
    pub fn set_faults(&self, faults: FaultSettings) {
        self.emulator.set_faults(faults);
    }

    /// Stops injecting faults.
    pub fn clear_faults(&self) {
        self.emulator.set_faults(FaultSettings::default());
    }

    /// Moves the emulator's clock ahead by `by` (whole seconds, rounded
    /// up), for every project: dates in answers move, and discarded videos
    /// whose time has come are deleted for good.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use apivideo::prelude::*;
    /// use apivideo::testing::TestEmulator;
    /// use apivideo::types::TokenCreationPayload;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = TestEmulator::start().await?;
    /// emulator.advance_clock(Duration::from_secs(2 * 86_400)).await?;
    /// let token = emulator
    ///     .client()
    ///     .create_upload_token()
    ///     .body(TokenCreationPayload { ttl: 60 })
    ///     .send()
    ///     .await?;
    /// assert!(token.created_at > chrono::Utc::now() + chrono::Duration::days(1));
    /// # Ok(()) }
    /// ```
    pub async fn advance_clock(&self, by: Duration) -> Result<()> {
        let seconds = by.as_secs() + u64::from(by.subsec_nanos() > 0);
        let _: Value = self
            .admin(
                Method::POST,
                "/_emulator/clock/advance",
                Credential::Admin,
                Some(json!({ "seconds": seconds })),
            )
            .await?;
        Ok(())
    }

    /// Starts (`on`) or ends a broadcast of a live stream, as an encoder
    /// connecting to or leaving its RTMP endpoint would, and returns the
    /// live stream then. Webhooks follow, as on the API.
    pub async fn broadcast(&self, live_stream_id: &str, on: bool) -> Result<LiveStream> {
        let path = format!(
            "/_emulator/live-streams/{}/broadcast",
            crate::videos::path_segment(live_stream_id)
        );
        self.admin(
            Method::POST,
            &path,
            Credential::Project,
            Some(json!({ "broadcasting": on })),
        )
        .await
    }

    /// Records a viewer's session in a player, as the api.video player
    /// would: it shows in the session lists and counts in the `/data`
    /// metrics. Returns the session's id.
    pub async fn record_session(&self, session: PlayerSession) -> Result<String> {
        let (loaded_at, watch) = match (session.loaded_at, session.watched) {
            (Some(at), watched) => (Some(at), watched.map(|w| (at, w))),
            // Watched until now: loaded long enough ago on the emulator's
            // clock, so every event is already in the past.
            (None, Some(watched)) => {
                let clock: Value = self
                    .admin(Method::GET, "/_emulator/clock", Credential::Project, None)
                    .await?;
                let now = clock["now"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.to_utc())
                    .ok_or_else(|| {
                        Error::InvalidRequest("the emulator's clock is unreadable".into())
                    })?;
                let at = now - chrono_duration(watched) - chrono::Duration::seconds(2);
                (Some(at), Some((at, watched)))
            }
            (None, None) => (None, None),
        };
        let mut body = json!({});
        let (key, id) = match &session.media {
            Media::Video(id) => ("videoId", id),
            Media::LiveStream(id) => ("liveStreamId", id),
        };
        body[key] = json!(id);
        if let Some(at) = loaded_at {
            body["loadedAt"] = json!(rfc3339(at));
        }
        if let Some((at, watched)) = watch {
            body["endedAt"] = json!(rfc3339(
                at + chrono_duration(watched) + chrono::Duration::seconds(1)
            ));
        }
        if !session.metadata.is_empty() {
            body["metadata"] = json!(
                session
                    .metadata
                    .iter()
                    .map(|(k, v)| json!({ "key": k, "value": v }))
                    .collect::<Vec<_>>()
            );
        }
        for (name, value) in [
            ("country", &session.country),
            ("deviceType", &session.device_type),
            ("operatingSystem", &session.operating_system),
            ("browser", &session.browser),
            ("viewerId", &session.viewer_id),
        ] {
            if let Some(value) = value {
                body[name] = json!(value);
            }
        }
        let recorded: Value = self
            .admin(
                Method::POST,
                "/_emulator/analytics/sessions",
                Credential::Project,
                Some(body),
            )
            .await?;
        let session_id = recorded["sessionId"]
            .as_str()
            .ok_or_else(|| Error::InvalidRequest("the emulator answered no session id".into()))?
            .to_owned();
        if let Some((at, watched)) = watch {
            // Playing a second after loading, until the end.
            let start = at + chrono::Duration::seconds(1);
            let events = json!([
                { "type": "ready", "at": 0, "emittedAt": rfc3339(at) },
                { "type": "play", "at": 0, "emittedAt": rfc3339(start) },
                { "type": "end", "at": watched.as_secs(), "emittedAt": rfc3339(start + chrono_duration(watched)) },
            ]);
            let _: Value = self
                .admin(
                    Method::POST,
                    &format!("/_emulator/analytics/sessions/{session_id}/events"),
                    Credential::Project,
                    Some(events),
                )
                .await?;
        }
        Ok(session_id)
    }

    /// Starts a local receiver and subscribes it to `events` with
    /// `create_webhook`: every delivery the emulator then sends is checked
    /// against the webhook's signature and kept as a typed event.
    pub async fn capture_webhooks(
        &self,
        events: impl IntoIterator<Item = WebhookEvent>,
    ) -> Result<WebhookCapture> {
        WebhookCapture::start(&self.client, events.into_iter().collect()).await
    }

    /// Stops the emulator and waits for its background work (encoding,
    /// webhook deliveries) to end. Dropping it stops it too, without
    /// waiting.
    pub async fn shutdown(self) {
        let Self { client, emulator } = self;
        drop(client);
        emulator.shutdown().await;
    }

    /// A call of the emulator's admin API, decoded as JSON.
    async fn admin<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        credential: Credential,
        body: Option<Value>,
    ) -> Result<T> {
        let mut request = self
            .client
            .engine()
            .http
            .request(method, format!("{}{path}", self.emulator.base_url()))
            .timeout(Duration::from_secs(30));
        request = match credential {
            Credential::Admin => request.bearer_auth(self.emulator.admin_token()),
            Credential::Project => request.basic_auth(self.emulator.api_key(), None::<&str>),
        };
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(Error::transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(Error::transport)?;
        if !status.is_success() {
            let problem = serde_json::from_slice(&bytes).ok();
            return Err(Error::Api(ApiError::new(status, problem)));
        }
        serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
            status: Some(status),
            source,
        })
    }
}

/// Which credential an admin call takes.
#[derive(Debug, Clone, Copy)]
enum Credential {
    /// The admin token: routes that act on every project.
    Admin,
    /// The project's API key: routes that act on its resources.
    Project,
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// For examples and demos: a client for the API when `APIVIDEO_API_KEY`
/// is set (and `APIVIDEO_BASE_URL`, e.g. the sandbox, if given), otherwise
/// for a [`TestEmulator`] started here, returned beside the client to keep
/// it running. The crate's examples start this way.
///
/// ```no_run
/// # async fn demo() -> Result<(), apivideo::testing::StartError> {
/// let (client, _emulator) = apivideo::testing::from_env_or_emulator().await?;
/// # Ok(()) }
/// ```
pub async fn from_env_or_emulator() -> Result<(Client, Option<TestEmulator>), StartError> {
    if std::env::var("APIVIDEO_API_KEY").is_ok_and(|k| !k.trim().is_empty()) {
        return Ok((Client::from_env()?, None));
    }
    let emulator = TestEmulator::start().await?;
    Ok((emulator.client().clone(), Some(emulator)))
}

/// What a viewer did in a player, for [`TestEmulator::record_session`].
///
/// ```
/// use std::time::Duration;
/// use apivideo::testing::PlayerSession;
///
/// let session = PlayerSession::video("vi4k0jvEUuaTdRAEjQ4Jfrgz")
///     .watched(Duration::from_secs(42))
///     .country("FR")
///     .device_type("mobile");
/// ```
#[derive(Debug, Clone)]
pub struct PlayerSession {
    media: Media,
    loaded_at: Option<DateTime<Utc>>,
    watched: Option<Duration>,
    metadata: Vec<(String, String)>,
    country: Option<String>,
    device_type: Option<String>,
    operating_system: Option<String>,
    browser: Option<String>,
    viewer_id: Option<String>,
}

#[derive(Debug, Clone)]
enum Media {
    Video(String),
    LiveStream(String),
}

impl PlayerSession {
    fn new(media: Media) -> Self {
        Self {
            media,
            loaded_at: None,
            watched: None,
            metadata: Vec::new(),
            country: None,
            device_type: None,
            operating_system: None,
            browser: None,
            viewer_id: None,
        }
    }

    /// A session of this video's player.
    pub fn video(video_id: impl Into<String>) -> Self {
        Self::new(Media::Video(video_id.into()))
    }

    /// A session of this live stream's player.
    pub fn live_stream(live_stream_id: impl Into<String>) -> Self {
        Self::new(Media::LiveStream(live_stream_id.into()))
    }

    /// When the player loaded (default: now on the emulator's clock, or,
    /// with [`PlayerSession::watched`], long enough ago for the viewing to
    /// be over).
    pub fn loaded_at(mut self, at: DateTime<Utc>) -> Self {
        self.loaded_at = Some(at);
        self
    }

    /// The viewer played from the start, a second after loading, for this
    /// long, to the end: a play, an end, and watch time. Without it, the
    /// session is an impression only.
    pub fn watched(mut self, duration: Duration) -> Self {
        self.watched = Some(duration);
        self
    }

    /// Session metadata, as the player's `metadata` option sets it.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.push((key.into(), value.into()));
        self
    }

    /// The viewer's country, as a two-letter code (`FR`).
    pub fn country(mut self, code: impl Into<String>) -> Self {
        self.country = Some(code.into());
        self
    }

    /// The viewer's device type (`computer`, `phone`, `tablet`…).
    pub fn device_type(mut self, device: impl Into<String>) -> Self {
        self.device_type = Some(device.into());
        self
    }

    /// The viewer's operating system.
    pub fn operating_system(mut self, os: impl Into<String>) -> Self {
        self.operating_system = Some(os.into());
        self
    }

    /// The viewer's browser.
    pub fn browser(mut self, browser: impl Into<String>) -> Self {
        self.browser = Some(browser.into());
        self
    }

    /// Who watched: sessions of one viewer count once in `unique` metrics.
    pub fn viewer_id(mut self, id: impl Into<String>) -> Self {
        self.viewer_id = Some(id.into());
        self
    }
}

/// Webhook deliveries received by a local endpoint, each verified against
/// its signature: see [`TestEmulator::capture_webhooks`]. Dropping it stops
/// the endpoint.
pub struct WebhookCapture {
    url: String,
    webhook_id: String,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

/// What the endpoint and the capture share.
struct Shared {
    secrets: Secrets,
    events: watch::Sender<Vec<Event>>,
    rejected: AtomicU64,
}

impl fmt::Debug for WebhookCapture {
    /// No secret: the URL, the webhook's id and the counts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookCapture")
            .field("url", &self.url)
            .field("webhook_id", &self.webhook_id)
            .field("events", &self.shared.events.borrow().len())
            .field("rejected", &self.rejected())
            .finish()
    }
}

impl Drop for WebhookCapture {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl WebhookCapture {
    async fn start(client: &Client, events: Vec<WebhookEvent>) -> Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}/webhooks", listener.local_addr()?);
        let shared = Arc::new(Shared {
            secrets: Secrets::new(client.clone()),
            events: watch::Sender::new(Vec::new()),
            rejected: AtomicU64::new(0),
        });
        let app = axum::Router::new()
            .route("/webhooks", axum::routing::post(receive))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            // Ends when the task is aborted, with the capture.
            let _ = axum::serve(listener, app).await;
        });
        let hook = client
            .create_webhook()
            .body(WebhooksCreationPayload {
                events,
                url: url.clone(),
            })
            .send()
            .await;
        let hook = match hook {
            Ok(hook) => hook,
            Err(e) => {
                server.abort();
                return Err(e);
            }
        };
        let webhook_id = hook.webhook_id;
        if let Some(secret) = hook.signature_secret {
            shared
                .secrets
                .insert(webhook_id.clone(), SigningSecret::new(secret));
        }
        Ok(Self {
            url,
            webhook_id,
            shared,
            server,
        })
    }

    /// The endpoint's URL, as registered.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The id of the webhook registered for it.
    pub fn webhook_id(&self) -> &str {
        &self.webhook_id
    }

    /// The verified events received so far, in order of arrival.
    pub fn events(&self) -> Vec<Event> {
        self.shared.events.borrow().clone()
    }

    /// Deliveries refused because their signature did not verify.
    pub fn rejected(&self) -> u64 {
        self.shared.rejected.load(Ordering::Relaxed)
    }

    /// The first event received (already, or within `timeout`) for which
    /// `matches` holds; [`Error::Deadline`] if none came in time.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        matches: impl Fn(&Event) -> bool,
    ) -> Result<Event> {
        let mut events = self.shared.events.subscribe();
        let waited = tokio::time::timeout(
            timeout,
            events.wait_for(|events| events.iter().any(&matches)),
        )
        .await;
        match waited {
            Ok(Ok(events)) => events
                .iter()
                .find(|e| matches(e))
                .cloned()
                .ok_or_else(|| Error::Deadline("no matching webhook event".into())),
            Ok(Err(_)) | Err(_) => Err(Error::Deadline(format!(
                "no matching webhook event within {timeout:?} ({} received)",
                self.shared.events.borrow().len()
            ))),
        }
    }
}

/// The endpoint: keeps a delivery whose signature verifies.
async fn receive(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match shared.secrets.verify(&headers, &body).await {
        Ok(event) => {
            shared.events.send_modify(|events| events.push(event));
            StatusCode::NO_CONTENT
        }
        Err(_) => {
            shared.rejected.fetch_add(1, Ordering::Relaxed);
            StatusCode::UNAUTHORIZED
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Neither the API key, nor the admin token, nor a webhook's secret
    /// shows in `Debug`.
    #[tokio::test]
    async fn debug_shows_no_secret() {
        let emulator = TestEmulator::start_with(
            emulator::Config::default()
                .with_api_key("key-that-must-not-show")
                .with_admin_token("admin-token-that-must-not-show"),
        )
        .await
        .unwrap();
        let hooks = emulator
            .capture_webhooks([WebhookEvent::VideoSourceRecorded])
            .await
            .unwrap();
        let secret = emulator
            .client()
            .get_webhook()
            .webhook_id(hooks.webhook_id())
            .send()
            .await
            .unwrap()
            .signature_secret
            .unwrap();
        let shown = format!("{emulator:?} {hooks:?}");
        assert!(shown.contains(emulator.base_url()), "{shown}");
        for hidden in [
            "key-that-must-not-show",
            "admin-token-that-must-not-show",
            &secret,
        ] {
            assert!(!shown.contains(hidden), "{shown}");
        }
    }
}
