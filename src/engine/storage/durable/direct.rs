//! Journal writes that bypass the page cache (Linux `O_DIRECT`): a large flush (the background flush of
//! `j: false` commits) goes from the journal's buffer to the device as it is, instead of being copied into
//! the page cache by `write` (`copy_folio_from_iter_atomic`: most of the journal thread's CPU time, taken
//! from the cores the writers run on) and written back from there.
//!
//! `O_DIRECT` writes whole blocks from an aligned address. So every journal buffer starts with a prefix
//! (see [`start_buffer`]): zeros up to an aligned address (`pad`), then the bytes the file already holds
//! from the start of the block the buffer's first commit falls in (`head`), then the commits. A direct
//! write writes `buffer[pad..]`, padded with zeros to a whole block, at that block's start: it rewrites
//! the head with the bytes it already holds, and the zeros after the last commit are what a preallocated
//! tail holds (recovery reads zeros after the last whole commit as the end of the journal; the on-disk
//! format is unchanged). The page cache holds a partly written last block too and writes it back whole:
//! a torn write of that block is no new risk. The `fdatasync` after the write is unchanged (it flushes the
//! device's cache and the file's size), so durability is exactly that of a buffered write. A buffer that
//! grew past its reservation (no longer aligned), a filesystem without `O_DIRECT` (tmpfs) and a direct
//! write the kernel refuses (`EINVAL`) fall back to the buffered write of the same commits.

use std::fs::File;
use std::path::Path;

/// The block size direct writes are aligned to (offset, length and address): a page, a multiple of every
/// common logical block size (512 and 4096).
pub(super) const BLOCK: u64 = 4096;

/// Opens `path` for direct writes; `None` where `O_DIRECT` is not supported (not Linux, or a filesystem
/// that refuses it at open, as tmpfs does).
#[cfg(target_os = "linux")]
pub(super) fn open(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
        .ok()
}

/// Opens `path` for direct writes: not on this target.
#[cfg(not(target_os = "linux"))]
pub(super) fn open(_path: &Path) -> Option<File> {
    None
}

/// The bytes of the file's block that `end` falls in, before `end` (what a direct write starting at that
/// block's start rewrites), read from the file at `path`.
pub(super) fn read_head(path: &Path, end: u64) -> std::io::Result<Vec<u8>> {
    let start = end - end % BLOCK;
    let mut head = vec![0u8; (end - start) as usize];
    if !head.is_empty() {
        read_exact_at(&File::open(path)?, &mut head, start)?;
    }
    Ok(head)
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, at)
}

#[cfg(not(unix))]
fn read_exact_at(_file: &File, _buf: &mut [u8], _at: u64) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Starts an empty journal buffer whose first commit will be at a file offset whose block begins with
/// `head`: reserves `room` bytes past the prefix (so that the buffer, reused, is not moved by the appends
/// of one flush), then writes zeros up to an aligned address and `head`. Returns (`pad`, prefix length).
pub(super) fn start_buffer(buf: &mut Vec<u8>, head: &[u8], room: usize) -> (usize, usize) {
    buf.clear();
    buf.reserve(room + head.len() + 2 * BLOCK as usize);
    let pad = buf.as_ptr().align_offset(BLOCK as usize);
    buf.resize(pad, 0);
    buf.extend_from_slice(head);
    (pad, pad + head.len())
}

/// Writes `buf[pad..]`, padded with zeros to whole blocks, at `block_start` of `direct` (opened with
/// `O_DIRECT`). Returns the file offset the write ends at, or `None` when the buffer is not aligned (it
/// moved when it grew): nothing was written, the caller writes buffered.
pub(super) fn write(
    direct: &File,
    buf: &mut Vec<u8>,
    pad: usize,
    block_start: u64,
) -> std::io::Result<Option<u64>> {
    debug_assert_eq!(block_start % BLOCK, 0);
    let len = buf.len() - pad;
    let whole = (len as u64).div_ceil(BLOCK) * BLOCK;
    if pad >= BLOCK as usize || buf.capacity() < pad + whole as usize {
        return Ok(None);
    }
    buf.resize(pad + whole as usize, 0);
    let data = &buf[pad..];
    if data.as_ptr().align_offset(BLOCK as usize) != 0 {
        return Ok(None);
    }
    super::prealloc::write_all_at(direct, data, block_start)?;
    Ok(Some(block_start + whole))
}

/// Whether an error of a direct write means the kernel refuses direct writes here (then the same bytes
/// are written buffered, and later flushes no longer try).
pub(super) fn refused(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::InvalidInput
}

/// Writes a file front to back (a checkpoint) from a buffer that starts with a prefix (see
/// [`start_buffer`]): each piece directly when the file was opened for it, else through the page cache.
pub(super) struct Sequential<'f> {
    file: &'f File,
    direct: Option<File>,
    /// The file offset of the buffer's first byte past its prefix.
    pos: u64,
    pad: usize,
    prefix: usize,
    room: usize,
    /// A piece was written directly: its last block was padded with zeros, cut off by [`Self::finish`].
    padded: bool,
}

