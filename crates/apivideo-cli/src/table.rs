//! The command tree derived from `openapi.yaml` by the codegen pipeline
//! (`apivideo_codegen::cli`), as data: one [`CommandSpec`] per operation.

/// One operation as a command.
#[derive(Debug)]
pub(crate) struct CommandSpec {
    /// The group: the operation's tag in kebab case.
    pub(crate) group: &'static str,
    /// The tag's description.
    pub(crate) group_about: &'static str,
    /// The command's name inside its group.
    pub(crate) name: &'static str,
    /// The operation id.
    pub(crate) operation: &'static str,
    /// Upper-case HTTP method.
    pub(crate) method: &'static str,
    /// Path template.
    pub(crate) path: &'static str,
    /// The summary.
    pub(crate) about: &'static str,
    /// The description.
    pub(crate) long_about: &'static str,
    /// `json`, `multipart`, or empty.
    pub(crate) body: &'static str,
    /// Marked `x-paginated`: `--all` streams every page.
    pub(crate) paginated: bool,
    /// Sends credentials.
    pub(crate) credentials: bool,
    /// The body is required.
    pub(crate) body_required: bool,
    /// Its arguments, positionals first.
    pub(crate) args: &'static [ArgSpec],
}

/// One argument: a parameter or a top-level body property.
#[derive(Debug)]
pub(crate) struct ArgSpec {
    /// The clap id: `location:apiName`.
    pub(crate) id: &'static str,
    /// The option's name; empty for a positional.
    pub(crate) long: &'static str,
    pub(crate) value_name: &'static str,
    /// `path`, `query`, `header`, `body`, `field` or `file`.
    pub(crate) location: &'static str,
    pub(crate) api_name: &'static str,
    /// `string`, `integer`, `number`, `boolean`, `json`, `pair` or `path`.
    pub(crate) kind: &'static str,
    pub(crate) multiple: bool,
    pub(crate) required: bool,
    pub(crate) values: &'static [&'static str],
    pub(crate) help: &'static str,
    /// Sent as `name[key]=value`.
    pub(crate) deep_object: bool,
}

include!(concat!(env!("OUT_DIR"), "/commands.rs"));
