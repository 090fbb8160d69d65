//! The embedded backend: runs command documents on an in-process [`Engine`].
//!
//! Commands run on tokio's blocking pool when a runtime is present (a large aggregate does not stall other
//! tasks); otherwise inline. Errors keep MongoDB's code, codeName and errmsg.

use super::transaction::{TxnBlock, TxnState};
use super::{Backend, CommandFuture, TxnFuture};
use crate::engine::Engine;
use bson::Document;
use std::sync::{Arc, Mutex};

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
        let result = match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| self.engine.run_command(db, command))
            }
            _ => self.engine.run_command(db, command),
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
            let command = self.block().attach(command);
            self.run_now(db, &command)
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
