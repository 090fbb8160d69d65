//! Statement splitting by sqlparser's tokenizer (a `;` inside a string, a dollar-quoted string, a quoted
//! identifier or a comment never splits), streamed: a source is read block by block and handed out
//! statement by statement, each with its position and its source lines (for error reports). Also the REPL's
//! questions about a buffer (complete statements, lexes, blank).

use super::plain_split::{plain_boundaries, LineCounter};
use crate::sql::SqlMongoDialect;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace};

/// One statement's text and where it starts in its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The statement text, from its first token up to and including its `;` (when it has one).
    pub text: String,
    /// 1-based line of the first token in the source.
    pub line: u64,
    /// 1-based column of the first token in the source.
    pub column: u64,
    /// The source lines the statement spans, whole (from the start of its first line to the end of its
    /// last), for error reports: the first of them is line [`line`](Self::line).
    pub context: String,
    /// Byte offset in the source just past the statement (progress).
    pub end: u64,
}

/// A piece of a source: a statement to run, or text the tokenizer could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A statement.
    Statement(Chunk),
    /// The tokenizer failed (e.g. an unterminated string), or the source is not UTF-8 or could not be read,
    /// at this position; nothing after it is read.
    LexError {
        /// The tokenizer's message.
        message: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
        /// The source line at `line`, for the error report.
        context: String,
    },
}

fn is_trivia(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

fn tokens(text: &str) -> (Vec<TokenWithSpan>, Option<(String, Location)>) {
    let dialect = SqlMongoDialect::default();
    let mut buf = Vec::new();
    let err = Tokenizer::new(&dialect, text)
        .tokenize_with_location_into_buf(&mut buf)
        .err()
        .map(|e| (e.message, e.location));
    (buf, err)
}

/// Byte offset of a 1-based (line, char column) location.
fn offset_of(text: &str, loc: Location) -> usize {
    Cursor::default().advance(text, loc)
}

/// A position in a text walked forward only: byte offsets of increasing locations in time linear in the
/// text (finding each from the start made splitting quadratic).
#[derive(Debug, Clone, Copy)]
struct Cursor {
    line: u64,
    column: u64,
    offset: usize,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            line: 1,
            column: 1,
            offset: 0,
        }
    }
}

impl Cursor {
    /// Moves to `loc` (at or after the cursor; line 0 means the end) and returns its byte offset.
    fn advance(&mut self, text: &str, loc: Location) -> usize {
        if loc.line == 0 {
            self.offset = text.len();
            return self.offset;
        }
        let rest = text.get(self.offset..).unwrap_or("");
        for (i, c) in rest.char_indices() {
            if (self.line, self.column) >= (loc.line, loc.column) {
                self.offset += i;
                return self.offset;
            }
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.offset = text.len();
        self.offset
    }
}

/// The first block read from a source; a block with no complete statement doubles the next read (so a long
/// statement is tokenized O(log) times, not once per block).
const BLOCK: usize = 64 * 1024;

/// Lines of more than this many bytes are not kept whole for error reports (their start is dropped).
const MAX_CONTEXT_LINE: usize = 1 << 20;

/// Statements of a source read block by block: memory holds the unfinished statement and the current block,
/// never the whole source. Each block is tokenized once from the end of the last complete statement (a
/// `;` token is final once tokenized: nothing after it changes how the text before it lexes).
pub struct Splitter<R> {
    reader: R,
    /// Text after the last statement handed out (it starts at a statement boundary).
    buf: String,
    /// Source position of `buf`'s first character.
    line: u64,
    column: u64,
    /// Byte offset in the source of `buf`'s first byte.
    offset: u64,
    /// The text of the current line before `buf` (for error reports).
    line_head: String,
    /// Bytes read that end inside a UTF-8 character.
    carry: Vec<u8>,
    block: usize,
    first_block: usize,
    ready: std::collections::VecDeque<Piece>,
    eof: bool,
    done: bool,
}

impl<R: std::io::Read> Splitter<R> {
    /// Splits what `reader` yields.
    pub fn new(reader: R) -> Self {
        Self::with_block(reader, BLOCK)
    }

