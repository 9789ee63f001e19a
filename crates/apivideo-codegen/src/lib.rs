//! The codegen pipeline for the api.video SDK, as one library function.
//!
//! [`generate`] runs load → validate → preprocess → progenitor → the SDK
//! layer (`send` returning the SDK's error, pagination impls) → prettyplease.
//! `build.rs`, the snapshot tests and `cargo xtask` all call it, so a snapshot
//! pins exactly what gets compiled. [`cli::cli_table_file`] derives the
//! command line's command tree from the same spec, for the CLI's build script.
#![forbid(unsafe_code)]

pub mod api_fields;
mod checks;
pub mod cli;
mod error;
mod example_check;
mod index;
mod preprocess;
pub(crate) mod progenitor;
mod sdk_layer;
mod spec;
mod split;
mod surface;
mod validate;

pub use checks::{Finding, lint};
pub use error::{Error, Violation};
pub use preprocess::Handwritten;
pub use spec::{HANDWRITTEN_EXT, IDEMPOTENT_EXT, Operation, PAGINATED_EXT, Spec};
pub use split::Section;
pub use surface::SurfaceEntry;

use std::path::Path;

/// Everything one run of the pipeline produces.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The whole generated client, formatted, ready to `include!`.
    pub code: String,
    /// One entry per operation in the spec, generated or handwritten.
    pub surface: Vec<SurfaceEntry>,
    /// The operations taken out of generation, with the reason.
    pub handwritten: Vec<Handwritten>,
    /// The generated code split into small reviewable sections.
    pub sections: Vec<Section>,
    /// `OPERATIONS`, the index of every operation and its marks.
    pub operations_index: String,
    /// A `roundtrip(schema, value)` dispatcher over every component schema.
    pub schema_roundtrip: String,
    /// The `Paginated` impls of the generated list builders.
    pub paginated: String,
}

impl Generated {
    /// The surface as text, one line per operation: what reviewers read first.
    pub fn surface_text(&self) -> String {
        surface::render(&self.surface)
    }
}

/// Runs the pipeline on the OpenAPI document at `path`.
pub fn generate_file(path: &Path) -> Result<Generated, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    generate(&text)
}

/// Runs the pipeline on an OpenAPI document given as YAML (or JSON) text.
pub fn generate(spec_text: &str) -> Result<Generated, Error> {
    let spec = Spec::parse(spec_text)?;
    let violations = validate::validate(&spec);
    if !violations.is_empty() {
        return Err(Error::Invalid(violations));
    }
    let (trimmed, handwritten) = preprocess::preprocess(&spec)?;
    let tokens = progenitor::generate_tokens(&trimmed, &spec.replacements())?;
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| Error::Syntax(e.to_string()))?;
    sdk_layer::rewrite_sends(&mut file)?;
    sdk_layer::forward_compatible_enums(&mut file)?;
    sdk_layer::plain_setters(&mut file)?;
    let code = prettyplease::unparse(&file);
    let sections = split::split(&file, &spec);
    let surface = surface::surface(&spec, &handwritten);
    Ok(Generated {
        code,
        surface,
        operations_index: index::operations_index(&spec, &handwritten),
        schema_roundtrip: index::schema_roundtrip(&spec),
        paginated: sdk_layer::paginated_impls(&spec, &handwritten)?,
        handwritten,
        sections,
    })
}
