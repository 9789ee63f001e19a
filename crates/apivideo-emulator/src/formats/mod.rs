//! Formats the emulator reads or writes, apart from the routes that use
//! them: BCP 47 language tags, WebVTT files, upload `Content-Range`
//! headers, the `Range` of asset downloads, the `period` of the analytics
//! lists, the `User-Agent` and referrer a player page reports, the JPEG
//! frames of generated thumbnails, and the escaping of text in HTML pages.
//! Each is a stateless parser or encoder of untrusted input, bounded in
//! what it holds and quotes.

pub(crate) mod bcp47;
pub(crate) mod byte_range;
pub(crate) mod content_range;
pub(crate) mod html;
pub(crate) mod jpeg;
pub(crate) mod period;
pub(crate) mod referrer;
pub(crate) mod user_agent;
pub(crate) mod webvtt;

/// Whether `s` is ASCII digits only (true when empty).
pub(crate) fn is_digit(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}
