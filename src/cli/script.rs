//! The runner that executes a source's statements one at a time as [`splitter`](crate::sql::splitter) hands
//! them out, reporting errors as `FILE:LINE:COL: message` with the line and a caret.

use super::output::{Printer, StatementKind};
pub use crate::sql::splitter::{complete_prefix, is_blank, lexes, split, Chunk, Piece, Splitter};
use crate::Client;
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
        .unwrap_or("");
    located_line(name, src, line, column, message)
}

/// [`located_at`] given the text of the line itself.
pub fn located_line(name: &str, src: &str, line: u64, column: u64, message: &str) -> String {
    let src = src.trim_end_matches('\r');
    let caret: String = src
        .chars()
        .take((column as usize).saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("{name}:{line}:{column}: {message}\n  {src}\n  {caret}^")
}

/// MongoDB's code for an interrupted operation (11601 `Interrupted`): what a canceled statement fails with.
pub const CANCELED_CODE: i32 = 11601;
/// What a canceled statement reports (PostgreSQL's message).
pub const CANCELED_MESSAGE: &str = "canceling statement due to user request";

/// The message of an error without the position its text may carry.
pub fn bare_message(e: &crate::Error) -> String {
    match e {
        crate::Error::Parse(p) => format!("syntax error: {}", p.message),
        // Ctrl-C (or killOp): PostgreSQL's words for a canceled statement.
        crate::Error::Command(c) if c.code == CANCELED_CODE => CANCELED_MESSAGE.to_string(),
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
    /// `\set` variables: `:NAME`, `:'NAME'` bind parameters, `:"NAME"` is an identifier (see
    /// [`vars`](super::vars)).
    pub vars: super::vars::Variables,
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

/// Sources of at least this many bytes get a progress bar (when stderr is a terminal and the size is known).
pub const PROGRESS_THRESHOLD: u64 = 256 * 1024;

impl Runner {
    /// Runs every statement of `source` (named `name` in error reports) in order. Stops at the first error
    /// unless `continue_on_error`. Errors are reported on stderr (and as `{"error": ...}` in the json format).
    pub async fn run_source(&mut self, name: &str, source: &str) -> std::io::Result<Outcome> {
        self.run_reader(name, source.as_bytes(), Some(source.len() as u64))
            .await
    }

    /// [`run_source`](Self::run_source) over a source read as it runs (a file or standard input of any size
    /// runs in the memory of its longest statement); `size` (when known) drives the progress bar.
    pub async fn run_reader(
        &mut self,
        name: &str,
        reader: impl std::io::Read,
        size: Option<u64>,
    ) -> std::io::Result<Outcome> {
        let mut outcome = Outcome::default();
        let bar = self.progress_bar(size);
        for piece in Splitter::new(reader) {
            let (res, context, first_line) = match &piece {
                Piece::Statement(chunk) => (
                    self.run_chunk(chunk, bar.as_ref()).await?,
                    chunk.context.as_str(),
                    chunk.line,
                ),
                Piece::LexError {
                    message,
                    line,
                    column,
                    context,
                } => (
                    Err(Located {
                        line: *line,
                        column: *column,
                        message: format!("syntax error: {message}"),
                    }),
                    context.as_str(),
                    *line,
                ),
            };
            if let (Some(b), Piece::Statement(chunk)) = (&bar, &piece) {
                b.set_position(chunk.end);
            }
            match res {
                Ok(()) => outcome.succeeded += 1,
                Err(loc) => {
                    outcome.failed += 1;
                    // As in PostgreSQL, any error inside a transaction block (a lexical, parse or
                    // translation error as well as a failed command) fails the block: what follows is
                    // refused until ROLLBACK / COMMIT (which then rolls back).
                    self.client.backend().fail_transaction();
                    let src = context
                        .split('\n')
                        .nth(loc.line.saturating_sub(first_line) as usize)
                        .unwrap_or("");
                    let report = located_line(name, src, loc.line, loc.column, &loc.message);
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
        params: &[bson::Bson],
        bar: Option<&indicatif::ProgressBar>,
    ) -> Streamed {
        let (columns, local_time): (Vec<String>, Vec<bool>) = match &plan.output {
            crate::mql::Output::Rows { columns } => (
                columns.iter().map(|c| c.name.clone()).collect(),
                crate::driver::execute::local_time_flags(columns),
            ),
            _ => return Streamed::NotStreamable,
        };
        let printer = &mut self.printer;
        let mut first = true;
        let mut output_error: Option<std::io::Error> = None;
        let mut sink = |rows: Vec<Vec<bson::Bson>>| -> Result<(), crate::Error> {
            let batch = crate::Rows {
                columns: columns.clone(),
                rows,
                local_time: local_time.clone(),
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
        let result = self.client.stream_plan(plan, params, &mut sink).await;
        match (result, output_error) {
            (_, Some(e)) => Streamed::Output(e),
            (Ok(true), None) => Streamed::Done,
            (Ok(false), None) => Streamed::NotStreamable,
            (Err(e), None) => Streamed::Failed(e),
        }
    }

    fn progress_bar(&self, size: Option<u64>) -> Option<indicatif::ProgressBar> {
        use std::io::IsTerminal;
        let n = size?;
        if !self.progress || n < PROGRESS_THRESHOLD || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = indicatif::ProgressBar::new(n);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
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
        let interpolated = self.vars.interpolate(&chunk.text);
        let (sql, vars) = match &interpolated {
            Some(i) => (i.text.as_str(), i.params.as_slice()),
            None => (chunk.text.as_str(), &[][..]),
        };
        // A bulk-load INSERT of plain literals skips the general parser and translator (same plan).
        match self.client.literal_insert_plan(sql).await {
            Ok(Some(plan)) => return self.run_plan(plan, vars, chunk, bar).await,
            Ok(None) => {}
            Err(e) => return Ok(Err(locate(&e, chunk))),
        }
        let parsed = match crate::sql::parse(sql) {
            Ok(p) => p,
            Err(e) => return Ok(Err(locate(&crate::Error::Parse(e), chunk))),
        };
        for (stmt, text) in parsed {
            if let crate::sql::Statement::Copy(c) = &stmt {
                match self.copy(c, chunk, None, bar).await? {
                    Ok(()) => continue,
                    Err(e) => return Ok(Err(e)),
                }
            }
            let plan = match self.client.translate_statement(&stmt, &text).await {
                Ok(p) => p,
                Err(e) => return Ok(Err(locate(&e, chunk))),
            };
            if let Err(e) = self.run_plan(plan, vars, chunk, bar).await? {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }

    /// Runs one translated statement of `chunk` and prints its result.
    async fn run_plan(
        &mut self,
        plan: crate::mql::StatementPlan,
        vars: &[bson::Bson],
        chunk: &Chunk,
        bar: Option<&indicatif::ProgressBar>,
    ) -> std::io::Result<Result<(), Located>> {
        // Variables bind only statements that take parameters (a statement's own `$N` without a
        // value still fails, as before).
        let params = if plan.param_count == 0 { &[][..] } else { vars };
        let kind = match plan.steps.last().map(|c| c.name()) {
            Some("insert" | "update" | "delete" | "findAndModify") => StatementKind::Dml,
            // The TTL pass's count is the documents it deleted.
            None if plan.output
                == crate::mql::Output::Setting(crate::mql::Setting::RunTtlMonitor) =>
            {
                StatementKind::Dml
            }
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
            self.printer.time_zone = self.client.time_zone();
            match self.stream(&plan, params, bar).await {
                Streamed::Done => {
                    if self.timing {
                        eprintln!("Time: {:.3} ms", started.elapsed().as_secs_f64() * 1000.0);
                    }
                    return Ok(Ok(()));
                }
                Streamed::NotStreamable => {}
                Streamed::Output(e) => return Err(e),
                Streamed::Failed(e) => return Ok(Err(locate(&e, chunk))),
            }
        }
        transaction_warning(&plan, self.client.backend().transaction_state());
        let result = self.client.execute_owned_plan(plan, params).await;
        let elapsed: Option<Duration> = self.timing.then(|| started.elapsed());
        match result {
            Ok(r) => {
                self.printer.time_zone = self.client.time_zone();
                let printer = &mut self.printer;
                let mut show = || printer.result(&r, kind, elapsed);
                match bar {
                    Some(b) => b.suspend(show)?,
                    None => show()?,
                }
            }
            Err(e) => return Ok(Err(locate(&e, chunk))),
        }
        Ok(Ok(()))
    }
}

impl Runner {
    /// Runs a COPY (`\copy` in the shell too): files are read and written by this process, relative
    /// names against the current directory; a progress bar shows on a terminal for a large import;
    /// `COPY n` (or `{"affected": n}`) after it. `stdin`: where `FROM STDIN` reads, when anywhere.
    pub async fn copy(
        &mut self,
        stmt: &crate::sql::copy::CopyStatement,
        chunk: &Chunk,
        stdin: Option<Box<dyn std::io::BufRead + Send>>,
        outer: Option<&indicatif::ProgressBar>,
    ) -> std::io::Result<Result<(), Located>> {
        use std::io::IsTerminal;
        let started = Instant::now();
        let show_bar = outer.is_none() && std::io::stderr().is_terminal();
        let mut bar: Option<indicatif::ProgressBar> = None;
        let mut on_progress = |p: crate::copy::Progress| {
            if !show_bar || p.total < PROGRESS_THRESHOLD {
                return;
            }
            let b = bar.get_or_insert_with(|| {
                let b = indicatif::ProgressBar::new(p.total);
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "COPY {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
                ) {
                    b.set_style(style);
                }
                b
            });
            b.set_position(p.done);
        };
        let result = {
            let io = crate::copy::CopyIo {
                stdin,
                stdout: Some(self.printer.writer()),
                progress: Some(&mut on_progress),
                base_dir: None,
            };
            crate::copy::copy(&self.client, stmt, io).await
        };
        if let Some(b) = bar.take() {
            b.finish_and_clear();
        }
        let summary = match result {
            Ok(s) => s,
            Err(crate::copy::CopyError::Statement(e)) => return Ok(Err(locate(&e, chunk))),
            Err(other) => {
                return Ok(Err(Located {
                    line: chunk.line,
                    column: chunk.column,
                    message: other.to_string(),
                }))
            }
        };
        for n in &summary.notices {
            eprintln!("NOTICE:  {n}");
        }
        if summary.to_stdout {
            self.printer.writer().flush()?;
        } else if self.printer.format == super::output::Format::Table {
            self.printer.text(&format!("COPY {}", summary.rows))?;
        } else {
            self.printer.result(
                &crate::StatementResult::Affected(summary.rows),
                StatementKind::Dml,
                None,
            )?;
        }
        if self.timing {
            eprintln!("Time: {:.3} ms", started.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(Ok(()))
    }
}

/// PostgreSQL's warnings for a transaction statement that does nothing (`BEGIN` inside a block, `COMMIT` /
/// `ROLLBACK` outside one), on standard error as psql shows them.
fn transaction_warning(
    plan: &crate::mql::StatementPlan,
    state: crate::driver::transaction::TxnState,
) {
    use crate::driver::transaction::TxnState;
    use crate::mql::TransactionControl as T;
    let crate::mql::Output::Setting(crate::mql::Setting::Transaction(control)) = &plan.output
    else {
        return;
    };
    match (control, state) {
        (T::Begin, TxnState::Active | TxnState::Failed) => {
            eprintln!("WARNING:  there is already a transaction in progress")
        }
        (T::Commit | T::Rollback, TxnState::Idle) => {
            eprintln!("WARNING:  there is no transaction in progress")
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_moved_to_the_source() {
        let chunk = Chunk {
            text: "SELEC 1".into(),
            line: 4,
            column: 3,
            context: "  SELEC 1".into(),
            end: 0,
        };
        let e = crate::Error::Parse(crate::sql::ParseError::new("bad", 1, 1));
        assert_eq!((locate(&e, &chunk).line, locate(&e, &chunk).column), (4, 3));
        let e = crate::Error::Parse(crate::sql::ParseError::new("bad", 2, 5));
        assert_eq!((locate(&e, &chunk).line, locate(&e, &chunk).column), (5, 5));
        let r = located_at("f.sql", "a\n  SELEC 1", 2, 3, "oops");
        assert_eq!(r, "f.sql:2:3: oops\n    SELEC 1\n    ^");
    }
}
