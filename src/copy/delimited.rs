//! PostgreSQL's two delimited formats, read and written by hand as `copyfromparse.c` / `copyto.c` do:
//!
//! - text: one line per row, fields split on the delimiter (tab), the NULL string (`\N`) matched on the raw
//!   field, backslash escapes (`\b \f \n \r \t \v`, octal `\NNN`, hex `\xHH`, `\c` for any other c).
//! - CSV: RFC 4180 quoting with PostgreSQL's rules: a NULL is an *unquoted* field equal to the NULL string
//!   (empty by default) while a quoted empty field is the empty string; quoted fields may span lines;
//!   `FORCE_NOT_NULL` / `FORCE_NULL` move that line per column.
//!
//! The `csv` crate is not used: its records do not say whether a field was quoted, and `""` versus an empty
//! field is exactly NULL versus the empty string here. A line holding only `\.` ends the data (both formats).

use super::options::{Format, Options};
use std::io::BufRead;

/// One row read: the line it starts on and its fields (`None`: NULL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line of the file where the row starts.
    pub line: u64,
    /// The fields, in order.
    pub fields: Vec<Option<String>>,
}

/// A row that cannot be read: where, and PostgreSQL's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// 1-based line.
    pub line: u64,
    /// The message.
    pub message: String,
}

/// Reads rows of the text or CSV format from a byte stream.
pub struct Reader<R> {
    src: R,
    opts: Options,
    /// Per column: FORCE_NOT_NULL / FORCE_NULL (CSV).
    force_not_null: Vec<bool>,
    force_null: Vec<bool>,
    line: u64,
    done: bool,
    /// Bytes consumed so far (for progress).
    pub bytes: u64,
}

const NOT_UTF8: &str = "invalid byte sequence for encoding \"UTF8\"";

impl<R: BufRead> Reader<R> {
    /// A reader of `opts.format` rows for the columns `columns` (their names drive the FORCE options).
    pub fn new(src: R, opts: &Options, columns: &[String]) -> Reader<R> {
        Reader {
            src,
            opts: opts.clone(),
            force_not_null: columns.iter().map(|c| opts.force_not_null.has(c)).collect(),
            force_null: columns.iter().map(|c| opts.force_null.has(c)).collect(),
            line: 0,
            done: false,
            bytes: 0,
        }
    }

    /// The next raw line with its terminator, or `None` at the end (or after `\.`).
    fn raw_line(&mut self) -> Result<Option<Vec<u8>>, RecordError> {
        let mut buf = Vec::new();
        let n = self
            .src
            .read_until(b'\n', &mut buf)
            .map_err(|e| RecordError {
                line: self.line + 1,
                message: format!("could not read: {e}"),
            })?;
        if n == 0 {
            return Ok(None);
        }
        self.bytes += n as u64;
        self.line += 1;
        Ok(Some(buf))
    }

