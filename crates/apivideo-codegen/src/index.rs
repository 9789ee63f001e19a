//! Code that indexes the spec for the crates built from it: the list of
//! operations with their marks, and a schema-name → Rust-type dispatcher the
//! tests use to round-trip every example in the spec.

use crate::preprocess::Handwritten;
use crate::spec::{PAGINATED_EXT, Spec};
use serde_json::Value;

/// `pub const OPERATIONS: &[Operation]` and friends, for `apivideo_raw::spec`.
pub(crate) fn operations_index(spec: &Spec, handwritten: &[Handwritten]) -> String {
    let mut out = String::from(
        "/// Every operation in `openapi.yaml`, generated or handwritten, in document order.\n\
         pub const OPERATIONS: &[Operation] = &[\n",
    );
    for op in spec.operations() {
        let id = op.id.as_deref().unwrap_or_default();
        let hand = handwritten.iter().any(|h| h.operation_id == id);
        out.push_str(&format!(
            "    Operation {{ id: {id:?}, method: {:?}, path: {:?}, tag: {:?}, paginated: {}, handwritten: {hand} }},\n",
            op.method,
            op.path,
            op.tag().unwrap_or_default(),
            op.flag(PAGINATED_EXT),
        ));
    }
    out.push_str("];\n");
    out
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
