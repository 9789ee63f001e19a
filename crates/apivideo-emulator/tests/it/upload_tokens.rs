//! upload tokens tests (to be written).
