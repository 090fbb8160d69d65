//! `$regexMatch` without compiling a regex, for the patterns that are wildcards in regex clothing: literal
//! characters (plain, or escaped with a backslash), `.` and `.*`, optionally anchored (`^`, `$`) and wrapped in
//! one non-capturing group — what SQL's `LIKE` becomes (`^(?:abc.*x.)$`). Compiling a regex costs tens of
//! microseconds; a pattern computed per document (`LIKE user_id || '%'`) paid that once per document. The
//! answer is the `regex` crate's for the same pattern and options (property test below): `.` is any character
//! but `\n` unless the `s` option is given, `$` is the end of the input only.

/// One element of a wildcard pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    /// This character.
    Lit(char),
    /// `.`: any one character.
    Any,
    /// `.*`: any run of characters.
    Star,
}

/// A parsed wildcard pattern.
#[derive(Debug)]
pub(super) struct Wildcard {
    /// The pattern's elements, between its anchors.
    toks: Vec<Tok>,
    /// What [`glob`] walks: `toks` with `Star` on each unanchored side.
    walk: Vec<Tok>,
    /// `^`: the match starts at the input's start (else anywhere).
    start: bool,
    /// `$`: the match ends at the input's end (else anywhere).
    end: bool,
    /// The `s` option: `.` matches `\n` too.
    dot_all: bool,
}

impl Wildcard {
    /// The pattern as a wildcard, if it is one and `options` hold nothing but `s` (and `u`, ignored):
    /// `None` for anything else (classes, alternation, repetition but `.*`, escapes like `\d`, `i`/`m`/`x`).
    pub(super) fn parse(pattern: &str, options: &str) -> Option<Wildcard> {
        let mut dot_all = false;
        for c in options.chars() {
            match c {
                's' => dot_all = true,
                'u' => {}
                _ => return None,
            }
        }
        let mut body = pattern;
        let start = body.starts_with('^');
        if start {
            body = &body[1..];
        }
        // A trailing `$` anchors unless it is escaped (`\$`: an even number of backslashes before it).
        let end = body.ends_with('$')
            && body[..body.len() - 1]
                .chars()
                .rev()
                .take_while(|c| *c == '\\')
                .count()
                % 2
                == 0;
        if end {
            body = &body[..body.len() - 1];
        }
        if let Some(inner) = body.strip_prefix("(?:").and_then(|b| b.strip_suffix(')')) {
            body = inner;
        }
        let mut toks = Vec::with_capacity(body.len());
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    // An escaped ASCII punctuation character is that character; `\d`, `\n`, `\b`... are not,
                    // nor `\<` / `\>` (word boundaries in the regex crate).
                    Some(e) if e.is_ascii_punctuation() && e != '<' && e != '>' => {
                        toks.push(Tok::Lit(e))
                    }
                    _ => return None,
                },
                '.' => {
                    if chars.peek() == Some(&'*') {
                        chars.next();
                        // `*` after `.*` would repeat a repetition: the regex crate refuses it; so do we.
                        if matches!(chars.peek(), Some('*' | '?' | '+' | '{')) {
                            return None;
                        }
                        if toks.last() != Some(&Tok::Star) {
                            toks.push(Tok::Star);
                        }
                    } else {
                        toks.push(Tok::Any);
                    }
                }
                '^' | '$' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '*' | '+' | '?' => {
                    return None
                }
                // `#` and whitespace are literal without the `x` option, which `options` excluded.
                c => toks.push(Tok::Lit(c)),
            }
        }
        // The whole match as one walk: an unanchored side matches any run of characters.
        let mut walk = Vec::with_capacity(toks.len() + 2);
        if !start {
            walk.push(Tok::Star);
        }
        walk.extend(toks.iter().copied());
        if !end && walk.last() != Some(&Tok::Star) {
            walk.push(Tok::Star);
        }
        Some(Wildcard {
            toks,
            walk,
            start,
            end,
            dot_all,
        })
    }

    /// Whether `input` matches (anywhere, or at the anchors the pattern has).
    pub(super) fn is_match(&self, input: &str) -> bool {
        if !self.dot_all && input.contains('\n') {
            // `.` and `.*` stop at a newline: leave that to the regex engine.
            return self.regex_fallback(input);
        }
        let text: Vec<char> = input.chars().collect();
        glob(&self.walk, &text)
    }

    /// The regex crate's answer (inputs with a newline and no `s` option).
    fn regex_fallback(&self, input: &str) -> bool {
        let mut p = String::from(if self.start { "^" } else { "" });
        for t in &self.toks {
            match t {
                Tok::Lit(c) => {
                    let mut buf = [0u8; 4];
                    p.push_str(&regex::escape(c.encode_utf8(&mut buf)));
                }
                Tok::Any => p.push('.'),
                Tok::Star => p.push_str(".*"),
            }
        }
        if self.end {
            p.push('$');
        }
        regex::Regex::new(&p).is_ok_and(|re| re.is_match(input))
    }
}

