//! Delegated upload tokens as stored. A token past its `expiresAt` on the
//! emulator's clock is gone: not listed (and deleted when a list meets
//! it), 404 when asked for, refused by `/upload`.

use apivideo_raw::types::UploadToken;
use axum::http::StatusCode;

use crate::db::Kind;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Whether the token has not expired at `now` (Unix milliseconds on the
/// emulator's clock, like its `expiresAt`).
fn is_live(token: &UploadToken, now: i64) -> bool {
    token.expires_at.is_none_or(|e| e.timestamp_millis() > now)
}

/// The project a live upload token belongs to.
pub(crate) fn project_of(state: &AppState, token: &str) -> ApiResult<Option<String>> {
    Ok(state
        .db
        .find::<UploadToken>(Kind::UploadToken, token)?
        .filter(|(_, t)| is_live(t, state.clock.now_millis()))
        .map(|(project, _)| project))
}

/// 400 for `/upload` with an unknown, deleted or expired token.
pub(crate) fn invalid_token() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid-upload-token",
        "The upload token does not exist or has expired.",
    )
    .with_name("token")
}

/// A live token of this project, or the 404 naming `uploadToken`.
pub(crate) fn load(state: &AppState, project: &str, token: &str) -> ApiResult<UploadToken> {
    state
        .db
        .get::<UploadToken>(project, Kind::UploadToken, token)?
        .filter(|t| is_live(t, state.clock.now_millis()))
        .ok_or_else(|| ApiError::not_found("uploadToken"))
}

/// The project's live tokens, in creation order; the expired ones met on
/// the way are deleted for good.
pub(crate) fn list_live(state: &AppState, project: &str) -> ApiResult<Vec<UploadToken>> {
    let now = state.clock.now_millis();
    let mut tokens = Vec::new();
    for token in state
        .db
        .list::<UploadToken>(project, Kind::UploadToken, None)?
    {
        if is_live(&token, now) {
            tokens.push(token);
        } else {
            state.db.delete(project, Kind::UploadToken, &token.token)?;
        }
    }
    Ok(tokens)
}
