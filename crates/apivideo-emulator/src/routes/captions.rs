//! Captions: WebVTT subtitle tracks of a video, one per BCP 47 language
//! tag, at most one of them the default. Stored under the video (so they go
//! with it) and served at `/vod/{videoId}/captions/{language}.vtt`.

use apivideo_raw::types::{Caption, CaptionUpdatePayload, CaptionsListResponse};
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::Project;
use crate::extract::ApiJson;
use crate::form;
use crate::pagination::PageQuery;
use crate::problem::ApiResult;
use crate::state::AppState;
use crate::store::tracks::{self, CAPTIONS, Track};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/videos/{videoId}/captions", get(list))
        .route(
            "/videos/{videoId}/captions/{language}",
            get(show)
                .patch(update)
                .delete(remove)
                .post(upload)
                .layer(DefaultBodyLimit::disable()),
        )
}

/// The captions' WebVTT files, as a player fetches them: faults never
/// apply to them.
pub(crate) fn asset_routes() -> Router<AppState> {
    Router::new().route("/vod/{videoId}/captions/{file}", get(serve))
}

fn present(state: &AppState, track: &Track) -> Caption {
    Caption {
        uri: track.uri(CAPTIONS),
        src: track.src(state, CAPTIONS),
        srclang: track.language.clone(),
        language_name: language_name(&track.language),
        default: track.default,
    }
}

/// The name of a BCP 47 language, in that language, as the API writes it:
/// from its primary subtag (`pt-BR` is `português`); the tag itself for a
/// language this table does not know.
pub(crate) fn language_name(tag: &str) -> String {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .to_ascii_lowercase();
    let name = match primary.as_str() {
        "ar" => "العربية",
        "ca" => "català",
        "cs" => "čeština",
        "da" => "dansk",
        "de" => "Deutsch",
        "el" => "Ελληνικά",
        "en" => "English",
        "es" => "español",
        "fa" => "فارسی",
        "fi" => "suomi",
        "fr" => "français",
        "he" => "עברית",
        "hi" => "हिन्दी",
        "hr" => "hrvatski",
        "hu" => "magyar",
        "it" => "italiano",
        "ja" => "日本語",
        "ko" => "한국어",
        "nl" => "Nederlands",
        "nn" => "norsk nynorsk",
        "no" | "nb" => "norsk",
        "pl" => "polski",
        "pt" => "português",
        "ru" => "русский",
        "sk" => "slovenčina",
        "sl" => "slovenščina",
        "sv" => "svenska",
        "tr" => "Türkçe",
        "uk" => "українська",
        "vi" => "Tiếng Việt",
        "zh" => "中文",
        _ => return tag.to_owned(),
    };
    name.to_owned()
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    page: PageQuery,
) -> ApiResult<Json<CaptionsListResponse>> {
    let tracks = tracks::list(&state, project.id(), CAPTIONS, &video_id)?;
    let (data, pagination) = page.apply(tracks)?;
    Ok(Json(CaptionsListResponse {
        data: data.iter().map(|t| present(&state, t)).collect(),
        pagination,
    }))
}

async fn show(
    project: Project,
    State(state): State<AppState>,
    Path((video_id, language)): Path<(String, String)>,
) -> ApiResult<Json<Caption>> {
    let track = tracks::get(&state, project.id(), CAPTIONS, &video_id, &language)?;
    Ok(Json(present(&state, &track)))
}

async fn upload(
    project: Project,
    State(state): State<AppState>,
    Path((video_id, language)): Path<(String, String)>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<Caption>> {
    let project = project.id();
    let language = tracks::upload_language(&state, project, &video_id, &language)?;
    let received = form::receive(&state, form, |_| Ok(())).await?;
    let track = tracks::upload(&state, project, CAPTIONS, &video_id, language, received).await?;
    Ok(Json(present(&state, &track)))
}

/// Changes `default`; making one caption the default clears the flag on the
/// video's other captions.
async fn update(
    project: Project,
    State(state): State<AppState>,
    Path((video_id, language)): Path<(String, String)>,
    ApiJson(body): ApiJson<CaptionUpdatePayload>,
) -> ApiResult<Json<Caption>> {
    let project = project.id();
    let mut track = tracks::get(&state, project, CAPTIONS, &video_id, &language)?;
    if let Some(default) = body.default {
        if default {
            for mut other in tracks::list(&state, project, CAPTIONS, &video_id)? {
                if other.default && other.language != track.language {
                    other.default = false;
                    tracks::put(&state, project, CAPTIONS, &other)?;
                }
            }
        }
        track.default = default;
        tracks::put(&state, project, CAPTIONS, &track)?;
    }
    Ok(Json(present(&state, &track)))
}

async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path((video_id, language)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    tracks::delete(&state, project.id(), CAPTIONS, &video_id, &language).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn serve(
    State(state): State<AppState>,
    Path((video_id, file)): Path<(String, String)>,
) -> ApiResult<Response> {
    let file = tracks::open(&state, CAPTIONS, &video_id, &file).await?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok(([(header::CONTENT_TYPE, "text/vtt; charset=utf-8")], body).into_response())
}
