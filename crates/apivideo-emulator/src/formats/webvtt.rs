//! WebVTT files, as captions and chapters are uploaded: a line-by-line
//! check with bounded memory and errors that quote little of the input.

use super::is_digit;

/// The longest line a WebVTT file may have, in bytes.
const MAX_VTT_LINE: usize = 64 * 1024;
/// How much of a bad line an error quotes, in characters.
const QUOTED: usize = 80;

/// Checks that the file at `path` is WebVTT: the `WEBVTT` signature, then
/// blocks separated by blank lines, each cue with a well-formed timing
/// line. The error says what is wrong and where. Lines are read one at a
/// time, none longer than [`MAX_VTT_LINE`], and the checker keeps only the
/// first line of the current block, so memory stays bounded whatever the
/// file.
pub(crate) async fn check_webvtt(path: &std::path::Path) -> Result<(), String> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};

    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("The file cannot be read: {e}."))?;
    let mut reader = tokio::io::BufReader::new(file);
    let mut checker = VttChecker::default();
    let mut number = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let read = (&mut reader)
            .take(MAX_VTT_LINE as u64 + 2)
            .read_until(b'\n', &mut buf)
            .await
            .map_err(|e| format!("The file cannot be read: {e}."))?;
        if read == 0 {
            break;
        }
        number += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        if buf.len() > MAX_VTT_LINE {
            return Err(format!(
                "Line {number}: the line is longer than {MAX_VTT_LINE} bytes."
            ));
        }
        let line = std::str::from_utf8(&buf)
            .map_err(|_| format!("Line {number}: the file is not valid UTF-8 text."))?;
        checker.line(number, line)?;
    }
    checker.finish(number)
}

/// A line-by-line WebVTT checker.
#[derive(Debug, Default)]
struct VttChecker {
    /// The signature line was seen.
    started: bool,
    /// Still in the header block (before the first blank line).
    in_header: bool,
    /// Lines of the current block so far.
    block_len: usize,
    /// Number of the current block's first line.
    first_line: usize,
    /// The current block is a comment, style or region block.
    skip: bool,
    /// Index in the block of its timing line: 0, or 1 after an identifier.
    timing_at: usize,
}

impl VttChecker {
    fn line(&mut self, number: usize, line: &str) -> Result<(), String> {
        if !self.started {
            let line = line.strip_prefix('\u{feff}').unwrap_or(line);
            let signed =
                line == "WEBVTT" || line.starts_with("WEBVTT ") || line.starts_with("WEBVTT\t");
            if !signed {
                return Err("Line 1: a WebVTT file must start with `WEBVTT`.".into());
            }
            self.started = true;
            self.in_header = true;
            return Ok(());
        }
        if self.in_header {
            if line.trim().is_empty() {
                self.in_header = false;
            } else if line.contains("-->") {
                return Err(format!(
                    "Line {number}: the header must be followed by a blank line before the first cue."
                ));
            }
            return Ok(());
        }
        if line.trim().is_empty() {
            return self.end_block();
        }
        let index = self.block_len;
        self.block_len += 1;
        if index == 0 {
            let keyword = line.split([' ', '\t']).next().unwrap_or_default();
            self.first_line = number;
            self.skip = matches!(keyword, "NOTE" | "STYLE" | "REGION") && !line.contains("-->");
            // An optional identifier line, then the timing line.
            self.timing_at = usize::from(!line.contains("-->"));
        }
        if self.skip {
            return Ok(());
        }
        if index == self.timing_at {
            check_timing(number, line)
        } else if index > self.timing_at && line.contains("-->") {
            Err(format!(
                "Line {number}: cues must be separated by a blank line."
            ))
        } else {
            Ok(())
        }
    }

    fn finish(mut self, lines: usize) -> Result<(), String> {
        if !self.started || lines == 0 {
            return Err("The file is empty; a WebVTT file must start with `WEBVTT`.".into());
        }
        self.end_block()
    }

    fn end_block(&mut self) -> Result<(), String> {
        let lines = std::mem::take(&mut self.block_len);
        if lines > 0 && !self.skip && lines <= self.timing_at {
            return Err(format!(
                "Line {}: a cue needs a timing line such as `00:00:01.000 --> 00:00:04.000`.",
                self.first_line
            ));
        }
        Ok(())
    }
}

/// The start of `line`, at most [`QUOTED`] characters, for an error.
fn quote(line: &str) -> String {
    match line.char_indices().nth(QUOTED) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_owned(),
    }
}

fn check_timing(number: usize, line: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "Line {number}: `{}` is not a cue timing line; write `HH:MM:SS.mmm --> HH:MM:SS.mmm` or `MM:SS.mmm --> MM:SS.mmm`.",
            quote(line)
        )
    };
    let (start, rest) = line.split_once("-->").ok_or_else(bad)?;
    let end = rest.split_whitespace().next().ok_or_else(bad)?;
    let start = timestamp(start.trim()).ok_or_else(bad)?;
    let end = timestamp(end).ok_or_else(bad)?;
    if end <= start {
        return Err(format!("Line {number}: a cue must end after it starts."));
    }
    Ok(())
}

