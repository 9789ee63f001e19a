//! Spec rules beyond what generation needs: naming, documentation, examples,
//! pagination shape, the shared problem schema, unused components, and
//! examples valid against their schemas (see `example_check`). The raw
//! crate's tests and `cargo xtask lint` both run them.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::spec::{Operation, PAGINATED_EXT, Spec, schema_ref_name};

/// The one schema every error response must use.
pub const PROBLEM_SCHEMA: &str = "Problem";

/// One rule broken somewhere in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where, e.g. `operation get_video (GET /videos/{videoId})` or `schema Video.title`.
    pub location: String,
    /// The rule's short name, e.g. `description`.
    pub rule: &'static str,
    /// What to do about it.
    pub fix: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  [{}]  {}", self.location, self.rule, self.fix)
    }
}

/// Every rule, over the whole spec. Empty means clean.
pub fn lint(spec: &Spec) -> Vec<Finding> {
    let mut out = Vec::new();
    let tags: BTreeSet<String> = spec.tags().into_iter().collect();
    for op in spec.operations() {
        operation(spec, op, &tags, &mut out);
    }
    schemas(spec, &mut out);
    unused(spec, &mut out);
    crate::example_check::check(spec, &mut out);
    out
}

fn finding(
    out: &mut Vec<Finding>,
    location: impl Into<String>,
    rule: &'static str,
    fix: impl Into<String>,
) {
    out.push(Finding {
        location: location.into(),
        rule,
        fix: fix.into(),
    });
}

/// Missing, empty, or still the placeholder.
fn undocumented(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.trim().is_empty() || t.trim() == "TODO")
}

fn is_snake_case(id: &str) -> bool {
    !id.is_empty()
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !id.contains("__")
        && !id.ends_with('_')
}

fn operation(spec: &Spec, op: &Operation, tags: &BTreeSet<String>, out: &mut Vec<Finding>) {
    let at = op.location();
    match op.id.as_deref() {
        Some(id) if is_snake_case(id) => {}
        Some(id) => finding(
            out,
            &at,
            "operation-id",
            format!("rename `{id}` to snake_case, e.g. `list_videos`"),
        ),
        None => finding(out, &at, "operation-id", "add an operationId"),
    }
    for field in ["summary", "description"] {
        if undocumented(op.text(field)) {
            finding(out, &at, field, format!("write the operation's {field}"));
        }
    }
    match op.tag() {
        Some(tag) if tags.contains(tag) => {}
        Some(tag) => finding(out, &at, "tag", format!("declare tag `{tag}` under `tags`")),
        None => finding(out, &at, "tag", "give the operation a tag"),
    }
    for p in op.parameters().filter_map(|p| spec.deref(p)) {
        if undocumented(p.get("description").and_then(Value::as_str)) {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
            finding(
                out,
                &at,
                "parameter-description",
                format!("describe parameter `{name}`"),
            );
        }
    }
    if let Some(body) = op.value.get("requestBody").and_then(|b| spec.deref(b))
        && undocumented(body.get("description").and_then(Value::as_str))
    {
        finding(out, &at, "request-description", "describe the request body");
    }
    let mut errors = 0;
    for (status, response) in op.responses() {
        let Some(resolved) = spec.deref(response) else {
            continue;
        };
        if undocumented(resolved.get("description").and_then(Value::as_str)) {
            finding(
                out,
                &at,
                "response-description",
                format!("describe response {status}"),
            );
        }
        if status.starts_with('4') || status.starts_with('5') || status == "default" {
            errors += 1;
            if spec.response_schema_name(response).as_deref() != Some(PROBLEM_SCHEMA) {
                finding(
                    out,
                    &at,
                    "problem-schema",
                    format!("make response {status} use the shared `{PROBLEM_SCHEMA}` schema"),
                );
            }
        } else if status.starts_with('2') {
            let media = resolved
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next());
            if media.is_some_and(|m| m.get("example").is_none() && m.get("examples").is_none()) {
                finding(
                    out,
                    &at,
                    "example",
                    format!("add an example to response {status}"),
                );
            }
        }
    }
    if errors == 0 {
        finding(
            out,
            &at,
            "error-response",
            "document at least one error response",
        );
    }
    let list_shaped = spec
        .success(op)
        .and_then(|(_, schema)| schema)
        .and_then(|name| {
            spec.root
                .pointer(&format!("/components/schemas/{name}"))
                .cloned()
        })
        .is_some_and(|s| {
            let props = s.get("properties");
            props.and_then(|p| p.get("data")).is_some()
                && props.and_then(|p| p.get("pagination")).is_some()
        });
    match (op.flag(PAGINATED_EXT), list_shaped) {
        (true, false) => finding(
            out,
            &at,
            "paginated",
            "a paginated operation must return `{data, pagination}`",
        ),
        (false, true) if op.method == "GET" => finding(
            out,
            &at,
            "paginated",
            format!("mark the list operation `{PAGINATED_EXT}: true`"),
        ),
        _ => {}
    }
}

fn schemas(spec: &Spec, out: &mut Vec<Finding>) {
    let Some(components) = spec
        .root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    for (name, schema) in components {
        if undocumented(schema.get("description").and_then(Value::as_str)) {
            finding(
                out,
                format!("schema {name}"),
                "schema-description",
                "describe the schema",
            );
        }
        properties(&format!("schema {name}"), schema, out);
    }
}

fn properties(at: &str, schema: &Value, out: &mut Vec<Finding>) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (prop, value) in props {
        let here = format!("{at}.{prop}");
        // A bare `$ref` cannot carry a description in OpenAPI 3.0; the
        // referenced schema is described instead.
        if value.get("$ref").is_none()
            && undocumented(value.get("description").and_then(Value::as_str))
        {
            finding(
                out,
                &here,
                "property-description",
                format!("describe property `{prop}`"),
            );
        }
        properties(&here, value, out);
        if let Some(items) = value.get("items") {
            properties(&here, items, out);
        }
    }
}

fn unused(spec: &Spec, out: &mut Vec<Finding>) {
    let Some(components) = spec
        .root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let mut reached = BTreeSet::new();
    let mut stack: Vec<String> = Vec::new();
    for op in spec.operations() {
        refs(&op.value, spec, &mut stack);
    }
    if let Some(hooks) = spec.root.get("x-webhooks") {
        refs(hooks, spec, &mut stack);
    }
    while let Some(name) = stack.pop() {
        if reached.insert(name.clone())
            && let Some(s) = components.get(&name)
        {
            refs(s, spec, &mut stack);
        }
    }
    for name in components.keys() {
        if !reached.contains(name) {
            finding(
                out,
                format!("schema {name}"),
                "unused-schema",
                "remove it, or use it from an operation",
            );
        }
    }
}

/// Schema names referenced from `value`, following response and parameter refs.
fn refs(value: &Value, spec: &Spec, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = schema_ref_name(value) {
                out.push(name);
            } else if let Some(r) = map.get("$ref").and_then(Value::as_str)
                && let Some(target) = spec.resolve_ref(r)
            {
                refs(target, spec, out);
            }
            map.values().for_each(|v| refs(v, spec, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, spec, out)),
        _ => {}
    }
}
