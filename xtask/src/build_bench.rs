//! `cargo xtask build-bench`: what depending on `apivideo` costs a service
//! at build time, and how long the spec-edit loop takes.
//!
//! Every figure is measured in this run, on this machine, and every ratio
//! compares two figures of the same run:
//!
//! - **lean**: a clean build (fresh target directory, debug and release) of
//!   a one-line service that depends on `apivideo`, against a *floor*: a
//!   scratch crate with the same reqwest, tokio and serde features that
//!   makes one HTTPS request. Both are built as a service would build them,
//!   with cargo's default profiles, from scratch crates outside the
//!   workspace and the workspace's `Cargo.lock` (so the versions are ours).
//!   Three rounds per profile, alternating which is built first; the
//!   median ratio is the figure.
//! - **tls**: the floor, built clean (debug) with each TLS backend that
//!   reqwest offers: rustls with aws-lc-rs, rustls with ring, native-tls;
//!   then the per-request cost of rustls's two crypto providers (a new
//!   connection's handshake plus one small exchange, in memory).
//! - **edit**: `cargo build -p apivideo-raw` right after an edit of
//!   `openapi.yaml` (a doc line, then a new optional field), warm, in the
//!   workspace's own target directory. The spec is restored afterwards,
//!   whatever happens.
//!
//! CI does not run it: it takes about half an hour on 2 cores.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: cargo xtask build-bench [lean] [tls] [edit] [--no-release]

Runs the named parts (all three by default) and prints figures and ratios.
  lean          clean builds of a service depending on apivideo vs a floor
  tls           clean debug builds of the floor with each TLS backend
  edit          cargo build -p apivideo-raw after an edit of openapi.yaml
  --no-release  lean measures debug builds only
";

/// Rounds of the lean builds, each a floor and a service build.
const LEAN_ROUNDS: usize = 3;

/// The reqwest features `apivideo` enables, less the TLS backend.
const REQWEST_FEATURES: &str = r#""json", "multipart", "query", "stream""#;
/// The tokio features `apivideo` enables, plus what a `#[tokio::main]`
/// binary needs; the service binary asks for the same.
const TOKIO_FEATURES: &str =
    r#""fs", "io-util", "rt", "sync", "time", "macros", "rt-multi-thread""#;

/// A TLS backend of the floor: its name, its extra reqwest features and
/// extra dependency lines.
struct Tls {
    name: &'static str,
    reqwest: &'static str,
    extra: &'static str,
}

const TLS: [Tls; 3] = [
    Tls {
        name: "rustls + aws-lc-rs",
        reqwest: r#", "rustls""#,
        extra: "",
    },
    Tls {
        name: "rustls + ring",
        reqwest: r#", "rustls-no-provider""#,
        extra: r#"rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }"#,
    },
    Tls {
        name: "native-tls",
        reqwest: r#", "native-tls""#,
        extra: "",
    },
];

/// The per-request cost of the two rustls crypto providers: full TLS 1.3
/// handshakes (ECDSA P-256 certificate, each provider's default key
/// exchange) with a 1 KiB request and a 16 KiB answer, client and server
/// in memory, so no network or scheduler noise enters. Rounds alternate
/// the providers.
const TLS_COST_MAIN: &str = r#"use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig, ServerConnection};

fn pump(from: &mut Connection, to: &mut Connection) {
    let mut wire = Vec::new();
    while from.wants_write() {
        from.write_tls(&mut wire).unwrap();
    }
    let mut rd = &wire[..];
    while !rd.is_empty() {
        to.read_tls(&mut rd).unwrap();
        to.process_new_packets().unwrap();
    }
}

fn configs(provider: CryptoProvider, cert: &CertificateDer<'static>, key: &[u8]) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let provider = Arc::new(provider);
    let mut roots = RootCertStore::empty();
    roots.add(cert.clone()).unwrap();
    let client = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions().unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions().unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.to_vec())))
        .unwrap();
    (Arc::new(client), Arc::new(server))
}

