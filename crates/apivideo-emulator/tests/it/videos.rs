//! videos tests (to be written).
