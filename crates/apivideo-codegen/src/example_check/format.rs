//! The string formats an example is checked against: RFC 3339 `date-time`
//! and `date` (`full-date`). Other formats (`uri`, `binary`, ...) are not
//! checked.

/// Why `text` is not a valid value of `format`, if it is not.
pub(crate) fn check(format: &str, text: &str) -> Option<&'static str> {
    match format {
        "date-time" => (!is_date_time(text))
            .then_some("is not an RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`)"),
        "date" => (!is_date(text)).then_some("is not an RFC 3339 full-date (`YYYY-MM-DD`)"),
        _ => None,
    }
}

/// `2019-06-24T11:45:01.109Z`, `2020-01-31T10:17:47+00:00`: a full-date, `T`
/// (or `t`), a partial-time and a time offset.
pub(crate) fn is_date_time(text: &str) -> bool {
    let Some((date, time)) = text.split_once(['T', 't']) else {
        return false;
    };
    is_date(date) && is_time(time)
}

/// `YYYY-MM-DD`, with the day existing in that month.
pub(crate) fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) =
        (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10]))
    else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// `HH:MM:SS[.frac]` followed by `Z` or `±HH:MM`.
fn is_time(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let hms = (digits(&b[0..2]), digits(&b[3..5]), digits(&b[6..8]));
    let (Some(h), Some(m), Some(s)) = hms else {
        return false;
    };
    // 60 is a leap second.
    if h > 23 || m > 59 || s > 60 {
        return false;
    }
    let mut rest = &b[8..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            matches!((digits(&[*h1, *h2]), digits(&[*m1, *m2])), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::{check, is_date, is_date_time};

    #[test]
    fn date_times() {
        for ok in [
            "2019-06-24T11:45:01.109Z",
            "2020-01-31T10:17:47+00:00",
            "2020-02-29t23:59:60-05:30",
            "2019-12-16T08:25:51.000Z",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "2019-06-24T11:45:01.109+00",
            "2019-06-24 11:45:01Z",
            "2019-06-24T11:45:01",
            "2019-02-29T00:00:00Z",
            "2019-06-24T24:00:00Z",
            "2019-06-24T11:45:01.Z",
            "2019-6-24T11:45:01Z",
            "yesterday",
            "",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn dates_and_other_formats() {
        assert!(is_date("2024-03-31"));
        assert!(!is_date("2024-04-31"));
        assert!(check("date", "2024-13-01").is_some());
        assert!(check("uri", "not checked").is_none());
        assert!(check("date-time", "2024-03-01T00:00:00Z").is_none());
    }
}
