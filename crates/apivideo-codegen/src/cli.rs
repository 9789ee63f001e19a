//! The command tree of the `apivideo` command line, derived from the spec:
//! one command per operation, grouped by tag, one argument per parameter
//! and per top-level body property.
//!
//! [`cli_table`] renders it as Rust source, a `static COMMANDS` table of
//! the CLI crate's `CommandSpec`/`ArgSpec` types, which its build script
//! writes to `$OUT_DIR`. The CLI builds its clap commands from the table
//! and sends every call through one generic executor, so a new operation
//! in the spec is a new command with no handwritten code.
//!
//! Naming, all derived:
//! - the group is the tag in kebab case (`Live streams` → `live-streams`);
//! - the command is the operation id without the tag's noun, singular or
//!   plural, and without a trailing preposition (`list_videos` → `list`,
//!   `get_video_status` → `get-status`, `upload_with_upload_token` →
//!   `upload`); a name taken twice in a group falls back to the whole id;
//! - path parameters are positional, in path order; query and header
//!   parameters and body properties are `--kebab-case` options, an array
//!   in the singular and repeatable (`tags[]` → `--tag`); a name taken
//!   already (by a global option or another argument) gets its location as
//!   a prefix (`--body-api-key`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

use crate::spec::{HANDWRITTEN_EXT, Operation, PAGINATED_EXT, Spec};
use crate::{Error, validate};

/// Options of the command line itself; an argument derived from the spec
/// never takes one of these names.
pub const RESERVED_OPTIONS: &[&str] = &[
    "api-key", "base-url", "sandbox", "profile", "json", "all", "body", "help", "version",
];

/// One command, as the table describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct CliCommand {
    /// The group: the tag in kebab case.
    pub group: String,
    /// The group's one-line description (the tag's).
    pub group_about: String,
    /// The command's name inside its group.
    pub name: String,
    /// The operation id.
    pub operation: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// One line: the summary.
    pub about: String,
    /// The description.
    pub long_about: String,
    /// Marked `x-paginated`.
    pub paginated: bool,
    /// Marked `x-rust-handwritten`.
    pub handwritten: bool,
    /// Sends credentials (`security: []` turns them off).
    pub credentials: bool,
    /// `json`, `multipart`, or empty for no body.
    pub body: String,
    /// Whether the body is required.
    pub body_required: bool,
    /// The arguments, positionals first.
    pub args: Vec<CliArg>,
}

/// One argument of a command.
#[derive(Debug, Clone, PartialEq)]
pub struct CliArg {
    /// The clap id, unique in the command: `location:apiName`.
    pub id: String,
    /// The option's name without dashes; empty for a positional.
    pub long: String,
    /// `VIDEO_ID`, `TITLE`, `KEY=VALUE`, `PATH`…
    pub value_name: String,
    /// `path`, `query`, `header`, `body` (a JSON property), `field` (a
    /// multipart text field) or `file` (a multipart file).
    pub location: String,
    /// The parameter's or property's name in the API.
    pub api_name: String,
    /// `string`, `integer`, `number`, `boolean`, `json` (any JSON value),
    /// `pair` (`KEY=VALUE`: a deepObject parameter, or a list of
    /// `{key, value}` objects) or `path` (a local file).
    pub kind: String,
    /// Repeatable: an array.
    pub multiple: bool,
    /// Required (for a body property: unless `--body` is given).
    pub required: bool,
    /// The allowed values of an enum.
    pub values: Vec<String>,
    /// The first paragraph of its description.
    pub help: String,
    /// For a deepObject parameter: sent as `name[key]=value`.
    pub deep_object: bool,
}

/// The command tree of `spec`, validated first like the client's.
pub fn cli_commands(spec: &Spec) -> Result<Vec<CliCommand>, Error> {
    let violations = validate::validate(spec);
    if !violations.is_empty() {
        return Err(Error::Invalid(violations));
    }
    let tag_about = |tag: &str| -> String {
        spec.root
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|t| t.get("name").and_then(Value::as_str) == Some(tag))
            .and_then(|t| t.get("description").and_then(Value::as_str))
            .map(first_paragraph)
            .unwrap_or_default()
    };
    let global_security = spec.root.get("security");
    let mut commands: Vec<CliCommand> = Vec::new();
    for op in spec.operations() {
        let id = op.id.clone().unwrap_or_else(|| fallback_id(op));
        let tag = op.tag().unwrap_or("other");
        let group = kebab_words(tag);
        let mut name = command_name(&id, tag);
        if commands.iter().any(|c| c.group == group && c.name == name) {
            name = id.replace('_', "-");
        }
        let security = op.value.get("security").or(global_security);
        let credentials = !matches!(security, Some(Value::Array(a)) if a.is_empty());
        let (body, body_required, args) = arguments(spec, op);
        commands.push(CliCommand {
            group_about: tag_about(tag),
            group,
            name,
            operation: id,
            method: op.method.clone(),
            path: op.path.clone(),
            about: op.text("summary").map(one_line).unwrap_or_default(),
            long_about: op
                .text("description")
                .map(|d| d.trim().to_owned())
                .unwrap_or_default(),
            paginated: op.flag(PAGINATED_EXT),
            handwritten: op.flag(HANDWRITTEN_EXT),
            credentials,
            body,
            body_required,
            args,
        });
    }
    Ok(commands)
}

