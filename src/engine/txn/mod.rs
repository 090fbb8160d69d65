//! Logical sessions, multi-document transactions and retryable writes, as mongod 7.0 runs them.
//!
//! In: every command, before it runs (its `lsid`, `txnNumber`, `autocommit`, `startTransaction`); out: the
//! command run on the committed state, inside its session's transaction, or answered from the session (a
//! retried write, `commitTransaction`, `endSessions`, ...).
//!
//! - A session is known by its `lsid.id` ([`Sessions`]); its commands run one at a time (a lock per
//!   session), and it is forgotten after 30 minutes without use (`logicalSessionTimeoutMinutes`).
//! - A transaction (`autocommit: false`, `startTransaction: true` on its first command) reads and writes
//!   its own copy of the state, taken when it starts ([`Txn`]): the engine's `Arc` snapshot, copied on
//!   write as any snapshot, so it sees its own writes and nothing committed after it started. Its changes
//!   are collected instead of journaled; `commitTransaction` applies them all under the write lock as one
//!   journal commit (`commit.rs`), `abortTransaction` drops them.
//! - Write conflicts (112 `WriteConflict`, label `TransientTransactionError`, the transaction aborted):
//!   a transaction's write to a document that another open transaction has written, or that a commit
//!   changed after the transaction's snapshot, fails at once; a document changed after the write by a
//!   write outside any transaction fails the commit (first committer wins).
//! - A failed command aborts its transaction (mongod: any error inside a transaction does; a write error
//!   is the command's error there). A transaction open past `transactionLifetimeLimitSeconds` (60 s) from
//!   its start is aborted.
//! - Retryable writes (`txnNumber` without `autocommit`): the session keeps its last write's reply, and
//!   the same `txnNumber` sent again gets that reply without running again.

mod commit;
pub mod labels;
mod table;
#[cfg(test)]
mod tests;

use super::commands::{self, Scope};
use super::storage::{Change, State};
use super::{CommandError, CursorOwner, Inner};
use crate::engine::error_codes::ErrorCode;
use bson::{doc, Bson, Document};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// mongod's `transactionLifetimeLimitSeconds`: a transaction open longer is aborted.
pub const TRANSACTION_LIFETIME: Duration = Duration::from_secs(60);
/// mongod's `logicalSessionTimeoutMinutes`: a session unused this long is forgotten.
pub const SESSION_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The commands a transaction may run (mongod 7.0's list, less the sharding-internal ones).
const ALLOWED_IN_TXN: &[&str] = &[
    "find",
    "getMore",
    "killCursors",
    "insert",
    "update",
    "delete",
    "findAndModify",
    "findandmodify",
    "aggregate",
    "distinct",
    "create",
    "createIndexes",
    "commitTransaction",
    "abortTransaction",
];

/// The write commands a `txnNumber` makes retryable.
const RETRYABLE: &[&str] = &[
    "insert",
    "update",
    "delete",
    "findAndModify",
    "findandmodify",
];

/// The sessions the engine has seen, and the documents open transactions have written.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    map: Mutex<HashMap<Vec<u8>, Arc<Session>>>,
    /// Document -> the session whose open transaction wrote it.
    locks: Mutex<HashMap<DocKey, Vec<u8>>>,
    /// When [`Sessions::reap`] last ran (`None`: never).
    last_reap: Mutex<Option<Instant>>,
}

/// A document a transaction wrote: namespace and a hash of its `_id` that agrees with BSON equality (`1`
/// and `1.0` are one `_id`). Two `_id`s sharing a hash only make a conflict that need not be.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct DocKey {
    pub(crate) db: String,
    pub(crate) coll: String,
    pub(crate) id_hash: u64,
}

/// One logical session.
#[derive(Debug)]
pub(crate) struct Session {
    /// The `lsid` as the client sent it (`{id: UUID}`, with `uid` when given).
    lsid: Document,
    state: Mutex<SessionState>,
}

