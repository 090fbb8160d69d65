//! Running operations: the registry `currentOp` lists and `killOp` marks, and the interrupt check the engine's
//! loops make (`maxTimeMS`, `killOp`, a canceled statement).
//!
//! In: each command as it starts (its opid, kind, namespace, the command lent, its deadline); out: the
//! `inprog` entries of `currentOp` and 11601 `Interrupted` / 50 `MaxTimeMSExpired` errors from
//! [`check`] in the op's own thread.
//!
//! A command runs on one thread from start to end, so the op it belongs to is a thread-local ([`OpGuard`]
//! sets it and restores the one before on drop). [`check`] is cheap enough for per-document loops: it counts
//! calls and looks at the op (an atomic load and, with a deadline, a clock read) once every
//! [`CHECK_EVERY`] calls; [`check_now`] looks at once (between stages, before a blocking step).

use super::cursor::CursorOwner;
use super::error_codes::ErrorCode;
use super::CommandError;
use bson::{doc, Bson, Document};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// [`check`] looks at the op once every this many calls.
pub const CHECK_EVERY: u32 = 256;

/// mongod's message for an op past its `maxTimeMS`.
pub const TIME_LIMIT_MESSAGE: &str = "operation exceeded time limit";
/// mongod's message for a killed op.
pub const INTERRUPTED_MESSAGE: &str = "operation was interrupted";
/// mongod's message for an op killed because the server shuts down.
pub const INTERRUPTED_AT_SHUTDOWN_MESSAGE: &str = "interrupted at shutdown";

/// What a running op's thread and the registry share.
#[derive(Debug)]
pub struct OpState {
    killed: AtomicBool,
    /// Killed because the server shuts down (11600 `InterruptedAtShutdown`).
    at_shutdown: AtomicBool,
    deadline: Option<Instant>,
}

impl OpState {
    /// An op that ends with 50 `MaxTimeMSExpired` once `deadline` has passed (none: never).
    pub fn new(deadline: Option<Instant>) -> OpState {
        OpState {
            killed: AtomicBool::new(false),
            at_shutdown: AtomicBool::new(false),
            deadline,
        }
    }

    /// Marks the op killed: its next check fails with 11601 `Interrupted`.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Relaxed);
    }

    /// Marks the op killed by a shutdown: its next check fails with 11600 `InterruptedAtShutdown`.
    pub fn kill_at_shutdown(&self) {
        self.at_shutdown.store(true, Ordering::Relaxed);
        self.killed.store(true, Ordering::Relaxed);
    }

    /// Whether the op was killed.
    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Relaxed)
    }

    /// The op's error if it was killed or is past its deadline.
    pub fn check(&self) -> Result<(), CommandError> {
        if self.is_killed() {
            if self.at_shutdown.load(Ordering::Relaxed) {
                return Err(CommandError::new(
                    ErrorCode::InterruptedAtShutdown,
                    INTERRUPTED_AT_SHUTDOWN_MESSAGE,
                ));
            }
            return Err(CommandError::new(
                ErrorCode::Interrupted,
                INTERRUPTED_MESSAGE,
            ));
        }
        if let Some(d) = self.deadline {
            if Instant::now() >= d {
                return Err(CommandError::new(
                    ErrorCode::MaxTimeMSExpired,
                    TIME_LIMIT_MESSAGE,
                ));
            }
        }
        Ok(())
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<OpState>>> = const { RefCell::new(None) };
    static TICK: Cell<u32> = const { Cell::new(0) };
}

/// Fails when the running op was killed or is past its deadline; looks only once every [`CHECK_EVERY`]
/// calls (for per-document loops).
#[inline]
pub fn check() -> Result<(), CommandError> {
    let due = TICK.with(|t| {
        let n = t.get().wrapping_add(1);
        t.set(n);
        n % CHECK_EVERY == 0
    });
    if due {
        check_now()
    } else {
        Ok(())
    }
}

/// Fails when the running op was killed or is past its deadline (looks now).
pub fn check_now() -> Result<(), CommandError> {
    CURRENT.with(|c| match &*c.borrow() {
        Some(op) => op.check(),
        None => Ok(()),
    })
}

