//! Errors as the API answers them: problem documents
//! (`{type, title, status, name, detail, problems[]}`).

use apivideo_raw::types::{Problem, ProblemDetail};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const DOCS: &str = "https://docs.api.video/reference";

/// Most characters of a title, a name or a detail. They may quote the
/// request (a parameter's name, a decoder's message), so a longer one is
/// cut, ending in `…`: an answer never grows with the input it refuses.
const MAX_TEXT: usize = 512;
/// Most entries of `problems`; the count of the others is in `detail`.
const MAX_PROBLEMS: usize = 100;

/// `text`, cut to [`MAX_TEXT`] characters.
fn bounded(text: impl Into<String>) -> String {
    let mut text = text.into();
    if let Some((at, _)) = text.char_indices().nth(MAX_TEXT) {
        text.truncate(at);
        text.push('…');
    }
    text
}

/// An error answer. Handlers return `Result<_, ApiError>`. Boxed inside,
/// so `Result`s stay small.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) problem: Box<Problem>,
    pub(crate) headers: Option<Box<HeaderMap>>,
}

/// One attribute problem, for [`ApiError::invalid`].
#[derive(Debug, Clone)]
pub(crate) struct Invalid {
    pub(crate) kind: &'static str,
    pub(crate) title: String,
    pub(crate) name: String,
}

impl Invalid {
    /// `name` is missing.
    pub(crate) fn required(name: impl Into<String>) -> Self {
        Self {
            kind: "attribute-required",
            title: "This attribute is required.".into(),
            name: bounded(name),
        }
    }

    /// `name` has a bad value; `title` says what it must be.
    pub(crate) fn attribute(name: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            kind: "invalid-attribute",
            title: bounded(title),
            name: bounded(name),
        }
    }

    /// Query parameter `name` is outside `min..=max`.
    pub(crate) fn out_of_range(name: impl Into<String>) -> Self {
        Self {
            kind: "invalid-query-parameter",
            title: "This parameter is out of the allowed range of values.".into(),
            name: bounded(name),
        }
    }
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, kind: &str, title: impl Into<String>) -> Self {
        Self {
            status,
            problem: Box::new(Problem {
                type_: Some(format!("{DOCS}/{kind}")),
                title: Some(bounded(title)),
                status: Some(i64::from(status.as_u16())),
                name: None,
                detail: None,
                problems: Vec::new(),
            }),
            headers: None,
        }
    }

    /// Names the attribute or parameter at fault.
    pub(crate) fn with_name(mut self, name: impl Into<String>) -> Self {
        self.problem.name = Some(bounded(name));
        self
    }

    /// Adds a human-readable detail.
    pub(crate) fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.problem.detail = Some(bounded(detail));
        self
    }

    /// Adds a response header.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl ToString) -> Self {
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            self.headers
                .get_or_insert_with(Default::default)
                .insert(HeaderName::from_static(name), v);
        }
        self
    }

    /// 400 for one or more invalid attributes: the first is the headline,
    /// and `problems` lists them, up to [`MAX_PROBLEMS`].
    pub(crate) fn invalid(problems: Vec<Invalid>) -> Self {
        let left_out = problems.len().saturating_sub(MAX_PROBLEMS);
        let first = problems
            .first()
            .cloned()
            .unwrap_or_else(|| Invalid::attribute("", "The request is invalid."));
        let mut err =
            Self::new(StatusCode::BAD_REQUEST, first.kind, first.title).with_name(first.name);
        err.problem.problems = problems
            .into_iter()
            .take(MAX_PROBLEMS)
            .map(|p| ProblemDetail {
                type_: Some(format!("{DOCS}/{}", p.kind)),
                title: Some(p.title),
                name: Some(p.name),
                status: Some(400),
            })
            .collect();
        if left_out > 0 {
            err = err.with_detail(format!("{left_out} more problem(s) are not listed."));
        }
        err
    }

    /// 400 for one invalid attribute.
    pub(crate) fn attribute(name: impl Into<String>, title: impl Into<String>) -> Self {
        Self::invalid(vec![Invalid::attribute(name, title)])
    }

    /// 404 naming the path parameter whose resource does not exist.
    pub(crate) fn not_found(name: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource-not-found",
            "The requested resource was not found.",
        )
        .with_name(name)
    }

    /// 401: no credential, or a wrong or expired one.
    pub(crate) fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "authentication-failed", "Unauthorized request.")
            .with_detail("Send a valid bearer token from /auth/api-key, or the API key as the HTTP basic user name.")
            .with_header("www-authenticate", "Bearer")
    }

    /// 401 at an admin route: no admin token. API keys and their tokens
    /// never open these routes.
    pub(crate) fn admin_unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "authentication-failed", "Unauthorized request.")
            .with_detail("This admin route takes the emulator's admin token as a bearer token (--admin-token or APIVIDEO_EMULATOR_ADMIN_TOKEN); an API key does not open it.")
            .with_header("www-authenticate", "Bearer")
    }

    /// 400 at `/auth/*`: unknown API key or refresh token.
    pub(crate) fn bad_credentials() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "authentication-invalid-credentials",
            "The user credentials were incorrect.",
        )
    }

    /// 400: an uploaded file has an extension the operation does not take.
    pub(crate) fn file_extension(allowed: &[&str]) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "uploaded-file-extension-invalid",
            format!("Only [{}] extensions are supported.", allowed.join(", ")),
        )
        .with_name("file")
    }

    /// 400: a multipart request carries no file.
    pub(crate) fn file_missing() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "uploaded-file-no-file",
            "There is no uploaded file in the request.",
        )
        .with_name("file")
    }

    /// 400: the video's source was uploaded already.
    pub(crate) fn already_uploaded() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "video-source-already-uploaded",
            "The source of the video is already uploaded.",
        )
        .with_name("file")
    }

    /// 413: the body is larger than the emulator accepts.
    pub(crate) fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "The request body is too large.",
        )
        .with_detail(format!("At most {limit} bytes are accepted."))
    }

    /// 500 for a failure of the emulator itself (storage, I/O).
    pub(crate) fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error",
            "An internal error occurred.",
        )
        .with_detail(detail.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(*self.problem)).into_response();
        if let Some(headers) = self.headers {
            response.headers_mut().extend(*headers);
        }
        response
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        Self::internal(e)
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        Self::internal(e)
    }
}

