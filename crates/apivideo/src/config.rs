//! Configuration as a value: where the API is, how to authenticate, how
//! long to wait, how to retry, how big upload chunks are, and who is
//! calling (the origin headers).

use std::fmt;
use std::time::Duration;

use secrecy::SecretString;

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

/// The production API.
pub const PRODUCTION_URL: &str = "https://ws.api.video";
/// The sandbox API (its own API keys; videos are watermarked).
pub const SANDBOX_URL: &str = "https://sandbox.api.video";

/// Smallest upload chunk the API accepts.
pub const MIN_CHUNK_SIZE: u64 = 5 * 1024 * 1024;
/// Largest upload chunk the API accepts.
pub const MAX_CHUNK_SIZE: u64 = 128 * 1024 * 1024;
/// Upload chunk size unless configured otherwise.
pub const DEFAULT_CHUNK_SIZE: u64 = 50 * 1024 * 1024;

/// How requests are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AuthMode {
    /// Exchange the API key for a bearer token at `/auth/api-key` and
    /// refresh it before it expires. The default.
    #[default]
    Bearer,
    /// Send the API key as the HTTP basic user name on every request: no
    /// token calls at all.
    Basic,
}

/// Everything a [`crate::Client`] needs. Start from [`Config::production`],
/// [`Config::sandbox`] or [`Config::new`] (any base URL: the emulator, a
/// proxy), then chain `with_*` setters. Values are checked when the client
/// is built.
#[derive(Clone)]
pub struct Config {
    pub(crate) base_url: String,
    pub(crate) api_key: Option<SecretString>,
    pub(crate) auth_mode: AuthMode,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) request_timeout_set: bool,
    pub(crate) upload_timeout: Duration,
    pub(crate) upload_timeout_set: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) chunk_size: u64,
    pub(crate) application: Option<(String, String)>,
    pub(crate) http_client: Option<reqwest::Client>,
}

impl Config {
    /// The API at `base_url`, with no API key yet.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            api_key: None,
            auth_mode: AuthMode::Bearer,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            request_timeout_set: false,
            upload_timeout: Duration::from_secs(600),
            upload_timeout_set: false,
            retry: RetryPolicy::default(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            application: None,
            http_client: None,
        }
    }

    /// The production API, `https://ws.api.video`.
    pub fn production() -> Self {
        Self::new(PRODUCTION_URL)
    }

    /// The sandbox API, `https://sandbox.api.video`.
    pub fn sandbox() -> Self {
        Self::new(SANDBOX_URL)
    }

    /// Reads `APIVIDEO_API_KEY` (required) and `APIVIDEO_BASE_URL`
    /// (default: production).
    pub fn from_env() -> Result<Self> {
        let key = std::env::var("APIVIDEO_API_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| Error::Config("APIVIDEO_API_KEY is not set".into()))?;
        let base = std::env::var("APIVIDEO_BASE_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| PRODUCTION_URL.to_owned());
        Ok(Self::new(base).with_api_key(key))
    }

    /// The API key to authenticate with. A client without one can only make
    /// unauthenticated calls, such as uploads with an upload token.
    pub fn with_api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(SecretString::from(api_key.into()));
        self
    }

    /// Another base URL (the emulator, a proxy).
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Bearer tokens (default) or HTTP basic with the API key.
    pub fn with_auth_mode(mut self, mode: AuthMode) -> Self {
        self.auth_mode = mode;
        self
    }

    /// How long to wait for a connection.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one ordinary request may take, answer included (default
    /// 60 s). With a custom HTTP client, its own timeout applies unless
    /// this is set.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self.request_timeout_set = true;
        self
    }

    /// How long one upload request (one chunk, or one small file) may take
    /// (default 600 s). With a custom HTTP client, its own timeout applies
    /// unless this is set.
    pub fn with_upload_timeout(mut self, timeout: Duration) -> Self {
        self.upload_timeout = timeout;
        self.upload_timeout_set = true;
        self
    }

    /// How failed requests are retried.
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Upload chunk size in bytes, from 5 MiB to 128 MiB (default 50 MiB).
    pub fn with_chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes;
        self
    }

    /// Names the application in the `AV-Origin-App` header, as
    /// `name:version`. The name is 1 to 50 letters, digits, `_` or `-`; the
    /// version is `x`, `x.y` or `x.y.z` with 1 to 3 digits each.
    pub fn with_application(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.application = Some((name.into(), version.into()));
        self
    }

    /// Sends requests with this `reqwest::Client` (its own timeouts, proxy,
    /// TLS settings, `User-Agent`). The connect timeout here then does not
    /// apply, and the request and upload timeouts only when set explicitly.
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The upload chunk size.
    pub fn chunk_size(&self) -> u64 {
        self.chunk_size
    }

    /// Checks every value; [`crate::Client::with_config`] calls this.
    pub(crate) fn validate(&self) -> Result<()> {
        let url = self.base_url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.len() <= "https://".len()
        {
            return Err(Error::Config(format!(
                "base URL `{url}` must start with http:// or https://"
            )));
        }
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&self.chunk_size) {
            return Err(Error::Config(format!(
                "chunk size {} bytes is outside the accepted range of 5 MiB to 128 MiB ({MIN_CHUNK_SIZE} to {MAX_CHUNK_SIZE} bytes)",
                self.chunk_size
            )));
        }
        if let Some((name, version)) = &self.application {
            validate_application(name, version)?;
        }
        self.retry.validate()?;
        if self.auth_mode == AuthMode::Basic && self.api_key.is_none() {
            return Err(Error::Config(
                "HTTP basic authentication needs an API key".into(),
            ));
        }
        Ok(())
    }
}

