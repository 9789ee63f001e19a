//! The emulator's stored resources, one module per resource: stored types,
//! load/save/present/new/cascade. A store module's functions take the
//! state and a project id and answer `ApiResult`; they never take HTTP
//! extractors nor build HTTP responses, so route and admin handlers alike
//! call them.

pub(crate) mod sessions;
