//! Every list operation as a stream of items across all pages, or one page
//! at a time, keeping the caller's filters. The generated list builders
//! implement [`Paginated`] through code the pipeline derives from the
//! spec's `x-paginated` marks; handwritten ones implement it by hand.
//!
//! The `apivideo` crate re-exports this module as `apivideo::pagination`.

use std::future::Future;
use std::num::NonZeroU64;

use futures::stream::{self, Stream, TryStreamExt};

use crate::error::Result;
use crate::types::Pagination;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// Where this page sits: `currentPage`, `pagesTotal`, `itemsTotal`, links.
    pub pagination: Pagination,
}

impl<T> Page<T> {
    /// This page's number, from 1.
    pub fn number(&self) -> u64 {
        u64::try_from(self.pagination.current_page).unwrap_or(1)
    }

    /// Whether a later page exists. A page with no items is the last one,
    /// whatever `pagesTotal` says, so a stream always ends.
    pub fn has_next(&self) -> bool {
        let total = u64::try_from(self.pagination.pages_total).unwrap_or(0);
        !self.items.is_empty() && self.number() < total
    }
}

/// A list request that can fetch any page of its results: every list
/// builder, generated or handwritten.
pub trait Paginated: Clone + Send + Sized {
    /// The items the list holds.
    type Item: Send;

    /// Fetches page `page` (from 1) with this request's filters.
    fn fetch_page(self, page: NonZeroU64) -> impl Future<Output = Result<Page<Self::Item>>> + Send;

    /// Fetches one page (from 1).
    fn page(self, page: u64) -> impl Future<Output = Result<Page<Self::Item>>> + Send {
        let page = NonZeroU64::new(page).unwrap_or(NonZeroU64::MIN);
        self.fetch_page(page)
    }

    /// Every page, in order, fetched as the stream is polled. The stream is
    /// `Unpin`, so `while let Some(page) = pages.try_next().await` works as is.
    fn pages(self) -> impl Stream<Item = Result<Page<Self::Item>>> + Send + Unpin {
        Box::pin(stream::try_unfold(
            Some((self, NonZeroU64::MIN)),
            |state| async move {
                let Some((request, number)) = state else {
                    return Ok(None);
                };
                let page = request.clone().fetch_page(number).await?;
                let next = match (page.has_next(), number.checked_add(1)) {
                    (true, Some(n)) => Some((request, n)),
                    _ => None,
                };
                Ok(Some((page, next)))
            },
        ))
    }

    /// Every item across all pages, `Unpin` like [`Paginated::pages`].
    fn stream(self) -> impl Stream<Item = Result<Self::Item>> + Send + Unpin {
        self.pages()
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }
}

// The `Paginated` impls of the generated list builders, one per operation
// marked `x-paginated` in the spec, written by the codegen pipeline.
include!(concat!(env!("OUT_DIR"), "/paginated.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    fn page(current: i64, total: i64, items: usize) -> Page<u8> {
        Page {
            items: vec![0; items],
            pagination: Pagination {
                current_page: current,
                pages_total: total,
                current_page_items: i64::try_from(items).unwrap(),
                items_total: total * 25,
                page_size: 25,
                links: Vec::new(),
            },
        }
    }

    #[test]
    fn last_and_empty_pages_end_the_stream() {
        assert!(page(1, 2, 3).has_next());
        assert!(!page(2, 2, 3).has_next());
        assert!(!page(1, 5, 0).has_next());
    }
}
