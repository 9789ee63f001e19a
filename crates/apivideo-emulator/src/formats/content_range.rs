//! The `Content-Range` header of an upload chunk: `part N/M`, `part N/*`
//! (a progressive session whose total is not known yet) or
//! `bytes from-to/total`. Errors quote at most a few characters of the
//! value, so a header of any length gets an answer of bounded size.

use axum::http::HeaderMap;

use crate::problem::{ApiError, ApiResult};

/// Where a chunk goes, from its `Content-Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkPos {
    /// No header: the request carries the whole file.
    Whole,
    /// `part N/M` (total known) or `part N/*` (progressive session).
    Part { n: u64, total: Option<u64> },
    /// `bytes from-to/total`.
    Bytes { from: u64, to: u64, total: u64 },
}

pub(crate) fn bad_range(detail: impl Into<String>) -> ApiError {
    ApiError::attribute(
        "Content-Range",
        "This header must be `bytes from-to/total`, `part N/M` or `part N/*`.",
    )
    .with_detail(detail)
}

/// Reads the `Content-Range` header of an upload.
pub(crate) fn chunk_pos(headers: &HeaderMap) -> ApiResult<ChunkPos> {
    let Some(value) = headers.get(axum::http::header::CONTENT_RANGE) else {
        return Ok(ChunkPos::Whole);
    };
    let value = value
        .to_str()
        .map_err(|_| bad_range("The header is not ASCII."))?;
    parse_chunk_pos(value.trim())
}

/// How much of a bad piece of the header an error quotes, in characters.
const QUOTED: usize = 32;

