//! Command-line interface: argument parsing and the subcommands. `src/main.rs` only calls [`run`].

use clap::{Parser, Subcommand};
use std::io::Read;

/// sqlmongo: SQL in, the exact MongoDB commands out.
#[derive(Debug, Parser)]
#[command(name = "sqlmongo", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
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
    },
    /// Serve the embedded engine over the MongoDB wire protocol (any MongoDB driver can connect).
    Serve {
        /// The address to listen on (loopback unless told otherwise).
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// The TCP port.
        #[arg(long, default_value_t = 27017)]
        port: u16,
    },
}

/// An error for the binary: the message and the exit code.
#[derive(Debug)]
pub struct CliError {
    /// What to print.
    pub message: String,
    /// Exit status.
    pub code: i32,
}

/// Runs the parsed command line, writing results to standard output.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve { bind, port } => {
            crate::server::run_cli(&bind, port).map_err(|message| CliError { message, code: 1 })
        }
        Command::Translate { sql, file, golden } => {
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
            match crate::translate(&text) {
                Ok(plan) => {
                    if golden {
                        for s in &plan.statements {
                            println!("-- {}\n{}", s.sql, s.to_golden());
                        }
                    } else {
                        println!("{}", plan.to_pretty_json());
                    }
                    Ok(())
                }
                Err(e) => Err(CliError {
                    message: located(&name, &text, &e),
                    code: 1,
                }),
            }
        }
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
        Some((line, col)) => {
            let src = text
                .lines()
                .nth((line as usize).saturating_sub(1))
                .unwrap_or("");
            let caret = " ".repeat((col as usize).saturating_sub(1));
            format!("{name}:{line}:{col}: {e}\n  {src}\n  {caret}^")
        }
        None => format!("{name}: {e}"),
    }
}
