//! Checks of `openapi.yaml`: the lint rules, and the operation index the
//! crate exports for the SDK.

use apivideo_raw::spec::{OPERATIONS, handwritten_operations, paginated_operations};

#[test]
fn spec_passes_every_lint_rule() {
    let findings = apivideo_codegen::lint(&super::spec());
    let text: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert!(
        findings.is_empty(),
        "{} finding(s):\n{}",
        findings.len(),
        text.join("\n")
    );
}

#[test]
fn every_operation_has_id_summary_description_tag_and_error() {
    let spec = super::spec();
    for op in spec.operations() {
        let at = op.location();
        assert!(op.id.is_some(), "{at}: no operationId");
        for field in ["summary", "description"] {
            let text = op.text(field).unwrap_or_default();
            assert!(
                !text.trim().is_empty() && text != "TODO",
                "{at}: no {field}"
            );
        }
        assert!(
            op.tag().is_some_and(|t| spec.tags().iter().any(|d| d == t)),
            "{at}: no declared tag"
        );
        assert!(
            op.responses()
                .any(|(s, _)| s.starts_with('4') || s.starts_with('5')),
            "{at}: no error response"
        );
    }
}

#[test]
fn index_matches_the_spec_markers() {
    let spec = super::spec();
    assert_eq!(OPERATIONS.len(), spec.operations().len());
    for op in spec.operations() {
        let id = op.id.as_deref().expect("ids are checked above");
        let indexed = OPERATIONS.iter().find(|o| o.id == id).expect("indexed");
        assert_eq!(
            indexed.paginated,
            op.flag(apivideo_codegen::PAGINATED_EXT),
            "{id}"
        );
        assert_eq!(
            indexed.handwritten,
            op.flag(apivideo_codegen::HANDWRITTEN_EXT),
            "{id}"
        );
        assert_eq!(
            (indexed.method, indexed.path),
            (op.method.as_str(), op.path.as_str())
        );
    }
}

#[test]
fn handwritten_and_paginated_lists() {
    let mut handwritten: Vec<_> = handwritten_operations().collect();
    handwritten.sort_unstable();
    assert_eq!(
        handwritten,
        [
            "get_aggregated_metrics",
            "get_metrics_breakdown",
            "get_metrics_over_time",
            "list_discarded_videos",
            "list_video_sessions",
            "list_videos",
            "upload_caption",
            "upload_chapter",
            "upload_live_stream_thumbnail",
            "upload_player_logo",
            "upload_video",
            "upload_video_thumbnail",
            "upload_watermark",
            "upload_with_upload_token",
        ]
    );
    let paginated: Vec<_> = paginated_operations().collect();
    assert_eq!(paginated.len(), 16);
    // Lists, and the two analytics answers that come in pages.
    assert!(paginated.iter().all(|id| id.starts_with("list_")
        || ["get_metrics_breakdown", "get_metrics_over_time"].contains(id)));
}

/// The spec describes today's API field by field: parameters, request and
/// response fields, statuses, response headers and enum values (the lines
/// of `tests/api-fields.txt`, written by `cargo xtask api-fields` from the
/// API's facts). The `/data` analytics operations are counted once the
/// spec has them; until then their lines are left out.
#[test]
fn spec_covers_the_api_field_by_field() {
    use apivideo_codegen::api_fields::{api_fields, coverage};
    let spec = super::spec();
    let has_data = spec
        .operations()
        .iter()
        .any(|op| op.path.starts_with("/data/"));
    let expected: std::collections::BTreeSet<String> = include_str!("../api-fields.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| has_data || !l.contains(" /data/"))
        .map(str::to_owned)
        .collect();
    assert!(
        expected.len() > 2000,
        "{} lines: the list was cut",
        expected.len()
    );
    let actual = api_fields(&spec.root);
    let (missing, share) = coverage(&expected, &actual);
    // The digest lists Norwegian (`no`) as the boolean `false`, a YAML 1.1
    // reading of its source; the spec has `no`. Those lines are the only
    // ones allowed to miss.
    let unexplained: Vec<&String> = missing
        .iter()
        .filter(|l| !l.ends_with("enum request language = false"))
        .collect();
    assert!(
        share >= 0.99 && unexplained.is_empty(),
        "{:.2}% covered; missing:\n{}",
        share * 100.0,
        unexplained
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
