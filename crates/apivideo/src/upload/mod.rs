//! Video uploads: from a file or any reader, in one request or in chunks,
//! with progress, resume, and delegated upload tokens.
//!
//! - A source up to the chunk size goes in one request; a larger one in
//!   chunks sent with `Content-Range: part N/M`; a source of unknown size as
//!   a progressive session (`part N/*`, the last one `part N/N`).
//! - File chunks stream from disk and are re-opened at their offset for
//!   every attempt, so a chunk can be re-sent after a 401 or 429 without
//!   ever being held in memory.
//! - A chunk is idempotent (the server replaces a part it already has), so
//!   chunks are also retried on 5xx answers and dropped connections.
//! - With an upload token, every chunk after the first names the video the
//!   first one created.
//! - `resume()` asks `GET /videos/{id}/status` which parts arrived and sends
//!   only the others.

mod body;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use apivideo_raw::prelude::*;
use apivideo_raw::types::{Video, VideoStatusIngestStatus};
use bytes::{Bytes, BytesMut};
use reqwest::multipart::{Form, Part};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_util::task::AbortOnDropHandle;

use crate::client::Client;
use crate::config::{MAX_CHUNK_SIZE, MIN_CHUNK_SIZE};
use crate::engine::decode;
use crate::error::{Error, Result, SourceError, SourceErrorKind};
use crate::videos::path_segment;
use body::PartSource;

/// How far an upload has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the source the server has or is receiving (parts skipped on
    /// resume count as sent).
    pub bytes_sent: u64,
    /// Size of the source, when known.
    pub total_bytes: Option<u64>,
    /// The part being sent, from 1.
    pub part: u32,
    /// Number of parts, when known.
    pub parts: Option<u32>,
}

type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

#[derive(Debug, Clone)]
enum Target {
    Video(String),
    Token(String),
}

impl Client {
    /// Uploads the source of an existing video: `POST /videos/{videoId}/source`.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// let video = client
    ///     .upload_video("vi4k0jvEUuaTdRAEjQ4Jfrgz")
    ///     .on_progress(|p| println!("{} / {:?} bytes", p.bytes_sent, p.total_bytes))
    ///     .from_path("movie.mp4")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_video(&self, video_id: impl Into<String>) -> VideoUpload<'_> {
        VideoUpload::new(self, Target::Video(video_id.into()))
    }

    /// Uploads a new video with a delegated upload token, no API key needed:
    /// `POST /upload?token=…`. The first chunk creates the video; the others
    /// name it.
    pub fn upload_with_upload_token(&self, token: impl Into<String>) -> VideoUpload<'_> {
        VideoUpload::new(self, Target::Token(token.into()))
    }
}

/// An upload being set up; finish with [`VideoUpload::from_path`],
/// [`VideoUpload::from_reader`] or [`VideoUpload::from_stream`].
#[derive(Clone)]
pub struct VideoUpload<'a> {
    client: &'a Client,
    target: Target,
    progress: Option<ProgressFn>,
    resume: bool,
    file_name: Option<String>,
    chunk_size: u64,
}

impl std::fmt::Debug for VideoUpload<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoUpload")
            .field("target", &self.target)
            .field("resume", &self.resume)
            .field("file_name", &self.file_name)
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

impl<'a> VideoUpload<'a> {
    fn new(client: &'a Client, target: Target) -> Self {
        Self {
            client,
            target,
            progress: None,
            resume: false,
            file_name: None,
            chunk_size: client.config().chunk_size(),
        }
    }

    /// Calls `f` as bytes go out and after each part.
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Sends progress to a channel instead of a callback.
    pub fn progress_channel(self, tx: tokio::sync::mpsc::UnboundedSender<Progress>) -> Self {
        self.on_progress(move |p| {
            let _ = tx.send(p);
        })
    }

    /// Continues an interrupted upload of the same source with the same
    /// chunk size: only the parts the server lacks are sent.
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

