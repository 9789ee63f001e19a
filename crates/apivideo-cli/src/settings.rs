//! Where the command line finds its API key and base URL: a flag, then an
//! environment variable, then a profile of the profile file, then the
//! default (production).
//!
//! The profile file is `apivideo/config.toml` in the platform's config
//! directory (`$XDG_CONFIG_HOME` or `~/.config` on Linux,
//! `~/Library/Application Support` on macOS, `%APPDATA%` on Windows), or
//! the file `APIVIDEO_CONFIG` names. It holds one section per profile,
//! `[default]` unless `--profile` or `APIVIDEO_PROFILE` picks another:
//!
//! ```toml
//! [default]
//! api_key = "your key"
//!
//! [local]
//! base_url = "http://127.0.0.1:8080"
//! api_key = "the emulator's key"
//!
//! [staging]
//! sandbox = true
//! api_key = "your sandbox key"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::ArgMatches;

use crate::failure::Failure;

/// The resolved connection settings. The key is never printed: `Debug`
/// shows whether there is one.
pub(crate) struct Settings {
    pub(crate) api_key: Option<String>,
    pub(crate) base_url: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl Settings {
    /// From the global options (flags and environment, which clap has
    /// read), then the profile file.
    pub(crate) fn resolve(matches: &ArgMatches) -> Result<Self, Failure> {
        let flag = |id: &str| matches.get_one::<String>(id).cloned();
        let profile_name = flag("profile");
        let profile = load_profile(profile_name.as_deref())?;
        let api_key = flag("api-key")
            .or_else(|| profile.get("api_key").cloned())
            .filter(|k| !k.is_empty());
        let sandbox =
            matches.get_flag("sandbox") || profile.get("sandbox").is_some_and(|v| v == "true");
        let base_url = match flag("base-url").or_else(|| profile.get("base_url").cloned()) {
            Some(url) => url,
            None if sandbox => apivideo::SANDBOX_URL.to_owned(),
            None => apivideo::PRODUCTION_URL.to_owned(),
        };
        Ok(Self { api_key, base_url })
    }

    /// A client; `credentials` says whether the command needs the key.
    pub(crate) fn client(&self, credentials: bool) -> Result<apivideo::Client, Failure> {
        let mut config = apivideo::Config::new(&self.base_url)
            .with_application("apivideo-cli", env!("CARGO_PKG_VERSION"));
        match &self.api_key {
            Some(key) => config = config.with_api_key(key),
            None if credentials => {
                return Err(Failure::Usage(
                    "no API key: pass --api-key, set APIVIDEO_API_KEY, or add `api_key` to a \
                     profile (see `apivideo --help`)"
                        .into(),
                ));
            }
            None => {}
        }
        apivideo::Client::with_config(config).map_err(Failure::from)
    }
}

/// The profile file's path: `APIVIDEO_CONFIG`, or the platform's default.
pub(crate) fn profile_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("APIVIDEO_CONFIG") {
        return Some(PathBuf::from(path));
    }
    config_dir().map(|dir| dir.join("apivideo").join("config.toml"))
}

fn config_dir() -> Option<PathBuf> {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|home| home.join("Library/Application Support"))
    } else {
        env("XDG_CONFIG_HOME").or_else(|| env("HOME").map(|home| home.join(".config")))
    }
}

/// The keys of profile `name` (default `default`). A missing file is an
/// empty profile, unless a profile was asked for by name.
fn load_profile(name: Option<&str>) -> Result<BTreeMap<String, String>, Failure> {
    let Some(path) = profile_path() else {
        return Ok(BTreeMap::new());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) if name.is_none() => return Ok(BTreeMap::new()),
        Err(e) => {
            return Err(Failure::Usage(format!(
                "cannot read the profile file {}: {e}",
                path.display()
            )));
        }
    };
    let mut profiles = parse(&text).map_err(|e| {
        Failure::Usage(format!(
            "the profile file {} is invalid: {e}",
            path.display()
        ))
    })?;
    let wanted = name.unwrap_or("default");
    match profiles.remove(wanted) {
        Some(profile) => Ok(profile),
        None if name.is_none() => Ok(BTreeMap::new()),
        None => Err(Failure::Usage(format!(
            "no profile [{wanted}] in {}",
            path.display()
        ))),
    }
}

type Profiles = BTreeMap<String, BTreeMap<String, String>>;

/// The small part of TOML a profile file needs: `[section]` headers and
/// `key = "string"`, `key = true|false` lines, with `#` comments.
fn parse(text: &str) -> Result<Profiles, String> {
    let mut profiles = Profiles::new();
    let mut current: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim().trim_matches('"').to_owned();
            profiles.entry(section.clone()).or_default();
            current = Some(section);
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: expected `key = value`", n + 1))?;
        let value = value.trim();
        let value = if let Some(quoted) = value.strip_prefix('"') {
            let end = quoted
                .find('"')
                .ok_or_else(|| format!("line {}: unterminated string", n + 1))?;
            quoted[..end].to_owned()
        } else {
            let bare = value.split('#').next().unwrap_or_default().trim();
            match bare {
                "true" | "false" => bare.to_owned(),
                _ => return Err(format!("line {}: quote the value", n + 1)),
            }
        };
        let section = current
            .clone()
            .ok_or_else(|| format!("line {}: a key outside a [profile] section", n + 1))?;
        profiles
            .entry(section)
            .or_default()
            .insert(key.trim().to_owned(), value);
    }
    Ok(profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections_strings_and_booleans() {
        let profiles =
            parse("# mine\n[default]\napi_key = \"k1\"  # the key\n\n[staging]\nsandbox = true\n")
                .unwrap();
        assert_eq!(profiles["default"]["api_key"], "k1");
        assert_eq!(profiles["staging"]["sandbox"], "true");
        assert!(parse("api_key = \"x\"").is_err());
        assert!(parse("[a]\nkey = bare").is_err());
    }

    #[test]
    fn debug_hides_the_key() {
        let settings = Settings {
            api_key: Some("secret-key".into()),
            base_url: "http://x".into(),
        };
        assert!(!format!("{settings:?}").contains("secret-key"));
    }
}
