//! The `period` of the analytics session lists: a day (`2024-03-05`), an
//! ISO week (`2024-W10`), a month (`2024-03`), a year (`2024`), or
//! `start/end` of those (both included), read as a span of UTC days.

use chrono::{DateTime, Days, Months, NaiveDate, Utc};

/// A time span `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
}

impl Period {
    pub(crate) fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
}

/// Parses `period`: a day (`2024-03-05`), an ISO week (`2024-W10`), a month
/// (`2024-03`), a year (`2024`), or `start/end` of those (both included).
pub(crate) fn parse_period(text: &str) -> Option<Period> {
    match text.split_once('/') {
        Some((from, to)) => {
            let (start, end) = (span(from.trim())?.start, span(to.trim())?.end);
            (start < end).then_some(Period { start, end })
        }
        None => span(text.trim()),
    }
}

/// The span one period term names.
fn span(term: &str) -> Option<Period> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let (start, end) = match term.split('-').collect::<Vec<_>>().as_slice() {
        [y] if digits(y, 4) => {
            let start = NaiveDate::from_ymd_opt(y.parse().ok()?, 1, 1)?;
            (start, start.checked_add_months(Months::new(12))?)
        }
        [y, w] if digits(y, 4) && w.len() == 3 && w.starts_with('W') && digits(&w[1..], 2) => {
            let start = NaiveDate::from_isoywd_opt(
                y.parse().ok()?,
                w[1..].parse().ok()?,
                chrono::Weekday::Mon,
            )?;
            (start, start.checked_add_days(Days::new(7))?)
        }
        [y, m] if digits(y, 4) && digits(m, 2) => {
            let start = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)?;
            (start, start.checked_add_months(Months::new(1))?)
        }
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            let start = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
            (start, start.checked_add_days(Days::new(1))?)
        }
        _ => return None,
    };
    Some(Period {
        start: start.and_hms_opt(0, 0, 0)?.and_utc(),
        end: end.and_hms_opt(0, 0, 0)?.and_utc(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn periods() {
        let p = parse_period("2024-03-05").unwrap();
        assert_eq!(
            (p.start, p.end),
            (utc("2024-03-05T00:00:00Z"), utc("2024-03-06T00:00:00Z"))
        );
        let p = parse_period("2024-02").unwrap();
        assert_eq!(p.end, utc("2024-03-01T00:00:00Z"));
        let p = parse_period("2024").unwrap();
        assert_eq!(
            (p.start, p.end),
            (utc("2024-01-01T00:00:00Z"), utc("2025-01-01T00:00:00Z"))
        );
        let p = parse_period("2024-W10").unwrap();
        assert_eq!(
            (p.start, p.end),
            (utc("2024-03-04T00:00:00Z"), utc("2024-03-11T00:00:00Z"))
        );
        let p = parse_period("2024-03-01/2024-03-31").unwrap();
        assert_eq!(
            (p.start, p.end),
            (utc("2024-03-01T00:00:00Z"), utc("2024-04-01T00:00:00Z"))
        );
        assert!(parse_period("2023/2024-02").is_some());
        for bad in [
            "",
            "yesterday",
            "2024-13",
            "2024-02-30",
            "24",
            "2024-3-5",
            "2024-03-05/",
            "2024-04/2024-03",
            "2019-01-01T00:00:00.000Z",
            "2024-W54",
        ] {
            assert!(parse_period(bad).is_none(), "{bad}");
        }
    }
}

/// Properties of the `period` parser, on generated input: no panic, a
/// non-empty span for every accepted period, and printed days, weeks,
/// months and years read back.
#[cfg(test)]
mod properties {
    use chrono::{Datelike, Duration, Weekday};
    use proptest::prelude::*;

    use super::*;

    fn near_period() -> impl Strategy<Value = String> {
        let term = prop_oneof![
            "[0-9]{4}",
            "[0-9]{4}-[0-9]{2}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "[0-9]{4}-W[0-9]{2}",
            "[0-9W-]{0,12}",
            "[0-9]{1,30}(-[0-9]{1,30}){0,3}",
        ];
        (
            term.clone(),
            prop::option::of(term),
            prop::sample::select(vec!["", " "]),
        )
            .prop_map(|(a, b, pad)| match b {
                Some(b) => format!("{pad}{a}{pad}/{pad}{b}"),
                None => format!("{pad}{a}{pad}"),
            })
    }

    fn day() -> impl Strategy<Value = NaiveDate> {
        (0i32..=9999, 1u32..=366)
            .prop_filter_map("a day of that year", |(y, d)| NaiveDate::from_yo_opt(y, d))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn periods_never_panic_and_are_never_empty(
            text in prop_oneof![3 => near_period(), 1 => any::<String>()],
        ) {
            if let Some(p) = parse_period(&text) {
                prop_assert!(p.start < p.end, "{text}");
                // Midnight to midnight.
                prop_assert_eq!(p.start.time(), chrono::NaiveTime::MIN);
                prop_assert_eq!(p.end.time(), chrono::NaiveTime::MIN);
                if !text.contains('/') {
                    prop_assert!(p.end - p.start <= Duration::days(366), "{text}");
                }
            }
        }

        #[test]
        fn printed_periods_read_back(a in day(), b in day()) {
            let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc();
            let p = parse_period(&a.format("%Y-%m-%d").to_string()).unwrap();
            prop_assert_eq!((p.start, p.end), (midnight(a), midnight(a) + Duration::days(1)));

            let p = parse_period(&a.format("%Y-%m").to_string()).unwrap();
            prop_assert_eq!(p.start, midnight(a.with_day(1).unwrap()));
            prop_assert!(p.contains(midnight(a)) && p.end - p.start <= Duration::days(31));

            let p = parse_period(&format!("{:04}", a.year())).unwrap();
            prop_assert_eq!(p.start, midnight(NaiveDate::from_ymd_opt(a.year(), 1, 1).unwrap()));
            prop_assert!(p.contains(midnight(a)));

            let week = a.iso_week();
            if (0..=9999).contains(&week.year()) {
                let p = parse_period(&format!("{:04}-W{:02}", week.year(), week.week())).unwrap();
                prop_assert_eq!(p.start.weekday(), Weekday::Mon);
                prop_assert_eq!(p.end - p.start, Duration::days(7));
                prop_assert!(p.contains(midnight(a)));
            }

            let (first, last) = (a.min(b), a.max(b));
            let text = format!("{}/{}", first.format("%Y-%m-%d"), last.format("%Y-%m-%d"));
            let p = parse_period(&text).unwrap();
            prop_assert_eq!((p.start, p.end), (midnight(first), midnight(last) + Duration::days(1)));
            if first != last {
                let backwards = format!("{}/{}", last.format("%Y-%m-%d"), first.format("%Y-%m-%d"));
                prop_assert_eq!(parse_period(&backwards), None);
            }
        }
    }
}
