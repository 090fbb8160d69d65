//! Command-line interface: argument parsing and the subcommands. `src/main.rs` only calls [`run`].
//!
//! [`backend`] opens the client (`--uri` / `MONGODB_URI`, else the embedded engine), [`script`] splits
//! sources into statements and runs them with located error reports, [`output`] prints results (`table`,
//! `json`, `jsonl`, `csv`), [`repl`] is the shell and [`meta`] answers its `\d` commands. See docs/cli.md.

pub mod allocator;
pub mod backend;
pub mod display;
pub mod expanded;
pub mod meta;
pub mod output;
pub mod pager;
pub mod repl;
pub mod script;
pub mod serve;
pub mod serve_config;
/// The statement splitter, now in [`crate::sql::splitter`] (the library streams scripts too).
pub use crate::sql::splitter;
pub mod vars;
pub mod zoned;

use clap::{Parser, Subcommand};
use output::{Format, Printer};
use script::Runner;
use std::io::{Read, Write};

/// sqlmongo: SQL in, the exact MongoDB commands out — run on an embedded engine or a MongoDB deployment.
///
/// Without a subcommand, starts the REPL.
#[derive(Debug, Parser)]
#[command(name = "sqlmongo", version, about)]
pub struct Cli {
    /// What to do (default: `repl`).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Where statements run.
    #[command(flatten)]
    pub backend: backend::BackendArgs,
    /// Output format [default: table when standard output is a terminal, else jsonl].
    #[arg(long, value_enum, global = true)]
    pub format: Option<Format>,
    /// Display and variables (`-x`, `-P NAME=VALUE`, `-v NAME=VALUE`).
    #[command(flatten)]
    pub shell: display::ShellArgs,
}

/// Options of the commands that run statements.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunOptions {
    /// Keep going after a failed statement (the exit code is still 1 when one failed).
    #[arg(long)]
    pub continue_on_error: bool,
    /// Print the MongoDB commands of each statement before its result (on stderr for machine formats).
    #[arg(long)]
    pub explain: bool,
    /// Print each statement's execution time (on stderr for machine formats).
    #[arg(long)]
    pub timing: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the MongoDB commands for SQL statements (pretty relaxed Extended JSON), without executing them.
    Translate {
        /// The SQL text (one or more statements).
        sql: Option<String>,
        /// Read the SQL from a file (`-` for standard input).
        #[arg(short = 'f', long = "file", conflicts_with = "sql")]
        file: Option<String>,
        /// Print the typed golden form instead of JSON.
        #[arg(long)]
        golden: bool,
        /// Translate with the declared tables and views of this catalog file (JSON, as `sqlmongo catalog
        /// dump` writes it), as the client does with the backend's catalog.
        #[arg(long, value_name = "FILE")]
        catalog: Option<std::path::PathBuf>,
    },
    /// The catalog of declared tables and views (`CREATE TABLE` / `CREATE VIEW`) of the backend.
    Catalog {
        /// What to do with it.
        #[command(subcommand)]
        action: CatalogAction,
    },
    /// Run SQL scripts in order on one backend; stops at the first error (FILE:LINE:COL, exit code 1).
    Run {
        /// Script files (`-` for standard input). All of them share one database.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Run options.
        #[command(flatten)]
        options: RunOptions,
    },
    /// Run the statements given as one argument (`;`-separated).
    Exec {
        /// The SQL text.
        sql: String,
        /// Run options.
        #[command(flatten)]
        options: RunOptions,
    },
    /// Serve the embedded engine over the MongoDB wire protocol (any MongoDB driver can connect).
    Serve {
        /// Listening, logging, metrics, the TTL monitor, shutdown, authentication and TLS (`--config FILE`).
        #[command(flatten)]
        options: serve_config::ServeArgs,
    },
    /// Write every collection, view and index of the --data store to DIR in mongodump's layout
    /// (DB/COLL.bson + DB/COLL.metadata.json; `mongorestore DIR` loads it into MongoDB). Works while
    /// `sqlmongo serve --data` runs on the store: the dump is its state as of the last durable commit.
    Dump {
        /// The output directory (created when missing).
        #[arg(long, value_name = "DIR")]
        out: std::path::PathBuf,
    },
    /// Load a dump in mongodump's layout (written by `sqlmongo dump` or `mongodump`) into the backend
    /// (--data DIR, --uri, or the in-memory engine).
    Restore {
        /// The dump directory (one subdirectory per database, or one database's directory).
        dir: std::path::PathBuf,
        /// Drop each collection before restoring it.
        #[arg(long)]
        drop: bool,
    },
    /// The interactive shell (also reads statements and meta commands from a non-terminal stdin).
    Repl {
        /// Start with `\explain` on.
        #[arg(long)]
        explain: bool,
        /// Start with `\timing` on.
        #[arg(long)]
        timing: bool,
        /// Run these scripts first (on the same store), then start the shell; the first error stops.
        #[arg(short = 'i', long = "init", value_name = "FILE", num_args = 1..)]
        init: Vec<String>,
    },
}

