//! Counters that tests read to prove what a client did: requests per route
//! and status, and named events (upload parts received, webhooks sent…).

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// A snapshot of the counters since start (or the last reset).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Requests per route, keyed `"METHOD /route/{param}"`, e.g.
    /// `"POST /auth/api-key"`.
    pub requests: BTreeMap<String, u64>,
    /// Answers per route and status, keyed `"METHOD /route 429"`.
    pub responses: BTreeMap<String, u64>,
    /// Named events, e.g. `"upload.parts"`, `"webhook.delivered"`.
    pub events: BTreeMap<String, u64>,
    /// Routes in the order requests arrived (the first 100 000), to check
    /// what a client did before what.
    pub sequence: Vec<String>,
}

/// Most entries kept in [`Stats::sequence`].
const SEQUENCE_LIMIT: usize = 100_000;

impl Stats {
    /// Requests to `"METHOD /route"` so far.
    pub fn requests_to(&self, route: &str) -> u64 {
        self.requests.get(route).copied().unwrap_or(0)
    }

    /// How often the named event happened.
    pub fn event(&self, name: &str) -> u64 {
        self.events.get(name).copied().unwrap_or(0)
    }
}

/// The counters of the whole emulator, and the request and response
/// counters of each project (one entry per configured API key at most:
/// only requests with a valid credential are counted for a project).
#[derive(Debug, Default)]
pub(crate) struct Counters(Mutex<(Stats, BTreeMap<String, Stats>)>);

impl Counters {
    fn with<R>(&self, f: impl FnOnce(&mut Stats) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()).0)
    }

    /// Runs `f` on the whole emulator's stats and on `project`'s, if any.
    fn with_scoped(&self, project: Option<&str>, f: impl Fn(&mut Stats)) {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (all, projects) = &mut *guard;
        f(all);
        if let Some(project) = project {
            f(projects.entry(project.to_owned()).or_default());
        }
    }

    pub(crate) fn request(&self, route: &str, project: Option<&str>) {
        self.with_scoped(project, |s| {
            *s.requests.entry(route.to_owned()).or_default() += 1;
            if s.sequence.len() < SEQUENCE_LIMIT {
                s.sequence.push(route.to_owned());
            }
        });
    }

    pub(crate) fn response(&self, route: &str, status: u16, project: Option<&str>) {
        self.with_scoped(project, |s| {
            *s.responses.entry(format!("{route} {status}")).or_default() += 1;
        });
    }

    /// The requests, responses and events of one project since start or
    /// the last reset.
    pub(crate) fn project_snapshot(&self, project: &str) -> Stats {
        let guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        guard.1.get(project).cloned().unwrap_or_default()
    }

    /// Counts one occurrence of a named event, for the whole emulator and
    /// for the project it happened in.
    pub(crate) fn event(&self, name: &str, project: &str) {
        self.add(name, 1, Some(project));
    }

    /// Adds `n` to a named event counter, for the whole emulator and for
    /// `project` if the event is one project's.
    pub(crate) fn add(&self, name: &str, n: u64, project: Option<&str>) {
        self.with_scoped(project, |s| {
            *s.events.entry(name.to_owned()).or_default() += n;
        });
    }

    pub(crate) fn snapshot(&self) -> Stats {
        self.with(|s| s.clone())
    }

    pub(crate) fn reset(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Default::default();
    }
}