/// The elements [`sort_checked`] sorts in one `sort_by` between two looks at the op.
pub const SORT_CHUNK: usize = 1 << 14;

/// Sorts `items` stably by `cmp`, as `sort_by` does, looking at the op between bounded steps: chunks of
/// [`SORT_CHUNK`] elements are sorted one by one, then merged pairwise ([`check`] per element merged), so
/// a sort of millions of values stops within one chunk's sort of a kill or a deadline. A comparator cannot
/// fail (`sort_by` may panic on one that stops being a total order), hence the chunks.
pub fn sort_checked<T>(
    items: &mut Vec<T>,
    mut cmp: impl FnMut(&T, &T) -> std::cmp::Ordering,
) -> Result<(), CommandError> {
    if items.len() <= SORT_CHUNK {
        items.sort_by(&mut cmp);
        return check();
    }
    // Already in order (a scan in index order ahead of the sort): one pass of comparisons, no moves. Input in
    // no particular order fails the test within its first few pairs.
    let mut in_order = true;
    for (i, pair) in items.windows(2).enumerate() {
        if i % SORT_CHUNK == 0 {
            check_now()?;
        }
        if cmp(&pair[0], &pair[1]) == std::cmp::Ordering::Greater {
            in_order = false;
            break;
        }
    }
    if in_order {
        return Ok(());
    }
    for chunk in items.chunks_mut(SORT_CHUNK) {
        check_now()?;
        chunk.sort_by(&mut cmp);
    }
    let n = items.len();
    let mut width = SORT_CHUNK;
    while width < n {
        check_now()?;
        let mut rest = std::mem::take(items).into_iter();
        let mut out = Vec::with_capacity(n);
        loop {
            let left: Vec<T> = rest.by_ref().take(width).collect();
            if left.is_empty() {
                break;
            }
            let mut right = rest.by_ref().take(width).peekable();
            let mut left = left.into_iter().peekable();
            // Stable: the left run's element first unless the right one sorts strictly before it.
            while let (Some(a), Some(b)) = (left.peek(), right.peek()) {
                check()?;
                let take_right = cmp(b, a) == std::cmp::Ordering::Less;
                let next = if take_right {
                    right.next()
                } else {
                    left.next()
                };
                out.extend(next);
            }
            out.extend(left);
            out.extend(right);
        }
        *items = out;
        width = width.saturating_mul(2);
    }
    Ok(())
}

/// Runs `f` as an op already killed (`killOp` before it started): what each loop's check does with it.
#[cfg(test)]
pub(crate) fn run_killed<R>(f: impl FnOnce() -> R) -> R {
    let state = Arc::new(OpState::new(None));
    state.kill();
    let previous = CURRENT.with(|c| c.borrow_mut().replace(state));
    let r = f();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    r
}

/// Whether `e` is an interruption (11601 `Interrupted`, 11600 `InterruptedAtShutdown`, 50
/// `MaxTimeMSExpired`): such an error fails a whole write command instead of becoming one statement's write
/// error, as in mongod.
pub fn is_interruption(e: &CommandError) -> bool {
    e.code == ErrorCode::Interrupted.code()
        || e.code == ErrorCode::InterruptedAtShutdown.code()
        || e.code == ErrorCode::MaxTimeMSExpired.code()
}

/// One entry of the registry.
#[derive(Debug)]
struct Running {
    state: Arc<OpState>,
    op: &'static str,
    ns: String,
    command: Lent,
    owner: CursorOwner,
    started: Instant,
}

/// The command of a running op, lent by the thread that runs it rather than copied (a copy cost every
/// command an allocation per field and value, for a listing that is rarely asked for): `currentOp` reads
/// it, under the registry's lock, only while the op is registered, and [`Ops::run`] takes the op off the
/// registry before the loan ends (also when the command unwinds).
struct Lent(std::ptr::NonNull<Document>);

// SAFETY: the document is only read through a shared reference (`Document` is `Sync`), under the registry's
// lock, while the entry holding it is registered, that is while the thread that lent it is inside
// `Ops::run`, whose borrow of the document outlives the entry (see `Lent`).
unsafe impl Send for Lent {}

