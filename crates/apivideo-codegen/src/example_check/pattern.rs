//! A small backtracking matcher for the ECMA-262 regular expressions that
//! OpenAPI `pattern`s are written in, enough to check examples without a
//! regex dependency.
//!
//! Supported: literals and escapes (`\d \D \w \W \s \S \b \B`, `\t \n \r \f
//! \v \0`, `\xHH`, `\uHHHH`, escaped punctuation), `.`, classes (`[a-z]`,
//! `[^...]`), anchors (`^ $`), groups (`(...)`, `(?:...)`, `(?<name>...)`),
//! alternation and the quantifiers `* + ? {n} {n,} {n,m}`, greedy or lazy.
//! Lookaround, backreferences and Unicode property escapes are not:
//! [`is_match`] answers `None` for them, and the caller skips the check.
//! Matching is a search (like `RegExp.prototype.test`), so a pattern without
//! `^`/`$` may match anywhere in the text.

use std::cell::Cell;

/// Whether `text` matches `pattern`; `None` when the pattern uses syntax this
/// matcher does not support, or is too costly to decide.
pub(crate) fn is_match(pattern: &str, text: &str) -> Option<bool> {
    let mut parser = Parser {
        chars: pattern.chars().collect(),
        pos: 0,
    };
    let root = parser.alternation()?;
    if parser.pos != parser.chars.len() {
        return None; // an unbalanced `)`
    }
    let text: Vec<char> = text.chars().collect();
    let matcher = Matcher {
        text: &text,
        budget: Cell::new(200_000),
    };
    for start in 0..=text.len() {
        if matcher.alternatives(&root, start, &mut |_| true) {
            return Some(true);
        }
        if matcher.budget.get() == 0 {
            return None;
        }
    }
    Some(false)
}

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    /// `.`: anything but a line terminator.
    Any,
    Class(Class),
    Start,
    End,
    /// `\b` (true) or `\B` (false).
    WordBoundary(bool),
    Group(Vec<Vec<Node>>),
    Repeat {
        node: Box<Node>,
        min: usize,
        max: Option<usize>,
        greedy: bool,
    },
}

#[derive(Debug, Clone)]
struct Class {
    negated: bool,
    items: Vec<Item>,
}

#[derive(Debug, Clone, Copy)]
enum Item {
    Range(char, char),
    /// `\d`, `\w`, `\s`, or their negation when the flag is true.
    Digit(bool),
    Word(bool),
    Space(bool),
}

impl Item {
    fn contains(self, c: char) -> bool {
        match self {
            Item::Range(a, b) => a <= c && c <= b,
            Item::Digit(neg) => c.is_ascii_digit() != neg,
            Item::Word(neg) => is_word(c) != neg,
            Item::Space(neg) => c.is_whitespace() != neg,
        }
    }
}

