//! players tests (to be written).
