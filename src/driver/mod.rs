//! Backends that execute MongoDB command documents, and the executor that runs a translated plan on one.
//!
//! A [`Backend`] is shaped like a command: a command document in, a reply document out (an `ok: 0` reply
//! becomes an error that keeps MongoDB's code and message). The embedded engine and a real deployment both
//! sit behind it, so both see the same bytes. `execute.rs` turns a plan's replies into rows or counts.

pub mod embedded;
pub mod execute;
#[cfg(feature = "mongodb")]
pub mod mongo;
mod row_batches;
pub mod transaction;

use crate::command_error::CommandError;
use crate::command_error::ErrorCode;
use bson::Document;
use std::future::Future;
use std::pin::Pin;

/// The future a backend returns.
pub type CommandFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Document, crate::Error>> + Send + 'a>>;

/// Receives a cursor's documents batch by batch ([`Backend::stream_cursor`]); an error stops the stream.
pub type BatchSink<'a> = dyn FnMut(Vec<Document>) -> Result<(), crate::Error> + Send + 'a;

/// The future of [`Backend::stream_cursor`].
pub type StreamFuture<'a> = Pin<Box<dyn Future<Output = Result<(), crate::Error>> + Send + 'a>>;

/// A cursor's documents batch by batch, read as they are pulled ([`Backend::open_cursor`]); dropping it
/// closes the cursor.
pub type CursorBatches =
    Pin<Box<dyn futures_core::Stream<Item = Result<Vec<Document>, crate::Error>> + Send>>;

/// What [`Backend::open_cursor`] did.
pub enum OpenedCursor {
    /// The cursor is open; its batches come as the stream is pulled.
    Batches(CursorBatches),
    /// Nothing ran (the default): here is the command back, to run with `run_command` and read with
    /// `getMore`.
    NotHandled(Document),
}

/// The future of [`Backend::open_cursor`].
pub type OpenCursorFuture<'a> =
    Pin<Box<dyn Future<Output = Result<OpenedCursor, crate::Error>> + Send + 'a>>;

/// The future of [`Backend::begin_transaction`] / [`Backend::end_transaction`].
pub type TxnFuture<'a> = Pin<Box<dyn Future<Output = Result<(), crate::Error>> + Send + 'a>>;

/// Something that runs MongoDB commands against a database.
pub trait Backend: Send + Sync {
    /// Runs one command document against database `db` and returns mongod's reply.
    fn run_command<'a>(&'a self, db: &'a str, command: Document) -> CommandFuture<'a>;

    /// Runs a query command (`aggregate`, `find`) whose result the caller makes rows of: a backend may then
    /// answer with batches whose items are arrays of a document's values in the order of the cursor's
    /// `fields` (the embedded engine: [`Engine::run_command_rows`](crate::engine::Engine::run_command_rows)).
    /// The default runs [`run_command`](Self::run_command).
    fn run_query<'a>(&'a self, db: &'a str, command: Document) -> CommandFuture<'a> {
        self.run_command(db, command)
    }

