//! The journal writer: commits are appended to a buffer under the engine's write lock and reach the file in
//! batches, one `write` and one `fdatasync` for every commit appended since the last flush (group commit).
//!
//! [`Journal::append`] only buffers (and numbers) a commit; [`Journal::sync`] makes the caller wait until its
//! commit is on disk: the first waiter flushes everything buffered while the others wait for it, then the
//! next waiter flushes what arrived meanwhile. A background thread flushes every `commit_interval` (mongod's
//! `commitIntervalMs`, 100 ms) so that writes nobody waits for (`j: false`) reach the disk too. An I/O error
//! fails the journal for good: every later commit and sync is refused, as the disk no longer matches what
//! was acknowledged.

use super::format::{self, Kind};
use crate::engine::error_codes::ErrorCode;
use crate::engine::CommandError;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Debug)]
struct Inner {
    /// Frames appended and not yet handed to the file.
    buf: Vec<u8>,
    /// The last commit appended.
    appended: u64,
    /// The last commit known durable.
    durable: u64,
    /// A flush is writing (it holds the file).
    flushing: bool,
    /// The open journal file (taken out while a flush writes to it).
    file: Option<File>,
    /// Its generation.
    generation: u64,
    /// Bytes in the current journal file, including what is buffered.
    bytes: u64,
    /// Set by the first I/O failure.
    failed: Option<String>,
    /// Set when the storage closes (stops the flusher thread).
    closed: bool,
    /// Flushes done (each one write and one fsync), for measurements.
    fsyncs: u64,
    /// Commits the last flush carried, and how long its write and fsync took (group commit: see
    /// [`Journal::sync`]).
    last_batch: u64,
    last_flush: Duration,
}

/// The longest a flush waits for more commits to join it.
const MAX_GATHER: Duration = Duration::from_millis(1);
/// A flush stops waiting once no commit was appended for this long.
const GATHER_QUIET: Duration = Duration::from_micros(100);

/// The journal of a data directory.
#[derive(Debug)]
pub(super) struct Journal {
    dir: PathBuf,
    inner: Mutex<Inner>,
    cond: Condvar,
}

/// The path of the journal of `generation`.
pub(super) fn journal_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("journal-{generation:020}.wal"))
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> String {
    format!("{what} {}: {e}", path.display())
}

/// Creates a journal file with its header, durably (file and directory entry).
pub(super) fn create_journal(dir: &Path, generation: u64) -> Result<File, String> {
    let path = journal_path(dir, generation);
    let mut f = std::fs::OpenOptions::new()
        .create_new(true)
        .append(true)
        .open(&path)
        .map_err(|e| io_error("cannot create", &path, &e))?;
    f.write_all(&format::file_header(Kind::Journal, generation))
        .and_then(|()| f.sync_all())
        .map_err(|e| io_error("cannot write", &path, &e))?;
    super::sync_dir(dir)?;
    Ok(f)
}

impl Journal {
    /// A journal appending to `file` (generation `generation`, `bytes` long), whose commits continue after
    /// `last_seq`.
    pub(super) fn new(
        dir: PathBuf,
        file: File,
        generation: u64,
        bytes: u64,
        last_seq: u64,
    ) -> Journal {
        Journal {
            dir,
            inner: Mutex::new(Inner {
                buf: Vec::new(),
                appended: last_seq,
                durable: last_seq,
                flushing: false,
                file: Some(file),
                generation,
                bytes,
                failed: None,
                closed: false,
                fsyncs: 0,
                last_batch: 0,
                last_flush: Duration::ZERO,
            }),
            cond: Condvar::new(),
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, CommandError> {
        self.inner
            .lock()
            .map_err(|_| failure("the journal lock is poisoned"))
    }

    /// Buffers one commit (its encoded changes); returns its sequence number.
    pub(super) fn append(&self, changes: &[u8]) -> Result<u64, CommandError> {
        let mut g = self.lock()?;
        if let Some(f) = &g.failed {
            return Err(failure(f));
        }
        let seq = g.appended + 1;
        let mut payload = Vec::with_capacity(8 + changes.len());
        payload.extend_from_slice(&seq.to_le_bytes());
        payload.extend_from_slice(changes);
        let before = g.buf.len();
        format::push_frame(&mut g.buf, &payload);
        g.bytes += (g.buf.len() - before) as u64;
        g.appended = seq;
        Ok(seq)
    }

    /// Waits until commit `seq` is durable, flushing when no one else is.
    pub(super) fn sync(&self, seq: u64) -> Result<(), CommandError> {
        let mut g = self.lock()?;
        loop {
            if g.durable >= seq {
                return Ok(());
            }
            if let Some(f) = &g.failed {
                return Err(failure(f));
            }
            if g.flushing {
                g = self
                    .cond
                    .wait(g)
                    .map_err(|_| failure("the journal lock is poisoned"))?;
                continue;
            }
            if g.last_batch > 1 {
                g = self.gather(g)?;
            }
            g = self.flush_locked(g)?;
        }
    }

    /// Group commit with concurrent writers (the last flush carried several commits): the writers it
    /// released are about to append their next commits, so the flush waits for them (until no commit came
    /// for [`GATHER_QUIET`], at most half the last flush's time and [`MAX_GATHER`]) and then carries them
    /// all in one fsync, rather than flushing at once and leaving them to the next fsync (32 clients then
    /// split in two groups that alternate, each waiting two fsyncs per commit).
    fn gather<'a>(
        &'a self,
        mut g: MutexGuard<'a, Inner>,
    ) -> Result<MutexGuard<'a, Inner>, CommandError> {
        let started = std::time::Instant::now();
        let limit = (g.last_flush / 2).min(MAX_GATHER);
        // Others wait as for a flush meanwhile.
        g.flushing = true;
        let mut seen = g.appended;
        loop {
            let left = limit.saturating_sub(started.elapsed());
            if left.is_zero() || g.closed {
                break;
            }
            let (next, _) = self
                .cond
                .wait_timeout(g, GATHER_QUIET.min(left))
                .map_err(|_| failure("the journal lock is poisoned"))?;
            g = next;
            if g.appended == seen {
                break;
            }
            seen = g.appended;
        }
        g.flushing = false;
        Ok(g)
    }

