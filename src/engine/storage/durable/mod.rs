//! The durable store of `--data DIR`: a checksummed journal of commits plus checkpoints, behind the
//! [`Storage`] seam. The engine keeps its in-memory records and indexes (the fast paths are unchanged); the
//! directory holds the durable copy.
//!
//! Files of a data directory:
//! - `sqlmongo.format`: the format version (a directory of another version is refused);
//! - `sqlmongo.lock`: locked while a process has the store open (a second one gets `DBPathInUse`);
//! - `journal-G.wal`: the commits made after checkpoint `G`, one checksummed frame each, then zeros
//!   written ahead (preallocated, see [`prealloc`]);
//! - `checkpoint-G.ckpt`: the state when journal `G` began (absent for `G` = 0, the empty state): full,
//!   or incremental on an older checkpoint (see [`checkpoint`]).
//!
//! A checkpoint starts when the journal passes [`DurableOptions::checkpoint_bytes`]: under the engine's
//! write lock the journal moves to generation `G + 1` and the state is shared (one `Arc`: writers copy
//! on write); it is written to `checkpoint-(G+1).ckpt.tmp` (only the chunks of records changed since the
//! checkpoint before, when incremental), fsynced and renamed; then the journals before `G + 1` and the
//! checkpoints its chain does not need are deleted. Recovery (see [`recover`]) loads the newest
//! checkpoint and the chain it builds on, and replays the journals from its generation on. Why a hand-written journal rather than redb or fjall: the engine's
//! state stays in memory, so the disk needs only an append-only redo log and a snapshot, and group commit
//! needs control of the fsync point (a commit is appended under the engine's lock and waited for after it
//! is released); an embedded B-tree or LSM store would keep a second copy of every index and pay its own
//! write path per commit. The format is small: see [`format`].

mod checkpoint;
mod direct;
mod format;
mod journal;
mod load;
#[cfg(test)]
mod load_tests;
mod mapped;
mod prealloc;
mod recover;

pub use format::FORMAT_VERSION;

use super::{Change, Snapshot, State, Storage};
use crate::engine::error_codes::ErrorCode;
use crate::engine::CommandError;
use journal::{failure, Journal};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Settings of a durable store.
#[derive(Debug, Clone)]
pub struct DurableOptions {
    /// How often writes nobody waits for (`j: false`) are flushed and fsynced (mongod's
    /// `storage.journal.commitIntervalMs`, 100 ms).
    pub commit_interval: Duration,
    /// Journal size past which a checkpoint is taken (bounds recovery time and disk use).
    pub checkpoint_bytes: u64,
    /// The largest step by which the journal file is preallocated (zeros written ahead of its end, in
    /// steps doubling from 1 MB, so that a flush's `fdatasync` has no file size to make durable); 0: no
    /// preallocation, every flush appends. A step is at most a quarter of `checkpoint_bytes` (the journal
    /// starts anew at a checkpoint: zeros far past that size would never be used).
    pub journal_preallocation: u64,
    /// Incremental checkpoints: a checkpoint writes only the chunks of records changed since the one
    /// before, until the chain (the last full checkpoint and the incremental ones on it, which recovery
    /// reads whole) would hold more than the store's records plus this fraction of them, when a full one
    /// is written instead. 0: every checkpoint is full.
    pub incremental_ratio: f64,
    /// Buffered journal bytes past which the background flusher writes them at once instead of at the
    /// end of its interval (0: only every `commit_interval`). Under a steady `j: false` load the journal
    /// then reaches the file in pieces of this size, written while still in the processor's cache,
    /// rather than in one large write per interval (`commit_interval` still bounds how long a commit
    /// waits for the disk).
    pub flush_bytes: u64,
    /// Journal flushes of at least this many bytes of commits (the background flushes of a steady
    /// `j: false` load) are written with `O_DIRECT` on Linux, from the journal's buffer straight to the
    /// device instead of through a copy into the page cache; smaller ones (group commits of waited-for
    /// writes) are written through the page cache. Every flush is fsynced alike. 0: never.
    pub direct_write_bytes: u64,
    /// Checkpoint files are written directly too (`O_DIRECT`, in pieces of about a megabyte: no copy
    /// into the page cache). Off by default: a store reopened after a checkpoint so written reads it from
    /// the device, not from the page cache (a 1M-session reopen right after: 1 s CPU warm, 3-4 s CPU
    /// and 8-10 s wall on a loaded machine cold), while the CPU it saves during a steady load was within
    /// the measurements' noise.
    pub direct_checkpoints: bool,
}