impl<'f> Sequential<'f> {
    /// A writer of `file` (at `path`, empty), directly when `direct` and the filesystem allows; starts
    /// `buf` (pieces of about `room` bytes go through it).
    pub(super) fn new(
        file: &'f File,
        path: &Path,
        direct: bool,
        buf: &mut Vec<u8>,
        room: usize,
    ) -> Sequential<'f> {
        let direct = if direct { open(path) } else { None };
        let (pad, prefix) = if direct.is_some() {
            start_buffer(buf, &[], room)
        } else {
            buf.clear();
            buf.reserve(room);
            (0, 0)
        };
        Sequential {
            file,
            direct,
            pos: 0,
            pad,
            prefix,
            room,
            padded: false,
        }
    }

    /// Writes what `buf` holds past its prefix after what was written before, and starts `buf` again;
    /// returns the bytes written.
    pub(super) fn write(&mut self, buf: &mut Vec<u8>) -> std::io::Result<u64> {
        let new = buf.len() - self.prefix;
        let (pos, end) = (self.pos, self.pos + new as u64);
        let mut done = false;
        if let Some(d) = &self.direct {
            match write(d, buf, self.pad, pos - pos % BLOCK) {
                Ok(Some(_)) => {
                    done = true;
                    self.padded = true;
                }
                Ok(None) => {}
                Err(e) if refused(&e) => self.direct = None,
                Err(e) => return Err(e),
            }
        }
        if !done {
            super::prealloc::write_all_at(self.file, &buf[self.prefix..self.prefix + new], pos)?;
        }
        self.pos = end;
        (self.pad, self.prefix) = match &self.direct {
            Some(_) => {
                // The buffer holds the file's bytes from the start of the block `pos` is in.
                let from = self.pad + (end - end % BLOCK - (pos - pos % BLOCK)) as usize;
                let head = buf[from..self.pad + (end - pos + pos % BLOCK) as usize].to_vec();
                start_buffer(buf, &head, self.room)
            }
            None => {
                buf.clear();
                (0, 0)
            }
        };
        Ok(new as u64)
    }

    /// The prefix `buf` starts with (the bytes before the next piece).
    #[cfg(test)]
    pub(super) fn prefix(&self) -> usize {
        self.prefix
    }

    /// Ends the file at the bytes written (a direct write padded its last block with zeros).
    pub(super) fn finish(self) -> std::io::Result<u64> {
        if self.padded {
            self.file.set_len(self.pos)?;
        }
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A started buffer is aligned after its pad and holds the head; a direct write of it writes whole
    /// blocks from the head's block start, and the file then reads: what was there, the commits, zeros.
    #[test]
    fn a_direct_write_rewrites_the_head_and_pads_with_zeros() {
        let dir = std::env::temp_dir().join(format!("sqlmongo-direct-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("f");
        let first: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8 + 1).collect();
        std::fs::write(&path, &first).expect("write");
        let head = read_head(&path, first.len() as u64).expect("head");
        assert_eq!(head, first[4096..]);
        let mut buf = Vec::new();
        let (pad, prefix) = start_buffer(&mut buf, &head, 10_000);
        assert_eq!(buf[pad..].as_ptr().align_offset(BLOCK as usize), 0);
        assert_eq!(prefix - pad, head.len());
        let commits: Vec<u8> = (0..7000u32).map(|i| (i % 13) as u8 + 1).collect();
        buf.extend_from_slice(&commits);
        let Some(direct) = open(&path) else {
            return; // no O_DIRECT here (tmpfs): the buffered write is the one used
        };
        let end = match write(&direct, &mut buf, pad, 4096) {
            Ok(Some(end)) => end,
            Ok(None) => panic!("an aligned buffer was not written"),
            Err(e) if refused(&e) => return,
            Err(e) => panic!("direct write: {e}"),
        };
        let want_end = (5000 + 7000u64).div_ceil(BLOCK) * BLOCK;
        assert_eq!(end, want_end);
        let got = std::fs::read(&path).expect("read");
        assert_eq!(got.len() as u64, want_end);
        assert_eq!(got[..5000], first[..]);
        assert_eq!(got[5000..12_000], commits[..]);
        assert!(got[12_000..].iter().all(|b| *b == 0));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A file written in pieces of every size (across blocks, shorter than a block, one byte), directly
    /// or through the page cache, holds exactly the bytes written.
    #[test]
    fn a_file_written_in_pieces_holds_the_bytes_written() {
        let dir = std::env::temp_dir().join(format!("sqlmongo-direct-seq-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        for direct in [true, false] {
            let path = dir.join(format!("f-{direct}"));
            let file = File::create(&path).expect("create");
            let mut buf = Vec::new();
            let mut w = Sequential::new(&file, &path, direct, &mut buf, 64 << 10);
            let mut want = Vec::new();
            for (k, n) in [5000usize, 1, 4096, 100, 12_288, 3, 70_000, 4095]
                .into_iter()
                .enumerate()
            {
                assert_eq!(buf.len(), w.prefix());
                let piece: Vec<u8> = (0..n).map(|i| ((i * 7 + k) % 255) as u8 + 1).collect();
                buf.extend_from_slice(&piece);
                want.extend_from_slice(&piece);
                assert_eq!(w.write(&mut buf).expect("write"), n as u64);
            }
            assert_eq!(w.finish().expect("finish"), want.len() as u64);
            assert_eq!(std::fs::read(&path).expect("read"), want);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
