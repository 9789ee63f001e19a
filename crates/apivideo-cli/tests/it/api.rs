//! Generated commands: create, get, list, update, delete; the problem of
//! an error answer on stderr with exit code 1; bad usage with exit code 2.

use crate::support::{BIN, Env};

#[test]
fn create_get_list_update_delete() {
    let env = Env::start();
    let created = env
        .run(&[
            "videos",
            "create",
            "--title",
            "Maths",
            "--tag",
            "school",
            "--metadata",
            "Author=Ada",
            "--json",
        ])
        .json();
    let id = created["videoId"].as_str().expect("a video id").to_owned();
    assert_eq!(created["tags"], serde_json::json!(["school"]));
    assert_eq!(
        created["metadata"],
        serde_json::json!([{"key": "Author", "value": "Ada"}])
    );
    env.run(&["videos", "create", "--title", "Other", "--json"])
        .json();

    // The readable form: one field a line.
    let shown = env.run(&["videos", "get", &id]).ok();
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with("title") && l.ends_with("Maths")),
        "{shown}"
    );

    // Filters reach the API: a tag, a metadata pair (a deepObject).
    let listed = env
        .run(&["videos", "list", "--tag", "school", "--json"])
        .json();
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|v| v["videoId"].as_str())
        .collect();
    assert_eq!(ids, [id.as_str()]);
    let by_metadata = env
        .run(&["videos", "list", "--metadata", "Author=Ada", "--json"])
        .json();
    assert_eq!(by_metadata["pagination"]["itemsTotal"], 1);

    // Every page, streamed as one JSON array.
    let all = env
        .run(&["videos", "list", "--all", "--page-size", "1", "--json"])
        .json();
    assert_eq!(all.as_array().map(Vec::len), Some(2), "{all}");
    let table = env
        .run(&["videos", "list", "--all", "--page-size", "1"])
        .ok();
    assert!(table.starts_with("videoId"), "{table}");
    assert!(
        table.contains(&id) && table.ends_with("2 items\n"),
        "{table}"
    );

    let updated = env
        .run(&[
            "videos", "update", &id, "--title", "Algebra", "--public", "false", "--json",
        ])
        .json();
    assert_eq!(updated["title"], "Algebra");
    assert_eq!(updated["public"], false);

    let deleted = env.run(&["videos", "delete", &id]).ok();
    assert!(deleted.starts_with("done (204"), "{deleted}");
    assert!(env.run(&["videos", "delete", &id, "--json"]).code() == 1);

    // Gone: exit 1 and the problem, field by field, on stderr.
    let missing = env.run(&["videos", "get", &id]);
    assert_eq!(missing.code(), 1);
    assert!(missing.stdout().is_empty());
    let stderr = missing.stderr();
    assert!(
        stderr.contains("error: the API answered 404 Not Found"),
        "{stderr}"
    );
    assert!(stderr.contains("  title: "), "{stderr}");
}

