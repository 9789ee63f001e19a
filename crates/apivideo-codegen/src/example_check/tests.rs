//! The example validator on small schemas: good examples pass, each kind of
//! bad example is caught with a message naming the path.

use serde_json::{Value, json};

use super::{check, validate};
use crate::spec::Spec;

/// A spec with a few component schemas to point `$ref`s at.
fn spec() -> Spec {
    let text = r##"
openapi: 3.0.3
paths: {}
components:
  schemas:
    Base:
      type: object
      required: [id]
      properties:
        id: {type: string, pattern: '^vi[0-9A-Za-z]{3}$'}
        count: {type: integer, minimum: 0, maximum: 10}
    Video:
      allOf:
      - $ref: '#/components/schemas/Base'
      - type: object
        required: [status]
        properties:
          status: {type: string, enum: [waiting, encoded]}
          createdAt: {type: string, format: date-time}
          ratio: {type: number, nullable: true}
          tags: {type: array, maxItems: 2, items: {type: string}}
          public: {type: boolean}
          itemsTotal: {type: integer, readOnly: true}
    Free:
      type: object
      additionalProperties: {type: integer}
"##;
    Spec::parse(text).expect("the test spec parses")
}

fn problems(schema: Value, value: Value) -> Vec<String> {
    validate(&spec(), &schema, &value)
}

fn video(value: Value) -> Vec<String> {
    problems(json!({"$ref": "#/components/schemas/Video"}), value)
}

#[test]
fn a_good_example_through_ref_and_all_of_passes() {
    let good = json!({
        "id": "vi1aB", "count": 3, "status": "encoded",
        "createdAt": "2019-06-24T11:45:01.109Z", "ratio": null,
        "tags": ["a", "b"], "public": true
    });
    assert_eq!(video(good), Vec::<String>::new());
}

#[test]
fn json_types_are_told_apart() {
    let base = |field: &str, v: Value| {
        let mut ex = json!({"id": "vi1aB", "status": "waiting"});
        ex[field] = v;
        video(ex)
    };
    assert_eq!(
        base("count", json!(6.0)),
        ["at `count`: expected an integer, found the number 6.0"]
    );
    assert_eq!(
        base("count", json!("6")),
        ["at `count`: expected an integer, found the string \"6\""]
    );
    assert_eq!(
        base("public", json!("true")),
        ["at `public`: expected a boolean, found the string \"true\""]
    );
    assert_eq!(
        base("tags", json!("a")),
        ["at `tags`: expected an array, found the string \"a\""]
    );
    assert_eq!(
        base("ratio", json!(1)),
        Vec::<String>::new(),
        "an integer is a number"
    );
    assert_eq!(
        problems(json!({"type": "object"}), json!([])),
        ["expected an object, found an array"]
    );
}

#[test]
fn required_unknown_enum_and_nullable() {
    assert_eq!(
        video(json!({"id": "vi1aB"})),
        ["the required property `status` is missing"]
    );
    assert_eq!(
        video(json!({"id": "vi1aB", "status": "waiting", "colour": "red"})),
        ["`colour` is not a property the schema defines"]
    );
    assert_eq!(
        video(json!({"id": "vi1aB", "status": "done"})),
        ["at `status`: the string \"done\" is not one of the enum values \"waiting\", \"encoded\""]
    );
    assert_eq!(
        video(json!({"id": "vi1aB", "status": "waiting", "public": null})),
        ["at `public`: is null, but the schema is not `nullable: true`"]
    );
}

#[test]
fn formats_patterns_and_bounds() {
    let ex = json!({
        "id": "xx1", "count": 11, "status": "waiting",
        "createdAt": "2019-06-24T11:45:01.109+00", "tags": ["a", "b", "c"]
    });
    assert_eq!(
        video(ex),
        [
            "at `id`: the string \"xx1\" does not match the pattern `^vi[0-9A-Za-z]{3}$`",
            "at `count`: 11 is above the maximum (must be <= 10)",
            "at `createdAt`: the string \"2019-06-24T11:45:01.109+00\" is not an RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`)",
            "at `tags`: has 3 item(s), more than maxItems",
        ]
    );
    assert_eq!(
        problems(
            json!({"type": "integer", "minimum": 1, "exclusiveMinimum": true}),
            json!(1)
        ),
        ["1 is below the minimum (must be > 1)"]
    );
    assert_eq!(
        problems(json!({"type": "string", "maxLength": 2}), json!("abc")),
        ["the string \"abc\" is longer than maxLength"]
    );
}

#[test]
fn nested_paths_maps_and_compositions() {
    let list = json!({"type": "array", "items": {"$ref": "#/components/schemas/Video"}});
    assert_eq!(
        problems(
            list,
            json!([{"id": "vi1aB", "status": "waiting"}, {"id": "vi1aB", "status": 1}])
        ),
        ["at `[1].status`: expected a string, found the number 1"]
    );
    let free = json!({"$ref": "#/components/schemas/Free"});
    assert_eq!(
        problems(free.clone(), json!({"a": 1, "b": 2})),
        Vec::<String>::new()
    );
    assert_eq!(
        problems(free, json!({"a": "x"})),
        ["at `a`: expected an integer, found the string \"x\""]
    );
    let one_of = json!({"oneOf": [{"type": "integer"}, {"type": "number"}]});
    assert_eq!(
        problems(one_of.clone(), json!(1)),
        ["matches 2 of the `oneOf` schemas; exactly one must match"]
    );
    assert_eq!(problems(one_of.clone(), json!(1.5)), Vec::<String>::new());
    assert_eq!(
        problems(one_of, json!("x")),
        ["matches none of the `oneOf` schemas"]
    );
}

#[test]
fn the_walk_finds_every_kind_of_example() {
    let text = r##"
openapi: 3.0.3
paths:
  /videos:
    parameters:
    - {name: shared, in: query, schema: {type: integer}, example: one}
    get:
      operationId: list_videos
      parameters:
      - {name: pageSize, in: query, schema: {type: integer, maximum: 100}, example: 500}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Page'}
              example: {total: 1.5}
              examples:
                good: {value: {total: 1}}
                bad: {value: {total: -1}}
components:
  schemas:
    Page:
      type: object
      example: {total: true}
      properties:
        total: {type: integer, minimum: 0, example: x}
"##;
    let spec = Spec::parse(text).expect("parses");
    let mut out = Vec::new();
    check(&spec, &mut out);
    let got: Vec<String> = out
        .iter()
        .map(|f| format!("{} | {}", f.location, f.fix))
        .collect();
    let tail = "; change the example (or the schema) so that they agree";
    let want = [
        "operation list_videos (GET /videos) parameter `pageSize` | example: 500 is above the maximum (must be <= 100)",
        "operation list_videos (GET /videos) response 200 (application/json) | example at `total`: expected an integer, found the number 1.5",
        "operation list_videos (GET /videos) response 200 (application/json) | example `bad` at `total`: -1 is below the minimum (must be >= 0)",
        "path /videos parameter `shared` | example: expected an integer, found the string \"one\"",
        "schema Page | example at `total`: expected an integer, found the boolean true",
        "schema Page.total | example: expected an integer, found the string \"x\"",
    ]
    .map(|w| format!("{w}{tail}"));
    assert_eq!(got, want);
    assert!(out.iter().all(|f| f.rule == "example"));
}