impl DurableOptions {
    /// The journal's largest preallocation step (0: none).
    fn max_step(&self) -> u64 {
        self.journal_preallocation.min(self.checkpoint_bytes / 4)
    }
}

impl Default for DurableOptions {
    fn default() -> Self {
        DurableOptions {
            commit_interval: Duration::from_millis(100),
            checkpoint_bytes: 64 << 20,
            journal_preallocation: 64 << 20,
            incremental_ratio: 0.5,
            flush_bytes: 1 << 20,
            direct_write_bytes: 256 << 10,
            direct_checkpoints: false,
        }
    }
}

/// What recovery did when the store was opened.
#[derive(Debug, Clone, Default)]
pub struct Recovery {
    /// The generation of the checkpoint loaded, if any.
    pub checkpoint: Option<u64>,
    /// Records the checkpoint held.
    pub checkpoint_records: u64,
    /// Checkpoint files read: the full one and the incremental ones on it.
    pub checkpoint_files: usize,
    /// Commits replayed from the journals.
    pub journal_commits: u64,
    /// A torn or damaged end of the newest journal that was cut off.
    pub tail_cut: Option<TailCut>,
    /// How long recovery took.
    pub elapsed: Duration,
}

/// The cut end of a journal.
#[derive(Debug, Clone)]
pub struct TailCut {
    /// The journal.
    pub file: PathBuf,
    /// Where the last whole commit ends (the file's new length).
    pub offset: u64,
    /// Bytes removed.
    pub bytes: u64,
    /// What was wrong there.
    pub reason: String,
}

/// What one checkpoint wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointWritten {
    /// Whether it was incremental (only the chunks of records changed since the checkpoint before).
    pub incremental: bool,
    /// Records written.
    pub records: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// The durable store of a data directory. Opening it takes the directory's lock and recovers its state;
/// dropping it flushes the journal and releases the lock.
#[derive(Debug)]
pub struct DurableStorage {
    dir: PathBuf,
    journal: Arc<Journal>,
    opts: DurableOptions,
    loaded: Mutex<Option<State>>,
    recovery: Recovery,
    flusher: Mutex<Option<JoinHandle<()>>>,
    /// The checkpoints recovery reads now, and the state the newest holds.
    chain: Mutex<Option<checkpoint::Chain>>,
    /// What the checkpoints since open wrote.
    written: Mutex<Vec<checkpoint::Written>>,
    /// Held for the life of the store (the lock is released when the file is closed).
    _lock: File,
}

const FORMAT_FILE: &str = "sqlmongo.format";
const LOCK_FILE: &str = "sqlmongo.lock";

/// The path of the checkpoint of `generation`.
fn checkpoint_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("checkpoint-{generation:020}.ckpt"))
}

/// fsyncs a directory (so that created, renamed and deleted entries are durable).
fn sync_dir(dir: &Path) -> Result<(), String> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("cannot sync the directory {}: {e}", dir.display()))
}

fn open_error(msg: String) -> CommandError {
    CommandError::new(ErrorCode::UnknownError, msg)
}

