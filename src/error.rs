//! One error type for every operation, generated or handwritten, by the
//! stage that failed: configuration, authentication, transport, the API's
//! answer, decoding, local I/O, or the upload source. The `apivideo` crate
//! re-exports it as `apivideo::Error`.
//!
//! Generated operations convert progenitor's error into this one inside
//! their `send()`, through [`Exchange`], so no caller ever converts by hand.

use std::fmt;

use reqwest::StatusCode;

use crate::types::Problem;

/// The result of an SDK call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong. Causes are kept as [`std::error::Error::source`]; no
/// variant ever holds or prints an API key, access or refresh token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured wrongly (chunk size out of range, bad base
    /// URL, missing `APIVIDEO_API_KEY`, invalid application name…).
    #[error("configuration: {0}")]
    Config(String),

    /// The API key or refresh token was rejected, or a request was still
    /// unauthorized after one token refresh.
    #[error("authentication failed: {0}")]
    Auth(#[from] AuthError),

    /// The request did not complete: connection refused or reset, timeout,
    /// TLS failure. Retries, if any were allowed, were exhausted.
    #[error("transport: {0}")]
    Transport(#[source] reqwest::Error),

    /// The API answered with an error status.
    #[error("{0}")]
    Api(#[from] ApiError),

    /// An answer could not be decoded into the type its status promises.
    #[error("cannot decode the answer{}: {source}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Decode {
        /// Status of the answer, when one arrived.
        status: Option<StatusCode>,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },

    /// Reading a local file or stream failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),

    /// The upload source is unusable: missing, empty, or it changed while
    /// being uploaded. Nothing corrupt was completed.
    #[error("upload source: {0}")]
    Source(#[from] SourceError),

    /// A request could not be built from the given arguments (a required
    /// builder field was not set, a value did not convert).
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// A request that may change something on the server (a create, a
    /// delegated upload's first chunk) was sent, and no conclusive answer
    /// came back: the connection was lost after sending, it timed out, or
    /// the server answered with a 5xx. It may or may not have taken effect,
    /// so it was not sent again, as a second copy could create a duplicate.
    /// The error inside says what happened; check the server's state
    /// before trying again.
    #[error("the outcome is unknown, so the request was not retried: {0}")]
    OutcomeUnknown(Box<Error>),

    /// A wait bounded by a deadline, such as `wait_until_playable`, ran out
    /// before what it waited for happened.
    #[error("deadline passed: {0}")]
    Deadline(String),
}

/// An error answer from the API, with its problem document when it sent one.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The problem document (`type`, `title`, `name`, `detail`, `problems`).
    pub problem: Option<Box<Problem>>,
    /// An earlier attempt of this call was sent and its answer was lost, so
    /// this answer may describe the state that attempt left: a retried
    /// `DELETE` that finds 404 has most likely deleted the resource itself.
    pub earlier_attempt_lost: bool,
}

impl ApiError {
    /// An error answer with `status` and its problem document.
    pub fn new(status: StatusCode, problem: Option<Problem>) -> Self {
        Self {
            status,
            problem: problem.map(Box::new),
            earlier_attempt_lost: false,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the API answered {}", self.status)?;
        if self.earlier_attempt_lost {
            f.write_str(" to a retry (an earlier attempt was sent and its answer lost: it may have taken effect)")?;
        }
        if let Some(p) = &self.problem {
            if let Some(title) = p.title.as_deref().filter(|t| !t.is_empty()) {
                write!(f, ": {title}")?;
            }
            if let Some(name) = p.name.as_deref().filter(|n| !n.is_empty()) {
                write!(f, " ({name})")?;
            }
            if let Some(detail) = &p.detail {
                write!(f, " {detail}")?;
            }
            let others: Vec<String> = p
                .problems
                .iter()
                .skip(1)
                .filter_map(|d| {
                    Some(format!(
                        "{} ({})",
                        d.title.as_deref()?,
                        d.name.as_deref().unwrap_or("")
                    ))
                })
                .collect();
            if !others.is_empty() {
                write!(f, "; also: {}", others.join("; "))?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// What is wrong with an upload source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceErrorKind {
    /// The file does not exist or cannot be opened.
    Missing,
    /// The source holds no bytes.
    Empty,
    /// The source changed size (or ended early) while being uploaded.
    Changed,
    /// Resuming needs the same chunk size as the interrupted upload.
    ChunkSizeMismatch,
}

/// Why an upload source cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SourceError {
    /// The kind of problem.
    pub kind: SourceErrorKind,
    /// What happened.
    pub message: String,
    /// The I/O error behind it, if any.
    #[source]
    pub cause: Option<std::io::Error>,
}

impl SourceError {
    /// A problem of this kind.
    pub fn new(kind: SourceErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            cause: None,
        }
    }

    /// A problem of this kind caused by an I/O error.
    pub fn io(kind: SourceErrorKind, message: impl Into<String>, cause: std::io::Error) -> Self {
        Self {
            kind,
            message: message.into(),
            cause: Some(cause),
        }
    }
}

/// Why authentication failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct AuthError {
    /// What happened, without any secret.
    pub message: String,
    /// The status of the answer that refused, if there was one.
    pub status: Option<StatusCode>,
    /// The problem document of that answer.
    pub problem: Option<Box<Problem>>,
}

impl AuthError {
    /// An authentication failure with no answer behind it.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: None,
            problem: None,
        }
    }
}

