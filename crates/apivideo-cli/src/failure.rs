//! How a command fails, and the exit code and message for each way:
//! 1 when the API answered with an error (its problem document on
//! stderr, field by field) or the call failed, 2 on bad usage, 130 when
//! interrupted.

use std::fmt::Write as _;
use std::process::ExitCode;

/// Why a command did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The command line is wrong: exit code 2.
    Usage(String),
    /// The SDK failed: an error answer, or the call did not complete.
    Sdk(apivideo::Error),
    /// Anything else at run time (a local file, the terminal).
    Other(String),
    /// Ctrl-C; the message says how to pick up again.
    Interrupted(String),
}

impl From<apivideo::Error> for Failure {
    fn from(e: apivideo::Error) -> Self {
        match e {
            apivideo::Error::InvalidRequest(message) | apivideo::Error::Config(message) => {
                Failure::Usage(message)
            }
            other => Failure::Sdk(other),
        }
    }
}

impl Failure {
    /// Prints the failure on stderr and gives its exit code.
    pub(crate) fn report(&self) -> ExitCode {
        eprint!("{}", self.render());
        ExitCode::from(self.code())
    }

    pub(crate) fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Sdk(_) | Failure::Other(_) => 1,
            Failure::Interrupted(_) => 130,
        }
    }

    /// The text for stderr. An API error shows its status, then each field
    /// of the problem document, then each of `problems[]`.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        match self {
            Failure::Usage(message) => {
                let _ = writeln!(out, "error: {message}");
            }
            Failure::Other(message) => {
                let _ = writeln!(out, "error: {message}");
            }
            Failure::Interrupted(message) => {
                let _ = writeln!(out, "interrupted: {message}");
            }
            Failure::Sdk(apivideo::Error::Api(api)) => render_api(&mut out, api),
            Failure::Sdk(apivideo::Error::OutcomeUnknown(inner)) => {
                let _ = writeln!(out, "error: {self_}", self_ = chain(inner.as_ref()));
                let _ = writeln!(
                    out,
                    "  the request may or may not have taken effect: check before trying again"
                );
            }
            Failure::Sdk(e) => {
                let _ = writeln!(out, "error: {}", chain(e));
            }
        }
        out
    }
}

fn render_api(out: &mut String, api: &apivideo::ApiError) {
    let reason = api.status.canonical_reason().unwrap_or("");
    let _ = writeln!(
        out,
        "error: the API answered {} {reason}",
        api.status.as_u16()
    );
    if api.earlier_attempt_lost {
        let _ = writeln!(
            out,
            "  (an earlier attempt was sent and its answer lost: it may have taken effect)"
        );
    }
    let Some(problem) = &api.problem else {
        return;
    };
    for (field, value) in [
        ("title", &problem.title),
        ("detail", &problem.detail),
        ("name", &problem.name),
        ("type", &problem.type_),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            let _ = writeln!(out, "  {field}: {value}");
        }
    }
    for detail in &problem.problems {
        let title = detail.title.as_deref().unwrap_or("(no title)");
        match detail.name.as_deref().filter(|n| !n.is_empty()) {
            Some(name) => {
                let _ = writeln!(out, "  - {name}: {title}");
            }
            None => {
                let _ = writeln!(out, "  - {title}");
            }
        }
    }
}

/// The error and its causes, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}
