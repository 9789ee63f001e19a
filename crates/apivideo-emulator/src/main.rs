//! `apivideo-emulator`: run a local api.video beside your service.

use apivideo_emulator::cli::{Options, init_logging, run};
use clap::Parser;

/// A local, stateful emulator of the api.video API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    options: Options,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    init_logging();
    run(Args::parse().options).await
}
