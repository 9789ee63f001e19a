//! The emulator's stored resources, one module per resource: stored types,
//! load/save/present/new/cascade (what else a deletion removes or updates),
//! and the resource's background work. Store functions take the state and
//! a project id and answer `ApiResult`; the HTTP handlers in `routes` and
//! `admin` call them.

pub(crate) mod live_streams;
pub(crate) mod players;
