//! Compares two versions of the schema at one position: a component schema,
//! a parameter, a request or response body, and recursively their
//! properties and items.
//!
//! `$ref`s are followed and `allOf` members merged before comparing, so a
//! schema moved into a component (or back inline) is no change. A position
//! that points at the same component on both sides is not descended into:
//! the component is compared once, in its own group.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::model::{Class, Report};
use super::position::{At, Sides, Slot, resolve, show};
use super::rules::{self, DefaultChange};

/// Compares the schemas `old` and `new` found at `at`.
pub(crate) fn compare(
    sides: Sides<'_>,
    report: &mut Report,
    at: &At<'_>,
    old: &Value,
    new: &Value,
    slot: Slot,
) {
    compare_at(sides, report, at, old, new, slot, 0);
}

fn compare_at(
    sides: Sides<'_>,
    report: &mut Report,
    at: &At<'_>,
    old: &Value,
    new: &Value,
    slot: Slot,
    depth: usize,
) {
    if depth > 24 {
        return;
    }
    let (o, n) = (resolve(sides.old, old), resolve(sides.new, new));
    match (&o.name, &n.name) {
        (Some(a), Some(b)) if a == b => {}
        (Some(a), Some(b)) => {
            // The Rust type is renamed; HTTP clients see only the structure.
            let mut inner = Report::default();
            body(sides, &mut inner, at, &o.schema, &n.schema, slot, depth);
            let http = inner
                .changes()
                .map(|(_, c)| c.verdict.http)
                .max()
                .unwrap_or(Class::Compatible);
            let what = format!("type `{a}` replaced by `{b}`");
            report.change(at.subject, at.text(), what, rules::type_renamed(http));
            report.absorb(inner);
        }
        _ => body(sides, report, at, &o.schema, &n.schema, slot, depth),
    }
}

type Obj = Map<String, Value>;

fn text<'v>(schema: &'v Obj, key: &str) -> Option<&'v str> {
    schema.get(key).and_then(Value::as_str)
}

fn flag(schema: &Obj, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool) == Some(true)
}

/// Keywords that `body` compares one by one; any other keyword that
/// differs is listed as "changed" without judgement.
const HANDLED: [&str; 19] = [
    "type",
    "format",
    "enum",
    "nullable",
    "default",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "oneOf",
    "anyOf",
    "not",
    "deprecated",
    "x-rust-replace",
    "description",
    "title",
    "example",
    "examples",
    "externalDocs",
];

const CONSTRAINTS: [&str; 11] = [
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "pattern",
    "multipleOf",
];

const DOCS: [&str; 5] = [
    "description",
    "title",
    "example",
    "examples",
    "externalDocs",
];

