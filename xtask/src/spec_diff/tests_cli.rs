//! The command line of `spec-diff`: arguments, the `--fail-on-breaking`
//! gate, and git revisions that do not exist.

use std::path::Path;

use apivideo_codegen::Spec;

use super::render::Format;
use super::{Options, at_revision, diff, gate, parse_args};

fn args(list: &[&str]) -> Result<Option<Options>, String> {
    let owned: Vec<String> = list.iter().map(ToString::to_string).collect();
    parse_args(&owned)
}

fn fixture(case: &str, which: &str) -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/spec_diff")
        .join(case)
        .join(format!("{which}.yaml"));
    let text = std::fs::read_to_string(&path).expect("the fixture is readable");
    Spec::parse(&text).expect("the fixture parses")
}

#[test]
fn arguments_in_both_spellings() {
    let want = Options {
        base: "main".into(),
        head: Some("feature".into()),
        format: Format::Json,
        fail_on_breaking: true,
    };
    let spaced = [
        "--base",
        "main",
        "--head",
        "feature",
        "--format",
        "json",
        "--fail-on-breaking",
    ];
    assert_eq!(args(&spaced), Ok(Some(want.clone())));
    let joined = [
        "--fail-on-breaking",
        "--format=json",
        "--base=main",
        "--head=feature",
    ];
    assert_eq!(args(&joined), Ok(Some(want)));
    let defaults = args(&["--base", "HEAD"]).ok().flatten();
    assert_eq!(
        defaults,
        Some(Options {
            base: "HEAD".into(),
            head: None,
            format: Format::Markdown,
            fail_on_breaking: false,
        })
    );
    assert_eq!(args(&["--help"]), Ok(None));
}

#[test]
fn bad_arguments_are_explained() {
    let first_line = |list: &[&str]| {
        args(list)
            .err()
            .and_then(|e| e.lines().next().map(str::to_owned))
            .unwrap_or_default()
    };
    assert_eq!(first_line(&[]), "--base <git-rev> is required");
    assert_eq!(first_line(&["--base"]), "--base needs a value");
    assert_eq!(first_line(&["--base="]), "--base needs a value");
    assert_eq!(
        first_line(&["--base", "HEAD", "--format", "xml"]),
        "unknown format `xml`; use markdown, text or json"
    );
    assert_eq!(
        first_line(&["--base", "HEAD", "--verbose"]),
        "unknown argument `--verbose`"
    );
}

#[test]
fn fail_on_breaking_fails_only_when_something_breaks() {
    let breaking = diff(
        &fixture("parameter_added", "old"),
        &fixture("parameter_added", "new"),
    );
    assert_eq!(gate(&breaking, false), Ok(()));
    assert_eq!(
        gate(&breaking, true),
        Err("1 breaking change(s) in openapi.yaml (--fail-on-breaking)".into())
    );
    let docs_only = diff(
        &fixture("docs_and_refs_only", "old"),
        &fixture("docs_and_refs_only", "new"),
    );
    assert_eq!(gate(&docs_only, true), Ok(()));
}

#[test]
fn unknown_revisions_are_reported() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let err = at_revision(&root, "no-such-revision-anywhere").err();
    assert_eq!(
        err.as_deref(),
        Some(
            "unknown git revision `no-such-revision-anywhere` (try a branch, a tag or a commit, e.g. HEAD)"
        )
    );
    assert_eq!(
        at_revision(&root, "--output=x").err().as_deref(),
        Some("`--output=x` is not a git revision")
    );
}
