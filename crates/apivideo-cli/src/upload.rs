//! The handwritten commands: video uploads through the SDK's streaming
//! uploader (chunks from disk, resume from the video's status), with a
//! progress bar, and a clean stop on Ctrl-C.
//!
//! They replace the generated commands of the two operations they
//! implement (`videos upload`, `upload-tokens upload`); `apivideo upload`
//! is the delegated upload again, at the top.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use apivideo::prelude::*;
use apivideo::types::VideoCreationPayload;
use apivideo::{Progress, VideoUpload};
use clap::{Arg, ArgAction, ArgMatches, Command};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::failure::Failure;
use crate::output::Output;

const MIB: u64 = 1024 * 1024;

/// The handwritten command that replaces the generated one of `operation`.
pub(crate) fn replaces(operation: &str) -> Option<fn(&'static str) -> Command> {
    match operation {
        "upload_video" => Some(video_command),
        "upload_with_upload_token" => Some(token_command),
        _ => None,
    }
}

fn file_arg() -> Arg {
    Arg::new("file")
        .value_name("FILE")
        .required(true)
        .value_parser(clap::value_parser!(PathBuf))
        .help("The video file")
}

fn chunk_arg() -> Arg {
    Arg::new("chunk-size")
        .long("chunk-size")
        .value_name("MiB")
        .value_parser(
            clap::value_parser!(u64)
                .range(apivideo::MIN_CHUNK_SIZE / MIB..=apivideo::MAX_CHUNK_SIZE / MIB),
        )
        .help("Chunk size in MiB, 5 to 128 [default: 50]")
}

/// `videos upload FILE [--title T] [--video-id ID] [--resume] [--chunk-size MiB]`.
pub(crate) fn video_command(name: &'static str) -> Command {
    Command::new(name)
        .about("Upload a video file, in chunks, with progress; --resume continues one")
        .long_about(
            "Upload a video file, in chunks streamed from disk, with a progress bar.\n\n\
             Without --video-id, a video is created first (titled --title, or after the \
             file). Ctrl-C stops the upload cleanly and prints the command that picks it up \
             again: the same file with --video-id and --resume sends only what the API has \
             not received.\n\nPOST /videos/{videoId}/source",
        )
        .arg(file_arg())
        .arg(
            Arg::new("title")
                .long("title")
                .value_name("TITLE")
                .conflicts_with("video-id")
                .help("Title of the video to create [default: the file's name]"),
        )
        .arg(
            Arg::new("video-id")
                .long("video-id")
                .value_name("VIDEO_ID")
                .help("Upload the source of this existing video"),
        )
        .arg(
            Arg::new("resume")
                .long("resume")
                .action(ArgAction::SetTrue)
                .requires("video-id")
                .help("Send only the bytes the API has not received yet"),
        )
        .arg(chunk_arg())
}

/// `upload --token TOKEN FILE [--chunk-size MiB]`.
pub(crate) fn token_command(name: &'static str) -> Command {
    Command::new(name)
        .about("Upload a video with a delegated upload token, no API key needed")
        .long_about(
            "Upload a video with a delegated upload token, no API key needed: the first chunk \
             creates the video, the others name it.\n\nPOST /upload?token=…",
        )
        .arg(file_arg())
        .arg(
            Arg::new("token")
                .long("token")
                .value_name("TOKEN")
                .required(true)
                .help("The upload token (never printed)"),
        )
        .arg(chunk_arg())
}

