//! The interactive shell. Statements span lines until a top-level `;`; lines starting with `\` (when no
//! statement is pending) are meta commands. On a terminal it uses rustyline (history file, tab completion of
//! keywords, collection and field names); otherwise it reads standard input line by line, so it can be
//! scripted and tested. An error never ends the session.

mod shell_commands;

use super::meta;
use super::output::Format;
use super::script::{complete_prefix, is_blank, lexes, Runner};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::Context;
use std::io::{self, BufRead};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use tokio::runtime::Runtime;

#[path = "repl_copy.rs"]
mod repl_copy;
pub use repl_copy::quote_copy_file;

/// Keywords offered by tab completion.
pub const KEYWORDS: &[&str] = &[
    "ALL",
    "ALTER",
    "AND",
    "AS",
    "ASC",
    "AVG",
    "BETWEEN",
    "BY",
    "CASE",
    "CAST",
    "COALESCE",
    "COLLECTION",
    "COLLECTIONS",
    "CONFLICT",
    "COUNT",
    "CREATE",
    "CROSS",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DO",
    "DROP",
    "ELSE",
    "END",
    "EXISTS",
    "EXPLAIN",
    "EXTRACT",
    "FALSE",
    "FILTER",
    "FIRST",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "IF",
    "ILIKE",
    "IN",
    "INDEX",
    "INDEXES",
    "INNER",
    "INSERT",
    "INTERVAL",
    "INTO",
    "IS",
    "JOIN",
    "LAST",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MAX",
    "MIN",
    "NOT",
    "NOTHING",
    "NOW",
    "NULL",
    "NULLS",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "RETURNING",
    "RIGHT",
    "SELECT",
    "SET",
    "SHOW",
    "SUM",
    "THEN",
    "TRUE",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VALUES",
    "WHEN",
    "WHERE",
    "WITH",
];

const META_COMMANDS: &[&str] = &[
    "\\?",
    "\\copy",
    "\\d",
    "\\explain",
    "\\timing",
    "\\format",
    "\\i",
    "\\q",
    "\\x",
    "\\pset",
    "\\o",
    "\\set",
    "\\unset",
    "\\watch",
];

/// Names known to the completer, refreshed after statements that may change them.
#[derive(Debug, Default, Clone)]
pub struct Names {
    /// Collection names.
    pub collections: Vec<String>,
    /// Field names seen in samples.
    pub fields: Vec<String>,
}

/// rustyline helper: completion only.
#[derive(Debug, Default)]
pub struct SqlHelper {
    names: Arc<RwLock<Names>>,
}

/// Whether the word before `start` in `line` asks for a collection name (`FROM`, `INTO`, `UPDATE`, `JOIN`,
/// `COLLECTION`, `TABLE`, `\d`).
pub fn wants_collection(line: &str) -> bool {
    let prev = line.split_whitespace().last().unwrap_or("");
    [
        "FROM",
        "INTO",
        "UPDATE",
        "JOIN",
        "COLLECTION",
        "TABLE",
        "\\D",
    ]
    .contains(&prev.to_ascii_uppercase().as_str())
}

/// Completion candidates for the word before the cursor: meta commands after `\`, else collection names,
/// field names and keywords matching the prefix (case-insensitively; keywords keep the prefix's case).
/// Collections come first after `FROM` and the like (`collections_first`), field names first elsewhere.
pub fn candidates(word: &str, names: &Names, collections_first: bool) -> Vec<String> {
    if word.is_empty() {
        return Vec::new();
    }
    if word.starts_with('\\') {
        return META_COMMANDS
            .iter()
            .filter(|m| m.starts_with(word))
            .map(|m| m.to_string())
            .collect();
    }
    let lower = word.to_lowercase();
    let matches = |s: &str| s.to_lowercase().starts_with(&lower);
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    let (first, second) = if collections_first {
        (&names.collections, &names.fields)
    } else {
        (&names.fields, &names.collections)
    };
    for n in first.iter().chain(second.iter()).filter(|n| matches(n)) {
        push(n.clone());
    }
    let lowercase_word = word.chars().all(|c| !c.is_uppercase());
    for k in KEYWORDS.iter().filter(|k| matches(k)) {
        push(if lowercase_word {
            k.to_lowercase()
        } else {
            k.to_string()
        });
    }
    out
}

impl Completer for SqlHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = line.get(..pos).unwrap_or(line);
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '\\')))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        let word = &before[start..];
        let names = match self.names.read() {
            Ok(n) => n.clone(),
            Err(_) => Names::default(),
        };
        let pairs = candidates(word, &names, wants_collection(&before[..start]))
            .into_iter()
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for SqlHelper {
    type Hint = String;
}
impl Highlighter for SqlHelper {}
impl Validator for SqlHelper {}
impl rustyline::Helper for SqlHelper {}

