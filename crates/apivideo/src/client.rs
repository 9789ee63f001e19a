//! The [`Client`]: configuration, the request engine, and every operation
//! of the API, generated ones through the raw client it dereferences to.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use apivideo_raw::hooks::{BoxFuture, Hooks, OperationInfo, RequestHooks};

use crate::config::Config;
use crate::engine::{Engine, Kind};
use crate::error::Result;
use crate::rate_limit::RateLimit;
use apivideo_raw::error::{CONFIG_MARKER, encode_auth_error, missing_key};

/// A client for the api.video API. Cheap to clone; clones share the token,
/// the connection pool and the rate-limit figures.
///
/// Every operation is called the same way, a builder ended by `send()`,
/// and fails with [`crate::Error`]:
/// `client.get_video().video_id(id).send().await?`. Generated operations
/// are methods of the raw client this dereferences to, grouped in the
/// `Client*Ext` traits of [`crate::prelude`]; uploads, the `metadata`
/// filters and the other multipart operations are methods of this type.
#[derive(Clone)]
pub struct Client {
    raw: apivideo_raw::Client,
    engine: Arc<Engine>,
    config: Arc<Config>,
}

impl Client {
    /// A client for the production API with this API key.
    pub fn new(api_key: impl Into<String>) -> Result<Self> {
        Self::with_config(Config::production().with_api_key(api_key))
    }

    /// A client from `APIVIDEO_API_KEY` and, if set, `APIVIDEO_BASE_URL`.
    pub fn from_env() -> Result<Self> {
        Self::with_config(Config::from_env()?)
    }

    /// A client with this configuration, checked first.
    pub fn with_config(config: Config) -> Result<Self> {
        let engine = Arc::new(Engine::new(&config)?);
        let raw = apivideo_raw::Client::new_with_client(
            &engine.base_url,
            engine.http.clone(),
            Hooks::new(SdkHooks(engine.clone())),
        );
        Ok(Self {
            raw,
            engine,
            config: Arc::new(config),
        })
    }

    /// The generated client, with this client's auth and retries.
    pub fn raw(&self) -> &apivideo_raw::Client {
        &self.raw
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The rate-limit figures of the latest answer that carried them.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.engine.rate_limit()
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The absolute URL of an API path.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.engine.base_url)
    }
}

impl Deref for Client {
    type Target = apivideo_raw::Client;

    fn deref(&self) -> &Self::Target {
        &self.raw
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish()
    }
}

/// Plugs the engine into the generated client.
struct SdkHooks(Arc<Engine>);

impl RequestHooks for SdkHooks {
    fn prepare<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
        info: &'a OperationInfo,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            if !self.0.has_credentials() && apivideo_raw::spec::needs_credentials(info.operation_id)
            {
                return Err(format!("{CONFIG_MARKER}{}", missing_key(info.operation_id)));
            }
            self.0
                .authorize(request)
                .await
                .map_err(|e| encode_auth_error(&e))
        })
    }

    fn execute<'a>(
        &'a self,
        _client: &'a reqwest::Client,
        request: reqwest::Request,
        info: &'a OperationInfo,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        let operation = info.operation_id;
        Box::pin(async move {
            // Generated requests have in-memory bodies, so a clone replays
            // them. The copy is made before the first send, when it is still
            // possible, but only of the parts that a retry needs.
            let copy = request.try_clone();
            self.0
                .execute(
                    operation,
                    apivideo_raw::spec::is_idempotent(operation),
                    Kind::Call,
                    request,
                    move || std::future::ready(copy.as_ref().and_then(|r| r.try_clone())),
                )
                .await
        })
    }
}
