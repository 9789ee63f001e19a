//! The `example` rule: every example in the spec must be valid against its
//! schema.
//!
//! Checked examples: media-type `example` and `examples` values (request
//! bodies and responses, inline or in `components`), parameter `example`s,
//! component-schema `example`s and the `example` of every nested schema
//! (properties, array items, `allOf`/`oneOf`/`anyOf` members).
//!
//! The validator is structural. It follows `$ref` and merges `allOf`, then
//! checks the JSON type (`integer` is a whole number as serde reads it into
//! an `i64`: `6.0` is not one), `required`, unknown properties (when the
//! schema defines `properties` and no `additionalProperties`), `enum`,
//! `nullable`, the `date-time` and `date` formats (RFC 3339), `pattern` (with
//! the small matcher in [`pattern`], which skips syntax it does not know),
//! `minimum`/`maximum` (and their `exclusive` flags), `minLength`/`maxLength`,
//! `minItems`/`maxItems`, `uniqueItems`, and `oneOf`/`anyOf`. A `required`
//! property marked `readOnly` or `writeOnly` may be missing, since it only
//! travels in one direction.

mod format;
mod pattern;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use serde_json::{Map, Number, Value};

use crate::checks::Finding;
use crate::spec::Spec;

/// Adds an `example` finding for every example that does not fit its schema.
pub(crate) fn check(spec: &Spec, out: &mut Vec<Finding>) {
    let mut walk = Walk { spec, out };
    for op in spec.operations() {
        let at = op.location();
        for p in op.parameters().filter(|p| p.get("$ref").is_none()) {
            walk.parameter(&at, p);
        }
        if let Some(body) = op
            .value
            .get("requestBody")
            .filter(|b| b.get("$ref").is_none())
        {
            walk.content(&format!("{at} request body"), body);
        }
        for (status, response) in op.responses() {
            if response.get("$ref").is_none() {
                walk.content(&format!("{at} response {status}"), response);
            }
        }
    }
    let paths = spec.root.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for p in array(item.get("parameters")).filter(|p| p.get("$ref").is_none()) {
            walk.parameter(&format!("path {path}"), p);
        }
    }
    let components = |kind: &str| {
        spec.root
            .pointer(&format!("/components/{kind}"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
    };
    for (name, p) in components("parameters") {
        walk.parameter(&format!("parameter {name}"), p);
    }
    for (name, body) in components("requestBodies") {
        walk.content(&format!("request body {name}"), body);
    }
    for (name, response) in components("responses") {
        walk.content(&format!("response {name}"), response);
    }
    for (name, schema) in components("schemas") {
        walk.schema(&format!("schema {name}"), schema, 0);
    }
}

/// Every problem of `value` against `schema`, each as `at <path>: <what>`
/// (or just `<what>` at the top level). Empty means valid.
pub(crate) fn validate(spec: &Spec, schema: &Value, value: &Value) -> Vec<String> {
    let mut v = Validator {
        spec,
        problems: Vec::new(),
    };
    v.check(schema, value, "", 0);
    v.problems
}

fn array(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    value.and_then(Value::as_array).into_iter().flatten()
}

/// Walks the spec and reports each example's problems as findings.
struct Walk<'a> {
    spec: &'a Spec,
    out: &'a mut Vec<Finding>,
}

impl Walk<'_> {
    fn report(&mut self, at: &str, which: &str, schema: &Value, example: &Value) {
        for problem in validate(self.spec, schema, example) {
            let sep = if problem.starts_with("at `") {
                " "
            } else {
                ": "
            };
            self.out.push(Finding {
                location: at.to_owned(),
                rule: "example",
                fix: format!(
                    "{which}{sep}{problem}; change the example (or the schema) so that they agree"
                ),
            });
        }
    }

    /// `example` and `examples` beside a schema (media type or parameter).
    fn examples(&mut self, at: &str, holder: &Value, schema: &Value) {
        if let Some(example) = holder.get("example") {
            self.report(at, "example", schema, example);
        }
        let named = holder.get("examples").and_then(Value::as_object);
        for (name, ex) in named.into_iter().flatten() {
            if let Some(value) = self.spec.deref(ex).and_then(|e| e.get("value")) {
                self.report(at, &format!("example `{name}`"), schema, value);
            }
        }
    }

    fn parameter(&mut self, at: &str, p: &Value) {
        let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
        let at = format!("{at} parameter `{name}`");
        if let Some(schema) = p.get("schema") {
            self.examples(&at, p, schema);
            self.schema(&at, schema, 0);
        }
        self.content(&at, p);
    }

    /// The media types of a request body, response or parameter.
    fn content(&mut self, at: &str, holder: &Value) {
        let content = holder.get("content").and_then(Value::as_object);
        for (media_type, media) in content.into_iter().flatten() {
            let Some(schema) = media.get("schema") else {
                continue;
            };
            let at = format!("{at} ({media_type})");
            self.examples(&at, media, schema);
            self.schema(&at, schema, 0);
        }
    }

    /// The `example` of `schema` and of every schema nested in it, without
    /// following `$ref` (each component is walked on its own).
    fn schema(&mut self, at: &str, schema: &Value, depth: usize) {
        if depth > 32 || schema.get("$ref").is_some() {
            return;
        }
        if let Some(example) = schema.get("example") {
            self.report(at, "example", schema, example);
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (name, prop) in props.into_iter().flatten() {
            self.schema(&format!("{at}.{name}"), prop, depth + 1);
        }
        if let Some(items) = schema.get("items") {
            self.schema(&format!("{at}[]"), items, depth + 1);
        }
        if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
            self.schema(&format!("{at}.*"), extra, depth + 1);
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for member in array(schema.get(key)) {
                self.schema(at, member, depth + 1);
            }
        }
    }
}

