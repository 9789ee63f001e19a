//! The transport every call goes through, generated or handwritten, in
//! layers:
//!
//! 1. **Auth** ([`Engine::authorize`]): origin headers and credentials; a
//!    401 renews the bearer token once ([`crate::auth`]), whose own calls
//!    use the layers below and never come back up here.
//! 2. **Retry** ([`Engine::execute`]): the one retry loop. What may be
//!    retried depends on whether the operation is idempotent, decided per
//!    operation from the spec ([`apivideo_raw::spec::is_idempotent`]): a
//!    request that may have changed something is sent again only when the
//!    server provably did not act on it (the connection was refused, a
//!    429, a 401).
//! 3. **Transport**: one `reqwest` send with the attempt's timeout, the
//!    rate-limit figures of the answer, and a tracing span when a
//!    subscriber listens.
//!
//! The answer handed back carries a [`CallNote`] in its extensions, from
//! which the error built from it tells what happened.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use apivideo_raw::ResponseValue;
use apivideo_raw::error::CallNote;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Request, Response};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::auth::TokenManager;
use crate::call::CallOptions;
use crate::config::{AuthMode, Config};
use crate::error::{AuthError, Error, Result};
use crate::rate_limit::RateLimit;
use crate::retry::{Outcome, RetryPolicy, Verdict, retry_after, verdict};

/// How requests are authorized.
pub(crate) enum Credentials {
    /// No credential: only unauthenticated calls (upload tokens) work.
    None,
    /// The API key as HTTP basic user name.
    Basic(HeaderValue),
    /// Bearer tokens from the API key.
    Bearer(TokenManager),
}

/// Shared by every clone of a [`crate::Client`].
pub(crate) struct Engine {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    retry: RetryPolicy,
    /// Per-attempt timeouts; `None` leaves the HTTP client's own.
    request_timeout: Option<Duration>,
    upload_timeout: Option<Duration>,
    origin: HeaderMap,
    credentials: Credentials,
    rate_limit: Mutex<Option<RateLimit>>,
    anchor: TimerAnchor,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// `AV-Origin-Client`, as the official clients send it (`go:1.4.0`, …).
const SDK_ORIGIN: &str = concat!("rust:", env!("CARGO_PKG_VERSION"));
/// `User-Agent` of the SDK's own HTTP client.
const SDK_USER_AGENT: &str = concat!("api.video client (rust; v:", env!("CARGO_PKG_VERSION"), ")");

/// The kind of request, for its timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An ordinary call.
    Call,
    /// An upload (one chunk, or a small file).
    Upload,
}

