//! A real browser plays a real video on the emulator's player page, and
//! the play shows up in the `/data` metrics.
//!
//! Debian's chromium, driven headless through ChromeDriver's WebDriver
//! protocol (plain HTTP), opens `/embed/vod/{videoId}` for a small VP9 MP4
//! (`tests/fixtures/played.mp4`) and plays it to the end. The impression,
//! the play, the end and the watch time (the media's own two seconds) must
//! then be counted, exactly. A screenshot of the page after playback is
//! kept in `target/test-artifacts/player.png`.
//!
//! Without `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's
//! `chromium` and `chromium-driver` packages, which `.ci/run` installs) the
//! test is skipped with a message, except under `CI=true`, where it fails.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use apivideo_emulator::{Config, Emulator};
use base64::Engine;
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// 2 s of VP9 at 160×90 (see `tests/fixtures/README.md`).
const FIXTURE: &[u8] = include_bytes!("fixtures/played.mp4");
/// How long any awaited condition may take: generous, for a loaded machine.
const DEADLINE: Duration = Duration::from_secs(90);
const POLL: Duration = Duration::from_millis(100);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_played_in_chromium_shows_up_in_the_metrics() {
    if !browser_installed() {
        return;
    }
    let emulator = Emulator::start(Config::default())
        .await
        .expect("emulator starts");
    let api = Api::new(&emulator);
    let video_id = api.uploaded_video().await;

    let period = api.period();
    let figures = |values: [f64; 4]| json!({"impression": values[0], "play": values[1], "end": values[2], "watch-time": values[3]});
    assert_eq!(api.figures(&period).await, figures([0.0; 4]));

    let driver = Driver::start().await;
    let page = format!("{}/embed/vod/{video_id}", emulator.base_url());
    driver.post("/url", json!({"url": page})).await;
    // Loading the page opens a session: the impression.
    driver
        .wait_for(
            "the page's session",
            "return window.emulatorPlayer && window.emulatorPlayer.sessionId;",
        )
        .await;
    let started = driver
        .post(
            "/execute/async",
            json!({
                "script": "const done = arguments[arguments.length - 1];\
                    document.getElementById('player').play()\
                    .then(() => done('playing'), (e) => done('not playing: ' + e));",
                "args": [],
            }),
        )
        .await;
    assert_eq!(started, "playing", "the video does not play");
    let ended = driver
        .wait_for(
            "the end of the video",
            "const v = document.getElementById('player');\
             if (v.error) { return {error: 'media error ' + v.error.code + ': ' + v.error.message}; }\
             return v.ended ? {duration: v.duration} : null;",
        )
        .await;
    assert!(ended.get("duration").is_some(), "{ended}");
    let duration = ended["duration"].as_f64().expect("a duration");
    assert!(
        (duration - 2.0).abs() < 0.05,
        "the fixture lasts 2 s, not {duration}"
    );
    // Every report was taken.
    let reports = driver
        .wait_for(
            "the page's reports",
            "const s = window.emulatorPlayer;\
             return s.failed > 0 || s.recorded == s.queued ? s : null;",
        )
        .await;
    assert_eq!(reports["failed"], 0, "{reports}");

    let shot = driver.screenshot().await;
    let path = artifact("player.png");
    std::fs::write(&path, &shot).expect("screenshot written");
    println!("screenshot of the player page: {}", path.display());
    driver.quit().await;

    // One impression, one play, one end; the watch time is the media's own
    // played time, stamped by the page's reports, so it is exact.
    let expected = figures([1.0, 1.0, 1.0, (duration * 1000.0).round() / 1000.0]);
    let deadline = Instant::now() + DEADLINE;
    loop {
        let got = api.figures(&period).await;
        if got == expected {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "metrics after playback: {got}, expected {expected}"
        );
        tokio::time::sleep(POLL).await;
    }
    let browsers = api
        .get(&format!("/data/buckets/play/browser{period}"))
        .await;
    assert_eq!(
        browsers["data"],
        json!([{"dimensionValue": "chrome", "metricValue": 1.0}])
    );
}

/// Whether chromium and its driver are there; under `CI=true` they must be.
fn browser_installed() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "{} not installed (Debian: apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the browser test needs a browser under CI: {why}"
    );
    eprintln!("skipped: {why}");
    false
}

/// `target/test-artifacts/NAME`, its directory created: under
/// `CARGO_TARGET_DIR` when it is set, else the target directory this test
/// binary was built in (`target/debug/deps/browser-…`).
fn artifact(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.parent()?.parent()?.to_path_buf())
        })
        .expect("a target directory");
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("artifact directory created");
    dir.join(name)
}

/// The API of the emulator's first project, over plain HTTP.
struct Api {
    http: reqwest::Client,
    base: String,
    auth: String,
}

