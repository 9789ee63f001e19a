//! HTML text: escaping what goes into the pages the emulator serves.

/// `text` with `&`, `<`, `>` and `"` escaped, safe in an element's text
/// and in a double-quoted attribute.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_quotes_are_escaped_once() {
        assert_eq!(
            escape(r#"<b class="x">Tom & "Jerry"</b>"#),
            "&lt;b class=&quot;x&quot;&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;"
        );
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape("plain text"), "plain text");
    }
}
