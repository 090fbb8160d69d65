//! The splitter's fast path (see [`super::splitter`]): the top-level semicolons of plain SQL found by hand,
//! without sqlparser's tokenizer, which decides everything this reading stops at.

use sqlparser::tokenizer::Location;

/// The top-level `;`s of `text` found without the tokenizer, for text made of plain SQL: each as (byte offset
/// of the statement's first token, if any; byte offset just past the `;`). Reading stops — keeping the
/// boundaries found before — at anything whose lexing needs the tokenizer's rules: a `$` (dollar quotes,
/// parameters), a backslash in a string or quoted name, a prefixed string (`E'..'`, `N'..'`, `U&'..'`), a
/// comment inside a block comment, a statement starting with anything but a printable ASCII character, or
/// the end of the text inside a string or comment. A `;` found is final: nothing after it changes how the
/// text before it lexes (the splitter's rule), so the tokenizer would split there too
/// (`streaming_is_the_whole_text_split` holds the two equal).
pub(super) fn plain_boundaries(text: &str) -> Vec<(Option<usize>, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b';' => {
                i += 1;
                out.push((start.take(), i));
            }
            // A comment opener right after an operator character: the tokenizer may read it as part of
            // a custom operator (`-/*`).
            b'-' | b'/' if i > 0 && is_operator_char(b[i - 1]) => break,
            // (the tokenizer ends a line comment at a CR too)
            b'-' if b.get(i + 1) == Some(&b'-') => {
                match b[i..].iter().position(|&c| c == b'\n' || c == b'\r') {
                    Some(n) => i += n + 1,
                    None => break,
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let Some(n) = b[i + 2..].windows(2).position(|w| w == b"*/") else {
                    break;
                };
                // (up to the closing `*`: `/*/` opens a nested comment)
                if b[i + 2..i + 3 + n].windows(2).any(|w| w == b"/*") {
                    break;
                }
                i += n + 4;
            }
            _ => {
                if start.is_none() {
                    if !(0x21..0x7f).contains(&c) {
                        break;
                    }
                    start = Some(i);
                }
                match c {
                    b'$' | b'\\' => break,
                    b'\'' | b'"' => {
                        if c == b'\''
                            && i > 0
                            && (b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'_' | b'&'))
                        {
                            break;
                        }
                        match quoted_end(b, i, c) {
                            Some(end) => i = end,
                            None => break,
                        }
                    }
                    _ => i += 1,
                }
            }
        }
    }
    out
}

/// A character of PostgreSQL's operator names.
fn is_operator_char(c: u8) -> bool {
    matches!(
        c,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
    )
}

/// Past the end of the quoted text opening at `b[i]` (`quote` doubled inside is one), or `None` at a
/// backslash or the end of the text.
fn quoted_end(b: &[u8], i: usize, quote: u8) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let n = b[j..].iter().position(|&c| c == quote || c == b'\\')?;
        j += n;
        if b[j] == b'\\' {
            return None;
        }
        if b.get(j + 1) == Some(&quote) {
            j += 2;
            continue;
        }
        return Some(j + 1);
    }
}

/// 1-based (line, char column) locations of increasing byte offsets of one text, in linear time.
#[derive(Default)]
pub(super) struct LineCounter {
    offset: usize,
    line: u64,
    column: u64,
}

impl LineCounter {
    pub(super) fn location(&mut self, text: &str, offset: usize) -> Location {
        if self.line == 0 {
            (self.line, self.column) = (1, 1);
        }
        for &c in &text.as_bytes()[self.offset..offset] {
            if c == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if c & 0xC0 != 0x80 {
                self.column += 1;
            }
        }
        self.offset = offset;
        Location::new(self.line, self.column)
    }
}
