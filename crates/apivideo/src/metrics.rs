//! The `/data` analytics, handwritten because of their `filterBy[...]`
//! deepObject: [`Client::get_aggregated_metrics`] (one figure),
//! [`Client::get_metrics_breakdown`] (a figure per value of a dimension,
//! [`Paginated`]) and [`Client::get_metrics_over_time`] (a figure per
//! minute, hour or day, [`Paginated`]).
//!
//! The metric and aggregation of `get_aggregated_metrics` are one enum,
//! [`AggregatedMetric`], whose variants carry only the aggregations their
//! metric accepts, so an invalid pair cannot be written. The other rules
//! (`unique` only for `ccv` and `view`, `view_duration` only for `view`,
//! `mediaId`/`mediaType` filters only for the play totals, `play-total`
//! only by media) are checked before anything is sent, as
//! [`Error::InvalidRequest`].

use std::fmt;
use std::num::NonZeroU64;

use apivideo_raw::ResponseValue;
use apivideo_raw::types::{
    AnalyticsAggregatedMetricsResponse, AnalyticsMetricsBreakdownResponse,
    AnalyticsMetricsBreakdownResponseData, AnalyticsMetricsOverTimeResponse,
    AnalyticsMetricsOverTimeResponseData, GetMetricsBreakdownSortBy, GetMetricsBreakdownSortOrder,
    GetMetricsOverTimeSortBy, GetMetricsOverTimeSortOrder,
};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::{Page, Paginated};
use crate::videos::{Query, get_json};

/// Aggregations of the `play` metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlayAggregation {
    /// The number of plays.
    Count,
    /// Plays divided by impressions.
    Rate,
    /// Plays summed over every media; the only one that takes the
    /// `media_id` and `media_type` filters.
    Total,
}

/// Aggregations of the time metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeAggregation {
    /// The average per session.
    Average,
    /// The sum over every session.
    Sum,
}

/// Aggregations of concurrent viewers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CcvAggregation {
    /// The most viewers at one time in the period.
    Peak,
    /// The most viewers in the last 20 seconds.
    Live,
}

/// A metric of [`Client::get_aggregated_metrics`] with its aggregation;
/// only the valid pairs exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregatedMetric {
    /// `play` with `count`, `rate` or `total`.
    Play(PlayAggregation),
    /// `start` `count`.
    Start,
    /// `end` `count`.
    End,
    /// `impression` `count`.
    Impression,
    /// `impression-time` (milliseconds to the first frame), `average` or `sum`.
    ImpressionTime(TimeAggregation),
    /// `watch-time` (seconds), `average` or `sum`.
    WatchTime(TimeAggregation),
    /// `ccv` (concurrent viewers), `peak` or `live`.
    Ccv(CcvAggregation),
    /// `view` `count`.
    View,
}

impl AggregatedMetric {
    /// The path's `metric` and `aggregation`.
    pub fn path_parts(self) -> (&'static str, &'static str) {
        let time = |a| match a {
            TimeAggregation::Average => "average",
            TimeAggregation::Sum => "sum",
        };
        match self {
            Self::Play(PlayAggregation::Count) => ("play", "count"),
            Self::Play(PlayAggregation::Rate) => ("play", "rate"),
            Self::Play(PlayAggregation::Total) => ("play", "total"),
            Self::Start => ("start", "count"),
            Self::End => ("end", "count"),
            Self::Impression => ("impression", "count"),
            Self::ImpressionTime(a) => ("impression-time", time(a)),
            Self::WatchTime(a) => ("watch-time", time(a)),
            Self::Ccv(CcvAggregation::Peak) => ("ccv", "peak"),
            Self::Ccv(CcvAggregation::Live) => ("ccv", "live"),
            Self::View => ("view", "count"),
        }
    }
}

/// A metric of [`Client::get_metrics_breakdown`] and (but `PlayTotal`)
/// [`Client::get_metrics_over_time`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BucketMetric {
    /// Plays.
    Play,
    /// Plays divided by impressions.
    PlayRate,
    /// Plays per media; breakdowns by [`Breakdown::MediaId`] only.
    PlayTotal,
    /// Starts.
    Start,
    /// Ends.
    End,
    /// Impressions.
    Impression,
    /// The most concurrent viewers.
    CcvPeak,
    /// The average number of concurrent viewers.
    CcvAverage,
    /// Views.
    View,
}