/// The history file: `$SQLMONGO_HISTORY`, else `~/.sqlmongo_history`.
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SQLMONGO_HISTORY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".sqlmongo_history"))
}

enum Flow {
    Continue,
    Quit,
}

/// A REPL session: the pending statement text and the runner.
struct Session<'rt> {
    rt: &'rt Runtime,
    runner: Runner,
    buffer: String,
    /// Line of the source where `buffer` starts (standard input mode), so errors name input lines.
    buffer_line: usize,
    /// Column where `buffer` starts on its line (it may follow an earlier statement's `;`).
    buffer_column: usize,
    /// Count lines across statements (standard input); on a terminal each statement starts at line 1.
    track_lines: bool,
    name: &'static str,
    names: Arc<RwLock<Names>>,
    /// The statements run, for the history.
    ran: Vec<String>,
    /// The last statement run, as written (what `\watch` runs again).
    last: Option<String>,
    /// The command `\o |COMMAND` writes to, waited for when output goes elsewhere.
    output_pipe: Option<std::process::Child>,
    /// `\copy ... FROM STDIN` waiting for its data: the statement and the lines so far (until `\.`).
    copy_in: Option<(Box<crate::sql::copy::CopyStatement>, String)>,
    /// SIGINT, caught while a statement runs (Ctrl-C cancels the statement, not the shell).
    #[cfg(unix)]
    sigint: Option<tokio::signal::unix::Signal>,
}

