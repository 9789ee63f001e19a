//! Delegated upload tokens: create (with a lifetime, 0 for never
//! expiring), list the live ones, show and delete. An expired token is
//! gone: not listed, 404 when asked for, refused by `/upload`.

use apivideo_raw::types::{TokenListResponse, UploadToken};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::{ApiJson, ApiQuery};
use crate::ids::{new_id, prefix};
use crate::pagination::{PageQuery, check_sort};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::upload_tokens;

/// Largest `ttl` accepted, in seconds.
const MAX_TTL: i64 = 2_147_483_647;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/upload-tokens", get(list).post(create))
        .route("/upload-tokens/{uploadToken}", get(show).delete(remove))
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
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
    page: PageQuery,
) -> ApiResult<Json<TokenListResponse>> {
    let desc = check_sort(
        q.sort_by.as_deref(),
        &["createdAt", "ttl"],
        q.sort_order.as_deref(),
    )?;
    let mut tokens = upload_tokens::list_live(&state, project.id())?;
    match q.sort_by.as_deref() {
        Some("ttl") => tokens.sort_by_key(|t| t.ttl),
        Some(_) => tokens.sort_by_key(|t| t.created_at),
        None => {}
    }
    if desc && q.sort_by.is_some() {
        tokens.reverse();
    }
    let (data, pagination) = page.apply(tokens)?;
    Ok(Json(TokenListResponse { data, pagination }))
}

async fn show(
    project: Project,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<UploadToken>> {
    Ok(Json(upload_tokens::load(&state, project.id(), &token)?))
}

async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<StatusCode> {
    upload_tokens::load(&state, project.id(), &token)?;
    state.db.delete(project.id(), Kind::UploadToken, &token)?;
    Ok(StatusCode::NO_CONTENT)
}