impl BucketMetric {
    /// The name in the path.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Play => "play",
            Self::PlayRate => "play-rate",
            Self::PlayTotal => "play-total",
            Self::Start => "start",
            Self::End => "end",
            Self::Impression => "impression",
            Self::CcvPeak => "ccv-peak",
            Self::CcvAverage => "ccv-average",
            Self::View => "view",
        }
    }

    fn takes_unique(self) -> bool {
        matches!(self, Self::CcvPeak | Self::CcvAverage | Self::View)
    }
}

/// A dimension of [`Client::get_metrics_breakdown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Breakdown {
    /// The video or live stream.
    MediaId,
    /// `video` or `live-stream`.
    MediaType,
    /// The viewer's continent.
    Continent,
    /// The viewer's country.
    Country,
    /// The kind of device.
    DeviceType,
    /// The operating system.
    OperatingSystem,
    /// The browser.
    Browser,
    /// The page the viewer came from.
    Referrer,
}

impl Breakdown {
    /// The name in the path.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MediaId => "media-id",
            Self::MediaType => "media-type",
            Self::Continent => "continent",
            Self::Country => "country",
            Self::DeviceType => "device-type",
            Self::OperatingSystem => "operating-system",
            Self::Browser => "browser",
            Self::Referrer => "referrer",
        }
    }
}

/// The width of each point of [`Client::get_metrics_over_time`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interval {
    /// One point per minute.
    Minute,
    /// One point per hour.
    Hour,
    /// One point per day.
    Day,
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Minute => "minute",
            Self::Hour => "hour",
            Self::Day => "day",
        })
    }
}

/// How long a session must be watched to count as a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewDuration {
    /// 3 seconds.
    Seconds3,
    /// 5 seconds, the API's default.
    Seconds5,
    /// 10 seconds.
    Seconds10,
    /// 30 seconds.
    Seconds30,
}

impl fmt::Display for ViewDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Seconds3 => "3s",
            Self::Seconds5 => "5s",
            Self::Seconds10 => "10s",
            Self::Seconds30 => "30s",
        })
    }
}

/// `video` or `live-stream`, for [`MetricsFilter::media_type`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    /// Videos.
    Video,
    /// Live streams.
    LiveStream,
}

/// A continent code, for [`MetricsFilter::continent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Continent {
    AS,
    AF,
    NA,
    SA,
    AN,
    EU,
    AZ,
}

impl fmt::Display for Continent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// The `filterBy[...]` of the three operations: only the sessions matching
/// every criterion set count. The list criteria (set repeatedly) match any
/// of their values.
///
/// ```
/// use apivideo::metrics::{Continent, MetricsFilter};
///
/// let filter = MetricsFilter::new()
///     .continent(Continent::EU)
///     .browser("firefox")
///     .browser("chrome")
///     .tag("Cool videos");
/// # let _ = filter;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsFilter {
    pairs: Vec<(String, String)>,
    media: bool,
}

impl MetricsFilter {
    /// No criteria.
    pub fn new() -> Self {
        Self::default()
    }

    fn list(mut self, key: &str, value: impl Into<String>) -> Self {
        self.pairs
            .push((format!("filterBy[{key}][]"), value.into()));
        self
    }

    /// A video or live stream id; only for the play totals.
    pub fn media_id(mut self, id: impl Into<String>) -> Self {
        self.media = true;
        self.list("mediaId", id)
    }

    /// Videos or live streams; only for the play totals.
    pub fn media_type(mut self, kind: MediaType) -> Self {
        self.media = true;
        let value = match kind {
            MediaType::Video => "video",
            MediaType::LiveStream => "live-stream",
        };
        self.pairs.retain(|(k, _)| k != "filterBy[mediaType]");
        self.pairs
            .push(("filterBy[mediaType]".to_owned(), value.to_owned()));
        self
    }

