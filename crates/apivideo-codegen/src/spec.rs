//! The loaded spec: the raw JSON tree (for validation and vendor extensions)
//! and an index of its operations.

use serde_json::Value;

use crate::Error;

/// The vendor extension that marks a list operation as paginated.
pub const PAGINATED_EXT: &str = "x-paginated";
/// The vendor extension that marks a POST as safe to send twice (it
/// replaces what it uploads, or only issues tokens).
pub const IDEMPOTENT_EXT: &str = "x-idempotent";
/// The vendor extension that marks an operation the SDK implements by hand.
pub const HANDWRITTEN_EXT: &str = "x-rust-handwritten";

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A loaded OpenAPI document.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The document as a JSON tree.
    pub root: Value,
    operations: Vec<Operation>,
}

/// One operation of the spec, as the pipeline and the checks see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The `operationId`, if any.
    pub id: Option<String>,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// The operation object.
    pub value: Value,
}

impl Operation {
    /// `operation list_videos (GET /videos)`, or just the method and path.
    pub fn location(&self) -> String {
        match &self.id {
            Some(id) => format!("operation {id} ({} {})", self.method, self.path),
            None => format!("operation {} {}", self.method, self.path),
        }
    }

    /// The first tag.
    pub fn tag(&self) -> Option<&str> {
        self.value.pointer("/tags/0").and_then(Value::as_str)
    }

    /// Whether a boolean vendor extension is set to true.
    pub fn flag(&self, extension: &str) -> bool {
        self.value.get(extension).and_then(Value::as_bool) == Some(true)
    }

    /// A string field of the operation (`summary`, `description`).
    pub fn text(&self, field: &str) -> Option<&str> {
        self.value.get(field).and_then(Value::as_str)
    }

    /// The parameters declared on the operation.
    pub fn parameters(&self) -> impl Iterator<Item = &Value> {
        self.value
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }

    /// The responses, as (status, response object) pairs, in document order.
    pub fn responses(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.value
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v))
    }
}

impl Spec {
    /// Parses YAML (or JSON) text.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let root: Value = serde_yaml::from_str(text).map_err(|e| Error::Parse(e.to_string()))?;
        if !root.is_object() {
            return Err(Error::Parse("the document is not a mapping".into()));
        }
        let mut operations = Vec::new();
        if let Some(paths) = root.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for (method, op) in item {
                    if !METHODS.contains(&method.as_str()) {
                        continue;
                    }
                    operations.push(Operation {
                        id: op
                            .get("operationId")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        method: method.to_uppercase(),
                        path: path.clone(),
                        value: op.clone(),
                    });
                }
            }
        }
        Ok(Self { root, operations })
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this id.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id.as_deref() == Some(id))
    }

    /// The declared tag names, in order.
    pub fn tags(&self) -> Vec<String> {
        self.root
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect()
    }

    /// Component schemas replaced by a handwritten type: (schema, path inside
    /// `apivideo-raw`), from the `x-rust-replace` extension.
    pub fn replacements(&self) -> Vec<(String, String)> {
        self.root
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(name, schema)| {
                let path = schema.get(crate::progenitor::REPLACE_EXT)?.as_str()?;
                Some((name.clone(), path.to_owned()))
            })
            .collect()
    }

    /// Follows a local `$ref` (`#/components/...`), if it resolves.
    pub fn resolve_ref(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(pointer)
    }

    /// Follows `$ref`s until a non-reference value is reached.
    pub fn deref<'a>(&'a self, mut value: &'a Value) -> Option<&'a Value> {
        for _ in 0..16 {
            match value.get("$ref").and_then(Value::as_str) {
                Some(r) => value = self.resolve_ref(r)?,
                None => return Some(value),
            }
        }
        None
    }

    /// The schema name behind a response's first media type, when it is a
    /// `$ref` to a component schema (the usual case in this spec).
    pub fn response_schema_name(&self, response: &Value) -> Option<String> {
        let response = self.deref(response)?;
        let content = response.get("content")?.as_object()?;
        let (_, media) = content.iter().next()?;
        schema_ref_name(media.get("schema")?)
    }

    /// The success response of an operation: its status and schema name
    /// (`None` for a response with no body).
    pub fn success(&self, op: &Operation) -> Option<(String, Option<String>)> {
        op.responses()
            .find(|(status, _)| status.starts_with('2'))
            .map(|(status, r)| (status.to_owned(), self.response_schema_name(r)))
    }
}

/// `Video` for `{"$ref": "#/components/schemas/Video"}`.
pub fn schema_ref_name(schema: &Value) -> Option<String> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_owned)
}