impl DurableStorage {
    /// Opens (or creates) the store in `dir`: takes its lock, checks its format version and recovers its
    /// state. Errors name the file and the offset; a store that cannot be loaded is never opened empty.
    pub fn open(
        dir: impl AsRef<Path>,
        opts: DurableOptions,
    ) -> Result<DurableStorage, CommandError> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir)
            .map_err(|e| open_error(format!("cannot create {}: {e}", dir.display())))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| open_error(format!("cannot open {}: {e}", lock_path.display())))?;
        match lock_waiting_out_forks(&lock) {
            Ok(true) => {}
            Ok(false) => {
                return Err(CommandError::new(ErrorCode::DBPathInUse, format!(
                        "Unable to lock the lock file: {} (Resource temporarily unavailable). Another sqlmongo process is already using the data directory {}",
                        lock_path.display(),
                        dir.display()
                    ),
                ))
            }
            Err(e) => {
                return Err(open_error(format!("cannot lock {}: {e}", lock_path.display())))
            }
        }
        let files = recover::list(&dir, true).map_err(open_error)?;
        let upgrade = check_format(&dir, &files)?;
        let (state, journal, recovery, chain) = if files.journals.is_empty() {
            if let Some(g) = files.checkpoints.last() {
                return Err(open_error(format!(
                    "{} is missing (checkpoint {g} is there): restore the directory from a backup",
                    journal::journal_path(&dir, *g).display()
                )));
            }
            let file = journal::create_journal(&dir, 0).map_err(open_error)?;
            let j = Journal::new(
                dir.clone(),
                file,
                0,
                format::FILE_HEADER as u64,
                0,
                opts.max_step(),
            )
            .with_flush_bytes(opts.flush_bytes)
            .with_direct_writes(opts.direct_write_bytes);
            (State::default(), j, Recovery::default(), None)
        } else {
            let r = recover::recover(&dir, &files, false).map_err(open_error)?;
            let path = journal::journal_path(&dir, r.generation);
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(|e| open_error(format!("cannot open {}: {e}", path.display())))?;
            let j = Journal::new(
                dir.clone(),
                file,
                r.generation,
                r.journal_len,
                r.last_seq,
                opts.max_step(),
            )
            .with_flush_bytes(opts.flush_bytes)
            .with_direct_writes(opts.direct_write_bytes);
            (r.state, j, r.report, r.chain)
        };
        if recovery.checkpoint.is_some() || recovery.journal_commits > 0 {
            tracing::info!(
                "recovered {}: checkpoint {:?} ({} records), {} journal commit(s), in {:.3} s",
                dir.display(),
                recovery.checkpoint,
                recovery.checkpoint_records,
                recovery.journal_commits,
                recovery.elapsed.as_secs_f64()
            );
        }
        if let Some(v) = upgrade {
            // A version 1 store opened as it is; from now on this build may write incremental checkpoints
            // into it, which a version 1 build cannot read: the stamp says so (only once it recovered).
            tracing::info!(
                "{}: format version {v} upgraded to {FORMAT_VERSION} (a build that reads version {v} only will refuse it)",
                dir.display()
            );
            write_stamp(&dir, &dir.join(FORMAT_FILE))?;
        }
        let journal = Arc::new(journal);
        let flusher = journal::spawn_flusher(journal.clone(), opts.commit_interval);
        Ok(DurableStorage {
            dir,
            journal,
            opts,
            loaded: Mutex::new(Some(state)),
            recovery,
            flusher: Mutex::new(flusher),
            chain: Mutex::new(chain),
            written: Mutex::new(Vec::new()),
            _lock: lock,
        })
    }

    /// The state of the store in `dir` as of its last durable commit, read without taking the lock or
    /// changing any file: a consistent copy even while another process (`sqlmongo serve --data DIR`) writes
    /// the store (a checkpoint that removes files meanwhile makes it read them again).
    pub fn read_snapshot(dir: impl AsRef<Path>) -> Result<Snapshot, CommandError> {
        let dir = dir.as_ref();
        let mut last = String::new();
        for _ in 0..10 {
            let files = recover::list(dir, false).map_err(open_error)?;
            if files.journals.is_empty() {
                return Err(open_error(format!(
                    "{} holds no sqlmongo store (no journal file)",
                    dir.display()
                )));
            }
            check_format_read_only(dir)?;
            match recover::recover(dir, &files, true) {
                Ok(r) => return Ok(r.state.snapshot()),
                // A checkpoint finished and removed the older files while they were read: again.
                Err(e) if e.contains("No such file") || e.contains("is missing") => last = e,
                Err(e) => return Err(open_error(e)),
            }
        }
        Err(open_error(last))
    }

    /// What recovery did at open.
    pub fn recovery(&self) -> &Recovery {
        &self.recovery
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Journal flushes (one write and one fsync each) done since open: with group commit, fewer than the
    /// commits waited for.
    pub fn fsyncs(&self) -> u64 {
        self.journal.fsyncs()
    }

    /// Journal flushes written directly (`O_DIRECT`, see [`DurableOptions::direct_write_bytes`]) since
    /// open.
    pub fn direct_writes(&self) -> u64 {
        self.journal.direct_writes()
    }

    /// What each checkpoint written since open was: incremental or full, records and bytes written.
    pub fn checkpoints_written(&self) -> Vec<CheckpointWritten> {
        self.written
            .lock()
            .map(|w| {
                w.iter()
                    .map(|w| CheckpointWritten {
                        incremental: w.incremental,
                        records: w.records,
                        bytes: w.bytes,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// [`try_lock`], tried again for up to a second while it fails: when this process has just closed the
/// store, a child it forked meanwhile (any `std::process::Command`) holds a copy of the lock file's descriptor,
/// and with it the lock, until its `exec` closes it. A store another process really holds still fails, after
/// that second.
fn lock_waiting_out_forks(file: &File) -> std::io::Result<bool> {
    for _ in 0..50 {
        if try_lock(file)? {
            return Ok(true);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    try_lock(file)
}

/// Takes an exclusive lock on `file` without waiting: `Ok(false)` when another process holds it. The lock
/// goes with the open file (released when it is closed, also by a crash).
#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor this function borrows for the duration of the call.
    let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.kind() == std::io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(e)
    }
}

/// Without `flock`, the directory is not locked (a second process is not detected).
#[cfg(not(unix))]
fn try_lock(_file: &File) -> std::io::Result<bool> {
    Ok(true)
}

/// Checks the format stamp of a store read without its lock.
fn check_format_read_only(dir: &Path) -> Result<(), CommandError> {
    let path = dir.join(FORMAT_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| open_error(format!("cannot read {}: {e}", path.display())))?;
    let version = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("sqlmongo data directory, format "))
        .and_then(|v| v.trim().parse::<u32>().ok());
    match version {
        Some(v) if format::READS.contains(&v) => Ok(()),
        _ => Err(CommandError::new(
            ErrorCode::UnsupportedFormat,
            format!(
                "{}: not format version {} or {}",
                path.display(),
                format::READS[0],
                format::READS[1]
            ),
        )),
    }
}

/// Checks (or, for a new directory, writes) the format stamp; returns the older version a store is
/// stamped with (to restamp once it is recovered).
fn check_format(dir: &Path, files: &recover::Files) -> Result<Option<u32>, CommandError> {
    let path = dir.join(FORMAT_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let version = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("sqlmongo data directory, format "))
                .and_then(|v| v.trim().parse::<u32>().ok());
            match version {
                Some(v) if format::READS.contains(&v) => {
                    if files.journals.is_empty() && files.checkpoints.is_empty() {
                        return Err(open_error(format!(
                            "{} has no journal or checkpoint files although {} says it holds a store: they are missing (restore the directory from a backup)",
                            dir.display(),
                            path.display()
                        )));
                    }
                    Ok((v != FORMAT_VERSION).then_some(v))
                }
                Some(v) => Err(CommandError::new(
                    ErrorCode::UnsupportedFormat,
                    format!(
                        "{} holds format version {v}; this sqlmongo reads versions {} and {} only",
                        dir.display(),
                        format::READS[0],
                        format::READS[1]
                    ),
                )),
                None => Err(open_error(format!(
                    "{} is not a sqlmongo format stamp",
                    path.display()
                ))),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !files.journals.is_empty() || !files.checkpoints.is_empty() {
                return Err(open_error(format!(
                    "{} is missing but the directory holds data files",
                    path.display()
                )));
            }
            write_stamp(dir, &path).map(|()| None)
        }
        Err(e) => Err(open_error(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Writes the format stamp of this build (through a temporary file, fsynced and renamed).
fn write_stamp(dir: &Path, path: &Path) -> Result<(), CommandError> {
    let tmp = dir.join(format!("{FORMAT_FILE}.tmp"));
    std::fs::write(
        &tmp,
        format!("sqlmongo data directory, format {FORMAT_VERSION}\n"),
    )
    .and_then(|()| File::open(&tmp)?.sync_all())
    .and_then(|()| std::fs::rename(&tmp, path))
    .map_err(|e| open_error(format!("cannot write {}: {e}", path.display())))?;
    sync_dir(dir).map_err(open_error)
}

impl Storage for DurableStorage {
    fn load(&self) -> Result<State, CommandError> {
        self.loaded
            .lock()
            .map_err(|_| failure("the store's lock is poisoned"))?
            .take()
            .ok_or_else(|| failure("the recovered state was already handed to an engine"))
    }

    fn wants_changes(&self) -> bool {
        true
    }

    fn commit(&self, changes: &[Change]) -> Result<u64, CommandError> {
        // Encoded straight into the journal's buffer (this runs under the engine's write lock): reserved
        // for the documents up front, so the buffer grows at most once.
        let size: usize = changes
            .iter()
            .map(|c| match c {
                Change::Put { doc, .. } => doc.bytes().len() + 64,
                _ => 256,
            })
            .sum();
        self.journal.append_with(|buf| {
            buf.reserve(size);
            changes
                .iter()
                .try_for_each(|c| format::encode_change(buf, c))
        })
    }

    fn sync(&self, seq: u64) -> Result<(), CommandError> {
        self.journal.sync(seq)
    }

    fn data_dir(&self) -> Option<&Path> {
        Some(&self.dir)
    }

    fn checkpoint_due(&self) -> bool {
        self.journal.bytes() > self.opts.checkpoint_bytes
    }

    fn begin_checkpoint(&self) -> Result<u64, CommandError> {
        self.journal.rotate()
    }

    fn finish_checkpoint(&self, generation: u64, state: &Arc<State>) -> Result<(), CommandError> {
        let started = Instant::now();
        let mut chain = self
            .chain
            .lock()
            .map_err(|_| failure("the checkpoint chain's lock is poisoned"))?;
        let (next, written) =
            checkpoint::write(&self.dir, &self.opts, chain.as_ref(), generation, state).map_err(
                |e| {
                    tracing::error!("checkpoint {generation} failed: {e}");
                    failure(&e)
                },
            )?;
        *chain = Some(next);
        if let Ok(mut w) = self.written.lock() {
            w.push(written);
        }
        tracing::debug!(
            "checkpoint {generation} ({}, {} records, {} bytes) written in {:.3} s",
            if written.incremental {
                "incremental"
            } else {
                "full"
            },
            written.records,
            written.bytes,
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }
}

impl Drop for DurableStorage {
    fn drop(&mut self) {
        if let Err(e) = self.journal.close() {
            tracing::error!("the journal could not be flushed at close: {e}");
        }
        if let Ok(mut f) = self.flusher.lock() {
            if let Some(h) = f.take() {
                let _ = h.join();
            }
        }
    }
}
