//! Statement splitting (by sqlparser's tokenizer, so a `;` inside a string, a dollar-quoted string, a quoted
//! identifier or a comment never splits) and the runner that executes statements one at a time, reporting
//! errors as `FILE:LINE:COL: message` with the line and a caret.

use super::output::{Printer, StatementKind};
use crate::sql::SqlMongoDialect;
use crate::Client;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace};
use std::time::{Duration, Instant};

/// How a streamed query ended.
enum Streamed {
    /// Every row was printed.
    Done,
    /// The plan is not a streamable query; nothing ran.
    NotStreamable,
    /// Writing the output failed.
    Output(std::io::Error),
    /// The statement failed (rows of earlier batches may have been printed).
    Failed(crate::Error),
}

/// One statement's text and where it starts in its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The statement text, from its first token up to and including its `;` (when it has one).
    pub text: String,
    /// 1-based line of the first token in the source.
    pub line: u64,
    /// 1-based column of the first token in the source.
    pub column: u64,
}

/// A piece of a source: a statement to run, or text the tokenizer could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A statement.
    Statement(Chunk),
    /// The tokenizer failed (e.g. an unterminated string) at this position; nothing after it is read.
    LexError {
        /// The tokenizer's message.
        message: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
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
    if loc.line == 0 {
        return text.len();
    }
    let mut line_start = 0;
    for _ in 1..loc.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[line_start..];
    line_start
        + rest
            .char_indices()
            .nth(loc.column.saturating_sub(1) as usize)
            .map(|(i, _)| i)
            .unwrap_or(rest.len())
}

/// Splits a source into statements at top-level `;`. Empty statements (only blanks and comments) are skipped.
///
/// ```
/// use sqlmongo::cli::script::{split, Piece};
/// let pieces = split("SELECT 'a;b' FROM c; -- x; y\nSELECT $$;$$ FROM d");
/// assert_eq!(pieces.len(), 2);
/// let Piece::Statement(second) = &pieces[1] else { panic!() };
/// assert_eq!((second.line, second.column), (2, 1));
/// ```
pub fn split(text: &str) -> Vec<Piece> {
    let (toks, err) = tokens(text);
    let mut out = Vec::new();
    let mut start: Option<Location> = None;
    for t in &toks {
        if t.token == Token::SemiColon {
            if let Some(s) = start.take() {
                out.push(chunk(text, s, t.span.end));
            }
        } else if start.is_none() && !is_trivia(&t.token) {
            start = Some(t.span.start);
        }
    }
    match err {
        Some((message, loc)) => {
            out.push(Piece::LexError {
                message,
                line: loc.line.max(1),
                column: loc.column.max(1),
            });
        }
        None => {
            if let Some(s) = start {
                out.push(chunk(text, s, Location::new(0, 0)));
            }
        }
    }
    out
}

fn chunk(text: &str, from: Location, to: Location) -> Piece {
    let a = offset_of(text, from);
    let b = offset_of(text, to).max(a);
    Piece::Statement(Chunk {
        text: text.get(a..b).unwrap_or("").trim_end().to_string(),
        line: from.line,
        column: from.column,
    })
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

/// An error located in a source: 1-based line and column, and the message without any position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// 1-based line in the source.
    pub line: u64,
    /// 1-based column in the source.
    pub column: u64,
    /// The message.
    pub message: String,
}

impl Located {
    /// `NAME:LINE:COL: message`, then the source line and a caret under the column.
    pub fn report(&self, name: &str, source: &str) -> String {
        located_at(name, source, self.line, self.column, &self.message)
    }

    /// `NAME:LINE:COL: message` only.
    pub fn headline(&self, name: &str) -> String {
        format!("{name}:{}:{}: {}", self.line, self.column, self.message)
    }
}