/// One request on a new connection: handshake, 1 KiB up, 16 KiB down.
fn request(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>) {
    let name = ServerName::try_from("localhost").unwrap();
    let mut c = Connection::Client(ClientConnection::new(client.clone(), name).unwrap());
    let mut s = Connection::Server(ServerConnection::new(server.clone()).unwrap());
    c.writer().write_all(&[b'q'; 1024]).unwrap();
    let mut got = Vec::new();
    while got.len() < 1024 {
        pump(&mut c, &mut s);
        pump(&mut s, &mut c);
        let mut buf = [0u8; 4096];
        if let Ok(n) = s.reader().read(&mut buf) { got.extend_from_slice(&buf[..n]); }
    }
    s.writer().write_all(&[b'a'; 16384]).unwrap();
    pump(&mut s, &mut c);
    let mut answer = Vec::new();
    c.reader().read_to_end(&mut answer).ok();
    assert!(answer.len() == 16384, "answer {}", answer.len());
}

fn main() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = certified.cert.der().clone();
    let key = certified.signing_key.serialize_der();
    let sides = [
        ("aws-lc-rs", configs(rustls::crypto::aws_lc_rs::default_provider(), &cert, &key)),
        ("ring", configs(rustls::crypto::ring::default_provider(), &cert, &key)),
    ];
    let (rounds, per_round) = (7, 200);
    let mut micros = vec![Vec::new(); sides.len()];
    for (_, (c, s)) in &sides { for _ in 0..50 { request(c, s); } }
    for round in 0..rounds {
        for k in 0..sides.len() {
            let i = if round % 2 == 0 { k } else { sides.len() - 1 - k };
            let (c, s) = &sides[i].1;
            let t0 = Instant::now();
            for _ in 0..per_round { request(c, s); }
            micros[i].push(t0.elapsed().as_secs_f64() * 1e6 / per_round as f64);
        }
    }
    for (i, (name, _)) in sides.iter().enumerate() {
        micros[i].sort_by(f64::total_cmp);
        println!("tls-cost {name} {:.1}", micros[i][rounds / 2]);
    }
}
"#;

const FLOOR_MAIN: &str = r#"//! The floor: one HTTPS request with reqwest, tokio and serde.
#[derive(serde::Deserialize, Debug)]
struct Answer {
    status: Option<u16>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let answer: serde_json::Value = reqwest::get("https://ws.api.video/").await?.json().await?;
    let parsed: Answer = serde_json::from_value(answer)?;
    println!("{:?}", parsed.status);
    Ok(())
}
"#;

const SERVICE_MAIN: &str = r#"//! A one-line service: one call through the SDK.
use apivideo::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let video = apivideo::Client::new("key")?.get_video().video_id("vi1").send().await?;
    println!("{video:?}");
    Ok(())
}
"#;

