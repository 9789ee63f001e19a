//! `cargo xtask spec-diff`: what changed in `openapi.yaml` for callers.
//!
//! ```text
//! cargo xtask spec-diff --base <git-rev> [--head <git-rev>] [--format markdown|text|json] [--fail-on-breaking]
//! ```
//!
//! Reads the old spec with `git show <base>:openapi.yaml` and the new one
//! from `<head>` (or the working tree), matches operations by operationId
//! (an operation whose id changed but whose method and path did not is a
//! rename), and lists every change grouped by operation, by component schema
//! and for security. Each change gets two classifications: for a **Rust**
//! caller of the generated SDK and for an **HTTP** client of the API.
//! `--fail-on-breaking` exits non-zero when any change is breaking for
//! either. The rules live in [`rules`]; this table is their summary.
//!
//! Not API changes: `$ref` indirection (refs are resolved and `allOf`
//! merged before comparing), key order, and docs: `description`, `summary`,
//! `title`, `example`, `examples`, `externalDocs` changes are listed as one
//! "docs changed" line per group.
//!
//! ## Operations, security, markers
//!
//! | change | Rust | HTTP | why |
//! | --- | --- | --- | --- |
//! | operation added | compatible | compatible | |
//! | operation removed | breaking | breaking | |
//! | operationId changed, same method and path | breaking | compatible | the Rust method is renamed |
//! | path or method changed, same operationId | compatible | breaking | the Rust method calls the new route |
//! | tag changed | breaking | compatible | methods live in one extension trait per tag |
//! | deprecated added or removed | compatible | compatible | |
//! | parameter or request body added, optional | compatible | compatible | |
//! | parameter or request body added, required | breaking | breaking | |
//! | parameter or request body removed | breaking | compatible | the builder method goes; the API ignores it |
//! | parameter or request body made required | breaking | breaking | |
//! | parameter or request body made optional | compatible | compatible | |
//! | parameter `style`/`explode`, or media types changed | breaking | breaking | |
//! | success status changed (200 → 201) | compatible | breaking | same Rust return type |
//! | response body added | breaking | compatible | the return type was `()` |
//! | response body removed | breaking | breaking | |
//! | other response status added or removed | compatible | compatible | errors share `Problem` |
//! | response header added | compatible | compatible | the generated client types no header |
//! | response header removed | compatible | breaking | clients reading it lose it |
//! | webhook event added to `x-webhooks` | compatible | compatible | |
//! | webhook event removed from `x-webhooks` | breaking | breaking | subscriptions to it are refused |
//! | security alternative added (or auth no longer required) | compatible | compatible | |
//! | security alternative removed (or auth now required) | breaking | breaking | |
//! | security alternative removed, with auth no longer required | compatible | compatible | a credential still sent is ignored |
//! | security scheme added | compatible | compatible | |
//! | security scheme removed or changed | breaking | breaking | |
//! | `x-paginated` added | compatible | compatible | the SDK gains a paging helper |
//! | `x-paginated` removed | breaking | compatible | the paging helper goes |
//! | `x-rust-handwritten` added or removed | breaking | compatible | the method moves between generated and handwritten code |
//! | component schema added | compatible | compatible | |
//! | component schema removed | breaking | compatible | the type leaves the crate |
//! | a position now uses another component (`A` → `B`) | breaking | worst of the structural changes | the Rust type is renamed |
//! | `x-rust-replace` changed | breaking | compatible | |
//!
//! ## Schemas
//!
//! A change inside a schema is judged in each direction the schema travels:
//! request (parameters, request bodies) or response (a webhook's body, in
//! `x-webhooks`, travels as a response). A component schema
//! used both ways gets the worse verdict of the two, per audience.
//!
//! | change | request: Rust | request: HTTP | response: Rust | response: HTTP |
//! | --- | --- | --- | --- | --- |
//! | property added, optional | compatible | compatible | compatible | compatible |
//! | property added, required | breaking | breaking | compatible | compatible |
//! | property removed | breaking | compatible | breaking | breaking |
//! | property made required | breaking | breaking | Option¹ | compatible |
//! | property made optional | Option¹ | compatible | Option¹ | breaking |
//! | type changed | breaking | breaking² | breaking | breaking² |
//! | format added | typed³ | breaking | typed³ | compatible |
//! | format removed | typed³ | compatible | typed³ | breaking |
//! | format changed | typed³ | breaking | typed³ | breaking |
//! | enum value added | compatible | compatible | compatible⁴ | compatible |
//! | enum value removed | breaking | breaking | breaking | compatible |
//! | free string restricted to an enum | breaking | breaking | breaking | compatible |
//! | enum restriction removed | breaking | compatible | breaking | breaking |
//! | now nullable | Option¹ | compatible | Option¹ | breaking |
//! | no longer nullable | Option¹ | breaking | Option¹ | compatible |
//! | default added or removed | Option¹ | compatible | Option¹ | compatible |
//! | default value changed | breaking | breaking | compatible | compatible |
//! | constraint tightened (`minimum`, `maxLength`, `maxItems`, `pattern`...) | newtype⁵ | breaking | newtype⁵ | compatible |
//! | constraint loosened | newtype⁵ | compatible | newtype⁵ | breaking |
//! | constraint changed, neither (another `pattern`, `multipleOf`) | breaking | breaking | breaking | breaking |
//! | `additionalProperties` now forbidden | map⁶ | breaking | map⁶ | compatible |
//! | `additionalProperties` now allowed | map⁶ | compatible | map⁶ | breaking |
//! | `oneOf`, `anyOf` or `not` changed | breaking | breaking | breaking | breaking |
//! | any other keyword (`readOnly`, `x-...`) | compatible | compatible | compatible | compatible |
//!
//! 1. Breaking when the Rust field switches between `T` and `Option<T>`,
//!    compatible otherwise: a required field is `Option<T>` only when
//!    nullable; an optional field is `Option<T>` unless it is an array
//!    (`Vec<T>`, a missing array reads as empty) or has a default (`T`).
//!    `null` and a missing field both read as `None`.
//! 2. Except `integer` → `number` in a request and `number` → `integer` in
//!    a response: compatible for HTTP (the Rust type still changes).
//! 3. Breaking when either format makes typify generate a dedicated type
//!    (`date-time`, `date`, `uuid`, `ip`, `ipv4`, `ipv6`, sized integers
//!    and floats, `byte`); otherwise the HTTP verdict.
//! 4. The pipeline makes every generated string enum `#[non_exhaustive]`
//!    with an `Unknown` variant ([`rules::GENERATED_ENUMS_ARE_EXHAUSTIVE`]
//!    is false): callers' matches already have a wildcard arm, and older
//!    SDK builds decode the new value as `Unknown`. (A caller who matched
//!    `Unknown` for that value sees it move to its own variant.) HTTP
//!    clients must tolerate unknown values.
//! 5. The HTTP verdict, and breaking when typify picks another type: a
//!    length or pattern constraint added to or removed from a string (a
//!    validated newtype), any `minimum`/`maximum` change on an integer
//!    (`NonZeroU64`, `u64`, `i64`...).
//! 6. The HTTP verdict, and breaking when the value switches to or from a
//!    typed map.
//!
//! Rust verdicts assume callers build request types with the generated
//! builders: a struct literal or an exhaustive destructuring pattern breaks
//! on any added field, which is not flagged.

