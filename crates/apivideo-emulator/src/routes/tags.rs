//! Tags: `GET /tags` lists the tags of the project's videos, each with the
//! number of videos that carry it. Nothing is stored for tags: they are
//! counted from the videos on every call, so a tag disappears with the last
//! video that carries it.
//!
//! `value` keeps the tags that contain it, compared after folding case and
//! accents (`ecole` matches `École`). Sorting is by `value` (alphabetical on
//! the folded tag, the default) or `videoCount`, where tags with the same
//! count stay in alphabetical order whatever `sortOrder` says.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use apivideo_raw::types::{ListTagsResponse, ListTagsResponseData, Video};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::ApiQuery;
use crate::pagination::{PageQuery, check_sort};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/tags", get(list))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    value: Option<String>,
    #[serde(rename = "sortBy")]
    sort_by: Option<String>,
    #[serde(rename = "sortOrder")]
    sort_order: Option<String>,
}

/// `text` without case or accents: lower-cased, decomposed (NFD), with the
/// combining marks dropped, so `École` and `ecole` fold to the same string.
fn fold(text: &str) -> String {
    text.to_lowercase()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect()
}

/// A tag with its count and its folded form, the key of every comparison.
#[derive(Debug)]
struct Counted {
    value: String,
    folded: String,
    videos: i64,
}

impl Counted {
    /// Alphabetical: on the folded tag, then on the tag itself so that
    /// `Ecole` and `école` always come in the same order.
    fn alphabetical(&self, other: &Self) -> Ordering {
        self.folded
            .cmp(&other.folded)
            .then_with(|| self.value.cmp(&other.value))
    }
}

/// Every distinct tag of `videos` with the number of videos carrying it; a
/// video that lists a tag twice counts once.
fn count(videos: &[Video]) -> Vec<Counted> {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for video in videos {
        let distinct: BTreeSet<&str> = video.tags.iter().map(String::as_str).collect();
        for tag in distinct {
            *counts.entry(tag).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(value, videos)| Counted {
            value: value.to_owned(),
            folded: fold(value),
            videos,
        })
        .collect()
}

/// Sorts by `value` (the default) or `videoCount`. By value, `desc` is the
/// exact reverse of `asc`; by count, only the counts are reversed and equal
/// counts stay alphabetical.
fn sort(tags: &mut [Counted], by: Option<&str>, desc: bool) {
    match by {
        Some("videoCount") => tags.sort_by(|a, b| {
            let by_count = a.videos.cmp(&b.videos);
            if desc { by_count.reverse() } else { by_count }.then_with(|| a.alphabetical(b))
        }),
        _ => tags.sort_by(|a, b| {
            let order = a.alphabetical(b);
            if desc { order.reverse() } else { order }
        }),
    }
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
    page: PageQuery,
) -> ApiResult<Json<ListTagsResponse>> {
    let desc = check_sort(
        q.sort_by.as_deref(),
        &["value", "videoCount"],
        q.sort_order.as_deref(),
    )?;
    let videos: Vec<Video> = state.db.list(project.id(), Kind::Video, None)?;
    let mut tags = count(&videos);
    if let Some(wanted) = q.value.as_deref() {
        let wanted = fold(wanted);
        tags.retain(|t| t.folded.contains(&wanted));
    }
    sort(&mut tags, q.sort_by.as_deref(), desc);
    let (data, pagination) = page.apply(tags)?;
    Ok(Json(ListTagsResponse {
        data: data
            .into_iter()
            .map(|t| ListTagsResponseData {
                value: t.value,
                video_count: t.videos,
            })
            .collect(),
        pagination,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("École"), "ecole");
        assert_eq!(fold("ÉCOLE"), fold("ecole"));
        assert_eq!(fold("Crème Brûlée"), "creme brulee");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("Ångström"), "angstrom");
        // Already decomposed input folds the same as composed input.
        assert_eq!(fold("e\u{301}cole"), "ecole");
        assert_eq!(fold("maths"), "maths");
    }

    fn tagged(tags: &[&str]) -> Video {
        let mut video = crate::store::videos::new_video("v".into(), chrono::Utc::now());
        video.tags = tags.iter().map(|t| (*t).to_owned()).collect();
        video
    }

    fn values(tags: &[Counted]) -> Vec<(&str, i64)> {
        tags.iter().map(|t| (t.value.as_str(), t.videos)).collect()
    }

    #[test]
    fn counts_each_video_once_per_tag() {
        let videos = [
            tagged(&["maths", "école"]),
            tagged(&["maths", "maths"]),
            tagged(&[]),
            tagged(&["Maths"]),
        ];
        let mut tags = count(&videos);
        sort(&mut tags, None, false);
        assert_eq!(values(&tags), [("école", 1), ("Maths", 1), ("maths", 2)]);
    }

    #[test]
    fn sorts_by_value_or_count_with_alphabetical_ties() {
        let videos = [
            tagged(&["b", "c", "a"]),
            tagged(&["c", "Ä"]),
            tagged(&["c", "b"]),
        ];
        let mut tags = count(&videos);
        sort(&mut tags, Some("value"), false);
        assert_eq!(values(&tags), [("a", 1), ("Ä", 1), ("b", 2), ("c", 3)]);
        sort(&mut tags, Some("value"), true);
        assert_eq!(values(&tags), [("c", 3), ("b", 2), ("Ä", 1), ("a", 1)]);
        sort(&mut tags, Some("videoCount"), false);
        assert_eq!(values(&tags), [("a", 1), ("Ä", 1), ("b", 2), ("c", 3)]);
        sort(&mut tags, Some("videoCount"), true);
        assert_eq!(values(&tags), [("c", 3), ("b", 2), ("a", 1), ("Ä", 1)]);
    }
}
