//! End-to-end tests of the SDK against the emulator, started in-process on
//! 127.0.0.1:0: every operation of the spec, token expiry under load, rate
//! limits, faults during a large upload, resume, delegated chunked uploads,
//! and bad input.

mod bad_input;
mod common;
mod coverage;
mod delegated;
mod expiry;
mod faulty_upload;
mod rate_limit;
mod resume;