/// The table as Rust source for the CLI crate: `pub static COMMANDS:
/// &[CommandSpec]`, with `CommandSpec` and `ArgSpec` in scope.
pub fn cli_table(spec: &Spec) -> Result<String, Error> {
    let commands = cli_commands(spec)?;
    let mut out = String::from(
        "// Generated by apivideo-codegen from openapi.yaml: do not edit.\n\
         /// Every operation of the spec as a command, in document order.\n\
         pub static COMMANDS: &[CommandSpec] = &[\n",
    );
    for c in &commands {
        let _ = writeln!(out, "    CommandSpec {{");
        for (field, value) in [
            ("group", &c.group),
            ("group_about", &c.group_about),
            ("name", &c.name),
            ("operation", &c.operation),
            ("method", &c.method),
            ("path", &c.path),
            ("about", &c.about),
            ("long_about", &c.long_about),
            ("body", &c.body),
        ] {
            let _ = writeln!(out, "        {field}: {value:?},");
        }
        for (field, value) in [
            ("paginated", c.paginated),
            ("credentials", c.credentials),
            ("body_required", c.body_required),
        ] {
            let _ = writeln!(out, "        {field}: {value},");
        }
        let _ = writeln!(out, "        args: &[");
        for a in &c.args {
            let _ = writeln!(
                out,
                "            ArgSpec {{ id: {:?}, long: {:?}, value_name: {:?}, location: {:?}, api_name: {:?}, kind: {:?}, multiple: {}, required: {}, values: &{:?}, help: {:?}, deep_object: {} }},",
                a.id,
                a.long,
                a.value_name,
                a.location,
                a.api_name,
                a.kind,
                a.multiple,
                a.required,
                a.values,
                a.help,
                a.deep_object,
            );
        }
        let _ = writeln!(out, "        ],\n    }},");
    }
    out.push_str("];\n");
    Ok(out)
}

/// Runs [`cli_table`] on the OpenAPI document at `path`.
pub fn cli_table_file(path: &std::path::Path) -> Result<String, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    cli_table(&Spec::parse(&text)?)
}

fn fallback_id(op: &Operation) -> String {
    let mut id = op.method.to_lowercase();
    for part in op.path.split('/').filter(|p| !p.is_empty()) {
        id.push('_');
        id.push_str(&snake(part.trim_matches(['{', '}'])));
    }
    id
}

/// The operation id without the tag's noun and a trailing preposition.
fn command_name(id: &str, tag: &str) -> String {
    let words: Vec<&str> = id.split('_').filter(|w| !w.is_empty()).collect();
    let plural: Vec<String> = tag
        .split_whitespace()
        .map(|w| snake(w).to_lowercase())
        .collect();
    let mut singular = plural.clone();
    if let Some(last) = singular.last_mut() {
        *last = singular_of(last);
    }
    let mut kept = words.clone();
    'search: for noun in [&plural, &singular] {
        let n = noun.len();
        if n == 0 || n >= words.len() {
            continue;
        }
        for i in 0..=words.len() - n {
            if words[i..i + n].iter().zip(noun.iter()).all(|(a, b)| a == b) {
                kept = words[..i].iter().chain(&words[i + n..]).copied().collect();
                break 'search;
            }
        }
    }
    while kept.len() > 1
        && kept
            .last()
            .is_some_and(|w| ["with", "by", "for", "from", "of", "to", "in"].contains(w))
    {
        kept.pop();
    }
    kept.join("-")
}

fn singular_of(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies").filter(|s| s.len() > 1) {
        format!("{stem}y")
    } else if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

/// `videoId` → `video_id`, `Content-Range` → `content_range`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = true;
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

fn kebab(name: &str) -> String {
    snake(name).replace('_', "-")
}