    /// Uploads a file, streaming each chunk from disk.
    pub async fn from_path(self, path: impl AsRef<Path>) -> Result<Video> {
        let path = path.as_ref().to_path_buf();
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
        let size = meta.len();
        let name = self.file_name.clone().unwrap_or_else(|| {
            path.file_name()
                .map_or_else(|| "video".to_owned(), |n| n.to_string_lossy().into_owned())
        });
        let plan = self.plan(size)?;
        let file = FileParts { path, size };
        self.run(plan, name, |index| Ok(file.part(index, plan.chunk)))
            .await
    }

    /// Uploads `size` bytes from a reader. Each chunk is read into memory
    /// (so it can be re-sent), one at a time.
    pub async fn from_reader<R: AsyncRead + Unpin + Send>(
        self,
        mut reader: R,
        size: u64,
    ) -> Result<Video> {
        let plan = self.plan(size)?;
        if self.resume {
            return Err(Error::InvalidRequest(
                "resume needs a file path, not a reader".into(),
            ));
        }
        let name = self.file_name.clone().unwrap_or_else(|| "video".to_owned());
        let mut sent = Uploader::new(&self, plan, name);
        let mut last = None;
        for index in 1..=plan.parts {
            let want = plan.part_len(index);
            let bytes = read_up_to(&mut reader, want).await?;
            if (bytes.len() as u64) < want {
                return Err(ended_early(
                    plan.size,
                    (index as u64 - 1) * plan.chunk + bytes.len() as u64,
                ));
            }
            if index == plan.parts && !read_up_to(&mut reader, 1).await?.is_empty() {
                return Err(SourceError::new(
                    SourceErrorKind::Changed,
                    format!(
                        "the reader holds more than the {} bytes announced",
                        plan.size
                    ),
                )
                .into());
            }
            last = Some(
                sent.send(index, PartSource::Memory(bytes), plan.range(index))
                    .await?,
            );
        }
        last.ok_or_else(|| SourceError::new(SourceErrorKind::Empty, "the source is empty").into())
    }

    /// Uploads a source of unknown size as a progressive session: chunks
    /// `part N/*`, the last one `part N/N`. Up to two chunks are held in
    /// memory (the next one is read ahead to know which is last).
    pub async fn from_stream<R: AsyncRead + Unpin + Send>(self, mut reader: R) -> Result<Video> {
        if self.resume {
            return Err(Error::InvalidRequest(
                "resume needs a file path, not a stream".into(),
            ));
        }
        check_chunk_size(self.chunk_size)?;
        let name = self.file_name.clone().unwrap_or_else(|| "video".to_owned());
        let plan = Plan {
            size: 0,
            chunk: self.chunk_size,
            parts: 0,
            known: false,
        };
        let mut sent = Uploader::new(&self, plan, name);
        let mut current = read_up_to(&mut reader, self.chunk_size).await?;
        if current.is_empty() {
            return Err(SourceError::new(SourceErrorKind::Empty, "the source is empty").into());
        }
        let mut index: u32 = 1;
        loop {
            let next = read_up_to(&mut reader, self.chunk_size).await?;
            let range = if next.is_empty() {
                format!("part {index}/{index}")
            } else {
                format!("part {index}/*")
            };
            let video = sent
                .send(index, PartSource::Memory(current), Some(range))
                .await?;
            if next.is_empty() {
                return Ok(video);
            }
            current = next;
            index += 1;
        }
    }

    fn plan(&self, size: u64) -> Result<Plan> {
        check_chunk_size(self.chunk_size)?;
        if size == 0 {
            return Err(SourceError::new(
                SourceErrorKind::Empty,
                "the source is empty: there is nothing to upload",
            )
            .into());
        }
        let parts = u32::try_from(size.div_ceil(self.chunk_size)).map_err(|_| {
            Error::InvalidRequest("the source needs more than 4 billion chunks".into())
        })?;
        Ok(Plan {
            size,
            chunk: self.chunk_size,
            parts,
            known: true,
        })
    }

