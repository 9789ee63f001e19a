//! Validation of JSON bodies beyond what the types say: every problem is
//! reported at once, with the API's wording.

use serde_json::{Map, Value};

use crate::problem::{ApiError, ApiResult, Invalid};

type Date = chrono::DateTime<chrono::Utc>;

fn object(body: &Value) -> ApiResult<&Map<String, Value>> {
    body.as_object()
        .ok_or_else(|| ApiError::attribute("", "The request body must be a JSON object."))
}

/// Checks a `create_video` body; returns it without `null` attributes
/// (which mean "the default") and its `publishedAt`, if any.
pub(super) fn creation(body: Value) -> ApiResult<(Value, Option<Date>)> {
    let mut map = object(&body)?.clone();
    map.retain(|_, v| !v.is_null());
    let mut problems = Vec::new();
    match map.get("title") {
        None => problems.push(Invalid::required("title")),
        Some(title) => check_title(title, &mut problems),
    }
    let published_at = check_common(&map, &mut problems);
    finish(problems)?;
    Ok((Value::Object(map), published_at))
}

/// Checks an `update_video` body; returns its `publishedAt`, if any.
pub(super) fn update(body: &Value) -> ApiResult<Option<Date>> {
    let map = object(body)?;
    let mut problems = Vec::new();
    if let Some(title) = map.get("title").filter(|t| !t.is_null()) {
        check_title(title, &mut problems);
    }
    let published_at = check_common(map, &mut problems);
    finish(problems)?;
    Ok(published_at)
}

fn finish(problems: Vec<Invalid>) -> ApiResult<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(problems))
    }
}

fn check_title(title: &Value, problems: &mut Vec<Invalid>) {
    match title.as_str() {
        None => problems.push(Invalid::attribute(
            "title",
            "This attribute must be a string.",
        )),
        Some(t) if t.trim().is_empty() => problems.push(Invalid::attribute(
            "title",
            "This attribute must not be blank.",
        )),
        Some(_) => {}
    }
}

/// Checks the optional attributes shared by creation and update.
fn check_common(map: &Map<String, Value>, problems: &mut Vec<Invalid>) -> Option<Date> {
    let present = |name: &str| map.get(name).filter(|v| !v.is_null());
    for name in ["description", "source", "playerId"] {
        if present(name).is_some_and(|v| !v.is_string()) {
            problems.push(Invalid::attribute(name, "This attribute must be a string."));
        }
    }
    for name in ["public", "panoramic", "mp4Support"] {
        if present(name).is_some_and(|v| !v.is_boolean()) {
            problems.push(Invalid::attribute(
                name,
                "This attribute must be a boolean.",
            ));
        }
    }
    if let Some(tags) = present("tags") {
        match tags.as_array() {
            None => problems.push(Invalid::attribute(
                "tags",
                "This attribute must be an array.",
            )),
            Some(items) if !items.iter().all(Value::is_string) => problems.push(
                Invalid::attribute("tags", "This attribute must be an array of strings."),
            ),
            Some(_) => {}
        }
    }
    if let Some(metadata) = present("metadata") {
        match metadata.as_array() {
            None => problems.push(Invalid::attribute(
                "metadata",
                "This attribute must be an array.",
            )),
            Some(items) if !items.iter().all(is_pair) => problems.push(Invalid::attribute(
                "metadata",
                "This attribute must be an array of objects with a string `key` and `value`.",
            )),
            Some(_) => {}
        }
    }
    let published_at = present("publishedAt")?;
    let date = published_at.as_str().and_then(parse_date);
    if date.is_none() {
        problems.push(Invalid::attribute(
            "publishedAt",
            "This attribute must be a ISO-8601 date.",
        ));
    }
    date
}

fn is_pair(item: &Value) -> bool {
    item.get("key").is_some_and(Value::is_string) && item.get("value").is_some_and(Value::is_string)
}

/// An RFC 3339 date-time, or one without offset taken as UTC.
fn parse_date(s: &str) -> Option<Date> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&chrono::Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|d| d.and_utc())
        })
}

/// The `timecode` of `pick_video_thumbnail`, checked against the spec's
/// `pattern` with JSON Schema semantics (through the generated type):
/// a pattern is not anchored, so `00:00:01.000`, which the reference's
/// own example sends, is valid.
pub(super) fn timecode(body: &Value) -> ApiResult<String> {
    let value = object(body)?
        .get("timecode")
        .filter(|v| !v.is_null())
        .ok_or_else(|| ApiError::invalid(vec![Invalid::required("timecode")]))?;
    value
        .as_str()
        .filter(|t| is_timecode(t))
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::attribute(
                "timecode",
                "This attribute must be a timecode such as `00:01:30` or `00:01:30.25`.",
            )
        })
}

fn is_timecode(t: &str) -> bool {
    t.parse::<apivideo_raw::types::VideoThumbnailPickPayloadTimecode>()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timecodes() {
        // JSON Schema patterns are not anchored: the pattern needs to be
        // found, not to span the value.
        for ok in [
            "00:00:00",
            "01:59:59",
            "00:00:01.25",
            "99:00:00",
            "00:00:01.000",
            "00:00:01.5",
            "x00:00:01",
        ] {
            assert!(is_timecode(ok), "{ok}");
        }
        for bad in ["0:00:00", "00:00", "00-00-01", ""] {
            assert!(!is_timecode(bad), "{bad}");
        }
    }

    #[test]
    fn every_problem_is_listed() {
        let err = creation(serde_json::json!({
            "tags": "a", "public": "yes", "publishedAt": "yesterday"
        }))
        .unwrap_err();
        let names: Vec<_> = err
            .problem
            .problems
            .iter()
            .map(|p| p.name.clone().unwrap_or_default())
            .collect();
        assert_eq!(names, ["title", "public", "tags", "publishedAt"]);
    }
}
