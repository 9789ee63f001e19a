//! Shortcuts on the status types, for the questions every caller asks.

use crate::types::VideoStatus;

impl VideoStatus {
    /// Whether the video can be played: at least one rendition is encoded.
    pub fn is_playable(&self) -> bool {
        self.encoding
            .as_ref()
            .and_then(|e| e.playable)
            .unwrap_or(false)
    }
}
