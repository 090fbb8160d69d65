//! The journal writer: commits are appended to a buffer under the engine's write lock and reach the file in
//! batches, one `write` and one `fdatasync` for every commit appended since the last flush (group commit).
//!
//! [`Journal::append`] only buffers (and numbers) a commit; [`Journal::sync`] makes the caller wait until its
//! commit is on disk: the first waiter flushes everything buffered while the others park, each woken by the
//! flush that covers its commit (by sequence number, never all at once), and the first of those a flush did
//! not cover leads the next flush at once with what arrived meanwhile. A background thread flushes every `commit_interval` (mongod's
//! `commitIntervalMs`, 100 ms) so that writes nobody waits for (`j: false`) reach the disk too, and at once
//! when the buffer passes `flush_bytes` (the append that fills it wakes the thread), so that a steady load
//! reaches the file in pieces still in cache rather than in one large write per interval. An I/O error
//! fails the journal for good: every later commit and sync is refused, as the disk no longer matches what
//! was acknowledged.
//!
//! The file is preallocated (see [`super::prealloc`]): zeros are written ahead of its end, a step at a time
//! (doubling from 1 MB up to [`super::DurableOptions::journal_preallocation`]), by the flusher thread when
//! a flush finds less than half a step left, so that flushes overwrite allocated blocks and their
//! `fdatasync` has only data to write. A flush that finds no room preallocates itself first.

use super::format::{self, Kind};
use super::{direct, prealloc};
use crate::engine::error_codes::ErrorCode;
use crate::engine::CommandError;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

/// A preallocation claimed (`Inner::extending` set): zeros to write over `[from, to)` of `file`.
struct Step {
    file: Arc<File>,
    generation: u64,
    from: u64,
    to: u64,
}

#[derive(Debug)]
struct Inner {
    /// Frames appended and not yet handed to the file, after `prefix` bytes that are not commits (see
    /// [`super::direct`]: with direct writes, zeros up to an aligned address, then the bytes of the file's
    /// block before the first frame).
    buf: Vec<u8>,
    /// The bytes at the start of `buf` before its frames (0 without direct writes).
    prefix: usize,
    /// The zeros at the start of `buf` before the aligned address (`prefix` less the block's head).
    pad: usize,
    /// The journal file opened for direct writes (`O_DIRECT`), when that is supported and wanted.
    direct: Option<Arc<File>>,
    /// The buffer of the last flush, emptied, kept for the next one (no allocation per flush).
    spare: Vec<u8>,
    /// The last commit appended.
    appended: u64,
    /// The last commit known durable.
    durable: u64,
    /// A flush is writing (one at a time).
    flushing: bool,
    /// The open journal file.
    file: Arc<File>,
    /// Its generation.
    generation: u64,
    /// Bytes of commits in the current journal file, including what is buffered.
    bytes: u64,
    /// Where the next flush writes: the end of the last commit written to the file.
    end: u64,
    /// The file's length: past `end`, zeros written ahead.
    allocated: u64,
    /// A preallocation is writing zeros (one at a time).
    extending: bool,
    /// The flusher thread is asked to preallocate the next step.
    extend_wanted: bool,
    /// The flusher thread is asked to flush now: the buffer passed `Journal::flush_bytes`.
    flush_wanted: bool,
    /// Set by the first I/O failure.
    failed: Option<String>,
    /// Set when the storage closes (stops the flusher thread).
    closed: bool,
    /// Flushes done (each one write and one fsync), for measurements.
    fsyncs: u64,
    /// Threads parked in [`Journal::sync`] while another flush runs: the commit each waits for. A flush
    /// wakes exactly those its fsync covered, and the first of the rest to flush next.
    waiters: Vec<(u64, Thread)>,
}