/// `Live streams` → `live-streams`.
fn kebab_words(text: &str) -> String {
    text.split_whitespace()
        .map(kebab)
        .collect::<Vec<_>>()
        .join("-")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_paragraph(text: &str) -> String {
    one_line(text.trim().split("\n\n").next().unwrap_or_default())
}

/// The body kind, whether it is required, and the arguments.
fn arguments(spec: &Spec, op: &Operation) -> (String, bool, Vec<CliArg>) {
    let mut taken: BTreeSet<String> = RESERVED_OPTIONS.iter().map(|s| s.to_string()).collect();
    let mut args = Vec::new();
    let params: Vec<&Value> = op.parameters().filter_map(|p| spec.deref(p)).collect();
    // Positionals first, in the order they appear in the path.
    let mut path_params: Vec<&Value> = params
        .iter()
        .copied()
        .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
        .collect();
    path_params.sort_by_key(|p| {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        op.path.find(&format!("{{{name}}}")).unwrap_or(usize::MAX)
    });
    for p in path_params {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        args.push(CliArg {
            id: format!("path:{name}"),
            long: String::new(),
            value_name: snake(name).to_uppercase(),
            location: "path".into(),
            api_name: name.into(),
            kind: "string".into(),
            multiple: false,
            required: true,
            values: Vec::new(),
            help: p
                .get("description")
                .and_then(Value::as_str)
                .map(first_paragraph)
                .unwrap_or_default(),
            deep_object: false,
        });
    }
    for p in &params {
        let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
        if !matches!(location, "query" | "header") {
            continue;
        }
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let schema = p
            .get("schema")
            .and_then(|s| spec.deref(s))
            .cloned()
            .unwrap_or(Value::Null);
        let deep_object = p.get("style").and_then(Value::as_str) == Some("deepObject");
        let required = p.get("required").and_then(Value::as_bool) == Some(true);
        let help = p
            .get("description")
            .and_then(Value::as_str)
            .map(first_paragraph)
            .unwrap_or_default();
        let mut arg = value_arg(spec, location, name, &schema, required, help, &mut taken);
        if deep_object {
            arg.kind = "pair".into();
            arg.multiple = true;
            arg.value_name = "KEY=VALUE".into();
            arg.deep_object = true;
        }
        args.push(arg);
    }
    let Some(body) = op.value.get("requestBody").and_then(|b| spec.deref(b)) else {
        return (String::new(), false, args);
    };
    let body_required = body.get("required").and_then(Value::as_bool) == Some(true);
    let content = body.get("content").and_then(Value::as_object);
    let (kind, media) = match content {
        Some(c) if c.contains_key("multipart/form-data") => {
            ("multipart", &c["multipart/form-data"])
        }
        Some(c) => match c.iter().find(|(k, _)| k.contains("json")) {
            Some((_, media)) => ("json", media),
            None => return (String::new(), false, args),
        },
        None => return (String::new(), false, args),
    };
    let schema = media
        .get("schema")
        .and_then(|s| spec.deref(s))
        .cloned()
        .unwrap_or(Value::Null);
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let properties = schema.get("properties").and_then(Value::as_object);
    for (name, prop) in properties.into_iter().flatten() {
        let prop = spec.deref(prop).cloned().unwrap_or(Value::Null);
        if prop.get("readOnly").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let help = prop
            .get("description")
            .and_then(Value::as_str)
            .map(first_paragraph)
            .unwrap_or_default();
        let is_required = required.contains(name.as_str());
        let binary = prop.get("format").and_then(Value::as_str) == Some("binary");
        let location = match (kind, binary) {
            ("multipart", true) => "file",
            ("multipart", false) => "field",
            _ => "body",
        };
        let mut arg = value_arg(spec, location, name, &prop, is_required, help, &mut taken);
        if binary {
            arg.kind = "path".into();
            arg.value_name = "PATH".into();
        }
        args.push(arg);
    }
    (kind.into(), body_required, args)
}

/// An option for a parameter or property with this schema.
fn value_arg(
    spec: &Spec,
    location: &str,
    name: &str,
    schema: &Value,
    required: bool,
    help: String,
    taken: &mut BTreeSet<String>,
) -> CliArg {
    let base = name.trim_end_matches("[]");
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    let (kind, multiple, values, singular) = match ty {
        "array" => {
            let items = schema
                .get("items")
                .and_then(|i| spec.deref(i))
                .cloned()
                .unwrap_or(Value::Null);
            match items.get("type").and_then(Value::as_str).unwrap_or("") {
                t @ ("string" | "integer" | "number" | "boolean") => {
                    (t.to_owned(), true, enum_values(&items), true)
                }
                "object" if is_key_value(spec, &items) => ("pair".to_owned(), true, vec![], false),
                _ => ("json".to_owned(), false, vec![], false),
            }
        }
        t @ ("string" | "integer" | "number" | "boolean") => {
            (t.to_owned(), false, enum_values(schema), false)
        }
        _ => ("json".to_owned(), false, vec![], false),
    };
    let mut long = kebab(base);
    if singular {
        let mut parts: Vec<String> = long.split('-').map(str::to_owned).collect();
        if let Some(last) = parts.last_mut() {
            *last = singular_of(last);
        }
        long = parts.join("-");
    }
    if taken.contains(&long) {
        long = format!("{location}-{long}");
    }
    taken.insert(long.clone());
    let value_name = match kind.as_str() {
        "pair" => "KEY=VALUE".to_owned(),
        "json" => "JSON".to_owned(),
        "boolean" => "BOOL".to_owned(),
        _ => long.replace('-', "_").to_uppercase(),
    };
    CliArg {
        id: format!("{location}:{name}"),
        long,
        value_name,
        location: location.into(),
        api_name: name.into(),
        kind,
        multiple,
        required,
        values,
        help,
        deep_object: false,
    }
}

fn enum_values(schema: &Value) -> Vec<String> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        })
        .collect()
}