    /// The next row.
    pub fn next_record(&mut self) -> Option<Result<Record, RecordError>> {
        if self.done {
            return None;
        }
        let first = match self.raw_line() {
            Ok(Some(l)) => l,
            Ok(None) => {
                self.done = true;
                return None;
            }
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        let start = self.line;
        if trim_eol(&first) == b"\\." {
            self.done = true;
            return None;
        }
        let fields = match self.opts.format {
            Format::Csv => self.csv_record(first),
            _ => text_line(trim_eol(&first), &self.opts),
        };
        Some(
            fields
                .map(|fields| Record {
                    line: start,
                    fields,
                })
                .map_err(|message| RecordError {
                    line: start,
                    message,
                }),
        )
    }

    /// A CSV record starting with `first`, reading more lines while a quoted field is open.
    fn csv_record(&mut self, first: Vec<u8>) -> Result<Vec<Option<String>>, String> {
        let mut bytes = first;
        loop {
            let text = std::str::from_utf8(&bytes).map_err(|_| NOT_UTF8.to_string())?;
            match csv_fields(text, &self.opts) {
                Some(fields) => {
                    return Ok(fields
                        .into_iter()
                        .enumerate()
                        .map(|(i, (s, quoted))| {
                            let force_null = self.force_null.get(i).copied().unwrap_or(false);
                            let force_not_null =
                                self.force_not_null.get(i).copied().unwrap_or(false);
                            let is_null =
                                (!quoted || force_null) && s == self.opts.null && !force_not_null;
                            (!is_null).then_some(s)
                        })
                        .collect())
                }
                None => match self.raw_line().map_err(|e| e.message)? {
                    Some(more) => bytes.extend_from_slice(&more),
                    None => return Err("unterminated CSV quoted field".into()),
                },
            }
        }
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let l = line.strip_suffix(b"\n").unwrap_or(line);
    l.strip_suffix(b"\r").unwrap_or(l)
}

/// The fields of a CSV record (text, quoted) or `None` when a quoted field is still open at the end.
fn csv_fields(text: &str, opts: &Options) -> Option<Vec<(String, bool)>> {
    let (delim, quote, escape) = (opts.delimiter, opts.quote, opts.escape);
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut in_quote = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quote {
            if c == escape && chars.peek().is_some_and(|&n| n == quote || n == escape) && {
                // With escape = quote, `""` is a quote, and a lone `"` closes.
                escape != quote || chars.peek() == Some(&quote)
            } {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            } else if c == quote {
                in_quote = false;
            } else {
                cur.push(c);
            }
            continue;
        }
        if c == delim {
            fields.push((std::mem::take(&mut cur), quoted));
            quoted = false;
        } else if c == quote {
            in_quote = true;
            quoted = true;
        } else if c == '\n' || (c == '\r' && matches!(chars.peek(), None | Some('\n'))) {
            break;
        } else {
            cur.push(c);
        }
    }
    if in_quote {
        return None;
    }
    fields.push((cur, quoted));
    Some(fields)
}

/// The fields of one text-format line (without its terminator).
fn text_line(line: &[u8], opts: &Options) -> Result<Vec<Option<String>>, String> {
    let delim = opts.delimiter as u8;
    let null = opts.null.as_bytes();
    let mut fields = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut raw_start = 0;
    let mut i = 0;
    let finish = |buf: &mut Vec<u8>, raw: &[u8]| -> Result<Option<String>, String> {
        if raw == null {
            buf.clear();
            return Ok(None);
        }
        String::from_utf8(std::mem::take(buf))
            .map(Some)
            .map_err(|_| NOT_UTF8.to_string())
    };
    while i < line.len() {
        let b = line[i];
        if b == delim {
            fields.push(finish(&mut buf, &line[raw_start..i])?);
            i += 1;
            raw_start = i;
            continue;
        }
        if b != b'\\' || i + 1 >= line.len() {
            buf.push(b);
            i += 1;
            continue;
        }
        let c = line[i + 1];
        i += 2;
        match c {
            b'b' => buf.push(8),
            b'f' => buf.push(12),
            b'n' => buf.push(b'\n'),
            b'r' => buf.push(b'\r'),
            b't' => buf.push(b'\t'),
            b'v' => buf.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match line.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                buf.push((v & 0xff) as u8);
            }
            b'x' if line.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                let mut v = 0u32;
                for _ in 0..2 {
                    match line.get(i).and_then(|d| (*d as char).to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                buf.push(v as u8);
            }
            other => buf.push(other),
        }
    }
    fields.push(finish(&mut buf, &line[raw_start..])?);
    Ok(fields)
}

/// Appends one row in the text format (`None`: the NULL string) and its newline.
pub fn write_text_row(out: &mut String, fields: &[Option<String>], opts: &Options) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(opts.delimiter);
        }
        match f {
            None => out.push_str(&opts.null),
            Some(s) => text_escape(out, s, opts.delimiter),
        }
    }
    out.push('\n');
}

fn text_escape(out: &mut String, s: &str, delim: char) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if c == delim => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// Appends one row in CSV (`None`: the NULL string, unquoted) and its newline; `force[i]` quotes column i.
pub fn write_csv_row(out: &mut String, fields: &[Option<String>], force: &[bool], opts: &Options) {
    let single = fields.len() == 1;
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(opts.delimiter);
        }
        match f {
            None => out.push_str(&opts.null),
            Some(s) => csv_escape(out, s, force.get(i).copied().unwrap_or(false), single, opts),
        }
    }
    out.push('\n');
}

fn csv_escape(out: &mut String, s: &str, force: bool, single: bool, opts: &Options) {
    let (delim, quote, escape) = (opts.delimiter, opts.quote, opts.escape);
    let quote_it =
        force || s == opts.null || (single && s == "\\.") || s.contains([delim, quote, '\n', '\r']);
    if !quote_it {
        out.push_str(s);
        return;
    }
    out.push(quote);
    for c in s.chars() {
        if c == quote || c == escape {
            out.push(escape);
        }
        out.push(c);
    }
    out.push(quote);
}

