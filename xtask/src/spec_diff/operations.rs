//! Compares operations, matched by operationId (or, for a renamed id, by
//! method and path): route, tag, markers, security, parameters, request
//! body and responses. Also the document-wide security.

use std::collections::{BTreeMap, BTreeSet};

use apivideo_codegen::{HANDWRITTEN_EXT, Operation, PAGINATED_EXT, Spec};
use serde_json::Value;

use super::model::{Report, Subject, Usage};
use super::position::{At, Sides, Slot, show};
use super::rules;
use super::schema::compare as compare_schema;

/// The operationId, or `METHOD /path` for an operation without one.
pub(crate) fn op_key(op: &Operation) -> String {
    op.id
        .clone()
        .unwrap_or_else(|| format!("{} {}", op.method, op.path))
}

fn subject(op: &Operation) -> Subject {
    Subject::Operation {
        id: op_key(op),
        method: op.method.clone(),
        path: op.path.clone(),
    }
}

fn str_of<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The parameters of an operation, `$ref`s followed: those of its path item,
/// overridden by its own with the same `in` and `name`.
pub(crate) fn parameters<'a>(spec: &'a Spec, op: &'a Operation) -> Vec<&'a Value> {
    let shared = spec
        .root
        .get("paths")
        .and_then(|p| p.get(&op.path))
        .and_then(|item| item.get("parameters"))
        .and_then(Value::as_array);
    let own: Vec<&Value> = op.parameters().filter_map(|p| spec.deref(p)).collect();
    let key = |p: &Value| (str_of(p, "in").to_owned(), str_of(p, "name").to_owned());
    let mut all: Vec<&Value> = shared
        .into_iter()
        .flatten()
        .filter_map(|p| spec.deref(p))
        .filter(|p| !own.iter().any(|o| key(o) == key(p)))
        .collect();
    all.extend(own);
    all
}

/// Every operation added, removed or changed.
pub(crate) fn compare(sides: Sides<'_>, report: &mut Report) {
    let old_ops = sides.old.operations();
    let new_ops = sides.new.operations();
    let mut pairs: Vec<(&Operation, &Operation, bool)> = Vec::new();
    let mut unmatched_new: Vec<&Operation> = Vec::new();
    let mut matched_old = BTreeSet::new();
    for n in new_ops {
        match old_ops.iter().position(|o| op_key(o) == op_key(n)) {
            Some(i) => {
                matched_old.insert(i);
                pairs.push((&old_ops[i], n, false));
            }
            None => unmatched_new.push(n),
        }
    }
    let mut unmatched_old: Vec<&Operation> = old_ops
        .iter()
        .enumerate()
        .filter(|(i, _)| !matched_old.contains(i))
        .map(|(_, o)| o)
        .collect();
    // Same route, new id: a renamed operation rather than one removed and one added.
    unmatched_new.retain(|n| {
        match unmatched_old
            .iter()
            .position(|o| o.method == n.method && o.path == n.path)
        {
            Some(i) => {
                pairs.push((unmatched_old.remove(i), n, true));
                false
            }
            None => true,
        }
    });
    for o in unmatched_old {
        report.change(&subject(o), "", "removed", rules::operation_removed());
    }
    for n in unmatched_new {
        report.change(&subject(n), "", "added", rules::operation_added());
    }
    for (o, n, renamed) in pairs {
        operation(sides, report, o, n, renamed);
    }
}

fn operation(sides: Sides<'_>, report: &mut Report, o: &Operation, n: &Operation, renamed: bool) {
    let s = subject(n);
    if renamed {
        let what = format!("operationId `{}` renamed to `{}`", op_key(o), op_key(n));
        report.change(&s, "", what, rules::operation_renamed());
    }
    if o.path != n.path {
        let what = format!("path `{}` → `{}`", o.path, n.path);
        report.change(&s, "", what, rules::route_changed());
    }
    if o.method != n.method {
        let what = format!("method {} → {}", o.method, n.method);
        report.change(&s, "", what, rules::route_changed());
    }
    if o.tag() != n.tag() {
        let what = format!(
            "tag `{}` → `{}`",
            o.tag().unwrap_or("none"),
            n.tag().unwrap_or("none")
        );
        report.change(&s, "", what, rules::tag_changed());
    }
    if o.flag("deprecated") != n.flag("deprecated") {
        let what = if n.flag("deprecated") {
            "deprecated"
        } else {
            "no longer deprecated"
        };
        report.change(&s, "", what, rules::deprecated_changed());
    }
    if o.flag(PAGINATED_EXT) != n.flag(PAGINATED_EXT) {
        let now = n.flag(PAGINATED_EXT);
        let what = if now {
            "now paginated"
        } else {
            "no longer paginated"
        };
        report.change(
            &s,
            "",
            format!("{what} (`{PAGINATED_EXT}`)"),
            rules::paginated_changed(now),
        );
    }
    if o.flag(HANDWRITTEN_EXT) != n.flag(HANDWRITTEN_EXT) {
        let what = if n.flag(HANDWRITTEN_EXT) {
            "now handwritten"
        } else {
            "now generated"
        };
        report.change(
            &s,
            "",
            format!("{what} (`{HANDWRITTEN_EXT}`)"),
            rules::handwritten_changed(),
        );
    }
    for key in ["summary", "description"] {
        if o.value.get(key) != n.value.get(key) {
            report.docs(&s, key);
        }
    }
    if o.value.get("security").is_some() || n.value.get("security").is_some() {
        let effective = |spec: &Spec, op: &Operation| {
            alternatives(
                op.value
                    .get("security")
                    .or_else(|| spec.root.get("security")),
            )
        };
        let (a, b) = (effective(sides.old, o), effective(sides.new, n));
        security_diff(report, &s, "security", &a, &b);
    }
    parameters_diff(sides, report, &s, o, n);
    request_body(sides, report, &s, o, n);
    responses(sides, report, &s, o, n);
}

