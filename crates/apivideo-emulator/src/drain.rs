//! Reads the rest of a request body that a handler did not read, so the
//! client can finish sending and then read the answer.
//!
//! A handler that refuses an upload early (bad token, expired credential,
//! source already uploaded) answers without reading the body. Were the body
//! simply dropped, the connection would close under a client still writing
//! its chunk, which would then see a broken pipe instead of the answer.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;

/// Most bytes read and discarded from one unread body.
const DRAIN_LIMIT: u64 = 512 * 1024 * 1024;
/// Longest time spent reading one unread body: a client that sends slower
/// than this loses its connection rather than holding a task.
const DRAIN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

pub(crate) async fn drain_unread(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    next.run(Request::from_parts(
        parts,
        Body::new(DrainOnDrop(Some(body))),
    ))
    .await
}

/// A body that, dropped before its end, hands the rest to a task that
/// reads and discards it.
struct DrainOnDrop(Option<Body>);

impl HttpBody for DrainOnDrop {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        match self.0.as_mut() {
            Some(body) => Pin::new(body).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.0.as_ref().is_none_or(HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.0.as_ref().map(HttpBody::size_hint).unwrap_or_default()
    }
}

impl Drop for DrainOnDrop {
    fn drop(&mut self) {
        let Some(body) = self.0.take() else { return };
        if body.is_end_stream() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let mut stream = body.into_data_stream();
            let mut read = 0u64;
            let drain = async {
                while let Some(Ok(chunk)) = stream.next().await {
                    read += chunk.len() as u64;
                    if read > DRAIN_LIMIT {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(DRAIN_DEADLINE, drain).await;
        });
    }
}
