//! Bounds what a `multipart/form-data` body can make the parser hold.
//!
//! The multipart parser buffers everything before the first boundary, and
//! every part's header block, until it finds their ends; a body that never
//! shows them would grow its buffer without limit. Every multipart request,
//! whatever its route (`/upload?token=…` included), has its body scanned
//! on the way in, and fails (the route answers a 400 problem) as soon as:
//!
//! - the preamble before the first boundary passes [`MAX_PREAMBLE`] bytes;
//! - a part's header block passes [`MAX_HEADER_BLOCK`] bytes;
//! - the form has more than [`MAX_PARTS`] parts;
//! - the whole body passes `max_upload_request` plus [`FORM_OVERHEAD`].
//!
//! The scan keeps a few bytes across chunks and copies nothing else.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use futures::Stream;
use memchr::memmem;

use crate::state::AppState;

/// Most bytes before the first boundary.
pub(crate) const MAX_PREAMBLE: u64 = 16 * 1024;
/// Most bytes of one part's header block, boundary line included.
pub(crate) const MAX_HEADER_BLOCK: u64 = 16 * 1024;
/// Most parts in one form: a file and a few text fields are all any
/// operation takes.
pub(crate) const MAX_PARTS: u32 = 32;
/// What a form may add to its file: boundaries, part headers and text parts.
pub(crate) const FORM_OVERHEAD: u64 = 4 * 1024 * 1024;

/// Why a multipart body was cut short.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum Exceeded {
    #[error("the multipart body shows no boundary in its first {MAX_PREAMBLE} bytes")]
    Preamble,
    #[error("a part's header block is longer than {MAX_HEADER_BLOCK} bytes")]
    HeaderBlock,
    #[error("the form has more than {MAX_PARTS} parts")]
    Parts,
    #[error("the multipart body is longer than {0} bytes")]
    Body(u64),
}

/// The boundary of a `multipart/form-data` content type, if it is one.
fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let essence = params.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

/// Scans a body for delimiters (`--boundary`) and header-block ends
/// (`\r\n\r\n`), chunk by chunk.
#[derive(Debug)]
pub(crate) struct Scanner {
    delimiter: Vec<u8>,
    max_body: u64,
    /// Bytes seen so far.
    seen: u64,
    /// The last bytes of the previous chunks, shorter than the delimiter.
    tail: Vec<u8>,
    /// Delimiters seen.
    delimiters: u32,
    /// Where the last delimiter started, while its header block is open.
    open_headers: Option<u64>,
}

const HEADER_END: &[u8] = b"\r\n\r\n";

impl Scanner {
    pub(crate) fn new(boundary: &str, max_body: u64) -> Self {
        Self {
            delimiter: format!("--{boundary}").into_bytes(),
            max_body,
            seen: 0,
            tail: Vec::new(),
            delimiters: 0,
            open_headers: None,
        }
    }

    /// Takes the next chunk of the body.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Result<(), Exceeded> {
        let mut window = std::mem::take(&mut self.tail);
        let tail_len = window.len();
        // Absolute offset of `window[0]`.
        let base = self.seen - tail_len as u64;
        window.extend_from_slice(chunk);
        self.seen += chunk.len() as u64;
        if self.seen > self.max_body {
            return Err(Exceeded::Body(self.max_body));
        }
        // Matches ending in the new bytes only: shorter ones were found
        // with the previous chunk.
        let fresh = |pattern: &[u8]| {
            let len = pattern.len();
            memmem::find_iter(&window, pattern)
                .filter(move |at| at + len > tail_len)
                .map(move |at| (base + at as u64, len))
                .collect::<Vec<_>>()
        };
        let mut events: Vec<(u64, bool)> = fresh(&self.delimiter)
            .into_iter()
            .map(|(at, _)| (at, true))
            .chain(fresh(HEADER_END).into_iter().map(|(at, _)| (at, false)))
            .collect();
        events.sort_unstable();
        for (at, is_delimiter) in events {
            if is_delimiter {
                if self.delimiters == 0 && at > MAX_PREAMBLE {
                    return Err(Exceeded::Preamble);
                }
                self.delimiters += 1;
                // The closing delimiter is one more than the parts.
                if self.delimiters > MAX_PARTS + 1 {
                    return Err(Exceeded::Parts);
                }
                self.open_headers = Some(at);
            } else if self.open_headers.is_some_and(|start| at >= start) {
                self.open_headers = None;
            }
        }
        if self.delimiters == 0 && self.seen > MAX_PREAMBLE + self.delimiter.len() as u64 {
            return Err(Exceeded::Preamble);
        }
        if let Some(start) = self.open_headers
            && self.seen - start > MAX_HEADER_BLOCK
        {
            return Err(Exceeded::HeaderBlock);
        }
        let keep = (self.delimiter.len().max(HEADER_END.len()) - 1).min(window.len());
        window.drain(..window.len() - keep);
        self.tail = window;
        Ok(())
    }
}