/// An error for the binary: the message and the exit code.
#[derive(Debug)]
pub struct CliError {
    /// What to print (empty when everything was already reported).
    pub message: String,
    /// Exit status: 1 a statement failed, 2 bad usage, unreadable input or no connection.
    pub code: i32,
}

impl CliError {
    /// A failure whose details were already printed.
    fn reported() -> CliError {
        CliError {
            message: String::new(),
            code: 1,
        }
    }
}

/// Output errors: a closed pipe ends quietly, anything else is reported.
fn output_error(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        CliError {
            message: String::new(),
            code: 0,
        }
    } else {
        CliError {
            message: format!("sqlmongo: {e}"),
            code: 2,
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError {
            message: format!("sqlmongo: cannot start the async runtime: {e}"),
            code: 2,
        })
}

/// Runs the parsed command line, writing results to standard output.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let format = cli.format.unwrap_or_else(Format::default_for_stdout);
    let command = cli.command.unwrap_or(Command::Repl {
        explain: false,
        timing: false,
        init: Vec::new(),
    });
    match command {
        Command::Serve { options } => serve::run_cli(&options, cli.backend.clone())
            .map_err(|message| CliError { message, code: 1 }),
        Command::Translate {
            sql,
            file,
            golden,
            catalog,
        } => translate(sql, file, golden, catalog),
        Command::Catalog {
            action: CatalogAction::Dump { out },
        } => catalog_dump(&cli.backend, out),
        Command::Dump { out } => dump(&cli.backend, &out),
        Command::Restore { dir, drop } => restore(&cli.backend, &dir, drop),
        Command::Run { files, options } => {
            let mut sources = Vec::with_capacity(files.len());
            let mut stdin_used = false;
            for f in files {
                if f == "-" {
                    if stdin_used {
                        return Err(CliError {
                            message: "sqlmongo: `-` (standard input) given more than once".into(),
                            code: 2,
                        });
                    }
                    stdin_used = true;
                }
                sources.push(open_source(f)?);
            }
            run_sources(&cli.backend, format, &options, &cli.shell, sources)
        }
        Command::Exec { sql, options } => {
            let size = Some(sql.len() as u64);
            let reader: Box<dyn Read> = Box::new(std::io::Cursor::new(sql.into_bytes()));
            run_sources(
                &cli.backend,
                format,
                &options,
                &cli.shell,
                vec![("<sql>".to_string(), reader, size)],
            )
        }
        Command::Repl {
            explain,
            timing,
            init,
        } => {
            let display = cli.shell.display().map_err(usage_error)?;
            let vars = cli.shell.variables().map_err(usage_error)?;
            let rt = runtime()?;
            let client = rt.block_on(backend::connect(&cli.backend))?;
            let closer = client.clone();
            let mut printer = Printer::stdout(format);
            // The --init scripts' results flow by without the pager; then the REPL's own settings.
            printer.display = cli.shell.script_display().map_err(usage_error)?;
            let mut runner = Runner {
                client,
                printer,
                explain,
                timing,
                continue_on_error: false,
                progress: false,
                vars,
            };
            let result = (|| {
                for f in &init {
                    let text = read_source(f)?;
                    let outcome = rt
                        .block_on(runner.run_source(f, &text))
                        .map_err(output_error)?;
                    if outcome.failed > 0 {
                        return Err(CliError::reported());
                    }
                }
                runner.printer.display = display;
                repl::run(&rt, runner).map_err(output_error)
            })();
            rt.block_on(closer.shutdown());
            result
        }
    }
}

