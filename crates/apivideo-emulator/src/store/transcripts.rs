//! What the emulator makes of a video's speech: the video's summary
//! (`Kind::Summary`, parent: the video) and the caption track that
//! `transcript: true` asks for (`Kind::Transcript` keeps the request).
//! Encoding calls [`on_encoded`] when a video is ready; the summary and
//! video routes create, read and write through the other functions, under
//! the video's ingest lock.
//!
//! The emulator's media hold no real speech, so what generation gives
//! follows fixed rules, checked in this order:
//! 1. a source under [`MIN_SPEECH_BYTES`] (1 KiB: 2 ms at the 500 kB/s the
//!    emulator assumes) is too short to hold speech: summaries end
//!    `unprocessable` and no caption is written;
//! 2. while the `failGeneration` fault setting is on, generation fails:
//!    summaries end `failed` and no caption is written;
//! 3. otherwise summaries end `completed`, with an abstract of 20 to 300
//!    words and three takeaways (as their `attributes` chose) written from
//!    the video's title, description and duration, and the caption is a
//!    WebVTT track in the video's language with one cue per third of the
//!    video. `video.summary.generated` and `video.caption.generated` are
//!    emitted then, and only then.
//!
//! A source of unknown size (imported from a URL) holds speech. A summary
//! created without `origin: auto` is never generated: it stays `missing`
//! until its content is written.

use apivideo_raw::types::{Summary, SummaryOrigin, SummarySource, SummarySourceStatus, Video};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::tracks::{self, CAPTIONS};
use crate::db::Kind;
use crate::ids::{new_id, prefix};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// The smallest source that holds speech, in bytes.
pub(crate) const MIN_SPEECH_BYTES: u64 = 1024;

/// The language the emulator's sources speak, which detection finds.
pub(crate) const SPOKEN_LANGUAGE: &str = "en";

/// Longest part of a title and of a description quoted in an abstract, in
/// words, so that an abstract never passes 300 words.
const TITLE_WORDS: usize = 40;
const DESCRIPTION_WORDS: usize = 200;
/// Longest part of a title quoted in a takeaway, in words.
const SUBJECT_WORDS: usize = 12;

/// What generation writes into a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Attribute {
    Abstract,
    Takeaways,
}

impl Attribute {
    /// The attributes a request names (`abstract`, `takeaways`), each
    /// once; both when it names none.
    pub(crate) fn chosen(names: impl IntoIterator<Item = String>) -> Vec<Self> {
        let mut out = Vec::new();
        for name in names {
            let attribute = match name.as_str() {
                "abstract" => Self::Abstract,
                "takeaways" => Self::Takeaways,
                _ => continue,
            };
            if !out.contains(&attribute) {
                out.push(attribute);
            }
        }
        if out.is_empty() {
            vec![Self::Abstract, Self::Takeaways]
        } else {
            out
        }
    }
}

/// A summary as stored: what the API shows, what generation writes, and
/// the content.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Stored {
    pub(crate) summary: Summary,
    pub(crate) attributes: Vec<Attribute>,
    #[serde(default)]
    pub(crate) source: SummarySource,
}

impl Stored {
    pub(crate) fn video_id(&self) -> &str {
        &self.summary.video_id
    }

    /// Whether the API generates its content (`origin: auto`).
    pub(crate) fn is_auto(&self) -> bool {
        self.summary.origin == SummaryOrigin::Auto
    }

    /// Whether it waits for its video to be encoded.
    pub(crate) fn is_waiting(&self) -> bool {
        self.summary.source_status == SummarySourceStatus::Waiting
    }

    /// Writes content sent through the API: the abstract and takeaways
    /// given replace the stored ones, and the summary is `completed`.
    pub(crate) fn write(
        &mut self,
        abstract_: Option<String>,
        takeaways: Vec<String>,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        if abstract_.is_some() {
            self.source.abstract_ = abstract_;
        }
        if !takeaways.is_empty() {
            self.source.takeaways = takeaways;
        }
        self.summary.source_status = SummarySourceStatus::Completed;
        self.summary.updated_at = now;
    }
}

/// Where a video's media stand, as generation sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Media {
    /// No source yet, or not encoded yet.
    Pending,
    /// Encoded: the size of the source (unknown for an import) and its
    /// duration in seconds.
    Encoded { size: Option<u64>, seconds: u64 },
}

/// What generation gives for an encoded video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    NoSpeech,
    Failed,
    Speech,
}

