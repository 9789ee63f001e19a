//! Video uploads: from a file or any reader, in one request or in chunks,
//! with progress, resume, and delegated upload tokens.
//!
//! - A source up to the chunk size goes in one request; a larger one in
//!   chunks sent with `Content-Range: bytes from-to/total`; a source of
//!   unknown size as a progressive session (`part N/*`, the last one
//!   `part N/N`).
//! - File chunks stream from disk and are re-opened at their offset for
//!   every attempt, so a chunk can be re-sent without ever being held in
//!   memory.
//! - Every request goes through the engine's one retry loop. A chunk for a
//!   known video replaces the same bytes, so it is idempotent and retried
//!   like a GET. With an upload token, the first request creates the video:
//!   it is retried only when the server provably did not act (a refused
//!   connection, a 429), and otherwise fails with
//!   [`Error::OutcomeUnknown`]. Later chunks name the video and are
//!   idempotent again.
//! - `resume()` asks `GET /videos/{id}/status` which byte ranges arrived
//!   and sends only the others, with any chunk size; the ranges' total must
//!   be the file's size.
//! - Progress is reported as bytes go out. Dropping the upload's future
//!   stops it: no callback runs once the drop has returned, and a progress
//!   channel closes.

mod body;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use apivideo_raw::ResponseValue;
use apivideo_raw::prelude::*;
use apivideo_raw::types::{Video, VideoStatusIngestStatus};
use bytes::{Bytes, BytesMut};
use reqwest::multipart::{Form, Part};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::client::Client;
use crate::config::{MAX_CHUNK_SIZE, MIN_CHUNK_SIZE};
use crate::engine::{Call, Kind, decode};
use crate::error::{Error, Result, SourceError, SourceErrorKind};
use crate::videos::{path_segment, required};
use body::PartSource;

/// How far an upload has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the source the server has or is receiving (bytes that had
    /// arrived before a resume count as sent). A chunk that is sent again
    /// counts from its start again.
    pub bytes_sent: u64,
    /// Size of the source, when known.
    pub total_bytes: Option<u64>,
    /// The chunk being sent, from 1.
    pub part: u32,
    /// Number of chunks, when known.
    pub parts: Option<u32>,
}

type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Where progress goes while an upload runs. The upload's future holds
/// the only [`ProgressGuard`]; dropping it closes the sink, under the lock
/// that every report takes, so no report starts after the drop.
#[derive(Default)]
pub(crate) struct ProgressSink(Mutex<Option<ProgressFn>>);

impl ProgressSink {
    pub(crate) fn report(&self, progress: Progress) {
        if let Some(f) = &*self.0.lock().unwrap_or_else(|e| e.into_inner()) {
            f(progress);
        }
    }
}

struct ProgressGuard(Arc<ProgressSink>);