/// A script to run: its name in reports, its text as read while it runs, its size when known.
type Source = (String, Box<dyn Read>, Option<u64>);

/// Opens a script file (`-`: standard input) to be read as it runs: a script of any size runs in the memory
/// of its longest statement.
fn open_source(f: String) -> Result<Source, CliError> {
    if f == "-" {
        return Ok(("<stdin>".to_string(), Box::new(std::io::stdin()), None));
    }
    let file = std::fs::File::open(&f).map_err(|e| CliError {
        message: format!("{f}: {e}"),
        code: 2,
    })?;
    let meta = file.metadata().ok();
    if meta.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(CliError {
            message: format!("{f}: is a directory"),
            code: 2,
        });
    }
    Ok((f, Box::new(file), meta.map(|m| m.len())))
}

/// A bad `-P` / `-v` value: exit code 2.
fn usage_error(message: String) -> CliError {
    CliError {
        message: format!("sqlmongo: {message}"),
        code: 2,
    }
}

/// Runs sources in order on one client; exit code 1 when a statement failed.
fn run_sources(
    backend: &backend::BackendArgs,
    format: Format,
    options: &RunOptions,
    shell: &display::ShellArgs,
    sources: Vec<Source>,
) -> Result<(), CliError> {
    // Bad -P / -v values fail before anything connects or runs.
    let display = shell.script_display().map_err(usage_error)?;
    let vars = shell.variables().map_err(usage_error)?;
    let rt = runtime()?;
    let client = rt.block_on(backend::connect(backend))?;
    let closer = client.clone();
    let mut printer = Printer::stdout(format);
    printer.display = display;
    let result = run_on(&rt, client, printer, options, vars, sources);
    // The driver's pools end before the runtime does (else they can panic at exit).
    rt.block_on(closer.shutdown());
    // An in-memory engine keeps nothing past this process, which ends now: its documents and indexes are
    // left to the operating system rather than freed one by one (after a bulk load that was 5% of the
    // run's instructions). A durable store's engine is dropped, which flushes its journal.
    let in_memory = backend.data.is_none()
        && backend
            .uri
            .as_deref()
            .map(str::trim)
            .is_none_or(str::is_empty);
    if in_memory {
        std::mem::forget(closer);
    }
    result
}

fn run_on(
    rt: &tokio::runtime::Runtime,
    client: crate::Client,
    printer: Printer,
    options: &RunOptions,
    vars: vars::Variables,
    sources: Vec<Source>,
) -> Result<(), CliError> {
    let mut runner = Runner {
        client,
        printer,
        explain: options.explain,
        timing: options.timing,
        continue_on_error: options.continue_on_error,
        progress: true,
        vars,
    };
    let mut failed = 0;
    for (name, reader, size) in sources {
        let outcome = rt
            .block_on(runner.run_reader(&name, reader, size))
            .map_err(output_error)?;
        failed += outcome.failed;
        if outcome.stopped {
            break;
        }
    }
    if failed > 0 {
        Err(CliError::reported())
    } else {
        Ok(())
    }
}

/// `sqlmongo dump`: reads the --data store's files (no lock: works while a server writes them).
fn dump(backend: &backend::BackendArgs, out: &std::path::Path) -> Result<(), CliError> {
    let Some(dir) = &backend.data else {
        return Err(CliError {
            message:
                "sqlmongo dump: give the store to dump with --data DIR (for MongoDB, use mongodump)"
                    .into(),
            code: 2,
        });
    };
    let snapshot =
        crate::engine::storage::durable::DurableStorage::read_snapshot(dir).map_err(|e| {
            CliError {
                message: format!("sqlmongo dump: {}", e.errmsg),
                code: 2,
            }
        })?;
    let s = crate::dump::write_dump(&snapshot, out).map_err(|e| CliError {
        message: format!("sqlmongo dump: {e}"),
        code: 2,
    })?;
    eprintln!(
        "dumped {} collection(s), {} view(s), {} document(s), {} index(es) to {}",
        s.collections,
        s.views,
        s.documents,
        s.indexes,
        out.display()
    );
    Ok(())
}

