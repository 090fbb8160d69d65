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
pub(crate) mod bson_decode;
pub(crate) mod bson_hash;
pub(crate) mod bson_order;
pub(crate) mod collation;
mod commands;
mod cursor;
mod decimal_bits;
pub(crate) mod doc_template;
pub mod error;
pub mod error_codes;
pub(crate) mod expr;
pub(crate) mod field_values;
pub(crate) mod fields;
pub(crate) mod held;
pub(crate) mod limits;
pub(crate) mod matcher;
pub mod memory;
pub(crate) mod numeric;
pub(crate) mod ops;
pub(crate) mod path;
pub(crate) mod pipeline;
mod prefetch;
pub(crate) mod projection;
pub(crate) mod sort;
pub(crate) mod spill;
pub mod stats;
pub mod storage;
mod ttl;
mod txn;
/// mongod's `RetryableWriteError` label: which commands and errors carry it (a server labels the errors
/// it makes itself with [`label_reply`](error_labels::label_reply)).
pub use txn::labels as error_labels;
pub(crate) mod update;
pub(crate) mod validation;

pub use cursor::{CursorOwner, MAX_OPEN_CURSORS};
pub use error::CommandError;

use crate::engine::error_codes::ErrorCode;
use cursor::Cursors;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use storage::{MemoryStorage, Snapshot, State, Storage};

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
    /// Whether a write without a `writeConcern` (every statement of the SQL surfaces and the library)
    /// waits for its commit to be fsynced before returning, as PostgreSQL's `synchronous_commit = on`
    /// (default `true`). Off: such writes reach the disk within the storage's commit interval (100 ms),
    /// as `j: false` ones do. An explicit `writeConcern` decides for itself (`j: true` or
    /// `w: "majority"` wait; `j: false`, `w: 1` do not).
    pub synchronous_commit: bool,
    /// Memory limits of the blocking stages and where they spill ([`memory::MemoryOptions`]).
    pub memory: memory::MemoryOptions,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            ttl_monitor_interval: Some(Duration::from_secs(60)),
            cursor_timeout: Duration::from_secs(600),
            clock: Arc::new(SystemClock),
            storage: Arc::new(MemoryStorage),
            synchronous_commit: true,
            memory: memory::MemoryOptions::default(),
        }
    }
}

#[derive(Debug)]
struct Inner {
    /// The committed state; readers clone the `Arc` (a snapshot) and release the lock at once.
    state: RwLock<Arc<State>>,
    cursors: Mutex<Cursors>,
    /// Running commands (`currentOp`, `killOp`, `maxTimeMS`).
    ops: ops::Ops,
    opts: EngineOptions,
    /// Why the storage could not be loaded: every command fails with it (never an empty store).
    load_error: Option<CommandError>,
    /// Held while a checkpoint is taken (one at a time).
    checkpointing: Mutex<()>,
    /// Set when the last [`Engine`] handle is dropped: background threads stop.
    closing: std::sync::atomic::AtomicBool,
    /// `setParameter`'s memory limits and the spill directory.
    memory: memory::Parameters,
    /// A fixed "now" ([`Engine::set_fixed_now`]) in milliseconds since the epoch, `i64::MIN` when the clock
    /// runs.
    fixed_now: std::sync::atomic::AtomicI64,
    /// `serverStatus` counters and `profile`'s settings.
    stats: stats::EngineStats,
    /// Logical sessions, their transactions and retryable writes.
    sessions: txn::Sessions,
}

/// An embedded engine. Cheap to clone (`Arc` inside), `Send + Sync`: many tasks may call it at once;
/// every command runs atomically (writers exclude each other, readers share).
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<Inner>,
    /// Counts the handles users hold (clones of this `Engine`), apart from the background threads' brief
    /// references to `inner`: the last handle's drop closes the engine (see `Drop for Engine`).
    handles: Arc<()>,
}

