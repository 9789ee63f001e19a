//! The referrer a player page reports: an absolute `http(s)` URL of
//! bounded length, and the origin it names.

/// The longest referrer kept, as the API's `referrer` filter.
pub(crate) const MAX_REFERRER: usize = 2_048;

/// Whether `url` is an absolute `http(s)` URL of at most [`MAX_REFERRER`]
/// characters, printable ASCII only.
pub(crate) fn is_referrer(url: &str) -> bool {
    url.len() <= MAX_REFERRER
        && (url.starts_with("http://") || url.starts_with("https://"))
        && url.chars().all(|c| c.is_ascii_graphic())
}

/// `scheme://host[:port]` of an http(s) URL.
pub(crate) fn origin_of(url: &str) -> &str {
    let rest_at = url.find("://").map_or(0, |i| i + 3);
    let end = url[rest_at..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| rest_at + i);
    &url[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://example.com/a?b#c"),
            "https://example.com"
        );
        assert_eq!(origin_of("http://h:8080"), "http://h:8080");
        assert_eq!(origin_of("https://h?x=1"), "https://h");
    }
}
