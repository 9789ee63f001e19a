//! Delegated upload tokens: create (with a lifetime, 0 for never
//! expiring), list the live ones, show and delete. An expired token is
//! gone: not listed, 404 when asked for, refused by `/upload`.

use apivideo_raw::types::{TokenListResponse, UploadToken};
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::videos::check_sort;
use crate::auth::Project;
use crate::db::Kind;
use crate::extract::{ApiJson, ApiQuery, query_pairs};
use crate::ids::{new_id, prefix};
use crate::pagination::Page;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Largest `ttl` accepted, in seconds.
const MAX_TTL: i64 = 2_147_483_647;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/upload-tokens", get(list).post(create))
        .route("/upload-tokens/{uploadToken}", get(show).delete(remove))
}

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

/// The `ttl` of a creation body: an integer from 0 to [`MAX_TTL`].
fn ttl_of(body: &Value) -> ApiResult<i64> {
    let map = body
        .as_object()
        .ok_or_else(|| ApiError::attribute("", "The request body must be a JSON object."))?;
    match map.get("ttl") {
        None | Some(Value::Null) => Ok(0),
        Some(ttl) => ttl
            .as_i64()
            .filter(|t| (0..=MAX_TTL).contains(t))
            .ok_or_else(|| {
                ApiError::attribute(
                    "ttl",
                    format!("This attribute must be an integer between 0 and {MAX_TTL}."),
                )
            }),
    }
}

async fn create(
    project: Project,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<UploadToken>> {
    let ttl = ttl_of(&body)?;
    let created = state.now();
    let token = UploadToken {
        token: new_id(prefix::UPLOAD_TOKEN),
        ttl,
        created_at: created,
        expires_at: (ttl > 0).then(|| created + chrono::Duration::seconds(ttl)),
    };
    let id = token.token.as_str();
    state
        .db
        .put(project.id(), Kind::UploadToken, id, None, &token)?;
    Ok(Json(token))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(rename = "sortBy")]
    sort_by: Option<String>,
    #[serde(rename = "sortOrder")]
    sort_order: Option<String>,
    #[serde(rename = "currentPage")]
    current_page: Option<i64>,
    #[serde(rename = "pageSize")]
    page_size: Option<i64>,
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    uri: Uri,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<TokenListResponse>> {
    let page = Page::new(q.current_page, q.page_size)?;
    let desc = check_sort(
        q.sort_by.as_deref(),
        &["createdAt", "ttl"],
        q.sort_order.as_deref(),
    )?;
    let now = state.clock.now_millis();
    let mut tokens: Vec<UploadToken> = Vec::new();
    for token in state
        .db
        .list::<UploadToken>(project.id(), Kind::UploadToken, None)?
    {
        if is_live(&token, now) {
            tokens.push(token);
        } else {
            // Expired tokens are gone for good.
            state
                .db
                .delete(project.id(), Kind::UploadToken, &token.token)?;
        }
    }
    match q.sort_by.as_deref() {
        Some("ttl") => tokens.sort_by_key(|t| t.ttl),
        Some(_) => tokens.sort_by_key(|t| t.created_at),
        None => {}
    }
    if desc && q.sort_by.is_some() {
        tokens.reverse();
    }
    let pairs = query_pairs(uri.query());
    let (data, pagination) =
        page.apply(tokens, &format!("{}/upload-tokens", state.base_url), &pairs)?;
    Ok(Json(TokenListResponse { data, pagination }))
}

/// A live token of this project, or the 404 naming `uploadToken`.
fn load(state: &AppState, project: &str, token: &str) -> ApiResult<UploadToken> {
    state
        .db
        .get::<UploadToken>(project, Kind::UploadToken, token)?
        .filter(|t| is_live(t, state.clock.now_millis()))
        .ok_or_else(|| ApiError::not_found("uploadToken"))
}

async fn show(
    project: Project,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<UploadToken>> {
    Ok(Json(load(&state, project.id(), &token)?))
}

async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<StatusCode> {
    load(&state, project.id(), &token)?;
    state.db.delete(project.id(), Kind::UploadToken, &token)?;
    Ok(StatusCode::NO_CONTENT)
}
