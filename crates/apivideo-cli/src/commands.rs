//! The clap command tree: the global options, one group per tag with one
//! command per operation built from the generated table, the handwritten
//! commands that replace some of them (the streaming uploads), and the
//! commands of the tool itself (`upload`, `emulator`, `completions`).

use clap::builder::{PossibleValuesParser, ValueParser};
use clap::{Arg, ArgAction, Command};

use crate::table::{ArgSpec, COMMANDS, CommandSpec};
use crate::upload;

const ABOUT: &str = "The api.video API from the command line: every operation, uploads that \
                     resume, and a local emulator.";

const AFTER_HELP: &str = "\
Exit codes: 0 success, 1 the API answered with an error (its problem on stderr) or the call \
failed, 2 bad usage, 130 interrupted.

The profile file (optional) is apivideo/config.toml in the platform's config directory, or \
the file APIVIDEO_CONFIG names; each [section] is a profile with api_key, base_url and \
sandbox.";

const GLOBAL: &str = "Global options";

/// The whole command tree.
pub(crate) fn command() -> Command {
    let mut root = Command::new("apivideo")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .after_help(AFTER_HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("api-key")
                .help_heading(GLOBAL)
                .long("api-key")
                .env("APIVIDEO_API_KEY")
                .hide_env_values(true)
                .global(true)
                .value_name("KEY")
                .help("The API key (never printed)"),
        )
        .arg(
            Arg::new("base-url")
                .help_heading(GLOBAL)
                .long("base-url")
                .env("APIVIDEO_BASE_URL")
                .global(true)
                .value_name("URL")
                .conflicts_with("sandbox")
                .help("The API's base URL, e.g. a local emulator's [default: production]"),
        )
        .arg(
            Arg::new("sandbox")
                .help_heading(GLOBAL)
                .long("sandbox")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Use the sandbox, https://sandbox.api.video"),
        )
        .arg(
            Arg::new("profile")
                .help_heading(GLOBAL)
                .long("profile")
                .env("APIVIDEO_PROFILE")
                .global(true)
                .value_name("NAME")
                .help("The profile of the profile file to use [default: default]"),
        )
        .arg(
            Arg::new("json")
                .help_heading(GLOBAL)
                .long("json")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Print the API's JSON as it is, one document per command"),
        );
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for spec in COMMANDS {
        if !groups.iter().any(|(g, _)| *g == spec.group) {
            groups.push((spec.group, spec.group_about));
        }
    }
    for (group, about) in groups {
        let mut sub = Command::new(group)
            .about(about)
            .subcommand_required(true)
            .arg_required_else_help(true);
        for spec in COMMANDS.iter().filter(|c| c.group == group) {
            sub = sub.subcommand(match upload::replaces(spec.operation) {
                Some(handwritten) => handwritten(spec.name),
                None => generated(spec),
            });
        }
        root = root.subcommand(sub);
    }
    root.subcommand(upload::token_command("upload"))
        .subcommand(crate::emulator::command())
        .subcommand(
            Command::new("completions")
                .about("Print the shell completion script")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell)),
                ),
        )
}

/// The command of a generated operation.
fn generated(spec: &'static CommandSpec) -> Command {
    let mut long_about = String::new();
    if !spec.about.is_empty() {
        long_about.push_str(spec.about);
        long_about.push_str("\n\n");
    }
    if !spec.long_about.is_empty() {
        long_about.push_str(spec.long_about);
        long_about.push_str("\n\n");
    }
    long_about.push_str(&format!("{} {}", spec.method, spec.path));
    let mut command = Command::new(spec.name)
        .about(spec.about)
        .long_about(long_about);
    let body_flags = spec.args.iter().any(|a| a.location == "body");
    for arg in spec.args {
        command = command.arg(argument(arg, body_flags && spec.body == "json"));
    }
    if spec.body == "json" {
        command = command.arg(
            Arg::new("body")
                .long("body")
                .value_name("JSON")
                .required(spec.body_required && !body_flags)
                .help(
                    "The whole JSON body: inline, @FILE, or - for stdin; the options above \
                     override its fields",
                ),
        );
    }
    if spec.paginated {
        command = command.arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Every page, streamed as it arrives"),
        );
    }
    command
}

