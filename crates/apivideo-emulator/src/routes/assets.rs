//! Video assets, served without credentials like a CDN would: the source
//! as MP4 (with `Range` support), an HLS manifest pointing at it, the
//! thumbnail (uploaded, or a generated JPEG), and a player page. A video
//! that is unknown or not uploaded yet answers 404.

use apivideo_raw::types::Video;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use super::videos::{encoding, ingest};
use crate::db::Kind;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/vod/{videoId}/mp4/source.mp4", get(mp4))
        .route("/vod/{videoId}/hls/manifest.m3u8", get(manifest))
        .route("/vod/{videoId}/thumbnail.jpg", get(thumbnail))
        .route("/embed/vod/{videoId}", get(player))
}

/// A video with its project and ingest state, whatever the project.
struct Found {
    project: String,
    video: Video,
    ingest: ingest::Ingest,
}

fn find(state: &AppState, video_id: &str) -> ApiResult<Found> {
    let (project, video) = state
        .db
        .find::<Video>(Kind::Video, video_id)?
        .ok_or_else(|| ApiError::not_found("videoId"))?;
    let ingest = ingest::load(state, &project, video_id)?;
    Ok(Found {
        project,
        video,
        ingest,
    })
}

/// Like [`find`], but only for a video whose source has arrived.
fn find_uploaded(state: &AppState, video_id: &str) -> ApiResult<Found> {
    let found = find(state, video_id)?;
    if found.ingest.uploaded {
        Ok(found)
    } else {
        Err(ApiError::not_found("videoId").with_detail("The video has no source yet."))
    }
}

fn mp4_url(state: &AppState, video_id: &str) -> String {
    format!("{}/vod/{video_id}/mp4/source.mp4", state.base_url)
}

async fn mp4(
    State(state): State<AppState>,
    Path(video_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let found = find_uploaded(&state, &video_id)?;
    if let Some(url) = &found.ingest.imported_from {
        // Imported from a URL: the bytes live there.
        return Ok((
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, url.clone())],
        )
            .into_response());
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

/// The one range of a `Range: bytes=…` header: `Ok(None)` for the whole
/// file (no header, several ranges or one we do not understand),
/// `Err(())` when it lies outside the file.
fn byte_range(header: Option<&HeaderValue>, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = header
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.trim().strip_prefix("bytes="))
        .filter(|s| !s.contains(','))
    else {
        return Ok(None);
    };
    let Some((from, to)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    let (from, to) = (from.trim(), to.trim());
    let parsed = |s: &str| s.parse::<u64>().ok();
    match (parsed(from), parsed(to)) {
        (Some(a), _) if a >= len => Err(()),
        (Some(a), Some(b)) if a <= b => Ok(Some((a, b.min(len - 1)))),
        (Some(a), None) if to.is_empty() => Ok(Some((a, len - 1))),
        (None, Some(n)) if from.is_empty() => match n.min(len) {
            0 => Err(()),
            n => Ok(Some((len - n, len - 1))),
        },
        _ => Ok(None),
    }
}

async fn manifest(
    State(state): State<AppState>,
    Path(video_id): Path<String>,
) -> ApiResult<Response> {
    let found = find_uploaded(&state, &video_id)?;
    let seconds = encoding::duration_of(found.ingest.filesize);
    let body = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:{seconds}\n\
         #EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:{seconds}.0,\n{}\n#EXT-X-ENDLIST\n",
        mp4_url(&state, &video_id)
    );
    Ok((
        [(header::CONTENT_TYPE, "application/vnd.apple.mpegurl")],
        body,
    )
        .into_response())
}