/// A body stream that fails once its scanner does.
struct Guarded {
    inner: axum::body::BodyDataStream,
    scanner: Scanner,
    failed: bool,
}

impl Stream for Guarded {
    type Item = Result<Bytes, axum::BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.failed {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => match self.scanner.feed(&chunk) {
                Ok(()) => Poll::Ready(Some(Ok(chunk))),
                Err(exceeded) => {
                    self.failed = true;
                    Poll::Ready(Some(Err(exceeded.into())))
                }
            },
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            other => other.map(|o| o.map(|r| r.map_err(Into::into))),
        }
    }
}

/// Middleware: scans the body of every `multipart/form-data` request.
pub(crate) async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let boundary = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(boundary);
    let Some(boundary) = boundary else {
        return next.run(req).await;
    };
    let max_body = (state.config.max_upload_request as u64).saturating_add(FORM_OVERHEAD);
    let (parts, body) = req.into_parts();
    let guarded = Guarded {
        inner: body.into_data_stream(),
        scanner: Scanner::new(&boundary, max_body),
        failed: false,
    };
    next.run(Request::from_parts(parts, Body::from_stream(guarded)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(parts: usize) -> Vec<u8> {
        let mut body = Vec::new();
        for i in 0..parts {
            body.extend_from_slice(
                format!(
                    "--XyZ\r\ncontent-disposition: form-data; name=\"f{i}\"\r\n\r\nvalue {i}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(b"--XyZ--\r\n");
        body
    }

    fn scan(body: &[u8], chunk: usize) -> Result<(), Exceeded> {
        let mut scanner = Scanner::new("XyZ", 1 << 30);
        body.chunks(chunk).try_for_each(|c| scanner.feed(c))
    }

    #[test]
    fn the_content_type_gives_the_boundary() {
        assert_eq!(
            boundary("multipart/form-data; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("Multipart/Form-Data;charset=utf-8; BOUNDARY=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }

    #[test]
    fn ordinary_forms_pass_in_any_chunking() {
        for chunk in [1, 2, 3, 7, 64, 100_000] {
            assert_eq!(scan(&form(MAX_PARTS as usize), chunk), Ok(()), "{chunk}");
            let mut with_preamble = b"a short preamble\r\n".to_vec();
            with_preamble.extend(form(2));
            assert_eq!(scan(&with_preamble, chunk), Ok(()), "{chunk}");
        }
    }

    #[test]
    fn too_many_parts_fail_in_any_chunking() {
        for chunk in [1, 5, 4096] {
            assert_eq!(
                scan(&form(MAX_PARTS as usize + 1), chunk),
                Err(Exceeded::Parts)
            );
        }
    }

    #[test]
    fn a_preamble_without_a_boundary_fails_early() {
        let mut scanner = Scanner::new("XyZ", 1 << 30);
        let chunk = vec![b'a'; 1024];
        let mut fed = 0u64;
        let err = loop {
            match scanner.feed(&chunk) {
                Ok(()) => fed += 1024,
                Err(e) => break e,
            }
            assert!(fed < 1 << 20, "still accepted after {fed} bytes");
        };
        assert_eq!(err, Exceeded::Preamble);
        assert!(fed <= MAX_PREAMBLE + 1024);
    }

    #[test]
    fn an_endless_header_block_fails_early() {
        let mut body = b"--XyZ\r\ncontent-disposition: form-data; name=\"a\"\r\n".to_vec();
        body.extend(std::iter::repeat_n(b'x', 2 * MAX_HEADER_BLOCK as usize));
        assert_eq!(scan(&body, 4096), Err(Exceeded::HeaderBlock));
    }

    #[test]
    fn a_large_file_part_passes_and_the_body_is_bounded() {
        let mut body =
            b"--XyZ\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n"
                .to_vec();
        body.extend(std::iter::repeat_n(b'\r', 300_000));
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        assert_eq!(scan(&body, 8192), Ok(()));
        let mut small = Scanner::new("XyZ", 1000);
        assert_eq!(
            body.chunks(512).try_for_each(|c| small.feed(c)),
            Err(Exceeded::Body(1000))
        );
    }
}