    fn with_block(reader: R, block: usize) -> Self {
        Splitter {
            reader,
            buf: String::new(),
            line: 1,
            column: 1,
            offset: 0,
            line_head: String::new(),
            carry: Vec::new(),
            block: block.max(1),
            first_block: block.max(1),
            ready: Default::default(),
            eof: false,
            done: false,
        }
    }

    /// Source position of a location in `buf`.
    fn at(&self, loc: Location) -> (u64, u64) {
        if loc.line <= 1 {
            (self.line, self.column + loc.column.saturating_sub(1))
        } else {
            (self.line + loc.line - 1, loc.column)
        }
    }

    /// Reads the next block into `buf`; `Err` is a piece reporting why reading stopped.
    fn read_block(&mut self) -> Result<(), Piece> {
        let mut bytes = std::mem::take(&mut self.carry);
        let start = bytes.len();
        bytes.resize(start + self.block, 0);
        let n = loop {
            match self.reader.read(&mut bytes[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.stop_error(format!("read error: {e}"))),
            }
        };
        bytes.truncate(start + n);
        if n == 0 {
            self.eof = true;
            if !bytes.is_empty() {
                return Err(self.stop_error("stream did not contain valid UTF-8".into()));
            }
            return Ok(());
        }
        match std::str::from_utf8(&bytes) {
            Ok(s) => self.buf.push_str(s),
            Err(e) if e.error_len().is_none() => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                self.buf
                    .push_str(std::str::from_utf8(valid).unwrap_or_default());
                self.carry = rest.to_vec();
            }
            Err(e) => {
                let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
                self.buf.push_str(valid);
                return Err(self.stop_error("stream did not contain valid UTF-8".into()));
            }
        }
        Ok(())
    }

    /// A piece reporting an unreadable source at the end of `buf`.
    fn stop_error(&self, message: String) -> Piece {
        let end = offset_of(&self.buf, Location::new(0, 0));
        let tail = &self.buf[..end];
        let (line, column) = match tail.rfind('\n') {
            Some(i) => (
                self.line + tail.matches('\n').count() as u64,
                tail[i + 1..].chars().count() as u64 + 1,
            ),
            None => (self.line, self.column + tail.chars().count() as u64),
        };
        let context = self.context(tail.rfind('\n').map_or(0, |i| i + 1), end);
        Piece::LexError {
            message,
            line,
            column,
            context,
        }
    }

    /// The whole lines of `buf[a..b]` (the first with the line's text before `buf`).
    fn context(&self, a: usize, b: usize) -> String {
        let (head, start) = match self.buf[..a].rfind('\n') {
            Some(i) => ("", i + 1),
            None => (self.line_head.as_str(), 0),
        };
        let end = self.buf[b..].find('\n').map_or(self.buf.len(), |i| b + i);
        let mut out = String::with_capacity(head.len() + end - start);
        out.push_str(head);
        out.push_str(&self.buf[start..end]);
        out
    }

    /// Tokenizes `buf`: at the end of the source every piece is handed out; before it, the statements up to
    /// the last `;` (false: none is complete yet).
    fn split_buf(&mut self, at_end: bool) -> bool {
        if !at_end && self.split_plain() {
            return true;
        }
        let (toks, err) = tokens(&self.buf);
        let last_semi = toks.iter().rposition(|t| t.token == Token::SemiColon);
        if !at_end && last_semi.is_none() {
            return false;
        }
        let upto = if at_end {
            toks.len()
        } else {
            last_semi.map_or(0, |i| i + 1)
        };
        let mut cursor = Cursor::default();
        let mut start: Option<Location> = None;
        let mut drained = 0usize;
        for t in &toks[..upto] {
            if t.token == Token::SemiColon {
                if let Some(s) = start.take() {
                    let a = cursor.advance(&self.buf, s);
                    let b = cursor.advance(&self.buf, t.span.end).max(a);
                    self.push_chunk(s, a, b);
                    drained = b;
                }
            } else if start.is_none() && !is_trivia(&t.token) {
                start = Some(t.span.start);
            }
        }
        if at_end {
            match err {
                Some((message, loc)) => {
                    let loc = Location::new(loc.line.max(1), loc.column.max(1));
                    let (line, column) = self.at(loc);
                    let a = cursor.advance(&self.buf, loc);
                    let context = self.context(a, a);
                    self.ready.push_back(Piece::LexError {
                        message,
                        line,
                        column,
                        context,
                    });
                }
                None => {
                    if let Some(s) = start {
                        let a = cursor.advance(&self.buf, s);
                        let b = self.buf.len();
                        self.push_chunk(s, a, b);
                    }
                }
            }
            self.done = true;
            return true;
        }
        if let Some(i) = last_semi {
            drained = cursor.advance(&self.buf, toks[i].span.end).max(drained);
        }
        self.drain(drained);
        true
    }