impl Drop for Engine {
    /// The last handle closes the engine before returning: the background threads (TTL monitor,
    /// checkpointer) see `closing` and let go of the engine, waiting for a pass or checkpoint under way (at
    /// most 10 s), so a durable store's journal is flushed and its directory unlocked when the drop returns
    /// (a reopen in the same process right after it never meets its own lock).
    fn drop(&mut self) {
        if Arc::strong_count(&self.handles) > 1 {
            return;
        }
        self.inner
            .closing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while Arc::strong_count(&self.inner) > 1 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Engine {
    /// An in-memory engine with default options (TTL monitor every 60 s).
    pub fn in_memory() -> Engine {
        Engine::with_options(EngineOptions::default())
    }

    /// An engine with the given options; starts the TTL monitor thread when an interval is set. When the
    /// storage cannot load its state, every command of the engine fails with that error (use
    /// [`Engine::try_with_options`] to get the error at once).
    pub fn with_options(opts: EngineOptions) -> Engine {
        match opts.storage.load() {
            Ok(state) => Engine::start(opts, state, None),
            Err(e) => Engine::start(opts, State::default(), Some(e)),
        }
    }

    /// An engine with the given options, or the storage's load error.
    pub fn try_with_options(opts: EngineOptions) -> Result<Engine, CommandError> {
        let state = opts.storage.load()?;
        Ok(Engine::start(opts, state, None))
    }

    /// A durable engine on the data directory `dir` (created when missing): recovers what the directory
    /// holds, locks it against other processes, and journals every commit (see
    /// [`storage::durable`]). Fails on a locked directory, an unknown format version or damaged files.
    ///
    /// ```
    /// use bson::doc;
    /// use sqlmongo::engine::Engine;
    /// let dir = std::env::temp_dir().join(format!("sqlmongo-doc-open-{}", std::process::id()));
    /// {
    ///     let engine = Engine::open(&dir).unwrap();
    ///     engine.run_command("app", &doc! {"insert": "s", "documents": [{"_id": 1}]}).unwrap();
    /// }
    /// let engine = Engine::open(&dir).unwrap();
    /// let reply = engine.run_command("app", &doc! {"count": "s"}).unwrap();
    /// assert_eq!(reply.get_i32("n").unwrap(), 1);
    /// # drop(engine); std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn open(dir: impl AsRef<std::path::Path>) -> Result<Engine, CommandError> {
        let storage = storage::durable::DurableStorage::open(dir, Default::default())?;
        Engine::try_with_options(EngineOptions {
            storage: Arc::new(storage),
            ..EngineOptions::default()
        })
    }

    fn start(opts: EngineOptions, state: State, load_error: Option<CommandError>) -> Engine {
        let interval = opts.ttl_monitor_interval;
        let durable = opts.storage.wants_changes();
        let params = memory::Parameters::new(&opts.memory, opts.storage.data_dir());
        let engine = Engine {
            inner: Arc::new(Inner {
                state: RwLock::new(Arc::new(state)),
                cursors: Mutex::new(Cursors::default()),
                ops: ops::Ops::default(),
                opts,
                load_error,
                checkpointing: Mutex::new(()),
                closing: std::sync::atomic::AtomicBool::new(false),
                memory: params,
                fixed_now: std::sync::atomic::AtomicI64::new(i64::MIN),
                stats: stats::EngineStats::default(),
                sessions: txn::Sessions::default(),
            }),
            handles: Arc::new(()),
        };
        if let Some(every) = interval {
            ttl::spawn_monitor(Arc::downgrade(&engine.inner), every);
        }
        if durable {
            spawn_checkpointer(Arc::downgrade(&engine.inner));
        }
        engine
    }

    /// Takes a checkpoint now (the storage's journal restarts empty, so a restart replays nothing). A
    /// checkpoint also starts by itself when the journal grows past its threshold.
    pub fn checkpoint(&self) -> Result<(), CommandError> {
        checkpoint(&self.inner)
    }

    /// The data directory of a durable engine (`None` in memory).
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self.inner.opts.storage.data_dir()
    }