    /// Writes and fsyncs everything buffered; the lock is released during the I/O.
    fn flush_locked<'a>(
        &'a self,
        mut g: MutexGuard<'a, Inner>,
    ) -> Result<MutexGuard<'a, Inner>, CommandError> {
        let target = g.appended;
        let batch = target - g.durable;
        let data = std::mem::take(&mut g.buf);
        let Some(mut file) = g.file.take() else {
            return Err(failure("the journal file is not open"));
        };
        g.flushing = true;
        drop(g);
        let started = std::time::Instant::now();
        let r = file.write_all(&data).and_then(|()| file.sync_data());
        let took = started.elapsed();
        let mut g = self.lock()?;
        g.last_batch = batch;
        g.last_flush = took;
        g.file = Some(file);
        g.flushing = false;
        g.fsyncs += 1;
        match r {
            Ok(()) => g.durable = g.durable.max(target),
            Err(e) => {
                let path = journal_path(&self.dir, g.generation);
                let msg = io_error("cannot write the journal", &path, &e);
                tracing::error!("{msg}; the store refuses writes from now on");
                g.failed = Some(msg);
            }
        }
        // Reuse the allocation for the next batch when it is not too large.
        if g.buf.is_empty() && data.capacity() <= 16 << 20 {
            let mut data = data;
            data.clear();
            g.buf = data;
        }
        self.cond.notify_all();
        Ok(g)
    }

    /// Flushes everything appended so far (the background flusher and close).
    pub(super) fn flush_all(&self) -> Result<(), CommandError> {
        let seq = self.lock()?.appended;
        self.sync(seq)
    }

    /// Makes everything durable, then continues in a new journal file of the next generation; returns it.
    /// Called under the engine's write lock, so no commit is appended meanwhile.
    pub(super) fn rotate(&self) -> Result<u64, CommandError> {
        self.flush_all()?;
        let mut g = self.lock()?;
        while g.flushing {
            g = self
                .cond
                .wait(g)
                .map_err(|_| failure("the journal lock is poisoned"))?;
        }
        let next = g.generation + 1;
        let file = create_journal(&self.dir, next).map_err(|e| {
            g.failed = Some(e.clone());
            failure(&e)
        })?;
        g.file = Some(file);
        g.generation = next;
        g.bytes = format::FILE_HEADER as u64;
        Ok(next)
    }

    /// Bytes in the current journal file.
    pub(super) fn bytes(&self) -> u64 {
        self.inner.lock().map(|g| g.bytes).unwrap_or(0)
    }

    /// Flushes done so far.
    pub(super) fn fsyncs(&self) -> u64 {
        self.inner.lock().map(|g| g.fsyncs).unwrap_or(0)
    }

    /// Stops the flusher and flushes what is left.
    pub(super) fn close(&self) -> Result<(), CommandError> {
        if let Ok(mut g) = self.inner.lock() {
            g.closed = true;
        }
        self.cond.notify_all();
        self.flush_all()
    }
}

/// Starts the background flusher: every `every`, whatever was appended is made durable.
pub(super) fn spawn_flusher(journal: Arc<Journal>, every: Duration) -> Option<JoinHandle<()>> {
    let spawned = std::thread::Builder::new()
        .name("sqlmongo-journal".into())
        .spawn(move || loop {
            {
                // Sleeps `every` (woken early only by close; syncs notify too, hence the deadline).
                let deadline = std::time::Instant::now() + every;
                let Ok(mut g) = journal.inner.lock() else {
                    return;
                };
                loop {
                    if g.closed {
                        return;
                    }
                    let now = std::time::Instant::now();
                    if now >= deadline {
                        break;
                    }
                    let Ok((next, _)) = journal.cond.wait_timeout(g, deadline - now) else {
                        return;
                    };
                    g = next;
                }
            }
            if let Err(e) = journal.flush_all() {
                tracing::error!("journal flush failed: {e}");
                return;
            }
        });
    match spawned {
        Ok(h) => Some(h),
        Err(e) => {
            tracing::error!(
                "the journal flusher did not start: {e}; j:false writes wait for the next sync"
            );
            None
        }
    }
}

/// A storage failure as a command error (mongod's code 8 UnknownError for a failed write to disk).
pub(super) fn failure(msg: &str) -> CommandError {
    CommandError::new(ErrorCode::UnknownError, format!("storage failure: {msg}"))
}
