//! Ingest of video sources: the multipart file streamed to disk, the
//! `Content-Range` chunk positions (`part N/M`, `part N/*`, `bytes a-b/t`),
//! durable chunk storage, the ingest document, and reassembly into the
//! source file once every piece has arrived. Nothing here holds a whole
//! chunk in memory.

use std::collections::BTreeMap;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use axum::extract::Multipart;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use tempfile::TempPath;
use tokio::io::{AsyncWriteExt, BufWriter};

use crate::config::UploadLimits;
use crate::db::Kind;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// The reassembled source, in the video's media directory.
pub(crate) const SOURCE_FILE: &str = "source";
/// An uploaded thumbnail, in the video's media directory.
pub(crate) const THUMBNAIL_FILE: &str = "thumbnail.jpg";
/// Where chunks wait for the rest, in the video's media directory.
const PARTS_DIR: &str = "parts";
/// Largest non-file form field accepted (e.g. `videoId`).
const MAX_TEXT_FIELD: usize = 64 * 1024;

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

/// Where a chunk goes, from its `Content-Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkPos {
    /// No header: the request carries the whole file.
    Whole,
    /// `part N/M` (total known) or `part N/*` (progressive session).
    Part { n: u64, total: Option<u64> },
    /// `bytes from-to/total`.
    Bytes { from: u64, to: u64, total: u64 },
}

fn bad_range(detail: impl Into<String>) -> ApiError {
    ApiError::attribute(
        "Content-Range",
        "This header must be `bytes from-to/total`, `part N/M` or `part N/*`.",
    )
    .with_detail(detail)
}

/// Reads the `Content-Range` header of an upload.
pub(crate) fn chunk_pos(headers: &HeaderMap) -> ApiResult<ChunkPos> {
    let Some(value) = headers.get(axum::http::header::CONTENT_RANGE) else {
        return Ok(ChunkPos::Whole);
    };
    let value = value
        .to_str()
        .map_err(|_| bad_range("The header is not ASCII."))?;
    parse_chunk_pos(value.trim())
}

/// How much of a bad piece of the header an error quotes, in characters.
const QUOTED: usize = 32;

/// The start of `text`, at most [`QUOTED`] characters, for an error: a
/// header of any length gets an answer of bounded size.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTED) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn parse_chunk_pos(value: &str) -> ApiResult<ChunkPos> {
    let (unit, rest) = value.split_once(' ').ok_or_else(|| bad_range("No unit."))?;
    let (spec, total) = rest
        .trim()
        .split_once('/')
        .ok_or_else(|| bad_range("No total."))?;
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| bad_range(format!("`{}` is not a number.", quote(s))))
    };
    if unit.eq_ignore_ascii_case("part") {
        let n = number(spec)?;
        let total = match total.trim() {
            "*" => None,
            t => Some(number(t)?),
        };
        if n == 0 || total.is_some_and(|t| n > t) {
            return Err(bad_range(
                "Parts are numbered from 1 and cannot exceed the total.",
            ));
        }
        return Ok(ChunkPos::Part { n, total });
    }
    if unit.eq_ignore_ascii_case("bytes") {
        let (from, to) = spec
            .split_once('-')
            .ok_or_else(|| bad_range("No `from-to` range."))?;
        let (from, to, total) = (number(from)?, number(to)?, number(total)?);
        if from > to || to >= total {
            return Err(bad_range("The range must satisfy from <= to < total."));
        }
        return Ok(ChunkPos::Bytes { from, to, total });
    }
    Err(bad_range(format!("Unknown unit `{}`.", quote(unit))))
}

/// A multipart request whose file was streamed to a temporary file.
#[derive(Debug)]
pub(crate) struct Received {
    /// The file, deleted on drop unless persisted.
    pub(crate) file: TempPath,
    pub(crate) size: u64,
    /// The file name the client gave (may be empty).
    pub(crate) file_name: String,
    /// The other (text) fields.
    pub(crate) fields: Vec<(String, String)>,
}

impl Received {
    /// A text field by name.
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The extension of the file name, if any.
    pub(crate) fn extension(&self) -> Option<&str> {
        Path::new(&self.file_name)
            .extension()
            .and_then(|e| e.to_str())
    }
}