/// Runs the handwritten command of `operation`.
pub(crate) async fn run(
    operation: &str,
    settings: &crate::settings::Settings,
    matches: &ArgMatches,
    out: &mut Output,
) -> Result<(), Failure> {
    let file = matches
        .get_one::<PathBuf>("file")
        .cloned()
        .unwrap_or_default();
    let size = std::fs::metadata(&file)
        .map_err(|e| Failure::Other(format!("cannot read {}: {e}", file.display())))?
        .len();
    let chunk = matches.get_one::<u64>("chunk-size").map(|mib| mib * MIB);
    if operation == "upload_with_upload_token" {
        let client = settings.client(false)?;
        let token = matches
            .get_one::<String>("token")
            .cloned()
            .unwrap_or_default();
        let upload = client.upload_with_upload_token().token(token).file(&file);
        let stopped = "a delegated upload cannot resume: run the command again to start over";
        return send(upload, chunk, size, out, || stopped.to_owned()).await;
    }
    let client = settings.client(true)?;
    let video_id = match matches.get_one::<String>("video-id") {
        Some(id) => id.clone(),
        None => {
            let title = matches
                .get_one::<String>("title")
                .cloned()
                .unwrap_or_else(|| default_title(&file));
            let video = client
                .create_video()
                .body(VideoCreationPayload::builder().title(title))
                .send()
                .await?;
            eprintln!("created video {}", video.video_id);
            video.video_id
        }
    };
    let mut upload = client.upload_video().video_id(&video_id).file(&file);
    if matches.get_flag("resume") {
        upload = upload.resume();
    }
    let resume = format!(
        "pick it up with: apivideo videos upload {} --video-id {video_id} --resume",
        shell_word(&file)
    );
    send(upload, chunk, size, out, move || resume).await
}

fn default_title(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "video".to_owned())
}

/// The path as one shell word.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./+,:@".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Sends an upload with a progress bar until it ends or Ctrl-C.
async fn send(
    upload: VideoUpload<'_>,
    chunk: Option<u64>,
    size: u64,
    out: &mut Output,
    on_interrupt: impl FnOnce() -> String,
) -> Result<(), Failure> {
    let upload = match chunk {
        Some(bytes) => upload.chunk_size(bytes),
        None => upload,
    };
    let bar = Bar::new(size);
    let reporter = bar.clone();
    let upload = upload.on_progress(move |p| reporter.report(p));
    // Polled with the upload from its first step: from then on Ctrl-C
    // drops the upload's future, which stops it, instead of killing the
    // process.
    let ctrl_c = tokio::signal::ctrl_c();
    let video = tokio::select! {
        result = upload.send() => result,
        _ = ctrl_c => {
            bar.stop();
            let sent = bar.sent.load(Ordering::Relaxed);
            return Err(Failure::Interrupted(format!(
                "the upload stopped with {} of {} sent; {}",
                indicatif::HumanBytes(sent),
                indicatif::HumanBytes(size),
                on_interrupt()
            )));
        }
    };
    let video = match video {
        Ok(video) => video,
        Err(e) => {
            bar.stop();
            return Err(e.into());
        }
    };
    bar.finish(size);
    let value = serde_json::to_value(&video)
        .map_err(|e| Failure::Other(format!("cannot print the video: {e}")))?;
    out.value(&value)
}

/// The progress bar on a terminal, a line per part otherwise.
#[derive(Clone)]
struct Bar {
    bar: ProgressBar,
    plain: bool,
    part: Arc<AtomicU32>,
    sent: Arc<AtomicU64>,
}

impl Bar {
    fn new(size: u64) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bar = if terminal {
            ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        let style = ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {percent}% {bytes_per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message("part 1");
        Self {
            bar,
            plain: !terminal,
            part: Arc::new(AtomicU32::new(0)),
            sent: Arc::new(AtomicU64::new(0)),
        }
    }

    fn report(&self, p: Progress) {
        self.sent.store(p.bytes_sent, Ordering::Relaxed);
        let parts = p.parts.map_or_else(|| "?".to_owned(), |n| n.to_string());
        if let Some(total) = p.total_bytes {
            self.bar.set_length(total);
        }
        self.bar.set_position(p.bytes_sent);
        if self.part.swap(p.part, Ordering::Relaxed) != p.part {
            self.bar.set_message(format!("part {}/{parts}", p.part));
            if self.plain {
                eprintln!(
                    "sending part {}/{parts} ({} of {} sent)",
                    p.part,
                    indicatif::HumanBytes(p.bytes_sent),
                    p.total_bytes
                        .map_or_else(|| "?".to_owned(), |t| indicatif::HumanBytes(t).to_string())
                );
            }
        }
    }

    fn finish(&self, size: u64) {
        self.bar.set_position(size);
        self.bar.finish();
        if !self.plain {
            // What follows starts on a line of its own.
            eprintln!();
        } else {
            eprintln!("uploaded {}", indicatif::HumanBytes(size));
        }
    }

    fn stop(&self) {
        self.bar.abandon();
        if !self.plain {
            eprintln!();
        }
    }
}
