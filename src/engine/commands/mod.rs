//! Command dispatch: the command name is the first key of the command document, as in mongod.
//!
//! In: a database name and a command document; out: the reply document (`ok: 1.0` added) or a
//! [`CommandError`]. Read commands share the state lock, write commands take it exclusively. Each
//! command family lives in its own file: `read` (find, getMore, killCursors, aggregate, count, distinct,
//! explain), `write` (insert, update, delete, findAndModify), `admin` (collections, indexes, handshake).

mod admin;
mod args;
mod collation_scope;
mod count_all;
mod current_op;
mod cursor_cmds;
mod field_types;
#[cfg(test)]
mod find_kept_tests;
mod hint;
mod index_minmax;
mod index_order;
mod index_topk;
mod known_fields;
mod let_vars;
#[cfg(test)]
mod lookup_aggregate_tests;
#[cfg(test)]
mod lookup_filter_tests;
mod namespace;
#[cfg(test)]
mod never_tests;
mod out_merge;
mod point;
#[cfg(test)]
mod pushdown_tests;
mod raw_topk;
#[cfg(test)]
mod raw_topk_tests;
mod read;
#[cfg(test)]
mod row_input_tests;
mod row_scan;
pub(crate) mod rows_wanted;
mod scan;
mod scan_order;
#[cfg(test)]
mod scan_reads_tests;
mod server_status;
mod validation_details;
mod write;
mod write_checks;

use super::collation;
use super::expr::Vars;
use super::pipeline::{Catalog, Pipeline};
use super::storage::{Collection, State};
use super::{CommandError, CursorOwner, Inner};
use crate::engine::error_codes::ErrorCode;
use args::{coll_name, opt_bool, opt_doc, opt_i64};
use bson::{Bson, Document};
use collation_scope::{command_collation, statement_collation};
use namespace::{check_db, check_namespace};
pub(super) use scan::*;

/// Runs a command on the committed state.
pub(super) fn run(
    inner: &Inner,
    owner: &CursorOwner,
    db: &str,
    cmd: &Document,
) -> Result<Document, CommandError> {
    run_in(inner, owner, db, cmd, Scope::committed(inner))
}

/// Where a command reads and writes: the engine's committed state (its writes journaled), or a
/// transaction's own state (its writes collected for the commit; see `engine::txn`).
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    /// The state the command reads and writes.
    pub(crate) state: &'a std::sync::RwLock<std::sync::Arc<State>>,
    /// A transaction's change list: the command's changes go there instead of to storage.
    pub(crate) changes: Option<&'a std::sync::Mutex<Vec<super::storage::Change>>>,
}

