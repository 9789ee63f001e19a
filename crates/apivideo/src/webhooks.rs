//! Webhook deliveries: check that a POST really comes from api.video, and
//! read its event as a typed value.
//!
//! api.video signs every delivery. The `X-Api-Video-Signature` header holds
//! the HMAC-SHA256 of the exact body bytes, keyed with the webhook's
//! `signatureSecret`, as 64 lowercase hex digits; `X-Api-Video-WebhookID`
//! names the webhook. A receiver verifies the raw body, before any JSON
//! parsing, then reads the event:
//!
//! ```
//! use apivideo::webhooks::{self, Event, SigningSecret};
//!
//! # fn demo(headers: &reqwest::header::HeaderMap, body: &[u8]) -> Result<(), webhooks::WebhookError> {
//! let secret = SigningSecret::new("sig_sec_Abcd12348RLP7VPLi7nYVh");
//! match webhooks::verify(headers, body, &secret)? {
//!     Event::VideoEncodingQualityCompleted(e) => println!("{} is ready in {}", e.video_id, e.quality),
//!     Event::LiveStreamBroadcastStarted(e) => println!("{} is live", e.live_stream_id),
//!     other => println!("{} happened", other.event_type()),
//! }
//! # Ok(()) }
//! ```
//!
//! A receiver that serves several webhooks knows only the id a delivery
//! names: [`Secrets`] looks the secret up with `GET /webhooks/{id}` once
//! and keeps it. With the `axum` feature, `Verified` is an axum extractor
//! that does all of this and answers 401 to a delivery that fails the check.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use apivideo_raw::ClientWebhooksExt;
use hmac::{Hmac, Mac};
use reqwest::header::HeaderMap;
use sha2::Sha256;

use crate::types::{
    LiveStreamBroadcastEnded, LiveStreamBroadcastStarted, VideoCaptionGenerated,
    VideoEncodingQualityCompleted, VideoSourceRecorded, VideoSummaryGenerated, WebhookEvent,
};
use crate::{Client, Error};

/// The header naming the webhook a delivery is for.
pub const WEBHOOK_ID_HEADER: &str = "x-api-video-webhookid";
/// The header holding a delivery's signature.
pub const SIGNATURE_HEADER: &str = "x-api-video-signature";

/// A webhook's signing secret, its `signatureSecret`. `Debug` never shows
/// it.
#[derive(Clone)]
pub struct SigningSecret(String);

impl SigningSecret {
    /// The secret as the API returns it (`sig_sec_…`).
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes a key of any length; this cannot fail.
        <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"))
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret(redacted)")
    }
}

