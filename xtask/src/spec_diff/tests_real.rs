//! spec-diff on the real `openapi.yaml` against a copy with a few edits
//! applied to the parsed document: a realistic pull request.

use std::path::Path;

use apivideo_codegen::Spec;
use serde_json::{Value, json};

use super::diff;
use super::model::Class::{Breaking as B, Compatible as C};
use super::model::Subject;
use super::render::{Format, Versions, render};

fn real_spec() -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let text = std::fs::read_to_string(&path).expect("openapi.yaml is readable");
    Spec::parse(&text).expect("openapi.yaml parses")
}

fn at<'v>(root: &'v mut Value, pointer: &str) -> &'v mut Value {
    root.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("openapi.yaml has no {pointer}"))
}

/// The real spec with a required request property, a removed response
/// property, a new response enum value, a new optional parameter and two
/// docs edits.
fn edited(spec: &Spec) -> Spec {
    let mut root = spec.root.clone();
    let payload = at(&mut root, "/components/schemas/VideoCreationPayload");
    payload["properties"]["audioLanguage"] =
        json!({"type": "string", "description": "BCP 47 language of the audio track."});
    payload["required"]
        .as_array_mut()
        .expect("VideoCreationPayload lists required properties")
        .push(json!("audioLanguage"));
    at(&mut root, "/components/schemas/Video/properties")
        .as_object_mut()
        .expect("Video has properties")
        .remove("assets");
    at(
        &mut root,
        "/components/schemas/Quality/properties/status/enum",
    )
    .as_array_mut()
    .expect("Quality.status is an enum")
    .push(json!("archived"));
    at(&mut root, "/paths/~1videos/get/parameters")
        .as_array_mut()
        .expect("list_videos has parameters")
        .push(json!({
            "name": "playerId", "in": "query", "required": false,
            "schema": {"type": "string"},
            "description": "Only return the videos shown with this player."
        }));
    at(&mut root, "/paths/~1videos~1{videoId}/get")["description"] = json!("Returns one video.");
    *at(
        &mut root,
        "/paths/~1account/get/responses/200/content/application~1json/example/environment",
    ) = json!("sandbox");
    Spec::parse(&root.to_string()).expect("the edited spec parses")
}

#[test]
fn realistic_edits_are_classified() {
    let old = real_spec();
    let report = diff(&old, &edited(&old));
    let rows: Vec<(String, String, _, _)> = report
        .changes()
        .map(|(s, c)| (s.to_string(), c.to_string(), c.verdict.rust, c.verdict.http))
        .collect();
    let want = [
        (
            "operation list_videos (GET /videos)",
            "parameter `playerId` (query): added, optional",
            C,
            C,
        ),
        (
            "schema Quality",
            "`status`: enum values added: `archived`",
            C,
            C,
        ),
        ("schema Video", "`assets`: removed", B, B),
        (
            "schema VideoCreationPayload",
            "`audioLanguage`: added as a required property",
            B,
            B,
        ),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|&(s, c, r, h)| (s.to_owned(), c.to_owned(), r, h))
        .collect();
    assert_eq!(rows, want);
    let summary = report.summary();
    assert_eq!((summary.breaking, summary.compatible), (2, 2));
    assert_eq!((summary.breaking_rust, summary.breaking_http), (2, 2));
    let docs: Vec<(String, Vec<String>)> = report
        .groups()
        .filter(|g| !g.docs.is_empty())
        .map(|g| (g.subject.to_string(), g.docs.clone()))
        .collect();
    assert_eq!(
        docs,
        [
            (
                "operation get_account (GET /account)".to_owned(),
                vec!["example of response 200".to_owned()]
            ),
            (
                "operation get_video (GET /videos/{videoId})".to_owned(),
                vec!["description".to_owned()]
            ),
        ]
    );
    let video = Subject::Schema {
        name: "Video".into(),
    };
    let note = report
        .groups()
        .find(|g| g.subject == video)
        .map(|g| g.note.clone());
    assert_eq!(
        note.as_deref(),
        Some(
            "used in responses of `create_video`, `get_discarded_video`, `get_video`, `list_discarded_videos` (+7 more)"
        )
    );
}

#[test]
fn realistic_edits_render_in_every_format() {
    let old = real_spec();
    let report = diff(&old, &edited(&old));
    let versions = Versions {
        base: "`main` (1a2b3c4)".into(),
        head: "the working tree".into(),
    };
    let md = render(&report, &versions, Format::Markdown);
    assert!(
        md.starts_with("**API changes: 2 breaking, 2 compatible** (breaking for Rust callers: 2, for HTTP clients: 2; docs changed in 2 place(s))\n"),
        "{md}"
    );
    for line in [
        "#### `list_videos` (GET `/videos`)",
        "| parameter `playerId` (query): added, optional | compatible | compatible |",
        "| `assets`: removed | **breaking** | **breaking** |",
        "- `get_video` (GET `/videos/{videoId}`): description",
    ] {
        assert!(md.lines().any(|l| l == line), "no line {line:?} in\n{md}");
    }
    let text = render(&report, &versions, Format::Text);
    assert!(
        text.lines().any(|l| l
            == "    rust: compatible  http: compatible  `status`: enum values added: `archived`"),
        "{text}"
    );
    let json: Value = serde_json::from_str(&render(&report, &versions, Format::Json))
        .expect("the JSON output parses");
    assert_eq!(
        json["summary"],
        json!({"breaking": 2, "compatible": 2, "breaking_rust": 2, "breaking_http": 2, "docs": 2})
    );
    let quality = json["groups"]
        .as_array()
        .and_then(|groups| groups.iter().find(|g| g["name"] == "Quality"))
        .expect("a Quality group");
    assert_eq!(
        quality["changes"],
        json!([{"at": "`status`", "change": "enum values added: `archived`", "rust": "compatible", "http": "compatible"}])
    );
}

/// The spec compared with itself: nothing to report.
#[test]
fn the_real_spec_has_no_changes_against_itself() {
    let spec = real_spec();
    let report = diff(&spec, &spec);
    assert_eq!(report.changes().count(), 0);
    assert_eq!(report.summary().docs, 0);
}
