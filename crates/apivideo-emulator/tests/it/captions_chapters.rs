//! captions chapters tests (to be written).