    /// A consistent copy of every collection, view, index and record (records are shared, not copied):
    /// what `dump` writes while the engine keeps serving.
    pub fn snapshot(&self) -> Result<Snapshot, CommandError> {
        let state = self.inner.state.read().map_err(|_| {
            CommandError::new(ErrorCode::InternalError, "engine state lock poisoned")
        })?;
        Ok(state.snapshot())
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

    /// [`Engine::run_command`] for a caller that makes rows of the result (the SQL executor): an
    /// `aggregate` whose result documents a projection made of one shape replies with each such document as
    /// an array of its values, in the order of the cursor's `fields` (also in every `getMore` reply of its
    /// cursor); documents of another shape stay documents. Other commands reply as
    /// [`run_command`](Engine::run_command) does.
    ///
    /// ```
    /// use sqlmongo::engine::Engine;
    /// use bson::{doc, Bson};
    /// let engine = Engine::in_memory();
    /// engine.run_command("app", &doc! {"insert": "s", "documents": [{"_id": 1, "v": "b"}, {"_id": 2, "v": "a"}]}).unwrap();
    /// let cmd = doc! {"aggregate": "s", "pipeline": [
    ///     {"$project": {"_id": 0, "c0": "$v", "__s0": "$v"}}, {"$sort": {"__s0": 1}}, {"$unset": ["__s0"]},
    /// ], "cursor": {}};
    /// let reply = engine.run_command_rows("app", &cmd).unwrap();
    /// let cursor = reply.get_document("cursor").unwrap();
    /// assert_eq!(cursor.get_array("fields").unwrap(), &vec![Bson::from("c0")]);
    /// assert_eq!(cursor.get_array("firstBatch").unwrap(), &vec![Bson::Array(vec!["a".into()]), Bson::Array(vec!["b".into()])]);
    /// // The same command as documents:
    /// let reply = engine.run_command("app", &cmd).unwrap();
    /// assert_eq!(reply.get_document("cursor").unwrap().get_array("firstBatch").unwrap()[0], Bson::Document(doc! {"c0": "a"}));
    /// ```
    pub fn run_command_rows(
        &self,
        db: &str,
        command: &bson::Document,
    ) -> Result<bson::Document, CommandError> {
        commands::rows_wanted::with_rows(|| self.run_command(db, command))
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
        txn::run(&self.inner, owner, db, command)
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

    /// The logical sessions the engine knows (every `lsid` it has seen, unused for less than 30 minutes),
    /// as `$listLocalSessions` lists them: `{_id: {id: UUID}, lastUse}`, ordered by id.
    pub fn local_sessions(&self) -> Vec<bson::Document> {
        self.inner.sessions.list()
    }

    /// Registers the logical session `lsid` names (`{id: UUID}`), or marks it used now, as the user
    /// (`name`, `db`) when given: what a server does with the `lsid` of every command it does not hand to the
    /// engine whole (`sqlmongo serve` strips it from commands outside transactions and retryable writes).
    /// One hash-map look-up; an `lsid` without a binary `id` is ignored.
    pub fn touch_session(&self, lsid: &bson::Document, user: Option<(&str, &str)>) {
        self.inner.sessions.touch(lsid, user);
    }

    /// Runs one TTL monitor pass now; returns the number of documents deleted.
    pub fn run_ttl_pass(&self) -> usize {
        ttl::pass(&self.inner)
    }

    /// Number of open cursors (they close when exhausted, killed, or idle past the cursor timeout).
    pub fn open_cursors(&self) -> usize {
        self.inner.cursors.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Cursors closed for idleness since the engine started (`serverStatus`' `metrics.cursor.timedOut`).
    pub fn timed_out_cursors(&self) -> u64 {
        self.inner
            .cursors
            .lock()
            .map(|c| c.timed_out())
            .unwrap_or(0)
    }

    /// The slow-operation threshold in milliseconds (mongod's `slowms`, default 100; set by the `profile`
    /// command: `{profile: 0, slowms: N}`). The engine only keeps it: `serve` logs the slow commands.
    pub fn slow_ms(&self) -> i64 {
        self.inner
            .stats
            .slow_ms
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Interrupts every command running on behalf of `owner` (as `killOp` does each): each fails with 11601
    /// `Interrupted` at its next check. Returns how many were running. The REPL cancels its statement so.
    pub fn kill_ops_of(&self, owner: &CursorOwner) -> usize {
        self.inner.ops.kill_owned_by(owner)
    }

    /// Interrupts every running command because the server shuts down: each fails with 11600
    /// `InterruptedAtShutdown` at its next check (a retryable write's error then carries the
    /// `RetryableWriteError` label, so its driver retries it elsewhere). Returns how many were running.
    pub fn interrupt_at_shutdown(&self) -> usize {
        self.inner.ops.kill_all_at_shutdown()
    }

    /// The engine's current time: the fixed time when one is set, else the clock's.
    pub fn now(&self) -> bson::DateTime {
        self.inner.now()
    }

    /// Fixes "now" for every command from here on (`$$NOW`, `$currentDate`, and the TTL monitor's expiry,
    /// so [`Engine::run_ttl_pass`] deletes exactly what has expired at that time); `None` lets the clock run
    /// again. The `sqlmongo` binary's `--now` and SQL's `SET sqlmongo.now` set it.
    ///
    /// ```
    /// let engine = sqlmongo::engine::Engine::in_memory();
    /// let t = bson::DateTime::from_millis(1_767_225_600_000); // 2026-01-01T00:00:00Z
    /// engine.set_fixed_now(Some(t));
    /// assert_eq!(engine.now(), t);
    /// assert_eq!(engine.fixed_now(), Some(t));
    /// engine.set_fixed_now(None);
    /// assert_eq!(engine.fixed_now(), None);
    /// ```
    pub fn set_fixed_now(&self, now: Option<bson::DateTime>) {
        let ms = now.map_or(i64::MIN, |t| t.timestamp_millis().max(i64::MIN + 1));
        self.inner
            .fixed_now
            .store(ms, std::sync::atomic::Ordering::SeqCst);
    }

    /// The time fixed by [`Engine::set_fixed_now`], if any.
    pub fn fixed_now(&self) -> Option<bson::DateTime> {
        self.inner.fixed_now()
    }
}

impl Inner {
    /// The fixed time, if one is set.
    fn fixed_now(&self) -> Option<bson::DateTime> {
        match self.fixed_now.load(std::sync::atomic::Ordering::SeqCst) {
            i64::MIN => None,
            ms => Some(bson::DateTime::from_millis(ms)),
        }
    }

    /// "Now" for a command or a TTL pass: the fixed time, else the clock's.
    fn now(&self) -> bson::DateTime {
        self.fixed_now().unwrap_or_else(|| self.opts.clock.now())
    }

    /// Whether the last [`Engine`] handle is gone (background threads stop).
    fn is_closing(&self) -> bool {
        self.closing.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A snapshot of the committed state for one read: the lock is held only to clone an `Arc`, so a long
    /// read never delays a writer (the writer copies what the snapshot shares on its first write).
    fn read_state(&self) -> Result<Arc<State>, CommandError> {
        self.state
            .read()
            .map(|s| Arc::clone(&s))
            .map_err(|_| CommandError::new(ErrorCode::InternalError, "engine state lock poisoned"))
    }
}

/// Takes a checkpoint: the journal moves to a new generation under the write lock, the state is shared
/// (one `Arc`, as a reader takes it: writers copy on write), and it is written without the lock.
fn checkpoint(inner: &Inner) -> Result<(), CommandError> {
    let poisoned = || CommandError::new(ErrorCode::InternalError, "engine state lock poisoned");
    let _one = inner.checkpointing.lock().map_err(|_| poisoned())?;
    let (generation, state) = {
        let state = inner.state.write().map_err(|_| poisoned())?;
        let generation = inner.opts.storage.begin_checkpoint()?;
        (generation, Arc::clone(&state))
    };
    inner.opts.storage.finish_checkpoint(generation, &state)
}

/// Starts the thread that takes a checkpoint whenever the storage says one is due. It holds a weak
/// reference, so it ends with the engine.
fn spawn_checkpointer(engine: std::sync::Weak<Inner>) {
    let spawned = std::thread::Builder::new()
        .name("sqlmongo-checkpoint".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_millis(250));
            let Some(inner) = engine.upgrade() else { break };
            if inner.is_closing() {
                break;
            }
            if inner.load_error.is_none() && inner.opts.storage.checkpoint_due() {
                if let Err(e) = checkpoint(&inner) {
                    tracing::error!("checkpoint failed: {e}");
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("checkpoint thread not started: {e}; the journal grows until restart");
    }
}

/// Tests: the documents of a cursor reply's `firstBatch` (none when the reply has no cursor).
#[cfg(test)]
pub(crate) fn first_batch(reply: &bson::Document) -> Vec<bson::Document> {
    reply
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|a| a.iter().filter_map(|x| x.as_document().cloned()).collect())
        .unwrap_or_default()
}

/// Tests: the first batch of `{aggregate: coll, pipeline, cursor: {}}` in database `t`, or the error's code.
#[cfg(test)]
pub(crate) fn aggregate_t(
    e: &Engine,
    coll: &str,
    pipeline: &[bson::Bson],
) -> Result<Vec<bson::Document>, i32> {
    let cmd = bson::doc! {"aggregate": coll, "pipeline": pipeline.to_vec(), "cursor": {}};
    e.run_command("t", &cmd)
        .map(|reply| first_batch(&reply))
        .map_err(|e| e.code)
}