#[derive(Debug)]
struct SessionState {
    last_use: Instant,
    /// The highest `txnNumber` seen (-1: none).
    txn_number: i64,
    phase: Phase,
    /// The reply of the last retryable write, by its `txnNumber`.
    retry: Option<(i64, Document)>,
    /// The user (`name`, `db`) whose commands used the session (serve with authentication), if any.
    user: Option<(String, String)>,
}

/// Where the session's transaction `txn_number` stands.
#[derive(Debug)]
enum Phase {
    /// No transaction (none yet, or a retryable write holds the number).
    None,
    InProgress(Box<Txn>),
    Committed,
    Aborted,
}

/// An open transaction: its snapshot, its own state, and what it changed.
#[derive(Debug)]
pub(crate) struct Txn {
    /// The committed state when it started.
    pub(crate) base: Arc<State>,
    /// Its own state: the base plus its writes.
    pub(crate) state: RwLock<Arc<State>>,
    /// Its changes, in order (record ids of its own state).
    pub(crate) changes: Mutex<Vec<Change>>,
    /// The documents it wrote (locked against other transactions), with their `_id`.
    pub(crate) keys: Vec<(DocKey, Bson)>,
    started: Instant,
}

/// The session fields of a command.
#[derive(Debug, Default)]
struct Fields {
    lsid: Option<Document>,
    txn_number: Option<i64>,
    autocommit: Option<bool>,
    start: Option<bool>,
}

impl Fields {
    fn of(cmd: &Document) -> Result<Fields, CommandError> {
        // An `lsid` without a binary `id` names no session (as the point-lookup path, which ignores it,
        // reads it); a transaction number then fails for want of a session.
        let lsid = match cmd.get("lsid") {
            Some(Bson::Document(d)) if matches!(d.get("id"), Some(Bson::Binary(_))) => {
                Some(d.clone())
            }
            _ => None,
        };
        let txn_number = match cmd.get("txnNumber") {
            None => None,
            Some(Bson::Int64(n)) => Some(*n),
            Some(Bson::Int32(n)) => Some(i64::from(*n)),
            Some(other) => {
                return Err(CommandError::type_mismatch(format!(
                    "BSON field 'OperationSessionInfo.txnNumber' is the wrong type '{}', expected type 'long'",
                    super::bson_order::type_name(other)
                )))
            }
        };
        let flag = |key: &str| -> Result<Option<bool>, CommandError> {
            match cmd.get(key) {
                None => Ok(None),
                Some(Bson::Boolean(b)) => Ok(Some(*b)),
                Some(other) => Err(CommandError::type_mismatch(format!(
                    "BSON field 'OperationSessionInfo.{key}' is the wrong type '{}', expected type 'bool'",
                    super::bson_order::type_name(other)
                ))),
            }
        };
        Ok(Fields {
            lsid,
            txn_number,
            autocommit: flag("autocommit")?,
            start: flag("startTransaction")?,
        })
    }
}

fn session_id(lsid: &Document) -> Vec<u8> {
    match lsid.get("id") {
        Some(Bson::Binary(b)) => b.bytes.clone(),
        _ => Vec::new(),
    }
}

/// A session id as mongod prints it in messages.
fn show_id(lsid: &Document) -> String {
    match lsid.get("id") {
        Some(Bson::Binary(b)) if b.bytes.len() == 16 => {
            let h: String = b.bytes.iter().map(|x| format!("{x:02x}")).collect();
            format!(
                "{}-{}-{}-{}-{}",
                &h[0..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..32]
            )
        }
        _ => String::from("?"),
    }
}

fn poisoned() -> CommandError {
    CommandError::new(ErrorCode::InternalError, "session lock poisoned")
}

/// `error` with the `TransientTransactionError` label (a driver retries the whole transaction).
pub(crate) fn transient(error: CommandError) -> CommandError {
    error.with_extra(doc! {"errorLabels": ["TransientTransactionError"]})
}

