//! Tests of the SDK against the emulator, started in-process on 127.0.0.1:0.

mod auth;
mod common;
mod errors;
mod media;
mod pagination;
mod retries;
mod schemas;
mod upload;
