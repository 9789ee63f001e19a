//! `cargo xtask` as a process: exit codes and messages of `spec-diff` and
//! `lint` on this repository.

use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("the xtask binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_revision_against_itself_has_no_changes() {
    let out = xtask(&[
        "spec-diff",
        "--base",
        "HEAD",
        "--head",
        "HEAD",
        "--format",
        "text",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("No API changes in openapi.yaml between `HEAD` ("),
        "{text}"
    );
    let out = xtask(&[
        "spec-diff",
        "--base=HEAD",
        "--head=HEAD",
        "--format=json",
        "--fail-on-breaking",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"breaking\": 0"), "{}", stdout(&out));
}

#[test]
fn errors_exit_non_zero_with_a_message() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["spec-diff", "--base", "no-such-revision"],
            "error: unknown git revision `no-such-revision`",
        ),
        (
            &["spec-diff", "--base", "HEAD", "--head", "no-such-revision"],
            "error: unknown git revision `no-such-revision`",
        ),
        (
            &["spec-diff", "--base", "HEAD", "--format", "xml"],
            "error: unknown format `xml`; use markdown, text or json",
        ),
        (&["spec-diff"], "error: --base <git-rev> is required"),
        (&["no-such-task"], "error: unknown task `no-such-task`"),
    ];
    for (args, message) in cases {
        let out = xtask(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stdout(&out).is_empty(), "{args:?} printed {}", stdout(&out));
        assert!(
            stderr(&out).starts_with(message),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn help_lists_the_options() {
    let out = xtask(&["spec-diff", "--help"]);
    assert!(out.status.success());
    for option in ["--base", "--head", "--format", "--fail-on-breaking"] {
        assert!(stdout(&out).contains(option), "{option}");
    }
}

#[test]
fn lint_passes_on_the_spec() {
    let out = xtask(&["lint"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("no findings"), "{}", stdout(&out));
}