    /// Sends every part the server lacks, in order, and returns the video
    /// the last answer describes.
    async fn run(
        &self,
        plan: Plan,
        name: String,
        part: impl Fn(u32) -> Result<PartSource>,
    ) -> Result<Video> {
        let mut uploader = Uploader::new(self, plan, name);
        let done = if self.resume {
            self.received_parts(plan).await?
        } else {
            Received::Parts(Vec::new())
        };
        let done = match done {
            Received::Complete => return self.fetch_video().await,
            Received::Parts(parts) => parts,
        };
        let mut last = None;
        for index in 1..=plan.parts {
            if done.contains(&index) {
                uploader.skip(plan.part_len(index));
                continue;
            }
            last = Some(
                uploader
                    .send(index, part(index)?, plan.range(index))
                    .await?,
            );
        }
        match last {
            Some(video) => Ok(video),
            // Every part was there but the server had not yet said "uploaded".
            None => self.fetch_video().await,
        }
    }

    async fn received_parts(&self, plan: Plan) -> Result<Received> {
        let Target::Video(id) = &self.target else {
            return Err(Error::InvalidRequest(
                "resume works with a video id, not an upload token".into(),
            ));
        };
        let status = self
            .client
            .get_video_status()
            .video_id(id.as_str())
            .send()
            .await?
            .into_inner();
        let Some(ingest) = status.ingest else {
            return Ok(Received::Parts(Vec::new()));
        };
        if ingest.status == Some(VideoStatusIngestStatus::Uploaded) {
            return Ok(Received::Complete);
        }
        let Some(received) = ingest.received_parts else {
            return Ok(Received::Parts(Vec::new()));
        };
        if let Some(total) = received.total.filter(|t| *t != i64::from(plan.parts)) {
            return Err(SourceError::new(
                SourceErrorKind::ChunkSizeMismatch,
                format!("the interrupted upload has {total} parts but this one would have {}: resume with the same file and chunk size", plan.parts),
            )
            .into());
        }
        Ok(Received::Parts(
            received
                .parts
                .iter()
                .filter_map(|p| u32::try_from(*p).ok())
                .collect(),
        ))
    }

    async fn fetch_video(&self) -> Result<Video> {
        let Target::Video(id) = &self.target else {
            return Err(Error::InvalidRequest(
                "no video to fetch for an upload token".into(),
            ));
        };
        Ok(self
            .client
            .get_video()
            .video_id(id.as_str())
            .send()
            .await?
            .into_inner())
    }
}

enum Received {
    Complete,
    Parts(Vec<u32>),
}

/// How a source of known size is cut.
#[derive(Debug, Clone, Copy)]
struct Plan {
    size: u64,
    chunk: u64,
    parts: u32,
    known: bool,
}

impl Plan {
    fn part_len(&self, index: u32) -> u64 {
        let start = u64::from(index - 1) * self.chunk;
        self.chunk.min(self.size - start)
    }

    /// `Content-Range` for a part: none for a single-request upload.
    fn range(&self, index: u32) -> Option<String> {
        (self.known && self.parts > 1).then(|| format!("part {index}/{}", self.parts))
    }
}

struct FileParts {
    path: PathBuf,
    size: u64,
}

impl FileParts {
    fn part(&self, index: u32, chunk: u64) -> PartSource {
        let offset = u64::from(index - 1) * chunk;
        PartSource::File {
            path: self.path.clone(),
            offset,
            len: chunk.min(self.size - offset),
            file_len: self.size,
        }
    }
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

/// Sends parts one after the other, keeping the delegated video id and the
/// progress count.
struct Uploader<'u, 'a> {
    upload: &'u VideoUpload<'a>,
    plan: Plan,
    name: String,
    done: u64,
    video_id: Option<String>,
}

impl<'u, 'a> Uploader<'u, 'a> {
    fn new(upload: &'u VideoUpload<'a>, plan: Plan, name: String) -> Self {
        Self {
            upload,
            plan,
            name,
            done: 0,
            video_id: None,
        }
    }

    fn skip(&mut self, len: u64) {
        self.done += len;
    }

    fn report(&self, part: u32, bytes_sent: u64) {
        if let Some(f) = &self.upload.progress {
            f(Progress {
                bytes_sent,
                total_bytes: self.plan.known.then_some(self.plan.size),
                part,
                parts: self.plan.known.then_some(self.plan.parts),
            });
        }
    }

