//! What a command prints on stdout, chosen by the answer's shape, never by
//! operation:
//! - with `--json`, the API's JSON as it came, one document per command
//!   (with `--all`, one array of every page's items, streamed);
//! - a list (`{data: [...], pagination}`) as a table of its items' scalar
//!   fields, or as a bar chart when each item is a label and one number
//!   (a time series or a breakdown);
//! - an object as `field: value` lines, nested fields dotted;
//! - no body as `done (STATUS)`.
//!
//! Fields that hold credentials (`access_token`, `refresh_token`, and any
//! name with `secret` or `apiKey`) are masked outside `--json`.

use std::io::Write;

use serde_json::Value;

use crate::failure::Failure;

/// Widest cell of a table before it is cut.
const CELL: usize = 40;
/// Most columns in a table.
const COLUMNS: usize = 6;
/// Width of the longest bar of a chart.
const BAR: usize = 40;

/// Where a command's results go.
pub(crate) struct Output {
    json: bool,
    stdout: std::io::Stdout,
    /// A streamed list: columns chosen on its first page, items so far.
    columns: Option<Vec<String>>,
    items: usize,
}

impl Output {
    pub(crate) fn new(json: bool) -> Self {
        Self {
            json,
            stdout: std::io::stdout(),
            columns: None,
            items: 0,
        }
    }

    fn write(&mut self, text: &str) -> Result<(), Failure> {
        let mut lock = self.stdout.lock();
        lock.write_all(text.as_bytes())
            .and_then(|()| lock.flush())
            .map_err(|e| Failure::Other(format!("cannot write to stdout: {e}")))
    }

    /// One answer of the API.
    pub(crate) fn answer(
        &mut self,
        status: impl std::fmt::Display,
        body: &[u8],
    ) -> Result<(), Failure> {
        if self.json {
            if body.is_empty() {
                return Ok(());
            }
            let mut text = String::from_utf8_lossy(body).into_owned();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            return self.write(&text);
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return self.write(&format!("done ({status})\n"));
        }
        let value: Value = match serde_json::from_slice(body) {
            Ok(value) => value,
            Err(_) => return self.write(&format!("{}\n", String::from_utf8_lossy(body))),
        };
        let text = human(&value);
        self.write(&text)
    }

    /// A value the SDK decoded (uploads), printed like an answer.
    pub(crate) fn value(&mut self, value: &Value) -> Result<(), Failure> {
        if self.json {
            return self.write(&format!("{value}\n"));
        }
        let text = human(value);
        self.write(&text)
    }

    /// Starts a list streamed page by page.
    pub(crate) fn list_start(&mut self) -> Result<(), Failure> {
        self.columns = None;
        self.items = 0;
        if self.json {
            self.write("[")?;
        }
        Ok(())
    }

    /// One page of a streamed list.
    pub(crate) fn list_page(&mut self, items: &[Value]) -> Result<(), Failure> {
        if self.json {
            let mut text = String::new();
            for item in items {
                text.push_str(if self.items == 0 { "\n  " } else { ",\n  " });
                text.push_str(&item.to_string());
                self.items += 1;
            }
            return self.write(&text);
        }
        if items.is_empty() {
            return Ok(());
        }
        let columns = self.columns.get_or_insert_with(|| columns(items)).clone();
        let header = self.items == 0;
        self.items += items.len();
        self.write(&table(&columns, items, header))
    }

    /// Ends a streamed list.
    pub(crate) fn list_end(&mut self) -> Result<(), Failure> {
        if self.json {
            return self.write(if self.items == 0 { "]\n" } else { "\n]\n" });
        }
        let n = self.items;
        self.write(&format!("{n} item{}\n", if n == 1 { "" } else { "s" }))
    }
}

/// The readable form of a JSON answer.
pub(crate) fn human(value: &Value) -> String {
    if let Some(items) = value.get("data").and_then(Value::as_array) {
        let mut text = if items.is_empty() {
            "no items\n".to_owned()
        } else if let Some(chart) = chart(items) {
            chart
        } else {
            table(&columns(items), items, true)
        };
        if let Some(p) = value.get("pagination") {
            let get = |k: &str| p.get(k).and_then(Value::as_u64).unwrap_or(0);
            let (page, pages, total) = (get("currentPage"), get("pagesTotal"), get("itemsTotal"));
            text.push_str(&format!(
                "page {page} of {pages}, {total} item{} in all",
                if total == 1 { "" } else { "s" }
            ));
            if pages > page {
                text.push_str(" (--all for every page)");
            }
            text.push('\n');
        }
        return text;
    }
    if let Some(items) = value.as_array()
        && let Some(chart) = chart(items)
    {
        return chart;
    }
    let mut lines = Vec::new();
    flatten("", value, &mut lines);
    let width = lines
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for (key, value) in lines {
        if key.is_empty() {
            text.push_str(&format!("{value}\n"));
        } else {
            text.push_str(&format!("{key:width$}  {value}\n"));
        }
    }
    text
}

fn secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(
        k.as_str(),
        "access_token" | "refresh_token" | "accesstoken" | "refreshtoken"
    ) || k.contains("secret")
        || k.contains("apikey")
        || k.contains("api_key")
}

const MASK: &str = "(hidden: --json shows it)";

/// Dotted `key: value` pairs of a value's scalar leaves.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let last = prefix.rsplit(['.', ']']).next().unwrap_or(prefix);
    if !prefix.is_empty() && secret(last) && !value.is_null() {
        out.push((prefix.to_owned(), MASK.to_owned()));
        return;
    }
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, v, out);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            if let Some(pairs) = key_values(items) {
                out.push((prefix.to_owned(), pairs));
                return;
            }
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), item, out);
            }
        }
        other => out.push((prefix.to_owned(), scalar(other))),
    }
}

