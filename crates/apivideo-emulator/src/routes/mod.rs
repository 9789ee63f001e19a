//! The API's routes, one module per resource, assembled into one router
//! with request logging, counters and fault injection.

mod account;
mod analytics;
pub(crate) mod assets;
mod captions;
mod chapters;
mod collector;
mod live_assets;
mod live_streams;
mod metrics;
mod players;
mod summaries;
mod tags;
mod upload_tokens;
mod uploads;
mod videos;
mod watermarks;
mod webhooks;

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;
use crate::state::AppState;

pub(crate) fn router(state: AppState) -> Router {
    // Faults are injected into the API's routes alone: the admin routes,
    // the assets a player fetches and the player's reports are separate
    // routers, merged in after the fault layer, so no path prefix decides.
    let api = Router::new()
        .merge(crate::auth::routes())
        .merge(account::routes())
        .merge(videos::routes())
        .merge(uploads::routes())
        .merge(upload_tokens::routes())
        .merge(live_streams::routes())
        .merge(players::routes())
        .merge(tags::routes())
        .merge(captions::routes())
        .merge(chapters::routes())
        .merge(watermarks::routes())
        .merge(summaries::routes())
        .merge(webhooks::routes())
        .merge(analytics::routes())
        .merge(metrics::routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::faults::inject,
        ));
    Router::new()
        .merge(api)
        .merge(crate::admin::routes())
        .merge(asset_routes())
        .merge(collector::routes())
        .method_not_allowed_fallback(method_not_allowed)
        // Every matched request is counted and logged, faults included.
        .route_layer(middleware::from_fn_with_state(state.clone(), observe))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::multipart_guard::guard,
        ))
        .layer(middleware::from_fn(crate::drain::drain_unread))
        .with_state(state)
}

/// The assets a player fetches (files, manifests, pages, images).
fn asset_routes() -> Router<AppState> {
    Router::new()
        .merge(assets::routes())
        .merge(captions::asset_routes())
        .merge(chapters::asset_routes())
        .merge(live_assets::routes())
        .merge(players::asset_routes())
}

/// Counts and logs each request by route (never its headers or query, which
/// may carry secrets).
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| req.uri().path().to_owned(), |m| m.as_str().to_owned());
    let route = format!("{} {route}", req.method());
    let path = req.uri().path().to_owned();
    // A storage failure here only leaves the request out of its
    // project's counters and scoped faults; the handler, which looks the
    // project up again, reports it.
    let found = crate::auth::project_of(&state, req.headers()).ok();
    let project = found.clone().flatten();
    state.counters.request(&route, project.as_deref());
    let started = Instant::now();
    let mut req = req;
    if let Some(found) = found {
        req.extensions_mut()
            .insert(crate::auth::RequestProject(found));
    }
    let response = next.run(req).await;
    let status = response.status().as_u16();
    state.counters.response(&route, status, project.as_deref());
    tracing::info!(%route, %path, status, elapsed_ms = started.elapsed().as_millis() as u64, "request");
    response
}

async fn not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "route-not-found",
        "No such route in the api.video API.",
    )
    .into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "This route does not take this method.",
    )
    .into_response()
}
