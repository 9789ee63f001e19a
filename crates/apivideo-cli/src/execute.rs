//! The one executor of the generated commands: turns a command's matches
//! into an untyped call of its operation (`apivideo::Client::untyped`),
//! through the SDK's engine, and prints the answer; with `--all`, every
//! page of a list, as each arrives.

use std::io::Read as _;

use apivideo::{MediaFile, UntypedCall};
use clap::ArgMatches;
use serde_json::{Map, Value};

use crate::failure::Failure;
use crate::output::Output;
use crate::table::{ArgSpec, CommandSpec};

/// The page parameter of every paginated list.
const PAGE: &str = "currentPage";

/// Runs a generated command.
pub(crate) async fn run(
    client: &apivideo::Client,
    spec: &CommandSpec,
    matches: &ArgMatches,
    out: &mut Output,
) -> Result<(), Failure> {
    let every_page = spec.paginated && matches.get_flag("all");
    let call = build(client, spec, matches, every_page).await?;
    if every_page {
        return all_pages(call, matches, out).await;
    }
    let answer = call.send().await?;
    out.answer(answer.status(), answer.as_ref())
}

/// The call, with every argument the user gave in its place (but the
/// page number when every page is asked for).
async fn build<'a>(
    client: &'a apivideo::Client,
    spec: &CommandSpec,
    matches: &ArgMatches,
    every_page: bool,
) -> Result<UntypedCall<'a>, Failure> {
    let mut call = client.untyped(spec.operation)?;
    if !spec.credentials {
        call = call.without_credentials();
    }
    let mut body = match matches.try_get_one::<String>("body").ok().flatten() {
        Some(text) => read_body(text)?,
        None => Map::new(),
    };
    let mut has_body = !body.is_empty();
    for arg in spec.args {
        let values: Vec<&String> = match matches.get_many::<String>(arg.id) {
            Some(values) => values.collect(),
            None => continue,
        };
        match arg.location {
            "path" => {
                call = call.path_param(arg.api_name, values[0].as_str());
            }
            "query" if arg.deep_object => {
                for value in values {
                    let (key, value) = pair(value)?;
                    call = call.query(format!("{}[{key}]", arg.api_name), value);
                }
            }
            "query" if every_page && arg.api_name == PAGE => {}
            "query" => {
                for value in values {
                    call = call.query(arg.api_name, value.as_str());
                }
            }
            "header" => {
                call = call.header(arg.api_name, values[0].as_str());
            }
            "field" => {
                for value in values {
                    call = call.field(arg.api_name, value.as_str());
                }
            }
            "file" => {
                for value in values {
                    call = call.file(arg.api_name, MediaFile::from_path(value).await?);
                }
            }
            _ => {
                body.insert(arg.api_name.to_owned(), json_value(arg, &values)?);
                has_body = true;
            }
        }
    }
    if spec.body == "json" && (has_body || spec.body_required) {
        call = call.json(Value::Object(body));
    }
    Ok(call)
}

/// `--body`: inline JSON, `@FILE`, or `-` for stdin; an object.
fn read_body(text: &str) -> Result<Map<String, Value>, Failure> {
    let content = if text == "-" {
        let mut content = String::new();
        std::io::stdin()
            .read_to_string(&mut content)
            .map_err(|e| Failure::Other(format!("cannot read the body from stdin: {e}")))?;
        content
    } else if let Some(path) = text.strip_prefix('@') {
        std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("cannot read the body from {path}: {e}")))?
    } else {
        text.to_owned()
    };
    match serde_json::from_str(&content) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::Usage("--body must be a JSON object".into())),
        Err(e) => Err(Failure::Usage(format!("--body is not JSON: {e}"))),
    }
}

fn pair(text: &str) -> Result<(&str, &str), Failure> {
    text.split_once('=')
        .ok_or_else(|| Failure::Usage(format!("expected KEY=VALUE, got `{text}`")))
}

/// A body property's JSON value from its option's values.
fn json_value(arg: &ArgSpec, values: &[&String]) -> Result<Value, Failure> {
    let one = |text: &str| -> Result<Value, Failure> {
        Ok(match arg.kind {
            "integer" | "number" | "boolean" | "json" => serde_json::from_str(text)
                .map_err(|e| Failure::Usage(format!("--{}: {e}", arg.long)))?,
            "pair" => {
                let (key, value) = pair(text)?;
                serde_json::json!({ "key": key, "value": value })
            }
            _ => Value::String(text.to_owned()),
        })
    };
    if arg.multiple {
        values
            .iter()
            .map(|v| one(v))
            .collect::<Result<_, _>>()
            .map(Value::Array)
    } else {
        one(values[0])
    }
}

/// Every page from the one asked for (or the first), streamed: rows, or
/// the items of one JSON array.
async fn all_pages(
    call: UntypedCall<'_>,
    matches: &ArgMatches,
    out: &mut Output,
) -> Result<(), Failure> {
    let mut page: u64 = matches
        .try_get_one::<String>(&format!("query:{PAGE}"))
        .ok()
        .flatten()
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    out.list_start()?;
    loop {
        let answer = call.clone().query(PAGE, page.to_string()).send().await?;
        let value: Value = serde_json::from_slice(answer.as_ref())
            .map_err(|e| Failure::Other(format!("the answer is not JSON: {e}")))?;
        let items = value
            .get("data")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        out.list_page(&items)?;
        let total = value
            .pointer("/pagination/pagesTotal")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if items.is_empty() || page >= total {
            break;
        }
        page += 1;
    }
    out.list_end()
}