impl<'a> Scope<'a> {
    /// The engine's committed state.
    pub(crate) fn committed(inner: &'a Inner) -> Scope<'a> {
        Scope {
            state: &inner.state,
            changes: None,
        }
    }
}

/// Runs a command in `scope` (the committed state, or a transaction's).
pub(crate) fn run_in(
    inner: &Inner,
    owner: &CursorOwner,
    db: &str,
    cmd: &Document,
    scope: Scope<'_>,
) -> Result<Document, CommandError> {
    let Some((name, _)) = cmd.iter().next() else {
        return Err(CommandError::failed_to_parse("empty command document"));
    };
    check_db(db)?;
    check_namespace(db, cmd)?;
    if let Some(e) = &inner.load_error {
        return Err(e.clone());
    }
    known_fields::check(name, cmd)?;
    hint::check(inner, db, name, cmd)?;
    // The command's own hint is in force while it runs (an update / delete statement's is set per statement).
    let _hint = match name.as_str() {
        "find" | "count" | "distinct" | "aggregate" | "findAndModify" | "findandmodify" => {
            hint::scoped(db, cmd.get_str(name).unwrap_or_default(), cmd.get("hint"))
        }
        _ => hint::scoped(db, "", None),
    };
    let deadline = super::ops::deadline(cmd, std::time::Instant::now())?;
    let info = super::ops::OpInfo {
        op: super::ops::op_kind(name),
        ns: op_namespace(db, name, cmd),
        command: cmd,
        owner,
        deadline,
        state: None,
    };
    inner.ops.run(info, || {
        let mut vars = Vars::new(inner.now());
        vars.memory = inner.memory.policy(cmd)?;
        let vars = let_vars::command_let(name, cmd, vars)?;
        let ctx = Ctx {
            inner,
            owner,
            db,
            vars,
            seq: std::cell::Cell::new(0),
            state: scope.state,
            txn_changes: scope.changes,
        };
        // The command's collation (or its collection's / view's default) is active while it runs.
        let _collation = collation::enter(command_collation(&ctx, name, cmd)?);
        let reply = dispatch(&ctx, name, cmd);
        // The command's changes were appended under the write lock, now released: wait for the fsync when
        // the write concern asks for it (concurrent writers share one fsync).
        let seq = ctx.seq.get();
        if seq > 0 && wants_journal(cmd, inner.opts.synchronous_commit) {
            inner.opts.storage.sync(seq)?;
        }
        let mut reply = reply?;
        reply.insert("ok", 1.0);
        Ok(reply)
    })
}

/// The namespace `currentOp` shows for a command: `db.collection` for commands on a collection, `db.$cmd`
/// otherwise.
fn op_namespace(db: &str, name: &str, cmd: &Document) -> String {
    let coll = match name {
        "getMore" => cmd.get_str("collection").ok(),
        _ => cmd.get_str(name).ok(),
    };
    format!("{db}.{}", coll.unwrap_or("$cmd"))
}

/// Whether a write waits for its commit to be durable: `j: true` (or any true value) and `w: "majority"`
/// do (a standalone's majority is itself, journaled); `j: false`, `w: 1` and `w: 0` do not; without a
/// `writeConcern` the engine's `synchronous_commit` decides.
pub(crate) fn wants_journal(cmd: &Document, synchronous: bool) -> bool {
    let Some(Bson::Document(wc)) = cmd.get("writeConcern") else {
        return synchronous;
    };
    match wc.get("j") {
        Some(Bson::Boolean(j)) => return *j,
        Some(v @ (Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_))) => {
            return super::numeric::Num::from_bson(v).is_some_and(|n| n.to_f64() != 0.0)
        }
        _ => {}
    }
    match wc.get("w") {
        Some(Bson::String(w)) => w == "majority",
        Some(_) => false,
        None => synchronous,
    }
}

// The arms pass `&ctx` as they did when the context was a local (keeps this table's text stable).
#[allow(clippy::needless_borrow)]
fn dispatch(ctx: &Ctx, name: &str, cmd: &Document) -> Result<Document, CommandError> {
    let reply = match name {
        "find" => read::find(&ctx, cmd)?,
        "getMore" => cursor_cmds::get_more(&ctx, cmd)?,
        "killCursors" => cursor_cmds::kill_cursors(&ctx, cmd)?,
        "aggregate" => read::aggregate(&ctx, cmd)?,
        "count" => read::count(&ctx, cmd)?,
        "distinct" => read::distinct(&ctx, cmd)?,
        "explain" => read::explain(&ctx, cmd)?,
        "insert" => write::insert(&ctx, cmd)?,
        "update" => write::update(&ctx, cmd)?,
        "delete" => write::delete(&ctx, cmd)?,
        "findAndModify" | "findandmodify" => write::find_and_modify(&ctx, cmd)?,
        "create" => admin::create(&ctx, cmd)?,
        "drop" => admin::drop(&ctx, cmd)?,
        "dropDatabase" => admin::drop_database(&ctx)?,
        "listCollections" => admin::list_collections(&ctx, cmd)?,
        "createIndexes" => admin::create_indexes(&ctx, cmd)?,
        "dropIndexes" | "deleteIndexes" => admin::drop_indexes(&ctx, cmd)?,
        "listIndexes" => admin::list_indexes(&ctx, cmd)?,
        "collMod" => admin::coll_mod(&ctx, cmd)?,
        "listDatabases" => admin::list_databases(&ctx, cmd)?,
        "ping" => Document::new(),
        "hello" | "isMaster" | "ismaster" => admin::hello(&ctx, name == "hello"),
        "buildInfo" | "buildinfo" => admin::build_info(),
        "endSessions" | "killSessions" | "refreshSessions" => Document::new(),
        "getParameter" => {
            let mut d = admin::get_parameter(cmd);
            d.extend(ctx.inner.memory.get_parameter(cmd));
            d
        }
        "setParameter" => ctx.inner.memory.set_parameter(ctx.db, cmd)?,
        "connectionStatus" => {
            bson::doc! {"authInfo": {"authenticatedUsers": [], "authenticatedUserRoles": []}}
        }
        "hostInfo" => bson::doc! {"system": {"hostname": "localhost"}},
        "getCmdLineOpts" => bson::doc! {"argv": ["sqlmongo"], "parsed": {}},
        "dbStats" => admin::db_stats(&ctx)?,
        "collStats" => admin::coll_stats(&ctx, cmd)?,
        "serverStatus" => server_status::server_status(&ctx),
        "profile" => server_status::profile(&ctx, cmd)?,
        "getLog" => bson::doc! {"totalLinesWritten": 0, "log": []},
        "currentOp" => current_op::current_op(&ctx, cmd)?,
        "killOp" => current_op::kill_op(&ctx, cmd)?,
        "sqlmongoRunTTLMonitor" => current_op::run_ttl_monitor(&ctx, cmd)?,
        other => return Err(CommandError::command_not_found(other)),
    };
    Ok(reply)
}

