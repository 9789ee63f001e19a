//! BCP 47 language tags (RFC 5646): the check and canonical case of the
//! tags captions, chapters and videos are given.

use super::is_digit;

/// `tag` in canonical case if it is a well-formed BCP 47 language tag
/// (RFC 5646, with a two- or three-letter primary language subtag).
pub(crate) fn canonical_language(tag: &str) -> Option<String> {
    let parts: Vec<&str> = tag.split('-').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return None;
    }
    let mut out = Vec::with_capacity(parts.len());
    let rest = language_subtags(&parts, &mut out)?;
    let rest = script_region_variants(rest, &mut out);
    let rest = extensions(rest, &mut out)?;
    private_use(rest, &mut out)?;
    Some(out.join("-"))
}

fn is_alpha(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphabetic())
}

/// The primary language (2-3 letters) and up to three extended language
/// subtags (3 letters each).
fn language_subtags<'a>(parts: &'a [&'a str], out: &mut Vec<String>) -> Option<&'a [&'a str]> {
    let (first, mut rest) = parts.split_first()?;
    if !(2..=3).contains(&first.len()) || !is_alpha(first) {
        return None;
    }
    out.push(first.to_ascii_lowercase());
    for _ in 0..3 {
        match rest.split_first() {
            Some((p, tail)) if p.len() == 3 && is_alpha(p) => {
                out.push(p.to_ascii_lowercase());
                rest = tail;
            }
            _ => break,
        }
    }
    Some(rest)
}

/// Optional script (`Hant`), region (`BR`, `419`) and variants.
fn script_region_variants<'a>(mut rest: &'a [&'a str], out: &mut Vec<String>) -> &'a [&'a str] {
    if let Some((p, tail)) = rest.split_first()
        && p.len() == 4
        && is_alpha(p)
    {
        let lower = p.to_ascii_lowercase();
        out.push(lower[..1].to_ascii_uppercase() + &lower[1..]);
        rest = tail;
    }
    if let Some((p, tail)) = rest.split_first()
        && ((p.len() == 2 && is_alpha(p)) || (p.len() == 3 && is_digit(p)))
    {
        out.push(p.to_ascii_uppercase());
        rest = tail;
    }
    while let Some((p, tail)) = rest.split_first() {
        let variant =
            (5..=8).contains(&p.len()) || (p.len() == 4 && p.as_bytes()[0].is_ascii_digit());
        if !variant {
            break;
        }
        out.push(p.to_ascii_lowercase());
        rest = tail;
    }
    rest
}

/// Extensions: a singleton other than `x` and one or more 2-8 character
/// subtags.
fn extensions<'a>(mut rest: &'a [&'a str], out: &mut Vec<String>) -> Option<&'a [&'a str]> {
    while let Some((p, tail)) = rest.split_first() {
        if p.len() != 1 || p.eq_ignore_ascii_case("x") {
            break;
        }
        out.push(p.to_ascii_lowercase());
        rest = tail;
        let mut count = 0;
        while let Some((q, tail)) = rest.split_first()
            && q.len() >= 2
        {
            out.push(q.to_ascii_lowercase());
            rest = tail;
            count += 1;
        }
        if count == 0 {
            return None;
        }
    }
    Some(rest)
}

/// An optional private-use part, `x-` and 1-8 character subtags, which
/// must end the tag.
fn private_use(rest: &[&str], out: &mut Vec<String>) -> Option<()> {
    let Some((p, tail)) = rest.split_first() else {
        return Some(());
    };
    if !p.eq_ignore_ascii_case("x") || tail.is_empty() {
        return None;
    }
    out.push("x".to_owned());
    out.extend(tail.iter().map(|q| q.to_ascii_lowercase()));
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        for (tag, canonical) in [
            ("en", "en"),
            ("fr", "fr"),
            ("pt-BR", "pt-BR"),
            ("pt-br", "pt-BR"),
            ("zh-Hant-TW", "zh-Hant-TW"),
            ("ZH-hant-tw", "zh-Hant-TW"),
            ("es-419", "es-419"),
            ("sl-rozaj-biske", "sl-rozaj-biske"),
            ("de-CH-1901", "de-CH-1901"),
            ("en-US-u-ca-gregory", "en-US-u-ca-gregory"),
            ("en-x-private", "en-x-private"),
            ("zh-yue-HK", "zh-yue-HK"),
        ] {
            assert_eq!(canonical_language(tag).as_deref(), Some(canonical), "{tag}");
        }
        for tag in [
            "",
            "english",
            "e1",
            "en_US",
            "e",
            "en-",
            "-en",
            "en--US",
            "123",
            "en-u",
            "en-x",
            "en-US-x",
            "en-abcdefghi",
            "en US",
            "fr-FR.vtt",
        ] {
            assert_eq!(canonical_language(tag), None, "{tag}");
        }
    }
}

/// Properties of the language-tag parser, on generated input: no panic,
/// and canonical tags that are stable.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Tags built from subtags of plausible shapes, in any case.
    fn near_tag() -> impl Strategy<Value = String> {
        let subtag = prop_oneof![
            "[a-zA-Z]{1,3}",
            "[a-zA-Z]{4}",
            "[0-9]{3,4}",
            "[a-zA-Z0-9]{5,9}",
            Just("x".to_owned()),
            Just("u".to_owned()),
            "[a-z0-9_ .]{0,2}",
        ];
        prop::collection::vec(subtag, 1..8).prop_map(|parts| parts.join("-"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn language_tags_never_panic_and_canonical_tags_are_stable(
            tag in prop_oneof![3 => near_tag(), 1 => any::<String>()],
        ) {
            if let Some(canonical) = canonical_language(&tag) {
                // Only the case changes, and the result is its own canonical form.
                prop_assert!(canonical.eq_ignore_ascii_case(&tag), "{tag} -> {canonical}");
                prop_assert_eq!(canonical_language(&canonical), Some(canonical.clone()));
                prop_assert_eq!(canonical_language(&tag.to_ascii_uppercase()), Some(canonical.clone()));
                prop_assert_eq!(canonical_language(&tag.to_ascii_lowercase()), Some(canonical));
            }
        }
    }
}
