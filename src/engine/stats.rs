//! Engine-wide counters and settings that `serverStatus` and `profile` report: start time, cursors closed
//! by the idle timeout, TTL monitor passes and deletions, and the slow-operation threshold (`slowms`).
//!
//! In: increments from the cursor table and the TTL monitor; out: plain numbers (atomics, no lock).

use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

/// mongod's default `slowms` (operations slower than this are logged).
pub const DEFAULT_SLOW_MS: i64 = 100;

/// Counters of one engine (see the module documentation).
#[derive(Debug)]
pub(crate) struct EngineStats {
    /// When the engine started (`uptime`).
    pub started: Instant,
    /// TTL monitor passes run by the monitor thread.
    pub ttl_passes: AtomicU64,
    /// Documents the TTL monitor deleted.
    pub ttl_deleted: AtomicU64,
    /// Operations slower than this many milliseconds are slow (`profile`'s `slowms`).
    pub slow_ms: AtomicI64,
    /// The profiling level `profile` reports (0: off; only 0 is served).
    pub profile_level: AtomicI32,
}

impl Default for EngineStats {
    fn default() -> Self {
        EngineStats {
            started: Instant::now(),
            ttl_passes: AtomicU64::new(0),
            ttl_deleted: AtomicU64::new(0),
            slow_ms: AtomicI64::new(DEFAULT_SLOW_MS),
            profile_level: AtomicI32::new(0),
        }
    }
}

impl EngineStats {
    /// Records one TTL monitor pass that deleted `deleted` documents.
    pub fn ttl_pass(&self, deleted: usize) {
        self.ttl_passes.fetch_add(1, Ordering::Relaxed);
        self.ttl_deleted
            .fetch_add(deleted as u64, Ordering::Relaxed);
    }
}

/// The process's resident and virtual memory in MiB, from `/proc/self/status` (`VmRSS`, `VmSize`); `None`
/// where that file does not exist (not Linux).
pub fn process_memory_mib() -> Option<(i64, i64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<i64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: i64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb / 1024)
    };
    Some((field("VmRSS:")?, field("VmSize:")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn process_memory_is_read_from_proc() {
        let (resident, virt) = process_memory_mib().expect("/proc/self/status");
        assert!(resident > 0, "{resident}");
        assert!(virt >= resident, "{virt} < {resident}");
    }

    #[test]
    fn ttl_passes_add_up() {
        let s = EngineStats::default();
        s.ttl_pass(3);
        s.ttl_pass(0);
        assert_eq!(s.ttl_passes.load(Ordering::Relaxed), 2);
        assert_eq!(s.ttl_deleted.load(Ordering::Relaxed), 3);
    }
}
