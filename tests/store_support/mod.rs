//! Shared support for the durable-store suites (`tests/recovery.rs`, `tests/dump.rs`,
//! `tests/durability.rs`): a fresh data directory per test, removed when dropped.
#![allow(dead_code)] // each suite uses a different part of this module

use std::path::PathBuf;

/// A fresh directory under the system temp dir (`sqlmongo-{suite}-{tag}-{pid}-{n}`), removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new, empty (not yet created) directory path for `suite` and `tag`.
    pub fn new(suite: &str, tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "sqlmongo-{suite}-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