/// Runs a command given as BSON bytes and answers with BSON bytes: a point lookup (`find` by a key a
/// single-field index serves) is answered from the stored bytes without parsing; anything else is parsed and
/// run by [`run`].
pub(super) fn run_raw(
    inner: &Inner,
    owner: &CursorOwner,
    db: &str,
    cmd: &bson::RawDocument,
) -> Result<bson::RawDocumentBuf, CommandError> {
    // Nothing below may read the bytes before their depth is known to be bounded.
    super::limits::check_command_bytes(cmd.as_bytes())?;
    if let Some(e) = &inner.load_error {
        return Err(e.clone());
    }
    if let Some(reply) = point::find_raw(inner, db, cmd) {
        return reply;
    }
    let cmd = Document::try_from(cmd).map_err(|e| {
        CommandError::new(
            ErrorCode::InvalidBSON,
            format!("invalid command document: {e}"),
        )
    })?;
    super::limits::check_command(&cmd)?;
    let reply = super::txn::run(inner, owner, db, &cmd)?;
    bson::RawDocumentBuf::try_from(&reply).map_err(|e| {
        CommandError::new(
            ErrorCode::InternalError,
            format!("cannot encode the reply: {e}"),
        )
    })
}

/// One command's context.
pub(super) struct Ctx<'a> {
    inner: &'a Inner,
    /// On whose behalf the command runs (the owner of the cursors it opens).
    owner: &'a CursorOwner,
    db: &'a str,
    vars: Vars,
    /// The sequence number of the command's last commit to storage (0: none).
    seq: std::cell::Cell<u64>,
    /// The state the command reads and writes (the engine's, or a transaction's).
    state: &'a std::sync::RwLock<std::sync::Arc<State>>,
    /// In a transaction: where its changes go (they reach storage when it commits).
    txn_changes: Option<&'a std::sync::Mutex<Vec<super::storage::Change>>>,
}

impl Ctx<'_> {
    /// Appends changes to storage (under the write lock) and notes the commit for the sync after it; in a
    /// transaction, adds them to the transaction's changes instead.
    fn commit(&self, changes: &[super::storage::Change]) -> Result<(), CommandError> {
        if let Some(txn) = self.txn_changes {
            txn.lock()
                .map_err(|_| poisoned())?
                .extend_from_slice(changes);
            return Ok(());
        }
        let seq = self.inner.opts.storage.commit(changes)?;
        self.seq.set(self.seq.get().max(seq));
        Ok(())
    }

    /// Whether the command's writes must be described as [`super::storage::Change`]s (durable storage, or
    /// a transaction, which applies them at commit).
    fn wants_changes(&self) -> bool {
        self.txn_changes.is_some() || self.inner.opts.storage.wants_changes()
    }

    /// A snapshot of the state the command reads (see [`Inner::read_state`]).
    fn read_state(&self) -> Result<std::sync::Arc<State>, CommandError> {
        self.state
            .read()
            .map(|s| std::sync::Arc::clone(&s))
            .map_err(|_| poisoned())
    }

    fn ns(&self, coll: &str) -> String {
        format!("{}.{}", self.db, coll)
    }
}

/// How many records an index may narrow a read to for it to run under the read lock instead of on a
/// snapshot (see [`read_for`]).
const SHORT_READ_RECORDS: usize = 1024;

/// A read's view of the committed state: the state under the read lock, or a snapshot of it.
pub(super) enum StateRef<'a> {
    /// Under the read lock (a short read: writers wait for it, and copy nothing).
    Locked(std::sync::RwLockReadGuard<'a, std::sync::Arc<State>>),
    /// A snapshot (a read of any length: writers go on, copying what it shares on their first write).
    Snapshot(std::sync::Arc<State>),
}

