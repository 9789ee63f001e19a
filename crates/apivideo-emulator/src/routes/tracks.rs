//! What captions and chapters share: WebVTT files attached to a video, one
//! per BCP 47 language tag. Language tags are validated and put in their
//! canonical case (`pt-br` is stored as `pt-BR`), WebVTT files are checked
//! before they are kept, and the files are served back under
//! `/vod/{videoId}/captions|chapters/{language}.vtt`.

use std::path::PathBuf;

use axum::body::Body;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::media_form;
use crate::db::Kind;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Which kind of track.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spec {
    pub(super) kind: Kind,
    /// Path segment and media directory: `captions` or `chapters`.
    pub(super) segment: &'static str,
    /// Whether reading, changing or deleting a track under a malformed
    /// language tag is a 400 (captions) rather than a 404 (chapters), as
    /// the API answers.
    pub(super) malformed_language_is_invalid: bool,
}

pub(super) const CAPTIONS: Spec = Spec {
    kind: Kind::Caption,
    segment: "captions",
    malformed_language_is_invalid: true,
};

pub(super) const CHAPTERS: Spec = Spec {
    kind: Kind::Chapter,
    segment: "chapters",
    malformed_language_is_invalid: false,
};

/// A stored track; its URLs are derived when it is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Track {
    pub(super) video_id: String,
    pub(super) language: String,
    #[serde(default)]
    pub(super) default: bool,
}

impl Track {
    /// `/videos/{videoId}/{segment}/{language}`.
    pub(super) fn uri(&self, spec: Spec) -> String {
        format!(
            "/videos/{}/{}/{}",
            self.video_id, spec.segment, self.language
        )
    }

    /// The public URL of the WebVTT file.
    pub(super) fn src(&self, state: &AppState, spec: Spec) -> String {
        format!(
            "{}/vod/{}/{}/{}.vtt",
            state.base_url, self.video_id, spec.segment, self.language
        )
    }
}

fn doc_id(video_id: &str, language: &str) -> String {
    format!("{video_id}/{language}")
}

fn file_path(state: &AppState, project: &str, spec: Spec, video_id: &str, lang: &str) -> PathBuf {
    state
        .media
        .dir(project, "videos", video_id)
        .join(spec.segment)
        .join(format!("{lang}.vtt"))
}

/// 404 naming `videoId` unless the video exists in the project.
pub(super) fn require_video(state: &AppState, project: &str, video_id: &str) -> ApiResult<()> {
    state
        .db
        .get::<serde_json::Value>(project, Kind::Video, video_id)?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("videoId"))
}

/// The stored track, or 404 naming the missing video or language.
pub(super) fn get(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
    language: &str,
) -> ApiResult<Track> {
    require_video(state, project, video_id)?;
    let language = canonical_language(language).ok_or_else(|| {
        if spec.malformed_language_is_invalid {
            invalid_language()
        } else {
            ApiError::not_found("language")
        }
    })?;
    state
        .db
        .get(project, spec.kind, &doc_id(video_id, &language))?
        .ok_or_else(|| ApiError::not_found("language"))
}

/// Every track of the video, oldest first.
pub(super) fn list(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
) -> ApiResult<Vec<Track>> {
    require_video(state, project, video_id)?;
    Ok(state.db.list(project, spec.kind, Some(video_id))?)
}

/// Stores `track` under its video.
pub(super) fn put(state: &AppState, project: &str, spec: Spec, track: &Track) -> ApiResult<()> {
    state.db.put(
        project,
        spec.kind,
        &doc_id(&track.video_id, &track.language),
        Some(&track.video_id),
        track,
    )?;
    Ok(())
}