    /// Runs a command that opens a cursor (`find`, `aggregate`) and hands its documents to `sink` as they
    /// arrive, batch by batch, so a caller never holds the whole result. The default sends `getMore` until the
    /// cursor is exhausted; a backend whose cursors live in a session (the official driver) overrides it.
    fn stream_cursor<'a>(
        &'a self,
        db: &'a str,
        command: Document,
        sink: &'a mut BatchSink<'a>,
    ) -> StreamFuture<'a> {
        Box::pin(async move {
            let mut reply = check_reply(self.run_command(db, command).await?)?;
            let Ok(cursor) = reply.get_document_mut("cursor") else {
                return Err(crate::Error::Command(CommandError::new(
                    ErrorCode::UnknownError,
                    "reply has no cursor",
                )));
            };
            sink(execute::batch(cursor, "firstBatch"))?;
            let mut id = execute::cursor_id(cursor);
            let ns = cursor.get_str("ns").unwrap_or("").to_string();
            let coll = ns.split_once('.').map(|(_, c)| c.to_string()).unwrap_or(ns);
            while id != 0 {
                let mut more = check_reply(
                    self.run_command(db, bson::doc! {"getMore": id, "collection": &coll})
                        .await?,
                )?;
                let Ok(c) = more.get_document_mut("cursor") else {
                    break;
                };
                sink(execute::batch(c, "nextBatch"))?;
                id = execute::cursor_id(c);
            }
            Ok(())
        })
    }

    /// Runs a command that opens a cursor (`find`, `aggregate`) and returns its batches as a stream the
    /// backend reads on demand, for a backend whose cursors must be read in the session that opened them
    /// (the official driver). The default runs nothing and hands the command back
    /// ([`OpenedCursor::NotHandled`]): the caller reads the cursor with `run_command` and `getMore` itself.
    fn open_cursor<'a>(&'a self, _db: &'a str, command: Document) -> OpenCursorFuture<'a> {
        Box::pin(async { Ok(OpenedCursor::NotHandled(command)) })
    }

    /// Interrupts the commands this process is running through the backend (a canceled statement: Ctrl-C in
    /// the REPL). The embedded engine makes each fail with 11601 `Interrupted`; the default does nothing, as a
    /// remote command is canceled by dropping its future.
    fn cancel_running(&self) {}

    /// Fixes the time `NOW()` / `CURRENT_TIMESTAMP` (`$$NOW`) reads for every later command (`None`: the
    /// clock runs again): `--now`, `SET sqlmongo.now`. The embedded engine fixes its own clock (the TTL
    /// monitor then expires by that time too); the official-driver backend puts the date in place of
    /// `$$NOW` in each command it sends, as mongod's clock cannot be set. The default refuses.
    fn set_fixed_now(&self, now: Option<bson::DateTime>) -> Result<(), crate::Error> {
        let _ = now;
        Err(crate::Error::Parameter(
            "this backend cannot fix NOW() (sqlmongo.now)".into(),
        ))
    }

    /// Runs one pass of the TTL monitor now and returns how many documents it deleted
    /// (`CALL sqlmongo.run_ttl_monitor()`): the command `{sqlmongoRunTTLMonitor: 1}` on `admin`, which the
    /// embedded engine and `sqlmongo serve` answer. A MongoDB deployment has no such command (its monitor runs
    /// on its own every 60 s): that is a clear refusal.
    fn run_ttl_pass(&self) -> Pin<Box<dyn Future<Output = Result<u64, crate::Error>> + Send + '_>> {
        Box::pin(async move {
            let reply = self
                .run_command(
                    "admin",
                    // `$$NOW`: a backend with a fixed now (`--uri` with `SET sqlmongo.now`) sends its date,
                    // so the pass expires by the client's clock.
                    bson::doc! {"sqlmongoRunTTLMonitor": 1, "now": "$$NOW"},
                )
                .await
                .and_then(check_reply);
            match reply {
                Ok(r) => Ok(r.get_i64("deleted").map_or(0, |n| n.max(0) as u64)),
                Err(crate::Error::Command(e)) if e.code == ErrorCode::CommandNotFound.code() => {
                    Err(crate::Error::Parameter(
                        "sqlmongo.run_ttl_monitor(): this MongoDB server cannot run its TTL monitor on \
                         demand (mongod runs it every ttlMonitorSleepSecs, 60 s by default); delete \
                         expired documents with DELETE ... WHERE expires_at < NOW() instead"
                            .into(),
                    ))
                }
                Err(e) => Err(e),
            }
        })
    }

    /// Opens a transaction block (SQL `BEGIN`): the commands of the statements that follow run in one
    /// transaction until [`Backend::end_transaction`]. The default refuses: the backend has no
    /// transactions.
    fn begin_transaction(&self) -> TxnFuture<'_> {
        Box::pin(async {
            Err(crate::Error::Transaction(
                "this backend does not run transactions".into(),
            ))
        })
    }

    /// Ends the open transaction block: commits it when `commit`, else rolls it back. The default has
    /// nothing to end.
    fn end_transaction(&self, commit: bool) -> TxnFuture<'_> {
        let _ = commit;
        Box::pin(async { Ok(()) })
    }

    /// Where the transaction block stands ([`transaction::TxnState::Idle`] when there is none).
    fn transaction_state(&self) -> transaction::TxnState {
        transaction::TxnState::Idle
    }

    /// Marks the open transaction block failed (a statement inside it failed): later statements are
    /// refused until it ends. Nothing happens outside a block.
    fn fail_transaction(&self) {}

    /// Ends the backend's background work (a driver's connection pools and monitors) before its runtime
    /// goes away. The default has nothing to end.
    fn shutdown(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async {})
    }
}

/// The fields of an error reply (or a `writeErrors` entry) beyond `ok`, `code`, `codeName`, `errmsg` and
/// `index`: `keyPattern`, `keyValue`, `errInfo`, ... (see [`CommandError::extra`]).
pub(crate) fn detail_fields(reply: &bson::Document) -> Option<Box<bson::Document>> {
    const KEPT: [&str; 4] = ["keyPattern", "keyValue", "errInfo", "errorLabels"];
    let extra: bson::Document = reply
        .iter()
        .filter(|(k, _)| KEPT.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (!extra.is_empty()).then(|| Box::new(extra))
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
        extra: detail_fields(&reply),
    }))
}