    fn url(&self) -> String {
        match &self.upload.target {
            Target::Video(id) => self
                .upload
                .client
                .url(&format!("/videos/{}/source", path_segment(id))),
            Target::Token(_) => self.upload.client.url("/upload"),
        }
    }

    /// Sends one part, retrying it on transient failures (a part is
    /// idempotent), and returns the video the answer describes.
    async fn send(
        &mut self,
        index: u32,
        source: PartSource,
        range: Option<String>,
    ) -> Result<Video> {
        let engine = self.upload.client.engine();
        let policy = engine.retry_policy();
        let url = self.url();
        let operation = match self.upload.target {
            Target::Video(_) => "upload_video",
            Target::Token(_) => "upload_with_upload_token",
        };
        let sent = Arc::new(AtomicU64::new(0));
        let mut attempt = 1;
        loop {
            let ticker = self.progress_ticker(index, sent.clone());
            let result = engine
                .send(operation, || {
                    self.request(&url, &source, range.as_deref(), sent.clone())
                })
                .await;
            if let Some(ticker) = ticker {
                // A tick may be running on another worker: wait for it to
                // end, so it cannot report after the progress below.
                ticker.abort();
                let _ = ticker.await;
            }
            match result {
                Ok(response) => {
                    let video: Video = decode(response).await?;
                    if self.video_id.is_none() {
                        self.video_id = Some(video.video_id.clone());
                    }
                    self.done += source.len();
                    self.report(index, self.done);
                    return Ok(video);
                }
                // An earlier attempt did arrive and completed the source.
                Err(e) if attempt > 1 && is_already_uploaded(&e) => {
                    self.done += source.len();
                    self.report(index, self.done);
                    return self.upload.fetch_video().await;
                }
                Err(e) if attempt < policy.max_attempts && is_transient(&e) => {
                    let wait = policy.backoff(attempt);
                    tracing::debug!(part = index, attempt, wait_ms = wait.as_millis() as u64, error = %e, "retrying upload part");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reports progress while a part streams out; `None` without a
    /// progress callback. Stopped when dropped, should the upload be.
    fn progress_ticker(&self, index: u32, sent: Arc<AtomicU64>) -> Option<AbortOnDropHandle<()>> {
        let f = self.upload.progress.clone()?;
        let (done, plan) = (self.done, self.plan);
        Some(AbortOnDropHandle::new(tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                f(Progress {
                    bytes_sent: done + sent.load(Ordering::Relaxed),
                    total_bytes: plan.known.then_some(plan.size),
                    part: index,
                    parts: plan.known.then_some(plan.parts),
                });
            }
        })))
    }

    fn request(
        &self,
        url: &str,
        source: &PartSource,
        range: Option<&str>,
        sent: Arc<AtomicU64>,
    ) -> Result<reqwest::Request> {
        let len = source.len();
        let file = Part::stream_with_length(source.body(sent)?, len)
            .file_name(self.name.clone())
            .mime_str("application/octet-stream")
            .map_err(Error::transport)?;
        let mut form = Form::new();
        if let (Target::Token(_), Some(id)) = (&self.upload.target, &self.video_id) {
            form = form.text("videoId", id.clone());
        }
        form = form.part("file", file);
        let engine = self.upload.client.engine();
        let mut request = engine
            .http
            .post(url)
            .multipart(form)
            .timeout(self.upload.client.config().upload_timeout);
        if let Target::Token(token) = &self.upload.target {
            request = request.query(&[("token", token)]);
        }
        if let Some(range) = range {
            request = request.header("Content-Range", range);
        }
        request.build().map_err(Error::transport)
    }
}

/// Failures after which re-sending a part is safe and may succeed.
fn is_transient(e: &Error) -> bool {
    match e {
        Error::Transport(_) => true,
        Error::Api(api) => api.status.is_server_error(),
        _ => false,
    }
}

fn is_already_uploaded(e: &Error) -> bool {
    e.problem().is_some_and(|p| {
        p.type_
            .replace(['-', '_'], "")
            .ends_with("filealreadyuploaded")
    })
}
