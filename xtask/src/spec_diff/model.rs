//! What `spec-diff` reports: changes with two classifications (for a Rust
//! caller of the SDK and for an HTTP client of the API), grouped by
//! operation, by component schema, and for the document's security.

use std::collections::BTreeMap;
use std::fmt;

/// How a change affects one kind of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Class {
    /// Code written against the old version keeps working.
    Compatible,
    /// Code written against the old version may stop compiling or working.
    Breaking,
}

impl Class {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Class::Compatible => "compatible",
            Class::Breaking => "breaking",
        }
    }
}

/// Both classifications of one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// For code that calls the generated Rust SDK.
    pub(crate) rust: Class,
    /// For any client that speaks HTTP to the API.
    pub(crate) http: Class,
}

impl Verdict {
    pub(crate) const fn new(rust: Class, http: Class) -> Self {
        Verdict { rust, http }
    }

    /// The worse of two verdicts, audience by audience.
    pub(crate) fn worst(self, other: Verdict) -> Verdict {
        Verdict::new(self.rust.max(other.rust), self.http.max(other.http))
    }

    pub(crate) fn is_breaking(self) -> bool {
        self.rust == Class::Breaking || self.http == Class::Breaking
    }
}

/// Which way a value travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// From the client to the API: parameters and request bodies.
    Request,
    /// From the API to the client: response bodies.
    Response,
}

/// The directions a schema is used in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Usage {
    pub(crate) request: bool,
    pub(crate) response: bool,
}

impl Usage {
    pub(crate) const REQUEST: Usage = Usage {
        request: true,
        response: false,
    };
    pub(crate) const RESPONSE: Usage = Usage {
        request: false,
        response: true,
    };

    /// The verdict of `rule` in every direction of this usage, worst first;
    /// a schema no operation uses is judged in both directions.
    pub(crate) fn judge(self, rule: impl Fn(Direction) -> Verdict) -> Verdict {
        let both = !self.request && !self.response;
        let mut verdict: Option<Verdict> = None;
        for (used, dir) in [
            (self.request || both, Direction::Request),
            (self.response || both, Direction::Response),
        ] {
            if used {
                let v = rule(dir);
                verdict = Some(verdict.map_or(v, |w| w.worst(v)));
            }
        }
        verdict.unwrap_or(Verdict::new(Class::Compatible, Class::Compatible))
    }
}

/// One API change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    /// Where inside its group, e.g. ``request body `title` `` or
    /// `` parameter `pageSize` (query) ``; empty for the subject itself.
    pub(crate) at: String,
    /// What changed, e.g. `type string → integer`.
    pub(crate) what: String,
    pub(crate) verdict: Verdict,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            f.write_str(&self.what)
        } else {
            write!(f, "{}: {}", self.at, self.what)
        }
    }
}

/// What a group of changes is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Subject {
    /// An operation, by operationId (with its method and path in the new
    /// version, or the old one when it was removed).
    Operation {
        id: String,
        method: String,
        path: String,
    },
    /// A component schema.
    Schema { name: String },
    /// The document's default security and its security schemes.
    Security,
    /// A webhook event of `x-webhooks`, by name.
    Webhook { event: String },
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Operation { id, method, path } => {
                write!(f, "operation {id} ({method} {path})")
            }
            Subject::Schema { name } => write!(f, "schema {name}"),
            Subject::Security => f.write_str("security"),
            Subject::Webhook { event } => write!(f, "webhook {event}"),
        }
    }
}

/// The changes and the docs notes about one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub(crate) subject: Subject,
    /// Context for reviewers, e.g. where a schema is used.
    pub(crate) note: String,
    pub(crate) changes: Vec<Change>,
    /// Places whose description or example changed: not API changes.
    pub(crate) docs: Vec<String>,
}

/// Every change between two versions of the spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Report {
    groups: BTreeMap<Subject, Group>,
}

/// The counts shown on the summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Summary {
    /// Changes breaking for Rust callers, HTTP clients, or both.
    pub(crate) breaking: usize,
    /// Changes compatible for both.
    pub(crate) compatible: usize,
    pub(crate) breaking_rust: usize,
    pub(crate) breaking_http: usize,
    /// Places whose docs (descriptions, examples) changed.
    pub(crate) docs: usize,
}

impl Report {
    fn group(&mut self, subject: &Subject) -> &mut Group {
        self.groups.entry(subject.clone()).or_insert_with(|| Group {
            subject: subject.clone(),
            note: String::new(),
            changes: Vec::new(),
            docs: Vec::new(),
        })
    }

    pub(crate) fn change(
        &mut self,
        subject: &Subject,
        at: impl Into<String>,
        what: impl Into<String>,
        verdict: Verdict,
    ) {
        self.group(subject).changes.push(Change {
            at: at.into(),
            what: what.into(),
            verdict,
        });
    }

    pub(crate) fn docs(&mut self, subject: &Subject, place: impl Into<String>) {
        let place = place.into();
        let docs = &mut self.group(subject).docs;
        if !docs.contains(&place) {
            docs.push(place);
        }
    }

    /// Moves every change and docs note of `other` into this report.
    pub(crate) fn absorb(&mut self, other: Report) {
        for (subject, group) in other.groups {
            let mine = self.group(&subject);
            mine.changes.extend(group.changes);
            for place in group.docs {
                if !mine.docs.contains(&place) {
                    mine.docs.push(place);
                }
            }
        }
    }

    /// Sets the note of a group that has changes or docs notes.
    pub(crate) fn note(&mut self, subject: &Subject, note: String) {
        if let Some(g) = self.groups.get_mut(subject) {
            g.note = note;
        }
    }

    /// Groups in order: operations by id, schemas by name, then security.
    pub(crate) fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    pub(crate) fn changes(&self) -> impl Iterator<Item = (&Subject, &Change)> {
        self.groups
            .values()
            .flat_map(|g| g.changes.iter().map(move |c| (&g.subject, c)))
    }

    pub(crate) fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for (_, c) in self.changes() {
            if c.verdict.is_breaking() {
                s.breaking += 1;
            } else {
                s.compatible += 1;
            }
            s.breaking_rust += usize::from(c.verdict.rust == Class::Breaking);
            s.breaking_http += usize::from(c.verdict.http == Class::Breaking);
        }
        s.docs = self.groups.values().map(|g| g.docs.len()).sum();
        s
    }
}
