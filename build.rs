//! Generates the raw client from `openapi.yaml` into `$OUT_DIR` with the
//! shared codegen pipeline, and hands the spec's path to the build scripts
//! of the packages that depend on this one (`DEP_APIVIDEO_OPENAPI_SPEC`,
//! through `links` in `Cargo.toml`).
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=openapi.yaml");
    let manifest_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let spec = manifest_dir.join("openapi.yaml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let generated = match apivideo_codegen::generate_file(&spec) {
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
    match spec.to_str() {
        Some(path) if !path.contains('\n') => println!("cargo::metadata=spec={path}"),
        _ => {
            println!("cargo::error=the path of openapi.yaml is not UTF-8 on one line: {spec:?}");
            std::process::exit(1);
        }
    }
}
