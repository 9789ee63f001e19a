//! The `Range: bytes=…` header of asset downloads (RFC 9110): one range,
//! closed (`bytes=2-5`), open (`bytes=7-`) or a suffix (`bytes=-3`).

use axum::http::HeaderValue;

/// The one range of a `Range: bytes=…` header: `Ok(None)` for the whole
/// file (no header, several ranges or one we do not understand),
/// `Err(())` when it lies outside the file.
pub(crate) fn byte_range(header: Option<&HeaderValue>, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = header
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.trim().strip_prefix("bytes="))
        .filter(|s| !s.contains(','))
    else {
        return Ok(None);
    };
    let Some((from, to)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    let (from, to) = (from.trim(), to.trim());
    let parsed = |s: &str| s.parse::<u64>().ok();
    match (parsed(from), parsed(to)) {
        (Some(a), _) if a >= len => Err(()),
        (Some(a), Some(b)) if a <= b => Ok(Some((a, b.min(len - 1)))),
        (Some(a), None) if to.is_empty() => Ok(Some((a, len - 1))),
        (None, Some(n)) if from.is_empty() => match n.min(len) {
            0 => Err(()),
            n => Ok(Some((len - n, len - 1))),
        },
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let h = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(byte_range(None, 10), Ok(None));
        assert_eq!(byte_range(Some(&h("bytes=2-5")), 10), Ok(Some((2, 5))));
        assert_eq!(byte_range(Some(&h("bytes=2-50")), 10), Ok(Some((2, 9))));
        assert_eq!(byte_range(Some(&h("bytes=7-")), 10), Ok(Some((7, 9))));
        assert_eq!(byte_range(Some(&h("bytes=-3")), 10), Ok(Some((7, 9))));
        assert_eq!(byte_range(Some(&h("bytes=10-")), 10), Err(()));
        assert_eq!(byte_range(Some(&h("bytes=0-1,4-5")), 10), Ok(None));
        assert_eq!(byte_range(Some(&h("items=0-1")), 10), Ok(None));
    }
}

/// Properties of the `Range` parser of asset downloads, on generated
/// headers and file lengths: no panic, a range always inside the file, and
/// printed ranges read back.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn near_range() -> impl Strategy<Value = String> {
        let number = prop_oneof![
            (0u64..20).prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            Just("18446744073709551616".to_owned()),
            Just(String::new()),
            "[ 0-9a-z-]{0,4}",
        ];
        let unit = prop::sample::select(vec!["bytes=", "BYTES=", "bytes =", "items=", ""]);
        let extra = prop::sample::select(vec!["", ",0-1", ", 5-", " "]);
        (unit, number.clone(), number, extra)
            .prop_map(|(unit, a, b, extra)| format!("{unit}{a}-{b}{extra}"))
    }

    fn length() -> impl Strategy<Value = u64> {
        prop_oneof![Just(0u64), 1u64..40, any::<u64>(), Just(u64::MAX)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn ranges_stay_inside_the_file(
            header in prop_oneof![3 => near_range(), 1 => any::<String>()],
            len in length(),
        ) {
            // Headers that cannot be sent are not parsed.
            let Ok(value) = HeaderValue::from_bytes(header.as_bytes()) else {
                return Ok(());
            };
            if let Ok(Some((start, end))) = byte_range(Some(&value), len) {
                prop_assert!(start <= end && end < len, "{header:?} of {len}: {start}-{end}");
            }
        }

        #[test]
        fn printed_ranges_read_back(len in 1u64.., a in any::<u64>(), b in any::<u64>()) {
            let (from, to) = (a.min(b), a.max(b));
            let h = |s: String| HeaderValue::from_str(&s).unwrap();
            let closed = byte_range(Some(&h(format!("bytes={from}-{to}"))), len);
            let open = byte_range(Some(&h(format!("bytes={from}-"))), len);
            if from < len {
                prop_assert_eq!(closed, Ok(Some((from, to.min(len - 1)))));
                prop_assert_eq!(open, Ok(Some((from, len - 1))));
            } else {
                prop_assert_eq!(closed, Err(()));
                prop_assert_eq!(open, Err(()));
            }
            let suffix = byte_range(Some(&h(format!("bytes=-{a}"))), len);
            if a == 0 {
                prop_assert_eq!(suffix, Err(()));
            } else {
                prop_assert_eq!(suffix, Ok(Some((len - a.min(len), len - 1))));
            }
        }
    }
}