/// `HH:MM:SS.mmm` (two or more hour digits) or `MM:SS.mmm`, in milliseconds.
fn timestamp(text: &str) -> Option<u64> {
    let (clock, millis) = text.split_once('.')?;
    if millis.len() != 3 || !is_digit(millis) {
        return None;
    }
    let fields: Vec<&str> = clock.split(':').collect();
    let (hours, minutes, seconds) = match fields.as_slice() {
        [h, m, s] if h.len() >= 2 => (*h, *m, *s),
        [m, s] => ("0", *m, *s),
        _ => return None,
    };
    if !is_digit(hours) || hours.is_empty() {
        return None;
    }
    let two = |s: &str| -> Option<u64> {
        (s.len() == 2 && is_digit(s))
            .then(|| s.parse().ok())
            .flatten()
            .filter(|v| *v < 60)
    };
    let (minutes, seconds) = (two(minutes)?, two(seconds)?);
    let hours: u64 = hours.parse().ok()?;
    let millis: u64 = millis.parse().ok()?;
    hours
        .checked_mul(3_600_000)?
        .checked_add(minutes * 60_000 + seconds * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(timestamp("00:01.000"), Some(1000));
        assert_eq!(timestamp("01:02:03.004"), Some(3_723_004));
        assert_eq!(timestamp("100:00:00.000"), Some(360_000_000));
        for bad in [
            "1:02.000",
            "00:60.000",
            "00:00:00,000",
            "00:00.00",
            "0:00:00.000",
            "aa:bb.ccc",
            "00:00",
        ] {
            assert_eq!(timestamp(bad), None, "{bad}");
        }
    }

    fn check(text: &str) -> Result<(), String> {
        let mut checker = VttChecker::default();
        let mut n = 0;
        for line in text.lines() {
            n += 1;
            checker.line(n, line)?;
        }
        checker.finish(n)
    }

    #[test]
    fn webvtt_files() {
        assert!(check("WEBVTT\n").is_ok());
        assert!(
            check("\u{feff}WEBVTT - title\nKind: captions\n\n1\n00:00:01.000 --> 00:00:04.000 align:start\nHello\n\nNOTE a note\n\n00:05.000 --> 00:06.500\nBye\n")
                .is_ok()
        );
        assert!(check("").is_err());
        assert!(check("WEBVTTX\n").is_err());
        assert!(check("1\n00:00:01.000 --> 00:00:04.000\nHi\n").is_err());
        let err = check("WEBVTT\n\n00:00:01,000 --> 00:00:04,000\nHi\n").unwrap_err();
        assert!(err.starts_with("Line 3"), "{err}");
        assert!(check("WEBVTT\n\njust text\n").is_err());
        assert!(check("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nback\n").is_err());
        assert!(check("WEBVTT\n\n00:01.000-->00:02.000\nx\n").is_ok());
        assert!(
            check("WEBVTT\n\n00:01.000 --> 00:02.000\nx\n00:03.000 --> 00:04.000\ny\n").is_err()
        );
        let err = check("WEBVTT\n\n1\n\n").unwrap_err();
        assert!(
            err.starts_with("Line 3: a cue needs a timing line"),
            "{err}"
        );
        assert!(check("WEBVTT\n\nNOTE\n00:01.000 x\n\n").is_ok());
        let err = check("WEBVTT\r\n\r\nid\r\n00:01.000 --> 00:00.500\r\n").unwrap_err();
        assert!(err.starts_with("Line 4: a cue must end"), "{err}");
    }

    async fn check_file(bytes: &[u8]) -> Result<(), String> {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), bytes).unwrap();
        check_webvtt(file.path()).await
    }

    #[tokio::test]
    async fn long_lines_are_refused_and_never_echoed() {
        let mut long = b"WEBVTT\n\n00:00:01.000 --> ".to_vec();
        long.extend(std::iter::repeat_n(b'9', 4 * 1024 * 1024));
        long.push(b'\n');
        let err = check_file(&long).await.unwrap_err();
        assert_eq!(err, "Line 3: the line is longer than 65536 bytes.");
        // A bad line under the limit is quoted in part only.
        let mut bad = b"WEBVTT\n\n".to_vec();
        bad.extend(std::iter::repeat_n(b'x', 60_000));
        bad.extend_from_slice(b" --> 00:01.000\n");
        let err = check_file(&bad).await.unwrap_err();
        assert!(err.starts_with("Line 3: `xxx"), "{err}");
        assert!(err.len() < 300, "{} bytes", err.len());
        // A file read from disk is checked as its text is.
        assert!(
            check_file(b"\xef\xbb\xbfWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nHi\r\n")
                .await
                .is_ok()
        );
        assert!(
            check_file(b"WEBVTT\n\n00:01.000 --> 00:02.000\n\xff\n")
                .await
                .is_err()
        );
        assert!(check_file(b"").await.is_err());
    }
}