/// The rules the official clients apply to the application name and version.
fn validate_application(name: &str, version: &str) -> Result<()> {
    let name_ok = (1..=50).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !name_ok {
        return Err(Error::Config(format!(
            "application name `{name}` must be 1 to 50 letters, digits, `_` or `-`"
        )));
    }
    let parts: Vec<&str> = version.split('.').collect();
    let version_ok = (1..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| (1..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()));
    if !version_ok {
        return Err(Error::Config(format!(
            "application version `{version}` must be `x`, `x.y` or `x.y.z` with 1 to 3 digits each"
        )));
    }
    Ok(())
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("auth_mode", &self.auth_mode)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("upload_timeout", &self.upload_timeout)
            .field("retry", &self.retry)
            .field("chunk_size", &self.chunk_size)
            .field("application", &self.application)
            .field("http_client", &self.http_client.as_ref().map(|_| "custom"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_size_bounds() {
        let base = || Config::new("http://localhost").with_api_key("k");
        assert!(base().with_chunk_size(MIN_CHUNK_SIZE).validate().is_ok());
        assert!(base().with_chunk_size(MAX_CHUNK_SIZE).validate().is_ok());
        assert!(
            base()
                .with_chunk_size(MIN_CHUNK_SIZE - 1)
                .validate()
                .unwrap_err()
                .is_config()
        );
        assert!(
            base()
                .with_chunk_size(MAX_CHUNK_SIZE + 1)
                .validate()
                .unwrap_err()
                .is_config()
        );
    }

    #[test]
    fn application_rules() {
        assert!(validate_application("my-app_2", "1.2.3").is_ok());
        assert!(validate_application("my-app", "12").is_ok());
        for (name, version) in [
            ("", "1"),
            ("has space", "1"),
            (&"x".repeat(51), "1"),
            ("app", "1.2.3.4"),
            ("app", "1.x"),
            ("app", "1234"),
            ("app", ""),
        ] {
            assert!(
                validate_application(name, version).is_err(),
                "{name} {version}"
            );
        }
    }

    #[test]
    fn base_url_must_be_http() {
        assert!(Config::new("ftp://x").with_api_key("k").validate().is_err());
        assert!(
            Config::new("http://127.0.0.1:1")
                .with_api_key("k")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let text = format!(
            "{:?}",
            Config::production().with_api_key("super-secret-key")
        );
        assert!(!text.contains("super-secret-key"), "{text}");
        assert!(text.contains("REDACTED"));
    }
}
