//! uploads tests (to be written).