impl std::fmt::Debug for Lent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lent(command)")
    }
}

/// The registry of running ops.
#[derive(Debug, Default)]
pub struct Ops {
    next: AtomicI32,
    running: Mutex<BTreeMap<i32, Running>>,
}

/// A registered op: the current op of its thread until dropped, when it leaves the registry.
pub struct OpGuard<'a> {
    ops: &'a Ops,
    opid: i32,
    previous: Option<Arc<OpState>>,
}

impl Drop for OpGuard<'_> {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
        // Also through a poisoned lock: the entry holds a loan that ends with the op (see `Lent`).
        self.ops
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.opid);
    }
}

/// What one op is, for `currentOp`.
pub struct OpInfo<'a> {
    /// mongod's op kind: `query`, `getmore`, `insert`, `update`, `remove`, `command`.
    pub op: &'static str,
    /// `db.collection` (or `db.$cmd`).
    pub ns: String,
    /// The command (`currentOp` shows it with large write arrays left out: [`shown_command`]).
    pub command: &'a Document,
    /// On whose behalf it runs.
    pub owner: &'a CursorOwner,
    /// When it must end (`maxTimeMS`).
    pub deadline: Option<Instant>,
    /// Killed from the start (a canceled statement).
    pub state: Option<Arc<OpState>>,
}

impl Ops {
    /// Runs `body` as a registered op, its thread's current op while it runs; the op leaves the registry
    /// when `body` returns or unwinds.
    pub fn run<R>(&self, info: OpInfo<'_>, body: impl FnOnce() -> R) -> R {
        let _op = self.start(info);
        body()
    }

    /// Registers an op and makes it its thread's current op until the guard drops. Private: the entry
    /// borrows the command, so the guard must not be forgotten (see [`Ops::run`] and `Lent`).
    fn start<'a>(&'a self, info: OpInfo<'a>) -> OpGuard<'a> {
        let opid = self.next.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        let state = info
            .state
            .unwrap_or_else(|| Arc::new(OpState::new(info.deadline)));
        if let Ok(mut r) = self.running.lock() {
            r.insert(
                opid,
                Running {
                    state: state.clone(),
                    op: info.op,
                    ns: info.ns,
                    command: Lent(std::ptr::NonNull::from(info.command)),
                    owner: info.owner.clone(),
                    started: Instant::now(),
                },
            );
        }
        let previous = CURRENT.with(|c| c.borrow_mut().replace(state.clone()));
        OpGuard {
            ops: self,
            opid,
            previous,
        }
    }

    /// Marks op `opid` killed; whether it was running.
    pub fn kill(&self, opid: i32) -> bool {
        let Ok(r) = self.running.lock() else {
            return false;
        };
        match r.get(&opid) {
            Some(op) => {
                op.state.kill();
                true
            }
            None => false,
        }
    }

    /// Marks every op running on behalf of `owner` killed; returns how many.
    pub fn kill_owned_by(&self, owner: &CursorOwner) -> usize {
        let Ok(r) = self.running.lock() else {
            return 0;
        };
        let mut n = 0;
        for op in r.values().filter(|op| &op.owner == owner) {
            op.state.kill();
            n += 1;
        }
        n
    }

    /// Marks every running op killed by a shutdown (11600 `InterruptedAtShutdown`); returns how many.
    pub fn kill_all_at_shutdown(&self) -> usize {
        let Ok(r) = self.running.lock() else {
            return 0;
        };
        for op in r.values() {
            op.state.kill_at_shutdown();
        }
        r.len()
    }

