//! An emulator on a port of its own, a temporary directory, and the
//! binary run against them with a clean environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use apivideo_emulator::{Config, Emulator};

/// The binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_apivideo");

pub(crate) struct Env {
    pub(crate) emulator: Emulator,
    pub(crate) dir: tempfile::TempDir,
    // Last: the emulator is dropped inside its runtime.
    pub(crate) rt: tokio::runtime::Runtime,
}

impl Env {
    pub(crate) fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let emulator = rt
            .block_on(Emulator::start(Config::default()))
            .expect("the emulator starts");
        Self {
            emulator,
            dir: tempfile::tempdir().expect("a temporary directory"),
            rt,
        }
    }

    /// The command, pointed at the emulator, with no profile file.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env("APIVIDEO_BASE_URL", self.emulator.base_url())
            .env("APIVIDEO_API_KEY", self.emulator.api_key())
            .env("APIVIDEO_CONFIG", self.dir.path().join("no-profiles.toml"))
            .env_remove("APIVIDEO_PROFILE")
            .stdin(Stdio::null());
        command
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        Run(self.command(args).output().expect("the binary runs"))
    }

    /// A file of `len` bytes that are not all alike.
    pub(crate) fn file(&self, name: &str, len: usize) -> PathBuf {
        let path = self.dir.path().join(name);
        let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        std::fs::write(&path, bytes).expect("the file is written");
        path
    }
}

/// What a run printed, and its exit code.
pub(crate) struct Run(pub(crate) Output);

impl Run {
    pub(crate) fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }

    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    /// Asserts success and parses stdout as one JSON document.
    pub(crate) fn json(&self) -> serde_json::Value {
        assert_eq!(self.code(), 0, "stderr: {}", self.stderr());
        serde_json::from_str(&self.stdout())
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", self.stdout()))
    }

    pub(crate) fn ok(&self) -> String {
        assert_eq!(self.code(), 0, "stderr: {}", self.stderr());
        self.stdout()
    }
}

pub(crate) fn path_arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}
