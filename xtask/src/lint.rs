//! `cargo xtask lint`: the spec rules, as one fast command with readable
//! output. Each finding prints where it is, the rule it breaks and how to
//! fix it; the exit code is non-zero when there is any.

use std::collections::BTreeMap;
use std::path::Path;

pub(crate) fn run(root: &Path) -> Result<(), String> {
    let path = root.join("openapi.yaml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let spec = apivideo_codegen::Spec::parse(&text).map_err(|e| e.to_string())?;
    let findings = apivideo_codegen::lint(&spec);
    if findings.is_empty() {
        println!(
            "openapi.yaml: {} operations, no findings",
            spec.operations().len()
        );
        return Ok(());
    }
    for f in &findings {
        println!("{}\n    rule: {}\n    fix:  {}", f.location, f.rule, f.fix);
    }
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &findings {
        *by_rule.entry(f.rule).or_default() += 1;
    }
    let counts: Vec<String> = by_rule
        .iter()
        .map(|(rule, n)| format!("{rule} ({n})"))
        .collect();
    Err(format!(
        "{} finding(s) in openapi.yaml: {}",
        findings.len(),
        counts.join(", ")
    ))
}
