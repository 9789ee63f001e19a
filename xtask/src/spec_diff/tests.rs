//! spec-diff on pairs of small fixture specs, one pair per kind of change
//! (`xtask/fixtures/spec_diff/<case>/{old,new}.yaml`), each asserting the
//! exact changes and their two classifications.

use std::path::Path;

use apivideo_codegen::Spec;

use super::diff;
use super::model::Class::{self, Breaking as B, Compatible as C};
use super::model::{Report, Subject};
use super::render::{Format, Versions, render};

fn load(case: &str, which: &str) -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/spec_diff")
        .join(case)
        .join(format!("{which}.yaml"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Spec::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn report(case: &str) -> Report {
    diff(&load(case, "old"), &load(case, "new"))
}

/// (group, change, Rust, HTTP): the group is an operation id, a schema
/// name, or `security`.
type Row = (String, String, Class, Class);

fn rows(report: &Report) -> Vec<Row> {
    report
        .changes()
        .map(|(subject, c)| {
            let group = match subject {
                Subject::Operation { id, .. } => id.clone(),
                Subject::Schema { name } => name.clone(),
                Subject::Security => "security".to_owned(),
                Subject::Webhook { event } => format!("webhook {event}"),
            };
            (group, c.to_string(), c.verdict.rust, c.verdict.http)
        })
        .collect()
}

fn row(group: &str, change: &str, rust: Class, http: Class) -> Row {
    (group.to_owned(), change.to_owned(), rust, http)
}

/// The changes of one fixture pair, checked row by row.
fn check(case: &str, want: &[(&str, &str, Class, Class)]) {
    let want: Vec<Row> = want.iter().map(|&(g, c, r, h)| row(g, c, r, h)).collect();
    assert_eq!(rows(&report(case)), want, "fixture {case}");
}

#[test]
fn operations_added_and_removed() {
    check(
        "operations_added_removed",
        &[
            ("delete_video", "removed", B, B),
            ("get_video", "added", C, C),
        ],
    );
}

#[test]
fn route_changed() {
    check(
        "route_changed",
        &[
            (
                "get_video",
                "path `/videos/{videoId}` → `/v2/videos/{videoId}`",
                C,
                B,
            ),
            ("update_video", "method PUT → PATCH", C, B),
        ],
    );
}

#[test]
fn operation_renamed() {
    check(
        "operation_renamed",
        &[(
            "list_all_videos",
            "operationId `list_videos` renamed to `list_all_videos`",
            B,
            C,
        )],
    );
}

#[test]
fn tag_and_deprecation() {
    check(
        "operation_tag_and_deprecation",
        &[
            ("get_account", "tag `Account` → `Projects`", B, C),
            ("get_account", "deprecated", C, C),
        ],
    );
}

#[test]
fn parameter_added() {
    check(
        "parameter_added",
        &[
            (
                "list_videos",
                "parameter `tag` (query): added, optional",
                C,
                C,
            ),
            (
                "list_videos",
                "parameter `period` (query): added, required",
                B,
                B,
            ),
        ],
    );
}

#[test]
fn parameter_removed() {
    check(
        "parameter_removed",
        &[(
            "list_videos",
            "parameter `X-Legacy` (header): removed",
            B,
            C,
        )],
    );
}

#[test]
fn parameter_required_and_style() {
    check(
        "parameter_required_changed",
        &[
            (
                "list_sessions",
                "parameter `period` (query): made required",
                B,
                B,
            ),
            (
                "list_sessions",
                "parameter `pageSize` (query): made optional",
                C,
                C,
            ),
            (
                "list_sessions",
                "parameter `metadata` (query): serialization (`style`/`explode`) changed",
                B,
                B,
            ),
        ],
    );
}

#[test]
fn request_body_added_removed_required_media_type() {
    check(
        "request_body_changed",
        &[
            ("add_body", "request body: added, required", B, B),
            (
                "change_media_type",
                "request body: media types `application/json` → `application/x-www-form-urlencoded`",
                B,
                B,
            ),
            ("remove_body", "request body: removed", B, C),
            ("require_body", "request body: made required", B, B),
        ],
    );
}

#[test]
fn request_property_added() {
    check(
        "request_property_added",
        &[
            (
                "VideoCreationPayload",
                "`language`: added as a required property",
                B,
                B,
            ),
            (
                "VideoCreationPayload",
                "`panoramic`: added as an optional property",
                C,
                C,
            ),
        ],
    );
}

#[test]
fn request_property_removed() {
    check(
        "request_property_removed",
        &[("VideoCreationPayload", "`mp4Support`: removed", B, C)],
    );
}

#[test]
fn response_property_removed() {
    check(
        "response_property_removed",
        &[("Video", "`assets`: removed", B, B)],
    );
}

#[test]
fn response_property_added() {
    check(
        "response_property_added",
        &[
            ("Video", "`duration`: added as an optional property", C, C),
            ("Video", "`status`: added as a required property", C, C),
        ],
    );
}

/// Optional arrays are `Vec<T>` in Rust, so their `required` does not
/// change the Rust type; optional strings are `Option<String>`.
#[test]
fn property_required_changed() {
    check(
        "property_required_changed",
        &[
            ("Video", "`title`: made required", B, C),
            ("Video", "`tags`: made optional", C, B),
            ("VideoCreationPayload", "`title`: made optional", B, C),
            ("VideoCreationPayload", "`tags`: made required", B, B),
        ],
    );
}

#[test]
fn type_changed() {
    check(
        "type_changed",
        &[
            ("Video", "`size`: type integer → number", B, B),
            ("Video", "`name`: type string → integer", B, B),
            (
                "VideoCreationPayload",
                "`count`: type integer → number",
                B,
                C,
            ),
        ],
    );
}

#[test]
fn format_changed() {
    check(
        "format_changed",
        &[
            ("Video", "`createdAt`: format `date-time` added", B, C),
            ("Video", "`link`: format `uri` removed", B, B),
            ("VideoCreationPayload", "`source`: format `uri` added", B, B),
            ("VideoCreationPayload", "`link`: format `uri` removed", C, C),
        ],
    );
}

#[test]
fn enum_values_changed() {
    check(
        "enum_values_changed",
        &[
            (
                "get_video_status",
                "parameter `sortOrder` (query): enum values added: `random`",
                C,
                C,
            ),
            (
                "get_video_status",
                "parameter `sortOrder` (query): enum values removed: `desc`",
                B,
                B,
            ),
            (
                "get_video_status",
                "parameter `sortBy` (query): now restricted to the enum values `title`, `createdAt`",
                B,
                B,
            ),
            ("Quality", "`status`: enum values added: `archived`", C, C),
            ("Quality", "`status`: enum values removed: `failed`", B, C),
        ],
    );
}

#[test]
fn nullable_changed() {
    check(
        "nullable_changed",
        &[
            ("Video", "`city`: now nullable", C, B),
            ("Video", "`country`: now nullable", B, B),
            (
                "VideoCreationPayload",
                "`playerId`: no longer nullable",
                C,
                B,
            ),
        ],
    );
}

#[test]
fn default_changed() {
    check(
        "default_changed",
        &[
            ("Video", "`enabled`: default `false` removed", B, C),
            ("Video", "`ttl`: default `0` → `10`", C, C),
            (
                "VideoCreationPayload",
                "`public`: default `true` → `false`",
                B,
                B,
            ),
            (
                "VideoCreationPayload",
                "`record`: default `false` added",
                B,
                C,
            ),
        ],
    );
}

#[test]
fn constraints_changed() {
    check(
        "constraints_changed",
        &[
            (
                "create_video",
                "parameter `pageSize` (query): `maximum` 100 → 200",
                B,
                C,
            ),
            ("Video", "`name`: `maxLength` 100 → 200", B, B),
            ("Video", "`tags`: `maxItems` 10 → 5", C, C),
            ("VideoCreationPayload", "`name`: `maxLength` 100 → 50", B, B),
            (
                "VideoCreationPayload",
                "`code`: `pattern` `^[a-z]+$` added",
                B,
                B,
            ),
        ],
    );
}

/// An operation that stops requiring authentication serves a caller that
/// still sends its old credential: nothing breaks.
#[test]
fn auth_no_longer_required() {
    check(
        "auth_no_longer_required",
        &[
            (
                "authenticate",
                "security: `basicAuth` no longer needed",
                C,
                C,
            ),
            (
                "authenticate",
                "security: `bearerAuth` no longer needed",
                C,
                C,
            ),
            (
                "authenticate",
                "security: authentication no longer required",
                C,
                C,
            ),
        ],
    );
}

#[test]
fn security_changed() {
    check(
        "security_changed",
        &[
            (
                "upload_with_upload_token",
                "security: authentication now required",
                B,
                B,
            ),
            (
                "upload_with_upload_token",
                "security: `bearerAuth` now accepted",
                C,
                C,
            ),
            (
                "security",
                "default security: `basicAuth` no longer accepted",
                B,
                B,
            ),
            (
                "security",
                "scheme `bearerAuth`: `bearerFormat` changed",
                B,
                B,
            ),
            ("security", "scheme `basicAuth`: removed", B, B),
        ],
    );
}

#[test]
fn pagination_and_handwritten_markers() {
    check(
        "markers_changed",
        &[
            ("list_upload_tokens", "now paginated (`x-paginated`)", C, C),
            ("list_videos", "no longer paginated (`x-paginated`)", B, C),
            (
                "upload_video",
                "now handwritten (`x-rust-handwritten`)",
                B,
                C,
            ),
        ],
    );
}

/// A component used in requests and in responses gets the worse verdict of
/// the two directions, audience by audience.
#[test]
fn schema_used_both_ways() {
    check(
        "schema_used_both_ways",
        &[
            ("Metadata", "`key`: now nullable", C, B),
            ("Metadata", "`kind`: enum values added: `date`", C, C),
        ],
    );
}

#[test]
fn responses_changed() {
    check(
        "responses_changed",
        &[
            ("create_video", "success status 200 → 201", C, B),
            ("create_video", "response 429: removed", C, C),
            ("create_video", "response 404: added", C, C),
            ("delete_video", "success status 204 → 200", C, B),
            ("delete_video", "response 200: body added", B, C),
            ("get_video", "response 200: body removed", B, B),
        ],
    );
}

#[test]
fn type_renamed() {
    check(
        "type_renamed",
        &[
            (
                "get_video",
                "response 200: type `Video` replaced by `VideoV2`",
                B,
                C,
            ),
            (
                "get_video",
                "response 200 `duration`: added as an optional property",
                C,
                C,
            ),
            ("Video", "removed", B, C),
            ("VideoV2", "added", C, C),
        ],
    );
}

/// `$ref` indirection and reordered keys are no change; descriptions,
/// summaries and examples are docs notes only.
#[test]
fn refs_key_order_and_docs_are_not_api_changes() {
    let report = report("docs_and_refs_only");
    assert_eq!(rows(&report), Vec::<Row>::new());
    let docs: Vec<(String, Vec<String>)> = report
        .groups()
        .map(|g| (g.subject.to_string(), g.docs.clone()))
        .collect();
    let want = [
        (
            "operation create_webhook (POST /webhooks)",
            vec![
                "summary",
                "description of request body",
                "example of request body",
            ],
        ),
        (
            "schema Webhook",
            vec!["description", "example of `webhookId`"],
        ),
    ];
    let want: Vec<(String, Vec<String>)> = want
        .iter()
        .map(|(s, d)| (s.to_string(), d.iter().map(ToString::to_string).collect()))
        .collect();
    assert_eq!(docs, want);
    assert_eq!(report.summary().docs, 5);
}

#[test]
fn identical_specs_have_no_changes() {
    let spec = load("type_renamed", "old");
    assert_eq!(diff(&spec, &spec), Report::default());
}

#[test]
fn markdown_and_text_output() {
    let report = report("schema_used_both_ways");
    let versions = Versions {
        base: "`main` (1a2b3c4)".into(),
        head: "the working tree".into(),
    };
    let md = "\
**API changes: 1 breaking, 1 compatible** (breaking for Rust callers: 0, for HTTP clients: 1)

`openapi.yaml` from `main` (1a2b3c4) to the working tree.

### Schemas

#### `Metadata`

Used in requests of `create_video` and responses of `create_video`

| change | Rust callers | HTTP clients |
| --- | --- | --- |
| `key`: now nullable | compatible | **breaking** |
| `kind`: enum values added: `date` | compatible | compatible |
";
    assert_eq!(render(&report, &versions, Format::Markdown), md);
    let text = "\
API changes: 1 breaking, 1 compatible (breaking for Rust callers: 0, for HTTP clients: 1)
openapi.yaml from `main` (1a2b3c4) to the working tree

schema Metadata, used in requests of `create_video` and responses of `create_video`
  ! rust: compatible  http: breaking    `key`: now nullable
    rust: compatible  http: compatible  `kind`: enum values added: `date`
";
    assert_eq!(render(&report, &versions, Format::Text), text);
}

#[test]
fn no_changes_but_docs() {
    let report = report("docs_and_refs_only");
    let versions = Versions {
        base: "`HEAD` (1a2b3c4)".into(),
        head: "the working tree".into(),
    };
    let md = "\
**No API changes** in `openapi.yaml` between `HEAD` (1a2b3c4) and the working tree.

### Docs changed

Not API changes: descriptions and examples.

- `create_webhook` (POST `/webhooks`): summary; description of request body; example of request body
- `Webhook`: description; example of `webhookId`
";
    assert_eq!(render(&report, &versions, Format::Markdown), md);
}

#[test]
fn response_headers_and_webhook_events() {
    check(
        "headers_and_webhooks",
        &[
            ("list_videos", "response 200: header `x-old` removed", C, B),
            (
                "list_videos",
                "responses 200, 404: header `x-new` added",
                C,
                C,
            ),
            ("Encoded", "`quality`: added as an optional property", C, C),
            ("Recorded", "added", C, C),
            ("Started", "removed", B, C),
            ("webhook live.started", "removed", B, B),
            ("webhook video.recorded", "added", C, C),
        ],
    );
    // A webhook's body is judged as a response, and says whose it is.
    let versions = Versions {
        base: "a".into(),
        head: "b".into(),
    };
    let text = render(&report("headers_and_webhooks"), &versions, Format::Text);
    assert!(
        text.contains("schema Encoded, used in responses of `webhook video.encoded`"),
        "{text}"
    );
}