/// Why a delivery was refused. No variant holds or prints the secret, the
/// signature or the body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A header the check needs is absent.
    #[error("the delivery has no `{0}` header")]
    MissingHeader(&'static str),
    /// A header is present but not what the API sends (the signature must
    /// be 64 hex digits, the id visible ASCII).
    #[error("the `{0}` header of the delivery is malformed")]
    MalformedHeader(&'static str),
    /// The signature does not match the body under this secret: the body
    /// was changed, or the delivery is not from this webhook.
    #[error("the signature does not match the body")]
    BadSignature,
    /// The signature matches, but the body is not a JSON event with a
    /// `type`, or a known event lacks a field the API always sends.
    #[error("the body is not a webhook event: {0}")]
    MalformedBody(String),
    /// [`Secrets`] found no webhook with the delivery's id in the account.
    #[error("no webhook `{0}` in this account")]
    UnknownWebhook(String),
    /// [`Secrets`] could not read the webhook's secret from the API.
    #[error("the webhook's secret could not be read: {0}")]
    Lookup(#[source] Box<Error>),
}

/// The signature api.video sends for `body` under `secret`: 64 lowercase
/// hex digits. Useful to sign deliveries in a receiver's own tests.
pub fn sign(secret: &SigningSecret, body: &[u8]) -> String {
    let mut mac = secret.mac();
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Checks `signature` (the header's value) against `body` under `secret`,
/// in constant time. Upper-case hex digits are accepted too.
pub fn verify_signature(
    secret: &SigningSecret,
    body: &[u8],
    signature: &str,
) -> Result<(), WebhookError> {
    let expected = decode_hex(signature.trim())
        .ok_or(WebhookError::MalformedHeader("X-Api-Video-Signature"))?;
    let mut mac = secret.mac();
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| WebhookError::BadSignature)
}

/// Verifies a delivery from its headers and raw body, then decodes its
/// event. The body must be the bytes as received, before any parsing.
pub fn verify(
    headers: &HeaderMap,
    body: &[u8],
    secret: &SigningSecret,
) -> Result<Event, WebhookError> {
    let signature = header(headers, SIGNATURE_HEADER, "X-Api-Video-Signature")?;
    verify_signature(secret, body, signature)?;
    Event::from_slice(body)
}

/// The id of the webhook a delivery names, from its headers.
pub fn webhook_id(headers: &HeaderMap) -> Result<&str, WebhookError> {
    let id = header(headers, WEBHOOK_ID_HEADER, "X-Api-Video-WebhookID")?;
    if id.is_empty() {
        return Err(WebhookError::MalformedHeader("X-Api-Video-WebhookID"));
    }
    Ok(id)
}

fn header<'a>(
    headers: &'a HeaderMap,
    name: &'static str,
    shown: &'static str,
) -> Result<&'a str, WebhookError> {
    let value = headers
        .get(name)
        .ok_or(WebhookError::MissingHeader(shown))?;
    value
        .to_str()
        .map(str::trim)
        .map_err(|_| WebhookError::MalformedHeader(shown))
}

fn decode_hex(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// An event api.video delivered, typed by its `type`.
///
/// The variants' types are generated from the bodies `openapi.yaml`
/// describes under `x-webhooks`. An event this version does not know yet
/// decodes as [`Event::Unknown`] with its body kept, so a receiver keeps
/// working when the API adds one.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// One quality of one encoding of a video can be played.
    VideoEncodingQualityCompleted(VideoEncodingQualityCompleted),
    /// A broadcast was recorded; the recording is a new video.
    VideoSourceRecorded(VideoSourceRecorded),
    /// A caption asked for with `transcript` was generated.
    VideoCaptionGenerated(VideoCaptionGenerated),
    /// A summary of a video was written.
    VideoSummaryGenerated(VideoSummaryGenerated),
    /// A broadcast of a live stream started.
    LiveStreamBroadcastStarted(LiveStreamBroadcastStarted),
    /// A broadcast of a live stream ended.
    LiveStreamBroadcastEnded(LiveStreamBroadcastEnded),
    /// An event this version does not know: its `type` and whole body.
    Unknown {
        /// The event's `type`.
        event_type: String,
        /// The body as delivered.
        body: serde_json::Value,
    },
}

impl Event {
    /// Decodes a delivery's body (already verified: see [`verify`]).
    pub fn from_slice(body: &[u8]) -> Result<Self, WebhookError> {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| WebhookError::MalformedBody(format!("not JSON: {e}")))?;
        let event_type = value
            .get("type")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| WebhookError::MalformedBody("no `type` field".to_owned()))?
            .to_owned();
        fn typed<T: serde::de::DeserializeOwned>(
            value: serde_json::Value,
            wrap: fn(T) -> Event,
        ) -> Result<Event, WebhookError> {
            serde_json::from_value(value)
                .map(wrap)
                .map_err(|e| WebhookError::MalformedBody(e.to_string()))
        }
        match event_type.parse::<WebhookEvent>() {
            Ok(WebhookEvent::VideoEncodingQualityCompleted) => {
                typed(value, Self::VideoEncodingQualityCompleted)
            }
            Ok(WebhookEvent::VideoSourceRecorded) => typed(value, Self::VideoSourceRecorded),
            Ok(WebhookEvent::VideoCaptionGenerated) => typed(value, Self::VideoCaptionGenerated),
            Ok(WebhookEvent::VideoSummaryGenerated) => typed(value, Self::VideoSummaryGenerated),
            Ok(WebhookEvent::LiveStreamBroadcastStarted) => {
                typed(value, Self::LiveStreamBroadcastStarted)
            }
            Ok(WebhookEvent::LiveStreamBroadcastEnded) => {
                typed(value, Self::LiveStreamBroadcastEnded)
            }
            _ => Ok(Self::Unknown {
                event_type,
                body: value,
            }),
        }
    }

    /// The event's `type`, e.g. `video.encoding.quality.completed`.
    pub fn event_type(&self) -> &str {
        match self {
            Self::VideoEncodingQualityCompleted(e) => &e.type_,
            Self::VideoSourceRecorded(e) => &e.type_,
            Self::VideoCaptionGenerated(e) => &e.type_,
            Self::VideoSummaryGenerated(e) => &e.type_,
            Self::LiveStreamBroadcastStarted(e) => &e.type_,
            Self::LiveStreamBroadcastEnded(e) => &e.type_,
            Self::Unknown { event_type, .. } => event_type,
        }
    }

    /// When the event happened, as the API wrote it (RFC 3339), if it did.
    pub fn emitted_at(&self) -> Option<&str> {
        match self {
            Self::VideoEncodingQualityCompleted(e) => e.emitted_at.as_deref(),
            Self::VideoSourceRecorded(e) => e.emitted_at.as_deref(),
            Self::VideoCaptionGenerated(e) => e.emitted_at.as_deref(),
            Self::VideoSummaryGenerated(e) => e.emitted_at.as_deref(),
            Self::LiveStreamBroadcastStarted(e) => e.emitted_at.as_deref(),
            Self::LiveStreamBroadcastEnded(e) => e.emitted_at.as_deref(),
            Self::Unknown { body, .. } => body.get("emittedAt").and_then(|v| v.as_str()),
        }
    }
}

