//! Ingest of video sources: each chunk (placed by its `Content-Range`, see
//! [`crate::formats::content_range`]) stored durably, the ingest document,
//! and reassembly into the source file once every piece has arrived.
//! Nothing here holds a whole chunk in memory.

use std::collections::BTreeMap;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::config::UploadLimits;
use crate::db::Kind;
use crate::form::Received;
use crate::formats::content_range::{ChunkPos, bad_range};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// The reassembled source, in the video's media directory.
pub(crate) const SOURCE_FILE: &str = "source";
/// An uploaded thumbnail, in the video's media directory.
pub(crate) const THUMBNAIL_FILE: &str = "thumbnail.jpg";
/// Where chunks wait for the rest, in the video's media directory.
const PARTS_DIR: &str = "parts";

/// The ingest state of one video (`Kind::Ingest`, id and parent: the video
/// id). Stored after every accepted chunk, before the answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Ingest {
    /// The whole source has arrived (or was imported).
    pub(crate) uploaded: bool,
    /// `part N/M` chunks received: part number → size in bytes.
    pub(crate) parts: BTreeMap<u64, u64>,
    /// The number of parts, once announced.
    pub(crate) total_parts: Option<u64>,
    /// `bytes` chunks received (and the whole file of a single request).
    pub(crate) ranges: Vec<ByteRange>,
    /// Size of the source, once known.
    pub(crate) filesize: Option<u64>,
    /// When the source was complete (Unix milliseconds): encoding runs
    /// from there.
    pub(crate) uploaded_at: Option<i64>,
    /// The URL the source was imported from, for `create_video` with a URL.
    pub(crate) imported_from: Option<String>,
    /// Encoding finished and its webhooks were emitted.
    pub(crate) encoded: bool,
    /// The timecode of the picked thumbnail, if one was picked.
    pub(crate) thumbnail_timecode: Option<String>,
}

impl Ingest {
    /// Whether any piece of the source has arrived.
    pub(crate) fn started(&self) -> bool {
        self.uploaded || !self.parts.is_empty() || !self.ranges.is_empty()
    }

    /// Marks the source complete with `size` bytes at `now` (the
    /// emulator clock's Unix milliseconds: encoding runs on that clock).
    pub(crate) fn complete(&mut self, size: Option<u64>, now: i64) {
        self.uploaded = true;
        self.filesize = size;
        self.uploaded_at = Some(now);
    }
}

/// A received byte range, offsets inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ByteRange {
    pub(crate) from: u64,
    pub(crate) to: u64,
    pub(crate) total: u64,
}

/// The media directory of a video.
pub(crate) fn video_dir(state: &AppState, project: &str, video_id: &str) -> PathBuf {
    state.media.dir(project, "videos", video_id)
}

/// Locks the ingest state of `video_id`: ingest updates of a video are
/// read-modify-write and must not interleave. The locks belong to this
/// emulator, so emulators in one process never wait for each other.
pub(crate) async fn lock<'s>(
    state: &'s AppState,
    video_id: &str,
) -> tokio::sync::MutexGuard<'s, ()> {
    state.ingest_locks.lock(video_id).await
}

/// The stored ingest state of a video (empty if none).
pub(crate) fn load(state: &AppState, project: &str, video_id: &str) -> ApiResult<Ingest> {
    Ok(state
        .db
        .get(project, Kind::Ingest, video_id)?
        .unwrap_or_default())
}

/// Stores the ingest state of a video.
pub(crate) fn store(
    state: &AppState,
    project: &str,
    video_id: &str,
    ingest: &Ingest,
) -> ApiResult<()> {
    state
        .db
        .put(project, Kind::Ingest, video_id, Some(video_id), ingest)?;
    Ok(())
}

fn mixed() -> ApiError {
    bad_range("A source is sent either in parts or in byte ranges, not both.")
}

