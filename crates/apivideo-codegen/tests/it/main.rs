//! Tests of the pipeline on small specs: what it rejects, with which message,
//! and what it takes out of generation.

mod pipeline;
mod validation;

/// A minimal valid spec with one extra YAML block spliced under `paths`
/// and `components.schemas`.
pub fn spec(paths: &str, schemas: &str) -> String {
    format!(
        r#"openapi: 3.0.3
info:
  title: test
  version: '1'
tags:
  - name: Things
paths:
{paths}
components:
  schemas:
    Problem:
      type: object
      properties:
        title:
          type: string
    Other:
      type: object
      properties:
        code:
          type: integer
    Thing:
      type: object
      properties:
        id:
          type: string
{schemas}
"#
    )
}

/// The violations of a spec the pipeline must reject.
pub fn violations(text: &str) -> Vec<String> {
    match apivideo_codegen::generate(text) {
        Err(apivideo_codegen::Error::Invalid(v)) => v.iter().map(ToString::to_string).collect(),
        Err(other) => panic!("expected violations, got another error: {other}"),
        Ok(_) => panic!("expected violations, the spec was accepted"),
    }
}