async fn thumbnail(
    State(state): State<AppState>,
    Path(video_id): Path<String>,
) -> ApiResult<Response> {
    let found = find(&state, &video_id)?;
    let path = ingest::video_dir(&state, &found.project, &video_id).join(ingest::THUMBNAIL_FILE);
    let jpeg = [(header::CONTENT_TYPE, "image/jpeg")];
    match tokio::fs::File::open(&path).await {
        Ok(file) => {
            let len = file.metadata().await?.len();
            let body = Body::from_stream(ReaderStream::new(file));
            return Ok((jpeg, [(header::CONTENT_LENGTH, len)], body).into_response());
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
    Ok((jpeg, solid_jpeg(320, 180, level)).into_response())
}

/// A gray level for a picked frame, so different frames look different.
fn gray_level(timecode: &str) -> u8 {
    let hash = timecode
        .bytes()
        .fold(17u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    // 40..=215: never black or white.
    40 + (hash % 176) as u8
}

async fn player(
    State(state): State<AppState>,
    Path(video_id): Path<String>,
) -> ApiResult<Response> {
    let found = find_uploaded(&state, &video_id)?;
    let title = html_escape(&found.video.title);
    let mp4 = mp4_url(&state, &video_id);
    let poster = format!("{}/vod/{video_id}/thumbnail.jpg", state.base_url);
    let body = format!(
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>html,body{{margin:0;height:100%;background:#000}}video{{width:100%;height:100%}}</style>\
         </head>\n<body>\n<video src=\"{mp4}\" poster=\"{poster}\" controls playsinline></video>\n</body>\n</html>\n"
    );
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response())
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Appends bits most significant first, with JPEG byte stuffing.
#[derive(Debug, Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    bits: u32,
}

impl BitWriter {
    fn put(&mut self, value: u32, count: u32) {
        for i in (0..count).rev() {
            self.acc = (self.acc << 1) | ((value >> i) & 1);
            self.bits += 1;
            if self.bits == 8 {
                self.push_byte();
            }
        }
    }

    fn push_byte(&mut self) {
        let byte = (self.acc & 0xFF) as u8;
        self.out.push(byte);
        if byte == 0xFF {
            self.out.push(0x00);
        }
        self.acc = 0;
        self.bits = 0;
    }

    /// Pads the last byte with 1 bits.
    fn finish(mut self) -> Vec<u8> {
        if self.bits > 0 {
            let pad = 8 - self.bits;
            self.put((1 << pad) - 1, pad);
        }
        self.out
    }
}

/// A baseline grayscale JPEG of one uniform `level`. Uniform 8×8 blocks
/// have only a DC coefficient, so tiny Huffman tables suffice: DC symbols
/// "first block's category" (`0`) and "no change" (`10`), AC only EOB (`0`).
fn solid_jpeg(width: u16, height: u16, level: u8) -> Vec<u8> {
    // DC coefficient 8 × (level − 128), quantized by 8.
    let dc = i32::from(level) - 128;
    let category = 32 - dc.unsigned_abs().leading_zeros();
    let mut out = vec![0xFF, 0xD8];
    out.extend_from_slice(&[
        0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
    out.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    out.extend_from_slice(&[8; 64]);
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08]);
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&[0x01, 0x01, 0x11, 0x00]);
    // Category as u8: at most 8 for |dc| <= 128.
    let dc_symbols: Vec<u8> = if category == 0 {
        vec![0]
    } else {
        vec![category as u8, 0]
    };
    huffman_table(&mut out, 0x00, &dc_symbols);
    huffman_table(&mut out, 0x10, &[0x00]);
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    let blocks = u32::from(width.div_ceil(8)) * u32::from(height.div_ceil(8));
    let mut bits = BitWriter::default();
    for block in 0..blocks {
        if block == 0 && category > 0 {
            bits.put(0, 1);
            // Negative values are written as value − 1 in `category` bits.
            let extra = if dc < 0 { dc - 1 } else { dc };
            bits.put(extra as u32 & ((1 << category) - 1), category);
        } else if category > 0 {
            bits.put(0b10, 2);
        } else {
            bits.put(0, 1);
        }
        bits.put(0, 1);
    }
    out.extend(bits.finish());
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// A DHT segment whose symbols get codes of lengths 1, 2, 3… in order.
fn huffman_table(out: &mut Vec<u8>, class_id: u8, symbols: &[u8]) {
    let mut counts = [0u8; 16];
    for (i, _) in symbols.iter().enumerate() {
        counts[i] = 1;
    }
    let len = 2 + 1 + 16 + symbols.len() as u16;
    out.extend_from_slice(&[0xFF, 0xC4]);
    out.extend_from_slice(&len.to_be_bytes());
    out.push(class_id);
    out.extend_from_slice(&counts);
    out.extend_from_slice(symbols);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let h = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(byte_range(None, 10), Ok(None));
        assert_eq!(byte_range(Some(&h("bytes=2-5")), 10), Ok(Some((2, 5))));
        assert_eq!(byte_range(Some(&h("bytes=2-50")), 10), Ok(Some((2, 9))));
        assert_eq!(byte_range(Some(&h("bytes=7-")), 10), Ok(Some((7, 9))));
        assert_eq!(byte_range(Some(&h("bytes=-3")), 10), Ok(Some((7, 9))));
        assert_eq!(byte_range(Some(&h("bytes=10-")), 10), Err(()));
        assert_eq!(byte_range(Some(&h("bytes=0-1,4-5")), 10), Ok(None));
        assert_eq!(byte_range(Some(&h("items=0-1")), 10), Ok(None));
    }

    #[test]
    fn generated_jpegs_are_framed() {
        for level in [0, 40, 128, 200, 255] {
            let jpeg = solid_jpeg(320, 180, level);
            assert_eq!(&jpeg[..2], [0xFF, 0xD8]);
            assert_eq!(&jpeg[jpeg.len() - 2..], [0xFF, 0xD9]);
            assert!(jpeg.len() < 2048);
        }
    }
}
