//! `cargo xtask regen`: rewrite the snapshots after a spec edit.
//!
//! Runs the snapshot tests (the client's, and the command line's command
//! tree in `crates/apivideo-cli`) with insta told to write what it sees, removes
//! snapshots no section produces any more, and prints how the surface
//! changed so the author sees the API change before the code diff.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::text_diff::changed_lines;

pub(crate) fn run(root: &Path) -> Result<(), String> {
    let spec = root.join("openapi.yaml");
    // Fail early, with the pipeline's own message, on a spec that does not generate.
    let generated = apivideo_codegen::generate_file(&spec).map_err(|e| e.to_string())?;

    let dir = root.join("tests/snapshots");
    let surface_path = dir.join("surface.snap");
    let before = std::fs::read_to_string(&surface_path).unwrap_or_default();

    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "test",
            "--package",
            "apivideo-raw",
            "--test",
            "it",
            "--quiet",
            "--",
            "snapshots::",
        ])
        .env("INSTA_UPDATE", "always")
        .env("INSTA_FORCE_PASS", "1")
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    if !status.success() {
        return Err(
            "the snapshot tests failed for a reason other than stale snapshots; see above".into(),
        );
    }
    // The command line's command tree, derived from the same spec.
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "test",
            "--package",
            "apivideo-cli",
            "--bin",
            "apivideo",
            "--quiet",
            "--",
            "commands::tests::command_tree",
        ])
        .env("INSTA_UPDATE", "always")
        .env("INSTA_FORCE_PASS", "1")
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    if !status.success() {
        return Err("the command tree's snapshot test failed; see above".into());
    }

    let mut keep: BTreeSet<String> = generated
        .sections
        .iter()
        .map(|s| format!("{}.snap", s.name))
        .collect();
    keep.insert("surface.snap".into());
    // Not a section either: the `Paginated` impls derived from `x-paginated`.
    keep.insert("paginated.snap".into());
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Pending `.snap.new` files from earlier failed runs are superseded.
        let stale =
            name.ends_with(".snap.new") || (name.ends_with(".snap") && !keep.contains(&name));
        if stale {
            std::fs::remove_file(entry.path()).map_err(|e| format!("cannot remove {name}: {e}"))?;
            println!("removed stale snapshot {name}");
        }
    }

    let after = std::fs::read_to_string(&surface_path).unwrap_or_default();
    let diff: Vec<String> = changed_lines(&before, &after)
        .into_iter()
        .filter(|l| !l.trim_start_matches(['+', '-', ' ']).is_empty())
        .collect();
    if diff.is_empty() {
        println!(
            "surface: unchanged ({} operations)",
            generated.surface.len()
        );
    } else {
        println!("surface changes:");
        diff.iter().for_each(|l| println!("  {l}"));
    }
    println!(
        "\nSnapshots in tests/snapshots and crates/apivideo-cli/tests/snapshots are rewritten. \
         Review every change before committing: `git diff tests/snapshots crates/apivideo-cli`, \
         or `cargo insta review` if you ran the tests with pending snapshots."
    );
    Ok(())
}
