//! One error type for everything the SDK does, by the stage that failed:
//! configuration, authentication, transport, the API's answer, decoding,
//! local I/O, or the upload source.

use std::fmt;

use apivideo_raw::types::Problem;
use reqwest::StatusCode;

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

    /// A success answer could not be decoded into the expected type.
    #[error("cannot decode the answer (HTTP {status}): {source}")]
    Decode {
        /// Status of the answer.
        status: StatusCode,
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
}

/// An error answer from the API, with its problem document when it sent one.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The problem document (`type`, `title`, `name`, `detail`, `problems`).
    pub problem: Option<Box<Problem>>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the API answered {}", self.status)?;
        if let Some(p) = &self.problem {
            write!(f, ": {}", p.title)?;
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
    pub(crate) fn new(kind: SourceErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            cause: None,
        }
    }

    pub(crate) fn io(
        kind: SourceErrorKind,
        message: impl Into<String>,
        cause: std::io::Error,
    ) -> Self {
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
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: None,
            problem: None,
        }
    }
}

impl Error {
    /// The HTTP status of the answer behind this error, if any.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Auth(e) => e.status,
            Error::Decode { status, .. } => Some(*status),
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The problem document of the answer, if any.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
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
        matches!(self, Error::Auth(_))
    }

    /// The request never got an answer (connection, timeout).
    pub fn is_transport(&self) -> bool {
        matches!(self, Error::Transport(_))
    }

    /// A configuration error.
    pub fn is_config(&self) -> bool {
        matches!(self, Error::Config(_))
    }

    /// What is wrong with the upload source, if that is the error.
    pub fn source_kind(&self) -> Option<SourceErrorKind> {
        match self {
            Error::Source(e) => Some(e.kind),
            _ => None,
        }
    }

    pub(crate) fn transport(e: reqwest::Error) -> Self {
        // The URL may carry an upload token in its query: keep it out.
        Error::Transport(e.without_url())
    }

    /// The error for a non-success answer: 401 becomes [`Error::Auth`].
    pub(crate) fn from_status(status: StatusCode, problem: Option<Problem>) -> Self {
        let problem = problem.map(Box::new);
        if status == StatusCode::UNAUTHORIZED {
            return Error::Auth(AuthError {
                message: "the request was unauthorized even after a token refresh".into(),
                status: Some(status),
                problem,
            });
        }
        Error::Api(ApiError { status, problem })
    }
}

/// Prefix of the messages the hooks pass through `Error::Custom` when
/// authentication fails before a request is sent.
pub(crate) const AUTH_MARKER: &str = "apivideo-auth: ";

impl From<apivideo_raw::Error<Problem>> for Error {
    fn from(e: apivideo_raw::Error<Problem>) -> Self {
        use apivideo_raw::Error as Raw;
        match e {
            Raw::ErrorResponse(rv) => {
                let status = rv.status();
                Error::from_status(status, Some(rv.into_inner()))
            }
            Raw::UnexpectedResponse(response) => Error::from_status(response.status(), None),
            Raw::CommunicationError(e) | Raw::ResponseBodyError(e) | Raw::InvalidUpgrade(e) => {
                Error::transport(e)
            }
            Raw::InvalidResponsePayload(_, source) => Error::Decode {
                status: StatusCode::OK,
                source,
            },
            Raw::InvalidRequest(message) => Error::InvalidRequest(message),
            Raw::Custom(message) => match message.strip_prefix(AUTH_MARKER) {
                Some(rest) => Error::Auth(AuthError::new(rest)),
                None => Error::InvalidRequest(message),
            },
        }
    }
}