impl Class {
    fn contains(&self, c: char) -> bool {
        self.items.iter().any(|i| i.contains(c)) != self.negated
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    /// Whether the pattern continues with `s` at the current position.
    fn peek_str(&self, s: &str) -> bool {
        self.chars
            .get(self.pos..)
            .is_some_and(|rest| rest.iter().copied().take(s.chars().count()).eq(s.chars()))
    }

    /// Moves past `s` if the pattern continues with it.
    fn eat(&mut self, s: &str) -> bool {
        let found = self.peek_str(s);
        if found {
            self.pos += s.chars().count();
        }
        found
    }

    fn alternation(&mut self) -> Option<Vec<Vec<Node>>> {
        let mut alts = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.sequence()?);
        }
        Some(alts)
    }

    fn sequence(&mut self) -> Option<Vec<Node>> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let node = self.quantified(atom)?;
            seq.push(node);
        }
        Some(seq)
    }

    fn atom(&mut self) -> Option<Node> {
        let c = self.next()?;
        Some(match c {
            '^' => Node::Start,
            '$' => Node::End,
            '.' => Node::Any,
            '[' => Node::Class(self.class()?),
            '(' => {
                // Capturing, non-capturing and named groups all match alike;
                // any other `(?` form is a lookaround.
                let group = !self.peek_str("?") || self.eat("?:") || self.group_name();
                if !group {
                    return None;
                }
                let alts = self.alternation()?;
                if self.next() != Some(')') {
                    return None;
                }
                Node::Group(alts)
            }
            '\\' => self.escape(false)?,
            '*' | '+' | '?' => return None, // nothing to repeat
            other => Node::Char(other),
        })
    }

    /// Skips `?<name>`; false, without moving, if the pattern does not
    /// continue with a group name (`(?<=` and `(?<!` are lookbehinds).
    fn group_name(&mut self) -> bool {
        if !self.peek_str("?<") || self.peek_str("?<=") || self.peek_str("?<!") {
            return false;
        }
        let start = self.pos;
        self.pos += 2;
        while let Some(c) = self.next() {
            if c == '>' {
                return self.pos > start + 3;
            }
            if !(is_word(c) || c == '$') {
                break;
            }
        }
        self.pos = start;
        false
    }

    /// After a `\`; in a class `\b` is a backspace.
    fn escape(&mut self, in_class: bool) -> Option<Node> {
        let c = self.next()?;
        let item = |i| {
            Node::Class(Class {
                negated: false,
                items: vec![i],
            })
        };
        Some(match c {
            'd' => item(Item::Digit(false)),
            'D' => item(Item::Digit(true)),
            'w' => item(Item::Word(false)),
            'W' => item(Item::Word(true)),
            's' => item(Item::Space(false)),
            'S' => item(Item::Space(true)),
            'b' if in_class => Node::Char('\u{8}'),
            'b' => Node::WordBoundary(true),
            'B' if !in_class => Node::WordBoundary(false),
            't' => Node::Char('\t'),
            'n' => Node::Char('\n'),
            'r' => Node::Char('\r'),
            'f' => Node::Char('\u{c}'),
            'v' => Node::Char('\u{b}'),
            '0' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => Node::Char('\0'),
            'x' => Node::Char(self.hex(2)?),
            'u' => Node::Char(self.hex(4)?),
            c if c.is_ascii_alphanumeric() => return None, // backreference, \p, \k, \c...
            c => Node::Char(c),
        })
    }

    fn hex(&mut self, digits: usize) -> Option<char> {
        let mut v = 0u32;
        for _ in 0..digits {
            v = v * 16 + self.next()?.to_digit(16)?;
        }
        char::from_u32(v)
    }

    fn class(&mut self) -> Option<Class> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut items = Vec::new();
        loop {
            let c = self.next()?;
            if c == ']' {
                return Some(Class { negated, items });
            }
            let first = match c {
                '\\' => match self.escape(true)? {
                    Node::Char(ch) => ch,
                    Node::Class(inner) => {
                        items.extend(inner.items);
                        continue;
                    }
                    _ => return None,
                },
                ch => ch,
            };
            let is_range =
                self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|&n| n != ']');
            if !is_range {
                items.push(Item::Range(first, first));
                continue;
            }
            self.pos += 1;
            let last = match self.next()? {
                '\\' => match self.escape(true)? {
                    Node::Char(ch) => ch,
                    _ => return None, // `[a-\d]`
                },
                ch => ch,
            };
            if last < first {
                return None;
            }
            items.push(Item::Range(first, last));
        }
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each optionally lazy.
    fn quantified(&mut self, atom: Node) -> Option<Node> {
        let (min, max) = match self.peek() {
            Some('*') => self.single((0, None)),
            Some('+') => self.single((1, None)),
            Some('?') => self.single((0, Some(1))),
            Some('{') => match self.braces() {
                Some(bounds) => bounds,
                None => return Some(atom), // a literal `{`, read as the next atom
            },
            _ => return Some(atom),
        };
        if matches!(atom, Node::Start | Node::End | Node::WordBoundary(_)) {
            return None;
        }
        let greedy = !self.eat("?");
        Some(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
            greedy,
        })
    }

    fn single(&mut self, bounds: (usize, Option<usize>)) -> (usize, Option<usize>) {
        self.pos += 1;
        bounds
    }

    /// Consumes a quantifier starting at `{`: `{n}`, `{n,}` or `{n,m}`.
    /// `None`, without moving, when the brace does not start a quantifier.
    fn braces(&mut self) -> Option<(usize, Option<usize>)> {
        let start = self.pos;
        self.pos += 1;
        let bounds = self.number().and_then(|min| {
            if self.eat("}") {
                return Some((min, Some(min)));
            }
            if !self.eat(",") {
                return None;
            }
            if self.eat("}") {
                return Some((min, None));
            }
            let max = self.number()?;
            (self.eat("}") && max >= min).then_some((min, Some(max)))
        });
        if bounds.is_none() {
            self.pos = start;
        }
        bounds
    }

    fn number(&mut self) -> Option<usize> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.chars[start..self.pos]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }
}

struct Matcher<'t> {
    text: &'t [char],
    /// Steps left before giving up on a pathological pattern.
    budget: Cell<usize>,
}

type Cont<'k> = &'k mut dyn FnMut(usize) -> bool;