/// Receives, checks and stores an uploaded WebVTT file. A new upload in a
/// language that already has one replaces the file and keeps `default`.
pub(super) async fn upload(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
    language: &str,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Track> {
    require_video(state, project, video_id)?;
    let language = canonical_language(language).ok_or_else(invalid_language)?;
    let received = media_form::receive(state, form, |_| Ok(())).await?;
    check_webvtt(received.path()).await.map_err(|detail| {
        ApiError::attribute("file", "The file is not a valid WebVTT file.").with_detail(detail)
    })?;
    received
        .save(&file_path(state, project, spec, video_id, &language))
        .await?;
    let existing: Option<Track> = state
        .db
        .get(project, spec.kind, &doc_id(video_id, &language))?;
    let track = Track {
        video_id: video_id.to_owned(),
        default: existing.is_some_and(|t| t.default),
        language,
    };
    put(state, project, spec, &track)?;
    Ok(track)
}

/// Stores a WebVTT file the emulator wrote itself (a transcript) as the
/// track of `language` (a canonical tag), synced to disk first. Like an
/// upload, it replaces a file already there in that language and keeps
/// its `default`.
pub(super) async fn put_generated(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
    language: &str,
    vtt: String,
) -> ApiResult<Track> {
    let dest = file_path(state, project, spec, video_id, language);
    let tmp_dir = state.media.tmp();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        std::fs::create_dir_all(&tmp_dir)?;
        let mut file = tempfile::NamedTempFile::new_in(&tmp_dir)?;
        file.write_all(vtt.as_bytes())?;
        file.as_file().sync_all()?;
        let dir = dest.parent().map(std::path::Path::to_path_buf);
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir)?;
        }
        file.persist(&dest).map_err(|e| e.error)?;
        match dir {
            Some(dir) => std::fs::File::open(dir)?.sync_all(),
            None => Ok(()),
        }
    })
    .await
    .map_err(ApiError::internal)??;
    let existing: Option<Track> = state
        .db
        .get(project, spec.kind, &doc_id(video_id, language))?;
    let track = Track {
        video_id: video_id.to_owned(),
        language: language.to_owned(),
        default: existing.is_some_and(|t| t.default),
    };
    put(state, project, spec, &track)?;
    Ok(track)
}

/// Deletes a track and its file.
pub(super) async fn delete(
    state: &AppState,
    project: &str,
    spec: Spec,
    video_id: &str,
    language: &str,
) -> ApiResult<StatusCode> {
    let track = get(state, project, spec, video_id, language)?;
    state.db.delete(
        project,
        spec.kind,
        &doc_id(&track.video_id, &track.language),
    )?;
    let path = file_path(state, project, spec, video_id, &track.language);
    if let Err(e) = tokio::fs::remove_file(&path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        return Err(e.into());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Serves `/vod/{videoId}/{segment}/{language}.vtt` (no credential, like
/// the CDN).
pub(super) async fn serve(
    state: &AppState,
    spec: Spec,
    video_id: &str,
    file: &str,
) -> ApiResult<Response> {
    let missing = || ApiError::not_found("language");
    let language = file
        .strip_suffix(".vtt")
        .and_then(canonical_language)
        .ok_or_else(missing)?;
    let (project, track) = state
        .db
        .find::<Track>(spec.kind, &doc_id(video_id, &language))?
        .ok_or_else(missing)?;
    // A discarded video's files wait for a restore, unserved.
    if state
        .db
        .get::<serde_json::Value>(&project, Kind::Video, video_id)?
        .is_none()
    {
        return Err(missing());
    }
    let path = file_path(state, &project, spec, video_id, &track.language);
    let file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(e) => return Err(e.into()),
    };
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok(([(header::CONTENT_TYPE, "text/vtt; charset=utf-8")], body).into_response())
}

/// 400 for a `language` path parameter that is no language tag.
fn invalid_language() -> ApiError {
    ApiError::attribute(
        "language",
        "This parameter must be a valid BCP 47 language tag, such as `en`, `fr` or `pt-BR`.",
    )
}

/// `tag` in canonical case if it is a well-formed BCP 47 language tag
/// (RFC 5646, with a two- or three-letter primary language subtag).
pub(super) fn canonical_language(tag: &str) -> Option<String> {
    let parts: Vec<&str> = tag.split('-').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return None;
    }
    let mut out = Vec::with_capacity(parts.len());
    let rest = language_subtags(&parts, &mut out)?;
    let rest = script_region_variants(rest, &mut out);
    let rest = extensions(rest, &mut out)?;
    private_use(rest, &mut out)?;
    Some(out.join("-"))
}

fn is_alpha(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphabetic())
}

