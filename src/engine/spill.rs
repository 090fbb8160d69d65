//! Spill files: sorted runs of BSON documents written by a blocking stage past its memory limit, read
//! back in a k-way merge.
//!
//! One [`SpillFile`] per stage execution holds all of its runs, one after the other; each run is read back
//! through positioned reads (`pread`), so any number of runs share one file descriptor. On Unix the file
//! is unlinked as soon as it is opened: nothing is left behind however the stage ends (success, error,
//! panic, or the process being killed). Elsewhere it is deleted when the `SpillFile` is dropped. A data
//! directory's `_tmp` is also emptied when the engine starts ([`memory::Parameters`](super::memory)).
//!
//! In: documents in the order a stage wants them back; out: the same documents, run by run, and
//! [`merge`], which interleaves sorted runs by a comparison (ties: the earlier run first, so a merge of
//! runs written in input order is stable). Depends on `bson` and std.

use super::error_codes::ErrorCode;
use super::CommandError;
use bson::Document;
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

/// Buffer of each run reader and of the writer.
const BUFFER: usize = 64 * 1024;

fn io_error(what: &str, e: impl std::fmt::Display) -> CommandError {
    CommandError::new(
        ErrorCode::InternalError,
        format!("spilling to disk: {what}: {e}"),
    )
}

/// A temporary file of sorted runs.
#[derive(Debug)]
pub struct SpillFile {
    file: File,
    path: PathBuf,
    /// Each run's byte range.
    runs: Vec<(u64, u64)>,
    len: u64,
}

impl SpillFile {
    /// A new, empty spill file in `dir` (created when missing).
    pub fn create(dir: &Path) -> Result<SpillFile, CommandError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        std::fs::create_dir_all(dir).map_err(|e| io_error(&dir.display().to_string(), e))?;
        let n = NEXT.fetch_add(1, AtomicOrdering::Relaxed);
        let path = dir.join(format!("sqlmongo-spill-{}-{n}.tmp", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io_error(&path.display().to_string(), e))?;
        // Unlinked at once: the open descriptor keeps the data; nothing can outlive the process.
        #[cfg(unix)]
        let _ = std::fs::remove_file(&path);
        Ok(SpillFile {
            file,
            path,
            runs: Vec::new(),
            len: 0,
        })
    }

    /// Appends one run: the documents in the order they will be read back.
    pub fn write_run<D: Borrow<Document>>(
        &mut self,
        docs: impl IntoIterator<Item = D>,
    ) -> Result<(), CommandError> {
        let start = self.len;
        let mut w = BufWriter::with_capacity(BUFFER, Appender { spill: self });
        for d in docs {
            d.borrow()
                .to_writer(&mut w)
                .map_err(|e| io_error("write", e))?;
        }
        w.flush().map_err(|e| io_error("write", e))?;
        drop(w);
        self.runs.push((start, self.len));
        Ok(())
    }

    /// Appends one run of documents given as their BSON bytes (documents a stage already holds encoded:
    /// written as they are).
    pub fn write_raw_run<B: AsRef<[u8]>>(
        &mut self,
        docs: impl IntoIterator<Item = Result<B, CommandError>>,
    ) -> Result<(), CommandError> {
        let start = self.len;
        let mut w = BufWriter::with_capacity(BUFFER, Appender { spill: self });
        for d in docs {
            w.write_all(d?.as_ref()).map_err(|e| io_error("write", e))?;
        }
        w.flush().map_err(|e| io_error("write", e))?;
        drop(w);
        self.runs.push((start, self.len));
        Ok(())
    }

    /// Number of runs written.
    #[cfg(test)]
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// A reader of run `i`'s documents, in order.
    pub fn read_run(&self, i: usize) -> RunReader<'_> {
        let (pos, end) = self.runs.get(i).copied().unwrap_or((0, 0));
        RunReader {
            inner: BufReader::with_capacity(
                BUFFER,
                At {
                    file: &self.file,
                    pos,
                    end,
                },
            ),
        }
    }

    /// Readers of every run, in the order they were written.
    pub fn readers(&self) -> Vec<RunReader<'_>> {
        (0..self.runs.len()).map(|i| self.read_run(i)).collect()
    }
}

impl Drop for SpillFile {
    fn drop(&mut self) {
        #[cfg(not(unix))]
        let _ = std::fs::remove_file(&self.path);
        #[cfg(unix)]
        let _ = &self.path;
    }
}

struct Appender<'a> {
    spill: &'a mut SpillFile,
}

impl Write for Appender<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        write_at(&self.spill.file, buf, self.spill.len)?;
        self.spill.len += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(unix)]
fn write_at(f: &File, buf: &[u8], pos: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(f, buf, pos)
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], pos: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(f, buf, pos)
}

#[cfg(windows)]
fn write_at(f: &File, mut buf: &[u8], mut pos: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(f, buf, pos)?;
        buf = &buf[n..];
        pos += n as u64;
    }
    Ok(())
}