/// The journal of a data directory.
#[derive(Debug)]
pub(super) struct Journal {
    dir: PathBuf,
    inner: Mutex<Inner>,
    /// `Inner::durable` published for reads without the lock: a waiter woken by a flush sees its commit
    /// durable here and returns without taking the lock again (the flush wakes a group at once: each
    /// taking the lock after the wake would queue them on it, the appenders under the engine's write lock
    /// among them). Stored after the flush has taken the waiters it covers off the list, so a thread that
    /// finds its commit durable here is no longer on it.
    durable: AtomicU64,
    /// Signalled at the end of every flush and preallocation (for [`Journal::rotate`] and for a flush that
    /// waits for a preallocation to end).
    idle: Condvar,
    /// Wakes the background flusher early (close, or a preallocation wanted).
    tick: Condvar,
    /// The largest preallocation step; 0: none (every flush appends).
    max_step: u64,
    /// Buffered bytes past which an append wakes the flusher to flush at once, before its interval
    /// ends (0: only every interval). Commits nobody waits for (`j: false`) then reach the file in
    /// pieces of about this size while they are still in the processor's cache, and the buffer stays
    /// that small, instead of growing to all that an interval appends (megabytes under a steady load:
    /// written once by the appenders, read once more by the write, out of cache both times). One wake
    /// per that many bytes, never one per commit.
    flush_bytes: u64,
    /// Flushes of at least this many bytes of commits are written directly (`O_DIRECT`, see
    /// [`super::direct`]); 0: never.
    direct_bytes: u64,
    /// Set when the kernel refused a direct write: later flushes write buffered.
    direct_refused: AtomicBool,
    /// Flushes written directly, for measurements and tests.
    direct_writes: AtomicU64,
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
        .write(true)
        .open(&path)
        .map_err(|e| io_error("cannot create", &path, &e))?;
    f.write_all(&format::file_header(Kind::Journal, generation))
        .and_then(|()| f.sync_all())
        .map_err(|e| io_error("cannot write", &path, &e))?;
    super::sync_dir(dir)?;
    Ok(f)
}

impl Journal {
    /// A journal writing to `file` (generation `generation`, whose commits end at `bytes`; what follows is
    /// a preallocated tail), whose commits continue after `last_seq`; `max_step` bounds its preallocation
    /// steps (0: none).
    pub(super) fn new(
        dir: PathBuf,
        file: File,
        generation: u64,
        bytes: u64,
        last_seq: u64,
        max_step: u64,
    ) -> Journal {
        let allocated = file.metadata().map_or(bytes, |m| m.len()).max(bytes);
        Journal {
            dir,
            inner: Mutex::new(Inner {
                buf: Vec::new(),
                prefix: 0,
                pad: 0,
                direct: None,
                spare: Vec::new(),
                appended: last_seq,
                durable: last_seq,
                flushing: false,
                file: Arc::new(file),
                generation,
                bytes,
                end: bytes,
                allocated,
                extending: false,
                extend_wanted: false,
                flush_wanted: false,
                failed: None,
                closed: false,
                fsyncs: 0,
                waiters: Vec::new(),
            }),
            durable: AtomicU64::new(last_seq),
            idle: Condvar::new(),
            tick: Condvar::new(),
            max_step,
            flush_bytes: 0,
            direct_bytes: 0,
            direct_refused: AtomicBool::new(false),
            direct_writes: AtomicU64::new(0),
        }
    }

    /// The journal, whose flushes of at least `bytes` of commits are written directly (`O_DIRECT`) where
    /// the file system allows (0: never; see [`super::direct`]).
    pub(super) fn with_direct_writes(mut self, bytes: u64) -> Journal {
        self.direct_bytes = bytes;
        let room = self.room();
        if bytes > 0 {
            if let Ok(g) = self.inner.get_mut() {
                let path = journal_path(&self.dir, g.generation);
                if let (Some(file), Ok(head)) =
                    (direct::open(&path), direct::read_head(&path, g.end))
                {
                    g.direct = Some(Arc::new(file));
                    (g.pad, g.prefix) = direct::start_buffer(&mut g.buf, &head, room);
                }
            }
        }
        self
    }

