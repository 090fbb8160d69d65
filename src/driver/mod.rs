//! Backends that execute MongoDB command documents, and the executor that runs a translated plan on one.
//!
//! A [`Backend`] is shaped like a command: a command document in, a reply document out (an `ok: 0` reply
//! becomes an error that keeps MongoDB's code and message). The embedded engine and a real deployment both
//! sit behind it, so both see the same bytes. `execute.rs` turns a plan's replies into rows or counts.

pub mod embedded;
pub mod execute;
pub mod mongo;

use crate::engine::CommandError;
use bson::Document;
use std::future::Future;
use std::pin::Pin;

/// The future a backend returns.
pub type CommandFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Document, crate::Error>> + Send + 'a>>;

/// Something that runs MongoDB commands against a database.
pub trait Backend: Send + Sync {
    /// Runs one command document against database `db` and returns mongod's reply.
    fn run_command<'a>(&'a self, db: &'a str, command: Document) -> CommandFuture<'a>;
}

/// Turns an `ok: 0` reply into an error carrying MongoDB's code, codeName and errmsg.
pub fn check_reply(reply: Document) -> Result<Document, crate::Error> {
    let ok = match reply.get("ok") {
        Some(bson::Bson::Double(d)) => *d != 0.0,
        Some(bson::Bson::Int32(i)) => *i != 0,
        Some(bson::Bson::Int64(i)) => *i != 0,
        Some(bson::Bson::Boolean(b)) => *b,
        _ => true,
    };
    if ok {
        return Ok(reply);
    }
    Err(crate::Error::Command(CommandError {
        code: reply.get_i32("code").unwrap_or(8),
        code_name: reply
            .get_str("codeName")
            .unwrap_or("UnknownError")
            .to_string(),
        errmsg: reply
            .get_str("errmsg")
            .unwrap_or("command failed")
            .to_string(),
    }))
}
