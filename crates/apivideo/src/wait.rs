//! Waiting for a state the API reaches on its own, by polling with
//! backoff under a deadline.

use std::time::Duration;

use apivideo_raw::ClientVideosExt;
use apivideo_raw::types::VideoStatus;

use crate::client::Client;
use crate::error::{Error, Result};

/// The first pause between two polls; each later one is half as long
/// again, up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(200);
/// The longest pause between two polls.
const MAX_PAUSE: Duration = Duration::from_secs(5);

impl Client {
    /// Waits until video `video_id` can be played (at least one rendition
    /// encoded), and returns its status then. It polls
    /// `GET /videos/{videoId}/status`, 200 ms apart at first and up to
    /// 5 s apart later, and gives up with [`Error::Deadline`] once
    /// `deadline` has passed. Errors of the status call (a 404 for an
    /// unknown video, …) end the wait at once.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// use std::time::Duration;
    ///
    /// let status = client.wait_until_playable("vi4blUQJFrYWbaG44NChkH27", Duration::from_secs(600)).await?;
    /// assert!(status.is_playable());
    /// # Ok(()) }
    /// ```
    pub async fn wait_until_playable(
        &self,
        video_id: &str,
        deadline: Duration,
    ) -> Result<VideoStatus> {
        let started = tokio::time::Instant::now();
        let mut pause = FIRST_PAUSE;
        loop {
            let status = self.get_video_status().video_id(video_id).send().await?;
            if status.is_playable() {
                return Ok(status);
            }
            let left = deadline.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Err(Error::Deadline(format!(
                    "video {video_id} was not playable after {deadline:?}"
                )));
            }
            tokio::time::sleep(pause.min(left)).await;
            pause = (pause * 3 / 2).min(MAX_PAUSE);
        }
    }
}