fn body(
    sides: Sides<'_>,
    report: &mut Report,
    at: &At<'_>,
    o: &Obj,
    n: &Obj,
    slot: Slot,
    depth: usize,
) {
    let subject = at.subject;
    for keyword in DOCS {
        if o.get(keyword) != n.get(keyword) {
            report.docs(subject, at.docs(keyword));
        }
    }
    let (ot, nt) = (text(o, "type"), text(n, "type"));
    if ot != nt {
        let (a, b) = (ot.unwrap_or("any"), nt.unwrap_or("any"));
        let verdict = at.usage.judge(|d| rules::type_changed(d, a, b));
        report.change(subject, at.text(), format!("type {a} → {b}"), verdict);
        // The rest would compare unlike things.
        return;
    }
    let (of, nf) = (text(o, "format"), text(n, "format"));
    if of != nf {
        let what = match (of, nf) {
            (Some(a), Some(b)) => format!("format `{a}` → `{b}`"),
            (None, Some(b)) => format!("format `{b}` added"),
            (Some(a), _) => format!("format `{a}` removed"),
            (None, None) => String::new(),
        };
        let verdict = at.usage.judge(|d| rules::format_changed(d, of, nf));
        report.change(subject, at.text(), what, verdict);
    }
    enums(report, at, o, n);
    let array = nt == Some("array");
    let (on, nn) = (flag(o, "nullable"), flag(n, "nullable"));
    let has_default = n.contains_key("default");
    if on != nn {
        let changes = slot.wraps(on, array, has_default) != slot.wraps(nn, array, has_default);
        let what = if nn {
            "now nullable"
        } else {
            "no longer nullable"
        };
        let verdict = at.usage.judge(|d| rules::nullable_changed(d, nn, changes));
        report.change(subject, at.text(), what, verdict);
    }
    let (od, nd) = (o.get("default"), n.get("default"));
    if od != nd {
        let (change, what) = match (od, nd) {
            (Some(a), Some(b)) => (
                DefaultChange::Value,
                format!("default `{}` → `{}`", show(a), show(b)),
            ),
            (None, Some(b)) => (DefaultChange::Added, format!("default `{}` added", show(b))),
            (Some(a), _) => (
                DefaultChange::Removed,
                format!("default `{}` removed", show(a)),
            ),
            (None, None) => (DefaultChange::Value, String::new()),
        };
        let changes = slot.wraps(nn, array, od.is_some()) != slot.wraps(nn, array, nd.is_some());
        let verdict = at
            .usage
            .judge(|d| rules::default_changed(d, change, changes));
        report.change(subject, at.text(), what, verdict);
    }
    constraints(report, at, o, n, nt);
    keywords(report, at, o, n);
    properties(sides, report, at, o, n, depth);
    if let (Some(a), Some(b)) = (o.get("items"), n.get("items")) {
        compare_at(sides, report, &at.items(), a, b, Slot::Value, depth + 1);
    }
    let (oa, na) = (o.get("additionalProperties"), n.get("additionalProperties"));
    match (oa, na) {
        (Some(a), Some(b)) if a.is_object() && b.is_object() => {
            compare_at(
                sides,
                report,
                &at.child("*", "."),
                a,
                b,
                Slot::Value,
                depth + 1,
            );
        }
        _ if oa != na => {
            let allowed = |x: Option<&Value>| x != Some(&Value::Bool(false));
            let map = |x: Option<&Value>| x.is_some_and(Value::is_object);
            let show_ap = |x: Option<&Value>| {
                x.map_or("unset".to_owned(), |v| {
                    if v.is_object() {
                        "a schema".to_owned()
                    } else {
                        show(v)
                    }
                })
            };
            let what = format!("additionalProperties {} → {}", show_ap(oa), show_ap(na));
            let verdict = at.usage.judge(|d| {
                rules::additional_properties_changed(d, allowed(na), map(oa) != map(na))
            });
            report.change(subject, at.text(), what, verdict);
        }
        _ => {}
    }
}

