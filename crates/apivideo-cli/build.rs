//! Derives the command tree from `openapi.yaml` with the shared codegen
//! pipeline (`apivideo_codegen::cli::cli_table_file`) into `$OUT_DIR`.
use std::path::{Path, PathBuf};

fn main() {
    let spec = Path::new("../../openapi.yaml");
    println!("cargo::rerun-if-changed={}", spec.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let table = match apivideo_codegen::cli::cli_table_file(spec) {
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