impl Engine {
    pub(crate) fn new(config: &Config) -> Result<Self> {
        config.validate()?;
        let custom = config.http_client.is_some();
        let http = match &config.http_client {
            Some(client) => client.clone(),
            None => reqwest::Client::builder()
                .connect_timeout(config.connect_timeout)
                .user_agent(SDK_USER_AGENT)
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let mut origin = HeaderMap::new();
        origin.insert(
            HeaderName::from_static("av-origin-client"),
            HeaderValue::from_static(SDK_ORIGIN),
        );
        if let Some((name, version)) = &config.application {
            let value = HeaderValue::from_str(&format!("{name}:{version}")).map_err(|_| {
                Error::Config("application name or version is not a valid header value".into())
            })?;
            origin.insert(HeaderName::from_static("av-origin-app"), value);
        }
        let credentials = match (&config.api_key, config.auth_mode) {
            (None, _) => Credentials::None,
            (Some(key), AuthMode::Basic) => {
                use base64::Engine as _;
                let credential = base64::engine::general_purpose::STANDARD
                    .encode(format!("{}:", key.expose_secret()));
                let mut value = HeaderValue::from_str(&format!("Basic {credential}"))
                    .map_err(|_| Error::Config("the API key is not a valid header value".into()))?;
                value.set_sensitive(true);
                Credentials::Basic(value)
            }
            (Some(key), _) => Credentials::Bearer(TokenManager::new(key.clone())),
        };
        // A caller's own client keeps its timeouts unless ours were set
        // explicitly.
        let timeout = |set: bool, value: Duration| (!custom || set).then_some(value);
        Ok(Self {
            http,
            base_url: config.base_url.trim().trim_end_matches('/').to_owned(),
            retry: config.retry,
            request_timeout: timeout(config.request_timeout_set, config.request_timeout),
            upload_timeout: timeout(config.upload_timeout_set, config.upload_timeout),
            origin,
            credentials,
            rate_limit: Mutex::new(None),
            anchor: TimerAnchor::default(),
        })
    }

    /// Whether the client was given an API key.
    pub(crate) fn has_credentials(&self) -> bool {
        !matches!(self.credentials, Credentials::None)
    }

    /// The rate-limit figures of the latest answer that carried them.
    pub(crate) fn rate_limit(&self) -> Option<RateLimit> {
        *self.rate_limit.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets origin headers and credentials. Fails only when a bearer token
    /// cannot be had.
    pub(crate) async fn authorize(&self, request: &mut Request) -> Result<(), AuthError> {
        self.decorate(request);
        match &self.credentials {
            Credentials::None => {}
            Credentials::Basic(value) => {
                request.headers_mut().insert(AUTHORIZATION, value.clone());
            }
            Credentials::Bearer(tokens) => {
                let value = tokens.header(self).await?;
                request.headers_mut().insert(AUTHORIZATION, value);
            }
        }
        Ok(())
    }

    /// The origin headers. (`User-Agent` is the HTTP client's: the SDK's
    /// own client sends the SDK's, a caller's client its own.)
    fn decorate(&self, request: &mut Request) {
        let headers = request.headers_mut();
        for (name, value) in &self.origin {
            headers.insert(name.clone(), value.clone());
        }
    }

    /// The retry loop. `first` is authorized already; `again` makes the
    /// request for a further attempt (a clone, or a body re-opened from a
    /// file), or `None` when it cannot. `idempotent` says whether sending
    /// it twice is harmless.
    pub(crate) async fn execute<F, Fut>(
        &self,
        operation: &'static str,
        idempotent: bool,
        kind: Kind,
        first: Request,
        mut again: F,
    ) -> reqwest::Result<Response>
    where
        F: FnMut() -> Fut + Send,
        Fut: Future<Output = Option<Request>> + Send,
    {
        let options = CallOptions::current();
        let policy = options.retry.unwrap_or(self.retry);
        let started = Instant::now();
        let method = first.method().clone();
        let mut note = CallNote {
            attempts: 0,
            credentials: first.headers().contains_key(AUTHORIZATION),
            ..CallNote::default()
        };
        let mut request = first;
        loop {
            note.attempts += 1;
            let sent_auth = request.headers().get(AUTHORIZATION).cloned();
            self.set_timeout(&mut request, kind, &options);
            let mut result = self
                .send_once(operation, &method, note.attempts, request)
                .await;
            let can_renew =
                !note.token_renewed && matches!(self.credentials, Credentials::Bearer(_));
            let verdict = verdict(Outcome::of(&result), idempotent, can_renew);
            let wait = match verdict {
                Verdict::Done => None,
                Verdict::Renew => Some(Duration::ZERO),
                Verdict::Retry { lost } => {
                    note.earlier_attempt_lost |= lost;
                    Some(match &result {
                        Ok(r) => retry_after(r.headers())
                            .unwrap_or_else(|| policy.backoff(note.attempts)),
                        Err(_) => policy.backoff(note.attempts),
                    })
                }
            };
            let Some(wait) = wait.filter(|wait| {
                verdict == Verdict::Renew
                    || (note.attempts < policy.max_attempts
                        && started.elapsed() + *wait <= policy.max_elapsed
                        && options.allows(*wait))
            }) else {
                note.attach(&mut result);
                return result;
            };
            // The rare path's futures are boxed, to keep the state of the
            // common path small.
            let Some(mut next) = Box::pin(again()).await else {
                return result;
            };
            if !wait.is_zero() {
                tracing::debug!(
                    operation,
                    attempt = note.attempts,
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                Box::pin(tokio::time::sleep(wait)).await;
            }
            match Box::pin(
                self.credentials_for_retry(verdict == Verdict::Renew, sent_auth.as_ref()),
            )
            .await
            {
                Ok(Some(value)) => {
                    next.headers_mut().insert(AUTHORIZATION, value);
                }
                Ok(None) => {}
                // The token cannot be renewed: the answer we have is final.
                Err(_) => {
                    note.attach(&mut result);
                    return result;
                }
            }
            if verdict == Verdict::Renew {
                note.token_renewed = true;
                note.attempts -= 1;
            }
            request = next;
        }
    }

    /// The attempt's timeout: the kind's (unless the request has its own),
    /// cut to what is left of a per-call deadline.
    fn set_timeout(&self, request: &mut Request, kind: Kind, options: &CallOptions) {
        let own = *request.timeout_mut();
        let base = own.or(match kind {
            Kind::Call => self.request_timeout,
            Kind::Upload => self.upload_timeout,
        });
        let timeout = match (base, options.remaining()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(timeout) = timeout {
            self.anchor.keep_before(timeout);
        }
        *request.timeout_mut() = timeout;
    }

    /// One send, with a span when a subscriber listens.
    async fn send_once(
        &self,
        operation: &'static str,
        method: &Method,
        attempt: u32,
        request: Request,
    ) -> reqwest::Result<Response> {
        let span = tracing::info_span!(
            "apivideo.request",
            operation,
            method = %method,
            attempt,
            status = tracing::field::Empty,
        );
        let result = if span.is_disabled() {
            self.http.execute(request).await
        } else {
            self.http.execute(request).instrument(span.clone()).await
        };
        match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                self.observe(response.headers());
            }
            Err(e) => tracing::debug!(parent: &span, error = %Redacted(e), "request failed"),
        }
        result
    }

    /// The credential for the next attempt: none if the last one had none;
    /// after a 401 a renewed token; otherwise the current one (it may have
    /// been renewed meanwhile).
    async fn credentials_for_retry(
        &self,
        renew: bool,
        sent: Option<&HeaderValue>,
    ) -> Result<Option<HeaderValue>, AuthError> {
        // A request sent without credentials (the token calls themselves,
        // and uploads with an upload token) is retried without.
        if sent.is_none() {
            return Ok(None);
        }
        match &self.credentials {
            Credentials::Bearer(tokens) if renew => {
                tokens.after_unauthorized(self, sent).await.map(Some)
            }
            Credentials::Bearer(tokens) => tokens.header(self).await.map(Some),
            Credentials::Basic(value) => Ok(Some(value.clone())),
            Credentials::None => Ok(None),
        }
    }

    fn observe(&self, headers: &HeaderMap) {
        if let Some(figures) = RateLimit::from_headers(headers) {
            *self.rate_limit.lock().unwrap_or_else(|e| e.into_inner()) = Some(figures);
        }
    }

    /// Sends a handwritten request through every layer and turns an error
    /// status into [`Error`]. `make` builds the request for each attempt
    /// (re-opening a body if it streams); `credentials: false` sends it
    /// without (an upload with an upload token).
    pub(crate) async fn send<F, Fut>(&self, call: Call, mut make: F) -> Result<Response>
    where
        F: FnMut() -> Fut + Send,
        Fut: Future<Output = Result<Request>> + Send,
    {
        if call.credentials && !self.has_credentials() {
            return Err(Error::Config(apivideo_raw::error::missing_key(
                call.operation,
            )));
        }
        let mut first = make().await?;
        if call.credentials {
            self.authorize(&mut first).await?;
        } else {
            self.decorate(&mut first);
        }
        let pending = Mutex::new(None);
        let result = self
            .execute(call.operation, call.idempotent, call.kind, first, || {
                let next = make();
                let pending = &pending;
                async move {
                    match next.await {
                        Ok(mut r) => {
                            self.decorate(&mut r);
                            Some(r)
                        }
                        Err(e) => {
                            *pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                            None
                        }
                    }
                }
            })
            .await;
        let pending_error = pending.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = pending_error {
            // Rebuilding the request failed (e.g. the file went away); that
            // matters more than the answer that asked for a retry.
            return Err(e);
        }
        let response = result.map_err(|e| Error::transport(e).settle(call.idempotent))?;
        error_for_status(response, call.idempotent).await
    }

    /// A JSON POST without credentials (the token calls), through the retry
    /// and transport layers only.
    pub(crate) async fn post_unauthenticated<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        operation: &'static str,
        path: &str,
        body: &B,
    ) -> Result<T, AuthError> {
        let url = format!("{}{path}", self.base_url);
        let build = || {
            let mut r = self
                .http
                .request(Method::POST, &url)
                .json(body)
                .build()
                .ok()?;
            self.decorate(&mut r);
            Some(r)
        };
        let first =
            build().ok_or_else(|| AuthError::new("cannot build the authentication request"))?;
        let idempotent = apivideo_raw::spec::is_idempotent(operation);
        let response = Box::pin(self.execute(operation, idempotent, Kind::Call, first, || {
            std::future::ready(build())
        }))
        .await
        .map_err(|e| AuthError::new(format!("cannot reach the API: {}", Redacted(&e))))?;
        let status = response.status();
        if !status.is_success() {
            let problem = response.json().await.ok().map(Box::new);
            let what = if status.is_server_error() {
                // Not a refusal: the API failed, and went on failing
                // through the retries.
                "the API could not authenticate"
            } else if operation == "refresh_token" {
                "the refresh token was refused"
            } else {
                "the API key was refused"
            };
            return Err(AuthError {
                message: format!("{what} (HTTP {status})"),
                status: Some(status),
                problem,
            });
        }
        response.json().await.map_err(|e| {
            AuthError::new(format!("cannot decode the token answer: {}", Redacted(&e)))
        })
    }
}

/// Attaches what the transport did to the answer, for the error built from
/// it; nothing (and no allocation) when it was the plain case.
trait Attach {
    fn attach(self, result: &mut reqwest::Result<Response>);
}

impl Attach for CallNote {
    fn attach(self, result: &mut reqwest::Result<Response>) {
        if let Ok(response) = result
            && self != CallNote::default()
        {
            response.extensions_mut().insert(self);
        }
    }
}

/// Keeps one timer armed in the runtime's timer wheel, due before any
/// request's deadline.
///
/// Registering a timer that is due before every other one in the wheel
/// wakes the thread that drives the timers, so it can shorten its sleep.
/// Without the anchor, each request's timeout would be the earliest timer
/// (the previous request's was removed when it finished) and would cost
/// that wake-up: a measurable share of a fast request's latency. The anchor
/// is re-armed when it is due, once per half request timeout at most, and
/// is never awaited: it is polled once with a no-op waker, only to be
/// registered.
#[derive(Default)]
struct TimerAnchor(Mutex<Option<(Instant, Pin<Box<tokio::time::Sleep>>)>>);

impl TimerAnchor {
    /// Makes sure a timer is armed before `now + timeout`.
    fn keep_before(&self, timeout: Duration) {
        // Someone else is re-arming it: their anchor serves this request.
        let Ok(mut anchor) = self.0.try_lock() else {
            return;
        };
        let now = Instant::now();
        if anchor.as_ref().is_some_and(|(due, _)| *due > now) {
            return;
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let due = now + timeout / 2;
        let mut sleep = Box::pin(tokio::time::sleep_until(due.into()));
        let mut cx = Context::from_waker(Waker::noop());
        let _ = sleep.as_mut().poll(&mut cx);
        *anchor = Some((due, sleep));
    }
}

/// A handwritten call: which operation, whether it is idempotent, its kind,
/// and whether it carries credentials.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call {
    pub(crate) operation: &'static str,
    pub(crate) idempotent: bool,
    pub(crate) kind: Kind,
    pub(crate) credentials: bool,
}

impl Call {
    /// An operation of the spec, idempotent as the spec says.
    pub(crate) fn new(operation: &'static str, kind: Kind) -> Self {
        Self {
            operation,
            idempotent: apivideo_raw::spec::is_idempotent(operation),
            kind,
            credentials: true,
        }
    }
}

/// A transport error as text, without its URL (whose query may carry an
/// upload token): what failed, and the causes under it.
pub(crate) struct Redacted<'a>(pub(crate) &'a reqwest::Error);

impl std::fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = self.0;
        let what = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "cannot connect"
        } else if e.is_body() {
            "the request or answer body failed"
        } else if e.is_decode() {
            "cannot decode the answer"
        } else if e.is_request() {
            "the request failed"
        } else {
            "transport error"
        };
        f.write_str(what)?;
        let mut cause = std::error::Error::source(e);
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

/// Passes a success answer through; turns an error status into [`Error`]
/// with the problem document it carries.
pub(crate) async fn error_for_status(response: Response, idempotent: bool) -> Result<Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let note = response
        .extensions()
        .get::<CallNote>()
        .copied()
        .unwrap_or_default();
    let problem = response.json().await.ok();
    Err(Error::from_answer(status, problem, &note).settle(idempotent))
}

/// Decodes a success answer's JSON body, keeping its status and headers.
pub(crate) async fn decode<T: DeserializeOwned>(response: Response) -> Result<ResponseValue<T>> {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.map_err(Error::transport)?;
    let value = serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
        status: Some(status),
        source,
    })?;
    Ok(ResponseValue::new(value, status, headers))
}