fn is_digit(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// The primary language (2-3 letters) and up to three extended language
/// subtags (3 letters each).
fn language_subtags<'a>(parts: &'a [&'a str], out: &mut Vec<String>) -> Option<&'a [&'a str]> {
    let (first, mut rest) = parts.split_first()?;
    if !(2..=3).contains(&first.len()) || !is_alpha(first) {
        return None;
    }
    out.push(first.to_ascii_lowercase());
    for _ in 0..3 {
        match rest.split_first() {
            Some((p, tail)) if p.len() == 3 && is_alpha(p) => {
                out.push(p.to_ascii_lowercase());
                rest = tail;
            }
            _ => break,
        }
    }
    Some(rest)
}

/// Optional script (`Hant`), region (`BR`, `419`) and variants.
fn script_region_variants<'a>(mut rest: &'a [&'a str], out: &mut Vec<String>) -> &'a [&'a str] {
    if let Some((p, tail)) = rest.split_first()
        && p.len() == 4
        && is_alpha(p)
    {
        let lower = p.to_ascii_lowercase();
        out.push(lower[..1].to_ascii_uppercase() + &lower[1..]);
        rest = tail;
    }
    if let Some((p, tail)) = rest.split_first()
        && ((p.len() == 2 && is_alpha(p)) || (p.len() == 3 && is_digit(p)))
    {
        out.push(p.to_ascii_uppercase());
        rest = tail;
    }
    while let Some((p, tail)) = rest.split_first() {
        let variant =
            (5..=8).contains(&p.len()) || (p.len() == 4 && p.as_bytes()[0].is_ascii_digit());
        if !variant {
            break;
        }
        out.push(p.to_ascii_lowercase());
        rest = tail;
    }
    rest
}

/// Extensions: a singleton other than `x` and one or more 2-8 character
/// subtags.
fn extensions<'a>(mut rest: &'a [&'a str], out: &mut Vec<String>) -> Option<&'a [&'a str]> {
    while let Some((p, tail)) = rest.split_first() {
        if p.len() != 1 || p.eq_ignore_ascii_case("x") {
            break;
        }
        out.push(p.to_ascii_lowercase());
        rest = tail;
        let mut count = 0;
        while let Some((q, tail)) = rest.split_first()
            && q.len() >= 2
        {
            out.push(q.to_ascii_lowercase());
            rest = tail;
            count += 1;
        }
        if count == 0 {
            return None;
        }
    }
    Some(rest)
}

/// An optional private-use part, `x-` and 1-8 character subtags, which
/// must end the tag.
fn private_use(rest: &[&str], out: &mut Vec<String>) -> Option<()> {
    let Some((p, tail)) = rest.split_first() else {
        return Some(());
    };
    if !p.eq_ignore_ascii_case("x") || tail.is_empty() {
        return None;
    }
    out.push("x".to_owned());
    out.extend(tail.iter().map(|q| q.to_ascii_lowercase()));
    Some(())
}

/// The longest line a WebVTT file may have, in bytes.
const MAX_VTT_LINE: usize = 64 * 1024;
/// How much of a bad line an error quotes, in characters.
const QUOTED: usize = 80;

/// Checks that the file at `path` is WebVTT: the `WEBVTT` signature, then
/// blocks separated by blank lines, each cue with a well-formed timing
/// line. The error says what is wrong and where. Lines are read one at a
/// time, none longer than [`MAX_VTT_LINE`], and the checker keeps only the
/// first line of the current block, so memory stays bounded whatever the
/// file.
pub(super) async fn check_webvtt(path: &std::path::Path) -> Result<(), String> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};

    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("The file cannot be read: {e}."))?;
    let mut reader = tokio::io::BufReader::new(file);
    let mut checker = VttChecker::default();
    let mut number = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let read = (&mut reader)
            .take(MAX_VTT_LINE as u64 + 2)
            .read_until(b'\n', &mut buf)
            .await
            .map_err(|e| format!("The file cannot be read: {e}."))?;
        if read == 0 {
            break;
        }
        number += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        if buf.len() > MAX_VTT_LINE {
            return Err(format!(
                "Line {number}: the line is longer than {MAX_VTT_LINE} bytes."
            ));
        }
        let line = std::str::from_utf8(&buf)
            .map_err(|_| format!("Line {number}: the file is not valid UTF-8 text."))?;
        checker.line(number, line)?;
    }
    checker.finish(number)
}

