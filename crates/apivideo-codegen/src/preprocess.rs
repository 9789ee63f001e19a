//! Takes the operations progenitor cannot generate out of the spec and records
//! them as handwritten: multipart uploads and `deepObject` query parameters.

use serde_json::Value;

use crate::Error;
use crate::spec::{HANDWRITTEN_EXT, Operation, Spec};

/// An operation taken out of generation, implemented by hand in `apivideo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handwritten {
    /// Its operation id.
    pub operation_id: String,
    /// Why it is handwritten, in a few words.
    pub reason: String,
}

/// Why `op` cannot be generated, if it cannot.
pub(crate) fn needs_handwriting(op: &Operation, spec: &Spec) -> Option<String> {
    let body = op.value.get("requestBody").and_then(|b| spec.deref(b));
    let multipart = body
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .is_some_and(|c| c.contains_key("multipart/form-data"));
    if multipart {
        return Some("a multipart/form-data body".to_owned());
    }
    op.parameters()
        .filter_map(|p| spec.deref(p))
        .find(|p| p.get("style").and_then(Value::as_str) == Some("deepObject"))
        .map(|p| {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
            format!("the deepObject query parameter `{name}`")
        })
}

/// The spec without its handwritten operations, ready for progenitor, and
/// the list of what was taken out.
pub(crate) fn preprocess(spec: &Spec) -> Result<(openapiv3::OpenAPI, Vec<Handwritten>), Error> {
    let mut root = spec.root.clone();
    let mut handwritten = Vec::new();
    for op in spec.operations() {
        let reason = match needs_handwriting(op, spec) {
            Some(reason) => reason,
            None if op.flag(HANDWRITTEN_EXT) => "marked in the spec".to_owned(),
            None => continue,
        };
        let id = op.id.clone().unwrap_or_default();
        handwritten.push(Handwritten {
            operation_id: id,
            reason,
        });
        if let Some(item) = root
            .get_mut("paths")
            .and_then(|p| p.get_mut(&op.path))
            .and_then(Value::as_object_mut)
        {
            item.remove(&op.method.to_lowercase());
        }
    }
    crate::sdk_layer::lift_handwritten_enums(spec, &mut root, &handwritten)?;
    crate::sdk_layer::lenient_errors(spec, &mut root);
    // A path left with no operation would still be emitted as an empty item.
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        paths.retain(|_, item| {
            item.as_object().is_some_and(|m| {
                m.keys().any(|k| {
                    !matches!(
                        k.as_str(),
                        "parameters" | "summary" | "description" | "servers"
                    )
                })
            })
        });
    }
    let api: openapiv3::OpenAPI =
        serde_json::from_value(root).map_err(|e| Error::Parse(e.to_string()))?;
    Ok((api, handwritten))
}
