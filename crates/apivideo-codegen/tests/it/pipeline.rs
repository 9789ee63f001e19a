//! What the pipeline does with a valid spec: handwritten operations taken
//! out but listed, replacements honoured, sections and surface built.

use super::spec;

const UPLOAD: &str = r#"  /things/{id}/file:
    post:
      operationId: upload_thing
      x-rust-handwritten: true
      tags: [Things]
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
        '201':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
  /things:
    get:
      operationId: list_things
      x-paginated: true
      x-rust-handwritten: true
      tags: [Things]
      parameters:
        - name: metadata
          in: query
          style: deepObject
          explode: true
          schema:
            type: object
            additionalProperties:
              type: string
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
    post:
      operationId: create_thing
      tags: [Things]
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Thing'
      responses:
        '201':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'"#;

#[test]
fn multipart_and_deep_object_operations_are_handwritten() {
    let g = apivideo_codegen::generate(&spec(UPLOAD, "")).expect("valid");
    let reasons: Vec<(&str, &str)> = g
        .handwritten
        .iter()
        .map(|h| (h.operation_id.as_str(), h.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("upload_thing", "a multipart/form-data body"),
            ("list_things", "the deepObject query parameter `metadata`"),
        ]
    );
    assert!(!g.code.contains("fn upload_thing"));
    assert!(!g.code.contains("fn list_things"));
    assert!(g.code.contains("fn create_thing"));
}

#[test]
fn surface_lists_generated_and_handwritten_operations() {
    let g = apivideo_codegen::generate(&spec(UPLOAD, "")).expect("valid");
    let text = g.surface_text();
    assert_eq!(
        text,
        "# Things\n\
         create_thing  POST  /things            -> 201 Thing\n\
         list_things   GET   /things            -> 200 Thing  paginated, handwritten (the deepObject query parameter `metadata`)\n\
         upload_thing  POST  /things/{id}/file  -> 201 Thing  handwritten (a multipart/form-data body)\n"
    );
}

#[test]
fn replaced_schema_is_not_generated() {
    let schemas = r#"    Patch:
      x-rust-replace: patch::Patch
      type: object
      properties:
        a:
          type: string
          nullable: true"#;
    let paths = r#"  /things/{id}:
    patch:
      operationId: update_thing
      tags: [Things]
      parameters:
        - name: id
          in: path
          required: true
          schema:
            type: string
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Patch'
      responses:
        '204':
          description: ok"#;
    let g = apivideo_codegen::generate(&spec(paths, schemas)).expect("valid");
    assert!(g.code.contains("crate::patch::Patch"));
    assert!(!g.code.contains("pub struct Patch "));
}

#[test]
fn sections_split_by_tag() {
    let g = apivideo_codegen::generate(&spec(UPLOAD, "")).expect("valid");
    let names: Vec<&str> = g.sections.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"client"));
    assert!(names.contains(&"ops_things"));
    let ops = &g
        .sections
        .iter()
        .find(|s| s.name == "ops_things")
        .expect("ops")
        .code;
    assert!(ops.contains("pub trait ClientThingsExt"));
    assert!(ops.contains("pub struct CreateThing"));
}