fn outcome(state: &AppState, size: Option<u64>) -> Outcome {
    if size.is_some_and(|s| s < MIN_SPEECH_BYTES) {
        Outcome::NoSpeech
    } else if state.faults().fail_generation {
        Outcome::Failed
    } else {
        Outcome::Speech
    }
}

/// 409: the video has a summary already (finished or being generated).
/// `name` is the attribute that asked for another one.
pub(crate) fn already_exists(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "summary-already-exists",
        "A summary already exists or is being created on this video.",
    )
    .with_detail("You can delete the existing summary and generate a new one.")
    .with_name(name)
}

/// One summary of the project, or the 404 naming `summaryId`.
pub(crate) fn get(state: &AppState, project: &str, id: &str) -> ApiResult<Stored> {
    state
        .db
        .get(project, Kind::Summary, id)?
        .ok_or_else(|| ApiError::not_found("summaryId"))
}

/// Every summary of the project, oldest first.
pub(crate) fn list(state: &AppState, project: &str) -> ApiResult<Vec<Stored>> {
    Ok(state.db.list(project, Kind::Summary, None)?)
}

/// The summary of a video, if it has one.
pub(crate) fn of_video(
    state: &AppState,
    project: &str,
    video_id: &str,
) -> ApiResult<Option<Stored>> {
    let summaries: Vec<Stored> = state.db.list(project, Kind::Summary, Some(video_id))?;
    Ok(summaries.into_iter().next())
}

/// Stores a summary under its video.
pub(crate) fn put(state: &AppState, project: &str, stored: &Stored) -> ApiResult<()> {
    state.db.put(
        project,
        Kind::Summary,
        &stored.summary.summary_id,
        Some(stored.video_id()),
        stored,
    )?;
    Ok(())
}

/// Deletes one summary; false if there was none.
pub(crate) fn delete(state: &AppState, project: &str, id: &str) -> ApiResult<bool> {
    Ok(state.db.delete(project, Kind::Summary, id)?)
}

/// Creates the summary of `video`; the caller holds the video's lock and
/// has made sure it has none. With `auto`, an encoded video's summary is
/// generated at once and any other waits for encoding; without, it is
/// `missing` until written.
pub(crate) fn create(
    state: &AppState,
    project: &str,
    video: &Video,
    auto: bool,
    attributes: Vec<Attribute>,
    media: Media,
) -> ApiResult<Stored> {
    let at = state.now();
    let (origin, status) = if auto {
        (SummaryOrigin::Auto, SummarySourceStatus::Waiting)
    } else {
        (SummaryOrigin::Api, SummarySourceStatus::Missing)
    };
    let mut stored = Stored {
        summary: Summary {
            summary_id: new_id(prefix::SUMMARY),
            created_at: at,
            updated_at: at,
            video_id: video.video_id.clone(),
            origin,
            source_status: status,
        },
        attributes,
        source: SummarySource::default(),
    };
    if auto && let Media::Encoded { size, seconds } = media {
        let generated = generate(state, video, &mut stored, size, seconds);
        put(state, project, &stored)?;
        if generated {
            emit_summary(state, project, &stored);
        }
    } else {
        put(state, project, &stored)?;
    }
    Ok(stored)
}

/// Called by encoding, under the video's lock, once `video` is encoded:
/// finishes its waiting summary and writes the caption its transcript
/// asked for.
pub(crate) async fn on_encoded(
    state: &AppState,
    project: &str,
    video: &Video,
    media: Media,
) -> ApiResult<()> {
    let Media::Encoded { size, seconds } = media else {
        return Ok(());
    };
    if let Some(mut stored) = of_video(state, project, &video.video_id)?
        && stored.is_auto()
        && stored.is_waiting()
    {
        let generated = generate(state, video, &mut stored, size, seconds);
        put(state, project, &stored)?;
        if generated {
            emit_summary(state, project, &stored);
        }
    }
    let request = transcript_request(state, project, &video.video_id)?;
    if request.requested && !request.generated {
        transcribe(state, project, video, size, seconds).await?;
    }
    Ok(())
}

/// Whether a caption was asked for a video, and written.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TranscriptRequest {
    requested: bool,
    generated: bool,
}

fn transcript_request(
    state: &AppState,
    project: &str,
    video_id: &str,
) -> ApiResult<TranscriptRequest> {
    Ok(state
        .db
        .get(project, Kind::Transcript, video_id)?
        .unwrap_or_default())
}

fn store_request(
    state: &AppState,
    project: &str,
    video_id: &str,
    request: TranscriptRequest,
) -> ApiResult<()> {
    state.db.put(
        project,
        Kind::Transcript,
        video_id,
        Some(video_id),
        &request,
    )?;
    Ok(())
}