/// Whether `text` is matched whole by `toks` (every character of `text` is `.`-matchable: no newline reaches
/// here without the `s` option). The classic wildcard walk: on a mismatch, go back to the last `Star` and let it
/// take one more character; O(len(text) x len(toks)) at worst, linear in the usual case.
fn glob(toks: &[Tok], text: &[char]) -> bool {
    let (mut t, mut i) = (0usize, 0usize);
    let mut back: Option<(usize, usize)> = None;
    while i < text.len() {
        match toks.get(t) {
            Some(Tok::Star) => {
                back = Some((t, i));
                t += 1;
            }
            Some(Tok::Any) => {
                t += 1;
                i += 1;
            }
            Some(Tok::Lit(c)) if *c == text[i] => {
                t += 1;
                i += 1;
            }
            _ => match back {
                Some((bt, bi)) => {
                    back = Some((bt, bi + 1));
                    t = bt + 1;
                    i = bi + 1;
                }
                None => return false,
            },
        }
    }
    toks[t.min(toks.len())..].iter().all(|k| *k == Tok::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn regex_answer(pattern: &str, options: &str, input: &str) -> bool {
        let mut b = regex::RegexBuilder::new(pattern);
        b.dot_matches_new_line(options.contains('s'));
        b.build().is_ok_and(|re| re.is_match(input))
    }

    #[test]
    fn like_shaped_patterns_parse_and_others_do_not() {
        for p in [
            "^(?:abc.*x.)$",
            "abc",
            "^a\\.b\\%$",
            ".*",
            "",
            "^$",
            "a\\$",
            "\\#\\&\\-\\~\\/",
        ] {
            assert!(Wildcard::parse(p, "s").is_some(), "{p}");
        }
        for p in [
            "a|b",
            "[ab]",
            "a+",
            "a?",
            "a{2}",
            "\\d",
            "(a)",
            "a.**",
            "^(?:a)|b$",
        ] {
            assert!(Wildcard::parse(p, "").is_none(), "{p}");
        }
        assert!(Wildcard::parse("abc", "i").is_none());
        assert!(Wildcard::parse("abc", "m").is_none());
        assert!(!Wildcard::parse("^a\\$", "").unwrap().end);
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("a".to_string()),
            Just("b".to_string()),
            Just("é".to_string()),
            Just(".".to_string()),
            Just(".*".to_string()),
            Just("\\.".to_string()),
            Just("\\%".to_string()),
            Just("\\$".to_string()),
            Just("\\\\".to_string()),
            Just("\\<".to_string()),
            Just(" ".to_string()),
        ]
    }

    fn text_char() -> impl Strategy<Value = char> {
        prop_oneof![
            Just('a'),
            Just('b'),
            Just('é'),
            Just('.'),
            Just('%'),
            Just('$'),
            Just('\\'),
            Just('\n'),
            Just(' ')
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The wildcard walk answers as the regex crate does, anchored or not, with and without `s`.
        #[test]
        fn wildcard_equals_the_regex_engine(
            pieces in proptest::collection::vec(piece(), 0..7),
            start in any::<bool>(),
            end in any::<bool>(),
            group in any::<bool>(),
            dot_all in any::<bool>(),
            text in proptest::collection::vec(text_char(), 0..10),
        ) {
            let body = pieces.concat();
            let body = if group { format!("(?:{body})") } else { body };
            let pattern = format!("{}{body}{}", if start { "^" } else { "" }, if end { "$" } else { "" });
            let options = if dot_all { "s" } else { "" };
            let input: String = text.into_iter().collect();
            match Wildcard::parse(&pattern, options) {
                Some(w) => prop_assert_eq!(
                    w.is_match(&input),
                    regex_answer(&pattern, options, &input),
                    "{} on {:?}",
                    pattern,
                    input
                ),
                // Only a word boundary keeps a pattern of these pieces from being a wildcard.
                None => prop_assert!(pattern.contains("\\<"), "{}", pattern),
            }
        }
    }
}
