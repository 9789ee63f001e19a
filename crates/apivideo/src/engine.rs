//! The request engine every call goes through, generated or handwritten:
//! origin headers, credentials, the per-request timeout, the retry loop
//! (one token refresh on 401, backoff on 429/5xx and connection failures),
//! rate-limit figures, and a tracing span per attempt.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Request, Response, StatusCode};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::auth::TokenManager;
use crate::config::{AuthMode, Config};
use crate::error::{AuthError, Error, Result};
use crate::rate_limit::RateLimit;
use crate::retry::{RetryPolicy, retry_after, retry_error, retry_status};

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
    request_timeout: Duration,
    origin: HeaderMap,
    credentials: Credentials,
    rate_limit: Mutex<Option<RateLimit>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

const SDK_ORIGIN: &str = concat!("rust:", env!("CARGO_PKG_VERSION"));

impl Engine {
    pub(crate) fn new(config: &Config) -> Result<Self> {
        config.validate()?;
        let http = match &config.http_client {
            Some(client) => client.clone(),
            None => reqwest::Client::builder()
                .connect_timeout(config.connect_timeout)
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
        Ok(Self {
            http,
            base_url: config.base_url.trim().trim_end_matches('/').to_owned(),
            retry: config.retry,
            request_timeout: config.request_timeout,
            origin,
            credentials,
            rate_limit: Mutex::new(None),
        })
    }

    /// The retry policy.
    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// The rate-limit figures of the latest answer that carried them.
    pub(crate) fn rate_limit(&self) -> Option<RateLimit> {
        *self.rate_limit.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets origin headers, the timeout (unless the request has one) and
    /// credentials. Fails only when a bearer token cannot be had.
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

    fn decorate(&self, request: &mut Request) {
        for (name, value) in &self.origin {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        if request.timeout().is_none() {
            *request.timeout_mut() = Some(self.request_timeout);
        }
    }

    /// Sends an already authorized request with the retry loop. Retries
    /// need a copy of the request: `again` makes one (a clone, or a body
    /// re-opened from a file) or returns `None` when it cannot.
    pub(crate) async fn execute(
        &self,
        operation: &str,
        first: Request,
        mut again: impl FnMut() -> Option<Request> + Send,
    ) -> reqwest::Result<Response> {
        let method = first.method().clone();
        let started = Instant::now();
        let mut attempt: u32 = 1;
        let mut reauthorized = false;
        let mut request = first;
        loop {
            let sent_auth = request.headers().get(AUTHORIZATION).cloned();
            let span = tracing::info_span!(
                "apivideo.request",
                operation,
                method = %method,
                attempt,
                status = tracing::field::Empty,
            );
            let result = self.http.execute(request).instrument(span.clone()).await;
            match &result {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    self.observe(response.headers());
                }
                Err(e) => tracing::debug!(parent: &span, error = %e, "request failed"),
            }
            let unauthorized = matches!(&result, Ok(r) if r.status() == StatusCode::UNAUTHORIZED);
            let reauth =
                unauthorized && !reauthorized && matches!(self.credentials, Credentials::Bearer(_));
            let wait = match &result {
                _ if reauth => Some(Duration::ZERO),
                Ok(r) if retry_status(&method, r.status()) => {
                    Some(retry_after(r.headers()).unwrap_or_else(|| self.retry.backoff(attempt)))
                }
                Ok(_) => None,
                Err(e) if retry_error(&method, e) => Some(self.retry.backoff(attempt)),
                Err(_) => None,
            };
            let Some(wait) = wait else { return result };
            let within_budget = attempt < self.retry.max_attempts
                && started.elapsed() + wait <= self.retry.max_elapsed;
            if !reauth && !within_budget {
                return result;
            }
            let Some(mut next) = again() else {
                return result;
            };
            if !wait.is_zero() {
                tracing::debug!(
                    operation,
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                tokio::time::sleep(wait).await;
            }
            match self.credentials_for_retry(reauth, sent_auth.as_ref()).await {
                Ok(Some(value)) => {
                    next.headers_mut().insert(AUTHORIZATION, value);
                }
                Ok(None) => {}
                // The token cannot be renewed: the answer we have is final.
                Err(_) => return result,
            }
            if reauth {
                reauthorized = true;
            } else {
                attempt += 1;
            }
            request = next;
        }
    }

    /// The credential for the next attempt: none if the last one had none;
    /// after a 401 a renewed token; otherwise the current one (it may have
    /// been renewed meanwhile).
    async fn credentials_for_retry(
        &self,
        reauth: bool,
        sent: Option<&HeaderValue>,
    ) -> Result<Option<HeaderValue>, AuthError> {
        // A request sent without credentials (the auth calls themselves,
        // which run while the token is being renewed) is retried without.
        if sent.is_none() {
            return Ok(None);
        }
        match &self.credentials {
            Credentials::Bearer(tokens) if reauth => {
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

    /// Sends a handwritten request: authorizes it, runs the retry loop and
    /// turns an error status into [`Error`]. `make` builds the request for
    /// each attempt (re-opening a body if it streams).
    pub(crate) async fn send(
        &self,
        operation: &str,
        mut make: impl FnMut() -> Result<Request> + Send,
    ) -> Result<Response> {
        let mut first = make()?;
        self.authorize(&mut first).await?;
        let mut pending_error = None;
        let response = self
            .execute(operation, first, || match make() {
                Ok(mut r) => {
                    self.decorate(&mut r);
                    Some(r)
                }
                Err(e) => {
                    pending_error = Some(e);
                    None
                }
            })
            .await
            .map_err(Error::transport)?;
        if let Some(e) = pending_error {
            // Rebuilding the request failed (e.g. the file went away); that
            // matters more than the answer that asked for a retry.
            return Err(e);
        }
        error_for_status(response).await
    }

    /// A JSON POST without credentials (the auth calls themselves), with
    /// the retry loop (429 and connection failures, as for any POST).
    pub(crate) async fn post_unauthenticated<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        operation: &str,
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
        let response = Box::pin(self.execute(operation, first, build))
            .await
            .map_err(|e| AuthError::new(format!("cannot reach the API: {}", e.without_url())))?;
        let status = response.status();
        if !status.is_success() {
            let problem = response.json().await.ok().map(Box::new);
            let what = if operation == "refresh_token" {
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
            AuthError::new(format!(
                "cannot decode the token answer: {}",
                e.without_url()
            ))
        })
    }
}

/// Passes a success answer through; turns an error status into [`Error`]
/// with the problem document it carries.
pub(crate) async fn error_for_status(response: Response) -> Result<Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let problem = response.json().await.ok();
    Err(Error::from_status(status, problem))
}

/// Decodes a success answer's JSON body.
pub(crate) async fn decode<T: DeserializeOwned>(response: Response) -> Result<T> {
    let status = response.status();
    let bytes = response.bytes().await.map_err(Error::transport)?;
    serde_json::from_slice(&bytes).map_err(|source| Error::Decode { status, source })
}
