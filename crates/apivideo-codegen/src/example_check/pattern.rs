//! `pattern` checks: OpenAPI patterns are ECMA-262 regular expressions, so
//! they are matched with `regress`, the ECMA engine the generated code uses.

/// Whether `text` matches `pattern` (a search, like `RegExp.prototype.test`:
/// a pattern without `^`/`$` may match anywhere); `None` when the pattern
/// does not compile, so the caller skips the check.
pub(crate) fn is_match(pattern: &str, text: &str) -> Option<bool> {
    let regex = regress::Regex::new(pattern).ok()?;
    Some(regex.find(text).is_some())
}

#[cfg(test)]
mod tests {
    use super::is_match;

    const TIMECODE: &str = r"^(?:\d{2,3}:[0-5]\d:[0-5]\d(?:\.\d{1,3}|\:\d{1,2})?|\d{1,7})$";

    #[test]
    fn the_spec_patterns() {
        for ok in ["00:01:02", "100:59:59.123", "01:02:03:24", "1234567", "0"] {
            assert_eq!(is_match(TIMECODE, ok), Some(true), "{ok}");
        }
        for bad in ["1:02:03", "00:60:00", "12345678", "00:01:02.", "x"] {
            assert_eq!(is_match(TIMECODE, bad), Some(false), "{bad}");
        }
        let range = r"^(?:bytes \d+-\d+|part \d+)/(?:\d+|\*)$";
        assert_eq!(is_match(range, "part 3/*"), Some(true));
        assert_eq!(is_match(range, "bytes 0-99/100"), Some(true));
        assert_eq!(is_match(range, "bytes 1-/2"), Some(false));
    }

    #[test]
    fn search_is_unanchored_without_anchors() {
        let p = r"\d{2}:\d{2}:\d{2}(\.\d{2})?";
        assert_eq!(is_match(p, "at 00:00:12.50 sharp"), Some(true));
        assert_eq!(is_match(p, "0:00:12"), Some(false));
        assert_eq!(is_match("^abc$", "xabc"), Some(false));
    }

    #[test]
    fn a_pattern_that_does_not_compile_is_skipped() {
        assert_eq!(is_match("(unclosed", "x"), None);
    }
}
