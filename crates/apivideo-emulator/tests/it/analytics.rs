//! analytics tests (to be written).