    /// The common case without the tokenizer: hands out the statements of `buf` up to the last top-level
    /// `;` that `plain_split::plain_boundaries` finds; false when it finds none (the tokenizer then decides).
    fn split_plain(&mut self) -> bool {
        let bounds = plain_boundaries(&self.buf);
        let Some(&(_, last)) = bounds.last() else {
            return false;
        };
        let mut lines = LineCounter::default();
        for (start, end) in bounds {
            if let Some(a) = start {
                let s = lines.location(&self.buf, a);
                self.push_chunk(s, a, end);
            }
        }
        self.drain(last);
        true
    }

    fn push_chunk(&mut self, s: Location, a: usize, b: usize) {
        let (line, column) = self.at(s);
        let context = self.context(a, b);
        self.ready.push_back(Piece::Statement(Chunk {
            text: self.buf[a..b].trim_end().to_string(),
            line,
            column,
            context,
            end: self.offset + b as u64,
        }));
    }

    /// Drops `buf[..n]` (handed out), moving the source position past it.
    fn drain(&mut self, n: usize) {
        let gone = &self.buf[..n];
        match gone.rfind('\n') {
            Some(i) => {
                self.line += gone.matches('\n').count() as u64;
                self.column = gone[i + 1..].chars().count() as u64 + 1;
                self.line_head = gone[i + 1..].to_string();
            }
            None => {
                self.column += gone.chars().count() as u64;
                if self.line_head.len() + gone.len() > MAX_CONTEXT_LINE {
                    self.line_head.clear();
                } else {
                    self.line_head.push_str(gone);
                }
            }
        }
        self.offset += n as u64;
        self.buf.drain(..n);
    }
}

impl<R: std::io::Read> Iterator for Splitter<R> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        loop {
            if let Some(p) = self.ready.pop_front() {
                return Some(p);
            }
            if self.done {
                return None;
            }
            if let Err(stop) = self.read_block() {
                // The complete statements read before the unreadable part still run; then the error.
                self.split_buf(false);
                self.ready.push_back(stop);
                self.done = true;
                continue;
            }
            if self.split_buf(self.eof) {
                self.block = self.first_block;
            } else {
                self.block = self.block.saturating_mul(2);
            }
        }
    }
}

/// Splits a source into statements at top-level `;`. Empty statements (only blanks and comments) are skipped.
///
/// ```
/// use sqlmongo::sql::splitter::{split, Piece};
/// let pieces = split("SELECT 'a;b' FROM c; -- x; y\nSELECT $$;$$ FROM d");
/// assert_eq!(pieces.len(), 2);
/// let Piece::Statement(second) = &pieces[1] else { panic!() };
/// assert_eq!((second.line, second.column), (2, 1));
/// ```
pub fn split(text: &str) -> Vec<Piece> {
    Splitter::new(text.as_bytes()).collect()
}

/// For the REPL: the byte length of the longest prefix of `buffer` that ends with a top-level `;`
/// (statements ready to run), or `None` when no statement is complete yet.
pub fn complete_prefix(buffer: &str) -> Option<usize> {
    let (toks, _) = tokens(buffer);
    let last = toks.iter().rev().find(|t| t.token == Token::SemiColon)?;
    Some(offset_of(buffer, last.span.end))
}

/// Whether `buffer` tokenizes completely (it does not end inside a string, quoted name or comment).
pub fn lexes(buffer: &str) -> bool {
    tokens(buffer).1.is_none()
}