/// mongod's write conflict inside a transaction.
pub(crate) fn write_conflict() -> CommandError {
    transient(CommandError::new(
        ErrorCode::WriteConflict,
        "Caused by :: Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.",
    ))
}

fn aborted_error(n: i64) -> CommandError {
    transient(CommandError::new(
        ErrorCode::NoSuchTransaction,
        format!("Transaction with {{ txnNumber: {n} }} has been aborted."),
    ))
}

/// Runs a command with its session fields: on the committed state, inside its session's transaction, or
/// answered by the session.
pub(crate) fn run(
    inner: &Inner,
    owner: &CursorOwner,
    db: &str,
    cmd: &Document,
) -> Result<Document, CommandError> {
    let name = cmd.keys().next().map(String::as_str).unwrap_or("");
    let sessions = &inner.sessions;
    match name {
        "startSession" => {
            let id = bson::Binary {
                subtype: bson::spec::BinarySubtype::Uuid,
                bytes: bson::Uuid::new().bytes().to_vec(),
            };
            let lsid = doc! {"id": id};
            sessions.get_or_create(&lsid)?;
            return Ok(doc! {"id": lsid, "timeoutMinutes": 30, "ok": 1.0});
        }
        "endSessions" | "killSessions" => {
            let list = match cmd.get(name) {
                Some(Bson::Array(a)) => a.clone(),
                _ => {
                    return Err(CommandError::type_mismatch(format!(
                        "BSON field '{name}.{name}' is the wrong type, expected type 'array'"
                    )))
                }
            };
            sessions.end(&list, name == "killSessions")?;
            return Ok(doc! {"ok": 1.0});
        }
        "refreshSessions" => {
            if let Some(Bson::Array(list)) = cmd.get(name) {
                for l in list {
                    if let Bson::Document(d) = l {
                        if d.get("id").is_some() {
                            let s = sessions.get_or_create(d)?;
                            s.state.lock().map_err(|_| poisoned())?.last_use = Instant::now();
                        }
                    }
                }
            }
            return Ok(doc! {"ok": 1.0});
        }
        _ => {}
    }
    let fields = Fields::of(cmd)?;
    let Some(lsid) = &fields.lsid else {
        if fields.txn_number.is_some() {
            return Err(CommandError::new(
                ErrorCode::InvalidOptions,
                "Transaction number requires a session ID to also be specified",
            ));
        }
        if fields.autocommit.is_some() || fields.start.is_some() {
            return Err(CommandError::new(
                ErrorCode::InvalidOptions,
                "'autocommit' and 'startTransaction' require a session ID and a transaction number",
            ));
        }
        if matches!(name, "commitTransaction" | "abortTransaction") {
            return Err(CommandError::new(
                ErrorCode::InvalidOptions,
                format!("{name} must be run within a session"),
            ));
        }
        return commands::run(inner, owner, db, cmd);
    };
    let due = sessions
        .last_reap
        .lock()
        .map(|l| l.is_none_or(|t| t.elapsed() > Duration::from_secs(1)))
        .unwrap_or(false);
    if due {
        sessions.reap();
    }
    let session = sessions.get_or_create(lsid)?;
    let id = session_id(lsid);
    let mut st = session.state.lock().map_err(|_| poisoned())?;
    st.last_use = Instant::now();
    match (fields.txn_number, fields.autocommit) {
        (_, Some(true)) => Err(CommandError::new(
            ErrorCode::InvalidOptions,
            "Specifying autocommit=true is not allowed.",
        )),
        (None, Some(false)) => Err(CommandError::new(
            ErrorCode::InvalidOptions,
            "'autocommit' field requires a transaction number to also be specified",
        )),
        (None, None) => {
            if fields.start.is_some() {
                return Err(CommandError::new(
                    ErrorCode::InvalidOptions,
                    "'startTransaction' field requires 'autocommit' field to also be specified",
                ));
            }
            if matches!(name, "commitTransaction" | "abortTransaction") {
                return Err(CommandError::new(
                    ErrorCode::InvalidOptions,
                    format!("{name} must be run within a transaction"),
                ));
            }
            drop(st);
            commands::run(inner, owner, db, cmd)
        }
        (Some(n), None) => retryable_write(inner, owner, db, cmd, name, n, lsid, &mut st)
            .map_err(|e| labels::label_error(cmd, e)),
        (Some(n), Some(false)) => {
            in_transaction(inner, owner, db, cmd, name, n, &fields, lsid, &id, &mut st)
                .map_err(|e| labels::label_error(cmd, e))
        }
    }
}

