//! A delegated upload: your service, which holds the API key, issues an
//! upload token; a client without the key (a browser, a mobile app, a
//! partner's server) uploads with it.
//!
//! ```sh
//! cargo run --example delegated_upload
//! ```
//!
//! With `APIVIDEO_API_KEY` set it talks to the API; without, to the
//! emulator, started in-process.

use std::path::Path;

use apivideo::prelude::*;
use apivideo::types::{TokenCreationPayload, Video};
use apivideo::{Client, Config};

/// The service's side: an upload token that expires in an hour. Hand it to
/// the uploader; it can create videos, and do nothing else.
pub async fn issue_token(client: &Client) -> apivideo::Result<String> {
    let token = client
        .create_upload_token()
        .body(TokenCreationPayload { ttl: 3600 })
        .send()
        .await?;
    Ok(token.token)
}

/// The uploader's side: a client with no API key at all, and the token.
/// The first chunk creates the video; the SDK names it in every later one.
pub async fn upload_with_token(
    base_url: &str,
    token: &str,
    path: &Path,
) -> apivideo::Result<Video> {
    // No `with_api_key`: this client can only upload with a token.
    let keyless = Client::with_config(Config::new(base_url).with_chunk_size(5 * 1024 * 1024))?;
    keyless
        .upload_with_upload_token()
        .token(token)
        .file(path)
        .on_progress(|p| println!("  part {}: {} bytes", p.part, p.bytes_sent))
        .send()
        .await
}

/// Both sides, against the API `client` talks to.
pub async fn run(client: &Client, path: &Path) -> apivideo::Result<Video> {
    let token = issue_token(client).await?;
    let video = upload_with_token(client.config().base_url(), &token, path).await?;
    println!("the token's holder uploaded {}", video.video_id);
    Ok(video)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The API when APIVIDEO_API_KEY is set, else an emulator in this process.
    let (client, _emulator) = apivideo::testing::from_env_or_emulator().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("from-a-browser.mp4");
    std::fs::write(&path, vec![0x42; 12 * 1024 * 1024])?;
    run(&client, &path).await?;
    Ok(())
}
