//! What `openapi.yaml` says about each operation, for tools and for the SDK
//! to check that it covers every paginated and handwritten operation.

/// One operation of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The snake_case operation id, e.g. `list_videos`.
    pub id: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template, e.g. `/videos/{videoId}`.
    pub path: &'static str,
    /// Its tag, e.g. `Videos`.
    pub tag: &'static str,
    /// Marked `x-paginated`: returns `{data, pagination}` and takes
    /// `currentPage`/`pageSize`.
    pub paginated: bool,
    /// Taken out of generation; the `apivideo` crate implements it by hand.
    pub handwritten: bool,
    /// Sending it twice has the effect of sending it once: GET, HEAD, PUT,
    /// DELETE, PATCH, and the POSTs marked `x-idempotent` (uploads that
    /// replace a file, the token calls). The SDK retries an operation that
    /// is not idempotent only when the server provably did not act on it.
    pub idempotent: bool,
    /// Needs a credential (an API key, or a token obtained with one): every
    /// operation but the token calls and the upload with an upload token.
    pub credentials: bool,
}

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// Whether operation `id` needs a credential (see
/// [`Operation::credentials`]); `false` for an unknown id.
pub fn needs_credentials(id: &str) -> bool {
    OPERATIONS.iter().any(|o| o.id == id && o.credentials)
}

/// The ids of the operations implemented by hand in the `apivideo` crate.
pub fn handwritten_operations() -> impl Iterator<Item = &'static str> {
    OPERATIONS.iter().filter(|o| o.handwritten).map(|o| o.id)
}

/// The ids of the list operations, which the SDK exposes as streams.
pub fn paginated_operations() -> impl Iterator<Item = &'static str> {
    OPERATIONS.iter().filter(|o| o.paginated).map(|o| o.id)
}
