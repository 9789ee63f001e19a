//! Each construct progenitor would panic on or mangle is rejected with a
//! message naming the operation and the construct.

use super::{spec, violations};

const GET_THING: &str = r#"  /things/{id}:
    get:
      operationId: get_thing
      tags: [Things]
      parameters:
        - name: id
          in: path
          required: true
          schema:
            type: string
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
        '404':
          description: missing
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Problem'"#;

#[test]
fn a_valid_spec_generates() {
    let g = apivideo_codegen::generate(&spec(GET_THING, "")).expect("valid");
    assert!(g.code.contains("fn get_thing"));
    assert_eq!(g.surface.len(), 1);
    assert!(g.handwritten.is_empty());
}

#[test]
fn several_error_schemas_on_one_operation() {
    let paths = GET_THING.to_owned()
        + r#"
        '500':
          description: broken
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Other'"#;
    assert_eq!(
        violations(&spec(&paths, "")),
        [
            "operation get_thing (GET /things/{id}): error responses use several schemas \
          (500 uses Other; 404 uses Problem); use one shared problem schema"
        ]
    );
}

#[test]
fn object_typed_query_parameter() {
    let paths = r#"  /things:
    get:
      operationId: list_things
      parameters:
        - name: filter
          in: query
          schema:
            type: object
            properties:
              a:
                type: string
      responses:
        '204':
          description: ok"#;
    assert_eq!(
        violations(&spec(paths, "")),
        [
            "operation list_things (GET /things): query parameter `filter` is an object; progenitor \
          cannot encode it (use style: deepObject and mark the operation x-rust-handwritten)"
        ]
    );
}

#[test]
fn missing_operation_id() {
    let paths = r#"  /things:
    get:
      responses:
        '204':
          description: ok"#;
    assert_eq!(
        violations(&spec(paths, "")),
        ["operation GET /things: operation has no operationId"]
    );
}

#[test]
fn duplicate_operation_ids() {
    let paths = r#"  /a:
    get:
      operationId: same
      responses:
        '204':
          description: ok
  /b:
    get:
      operationId: same
      responses:
        '204':
          description: ok"#;
    assert_eq!(
        violations(&spec(paths, "")),
        ["operation same (GET /b): operationId `same` is also used by GET /a; ids must be unique"]
    );
}

#[test]
fn unknown_ref_in_an_operation() {
    let paths = GET_THING.replace("schemas/Thing'", "schemas/Nothing'");
    assert_eq!(
        violations(&spec(&paths, "")),
        [
            "operation get_thing (GET /things/{id}) at responses/200/content/application~1json/schema: \
          $ref `#/components/schemas/Nothing` points to nothing"
        ]
    );
}

#[test]
fn unknown_ref_in_a_component() {
    let schemas = r#"    Broken:
      type: object
      properties:
        inner:
          $ref: '#/components/schemas/Gone'"#;
    assert_eq!(
        violations(&spec(GET_THING, schemas)),
        [
            "components.schemas.Broken.properties.inner: $ref `#/components/schemas/Gone` points to nothing"
        ]
    );
}

#[test]
fn unmarked_multipart_operation() {
    let paths = r#"  /things/{id}/file:
    post:
      operationId: upload_thing
      parameters:
        - name: id
          in: path
          required: true
          schema:
            type: string
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file:
                  type: string
                  format: binary
      responses:
        '204':
          description: ok"#;
    assert_eq!(
        violations(&spec(paths, "")),
        [
            "operation upload_thing (POST /things/{id}/file): a multipart/form-data body cannot be \
          generated; mark the operation `x-rust-handwritten: true`"
        ]
    );
}

#[test]
fn several_request_media_types() {
    let paths = r#"  /things:
    post:
      operationId: create_thing
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Thing'
          application/xml:
            schema:
              $ref: '#/components/schemas/Thing'
      responses:
        '204':
          description: ok"#;
    assert_eq!(
        violations(&spec(paths, "")),
        [
            "operation create_thing (POST /things): request body has several media types \
          (application/json, application/xml); progenitor takes exactly one"
        ]
    );
}

#[test]
fn optional_path_parameter() {
    let paths = GET_THING.replace("required: true", "required: false");
    assert_eq!(
        violations(&spec(&paths, "")),
        ["operation get_thing (GET /things/{id}): path parameter `id` must be required: true"]
    );
}

#[test]
fn unsupported_openapi_version() {
    let text = spec(GET_THING, "").replace("openapi: 3.0.3", "openapi: 3.1.0");
    assert_eq!(
        violations(&text),
        ["openapi: version `3.1.0` is not supported; progenitor reads OpenAPI 3.0.x"]
    );
}

#[test]
fn every_violation_is_reported_at_once() {
    let paths = r#"  /a:
    get:
      responses:
        '204':
          description: ok
  /b:
    get:
      operationId: b
      parameters:
        - name: q
          in: query
          schema:
            type: object
      responses:
        '204':
          description: ok"#;
    assert_eq!(violations(&spec(paths, "")).len(), 2);
}

#[test]
fn text_that_is_not_yaml() {
    let err = apivideo_codegen::generate("openapi: [unclosed").expect_err("rejected");
    assert!(matches!(err, apivideo_codegen::Error::Parse(_)), "{err}");
}

#[test]
fn error_message_lists_the_violations() {
    let paths = r#"  /things:
    get:
      responses:
        '204':
          description: ok"#;
    let err = apivideo_codegen::generate(&spec(paths, "")).expect_err("rejected");
    assert_eq!(
        err.to_string(),
        "the spec has 1 problem(s):\n  - operation GET /things: operation has no operationId"
    );
}
