//! Simulated encoding: once a source is complete, its renditions go from
//! `waiting` through `encoding` to `encoded`, one after another, the last
//! at `encoding_delay`. As on the API, the video is playable as soon as
//! the first rendition is encoded. At the end `video.encoding.quality.completed`
//! is emitted for each rendition. The state is derived from the stored upload time, so it
//! survives a restart; a timer (or the first status read after a restart)
//! records the end and emits the webhooks exactly once. Recording the end
//! also detects the language and hands the video to `transcripts`, which
//! finishes its summary and writes the caption it asked for.

use apivideo_raw::types::{
    BytesRange, Quality, QualityQuality, QualityStatus, QualityType, Video, VideoStatus,
    VideoStatusEncoding, VideoStatusEncodingMetadata, VideoStatusIngest,
    VideoStatusIngestReceivedParts, VideoStatusIngestStatus,
};

use super::ingest::{self, Ingest};
use super::transcripts::{self, Media};
use super::videos;
use crate::db::Kind;
use crate::problem::ApiResult;
use crate::state::AppState;

/// The HLS renditions every video gets.
const HLS: [QualityQuality; 5] = [
    QualityQuality::X240p,
    QualityQuality::X360p,
    QualityQuality::X480p,
    QualityQuality::X720p,
    QualityQuality::X1080p,
];

/// Assumed bitrate of sources, to derive a plausible duration.
const BYTES_PER_SECOND: u64 = 500_000;

/// The renditions of a video: HLS ones, plus the MP4 when supported.
fn renditions(video: &Video) -> Vec<(QualityType, QualityQuality)> {
    let mut out: Vec<_> = HLS.iter().map(|q| (QualityType::Hls, q.clone())).collect();
    if video.mp4_support != Some(false) {
        out.push((QualityType::Mp4, QualityQuality::X1080p));
    }
    out
}

fn delay_ms(state: &AppState) -> i64 {
    i64::try_from(state.config.encoding_delay.as_millis()).unwrap_or(i64::MAX)
}

/// Where encoding stands for an ingest state, at `now`.
fn phase(state: &AppState, ingest: &Ingest, now: i64) -> Option<QualityStatus> {
    let uploaded_at = ingest.uploaded_at.filter(|_| ingest.uploaded)?;
    let elapsed = now.saturating_sub(uploaded_at);
    let delay = delay_ms(state);
    Some(if ingest.encoded || elapsed >= delay {
        QualityStatus::Encoded
    } else if elapsed.saturating_mul(2) >= delay {
        QualityStatus::Encoding
    } else {
        QualityStatus::Waiting
    })
}

/// Where rendition `index` of `count` stands at `now`: rendition `i` is
/// encoded at `(i + 1) / count` of the encoding delay, encoding during the
/// slice before, waiting until then.
fn rendition_phase(
    state: &AppState,
    ingest: &Ingest,
    now: i64,
    index: usize,
    count: usize,
) -> Option<QualityStatus> {
    let uploaded_at = ingest.uploaded_at.filter(|_| ingest.uploaded)?;
    if ingest.encoded {
        return Some(QualityStatus::Encoded);
    }
    let elapsed = i128::from(now.saturating_sub(uploaded_at));
    let delay = i128::from(delay_ms(state));
    let (index, count) = (index as i128, count.max(1) as i128);
    // elapsed >= delay * (index + 1) / count, without division.
    Some(if elapsed * count >= delay * (index + 1) {
        QualityStatus::Encoded
    } else if elapsed * count >= delay * index {
        QualityStatus::Encoding
    } else {
        QualityStatus::Waiting
    })
}

/// Starts the encoding timer of a video whose source just became complete.
pub(crate) fn schedule(state: &AppState, project: &str, video_id: &str) {
    let (task_state, project, video_id) = (state.clone(), project.to_owned(), video_id.to_owned());
    state.spawn(async move {
        tokio::time::sleep(task_state.config.encoding_delay).await;
        if let Err(e) = finish(&task_state, &project, &video_id).await {
            tracing::warn!(video_id, error = ?e.problem, "encoding could not finish");
        }
    });
}