impl Session<'_> {
    fn prompt(&self) -> &'static str {
        if self.copy_in.is_some() {
            ">> "
        } else if self.buffer.is_empty() {
            "sqlmongo=> "
        } else {
            "sqlmongo-> "
        }
    }

    /// Handles one input line.
    fn line(&mut self, line: &str) -> io::Result<Flow> {
        if let Some((_, data)) = self.copy_in.as_mut() {
            self.buffer_line += 1;
            if line.trim_end_matches('\r') == "\\." {
                self.finish_copy_in()?;
            } else {
                data.push_str(line);
                data.push('\n');
            }
            return Ok(Flow::Continue);
        }
        // A `\` line is a meta command, also in the middle of a statement (unless inside a string).
        if line.trim_start().starts_with('\\') && (self.buffer.is_empty() || lexes(&self.buffer)) {
            let flow = self.meta(line.trim());
            if self.buffer.is_empty() {
                self.buffer_line += 1;
            } else {
                // Keep the pending statement's lines where they are in the input.
                self.buffer.push('\n');
            }
            return flow;
        }
        if self.buffer.is_empty() && is_blank(line) {
            self.buffer_line += 1;
            return Ok(Flow::Continue);
        }
        self.buffer.push_str(line);
        self.buffer.push('\n');
        if let Some(n) = complete_prefix(&self.buffer) {
            let ready = self.buffer[..n].to_string();
            let rest = self.buffer[n..].to_string();
            self.execute(&ready)?;
            let consumed_lines = ready.matches('\n').count();
            let last_col = ready.rsplit('\n').next().map_or(0, |l| l.chars().count());
            if is_blank(&rest) {
                self.buffer.clear();
                self.buffer_line += consumed_lines + rest.matches('\n').count();
                self.buffer_column = 0;
            } else {
                self.buffer = rest;
                self.buffer_line += consumed_lines;
                self.buffer_column = if consumed_lines == 0 {
                    self.buffer_column + last_col
                } else {
                    last_col
                };
            }
        }
        Ok(Flow::Continue)
    }

    /// Runs complete statements, with positions as in the input.
    fn execute(&mut self, text: &str) -> io::Result<()> {
        let (line, column) = if self.track_lines {
            (self.buffer_line, self.buffer_column)
        } else {
            (1, self.buffer_column)
        };
        let padded = format!(
            "{}{}{}",
            "\n".repeat(line.saturating_sub(1)),
            " ".repeat(column),
            text
        );
        self.ran
            .push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        self.last = Some(text.to_string());
        self.run_cancelable(&padded)?;
        let first = text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        if !matches!(first.as_str(), "SELECT" | "EXPLAIN" | "SHOW" | "WITH") {
            self.refresh_names();
        }
        Ok(())
    }

    /// Runs `source`; a SIGINT (Ctrl-C) meanwhile cancels the running statement: the embedded engine's
    /// command fails with 11601 (reported as PostgreSQL's "canceling statement due to user request"), a
    /// remote one is abandoned (its future dropped). The shell goes on either way. `Ok(true)`: every
    /// statement succeeded.
    #[cfg(unix)]
    fn run_cancelable(&mut self, source: &str) -> io::Result<bool> {
        let Some(mut sig) = self.sigint.take() else {
            let outcome = self
                .rt
                .block_on(self.runner.run_source(self.name, source))?;
            return Ok(outcome.failed == 0);
        };
        // A SIGINT that arrived before the statement (at the prompt) is not for it.
        self.rt.block_on(async {
            while let Ok(Some(())) =
                tokio::time::timeout(std::time::Duration::ZERO, sig.recv()).await
            {}
        });
        let backend = self.runner.client.backend().clone();
        let (fired_tx, fired_rx) = tokio::sync::oneshot::channel::<()>();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        // On a runtime worker: the embedded engine runs the statement on this thread, blocking it.
        let watcher = self.rt.spawn(async move {
            tokio::select! {
                _ = sig.recv() => {
                    backend.cancel_running();
                    let _ = fired_tx.send(());
                }
                _ = done_rx => {}
            }
            sig
        });
        let (name, runner) = (self.name, &mut self.runner);
        let finished = self.rt.block_on(async {
            tokio::select! {
                biased;
                r = runner.run_source(name, source) => Some(r),
                Ok(()) = fired_rx => None,
            }
        });
        let _ = done_tx.send(());
        self.sigint = self.rt.block_on(watcher).ok();
        match finished {
            Some(r) => Ok(r?.failed == 0),
            None => {
                self.runner
                    .printer
                    .error(crate::cli::script::CANCELED_MESSAGE)?;
                eprintln!("ERROR:  {}", crate::cli::script::CANCELED_MESSAGE);
                Ok(false)
            }
        }
    }

    #[cfg(not(unix))]
    fn run_cancelable(&mut self, source: &str) -> io::Result<bool> {
        let outcome = self
            .rt
            .block_on(self.runner.run_source(self.name, source))?;
        Ok(outcome.failed == 0)
    }

    fn refresh_names(&self) {
        let fresh = self
            .rt
            .block_on(meta::completion_names(&self.runner.client));
        if let Ok(mut n) = self.names.write() {
            n.collections = fresh.0;
            n.fields = fresh.1;
        }
    }

    /// Runs what is left at the end of input (a last statement without `;`).
    fn finish(&mut self) -> io::Result<()> {
        if self.copy_in.is_some() {
            self.finish_copy_in()?;
        }
        if !is_blank(&self.buffer) {
            let text = std::mem::take(&mut self.buffer);
            self.execute(&text)?;
        }
        Ok(())
    }

    fn meta(&mut self, line: &str) -> io::Result<Flow> {
        let mut parts = line.splitn(2, char::is_whitespace);
        let cmd = parts.next().unwrap_or("");
        let arg = parts
            .next()
            .unwrap_or("")
            .trim()
            .trim_end_matches(';')
            .trim();
        match cmd {
            "\\q" | "\\quit" => return Ok(Flow::Quit),
            "\\?" | "\\h" | "\\help" => self.runner.printer.text(meta::HELP)?,
            "\\d" if arg.is_empty() => match self.rt.block_on(meta::list(&self.runner.client)) {
                Ok(rows) => self.runner.printer.rows(&rows, None)?,
                Err(e) => eprintln!("error: {e}"),
            },
            "\\d" => match self.rt.block_on(meta::describe(&self.runner.client, arg)) {
                Ok(d) => {
                    let table = self.runner.printer.format == Format::Table;
                    if table {
                        self.runner.printer.text(&format!(
                            "Collection {arg}: fields (from a sample of at most {} documents)",
                            meta::DESCRIBE_SAMPLE
                        ))?;
                    }
                    self.runner.printer.rows(&d.fields, None)?;
                    if table {
                        self.runner.printer.text("Indexes")?;
                    }
                    self.runner.printer.rows(&d.indexes, None)?;
                    if table {
                        self.runner
                            .printer
                            .text(&format!("TTL: {}", d.ttl.as_deref().unwrap_or("none")))?;
                    }
                }
                Err(e) => eprintln!("error: {e}"),
            },
            "\\explain" => match on_off(arg, self.runner.explain) {
                Some(v) => {
                    self.runner.explain = v;
                    eprintln!("Explain is {}.", if v { "on" } else { "off" });
                }
                None => eprintln!("error: \\explain takes on or off"),
            },
            "\\timing" => match on_off(arg, self.runner.timing) {
                Some(v) => {
                    self.runner.timing = v;
                    eprintln!("Timing is {}.", if v { "on" } else { "off" });
                }
                None => eprintln!("error: \\timing takes on or off"),
            },
            "\\format" => match Format::parse(arg) {
                Some(f) => {
                    self.runner.printer.format = f;
                    eprintln!("Output format is {arg}.");
                }
                None => eprintln!("error: \\format takes table, json, jsonl or csv"),
            },
            "\\i" | "\\include" if !arg.is_empty() => match std::fs::read_to_string(arg) {
                Ok(text) => {
                    self.rt.block_on(self.runner.run_source(arg, &text))?;
                    self.refresh_names();
                }
                Err(e) => eprintln!("error: {arg}: {e}"),
            },
            "\\i" | "\\include" => eprintln!("error: \\i takes a file name"),
            "\\x" | "\\pset" | "\\o" | "\\out" | "\\set" | "\\unset" | "\\watch" => {
                self.shell_command(cmd, arg)?
            }
            "\\copy" => self.copy(arg)?,
            other => eprintln!("error: unknown command {other}; \\? lists the commands"),
        }
        Ok(Flow::Continue)
    }
}