mod model;
mod operations;
mod position;
mod render;
mod rules;
mod schema;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_cli;
#[cfg(test)]
mod tests_real;
mod usage;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use apivideo_codegen::Spec;
use serde_json::Value;

use model::{Report, Subject};
use position::{At, Sides, Slot};
use render::{Format, Versions};

const USAGE: &str = "\
usage: cargo xtask spec-diff --base <git-rev> [--head <git-rev>] [--format markdown|text|json] [--fail-on-breaking]

Compares openapi.yaml at <git-rev> (via `git show <git-rev>:openapi.yaml`) with
openapi.yaml at --head, or in the working tree without --head, and lists every
API change, breaking or compatible for Rust callers and for HTTP clients.

  --base <git-rev>      the old version (required), e.g. main or HEAD
  --head <git-rev>      the new version (default: the working tree)
  --format <format>     markdown (default, for a PR body), text or json
  --fail-on-breaking    exit non-zero when any change is breaking
";

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    base: String,
    head: Option<String>,
    format: Format,
    fail_on_breaking: bool,
}

/// `None` when help was asked for.
fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let (mut base, mut head, mut format, mut fail) = (None, None, Format::Markdown, false);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--base" => base = Some(value("--base")?),
            "--head" => head = Some(value("--head")?),
            "--format" => format = Format::parse(&value("--format")?)?,
            "--fail-on-breaking" if inline.is_none() => fail = true,
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    let base = base.ok_or_else(|| format!("--base <git-rev> is required\n\n{USAGE}"))?;
    Ok(Some(Options {
        base,
        head,
        format,
        fail_on_breaking: fail,
    }))
}

