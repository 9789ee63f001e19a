//! `apivideo emulator`: the local api.video of `apivideo-emulator`, with
//! the same options as its own binary (`apivideo_emulator::cli`).
//!
//! Its `--api-key` (the keys it accepts) is `--accept-key` here, since
//! `--api-key` is the command line's own key; without `--accept-key`, the
//! emulator accepts that key when there is one, and generates one
//! otherwise.

use std::process::ExitCode;

use apivideo_emulator::cli::Options;
use clap::{ArgMatches, Args as _, Command, FromArgMatches as _};

use crate::failure::Failure;
use crate::settings::Settings;

/// The clap id of the emulator's accepted keys.
const KEYS: &str = "api_keys";

pub(crate) fn command() -> Command {
    // `augment_args` sets the options' own doc as the about: set ours after.
    Options::augment_args(Command::new("emulator"))
        .about("Run a local api.video (the emulator) until Ctrl-C")
        .long_about(
            "Run a local, stateful api.video until Ctrl-C, and print `listening on \
             http://HOST:PORT`. Point the command line at it with --base-url, or \
             APIVIDEO_BASE_URL, and the same API key.",
        )
        .mut_arg(KEYS, |arg| {
        arg.long("accept-key")
            .value_name("KEY")
            .help("An API key to accept (repeat for several) [default: --api-key's, or a new one, printed]")
    })
}

pub(crate) async fn run(matches: &ArgMatches, settings: &Settings) -> Result<ExitCode, Failure> {
    let mut options =
        Options::from_arg_matches(matches).map_err(|e| Failure::Usage(e.to_string()))?;
    if options.api_keys.is_empty()
        && let Some(key) = &settings.api_key
    {
        options.api_keys.push(key.clone());
        println!("accepting the API key given with --api-key (or APIVIDEO_API_KEY)");
    }
    apivideo_emulator::cli::init_logging();
    Ok(apivideo_emulator::cli::run(options).await)
}
