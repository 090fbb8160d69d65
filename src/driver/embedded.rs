//! The embedded backend: runs command documents on an in-process [`Engine`].
//!
//! Commands run on tokio's blocking pool when a runtime is present (a large aggregate does not stall other
//! tasks); otherwise inline. Errors keep MongoDB's code, codeName and errmsg.

use super::transaction::{TxnBlock, TxnState};
use super::{Backend, CommandFuture, TxnFuture};
use crate::engine::Engine;
use bson::{oid::ObjectId, Bson, Document};
use std::sync::{Arc, Mutex};

/// An `insert` command with an `_id` put first in each document that has none, as MongoDB's drivers do
/// before they send an insert: the engine then stores each document as it is, without a copy of its own to
/// put the `_id` in (the documents here are owned; the engine only borrows the command).
fn with_ids(mut command: Document) -> Document {
    if command.keys().next().map(String::as_str) != Some("insert") {
        return command;
    }
    if let Ok(docs) = command.get_array_mut("documents") {
        // Room for the `_id` and the fields of the widest document: no document grows as it is rebuilt.
        let widest = docs.iter().map(|d| match d {
            Bson::Document(d) => d.len(),
            _ => 0,
        });
        let room = crate::mql::room::Room::new(widest.max().unwrap_or(0) + 1);
        for d in docs.iter_mut() {
            if let Bson::Document(doc) = d {
                if !doc.contains_key("_id") {
                    let mut out = room.document();
                    out.insert("_id", ObjectId::new());
                    out.extend(std::mem::take(doc));
                    *doc = out;
                }
            }
        }
    }
    command
}

/// A backend over the embedded engine. Its clones share one transaction block (one logical session).
#[derive(Debug, Clone)]
pub struct EmbeddedBackend {
    engine: Engine,
    txn: Arc<Mutex<TxnBlock>>,
}

impl EmbeddedBackend {
    /// Wraps an engine.
    pub fn new(engine: Engine) -> Self {
        EmbeddedBackend {
            engine,
            txn: Arc::default(),
        }
    }

    fn block(&self) -> std::sync::MutexGuard<'_, TxnBlock> {
        self.txn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs a command on the engine, on tokio's blocking pool when there is a multi-thread runtime.
    fn run_now(&self, db: &str, command: &Document) -> Result<Document, crate::Error> {
        self.run_on_engine(|| self.engine.run_command(db, command))
    }

    /// `run` (a command on the engine) on tokio's blocking pool when there is a multi-thread runtime.
    fn run_on_engine(
        &self,
        run: impl FnOnce() -> Result<Document, crate::engine::CommandError>,
    ) -> Result<Document, crate::Error> {
        let result = match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(run)
            }
            _ => run(),
        };
        result.map_err(crate::Error::Command)
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl Backend for EmbeddedBackend {
    fn run_command<'a>(&'a self, db: &'a str, command: Document) -> CommandFuture<'a> {
        Box::pin(async move {
            let command = self.block().attach(with_ids(command));
            self.run_now(db, &command)
        })
    }

    fn run_query<'a>(&'a self, db: &'a str, command: Document) -> CommandFuture<'a> {
        Box::pin(async move {
            let command = self.block().attach(command);
            self.run_on_engine(|| self.engine.run_command_rows(db, &command))
        })
    }

    fn begin_transaction(&self) -> TxnFuture<'_> {
        self.block().begin();
        Box::pin(async { Ok(()) })
    }

    fn end_transaction(&self, commit: bool) -> TxnFuture<'_> {
        let command = self.block().end(commit);
        Box::pin(async move {
            let Some(command) = command else {
                return Ok(());
            };
            match self.run_now("admin", &command) {
                // A rollback of a transaction the engine already aborted (a failed statement) is done.
                Err(crate::Error::Command(e)) if !commit && e.code == 251 => Ok(()),
                other => other.map(|_| ()),
            }
        })
    }

    fn transaction_state(&self) -> TxnState {
        self.block().state()
    }

    fn fail_transaction(&self) {
        self.block().fail();
    }

    fn cancel_running(&self) {
        self.engine.kill_ops_of(&crate::engine::CursorOwner::Local);
    }

    fn set_fixed_now(&self, now: Option<bson::DateTime>) -> Result<(), crate::Error> {
        self.engine.set_fixed_now(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::with_ids;
    use bson::{doc, Bson};

    /// A document without `_id` gets a new ObjectId first, its fields after in their order; a document with
    /// an `_id` anywhere is left to the engine; other commands are untouched.
    #[test]
    fn inserts_get_an_id_first_as_drivers_send_them() {
        let cmd =
            with_ids(doc! {"insert": "c", "documents": [{"a": 1, "b": "x"}, {"b": 2, "_id": 7}]});
        let docs = cmd.get_array("documents").expect("documents");
        let Some(Bson::Document(first)) = docs.first() else {
            panic!("{docs:?}")
        };
        assert_eq!(first.keys().collect::<Vec<_>>(), ["_id", "a", "b"]);
        assert!(matches!(first.get("_id"), Some(Bson::ObjectId(_))));
        assert_eq!(docs[1], Bson::Document(doc! {"b": 2, "_id": 7}));
        let update = doc! {"update": "c", "documents": [{"a": 1}]};
        assert_eq!(with_ids(update.clone()), update);
    }
}
