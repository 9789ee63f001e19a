//! Generates the raw client from `openapi.yaml` into `$OUT_DIR` with the
//! shared codegen pipeline.
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rerun-if-changed=openapi.yaml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let generated = match apivideo_codegen::generate_file(Path::new("openapi.yaml")) {
        Ok(generated) => generated,
        Err(e) => {
            for line in e.to_string().lines() {
                println!("cargo::error={line}");
            }
            std::process::exit(1);
        }
    };
    for (file, text) in [
        ("apivideo.rs", &generated.code),
        ("operations.rs", &generated.operations_index),
        ("schema_roundtrip.rs", &generated.schema_roundtrip),
        ("paginated.rs", &generated.paginated),
    ] {
        if let Err(e) = std::fs::write(out.join(file), text) {
            println!("cargo::error=cannot write {file}: {e}");
            std::process::exit(1);
        }
    }
}
