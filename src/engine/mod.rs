//! Embedded MongoDB-compatible engine.
//!
//! Input: command documents exactly as a mongod receives them; output: reply documents exactly as mongod
//! shapes them. Depends on `bson`, std and tokio only: never on `crate::{sql, translate, mql, driver, cli}`.
//! See `docs/architecture.md` (contract 1).
//!
//! ```
//! use bson::doc;
//! use sqlmongo::engine::Engine;
//!
//! let engine = Engine::in_memory();
//! engine.run_command("app", &doc! {"insert": "user_sessions", "documents": [{"_id": "s1", "user_id": 7}]}).unwrap();
//! let reply = engine.run_command("app", &doc! {"find": "user_sessions", "filter": {"user_id": 7}}).unwrap();
//! let batch = reply.get_document("cursor").unwrap().get_array("firstBatch").unwrap();
//! assert_eq!(batch.len(), 1);
//! ```

mod bson_bytes;
pub mod bson_hash;
pub mod bson_order;
mod commands;
mod cursor;
pub mod error;
pub mod error_codes;
pub mod expr;
pub mod fields;
pub mod limits;
pub mod matcher;
pub mod numeric;
pub mod path;
pub mod pipeline;
mod prefetch;
pub mod projection;
pub mod sort;
pub mod storage;
mod ttl;
pub mod update;
pub mod validation;

pub use cursor::{CursorOwner, MAX_OPEN_CURSORS};
pub use error::CommandError;

use cursor::Cursors;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use storage::{MemoryStorage, State, Storage};

/// The engine's source of "now" (`$$NOW`, `$currentDate`, TTL expiry). Tests substitute a fixed clock.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> bson::DateTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> bson::DateTime {
        bson::DateTime::now()
    }
}

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// How often the TTL monitor deletes expired documents (mongod: 60 s). `None` disables the monitor
    /// (passes can still be run with [`Engine::run_ttl_pass`]).
    pub ttl_monitor_interval: Option<Duration>,
    /// Idle time after which an open cursor is closed (mongod: 10 minutes).
    pub cursor_timeout: Duration,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Where committed state lives.
    pub storage: Arc<dyn Storage>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            ttl_monitor_interval: Some(Duration::from_secs(60)),
            cursor_timeout: Duration::from_secs(600),
            clock: Arc::new(SystemClock),
            storage: Arc::new(MemoryStorage),
        }
    }
}

#[derive(Debug)]
struct Inner {
    state: RwLock<State>,
    cursors: Mutex<Cursors>,
    opts: EngineOptions,
}

/// An embedded engine. Cheap to clone (`Arc` inside), `Send + Sync`: many tasks may call it at once;
/// every command runs atomically (writers exclude each other, readers share).
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl Engine {
    /// An in-memory engine with default options (TTL monitor every 60 s).
    pub fn in_memory() -> Engine {
        Engine::with_options(EngineOptions::default())
    }

    /// An engine with the given options; starts the TTL monitor thread when an interval is set.
    pub fn with_options(opts: EngineOptions) -> Engine {
        let state = opts.storage.load().unwrap_or_default();
        let interval = opts.ttl_monitor_interval;
        let engine = Engine {
            inner: Arc::new(Inner {
                state: RwLock::new(state),
                cursors: Mutex::new(Cursors::default()),
                opts,
            }),
        };
        if let Some(every) = interval {
            ttl::spawn_monitor(Arc::downgrade(&engine.inner), every);
        }
        engine
    }

    /// Runs one command document against database `db`, exactly as mongod would, and returns the reply
    /// document. Command-level failures are `Err(CommandError)`; write errors are `writeErrors` in an
    /// `ok: 1` reply, as mongod reports them.
    pub fn run_command(
        &self,
        db: &str,
        command: &bson::Document,
    ) -> Result<bson::Document, CommandError> {
        self.run_command_as(&CursorOwner::Local, db, command)
    }

    /// [`Engine::run_command`] on behalf of `owner`: the cursors the command opens belong to `owner`, and a
    /// `getMore` or `killCursors` of a cursor `owner` did not open fails with 13 `Unauthorized`. The wire
    /// server runs each client's commands as its connection or session.
    pub fn run_command_as(
        &self,
        owner: &CursorOwner,
        db: &str,
        command: &bson::Document,
    ) -> Result<bson::Document, CommandError> {
        limits::check_command(command)?;
        commands::run(&self.inner, owner, db, command)
    }

    /// Runs one command given as BSON bytes (as a wire client sends it) and returns the reply as BSON bytes.
    /// Same semantics as [`Engine::run_command`]; a `find` by a key that a single-field index serves (`_id`,
    /// a unique `session_id`) is answered from one index probe and the stored bytes, without parsing either.
    ///
    /// ```
    /// use sqlmongo::engine::Engine;
    /// use bson::{doc, rawdoc, Document};
    /// let engine = Engine::in_memory();
    /// engine.run_command("app", &doc! {"insert": "s", "documents": [{"_id": "k1", "v": 1}]}).unwrap();
    /// let reply = engine.run_command_raw("app", &rawdoc! {"find": "s", "filter": {"_id": "k1"}}).unwrap();
    /// let reply = Document::try_from(reply).unwrap();
    /// assert_eq!(reply.get_document("cursor").unwrap().get_array("firstBatch").unwrap().len(), 1);
    /// ```
    pub fn run_command_raw(
        &self,
        db: &str,
        command: &bson::RawDocument,
    ) -> Result<bson::RawDocumentBuf, CommandError> {
        self.run_command_raw_as(&CursorOwner::Local, db, command)
    }

    /// [`Engine::run_command_raw`] on behalf of `owner` (see [`Engine::run_command_as`]).
    pub fn run_command_raw_as(
        &self,
        owner: &CursorOwner,
        db: &str,
        command: &bson::RawDocument,
    ) -> Result<bson::RawDocumentBuf, CommandError> {
        commands::run_raw(&self.inner, owner, db, command)
    }

    /// Runs one TTL monitor pass now; returns the number of documents deleted.
    pub fn run_ttl_pass(&self) -> usize {
        ttl::pass(&self.inner)
    }

    /// Number of open cursors (they close when exhausted, killed, or idle past the cursor timeout).
    pub fn open_cursors(&self) -> usize {
        self.inner.cursors.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// The engine's current time.
    pub fn now(&self) -> bson::DateTime {
        self.inner.opts.clock.now()
    }
}
