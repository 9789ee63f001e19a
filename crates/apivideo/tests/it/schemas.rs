//! The handwritten replacement body of `update_video` checked against
//! `openapi.yaml`, the source of truth, through serde: a field added on one
//! side only fails here. (The sort enums of the handwritten list
//! operations are generated from the spec, so they cannot drift.)

use std::collections::BTreeSet;

use apivideo::patch::{Patch, VideoUpdatePayload};
use apivideo::types::{
    Metadata, VideoCreationPayloadLanguage, VideoCreationPayloadTranscriptSummaryAttributesItem,
};
use serde::de::{DeserializeOwned, Visitor};
use serde_json::{Value, json};

/// `openapi.yaml` as JSON values.
fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.yaml");
    let text = std::fs::read_to_string(path).expect("openapi.yaml is readable");
    serde_yaml::from_str(&text).expect("openapi.yaml parses")
}

/// Follows a local `$ref` (`#/components/...`), if `value` is one.
fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("local reference");
            spec.pointer(pointer)
                .unwrap_or_else(|| panic!("{reference} does not resolve"))
        }
        None => value,
    }
}

/// Fails, naming both sides, unless the two sets are equal.
fn assert_same(what: &str, spec: &[String], rust: &[String]) {
    let spec: BTreeSet<&str> = spec.iter().map(String::as_str).collect();
    let rust: BTreeSet<&str> = rust.iter().map(String::as_str).collect();
    let only_spec: Vec<_> = spec.difference(&rust).collect();
    let only_rust: Vec<_> = rust.difference(&spec).collect();
    assert!(
        only_spec.is_empty() && only_rust.is_empty(),
        "{what}: only in openapi.yaml: {only_spec:?}; only in Rust: {only_rust:?}"
    );
}

/// A body with every field set. No `..Default::default()`: a field added
/// to the type stops this from compiling until it is set here too.
fn every_field_set() -> VideoUpdatePayload {
    VideoUpdatePayload {
        player_id: Patch::Set("pt4k0jvEUuaTdRAEjQ4Jfrgz".to_owned()),
        title: Some("A title".to_owned()),
        description: Some("A description".to_owned()),
        public: Some(true),
        panoramic: Some(false),
        mp4_support: Some(true),
        tags: Some(vec!["maths".to_owned()]),
        metadata: Some(vec![Metadata::new("Author", "John Doe")]),
        language: Patch::Set(VideoCreationPayloadLanguage::Fr),
        transcript: Some(true),
        transcript_summary: Some(true),
        transcript_summary_attributes: Some(vec![
            VideoCreationPayloadTranscriptSummaryAttributesItem::Abstract,
        ]),
    }
}

/// The field names serde knows for a struct, read from its `Deserialize`
/// impl (which lists them all, however they are skipped when serialized).
fn struct_fields<T: DeserializeOwned>() -> Vec<String> {
    use serde::de::Error as _;
    use serde::de::value::Error;

    struct Fields<'a>(&'a mut Vec<String>);

    impl<'de> serde::Deserializer<'de> for Fields<'_> {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Error> {
            self.0.extend(fields.iter().map(|f| (*f).to_owned()));
            Err(Error::custom("fields read"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    let mut fields = Vec::new();
    let _ = T::deserialize(Fields(&mut fields));
    fields
}

/// The `type` of a JSON value as OpenAPI names it.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[test]
fn video_update_payload_has_the_properties_of_the_spec_schema() {
    let spec = spec();
    let schema = &spec["components"]["schemas"]["VideoUpdatePayload"];
    let properties = schema["properties"]
        .as_object()
        .expect("VideoUpdatePayload has properties");
    let spec_names: Vec<String> = properties.keys().cloned().collect();

    let body = serde_json::to_value(every_field_set()).expect("serializes");
    let body = body.as_object().expect("an object");
    let sent: Vec<String> = body.keys().cloned().collect();
    assert_same("VideoUpdatePayload as sent", &spec_names, &sent);
    assert_same(
        "VideoUpdatePayload as read",
        &spec_names,
        &struct_fields::<VideoUpdatePayload>(),
    );

    for (name, value) in body {
        let property = resolve(&spec, &properties[name]);
        let expected = property["type"]
            .as_str()
            .unwrap_or_else(|| panic!("`{name}` has a type"));
        assert_eq!(
            json_type(value),
            expected,
            "`{name}` is sent as its spec type"
        );
    }
}

#[test]
fn only_the_nullable_properties_can_be_sent_as_null() {
    let spec = spec();
    let properties = spec["components"]["schemas"]["VideoUpdatePayload"]["properties"]
        .as_object()
        .expect("properties");
    assert_eq!(
        properties["playerId"]["nullable"],
        json!(true),
        "an explicit null removes the player"
    );

    let spec_nullable: Vec<String> = properties
        .iter()
        .filter(|(_, p)| p["nullable"] == json!(true))
        .map(|(name, _)| name.clone())
        .collect();
    // A field that reads `null` and sends it back is one that can clear.
    let rust_nullable: Vec<String> = struct_fields::<VideoUpdatePayload>()
        .into_iter()
        .filter(|name| {
            let Ok(body) =
                serde_json::from_value::<VideoUpdatePayload>(json!({ name.as_str(): null }))
            else {
                return false;
            };
            serde_json::to_value(&body)
                .expect("serializes")
                .get(name.as_str())
                == Some(&Value::Null)
        })
        .collect();
    assert_same(
        "VideoUpdatePayload nullable fields",
        &spec_nullable,
        &rust_nullable,
    );

    let clear = VideoUpdatePayload {
        player_id: Patch::Clear,
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(clear).expect("serializes"),
        json!({ "playerId": null })
    );
}
