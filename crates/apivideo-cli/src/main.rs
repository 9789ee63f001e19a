//! `apivideo`: the api.video API from the command line.
//!
//! Every operation of `openapi.yaml` is a command, grouped by tag
//! (`apivideo videos list --tag x`), derived from the spec at build time
//! by the same pipeline as the client; uploads are handwritten on the SDK's
//! streaming uploader; `apivideo emulator` runs a local api.video. See the
//! README for why the command tree is derived by our own pipeline rather
//! than progenitor's CLI generator.
#![forbid(unsafe_code)]

mod commands;
mod emulator;
mod execute;
mod failure;
mod output;
mod settings;
mod table;
mod upload;

use std::process::ExitCode;

use clap::ArgMatches;

use crate::failure::Failure;
use crate::output::Output;
use crate::settings::Settings;

#[tokio::main]
async fn main() -> ExitCode {
    let matches = match commands::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => {
            // Help and version exit 0, usage errors 2.
            let code = e.exit_code();
            let _ = e.print();
            return ExitCode::from(u8::try_from(code).unwrap_or(2));
        }
    };
    match run(&matches).await {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

async fn run(matches: &ArgMatches) -> Result<ExitCode, Failure> {
    let Some((group, group_matches)) = matches.subcommand() else {
        return Err(Failure::Usage("a command is required (see --help)".into()));
    };
    let mut out = Output::new(matches.get_flag("json"));
    match group {
        "completions" => {
            let shell = group_matches
                .get_one::<clap_complete::Shell>("shell")
                .copied()
                .ok_or_else(|| Failure::Usage("a shell is required".into()))?;
            clap_complete::generate(
                shell,
                &mut commands::command(),
                "apivideo",
                &mut std::io::stdout(),
            );
            return Ok(ExitCode::SUCCESS);
        }
        "emulator" => {
            let settings = Settings::resolve(matches)?;
            return emulator::run(group_matches, &settings).await;
        }
        "upload" => {
            let settings = Settings::resolve(matches)?;
            upload::run(
                "upload_with_upload_token",
                &settings,
                group_matches,
                &mut out,
            )
            .await?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let Some((name, command_matches)) = group_matches.subcommand() else {
        return Err(Failure::Usage(format!(
            "`{group}` needs a command (see --help)"
        )));
    };
    let spec = table::COMMANDS
        .iter()
        .find(|c| c.group == group && c.name == name)
        .ok_or_else(|| Failure::Usage(format!("no command `{group} {name}`")))?;
    let settings = Settings::resolve(matches)?;
    if upload::replaces(spec.operation).is_some() {
        upload::run(spec.operation, &settings, command_matches, &mut out).await?;
    } else {
        let client = settings.client(spec.credentials)?;
        execute::run(&client, spec, command_matches, &mut out).await?;
    }
    Ok(ExitCode::SUCCESS)
}
