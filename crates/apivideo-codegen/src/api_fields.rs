//! The facts of an API description as a flat set of lines, to measure how
//! much of one description another covers.
//!
//! Each line names one thing a client can send or read, under its
//! operation (`METHOD /path`):
//!
//! - `param <in> <name>`: a parameter;
//! - `request <field.path>`: a field of the JSON or multipart body, nested
//!   fields joined by `.`, array items written `[]`;
//! - `status <code>`: a documented answer;
//! - `header <code> <name>`: a header of that answer;
//! - `response <code> <field.path>`: a field of that answer's body;
//! - `enum <where> = <value>`: one value of an enum, `<where>` being the
//!   line of the parameter or field it belongs to.
//!
//! Two shapes of document are read: OpenAPI 3.0 (`paths`, `components`,
//! `$ref: '#/components/schemas/Name'`) and the facts digest the project
//! checks itself against (`operations` as a list, top-level `schemas` and
//! `parameters`, `$ref: name`, and responses whose media types sit beside
//! `headers` rather than under `content`). Descriptions, examples and
//! formats are ignored: the set says what exists, not how it is told.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// Methods, in the order OpenAPI lists them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How deep nested fields are followed; deeper levels of recursive schemas
/// add nothing a reader would miss.
const MAX_DEPTH: usize = 8;

/// The lines of `doc`, an OpenAPI document or a facts digest, parsed from
/// YAML or JSON. Operations marked `legacy: true` in a digest count like the
/// others.
pub fn api_fields(doc: &Value) -> BTreeSet<String> {
    let index = Index::new(doc);
    let mut lines = BTreeSet::new();
    for (method, path, op, shared) in operations(doc) {
        let key = format!("{} {path}", method.to_uppercase());
        let mut out = Out {
            key: &key,
            lines: &mut lines,
        };
        for param in shared.iter().copied().chain(array(op.get("parameters"))) {
            let param = index.resolve(param, Kind::Parameter);
            let (Some(name), Some(place)) = (str_of(param, "name"), str_of(param, "in")) else {
                continue;
            };
            let at = format!("param {place} {name}");
            out.add(&at);
            if let Some(schema) = param.get("schema") {
                index.walk_enum_only(schema, &at, &mut out);
            }
        }
        if let Some(body) = op.get("requestBody") {
            let body = index.resolve(body, Kind::RequestBody);
            for schema in media_schemas(body.get("content")) {
                index.walk(schema, "request", "", 0, &mut Vec::new(), &mut out);
            }
        }
        for (status, answer) in object(op.get("responses")) {
            let answer = index.resolve(answer, Kind::Response);
            out.add(&format!("status {status}"));
            for (name, _) in object(answer.get("headers")) {
                out.add(&format!("header {status} {name}"));
            }
            let media = match answer.get("content") {
                Some(content) => media_schemas(Some(content)),
                None => media_schemas(Some(answer)),
            };
            for schema in media {
                let at = format!("response {status}");
                index.walk(schema, &at, "", 0, &mut Vec::new(), &mut out);
            }
        }
    }
    lines
}

/// Lines of `expected` that `actual` lacks, and the share of `expected` it
/// has (1.0 when `expected` is empty).
pub fn coverage(expected: &BTreeSet<String>, actual: &BTreeSet<String>) -> (Vec<String>, f64) {
    let missing: Vec<String> = expected.difference(actual).cloned().collect();
    let share = if expected.is_empty() {
        1.0
    } else {
        (expected.len() - missing.len()) as f64 / expected.len() as f64
    };
    (missing, share)
}

struct Out<'a> {
    key: &'a str,
    lines: &'a mut BTreeSet<String>,
}

impl Out<'_> {
    fn add(&mut self, what: &str) {
        self.lines.insert(format!("{} | {what}", self.key));
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Schema,
    Parameter,
    Response,
    RequestBody,
}