    /// A continent.
    pub fn continent(self, continent: Continent) -> Self {
        self.list("continent", continent.to_string())
    }

    /// A country code, such as `FR`.
    pub fn country(self, country: impl Into<String>) -> Self {
        self.list("country", country)
    }

    /// A kind of device, such as `computer`.
    pub fn device_type(self, device: impl Into<String>) -> Self {
        self.list("deviceType", device)
    }

    /// An operating system, such as `windows`.
    pub fn operating_system(self, os: impl Into<String>) -> Self {
        self.list("operatingSystem", os)
    }

    /// A browser, such as `firefox`.
    pub fn browser(self, browser: impl Into<String>) -> Self {
        self.list("browser", browser)
    }

    /// A referrer URL.
    pub fn referrer(self, url: impl Into<String>) -> Self {
        self.list("referrer", url)
    }

    /// One tag of the video, compared with case.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.pairs.retain(|(k, _)| k != "filterBy[tag]");
        self.pairs.push(("filterBy[tag]".to_owned(), tag.into()));
        self
    }
}

/// What the builders share: the period, `unique`, `viewDuration`, the
/// filter and the rest of the query.
#[derive(Debug, Clone, Default)]
struct Common {
    query: Query,
    unique: bool,
    view_duration: bool,
    filter: MetricsFilter,
}

impl Common {
    fn date(&mut self, key: &str, at: DateTime<Utc>) {
        self.query
            .set(key, at.to_rfc3339_opts(SecondsFormat::Secs, false));
    }

    /// The query, after the checks for a metric that takes `unique`,
    /// `viewDuration` and the media filters or not.
    fn checked(
        &self,
        metric: &str,
        unique: bool,
        view_duration: bool,
        media: bool,
    ) -> Result<Vec<(String, String)>> {
        if self.unique && !unique {
            return Err(Error::InvalidRequest(format!(
                "unique is only accepted for the ccv and view metrics, not {metric}"
            )));
        }
        if self.view_duration && !view_duration {
            return Err(Error::InvalidRequest(format!(
                "view_duration is only accepted for the view metric, not {metric}"
            )));
        }
        if self.filter.media && !media {
            return Err(Error::InvalidRequest(format!(
                "the media_id and media_type filters are only accepted for the play totals, not {metric}"
            )));
        }
        let mut pairs = self.query.checked()?.to_vec();
        pairs.extend(self.filter.pairs.iter().cloned());
        Ok(pairs)
    }
}

/// Setters every builder has.
macro_rules! common_setters {
    () => {
        /// Start of the period, included (default: one day before `to`;
        /// at most 30 days ago).
        pub fn from(mut self, from: DateTime<Utc>) -> Self {
            self.common.date("from", from);
            self
        }

        /// End of the period, excluded (default: now).
        pub fn to(mut self, to: DateTime<Utc>) -> Self {
            self.common.date("to", to);
            self
        }

        /// Count each viewer once; only for the `ccv` and `view` metrics.
        pub fn unique(mut self, unique: bool) -> Self {
            self.common.unique = true;
            self.common.query.set("unique", unique.to_string());
            self
        }

        /// How long a view lasts at least; only for the `view` metric.
        pub fn view_duration(mut self, duration: ViewDuration) -> Self {
            self.common.view_duration = true;
            self.common.query.set("viewDuration", duration.to_string());
            self
        }

        /// Only count the sessions matching this filter.
        pub fn filter_by(mut self, filter: MetricsFilter) -> Self {
            self.common.filter = filter;
            self
        }
    };
}

/// Setters of the two paginated builders.
macro_rules! page_setters {
    () => {
        /// Items per page, 1 to 100 (default 25).
        pub fn page_size<V: TryInto<NonZeroU64>>(mut self, size: V) -> Self {
            self.common.query.number("pageSize", size);
            self
        }

        /// The page to fetch, from 1 (default 1).
        pub fn current_page<V: TryInto<NonZeroU64>>(mut self, page: V) -> Self {
            self.common.query.number("currentPage", page);
            self
        }
    };
}

