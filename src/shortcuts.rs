//! Shortcuts on generated models, for the values callers build by hand and
//! the questions every caller asks.

use crate::types::{Metadata, VideoStatus};

impl VideoStatus {
    /// Whether the video can be played: at least one rendition is encoded.
    pub fn is_playable(&self) -> bool {
        self.encoding.playable
    }
}

impl Metadata {
    /// A `key: value` pair of a video's metadata.
    ///
    /// ```
    /// # use apivideo_raw as apivideo;
    /// let author = apivideo::types::Metadata::new("Author", "John Doe");
    /// assert_eq!(author.key, "Author");
    /// ```
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}