/// A write with a `txnNumber` and no `autocommit`: run once; the same number again gets the first reply.
#[allow(clippy::too_many_arguments)]
fn retryable_write(
    inner: &Inner,
    owner: &CursorOwner,
    db: &str,
    cmd: &Document,
    name: &str,
    n: i64,
    lsid: &Document,
    st: &mut SessionState,
) -> Result<Document, CommandError> {
    if fields_start(cmd) {
        return Err(CommandError::new(
            ErrorCode::InvalidOptions,
            "'startTransaction' field requires 'autocommit' field to also be specified",
        ));
    }
    if !RETRYABLE.contains(&name) {
        return Err(CommandError::location(
            50768,
            format!("txnNumber may only be provided for multi-document transactions and retryable write commands. autocommit:false was not provided, and {name} is not a retryable write command."),
        ));
    }
    if n < st.txn_number {
        return Err(CommandError::new(
            ErrorCode::TransactionTooOld,
            format!(
                "Retryable write with txnNumber {n} is prohibited on session {} because a newer retryable write with txnNumber {} has already started on this session.",
                show_id(lsid),
                st.txn_number
            ),
        ));
    }
    if n == st.txn_number {
        if !matches!(st.phase, Phase::None) {
            return Err(CommandError::new(
                ErrorCode::InvalidOptions,
                "Must specify autocommit=false on all operations of a multi-statement transaction.",
            ));
        }
        if let Some((m, reply)) = &st.retry {
            if *m == n {
                return Ok(reply.clone());
            }
        }
    }
    if matches!(st.phase, Phase::InProgress(_)) {
        inner.sessions.abort_locked(&session_id(lsid), st);
    }
    st.txn_number = n;
    st.phase = Phase::None;
    st.retry = None;
    let reply = commands::run(inner, owner, db, cmd)?;
    st.retry = Some((n, reply.clone()));
    Ok(reply)
}

fn fields_start(cmd: &Document) -> bool {
    cmd.contains_key("startTransaction")
}

