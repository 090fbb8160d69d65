//! The statements of a script for [`Client::execute`](crate::Client::execute), in memory bounded by the
//! longest statement, with PostgreSQL's guarantee that a syntax error anywhere means nothing runs.
//!
//! PostgreSQL's simple-query protocol parses a whole multi-statement string before running any of it. A script
//! up to [`WHOLE_PARSE_LIMIT`] bytes is parsed at once ([`crate::sql::parse`]). A longer one (a data load of
//! megabytes, whose syntax trees take ~50x the text) is read twice by the [streaming
//! splitter](crate::sql::splitter): the first pass parses each statement and drops its tree at once (only
//! the first error is kept), the second parses each again as it runs. Positions (of syntax errors and of
//! translation errors) are those in the whole script either way: a statement's are shifted by where it starts.
//!
//! Tokenizer errors are reported where they are met in text order: a syntax error in an earlier statement
//! comes first, as in PostgreSQL (the whole-text parse tokenizes everything before parsing anything, so an
//! unterminated string at the end wins there).

use crate::sql::splitter::{Piece, Splitter};
use crate::sql::{ParseError, Statement, StatementText};
use std::collections::VecDeque;

/// Scripts up to this many bytes are parsed whole, once (their trees fit in a few megabytes).
pub(crate) const WHOLE_PARSE_LIMIT: usize = 256 * 1024;

/// One statement of a script: its tree, its text (positions relative to `at`) and where it starts.
pub(crate) struct ScriptStatement {
    /// The parsed statement.
    pub stmt: Statement,
    /// Its text; `line` / `column` count from `at`.
    pub text: StatementText,
    /// Source position of the piece the statement was parsed from ((1, 1): the whole script).
    at: (u64, u64),
}

impl ScriptStatement {
    /// `e` (of this statement) with its position in the whole script.
    pub(crate) fn locate(&self, e: crate::Error, source: &str) -> crate::Error {
        shift(e, self.at, source)
    }
}

/// The statements of `sql`, checked for syntax errors first (see the module documentation); scripts longer
/// than `whole_limit` bytes are streamed.
pub(crate) fn statements(sql: &str, whole_limit: usize) -> Result<Statements<'_>, crate::Error> {
    if sql.len() <= whole_limit {
        let parsed = crate::sql::parse(sql)?;
        return Ok(Statements::Whole(parsed.into_iter()));
    }
    // The check pass: a bulk-load INSERT the literal scanner accepts is valid SQL (tests/literal_insert.rs
    // holds the scanner to the parser), so only other statements are parsed here.
    for st in Statements::streamed(sql) {
        drop(st?);
    }
    Ok(Statements::streamed(sql))
}

/// One statement of a script, as [`Statements`] hands it out.
pub(crate) enum ScriptItem {
    /// Parsed by the general parser.
    Parsed(ScriptStatement),
    /// A streamed script's bulk-load INSERT of literals ([`crate::sql::literal_insert::scan`] accepts it),
    /// not parsed: [`Client::literal_insert_plan`](crate::Client::literal_insert_plan) plans it, or, for a
    /// declared table, [`BulkStatement::parse`] gives it to the general path.
    Bulk(BulkStatement),
}

/// A bulk-load INSERT's text and where it starts in the script.
pub(crate) struct BulkStatement {
    /// The statement's text (with its `;`).
    pub text: String,
    at: (u64, u64),
}

impl BulkStatement {
    /// The statement parsed by the general parser (for the general translation).
    pub(crate) fn parse(&self, source: &str) -> Result<Vec<ScriptStatement>, crate::Error> {
        match crate::sql::parse_piece(&self.text) {
            Ok(parsed) => Ok(parsed
                .into_iter()
                .map(|(stmt, text)| ScriptStatement {
                    stmt,
                    text,
                    at: self.at,
                })
                .collect()),
            Err(e) => Err(shift(e.into(), self.at, source)),
        }
    }
}

/// The statements of a script, in order.
pub(crate) enum Statements<'a> {
    /// Parsed whole, at once.
    Whole(std::vec::IntoIter<(Statement, StatementText)>),
    /// Parsed one by one as the splitter hands them out.
    Streamed {
        source: &'a str,
        pieces: Splitter<&'a [u8]>,
        ready: VecDeque<ScriptStatement>,
    },
}

impl<'a> Statements<'a> {
    fn streamed(source: &'a str) -> Statements<'a> {
        Statements::Streamed {
            source,
            pieces: Splitter::new(source.as_bytes()),
            ready: VecDeque::new(),
        }
    }
}

impl Iterator for Statements<'_> {
    type Item = Result<ScriptItem, crate::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Statements::Whole(it) => it.next().map(|(stmt, text)| {
                Ok(ScriptItem::Parsed(ScriptStatement {
                    stmt,
                    text,
                    at: (1, 1),
                }))
            }),
            Statements::Streamed {
                source,
                pieces,
                ready,
            } => loop {
                if let Some(st) = ready.pop_front() {
                    return Some(Ok(ScriptItem::Parsed(st)));
                }
                match pieces.next()? {
                    Piece::LexError {
                        message,
                        line,
                        column,
                        ..
                    } => return Some(Err(ParseError::new(message, line, column).into())),
                    Piece::Statement(chunk) => {
                        let at = (chunk.line, chunk.column);
                        if crate::sql::literal_insert::scan(&chunk.text).is_some() {
                            return Some(Ok(ScriptItem::Bulk(BulkStatement {
                                text: chunk.text,
                                at,
                            })));
                        }
                        match crate::sql::parse_piece(&chunk.text) {
                            Ok(parsed) => ready.extend(
                                parsed.into_iter().map(|(stmt, text)| ScriptStatement {
                                    stmt,
                                    text,
                                    at,
                                }),
                            ),
                            Err(e) => return Some(Err(shift(e.into(), at, source))),
                        }
                    }
                }
            },
        }
    }
}