/// `k=v, k2=v2` for a list of `{key, value}` objects.
fn key_values(items: &[Value]) -> Option<String> {
    items
        .iter()
        .map(|i| {
            let o = i.as_object()?;
            if o.len() != 2 {
                return None;
            }
            Some(format!(
                "{}={}",
                o.get("key")?.as_str()?,
                scalar(o.get("value")?)
            ))
        })
        .collect::<Option<Vec<_>>>()
        .map(|v| v.join(", "))
}

/// A scalar (or a list of scalars) as text.
fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        Value::Object(map) if map.is_empty() => "-".to_owned(),
        other => other.to_string(),
    }
}

fn is_scalar(value: &Value) -> bool {
    match value {
        Value::Object(_) => false,
        Value::Array(items) => items.iter().all(|i| !i.is_object() && !i.is_array()),
        _ => true,
    }
}

/// The table's columns: the first item's scalar fields, ids first, then
/// names and titles, then the others in the item's order; at most
/// [`COLUMNS`].
fn columns(items: &[Value]) -> Vec<String> {
    let Some(first) = items.first().and_then(Value::as_object) else {
        return Vec::new();
    };
    let rank = |key: &str| {
        if key == "id" || key.ends_with("Id") || key == "token" {
            0
        } else if matches!(key, "title" | "name" | "value" | "language" | "url") {
            1
        } else {
            2
        }
    };
    let mut keys: Vec<&String> = first
        .iter()
        .filter(|(_, v)| is_scalar(v))
        .map(|(k, _)| k)
        .collect();
    keys.sort_by_key(|k| rank(k));
    keys.into_iter().take(COLUMNS).cloned().collect()
}

fn cut(text: &str) -> String {
    let text = text.replace(['\n', '\t'], " ");
    if text.chars().count() <= CELL {
        text
    } else {
        let mut cut: String = text.chars().take(CELL - 1).collect();
        cut.push('…');
        cut
    }
}

/// Rows of `items` under `columns`; items that are not objects print as
/// they are.
fn table(columns: &[String], items: &[Value], header: bool) -> String {
    if columns.is_empty() {
        return items.iter().map(|i| format!("{}\n", scalar(i))).collect();
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| {
            columns
                .iter()
                .map(|c| match item.get(c) {
                    Some(v) if secret(c) && !v.is_null() => MASK.to_owned(),
                    Some(v) => cut(&scalar(v)),
                    None => "-".to_owned(),
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut line = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:w$}"))
            .collect::<Vec<_>>()
            .join("  ");
        line.truncate(line.trim_end().len());
        line.push('\n');
        line
    };
    let mut text = String::new();
    if header {
        text.push_str(&line(columns));
    }
    for row in &rows {
        text.push_str(&line(row));
    }
    text
}

/// A bar chart, when every item is an object with exactly one number and
/// at least one text (its label): a time series or a breakdown.
pub(crate) fn chart(items: &[Value]) -> Option<String> {
    let points: Vec<(String, f64, String)> = items
        .iter()
        .map(|item| {
            let o = item.as_object()?;
            let numbers: Vec<_> = o.iter().filter(|(_, v)| v.is_number()).collect();
            let [(_, number)] = numbers.as_slice() else {
                return None;
            };
            let label = o.iter().find_map(|(_, v)| v.as_str())?;
            Some((label.to_owned(), number.as_f64()?, number.to_string()))
        })
        .collect::<Option<_>>()?;
    if points.is_empty() {
        return None;
    }
    let max = points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
    let label_width = points
        .iter()
        .map(|p| p.0.chars().count())
        .max()
        .unwrap_or(0);
    let figure_width = points.iter().map(|p| p.2.len()).max().unwrap_or(0);
    let mut text = String::new();
    for (label, value, figure) in points {
        let len = if max > 0.0 {
            ((value.max(0.0) / max) * BAR as f64).round() as usize
        } else {
            0
        };
        let bar = "█".repeat(len);
        text.push_str(&format!(
            "{label:label_width$}  {figure:>figure_width$}  {bar}\n"
        ));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_series_of_labels_and_numbers_is_a_chart() {
        let items = [
            json!({"day": "2024-03-01", "value": 10}),
            json!({"day": "2024-03-02", "value": 20}),
        ];
        let text = chart(&items).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("2024-03-01  10  "));
        assert_eq!(lines[0].matches('█').count(), BAR / 2);
        assert_eq!(lines[1].matches('█').count(), BAR);
        // Two numbers per item: a table, not a chart.
        assert!(chart(&[json!({"day": "x", "a": 1, "b": 2})]).is_none());
    }

    #[test]
    fn an_object_is_dotted_lines_with_secrets_masked() {
        let text = human(&json!({
            "videoId": "vi1",
            "assets": {"player": "https://p"},
            "tags": ["a", "b"],
            "metadata": [{"key": "k", "value": "v"}],
            "access_token": "tok",
        }));
        assert!(text.contains("assets.player  https://p"));
        assert!(text.contains("tags           a, b"));
        assert!(text.contains("metadata       k=v"));
        assert!(!text.contains("tok\n"));
    }

    #[test]
    fn a_list_is_a_table_with_its_page() {
        let text = human(&json!({
            "data": [{"videoId": "vi1", "title": "One", "assets": {}}],
            "pagination": {"currentPage": 1, "pagesTotal": 2, "itemsTotal": 30},
        }));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "videoId  title");
        assert_eq!(lines[1], "vi1      One");
        assert!(lines[2].contains("page 1 of 2, 30 items in all (--all for every page)"));
    }
}