/// Whether `buffer` holds nothing but blanks and comments.
pub fn is_blank(buffer: &str) -> bool {
    let (toks, err) = tokens(buffer);
    err.is_none()
        && toks.iter().all(|t| {
            matches!(
                t.token,
                Token::Whitespace(
                    Whitespace::Space
                        | Whitespace::Newline
                        | Whitespace::Tab
                        | Whitespace::SingleLineComment { .. }
                        | Whitespace::MultiLineComment(_)
                )
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(src: &str) -> Vec<(String, u64, u64)> {
        split(src)
            .into_iter()
            .map(|p| match p {
                Piece::Statement(c) => (c.text, c.line, c.column),
                Piece::LexError {
                    message,
                    line,
                    column,
                    ..
                } => (format!("ERR {message}"), line, column),
            })
            .collect()
    }

    /// The old splitter, kept as the reference: the whole text tokenized at once, each statement's byte
    /// range found from the text's start.
    fn split_whole(text: &str) -> Vec<(String, u64, u64)> {
        let (toks, err) = tokens(text);
        let mut out = Vec::new();
        let mut start: Option<Location> = None;
        let chunk = |from: Location, to: Location| {
            let a = offset_of(text, from);
            let b = offset_of(text, to).max(a);
            (
                text.get(a..b).unwrap_or("").trim_end().to_string(),
                from.line,
                from.column,
            )
        };
        for t in &toks {
            if t.token == Token::SemiColon {
                if let Some(s) = start.take() {
                    out.push(chunk(s, t.span.end));
                }
            } else if start.is_none() && !is_trivia(&t.token) {
                start = Some(t.span.start);
            }
        }
        match err {
            Some((message, loc)) => {
                out.push((format!("ERR {message}"), loc.line.max(1), loc.column.max(1)))
            }
            None => {
                if let Some(s) = start {
                    out.push(chunk(s, Location::new(0, 0)));
                }
            }
        }
        out
    }

    fn streamed(text: &str, block: usize) -> Vec<(String, u64, u64)> {
        Splitter::with_block(text.as_bytes(), block)
            .map(|p| match p {
                Piece::Statement(c) => {
                    // The context's first line holds the statement's start at its column.
                    let first = c.context.split('\n').next().unwrap_or("");
                    let at: String = first.chars().skip(c.column as usize - 1).collect();
                    assert!(c.text.starts_with(at.get(..1).unwrap_or("")), "{c:?}");
                    assert!(
                        text[..c.end as usize].trim_end().ends_with(&c.text),
                        "{c:?}"
                    );
                    (c.text, c.line, c.column)
                }
                Piece::LexError {
                    message,
                    line,
                    column,
                    ..
                } => (format!("ERR {message}"), line, column),
            })
            .collect()
    }

    fn fragment() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "SELECT 1",
            "SELECT 'a;b'",
            "SELECT $$;x$$",
            "SELECT $t$;$t$",
            "-- c; d\n",
            "/* x; y */",
            "/* a /* b; */ c */",
            "\"q;\"",
            "E'\\';'",
            ";",
            ";",
            "\n",
            "  ",
            "é",
            "'it''s;'",
            "INSERT INTO t (a) VALUES (1), (2)",
            "'open",
            "$$open",
            "SELECT 'a\\';'",
            "e'x\\'';'",
            "N'n;'",
            "U&'u;'",
            "x'01'",
            "\"a\\\";\"",
            "\"it\"\"s;\"",
            "$1",
            "\r\n",
            "\r",
            "\t",
            "\u{a0}",
            "\u{c}",
            "☃ ;",
            "#;",
            "-",
            "/",
            "*/",
            "/* open",
            "-- open",
            "'",
            "\"",
        ])
    }

    proptest! {
        /// Streaming in blocks of any size splits as tokenizing the whole text did (texts, positions, lex
        /// errors).
        #[test]
        fn streaming_is_the_whole_text_split(
            parts in prop::collection::vec(fragment(), 0..24),
            block in 1usize..24,
        ) {
            let text: String = parts.concat();
            prop_assert_eq!(streamed(&text, block), split_whole(&text));
            prop_assert_eq!(texts(&text), split_whole(&text));
        }
    }

    #[test]
    fn plain_scripts_split_without_the_tokenizer() {
        let text = "-- load\nINSERT INTO t (a, b) VALUES (1, 'x;''y'), (2, \"q\");\n/* two */ SELECT 1;  ;\nSELECT $$";
        let bounds = plain_boundaries(text);
        // Two statements and one blank one; reading stops at the `$`.
        assert_eq!(bounds.len(), 3, "{bounds:?}");
        let (Some(a), b) = bounds[0] else {
            panic!("{bounds:?}")
        };
        assert_eq!(
            &text[a..b],
            "INSERT INTO t (a, b) VALUES (1, 'x;''y'), (2, \"q\");"
        );
        let (Some(a), b) = bounds[1] else {
            panic!("{bounds:?}")
        };
        assert_eq!(&text[a..b], "SELECT 1;");
        assert_eq!(bounds[2].0, None);
        // What needs the tokenizer's rules stops the reading before it.
        for stop in [
            "SELECT E'\\'';'",
            "SELECT 'a\\';'",
            "SELECT $1;",
            "SELECT 1 -/* c */;",
        ] {
            assert!(plain_boundaries(stop).is_empty(), "{stop}");
        }
    }

    #[test]
    fn long_scripts_split_in_linear_time() {
        // 20,000 statements: the old splitter found each statement's bytes from the text's start.
        let text = "INSERT INTO t (a) VALUES (1);\n".repeat(20_000);
        let t = std::time::Instant::now();
        assert_eq!(split(&text).len(), 20_000);
        assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    }

    #[test]
    fn invalid_utf8_stops_after_the_complete_statements() {
        let mut bytes = b"SELECT 1;\nSELECT 2;\nSELECT \xff".to_vec();
        bytes.extend_from_slice(b";");
        let pieces: Vec<Piece> = Splitter::with_block(&bytes[..], 4).collect();
        assert_eq!(pieces.len(), 3, "{pieces:?}");
        let Piece::LexError {
            message,
            line,
            column,
            context,
        } = &pieces[2]
        else {
            panic!("{pieces:?}")
        };
        assert!(message.contains("UTF-8"), "{message}");
        assert_eq!((*line, *column, context.as_str()), (3, 8, "SELECT "));
    }

    #[test]
    fn contexts_hold_whole_lines() {
        let pieces = split("SELECT 1; SELEC 2;\n  SELECT\n 3; -- end");
        let Piece::Statement(second) = &pieces[1] else {
            panic!()
        };
        assert_eq!((second.line, second.column), (1, 11));
        assert_eq!(second.context, "SELECT 1; SELEC 2;");
        let Piece::Statement(third) = &pieces[2] else {
            panic!()
        };
        assert_eq!(third.context, "  SELECT\n 3; -- end");
    }

    #[test]
    fn semicolons_in_strings_comments_and_dollar_quotes_do_not_split() {
        let src =
            "SELECT 'a;b';\n-- one; two\n/* x; y */ SELECT $$;$$, $t$;$t$, \"c;d\";\n\n  SELECT 3";
        assert_eq!(
            texts(src),
            vec![
                ("SELECT 'a;b';".to_string(), 1, 1),
                ("SELECT $$;$$, $t$;$t$, \"c;d\";".to_string(), 3, 12),
                ("SELECT 3".to_string(), 5, 3),
            ]
        );
    }

    #[test]
    fn blank_statements_are_skipped_and_lex_errors_reported() {
        assert_eq!(texts(";;  -- c\n;"), vec![]);
        let t = texts("SELECT 1;\nSELECT 'open");
        assert_eq!(t[0], ("SELECT 1;".to_string(), 1, 1));
        assert!(t[1].0.starts_with("ERR "), "{t:?}");
        assert_eq!(t[1].1, 2);
    }

    #[test]
    fn complete_prefix_finds_the_last_top_level_semicolon() {
        assert_eq!(complete_prefix("SELECT 1"), None);
        assert_eq!(complete_prefix("SELECT ';'"), None);
        assert_eq!(complete_prefix("SELECT 1; SELECT"), Some(9));
        assert_eq!(complete_prefix("SELECT 1; SELECT 'x;"), Some(9));
        assert!(is_blank("  -- just a comment\n"));
        assert!(!is_blank("SELECT"));
    }
}
