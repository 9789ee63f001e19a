//! The assets of live streams, as a player fetches them, without a
//! credential: the live HLS playlist (`/live/{id}.m3u8`), the thumbnail
//! (`/live/{id}/thumbnail.jpg`) and a player page (`/embed/live/{id}`).
//! Faults never apply to them.

use apivideo_raw::types::LiveStream;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::db::Kind;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::live_streams::{playlist_ended, present, settled, thumbnail_path};

/// A gray 8×8 baseline JPEG, shown until a thumbnail is uploaded.
const PLACEHOLDER_JPEG: &[u8] = &[
    0xFF, 0xD8, // SOI
    0xFF, 0xDB, 0x00, 0x43, 0x00, // DQT, table 0, all ones
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, // 64 entries
    0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11,
    0x00, // SOF0 8×8, one component
    0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x00, // DHT DC 0: one code
    0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x00, // DHT AC 0: end of block
    0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, // SOS
    0x3F, // DC 0, EOB, padding
    0xFF, 0xD9, // EOI
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/live/{file}", get(serve_hls))
        .route("/live/{liveStreamId}/thumbnail.jpg", get(serve_thumbnail))
        .route("/embed/live/{liveStreamId}", get(serve_player))
}

fn find(state: &AppState, id: &str) -> ApiResult<(String, LiveStream)> {
    state
        .db
        .find(Kind::LiveStream, id)?
        .ok_or_else(|| ApiError::not_found("liveStreamId"))
}

/// `/live/{id}.m3u8`: a live HLS playlist without segments (the emulator
/// takes no RTMP), closed with `EXT-X-ENDLIST` once a broadcast has ended
/// and until the next one starts.
async fn serve_hls(State(state): State<AppState>, Path(file): Path<String>) -> ApiResult<Response> {
    let id = file
        .strip_suffix(".m3u8")
        .ok_or_else(|| ApiError::not_found("liveStreamId"))?;
    let (project, stream) = find(&state, id)?;
    let stream = settled(&state, &project, stream).await?;
    let ended = playlist_ended(&state, &project, &stream)?;
    let mut playlist =
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n".to_owned();
    if ended {
        playlist.push_str("#EXT-X-ENDLIST\n");
    }
    Ok((
        [(header::CONTENT_TYPE, "application/vnd.apple.mpegurl")],
        playlist,
    )
        .into_response())
}

/// `/live/{id}/thumbnail.jpg`: the uploaded thumbnail, or a placeholder.
async fn serve_thumbnail(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (project, _) = find(&state, &id)?;
    let path = thumbnail_path(&state, &project, &id);
    let body = match tokio::fs::File::open(&path).await {
        Ok(file) => Body::from_stream(tokio_util::io::ReaderStream::new(file)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Body::from(PLACEHOLDER_JPEG),
        Err(e) => return Err(e.into()),
    };
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], body).into_response())
}

/// `/embed/live/{id}`: a minimal player page.
async fn serve_player(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (_, stream) = find(&state, &id)?;
    let stream = present(&state, stream);
    let assets = stream.assets;
    let title = crate::formats::html::escape(&stream.name);
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><video controls autoplay poster=\"{}\" src=\"{}\"></video></body></html>\n",
        assets.thumbnail, assets.hls,
    );
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response())
}
