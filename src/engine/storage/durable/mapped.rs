//! A checkpoint file's bytes for loading: mapped read-only from the page cache where the platform allows,
//! else read into memory.
//!
//! Why a mapping: `std::fs::read` of a 1 GB checkpoint (1M sessions) takes 1 GB of fresh anonymous memory
//! that the kernel zeroes page by page before the file is copied into it, and the records are then copied
//! out of it once more into their own allocations; with the file's page-cache pages mapped, only that last
//! copy remains. Profile of a 1M-session reopen before: 62% of its CPU time in the kernel's `clear_page`
//! (the read buffer and the records' memory, about 1 GB each). A checkpoint file is never changed once
//! renamed into place (a checkpoint writes `*.tmp` and renames it; recovery only deletes checkpoints), so
//! the mapping cannot shrink under the reader (a truncated mapped file would fault); a file deleted while
//! mapped (an online dump racing a checkpoint) stays readable through the mapping. Depends on `libc`.

use std::fs::File;
use std::path::Path;

/// A whole file's bytes: mapped, or read.
pub(super) enum FileBytes {
    /// A private read-only mapping of the whole file.
    #[cfg(unix)]
    Mapped {
        /// The mapping's start.
        ptr: *mut libc::c_void,
        /// Its length (the file's, > 0).
        len: usize,
    },
    /// The file read into memory (an empty file, or where mapping is not available or failed).
    Read(Vec<u8>),
}

// SAFETY: the mapping is read-only and owned by this value alone (unmapped on drop); its bytes are only
// read through `&self`, as a `Vec<u8>`'s would be.
unsafe impl Send for FileBytes {}
// SAFETY: as above: shared access only reads.
unsafe impl Sync for FileBytes {}

impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            #[cfg(unix)]
            // SAFETY: `ptr` is a live read-only mapping of `len` bytes (see `map`), unmapped only on drop;
            // the file behind it is never written or truncated once it has its final name.
            FileBytes::Mapped { ptr, len } => unsafe {
                std::slice::from_raw_parts(*ptr as *const u8, *len)
            },
            FileBytes::Read(v) => v,
        }
    }
}

impl Drop for FileBytes {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let FileBytes::Mapped { ptr, len } = self {
            // SAFETY: the mapping `map` made, unmapped once (no slice of it outlives `self`).
            unsafe { libc::munmap(*ptr, *len) };
        }
    }
}

impl std::fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileBytes({} bytes)", self.len())
    }
}

/// Reads the file at `path` whole: mapped when it is not empty and the platform allows (`NotFound` and
/// other open errors are returned as they are).
pub(super) fn read(path: &Path) -> std::io::Result<FileBytes> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    #[cfg(unix)]
    if len > 0 {
        if let Ok(len) = usize::try_from(len) {
            if let Some(m) = map(&file, len) {
                return Ok(m);
            }
        }
    }
    let mut v = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    std::io::Read::read_to_end(&mut &file, &mut v)?;
    Ok(FileBytes::Read(v))
}

/// Maps `len` bytes of `file` read-only, its pages faulted in up front (`MAP_POPULATE` on Linux: one pass
/// in the kernel rather than a fault per few pages); `None` when the mapping fails.
#[cfg(unix)]
fn map(file: &File, len: usize) -> Option<FileBytes> {
    use std::os::fd::AsRawFd;
    #[cfg(target_os = "linux")]
    let flags = libc::MAP_PRIVATE | libc::MAP_POPULATE;
    #[cfg(not(target_os = "linux"))]
    let flags = libc::MAP_PRIVATE;
    // SAFETY: a new read-only private mapping of an open file descriptor (the mapping stays valid after
    // the descriptor is closed); the result is checked before use.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            flags,
            file.as_raw_fd(),
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return None;
    }
    // SAFETY: advice on the mapping just made (the records are read front to back); a failure is harmless.
    unsafe { libc::madvise(ptr, len, libc::MADV_SEQUENTIAL) };
    Some(FileBytes::Mapped { ptr, len })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_and_read_bytes_are_the_files() {
        let dir = std::env::temp_dir().join(format!("sqlmongo-mapped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for len in [0usize, 1, 4095, 4096, 4097, 1 << 20] {
            let path = dir.join(format!("f{len}"));
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            std::fs::write(&path, &data).unwrap();
            let b = read(&path).unwrap();
            assert_eq!(&b[..], &data[..], "{len} bytes");
            #[cfg(unix)]
            assert_eq!(matches!(b, FileBytes::Mapped { .. }), len > 0);
            // A mapped file deleted while mapped stays readable.
            std::fs::remove_file(&path).unwrap();
            assert_eq!(&b[..], &data[..]);
        }
        assert_eq!(
            read(&dir.join("missing")).unwrap_err().kind(),
            std::io::ErrorKind::NotFound
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
