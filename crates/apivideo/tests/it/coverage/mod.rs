//! Every operation of the spec, called through the SDK against the
//! emulator, one module per tag of `openapi.yaml`. Each module runs a
//! realistic flow through its resource on its own emulator, calls each of
//! its operations at least once, checks each answer field by field against
//! what was sent, and fails when one of its operations was not called or
//! was never answered with a success. The test here fails when an
//! operation of the spec belongs to no module (or to two, or to the module
//! of another tag).

mod account;
mod analytics;
mod authentication;
mod captions;
mod chapters;
mod discarded;
mod live_streams;
mod players;
mod summaries;
mod tags;
mod upload_tokens;
mod videos;
mod watermarks;
mod webhooks;

use std::collections::{BTreeMap, BTreeSet};

use apivideo::types::Metadata;
use apivideo_emulator::Emulator;
use apivideo_raw::spec::OPERATIONS;

/// Each module's tag and the operations its test calls.
const MODULES: &[(&str, &[&str])] = &[
    (account::TAG, account::OPERATIONS),
    (analytics::TAG, analytics::OPERATIONS),
    (authentication::TAG, authentication::OPERATIONS),
    (captions::TAG, captions::OPERATIONS),
    (chapters::TAG, chapters::OPERATIONS),
    (discarded::TAG, discarded::OPERATIONS),
    (live_streams::TAG, live_streams::OPERATIONS),
    (players::TAG, players::OPERATIONS),
    (summaries::TAG, summaries::OPERATIONS),
    (tags::TAG, tags::OPERATIONS),
    (upload_tokens::TAG, upload_tokens::OPERATIONS),
    (videos::TAG, videos::OPERATIONS),
    (watermarks::TAG, watermarks::OPERATIONS),
    (webhooks::TAG, webhooks::OPERATIONS),
];

#[test]
fn every_operation_of_the_spec_is_covered_by_the_module_of_its_tag() {
    let spec: BTreeMap<&str, &str> = OPERATIONS.iter().map(|o| (o.id, o.tag)).collect();
    assert_eq!(spec.len(), 63, "the spec has 63 operations");

    let mut covered: BTreeMap<&str, &str> = BTreeMap::new();
    for &(tag, operations) in MODULES {
        for &id in operations {
            let earlier = covered.insert(id, tag);
            assert!(
                earlier.is_none(),
                "`{id}` is covered twice: {earlier:?}, {tag}"
            );
        }
    }
    let missing: Vec<_> = spec
        .keys()
        .filter(|id| !covered.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "operations no module covers: {missing:?}"
    );
    let unknown: Vec<_> = covered
        .keys()
        .filter(|id| !spec.contains_key(*id))
        .collect();
    assert!(
        unknown.is_empty(),
        "not operations of the spec: {unknown:?}"
    );
    let misplaced: Vec<_> = covered
        .iter()
        .filter(|(id, tag)| spec[*id] != **tag)
        .collect();
    assert!(
        misplaced.is_empty(),
        "covered by the module of another tag: {misplaced:?}"
    );
    assert_eq!(covered, spec);
}

/// The operations one module's test has called so far, out of those it
/// declares.
#[derive(Debug)]
struct Calls {
    declared: &'static [&'static str],
    called: BTreeSet<&'static str>,
}

impl Calls {
    /// No call yet, of the module's `declared` operations.
    fn new(declared: &'static [&'static str]) -> Self {
        Self {
            declared,
            called: BTreeSet::new(),
        }
    }

    /// Records a call of `id`, which must be one of the declared operations.
    fn called(&mut self, id: &'static str) {
        assert!(
            self.declared.contains(&id),
            "`{id}` is not among this module's operations {:?}",
            self.declared
        );
        self.called.insert(id);
    }

    /// Every declared operation was called, and the emulator answered each
    /// one with a success at least once.
    fn assert_all_called_and_answered(&self, emulator: &Emulator) {
        let declared: BTreeSet<&str> = self.declared.iter().copied().collect();
        let missing: Vec<_> = declared.difference(&self.called).collect();
        assert!(missing.is_empty(), "operations never called: {missing:?}");

        let stats = emulator.stats();
        let unanswered: Vec<_> = OPERATIONS
            .iter()
            .filter(|o| declared.contains(o.id))
            .filter(|o| {
                let route = format!("{} {}", o.method, o.path);
                !stats.responses.iter().any(|(key, n)| {
                    *n > 0
                        && key
                            .strip_prefix(&route)
                            .and_then(|status| status.trim().parse::<u16>().ok())
                            .is_some_and(|s| (200..300).contains(&s))
                })
            })
            .map(|o| o.id)
            .collect();
        assert!(
            unanswered.is_empty(),
            "never answered 2xx by the emulator: {unanswered:?}"
        );
    }
}

/// One metadata pair, as sent and as answered.
fn meta(key: &str, value: &str) -> Metadata {
    Metadata::new(key, value)
}