fn multipart_error(e: &MultipartError) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid-multipart",
        "The multipart/form-data body could not be read.",
    )
    .with_detail(e.body_text())
}

/// Reads a multipart request: the one part carrying a file (whatever its
/// field name) is streamed to a temporary file and synced to disk; text
/// fields are kept. At most `max_upload_request` bytes are accepted.
pub(crate) async fn receive(
    state: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Received> {
    let mut multipart = multipart.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-multipart",
            "The request body must be multipart/form-data.",
        )
        .with_detail(e.body_text())
    })?;
    let limit = state.config.max_upload_request;
    let mut budget = limit;
    let mut file: Option<(TempPath, u64, String)> = None;
    let mut fields = Vec::new();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        if file_name.is_none() && name != "file" {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e))? {
                text.extend_from_slice(&chunk);
                if text.len() > MAX_TEXT_FIELD {
                    return Err(ApiError::attribute(name, "This field is too long."));
                }
            }
            budget = budget.saturating_sub(text.len());
            fields.push((name, String::from_utf8_lossy(&text).into_owned()));
            continue;
        }
        if file.is_some() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "multiple-files-uploaded",
                "There is more than one uploaded file in the request.",
            )
            .with_name("file"));
        }
        let (path, size) = stream_field(state, &mut field, &mut budget, limit).await?;
        file = Some((path, size, file_name.unwrap_or_default()));
    }
    let (file, size, file_name) = file.ok_or_else(ApiError::file_missing)?;
    Ok(Received {
        file,
        size,
        file_name,
        fields,
    })
}

/// Streams one field to a new temporary file, synced before returning.
async fn stream_field(
    state: &AppState,
    field: &mut axum::extract::multipart::Field<'_>,
    budget: &mut usize,
    limit: usize,
) -> ApiResult<(TempPath, u64)> {
    let tmp_dir = state.media.tmp();
    tokio::fs::create_dir_all(&tmp_dir).await?;
    let (std_file, path) = tempfile::NamedTempFile::new_in(&tmp_dir)?.into_parts();
    let mut out = BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(std_file));
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e))? {
        *budget = budget
            .checked_sub(chunk.len())
            .ok_or_else(|| ApiError::too_large(limit))?;
        out.write_all(&chunk).await?;
        size += chunk.len() as u64;
    }
    out.flush().await?;
    out.into_inner().sync_all().await?;
    Ok((path, size))
}

/// The media directory of a video.
pub(crate) fn video_dir(state: &AppState, project: &str, video_id: &str) -> PathBuf {
    state.media.dir(project, "videos", video_id)
}

