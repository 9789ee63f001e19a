//! Resource ids shaped like the real ones: a prefix and 22 base62 characters.

use rand::Rng;

const BASE62: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Id prefixes, as the real API uses them.
pub(crate) mod prefix {
    pub(crate) const VIDEO: &str = "vi";
    pub(crate) const LIVE_STREAM: &str = "li";
    pub(crate) const PLAYER: &str = "pt";
    pub(crate) const UPLOAD_TOKEN: &str = "to";
    pub(crate) const SESSION: &str = "ps";
    pub(crate) const WEBHOOK: &str = "webhook_";
    pub(crate) const WATERMARK: &str = "watermark_";
    pub(crate) const SUMMARY: &str = "summary_";
    pub(crate) const CAPTION: &str = "caption_";
}

/// `prefix` followed by `len` random base62 characters.
pub(crate) fn random(prefix: &str, len: usize) -> String {
    let mut rng = rand::rng();
    let mut id = String::with_capacity(prefix.len() + len);
    id.push_str(prefix);
    id.extend((0..len).map(|_| BASE62[rng.random_range(0..BASE62.len())] as char));
    id
}

/// A new resource id: `prefix` plus 22 base62 characters.
pub(crate) fn new_id(prefix: &str) -> String {
    random(prefix, 22)
}

/// A webhook's signature secret: `sig_sec_` plus 22 base62 characters.
pub(crate) fn signature_secret() -> String {
    random("sig_sec_", 22)
}

/// An opaque secret (access or refresh token, stream key).
pub(crate) fn secret() -> String {
    random("", 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_real_shape() {
        let id = new_id(prefix::VIDEO);
        assert_eq!(id.len(), 24);
        assert!(id.starts_with("vi"));
        assert!(id[2..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(new_id(prefix::VIDEO), id);
        assert!(new_id(prefix::WEBHOOK).starts_with("webhook_"));
        assert!(new_id(prefix::WATERMARK).starts_with("watermark_"));
        assert_eq!(new_id(prefix::SUMMARY).len(), "summary_".len() + 22);
    }
}
