//! The pipeline's error type. A bad spec is reported as a list of
//! violations, each naming the operation and the construct at fault.

use std::fmt;

/// One thing in the spec that the pipeline refuses to generate from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where: `operation list_videos (GET /videos)`, or a component path.
    pub location: String,
    /// What is wrong, and how to fix it.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Why the pipeline stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The spec file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file that was asked for.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The text is not YAML, or not an OpenAPI 3.0 document.
    #[error("the spec is not a valid OpenAPI 3.0 document: {0}")]
    Parse(String),
    /// The spec parses but uses constructs the generator cannot handle.
    #[error("the spec has {} problem(s):\n{}", .0.len(), render(.0))]
    Invalid(Vec<Violation>),
    /// progenitor itself failed.
    #[error("progenitor could not generate the client: {0}")]
    Generate(String),
    /// progenitor produced tokens that are not a Rust file.
    #[error("the generated code does not parse as Rust: {0}")]
    Syntax(String),
}

fn render(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| format!("  - {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}