/// A line-by-line WebVTT checker.
#[derive(Debug, Default)]
struct VttChecker {
    /// The signature line was seen.
    started: bool,
    /// Still in the header block (before the first blank line).
    in_header: bool,
    /// Lines of the current block so far.
    block_len: usize,
    /// Number of the current block's first line.
    first_line: usize,
    /// The current block is a comment, style or region block.
    skip: bool,
    /// Index in the block of its timing line: 0, or 1 after an identifier.
    timing_at: usize,
}

impl VttChecker {
    fn line(&mut self, number: usize, line: &str) -> Result<(), String> {
        if !self.started {
            let line = line.strip_prefix('\u{feff}').unwrap_or(line);
            let signed =
                line == "WEBVTT" || line.starts_with("WEBVTT ") || line.starts_with("WEBVTT\t");
            if !signed {
                return Err("Line 1: a WebVTT file must start with `WEBVTT`.".into());
            }
            self.started = true;
            self.in_header = true;
            return Ok(());
        }
        if self.in_header {
            if line.trim().is_empty() {
                self.in_header = false;
            } else if line.contains("-->") {
                return Err(format!(
                    "Line {number}: the header must be followed by a blank line before the first cue."
                ));
            }
            return Ok(());
        }
        if line.trim().is_empty() {
            return self.end_block();
        }
        let index = self.block_len;
        self.block_len += 1;
        if index == 0 {
            let keyword = line.split([' ', '\t']).next().unwrap_or_default();
            self.first_line = number;
            self.skip = matches!(keyword, "NOTE" | "STYLE" | "REGION") && !line.contains("-->");
            // An optional identifier line, then the timing line.
            self.timing_at = usize::from(!line.contains("-->"));
        }
        if self.skip {
            return Ok(());
        }
        if index == self.timing_at {
            check_timing(number, line)
        } else if index > self.timing_at && line.contains("-->") {
            Err(format!(
                "Line {number}: cues must be separated by a blank line."
            ))
        } else {
            Ok(())
        }
    }

    fn finish(mut self, lines: usize) -> Result<(), String> {
        if !self.started || lines == 0 {
            return Err("The file is empty; a WebVTT file must start with `WEBVTT`.".into());
        }
        self.end_block()
    }

    fn end_block(&mut self) -> Result<(), String> {
        let lines = std::mem::take(&mut self.block_len);
        if lines > 0 && !self.skip && lines <= self.timing_at {
            return Err(format!(
                "Line {}: a cue needs a timing line such as `00:00:01.000 --> 00:00:04.000`.",
                self.first_line
            ));
        }
        Ok(())
    }
}

/// The start of `line`, at most [`QUOTED`] characters, for an error.
fn quote(line: &str) -> String {
    match line.char_indices().nth(QUOTED) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_owned(),
    }
}

fn check_timing(number: usize, line: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "Line {number}: `{}` is not a cue timing line; write `HH:MM:SS.mmm --> HH:MM:SS.mmm` or `MM:SS.mmm --> MM:SS.mmm`.",
            quote(line)
        )
    };
    let (start, rest) = line.split_once("-->").ok_or_else(bad)?;
    let end = rest.split_whitespace().next().ok_or_else(bad)?;
    let start = timestamp(start.trim()).ok_or_else(bad)?;
    let end = timestamp(end).ok_or_else(bad)?;
    if end <= start {
        return Err(format!("Line {number}: a cue must end after it starts."));
    }
    Ok(())
}

