//! webhooks tests (to be written).