/// Where `$ref`s point, in either shape of document.
struct Index<'a> {
    schemas: Option<&'a Map<String, Value>>,
    parameters: Option<&'a Map<String, Value>>,
    responses: Option<&'a Map<String, Value>>,
    request_bodies: Option<&'a Map<String, Value>>,
}

impl<'a> Index<'a> {
    fn new(doc: &'a Value) -> Self {
        let components = doc.get("components");
        let section = |name: &str| {
            components
                .and_then(|c| c.get(name))
                .or_else(|| doc.get(name))
                .and_then(Value::as_object)
        };
        Self {
            schemas: section("schemas"),
            parameters: section("parameters"),
            responses: section("responses"),
            request_bodies: section("requestBodies"),
        }
    }

    /// `value` itself, or what its `$ref` names (followed until a value
    /// without one; an unknown name resolves to the value holding it).
    fn resolve(&self, mut value: &'a Value, kind: Kind) -> &'a Value {
        for _ in 0..16 {
            let Some(name) = ref_name(value) else {
                return value;
            };
            let section = match kind {
                Kind::Schema => self.schemas,
                Kind::Parameter => self.parameters,
                Kind::Response => self.responses,
                Kind::RequestBody => self.request_bodies,
            };
            match section.and_then(|s| s.get(name)) {
                Some(target) => value = target,
                None => return value,
            }
        }
        value
    }

    /// Adds the fields and enum values of `schema`, found at `at` (the line
    /// prefix, e.g. `request`) under the field path `path`.
    fn walk(
        &self,
        schema: &'a Value,
        at: &str,
        path: &str,
        depth: usize,
        seen: &mut Vec<&'a str>,
        out: &mut Out<'_>,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let name = ref_name(schema);
        if let Some(name) = name {
            if seen.contains(&name) {
                return;
            }
            seen.push(name);
        }
        let schema = self.resolve(schema, Kind::Schema);
        self.enum_values(schema, at, path, out);
        for part in ["allOf", "oneOf", "anyOf"]
            .into_iter()
            .flat_map(|k| array(schema.get(k)))
        {
            self.walk(part, at, path, depth, seen, out);
        }
        if let Some(items) = schema.get("items") {
            self.walk(items, at, &format!("{path}[]"), depth + 1, seen, out);
        }
        for (field, sub) in object(schema.get("properties")) {
            let field_path = if path.is_empty() {
                field.clone()
            } else {
                format!("{path}.{field}")
            };
            out.add(&format!("{at} {field_path}"));
            self.walk(sub, at, &field_path, depth + 1, seen, out);
        }
        if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            self.walk(extra, at, &format!("{path}.*"), depth + 1, seen, out);
        }
        if name.is_some() {
            seen.pop();
        }
    }

    /// Adds the enum values of a parameter's schema (and its items').
    fn walk_enum_only(&self, schema: &'a Value, at: &str, out: &mut Out<'_>) {
        let schema = self.resolve(schema, Kind::Schema);
        self.enum_values(schema, at, "", out);
        if let Some(items) = schema.get("items") {
            let items = self.resolve(items, Kind::Schema);
            self.enum_values(items, at, "[]", out);
        }
    }

    fn enum_values(&self, schema: &Value, at: &str, path: &str, out: &mut Out<'_>) {
        for value in array(schema.get("enum")) {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let place = if path.is_empty() {
                at.to_owned()
            } else {
                format!("{at} {path}")
            };
            out.add(&format!("enum {place} = {value}"));
        }
    }
}

/// `(method, path, operation, path-level parameters)` of every operation.
fn operations(doc: &Value) -> Vec<(String, String, &Value, Vec<&Value>)> {
    let mut ops = Vec::new();
    if let Some(list) = doc.get("operations").and_then(Value::as_array) {
        for op in list {
            if let (Some(method), Some(path)) = (str_of(op, "method"), str_of(op, "path")) {
                ops.push((method.to_lowercase(), path.to_owned(), op, Vec::new()));
            }
        }
    }
    for (path, item) in object(doc.get("paths")) {
        let shared: Vec<&Value> = array(item.get("parameters")).collect();
        for method in METHODS {
            if let Some(op) = item.get(method) {
                ops.push((method.to_owned(), path.clone(), op, shared.clone()));
            }
        }
    }
    ops
}

