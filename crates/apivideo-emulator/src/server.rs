//! Starting and stopping the emulator: the listener, the accept loop (which
//! can drop a connection without answering, for fault injection), and the
//! [`Emulator`] handle.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::config::{Config, FaultSettings};
use crate::db::Db;
use crate::faults::ConnectionDropper;
use crate::media::MediaStore;
use crate::state::AppState;
use crate::stats::Stats;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The data directory could not be created or opened.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The state database could not be opened.
    #[error("state database: {0}")]
    Database(String),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A running emulator. Dropping it stops the server (and removes the data
/// directory when it was temporary). Its `Debug` shows where it listens and
/// keeps its data, never its API keys nor its admin token.
pub struct Emulator {
    state: AppState,
    local_addr: SocketAddr,
    data_dir: PathBuf,
    accept: Option<JoinHandle<()>>,
    // Declared last: removed only after the server has been told to stop.
    _temp_dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.state.base_url)
            .field("local_addr", &self.local_addr)
            .field("data_dir", &self.data_dir)
            .field("config", &self.state.config)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts an emulator with `config`, listening before it returns.
    pub async fn start(mut config: Config) -> Result<Self, StartError> {
        if config.api_keys.is_empty() {
            config.api_keys.push(crate::ids::random("", 24));
        }
        if config.admin_token.as_deref().is_none_or(str::is_empty) {
            config.admin_token = Some(crate::ids::secret());
        }
        let (data_dir, temp_dir) = match &config.data_dir {
            Some(dir) => (dir.clone(), None),
            None => {
                let tmp = tempfile::Builder::new()
                    .prefix("apivideo-emulator-")
                    .tempdir()
                    .map_err(|source| StartError::DataDir {
                        path: std::env::temp_dir(),
                        source,
                    })?;
                (tmp.path().to_path_buf(), Some(tmp))
            }
        };
        let media_root = data_dir.join("media");
        // `media/tmp` holds only files being written (a part on its way
        // in, an assembly under way): whatever is there at start was left
        // by a process that died, and nothing refers to it.
        let tmp = media_root.join("tmp");
        match std::fs::remove_dir_all(&tmp) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(StartError::DataDir { path: tmp, source }),
        }
        std::fs::create_dir_all(&tmp).map_err(|source| StartError::DataDir {
            path: media_root.clone(),
            source,
        })?;
        let db = Db::open_with(&data_dir.join("state.sqlite"), config.durability)
            .map_err(|e| StartError::Database(e.to_string()))?;
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| StartError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let local_addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
        let base_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local_addr}"))
            .trim_end_matches('/')
            .to_owned();
        let state = AppState::new(config, db, MediaStore::new(media_root), base_url)
            .map_err(|e| StartError::Database(e.to_string()))?;
        let router = crate::routes::router(state.clone());
        let accept = tokio::spawn(accept_loop(listener, router, state.clone()));
        Ok(Self {
            state,
            local_addr,
            data_dir,
            accept: Some(accept),
            _temp_dir: temp_dir,
        })
    }

    /// `http://127.0.0.1:PORT`, or the configured public URL.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    /// The address the server is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The first API key (generated if none was configured).
    pub fn api_key(&self) -> &str {
        &self.state.config.api_keys[0]
    }

    /// The bearer token of the admin routes that act on the whole emulator
    /// (configured, or generated at start).
    pub fn admin_token(&self) -> &str {
        self.state.config.admin_token.as_deref().unwrap_or_default()
    }

    /// The id of the project of `api_key` (`pr…`), which scopes faults
    /// ([`FaultSettings::project`]) and stats (`GET
    /// /_emulator/stats?project=…`); `None` for a key the emulator does not
    /// accept.
    pub fn project_id(&self, api_key: &str) -> Option<&str> {
        self.state.project_of_key(api_key)
    }

    /// Every API key, one project each.
    pub fn api_keys(&self) -> &[String] {
        &self.state.config.api_keys
    }

    /// Where state and media live.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The counters since start or the last reset.
    pub fn stats(&self) -> Stats {
        self.state.counters.snapshot()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.state.counters.reset();
    }

    /// The faults injected now.
    pub fn faults(&self) -> FaultSettings {
        self.state.faults()
    }

    /// Changes the faults injected from now on. Like
    /// `PUT /_emulator/faults`, it starts a new rate-limit window and, with a
    /// seed, a new sequence of random draws.
    pub fn set_faults(&self, faults: FaultSettings) {
        self.state.set_faults(faults);
    }

    /// Stops accepting, closes connections and waits for background work
    /// (encoding, webhook deliveries) to stop.
    pub async fn shutdown(mut self) {
        self.state.shutdown.cancel();
        if let Some(accept) = self.accept.take() {
            let _ = accept.await;
        }
        self.state.tasks.close();
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(5), self.state.tasks.wait()).await;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
    }
}

async fn accept_loop(listener: TcpListener, router: axum::Router, state: AppState) {
    let cancel = state.shutdown.clone();
    let header_timeout = state.config.header_timeout;
    let idle_timeout = state.config.idle_timeout;
    loop {
        let (stream, _) = tokio::select! {
            () = cancel.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
        };
        let router = router.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            let dropper = Arc::new(Notify::new());
            let service = hyper::service::service_fn({
                let dropper = dropper.clone();
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut()
                        .insert(ConnectionDropper(dropper.clone()));
                    router.clone().oneshot(req.map(axum::body::Body::new))
                }
            });
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let (stream, activity) = IdleIo::new(stream);
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            tokio::select! {
                // The connection first: bytes waiting in the socket are
                // read, and count as activity, before the idle watch looks.
                biased;
                result = connection => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                }
                // Fault injection: close the socket without an answer.
                () = dropper.notified() => {}
                () = cancel.cancelled() => {}
                () = activity.idle_for(idle_timeout) => {
                    tracing::debug!(?idle_timeout, "connection closed: idle");
                }
            }
        });
    }
}

/// A connection's stream that notes when a byte last went either way, so
/// that a connection which stalls (a body that stops arriving, a peer that
/// stops reading) can be closed after the idle timeout.
struct IdleIo<T> {
    inner: T,
    activity: Activity,
}

/// When the connection last moved a byte, in milliseconds since `start`.
#[derive(Clone)]
struct Activity {
    start: tokio::time::Instant,
    last_ms: Arc<AtomicU64>,
}

impl Activity {
    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// Completes once no byte has moved for `idle`.
    async fn idle_for(&self, idle: std::time::Duration) {
        loop {
            let last =
                self.start + std::time::Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
            let deadline = last + idle;
            if tokio::time::Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

impl<T> IdleIo<T> {
    fn new(inner: T) -> (Self, Activity) {
        let activity = Activity {
            start: tokio::time::Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        };
        (
            Self {
                inner,
                activity: activity.clone(),
            },
            activity,
        )
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for IdleIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for IdleIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
