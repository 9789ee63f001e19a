//! The `apivideo` binary run for real against an emulator started
//! in-process on 127.0.0.1:0: one module per area.

mod api;
#[cfg(unix)]
mod pty;
mod support;
mod upload;