/// Secrets of the account's webhooks, read from the API when a delivery
/// first names a webhook and kept after that.
///
/// ```no_run
/// # async fn demo(client: apivideo::Client, headers: reqwest::header::HeaderMap, body: bytes::Bytes) {
/// let secrets = apivideo::webhooks::Secrets::new(client);
/// match secrets.verify(&headers, &body).await {
///     Ok(event) => println!("{}", event.event_type()),
///     Err(refused) => eprintln!("refused: {refused}"),
/// }
/// # }
/// ```
pub struct Secrets {
    client: Client,
    known: Mutex<HashMap<String, SigningSecret>>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known = self.known.lock().map(|k| k.len()).unwrap_or_default();
        f.debug_struct("Secrets")
            .field("known", &format_args!("{known} redacted"))
            .finish_non_exhaustive()
    }
}

impl Secrets {
    /// Looks secrets up through `client`.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            known: Mutex::new(HashMap::new()),
        }
    }

    /// Remembers a secret already at hand, e.g. from `create_webhook`'s
    /// answer, so that no lookup is needed.
    pub fn insert(&self, webhook_id: impl Into<String>, secret: SigningSecret) {
        if let Ok(mut known) = self.known.lock() {
            known.insert(webhook_id.into(), secret);
        }
    }

    /// The secret of webhook `webhook_id`: kept, or read with
    /// `GET /webhooks/{webhookId}`.
    pub async fn secret(&self, webhook_id: &str) -> Result<SigningSecret, WebhookError> {
        if let Some(secret) = self
            .known
            .lock()
            .ok()
            .and_then(|k| k.get(webhook_id).cloned())
        {
            return Ok(secret);
        }
        let hook = match self
            .client
            .get_webhook()
            .webhook_id(webhook_id)
            .send()
            .await
        {
            Ok(hook) => hook,
            Err(Error::Api(e)) if e.status == reqwest::StatusCode::NOT_FOUND => {
                return Err(WebhookError::UnknownWebhook(webhook_id.to_owned()));
            }
            Err(e) => return Err(WebhookError::Lookup(Box::new(e))),
        };
        let secret = hook
            .signature_secret
            .map(SigningSecret::new)
            .ok_or_else(|| WebhookError::UnknownWebhook(webhook_id.to_owned()))?;
        self.insert(webhook_id, secret.clone());
        Ok(secret)
    }

    /// Verifies a delivery with the secret of the webhook it names, then
    /// decodes its event.
    pub async fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, WebhookError> {
        // Refuse an unsigned delivery before any lookup.
        header(headers, SIGNATURE_HEADER, "X-Api-Video-Signature")?;
        let id = webhook_id(headers)?;
        let secret = self.secret(id).await?;
        verify(headers, body, &secret)
    }
}

#[cfg(feature = "axum")]
pub use receiver::{Verified, WebhookRejection};

#[cfg(feature = "axum")]
mod receiver {
    use std::sync::Arc;

