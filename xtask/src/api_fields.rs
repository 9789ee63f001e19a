//! `cargo xtask api-fields --facts <digest.yaml> [--write]`: how much of an
//! API digest `openapi.yaml` describes, field by field
//! (`apivideo_codegen::api_fields` says what a field is).
//!
//! It prints the share covered and every line of the digest the spec lacks.
//! With `--write` it also stores the digest's lines in
//! `tests/api-fields.txt`, which a test compares with the spec on every
//! `cargo test`, so that the figure is kept without the digest itself.

use std::path::Path;

use apivideo_codegen::api_fields::{api_fields, coverage};

/// Where the digest's lines are kept for the test.
pub const FIELDS_FILE: &str = "tests/api-fields.txt";

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut facts = None;
    let mut write = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--facts" => facts = args.next().cloned(),
            "--write" => write = true,
            other => return Err(format!("api-fields: unknown argument `{other}`")),
        }
    }
    let facts = facts.ok_or("api-fields: --facts <digest.yaml> is required")?;
    let expected = api_fields(&read_yaml(Path::new(&facts))?);
    let actual = api_fields(&read_yaml(&root.join("openapi.yaml"))?);
    let (missing, share) = coverage(&expected, &actual);
    println!(
        "{} of {} lines of the digest are in openapi.yaml: {:.2}%",
        expected.len() - missing.len(),
        expected.len(),
        share * 100.0
    );
    for line in &missing {
        println!("missing: {line}");
    }
    if write {
        let mut text = String::from(
            "# The API's fields, one per line: `cargo xtask api-fields --facts <digest> --write`.\n",
        );
        for line in &expected {
            text.push_str(line);
            text.push('\n');
        }
        let path = root.join(FIELDS_FILE);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn read_yaml(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}