impl Drop for ProgressGuard {
    fn drop(&mut self) {
        self.0.0.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

impl Client {
    /// Uploads the source of an existing video:
    /// `POST /videos/{videoId}/source`. Set `video_id` and a source
    /// (`file`, `reader` or `stream`), then `send()`.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// let video = client
    ///     .upload_video()
    ///     .video_id("vi4k0jvEUuaTdRAEjQ4Jfrgz")
    ///     .file("movie.mp4")
    ///     .on_progress(|p| println!("{} / {:?} bytes", p.bytes_sent, p.total_bytes))
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_video(&self) -> VideoUpload<'_> {
        VideoUpload::new(self, TargetKind::Video)
    }

    /// Uploads a new video with a delegated upload token, no API key
    /// needed: `POST /upload?token=…`. Set `token` and a source, then
    /// `send()`. The first request creates the video; the others name it.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// let video = client
    ///     .upload_with_upload_token()
    ///     .token("to1tcmSFHeYY5KzyhOqVKMKb")
    ///     .file("movie.mp4")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_with_upload_token(&self) -> VideoUpload<'_> {
        VideoUpload::new(self, TargetKind::Token)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetKind {
    Video,
    Token,
}

#[derive(Clone)]
enum Target {
    Video(String),
    Token(String),
}

type BoxReader<'a> = Box<dyn AsyncRead + Send + Unpin + 'a>;

enum Source<'a> {
    File(PathBuf),
    Reader(BoxReader<'a>, u64),
    Stream(BoxReader<'a>),
}

/// Builder for [`Client::upload_video`] and
/// [`Client::upload_with_upload_token`].
pub struct VideoUpload<'a> {
    client: &'a Client,
    kind: TargetKind,
    id: Option<String>,
    source: Option<Source<'a>>,
    progress: Option<ProgressFn>,
    resume: bool,
    file_name: Option<String>,
    chunk_size: u64,
    /// A setter that does not apply to this kind of upload was called.
    misuse: Option<&'static str>,
}

impl std::fmt::Debug for VideoUpload<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = match self.kind {
            TargetKind::Video => self.id.as_deref(),
            // An upload token lets anyone upload: never print it.
            TargetKind::Token => self.id.as_ref().map(|_| "[REDACTED]"),
        };
        let source = match &self.source {
            Some(Source::File(path)) => Some(path.display().to_string()),
            Some(Source::Reader(_, size)) => Some(format!("reader of {size} bytes")),
            Some(Source::Stream(_)) => Some("stream".to_owned()),
            None => None,
        };
        f.debug_struct("VideoUpload")
            .field("kind", &self.kind)
            .field("id", &id)
            .field("source", &source)
            .field("resume", &self.resume)
            .field("file_name", &self.file_name)
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

impl<'a> VideoUpload<'a> {
    fn new(client: &'a Client, kind: TargetKind) -> Self {
        Self {
            client,
            kind,
            id: None,
            source: None,
            progress: None,
            resume: false,
            file_name: None,
            chunk_size: client.config().chunk_size(),
            misuse: None,
        }
    }

    /// The video whose source this is: required by `upload_video`, refused
    /// by `upload_with_upload_token` (its first request creates the video).
    pub fn video_id(mut self, id: impl Into<String>) -> Self {
        match self.kind {
            TargetKind::Video => self.id = Some(id.into()),
            TargetKind::Token => {
                self.misuse = Some("video_id does not apply to an upload with an upload token")
            }
        }
        self
    }

    /// The delegated upload token: required by `upload_with_upload_token`,
    /// refused by `upload_video`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        match self.kind {
            TargetKind::Token => self.id = Some(token.into()),
            TargetKind::Video => {
                self.misuse =
                    Some("token does not apply to upload_video: use upload_with_upload_token")
            }
        }
        self
    }

    /// Uploads this file, streaming each chunk from disk.
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.source = Some(Source::File(path.as_ref().to_path_buf()));
        self
    }

    /// Uploads `size` bytes from a reader. Each chunk is read into memory
    /// (so it can be re-sent), one at a time.
    pub fn reader(mut self, reader: impl AsyncRead + Send + Unpin + 'a, size: u64) -> Self {
        self.source = Some(Source::Reader(Box::new(reader), size));
        self
    }

    /// Uploads a source of unknown size as a progressive session: chunks
    /// `part N/*`, the last one `part N/N`. Up to two chunks are held in
    /// memory (the next one is read ahead to know which is last).
    pub fn stream(mut self, reader: impl AsyncRead + Send + Unpin + 'a) -> Self {
        self.source = Some(Source::Stream(Box::new(reader)));
        self
    }

    /// Calls `f` as bytes go out: once per 256 KiB handed to the
    /// connection, whatever the chunk size, and once as each chunk is
    /// acknowledged. The last call reports every byte of the source (100%)
    /// once the upload succeeded. `f` runs on the upload's task: keep it
    /// short, or hand the figures to a channel (see `progress_channel`).
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Sends progress to a channel instead of a callback. The channel
    /// closes when the upload ends or is dropped.
    pub fn progress_channel(self, tx: tokio::sync::mpsc::UnboundedSender<Progress>) -> Self {
        self.on_progress(move |p| {
            let _ = tx.send(p);
        })
    }

    /// Continues an interrupted upload of the same file (by `video_id`):
    /// only the bytes the server lacks are sent, with any chunk size.
    pub fn resume(mut self) -> Self {
        self.resume = true;
        self
    }

    /// The file name sent with the upload (default: the path's file name,
    /// or `video`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The chunk size for this upload, 5 MiB to 128 MiB (default: the
    /// client's).
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes;
        self
    }

    /// Sends the upload and returns the video the last answer describes.
    pub async fn send(self) -> Result<Video> {
        self.send_with_response()
            .await
            .map(ResponseValue::into_inner)
    }

    /// Like `send`, keeping the last answer's status and headers.
    pub async fn send_with_response(self) -> Result<ResponseValue<Video>> {
        if let Some(misuse) = self.misuse {
            return Err(Error::InvalidRequest(misuse.into()));
        }
        let what = match self.kind {
            TargetKind::Video => "video_id",
            TargetKind::Token => "token",
        };
        let id = required(
            what,
            self.id.ok_or_else(|| format!("{what} was not initialized")),
        )?;
        let target = match self.kind {
            TargetKind::Video => Target::Video(id),
            TargetKind::Token => Target::Token(id),
        };
        check_chunk_size(self.chunk_size)?;
        let source = self
            .source
            .ok_or_else(|| Error::InvalidRequest("no source: set file, reader or stream".into()))?;
        let sink = Arc::new(ProgressSink(Mutex::new(self.progress)));
        let _guard = ProgressGuard(sink.clone());
        let mut uploader = Uploader {
            client: self.client,
            target,
            name: self.file_name.unwrap_or_else(|| match &source {
                Source::File(path) => path
                    .file_name()
                    .map_or_else(|| "video".to_owned(), |n| n.to_string_lossy().into_owned()),
                _ => "video".to_owned(),
            }),
            chunk: self.chunk_size,
            sink,
            done: 0,
            size: None,
            last: None,
        };
        match source {
            Source::File(path) => uploader.file(path, self.resume).await,
            _ if self.resume => Err(Error::InvalidRequest(
                "resume needs a file path, not a reader or a stream".into(),
            )),
            Source::Reader(reader, size) => uploader.reader(reader, size).await,
            Source::Stream(reader) => uploader.stream(reader).await,
        }
    }
}

