//! The surface: one line per operation, generated or handwritten, with its
//! method, path, success type and marks. Reviewers read it first.

use crate::preprocess::Handwritten;
use crate::spec::{PAGINATED_EXT, Spec};

/// One operation as the surface snapshot lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurfaceEntry {
    /// Its tag.
    pub tag: String,
    /// Its operation id.
    pub operation_id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// The success status and the schema it returns (`()` for no body).
    pub success: String,
    /// Marked `x-paginated`.
    pub paginated: bool,
    /// Taken out of generation, with the reason.
    pub handwritten: Option<String>,
}

pub(crate) fn surface(spec: &Spec, handwritten: &[Handwritten]) -> Vec<SurfaceEntry> {
    let tags = spec.tags();
    let mut entries: Vec<SurfaceEntry> = spec
        .operations()
        .iter()
        .map(|op| {
            let id = op.id.clone().unwrap_or_default();
            let success = match spec.success(op) {
                Some((status, Some(schema))) => format!("{status} {schema}"),
                Some((status, None)) => format!("{status} ()"),
                None => "none".to_owned(),
            };
            SurfaceEntry {
                tag: op.tag().unwrap_or("").to_owned(),
                handwritten: handwritten
                    .iter()
                    .find(|h| h.operation_id == id)
                    .map(|h| h.reason.clone()),
                operation_id: id,
                method: op.method.clone(),
                path: op.path.clone(),
                success,
                paginated: op.flag(PAGINATED_EXT),
            }
        })
        .collect();
    let rank = |tag: &str| tags.iter().position(|t| t == tag).unwrap_or(usize::MAX);
    entries.sort_by(|a, b| (rank(&a.tag), &a.operation_id).cmp(&(rank(&b.tag), &b.operation_id)));
    entries
}

pub(crate) fn render(entries: &[SurfaceEntry]) -> String {
    let width = |f: fn(&SurfaceEntry) -> usize| entries.iter().map(f).max().unwrap_or(0);
    let (w_id, w_method, w_path, w_success) = (
        width(|e| e.operation_id.len()),
        width(|e| e.method.len()),
        width(|e| e.path.len()),
        width(|e| e.success.len()),
    );
    let mut out = String::new();
    let mut current_tag = None;
    for e in entries {
        if current_tag != Some(&e.tag) {
            if current_tag.is_some() {
                out.push('\n');
            }
            out.push_str(&format!("# {}\n", e.tag));
            current_tag = Some(&e.tag);
        }
        let mut marks = Vec::new();
        if e.paginated {
            marks.push("paginated".to_owned());
        }
        if let Some(reason) = &e.handwritten {
            marks.push(format!("handwritten ({reason})"));
        }
        let line = format!(
            "{:w_id$}  {:w_method$}  {:w_path$}  -> {:w_success$}  {}",
            e.operation_id,
            e.method,
            e.path,
            e.success,
            marks.join(", "),
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
