//! Video assets, served without credentials like a CDN would: the source
//! as MP4 (with `Range` support), an HLS manifest pointing at it, the
//! thumbnail (uploaded, or a generated JPEG), and a player page that
//! reports plays to the collector (`collector.rs`). A video that is unknown
//! or not uploaded yet answers 404.

use apivideo_raw::types::Video;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::db::Kind;
use crate::formats::byte_range::byte_range;
use crate::formats::html;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::videos::urls;
use crate::store::{encoding, ingest};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/vod/{videoId}/mp4/source.mp4", get(mp4))
        .route("/vod/{videoId}/hls/manifest.m3u8", get(manifest))
        .route("/vod/{videoId}/thumbnail.jpg", get(thumbnail))
        .route("/vod/{videoId}/token/{token}/mp4/source.mp4", get(mp4))
        .route(
            "/vod/{videoId}/token/{token}/hls/manifest.m3u8",
            get(manifest),
        )
        .route("/vod/{videoId}/token/{token}/thumbnail.jpg", get(thumbnail))
        .route("/embed/vod/{videoId}", get(player))
}

/// The path of an asset request: the video, and the token of a private
/// video's URL (in the path, or `?token=` on the player page).
#[derive(Debug, serde::Deserialize)]
struct AssetPath {
    #[serde(rename = "videoId")]
    video_id: String,
    token: Option<String>,
}

/// `?token=` of the player page.
#[derive(Debug, serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// A video with its project and ingest state, whatever the project.
struct Found {
    project: String,
    video: Video,
    ingest: ingest::Ingest,
}

/// The video of an asset request, if the request may see it: a private
/// video only through its token, and a token only for its own video. Any
/// refusal is the 404 of a video that does not exist.
fn find(state: &AppState, video_id: &str, token: Option<&str>) -> ApiResult<Found> {
    let (project, video) = state
        .db
        .find::<Video>(Kind::Video, video_id)?
        .ok_or_else(|| ApiError::not_found("videoId"))?;
    let allowed = match token {
        Some(token) => state.private_key.check(video_id, token),
        None => video.public != Some(false),
    };
    if !allowed {
        return Err(ApiError::not_found("videoId"));
    }
    let ingest = ingest::load(state, &project, video_id)?;
    Ok(Found {
        project,
        video,
        ingest,
    })
}

/// Like [`find`], but only for a video whose source has arrived.
fn find_uploaded(state: &AppState, video_id: &str, token: Option<&str>) -> ApiResult<Found> {
    let found = find(state, video_id, token)?;
    if found.ingest.uploaded {
        Ok(found)
    } else {
        Err(ApiError::not_found("videoId").with_detail("The video has no source yet."))
    }
}

async fn mp4(
    State(state): State<AppState>,
    Path(AssetPath { video_id, token }): Path<AssetPath>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let found = find_uploaded(&state, &video_id, token.as_deref())?;
    if found.ingest.imported_from.is_some() {
        // The emulator fetches nothing from the internet, and sending the
        // client to a URL a caller chose would make it an open redirect.
        return Err(ApiError::not_found("videoId").with_detail(
            "This video was imported from a URL: the emulator has not fetched its bytes.",
        ));
    }
    let path = ingest::video_dir(&state, &found.project, &video_id).join(ingest::SOURCE_FILE);
    let mut file = tokio::fs::File::open(&path)
        .await
        .map_err(|_| ApiError::not_found("videoId"))?;
    let len = file.metadata().await?.len();
    let range = match byte_range(headers.get(header::RANGE), len) {
        Ok(range) => range,
        Err(()) => {
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{len}"))],
            )
                .into_response());
        }
    };
    let (status, start, end) = match range {
        Some((start, end)) => (StatusCode::PARTIAL_CONTENT, start, end),
        None => (StatusCode::OK, 0, len.saturating_sub(1)),
    };
    let count = if len == 0 { 0 } else { end - start + 1 };
    file.seek(std::io::SeekFrom::Start(start)).await?;
    let body = Body::from_stream(ReaderStream::with_capacity(file.take(count), 64 * 1024));
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}"))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    Ok(response)
}