fn argument(spec: &'static ArgSpec, body_flag: bool) -> Arg {
    let mut arg = Arg::new(spec.id)
        .value_name(spec.value_name)
        .help(spec.help)
        .value_parser(value_parser(spec));
    if !spec.long.is_empty() {
        arg = arg.long(spec.long);
    }
    if spec.multiple {
        arg = arg.action(ArgAction::Append);
    }
    if spec.required {
        // A required body property may come from --body instead.
        arg = if spec.location == "body" && body_flag {
            arg.required_unless_present("body")
        } else {
            arg.required(true)
        };
    }
    arg
}

/// Checks a value as its kind asks, keeping it as text.
fn value_parser(spec: &'static ArgSpec) -> ValueParser {
    if !spec.values.is_empty() {
        return ValueParser::new(PossibleValuesParser::new(spec.values.iter().copied()));
    }
    let kind = spec.kind;
    ValueParser::new(move |value: &str| -> Result<String, String> {
        let ok = match kind {
            "integer" => value.parse::<i64>().is_ok(),
            "number" => value.parse::<f64>().is_ok(),
            "boolean" => matches!(value, "true" | "false"),
            "json" => serde_json::from_str::<serde_json::Value>(value).is_ok(),
            "pair" => value.contains('='),
            _ => true,
        };
        if ok {
            Ok(value.to_owned())
        } else {
            Err(match kind {
                "integer" => "expected an integer".to_owned(),
                "number" => "expected a number".to_owned(),
                "boolean" => "expected true or false".to_owned(),
                "json" => "expected JSON".to_owned(),
                _ => "expected KEY=VALUE".to_owned(),
            })
        }
    })
}

/// The tree as text, one line per command with its arguments: what the
/// snapshot pins.
#[cfg(test)]
pub(crate) fn render_tree(command: &Command) -> String {
    let mut out = String::new();
    render(command, "", &mut out);
    out
}

#[cfg(test)]
fn render(command: &Command, prefix: &str, out: &mut String) {
    let name = if prefix.is_empty() {
        command.get_name().to_owned()
    } else {
        format!("{prefix} {}", command.get_name())
    };
    let mut line = name.clone();
    for arg in command.get_arguments() {
        if arg.is_global_set() && !prefix.is_empty() {
            continue;
        }
        let id = arg.get_id().as_str();
        if matches!(id, "help" | "version") {
            continue;
        }
        let value = arg
            .get_value_names()
            .and_then(|v| v.first())
            .map(|v| v.to_string());
        let takes_value = arg.get_num_args().is_none_or(|n| n.takes_values())
            && !matches!(arg.get_action(), ArgAction::SetTrue);
        let mut text = match arg.get_long() {
            Some(long) => match (&value, takes_value) {
                (Some(v), true) => format!("--{long} {v}"),
                _ => format!("--{long}"),
            },
            None => value.unwrap_or_else(|| id.to_uppercase()),
        };
        if matches!(arg.get_action(), ArgAction::Append) {
            text.push_str("...");
        }
        if !arg.is_required_set() {
            text = format!("[{text}]");
        }
        line.push(' ');
        line.push_str(&text);
    }
    out.push_str(&line);
    out.push('\n');
    for sub in command.get_subcommands() {
        render(sub, &name, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The command tree derived from the spec, with the handwritten
    /// commands: a stale snapshot fails here.
    #[test]
    fn command_tree() {
        let tree = render_tree(&command());
        let outcome = std::panic::catch_unwind(|| {
            insta::with_settings!({
                snapshot_path => "../tests/snapshots",
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_snapshot!("command_tree", tree);
            });
        });
        assert!(
            outcome.is_ok(),
            "snapshot `command_tree` is stale: the spec's operations changed. To accept the \
             change, run `cargo xtask regen`, then review the diff with `git diff`."
        );
    }

    #[test]
    fn the_tree_is_valid() {
        command().debug_assert();
    }

    #[test]
    fn every_handwritten_replacement_names_an_operation_of_the_spec() {
        for operation in ["upload_video", "upload_with_upload_token"] {
            assert!(upload::replaces(operation).is_some());
            assert!(COMMANDS.iter().any(|c| c.operation == operation));
        }
    }
}
