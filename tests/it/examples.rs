//! Every example in `openapi.yaml` deserializes into its generated Rust type
//! and serializes back to an equal JSON value.

use serde_json::Value;

mod schema_roundtrip {
    include!(concat!(env!("OUT_DIR"), "/schema_roundtrip.rs"));
}

/// Numbers compare by value: `6` and `6.0` are the same JSON number for an
/// `f64` field.
fn normalize(value: &Value) -> Value {
    match value {
        Value::Number(n) => n.as_f64().map_or(value.clone(), |f| {
            serde_json::Number::from_f64(f).map_or(value.clone(), Value::Number)
        }),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

/// (where, schema name, example) for every example the spec holds on a
/// media type or on a component schema.
fn examples(spec: &apivideo_codegen::Spec) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    let mut media = |at: String, m: &Value| {
        let Some(name) = m
            .get("schema")
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
        else {
            return;
        };
        let name = name.trim_start_matches("#/components/schemas/").to_owned();
        if let Some(example) = m.get("example") {
            out.push((at.clone(), name.clone(), example.clone()));
        }
        for (key, ex) in m
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(v) = ex.get("value") {
                out.push((format!("{at} ({key})"), name.clone(), v.clone()));
            }
        }
    };
    for op in spec.operations() {
        let at = op.location();
        if let Some(body) = op.value.get("requestBody") {
            for m in body
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(_, m)| m)
            {
                media(format!("{at} request"), m);
            }
        }
        for (status, r) in op.responses() {
            let Some(r) = spec.deref(r) else { continue };
            for m in r
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(_, m)| m)
            {
                media(format!("{at} response {status}"), m);
            }
        }
    }
    for (name, schema) in spec
        .root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(example) = schema.get("example") {
            out.push((format!("schema {name}"), name.clone(), example.clone()));
        }
    }
    out
}

#[test]
fn every_example_round_trips_through_its_type() {
    let spec = super::spec();
    let all = examples(&spec);
    assert!(
        all.len() >= 38,
        "expected an example per success response, found {}",
        all.len()
    );
    let mut failures = Vec::new();
    for (at, schema, example) in &all {
        match schema_roundtrip::roundtrip(schema, example.clone()) {
            None => failures.push(format!("{at}: no generated type for schema {schema}")),
            Some(Err(e)) => failures.push(format!("{at}: does not deserialize as {schema}: {e}")),
            Some(Ok(back)) if normalize(&back) != normalize(example) => failures.push(format!(
                "{at}: {schema} does not serialize back to the example\n  example: {example}\n  back:    {back}"
            )),
            Some(Ok(_)) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} example(s) fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The check above can fail: a wrong type, a missing field and an unknown
/// schema are all caught.
#[test]
fn roundtrip_detects_bad_examples() {
    let bad_type = serde_json::json!({"videoId": 42});
    assert!(matches!(
        schema_roundtrip::roundtrip("Video", bad_type),
        Some(Err(_))
    ));
    let missing_required = serde_json::json!({"title": "no id"});
    assert!(matches!(
        schema_roundtrip::roundtrip("Video", missing_required),
        Some(Err(_))
    ));
    assert!(schema_roundtrip::roundtrip("NoSuchSchema", Value::Null).is_none());
}
