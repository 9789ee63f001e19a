//! Bearer tokens: one cached token behind one lock, renewed once for any
//! number of concurrent callers.
//!
//! A request that finds the token missing, or within its expiry margin,
//! renews it: through `/auth/refresh` with the refresh token when there is
//! one, falling back to `/auth/api-key` when the refresh is refused. Callers
//! arriving meanwhile wait for that renewal and share its outcome, so N
//! concurrent requests cost one auth call. The token calls go through the
//! engine's retry and transport layers, never back through this one.

use std::time::{Duration, Instant};

use apivideo_raw::types::{AccessToken, AuthenticatePayload, RefreshTokenPayload};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use std::sync::{Arc, RwLock};

use tokio::sync::Mutex;

use crate::engine::Engine;
use crate::error::AuthError;

/// Longest margin before expiry at which a token is renewed.
const MAX_MARGIN: Duration = Duration::from_secs(60);

struct Token {
    header: HeaderValue,
    refresh: Option<SecretString>,
    expires_at: Instant,
    margin: Duration,
}

impl Token {
    fn fresh(&self, now: Instant) -> bool {
        now + self.margin < self.expires_at
    }
}

/// What every caller sees: the current token, and the last renewal that
/// the API refused, numbered so a waiter knows whether one ended meanwhile.
#[derive(Default)]
struct Slot {
    token: Option<Arc<Token>>,
    renewals: u64,
    refused: Option<AuthError>,
}

/// The cached token and how to get a new one.
///
/// Reading the token takes a short read lock. Renewing it takes an async
/// mutex, which admits one renewer at a time: callers that find the token
/// stale queue on the mutex, and each one, once admitted, first looks
/// whether the renewal before it succeeded. So N concurrent callers cost one
/// auth call; and if the renewer is dropped (a timeout, a `select!`), the
/// mutex is released with it and the next caller in the queue renews, so
/// nobody waits for a renewal that will never finish.
pub(crate) struct TokenManager {
    api_key: SecretString,
    slot: RwLock<Slot>,
    renewing: Mutex<()>,
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenManager { .. }")
    }
}

impl TokenManager {
    pub(crate) fn new(api_key: SecretString) -> Self {
        Self {
            api_key,
            slot: RwLock::new(Slot::default()),
            renewing: Mutex::new(()),
        }
    }

    /// The `Authorization` value to send now, renewing the token first if
    /// it is missing or about to expire.
    pub(crate) async fn header(&self, engine: &Engine) -> Result<HeaderValue, AuthError> {
        self.usable(engine, None).await
    }

    /// After a 401 for a request sent with `rejected`: renews the token
    /// unless another caller already did, and returns the value to retry with.
    pub(crate) async fn after_unauthorized(
        &self,
        engine: &Engine,
        rejected: Option<&HeaderValue>,
    ) -> Result<HeaderValue, AuthError> {
        self.usable(engine, rejected).await
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Slot> {
        self.slot.read().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh token that is not `rejected`, renewed by this caller or by
    /// whichever caller got there first.
    async fn usable(
        &self,
        engine: &Engine,
        rejected: Option<&HeaderValue>,
    ) -> Result<HeaderValue, AuthError> {
        let good = |slot: &Slot| {
            slot.token
                .as_ref()
                .filter(|t| t.fresh(Instant::now()) && Some(&t.header) != rejected)
                .map(|t| t.header.clone())
        };
        let renewals = {
            let slot = self.read();
            if let Some(header) = good(&slot) {
                return Ok(header);
            }
            slot.renewals
        };
        let _renewing = self.renewing.lock().await;
        let refresh = {
            let slot = self.read();
            if let Some(header) = good(&slot) {
                return Ok(header);
            }
            // A renewal ended while this caller queued, and the API refused
            // it: the same credentials would be refused again.
            if slot.renewals != renewals
                && let Some(e) = &slot.refused
            {
                return Err(e.clone());
            }
            slot.token.as_ref().and_then(|t| t.refresh.clone())
        };
        // Boxed: the common path, a fresh token, keeps a small state.
        let outcome = Box::pin(self.renew(engine, refresh)).await;
        let mut slot = self.slot.write().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok(token) => {
                let header = token.header.clone();
                slot.token = Some(Arc::new(token));
                slot.refused = None;
                slot.renewals += 1;
                Ok(header)
            }
            Err(e) => {
                // Only a refusal is shared: a transport failure (or this
                // caller's own deadline) says nothing about the next try.
                if e.status.is_some() {
                    slot.refused = Some(e.clone());
                    slot.renewals += 1;
                }
                Err(e)
            }
        }
    }

    async fn renew(
        &self,
        engine: &Engine,
        refresh: Option<SecretString>,
    ) -> Result<Token, AuthError> {
        let answer = match refresh {
            Some(refresh) => match self.refresh(engine, &refresh).await {
                Ok(answer) => answer,
                Err(e) => {
                    tracing::debug!(error = %e, "refresh refused, authenticating with the API key");
                    self.authenticate(engine).await?
                }
            },
            None => self.authenticate(engine).await?,
        };
        token_from(answer)
    }

    async fn authenticate(&self, engine: &Engine) -> Result<AccessToken, AuthError> {
        let body = AuthenticatePayload {
            api_key: self.api_key.expose_secret().to_owned(),
        };
        engine
            .post_unauthenticated("authenticate", "/auth/api-key", &body)
            .await
    }

    async fn refresh(
        &self,
        engine: &Engine,
        refresh: &SecretString,
    ) -> Result<AccessToken, AuthError> {
        let body = RefreshTokenPayload {
            refresh_token: refresh.expose_secret().to_owned(),
        };
        engine
            .post_unauthenticated("refresh_token", "/auth/refresh", &body)
            .await
    }
}

fn token_from(answer: AccessToken) -> Result<Token, AuthError> {
    let access = answer.access_token;
    if access.is_empty() {
        return Err(AuthError::new("the token answer has an empty access_token"));
    }
    let mut header = HeaderValue::from_str(&format!("Bearer {access}"))
        .map_err(|_| AuthError::new("the access token is not a valid header value"))?;
    header.set_sensitive(true);
    let lifetime = Duration::from_secs(answer.expires_in.max(1).unsigned_abs());
    Ok(Token {
        header,
        refresh: Some(answer.refresh_token)
            .filter(|t| !t.is_empty())
            .map(SecretString::from),
        expires_at: Instant::now() + lifetime,
        margin: (lifetime / 5).min(MAX_MARGIN),
    })
}