/// The start of `text`, at most [`QUOTED`] characters, for an error: a
/// header of any length gets an answer of bounded size.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTED) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn parse_chunk_pos(value: &str) -> ApiResult<ChunkPos> {
    let (unit, rest) = value.split_once(' ').ok_or_else(|| bad_range("No unit."))?;
    let (spec, total) = rest
        .trim()
        .split_once('/')
        .ok_or_else(|| bad_range("No total."))?;
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| bad_range(format!("`{}` is not a number.", quote(s))))
    };
    if unit.eq_ignore_ascii_case("part") {
        let n = number(spec)?;
        let total = match total.trim() {
            "*" => None,
            t => Some(number(t)?),
        };
        if n == 0 || total.is_some_and(|t| n > t) {
            return Err(bad_range(
                "Parts are numbered from 1 and cannot exceed the total.",
            ));
        }
        return Ok(ChunkPos::Part { n, total });
    }
    if unit.eq_ignore_ascii_case("bytes") {
        let (from, to) = spec
            .split_once('-')
            .ok_or_else(|| bad_range("No `from-to` range."))?;
        let (from, to, total) = (number(from)?, number(to)?, number(total)?);
        if from > to || to >= total {
            return Err(bad_range("The range must satisfy from <= to < total."));
        }
        return Ok(ChunkPos::Bytes { from, to, total });
    }
    Err(bad_range(format!("Unknown unit `{}`.", quote(unit))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse() {
        assert_eq!(
            parse_chunk_pos("part 2/3").unwrap(),
            ChunkPos::Part {
                n: 2,
                total: Some(3)
            }
        );
        assert_eq!(
            parse_chunk_pos("part 4/*").unwrap(),
            ChunkPos::Part { n: 4, total: None }
        );
        assert_eq!(
            parse_chunk_pos("bytes 0-9/20").unwrap(),
            ChunkPos::Bytes {
                from: 0,
                to: 9,
                total: 20
            }
        );
        for bad in [
            "part 0/3",
            "part 4/3",
            "part x/3",
            "bytes 5-4/10",
            "bytes 0-10/10",
            "bytes 0-1/*",
            "octets 0-1/2",
            "part",
        ] {
            assert!(parse_chunk_pos(bad).is_err(), "{bad}");
        }
    }
}

/// Properties of the parser on generated input: no panic, answers of
/// bounded size, and what a parsed value promises.
#[cfg(test)]
mod properties {
    use axum::http::StatusCode;
    use proptest::prelude::*;

    use super::*;

    /// The longest error answer any header may produce, in bytes.
    const MAX_PROBLEM: usize = 1024;

    /// Values near the grammar: right and wrong units in any case, numbers
    /// small, huge and overflowing, stars, junk and missing pieces.
    fn near_range() -> impl Strategy<Value = String> {
        let unit =
            prop::sample::select(vec!["part", "PART", "Part", "bytes", "BYTES", "octets", ""]);
        let number = prop_oneof![
            (0u64..12).prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            Just("*".to_owned()),
            Just("18446744073709551616".to_owned()),
            Just(String::new()),
            "[ 0-9a-z+*-]{0,6}",
            (20usize..400).prop_map(|n| "9".repeat(n)),
        ];
        let space = prop::sample::select(vec![" ", "  ", "\t", "", " \t "]);
        (
            unit,
            space,
            number.clone(),
            number.clone(),
            number,
            any::<bool>(),
        )
            .prop_map(|(unit, space, a, b, total, bytes)| {
                if bytes {
                    format!("{unit}{space}{a}-{b}/{total}")
                } else {
                    format!("{unit}{space}{a}/{total}")
                }
            })
    }

    fn any_header() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => near_range(),
            1 => any::<String>(),
            // Long values, built by repetition: no error may quote them whole.
            1 => ("(part|bytes|[a-z]{1,4})", "[0-9a-z]{1,4}", 1usize..2000, 1usize..2000)
                .prop_map(|(unit, s, a, b)| format!("{unit} {}/{}", s.repeat(a), s.repeat(b))),
            1 => ("[a-z]{1,4}", 25usize..1500).prop_map(|(s, n)| format!("{} 1/2", s.repeat(n))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn content_ranges_never_panic_and_keep_their_promises(value in any_header()) {
            match parse_chunk_pos(&value) {
                Ok(ChunkPos::Part { n, total }) => {
                    prop_assert!(n >= 1);
                    prop_assert!(total.is_none_or(|t| n <= t));
                }
                Ok(ChunkPos::Bytes { from, to, total }) => {
                    prop_assert!(from <= to && to < total);
                }
                Ok(ChunkPos::Whole) => prop_assert!(false, "a header is never the whole file"),
                Err(e) => {
                    prop_assert_eq!(e.status, StatusCode::BAD_REQUEST);
                    let answer = serde_json::to_string(&e.problem).unwrap();
                    prop_assert!(answer.len() <= MAX_PROBLEM, "{} bytes: {}", answer.len(), answer);
                }
            }
        }

        #[test]
        fn printed_parts_read_back(n in 1u64.., extra in any::<u64>(), star in any::<bool>()) {
            let total = n.saturating_add(extra);
            let (header, want) = if star {
                (format!("part {n}/*"), None)
            } else {
                (format!("part {n}/{total}"), Some(total))
            };
            prop_assert_eq!(parse_chunk_pos(&header).unwrap(), ChunkPos::Part { n, total: want });
            // The unit's case and the spacing do not matter.
            let loose = header.replacen("part ", "PART  ", 1).replace('/', " / ");
            prop_assert_eq!(parse_chunk_pos(&loose).unwrap(), ChunkPos::Part { n, total: want });
        }

        #[test]
        fn printed_byte_ranges_read_back(mut ends in prop::array::uniform3(any::<u64>())) {
            ends.sort_unstable();
            let [from, to, total] = ends;
            let header = format!("bytes {from}-{to}/{total}");
            let parsed = parse_chunk_pos(&header);
            if to < total {
                prop_assert_eq!(parsed.unwrap(), ChunkPos::Bytes { from, to, total });
            } else {
                prop_assert!(parsed.is_err(), "{header}");
            }
        }
    }
}
