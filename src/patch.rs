//! Handwritten request bodies for PATCH operations where an explicit `null`
//! or an empty list means something to the API.
//!
//! A generated body cannot tell "leave this field alone" from "clear it":
//! both become an absent field. These types can, and the pipeline uses them
//! in place of the generated ones (`x-rust-replace` in `openapi.yaml`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::types::{
    Metadata, VideoCreationPayloadLanguage, VideoCreationPayloadTranscriptSummaryAttributesItem,
};

/// One field of a PATCH body: left out, set to a value, or set to `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Not sent: the field keeps its current value.
    #[default]
    Unchanged,
    /// Sent with this value.
    Set(T),
    /// Sent as `null`: the API removes the value.
    Clear,
}

impl<T> Patch<T> {
    /// Whether the field is left out of the body.
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Self::Unchanged)
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Self::Set(value)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Only reached without `skip_serializing_if`; `null` is the
            // closest meaning a serializer can give to "nothing".
            Self::Unchanged | Self::Clear => serializer.serialize_none(),
            Self::Set(value) => value.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// A present field is `Set` or, when `null`, `Clear`; an absent one is
    /// `Unchanged` through `#[serde(default)]`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Self::Set(value),
            None => Self::Clear,
        })
    }
}

/// The body of `update_video`. Every field is optional; only the fields
/// that are not [`Patch::Unchanged`] / `None` are sent.
///
/// ```
/// # use apivideo_raw as apivideo;
/// use apivideo::patch::{Patch, VideoUpdatePayload};
///
/// // Remove the video's player and all of its tags, change nothing else.
/// let body = VideoUpdatePayload {
///     player_id: Patch::Clear,
///     tags: Some(vec![]),
///     ..Default::default()
/// };
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"playerId":null,"tags":[]}"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoUpdatePayload {
    /// The player to apply; [`Patch::Clear`] removes the current one.
    #[serde(default, skip_serializing_if = "Patch::is_unchanged")]
    pub player_id: Patch<String>,
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the video can be watched without a private token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// Whether the video is a 360° video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panoramic: Option<bool>,
    /// Whether to produce a downloadable MP4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mp4_support: Option<bool>,
    /// New tags, replacing all of them; `Some(vec![])` removes every tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// New metadata, replacing all of it; `Some(vec![])` removes it all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
    /// The language of the video's speech; [`Patch::Clear`] lets the API
    /// detect it from the audio again.
    #[serde(default, skip_serializing_if = "Patch::is_unchanged")]
    pub language: Patch<VideoCreationPayloadLanguage>,
    /// Whether to transcribe the speech into a caption track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<bool>,
    /// Whether to summarise the transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_summary: Option<bool>,
    /// What the summary holds, `abstract` and/or `takeaways`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_summary_attributes:
        Option<Vec<VideoCreationPayloadTranscriptSummaryAttributesItem>>,
}
