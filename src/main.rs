//! The `sqlmongo` binary: parses arguments and hands over to `sqlmongo::cli`.

use clap::Parser;

/// mimalloc rather than the system allocator: the engine allocates a buffer of about a document's size per
/// stored document and per reply, which glibc malloc serves slowly from 1 KB up (see Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    sqlmongo::cli::allocator::tune();
    let cli = sqlmongo::cli::Cli::parse();
    if let Err(e) = sqlmongo::cli::run(cli) {
        if !e.message.is_empty() {
            eprintln!("{}", e.message);
        }
        std::process::exit(e.code);
    }
}
