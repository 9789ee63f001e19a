//! What every list request shares: [`PageQuery`], the one extractor of
//! `currentPage`/`pageSize` (validated bounds, one page cut out of the
//! full result, and `pagination` with its links), and the check of
//! `sortBy`/`sortOrder`.

use apivideo_raw::types::{Pagination, PaginationLink};
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;

use crate::extract::query_pairs;
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;

/// Largest `pageSize` accepted.
const MAX_PAGE_SIZE: i64 = 100;
/// `pageSize` when none is given.
const DEFAULT_PAGE_SIZE: i64 = 25;

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Page {
    current: i64,
    size: i64,
}

impl Page {
    /// Validates `currentPage` (from 1) and `pageSize` (1 to 100).
    fn new(current: Option<i64>, size: Option<i64>) -> Result<Self, ApiError> {
        let current = current.unwrap_or(1);
        let size = size.unwrap_or(DEFAULT_PAGE_SIZE);
        let mut problems = Vec::new();
        if current < 1 {
            problems.push(Invalid::out_of_range("currentPage"));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            problems.push(Invalid::out_of_range("pageSize"));
        }
        if problems.is_empty() {
            Ok(Self { current, size })
        } else {
            Err(ApiError::invalid(problems))
        }
    }

    /// Cuts this page out of `items` and describes it. A page past the last
    /// one is out of range (an empty list has one, empty, page).
    ///
    /// `url` is the absolute URL of the list without query; `query` holds
    /// the caller's other parameters, kept in every link.
    fn apply<T>(
        self,
        items: Vec<T>,
        url: &str,
        query: &[(String, String)],
    ) -> Result<(Vec<T>, Pagination), ApiError> {
        let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let pages = ((total + self.size - 1) / self.size).max(1);
        if self.current > pages {
            return Err(
                ApiError::invalid(vec![Invalid::out_of_range("currentPage")]).with_detail(format!(
                    "There are {pages} page(s) of {} item(s).",
                    self.size
                )),
            );
        }
        let skip = usize::try_from((self.current - 1) * self.size).unwrap_or(usize::MAX);
        let take = usize::try_from(self.size).unwrap_or(usize::MAX);
        let data: Vec<T> = items.into_iter().skip(skip).take(take).collect();
        let link = |rel: &str, page: i64| PaginationLink {
            rel: rel.to_owned(),
            uri: page_url(url, query, page, self.size),
        };
        let mut links = vec![link("self", self.current), link("first", 1)];
        if self.current > 1 {
            links.push(link("previous", self.current - 1));
        }
        if self.current < pages {
            links.push(link("next", self.current + 1));
        }
        links.push(link("last", pages));
        let pagination = Pagination {
            current_page: self.current,
            current_page_items: i64::try_from(data.len()).unwrap_or(i64::MAX),
            items_total: total,
            page_size: self.size,
            pages_total: pages,
            links,
        };
        Ok((data, pagination))
    }
}

fn page_url(url: &str, query: &[(String, String)], page: i64, size: i64) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in query {
        if k != "currentPage" && k != "pageSize" {
            q.append_pair(k, v);
        }
    }
    q.append_pair("currentPage", &page.to_string());
    q.append_pair("pageSize", &size.to_string());
    format!("{url}?{}", q.finish())
}

/// The page a list request asks for, read from its query string: the
/// validated [`Page`], the list's absolute URL and the caller's query
/// parameters, which every link of the answer keeps. A `currentPage` or
/// `pageSize` that is no integer, or out of bounds, is a 400 naming it.
#[derive(Debug, Clone)]
pub(crate) struct PageQuery {
    page: Page,
    url: String,
    pairs: Vec<(String, String)>,
}

impl PageQuery {
    /// Every query parameter of the request, in order, for filters with
    /// dynamic names (`metadata[key]`) or repeated ones (`tags[]`).
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Cuts the requested page out of `items` (see [`Page::apply`]).
    pub(crate) fn apply<T>(&self, items: Vec<T>) -> Result<(Vec<T>, Pagination), ApiError> {
        self.page.apply(items, &self.url, &self.pairs)
    }
}

impl FromRequestParts<AppState> for PageQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // The URI as the client sent it, even under a nested router.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |original| &original.0);
        let pairs = query_pairs(uri.query());
        let mut problems = Vec::new();
        let mut number = |name: &str| {
            let value = pairs.iter().rev().find(|(k, _)| k == name)?;
            match value.1.trim().parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.push(Invalid::attribute(
                        name,
                        "This parameter must be an integer.",
                    ));
                    None
                }
            }
        };
        let (current, size) = (number("currentPage"), number("pageSize"));
        if !problems.is_empty() {
            return Err(ApiError::invalid(problems));
        }
        Ok(Self {
            page: Page::new(current, size)?,
            url: format!("{}{}", state.base_url, uri.path()),
            pairs,
        })
    }
}

fn query_enum(name: &str, value: Option<&str>, allowed: &[&str]) -> Result<(), Invalid> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(Invalid {
            kind: "invalid-query-parameter",
            title: format!("This parameter must be one of: {}.", allowed.join(", ")),
            name: name.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Checks `sortBy` against the list's `allowed` fields and `sortOrder`
/// against `asc` and `desc`, reporting both at once; true for `desc`.
pub(crate) fn check_sort(
    sort_by: Option<&str>,
    allowed: &[&str],
    sort_order: Option<&str>,
) -> ApiResult<bool> {
    let problems: Vec<Invalid> = [
        query_enum("sortBy", sort_by, allowed),
        query_enum("sortOrder", sort_order, &["asc", "desc"]),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if problems.is_empty() {
        Ok(sort_order == Some("desc"))
    } else {
        Err(ApiError::invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_validated() {
        assert!(Page::new(None, None).is_ok());
        let err = Page::new(Some(0), Some(101)).unwrap_err();
        assert_eq!(err.problem.problems.len(), 2);
        assert_eq!(err.problem.name.as_deref(), Some("currentPage"));
    }

    #[test]
    fn pages_and_links() {
        let page = Page::new(Some(2), Some(2)).unwrap();
        let query = vec![("title".to_owned(), "a b".to_owned())];
        let (data, p) = page
            .apply((1..=5).collect::<Vec<_>>(), "http://h/videos", &query)
            .unwrap();
        assert_eq!(data, [3, 4]);
        assert_eq!(
            (p.pages_total, p.items_total, p.current_page_items),
            (3, 5, 2)
        );
        let rels: Vec<_> = p.links.iter().map(|l| l.rel.clone()).collect();
        assert_eq!(rels, ["self", "first", "previous", "next", "last"]);
        assert_eq!(
            p.links[3].uri,
            "http://h/videos?title=a+b&currentPage=3&pageSize=2"
        );
        assert!(
            Page::new(Some(4), Some(2))
                .unwrap()
                .apply(vec![1, 2, 3, 4, 5], "u", &[])
                .is_err()
        );
        let (empty, p) = Page::new(None, None)
            .unwrap()
            .apply(Vec::<i32>::new(), "u", &[])
            .unwrap();
        assert!(empty.is_empty());
        assert_eq!(p.pages_total, 1);
    }
}