async fn manifest(
    State(state): State<AppState>,
    Path(AssetPath { video_id, token }): Path<AssetPath>,
) -> ApiResult<Response> {
    let found = find_uploaded(&state, &video_id, token.as_deref())?;
    let seconds = encoding::duration_of(found.ingest.filesize);
    let body = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:{seconds}\n\
         #EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:{seconds}.0,\n{}\n#EXT-X-ENDLIST\n",
        urls(&state, &found.video).mp4
    );
    Ok((
        [(header::CONTENT_TYPE, "application/vnd.apple.mpegurl")],
        body,
    )
        .into_response())
}

async fn thumbnail(
    State(state): State<AppState>,
    Path(AssetPath { video_id, token }): Path<AssetPath>,
) -> ApiResult<Response> {
    let found = find(&state, &video_id, token.as_deref())?;
    let path = ingest::video_dir(&state, &found.project, &video_id).join(ingest::THUMBNAIL_FILE);
    let jpeg = [(header::CONTENT_TYPE, "image/jpeg")];
    match tokio::fs::File::open(&path).await {
        Ok(mut file) => {
            let len = file.metadata().await?.len();
            // An uploaded thumbnail is served as it came (the emulator
            // converts no image): its type is read from its first bytes.
            let mut magic = [0u8; 12];
            let read = file.read(&mut magic).await?;
            file.seek(std::io::SeekFrom::Start(0)).await?;
            let kind = [(header::CONTENT_TYPE, image_type(&magic[..read]))];
            let body = Body::from_stream(ReaderStream::new(file));
            return Ok((kind, [(header::CONTENT_LENGTH, len)], body).into_response());
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        Err(_) => {}
    }
    if !found.ingest.uploaded {
        return Err(ApiError::not_found("videoId").with_detail("The video has no thumbnail yet."));
    }
    let level = found
        .ingest
        .thumbnail_timecode
        .as_deref()
        .map_or(128, gray_level);
    Ok((jpeg, crate::formats::jpeg::solid_jpeg(320, 180, level)).into_response())
}

/// A gray level for a picked frame, so different frames look different.
fn gray_level(timecode: &str) -> u8 {
    let hash = timecode
        .bytes()
        .fold(17u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    // 40..=215: never black or white.
    40 + (hash % 176) as u8
}

/// The player page's script (see `collector.rs` for what it reports).
const PLAYER_SCRIPT: &str = include_str!("player.js");

/// The player page: the uploaded file in a `<video>` element, and a script
/// that reports the viewer's session to the collector (`/collector`), so a
/// video played in a browser shows up in the analytics and `/data`
/// metrics. Self-contained: no resource but the video's own. A private
/// video's page takes its token (`?token=`) and plays its tokenised URLs.
async fn player(
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<TokenQuery>,
) -> ApiResult<Response> {
    let found = find_uploaded(&state, &video_id, query.token.as_deref())?;
    let title = html::escape(&found.video.title);
    let urls = urls(&state, &found.video);
    let mp4 = html::escape(&urls.mp4);
    let poster = html::escape(&urls.thumbnail);
    let config = script_json(&serde_json::json!({
        "videoId": video_id,
        "collector": format!("{}/collector", state.base_url),
    }));
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n\
         <title>{title}</title>\n\
         <style>html,body{{margin:0;height:100%;background:#000}}video{{display:block;width:100%;height:100%}}</style>\n\
         </head>\n<body>\n\
         <video src=\"{mp4}\" id=\"player\" poster=\"{poster}\" controls playsinline preload=\"metadata\"></video>\n\
         <script type=\"application/json\" id=\"player-config\">{config}</script>\n\
         <script>\n{PLAYER_SCRIPT}</script>\n</body>\n</html>\n"
    );
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response())
}

/// The media type of an image from its first bytes: PNG and WebP by their
/// signatures, JPEG otherwise.
fn image_type(magic: &[u8]) -> &'static str {
    if magic.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if magic.len() >= 12 && &magic[..4] == b"RIFF" && &magic[8..12] == b"WEBP" {
        "image/webp"
    } else {
        "image/jpeg"
    }
}

/// JSON to put inside a `<script>` element: no `<`, so no `</script>` or
/// `<!--` can end or change it.
fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_end_its_element() {
        let json = script_json(&serde_json::json!({"a": "</script><!--"}));
        assert!(!json.contains('<'));
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["a"], "</script><!--");
        // The script is inlined as it is.
        assert!(!PLAYER_SCRIPT.contains("</") && !PLAYER_SCRIPT.contains("<!--"));
    }
}