fn enums(report: &mut Report, at: &At<'_>, o: &Obj, n: &Obj) {
    let values =
        |s: &Obj| -> Option<Vec<Value>> { s.get("enum").and_then(Value::as_array).cloned() };
    let list = |vs: &[&Value]| {
        vs.iter()
            .map(|v| format!("`{}`", show(v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (values(o), values(n)) {
        (Some(a), Some(b)) => {
            let added: Vec<&Value> = b.iter().filter(|v| !a.contains(v)).collect();
            let removed: Vec<&Value> = a.iter().filter(|v| !b.contains(v)).collect();
            if !added.is_empty() {
                let verdict = at.usage.judge(rules::enum_values_added);
                report.change(
                    at.subject,
                    at.text(),
                    format!("enum values added: {}", list(&added)),
                    verdict,
                );
            }
            if !removed.is_empty() {
                let verdict = at.usage.judge(rules::enum_values_removed);
                report.change(
                    at.subject,
                    at.text(),
                    format!("enum values removed: {}", list(&removed)),
                    verdict,
                );
            }
        }
        (None, Some(b)) => {
            let verdict = at.usage.judge(|d| rules::enum_constraint(d, true));
            let what = format!(
                "now restricted to the enum values {}",
                list(&b.iter().collect::<Vec<_>>())
            );
            report.change(at.subject, at.text(), what, verdict);
        }
        (Some(_), None) => {
            let verdict = at.usage.judge(|d| rules::enum_constraint(d, false));
            report.change(
                at.subject,
                at.text(),
                "no longer restricted to enum values",
                verdict,
            );
        }
        (None, None) => {}
    }
}

fn constraints(report: &mut Report, at: &At<'_>, o: &Obj, n: &Obj, ty: Option<&str>) {
    for key in CONSTRAINTS {
        let (a, b) = (o.get(key), n.get(key));
        let same = match (a.and_then(Value::as_f64), b.and_then(Value::as_f64)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        };
        if same {
            continue;
        }
        let num = |v: Option<&Value>| v.and_then(Value::as_f64);
        let tighter = match key {
            "minimum" | "minLength" | "minItems" => match (num(a), num(b)) {
                (Some(x), Some(y)) => Some(y > x),
                (x, _) => Some(x.is_none()),
            },
            "maximum" | "maxLength" | "maxItems" => match (num(a), num(b)) {
                (Some(x), Some(y)) => Some(y < x),
                (x, _) => Some(x.is_none()),
            },
            "exclusiveMinimum" | "exclusiveMaximum" | "uniqueItems" => {
                Some(b.and_then(Value::as_bool) == Some(true))
            }
            "pattern" if a.is_none() || b.is_none() => Some(a.is_none()),
            _ => None,
        };
        // typify wraps a length- or pattern-constrained string in a newtype,
        // and picks the integer type from an integer's bounds.
        let string_newtype =
            matches!(key, "minLength" | "maxLength" | "pattern") && a.is_none() != b.is_none();
        let integer_type = ty == Some("integer") && matches!(key, "minimum" | "maximum");
        let lit = |v: &Value| match v {
            Value::String(s) => format!("`{s}`"),
            other => other.to_string(),
        };
        let what = match (a, b) {
            (Some(x), Some(y)) => format!("`{key}` {} → {}", lit(x), lit(y)),
            (None, Some(y)) => format!("`{key}` {} added", lit(y)),
            (Some(x), _) => format!("`{key}` {} removed", lit(x)),
            (None, None) => continue,
        };
        let verdict = at
            .usage
            .judge(|d| rules::constraint_changed(d, tighter, string_newtype || integer_type));
        report.change(at.subject, at.text(), what, verdict);
    }
}

/// `oneOf`/`anyOf`/`not`, `deprecated`, `x-rust-replace`, and any keyword
/// nothing else compares.
fn keywords(report: &mut Report, at: &At<'_>, o: &Obj, n: &Obj) {
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    for key in keys {
        let (a, b) = (o.get(key.as_str()), n.get(key.as_str()));
        if a == b || CONSTRAINTS.contains(&key.as_str()) {
            continue;
        }
        let (what, verdict) = match key.as_str() {
            "oneOf" | "anyOf" | "not" => (format!("`{key}` changed"), rules::composition_changed()),
            "deprecated" => {
                let now = b.and_then(Value::as_bool) == Some(true);
                let what = if now {
                    "deprecated"
                } else {
                    "no longer deprecated"
                };
                (what.to_owned(), rules::deprecated_changed())
            }
            "x-rust-replace" => {
                let show_opt =
                    |v: Option<&Value>| v.map_or("none".to_owned(), |v| format!("`{}`", show(v)));
                let what = format!(
                    "handwritten Rust type (`x-rust-replace`) {} → {}",
                    show_opt(a),
                    show_opt(b)
                );
                (what, rules::rust_replacement_changed())
            }
            k if HANDLED.contains(&k) => continue,
            k => {
                let what = match (a, b) {
                    (None, Some(v)) => format!("`{k}: {}` added", show(v)),
                    (Some(v), None) => format!("`{k}: {}` removed", show(v)),
                    _ => format!("`{k}` changed"),
                };
                (what, rules::other_keyword_changed())
            }
        };
        report.change(at.subject, at.text(), what, verdict);
    }
}

fn required(schema: &Obj) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn properties(sides: Sides<'_>, report: &mut Report, at: &At<'_>, o: &Obj, n: &Obj, depth: usize) {
    let empty = Map::new();
    let props = |s: &Obj| {
        s.get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (op, np) = (props(o), props(n));
    let (or, nr) = (required(o), required(n));
    for (name, old) in &op {
        let here = at.property(name);
        let Some(new) = np.get(name) else {
            let verdict = at.usage.judge(rules::property_removed);
            report.change(at.subject, here.text(), "removed", verdict);
            continue;
        };
        let (was, is) = (or.contains(name.as_str()), nr.contains(name.as_str()));
        if was != is {
            let resolved = resolve(sides.new, new).schema;
            let array = text(&resolved, "type") == Some("array");
            let (nullable, has_default) = (
                flag(&resolved, "nullable"),
                resolved.contains_key("default"),
            );
            let wraps = |required| Slot::Field { required }.wraps(nullable, array, has_default);
            let changes = wraps(was) != wraps(is);
            let what = if is { "made required" } else { "made optional" };
            let verdict = at.usage.judge(|d| rules::property_required(d, is, changes));
            report.change(at.subject, here.text(), what, verdict);
        }
        compare_at(
            sides,
            report,
            &here,
            old,
            new,
            Slot::Field { required: is },
            depth + 1,
        );
    }
    for name in np.keys().filter(|k| !op.contains_key(k.as_str())) {
        let is = nr.contains(name.as_str());
        let what = if is {
            "added as a required property"
        } else {
            "added as an optional property"
        };
        let verdict = at.usage.judge(|d| rules::property_added(d, is));
        report.change(at.subject, at.property(name).text(), what, verdict);
    }
}
