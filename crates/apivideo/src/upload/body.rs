//! The body of one upload request: a slice of a file re-opened at its
//! offset for every attempt, or bytes already in memory, streamed in small
//! pieces that report progress as they go.

use std::io::SeekFrom;
use std::path::PathBuf;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::error::{Error, Result, SourceError, SourceErrorKind};

/// Size of the pieces a body is streamed in.
const PIECE: usize = 256 * 1024;

/// Where a part's bytes come from.
#[derive(Debug, Clone)]
pub(crate) enum PartSource {
    /// `len` bytes of the file at `offset`; the file must still be
    /// `file_len` bytes long.
    File {
        path: PathBuf,
        offset: u64,
        len: u64,
        file_len: u64,
    },
    /// Bytes read earlier from a stream.
    Memory(Bytes),
}

impl PartSource {
    pub(crate) fn len(&self) -> u64 {
        match self {
            PartSource::File { len, .. } => *len,
            PartSource::Memory(b) => b.len() as u64,
        }
    }

    /// A fresh body for one attempt. `sent` is called with the number of
    /// bytes this attempt has streamed so far, as each piece goes out.
    pub(crate) async fn body(
        &self,
        sent: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<reqwest::Body> {
        let mut count = 0;
        let counted = move |piece: &std::io::Result<Bytes>| {
            if let Ok(piece) = piece {
                count += piece.len() as u64;
                sent(count);
            }
        };
        match self {
            PartSource::File {
                path,
                offset,
                len,
                file_len,
            } => {
                let mut file = tokio::fs::File::open(path).await.map_err(|e| {
                    SourceError::io(
                        SourceErrorKind::Missing,
                        format!("cannot open {}", path.display()),
                        e,
                    )
                })?;
                let now = file.metadata().await.map_err(Error::Io)?.len();
                if now != *file_len {
                    return Err(changed(path, *file_len, now));
                }
                file.seek(SeekFrom::Start(*offset))
                    .await
                    .map_err(Error::Io)?;
                let stream = ReaderStream::with_capacity(file.take(*len), PIECE).inspect(counted);
                Ok(reqwest::Body::wrap_stream(stream))
            }
            PartSource::Memory(bytes) => Ok(reqwest::Body::wrap_stream(
                pieces(bytes.clone()).inspect(counted),
            )),
        }
    }
}

/// `bytes` as a stream of pieces, so progress moves while it is sent.
fn pieces(bytes: Bytes) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let count = bytes.len().div_ceil(PIECE);
    futures::stream::iter(
        (0..count).map(move |i| Ok(bytes.slice(i * PIECE..((i + 1) * PIECE).min(bytes.len())))),
    )
}

/// The error for a file whose size is no longer what it was.
pub(crate) fn changed(path: &std::path::Path, expected: u64, now: u64) -> Error {
    Error::Source(SourceError::new(
        SourceErrorKind::Changed,
        format!(
            "{} changed size during the upload: {expected} bytes when it started, {now} now",
            path.display()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_the_bytes_in_order() {
        let data = Bytes::from((0..(PIECE * 2 + 10)).map(|i| i as u8).collect::<Vec<_>>());
        let collected: Vec<Bytes> =
            futures::executor::block_on(pieces(data.clone()).map(|p| p.unwrap()).collect());
        assert_eq!(collected.len(), 3);
        assert_eq!(collected.concat(), data.to_vec());
    }

    #[tokio::test]
    async fn a_file_that_changed_size_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        std::fs::write(&path, b"0123456789").unwrap();
        let part = PartSource::File {
            path: path.clone(),
            offset: 0,
            len: 10,
            file_len: 12,
        };
        let err = part.body(|_| {}).await.unwrap_err();
        assert_eq!(err.source_kind(), Some(SourceErrorKind::Changed));
        std::fs::remove_file(&path).unwrap();
        let err = part.body(|_| {}).await.unwrap_err();
        assert_eq!(err.source_kind(), Some(SourceErrorKind::Missing));
    }
}
