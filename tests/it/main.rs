//! Tests of `apivideo-raw`: snapshots pinning the generated surface and code,
//! and checks of `openapi.yaml` itself.

mod examples;
mod snapshots;
mod spec_checks;

/// The spec this crate is generated from.
fn spec_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.yaml")
}

fn spec() -> apivideo_codegen::Spec {
    let text = std::fs::read_to_string(spec_path()).expect("openapi.yaml is readable");
    apivideo_codegen::Spec::parse(&text).expect("openapi.yaml parses")
}