/// `on`, `off`, or nothing (toggle).
fn on_off(arg: &str, current: bool) -> Option<bool> {
    match arg.to_ascii_lowercase().as_str() {
        "" => Some(!current),
        "on" | "true" | "1" => Some(true),
        "off" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// Runs the REPL until `\q` or end of input.
pub fn run(rt: &Runtime, runner: Runner) -> io::Result<()> {
    use std::io::IsTerminal;
    let interactive = io::stdin().is_terminal();
    let names = Arc::new(RwLock::new(Names::default()));
    let mut session = Session {
        rt,
        runner,
        buffer: String::new(),
        buffer_line: 1,
        buffer_column: 0,
        track_lines: !interactive,
        name: if interactive { "<repl>" } else { "<stdin>" },
        names: names.clone(),
        ran: Vec::new(),
        last: None,
        output_pipe: None,
        copy_in: None,
        #[cfg(unix)]
        sigint: {
            let _in_runtime = rt.enter();
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok()
        },
    };
    if !interactive {
        for line in io::stdin().lock().lines() {
            if let Flow::Quit = session.line(&line?)? {
                return session.finish_output();
            }
        }
        session.finish()?;
        return session.finish_output();
    }
    session.refresh_names();
    let config = rustyline::Config::builder()
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor: rustyline::Editor<SqlHelper, rustyline::history::DefaultHistory> =
        match rustyline::Editor::with_config(config) {
            Ok(e) => e,
            Err(e) => {
                return Err(io::Error::other(format!(
                    "cannot start the line editor: {e}"
                )))
            }
        };
    editor.set_helper(Some(SqlHelper { names }));
    let history = history_path();
    if let Some(p) = &history {
        let _ = editor.load_history(p);
    }
    eprintln!(
        "sqlmongo {} — \\? for help, \\q to quit.",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        match editor.readline(session.prompt()) {
            Ok(line) => {
                let before = session.ran.len();
                let flow = session.line(&line)?;
                if line.trim_start().starts_with('\\') {
                    let _ = editor.add_history_entry(line.trim());
                }
                for stmt in &session.ran[before..] {
                    let _ = editor.add_history_entry(stmt.as_str());
                }
                if let Flow::Quit = flow {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => {
                session.buffer.clear();
                session.buffer_column = 0;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(p) = &history {
        if let Err(e) = editor.save_history(p) {
            eprintln!("warning: could not write history to {}: {e}", p.display());
        }
    }
    session.finish_output()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_offers_names_and_keywords_by_prefix() {
        let names = Names {
            collections: vec!["user_sessions".into(), "application_cache".into()],
            fields: vec!["user_id".into(), "expires_at".into()],
        };
        assert_eq!(
            candidates("us", &names, true),
            vec!["user_sessions", "user_id", "using"]
        );
        assert_eq!(
            candidates("us", &names, false),
            vec!["user_id", "user_sessions", "using"]
        );
        assert_eq!(candidates("SEL", &names, false), vec!["SELECT"]);
        assert_eq!(candidates("sel", &names, false), vec!["select"]);
        assert_eq!(candidates("\\f", &names, false), vec!["\\format"]);
        assert!(candidates("", &names, false).is_empty());
        assert!(wants_collection("SELECT * from "));
        assert!(wants_collection("\\d "));
        assert!(!wants_collection("SELECT "));
    }

    #[test]
    fn on_off_toggles() {
        assert_eq!(on_off("", false), Some(true));
        assert_eq!(on_off("ON", false), Some(true));
        assert_eq!(on_off("off", true), Some(false));
        assert_eq!(on_off("maybe", true), None);
    }
}