impl Matcher<'_> {
    fn step(&self) -> bool {
        let left = self.budget.get();
        if left == 0 {
            return false;
        }
        self.budget.set(left - 1);
        true
    }

    fn alternatives(&self, alts: &[Vec<Node>], pos: usize, k: Cont<'_>) -> bool {
        alts.iter().any(|seq| self.sequence(seq, pos, k))
    }

    fn sequence(&self, seq: &[Node], pos: usize, k: Cont<'_>) -> bool {
        match seq.split_first() {
            None => k(pos),
            Some((node, rest)) => self.node(node, pos, &mut |p| self.sequence(rest, p, k)),
        }
    }

    fn node(&self, node: &Node, pos: usize, k: Cont<'_>) -> bool {
        if !self.step() {
            return false;
        }
        let here = self.text.get(pos).copied();
        match node {
            Node::Char(c) => here == Some(*c) && k(pos + 1),
            Node::Any => here.is_some_and(|c| !is_line_terminator(c)) && k(pos + 1),
            Node::Class(class) => here.is_some_and(|c| class.contains(c)) && k(pos + 1),
            Node::Start => pos == 0 && k(pos),
            Node::End => pos == self.text.len() && k(pos),
            Node::WordBoundary(want) => {
                let before = pos > 0 && is_word(self.text[pos - 1]);
                let after = here.is_some_and(is_word);
                ((before != after) == *want) && k(pos)
            }
            Node::Group(alts) => self.alternatives(alts, pos, k),
            Node::Repeat {
                node,
                min,
                max,
                greedy,
            } => self.repeat(node, *min, *max, *greedy, pos, 0, k),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn repeat(
        &self,
        node: &Node,
        min: usize,
        max: Option<usize>,
        greedy: bool,
        pos: usize,
        count: usize,
        k: Cont<'_>,
    ) -> bool {
        if count < min {
            return self.node(node, pos, &mut |p| {
                self.repeat(node, min, max, greedy, p, count + 1, k)
            });
        }
        let can_more = max.is_none_or(|m| count < m);
        let more = |k: Cont<'_>| {
            can_more
                && self.node(node, pos, &mut |p| {
                    // An empty iteration cannot make progress: stop there.
                    p != pos && self.repeat(node, min, max, greedy, p, count + 1, k)
                })
        };
        if greedy {
            more(&mut *k) || k(pos)
        } else {
            k(pos) || more(k)
        }
    }
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
        let range = r"^bytes [0-9]*-[0-9]*\/[0-9]*$";
        assert_eq!(is_match(range, "bytes 0-99/100"), Some(true));
        assert_eq!(is_match(range, "part 1/2"), Some(false));
        let named = r"(?:bytes (?<from>\d+)-(?<to>\d+)|part (?<part>\d+))\/(?<total>\d+|\*)";
        assert_eq!(is_match(named, "part 3/*"), Some(true));
        assert_eq!(is_match(named, "bytes 1-/2"), Some(false));
    }

    #[test]
    fn search_is_unanchored_without_anchors() {
        let p = r"\d{2}:\d{2}:\d{2}(\.\d{2})?";
        assert_eq!(is_match(p, "at 00:00:12.50 sharp"), Some(true));
        assert_eq!(is_match(p, "0:00:12"), Some(false));
        assert_eq!(is_match("^abc$", "xabc"), Some(false));
    }

    #[test]
    fn classes_alternation_and_quantifiers() {
        assert_eq!(is_match("^[^a-c]+$", "xyz"), Some(true));
        assert_eq!(is_match("^[^a-c]+$", "xaz"), Some(false));
        assert_eq!(is_match(r"^[\w.-]+@x$", "a.b-c@x"), Some(true));
        assert_eq!(is_match("^(ab|cd){2}$", "abcd"), Some(true));
        assert_eq!(is_match("^(ab|cd){2}$", "abc"), Some(false));
        assert_eq!(is_match("^a{2,}?b$", "aaab"), Some(true));
        assert_eq!(
            is_match("^a{,2}$", "a{,2}"),
            Some(true),
            "a brace that is no quantifier is a literal"
        );
        assert_eq!(is_match(r"^\bword\b", "word!"), Some(true));
        assert_eq!(is_match("^(a*)*$", "aaaa"), Some(true));
        assert_eq!(is_match("^.$", "\n"), Some(false));
    }

    #[test]
    fn unsupported_syntax_is_not_guessed() {
        assert_eq!(is_match("a(?=b)", "ab"), None);
        assert_eq!(is_match(r"(a)\1", "aa"), None);
        assert_eq!(is_match(r"\p{L}", "a"), None);
        assert_eq!(is_match("(a", "a"), None);
        assert_eq!(is_match("a)", "a"), None);
        assert_eq!(is_match("*a", "a"), None);
    }

    #[test]
    fn pathological_patterns_give_up() {
        let text = format!("{}b", "a".repeat(40));
        assert_eq!(is_match("^(a|a)*c$", &text), None);
    }
}