/// Properties of the WebVTT checker, on generated input: no panic, errors
/// of bounded size that name the right line, well-formed files accepted.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// The longest error the WebVTT checker may give, in bytes: its text,
    /// a line number and a quote of at most [`QUOTED`] characters.
    const MAX_ERROR: usize = 200 + 4 * QUOTED;

    /// `HH:MM:SS.mmm` when `long` or the hour is not zero, else `MM:SS.mmm`.
    fn print_time(ms: u64, long: bool) -> String {
        let (h, m, s, f) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        if long || h > 0 {
            format!("{h:02}:{m:02}:{s:02}.{f:03}")
        } else {
            format!("{m:02}:{s:02}.{f:03}")
        }
    }

    fn check_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
        let mut checker = VttChecker::default();
        let mut n = 0;
        for line in lines {
            n += 1;
            checker.line(n, line)?;
        }
        checker.finish(n)
    }

    /// A text line of a cue: not blank, no `-->`.
    fn cue_text() -> impl Strategy<Value = String> {
        "[^\r\n>]{0,40}".prop_map(|t| format!("t{t}"))
    }

    /// One cue: an optional identifier, a timing line with the end after
    /// the start, and text lines. Returns its lines and its timing line's
    /// index among them.
    fn cue() -> impl Strategy<Value = (Vec<String>, usize)> {
        (
            prop::option::of("[a-z0-9]{1,8}"),
            0u64..360_000_000,
            1u64..10_000_000,
            any::<bool>(),
            prop::sample::select(vec!["", " align:start", " line:0 position:10%"]),
            prop::collection::vec(cue_text(), 0..3),
        )
            .prop_map(|(id, start, length, long, settings, text)| {
                let mut lines: Vec<String> = id.map(|i| format!("c{i}")).into_iter().collect();
                let at = lines.len();
                lines.push(format!(
                    "{} --> {}{settings}",
                    print_time(start, long),
                    print_time(start + length, long)
                ));
                lines.extend(text);
                (lines, at)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn timestamps_read_back(ms in 0u64..3_600_000_000, long in any::<bool>()) {
            prop_assert_eq!(timestamp(&print_time(ms, long)), Some(ms));
        }

        #[test]
        fn any_lines_never_panic_and_errors_stay_short(
            lines in prop::collection::vec(
                prop_oneof![
                    3 => any::<String>(),
                    2 => "(WEBVTT|NOTE|[0-9:.]{0,12}) ?(-->)? ?[0-9:.]{0,12}",
                    1 => Just(String::new()),
                    // Long lines, built by repetition: generating them
                    // character by character is slow.
                    1 => ("[^\r\n]{1,8}", 300usize..3000).prop_map(|(s, n)| s.repeat(n)),
                    1 => (1000usize..10_000).prop_map(|n| format!("{} --> 00:01.000", "x ".repeat(n))),
                ],
                0..12,
            ),
            signed in any::<bool>(),
        ) {
            let mut all = Vec::new();
            if signed {
                all.push("WEBVTT".to_owned());
            }
            all.extend(lines);
            if let Err(e) = check_lines(all.iter().map(String::as_str)) {
                prop_assert!(e.len() <= MAX_ERROR, "{} bytes", e.len());
            }
        }

        #[test]
        fn well_formed_files_pass(
            header in prop::sample::select(vec!["WEBVTT", "\u{feff}WEBVTT", "WEBVTT - a title", "WEBVTT\tx"]),
            header_lines in prop::collection::vec("[a-zA-Z]{1,8}: [a-z]{0,8}", 0..3),
            cues in prop::collection::vec(cue(), 0..6),
            notes in prop::collection::vec(any::<bool>(), 6),
            blanks in prop::collection::vec(1usize..3, 6),
        ) {
            let mut lines: Vec<String> = vec![header.to_owned()];
            lines.extend(header_lines);
            for (i, (cue, _)) in cues.into_iter().enumerate() {
                lines.extend(std::iter::repeat_n(String::new(), blanks[i]));
                if notes[i] {
                    lines.push("NOTE a comment, even with 00:01.000 in it".to_owned());
                    lines.push(String::new());
                }
                lines.extend(cue);
            }
            let result = check_lines(lines.iter().map(String::as_str));
            prop_assert!(result.is_ok(), "{:?}: {:?}", lines, result);
        }

        #[test]
        fn a_cue_ending_before_it_starts_is_refused_at_its_line(
            before in prop::collection::vec(cue(), 0..4),
            (mut bad, at) in cue(),
            after in prop::collection::vec(cue(), 0..3),
        ) {
            let (start, end) = bad[at].split_once(" --> ").unwrap();
            let end = end.split(' ').next().unwrap().to_owned();
            bad[at] = format!("{end} --> {start}");
            let mut lines = vec!["WEBVTT".to_owned()];
            for (cue, _) in before {
                lines.push(String::new());
                lines.extend(cue);
            }
            lines.push(String::new());
            // Line numbers count from 1.
            let line_of_bad = lines.len() + at + 1;
            lines.extend(bad);
            for (cue, _) in after {
                lines.push(String::new());
                lines.extend(cue);
            }
            let err = check_lines(lines.iter().map(String::as_str)).unwrap_err();
            prop_assert!(err.starts_with(&format!("Line {line_of_bad}: ")), "{err}");
        }
    }
}