/// `NAME:LINE:COL: message`, then the source line and a caret under the column.
pub fn located_at(name: &str, source: &str, line: u64, column: u64, message: &str) -> String {
    let src = source
        .split('\n')
        .nth((line as usize).saturating_sub(1))
        .unwrap_or("")
        .trim_end_matches('\r');
    let caret: String = src
        .chars()
        .take((column as usize).saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("{name}:{line}:{column}: {message}\n  {src}\n  {caret}^")
}

/// The message of an error without the position its text may carry.
pub fn bare_message(e: &crate::Error) -> String {
    match e {
        crate::Error::Parse(p) => format!("syntax error: {}", p.message),
        crate::Error::Translate(crate::translate::Error::Unsupported { construct, .. }) => {
            format!("unsupported: {construct}")
        }
        crate::Error::Translate(crate::translate::Error::Invalid { message, .. }) => {
            message.clone()
        }
        other => other.to_string(),
    }
}

/// Maps an error of a statement to its position in the whole source (the statement start when the error
/// has no position of its own).
pub fn locate(e: &crate::Error, chunk: &Chunk) -> Located {
    let (line, column) = match e.position() {
        Some((l, c)) if l >= 1 => {
            if l == 1 {
                (chunk.line, chunk.column + c.saturating_sub(1))
            } else {
                (chunk.line + l - 1, c)
            }
        }
        _ => (chunk.line, chunk.column),
    };
    Located {
        line,
        column,
        message: bare_message(e),
    }
}

/// Settings and state shared by every statement a session runs.
#[derive(Debug)]
pub struct Runner {
    /// The client statements run on.
    pub client: Client,
    /// Where results go.
    pub printer: Printer,
    /// Print the MongoDB commands of each statement before its result.
    pub explain: bool,
    /// Print each statement's execution time.
    pub timing: bool,
    /// Keep going after a failed statement.
    pub continue_on_error: bool,
    /// Show a progress bar for long scripts when stderr is a terminal.
    pub progress: bool,
}

/// What running a source did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Statements that ran successfully.
    pub succeeded: usize,
    /// Statements that failed.
    pub failed: usize,
    /// Whether the run stopped early at an error.
    pub stopped: bool,
}

/// Scripts with at least this many statements get a progress bar (when stderr is a terminal).
pub const PROGRESS_THRESHOLD: usize = 50;

impl Runner {
    /// Runs every statement of `source` (named `name` in error reports) in order. Stops at the first error
    /// unless `continue_on_error`. Errors are reported on stderr (and as `{"error": ...}` in the json format).
    pub async fn run_source(&mut self, name: &str, source: &str) -> std::io::Result<Outcome> {
        let pieces = split(source);
        let mut outcome = Outcome::default();
        let bar = self.progress_bar(pieces.len());
        for piece in &pieces {
            let res = match piece {
                Piece::Statement(chunk) => self.run_chunk(chunk, bar.as_ref()).await?,
                Piece::LexError {
                    message,
                    line,
                    column,
                } => Err(Located {
                    line: *line,
                    column: *column,
                    message: format!("syntax error: {message}"),
                }),
            };
            if let Some(b) = &bar {
                b.inc(1);
            }
            match res {
                Ok(()) => outcome.succeeded += 1,
                Err(loc) => {
                    outcome.failed += 1;
                    let report = loc.report(name, source);
                    let headline = loc.headline(name);
                    let printer = &mut self.printer;
                    let mut emit = || -> std::io::Result<()> {
                        printer.error(&headline)?;
                        eprintln!("{report}");
                        Ok(())
                    };
                    match &bar {
                        Some(b) => b.suspend(emit)?,
                        None => emit()?,
                    }
                    if !self.continue_on_error {
                        outcome.stopped = true;
                        break;
                    }
                }
            }
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        Ok(outcome)
    }

    /// Runs a query streaming its rows to the printer (see [`Client::stream_plan`]).
    async fn stream(
        &mut self,
        plan: &crate::mql::StatementPlan,
        bar: Option<&indicatif::ProgressBar>,
    ) -> Streamed {
        let columns: Vec<String> = match &plan.output {
            crate::mql::Output::Rows { columns } => {
                columns.iter().map(|c| c.name.clone()).collect()
            }
            _ => return Streamed::NotStreamable,
        };
        let printer = &mut self.printer;
        let mut first = true;
        let mut output_error: Option<std::io::Error> = None;
        let mut sink = |rows: Vec<Vec<bson::Bson>>| -> Result<(), crate::Error> {
            let batch = crate::Rows {
                columns: columns.clone(),
                rows,
            };
            let mut print = || printer.stream_rows(&batch, first);
            let printed = match bar {
                Some(b) => b.suspend(print),
                None => print(),
            };
            first = false;
            printed.map_err(|e| {
                let stop = crate::Error::Parameter(format!("output: {e}"));
                output_error = Some(e);
                stop
            })
        };
        let result = self.client.stream_plan(plan, &[], &mut sink).await;
        match (result, output_error) {
            (_, Some(e)) => Streamed::Output(e),
            (Ok(true), None) => Streamed::Done,
            (Ok(false), None) => Streamed::NotStreamable,
            (Err(e), None) => Streamed::Failed(e),
        }
    }

    fn progress_bar(&self, n: usize) -> Option<indicatif::ProgressBar> {
        use std::io::IsTerminal;
        if !self.progress || n < PROGRESS_THRESHOLD || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = indicatif::ProgressBar::new(n as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} statements",
        ) {
            bar.set_style(style);
        }
        Some(bar)
    }