    /// The bytes a journal buffer is reserved for (so that the appends of one flush do not move it).
    fn room(&self) -> usize {
        (self.flush_bytes.max(self.direct_bytes) as usize).saturating_add(256 << 10)
    }

    /// The journal, whose flusher also flushes as soon as `bytes` are buffered (0: only every interval;
    /// see `Journal::flush_bytes`).
    pub(super) fn with_flush_bytes(mut self, bytes: u64) -> Journal {
        self.flush_bytes = bytes;
        self
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, CommandError> {
        self.inner
            .lock()
            .map_err(|_| failure("the journal lock is poisoned"))
    }

    /// Buffers one commit (its encoded changes); returns its sequence number.
    #[cfg(test)]
    pub(super) fn append(&self, changes: &[u8]) -> Result<u64, CommandError> {
        self.append_with(|buf| {
            buf.extend_from_slice(changes);
            Ok(())
        })
    }

    /// Buffers one commit whose changes `encode` appends to the buffer; returns its sequence number. The
    /// frame is built in place in the buffer: the changes are encoded straight into it (no buffer of their
    /// own, no copy). When `encode` fails, nothing is buffered and the error is returned.
    pub(super) fn append_with(
        &self,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<(), String>,
    ) -> Result<u64, CommandError> {
        let mut g = self.lock()?;
        if let Some(f) = &g.failed {
            return Err(failure(f));
        }
        let seq = g.appended + 1;
        let before = g.buf.len() - g.prefix;
        format::push_frame_with(&mut g.buf, &seq.to_le_bytes(), encode).map_err(|e| failure(&e))?;
        let after = g.buf.len() - g.prefix;
        g.bytes += (after - before) as u64;
        g.appended = seq;
        // The append that fills the buffer past `flush_bytes` wakes the flusher (once: a flush empties
        // the buffer).
        let limit = self.flush_bytes as usize;
        let wake = limit > 0 && before < limit && after >= limit && !g.flush_wanted;
        if wake {
            g.flush_wanted = true;
        }
        drop(g);
        if wake {
            self.tick.notify_all();
        }
        Ok(seq)
    }

    /// Waits until commit `seq` is durable (group commit). The first caller to find no flush running
    /// becomes the leader: it writes and fsyncs everything appended so far, every commit queued meanwhile
    /// included. Callers that find a flush running park until a flush covers their commit; the flush that
    /// ends wakes exactly those (by sequence number), and the first of the others, which leads the next
    /// flush at once with all that was appended during this one. Disk and CPU overlap: while one group's
    /// fsync runs, the writers it does not cover go on committing.
    pub(super) fn sync(&self, seq: u64) -> Result<(), CommandError> {
        if self.durable.load(Ordering::Acquire) >= seq {
            return Ok(());
        }
        let me = std::thread::current();
        let mut g = self.lock()?;
        let mut parked = false;
        loop {
            if g.durable >= seq {
                break;
            }
            if let Some(f) = &g.failed {
                let e = failure(f);
                if parked {
                    g.waiters.retain(|(_, t)| t.id() != me.id());
                }
                return Err(e);
            }
            if !g.flushing {
                if parked {
                    g.waiters.retain(|(_, t)| t.id() != me.id());
                    parked = false;
                }
                self.flush(g)?;
                g = self.lock()?;
                continue;
            }
            if !parked {
                g.waiters.push((seq, me.clone()));
                parked = true;
            }
            drop(g);
            // A spurious or stale wake only costs a look at the state.
            std::thread::park();
            if self.durable.load(Ordering::Acquire) >= seq {
                // The flush that made it durable took this thread off the list (see `durable`).
                return Ok(());
            }
            g = self.lock()?;
        }
        if parked {
            // Woken by the flush, which already took this thread off the list; a spurious wake that
            // found the commit durable (a flush led by another caller) takes itself off.
            g.waiters.retain(|(_, t)| t.id() != me.id());
        }
        Ok(())
    }

    /// Writes and fsyncs everything buffered, the lock released during the I/O; then wakes the waiters the
    /// fsync covered (and the next leader), after releasing the lock so they do not wake into it.
    fn flush(&self, mut g: MutexGuard<'_, Inner>) -> Result<(), CommandError> {
        let target = g.appended;
        if g.durable >= target || g.flushing {
            return Ok(());
        }
        let spare = std::mem::take(&mut g.spare);
        let mut data = std::mem::replace(&mut g.buf, spare);
        let (pad, prefix) = (g.pad, g.prefix);
        let file = Arc::clone(&g.file);
        let (at, allocated) = (g.end, g.allocated);
        let frames = data.len() - prefix;
        let end = at + frames as u64;
        let direct = g.direct.clone();
        if direct.is_some() {
            // The next buffer starts with the bytes of the block this flush ends in (this buffer holds
            // them: it holds the file's bytes from the start of the block it starts in).
            let head = &data[data.len() - (end % direct::BLOCK) as usize..];
            (g.pad, g.prefix) = direct::start_buffer(&mut g.buf, head, self.room());
        }
        g.flushing = true;
        drop(g);
        // Zeros ahead pay when flushes are small and frequent (waited-for commits); a large flush (the
        // background one of `j: false` writes) has its size change amortized over its data: it appends.
        let zeros = prealloc::worth_it(frames as u64, allocated, self.max_step);
        let mut appending = false;
        let r = if end > allocated && self.max_step > 0 {
            self.preallocate(end, zeros)
                .map(|claimed| appending = claimed)
        } else {
            Ok(())
        }
        .and_then(|()| self.write(&file, direct.as_deref(), &mut data, (pad, prefix), at))
        .and_then(|written| file.sync_data().map(|()| written));
        let mut g = self.lock()?;
        g.flushing = false;
        if appending {
            g.extending = false;
        }
        g.fsyncs += 1;
        let mut extend = false;
        match r {
            Ok(written) => {
                g.durable = g.durable.max(target);
                g.end = end;
                g.allocated = g.allocated.max(written);
                // Less than half a step left: the flusher thread preallocates the next one.
                if zeros
                    && !g.extending
                    && !g.extend_wanted
                    && g.allocated - end < prealloc::step(g.allocated, self.max_step) / 2
                {
                    g.extend_wanted = true;
                    extend = true;
                }
            }
            Err(e) => {
                let path = journal_path(&self.dir, g.generation);
                let msg = io_error("cannot write the journal", &path, &e);
                tracing::error!("{msg}; the store refuses writes from now on");
                g.failed = Some(msg);
            }
        }
        // Reuse the allocation for a later batch when it is not too large.
        if g.spare.capacity() == 0 && data.capacity() <= 16 << 20 {
            data.clear();
            g.spare = data;
        }
        let inner = &mut *g;
        let mut wake: Vec<Thread> = Vec::with_capacity(inner.waiters.len());
        if inner.failed.is_some() {
            wake.extend(inner.waiters.drain(..).map(|(_, t)| t));
        } else {
            let durable = inner.durable;
            // The first of those this flush does not cover leads the next one (it stays on the list until
            // it looks); it is woken first, so its fsync overlaps the wake-ups of the others.
            if let Some((_, t)) = inner
                .waiters
                .iter()
                .filter(|(s, _)| *s > durable)
                .min_by_key(|(s, _)| *s)
            {
                wake.push(t.clone());
            }
            inner.waiters.retain(|(s, t)| {
                if *s <= durable {
                    wake.push(t.clone());
                    false
                } else {
                    true
                }
            });
        }
        // Published once the waiters it covers are off the list (see `durable`).
        self.durable.store(inner.durable, Ordering::Release);
        drop(g);
        self.idle.notify_all();
        if extend {
            self.tick.notify_all();
        }
        for t in wake {
            t.unpark();
        }
        Ok(())
    }

    /// Writes the commits of `data` (after its `prefix`) at `at` of the journal: directly when `direct` is
    /// open, there are at least `direct_bytes` of them and the buffer is aligned (the block before `at`
    /// rewritten from the prefix, the last block padded with zeros), buffered otherwise. Returns where the
    /// bytes written end.
    fn write(
        &self,
        file: &File,
        direct: Option<&File>,
        data: &mut Vec<u8>,
        (pad, prefix): (usize, usize),
        at: u64,
    ) -> std::io::Result<u64> {
        let frames = data.len() - prefix;
        let wanted = self.direct_bytes > 0
            && frames as u64 >= self.direct_bytes
            && !self.direct_refused.load(Ordering::Relaxed);
        if let Some(d) = direct.filter(|_| wanted) {
            match direct::write(d, data, pad, at - at % direct::BLOCK) {
                Ok(Some(written)) => {
                    self.direct_writes.fetch_add(1, Ordering::Relaxed);
                    return Ok(written);
                }
                Ok(None) => {}
                Err(e) if direct::refused(&e) => {
                    tracing::warn!(
                        "direct writes refused in {} ({e}): the journal is written through the page cache",
                        self.dir.display()
                    );
                    self.direct_refused.store(true, Ordering::Relaxed);
                }
                Err(e) => return Err(e),
            }
        }
        prealloc::write_all_at(file, &data[prefix..prefix + frames], at)?;
        Ok(at + frames as u64)
    }

    /// Preallocates the journal up to `want` bytes at least (a flush that needs the room now), waiting
    /// for a preallocation under way to end first (one at a time: it may have made the room). Without
    /// `zeros`, claims the room past the file's end for the caller's own write instead (no preallocation
    /// may start meanwhile: its zeros would land on that write): returns whether it did, and the caller
    /// then clears `Inner::extending` once its write is done.
    fn preallocate(&self, want: u64, zeros: bool) -> std::io::Result<bool> {
        let lost = || std::io::Error::other("the journal lock is poisoned");
        let mut g = self.inner.lock().map_err(|_| lost())?;
        loop {
            if g.allocated >= want {
                return Ok(false);
            }
            if !g.extending {
                break;
            }
            g = self.idle.wait(g).map_err(|_| lost())?;
        }
        if !zeros {
            g.extending = true;
            return Ok(true);
        }
        let step = self.claim_step(&mut g, want);
        drop(g);
        self.write_step(step).map(|()| false)
    }

    /// Claims the next preallocation (nobody else's is under way): from what is allocated to `want` at
    /// least and one step past it, on a page boundary.
    fn claim_step(&self, g: &mut Inner, want: u64) -> Step {
        let from = g.allocated;
        g.extending = true;
        Step {
            file: Arc::clone(&g.file),
            generation: g.generation,
            from,
            to: prealloc::page_up(want.max(from + prealloc::step(from, self.max_step))),
        }
    }

    /// Writes a claimed preallocation's zeros without the lock; the room counts once they are durable (a
    /// step of a generation since rotated away is dropped).
    fn write_step(&self, step: Step) -> std::io::Result<()> {
        let r = prealloc::write_zeros(&step.file, step.from, step.to);
        if let Ok(mut g) = self.inner.lock() {
            g.extending = false;
            if r.is_ok() && g.generation == step.generation {
                g.allocated = g.allocated.max(step.to);
            }
        }
        self.idle.notify_all();
        r
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
                .idle
                .wait(g)
                .map_err(|_| failure("the journal lock is poisoned"))?;
        }
        let next = g.generation + 1;
        let file = create_journal(&self.dir, next).map_err(|e| {
            g.failed = Some(e.clone());
            failure(&e)
        })?;
        g.file = Arc::new(file);
        g.generation = next;
        if self.direct_bytes > 0 {
            // The new file's first block starts with its header.
            g.direct = direct::open(&journal_path(&self.dir, next)).map(Arc::new);
            let head = format::file_header(Kind::Journal, next);
            let room = self.room();
            let inner = &mut *g;
            (inner.pad, inner.prefix) = if inner.direct.is_some() {
                direct::start_buffer(&mut inner.buf, &head, room)
            } else {
                inner.buf.clear();
                (0, 0)
            };
        }
        g.bytes = format::FILE_HEADER as u64;
        g.end = g.bytes;
        g.allocated = g.bytes;
        // The new file's first step is preallocated ahead of its first flush (a preallocation of the old
        // file still running is discarded when it ends: its generation is past).
        g.extend_wanted = self.max_step > 0;
        drop(g);
        self.tick.notify_all();
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

    /// Flushes written directly (`O_DIRECT`) so far.
    pub(super) fn direct_writes(&self) -> u64 {
        self.direct_writes.load(Ordering::Relaxed)
    }

    /// Stops the flusher, flushes what is left and waits for a preallocation under way (its thread writes
    /// to the file: a store reopened after this must find no writer left).
    pub(super) fn close(&self) -> Result<(), CommandError> {
        if let Ok(mut g) = self.inner.lock() {
            g.closed = true;
        }
        self.tick.notify_all();
        let r = self.flush_all();
        let mut g = self.lock()?;
        while g.extending {
            g = self
                .idle
                .wait(g)
                .map_err(|_| failure("the journal lock is poisoned"))?;
        }
        r
    }
}

/// Starts the background flusher: every `every`, whatever was appended is made durable.
pub(super) fn spawn_flusher(journal: Arc<Journal>, every: Duration) -> Option<JoinHandle<()>> {
    let spawned = std::thread::Builder::new()
        .name("sqlmongo-journal".into())
        .spawn(move || loop {
            // Sleeps `every`, woken early by close and to preallocate (a spurious wake sleeps again until
            // the deadline).
            let deadline = std::time::Instant::now() + every;
            loop {
                let Ok(mut g) = journal.inner.lock() else {
                    return;
                };
                if g.closed {
                    return;
                }
                if g.extend_wanted {
                    g.extend_wanted = false;
                    if !g.extending && g.failed.is_none() && cfg!(any(unix, windows)) {
                        // A thread of its own writes the zeros, so that this one keeps flushing every
                        // `every` meanwhile.
                        let want = g.allocated + 1;
                        let step = journal.claim_step(&mut g, want);
                        drop(g);
                        preallocate_ahead(&journal, step);
                    }
                    continue;
                }
                if g.flush_wanted {
                    // The buffer passed `flush_bytes`: flushed now, the interval starts again after.
                    g.flush_wanted = false;
                    break;
                }
                let now = std::time::Instant::now();
                if now >= deadline {
                    break;
                }
                if journal.tick.wait_timeout(g, deadline - now).is_err() {
                    return;
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

/// Writes a claimed preallocation in a thread of its own (or in this one when no thread starts). A
/// failure is left to the flush that needs the room: it preallocates itself, and fails the journal if it
/// cannot write.
fn preallocate_ahead(journal: &Arc<Journal>, step: Step) {
    let write = |j: &Journal, step: Step| {
        if let Err(e) = j.write_step(step) {
            tracing::warn!("cannot preallocate the journal in {}: {e}", j.dir.display());
        }
    };
    let (j, slot) = (Arc::clone(journal), Arc::new(Mutex::new(Some(step))));
    let theirs = Arc::clone(&slot);
    let spawned = std::thread::Builder::new()
        .name("sqlmongo-prealloc".into())
        .spawn(move || {
            if let Some(step) = theirs.lock().ok().and_then(|mut s| s.take()) {
                write(&j, step);
            }
        });
    if spawned.is_err() {
        if let Some(step) = slot.lock().ok().and_then(|mut s| s.take()) {
            write(journal, step);
        }
    }
}

/// A storage failure as a command error (mongod's code 8 UnknownError for a failed write to disk).
pub(super) fn failure(msg: &str) -> CommandError {
    CommandError::new(ErrorCode::UnknownError, format!("storage failure: {msg}"))
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
