//! live streams tests (to be written).
