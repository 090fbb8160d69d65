//! The binary's allocator settings (mimalloc: see `Cargo.toml` and `src/main.rs`).
//!
//! mimalloc returns freed memory to the OS 10 ms after it is freed (its `purge_delay`). A statement frees
//! what it built (its documents, sort buffers, reply) when it ends, so the next statement, even one issued
//! right after, faults the same amount of memory in again and the kernel zeroes every page of it: on the
//! PostgreSQL-differential corpus at 10k sessions that was a quarter of sqlmongo's time (63 `json` statements
//! one after the other: 7.0 s -> 5.0-5.4 s with the memory kept for a second). PostgreSQL keeps its
//! memory contexts from query to query in the same way. A second is long enough for statements that follow
//! each other (a script, a dashboard's queries, a busy server) and short enough that an idle process gives the
//! memory of one large statement back.

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`; `libmimalloc-sys` names no constant for it).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with the process before mimalloc returns it to the OS, in milliseconds.
pub const PURGE_DELAY_MS: i64 = 1000;

/// Sets the allocator's options for a database process: freed memory is kept for [`PURGE_DELAY_MS`]. A
/// `MIMALLOC_PURGE_DELAY` in the environment (mimalloc's own variable) wins. Call it first thing in `main`.
///
/// ```
/// sqlmongo::cli::allocator::tune();
/// ```
pub fn tune() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: `mi_option_set` stores an integer option; mimalloc reads options atomically and allows
    // setting them at any time.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS as _) }
}

/// The purge delay mimalloc runs with now, in milliseconds.
pub fn purge_delay_ms() -> i64 {
    // SAFETY: reads an integer option.
    unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tune_sets_the_purge_delay_unless_the_environment_does() {
        super::tune();
        match std::env::var("MIMALLOC_PURGE_DELAY") {
            Ok(v) => assert_eq!(v.trim().parse::<i64>().ok(), Some(super::purge_delay_ms())),
            Err(_) => assert_eq!(super::purge_delay_ms(), super::PURGE_DELAY_MS),
        }
    }
}
