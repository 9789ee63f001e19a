//! Authentication: `/auth/api-key` and `/auth/refresh` issue tokens, and the
//! [`Project`] extractor admits a request by bearer token or by HTTP basic
//! with the API key as user name. Each API key is its own project.

use apivideo_raw::types::{AccessToken, AuthenticatePayload, RefreshTokenPayload};
use axum::extract::{FromRequestParts, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;

use crate::db::TokenKind;
use crate::extract::ApiJson;
use crate::ids;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// The project (API key) a request acts for. Taking it as an argument makes
/// a handler require authentication.
#[derive(Debug, Clone)]
pub(crate) struct Project(pub(crate) String);

impl Project {
    pub(crate) fn id(&self) -> &str {
        &self.0
    }
}

impl FromRequestParts<AppState> for Project {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // Found once per request by the outer layer; resolved here only
        // when that lookup failed (its storage error is then reported).
        let project = match parts.extensions.get::<RequestProject>() {
            Some(RequestProject(project)) => project.clone(),
            None => project_of(state, &parts.headers)?,
        };
        project.map(Project).ok_or_else(ApiError::unauthorized)
    }
}

/// The project whose credential (a live access token, or an API key as
/// HTTP basic) `headers` carry, if any.
pub(crate) fn project_of(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(header) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Some((scheme, credential)) = header.split_once(' ') else {
        return Ok(None);
    };
    Ok(if scheme.eq_ignore_ascii_case("bearer") {
        state.db.token_project(
            credential.trim(),
            TokenKind::Access,
            state.clock.real_millis(),
        )?
    } else if scheme.eq_ignore_ascii_case("basic") {
        basic_user(credential).and_then(|key| state.project_of_key(&key).map(str::to_owned))
    } else {
        None
    })
}

/// The project a request acts for, found once by the outermost layer and
/// read by the inner ones (faults, the [`Project`] extractor); `None`
/// without a valid credential. Absent when the lookup itself failed.
#[derive(Debug, Clone)]
pub(crate) struct RequestProject(pub(crate) Option<String>);

/// The user name of an HTTP basic credential.
fn basic_user(credential: &str) -> Option<String> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(credential.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let user = text.split_once(':').map_or(text.as_str(), |(user, _)| user);
    Some(user.to_owned())
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/api-key", post(authenticate))
        .route("/auth/refresh", post(refresh))
}

async fn authenticate(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AuthenticatePayload>,
) -> ApiResult<Json<AccessToken>> {
    let project = state
        .project_of_key(&body.api_key)
        .ok_or_else(ApiError::bad_credentials)?
        .to_owned();
    Ok(Json(issue(&state, &project)?))
}

async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshTokenPayload>,
) -> ApiResult<Json<AccessToken>> {
    // A refresh token is used once, even by concurrent calls: taking it
    // checks and removes it at once. The answer carries its successor.
    let project = state
        .db
        .take_token(
            &body.refresh_token,
            TokenKind::Refresh,
            state.clock.real_millis(),
        )?
        .ok_or_else(ApiError::bad_credentials)?;
    Ok(Json(issue(&state, &project)?))
}

/// A new access token (living `token_ttl`) and refresh token (a day longer).
/// Expiry is kept in milliseconds so sub-second lifetimes work in tests.
fn issue(state: &AppState, project: &str) -> ApiResult<AccessToken> {
    let now = state.clock.real_millis();
    let ttl_ms = i64::try_from(state.config.token_ttl.as_millis())
        .unwrap_or(i64::MAX / 4)
        .max(1);
    let ttl = (ttl_ms / 1000).max(1);
    let access = ids::secret();
    let refresh = ids::secret();
    state
        .db
        .put_token(&access, TokenKind::Access, project, now + ttl_ms)?;
    state.db.put_token(
        &refresh,
        TokenKind::Refresh,
        project,
        now + ttl_ms + 86_400_000,
    )?;
    state.db.purge_tokens(now)?;
    Ok(AccessToken {
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer".to_owned(),
        expires_in: ttl,
    })
}
