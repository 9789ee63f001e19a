//! Lists videos with filters across every page, as a stream, and tells a
//! missing video (404) from other errors.
//!
//! ```sh
//! cargo run --example list_videos
//! ```
//!
//! It creates a few tagged videos first, and deletes them at the end. With
//! `APIVIDEO_API_KEY` set it talks to the API; without, to the emulator,
//! started in-process.

use apivideo::prelude::*;
use apivideo::types::{ListVideosSortBy, ListVideosSortOrder, Video, VideoCreationPayload};
use futures::TryStreamExt;

/// The ids of the videos tagged `tag` whose `course` metadata is `course`,
/// oldest first, fetched 10 per page.
pub async fn run(client: &Client, tag: &str, course: &str) -> apivideo::Result<Vec<String>> {
    let mut videos = client
        .list_videos()
        .tag(tag)
        .metadata("course", course)
        .sort_by(ListVideosSortBy::CreatedAt)
        .sort_order(ListVideosSortOrder::Asc)
        .page_size(10)
        .stream();
    // The stream fetches the next page when it runs out: no page numbers.
    let mut ids = Vec::new();
    while let Some(video) = videos.try_next().await? {
        println!("  {} {}", video.video_id, video.title);
        ids.push(video.video_id);
    }
    Ok(ids)
}

/// The video, or `None` when there is no such video.
pub async fn find(client: &Client, video_id: &str) -> apivideo::Result<Option<Video>> {
    match client.get_video().video_id(video_id).send().await {
        Ok(video) => Ok(Some(video)),
        Err(e) if e.is_not_found() => Ok(None),
        // Anything else (no network, a bad key…) is a real failure.
        Err(e) => Err(e),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The API when APIVIDEO_API_KEY is set, else an emulator in this process.
    let (client, _emulator) = apivideo::testing::from_env_or_emulator().await?;

    let tag = format!("list-example-{}", std::process::id());
    let mut created = Vec::new();
    for lesson in 1..=12 {
        let course = if lesson % 3 == 0 { "physics" } else { "maths" };
        let video = client
            .create_video()
            .body(
                VideoCreationPayload::builder()
                    .title(format!("Lesson {lesson}"))
                    .tags(vec![tag.clone()])
                    .metadata(vec![apivideo::types::Metadata::new("course", course)]),
            )
            .send()
            .await?;
        created.push(video.video_id);
    }

    println!("maths lessons tagged {tag}:");
    let maths = run(&client, &tag, "maths").await?;
    println!("{} found", maths.len());

    for id in &created {
        client.delete_video().video_id(id).send().await?;
    }
    match find(&client, &created[0]).await? {
        None => println!("{} is gone: a 404, read as None", created[0]),
        Some(_) => println!("{} is still there", created[0]),
    }
    Ok(())
}
