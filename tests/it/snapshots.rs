//! Snapshots of what the pipeline generates: the surface first (one line per
//! operation), then the code per tag and the types per owner. A stale
//! snapshot fails here and says how to fix it.

use std::collections::BTreeSet;
use std::path::Path;

const REGEN: &str =
    "run `cargo xtask regen`, then review the diff with `git diff` or `cargo insta review`";

fn generated() -> apivideo_codegen::Generated {
    apivideo_codegen::generate_file(&super::spec_path()).expect("the pipeline runs on openapi.yaml")
}

/// Asserts one snapshot, turning insta's failure into one that names the fix.
fn check(name: &str, content: &str) {
    let outcome = std::panic::catch_unwind(|| {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, content);
        });
    });
    if outcome.is_err() {
        panic!(
            "snapshot `{name}` is stale: the generated code changed. To accept the change, {REGEN}."
        );
    }
}

#[test]
fn surface() {
    let g = generated();
    check("surface", &g.surface_text());
}

/// The `Paginated` impls the pipeline derives from `x-paginated`.
#[test]
fn paginated_impls() {
    let g = generated();
    check("paginated", &g.paginated);
}

#[test]
fn surface_lists_every_operation() {
    let g = generated();
    let spec = super::spec();
    assert_eq!(g.surface.len(), spec.operations().len());
    assert_eq!(g.surface.len(), 63, "the API has 63 operations");
    let handwritten = g.surface.iter().filter(|e| e.handwritten.is_some()).count();
    assert_eq!(handwritten, g.handwritten.len());
}

#[test]
fn code_sections() {
    let g = generated();
    let mut failures = Vec::new();
    for section in &g.sections {
        let result = std::panic::catch_unwind(|| check(&section.name, &section.code));
        if result.is_err() {
            failures.push(section.name.clone());
        }
    }
    assert!(
        failures.is_empty(),
        "stale snapshots: {failures:?}. To accept the change, {REGEN}."
    );
}

/// A snapshot file with no section behind it (a removed tag, a renamed
/// bucket) would otherwise linger unnoticed.
#[test]
fn no_orphan_snapshots() {
    let g = generated();
    let mut expected: BTreeSet<String> = g.sections.iter().map(|s| s.name.clone()).collect();
    expected.insert("surface".to_owned());
    expected.insert("paginated".to_owned());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("tests/snapshots exists")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".snap")
                .map(str::to_owned)
        })
        .collect();
    let orphans: Vec<_> = on_disk.difference(&expected).collect();
    assert!(
        orphans.is_empty(),
        "snapshots with no generated section: {orphans:?}; {REGEN}"
    );
}

/// The sections together hold every item of the generated file, so the
/// snapshots pin all of what gets compiled.
#[test]
fn sections_cover_the_whole_file() {
    let g = generated();
    let count = |code: &str| {
        code.lines()
            .filter(|l| {
                l.trim_start().starts_with("pub struct ")
                    || l.trim_start().starts_with("pub enum ")
                    || l.trim_start().starts_with("pub trait ")
                    || l.trim_start().starts_with("impl")
            })
            .count()
    };
    let in_sections: usize = g.sections.iter().map(|s| count(&s.code)).sum();
    assert_eq!(in_sections, count(&g.code));
}

/// The snapshot is of the very code this crate compiled.
#[test]
fn snapshot_matches_compiled_code() {
    let g = generated();
    let compiled = include_str!(concat!(env!("OUT_DIR"), "/apivideo.rs"));
    assert!(
        g.code == compiled,
        "build.rs and the tests ran different pipelines"
    );
}
