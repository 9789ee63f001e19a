//! The list operations progenitor cannot generate because of their
//! `metadata[key]=value` filter: `list_videos` and `list_video_sessions`,
//! as builders that feel like the generated ones.

use std::num::NonZeroU64;

use apivideo_raw::types::{Video, VideoSession, VideoSessionsListResponse, VideosListResponse};

use crate::client::Client;
use crate::engine::decode;
use crate::error::{Error, Result};
use crate::pagination::{Page, Paginated};

/// Handwritten list operations that implement [`Paginated`].
pub(crate) const HANDWRITTEN_LISTS: &[&str] = &["list_videos", "list_video_sessions"];

/// How `list_videos` sorts: the `sortBy` parameter. Serializes as the value it
/// sends (and, with the `schemars` feature, describes itself as such).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum VideoSortBy {
    /// By title.
    Title,
    /// By creation time.
    CreatedAt,
    /// By publication time.
    PublishedAt,
    /// By last update.
    UpdatedAt,
}

impl VideoSortBy {
    /// The value sent as `sortBy`, e.g. `createdAt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::CreatedAt => "createdAt",
            Self::PublishedAt => "publishedAt",
            Self::UpdatedAt => "updatedAt",
        }
    }
}

/// Sort direction: the `sortOrder` parameter. Serializes as the value it sends
/// (and, with the `schemars` feature, describes itself as such).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

impl SortOrder {
    /// The value sent as `sortOrder`: `asc` or `desc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

impl Client {
    /// Lists videos, filtered and sorted: `GET /videos`.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// use apivideo::prelude::*;
    /// use futures::TryStreamExt;
    ///
    /// let tutorials: Vec<_> = client
    ///     .list_videos()
    ///     .tag("tutorial")
    ///     .metadata("Author", "John Doe")
    ///     .stream()
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list_videos(&self) -> ListVideos<'_> {
        ListVideos {
            client: self,
            query: Vec::new(),
        }
    }

    /// Lists the player sessions of a video over `period`:
    /// `GET /analytics/videos/{videoId}`.
    ///
    /// `period` is a day (`2024-03-05`), a month (`2024-03`), a year
    /// (`2024`) or a range (`2024-03-01/2024-03-31`).
    pub fn list_video_sessions(
        &self,
        video_id: impl Into<String>,
        period: impl Into<String>,
    ) -> ListVideoSessions<'_> {
        ListVideoSessions {
            client: self,
            video_id: video_id.into(),
            query: vec![("period".to_owned(), period.into())],
        }
    }
}

/// Builder for [`Client::list_videos`].
#[derive(Debug, Clone)]
pub struct ListVideos<'a> {
    client: &'a Client,
    query: Vec<(String, String)>,
}

impl ListVideos<'_> {
    fn set(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.retain(|(k, _)| k != key);
        self.query.push((key.to_owned(), value.into()));
        self
    }

    /// Videos whose title contains this text.
    pub fn title(self, title: impl Into<String>) -> Self {
        self.set("title", title)
    }

    /// Videos carrying this tag (repeat for several: all must match).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.query.push(("tags[]".to_owned(), tag.into()));
        self
    }

    /// Videos whose metadata has `key` set to `value` (repeat for several).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query
            .push((format!("metadata[{}]", key.into()), value.into()));
        self
    }

    /// Videos whose description contains this text.
    pub fn description(self, description: impl Into<String>) -> Self {
        self.set("description", description)
    }

    /// Videos recorded from this live stream.
    pub fn live_stream_id(self, id: impl Into<String>) -> Self {
        self.set("liveStreamId", id)
    }

    /// The sort field.
    pub fn sort_by(self, by: VideoSortBy) -> Self {
        self.set("sortBy", by.as_str())
    }

    /// The sort direction.
    pub fn sort_order(self, order: SortOrder) -> Self {
        self.set("sortOrder", order.as_str())
    }

    /// Items per page, 1 to 100 (default 25).
    pub fn page_size(self, size: u64) -> Self {
        self.set("pageSize", size.to_string())
    }

    /// The page to fetch, from 1 (default 1).
    pub fn current_page(self, page: u64) -> Self {
        self.set("currentPage", page.to_string())
    }

    /// Sends the request: one page of videos.
    pub async fn send(self) -> Result<VideosListResponse> {
        get_json(self.client, "list_videos", "/videos".to_owned(), self.query).await
    }
}

impl Paginated for ListVideos<'_> {
    type Item = Video;

    async fn fetch_page(self, page: NonZeroU64) -> Result<Page<Video>> {
        let list = self.current_page(page.get()).send().await?;
        Ok(Page {
            items: list.data,
            pagination: list.pagination,
        })
    }
}

/// Builder for [`Client::list_video_sessions`].
#[derive(Debug, Clone)]
pub struct ListVideoSessions<'a> {
    client: &'a Client,
    video_id: String,
    query: Vec<(String, String)>,
}

impl ListVideoSessions<'_> {
    /// Sessions whose metadata has `key` set to `value` (repeat for several).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query
            .push((format!("metadata[{}]", key.into()), value.into()));
        self
    }

    /// Items per page, 1 to 100 (default 25).
    pub fn page_size(mut self, size: u64) -> Self {
        self.query.retain(|(k, _)| k != "pageSize");
        self.query.push(("pageSize".to_owned(), size.to_string()));
        self
    }

    /// The page to fetch, from 1 (default 1).
    pub fn current_page(mut self, page: u64) -> Self {
        self.query.retain(|(k, _)| k != "currentPage");
        self.query
            .push(("currentPage".to_owned(), page.to_string()));
        self
    }

    /// Sends the request: one page of sessions.
    pub async fn send(self) -> Result<VideoSessionsListResponse> {
        if self.video_id.is_empty() {
            return Err(Error::InvalidRequest("video_id must not be empty".into()));
        }
        let path = format!("/analytics/videos/{}", path_segment(&self.video_id));
        get_json(self.client, "list_video_sessions", path, self.query).await
    }
}

impl Paginated for ListVideoSessions<'_> {
    type Item = VideoSession;

    async fn fetch_page(self, page: NonZeroU64) -> Result<Page<VideoSession>> {
        let list = self.current_page(page.get()).send().await?;
        Ok(Page {
            items: list.data,
            pagination: list.pagination,
        })
    }
}

/// A GET with a query, through the engine, decoded as JSON.
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
    client: &Client,
    operation: &str,
    path: String,
    query: Vec<(String, String)>,
) -> Result<T> {
    let url = client.url(&path);
    let http = &client.engine().http;
    let response = client
        .engine()
        .send(operation, || {
            http.get(&url)
                .query(&query)
                .build()
                .map_err(|e| Error::InvalidRequest(e.without_url().to_string()))
        })
        .await?;
    decode(response).await
}

/// Percent-encodes one path segment.
pub(crate) fn path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
