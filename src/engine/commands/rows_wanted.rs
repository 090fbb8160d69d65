//! A command run for a consumer that makes rows of its result ([`Engine::run_command_rows`]: the SQL
//! executor on the embedded engine): an `aggregate` whose output documents a projection made of one shape
//! hands them out as arrays of their values (`Results::Rows`), with the fields once per batch, instead of
//! building a document per row that the consumer takes apart again. Only the command itself answers so:
//! the request is taken by the first `aggregate` that starts (its sub-pipelines run as before).
//!
//! [`Engine::run_command_rows`]: crate::engine::Engine::run_command_rows
//!
//! In: the request, per thread, for the span of one command; out: whether the command's result goes out
//! as rows.

use std::cell::Cell;

thread_local! {
    static WANTED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` (one command) with its result wanted as rows; the request ends with `f`.
pub(crate) fn with_rows<T>(f: impl FnOnce() -> T) -> T {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            WANTED.with(|w| w.set(false));
        }
    }
    WANTED.with(|w| w.set(true));
    let _reset = Reset;
    f()
}

/// Whether the running command's result is wanted as rows (asked once: the request is taken).
pub(super) fn take() -> bool {
    WANTED.with(|w| w.replace(false))
}
