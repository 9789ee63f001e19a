//! The README documents the binary and the admin API; these tests keep it
//! true: every flag and environment variable it names is one of the
//! binary's (and every option of the binary is in its table, with its
//! default), and every admin route it lists exists and takes the credential
//! it says.

use std::collections::{BTreeMap, BTreeSet};

use apivideo_emulator::cli::Options;
use clap::Args as _;
use reqwest::Method;

use crate::common;

const README: &str = include_str!("../../README.md");

/// The cells of the README's table rows whose first cell starts with
/// `first`, trimmed, without the backticks of a code cell.
fn rows(first: &str) -> Vec<Vec<String>> {
    README
        .lines()
        .filter(|line| line.starts_with(&format!("| `{first}")))
        .map(|line| {
            line.trim_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().to_owned())
                .collect()
        })
        .collect()
}

/// Strips one pair of backticks around a whole cell.
fn code(cell: &str) -> &str {
    cell.strip_prefix('`')
        .and_then(|c| c.strip_suffix('`'))
        .unwrap_or(cell)
}

/// Every word of the README that starts with `prefix` followed by a
/// letter, and goes on with characters of `allowed`.
fn words(prefix: &str, allowed: impl Fn(char) -> bool) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = README;
    while let Some(at) = rest.find(prefix) {
        let after = &rest[at + prefix.len()..];
        let end = after.find(|c| !allowed(c)).unwrap_or(after.len());
        // Only a whole word: not the tail of a longer one, nor a table rule.
        let before = rest[..at].chars().next_back();
        let starts_with_letter = after.starts_with(|c: char| c.is_ascii_alphabetic());
        if starts_with_letter
            && !before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            found.insert(format!("{prefix}{}", &after[..end]));
        }
        rest = &after[end..];
    }
    found
}

/// The binary's options: long flag, its environment variable, its default.
fn options() -> BTreeMap<String, (String, Option<String>)> {
    let command = Options::augment_args(clap::Command::new("apivideo-emulator"));
    command
        .get_arguments()
        .filter_map(|arg| {
            let long = format!("--{}", arg.get_long()?);
            let env = arg
                .get_env()
                .expect("every option has an environment variable")
                .to_str()
                .expect("UTF-8")
                .to_owned();
            let default = arg
                .get_default_values()
                .first()
                .map(|v| v.to_str().expect("UTF-8").to_owned());
            Some((long, (env, default)))
        })
        .collect()
}

#[test]
fn the_flag_table_lists_every_option_with_its_variable_and_default() {
    let options = options();
    let table: BTreeMap<String, (String, String)> = rows("--")
        .into_iter()
        .map(|cells| {
            assert_eq!(cells.len(), 4, "a flag row has 4 cells: {cells:?}");
            let flag = code(&cells[0])
                .split(' ')
                .next()
                .expect("a flag")
                .to_owned();
            (flag, (code(&cells[1]).to_owned(), cells[2].clone()))
        })
        .collect();
    assert_eq!(
        table.keys().collect::<Vec<_>>(),
        options.keys().collect::<Vec<_>>(),
        "the README's flag table and the binary's options differ"
    );
    for (flag, (env, default)) in &options {
        let (readme_env, readme_default) = &table[flag];
        assert_eq!(readme_env, env, "the variable of {flag}");
        if let Some(default) = default.as_deref().filter(|d| *d != "false") {
            assert!(
                readme_default.contains(&format!("`{default}`")),
                "the README gives {flag} the default {readme_default:?}, the binary {default:?}"
            );
        }
    }
}

#[test]
fn every_flag_and_variable_the_readme_names_exists() {
    let options = options();
    // `--help`, and the command line's spelling of `--api-key`.
    let others = ["--help", "--accept-key"];
    for flag in words("--", |c| c.is_ascii_lowercase() || c == '-') {
        assert!(
            options.contains_key(&flag) || others.contains(&flag.as_str()),
            "the README names {flag}, which the binary does not take"
        );
    }
    let variables: BTreeSet<&String> = options.values().map(|(env, _)| env).collect();
    for variable in words("APIVIDEO_EMULATOR_", |c| c.is_ascii_uppercase() || c == '_') {
        assert!(
            variables.contains(&variable),
            "the README names {variable}, which the binary does not read"
        );
    }
}