/// Moves a synced temporary file to `dest` and syncs the directory, so
/// the file survives a crash once this returns.
pub(crate) async fn persist(file: TempPath, dest: PathBuf) -> ApiResult<()> {
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let dir = dest.parent().map(Path::to_path_buf).unwrap_or_default();
        std::fs::create_dir_all(&dir)?;
        file.persist(&dest).map_err(|e| e.error)?;
        sync_dir(&dir)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(())
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
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
            persist(chunk.file, dir.join(SOURCE_FILE)).await?;
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
    state.counters.event("upload.parts");
    state.counters.add("upload.bytes", size);
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
    persist(chunk.file, dir.join(PARTS_DIR).join(n.to_string())).await?;
    ingest.parts.insert(n, chunk.size);
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
    persist(chunk.file, dir.join(PARTS_DIR).join(range_file(&range))).await?;
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
            return sync_dir(&dir);
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
        sync_dir(&dir)
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
        sync_dir(&to_dir)?;
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
    fn content_ranges_parse() {
        assert_eq!(
            parse_chunk_pos("part 2/3").unwrap(),
            ChunkPos::Part {
                n: 2,
                total: Some(3)
            }
        );
        assert_eq!(
            parse_chunk_pos("part 4/*").unwrap(),
            ChunkPos::Part { n: 4, total: None }
        );
        assert_eq!(
            parse_chunk_pos("bytes 0-9/20").unwrap(),
            ChunkPos::Bytes {
                from: 0,
                to: 9,
                total: 20
            }
        );
        for bad in [
            "part 0/3",
            "part 4/3",
            "part x/3",
            "bytes 5-4/10",
            "bytes 0-10/10",
            "bytes 0-1/*",
            "octets 0-1/2",
            "part",
        ] {
            assert!(parse_chunk_pos(bad).is_err(), "{bad}");
        }
    }

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

/// Properties of the `Content-Range` parser and of range coverage, on
/// generated input: no panic, answers of bounded size, and what a parsed
/// value promises.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// The longest error answer any header may produce, in bytes.
    const MAX_PROBLEM: usize = 1024;

    /// Values near the grammar: right and wrong units in any case, numbers
    /// small, huge and overflowing, stars, junk and missing pieces.
    fn near_range() -> impl Strategy<Value = String> {
        let unit =
            prop::sample::select(vec!["part", "PART", "Part", "bytes", "BYTES", "octets", ""]);
        let number = prop_oneof![
            (0u64..12).prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            Just("*".to_owned()),
            Just("18446744073709551616".to_owned()),
            Just(String::new()),
            "[ 0-9a-z+*-]{0,6}",
            (20usize..400).prop_map(|n| "9".repeat(n)),
        ];
        let space = prop::sample::select(vec![" ", "  ", "\t", "", " \t "]);
        (
            unit,
            space,
            number.clone(),
            number.clone(),
            number,
            any::<bool>(),
        )
            .prop_map(|(unit, space, a, b, total, bytes)| {
                if bytes {
                    format!("{unit}{space}{a}-{b}/{total}")
                } else {
                    format!("{unit}{space}{a}/{total}")
                }
            })
    }

    fn any_header() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => near_range(),
            1 => any::<String>(),
            // Long values, built by repetition: no error may quote them whole.
            1 => ("(part|bytes|[a-z]{1,4})", "[0-9a-z]{1,4}", 1usize..2000, 1usize..2000)
                .prop_map(|(unit, s, a, b)| format!("{unit} {}/{}", s.repeat(a), s.repeat(b))),
            1 => ("[a-z]{1,4}", 25usize..1500).prop_map(|(s, n)| format!("{} 1/2", s.repeat(n))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn content_ranges_never_panic_and_keep_their_promises(value in any_header()) {
            match parse_chunk_pos(&value) {
                Ok(ChunkPos::Part { n, total }) => {
                    prop_assert!(n >= 1);
                    prop_assert!(total.is_none_or(|t| n <= t));
                }
                Ok(ChunkPos::Bytes { from, to, total }) => {
                    prop_assert!(from <= to && to < total);
                }
                Ok(ChunkPos::Whole) => prop_assert!(false, "a header is never the whole file"),
                Err(e) => {
                    prop_assert_eq!(e.status, StatusCode::BAD_REQUEST);
                    let answer = serde_json::to_string(&e.problem).unwrap();
                    prop_assert!(answer.len() <= MAX_PROBLEM, "{} bytes: {}", answer.len(), answer);
                }
            }
        }

        #[test]
        fn printed_parts_read_back(n in 1u64.., extra in any::<u64>(), star in any::<bool>()) {
            let total = n.saturating_add(extra);
            let (header, want) = if star {
                (format!("part {n}/*"), None)
            } else {
                (format!("part {n}/{total}"), Some(total))
            };
            prop_assert_eq!(parse_chunk_pos(&header).unwrap(), ChunkPos::Part { n, total: want });
            // The unit's case and the spacing do not matter.
            let loose = header.replacen("part ", "PART  ", 1).replace('/', " / ");
            prop_assert_eq!(parse_chunk_pos(&loose).unwrap(), ChunkPos::Part { n, total: want });
        }

        #[test]
        fn printed_byte_ranges_read_back(mut ends in prop::array::uniform3(any::<u64>())) {
            ends.sort_unstable();
            let [from, to, total] = ends;
            let header = format!("bytes {from}-{to}/{total}");
            let parsed = parse_chunk_pos(&header);
            if to < total {
                prop_assert_eq!(parsed.unwrap(), ChunkPos::Bytes { from, to, total });
            } else {
                prop_assert!(parsed.is_err(), "{header}");
            }
        }

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