/// An object made of exactly a string `key` and a string `value`.
fn is_key_value(spec: &Spec, schema: &Value) -> bool {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return false;
    };
    props.len() == 2
        && ["key", "value"].iter().all(|k| {
            props
                .get(*k)
                .and_then(|p| spec.deref(p))
                .and_then(|p| p.get("type"))
                .and_then(Value::as_str)
                == Some("string")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_drop_the_tag_noun_and_a_trailing_preposition() {
        assert_eq!(command_name("list_videos", "Videos"), "list");
        assert_eq!(command_name("get_video_status", "Videos"), "get-status");
        assert_eq!(command_name("create_live_stream", "Live streams"), "create");
        assert_eq!(
            command_name("delete_live_stream_thumbnail", "Live streams"),
            "delete-thumbnail"
        );
        assert_eq!(
            command_name("upload_with_upload_token", "Upload tokens"),
            "upload"
        );
        assert_eq!(
            command_name("authenticate", "Authentication"),
            "authenticate"
        );
        assert_eq!(command_name("get_account", "Account"), "get");
        assert_eq!(command_name("create_summary", "Summaries"), "create");
        assert_eq!(
            command_name("get_summary_source", "Summaries"),
            "get-source"
        );
        assert_eq!(
            command_name("list_video_sessions", "Analytics"),
            "list-video-sessions"
        );
    }

    #[test]
    fn kebab_and_snake() {
        assert_eq!(kebab("videoId"), "video-id");
        assert_eq!(kebab("Content-Range"), "content-range");
        assert_eq!(snake("liveStreamId").to_uppercase(), "LIVE_STREAM_ID");
        assert_eq!(kebab_words("Upload tokens"), "upload-tokens");
    }

    /// A new operation, tag and all, is a new command with its arguments:
    /// nothing is listed by hand.
    #[test]
    fn a_new_operation_is_a_new_command() {
        let spec = Spec::parse(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
tags:
- name: Data
  description: Analytics as time series.
paths:
  /data/metrics/{metric}:
    get:
      operationId: get_data_metrics
      tags: [Data]
      summary: Read a metric
      x-rust-handwritten: true
      parameters:
      - {name: metric, in: path, required: true, schema: {type: string}}
      - {name: from, in: query, required: true, schema: {type: string}}
      - {name: filterBy, in: query, style: deepObject, schema: {type: object}}
      - {name: json, in: query, schema: {type: boolean}}
      responses:
        '200': {description: ok}
  /data/reports:
    post:
      operationId: create_data_report
      tags: [Data]
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [metrics]
              properties:
                metrics: {type: array, items: {type: string, enum: [play, view]}}
                window: {type: object}
      responses:
        '201': {description: ok}
"#,
        )
        .unwrap();
        let commands = cli_commands(&spec).unwrap();
        assert_eq!(commands.len(), 2);
        let get = &commands[0];
        assert_eq!(
            (get.group.as_str(), get.name.as_str()),
            ("data", "get-metrics")
        );
        assert_eq!(get.group_about, "Analytics as time series.");
        let args: Vec<(&str, &str, &str)> = get
            .args
            .iter()
            .map(|a| (a.long.as_str(), a.kind.as_str(), a.location.as_str()))
            .collect();
        assert_eq!(
            args,
            [
                ("", "string", "path"),
                ("from", "string", "query"),
                ("filter-by", "pair", "query"),
                // `--json` is the command line's own option.
                ("query-json", "boolean", "query"),
            ]
        );
        assert!(get.args[2].deep_object);
        assert!(get.handwritten);
        let report = &commands[1];
        assert_eq!(report.name, "create-report");
        assert!(!report.credentials);
        assert_eq!(report.body, "json");
        let metric = &report.args[0];
        assert_eq!((metric.long.as_str(), metric.multiple), ("metric", true));
        assert_eq!(metric.values, ["play", "view"]);
        assert_eq!(report.args[1].kind, "json");
        let table = cli_table(&spec).unwrap();
        assert!(table.contains("operation: \"create_data_report\""));
    }
}
