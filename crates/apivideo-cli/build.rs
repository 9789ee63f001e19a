//! Derives the command tree from `openapi.yaml` with the shared codegen
//! pipeline (`apivideo_codegen::cli::cli_table_file`) into `$OUT_DIR`.
//!
//! The spec is the one `apivideo-raw` generated its client from: its build
//! script gives the path as `DEP_APIVIDEO_OPENAPI_SPEC` (`links` in its
//! manifest), so the commands and the client methods they call always come
//! from the same document, in the workspace and in the published crates.
use std::path::PathBuf;

fn main() {
    let Some(spec) = std::env::var_os("DEP_APIVIDEO_OPENAPI_SPEC").map(PathBuf::from) else {
        println!(
            "cargo::error=DEP_APIVIDEO_OPENAPI_SPEC is not set: apivideo-raw, a direct \
             dependency, gives the path of its openapi.yaml through it"
        );
        std::process::exit(1);
    };
    println!("cargo::rerun-if-changed={}", spec.display());
    println!("cargo::rerun-if-env-changed=DEP_APIVIDEO_OPENAPI_SPEC");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let table = match apivideo_codegen::cli::cli_table_file(&spec) {
        Ok(table) => table,
        Err(e) => {
            for line in e.to_string().lines() {
                println!("cargo::error={line}");
            }
            std::process::exit(1);
        }
    };
    if let Err(e) = std::fs::write(out.join("commands.rs"), table) {
        println!("cargo::error=cannot write commands.rs: {e}");
        std::process::exit(1);
    }
}
