//! The list operations progenitor cannot generate because of their
//! `metadata[key]=value` filter: `list_videos`, `list_discarded_videos`
//! and `list_video_sessions`, as builders shaped like the generated ones: a
//! setter per parameter, `send()` for one page, and [`Paginated`] for all
//! of them. The two video lists take the same filters, so one macro
//! defines both builders.

use std::num::NonZeroU64;

use apivideo_raw::ResponseValue;
use apivideo_raw::types::{
    ListDiscardedVideosSortBy, ListDiscardedVideosSortOrder, ListVideosSortBy, ListVideosSortOrder,
    Video, VideoSession, VideoSessionsListResponse, VideosListResponse,
};

use crate::client::Client;
use crate::engine::{Call, Kind, decode};
use crate::error::{Error, Result};
use crate::pagination::{Page, Paginated};

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
        ListVideos::new(self)
    }

    /// Lists discarded videos (deleted while the project's Video Restore
    /// feature was on, restorable until their `deletesAt`), filtered and
    /// sorted like [`Client::list_videos`]: `GET /discarded/videos`.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// use apivideo::prelude::*;
    /// use apivideo::types::DiscardedVideoUpdatePayload;
    /// use futures::TryStreamExt;
    ///
    /// let discarded: Vec<_> = client
    ///     .list_discarded_videos()
    ///     .metadata("Author", "John Doe")
    ///     .stream()
    ///     .try_collect()
    ///     .await?;
    /// for video in discarded {
    ///     client
    ///         .restore_video()
    ///         .video_id(&video.video_id)
    ///         .body(DiscardedVideoUpdatePayload { discarded: false })
    ///         .send()
    ///         .await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_discarded_videos(&self) -> ListDiscardedVideos<'_> {
        ListDiscardedVideos::new(self)
    }

    /// Lists the player sessions of a video over a period:
    /// `GET /analytics/videos/{videoId}`. `video_id` and `period` are
    /// required.
    ///
    /// `period` is a day (`2024-03-05`), a month (`2024-03`), a year
    /// (`2024`) or a range (`2024-03-01/2024-03-31`).
    pub fn list_video_sessions(&self) -> ListVideoSessions<'_> {
        ListVideoSessions {
            client: self,
            video_id: Err("video_id was not initialized".into()),
            period: Err("period was not initialized".into()),
            query: Query::default(),
        }
    }
}

/// Query parameters, in the order set; a parameter set twice keeps its last
/// value, except the repeated ones (`tags[]`, `metadata[…]`). A value that
/// did not convert is kept as the error `send()` reports.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
    invalid: Option<String>,
}

impl Query {
    pub(crate) fn set(&mut self, key: &str, value: impl Into<String>) {
        self.pairs.retain(|(k, _)| k != key);
        self.pairs.push((key.to_owned(), value.into()));
    }

    pub(crate) fn add(&mut self, key: String, value: String) {
        self.pairs.push((key, value));
    }

    pub(crate) fn number<V: TryInto<NonZeroU64>>(&mut self, key: &str, value: V) {
        match value.try_into() {
            Ok(n) => self.set(key, n.to_string()),
            Err(_) => self.invalid = Some(format!("{key} must be a number from 1")),
        }
    }

    pub(crate) fn checked(&self) -> Result<&[(String, String)]> {
        match &self.invalid {
            Some(e) => Err(Error::InvalidRequest(e.clone())),
            None => Ok(&self.pairs),
        }
    }
}

/// Defines the builder of a video list: the filters, sorts and pages of
/// `GET /videos`, sent to `$path` as operation `$operation`, with the sort
/// enums generated for that operation.
macro_rules! video_list {
    (
        $(#[$doc:meta])*
        $name:ident => $operation:literal, $path:literal, $sort_by:ty, $sort_order:ty
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<'a> {
            client: &'a Client,
            query: Query,
        }

        impl<'a> $name<'a> {
            fn new(client: &'a Client) -> Self {
                Self {
                    client,
                    query: Query::default(),
                }
            }

            /// Videos whose title contains this text.
            pub fn title(mut self, title: impl Into<String>) -> Self {
                self.query.set("title", title);
                self
            }

            /// Videos carrying this tag (repeat for several: all must match).
            pub fn tag(mut self, tag: impl Into<String>) -> Self {
                self.query.add("tags[]".to_owned(), tag.into());
                self
            }

            /// Videos whose metadata has `key` set to `value` (repeat for several).
            pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
                self.query
                    .add(format!("metadata[{}]", key.into()), value.into());
                self
            }

            /// Videos whose description contains this text.
            pub fn description(mut self, description: impl Into<String>) -> Self {
                self.query.set("description", description);
                self
            }

            /// Videos recorded from this live stream.
            pub fn live_stream_id(mut self, id: impl Into<String>) -> Self {
                self.query.set("liveStreamId", id);
                self
            }

            /// The sort field.
            pub fn sort_by(mut self, by: $sort_by) -> Self {
                self.query.set("sortBy", by.to_string());
                self
            }

            /// The sort direction.
            pub fn sort_order(mut self, order: $sort_order) -> Self {
                self.query.set("sortOrder", order.to_string());
                self
            }

            /// Items per page, 1 to 100 (default 25).
            pub fn page_size<V: TryInto<NonZeroU64>>(mut self, size: V) -> Self {
                self.query.number("pageSize", size);
                self
            }

            /// The page to fetch, from 1 (default 1).
            pub fn current_page<V: TryInto<NonZeroU64>>(mut self, page: V) -> Self {
                self.query.number("currentPage", page);
                self
            }

            /// Sends the request: one page of videos.
            pub async fn send(self) -> Result<VideosListResponse> {
                self.send_with_response()
                    .await
                    .map(ResponseValue::into_inner)
            }

            /// Like `send`, keeping the answer's status and headers.
            pub async fn send_with_response(self) -> Result<ResponseValue<VideosListResponse>> {
                let query = self.query.checked()?;
                get_json(self.client, $operation, $path.to_owned(), query).await
            }
        }

        impl Paginated for $name<'_> {
            type Item = Video;

            async fn fetch_page(self, page: NonZeroU64) -> Result<Page<Video>> {
                let list = self.current_page(page).send().await?;
                Ok(Page {
                    items: list.data,
                    pagination: list.pagination,
                })
            }
        }
    };
}