/// Records the end of encoding and emits its webhooks, once.
async fn finish(state: &AppState, project: &str, video_id: &str) -> ApiResult<()> {
    let video = {
        let _guard = ingest::lock(state, video_id).await;
        let Some(video) = state.db.get::<Video>(project, Kind::Video, video_id)? else {
            return Ok(());
        };
        let mut ingest = ingest::load(state, project, video_id)?;
        if !ingest.uploaded || ingest.encoded {
            return Ok(());
        }
        ingest::discard_chunks(&ingest::video_dir(state, project, video_id)).await;
        // The language of the speech, when the API was not told it, is
        // detected from the audio: the emulator's sources all speak English.
        let mut video = video;
        if video.language.is_none() {
            video.language = Some(transcripts::SPOKEN_LANGUAGE.to_owned());
            video.language_origin = Some(apivideo_raw::types::VideoLanguageOrigin::Auto);
            videos::save(state, project, &video)?;
        }
        let encoded = Media::Encoded {
            size: ingest.filesize,
            seconds: duration_of(ingest.filesize),
        };
        if let Err(e) = transcripts::on_encoded(state, project, &video, encoded).await {
            tracing::warn!(video_id, error = ?e.problem, "generation from speech failed");
        }
        // Recorded last: a read that finds encoding recorded also finds
        // what followed it (the language, the summary, the caption).
        ingest.encoded = true;
        ingest::store(state, project, video_id, &ingest)?;
        video
    };
    let emitted_at = state
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    for (kind, quality) in renditions(&video) {
        crate::delivery::emit(
            state,
            project,
            "video.encoding.quality.completed",
            serde_json::json!({
                "type": "video.encoding.quality.completed",
                "emittedAt": emitted_at,
                "videoId": video_id,
                "encoding": kind.to_string(),
                "quality": quality.to_string(),
            }),
        );
    }
    state.counters.event("encoding.completed", project);
    Ok(())
}

/// The ingest state of a video, with encoding recorded as finished if its
/// time has come (after a restart the timer is gone).
pub(crate) async fn current(state: &AppState, project: &str, video_id: &str) -> ApiResult<Ingest> {
    let ingest = ingest::load(state, project, video_id)?;
    if !ingest.encoded
        && phase(state, &ingest, state.clock.now_millis()) == Some(QualityStatus::Encoded)
    {
        finish(state, project, video_id).await?;
        return ingest::load(state, project, video_id);
    }
    Ok(ingest)
}

/// Where a video's media stand for generation from speech: encoded once
/// the end of encoding is recorded (after what followed it).
pub(crate) fn media(ingest: &Ingest) -> Media {
    if ingest.encoded {
        Media::Encoded {
            size: ingest.filesize,
            seconds: duration_of(ingest.filesize),
        }
    } else {
        Media::Pending
    }
}

/// `GET /videos/{videoId}/status` for a video and its ingest state.
pub(crate) fn status(state: &AppState, video: &Video, ingest: &Ingest) -> VideoStatus {
    let now = state.clock.now_millis();
    let renditions = renditions(video);
    let count = renditions.len();
    let qualities: Vec<Quality> = renditions
        .into_iter()
        .enumerate()
        .filter_map(|(index, (kind, quality))| {
            let status = rendition_phase(state, ingest, now, index, count)?;
            Some(Quality {
                quality,
                status,
                type_: Some(kind),
            })
        })
        .collect();
    let playable = qualities.iter().any(|q| q.status == QualityStatus::Encoded);
    VideoStatus {
        ingest: ingest_status(ingest),
        encoding: VideoStatusEncoding {
            playable,
            qualities,
            metadata: if ingest.uploaded {
                metadata(ingest.filesize)
            } else {
                VideoStatusEncodingMetadata::default()
            },
        },
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn ingest_status(ingest: &Ingest) -> VideoStatusIngest {
    let status = if ingest.uploaded {
        VideoStatusIngestStatus::Uploaded
    } else if ingest.started() {
        VideoStatusIngestStatus::Uploading
    } else {
        VideoStatusIngestStatus::Missing
    };
    let received_parts = (!ingest.parts.is_empty() || ingest.total_parts.is_some()).then(|| {
        VideoStatusIngestReceivedParts {
            parts: ingest.parts.keys().copied().map(to_i64).collect(),
            total: ingest.total_parts.map(to_i64),
        }
    });
    VideoStatusIngest {
        status,
        filesize: ingest.filesize.map(to_i64),
        received_bytes: ingest
            .ranges
            .iter()
            .map(|r| BytesRange {
                from: to_i64(r.from),
                to: to_i64(r.to),
                total: to_i64(r.total),
            })
            .collect(),
        received_parts,
    }
}

/// Plausible technical metadata of a source of `size` bytes.
fn metadata(size: Option<u64>) -> VideoStatusEncodingMetadata {
    let duration = duration_of(size);
    let size = size.unwrap_or(duration * BYTES_PER_SECOND);
    let kbps = (size as f64 * 8.0 / duration as f64 / 1000.0 * 1000.0).round() / 1000.0;
    VideoStatusEncodingMetadata {
        width: Some(1920),
        height: Some(1080),
        bitrate: Some(kbps),
        duration: Some(to_i64(duration)),
        framerate: Some(25),
        samplerate: Some(48_000),
        video_codec: Some("h264".into()),
        audio_codec: Some("aac".into()),
        aspect_ratio: Some("16/9".into()),
    }
}

/// A plausible duration in seconds for a source of `size` bytes.
pub(crate) fn duration_of(size: Option<u64>) -> u64 {
    (size.unwrap_or(60 * BYTES_PER_SECOND) / BYTES_PER_SECOND).max(1)
}