    /// The `inprog` entries of `currentOp`, as mongod shapes them, in opid order.
    pub fn in_progress(&self) -> Vec<Document> {
        let Ok(r) = self.running.lock() else {
            return Vec::new();
        };
        r.iter()
            .map(|(opid, op)| {
                let running = op.started.elapsed();
                let mut d = doc! {"type": "op", "host": "localhost"};
                match &op.owner {
                    CursorOwner::Connection(n) => {
                        d.insert("desc", format!("conn{n}"));
                        d.insert("connectionId", *n);
                    }
                    CursorOwner::Session(id) => {
                        d.insert("desc", "conn");
                        d.insert(
                            "lsid",
                            doc! {"id": Bson::Binary(bson::Binary {
                                subtype: bson::spec::BinarySubtype::Uuid,
                                bytes: id.clone(),
                            })},
                        );
                    }
                    CursorOwner::Local => {
                        d.insert("desc", "local");
                    }
                }
                d.insert("active", true);
                d.insert("opid", *opid);
                d.insert("secs_running", running.as_secs() as i64);
                d.insert(
                    "microsecs_running",
                    i64::try_from(running.as_micros()).unwrap_or(i64::MAX),
                );
                d.insert("op", op.op);
                d.insert("ns", op.ns.clone());
                // SAFETY: the entry is registered, so its command is still lent (see `Lent`).
                let command = unsafe { op.command.0.as_ref() };
                d.insert("command", shown_command(command));
                d.insert("killPending", op.state.is_killed());
                d.insert("waitingForLock", false);
                d
            })
            .collect()
    }
}

/// mongod's op kind of a command.
pub fn op_kind(command_name: &str) -> &'static str {
    match command_name {
        "find" => "query",
        "getMore" => "getmore",
        "insert" => "insert",
        "update" => "update",
        "delete" => "remove",
        _ => "command",
    }
}

