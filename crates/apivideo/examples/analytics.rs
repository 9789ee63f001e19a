//! Who watched a video: its player sessions, its plays, and the views of
//! the whole project by country over the last day.
//!
//! ```sh
//! cargo run --example analytics
//! ```
//!
//! With `APIVIDEO_API_KEY` set it reads the API's figures for a video of
//! yours (the first argument) or your latest one; without, it runs against
//! the emulator, started in-process, after recording a few viewers there.

use std::time::Duration;

use apivideo::metrics::{
    AggregatedMetric, Breakdown, BucketMetric, MetricsFilter, PlayAggregation,
};
use apivideo::prelude::*;
use apivideo::types::{ListVideosSortBy, ListVideosSortOrder, VideoCreationPayload};
use futures::TryStreamExt;

/// The figures of one video, and of the project by country.
#[derive(Debug)]
pub struct Report {
    /// Player sessions of the video since yesterday.
    pub sessions: usize,
    /// Plays of the video over the last 24 hours.
    pub plays: f64,
    /// Views over the last 24 hours, per country code, most first.
    pub views_by_country: Vec<(String, f64)>,
}

/// Reads the analytics of video `video_id`.
pub async fn run(client: &Client, video_id: &str) -> apivideo::Result<Report> {
    // Sessions: one per page load of the player, listed over a period (a
    // day, a month, or a range of days).
    let today = chrono::Utc::now().date_naive();
    let period = format!("{}/{today}", today - chrono::Days::new(1));
    let sessions: Vec<_> = client
        .list_video_sessions()
        .video_id(video_id)
        .period(period)
        .stream()
        .try_collect()
        .await?;

    // One figure: the plays of this video (by default over the last day).
    let plays = client
        .get_aggregated_metrics()
        .metric(AggregatedMetric::Play(PlayAggregation::Total))
        .filter_by(MetricsFilter::new().media_id(video_id))
        .send()
        .await?
        .data;

    // A figure per value of a dimension, across pages: views by country.
    let mut views_by_country: Vec<(String, f64)> = client
        .get_metrics_breakdown()
        .metric(BucketMetric::View)
        .breakdown(Breakdown::Country)
        .stream()
        .map_ok(|bucket| (bucket.dimension_value, bucket.metric_value))
        .try_collect()
        .await?;
    views_by_country.sort_by(|a, b| b.1.total_cmp(&a.1));

    println!("{video_id}: {} sessions, {plays} plays", sessions.len());
    for (country, views) in &views_by_country {
        println!("  {country}: {views} views");
    }
    Ok(Report {
        sessions: sessions.len(),
        plays,
        views_by_country,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use apivideo::testing::PlayerSession;

    // The API when APIVIDEO_API_KEY is set, else an emulator in this process.
    let (client, emulator) = apivideo::testing::from_env_or_emulator().await?;

    let video_id = match (&emulator, std::env::args().nth(1)) {
        (_, Some(id)) => id,
        (None, None) => {
            let latest = client
                .list_videos()
                .sort_by(ListVideosSortBy::CreatedAt)
                .sort_order(ListVideosSortOrder::Desc)
                .send()
                .await?;
            let video = latest
                .data
                .into_iter()
                .next()
                .ok_or("this project has no video")?;
            video.video_id
        }
        (Some(emulator), None) => {
            // The emulator's viewers: two in France, one in Japan who left
            // before playing.
            let video = client
                .create_video()
                .body(VideoCreationPayload::builder().title("Watched"))
                .send()
                .await?;
            let id = video.video_id;
            for (country, seconds) in [("FR", 40), ("FR", 25), ("JP", 0)] {
                let mut session = PlayerSession::video(&id).country(country);
                if seconds > 0 {
                    session = session.watched(Duration::from_secs(seconds));
                }
                emulator.record_session(session).await?;
            }
            id
        }
    };
    run(&client, &video_id).await?;
    Ok(())
}