pub(crate) fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut parts = Vec::new();
    let mut release = true;
    for arg in args {
        match arg.as_str() {
            "lean" | "tls" | "edit" => parts.push(arg.as_str()),
            "--no-release" => release = false,
            "--help" | "-h" => {
                print!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    if parts.is_empty() {
        parts = vec!["lean", "tls", "edit"];
    }
    println!("load average at start: {}", load_average());
    let scratch = Scratch::new()?;
    for part in parts {
        match part {
            "lean" => lean(root, &scratch, release)?,
            "tls" => tls(root, &scratch)?,
            _ => edit(root)?,
        }
    }
    Ok(())
}

/// Clean builds of the floor and of a service that depends on `apivideo`.
fn lean(root: &Path, scratch: &Scratch, release: bool) -> Result<(), String> {
    let floor = scratch.floor(root, &TLS[0])?;
    let service = scratch.crate_dir(
        root,
        "service",
        &format!(
            "apivideo = {{ path = {:?} }}\ntokio = {{ version = \"1\", features = [{TOKIO_FEATURES}] }}\n",
            root.join("crates/apivideo")
        ),
        SERVICE_MAIN,
    )?;
    println!("\n## lean: clean builds, floor vs a service depending on apivideo");
    let profiles: &[bool] = if release { &[false, true] } else { &[false] };
    for &release in profiles {
        let label = if release { "release" } else { "debug" };
        // Clean builds on a shared machine vary by 10% or more from one to
        // the next, so each round builds both, in alternating order, and the
        // summary takes the median ratio.
        let mut ratios = Vec::new();
        for round in 1..=LEAN_ROUNDS {
            let mut pair = [(&floor, "floor"), (&service, "service")];
            if round % 2 == 0 {
                pair.reverse();
            }
            let mut secs = [0.0; 2];
            for (dir, name) in pair {
                let t = clean_build(dir, scratch, &format!("{name}-{label}"), release)?;
                secs[usize::from(name == "service")] = t.as_secs_f64();
            }
            let [f, s] = secs;
            println!(
                "{label:8} round {round}: floor {f:7.1} s   service {s:7.1} s   ratio service/floor {:.2}",
                s / f
            );
            ratios.push(s / f);
        }
        ratios.sort_by(f64::total_cmp);
        println!(
            "{label:8} median ratio service/floor over {LEAN_ROUNDS} rounds: {:.2}",
            ratios[ratios.len() / 2]
        );
    }
    Ok(())
}

/// Clean debug builds of the floor with each TLS backend.
fn tls(root: &Path, scratch: &Scratch) -> Result<(), String> {
    println!("\n## tls: clean debug builds of the floor per TLS backend");
    let mut times = Vec::new();
    for (i, backend) in TLS.iter().enumerate() {
        let dir = scratch.floor(root, backend)?;
        let t = clean_build(&dir, scratch, &format!("tls-{i}"), false)?;
        times.push((backend.name, t));
    }
    let base = times[0].1.as_secs_f64();
    for (name, t) in &times {
        println!(
            "{name:20} {:7.1} s   ratio to {} {:.2}",
            t.as_secs_f64(),
            TLS[0].name,
            t.as_secs_f64() / base
        );
    }

    println!("\n## tls: per-request cost of the rustls providers (release, in memory)");
    let dir = scratch.crate_dir(
        root,
        "tls-cost",
        "rustls = { version = \"0.23\", default-features = false, features = [\"std\", \"tls12\", \"ring\", \"aws-lc-rs\"] }\nrcgen = \"0.14\"\n",
        TLS_COST_MAIN,
    )?;
    let target = scratch.target("tls-cost");
    cargo(&dir, &["build", "--release", "--quiet"], Some(&target))?;
    let output = Command::new(target.join("release/tls-cost"))
        .output()
        .map_err(|e| format!("cannot run tls-cost: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "tls-cost failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let figures: Vec<(String, f64)> = text
        .lines()
        .filter_map(|l| {
            let mut words = l.strip_prefix("tls-cost ")?.split_whitespace();
            Some((words.next()?.to_owned(), words.next()?.parse().ok()?))
        })
        .collect();
    let Some(&(_, aws)) = figures.first() else {
        return Err(format!("tls-cost printed no figures: {text}"));
    };
    for (name, us) in &figures {
        println!(
            "{name:10} {us:8.1} µs per request on a new connection   ratio to aws-lc-rs {:.2}",
            us / aws
        );
    }
    Ok(())
}

/// `cargo build -p apivideo-raw` after edits of `openapi.yaml`, warm.
fn edit(root: &Path) -> Result<(), String> {
    println!("\n## edit: cargo build -p apivideo-raw after an edit of openapi.yaml");
    let spec = root.join("openapi.yaml");
    let original = std::fs::read_to_string(&spec)
        .map_err(|e| format!("cannot read {}: {e}", spec.display()))?;
    let _restore = Restore {
        path: spec.clone(),
        text: original.clone(),
    };
    let build = |what: &str| -> Result<Duration, String> {
        let t0 = Instant::now();
        cargo(root, &["build", "-p", "apivideo-raw", "--quiet"], None)
            .map_err(|e| format!("{what}: {e}"))?;
        Ok(t0.elapsed())
    };
    let warm = build("warm-up build")?;
    println!(
        "warm-up (untimed for the target): {:.1} s",
        warm.as_secs_f64()
    );
    let no_op = build("no-op build")?;
    println!(
        "no-op build                        {:6.2} s",
        no_op.as_secs_f64()
    );
    type Edit = fn(&str, u32) -> Result<String, String>;
    let edits: [(&str, Edit); 2] = [
        ("a doc line edited", edit_description),
        ("an optional field added", add_field),
    ];
    for round in 1..=3 {
        for (what, edit) in edits {
            write(&spec, &edit(&original, round)?)?;
            let t = build(what)?;
            println!("round {round}: {what:24} {:6.2} s", t.as_secs_f64());
        }
    }
    write(&spec, &original)?;
    build("build of the restored spec")?;
    Ok(())
}

/// The spec with the first operation `description:` line changed.
fn edit_description(spec: &str, round: u32) -> Result<String, String> {
    let line = spec
        .lines()
        .find(|l| l.starts_with("      description: ") && l.len() > 30)
        .ok_or("openapi.yaml has no operation description line to edit")?;
    Ok(spec.replacen(line, &format!("{line} (edit {round})"), 1))
}

/// The spec with an optional string property added to the `Video` schema.
fn add_field(spec: &str, round: u32) -> Result<String, String> {
    let at = spec
        .find("\n    Video:\n")
        .ok_or("openapi.yaml has no `Video` schema")?;
    let props = spec[at..]
        .find("\n      properties:\n")
        .map(|p| at + p + "\n      properties:\n".len())
        .ok_or("the `Video` schema has no properties")?;
    let mut out = spec.to_owned();
    out.insert_str(
        props,
        &format!(
            "        benchField{round}:\n          type: string\n          description: A field added by the build benchmark.\n"
        ),
    );
    Ok(out)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Puts a file's original text back when dropped, on success or error.
struct Restore {
    path: PathBuf,
    text: String,
}

impl Drop for Restore {
    fn drop(&mut self) {
        if let Err(e) = std::fs::write(&self.path, &self.text) {
            eprintln!("error: cannot restore {}: {e}", self.path.display());
        }
    }
}

/// A temporary directory for the scratch crates and their target
/// directories, removed when dropped.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new() -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("apivideo-build-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Self { dir })
    }

    /// The floor crate with this TLS backend.
    fn floor(&self, root: &Path, tls: &Tls) -> Result<PathBuf, String> {
        let name = format!(
            "floor-{}",
            tls.name
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        );
        let deps = format!(
            "reqwest = {{ version = \"0.13\", default-features = false, features = [{REQWEST_FEATURES}{}] }}\n\
             tokio = {{ version = \"1\", features = [{TOKIO_FEATURES}] }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\n\
             serde_json = \"1\"\n{}\n",
            tls.reqwest, tls.extra
        );
        self.crate_dir(root, &name, &deps, FLOOR_MAIN)
    }

    /// A binary crate of its own (an empty `[workspace]`), with the
    /// workspace's `Cargo.lock` so that it builds the same versions.
    fn crate_dir(
        &self,
        root: &Path,
        name: &str,
        dependencies: &str,
        main: &str,
    ) -> Result<PathBuf, String> {
        let dir = self.dir.join(name);
        let src = dir.join("src");
        std::fs::create_dir_all(&src)
            .map_err(|e| format!("cannot create {}: {e}", src.display()))?;
        write(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n[dependencies]\n{dependencies}"
            ),
        )?;
        write(&src.join("main.rs"), main)?;
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
            .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
        Ok(dir)
    }

    /// A fresh target directory for one measurement.
    fn target(&self, name: &str) -> PathBuf {
        self.dir.join(format!("target-{name}"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Builds the crate in `dir` in a fresh target directory and times it. The
/// lock file is resolved first, untimed, so that only compiling is timed.
fn clean_build(
    dir: &Path,
    scratch: &Scratch,
    name: &str,
    release: bool,
) -> Result<Duration, String> {
    let target = scratch.target(name);
    let _ = std::fs::remove_dir_all(&target);
    cargo(dir, &["fetch", "--quiet"], None)?;
    let mut args = vec!["build", "--quiet"];
    if release {
        args.push("--release");
    }
    let t0 = Instant::now();
    cargo(dir, &args, Some(&target))?;
    let elapsed = t0.elapsed();
    let _ = std::fs::remove_dir_all(&target);
    Ok(elapsed)
}

/// Runs cargo in `dir`, with `target` as its target directory if given.
/// Variables that would change what is built (a CI profile, a shared target
/// directory, a wrapper) are removed, so the build is a service's.
fn cargo(dir: &Path, args: &[&str], target: Option<&Path>) -> Result<(), String> {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(dir).args(args);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_PROFILE_")
            || key.starts_with("CARGO_BUILD_")
            || matches!(
                key.as_ref(),
                "CARGO_TARGET_DIR" | "CARGO_INCREMENTAL" | "RUSTFLAGS" | "RUSTC_WRAPPER"
            )
        {
            command.env_remove(key.as_ref());
        }
    }
    if let Some(target) = target {
        command.env("CARGO_TARGET_DIR", target);
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo {}` in {} failed",
            args.join(" "),
            dir.display()
        ))
    }
}

/// The 1-minute load average, or `?` where `/proc/loadavg` is unreadable.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}