    /// Runs one statement; the outer error is an output failure, the inner one the statement's error.
    async fn run_chunk(
        &mut self,
        chunk: &Chunk,
        bar: Option<&indicatif::ProgressBar>,
    ) -> std::io::Result<Result<(), Located>> {
        let parsed = match crate::sql::parse(&chunk.text) {
            Ok(p) => p,
            Err(e) => return Ok(Err(locate(&crate::Error::Parse(e), chunk))),
        };
        for (stmt, text) in parsed {
            let plan = match crate::translate::translate_statement(&stmt, &text) {
                Ok(p) => p,
                Err(e) => return Ok(Err(locate(&e, chunk))),
            };
            let kind = match plan.steps.last().map(|c| c.name()) {
                Some("insert" | "update" | "delete" | "findAndModify") => StatementKind::Dml,
                _ => StatementKind::Other,
            };
            if self.explain {
                let json = crate::mql::Plan {
                    statements: vec![plan.clone()],
                }
                .to_pretty_json();
                let machine = self.printer.format.is_machine();
                let printer = &mut self.printer;
                let mut show = || -> std::io::Result<()> {
                    if machine {
                        eprintln!("{json}");
                        Ok(())
                    } else {
                        printer.text(&json)
                    }
                };
                match bar {
                    Some(b) => b.suspend(show)?,
                    None => show()?,
                }
            }
            let started = Instant::now();
            if self.printer.streams() {
                // jsonl / csv: rows are printed batch by batch as the cursor delivers them.
                match self.stream(&plan, bar).await {
                    Streamed::Done => {
                        if self.timing {
                            eprintln!("Time: {:.3} ms", started.elapsed().as_secs_f64() * 1000.0);
                        }
                        continue;
                    }
                    Streamed::NotStreamable => {}
                    Streamed::Output(e) => return Err(e),
                    Streamed::Failed(e) => return Ok(Err(locate(&e, chunk))),
                }
            }
            let result = self.client.execute_plan(&plan, &[]).await;
            let elapsed: Option<Duration> = self.timing.then(|| started.elapsed());
            match result {
                Ok(r) => {
                    let printer = &mut self.printer;
                    let mut show = || printer.result(&r, kind, elapsed);
                    match bar {
                        Some(b) => b.suspend(show)?,
                        None => show()?,
                    }
                }
                Err(e) => return Ok(Err(locate(&e, chunk))),
            }
        }
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<(String, u64, u64)> {
        split(src)
            .into_iter()
            .map(|p| match p {
                Piece::Statement(c) => (c.text, c.line, c.column),
                Piece::LexError {
                    message,
                    line,
                    column,
                } => (format!("ERR {message}"), line, column),
            })
            .collect()
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

    #[test]
    fn positions_are_moved_to_the_source() {
        let chunk = Chunk {
            text: "SELEC 1".into(),
            line: 4,
            column: 3,
        };
        let e = crate::Error::Parse(crate::sql::ParseError::new("bad", 1, 1));
        assert_eq!((locate(&e, &chunk).line, locate(&e, &chunk).column), (4, 3));
        let e = crate::Error::Parse(crate::sql::ParseError::new("bad", 2, 5));
        assert_eq!((locate(&e, &chunk).line, locate(&e, &chunk).column), (5, 5));
        let r = located_at("f.sql", "a\n  SELEC 1", 2, 3, "oops");
        assert_eq!(r, "f.sql:2:3: oops\n    SELEC 1\n    ^");
    }
}
