//! The data directory's format: a directory of another format (written by
//! an earlier emulator, or a later one) is refused at start with an error
//! that says so, and nothing in it changes; at its own format it restarts
//! with everything it held.

use apivideo_emulator::{Config, Emulator, StartError};
use apivideo_raw::prelude::*;

use crate::common;
use crate::uploads::create;

/// Sets the format the directory's database says it holds.
fn set_format(dir: &std::path::Path, format: i64) {
    rusqlite::Connection::open(dir.join("state.sqlite"))
        .expect("the database opens")
        .pragma_update(None, "user_version", format)
        .expect("the format is set");
}

#[tokio::test]
async fn a_data_directory_of_another_format_is_refused_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let config = || {
        Config::default()
            .with_api_key("key-a")
            .with_data_dir(dir.path())
    };
    let env = common::start_with(config()).await;
    let video = create(&env, "kept").await;
    env.emulator.shutdown().await;

    for format in [0, 99] {
        set_format(dir.path(), format);
        match Emulator::start(config()).await {
            Err(StartError::Database(message)) => {
                assert!(
                    message.contains(&format!("format {format}"))
                        && message.contains("empty data directory"),
                    "{message}"
                );
            }
            Err(other) => panic!("format {format}: {other}"),
            Ok(_) => panic!("format {format}: started"),
        }
    }

    set_format(dir.path(), 1);
    let env = common::start_with(config()).await;
    let again = env
        .raw
        .get_video()
        .video_id(&video.video_id)
        .send()
        .await
        .expect("the video is still there");
    assert_eq!(again.title, "kept");
}