/// `sqlmongo restore`: loads a dump through the backend's commands.
fn restore(
    backend: &backend::BackendArgs,
    dir: &std::path::Path,
    drop: bool,
) -> Result<(), CliError> {
    let rt = runtime()?;
    let client = rt.block_on(backend::connect(backend))?;
    let opts = crate::dump::RestoreOptions { drop };
    let s = rt
        .block_on(crate::dump::restore(client.backend().as_ref(), dir, &opts))
        .map_err(|e| CliError {
            message: format!("sqlmongo restore: {e}"),
            code: 1,
        })?;
    eprintln!(
        "restored {} collection(s), {} view(s), {} document(s), {} index(es); {} document(s) failed",
        s.collections, s.views, s.documents, s.indexes, s.failed_documents
    );
    if s.failed_documents > 0 {
        return Err(CliError::reported());
    }
    Ok(())
}

/// `sqlmongo catalog ...`.
#[derive(Debug, clap::Subcommand)]
pub enum CatalogAction {
    /// Write the catalog as JSON (the file `sqlmongo translate --catalog` reads) to standard output or FILE.
    Dump {
        /// The output file (standard output without it).
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
}

fn catalog_dump(
    backend: &backend::BackendArgs,
    out: Option<std::path::PathBuf>,
) -> Result<(), CliError> {
    let rt = runtime()?;
    let client = rt.block_on(backend::connect(backend))?;
    let catalog = rt
        .block_on(crate::client::catalog::fetch_all(
            client.backend().as_ref(),
            client.database(),
        ))
        .map_err(|e| CliError {
            message: format!("sqlmongo catalog dump: {e}"),
            code: 1,
        })?;
    let json = catalog.to_json();
    match out {
        Some(path) => std::fs::write(&path, json + "\n").map_err(|e| CliError {
            message: format!("sqlmongo catalog dump: {}: {e}", path.display()),
            code: 1,
        }),
        None => {
            let mut o = std::io::stdout().lock();
            writeln!(o, "{json}").map_err(output_error)
        }
    }
}

fn translate(
    sql: Option<String>,
    file: Option<String>,
    golden: bool,
    catalog: Option<std::path::PathBuf>,
) -> Result<(), CliError> {
    let catalog = match catalog {
        None => crate::translate::Catalog::new(),
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| CliError {
                message: format!("sqlmongo translate: {}: {e}", path.display()),
                code: 2,
            })?;
            crate::translate::Catalog::from_json(&text).map_err(|e| CliError {
                message: format!("sqlmongo translate: {}: {e}", path.display()),
                code: 2,
            })?
        }
    };
    let (text, name) = match (sql, file) {
        (Some(s), _) => (s, "<argument>".to_string()),
        (None, Some(f)) => (read_source(&f)?, f),
        (None, None) => {
            return Err(CliError {
                message: "give SQL text or -f FILE".into(),
                code: 2,
            })
        }
    };
    match crate::translate::translate_with_catalog(&text, &std::sync::Arc::new(catalog)) {
        Ok(plan) => {
            // Written, not println!: a closed pipe (`| head`) ends quietly instead of panicking.
            let mut out = std::io::stdout().lock();
            if golden {
                for s in &plan.statements {
                    writeln!(out, "-- {}\n{}", s.sql, s.to_golden()).map_err(output_error)?;
                }
            } else {
                writeln!(out, "{}", plan.to_pretty_json()).map_err(output_error)?;
            }
            out.flush().map_err(output_error)
        }
        Err(e) => Err(CliError {
            message: located(&name, &text, &e),
            code: 1,
        }),
    }
}

fn read_source(f: &str) -> Result<String, CliError> {
    if f == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError {
                message: format!("stdin: {e}"),
                code: 2,
            })?;
        Ok(s)
    } else {
        std::fs::read_to_string(f).map_err(|e| CliError {
            message: format!("{f}: {e}"),
            code: 2,
        })
    }
}

/// `FILE:LINE:COL: message`, then the line with a caret under the position.
pub fn located(name: &str, text: &str, e: &crate::Error) -> String {
    match e.position() {
        Some((line, col)) => script::located_at(name, text, line, col, &e.to_string()),
        None => format!("{name}: {e}"),
    }
}