#[test]
fn a_body_from_json_with_options_over_it() {
    let env = Env::start();
    let body = env.dir.path().join("body.json");
    std::fs::write(&body, r#"{"title": "From file", "description": "kept"}"#).unwrap();
    let at_file = format!("@{}", body.display());
    let video = env
        .run(&[
            "videos", "create", "--body", &at_file, "--title", "Flag", "--json",
        ])
        .json();
    assert_eq!(video["title"], "Flag");
    assert_eq!(video["description"], "kept");
}

#[test]
fn bad_usage_exits_2() {
    let env = Env::start();
    for args in [
        &["videos", "create"][..],
        &["videos", "frobnicate"],
        &["videos", "list", "--page-size", "many"],
        &["videos", "list", "--sort-by", "colour"],
        &["videos", "create", "--body", "{not json"],
        &["videos", "upload", "x.mp4", "--chunk-size", "1"],
        &["videos", "upload", "x.mp4", "--resume"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code(), 2, "{args:?}: {}", run.stderr());
        assert!(!run.stderr().is_empty());
    }
    let no_key = env
        .command(&["videos", "list"])
        .env_remove("APIVIDEO_API_KEY")
        .output()
        .unwrap();
    assert_eq!(no_key.status.code(), Some(2));
}

#[test]
fn a_refused_key_exits_1_without_printing_it() {
    let env = Env::start();
    let run = env
        .command(&["videos", "list", "--api-key", "not-the-key-xyz"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!all.contains("not-the-key-xyz"), "{all}");
    assert!(all.contains("error"), "{all}");
}

#[test]
fn a_profile_gives_the_key_and_base_url() {
    let env = Env::start();
    let file = env.dir.path().join("config.toml");
    std::fs::write(
        &file,
        format!(
            "[local]\nbase_url = \"{}\"\napi_key = \"{}\"\n",
            env.emulator.base_url(),
            env.emulator.api_key()
        ),
    )
    .unwrap();
    let run = std::process::Command::new(BIN)
        .args(["--profile", "local", "account", "get", "--json"])
        .env("APIVIDEO_CONFIG", &file)
        .env_remove("APIVIDEO_API_KEY")
        .env_remove("APIVIDEO_BASE_URL")
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn completions_for_a_shell() {
    let env = Env::start();
    let script = env.run(&["completions", "bash"]).ok();
    assert!(script.contains("apivideo") && script.contains("live-streams"));
}

#[test]
fn the_emulator_command_serves_the_api() {
    use std::io::BufRead as _;

    let env = Env::start();
    let mut child = env
        .command(&[
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--accept-key",
            "local-key",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut admin_token = None;
    let url = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            if let Some(token) = line.strip_prefix("admin token: ") {
                admin_token = Some(token.to_owned());
            }
            line.strip_prefix("listening on ").map(str::to_owned)
        })
        .expect("the emulator says where it listens");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    // No --admin-token: one is generated and printed before the address.
    let admin_token = admin_token.expect("the generated admin token is printed");
    assert!(admin_token.len() >= 32, "{admin_token}");
    assert_ne!(admin_token, "local-key");
    let account = env
        .command(&["account", "get", "--json"])
        .env("APIVIDEO_BASE_URL", &url)
        .env("APIVIDEO_API_KEY", "local-key")
        .output()
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        account.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&account.stderr)
    );
}

/// A multipart operation the SDK writes by hand is a generated command
/// too: its file part is `--file PATH`.
#[test]
fn a_multipart_upload_through_the_generated_command() {
    let env = Env::start();
    let video = env
        .run(&["videos", "create", "--title", "Subtitled", "--json"])
        .json();
    let id = video["videoId"].as_str().unwrap();
    let vtt = env.dir.path().join("en.vtt");
    std::fs::write(&vtt, "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n").unwrap();
    let caption = env
        .run(&[
            "captions",
            "upload",
            id,
            "en",
            "--file",
            vtt.to_str().unwrap(),
            "--json",
        ])
        .json();
    assert_eq!(caption["srclang"], "en", "{caption}");
    let listed = env.run(&["captions", "list", id]).ok();
    assert!(listed.contains("en"), "{listed}");
}

#[test]
fn help_shows_the_operation_from_the_spec() {
    let env = Env::start();
    let help = env.run(&["webhooks", "delete", "--help"]).ok();
    assert!(help.contains("DELETE /webhooks/{webhookId}"), "{help}");
    assert!(help.contains("<WEBHOOK_ID>"), "{help}");
}

/// A 400 lists each of the problem's `problems[]`, one a line.
#[test]
fn each_problem_of_a_refused_body_on_stderr() {
    let env = Env::start();
    let run = env.run(&[
        "videos",
        "create",
        "--body",
        r#"{"title": 5, "public": "x"}"#,
    ]);
    assert_eq!(run.code(), 1);
    let stderr = run.stderr();
    assert!(
        stderr.starts_with("error: the API answered 400 Bad Request\n"),
        "{stderr}"
    );
    assert!(stderr.contains("\n  - title: "), "{stderr}");
    assert!(stderr.contains("\n  - public: "), "{stderr}");
}