/// What a resume finds on the server.
enum Received {
    /// The whole source is there.
    Complete,
    /// Bytes arrived: these ranges (end exclusive) are missing.
    Missing(Vec<(u64, u64)>),
}

/// Sends an upload's requests one after the other, keeping the delegated
/// video id, the progress count and the latest answer.
struct Uploader<'a> {
    client: &'a Client,
    target: Target,
    name: String,
    chunk: u64,
    sink: Arc<ProgressSink>,
    /// Bytes the server has.
    done: u64,
    size: Option<u64>,
    last: Option<ResponseValue<Video>>,
}

impl Uploader<'_> {
    async fn file(&mut self, path: PathBuf, resume: bool) -> Result<ResponseValue<Video>> {
        let meta = tokio::fs::metadata(&path).await.map_err(|e| {
            SourceError::io(
                SourceErrorKind::Missing,
                format!("cannot read {}", path.display()),
                e,
            )
        })?;
        if !meta.is_file() {
            return Err(SourceError::new(
                SourceErrorKind::Missing,
                format!("{} is not a file", path.display()),
            )
            .into());
        }
        let size = non_empty(meta.len())?;
        self.size = Some(size);
        let missing = if resume {
            match self.received(size).await? {
                Received::Complete => return self.fetch_video().await,
                Received::Missing(gaps) => gaps,
            }
        } else {
            vec![(0, size)]
        };
        self.done = size - missing.iter().map(|(a, b)| b - a).sum::<u64>();
        for (from, to) in missing {
            let mut at = from;
            while at < to {
                // A chunk runs on past the gap into bytes the server has
                // rather than be shorter than the smallest chunk allowed.
                let end = (at + self.chunk).min(size);
                let part = PartSource::File {
                    path: path.clone(),
                    offset: at,
                    len: end - at,
                    file_len: size,
                };
                // Any part short of the whole file says where it goes: a
                // resumed tail smaller than a chunk is still a range.
                let whole = at == 0 && end == size;
                let range = (!whole).then(|| format!("bytes {at}-{}/{size}", end - 1));
                self.send_part(at, part, range, end.min(to) - at).await?;
                at = end;
            }
        }
        if resume {
            self.check_final_size(size).await?;
        }
        self.finish().await
    }

    async fn reader(
        &mut self,
        mut reader: BoxReader<'_>,
        size: u64,
    ) -> Result<ResponseValue<Video>> {
        let size = non_empty(size)?;
        self.size = Some(size);
        let mut at = 0;
        while at < size {
            let want = self.chunk.min(size - at);
            let bytes = read_up_to(&mut reader, want).await?;
            if (bytes.len() as u64) < want {
                return Err(ended_early(size, at + bytes.len() as u64));
            }
            let end = at + want;
            if end == size && !read_up_to(&mut reader, 1).await?.is_empty() {
                return Err(SourceError::new(
                    SourceErrorKind::Changed,
                    format!("the reader holds more than the {size} bytes announced"),
                )
                .into());
            }
            let range = (size > self.chunk).then(|| format!("bytes {at}-{}/{size}", end - 1));
            self.send_part(at, PartSource::Memory(bytes), range, want)
                .await?;
            at = end;
        }
        self.finish().await
    }

    async fn stream(&mut self, mut reader: BoxReader<'_>) -> Result<ResponseValue<Video>> {
        let mut current = read_up_to(&mut reader, self.chunk).await?;
        if current.is_empty() {
            return Err(SourceError::new(SourceErrorKind::Empty, "the source is empty").into());
        }
        let mut index: u64 = 1;
        loop {
            let next = read_up_to(&mut reader, self.chunk).await?;
            let range = if next.is_empty() {
                format!("part {index}/{index}")
            } else {
                format!("part {index}/*")
            };
            let len = current.len() as u64;
            let at = self.done;
            self.send_part(at, PartSource::Memory(current), Some(range), len)
                .await?;
            if next.is_empty() {
                return self.finish().await;
            }
            current = next;
            index += 1;
        }
    }

    /// The answer to the last request.
    async fn finish(&mut self) -> Result<ResponseValue<Video>> {
        match self.last.take() {
            Some(video) => Ok(video),
            // Every byte was there but the server had not said "uploaded".
            None => self.fetch_video().await,
        }
    }

    fn progress(&self, at: u64, sent: u64) -> Progress {
        let part = |offset: u64| u32::try_from(offset / self.chunk + 1).unwrap_or(u32::MAX);
        Progress {
            bytes_sent: self.done + sent,
            total_bytes: self.size,
            part: part(at),
            parts: self.size.map(|s| part(s - 1)),
        }
    }

    /// Sends the chunk at offset `at`, which brings `new` bytes the server
    /// did not have, through the engine's retry loop.
    async fn send_part(
        &mut self,
        at: u64,
        source: PartSource,
        range: Option<String>,
        new: u64,
    ) -> Result<()> {
        let (url, token) = match &self.target {
            Target::Video(id) => (
                self.client
                    .url(&format!("/videos/{}/source", path_segment(id))),
                None,
            ),
            Target::Token(token) => (self.client.url("/upload"), Some(token.clone())),
        };
        let (operation, created) = match &self.target {
            Target::Video(_) => ("upload_video", true),
            // Later chunks name the video the first one created.
            Target::Token(_) => ("upload_with_upload_token", self.last.is_some()),
        };
        let call = Call {
            operation,
            // The request replaces bytes of a video that exists.
            idempotent: created,
            kind: Kind::Upload,
            credentials: token.is_none(),
        };
        let video_id = match (&self.target, &self.last) {
            (Target::Token(_), Some(video)) => Some(video.video_id.clone()),
            _ => None,
        };
        let base = self.progress(at, 0);
        let sink = self.sink.clone();
        let name = self.name.clone();
        let http = self.client.engine().http.clone();
        let result = self
            .client
            .engine()
            .send(call, || {
                let (source, range, url, token, video_id, name, http, sink) = (
                    source.clone(),
                    range.clone(),
                    url.clone(),
                    token.clone(),
                    video_id.clone(),
                    name.clone(),
                    http.clone(),
                    sink.clone(),
                );
                async move {
                    let len = source.len();
                    // A resumed chunk may run into bytes the server has:
                    // only the new ones count.
                    let body = source
                        .body(move |sent| {
                            sink.report(Progress {
                                bytes_sent: base.bytes_sent + sent.min(new),
                                ..base
                            })
                        })
                        .await?;
                    let file = Part::stream_with_length(body, len)
                        .file_name(name)
                        .mime_str("application/octet-stream")
                        .map_err(Error::transport)?;
                    let mut form = Form::new();
                    if let Some(id) = video_id {
                        form = form.text("videoId", id);
                    }
                    let mut request = http.post(&url).multipart(form.part("file", file));
                    if let Some(token) = &token {
                        request = request.query(&[("token", token)]);
                    }
                    if let Some(range) = range {
                        request = request.header("Content-Range", range);
                    }
                    request.build().map_err(Error::transport)
                }
            })
            .await;
        let response = match result {
            Ok(response) => response,
            // An attempt whose answer was lost completed the source.
            Err(Error::Api(e)) if e.earlier_attempt_lost && is_already_uploaded(&e) => {
                self.done += new;
                self.sink.report(self.progress(at, 0));
                if self.last.is_none() {
                    self.last = Some(self.fetch_video().await?);
                }
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let video = decode(response).await?;
        self.done += new;
        self.sink.report(self.progress(at, 0));
        self.last = Some(video);
        Ok(())
    }

    /// What an interrupted upload left on the server, checked against a
    /// file of `size` bytes.
    async fn received(&self, size: u64) -> Result<Received> {
        let Target::Video(id) = &self.target else {
            return Err(Error::InvalidRequest(
                "resume works with a video id and an API key, not an upload token".into(),
            ));
        };
        let status = self
            .client
            .get_video_status()
            .video_id(id.as_str())
            .send()
            .await?;
        let ingest = status.ingest;
        if matches!(
            ingest.status,
            VideoStatusIngestStatus::Uploaded
                | VideoStatusIngestStatus::Ingesting
                | VideoStatusIngestStatus::Ingested
        ) {
            check_size(ingest.filesize, size)?;
            return Ok(Received::Complete);
        }
        if ingest
            .received_parts
            .as_ref()
            .is_some_and(|p| !p.parts.is_empty())
        {
            return Err(SourceError::new(
                SourceErrorKind::ChunkSizeMismatch,
                "the interrupted upload was sent in numbered parts, whose boundaries cannot be checked against this file: upload it again without resume",
            )
            .into());
        }
        let mut ranges = Vec::new();
        for r in &ingest.received_bytes {
            let (from, to, total) = (r.from, r.to, r.total);
            check_size(Some(total), size)?;
            let (from, to) = (
                u64::try_from(from).unwrap_or(0),
                u64::try_from(to).unwrap_or(0),
            );
            if from <= to && to < size {
                ranges.push((from, to + 1));
            }
        }
        ranges.sort_unstable();
        let mut missing = Vec::new();
        let mut next = 0;
        for (from, to) in ranges {
            if from > next {
                missing.push((next, from));
            }
            next = next.max(to);
        }
        if next < size {
            missing.push((next, size));
        }
        Ok(Received::Missing(missing))
    }

    /// After a resumed upload: the server's source has the file's size.
    async fn check_final_size(&self, size: u64) -> Result<()> {
        let Target::Video(id) = &self.target else {
            return Ok(());
        };
        let status = self
            .client
            .get_video_status()
            .video_id(id.as_str())
            .send()
            .await?;
        check_size(status.ingest.filesize, size)
    }

    async fn fetch_video(&mut self) -> Result<ResponseValue<Video>> {
        match &self.target {
            Target::Video(id) => {
                self.client
                    .get_video()
                    .video_id(id.as_str())
                    .send_with_response()
                    .await
            }
            // The upload token cannot read the video: the last answer is
            // what is known of it.
            Target::Token(_) => self.last.take().ok_or_else(|| {
                Error::InvalidRequest("no answer describes the uploaded video".into())
            }),
        }
    }
}

/// The server's source size, when it reports one, is the file's.
fn check_size(server: Option<i64>, size: u64) -> Result<()> {
    match server.and_then(|s| u64::try_from(s).ok()) {
        Some(s) if s != size => Err(SourceError::new(
            SourceErrorKind::Changed,
            format!("the video's source on the server has {s} bytes but this file has {size}: it is not the same file"),
        )
        .into()),
        _ => Ok(()),
    }
}

fn non_empty(size: u64) -> Result<u64> {
    if size == 0 {
        return Err(SourceError::new(
            SourceErrorKind::Empty,
            "the source is empty: there is nothing to upload",
        )
        .into());
    }
    Ok(size)
}

fn check_chunk_size(bytes: u64) -> Result<()> {
    if (MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&bytes) {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "chunk size {bytes} bytes is outside the accepted range of 5 MiB to 128 MiB"
        )))
    }
}

fn ended_early(expected: u64, got: u64) -> Error {
    SourceError::new(
        SourceErrorKind::Changed,
        format!("the source ended after {got} of the {expected} bytes announced"),
    )
    .into()
}

/// Reads until `want` bytes or the end of the reader.
async fn read_up_to<R: AsyncRead + Unpin>(reader: &mut R, want: u64) -> Result<Bytes> {
    let mut buf = BytesMut::with_capacity(
        usize::try_from(want)
            .unwrap_or(usize::MAX)
            .min(MAX_CHUNK_SIZE as usize),
    );
    let mut limited = reader.take(want);
    while limited.read_buf(&mut buf).await? > 0 {}
    Ok(buf.freeze())
}

/// The API answers a second upload of a video's source with the problem type
/// `…/video-source-already-uploaded`.
fn is_already_uploaded(e: &crate::ApiError) -> bool {
    e.problem
        .as_ref()
        .and_then(|p| p.type_.as_deref())
        .is_some_and(|t| t.ends_with("/video-source-already-uploaded"))
}