impl Client {
    /// One figure for a metric over a period:
    /// `GET /data/metrics/{metric}/{aggregation}`. `metric` is required.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// use apivideo::metrics::{AggregatedMetric, MetricsFilter, PlayAggregation};
    ///
    /// let plays = client
    ///     .get_aggregated_metrics()
    ///     .metric(AggregatedMetric::Play(PlayAggregation::Count))
    ///     .filter_by(MetricsFilter::new().country("FR"))
    ///     .send()
    ///     .await?;
    /// println!("{} plays in France", plays.data);
    /// # Ok(()) }
    /// ```
    pub fn get_aggregated_metrics(&self) -> GetAggregatedMetrics<'_> {
        GetAggregatedMetrics {
            client: self,
            metric: None,
            common: Common::default(),
        }
    }

    /// A metric per value of a dimension, one page of buckets:
    /// `GET /data/buckets/{metric}/{breakdown}`. `metric` and `breakdown`
    /// are required.
    pub fn get_metrics_breakdown(&self) -> GetMetricsBreakdown<'_> {
        GetMetricsBreakdown {
            client: self,
            metric: None,
            breakdown: None,
            common: Common::default(),
        }
    }

    /// A metric per minute, hour or day, one page of points:
    /// `GET /data/timeseries/{metric}`. `metric` is required.
    pub fn get_metrics_over_time(&self) -> GetMetricsOverTime<'_> {
        GetMetricsOverTime {
            client: self,
            metric: None,
            common: Common::default(),
        }
    }
}

fn unset(name: &str) -> Error {
    Error::InvalidRequest(format!("{name} was not initialized"))
}

/// Builder for [`Client::get_aggregated_metrics`].
#[derive(Debug, Clone)]
pub struct GetAggregatedMetrics<'a> {
    client: &'a Client,
    metric: Option<AggregatedMetric>,
    common: Common,
}

impl GetAggregatedMetrics<'_> {
    /// The metric with its aggregation. Required.
    pub fn metric(mut self, metric: AggregatedMetric) -> Self {
        self.metric = Some(metric);
        self
    }

    common_setters!();

    /// Sends the request: the figure and its context.
    pub async fn send(self) -> Result<AnalyticsAggregatedMetricsResponse> {
        self.send_with_response()
            .await
            .map(ResponseValue::into_inner)
    }

    /// Like `send`, keeping the answer's status and headers.
    pub async fn send_with_response(
        self,
    ) -> Result<ResponseValue<AnalyticsAggregatedMetricsResponse>> {
        let metric = self.metric.ok_or_else(|| unset("metric"))?;
        let (name, aggregation) = metric.path_parts();
        let query = self.common.checked(
            name,
            matches!(metric, AggregatedMetric::Ccv(_) | AggregatedMetric::View),
            metric == AggregatedMetric::View,
            metric == AggregatedMetric::Play(PlayAggregation::Total),
        )?;
        let path = format!("/data/metrics/{name}/{aggregation}");
        get_json(self.client, "get_aggregated_metrics", path, &query).await
    }
}

/// Builder for [`Client::get_metrics_breakdown`].
#[derive(Debug, Clone)]
pub struct GetMetricsBreakdown<'a> {
    client: &'a Client,
    metric: Option<BucketMetric>,
    breakdown: Option<Breakdown>,
    common: Common,
}