video_list! {
    /// Builder for [`Client::list_videos`].
    ListVideos => "list_videos", "/videos", ListVideosSortBy, ListVideosSortOrder
}

video_list! {
    /// Builder for [`Client::list_discarded_videos`].
    ListDiscardedVideos => "list_discarded_videos", "/discarded/videos",
    ListDiscardedVideosSortBy, ListDiscardedVideosSortOrder
}

/// Builder for [`Client::list_video_sessions`].
#[derive(Debug, Clone)]
pub struct ListVideoSessions<'a> {
    client: &'a Client,
    video_id: Result<String, String>,
    period: Result<String, String>,
    query: Query,
}

impl ListVideoSessions<'_> {
    /// The video, e.g. `vi4k0jvEUuaTdRAEjQ4Jfrgz`. Required.
    pub fn video_id(mut self, id: impl Into<String>) -> Self {
        self.video_id = Ok(id.into());
        self
    }

    /// The period: a day (`2024-03-05`), a month (`2024-03`), a year
    /// (`2024`) or a range (`2024-03-01/2024-03-31`). Required.
    pub fn period(mut self, period: impl Into<String>) -> Self {
        self.period = Ok(period.into());
        self
    }

    /// Sessions whose metadata has `key` set to `value` (repeat for several).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query
            .add(format!("metadata[{}]", key.into()), value.into());
        self
    }

    /// Items per page, 1 to 100 (default 25).
    pub fn page_size<V: TryInto<NonZeroU64>>(mut self, size: V) -> Self {
        self.query.number("pageSize", size);
        self
    }

    /// The page to fetch, from 1 (default 1).
    pub fn current_page<V: TryInto<NonZeroU64>>(mut self, page: V) -> Self {
        self.query.number("currentPage", page);
        self
    }

    /// Sends the request: one page of sessions.
    pub async fn send(self) -> Result<VideoSessionsListResponse> {
        self.send_with_response()
            .await
            .map(ResponseValue::into_inner)
    }

    /// Like `send`, keeping the answer's status and headers.
    pub async fn send_with_response(self) -> Result<ResponseValue<VideoSessionsListResponse>> {
        let video_id = required("video_id", self.video_id)?;
        let period = required("period", self.period)?;
        let mut query = self.query.checked()?.to_vec();
        query.insert(0, ("period".to_owned(), period));
        let path = format!("/analytics/videos/{}", path_segment(&video_id));
        get_json(self.client, "list_video_sessions", path, &query).await
    }
}

impl Paginated for ListVideoSessions<'_> {
    type Item = VideoSession;

    async fn fetch_page(self, page: NonZeroU64) -> Result<Page<VideoSession>> {
        let list = self.current_page(page).send().await?;
        Ok(Page {
            items: list.data,
            pagination: list.pagination,
        })
    }
}

/// A required builder value: set and not empty (an empty path segment
/// would address another route).
pub(crate) fn required(name: &str, value: Result<String, String>) -> Result<String> {
    match value {
        Ok(v) if v.is_empty() => Err(Error::InvalidRequest(format!("{name} must not be empty"))),
        Ok(v) => Ok(v),
        Err(e) => Err(Error::InvalidRequest(e)),
    }
}

/// A GET with a query, through the engine, decoded as JSON.
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
    client: &Client,
    operation: &'static str,
    path: String,
    query: &[(String, String)],
) -> Result<ResponseValue<T>> {
    let url = client.url(&path);
    let http = &client.engine().http;
    let response = client
        .engine()
        .send(Call::new(operation, Kind::Call), || {
            std::future::ready(
                http.get(&url)
                    .query(query)
                    .build()
                    .map_err(|e| Error::InvalidRequest(e.without_url().to_string())),
            )
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