impl Api {
    fn new(emulator: &Emulator) -> Self {
        Self {
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(DEADLINE)
                .build()
                .expect("client"),
            base: emulator.base_url().to_owned(),
            auth: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{}:", emulator.api_key()))
            ),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Value {
        let answer = request
            .header("authorization", &self.auth)
            .send()
            .await
            .expect("an answer");
        let status = answer.status();
        let body: Value = answer.json().await.expect("JSON");
        assert!(status.is_success(), "{status}: {body}");
        body
    }

    async fn get(&self, path: &str) -> Value {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    /// A video whose source is the fixture.
    async fn uploaded_video(&self) -> String {
        let video = self
            .send(
                self.http
                    .post(format!("{}/videos", self.base))
                    .json(&json!({"title": "Played in a browser"})),
            )
            .await;
        let id = video["videoId"].as_str().expect("a videoId").to_owned();
        let boundary = "browser-test-boundary-q9Xw2";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"played.mp4\"\r\n\
             Content-Type: video/mp4\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(FIXTURE);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            self.http
                .post(format!("{}/videos/{id}/source", self.base))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body),
        )
        .await;
        id
    }

    /// The query of a period from an hour ago to a minute ahead: a
    /// session's last stamp, set from the media's played time, may lie a
    /// moment after its report arrived.
    fn period(&self) -> String {
        let now = chrono::Utc::now();
        let stamp = |t: chrono::DateTime<chrono::Utc>| -> String {
            let text = t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            form_urlencoded::byte_serialize(text.as_bytes()).collect()
        };
        format!(
            "?from={}&to={}",
            stamp(now - chrono::Duration::hours(1)),
            stamp(now + chrono::Duration::minutes(1))
        )
    }

    /// Impressions, plays, ends and the watch time (s) in the period.
    async fn figures(&self, period: &str) -> Value {
        let mut out = serde_json::Map::new();
        for (name, path) in [
            ("impression", "impression/count"),
            ("play", "play/count"),
            ("end", "end/count"),
            ("watch-time", "watch-time/sum"),
        ] {
            let answer = self.get(&format!("/data/metrics/{path}{period}")).await;
            out.insert(name.to_owned(), answer["data"].clone());
        }
        Value::Object(out)
    }
}

/// ChromeDriver and the chromium it drives, in a process group of their
/// own that is killed on every way out of the test.
struct Driver {
    http: reqwest::Client,
    session: String,
    base: String,
    child: Child,
    // Removed after the processes are killed (field order).
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver, chromium and its helpers.
        let group = format!("-{}", self.child.id());
        let killed = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !killed.is_ok_and(|s| s.success()) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts chromedriver on a free port and a headless chromium session.
    async fn start() -> Self {
        let mut command = Command::new(CHROMEDRIVER);
        command
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().expect("chromedriver starts");
        let stdout = child.stdout.take().expect("chromedriver's output");
        let profile = tempfile::Builder::new()
            .prefix("apivideo-browser-test-")
            .tempdir()
            .expect("a profile directory");
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(DEADLINE)
            .build()
            .expect("client");
        // Dropped (and so killed) if anything below fails.
        let mut driver = Self {
            http,
            session: String::new(),
            base: String::new(),
            child,
            _profile: profile,
        };
        // It prints "... started successfully on port N." Its output is read
        // to the end on a thread, so that it never blocks on a full pipe.
        let (port_tx, port_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(port) = line
                    .split("started successfully on port ")
                    .nth(1)
                    .and_then(|rest| rest.trim_end_matches('.').trim().parse::<u16>().ok())
                {
                    let _ = port_tx.send(port);
                }
            }
        });
        let port = tokio::task::spawn_blocking(move || port_rx.recv_timeout(DEADLINE))
            .await
            .expect("join")
            .expect("chromedriver reports its port");
        driver.base = format!("http://127.0.0.1:{port}");
        let user_data_dir = format!("--user-data-dir={}", driver._profile.path().display());
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--autoplay-policy=no-user-gesture-required",
                    "--no-proxy-server",
                    "--window-size=640,360",
                    user_data_dir,
                ],
            },
        }}});
        let created = driver
            .command(reqwest::Method::POST, "/session", Some(capabilities))
            .await;
        driver.session = created["sessionId"]
            .as_str()
            .expect("a WebDriver session")
            .to_owned();
        driver
    }

    /// One WebDriver command; its `value`, or a panic with the error.
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request.send().await.expect("chromedriver answers");
        let status = answer.status();
        let body: Value = answer.json().await.expect("JSON from chromedriver");
        assert!(
            status.is_success() && body["value"].get("error").is_none(),
            "WebDriver {path}: {status} {body}"
        );
        body["value"].clone()
    }

    /// A command of the session.
    async fn post(&self, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.command(reqwest::Method::POST, &path, Some(body)).await
    }

    /// Runs `script` until it returns something other than null or false,
    /// and returns it; `{error}` is a failure to report.
    async fn wait_for(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let value = self
                .post("/execute/sync", json!({"script": script, "args": []}))
                .await;
            if let Some(failure) = value.get("error") {
                panic!("waiting for {what}: {failure}");
            }
            if !matches!(value, Value::Null | Value::Bool(false)) {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "{what} did not come in {DEADLINE:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// A PNG of the page.
    async fn screenshot(&self) -> Vec<u8> {
        let path = format!("/session/{}/screenshot", self.session);
        let value = self.command(reqwest::Method::GET, &path, None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(value.as_str().expect("base64"))
            .expect("a base64 PNG");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        png
    }

    /// Ends the session (chromium quits); the guard kills what remains.
    async fn quit(self) {
        let path = format!("/session/{}", self.session);
        self.command(reqwest::Method::DELETE, &path, None).await;
    }
}