/// Records the `transcript` of a video's create or update; the caller
/// holds the video's lock. Asked of a video already encoded, the caption
/// is written at once. A video gets one generated caption at most.
pub(crate) async fn ask_transcript(
    state: &AppState,
    project: &str,
    video: &Video,
    requested: bool,
    media: Media,
) -> ApiResult<()> {
    let mut request = transcript_request(state, project, &video.video_id)?;
    request.requested = requested;
    store_request(state, project, &video.video_id, request)?;
    if let Media::Encoded { size, seconds } = media
        && requested
        && !request.generated
    {
        transcribe(state, project, video, size, seconds).await?;
    }
    Ok(())
}

/// Writes the caption of an encoded video's speech, in its language, and
/// emits `video.caption.generated`; nothing when there is no speech or
/// generation fails.
async fn transcribe(
    state: &AppState,
    project: &str,
    video: &Video,
    size: Option<u64>,
    seconds: u64,
) -> ApiResult<()> {
    if outcome(state, size) != Outcome::Speech {
        return Ok(());
    }
    let language = video
        .language
        .as_deref()
        .and_then(crate::formats::bcp47::canonical_language)
        .unwrap_or_else(|| SPOKEN_LANGUAGE.to_owned());
    let vtt = webvtt(&takeaways(video), seconds);
    tracks::put_generated(state, project, CAPTIONS, &video.video_id, &language, vtt).await?;
    let mut request = transcript_request(state, project, &video.video_id)?;
    request.generated = true;
    store_request(state, project, &video.video_id, request)?;
    crate::delivery::emit(
        state,
        project,
        "video.caption.generated",
        serde_json::json!({
            "type": "video.caption.generated",
            "videoId": video.video_id,
            "captionId": new_id(prefix::CAPTION),
            "generationMode": "transcript",
            "language": language,
        }),
    );
    state.counters.event("caption.generated", project);
    Ok(())
}

/// Ends a waiting summary of an encoded video by the rules of this
/// module; true when it is `completed` (and its webhook is due).
fn generate(
    state: &AppState,
    video: &Video,
    stored: &mut Stored,
    size: Option<u64>,
    seconds: u64,
) -> bool {
    let status = match outcome(state, size) {
        Outcome::NoSpeech => SummarySourceStatus::Unprocessable,
        Outcome::Failed => SummarySourceStatus::Failed,
        Outcome::Speech => {
            stored.source = SummarySource {
                abstract_: stored
                    .attributes
                    .contains(&Attribute::Abstract)
                    .then(|| abstract_text(video, seconds)),
                takeaways: if stored.attributes.contains(&Attribute::Takeaways) {
                    takeaways(video)
                } else {
                    Vec::new()
                },
            };
            SummarySourceStatus::Completed
        }
    };
    let completed = status == SummarySourceStatus::Completed;
    stored.summary.source_status = status;
    stored.summary.updated_at = state.now();
    completed
}

fn emit_summary(state: &AppState, project: &str, stored: &Stored) {
    crate::delivery::emit(
        state,
        project,
        "video.summary.generated",
        serde_json::json!({
            "type": "video.summary.generated",
            "videoId": stored.video_id(),
            "summaryId": stored.summary.summary_id,
        }),
    );
    state.counters.event("summary.generated", project);
}

