//! Cache prefetch hints for scans: asking the memory system for the next documents' bytes while the current
//! ones are being read, so that a scan over documents that are not in cache waits on memory once per batch
//! of loads in flight rather than once per document.
//!
//! A prefetch is a hint: it reads nothing into the program, never faults (whatever the address) and does not
//! hold the processor up while the line is fetched, unlike an ordinary load of the same byte. On targets
//! without the instruction it does nothing.

/// Bytes per cache line.
const LINE: usize = 64;

/// Hints that the first `lines` cache lines of `bytes` (fewer when `bytes` is shorter) are about to be read.
#[inline]
pub fn prefetch(bytes: &[u8], lines: usize) {
    let n = bytes.len().div_ceil(LINE).min(lines);
    for i in 0..n {
        hint(bytes[i * LINE..].as_ptr());
    }
}

/// Hints that the last byte of `bytes` is about to be read (a document's terminator, which taking its bytes
/// as a document checks).
#[inline]
pub fn prefetch_last(bytes: &[u8]) {
    if let Some(last) = bytes.last() {
        hint(last);
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn hint(p: *const u8) {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    // SAFETY: `_mm_prefetch` needs SSE, which every x86_64 processor has (it is part of the target's
    // baseline). The instruction dereferences nothing: it only hints the cache, and never faults.
    unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast()) }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn hint(_p: *const u8) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefetching_any_slice_is_harmless() {
        for len in [0usize, 1, 63, 64, 65, 1000] {
            let v = vec![7u8; len];
            for lines in [0, 1, 4, 100] {
                prefetch(&v, lines);
            }
            prefetch_last(&v);
            assert!(v.iter().all(|&b| b == 7));
        }
    }
}