/// A command of a multi-document transaction (`autocommit: false`).
#[allow(clippy::too_many_arguments)]
fn in_transaction(
    inner: &Inner,
    owner: &CursorOwner,
    db: &str,
    cmd: &Document,
    name: &str,
    n: i64,
    fields: &Fields,
    lsid: &Document,
    id: &[u8],
    st: &mut SessionState,
) -> Result<Document, CommandError> {
    let sessions = &inner.sessions;
    if !ALLOWED_IN_TXN.contains(&name) {
        return Err(CommandError::new(
            ErrorCode::OperationNotSupportedInTransaction,
            format!("Cannot run '{name}' in a multi-document transaction."),
        ));
    }
    let admin_cmd = matches!(name, "commitTransaction" | "abortTransaction");
    if admin_cmd && db != "admin" {
        return Err(CommandError::new(
            ErrorCode::Unauthorized,
            format!("{name} may only be run against the admin database."),
        ));
    }
    if !admin_cmd && matches!(db, "admin" | "config" | "local") {
        return Err(CommandError::new(
            ErrorCode::OperationNotSupportedInTransaction,
            format!("Cannot run command against the '{db}' database in a transaction."),
        ));
    }
    if fields.start == Some(false) {
        return Err(CommandError::new(
            ErrorCode::InvalidOptions,
            "Specifying startTransaction=false is not allowed.",
        ));
    }
    if fields.start == Some(true) {
        if n < st.txn_number {
            return Err(CommandError::new(
                ErrorCode::TransactionTooOld,
                format!(
                    "Cannot start transaction {n} on session {} because a newer transaction with txnNumber {} has already started.",
                    show_id(lsid),
                    st.txn_number
                ),
            ));
        }
        if n == st.txn_number {
            return Err(CommandError::new(
                ErrorCode::ConflictingOperationInProgress,
                "Only servers in a sharded cluster can start a new transaction at the active transaction number",
            ));
        }
        check_read_concern(cmd)?;
        sessions.reap();
        sessions.abort_locked(id, st);
        st.txn_number = n;
        st.retry = None;
        let base = inner.read_state()?;
        st.phase = Phase::InProgress(Box::new(Txn {
            state: RwLock::new(Arc::clone(&base)),
            base,
            changes: Mutex::new(Vec::new()),
            keys: Vec::new(),
            started: Instant::now(),
        }));
    } else {
        if n != st.txn_number || matches!(st.phase, Phase::None) {
            return Err(transient(CommandError::new(
                ErrorCode::NoSuchTransaction,
                format!("Given transaction number {n} does not match any in-progress transactions. The active transaction number is {}", st.txn_number),
            )));
        }
        if matches!(&st.phase, Phase::InProgress(t) if t.started.elapsed() > TRANSACTION_LIFETIME) {
            sessions.abort_locked(id, st);
        }
        match (&st.phase, name) {
            (Phase::Committed, "commitTransaction") => return Ok(doc! {"ok": 1.0}),
            (Phase::Committed, _) => {
                return Err(CommandError::new(
                    ErrorCode::TransactionCommitted,
                    format!("Transaction with {{ txnNumber: {n} }} has been committed."),
                ))
            }
            (Phase::Aborted, "abortTransaction") => {
                return Err(CommandError::new(
                    ErrorCode::NoSuchTransaction,
                    format!("Transaction with {{ txnNumber: {n} }} has been aborted."),
                ))
            }
            (Phase::Aborted, _) => return Err(aborted_error(n)),
            _ => {}
        }
        if cmd.contains_key("readConcern") {
            sessions.abort_locked(id, st);
            return Err(CommandError::new(
                ErrorCode::InvalidOptions,
                "Only the first command in a transaction may specify a readConcern",
            ));
        }
    }
    match name {
        "commitTransaction" => {
            let Phase::InProgress(txn) = std::mem::replace(&mut st.phase, Phase::Aborted) else {
                return Err(aborted_error(n));
            };
            let result = commit::commit(inner, &txn, cmd);
            sessions.release(id, &txn);
            result?;
            st.phase = Phase::Committed;
            return Ok(doc! {"ok": 1.0});
        }
        "abortTransaction" => {
            sessions.abort_locked(id, st);
            return Ok(doc! {"ok": 1.0});
        }
        _ => {}
    }
    if cmd.contains_key("writeConcern") {
        sessions.abort_locked(id, st);
        return Err(CommandError::new(
            ErrorCode::InvalidOptions,
            "writeConcern is not allowed within a multi-statement transaction",
        ));
    }
    let Phase::InProgress(txn) = &mut st.phase else {
        return Err(aborted_error(n));
    };
    let result = run_statement(inner, owner, db, cmd, name, id, txn);
    if result.is_err() {
        sessions.abort_locked(id, st);
    }
    result
}

