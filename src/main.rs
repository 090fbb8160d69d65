//! The `sqlmongo` binary: parses arguments and hands over to `sqlmongo::cli`.

use clap::Parser;

fn main() {
    let cli = sqlmongo::cli::Cli::parse();
    if let Err(e) = sqlmongo::cli::run(cli) {
        if !e.message.is_empty() {
            eprintln!("{}", e.message);
        }
        std::process::exit(e.code);
    }
}