/// `e`'s position, relative to a piece starting at `at`, made a position in `source`; an unknown position of
/// a syntax error (the end of the piece) becomes the end of `source`, where the whole-text parse puts it.
fn shift(e: crate::Error, at: (u64, u64), source: &str) -> crate::Error {
    let moved = |line: u64, column: u64| match line {
        0 => (0, 0),
        1 => (at.0, at.1 + column.saturating_sub(1)),
        l => (at.0 + l - 1, column),
    };
    use crate::translate::Error as T;
    match e {
        crate::Error::Parse(mut p) => {
            (p.line, p.column) = if p.line == 0 {
                end_of(source)
            } else {
                moved(p.line, p.column)
            };
            crate::Error::Parse(p)
        }
        crate::Error::Translate(T::Unsupported {
            kind,
            construct,
            mut position,
        }) => {
            (position.line, position.column) = moved(position.line, position.column);
            crate::Error::Translate(T::Unsupported {
                kind,
                construct,
                position,
            })
        }
        crate::Error::Translate(T::Invalid {
            message,
            mut position,
        }) => {
            (position.line, position.column) = moved(position.line, position.column);
            crate::Error::Translate(T::Invalid { message, position })
        }
        other => other,
    }
}

/// The position just past the last character of `source`.
fn end_of(source: &str) -> (u64, u64) {
    let line = source.split('\n').count() as u64;
    let column = source
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0) as u64
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Statements, their positions and texts, or the error: what a caller of `execute` sees before running.
    fn outline(sql: &str, whole_limit: usize) -> Result<Vec<(String, u64, u64)>, String> {
        let sts = statements(sql, whole_limit).map_err(|e| format!("{e:?}"))?;
        let mut out = Vec::new();
        let mut all = Vec::new();
        for item in sts {
            match item.map_err(|e| format!("{e:?}"))? {
                ScriptItem::Parsed(st) => all.push(st),
                ScriptItem::Bulk(b) => all.extend(b.parse(sql).map_err(|e| format!("{e:?}"))?),
            }
        }
        for st in all {
            let (l, c) = (st.text.line, st.text.column);
            let (line, column) = match l {
                1 => (st.at.0, st.at.1 + c - 1),
                l => (st.at.0 + l - 1, c),
            };
            // Translation errors are located the same way.
            let translated = crate::translate::translate_statement(&st.stmt, &st.text)
                .map(|_| String::new())
                .map_err(|e| format!("{:?}", st.locate(e, sql)));
            out.push((format!("{} {translated:?}", st.text.text), line, column));
        }
        Ok(out)
    }

    fn statement() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("SELECT 1".to_string()),
            Just("SELECT a, 'x;y' FROM t WHERE b = 2".to_string()),
            Just("INSERT INTO t (a, b) VALUES (1, 'q'), (2, $$d;d$$)".to_string()),
            // the bulk-load shape (not parsed while streamed)
            Just("INSERT INTO t (a, b) VALUES (1, 'q;'), (-2.5, NULL)".to_string()),
            Just("insert into t (a)\nvalues (1),\n (TRUE)".to_string()),
            Just("SELECT\n  a\nFROM t\nWHERE b >\n 3".to_string()),
            Just("UPDATE t SET a = a + 1 WHERE b IN (SELECT b FROM u)".to_string()),
            // syntax errors, one at the end of its text
            Just("SELEC 1".to_string()),
            Just("SELECT a FROM t WHERE".to_string()),
            Just("SELECT (1".to_string()),
            // translation errors (refused, invalid), with and without a position
            Just("SELECT x FROM t, LATERAL (SELECT 1) l".to_string()),
            Just("SELECT nosuchfn(a) FROM t".to_string()),
            Just("TRUNCATE t".to_string()),
            Just("/* c; */ SELECT 2 -- tail;".to_string()),
        ]
    }

    fn separator() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(";".to_string()),
            Just("; ".to_string()),
            Just(";\n".to_string()),
            Just(";\n\n  ".to_string()),
            Just(";;\n".to_string()),
            Just("; -- note\n".to_string()),
        ]
    }

    proptest! {
        /// The streamed two-pass reading gives the whole-text parse's statements, positions and errors
        /// (syntax and translation errors located in the whole script).
        #[test]
        fn streamed_script_is_the_whole_parse(
            parts in prop::collection::vec((statement(), separator()), 1..6),
            last_separator in any::<bool>(),
            lead in prop_oneof![Just(""), Just("\n"), Just("  "), Just("-- head\n")],
            trail in prop_oneof![Just(""), Just("\n"), Just("  \n")],
        ) {
            let mut sql = lead.to_string();
            let n = parts.len();
            for (i, (st, sep)) in parts.into_iter().enumerate() {
                sql.push_str(&st);
                if i + 1 < n || last_separator {
                    sql.push_str(&sep);
                }
            }
            sql.push_str(trail);
            prop_assert_eq!(outline(&sql, 0), outline(&sql, usize::MAX), "{:?}", sql);
        }
    }

    #[test]
    fn a_late_syntax_error_is_found_before_anything_runs() {
        let mut sql = "INSERT INTO t (a) VALUES (1);\n".repeat(1000);
        sql.push_str("SELECT (1;\n");
        let err = statements(&sql, 0).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("syntax error at 1001:10: Expected: ), found: ;")
        );
    }
}