impl Error {
    /// The error behind an [`Error::OutcomeUnknown`], or this one.
    fn inner(&self) -> &Error {
        match self {
            Error::OutcomeUnknown(e) => e.inner(),
            e => e,
        }
    }

    /// The HTTP status of the answer behind this error, if any.
    pub fn status(&self) -> Option<StatusCode> {
        match self.inner() {
            Error::Api(e) => Some(e.status),
            Error::Auth(e) => e.status,
            Error::Decode { status, .. } => *status,
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The problem document of the answer, if any.
    pub fn problem(&self) -> Option<&Problem> {
        match self.inner() {
            Error::Api(e) => e.problem.as_deref(),
            Error::Auth(e) => e.problem.as_deref(),
            _ => None,
        }
    }

    /// The resource does not exist (or belongs to another project).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// The API refused the input (400): see [`Error::problem`] for which attribute.
    pub fn is_bad_request(&self) -> bool {
        self.status() == Some(StatusCode::BAD_REQUEST)
    }

    /// Rate limited (429) even after the allowed retries.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Authentication failed for good.
    pub fn is_auth(&self) -> bool {
        matches!(self.inner(), Error::Auth(_))
    }

    /// The request never got an answer (connection, timeout).
    pub fn is_transport(&self) -> bool {
        matches!(self.inner(), Error::Transport(_))
    }

    /// The request timed out (the per-request timeout, or a per-call one).
    pub fn is_timeout(&self) -> bool {
        matches!(self.inner(), Error::Transport(e) if e.is_timeout())
    }

    /// A configuration error.
    pub fn is_config(&self) -> bool {
        matches!(self, Error::Config(_))
    }

    /// A request that may have changed something got no conclusive answer:
    /// see [`Error::OutcomeUnknown`].
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown(_))
    }

    /// What is wrong with the upload source, if that is the error.
    pub fn source_kind(&self) -> Option<SourceErrorKind> {
        match self {
            Error::Source(e) => Some(e.kind),
            _ => None,
        }
    }

    /// A transport error, without the URL: its query may carry an upload
    /// token.
    pub fn transport(e: reqwest::Error) -> Self {
        Error::Transport(e.without_url())
    }

    /// The error for a non-success answer; `note` says what the transport
    /// did for the call. A 401 becomes [`Error::Auth`], saying why.
    pub fn from_answer(status: StatusCode, problem: Option<Problem>, note: &CallNote) -> Self {
        if status == StatusCode::UNAUTHORIZED {
            let message = if !note.credentials {
                "the operation needs an API key, and this client has none"
            } else if note.token_renewed {
                "the request was unauthorized even after a token refresh"
            } else {
                "the API key was refused"
            };
            return Error::Auth(AuthError {
                message: message.into(),
                status: Some(status),
                problem: problem.map(Box::new),
            });
        }
        let mut api = ApiError::new(status, problem);
        api.earlier_attempt_lost = note.earlier_attempt_lost;
        Error::Api(api)
    }

    /// Wraps the errors that leave a non-idempotent request's outcome
    /// unknown in [`Error::OutcomeUnknown`]: a transport failure once the
    /// request may have been sent, and a 5xx answer.
    pub fn settle(self, idempotent: bool) -> Self {
        let unknown = match &self {
            Error::Transport(e) => !e.is_connect(),
            Error::Api(e) => e.status.is_server_error(),
            _ => false,
        };
        if unknown && !idempotent {
            Error::OutcomeUnknown(Box::new(self))
        } else {
            self
        }
    }
}

/// What the SDK's transport did for one call, attached by it to the
/// extensions of the answer it hands back, so that the error built from
/// that answer can tell the truth about it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallNote {
    /// Attempts sent, the first included.
    pub attempts: u32,
    /// An earlier attempt was sent and its answer lost.
    pub earlier_attempt_lost: bool,
    /// The token was renewed after a 401.
    pub token_renewed: bool,
    /// The request carried credentials.
    pub credentials: bool,
}