/// The path of every route the sources declare under `/_emulator`: the
/// string that opens each `.route(` call.
fn declared_admin_paths() -> BTreeSet<String> {
    fn walk(dir: &std::path::Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("the sources") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                for (at, _) in text.match_indices(".route(") {
                    let rest = text[at + ".route(".len()..].trim_start();
                    let Some(rest) = rest.strip_prefix('"') else {
                        continue;
                    };
                    let route = &rest[..rest.find('"').expect("a closing quote")];
                    if route.starts_with("/_emulator") {
                        found.insert(route.to_owned());
                    }
                }
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    found
}

#[test]
fn the_admin_route_table_lists_every_admin_route() {
    let listed: BTreeSet<String> = rows("")
        .into_iter()
        .filter_map(|cells| {
            let (_, path) = code(&cells[0]).split_once(' ')?;
            path.starts_with("/_emulator").then(|| path.to_owned())
        })
        .collect();
    let declared = declared_admin_paths();
    assert!(declared.len() >= 10, "admin routes found: {declared:?}");
    let missing: Vec<_> = declared.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "admin routes the README's table does not list: {missing:?}"
    );
}

/// Who may call a route, as the README's credential column says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Credential {
    None,
    Admin,
    Project,
}

#[tokio::test]
async fn every_admin_route_the_readme_lists_exists_and_takes_the_credential_it_says() {
    let env = common::start().await;
    let routes: Vec<(Method, String, String)> = rows("")
        .into_iter()
        .filter(|cells| cells[0].contains(" /_emulator"))
        .map(|cells| {
            let (method, path) = code(&cells[0]).split_once(' ').expect("METHOD /path");
            (
                method.parse().expect("an HTTP method"),
                path.to_owned(),
                cells[1].clone(),
            )
        })
        .collect();
    assert!(routes.len() >= 10, "the admin route table: {routes:?}");
    let concrete = |path: &str| {
        path.split('/')
            .map(|part| if part.starts_with('{') { "x" } else { part })
            .collect::<Vec<_>>()
            .join("/")
    };

    // Without a credential nothing changes, and the counters show which
    // route each request matched.
    for (method, path, _) in &routes {
        env.http
            .request(method.clone(), env.url(&concrete(path)))
            .send()
            .await
            .expect("an answer");
    }
    let matched = env.emulator.stats().requests;
    for (method, path, _) in &routes {
        assert!(
            matched.contains_key(&format!("{method} {path}")),
            "the README lists {method} {path}, which no route matches; matched: {:?}",
            matched.keys().collect::<Vec<_>>()
        );
    }

    for (method, path, credential) in &routes {
        let allowed: &[Credential] = match credential.as_str() {
            "none" => &[Credential::None, Credential::Admin, Credential::Project],
            "admin token" => &[Credential::Admin],
            "a project's credential" => &[Credential::Project],
            "admin token or a project's credential" => &[Credential::Admin, Credential::Project],
            other => panic!("{method} {path}: unknown credential {other:?}"),
        };
        for sent in [Credential::None, Credential::Admin, Credential::Project] {
            let mut request = env.http.request(method.clone(), env.url(&concrete(path)));
            match sent {
                Credential::None => {}
                Credential::Admin => request = request.header("authorization", env.admin()),
                Credential::Project => request = request.header("authorization", env.basic()),
            }
            let status = request.send().await.expect("an answer").status().as_u16();
            assert_eq!(
                status == 401,
                !allowed.contains(&sent),
                "{method} {path} with {sent:?}: {status}; the README says it takes {credential}"
            );
        }
    }
}