    use axum_core::extract::{FromRef, FromRequest, Request};
    use axum_core::response::{IntoResponse, Response};
    use bytes::Bytes;
    use reqwest::StatusCode;

    use super::{Event, Secrets, WebhookError};

    /// An axum extractor for a verified delivery: the handler runs only
    /// for a delivery whose signature matches the secret of the webhook it
    /// names. The state must give an `Arc<Secrets>` (`FromRef`).
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use apivideo::webhooks::{Secrets, Verified};
    /// use axum::{Router, routing::post};
    ///
    /// # fn demo(client: apivideo::Client) -> Router {
    /// async fn receive(Verified(event): Verified) {
    ///     println!("{}", event.event_type());
    /// }
    /// Router::new()
    ///     .route("/webhooks", post(receive))
    ///     .with_state(Arc::new(Secrets::new(client)))
    /// # }
    /// ```
    #[derive(Debug, Clone)]
    pub struct Verified(pub Event);

    /// Why [`Verified`] refused a delivery: 401 for a delivery that fails
    /// the check, 400 for a signed body that is no event, 503 when the
    /// secret could not be read (api.video retries then).
    #[derive(Debug)]
    pub struct WebhookRejection(pub WebhookError);

    impl IntoResponse for WebhookRejection {
        fn into_response(self) -> Response {
            let status = match &self.0 {
                WebhookError::MalformedBody(_) => StatusCode::BAD_REQUEST,
                WebhookError::Lookup(_) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNAUTHORIZED,
            };
            (status, self.0.to_string()).into_response()
        }
    }

    impl<S> FromRequest<S> for Verified
    where
        S: Send + Sync,
        Arc<Secrets>: FromRef<S>,
    {
        type Rejection = Response;

        async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
            let secrets = Arc::<Secrets>::from_ref(state);
            let headers = req.headers().clone();
            let body = Bytes::from_request(req, state)
                .await
                .map_err(IntoResponse::into_response)?;
            secrets
                .verify(&headers, &body)
                .await
                .map(Verified)
                .map_err(|e| WebhookRejection(e).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test case 2.
    #[test]
    fn sign_matches_the_rfc_4231_vector() {
        let secret = SigningSecret::new("Jefe");
        assert_eq!(
            sign(&secret, b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn signatures_are_checked_and_never_shown() {
        let secret = SigningSecret::new("sig_sec_test");
        let body = br#"{"type":"live-stream.broadcast.started","liveStreamId":"li1"}"#;
        let good = sign(&secret, body);
        verify_signature(&secret, body, &good).unwrap();
        verify_signature(&secret, body, &good.to_uppercase()).unwrap();
        assert!(matches!(
            verify_signature(&secret, b"{}", &good),
            Err(WebhookError::BadSignature)
        ));
        for bad in ["", "abc", &good[..62], &format!("{}zz", &good[..62])] {
            assert!(matches!(
                verify_signature(&secret, body, bad),
                Err(WebhookError::MalformedHeader(_))
            ));
        }
        assert_eq!(format!("{secret:?}"), "SigningSecret(redacted)");
    }

    #[test]
    fn events_decode_by_type_and_unknown_ones_keep_their_body() {
        let e = Event::from_slice(
            br#"{"type":"video.encoding.quality.completed","emittedAt":"2024-08-15T10:18:47+00:00",
                "videoId":"vi1","encoding":"hls","quality":"720p","extra":1}"#,
        )
        .unwrap();
        let Event::VideoEncodingQualityCompleted(q) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(
            (q.video_id.as_str(), q.quality.to_string()),
            ("vi1", "720p".to_owned())
        );
        assert_eq!(e.emitted_at(), Some("2024-08-15T10:18:47+00:00"));
        let e = Event::from_slice(br#"{"type":"video.deleted","videoId":"vi1"}"#).unwrap();
        let Event::Unknown { event_type, body } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(
            (event_type.as_str(), &body["videoId"]),
            ("video.deleted", &serde_json::json!("vi1"))
        );
        for bad in [
            &b"not json"[..],
            br#"{"videoId":"vi1"}"#,
            br#"{"type":"video.source.recorded"}"#,
        ] {
            assert!(matches!(
                Event::from_slice(bad),
                Err(WebhookError::MalformedBody(_))
            ));
        }
    }
}