/// Accepts one chunk of a video's source: stores it durably, records it in
/// the ingest state and, when it completes the source, reassembles it.
/// Returns true when the source became complete.
pub(crate) async fn accept(
    state: &AppState,
    project: &str,
    video_id: &str,
    pos: ChunkPos,
    chunk: Received,
) -> ApiResult<bool> {
    if chunk.size == 0 {
        return Err(ApiError::file_missing().with_detail("The file is empty."));
    }
    check_limits(&state.config.upload_limits, pos, chunk.size)?;
    let _guard = lock(state, video_id).await;
    // The video may have been deleted while the chunk was arriving.
    if state
        .db
        .get::<serde_json::Value>(project, Kind::Video, video_id)?
        .is_none()
    {
        return Err(ApiError::not_found("videoId"));
    }
    let mut ingest = load(state, project, video_id)?;
    if ingest.uploaded {
        return Err(ApiError::already_uploaded());
    }
    let dir = video_dir(state, project, video_id);
    let size = chunk.size;
    let complete = match pos {
        ChunkPos::Whole => {
            chunk.save(&dir.join(SOURCE_FILE)).await?;
            ingest.parts.clear();
            ingest.total_parts = None;
            ingest.ranges = vec![ByteRange {
                from: 0,
                to: size - 1,
                total: size,
            }];
            ingest.complete(Some(size), state.clock.now_millis());
            true
        }
        ChunkPos::Part { n, total } => accept_part(&mut ingest, &dir, n, total, chunk).await?,
        ChunkPos::Bytes { from, to, total } => {
            accept_bytes(&mut ingest, &dir, ByteRange { from, to, total }, chunk).await?
        }
    };
    if complete && !ingest.uploaded {
        let size = reassemble(state, &dir, &ingest).await?;
        ingest.complete(Some(size), state.clock.now_millis());
    }
    store(state, project, video_id, &ingest)?;
    state.counters.event("upload.parts", project);
    state.counters.add("upload.bytes", size, Some(project));
    if complete {
        discard_chunks(&dir).await;
    }
    Ok(complete)
}

/// The API's bounds on the size of a piece of source at position `pos`.
fn check_limits(limits: &UploadLimits, pos: ChunkPos, size: u64) -> ApiResult<()> {
    const MIB: u64 = 1024 * 1024;
    let mib = |bytes: u64| {
        if bytes.is_multiple_of(MIB) {
            format!("{} MiB", bytes / MIB)
        } else {
            format!("{bytes} bytes")
        }
    };
    let last = match pos {
        ChunkPos::Whole => {
            if size > limits.max_whole {
                return Err(too_big(format!(
                    "A file sent in one request is at most {}; send a larger one in chunks, with `Content-Range`.",
                    mib(limits.max_whole)
                )));
            }
            return Ok(());
        }
        ChunkPos::Part { n, total } => total == Some(n),
        ChunkPos::Bytes { to, total, .. } => to + 1 == total,
    };
    if size > limits.max_chunk {
        return Err(too_big(format!(
            "A chunk is at most {}.",
            mib(limits.max_chunk)
        )));
    }
    if size < limits.min_chunk && !last {
        return Err(bad_range(format!(
            "A chunk is at least {}, but the last one of the source: this one has {size} bytes.",
            mib(limits.min_chunk)
        )));
    }
    Ok(())
}

/// 400: a file above the API's size limit for what it is.
pub(crate) fn too_big(detail: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "file-too-large",
        "The uploaded file is too large.",
    )
    .with_name("file")
    .with_detail(detail)
}

/// Removes the chunks of a complete source: they are in the source now,
/// and losing them is harmless. Done when the source is complete, and
/// again when its encoding ends, for chunks left by a process that died
/// in between.
pub(crate) async fn discard_chunks(dir: &Path) {
    let _ = tokio::fs::remove_dir_all(dir.join(PARTS_DIR)).await;
}

async fn accept_part(
    ingest: &mut Ingest,
    dir: &Path,
    n: u64,
    total: Option<u64>,
    chunk: Received,
) -> ApiResult<bool> {
    if !ingest.ranges.is_empty() {
        return Err(mixed());
    }
    let known = total.or(ingest.total_parts);
    if let (Some(a), Some(b)) = (total, ingest.total_parts)
        && a != b
    {
        return Err(bad_range(format!("This upload has {b} parts, not {a}.")));
    }
    if let Some(t) = known
        && (n > t || ingest.parts.keys().any(|&p| p > t))
    {
        return Err(bad_range(format!("This upload has only {t} parts.")));
    }
    let size = chunk.size;
    chunk.save(&dir.join(PARTS_DIR).join(n.to_string())).await?;
    ingest.parts.insert(n, size);
    ingest.total_parts = known;
    Ok(known.is_some_and(|t| (1..=t).all(|p| ingest.parts.contains_key(&p))))
}