/// The command as `currentOp` shows it: arrays of documents a write carries (`documents`, `updates`,
/// `deletes`) are left out past a few entries, as mongod truncates large commands.
pub fn shown_command(cmd: &Document) -> Document {
    let mut out = Document::new();
    for (k, v) in cmd {
        match v {
            Bson::Array(a)
                if a.len() > 8 && matches!(k.as_str(), "documents" | "updates" | "deletes") =>
            {
                out.insert(k.clone(), format!("[{} entries]", a.len()));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// The deadline a command's `maxTimeMS` sets (`None`: absent or 0, no limit), with mongod's errors for values
/// that are not a non-negative 32-bit integer.
pub fn deadline(cmd: &Document, now: Instant) -> Result<Option<Instant>, CommandError> {
    let Some(v) = cmd.get("maxTimeMS") else {
        return Ok(None);
    };
    let ms: f64 = match v {
        Bson::Int32(i) => *i as f64,
        Bson::Int64(i) => *i as f64,
        Bson::Double(d) => *d,
        Bson::Decimal128(d) => d.to_string().parse::<f64>().unwrap_or(f64::NAN),
        _ => {
            return Err(CommandError::new(
                ErrorCode::BadValue,
                "maxTimeMS must be a number",
            ))
        }
    };
    // mongod reads the value as a long (truncated toward zero, NaN as 0) and names it in the message.
    let long = if ms.is_nan() { 0 } else { ms as i64 };
    if long < 0 || long > i64::from(i32::MAX) {
        return Err(CommandError::new(
            ErrorCode::BadValue,
            format!("{long} value for maxTimeMS is out of range"),
        ));
    }
    if ms.fract() != 0.0 {
        return Err(CommandError::new(
            ErrorCode::BadValue,
            "maxTimeMS has non-integral value",
        ));
    }
    if ms == 0.0 {
        return Ok(None);
    }
    Ok(Some(now + Duration::from_millis(ms as u64)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// The chunked, checked sort gives `sort_by`'s order, ties in input order (sizes across one, two and
        /// three chunks, few distinct keys so ties are many).
        #[test]
        fn sort_checked_is_a_stable_sort(
            len in prop_oneof![0usize..40, (SORT_CHUNK - 3)..(SORT_CHUNK + 3), (2 * SORT_CHUNK + 1)..(3 * SORT_CHUNK)],
            seed in any::<u64>(),
            desc in any::<bool>(),
            presorted in any::<bool>(),
        ) {
            let mut x = seed | 1;
            let mut items: Vec<(u32, usize)> = (0..len)
                .map(|i| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    ((x % 50) as u32, i)
                })
                .collect();
            let cmp = |a: &(u32, usize), b: &(u32, usize)| if desc { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) };
            // In order but for the tail (the one-pass test must find the last pair out of order), or wholly.
            if presorted {
                items.sort_by(|a, b| cmp(a, b).then(b.1.cmp(&a.1)));
                if len > 2 && seed % 2 == 0 {
                    items.swap(len - 1, len - 2);
                }
            }
            let mut fast = items.clone();
            sort_checked(&mut fast, cmp).expect("no op: never interrupted");
            let mut slow = items;
            slow.sort_by(cmp);
            prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn sort_checked_stops_a_killed_op() {
        let state = Arc::new(OpState::new(None));
        state.kill();
        let previous = CURRENT.with(|c| c.borrow_mut().replace(state));
        let mut items: Vec<u64> = (0..(3 * SORT_CHUNK as u64)).rev().collect();
        let e = sort_checked(&mut items, |a, b| a.cmp(b)).expect_err("killed");
        CURRENT.with(|c| *c.borrow_mut() = previous);
        assert_eq!(e.code, ErrorCode::Interrupted.code());
    }

    #[test]
    fn max_time_values_are_checked_as_mongod_checks_them() {
        let now = Instant::now();
        assert_eq!(deadline(&doc! {}, now).unwrap(), None);
        assert_eq!(deadline(&doc! {"maxTimeMS": 0}, now).unwrap(), None);
        assert_eq!(
            deadline(&doc! {"maxTimeMS": 5}, now).unwrap(),
            Some(now + Duration::from_millis(5))
        );
        assert_eq!(
            deadline(&doc! {"maxTimeMS": 5.0}, now).unwrap(),
            Some(now + Duration::from_millis(5))
        );
        for (v, msg) in [
            (Bson::Int32(-1), "-1 value for maxTimeMS is out of range"),
            (
                Bson::Int64(1 << 40),
                "1099511627776 value for maxTimeMS is out of range",
            ),
            (Bson::Null, "maxTimeMS must be a number"),
            (Bson::Double(1.5), "maxTimeMS has non-integral value"),
            (Bson::String("5".into()), "maxTimeMS must be a number"),
        ] {
            let e = deadline(&doc! {"maxTimeMS": v}, now).unwrap_err();
            assert_eq!((e.code, e.errmsg.as_str()), (2, msg));
        }
    }

    #[test]
    fn a_killed_op_fails_its_next_check_and_leaves_the_registry_when_done() {
        let ops = Ops::default();
        let owner = CursorOwner::Local;
        let command = doc! {"aggregate": "b"};
        let guard = ops.start(OpInfo {
            op: "command",
            ns: "a.b".into(),
            command: &command,
            owner: &owner,
            deadline: None,
            state: None,
        });
        assert!(check_now().is_ok());
        let listed = ops.in_progress();
        assert_eq!(listed.len(), 1);
        // The command is read from the running op's own (lent) document.
        assert_eq!(listed[0].get_document("command").ok(), Some(&command));
        assert!(ops.kill(guard.opid));
        let e = check_now().unwrap_err();
        assert_eq!((e.code, e.errmsg.as_str()), (11601, INTERRUPTED_MESSAGE));
        // `check` looks only every CHECK_EVERY calls, but never misses for longer.
        let failed = (0..CHECK_EVERY).filter(|_| check().is_err()).count();
        assert_eq!(failed, 1);
        drop(guard);
        assert!(ops.in_progress().is_empty());
        assert!(check_now().is_ok());
    }

    #[test]
    fn a_past_deadline_fails_with_max_time_expired() {
        let ops = Ops::default();
        let owner = CursorOwner::Local;
        let command = doc! {"find": "b"};
        let _guard = ops.start(OpInfo {
            op: "query",
            ns: "a.b".into(),
            command: &command,
            owner: &owner,
            deadline: Some(Instant::now()),
            state: None,
        });
        let e = check_now().unwrap_err();
        assert_eq!((e.code, e.errmsg.as_str()), (50, TIME_LIMIT_MESSAGE));
    }
}
