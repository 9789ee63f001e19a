//! Tests of the SDK against the emulator, started in-process on 127.0.0.1:0,
//! a fresh one for each test:
//!
//! - `coverage`: every operation of the spec, one module per tag, each
//!   answer checked field by field, and a check that no operation of the
//!   spec is left out;
//! - `auth`: token exchange, single-flight renewal, refresh before expiry
//!   (also across many expiries under a long workload), one retry on 401,
//!   basic and no-key modes;
//! - `retries`: 429s, 5xx and dropped connections, retried or not by
//!   method, a burst of 500 requests against a rate limit, and a 300 MiB
//!   upload through faults;
//! - `upload`: video uploads in one request or in chunks, from files,
//!   readers and streams, with progress, delegated with an upload token,
//!   and resumed;
//! - `media`: thumbnails, player logos, captions and chapters;
//! - `errors`: typed errors with their problem documents, no secret in any
//!   output, and for bad input (unknown or another project's ids, invalid
//!   files, out-of-range chunk sizes, a source changed mid-upload, an
//!   expired upload token) a typed error and no change of state;
//! - `pagination`: list streams across pages with their filters;
//! - `schemas`: the handwritten types against `openapi.yaml`;
//! - `side_effects`: under answers lost after handling, no create and no
//!   delegated upload happens twice, and a retried delete says what it met;
//! - `cancellation`: a dropped renewal strands no waiter, a dropped upload
//!   reports nothing more and resumes;
//! - `call_options`: per-call timeout and retry policy, a caller's own HTTP
//!   client, the origin headers;
//! - `forward_compat`: answers from a newer API (unlisted enum values,
//!   unknown fields, partial problem documents) decode;
//! - `examples`: every program of `examples/`, run against the emulator;
//! - `first_hour`: what a newcomer writes first, in that shape, and the
//!   READMEs' examples kept identical to the code that compiles and runs;
//! - `readme_testing`: the README's example of testing with the emulator.

mod auth;
mod call_options;
mod cancellation;
mod common;
mod coverage;
mod errors;
mod examples;
mod first_hour;
mod forward_compat;
mod media;
mod pagination;
mod readme_testing;
mod retries;
mod schemas;
mod side_effects;
mod upload;
mod webhooks;