/// `HH:MM:SS.mmm` (two or more hour digits) or `MM:SS.mmm`, in milliseconds.
fn timestamp(text: &str) -> Option<u64> {
    let (clock, millis) = text.split_once('.')?;
    if millis.len() != 3 || !is_digit(millis) {
        return None;
    }
    let fields: Vec<&str> = clock.split(':').collect();
    let (hours, minutes, seconds) = match fields.as_slice() {
        [h, m, s] if h.len() >= 2 => (*h, *m, *s),
        [m, s] => ("0", *m, *s),
        _ => return None,
    };
    if !is_digit(hours) || hours.is_empty() {
        return None;
    }
    let two = |s: &str| -> Option<u64> {
        (s.len() == 2 && is_digit(s))
            .then(|| s.parse().ok())
            .flatten()
            .filter(|v| *v < 60)
    };
    let (minutes, seconds) = (two(minutes)?, two(seconds)?);
    let hours: u64 = hours.parse().ok()?;
    let millis: u64 = millis.parse().ok()?;
    hours
        .checked_mul(3_600_000)?
        .checked_add(minutes * 60_000 + seconds * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        for (tag, canonical) in [
            ("en", "en"),
            ("fr", "fr"),
            ("pt-BR", "pt-BR"),
            ("pt-br", "pt-BR"),
            ("zh-Hant-TW", "zh-Hant-TW"),
            ("ZH-hant-tw", "zh-Hant-TW"),
            ("es-419", "es-419"),
            ("sl-rozaj-biske", "sl-rozaj-biske"),
            ("de-CH-1901", "de-CH-1901"),
            ("en-US-u-ca-gregory", "en-US-u-ca-gregory"),
            ("en-x-private", "en-x-private"),
            ("zh-yue-HK", "zh-yue-HK"),
        ] {
            assert_eq!(canonical_language(tag).as_deref(), Some(canonical), "{tag}");
        }
        for tag in [
            "",
            "english",
            "e1",
            "en_US",
            "e",
            "en-",
            "-en",
            "en--US",
            "123",
            "en-u",
            "en-x",
            "en-US-x",
            "en-abcdefghi",
            "en US",
            "fr-FR.vtt",
        ] {
            assert_eq!(canonical_language(tag), None, "{tag}");
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp("00:01.000"), Some(1000));
        assert_eq!(timestamp("01:02:03.004"), Some(3_723_004));
        assert_eq!(timestamp("100:00:00.000"), Some(360_000_000));
        for bad in [
            "1:02.000",
            "00:60.000",
            "00:00:00,000",
            "00:00.00",
            "0:00:00.000",
            "aa:bb.ccc",
            "00:00",
        ] {
            assert_eq!(timestamp(bad), None, "{bad}");
        }
    }

    fn check(text: &str) -> Result<(), String> {
        let mut checker = VttChecker::default();
        let mut n = 0;
        for line in text.lines() {
            n += 1;
            checker.line(n, line)?;
        }
        checker.finish(n)
    }

    #[test]
    fn webvtt_files() {
        assert!(check("WEBVTT\n").is_ok());
        assert!(
            check("\u{feff}WEBVTT - title\nKind: captions\n\n1\n00:00:01.000 --> 00:00:04.000 align:start\nHello\n\nNOTE a note\n\n00:05.000 --> 00:06.500\nBye\n")
                .is_ok()
        );
        assert!(check("").is_err());
        assert!(check("WEBVTTX\n").is_err());
        assert!(check("1\n00:00:01.000 --> 00:00:04.000\nHi\n").is_err());
        let err = check("WEBVTT\n\n00:00:01,000 --> 00:00:04,000\nHi\n").unwrap_err();
        assert!(err.starts_with("Line 3"), "{err}");
        assert!(check("WEBVTT\n\njust text\n").is_err());
        assert!(check("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nback\n").is_err());
        assert!(check("WEBVTT\n\n00:01.000-->00:02.000\nx\n").is_ok());
        assert!(
            check("WEBVTT\n\n00:01.000 --> 00:02.000\nx\n00:03.000 --> 00:04.000\ny\n").is_err()
        );
        let err = check("WEBVTT\n\n1\n\n").unwrap_err();
        assert!(
            err.starts_with("Line 3: a cue needs a timing line"),
            "{err}"
        );
        assert!(check("WEBVTT\n\nNOTE\n00:01.000 x\n\n").is_ok());
        let err = check("WEBVTT\r\n\r\nid\r\n00:01.000 --> 00:00.500\r\n").unwrap_err();
        assert!(err.starts_with("Line 4: a cue must end"), "{err}");
    }

    async fn check_file(bytes: &[u8]) -> Result<(), String> {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), bytes).unwrap();
        check_webvtt(file.path()).await
    }

    #[tokio::test]
    async fn long_lines_are_refused_and_never_echoed() {
        let mut long = b"WEBVTT\n\n00:00:01.000 --> ".to_vec();
        long.extend(std::iter::repeat_n(b'9', 4 * 1024 * 1024));
        long.push(b'\n');
        let err = check_file(&long).await.unwrap_err();
        assert_eq!(err, "Line 3: the line is longer than 65536 bytes.");
        // A bad line under the limit is quoted in part only.
        let mut bad = b"WEBVTT\n\n".to_vec();
        bad.extend(std::iter::repeat_n(b'x', 60_000));
        bad.extend_from_slice(b" --> 00:01.000\n");
        let err = check_file(&bad).await.unwrap_err();
        assert!(err.starts_with("Line 3: `xxx"), "{err}");
        assert!(err.len() < 300, "{} bytes", err.len());
        // A file read from disk is checked as its text is.
        assert!(
            check_file(b"\xef\xbb\xbfWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nHi\r\n")
                .await
                .is_ok()
        );
        assert!(
            check_file(b"WEBVTT\n\n00:01.000 --> 00:02.000\n\xff\n")
                .await
                .is_err()
        );
        assert!(check_file(b"").await.is_err());
    }
}