/// mongod's read concern levels for a transaction: `local`, `majority`, `snapshot`.
fn check_read_concern(cmd: &Document) -> Result<(), CommandError> {
    let Some(rc) = cmd.get("readConcern") else {
        return Ok(());
    };
    let level = match rc {
        Bson::Document(d) => d.get_str("level").ok(),
        _ => None,
    };
    match level {
        None | Some("local" | "majority" | "snapshot") => Ok(()),
        Some(other) => Err(CommandError::new(
            ErrorCode::InvalidOptions,
            format!("The readConcern level must be either 'local' (default), 'majority' or 'snapshot' in order to run in a transaction; got '{other}'"),
        )),
    }
}

/// One statement of an open transaction, on its state; its writes are checked for conflicts.
fn run_statement(
    inner: &Inner,
    owner: &CursorOwner,
    db: &str,
    cmd: &Document,
    name: &str,
    id: &[u8],
    txn: &mut Txn,
) -> Result<Document, CommandError> {
    check_catalog(db, cmd, name, txn)?;
    let before_state = txn
        .state
        .read()
        .map(|s| Arc::clone(&s))
        .map_err(|_| poisoned())?;
    let before_len = txn.changes.lock().map_err(|_| poisoned())?.len();
    let scope = Scope {
        state: &txn.state,
        changes: Some(&txn.changes),
    };
    // The transaction fields are the session's business: the command itself runs without them.
    let mut plain = cmd.clone();
    for f in ["txnNumber", "autocommit", "startTransaction", "readConcern"] {
        plain.remove(f);
    }
    let reply = commands::run_in(inner, owner, db, &plain, scope)?;
    // Inside a transaction the first write error fails the command (and so the transaction).
    if let Some(Bson::Array(errors)) = reply.get("writeErrors") {
        if let Some(Bson::Document(e)) = errors.first() {
            let code = e.get_i32("code").unwrap_or(8);
            let msg = e.get_str("errmsg").unwrap_or("write error").to_string();
            let mut err = CommandError::new(ErrorCode::location(code), msg);
            let extra: Document = e
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "index" | "code" | "errmsg" | "codeName"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !extra.is_empty() {
                err = err.with_extra(extra);
            }
            return Err(err);
        }
    }
    let changes = txn.changes.lock().map_err(|_| poisoned())?;
    let written = commit::written_keys(&before_state, &changes[before_len..]);
    drop(changes);
    commit::check_new_writes(inner, id, txn, written)?;
    Ok(reply)
}

/// What a transaction may not do to the catalog: create a collection that exists (48), create indexes on
/// a collection that existed before the transaction (263), write with `$out` / `$merge` (263).
fn check_catalog(db: &str, cmd: &Document, name: &str, txn: &Txn) -> Result<(), CommandError> {
    let coll = cmd.get_str(name).unwrap_or("");
    let exists = |s: &State| {
        s.databases
            .get(db)
            .is_some_and(|d| d.collections.contains_key(coll))
    };
    match name {
        "create" => {
            let state = txn.state.read().map_err(|_| poisoned())?;
            if exists(&state) {
                return Err(CommandError::new(
                    ErrorCode::NamespaceExists,
                    format!("Collection {db}.{coll} already exists."),
                ));
            }
        }
        "createIndexes" if exists(&txn.base) => {
            return Err(CommandError::new(
                ErrorCode::OperationNotSupportedInTransaction,
                format!("Cannot create new indexes on existing collection {db}.{coll} in a multi-document transaction."),
            ));
        }
        "aggregate" => {
            if let Some(Bson::Array(stages)) = cmd.get("pipeline") {
                let writes = stages.iter().any(|s| {
                    matches!(s, Bson::Document(d) if d.contains_key("$out") || d.contains_key("$merge"))
                });
                if writes {
                    return Err(CommandError::new(
                        ErrorCode::OperationNotSupportedInTransaction,
                        "$out and $merge cannot be used in a transaction",
                    ));
                }
            }
        }
        _ => {}
    }
    Ok(())
}
