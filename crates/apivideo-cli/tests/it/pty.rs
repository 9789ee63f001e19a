//! The progress bar, drawn in a pseudo-terminal: `script` (util-linux,
//! which `.ci/run` checks for) runs the binary with a terminal for its
//! output.

use crate::support::{Env, path_arg};

#[test]
fn the_progress_bar_is_drawn_and_ends_at_100_percent() {
    let env = Env::start();
    let file = env.file("demo.mp4", 11 * 1024 * 1024);
    let upload = format!(
        "{} videos upload {} --chunk-size 5",
        crate::support::BIN,
        path_arg(&file)
    );
    let output = std::process::Command::new("script")
        .args(["-qfec", &upload, "/dev/null"])
        .env("APIVIDEO_BASE_URL", env.emulator.base_url())
        .env("APIVIDEO_API_KEY", env.emulator.api_key())
        .env("APIVIDEO_CONFIG", env.dir.path().join("no-profiles.toml"))
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` from util-linux runs (see .ci/run)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    // Every redraw of the bar: `part N/M [===>   ] 5.00 MiB/11.00 MiB 45% …`.
    let percents: Vec<u32> = text
        .split(['\r', '\n'])
        .filter(|l| l.contains("part ") && l.contains("] ") && l.contains("MiB/11.00 MiB"))
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_suffix('%')?.parse().ok())
        })
        .collect();
    assert!(!percents.is_empty(), "the bar is drawn: {text}");
    assert_eq!(percents.last(), Some(&100), "{percents:?}");
    assert!(text.contains("part 3/3"), "{text}");
}
