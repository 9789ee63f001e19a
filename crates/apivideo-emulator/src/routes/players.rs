//! Player themes: create (with the documented defaults), list (sorted),
//! show, update (PATCH), delete, and a logo (JPEG or PNG, with an optional
//! click-through `link`) served at `/embed/players/{playerId}/logo`. The
//! stored themes and their defaults are in `store::players`.

use apivideo_raw::types::{
    ListPlayersSortBy, ListPlayersSortOrder, PlayerTheme, PlayerThemeAssets,
    PlayerThemeCreationPayload, PlayerThemeUpdatePayload, PlayerThemesListResponse,
};
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::{ApiJson, ApiQuery};
use crate::form;
use crate::pagination::PageQuery;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::players::{self as store, Stored, load, logo_path, save};

/// Logo extensions, as the real API lists them.
const LOGO_EXTENSIONS: [&str; 6] = ["'jpg'", "'JPG'", "'jpeg'", "'JPEG'", "'png'", "'PNG'"];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/players", get(list).post(create))
        .route(
            "/players/{playerId}",
            get(show).patch(update).delete(remove),
        )
        .route(
            "/players/{playerId}/logo",
            post(upload_logo)
                .delete(delete_logo)
                .layer(DefaultBodyLimit::disable()),
        )
}

/// A player's logo, as a player fetches it: faults never apply to it.
pub(crate) fn asset_routes() -> Router<AppState> {
    Router::new().route("/embed/players/{playerId}/logo", get(serve_logo))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(rename = "sortBy")]
    sort_by: Option<ListPlayersSortBy>,
    #[serde(rename = "sortOrder")]
    sort_order: Option<ListPlayersSortOrder>,
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
    page: PageQuery,
) -> ApiResult<Json<PlayerThemesListResponse>> {
    let stored: Vec<Stored> = state.db.list(project.id(), Kind::Player, None)?;
    let mut themes: Vec<PlayerTheme> = stored.into_iter().map(|s| s.theme).collect();
    sort(&mut themes, query.sort_by, query.sort_order);
    let (data, pagination) = page.apply(themes)?;
    Ok(Json(PlayerThemesListResponse { data, pagination }))
}

/// Sorts by the given property (creation order without one). Ties are
/// broken by creation order (`themes` come in it), and `desc` is the exact
/// reverse of `asc`: themes created in the same millisecond still come
/// newest first by `createdAt` `desc`.
fn sort(
    themes: &mut [PlayerTheme],
    by: Option<ListPlayersSortBy>,
    order: Option<ListPlayersSortOrder>,
) {
    let cmp: fn(&PlayerTheme, &PlayerTheme) -> std::cmp::Ordering = match by {
        Some(ListPlayersSortBy::Name) => |a, b| a.name.cmp(&b.name),
        Some(ListPlayersSortBy::UpdatedAt) => |a, b| a.updated_at.cmp(&b.updated_at),
        // `createdAt`, or none. (Values the spec does not list are refused
        // when the query is decoded.)
        _ => |a, b| a.created_at.cmp(&b.created_at),
    };
    // Stable: equal themes keep creation order.
    themes.sort_by(cmp);
    if order == Some(ListPlayersSortOrder::Desc) {
        themes.reverse();
    }
}

async fn create(
    project: Project,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PlayerThemeCreationPayload>,
) -> ApiResult<(StatusCode, Json<PlayerTheme>)> {
    let stored = store::new_player(&state, body);
    save(&state, project.id(), &stored)?;
    Ok((StatusCode::CREATED, Json(stored.theme)))
}

async fn show(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PlayerTheme>> {
    Ok(Json(load(&state, project.id(), &id)?.theme))
}

/// PATCH: only the attributes present change.
async fn update(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PlayerThemeUpdatePayload>,
) -> ApiResult<Json<PlayerTheme>> {
    let project = project.id();
    let mut stored = load(&state, project, &id)?;
    let t = &mut stored.theme;
    if let Some(name) = body.name {
        t.name = Some(name.into());
    }
    let set = |slot: &mut String, value: Option<String>| {
        if let Some(value) = value {
            *slot = value;
        }
    };
    set(&mut t.text, body.text);
    set(&mut t.link, body.link);
    set(&mut t.link_hover, body.link_hover);
    set(&mut t.link_active, body.link_active);
    set(&mut t.track_played, body.track_played);
    set(&mut t.track_unplayed, body.track_unplayed);
    set(&mut t.track_background, body.track_background);
    set(&mut t.background_top, body.background_top);
    set(&mut t.background_bottom, body.background_bottom);
    set(&mut t.background_text, body.background_text);
    let flag = |slot: &mut bool, value: Option<bool>| {
        if let Some(value) = value {
            *slot = value;
        }
    };
    flag(&mut t.enable_api, body.enable_api);
    flag(&mut t.enable_controls, body.enable_controls);
    flag(&mut t.force_autoplay, body.force_autoplay);
    flag(&mut t.hide_title, body.hide_title);
    flag(&mut t.force_loop, body.force_loop);
    t.updated_at = state.now();
    save(&state, project, &stored)?;
    Ok(Json(stored.theme))
}

/// Deletes the theme and its logo; live streams using it lose their
/// `playerId`.
async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    store::delete(&state, project.id(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The content type of a logo by its extension, if it is one we take.
fn logo_type(file_name: Option<&str>) -> Option<&'static str> {
    match form::extension(file_name)?.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        _ => None,
    }
}

/// Takes a JPEG or PNG logo and the optional `link` part.
async fn upload_logo(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<PlayerTheme>)> {
    let project = project.id();
    let mut stored = load(&state, project, &id)?;
    let received = form::receive(&state, form, |name| {
        logo_type(name)
            .map(|_| ())
            .ok_or_else(|| ApiError::file_extension(&LOGO_EXTENSIONS))
    })
    .await?;
    let link = received
        .field("link")
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned);
    let content_type = logo_type(received.file_name.as_deref()).unwrap_or("image/jpeg");
    received.save(&logo_path(&state, project, &id)).await?;
    stored.logo_type = Some(content_type.to_owned());
    stored.theme.assets = Some(PlayerThemeAssets {
        logo: Some(format!("{}/embed/players/{id}/logo", state.base_url)),
        link,
    });
    stored.theme.updated_at = state.now();
    save(&state, project, &stored)?;
    Ok((StatusCode::CREATED, Json(stored.theme)))
}

async fn delete_logo(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let project = project.id();
    let mut stored = load(&state, project, &id)?;
    match tokio::fs::remove_file(logo_path(&state, project, &id)).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    if stored.logo_type.is_some() || stored.theme.assets.is_some() {
        stored.logo_type = None;
        stored.theme.assets = None;
        stored.theme.updated_at = state.now();
        save(&state, project, &stored)?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `/embed/players/{playerId}/logo` (no credential, like the CDN).
async fn serve_logo(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let missing = || ApiError::not_found("playerId");
    let (project, stored) = state
        .db
        .find::<Stored>(Kind::Player, &id)?
        .ok_or_else(missing)?;
    let content_type = stored.logo_type.ok_or_else(missing)?;
    let file = match tokio::fs::File::open(logo_path(&state, &project, &id)).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(e) => return Err(e.into()),
    };
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}