/// At most `n` words of `text`, on one line with single spaces.
fn words(text: &str, n: usize) -> String {
    text.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `1 minute and 5 seconds`, `42 seconds`.
fn duration_words(seconds: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    let (minutes, seconds) = (seconds / 60, seconds % 60);
    match (minutes, seconds) {
        (0, s) => plural(s, "second"),
        (m, 0) => plural(m, "minute"),
        (m, s) => format!("{} and {}", plural(m, "minute"), plural(s, "second")),
    }
}

/// The abstract of a video: 20 to 300 words.
fn abstract_text(video: &Video, seconds: u64) -> String {
    let duration = duration_words(seconds);
    let title = Some(words(&video.title, TITLE_WORDS)).filter(|t| !t.is_empty());
    let opening = match title {
        Some(title) => format!("“{title}” is a video of {duration}."),
        None => format!("This is a video of {duration}."),
    };
    let about = Some(words(&video.description, DESCRIPTION_WORDS))
        .filter(|d| !d.is_empty())
        .map(|d| format!(" Its description reads: {d}"))
        .unwrap_or_default();
    format!(
        "{opening}{about} It opens by setting out its subject and why it matters, then goes \
         through its main points one after the other with examples, and ends with a short \
         recap of what was covered."
    )
}

/// The three takeaways of a video, in the order the video makes them.
fn takeaways(video: &Video) -> Vec<String> {
    let subject = Some(words(&video.title, SUBJECT_WORDS))
        .filter(|t| !t.is_empty())
        .map_or_else(|| "its subject".to_owned(), |t| format!("“{t}”"));
    vec![
        format!("The video opens by introducing {subject}."),
        format!("It then goes through the main points of {subject}, with examples."),
        format!("It ends with a short recap of {subject}."),
    ]
}

/// A WebVTT file with one cue per line, splitting `seconds` evenly.
fn webvtt(lines: &[String], seconds: u64) -> String {
    let total = seconds.max(1) * 1000;
    let n = u64::try_from(lines.len()).unwrap_or(1).max(1);
    let mut out = String::from("WEBVTT\n");
    for (i, line) in (0u64..).zip(lines) {
        // A cue's text may hold neither an arrow nor a line break.
        let text = words(&line.replace("-->", "→"), usize::MAX);
        out.push_str(&format!(
            "\n{}\n{} --> {}\n{text}\n",
            i + 1,
            timestamp(total * i / n),
            timestamp(total * (i + 1) / n),
        ));
    }
    out
}

/// `HH:MM:SS.mmm`.
fn timestamp(ms: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(title: Option<&str>, description: Option<&str>) -> Video {
        let mut video = crate::store::videos::new_video(String::new(), chrono::Utc::now());
        video.title = title.unwrap_or_default().to_owned();
        video.description = description.unwrap_or_default().to_owned();
        video
    }

    fn count(text: &str) -> usize {
        text.split_whitespace().count()
    }

    #[test]
    fn abstracts_have_20_to_300_words_whatever_the_video() {
        let long = "word ".repeat(1000);
        for (title, description) in [
            (None, None),
            (Some(""), Some("   ")),
            (Some("A"), None),
            (
                Some("Maths"),
                Some("A short lesson introducing string theory."),
            ),
            (Some(long.as_str()), Some(long.as_str())),
        ] {
            for seconds in [1, 59, 60, 61, 3725] {
                let text = abstract_text(&video(title, description), seconds);
                let n = count(&text);
                assert!((20..=300).contains(&n), "{n} words: {text}");
            }
        }
        let text = abstract_text(&video(Some("Maths"), Some("About strings.")), 65);
        assert!(
            text.starts_with("“Maths” is a video of 1 minute and 5 seconds."),
            "{text}"
        );
        assert!(
            text.contains("Its description reads: About strings."),
            "{text}"
        );
    }

    #[test]
    fn takeaways_are_three_in_order() {
        let points = takeaways(&video(Some("String theory"), None));
        assert_eq!(points.len(), 3);
        assert!(points[0].starts_with("The video opens"));
        assert!(points[2].contains("recap of “String theory”"));
        assert!(takeaways(&video(None, None))[1].contains("its subject"));
    }

    #[test]
    fn attributes_default_to_both_and_keep_one_of_each() {
        use Attribute::{Abstract, Takeaways};
        assert_eq!(Attribute::chosen(Vec::new()), [Abstract, Takeaways]);
        assert_eq!(
            Attribute::chosen(["takeaways".to_owned(), "takeaways".to_owned()]),
            [Takeaways]
        );
    }

    #[test]
    fn captions_split_the_video_into_valid_cues() {
        let lines = vec![
            "a --> b".to_owned(),
            "two\nlines".to_owned(),
            "c".to_owned(),
        ];
        let vtt = webvtt(&lines, 3725);
        assert!(
            vtt.starts_with("WEBVTT\n\n1\n00:00:00.000 --> 00:20:41.666\na → b\n"),
            "{vtt}"
        );
        assert!(
            vtt.contains("\n2\n00:20:41.666 --> 00:41:23.333\ntwo lines\n"),
            "{vtt}"
        );
        assert!(
            vtt.ends_with("\n3\n00:41:23.333 --> 01:02:05.000\nc\n"),
            "{vtt}"
        );
        assert!(webvtt(&lines, 0).contains("00:00:00.666 --> 00:00:01.000"));
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_words(1), "1 second");
        assert_eq!(duration_words(42), "42 seconds");
        assert_eq!(duration_words(60), "1 minute");
        assert_eq!(duration_words(125), "2 minutes and 5 seconds");
    }
}