/// Appends the header line: the column names, written as values are.
pub fn write_header(out: &mut String, columns: &[String], opts: &Options) {
    let names: Vec<Option<String>> = columns.iter().map(|c| Some(c.clone())).collect();
    match opts.format {
        Format::Csv => write_csv_row(out, &names, &[], opts),
        _ => write_text_row(out, &names, opts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::copy::options::check;
    use crate::sql::copy::{CopyOption, CopyOptionValue};

    fn opts(format: &str, to: bool) -> Options {
        let o = CopyOption {
            name: "format".into(),
            value: CopyOptionValue::Word(format.into()),
            line: 1,
            column: 1,
        };
        check(&[o], to, None).unwrap()
    }

    fn read_all(text: &str, o: &Options) -> Vec<Result<Record, RecordError>> {
        let mut r = Reader::new(text.as_bytes(), o, &["a".into(), "b".into()]);
        std::iter::from_fn(|| r.next_record()).collect()
    }

    #[test]
    fn csv_tells_null_from_the_empty_string_and_spans_lines() {
        let o = opts("csv", false);
        let rows = read_all(
            "1,\n\"\",x\n\"a\nb\",\"say \"\"hi\"\"\"\r\n\\.\nignored\n",
            &o,
        );
        let rows: Vec<Record> = rows.into_iter().map(Result::unwrap).collect();
        assert_eq!(rows[0].fields, vec![Some("1".into()), None]);
        assert_eq!(rows[1].fields, vec![Some(String::new()), Some("x".into())]);
        assert_eq!(rows[2].line, 3);
        assert_eq!(
            rows[2].fields,
            vec![Some("a\nb".into()), Some("say \"hi\"".into())]
        );
        assert_eq!(rows.len(), 3);
        let bad = read_all("\"open\n", &o);
        assert_eq!(
            bad[0].as_ref().unwrap_err().message,
            "unterminated CSV quoted field"
        );
    }

    #[test]
    fn text_format_unescapes_and_matches_null_on_the_raw_field() {
        let o = opts("text", false);
        let rows = read_all("a\\tb\\\\\t\\N\n\\x41\\101\\N\\.\t\\\\N\n", &o);
        let rows: Vec<Record> = rows.into_iter().map(Result::unwrap).collect();
        assert_eq!(rows[0].fields, vec![Some("a\tb\\".into()), None]);
        assert_eq!(
            rows[1].fields,
            vec![Some("AAN.".into()), Some("\\N".into())]
        );
    }

    fn rows_strategy() -> impl proptest::strategy::Strategy<Value = Vec<Vec<Option<String>>>> {
        use proptest::prelude::*;
        (1usize..4).prop_flat_map(|n| {
            prop::collection::vec(
                prop::collection::vec(
                    prop::option::of("[a-z,;|\"'\\\\\t\n\r\\. NUL\u{1}\u{8}é☃]{0,6}"),
                    n,
                ),
                1..12,
            )
        })
    }

    fn with(format: &str, extra: &[(&str, &str)]) -> Options {
        let mut v = vec![CopyOption {
            name: "format".into(),
            value: CopyOptionValue::Word(format.into()),
            line: 1,
            column: 1,
        }];
        for (k, s) in extra {
            v.push(CopyOption {
                name: (*k).into(),
                value: CopyOptionValue::Str((*s).into()),
                line: 1,
                column: 1,
            });
        }
        check(&v, true, None).unwrap()
    }

    proptest::proptest! {
        /// Whatever the writer writes, the reader reads back: NULLs, empty strings, delimiters, quotes,
        /// newlines, backslashes and `\.` in values, in both formats and with other delimiters / NULL strings
        /// (not the text format with a NULL string a value can equal: lossy in PostgreSQL too).
        #[test]
        fn what_is_written_reads_back(rows in rows_strategy(), variant in 0usize..5) {
            let o = match variant {
                0 => with("csv", &[]),
                1 => with("csv", &[("delimiter", ";"), ("null", "NULL")]),
                2 => with("csv", &[("delimiter", "|"), ("quote", "'"), ("escape", "\\")]),
                3 => with("text", &[]),
                _ => with("text", &[("delimiter", ",")]),
            };
            let mut out = String::new();
            for r in &rows {
                if o.format == Format::Csv {
                    write_csv_row(&mut out, r, &[], &o);
                } else {
                    write_text_row(&mut out, r, &o);
                }
            }
            let n = rows[0].len();
            let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
            let mut reader = Reader::new(out.as_bytes(), &o, &names);
            let back: Vec<Vec<Option<String>>> = std::iter::from_fn(|| reader.next_record())
                .map(|r| r.map(|r| r.fields).map_err(|e| e.message))
                .collect::<Result<_, _>>()
                .unwrap();
            proptest::prop_assert_eq!(back, rows, "{:?}", out);
        }
    }

    #[test]
    fn writers_quote_and_escape_as_postgresql() {
        let o = opts("csv", true);
        let mut out = String::new();
        write_csv_row(
            &mut out,
            &[
                None,
                Some(String::new()),
                Some("a,b".into()),
                Some("q\"".into()),
                Some("x".into()),
            ],
            &[false, false, false, false, true],
            &o,
        );
        assert_eq!(out, ",\"\",\"a,b\",\"q\"\"\",\"x\"\n");
        let o = opts("text", true);
        let mut out = String::new();
        write_text_row(&mut out, &[None, Some("a\tb\\\n".into())], &o);
        assert_eq!(out, "\\N\ta\\tb\\\\\\n\n");
    }
}