fn parameters_diff(
    sides: Sides<'_>,
    report: &mut Report,
    s: &Subject,
    o: &Operation,
    n: &Operation,
) {
    let index = |list: Vec<&Value>| -> Vec<((String, String), Value)> {
        list.into_iter()
            .map(|p| {
                (
                    (str_of(p, "in").to_owned(), str_of(p, "name").to_owned()),
                    p.clone(),
                )
            })
            .collect()
    };
    let (old, new) = (
        index(parameters(sides.old, o)),
        index(parameters(sides.new, n)),
    );
    let find = |list: &[((String, String), Value)], key: &(String, String)| {
        list.iter().find(|(k, _)| k == key).map(|(_, p)| p.clone())
    };
    let required = |p: &Value| p.get("required").and_then(Value::as_bool) == Some(true);
    for (key, a) in &old {
        let label = format!("parameter `{}` ({})", key.1, key.0);
        let Some(b) = find(&new, key) else {
            report.change(s, label, "removed", rules::input_removed());
            continue;
        };
        if required(a) != required(&b) {
            let what = if required(&b) {
                "made required"
            } else {
                "made optional"
            };
            report.change(s, &label, what, rules::input_required(required(&b)));
        }
        if a.get("style") != b.get("style") || a.get("explode") != b.get("explode") {
            report.change(
                s,
                &label,
                "serialization (`style`/`explode`) changed",
                rules::media_type_changed(),
            );
        }
        for key in ["description", "example", "examples"] {
            if a.get(key) != b.get(key) {
                report.docs(s, format!("{key} of {label}"));
            }
        }
        let at = At {
            subject: s,
            label,
            path: String::new(),
            usage: Usage::REQUEST,
        };
        let none = Value::Null;
        let (sa, sb) = (
            a.get("schema").unwrap_or(&none),
            b.get("schema").unwrap_or(&none),
        );
        compare_schema(sides, report, &at, sa, sb, Slot::Parameter);
    }
    for (key, b) in &new {
        if find(&old, key).is_none() {
            let label = format!("parameter `{}` ({})", key.1, key.0);
            let what = if required(b) {
                "added, required"
            } else {
                "added, optional"
            };
            report.change(s, label, what, rules::input_added(required(b)));
        }
    }
}

fn request_body(sides: Sides<'_>, report: &mut Report, s: &Subject, o: &Operation, n: &Operation) {
    let body = |spec: &Spec, op: &Operation| {
        op.value
            .get("requestBody")
            .and_then(|b| spec.deref(b))
            .cloned()
    };
    let required = |b: &Value| b.get("required").and_then(Value::as_bool) == Some(true);
    let label = "request body";
    match (body(sides.old, o), body(sides.new, n)) {
        (None, None) => {}
        (None, Some(b)) => {
            let what = if required(&b) {
                "added, required"
            } else {
                "added, optional"
            };
            report.change(s, label, what, rules::input_added(required(&b)));
        }
        (Some(_), None) => report.change(s, label, "removed", rules::input_removed()),
        (Some(a), Some(b)) => {
            if required(&a) != required(&b) {
                let what = if required(&b) {
                    "made required"
                } else {
                    "made optional"
                };
                report.change(s, label, what, rules::input_required(required(&b)));
            }
            if a.get("description") != b.get("description") {
                report.docs(s, format!("description of {label}"));
            }
            content(sides, report, s, label, &a, &b, Usage::REQUEST);
        }
    }
}