impl GetMetricsBreakdown<'_> {
    /// The metric. Required.
    pub fn metric(mut self, metric: BucketMetric) -> Self {
        self.metric = Some(metric);
        self
    }

    /// The dimension. Required.
    pub fn breakdown(mut self, breakdown: Breakdown) -> Self {
        self.breakdown = Some(breakdown);
        self
    }

    /// Sort on the figure (default) or the dimension's value.
    pub fn sort_by(mut self, by: GetMetricsBreakdownSortBy) -> Self {
        self.common.query.set("sortBy", by.to_string());
        self
    }

    /// The sort direction (default ascending).
    pub fn sort_order(mut self, order: GetMetricsBreakdownSortOrder) -> Self {
        self.common.query.set("sortOrder", order.to_string());
        self
    }

    common_setters!();
    page_setters!();

    /// Sends the request: one page of buckets.
    pub async fn send(self) -> Result<AnalyticsMetricsBreakdownResponse> {
        self.send_with_response()
            .await
            .map(ResponseValue::into_inner)
    }

    /// Like `send`, keeping the answer's status and headers.
    pub async fn send_with_response(
        self,
    ) -> Result<ResponseValue<AnalyticsMetricsBreakdownResponse>> {
        let metric = self.metric.ok_or_else(|| unset("metric"))?;
        let breakdown = self.breakdown.ok_or_else(|| unset("breakdown"))?;
        if metric == BucketMetric::PlayTotal && breakdown != Breakdown::MediaId {
            return Err(Error::InvalidRequest(
                "play-total can only be broken down by media-id".to_owned(),
            ));
        }
        let query = self.common.checked(
            metric.as_str(),
            metric.takes_unique(),
            metric == BucketMetric::View,
            metric == BucketMetric::PlayTotal,
        )?;
        let path = format!("/data/buckets/{}/{}", metric.as_str(), breakdown.as_str());
        get_json(self.client, "get_metrics_breakdown", path, &query).await
    }
}

impl Paginated for GetMetricsBreakdown<'_> {
    type Item = AnalyticsMetricsBreakdownResponseData;

    async fn fetch_page(self, page: NonZeroU64) -> Result<Page<Self::Item>> {
        let list = self.current_page(page).send().await?;
        Ok(Page {
            items: list.data,
            pagination: list.pagination,
        })
    }
}

/// Builder for [`Client::get_metrics_over_time`].
#[derive(Debug, Clone)]
pub struct GetMetricsOverTime<'a> {
    client: &'a Client,
    metric: Option<BucketMetric>,
    common: Common,
}

impl GetMetricsOverTime<'_> {
    /// The metric, any but [`BucketMetric::PlayTotal`]. Required.
    pub fn metric(mut self, metric: BucketMetric) -> Self {
        self.metric = Some(metric);
        self
    }

    /// The width of each point (default: `hour` for 2 days or less, `day`
    /// otherwise).
    pub fn interval(mut self, interval: Interval) -> Self {
        self.common.query.set("interval", interval.to_string());
        self
    }

    /// Sort on time (default) or on the figure.
    pub fn sort_by(mut self, by: GetMetricsOverTimeSortBy) -> Self {
        self.common.query.set("sortBy", by.to_string());
        self
    }

    /// The sort direction (default ascending).
    pub fn sort_order(mut self, order: GetMetricsOverTimeSortOrder) -> Self {
        self.common.query.set("sortOrder", order.to_string());
        self
    }

    common_setters!();
    page_setters!();

    /// Sends the request: one page of points.
    pub async fn send(self) -> Result<AnalyticsMetricsOverTimeResponse> {
        self.send_with_response()
            .await
            .map(ResponseValue::into_inner)
    }

    /// Like `send`, keeping the answer's status and headers.
    pub async fn send_with_response(
        self,
    ) -> Result<ResponseValue<AnalyticsMetricsOverTimeResponse>> {
        let metric = self.metric.ok_or_else(|| unset("metric"))?;
        if metric == BucketMetric::PlayTotal {
            return Err(Error::InvalidRequest(
                "play-total has no time series; use get_metrics_breakdown".to_owned(),
            ));
        }
        let query = self.common.checked(
            metric.as_str(),
            metric.takes_unique(),
            metric == BucketMetric::View,
            false,
        )?;
        let path = format!("/data/timeseries/{}", metric.as_str());
        get_json(self.client, "get_metrics_over_time", path, &query).await
    }
}

impl Paginated for GetMetricsOverTime<'_> {
    type Item = AnalyticsMetricsOverTimeResponseData;

    async fn fetch_page(self, page: NonZeroU64) -> Result<Page<Self::Item>> {
        let list = self.current_page(page).send().await?;
        Ok(Page {
            items: list.data,
            pagination: list.pagination,
        })
    }
}
