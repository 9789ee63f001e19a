//! Where a schema sits (its group, label, property path and directions),
//! how the generated Rust code holds it, and the schema itself with `$ref`s
//! followed and `allOf` merged, ready to compare.

use apivideo_codegen::Spec;
use serde_json::{Map, Value};

use super::model::{Subject, Usage};

/// The two versions of the spec.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sides<'a> {
    pub(crate) old: &'a Spec,
    pub(crate) new: &'a Spec,
}

/// Where a schema sits: its group, a label (`request body`, `` parameter
/// `pageSize` (query) ``) and a property path below it, and the directions
/// its values travel in.
#[derive(Debug, Clone)]
pub(crate) struct At<'s> {
    pub(crate) subject: &'s Subject,
    pub(crate) label: String,
    pub(crate) path: String,
    pub(crate) usage: Usage,
}

impl At<'_> {
    /// ``request body `assets.hls` ``, `` `assets.hls` `` or `request body`.
    pub(crate) fn text(&self) -> String {
        match (self.label.is_empty(), self.path.is_empty()) {
            (_, true) => self.label.clone(),
            (true, false) => format!("`{}`", self.path),
            (false, false) => format!("{} `{}`", self.label, self.path),
        }
    }

    pub(crate) fn child(&self, segment: &str, separator: &str) -> Self {
        let mut at = self.clone();
        if !at.path.is_empty() {
            at.path.push_str(separator);
        }
        at.path.push_str(segment);
        at
    }

    pub(crate) fn property(&self, name: &str) -> Self {
        self.child(name, ".")
    }

    pub(crate) fn items(&self) -> Self {
        let mut at = self.clone();
        at.path.push_str("[]");
        at
    }

    /// `description of request body `title``, or just `description`.
    pub(crate) fn docs(&self, keyword: &str) -> String {
        let place = self.text();
        if place.is_empty() {
            keyword.to_owned()
        } else {
            format!("{keyword} of {place}")
        }
    }
}

/// How the generated Rust code holds a value: decides whether a change to
/// `required`, `nullable` or `default` switches a field between `T` and
/// `Option<T>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// A body, an array item or a map value: `Option<T>` when nullable.
    Value,
    /// A struct field.
    Field { required: bool },
    /// A builder argument: the builder takes `T` either way.
    Parameter,
}

impl Slot {
    pub(crate) fn wraps(self, nullable: bool, array: bool, has_default: bool) -> bool {
        match self {
            Slot::Value | Slot::Field { required: true } => nullable,
            // Optional arrays are `Vec<T>` (missing reads as empty), optional
            // fields with a default are `T`.
            Slot::Field { required: false } => !(array || has_default),
            Slot::Parameter => false,
        }
    }
}

/// A schema with its `$ref`s followed and `allOf` merged, and the component
/// name of its first `$ref`, if any.
pub(crate) struct Resolved {
    pub(crate) name: Option<String>,
    pub(crate) schema: Map<String, Value>,
}

/// `Video` for `{"$ref": "#/components/schemas/Video"}`.
pub(crate) fn component_name(schema: &Value) -> Option<String> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

pub(crate) fn resolve(spec: &Spec, schema: &Value) -> Resolved {
    let mut merged = Map::new();
    merge(spec, schema, &mut merged, 0);
    Resolved {
        name: component_name(schema),
        schema: merged,
    }
}

fn merge(spec: &Spec, schema: &Value, out: &mut Map<String, Value>, depth: usize) {
    let Some(schema) = spec
        .deref(schema)
        .and_then(Value::as_object)
        .filter(|_| depth < 16)
    else {
        return;
    };
    for (key, value) in schema {
        match key.as_str() {
            "allOf" => {}
            "properties" => {
                let props = out
                    .entry("properties")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let (Some(props), Some(more)) = (props.as_object_mut(), value.as_object()) {
                    for (name, prop) in more {
                        props.entry(name.clone()).or_insert_with(|| prop.clone());
                    }
                }
            }
            "required" => {
                let required = out
                    .entry("required")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let (Some(list), Some(more)) = (required.as_array_mut(), value.as_array()) {
                    for name in more {
                        if !list.contains(name) {
                            list.push(name.clone());
                        }
                    }
                }
            }
            _ => {
                out.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
    }
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        merge(spec, member, out, depth + 1);
    }
}

/// `hls` for a string, the JSON text otherwise.
pub(crate) fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
