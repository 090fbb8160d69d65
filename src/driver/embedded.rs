//! The embedded backend: runs command documents on an in-process [`Engine`].
//!
//! Commands run on tokio's blocking pool when a runtime is present (a large aggregate does not stall other
//! tasks); otherwise inline. Errors keep MongoDB's code, codeName and errmsg.

use super::{Backend, CommandFuture};
use crate::engine::Engine;
use bson::Document;

/// A backend over the embedded engine.
#[derive(Debug, Clone)]
pub struct EmbeddedBackend {
    engine: Engine,
}

impl EmbeddedBackend {
    /// Wraps an engine.
    pub fn new(engine: Engine) -> Self {
        EmbeddedBackend { engine }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl Backend for EmbeddedBackend {
    fn run_command<'a>(&'a self, db: &'a str, command: Document) -> CommandFuture<'a> {
        Box::pin(async move {
            let engine = self.engine.clone();
            let db_owned = db.to_string();
            let result = match tokio::runtime::Handle::try_current() {
                Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                    tokio::task::block_in_place(|| engine.run_command(&db_owned, &command))
                }
                _ => engine.run_command(&db_owned, &command),
            };
            result.map_err(crate::Error::Command)
        })
    }

    fn cancel_running(&self) {
        self.engine.kill_ops_of(&crate::engine::CursorOwner::Local);
    }

    fn set_fixed_now(&self, now: Option<bson::DateTime>) -> Result<(), crate::Error> {
        self.engine.set_fixed_now(now);
        Ok(())
    }
}