/// The schemas of a `content`-like map: media type → `{schema}`.
fn media_schemas(content: Option<&Value>) -> Vec<&Value> {
    object(content)
        .filter(|(name, _)| name.contains('/'))
        .filter_map(|(_, media)| media.get("schema"))
        .collect()
}

/// The name a `$ref` points at, whatever its prefix: `name` or
/// `#/components/schemas/Name` both give the last segment.
fn ref_name(value: &Value) -> Option<&str> {
    let reference = value.get("$ref")?.as_str()?;
    Some(reference.rsplit('/').next().unwrap_or(reference))
}

fn str_of<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn array(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    value.and_then(Value::as_array).into_iter().flatten()
}

fn object(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value.and_then(Value::as_object).into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn openapi_and_digest_shapes_give_the_same_lines() {
        let openapi = yaml(
            r#"
paths:
  /things/{id}:
    parameters:
    - {name: id, in: path, required: true, schema: {type: string}}
    patch:
      parameters:
      - $ref: '#/components/parameters/Mode'
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '200':
          headers: {X-Count: {schema: {type: integer}}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
        '404': {$ref: '#/components/responses/NotFound'}
components:
  parameters:
    Mode: {name: mode, in: query, schema: {type: string, enum: [fast, slow]}}
  responses:
    NotFound:
      description: missing
      content:
        application/json:
          schema: {type: object, properties: {title: {type: string}}}
  schemas:
    Thing:
      type: object
      properties:
        name: {type: string}
        parts: {type: array, items: {$ref: '#/components/schemas/Thing'}}
        kind: {type: string, enum: [a, b]}
"#,
        );
        let digest = yaml(
            r#"
operations:
- method: PATCH
  path: /things/{id}
  parameters:
  - {name: id, in: path, schema: {type: string}}
  - $ref: mode
  requestBody:
    content:
      application/json:
        schema: {$ref: thing}
  responses:
    '200':
      application/json:
        schema: {$ref: thing}
      headers: {X-Count: {type: integer}}
    '404':
      application/json:
        schema: {type: object, properties: {title: {type: string}}}
parameters:
  mode: {name: mode, in: query, schema: {type: string, enum: [fast, slow]}}
schemas:
  thing:
    allOf:
    - type: object
      properties:
        name: {type: string}
        parts: {type: array, items: {$ref: thing}}
    - properties:
        kind: {type: string, enum: [a, b]}
"#,
        );
        let a = api_fields(&openapi);
        let b = api_fields(&digest);
        assert_eq!(a, b);
        let expected = [
            "PATCH /things/{id} | param path id",
            "PATCH /things/{id} | param query mode",
            "PATCH /things/{id} | enum param query mode = fast",
            "PATCH /things/{id} | request parts",
            "PATCH /things/{id} | enum response 200 kind = b",
            "PATCH /things/{id} | header 200 X-Count",
            "PATCH /things/{id} | status 404",
            "PATCH /things/{id} | response 404 title",
        ];
        for line in expected {
            assert!(a.contains(line), "{line} missing from {a:#?}");
        }
        // The recursive `parts` is followed once, not forever.
        assert!(!a.iter().any(|l| l.contains("parts[].parts")), "{a:#?}");
    }

    #[test]
    fn coverage_names_what_is_missing() {
        let expected: BTreeSet<String> = ["a", "b", "c", "d"].map(String::from).into();
        let actual: BTreeSet<String> = ["a", "b", "c", "z"].map(String::from).into();
        let (missing, share) = coverage(&expected, &actual);
        assert_eq!(missing, ["d"]);
        assert!((share - 0.75).abs() < 1e-9);
        assert_eq!(coverage(&BTreeSet::new(), &actual).1, 1.0);
    }
}