/// A schema with its `$ref`s followed and its `allOf` members gathered: a
/// keyword is read from the first part that declares it.
struct Flat<'a> {
    parts: Vec<&'a Value>,
}

impl<'a> Flat<'a> {
    fn new(spec: &'a Spec, schema: &'a Value) -> Self {
        let mut parts = Vec::new();
        gather(spec, schema, &mut parts, 0);
        Flat { parts }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.parts.iter().find_map(|p| p.get(key))
    }

    fn flag(&self, key: &str) -> bool {
        self.parts
            .iter()
            .any(|p| p.get(key).and_then(Value::as_bool) == Some(true))
    }

    fn number(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(Value::as_f64)
    }

    fn property(&self, name: &str) -> Option<&'a Value> {
        self.parts
            .iter()
            .find_map(|p| p.get("properties").and_then(|props| props.get(name)))
    }

    fn has_properties(&self) -> bool {
        self.parts
            .iter()
            .any(|p| p.get("properties").is_some_and(Value::is_object))
    }

    fn required(&self) -> BTreeSet<&'a str> {
        self.parts
            .iter()
            .flat_map(|p| array(p.get("required")))
            .filter_map(Value::as_str)
            .collect()
    }
}

fn gather<'a>(spec: &'a Spec, schema: &'a Value, parts: &mut Vec<&'a Value>, depth: usize) {
    // An unresolvable `$ref` is the validation step's to report.
    let Some(schema) = spec.deref(schema).filter(|_| depth < 16) else {
        return;
    };
    parts.push(schema);
    for member in array(schema.get("allOf")) {
        gather(spec, member, parts, depth + 1);
    }
}

struct Validator<'a> {
    spec: &'a Spec,
    problems: Vec<String>,
}