async fn accept_bytes(
    ingest: &mut Ingest,
    dir: &Path,
    range: ByteRange,
    chunk: Received,
) -> ApiResult<bool> {
    if !ingest.parts.is_empty() {
        return Err(mixed());
    }
    if chunk.size != range.to - range.from + 1 {
        return Err(bad_range(format!(
            "The range holds {} bytes but the file has {}.",
            range.to - range.from + 1,
            chunk.size
        )));
    }
    if let Some(other) = ingest.ranges.iter().find(|r| r.total != range.total) {
        return Err(bad_range(format!(
            "This upload has {} bytes, not {}.",
            other.total, range.total
        )));
    }
    chunk
        .save(&dir.join(PARTS_DIR).join(range_file(&range)))
        .await?;
    ingest
        .ranges
        .retain(|r| (r.from, r.to) != (range.from, range.to));
    ingest.ranges.push(range);
    ingest.ranges.sort_by_key(|r| (r.from, r.to));
    ingest.filesize = Some(range.total);
    Ok(covers(&ingest.ranges, range.total))
}

fn range_file(range: &ByteRange) -> String {
    format!("bytes-{}-{}", range.from, range.to)
}

/// Whether sorted `ranges` cover `0..total`.
fn covers(ranges: &[ByteRange], total: u64) -> bool {
    let mut next = 0;
    for r in ranges {
        if r.from > next {
            return false;
        }
        next = next.max(r.to + 1);
    }
    next >= total
}

/// Builds the source file from the stored chunks (a kernel-side copy, never
/// through memory), syncs it and moves it into place. Returns its size.
async fn reassemble(state: &AppState, dir: &Path, ingest: &Ingest) -> ApiResult<u64> {
    let parts_dir = dir.join(PARTS_DIR);
    // (file, offset) pairs, in order.
    let pieces: Vec<(PathBuf, u64)> = if ingest.ranges.is_empty() {
        let mut offset = 0;
        ingest
            .parts
            .iter()
            .map(|(n, size)| {
                let piece = (parts_dir.join(n.to_string()), offset);
                offset += size;
                piece
            })
            .collect()
    } else {
        ingest
            .ranges
            .iter()
            .map(|r| (parts_dir.join(range_file(r)), r.from))
            .collect()
    };
    let total = match ingest.ranges.first() {
        Some(r) => r.total,
        None => ingest.parts.values().sum(),
    };
    let tmp_dir = state.media.tmp();
    let source = dir.join(SOURCE_FILE);
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        if let [(only, 0)] = pieces.as_slice()
            && std::fs::metadata(only)?.len() == total
        {
            std::fs::rename(only, &source)?;
            return crate::media::sync_dir(&dir);
        }
        std::fs::create_dir_all(&tmp_dir)?;
        let mut out = tempfile::NamedTempFile::new_in(&tmp_dir)?;
        out.as_file().set_len(total)?;
        for (piece, offset) in &pieces {
            out.as_file_mut().seek(SeekFrom::Start(*offset))?;
            std::io::copy(&mut std::fs::File::open(piece)?, out.as_file_mut())?;
        }
        out.as_file().set_len(total)?;
        out.as_file().sync_all()?;
        out.persist(&source).map_err(|e| e.error)?;
        crate::media::sync_dir(&dir)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(total)
}

/// Copies the source of one video to another (for `create_video` with a
/// video id as `source`). Returns the size copied.
pub(crate) async fn copy_source(from: PathBuf, to_dir: PathBuf) -> ApiResult<u64> {
    let size = tokio::task::spawn_blocking(move || -> std::io::Result<u64> {
        std::fs::create_dir_all(&to_dir)?;
        let dest = to_dir.join(SOURCE_FILE);
        let size = std::fs::copy(from.join(SOURCE_FILE), &dest)?;
        std::fs::File::open(&dest)?.sync_all()?;
        crate::media::sync_dir(&to_dir)?;
        Ok(size)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_needs_every_byte() {
        let r = |from, to| ByteRange {
            from,
            to,
            total: 10,
        };
        assert!(covers(&[r(0, 4), r(5, 9)], 10));
        assert!(covers(&[r(0, 6), r(3, 9)], 10));
        assert!(!covers(&[r(0, 4), r(6, 9)], 10));
        assert!(!covers(&[r(1, 9)], 10));
    }
}

/// Properties of range coverage, on generated input.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn coverage_is_every_byte_covered(
            total in 1u64..64,
            spans in prop::collection::vec((0u64..64, 0u64..16), 0..8),
        ) {
            let mut ranges: Vec<ByteRange> = spans
                .into_iter()
                .filter(|(from, _)| *from < total)
                .map(|(from, len)| ByteRange { from, to: (from + len).min(total - 1), total })
                .collect();
            ranges.sort_by_key(|r| (r.from, r.to));
            let mut seen = vec![false; total as usize];
            for r in &ranges {
                for byte in r.from..=r.to {
                    seen[byte as usize] = true;
                }
            }
            prop_assert_eq!(covers(&ranges, total), seen.iter().all(|b| *b));
        }
    }
}
