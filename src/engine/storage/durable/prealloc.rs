//! Journal preallocation: zeros are written (not `fallocate`d) ahead of the journal's end, so that a flush
//! overwrites blocks the file already has. An append that grows the file changes its size, which
//! `fdatasync` must then make durable too (on ext4 a journal commit of the inode with every flush); an
//! overwrite of allocated, written blocks needs only the data written. `fallocate` would not do: its blocks
//! are "unwritten" extents, and the first write to each converts it, again a metadata change per flush.
//!
//! Recovery reads a zero-filled tail after the last whole commit as the end of the journal (a frame never
//! starts with a zero byte: its magic is `SMF1`).

use std::fs::File;

/// The smallest preallocation step (the first one of a new journal).
pub(super) const MIN_STEP: u64 = 1 << 20;

/// Zeros are written in pieces of this size, each written back before the next (see [`write_zeros`]).
const PIECE: usize = 1 << 20;

/// How much to preallocate past `allocated` bytes: the file's length (so the steps double) between
/// [`MIN_STEP`] and `max`.
pub(super) fn step(allocated: u64, max: u64) -> u64 {
    allocated.clamp(MIN_STEP, max.max(MIN_STEP))
}

/// Whether a flush of `flush` bytes should have zeros written ahead of it (`allocated` bytes in the file,
/// steps of at most `max`): when a step holds 64 such flushes or more. A flush that writes a large part of
/// a step (the background flush of `j: false` commits, every 100 ms) amortizes the file's size change
/// over its data, and the zeros would only double what it writes.
pub(super) fn worth_it(flush: u64, allocated: u64, max: u64) -> bool {
    max > 0 && flush.saturating_mul(64) <= step(allocated, max)
}

/// `n` rounded up to a multiple of 4096 (a page: preallocated ends fall on page boundaries).
pub(super) fn page_up(n: u64) -> u64 {
    n.div_ceil(4096) * 4096
}

/// Writes all of `buf` at offset `at` of `file` (without moving a file position: the journal's flushes and
/// its preallocation write at offsets of their own).
#[cfg(unix)]
pub(super) fn write_all_at(file: &File, buf: &[u8], at: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.write_all_at(buf, at)
}

/// Writes all of `buf` at offset `at` of `file`.
#[cfg(windows)]
pub(super) fn write_all_at(file: &File, mut buf: &[u8], mut at: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = file.seek_write(buf, at)?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        buf = &buf[n..];
        at += n as u64;
    }
    Ok(())
}

/// Writes all of `buf` at offset `at` of `file` (through the file position: only the flush writes while the
/// journal is preallocated on such targets, see `Journal::preallocate_ahead`).
#[cfg(not(any(unix, windows)))]
pub(super) fn write_all_at(mut file: &File, buf: &[u8], at: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    file.seek(SeekFrom::Start(at))?;
    file.write_all(buf)
}

/// Writes zeros over `[from, to)` of `file` (whose length becomes `to`), then makes them and the new length
/// durable. The zeros go in pieces, each written back before the next is written: a journal flush's
/// `fdatasync` meanwhile writes back every dirty page of the file, so at most one piece of zeros rides along
/// with its commits.
pub(super) fn write_zeros(file: &File, from: u64, to: u64) -> std::io::Result<()> {
    let zeros = vec![0u8; PIECE];
    let mut at = from;
    while at < to {
        let n = (to - at).min(PIECE as u64);
        write_all_at(file, &zeros[..n as usize], at)?;
        write_back(file, at, n)?;
        at += n;
    }
    file.sync_data()
}

/// Starts writing back `[at, at + n)` of `file` and waits for it (not a durability point: the metadata is
/// left for the `fdatasync` at the end).
#[cfg(target_os = "linux")]
fn write_back(file: &File, at: u64, n: u64) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let flags = libc::SYNC_FILE_RANGE_WAIT_BEFORE
        | libc::SYNC_FILE_RANGE_WRITE
        | libc::SYNC_FILE_RANGE_WAIT_AFTER;
    // SAFETY: sync_file_range on a file descriptor borrowed for the duration of the call.
    let r = unsafe { libc::sync_file_range(file.as_raw_fd(), at as i64, n as i64, flags) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Elsewhere each piece is made durable with the file.
#[cfg(not(target_os = "linux"))]
fn write_back(file: &File, _at: u64, _n: u64) -> std::io::Result<()> {
    file.sync_data()
}

/// Whether `bytes` from `at` on are all zeros (a preallocated tail, or the part of one a crash left).
pub(super) fn zeros_from(bytes: &[u8], at: usize) -> bool {
    bytes
        .get(at..)
        .is_some_and(|tail| tail.chunks(4096).all(|c| c.iter().all(|b| *b == 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_double_between_the_bounds_and_ends_fall_on_pages() {
        assert_eq!(step(32, 64 << 20), MIN_STEP);
        assert_eq!(step(3 << 20, 64 << 20), 3 << 20);
        assert_eq!(step(1 << 30, 64 << 20), 64 << 20);
        assert_eq!(step(1 << 30, 0), MIN_STEP);
        assert_eq!(page_up(0), 0);
        assert_eq!(page_up(1), 4096);
        assert_eq!(page_up(4096), 4096);
        assert_eq!(page_up(4097), 8192);
        assert!(worth_it(4_000, 32, 64 << 20));
        assert!(worth_it(16 << 10, 32, 64 << 20));
        assert!(!worth_it((16 << 10) + 1, 32, 64 << 20));
        assert!(worth_it(1 << 20, 64 << 20, 64 << 20));
        assert!(!worth_it(4_000, 32, 0));
    }

    #[test]
    fn a_zero_tail_is_all_zeros_from_the_offset() {
        assert!(zeros_from(&[1, 0, 0], 1));
        assert!(zeros_from(&[1, 0, 0], 3));
        assert!(!zeros_from(&[1, 0, 0], 0));
        assert!(!zeros_from(&[1, 0, 0], 4));
        let mut big = vec![0u8; 10_000];
        assert!(zeros_from(&big, 0));
        big[9_999] = 1;
        assert!(!zeros_from(&big, 5));
    }

    #[test]
    fn zeros_written_extend_the_file_and_leave_what_precedes() {
        let p = std::env::temp_dir().join(format!("sqlmongo-prealloc-{}", std::process::id()));
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(&p)
            .expect("file");
        write_all_at(&f, b"abc", 0).expect("write");
        write_zeros(&f, 3, 3 + PIECE as u64 + 5).expect("zeros");
        write_all_at(&f, b"d", 3).expect("overwrite");
        let bytes = std::fs::read(&p).expect("read");
        assert_eq!(bytes.len(), 3 + PIECE + 5);
        assert_eq!(&bytes[..4], b"abcd");
        assert!(zeros_from(&bytes, 4));
        let _ = std::fs::remove_file(&p);
    }
}