pub(crate) fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let Some(options) = parse_args(args)? else {
        print!("{USAGE}");
        return Ok(());
    };
    let (old_text, base) = at_revision(root, &options.base)?;
    let (new_text, head) = match &options.head {
        Some(rev) => at_revision(root, rev)?,
        None => {
            let path = root.join("openapi.yaml");
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            (text, "the working tree".to_owned())
        }
    };
    let old = Spec::parse(&old_text).map_err(|e| format!("openapi.yaml at {base}: {e}"))?;
    let new = Spec::parse(&new_text).map_err(|e| format!("openapi.yaml in {head}: {e}"))?;
    let report = diff(&old, &new);
    print!(
        "{}",
        render::render(&report, &Versions { base, head }, options.format)
    );
    gate(&report, options.fail_on_breaking)
}

/// With `--fail-on-breaking`, an error when any change is breaking (for
/// Rust callers or for HTTP clients), so that the exit code is non-zero.
fn gate(report: &Report, fail_on_breaking: bool) -> Result<(), String> {
    let breaking = report.summary().breaking;
    if fail_on_breaking && breaking > 0 {
        return Err(format!(
            "{breaking} breaking change(s) in openapi.yaml (--fail-on-breaking)"
        ));
    }
    Ok(())
}

/// `openapi.yaml` at `rev`, and a label for it: `` `main` (1a2b3c4) ``.
fn at_revision(root: &Path, rev: &str) -> Result<(String, String), String> {
    if rev.starts_with('-') {
        return Err(format!("`{rev}` is not a git revision"));
    }
    let hash = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--short",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| {
        format!("unknown git revision `{rev}` (try a branch, a tag or a commit, e.g. HEAD)")
    })?;
    let hash = hash.trim();
    let text = git(root, &["show", &format!("{rev}:./openapi.yaml")])
        .map_err(|e| format!("cannot read openapi.yaml at `{rev}` ({hash}): {e}"))?;
    Ok((text, format!("`{rev}` ({hash})")))
}

/// Runs git in `root`; its stdout, or its stderr as the error.
fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    String::from_utf8(output.stdout).map_err(|e| format!("git printed non-UTF-8 output: {e}"))
}

/// Every change from `old` to `new`.
pub(crate) fn diff(old: &Spec, new: &Spec) -> Report {
    let sides = Sides { old, new };
    let mut report = Report::default();
    operations::compare(sides, &mut report);
    let mut used = BTreeMap::new();
    usage::collect(old, &mut used);
    usage::collect(new, &mut used);
    let schemas = |spec: &Spec| {
        spec.root
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (before, after) = (schemas(old), schemas(new));
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for name in names {
        let subject = Subject::Schema { name: name.clone() };
        let by = used.get(name.as_str()).cloned().unwrap_or_default();
        match (before.get(name.as_str()), after.get(name.as_str())) {
            (Some(_), None) => report.change(&subject, "", "removed", rules::schema_removed()),
            (None, Some(_)) => report.change(&subject, "", "added", rules::schema_added()),
            (Some(a), Some(b)) => {
                let at = At {
                    subject: &subject,
                    label: String::new(),
                    path: String::new(),
                    usage: by.usage(),
                };
                schema::compare(sides, &mut report, &at, a, b, Slot::Value);
            }
            (None, None) => {}
        }
        report.note(&subject, by.note());
    }
    let events = |spec: &Spec| -> BTreeSet<String> {
        usage::webhooks(spec).map(|(e, _)| e.clone()).collect()
    };
    let (was, is) = (events(old), events(new));
    for event in was.difference(&is) {
        let subject = Subject::Webhook {
            event: event.clone(),
        };
        report.change(&subject, "", "removed", rules::webhook_removed());
    }
    for event in is.difference(&was) {
        let subject = Subject::Webhook {
            event: event.clone(),
        };
        report.change(&subject, "", "added", rules::webhook_added());
    }
    operations::document_security(sides, &mut report);
    report
}
