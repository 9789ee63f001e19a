//! The emulator's resources as stored, one module per resource: the
//! stored types, and the functions that load them (a miss is the API's
//! 404), save them, present them as the API shows them, create them with
//! the API's defaults and cascade a deletion to what hangs off them. The
//! background work of a resource (encoding, generated transcripts, a
//! broadcast's end) lives with it. Store functions take the state and a
//! project id; they never see a request or build a response, so routes
//! and admin handlers share them without importing each other.

pub(crate) mod encoding;
pub(crate) mod ingest;
pub(crate) mod live_streams;
pub(crate) mod players;
pub(crate) mod sessions;
pub(crate) mod tracks;
pub(crate) mod transcripts;
pub(crate) mod upload_tokens;
pub(crate) mod videos;
pub(crate) mod watermarks;
