//! Rejects what progenitor would panic on or silently mangle, with a message
//! that names the operation and the construct.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::Violation;
use crate::spec::{HANDWRITTEN_EXT, Operation, Spec};

/// Every violation in the spec; empty when it is safe to generate from.
pub(crate) fn validate(spec: &Spec) -> Vec<Violation> {
    let mut out = Vec::new();
    version(spec, &mut out);
    references(spec, &spec.root, &mut String::new(), &mut out);
    operation_ids(spec, &mut out);
    for op in spec.operations() {
        parameters(op, spec, &mut out);
        request_body(op, spec, &mut out);
        error_schemas(op, spec, &mut out);
        handwritten_marker(op, spec, &mut out);
    }
    out
}

fn violation(location: impl Into<String>, message: impl Into<String>) -> Violation {
    Violation {
        location: location.into(),
        message: message.into(),
    }
}

fn version(spec: &Spec, out: &mut Vec<Violation>) {
    let v = spec
        .root
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !v.starts_with("3.0.") {
        out.push(violation(
            "openapi",
            format!("version `{v}` is not supported; progenitor reads OpenAPI 3.0.x"),
        ));
    }
}

/// Every `$ref` must point at something that exists.
fn references(spec: &Spec, value: &Value, at: &mut String, out: &mut Vec<Violation>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && spec.resolve_ref(r).is_none()
            {
                out.push(violation(
                    describe_pointer(spec, at),
                    format!("$ref `{r}` points to nothing"),
                ));
            }
            for (k, v) in map {
                let len = at.len();
                at.push('/');
                at.push_str(&k.replace('~', "~0").replace('/', "~1"));
                references(spec, v, at, out);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                references(spec, v, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// `operation get_video (GET /videos/{videoId})` when the pointer is inside
/// an operation, the JSON pointer otherwise.
fn describe_pointer(spec: &Spec, pointer: &str) -> String {
    for op in spec.operations() {
        let prefix = format!(
            "/paths/{}/{}",
            op.path.replace('~', "~0").replace('/', "~1"),
            op.method.to_lowercase()
        );
        if let Some(rest) = pointer.strip_prefix(&prefix) {
            return format!("{} at {}", op.location(), rest.trim_start_matches('/'));
        }
    }
    pointer.trim_start_matches('/').replace('/', ".")
}

fn operation_ids(spec: &Spec, out: &mut Vec<Violation>) {
    let mut seen: BTreeMap<&str, &Operation> = BTreeMap::new();
    for op in spec.operations() {
        match op.id.as_deref() {
            None | Some("") => out.push(violation(op.location(), "operation has no operationId")),
            Some(id) => {
                if let Some(first) = seen.get(id) {
                    out.push(violation(
                        op.location(),
                        format!(
                            "operationId `{id}` is also used by {} {}; ids must be unique",
                            first.method, first.path
                        ),
                    ));
                } else {
                    seen.insert(id, op);
                }
            }
        }
    }
}

fn parameters(op: &Operation, spec: &Spec, out: &mut Vec<Violation>) {
    for p in op.parameters() {
        let Some(p) = spec.deref(p) else { continue };
        let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
        let location = p.get("in").and_then(Value::as_str).unwrap_or("?");
        let style = p.get("style").and_then(Value::as_str);
        let schema = p.get("schema").and_then(|s| spec.deref(s));
        let is_object =
            schema.and_then(|s| s.get("type")).and_then(Value::as_str) == Some("object");
        match location {
            "query" if is_object && style != Some("deepObject") => out.push(violation(
                op.location(),
                format!(
                    "query parameter `{name}` is an object; progenitor cannot encode it \
                     (use style: deepObject and mark the operation {HANDWRITTEN_EXT})"
                ),
            )),
            "path" if p.get("required").and_then(Value::as_bool) != Some(true) => {
                out.push(violation(
                    op.location(),
                    format!("path parameter `{name}` must be required: true"),
                ))
            }
            "cookie" => out.push(violation(
                op.location(),
                format!("cookie parameter `{name}` is not supported"),
            )),
            _ => {}
        }
    }
}

fn request_body(op: &Operation, spec: &Spec, out: &mut Vec<Violation>) {
    let Some(body) = op.value.get("requestBody").and_then(|b| spec.deref(b)) else {
        return;
    };
    let types: Vec<&str> = body
        .get("content")
        .and_then(Value::as_object)
        .map(|c| c.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if types.len() > 1 {
        out.push(violation(
            op.location(),
            format!(
                "request body has several media types ({}); progenitor takes exactly one",
                types.join(", ")
            ),
        ));
    }
}

/// progenitor panics when one operation's error responses use different
/// schemas: all of them must share one problem schema.
fn error_schemas(op: &Operation, spec: &Spec, out: &mut Vec<Violation>) {
    let mut schemas: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (status, response) in op.responses() {
        let is_error = status == "default" || status.starts_with('4') || status.starts_with('5');
        if !is_error {
            continue;
        }
        let Some(resolved) = spec.deref(response) else {
            continue;
        };
        let has_content = resolved
            .get("content")
            .and_then(Value::as_object)
            .is_some_and(|c| !c.is_empty());
        if !has_content {
            continue;
        }
        let name = spec
            .response_schema_name(response)
            .unwrap_or_else(|| "an inline schema".to_owned());
        schemas.entry(name).or_default().insert(status);
    }
    if schemas.len() > 1 {
        let list = schemas
            .iter()
            .map(|(name, statuses)| {
                let s: Vec<_> = statuses.iter().copied().collect();
                format!("{} uses {name}", s.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ");
        out.push(violation(
            op.location(),
            format!("error responses use several schemas ({list}); use one shared problem schema"),
        ));
    }
}

/// An operation the pipeline must take out of generation has to say so in
/// the spec, so that every tool reading the spec sees the same list.
fn handwritten_marker(op: &Operation, spec: &Spec, out: &mut Vec<Violation>) {
    if let Some(reason) = crate::preprocess::needs_handwriting(op, spec)
        && !op.flag(HANDWRITTEN_EXT)
    {
        out.push(violation(
            op.location(),
            format!("{reason} cannot be generated; mark the operation `{HANDWRITTEN_EXT}: true`"),
        ));
    }
}
