//! `GET /videos` and the query it shares with `GET /discarded/videos`:
//! filters on the title and description (any part, any case), the live
//! stream, every `tags[]` and every `metadata[key]`; sorts; pages.

use std::cmp::Ordering;

use apivideo_raw::types::{Video, VideosListResponse};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::ApiQuery;
use crate::pagination::{PageQuery, check_sort};
use crate::problem::ApiResult;
use crate::state::AppState;
use crate::store::videos;

/// The query of `list_videos` and `list_discarded_videos`, apart from
/// the `tags[]` and `metadata[…]` filters (see [`DynamicFilters`]).
#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    title: Option<String>,
    description: Option<String>,
    #[serde(rename = "liveStreamId")]
    live_stream_id: Option<String>,
    #[serde(rename = "sortBy")]
    sort_by: Option<String>,
    #[serde(rename = "sortOrder")]
    sort_order: Option<String>,
}

/// The filters of `list_videos` that serde cannot name statically.
#[derive(Debug, Default)]
struct DynamicFilters {
    tags: Vec<String>,
    metadata: Vec<(String, String)>,
}

impl DynamicFilters {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut out = Self::default();
        for (k, v) in pairs {
            if k == "tags" || (k.starts_with("tags[") && k.ends_with(']')) {
                out.tags.push(v.clone());
            } else if let Some(key) = k
                .strip_prefix("metadata[")
                .and_then(|k| k.strip_suffix(']'))
            {
                out.metadata.push((key.to_owned(), v.clone()));
            }
        }
        out
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn matches(video: &Video, q: &ListQuery, dynamic: &DynamicFilters) -> bool {
    q.title
        .as_deref()
        .is_none_or(|t| contains_ci(&video.title, t))
        && q.description
            .as_deref()
            .is_none_or(|d| contains_ci(&video.description, d))
        && q.live_stream_id.as_deref().is_none_or(|id| {
            video
                .source
                .as_ref()
                .and_then(|s| s.live_stream.as_ref())
                .and_then(|l| l.live_stream_id.as_deref())
                == Some(id)
        })
        && dynamic.tags.iter().all(|t| video.tags.contains(t))
        && dynamic
            .metadata
            .iter()
            .all(|(k, v)| video.metadata.iter().any(|m| m.key == *k && m.value == *v))
}

fn compare(a: &Video, b: &Video, by: &str) -> Ordering {
    match by {
        "title" => {
            let key = |v: &Video| v.title.to_lowercase();
            key(a).cmp(&key(b))
        }
        "publishedAt" => a.published_at.cmp(&b.published_at),
        "updatedAt" => a.updated_at.cmp(&b.updated_at),
        _ => a.created_at.cmp(&b.created_at),
    }
}

/// One page of the project's videos of `kind` (live or discarded),
/// filtered, sorted and paged by the request's query.
/// Live videos come with their assets; discarded ones, which cannot be
/// played, without.
pub(super) fn list_page(
    state: &AppState,
    project: &str,
    kind: Kind,
    q: &ListQuery,
    page: &PageQuery,
) -> ApiResult<VideosListResponse> {
    let desc = check_sort(
        q.sort_by.as_deref(),
        &["title", "createdAt", "publishedAt", "updatedAt"],
        q.sort_order.as_deref(),
    )?;
    let dynamic = DynamicFilters::from_pairs(page.pairs());
    let mut videos: Vec<Video> = state.db.list(project, kind, None)?;
    videos.retain(|v| matches(v, q, &dynamic));
    // Without `sortBy`, creation order, which `sortOrder` still turns
    // around. The sort is stable: ties keep creation order.
    let by = q.sort_by.as_deref().unwrap_or("createdAt");
    videos.sort_by(|a, b| compare(a, b, by));
    if desc {
        videos.reverse();
    }
    let (data, pagination) = page.apply(videos)?;
    let data = match kind {
        Kind::Video => data
            .into_iter()
            .map(|v| videos::present(state, v))
            .collect(),
        _ => data,
    };
    Ok(VideosListResponse { data, pagination })
}

pub(super) async fn list(
    project: Project,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
    page: PageQuery,
) -> ApiResult<Json<VideosListResponse>> {
    let page = list_page(&state, project.id(), Kind::Video, &q, &page)?;
    Ok(Json(page))
}

/// Properties of the `tags[]` and `metadata[…]` filters of `list_videos`,
/// on generated queries: whatever keys and values a client sends, URL
/// encoded, come back as the same filters, and arbitrary queries never
/// panic or make up filters.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::extract::query_pairs;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn filters_read_back_through_the_url(
            tags in prop::collection::vec(any::<String>(), 0..5),
            metadata in prop::collection::vec((any::<String>(), any::<String>()), 0..5),
            indexed in any::<bool>(),
            noise in prop::collection::vec(
                ("(title|description|sortBy|currentPage|tag|metadata|metadata\\[x|tagsx)", any::<String>()),
                0..4,
            ),
        ) {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &noise {
                query.append_pair(k, v);
            }
            for (i, tag) in tags.iter().enumerate() {
                // `tags[]=a`, or `tags[0]=a` as some encoders write arrays.
                let key = if indexed { format!("tags[{i}]") } else { "tags[]".to_owned() };
                query.append_pair(&key, tag);
            }
            for (k, v) in &metadata {
                query.append_pair(&format!("metadata[{k}]"), v);
            }
            let query = query.finish();
            let filters = DynamicFilters::from_pairs(&query_pairs(Some(&query)));
            prop_assert_eq!(filters.tags, tags);
            prop_assert_eq!(filters.metadata, metadata);
        }

        #[test]
        fn raw_queries_never_panic_or_make_up_filters(query in any::<String>()) {
            let pairs = query_pairs(Some(&query));
            let filters = DynamicFilters::from_pairs(&pairs);
            let sent: usize = pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
            let kept: usize = filters.tags.iter().map(String::len).sum::<usize>()
                + filters.metadata.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
            prop_assert!(filters.tags.len() + filters.metadata.len() <= pairs.len());
            prop_assert!(kept <= sent);
        }
    }
}