#[cfg(windows)]
fn read_at(f: &File, buf: &mut [u8], pos: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(f, buf, pos)
}

/// Positioned reads of one byte range.
struct At<'a> {
    file: &'a File,
    pos: u64,
    end: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = read_at(self.file, &mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// The documents of one run, in order.
pub struct RunReader<'a> {
    inner: BufReader<At<'a>>,
}

impl Iterator for RunReader<'_> {
    type Item = Result<Document, CommandError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.inner.get_ref().pos >= self.inner.get_ref().end && self.inner.buffer().is_empty() {
            return None;
        }
        Some(Document::from_reader(&mut self.inner).map_err(|e| io_error("read", e)))
    }
}

impl RunReader<'_> {
    /// The next document's BSON bytes as written (length prefix to terminator), not parsed: what a stage
    /// that hands documents on as bytes reads back.
    pub fn next_bytes(&mut self) -> Option<Result<Vec<u8>, CommandError>> {
        if self.inner.get_ref().pos >= self.inner.get_ref().end && self.inner.buffer().is_empty() {
            return None;
        }
        let mut len = [0u8; 4];
        if let Err(e) = self.inner.read_exact(&mut len) {
            return Some(Err(io_error("read", e)));
        }
        let n = match usize::try_from(i32::from_le_bytes(len)) {
            Ok(n) if n >= 5 => n,
            _ => return Some(Err(io_error("read", "a document length below 5"))),
        };
        let mut bytes = vec![0u8; n];
        bytes[..4].copy_from_slice(&len);
        Some(
            self.inner
                .read_exact(&mut bytes[4..])
                .map(|()| bytes)
                .map_err(|e| io_error("read", e)),
        )
    }
}

struct Head<'c, T> {
    item: T,
    run: usize,
    cmp: &'c dyn Fn(&T, &T) -> Ordering,
}

impl<T> PartialEq for Head<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<T> Eq for Head<'_, T> {}
impl<T> PartialOrd for Head<'_, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Head<'_, T> {
    // Reversed: `BinaryHeap` is a max-heap and the merge wants the smallest (earliest run on ties).
    fn cmp(&self, other: &Self) -> Ordering {
        (self.cmp)(&other.item, &self.item).then(other.run.cmp(&self.run))
    }
}

/// Merges sorted runs: calls `out` with each item and its run, smallest first by `cmp`, equal items in
/// run order (and, within a run, in the run's order).
pub fn merge<T, I>(
    runs: Vec<I>,
    cmp: &dyn Fn(&T, &T) -> Ordering,
    out: &mut dyn FnMut(T, usize) -> Result<(), CommandError>,
) -> Result<(), CommandError>
where
    I: Iterator<Item = Result<T, CommandError>>,
{
    merge_while(runs, cmp, &mut |item, run| out(item, run).map(|()| true))
}

/// [`merge`] that stops as soon as `out` returns false (the first `k` of a top-k: the rest of the runs is
/// not read).
pub fn merge_while<T, I>(
    runs: Vec<I>,
    cmp: &dyn Fn(&T, &T) -> Ordering,
    out: &mut dyn FnMut(T, usize) -> Result<bool, CommandError>,
) -> Result<(), CommandError>
where
    I: Iterator<Item = Result<T, CommandError>>,
{
    let mut runs = runs;
    let mut heap = BinaryHeap::with_capacity(runs.len());
    for (run, it) in runs.iter_mut().enumerate() {
        if let Some(item) = it.next() {
            heap.push(Head {
                item: item?,
                run,
                cmp,
            });
        }
    }
    while let Some(Head { item, run, .. }) = heap.pop() {
        if let Some(next) = runs[run].next() {
            heap.push(Head {
                item: next?,
                run,
                cmp,
            });
        }
        if !out(item, run)? {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn runs_read_back_and_merge_stably() {
        let dir = std::env::temp_dir().join(format!("sqlmongo-spill-test-{}", std::process::id()));
        let mut f = SpillFile::create(&dir).unwrap();
        let a = [doc! {"k": 1, "r": 0}, doc! {"k": 3, "r": 0}];
        let b = [doc! {"k": 1, "r": 1}, doc! {"k": 2, "r": 1}];
        f.write_run(&a).unwrap();
        f.write_run(&b).unwrap();
        assert_eq!(f.runs(), 2);
        assert_eq!(f.read_run(1).map(Result::unwrap).collect::<Vec<_>>(), b);
        let cmp =
            |x: &Document, y: &Document| x.get_i32("k").unwrap().cmp(&y.get_i32("k").unwrap());
        let mut got = Vec::new();
        merge(f.readers(), &cmp, &mut |d, run| {
            got.push((d.get_i32("k").unwrap(), run));
            Ok(())
        })
        .unwrap();
        assert_eq!(got, vec![(1, 0), (1, 1), (2, 1), (3, 0)]);
        // Nothing is left in the directory, even while the file is open.
        #[cfg(unix)]
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        drop(f);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
