//! The three output formats of `spec-diff`: markdown for a pull-request body,
//! text for a terminal, JSON for tools.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::model::{Class, Group, Report, Subject, Summary};

/// Which output to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Markdown,
    Text,
    Json,
}

impl Format {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        match text {
            "markdown" | "md" => Ok(Format::Markdown),
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "unknown format `{other}`; use markdown, text or json"
            )),
        }
    }
}

/// What was compared, for the header: e.g. `` `main` (1a2b3c4) `` and
/// `the working tree`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Versions {
    pub(crate) base: String,
    pub(crate) head: String,
}

pub(crate) fn render(report: &Report, versions: &Versions, format: Format) -> String {
    match format {
        Format::Markdown => markdown(report, versions),
        Format::Text => text(report, versions),
        Format::Json => json(report, versions),
    }
}

/// `3 breaking, 7 compatible`, and the detail after it.
fn headline(s: &Summary) -> (String, String) {
    let head = format!("{} breaking, {} compatible", s.breaking, s.compatible);
    let mut detail = format!(
        "breaking for Rust callers: {}, for HTTP clients: {}",
        s.breaking_rust, s.breaking_http
    );
    if s.docs > 0 {
        let _ = write!(detail, "; docs changed in {} place(s)", s.docs);
    }
    (head, detail)
}

fn title(subject: &Subject, markdown: bool) -> String {
    match (subject, markdown) {
        (Subject::Operation { id, method, path }, true) => format!("`{id}` ({method} `{path}`)"),
        (Subject::Schema { name }, true) => format!("`{name}`"),
        (Subject::Security, true) => "Security".to_owned(),
        (Subject::Webhook { event }, true) => format!("`{event}`"),
        (other, false) => other.to_string(),
    }
}

fn section(subject: &Subject) -> &'static str {
    match subject {
        Subject::Operation { .. } => "Operations",
        Subject::Schema { .. } => "Schemas",
        Subject::Security => "Security",
        Subject::Webhook { .. } => "Webhooks",
    }
}

fn cell(class: Class) -> &'static str {
    match class {
        Class::Breaking => "**breaking**",
        Class::Compatible => "compatible",
    }
}

/// Markdown table cells cannot hold a `|`.
fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

fn docs_line(group: &Group) -> String {
    const SHOWN: usize = 6;
    let mut places: Vec<String> = group.docs.iter().take(SHOWN).cloned().collect();
    if group.docs.len() > SHOWN {
        places.push(format!("{} more", group.docs.len() - SHOWN));
    }
    places.join("; ")
}

fn markdown(report: &Report, v: &Versions) -> String {
    let summary = report.summary();
    let mut out = String::new();
    if summary.breaking + summary.compatible == 0 {
        let _ = writeln!(
            out,
            "**No API changes** in `openapi.yaml` between {} and {}.",
            v.base, v.head
        );
    } else {
        let (head, detail) = headline(&summary);
        let _ = writeln!(out, "**API changes: {head}** ({detail})\n");
        let _ = writeln!(out, "`openapi.yaml` from {} to {}.", v.base, v.head);
    }
    let mut current = "";
    for group in report.groups().filter(|g| !g.changes.is_empty()) {
        let name = section(&group.subject);
        if name != current {
            let _ = writeln!(out, "\n### {name}");
            current = name;
        }
        let _ = writeln!(out, "\n#### {}\n", title(&group.subject, true));
        if !group.note.is_empty() {
            let _ = writeln!(out, "{}\n", capitalize(&group.note));
        }
        out.push_str("| change | Rust callers | HTTP clients |\n| --- | --- | --- |\n");
        for c in &group.changes {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                escape(&c.to_string()),
                cell(c.verdict.rust),
                cell(c.verdict.http)
            );
        }
    }
    if summary.docs > 0 {
        out.push_str("\n### Docs changed\n\nNot API changes: descriptions and examples.\n\n");
        for group in report.groups().filter(|g| !g.docs.is_empty()) {
            let _ = writeln!(
                out,
                "- {}: {}",
                title(&group.subject, true),
                docs_line(group)
            );
        }
    }
    out
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn text(report: &Report, v: &Versions) -> String {
    let summary = report.summary();
    let mut out = String::new();
    if summary.breaking + summary.compatible == 0 {
        let _ = writeln!(
            out,
            "No API changes in openapi.yaml between {} and {}.",
            v.base, v.head
        );
    } else {
        let (head, detail) = headline(&summary);
        let _ = writeln!(out, "API changes: {head} ({detail})");
        let _ = writeln!(out, "openapi.yaml from {} to {}", v.base, v.head);
    }
    for group in report.groups().filter(|g| !g.changes.is_empty()) {
        let _ = write!(out, "\n{}", title(&group.subject, false));
        if !group.note.is_empty() {
            let _ = write!(out, ", {}", group.note);
        }
        out.push('\n');
        for c in &group.changes {
            let mark = if c.verdict.is_breaking() { '!' } else { ' ' };
            let _ = writeln!(
                out,
                "  {mark} rust: {:<11} http: {:<11} {c}",
                c.verdict.rust.as_str(),
                c.verdict.http.as_str()
            );
        }
    }
    if summary.docs > 0 {
        out.push_str("\ndocs changed (not API changes):\n");
        for group in report.groups().filter(|g| !g.docs.is_empty()) {
            let _ = writeln!(
                out,
                "  {}: {}",
                title(&group.subject, false),
                docs_line(group)
            );
        }
    }
    out
}

fn json(report: &Report, v: &Versions) -> String {
    let s = report.summary();
    let groups: Vec<Value> = report
        .groups()
        .map(|g| {
            let (kind, name, method, path) = match &g.subject {
                Subject::Operation { id, method, path } => {
                    ("operation", id.as_str(), Some(method), Some(path))
                }
                Subject::Schema { name } => ("schema", name.as_str(), None, None),
                Subject::Security => ("security", "security", None, None),
                Subject::Webhook { event } => ("webhook", event.as_str(), None, None),
            };
            let changes: Vec<Value> = g
                .changes
                .iter()
                .map(|c| {
                    json!({
                        "at": c.at,
                        "change": c.what,
                        "rust": c.verdict.rust.as_str(),
                        "http": c.verdict.http.as_str(),
                    })
                })
                .collect();
            json!({
                "kind": kind,
                "name": name,
                "method": method,
                "path": path,
                "note": g.note,
                "changes": changes,
                "docs": g.docs,
            })
        })
        .collect();
    let value = json!({
        "base": v.base,
        "head": v.head,
        "summary": {
            "breaking": s.breaking,
            "compatible": s.compatible,
            "breaking_rust": s.breaking_rust,
            "breaking_http": s.breaking_http,
            "docs": s.docs,
        },
        "groups": groups,
    });
    // Serializing a `Value` built here cannot fail; fall back to compact.
    serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string()) + "\n"
}
