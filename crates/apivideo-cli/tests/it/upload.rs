//! Uploads: in chunks, and stopped by Ctrl-C then picked up with
//! `--resume`, which sends only what the API lacks.

use std::io::BufRead as _;
use std::process::Stdio;

use apivideo_emulator::FaultSettings;

use crate::support::{Env, path_arg};

const MIB: usize = 1024 * 1024;

fn status(env: &Env, id: &str) -> serde_json::Value {
    env.run(&["videos", "get-status", id, "--json"]).json()
}

#[test]
fn upload_creates_a_video_and_sends_every_chunk() {
    let env = Env::start();
    let file = env.file("talk.mp4", 11 * MIB);
    let run = env.run(&[
        "videos",
        "upload",
        path_arg(&file),
        "--chunk-size",
        "5",
        "--json",
    ]);
    let video = run.json();
    assert_eq!(video["title"], "talk");
    let stderr = run.stderr();
    // Not a terminal: a line per part instead of the bar.
    assert!(stderr.contains("sending part 3/3"), "{stderr}");
    let id = video["videoId"].as_str().unwrap();
    assert_eq!(status(&env, id)["ingest"]["filesize"], 11 * MIB);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_an_upload_and_resume_sends_the_rest() {
    let env = Env::start();
    let size = 11 * MIB;
    let file = env.file("lecture.mp4", size);
    let video = env
        .run(&["videos", "create", "--title", "Lecture", "--json"])
        .json();
    let id = video["videoId"].as_str().unwrap().to_owned();

    // An earlier upload got its first chunk through, then stopped.
    let client = apivideo::Client::with_config(
        apivideo::Config::new(env.emulator.base_url()).with_api_key(env.emulator.api_key()),
    )
    .unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let first_chunk_only = std::io::Cursor::new(bytes[..5 * MIB].to_vec());
    let partial = env.rt.block_on(
        client
            .upload_video()
            .video_id(&id)
            .chunk_size(5 * MIB as u64)
            .reader(first_chunk_only, size as u64)
            .send(),
    );
    assert!(partial.is_err(), "the source ended early");
    assert_eq!(
        status(&env, &id)["ingest"]["receivedBytes"][0]["to"],
        5 * MIB - 1
    );

    // The resumed upload's chunks hang at the emulator until Ctrl-C.
    env.emulator.set_faults(FaultSettings {
        latency_ms: 600_000,
        slow_paths: vec![format!("/videos/{id}/source")],
        ..FaultSettings::default()
    });
    let mut child = env
        .command(&[
            "videos",
            "upload",
            path_arg(&file),
            "--video-id",
            &id,
            "--resume",
            "--chunk-size",
            "5",
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("sending part") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no part was sent");
    }
    // Resumed: the first chunk counts as sent already.
    let sent: f64 = line
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(" MiB of 11.00 MiB"))
        .and_then(|(figure, _)| figure.parse().ok())
        .unwrap_or_else(|| panic!("a figure in MiB: {line}"));
    assert!(sent >= 5.0, "{line}");
    // Ctrl-C, by the shell's own `kill`, which every unix has.
    let interrupted = std::process::Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status_code = child.wait().unwrap().code();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(status_code, Some(130), "{rest}");
    assert!(rest.contains("interrupted: the upload stopped"), "{rest}");
    assert!(
        rest.contains(&format!("--video-id {id} --resume")),
        "{rest}"
    );

    // Picked up again: only what is missing goes, and the file is whole.
    env.emulator.set_faults(FaultSettings::default());
    let resumed = env.run(&[
        "videos",
        "upload",
        path_arg(&file),
        "--video-id",
        &id,
        "--resume",
        "--chunk-size",
        "5",
        "--json",
    ]);
    assert_eq!(resumed.json()["videoId"], id.as_str());
    let ingest = &status(&env, &id)["ingest"];
    assert_eq!(ingest["filesize"], size, "{ingest}");
    assert_eq!(ingest["status"], "uploaded", "{ingest}");
}

#[test]
fn a_delegated_upload_needs_no_api_key() {
    let env = Env::start();
    let token = env.run(&["upload-tokens", "create", "--json"]).json();
    let token = token["token"].as_str().unwrap().to_owned();
    let file = env.file("clip.mp4", 2 * MIB);
    let run = env
        .command(&["upload", "--token", &token, path_arg(&file), "--json"])
        .env_remove("APIVIDEO_API_KEY")
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let video: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert!(
        video["videoId"]
            .as_str()
            .is_some_and(|id| id.starts_with("vi"))
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!all.contains(&token), "the token is never printed");
}