impl Validator<'_> {
    fn problem(&mut self, path: &str, what: impl AsRef<str>) {
        let what = what.as_ref();
        self.problems.push(if path.is_empty() {
            what.to_owned()
        } else {
            format!("at `{path}`: {what}")
        });
    }

    fn check(&mut self, schema: &Value, value: &Value, path: &str, depth: usize) {
        if depth > 64 {
            return;
        }
        let flat = Flat::new(self.spec, schema);
        let ty = flat.get("type").and_then(Value::as_str);
        if value.is_null() {
            if ty.is_some() && !flat.flag("nullable") {
                self.problem(path, "is null, but the schema is not `nullable: true`");
            }
            return;
        }
        if let Some(ty) = ty
            && !has_type(value, ty)
        {
            self.problem(
                path,
                format!("expected {}, found {}", article(ty), describe(value)),
            );
            return;
        }
        if let Some(allowed) = flat.get("enum").and_then(Value::as_array)
            && !allowed.iter().any(|a| same(a, value))
        {
            let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
            self.problem(
                path,
                format!(
                    "{} is not one of the enum values {}",
                    describe(value),
                    list.join(", ")
                ),
            );
        }
        match value {
            Value::String(s) => self.string(&flat, s, path),
            Value::Number(n) => self.number(&flat, n, path),
            Value::Array(items) => self.array(&flat, items, path, depth),
            Value::Object(map) => self.object(&flat, map, path, depth),
            _ => {}
        }
        self.alternatives(&flat, value, path, depth);
    }

    fn string(&mut self, flat: &Flat<'_>, s: &str, path: &str) {
        if let Some(why) = flat
            .get("format")
            .and_then(Value::as_str)
            .and_then(|f| format::check(f, s))
        {
            self.problem(path, format!("{} {why}", describe_str(s)));
        }
        if let Some(p) = flat.get("pattern").and_then(Value::as_str)
            && pattern::is_match(p, s) == Some(false)
        {
            self.problem(
                path,
                format!("{} does not match the pattern `{p}`", describe_str(s)),
            );
        }
        let len = s.chars().count() as f64;
        if flat.number("minLength").is_some_and(|min| len < min) {
            self.problem(
                path,
                format!("{} is shorter than minLength", describe_str(s)),
            );
        }
        if flat.number("maxLength").is_some_and(|max| len > max) {
            self.problem(
                path,
                format!("{} is longer than maxLength", describe_str(s)),
            );
        }
    }

    fn number(&mut self, flat: &Flat<'_>, n: &Number, path: &str) {
        let Some(x) = n.as_f64() else { return };
        if let Some(min) = flat.number("minimum") {
            let exclusive = flat.flag("exclusiveMinimum");
            if x < min || (exclusive && x == min) {
                let op = if exclusive { ">" } else { ">=" };
                self.problem(
                    path,
                    format!("{n} is below the minimum (must be {op} {min})"),
                );
            }
        }
        if let Some(max) = flat.number("maximum") {
            let exclusive = flat.flag("exclusiveMaximum");
            if x > max || (exclusive && x == max) {
                let op = if exclusive { "<" } else { "<=" };
                self.problem(
                    path,
                    format!("{n} is above the maximum (must be {op} {max})"),
                );
            }
        }
    }

    fn array(&mut self, flat: &Flat<'_>, items: &[Value], path: &str, depth: usize) {
        let len = items.len() as f64;
        if flat.number("minItems").is_some_and(|min| len < min) {
            self.problem(
                path,
                format!("has {} item(s), fewer than minItems", items.len()),
            );
        }
        if flat.number("maxItems").is_some_and(|max| len > max) {
            self.problem(
                path,
                format!("has {} item(s), more than maxItems", items.len()),
            );
        }
        if flat.flag("uniqueItems")
            && items
                .iter()
                .enumerate()
                .any(|(i, a)| items[..i].iter().any(|b| same(a, b)))
        {
            self.problem(path, "repeats an item, but the schema sets `uniqueItems`");
        }
        if let Some(schema) = flat.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.check(schema, item, &format!("{path}[{i}]"), depth + 1);
            }
        }
    }

    fn object(&mut self, flat: &Flat<'_>, map: &Map<String, Value>, path: &str, depth: usize) {
        for name in flat.required() {
            let one_way = flat.property(name).is_some_and(|p| {
                let p = Flat::new(self.spec, p);
                p.flag("readOnly") || p.flag("writeOnly")
            });
            if !map.contains_key(name) && !one_way {
                self.problem(path, format!("the required property `{name}` is missing"));
            }
        }
        let extra = flat.get("additionalProperties");
        for (key, value) in map {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if let Some(schema) = flat.property(key) {
                self.check(schema, value, &here, depth + 1);
            } else if let Some(schema) = extra.filter(|e| e.is_object()) {
                self.check(schema, value, &here, depth + 1);
            } else if extra == Some(&Value::Bool(false))
                || (extra.is_none() && flat.has_properties())
            {
                self.problem(
                    path,
                    format!("`{key}` is not a property the schema defines"),
                );
            }
        }
    }

    /// `oneOf` (exactly one member matches) and `anyOf` (at least one).
    fn alternatives(&mut self, flat: &Flat<'_>, value: &Value, path: &str, depth: usize) {
        for (key, exactly_one) in [("oneOf", true), ("anyOf", false)] {
            let Some(members) = flat.get(key).and_then(Value::as_array) else {
                continue;
            };
            let matching = members
                .iter()
                .filter(|m| {
                    let mut sub = Validator {
                        spec: self.spec,
                        problems: Vec::new(),
                    };
                    sub.check(m, value, path, depth + 1);
                    sub.problems.is_empty()
                })
                .count();
            if matching == 0 {
                self.problem(path, format!("matches none of the `{key}` schemas"));
            } else if exactly_one && matching > 1 {
                self.problem(
                    path,
                    format!("matches {matching} of the `oneOf` schemas; exactly one must match"),
                );
            }
        }
    }
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// Equal JSON values, numbers compared by value (`6` and `6.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if a.is_number() && b.is_number() => x == y,
        _ => a == b,
    }
}

fn article(ty: &str) -> String {
    match ty {
        "integer" | "array" | "object" => format!("an {ty}"),
        _ => format!("a {ty}"),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => describe_str(s),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn describe_str(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        return format!("the string {s:?}");
    }
    let short: String = s.chars().take(MAX).collect();
    format!("the string {:?}...", short)
}
