//! `cargo xtask`: the project's own tasks, in plain Rust.
//!
//! - `regen`: rewrite the snapshots after a spec edit and print the surface diff.
//! - `lint`: check `openapi.yaml` against the project's spec rules.
//! - `spec-diff`: list the API changes between two versions of `openapi.yaml`,
//!   breaking or compatible for Rust callers and for HTTP clients.
//! - `api-fields`: the share of an API digest's fields the spec describes.
//! - `build-bench`: measure what depending on `apivideo` costs at build time,
//!   and the spec-edit loop (not run by CI).
#![forbid(unsafe_code)]

mod api_fields;
mod build_bench;
mod lint;
mod regen;
mod spec_diff;
mod text_diff;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  regen   rewrite the snapshots in tests/snapshots from openapi.yaml and print the surface diff
  lint    check openapi.yaml against the spec rules (operation, rule, fix)
  spec-diff --base <git-rev> [--head <git-rev>] [--format markdown|text|json] [--fail-on-breaking]
          list the API changes since <git-rev>, breaking or compatible for Rust
          callers and for HTTP clients (`cargo xtask spec-diff --help`)
  api-fields --facts <digest.yaml> [--write]
          the share of an API digest's fields openapi.yaml describes, and what
          it lacks; --write keeps the digest's lines in tests/api-fields.txt
  build-bench [lean] [tls] [edit] [--no-release]
          measure clean builds of a service depending on apivideo against a
          floor, per TLS backend, and the spec-edit loop (docs/benchmarks.md)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regen") => regen::run(&root()),
        Some("lint") => lint::run(&root()),
        Some("spec-diff") => spec_diff::run(&root(), &args[1..]),
        Some("build-bench") => build_bench::run(&root(), &args[1..]),
        Some("api-fields") => api_fields::run(&root(), &args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