impl Default for CallNote {
    fn default() -> Self {
        Self {
            attempts: 1,
            earlier_attempt_lost: false,
            token_renewed: false,
            credentials: true,
        }
    }
}

/// Prefix of the messages the hooks pass through progenitor's
/// `Error::Custom` when authentication fails before a request is sent.
#[doc(hidden)]
pub const AUTH_MARKER: &str = "apivideo-auth: ";

/// An [`AuthError`] as the hooks pass it through progenitor's
/// `Error::Custom`, a string: [`AUTH_MARKER`] and the error as JSON, so
/// that its status and problem document survive the trip.
#[doc(hidden)]
pub fn encode_auth_error(e: &AuthError) -> String {
    let wire = serde_json::json!({
        "message": e.message,
        "status": e.status.map(|s| s.as_u16()),
        "problem": e.problem,
    });
    format!("{AUTH_MARKER}{wire}")
}

/// The [`AuthError`] of a message after [`AUTH_MARKER`]; a message that is
/// not JSON is the error's message alone.
fn decode_auth_error(rest: &str) -> AuthError {
    #[derive(serde::Deserialize)]
    struct Wire {
        message: String,
        status: Option<u16>,
        problem: Option<Box<Problem>>,
    }
    match serde_json::from_str::<Wire>(rest) {
        Ok(wire) => AuthError {
            message: wire.message,
            status: wire.status.and_then(|s| StatusCode::from_u16(s).ok()),
            problem: wire.problem,
        },
        Err(_) => AuthError::new(rest),
    }
}

/// Prefix of the messages the hooks pass through progenitor's
/// `Error::Custom` when a call cannot be made as configured.
#[doc(hidden)]
pub const CONFIG_MARKER: &str = "apivideo-config: ";

/// Why a client without an API key cannot call `operation`.
#[doc(hidden)]
pub fn missing_key(operation: &str) -> String {
    format!(
        "`{operation}` needs an API key and this client has none; set one with \
         `Config::with_api_key` or the APIVIDEO_API_KEY variable"
    )
}

/// The state of one generated call, kept by its `send()`: which operation,
/// and what the answer's status and transport note were, to build the
/// [`Error`] from progenitor's.
#[doc(hidden)]
#[derive(Debug)]
pub struct Exchange {
    operation: &'static str,
    status: Option<StatusCode>,
    note: CallNote,
}

impl Exchange {
    /// A call of `operation`.
    pub fn new(operation: &'static str) -> Self {
        Self {
            operation,
            status: None,
            note: CallNote::default(),
        }
    }

    /// Records the answer before it is decoded.
    pub fn observe(&mut self, response: &reqwest::Response) {
        self.status = Some(response.status());
        if let Some(note) = response.extensions().get::<CallNote>() {
            self.note = *note;
        }
    }

    /// The SDK's error for progenitor's. An answer with a status the spec
    /// does not document is read for its problem document too.
    pub async fn error(self, e: progenitor_client::Error<Problem>) -> Error {
        use progenitor_client::Error as Raw;
        let error = match e {
            Raw::ErrorResponse(rv) => {
                let status = rv.status();
                Error::from_answer(status, Some(rv.into_inner()), &self.note)
            }
            Raw::UnexpectedResponse(response) => {
                let status = response.status();
                let problem = response.json::<Problem>().await.ok();
                Error::from_answer(status, problem, &self.note)
            }
            Raw::CommunicationError(e) | Raw::ResponseBodyError(e) | Raw::InvalidUpgrade(e) => {
                Error::transport(e)
            }
            // An error answer whose body is not a problem document is still
            // that error answer.
            Raw::InvalidResponsePayload(_, _) if self.status.is_some_and(|s| !s.is_success()) => {
                let status = self.status.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                Error::from_answer(status, None, &self.note)
            }
            Raw::InvalidResponsePayload(_, source) => Error::Decode {
                status: self.status,
                source,
            },
            Raw::InvalidRequest(message) => Error::InvalidRequest(message),
            Raw::Custom(message) => {
                if let Some(rest) = message.strip_prefix(AUTH_MARKER) {
                    Error::Auth(decode_auth_error(rest))
                } else if let Some(rest) = message.strip_prefix(CONFIG_MARKER) {
                    Error::Config(rest.to_owned())
                } else {
                    Error::InvalidRequest(message)
                }
            }
        };
        error.settle(crate::spec::is_idempotent(self.operation))
    }
}
