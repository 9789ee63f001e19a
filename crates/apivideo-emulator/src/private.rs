//! Private videos (`public: false`), as the API serves them: their assets
//! (source MP4, HLS manifest, thumbnail, player page) are reachable only
//! through the URLs the API returns for them, which carry a token:
//! `/vod/{id}/token/{token}/mp4/source.mp4`, `…/hls/manifest.m3u8`,
//! `…/thumbnail.jpg` and `/embed/vod/{id}?token={token}`. The plain URLs
//! answer 404 for a private video, as for one that does not exist.
//!
//! A token is an HMAC of the video id under a key drawn when the emulator
//! starts: it cannot be guessed from the id, needs no storage, and changes
//! when the emulator restarts (the API's tokens expire too). Unlike the
//! API's, one token serves any number of sessions.

use hmac::Mac;

/// The key private-video tokens are derived with.
pub(crate) struct TokenKey([u8; 32]);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey([redacted])")
    }
}

impl TokenKey {
    /// A new random key.
    pub(crate) fn random() -> Self {
        Self(rand::random())
    }

    /// The token of a private video, shaped like the API's (a UUID).
    pub(crate) fn token(&self, video_id: &str) -> String {
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0)
            .expect("HMAC takes a key of any length");
        mac.update(b"private-video:");
        mac.update(video_id.as_bytes());
        let digest = mac.finalize().into_bytes();
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    /// Whether `token` is the video's, compared in a time that does not
    /// depend on where they differ.
    pub(crate) fn check(&self, video_id: &str, token: &str) -> bool {
        crate::admin::same(&self.token(video_id), token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_per_video_and_per_key() {
        let key = TokenKey::random();
        let a = key.token("vi1");
        assert_eq!(a.len(), 36);
        assert_eq!(a, key.token("vi1"));
        assert_ne!(a, key.token("vi2"));
        assert_ne!(a, TokenKey::random().token("vi1"));
        assert!(key.check("vi1", &a));
        assert!(!key.check("vi2", &a));
        assert!(!key.check("vi1", &a[..35]));
        assert!(!format!("{key:?}").contains(&a[..8]));
    }
}
