//! Code that indexes the spec for the crates built from it: the list of
//! operations with their marks, and a schema-name → Rust-type dispatcher the
//! tests use to round-trip every example in the spec.

use crate::preprocess::Handwritten;
use crate::spec::{IDEMPOTENT_EXT, PAGINATED_EXT, Spec};
use serde_json::Value;

/// `pub const OPERATIONS: &[Operation]` and friends, for `apivideo_raw::spec`.
pub(crate) fn operations_index(spec: &Spec, handwritten: &[Handwritten]) -> String {
    let mut out = String::from(
        "/// Every operation in `openapi.yaml`, generated or handwritten, in document order.\n\
         pub const OPERATIONS: &[Operation] = &[\n",
    );
    let mut idempotent = Vec::new();
    for op in spec.operations() {
        let id = op.id.as_deref().unwrap_or_default();
        let hand = handwritten.iter().any(|h| h.operation_id == id);
        let safe = is_idempotent(op);
        if safe {
            idempotent.push(format!("{id:?}"));
        }
        let keyed = needs_credentials(spec, op);
        out.push_str(&format!(
            "    Operation {{ id: {id:?}, method: {:?}, path: {:?}, tag: {:?}, paginated: {}, handwritten: {hand}, idempotent: {safe}, credentials: {keyed} }},\n",
            op.method,
            op.path,
            op.tag().unwrap_or_default(),
            op.flag(PAGINATED_EXT),
        ));
    }
    out.push_str("];\n\n");
    out.push_str(&format!(
        "/// Whether sending operation `id` twice has the effect of sending it once\n\
         /// (see [`Operation::idempotent`]); `false` for an unknown id.\n\
         pub fn is_idempotent(id: &str) -> bool {{\n    matches!(id, {})\n}}\n",
        if idempotent.is_empty() {
            "\"\"".to_owned()
        } else {
            idempotent.join(" | ")
        }
    ));
    out
}

/// Whether every security alternative of `op` (its own `security`, or the
/// document's) asks for a credential: `security: []`, or an empty
/// alternative `{}`, means the operation can be called without one.
fn needs_credentials(spec: &Spec, op: &crate::spec::Operation) -> bool {
    let requirements = op
        .value
        .get("security")
        .or_else(|| spec.root.get("security"))
        .and_then(Value::as_array);
    requirements.is_some_and(|alternatives| {
        !alternatives.is_empty()
            && alternatives
                .iter()
                .all(|a| a.as_object().is_some_and(|o| !o.is_empty()))
    })
}

/// GET, HEAD, PUT, DELETE and PATCH (which in this API sets the fields it
/// names) are idempotent; a POST is only when marked `x-idempotent: true`
/// (an upload that replaces a file, the token calls).
fn is_idempotent(op: &crate::spec::Operation) -> bool {
    match op.method.as_str() {
        "GET" | "HEAD" | "PUT" | "DELETE" | "PATCH" | "OPTIONS" => true,
        _ => op.flag(IDEMPOTENT_EXT),
    }
}

/// A function `roundtrip(schema, value)` that deserializes `value` into the
/// generated type of component `schema` and serializes it back.
pub(crate) fn schema_roundtrip(spec: &Spec) -> String {
    let names: Vec<&String> = spec
        .root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    let mut out = String::from(
        "/// Deserializes `value` as the generated type of component `schema` and\n\
         /// serializes it back; `None` for an unknown schema name.\n\
         pub fn roundtrip(schema: &str, value: ::serde_json::Value)\n\
         -> ::std::option::Option<::std::result::Result<::serde_json::Value, ::serde_json::Error>> {\n\
         fn rt<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(v: ::serde_json::Value)\n\
         -> ::std::result::Result<::serde_json::Value, ::serde_json::Error> {\n\
         ::serde_json::to_value(::serde_json::from_value::<T>(v)?)\n\
         }\n\
         match schema {\n",
    );
    let replacements = spec.replacements();
    for name in names {
        let path = match replacements.iter().find(|(schema, _)| schema == name) {
            Some((_, path)) => path.clone(),
            None => format!("types::{}", crate::split::pascal(name)),
        };
        out.push_str(&format!(
            "{name:?} => Some(rt::<::apivideo_raw::{path}>(value)),\n"
        ));
    }
    out.push_str("_ => None,\n}\n}\n");
    out
}
