//! The progenitor settings: builder interface, one trait per tag, an inner
//! type for the auth seam, and hooks the raw crate must implement.

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

use crate::Error;

/// The inner type every generated `Client` carries: the seam through which
/// the SDK plugs in auth, retries and tracing.
const INNER_TYPE: &str = "crate::hooks::Hooks";

/// The vendor extension on a component schema that names a handwritten Rust
/// type (a path inside `apivideo-raw`) to use instead of generating one.
pub const REPLACE_EXT: &str = "x-rust-replace";

pub(crate) fn generate_tokens(
    api: &openapiv3::OpenAPI,
    replacements: &[(String, String)],
) -> Result<proc_macro2::TokenStream, Error> {
    let inner: proc_macro2::TokenStream = INNER_TYPE
        .parse()
        .map_err(|e| Error::Generate(format!("bad inner type: {e}")))?;
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Separate)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(inner)
        .with_derive("PartialEq")
        .with_map_type("::std::collections::BTreeMap");
    for (schema, path) in replacements {
        settings.with_replacement(schema, format!("crate::{path}"), std::iter::empty());
    }
    let mut generator = Generator::new(&settings);
    // progenitor may still panic on constructs the validation does not know
    // about; turn that into an error rather than a crashed build script.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        generator.generate_tokens(api)
    }));
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(Error::Generate(e.to_string())),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(Error::Generate(format!("progenitor panicked: {msg}")))
        }
    }
}