/// The media types of a request body or response: the set, their examples
/// and their schemas.
fn content(
    sides: Sides<'_>,
    report: &mut Report,
    s: &Subject,
    label: &str,
    a: &Value,
    b: &Value,
    usage: Usage,
) {
    let media = |v: &Value| {
        v.get("content")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (ma, mb) = (media(a), media(b));
    let (ka, kb): (Vec<&String>, Vec<&String>) = (ma.keys().collect(), mb.keys().collect());
    if ka.iter().collect::<BTreeSet<_>>() != kb.iter().collect::<BTreeSet<_>>() {
        let show = |k: &[&String]| {
            if k.is_empty() {
                "none".to_owned()
            } else {
                k.iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let what = format!("media types {} → {}", show(&ka), show(&kb));
        report.change(s, label, what, rules::media_type_changed());
    }
    let several = ka.len().max(kb.len()) > 1;
    for (media_type, x) in &ma {
        let Some(y) = mb.get(media_type) else {
            continue;
        };
        let label = if several {
            format!("{label} ({media_type})")
        } else {
            label.to_owned()
        };
        for key in ["example", "examples"] {
            if x.get(key) != y.get(key) {
                report.docs(s, format!("{key} of {label}"));
            }
        }
        let none = Value::Null;
        let at = At {
            subject: s,
            label,
            path: String::new(),
            usage,
        };
        compare_schema(
            sides,
            report,
            &at,
            x.get("schema").unwrap_or(&none),
            y.get("schema").unwrap_or(&none),
            Slot::Value,
        );
    }
}

fn responses(sides: Sides<'_>, report: &mut Report, s: &Subject, o: &Operation, n: &Operation) {
    let success = |op: &Operation| {
        op.responses()
            .find(|(status, _)| status.starts_with('2'))
            .map(|(st, r)| (st.to_owned(), r.clone()))
    };
    let (so, sn) = (success(o), success(n));
    let mut headers = HeaderChanges::default();
    if let (Some((a, ra)), Some((b, rb))) = (&so, &sn) {
        if a != b {
            report.change(
                s,
                "",
                format!("success status {a} → {b}"),
                rules::success_status_changed(),
            );
        }
        response(
            sides,
            report,
            s,
            &format!("response {b}"),
            ra,
            rb,
            &mut headers,
        );
    }
    let skip = |status: &str, own: &Option<(String, Value)>| {
        own.as_ref().is_some_and(|(st, _)| st == status)
    };
    let old: BTreeMap<&str, &Value> = o.responses().filter(|(st, _)| !skip(st, &so)).collect();
    let new: BTreeMap<&str, &Value> = n.responses().filter(|(st, _)| !skip(st, &sn)).collect();
    for (status, ra) in &old {
        let label = format!("response {status}");
        match new.get(status) {
            Some(rb) => response(sides, report, s, &label, ra, rb, &mut headers),
            None => report.change(s, label, "removed", rules::response_status_changed()),
        }
    }
    for status in new.keys().filter(|st| !old.contains_key(*st)) {
        report.change(
            s,
            format!("response {status}"),
            "added",
            rules::response_status_changed(),
        );
    }
    headers.report(report, s);
}

/// Response headers added or removed, by response: reported as one change
/// per set of headers, naming every response it applies to, so that a
/// header added to every answer reads as one line per operation.
#[derive(Default)]
struct HeaderChanges {
    /// (added?, sorted header names) → labels of the responses.
    sets: BTreeMap<(bool, Vec<String>), Vec<String>>,
}

impl HeaderChanges {
    fn note(&mut self, label: &str, added: bool, names: Vec<String>) {
        if !names.is_empty() {
            let status = label.trim_start_matches("response ").to_owned();
            self.sets.entry((added, names)).or_default().push(status);
        }
    }

    fn report(self, report: &mut Report, s: &Subject) {
        for ((added, names), statuses) in self.sets {
            let label = if statuses.len() == 1 {
                format!("response {}", statuses[0])
            } else {
                format!("responses {}", statuses.join(", "))
            };
            let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            let noun = if names.len() == 1 {
                "header"
            } else {
                "headers"
            };
            let (verb, rule) = if added {
                ("added", rules::response_header_added())
            } else {
                ("removed", rules::response_header_removed())
            };
            report.change(s, label, format!("{noun} {} {verb}", list.join(", ")), rule);
        }
    }
}

fn response(
    sides: Sides<'_>,
    report: &mut Report,
    s: &Subject,
    label: &str,
    ra: &Value,
    rb: &Value,
    header_changes: &mut HeaderChanges,
) {
    let shared = ra.get("$ref").is_some() && ra.get("$ref") == rb.get("$ref");
    let (Some(a), Some(b)) = (sides.old.deref(ra), sides.new.deref(rb)) else {
        return;
    };
    // A shared component response's description would be reported on every
    // operation that uses it.
    if !shared && a.get("description") != b.get("description") {
        report.docs(s, format!("description of {label}"));
    }
    let headers = |r: &Value| -> BTreeSet<String> {
        r.get("headers")
            .and_then(Value::as_object)
            .map(|h| h.keys().map(|k| k.to_ascii_lowercase()).collect())
            .unwrap_or_default()
    };
    let (ha, hb) = (headers(a), headers(b));
    header_changes.note(label, false, ha.difference(&hb).cloned().collect());
    header_changes.note(label, true, hb.difference(&ha).cloned().collect());
    let has_body = |r: &Value| {
        r.get("content")
            .and_then(Value::as_object)
            .is_some_and(|c| !c.is_empty())
    };
    match (has_body(a), has_body(b)) {
        (false, true) => report.change(s, label, "body added", rules::response_body_added()),
        (true, false) => report.change(s, label, "body removed", rules::response_body_removed()),
        (true, true) => content(sides, report, s, label, a, b, Usage::RESPONSE),
        (false, false) => {}
    }
}

const NO_AUTH: &str = "no authentication";

/// Security requirements as a set of alternatives, each `a + b` (with
/// scopes in brackets); an empty requirement, or none at all, is `no
/// authentication`.
fn alternatives(requirements: Option<&Value>) -> BTreeSet<String> {
    let list = requirements
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if list.is_empty() {
        return BTreeSet::from([NO_AUTH.to_owned()]);
    }
    list.iter()
        .map(|req| {
            let schemes: Vec<String> = req
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, scopes)| {
                    let scopes: Vec<String> =
                        scopes.as_array().into_iter().flatten().map(show).collect();
                    if scopes.is_empty() {
                        name.clone()
                    } else {
                        format!("{name}[{}]", scopes.join(", "))
                    }
                })
                .collect();
            if schemes.is_empty() {
                NO_AUTH.to_owned()
            } else {
                schemes.join(" + ")
            }
        })
        .collect()
}

fn security_diff(
    report: &mut Report,
    s: &Subject,
    label: &str,
    old: &BTreeSet<String>,
    new: &BTreeSet<String>,
) {
    // When the operation no longer requires authentication, a caller that
    // still sends a credential it used to need is served all the same.
    let open = new.contains(NO_AUTH);
    for alt in old.difference(new) {
        let (what, verdict) = if alt == NO_AUTH {
            (
                "authentication now required".to_owned(),
                rules::security_alternative(false),
            )
        } else if open {
            (
                format!("`{alt}` no longer needed"),
                rules::security_alternative(true),
            )
        } else {
            (
                format!("`{alt}` no longer accepted"),
                rules::security_alternative(false),
            )
        };
        report.change(s, label, what, verdict);
    }
    for alt in new.difference(old) {
        let what = if alt == NO_AUTH {
            "authentication no longer required".to_owned()
        } else {
            format!("`{alt}` now accepted")
        };
        report.change(s, label, what, rules::security_alternative(true));
    }
}

/// The default security requirements and the security schemes.
pub(crate) fn document_security(sides: Sides<'_>, report: &mut Report) {
    let s = Subject::Security;
    let (a, b) = (
        alternatives(sides.old.root.get("security")),
        alternatives(sides.new.root.get("security")),
    );
    security_diff(report, &s, "default security", &a, &b);
    let schemes = |spec: &Spec| {
        spec.root
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (old, new) = (schemes(sides.old), schemes(sides.new));
    for (name, x) in &old {
        let label = format!("scheme `{name}`");
        let Some(y) = new.get(name) else {
            report.change(&s, label, "removed", rules::security_scheme(false));
            continue;
        };
        let keys: BTreeSet<&String> = x
            .as_object()
            .into_iter()
            .chain(y.as_object())
            .flat_map(|m| m.keys())
            .collect();
        let changed: Vec<String> = keys
            .into_iter()
            .filter(|k| x.get(k.as_str()) != y.get(k.as_str()))
            .map(|k| format!("`{k}`"))
            .collect();
        if changed.iter().any(|k| k != "`description`") {
            let list: Vec<String> = changed
                .iter()
                .filter(|k| *k != "`description`")
                .cloned()
                .collect();
            report.change(
                &s,
                &label,
                format!("{} changed", list.join(", ")),
                rules::security_scheme_changed(),
            );
        }
        if changed.iter().any(|k| k == "`description`") {
            report.docs(&s, format!("description of {label}"));
        }
    }
    for name in new.keys().filter(|k| !old.contains_key(k.as_str())) {
        report.change(
            &s,
            format!("scheme `{name}`"),
            "added",
            rules::security_scheme(true),
        );
    }
}
