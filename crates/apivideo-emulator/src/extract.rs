//! Extractors that answer bad input with problem documents: malformed JSON,
//! a wrong content type, wrong attribute types, missing attributes and bad
//! query strings all get a 4xx naming the culprit, never a 5xx.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::problem::{ApiError, Invalid};
use crate::state::AppState;

/// A JSON body, decoded into `T` with problem-document rejections.
#[derive(Debug, Clone)]
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime.eq_ignore_ascii_case("application/json") || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid-content-type",
                "The request body must be JSON, sent with `Content-Type: application/json`.",
            ));
        }
        let limit = state.config.max_json_body;
        let bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| ApiError::too_large(limit))?;
        decode_json(&bytes).map(ApiJson)
    }
}

/// Decodes JSON into `T`, turning serde's error into a problem that names
/// the attribute at fault.
/// Like the API, it refuses enum values the spec does not list.
pub(crate) fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    apivideo_raw::unknown::strictly(|| serde_path_to_error::deserialize(de)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid-json",
                "The request body is not valid JSON.",
            )
            .with_detail(inner.to_string());
        }
        ApiError::invalid(vec![serde_problem(&path, &inner.to_string())])
    })
}

/// One problem from a serde message at `path` (`.` for the root).
pub(crate) fn serde_problem(path: &str, message: &str) -> Invalid {
    let message = message.split(" at line ").next().unwrap_or(message);
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        let name = if path == "." {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return Invalid::required(name);
    }
    let name = if path == "." {
        String::new()
    } else {
        path.to_owned()
    };
    let title = match message.split("expected ").nth(1) {
        Some(expected) => format!("This attribute must be {}.", expected.trim_end_matches('.')),
        None => format!("This attribute is invalid: {message}."),
    };
    Invalid::attribute(name, title)
}

/// A query string decoded into `T`, with problem-document rejections;
/// enum values the spec does not list are refused.
#[derive(Debug, Clone)]
pub(crate) struct ApiQuery<T>(pub(crate) T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        apivideo_raw::unknown::strictly(|| serde_path_to_error::deserialize(de))
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                ApiError::invalid(vec![serde_problem(&path, &e.into_inner().to_string())])
            })
    }
}

/// The raw query pairs, for filters with dynamic names such as
/// `metadata[key]=value` and repeated ones such as `tags[]=a&tags[]=b`.
pub(crate) fn query_pairs(parts_query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(parts_query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
