//! Where each component schema is used: in requests (parameters, request
//! bodies) and in responses, and by which operations. A change inside a
//! component schema is judged in every direction the schema travels.

use std::collections::{BTreeMap, BTreeSet};

use apivideo_codegen::Spec;
use serde_json::Value;

use super::model::Usage;
use super::operations::{op_key, parameters};

/// The operations that send or receive a schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UsedBy {
    pub(crate) request: BTreeSet<String>,
    pub(crate) response: BTreeSet<String>,
}

impl UsedBy {
    pub(crate) fn usage(&self) -> Usage {
        Usage {
            request: !self.request.is_empty(),
            response: !self.response.is_empty(),
        }
    }

    /// `used in requests of a, b and responses of c (+4 more)`.
    pub(crate) fn note(&self) -> String {
        let list = |ids: &BTreeSet<String>| {
            let shown: Vec<String> = ids.iter().take(4).map(|id| format!("`{id}`")).collect();
            let more = ids.len().saturating_sub(shown.len());
            let tail = if more > 0 {
                format!(" (+{more} more)")
            } else {
                String::new()
            };
            format!("{}{tail}", shown.join(", "))
        };
        match (self.request.is_empty(), self.response.is_empty()) {
            (true, true) => "not used by any operation".to_owned(),
            (false, true) => format!("used in requests of {}", list(&self.request)),
            (true, false) => format!("used in responses of {}", list(&self.response)),
            (false, false) => format!(
                "used in requests of {} and responses of {}",
                list(&self.request),
                list(&self.response)
            ),
        }
    }
}

/// Adds the usage of every component schema in `spec` to `into`; called on
/// both versions so a schema is judged by its old and its new uses.
pub(crate) fn collect(spec: &Spec, into: &mut BTreeMap<String, UsedBy>) {
    for op in spec.operations() {
        let id = op_key(op);
        let mut request = BTreeSet::new();
        for p in parameters(spec, op) {
            refs(spec, p, &mut request, 0);
        }
        if let Some(body) = op.value.get("requestBody") {
            refs(spec, body, &mut request, 0);
        }
        let mut response = BTreeSet::new();
        for (_, r) in op.responses() {
            refs(spec, r, &mut response, 0);
        }
        for name in request {
            into.entry(name).or_default().request.insert(id.clone());
        }
        for name in response {
            into.entry(name).or_default().response.insert(id.clone());
        }
    }
    // A webhook's body travels like a response: the API sends it.
    for (event, body) in webhooks(spec) {
        let mut response = BTreeSet::new();
        refs(spec, body, &mut response, 0);
        for name in response {
            into.entry(name)
                .or_default()
                .response
                .insert(format!("webhook {event}"));
        }
    }
}

/// The events of `x-webhooks` and their body schemas.
pub(crate) fn webhooks(spec: &Spec) -> impl Iterator<Item = (&String, &Value)> {
    spec.root
        .get("x-webhooks")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// Every component schema reachable from `value`, through any local `$ref`.
fn refs(spec: &Spec, value: &Value, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                let fresh = match r.strip_prefix("#/components/schemas/") {
                    Some(name) => out.insert(name.to_owned()),
                    None => true,
                };
                if fresh && let Some(target) = spec.resolve_ref(r) {
                    refs(spec, target, out, depth + 1);
                }
            }
            for v in map.values() {
                refs(spec, v, out, depth + 1);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(spec, v, out, depth + 1)),
        _ => {}
    }
}