impl std::ops::Deref for StateRef<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        match self {
            StateRef::Locked(g) => g,
            StateRef::Snapshot(s) => s,
        }
    }
}

/// The state for a read of collection `name` with `filter`. A read that an index narrows to at most
/// [`SHORT_READ_RECORDS`] records ends in microseconds: it keeps the read lock rather than a snapshot, so a
/// writer never copies a collection for it (a snapshot shared while a writer writes costs that writer a copy
/// of the collection's structure). Any other read takes a snapshot and never delays a writer.
pub(super) fn read_for<'a>(
    ctx: &Ctx<'a>,
    name: &str,
    filter: Option<&Document>,
) -> Result<StateRef<'a>, CommandError> {
    let guard = ctx.state.read().map_err(|_| poisoned())?;
    let short = filter.filter(|f| !f.is_empty()).is_some_and(|f| {
        get_coll(&guard, ctx.db, name)
            .filter(|c| !c.is_view())
            .and_then(|c| c.candidates(f))
            .is_some_and(|r| r.len() <= SHORT_READ_RECORDS)
    });
    Ok(if short {
        StateRef::Locked(guard)
    } else {
        StateRef::Snapshot(std::sync::Arc::clone(&guard))
    })
}

/// A collection or view by name.
fn get_coll<'s>(state: &'s State, db: &str, name: &str) -> Option<&'s Collection> {
    state
        .databases
        .get(db)
        .and_then(|d| d.collections.get(name))
        .map(|c| &**c)
}

/// Follows `viewOn` to the base collection; returns it and the concatenated view pipeline.
fn resolve_view(state: &State, db: &str, name: &str) -> Result<(String, Vec<Bson>), CommandError> {
    let mut chain: Vec<Vec<Bson>> = Vec::new();
    let mut cur = name.to_string();
    for _ in 0..20 {
        match get_coll(state, db, &cur) {
            Some(c) if c.is_view() => {
                let on = c
                    .options()
                    .get_str("viewOn")
                    .unwrap_or_default()
                    .to_string();
                let p = match c.options().get("pipeline") {
                    Some(Bson::Array(a)) => a.clone(),
                    _ => Vec::new(),
                };
                chain.push(p);
                cur = on;
            }
            _ => {
                let mut pipeline = Vec::new();
                for p in chain.into_iter().rev() {
                    pipeline.extend(p);
                }
                return Ok((cur, pipeline));
            }
        }
    }
    Err(CommandError::new(
        ErrorCode::BadValue,
        format!("View depth too deep or view cycle detected for {name}"),
    ))
}

/// The catalog pipelines read other collections through.
pub(super) struct StateCatalog<'s> {
    state: &'s State,
    db: &'s str,
    vars: &'s Vars,
    /// Runs a sub-pipeline as an aggregate of its own ([`Catalog::aggregate`]; the aggregate command's).
    sub: Option<&'s crate::engine::pipeline::init_plan::SubRun<'s>>,
}