/// The result of a handler.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_text_is_cut_at_a_character() {
        let long = "é".repeat(MAX_TEXT * 3);
        let err = ApiError::attribute(long.clone(), long.clone()).with_detail(long.clone());
        let problem = &err.problem;
        for text in [&problem.title, &problem.name, &problem.detail] {
            let text = text.as_deref().unwrap();
            assert_eq!(text.chars().count(), MAX_TEXT + 1);
            assert!(text.ends_with("é…"), "{text}");
        }
        let listed = &problem.problems[0];
        assert_eq!(
            listed.name.as_deref().map(str::len),
            problem.name.as_deref().map(str::len)
        );
        // Short texts are kept whole.
        let short = ApiError::attribute("title", "This attribute must be a string.");
        assert_eq!(
            short.problem.title.as_deref(),
            Some("This attribute must be a string.")
        );
        assert_eq!(bounded("x".repeat(MAX_TEXT)), "x".repeat(MAX_TEXT));
    }

    #[test]
    fn problems_are_listed_up_to_the_bound() {
        let many = (0..MAX_PROBLEMS + 7)
            .map(|i| Invalid::required(format!("field{i}")))
            .collect();
        let err = ApiError::invalid(many);
        assert_eq!(err.problem.problems.len(), MAX_PROBLEMS);
        assert_eq!(err.problem.name.as_deref(), Some("field0"));
        assert_eq!(
            err.problem.detail.as_deref(),
            Some("7 more problem(s) are not listed.")
        );
        let few = ApiError::invalid(vec![Invalid::required("a"), Invalid::required("b")]);
        assert_eq!(few.problem.problems.len(), 2);
        assert_eq!(few.problem.detail, None);
    }
}