/// Properties of the language-tag and WebVTT parsers, on generated input:
/// no panic, errors of bounded size that name the right line, canonical
/// tags that are stable, and well-formed files accepted.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// The longest error the WebVTT checker may give, in bytes: its text,
    /// a line number and a quote of at most [`QUOTED`] characters.
    const MAX_ERROR: usize = 200 + 4 * QUOTED;

    /// Tags built from subtags of plausible shapes, in any case.
    fn near_tag() -> impl Strategy<Value = String> {
        let subtag = prop_oneof![
            "[a-zA-Z]{1,3}",
            "[a-zA-Z]{4}",
            "[0-9]{3,4}",
            "[a-zA-Z0-9]{5,9}",
            Just("x".to_owned()),
            Just("u".to_owned()),
            "[a-z0-9_ .]{0,2}",
        ];
        prop::collection::vec(subtag, 1..8).prop_map(|parts| parts.join("-"))
    }

    /// `HH:MM:SS.mmm` when `long` or the hour is not zero, else `MM:SS.mmm`.
    fn print_time(ms: u64, long: bool) -> String {
        let (h, m, s, f) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        if long || h > 0 {
            format!("{h:02}:{m:02}:{s:02}.{f:03}")
        } else {
            format!("{m:02}:{s:02}.{f:03}")
        }
    }

    fn check_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
        let mut checker = VttChecker::default();
        let mut n = 0;
        for line in lines {
            n += 1;
            checker.line(n, line)?;
        }
        checker.finish(n)
    }

    /// A text line of a cue: not blank, no `-->`.
    fn cue_text() -> impl Strategy<Value = String> {
        "[^\r\n>]{0,40}".prop_map(|t| format!("t{t}"))
    }

    /// One cue: an optional identifier, a timing line with the end after
    /// the start, and text lines. Returns its lines and its timing line's
    /// index among them.
    fn cue() -> impl Strategy<Value = (Vec<String>, usize)> {
        (
            prop::option::of("[a-z0-9]{1,8}"),
            0u64..360_000_000,
            1u64..10_000_000,
            any::<bool>(),
            prop::sample::select(vec!["", " align:start", " line:0 position:10%"]),
            prop::collection::vec(cue_text(), 0..3),
        )
            .prop_map(|(id, start, length, long, settings, text)| {
                let mut lines: Vec<String> = id.map(|i| format!("c{i}")).into_iter().collect();
                let at = lines.len();
                lines.push(format!(
                    "{} --> {}{settings}",
                    print_time(start, long),
                    print_time(start + length, long)
                ));
                lines.extend(text);
                (lines, at)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn language_tags_never_panic_and_canonical_tags_are_stable(
            tag in prop_oneof![3 => near_tag(), 1 => any::<String>()],
        ) {
            if let Some(canonical) = canonical_language(&tag) {
                // Only the case changes, and the result is its own canonical form.
                prop_assert!(canonical.eq_ignore_ascii_case(&tag), "{tag} -> {canonical}");
                prop_assert_eq!(canonical_language(&canonical), Some(canonical.clone()));
                prop_assert_eq!(canonical_language(&tag.to_ascii_uppercase()), Some(canonical.clone()));
                prop_assert_eq!(canonical_language(&tag.to_ascii_lowercase()), Some(canonical));
            }
        }

        #[test]
        fn timestamps_read_back(ms in 0u64..3_600_000_000, long in any::<bool>()) {
            prop_assert_eq!(timestamp(&print_time(ms, long)), Some(ms));
        }

        #[test]
        fn any_lines_never_panic_and_errors_stay_short(
            lines in prop::collection::vec(
                prop_oneof![
                    3 => any::<String>(),
                    2 => "(WEBVTT|NOTE|[0-9:.]{0,12}) ?(-->)? ?[0-9:.]{0,12}",
                    1 => Just(String::new()),
                    // Long lines, built by repetition: generating them
                    // character by character is slow.
                    1 => ("[^\r\n]{1,8}", 300usize..3000).prop_map(|(s, n)| s.repeat(n)),
                    1 => (1000usize..10_000).prop_map(|n| format!("{} --> 00:01.000", "x ".repeat(n))),
                ],
                0..12,
            ),
            signed in any::<bool>(),
        ) {
            let mut all = Vec::new();
            if signed {
                all.push("WEBVTT".to_owned());
            }
            all.extend(lines);
            if let Err(e) = check_lines(all.iter().map(String::as_str)) {
                prop_assert!(e.len() <= MAX_ERROR, "{} bytes", e.len());
            }
        }

        #[test]
        fn well_formed_files_pass(
            header in prop::sample::select(vec!["WEBVTT", "\u{feff}WEBVTT", "WEBVTT - a title", "WEBVTT\tx"]),
            header_lines in prop::collection::vec("[a-zA-Z]{1,8}: [a-z]{0,8}", 0..3),
            cues in prop::collection::vec(cue(), 0..6),
            notes in prop::collection::vec(any::<bool>(), 6),
            blanks in prop::collection::vec(1usize..3, 6),
        ) {
            let mut lines: Vec<String> = vec![header.to_owned()];
            lines.extend(header_lines);
            for (i, (cue, _)) in cues.into_iter().enumerate() {
                lines.extend(std::iter::repeat_n(String::new(), blanks[i]));
                if notes[i] {
                    lines.push("NOTE a comment, even with 00:01.000 in it".to_owned());
                    lines.push(String::new());
                }
                lines.extend(cue);
            }
            let result = check_lines(lines.iter().map(String::as_str));
            prop_assert!(result.is_ok(), "{:?}: {:?}", lines, result);
        }

        #[test]
        fn a_cue_ending_before_it_starts_is_refused_at_its_line(
            before in prop::collection::vec(cue(), 0..4),
            (mut bad, at) in cue(),
            after in prop::collection::vec(cue(), 0..3),
        ) {
            let (start, end) = bad[at].split_once(" --> ").unwrap();
            let end = end.split(' ').next().unwrap().to_owned();
            bad[at] = format!("{end} --> {start}");
            let mut lines = vec!["WEBVTT".to_owned()];
            for (cue, _) in before {
                lines.push(String::new());
                lines.extend(cue);
            }
            lines.push(String::new());
            // Line numbers count from 1.
            let line_of_bad = lines.len() + at + 1;
            lines.extend(bad);
            for (cue, _) in after {
                lines.push(String::new());
                lines.extend(cue);
            }
            let err = check_lines(lines.iter().map(String::as_str)).unwrap_err();
            prop_assert!(err.starts_with(&format!("Line {line_of_bad}: ")), "{err}");
        }
    }
}