impl Catalog for StateCatalog<'_> {
    fn aggregate(
        &self,
        collection: &str,
        pipeline: &[Bson],
    ) -> Option<Result<Vec<Document>, CommandError>> {
        self.sub.map(|run| run(collection, pipeline))
    }

    fn scan(&self, collection: &str) -> Result<Vec<Document>, CommandError> {
        let _level = SubPipelineLevel::enter()?;
        source_docs(self.state, self.db, collection, None, self.vars)
    }

    fn scan_fields(
        &self,
        collection: &str,
        fields: &[String],
    ) -> Result<Vec<Document>, CommandError> {
        let _level = SubPipelineLevel::enter()?;
        let mut out = Vec::new();
        let reads = Reads::Fields(fields);
        scan_matching_owned(
            self.state,
            self.db,
            collection,
            None,
            self.vars,
            reads,
            &mut |d| {
                out.push(d);
                Ok(false)
            },
        )?;
        Ok(out)
    }

    fn scan_each(
        &self,
        collection: &str,
        fields: Option<&[String]>,
        each: &mut dyn FnMut(&Document) -> Result<bool, CommandError>,
    ) -> Result<(), CommandError> {
        let _level = SubPipelineLevel::enter()?;
        scan_matching(
            self.state,
            self.db,
            collection,
            None,
            self.vars,
            fields.map_or(Reads::All, Reads::Fields),
            &mut |d| Ok(!each(d)?),
        )
    }

    fn scan_filtered_each(
        &self,
        collection: &str,
        filter: &Document,
        vars: &Vars,
        fields: Option<&[String]>,
        each: &mut dyn FnMut(&Document) -> Result<bool, CommandError>,
    ) -> Result<(), CommandError> {
        let _level = SubPipelineLevel::enter()?;
        scan_matching(
            self.state,
            self.db,
            collection,
            Some(filter),
            vars,
            fields.map_or(Reads::All, Reads::Fields),
            &mut |d| Ok(!each(d)?),
        )
    }

    fn scan_matching(
        &self,
        collection: &str,
        filter: &Document,
        vars: &Vars,
        fields: Option<&[String]>,
    ) -> Result<Vec<Document>, CommandError> {
        let _level = SubPipelineLevel::enter()?;
        let mut out = Vec::new();
        scan_matching_owned(
            self.state,
            self.db,
            collection,
            Some(filter),
            vars,
            fields.map_or(Reads::All, Reads::Fields),
            &mut |d| {
                out.push(d);
                Ok(false)
            },
        )?;
        Ok(out)
    }

    fn probe_each(
        &self,
        collection: &str,
        field: &str,
        values: &[Bson],
        fields: Option<&[String]>,
        each: &mut dyn FnMut(&Document) -> Result<bool, CommandError>,
    ) -> Option<Result<(), CommandError>> {
        let coll = get_coll(self.state, self.db, collection).filter(|c| !c.is_view())?;
        // Under the command's collation an index serves string values only when it has that collation
        // (then probed with the values' sort keys); otherwise the caller's hash join decides.
        let active = crate::engine::collation::active();
        let ix = coll
            .indexes
            .iter()
            .find(|ix| ix.fields.len() == 1 && ix.serves(field))?;
        let keyed: Vec<Bson>;
        let values = if crate::engine::collation::same(ix.collation.as_ref(), active.as_ref()) {
            match &ix.collation {
                Some(c) => {
                    keyed = values.iter().map(|v| c.index_key(v)).collect();
                    &keyed[..]
                }
                None => values,
            }
        } else if values.iter().any(crate::engine::collation::has_string) {
            return None;
        } else {
            values
        };
        let mut rids: Vec<_> = values.iter().flat_map(|v| ix.lookup(v)).collect();
        // Natural order; a record holding several equal keys (`[1, 1.0]`) is listed once.
        rids.sort_unstable();
        rids.dedup();
        // With `fields`: only the top-level fields read are parsed, into one buffer.
        let names = fields.map(scan::top_level);
        let mut buf = Document::new();
        for r in rids {
            let found = match &names {
                Some(names) => match coll.get_raw(r) {
                    Some(raw) => match scan::parse_fields_into(raw, names, &mut buf) {
                        Ok(()) => Some(each(&buf)),
                        Err(e) => Some(Err(e)),
                    },
                    None => None,
                },
                None => coll.get(r).map(|d| each(&d)),
            };
            match found {
                Some(Ok(true)) | None => {}
                Some(Ok(false)) => break,
                Some(Err(e)) => return Some(Err(e)),
            }
        }
        Some(Ok(()))
    }
}

/// mongod's limit on sub-pipelines nested in one another (`$lookup`, `$unionWith`, and views whose
/// pipelines read other views).
pub const MAX_SUB_PIPELINE_DEPTH: usize = 20;

thread_local! {
    /// Sub-pipelines open on this thread (a command runs on one thread from start to end).
    static SUB_PIPELINES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One open sub-pipeline level; leaving it (on success, error or unwind) closes it. Views that read each
/// other in a cycle end here with 232 `MaxSubPipelineDepthExceeded` instead of recursing without end.
struct SubPipelineLevel;

impl SubPipelineLevel {
    fn enter() -> Result<SubPipelineLevel, CommandError> {
        let open = SUB_PIPELINES.with(|c| c.get());
        if open >= MAX_SUB_PIPELINE_DEPTH {
            return Err(CommandError::new(
                ErrorCode::MaxSubPipelineDepthExceeded,
                format!("Maximum number of nested sub-pipelines exceeded. Limit is {MAX_SUB_PIPELINE_DEPTH}"),
            ));
        }
        SUB_PIPELINES.with(|c| c.set(open + 1));
        Ok(SubPipelineLevel)
    }
}

impl Drop for SubPipelineLevel {
    fn drop(&mut self) {
        SUB_PIPELINES.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

fn poisoned() -> CommandError {
    CommandError::new(
        ErrorCode::InternalError,
        "engine state lock poisoned by an earlier panic",
    )
}
