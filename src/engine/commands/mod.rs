//! Command dispatch: the command name is the first key of the command document, as in mongod.
//!
//! In: a database name and a command document; out: the reply document (`ok: 1.0` added) or a
//! [`CommandError`]. Read commands share the state lock, write commands take it exclusively. Each
//! command family lives in its own file: `read` (find, getMore, killCursors, aggregate, count, distinct,
//! explain), `write` (insert, update, delete, findAndModify), `admin` (collections, indexes, handshake).

mod admin;
mod args;
mod collation_scope;
mod current_op;
mod field_types;
mod hint;
mod index_order;
mod known_fields;
mod let_vars;
mod namespace;
mod out_merge;
mod point;
#[cfg(test)]
mod pushdown_tests;
mod read;
mod row_scan;
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
        "getMore" => read::get_more(&ctx, cmd)?,
        "killCursors" => read::kill_cursors(&ctx, cmd)?,
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
                let on = c.options.get_str("viewOn").unwrap_or_default().to_string();
                let p = match c.options.get("pipeline") {
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

/// The documents of a collection or view (a view's pipeline applied) that match `filter`, cloned only
/// when they match; an index narrows the scan when one serves the filter. `limit` stops early (0 = all).
fn source_docs(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
) -> Result<Vec<Document>, CommandError> {
    source_matching(state, db, name, filter, vars, 0)
}

fn source_matching(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    limit: usize,
) -> Result<Vec<Document>, CommandError> {
    let mut out = Vec::new();
    scan_matching_owned(state, db, name, filter, vars, Reads::All, &mut |d| {
        out.push(d);
        Ok(limit > 0 && out.len() >= limit)
    })?;
    Ok(out)
}

/// What a scan's visitor reads of each matching document.
#[derive(Debug, Clone, Copy)]
pub(super) enum Reads<'a> {
    /// The whole document.
    All,
    /// Only these top-level fields (the others may be absent from the document the visitor gets).
    Fields(&'a [String]),
}

/// Calls `visit` with every document of a collection or view that matches `filter`; an index narrows the
/// scan when one serves the filter. `visit` returns `true` to stop. Stored documents are BSON bytes: only the
/// fields the filter and the visitor read (`reads`) are parsed, and the rest of a document only when it
/// matches and the visitor reads everything.
pub(super) fn scan_matching(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    reads: Reads<'_>,
    visit: &mut dyn FnMut(&Document) -> Result<bool, CommandError>,
) -> Result<(), CommandError> {
    scan_matching_ids(state, db, name, filter, vars, reads, &mut |_, d| visit(d))
}

/// [`scan_matching`] handing each document over to keep: a visitor that collects the documents takes them
/// as parsed, with no copy.
pub(super) fn scan_matching_owned(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    reads: Reads<'_>,
    visit: &mut dyn FnMut(Document) -> Result<bool, CommandError>,
) -> Result<(), CommandError> {
    scan_matching_ids(state, db, name, filter, vars, reads, &mut |_, d| {
        visit(std::mem::take(d))
    })
}

/// The stored documents of collection `name` that match `filter` (`limit` > 0 stops early), shared, not
/// copied: what a `find` without sort or projection hands its cursor. `None` for a view.
fn matching_stored(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    limit: usize,
) -> Result<Option<Vec<super::storage::Stored>>, CommandError> {
    let (base, view_pipeline) = resolve_view(state, db, name)?;
    if !view_pipeline.is_empty() || base != name {
        return Ok(None);
    }
    let Some(coll) = get_coll(state, db, name) else {
        return Ok(Some(Vec::new()));
    };
    let mut out = Vec::new();
    scan_matching_ids(
        state,
        db,
        name,
        filter,
        vars,
        Reads::Fields(&[]),
        &mut |rid, _| {
            if let Some(s) = rid.and_then(|r| coll.stored(r)) {
                out.push(s.clone());
            }
            Ok(limit > 0 && out.len() >= limit)
        },
    )?;
    Ok(Some(out))
}

/// A scan visitor that also gets each document's record id (`None` for a view's output); `true` stops. It may
/// take the document (the scan then parses the next one afresh).
type IdVisitor<'a> =
    dyn FnMut(Option<super::storage::RecordId>, &mut Document) -> Result<bool, CommandError> + 'a;

/// [`scan_matching`] whose visitor also gets the record id of each document (`None` for a view's output).
fn scan_matching_ids(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    reads: Reads<'_>,
    visit: &mut IdVisitor<'_>,
) -> Result<(), CommandError> {
    let filter = filter.filter(|f| !f.is_empty());
    let matcher = match filter {
        Some(f) => Some(super::matcher::Matcher::compile(f)?),
        None => None,
    };
    let (base, view_pipeline) = resolve_view(state, db, name)?;
    let coll = get_coll(state, db, &base);
    if !view_pipeline.is_empty() {
        // A view on a missing collection still runs its pipeline, over no documents (a `$facet` or
        // `$unionWith` stage can still produce some), as mongod does.
        let docs: Vec<Document> = coll
            .map(|c| c.iter().map(|(_, d)| d).collect())
            .unwrap_or_default();
        let p = Pipeline::compile(&view_pipeline)?;
        for mut d in p.run(docs, &StateCatalog { state, db, vars }, vars)? {
            let keep = match &matcher {
                Some(m) => m.matches(&d, vars)?,
                None => true,
            };
            if keep && visit(None, &mut d)? {
                break;
            }
        }
        return Ok(());
    }
    let Some(coll) = coll else {
        return Ok(());
    };
    // The fields to parse for matching (None: all) and whether the visitor needs the whole document after.
    let mut match_fields = Vec::new();
    let filter_known = match filter {
        Some(f) => super::fields::filter_fields(f, &mut match_fields),
        None => true,
    };
    let (partial, full_after): (Option<Vec<String>>, bool) = match (filter_known, reads) {
        (false, _) => (None, false),
        (true, Reads::All) if matcher.is_none() => (None, false),
        (true, Reads::All) => (Some(match_fields), true),
        (true, Reads::Fields(v)) => {
            for f in v {
                if !match_fields.iter().any(|m| m == f) {
                    match_fields.push(f.clone());
                }
            }
            (Some(match_fields), false)
        }
    };
    // One document buffer for the parsed fields, reused from one stored document to the next.
    let mut buf = Document::new();
    let mut reader = partial
        .as_ref()
        .map(|fields| super::fields::FieldValues::new(fields.clone()));
    // A hint decides the records read and their order; otherwise an index that serves the filter narrows them.
    let candidates =
        match hint::take(db, &base).and_then(|h| hint::hinted_records(coll, &h, filter)) {
            Some(rids) => Some(rids),
            None => filter.and_then(|f| coll.candidates(f)),
        };
    // On a full scan, a filter of top-level field predicates is first decided on those fields read from the
    // bytes: a rejected document is never parsed (the same predicates as the matcher, on the same values).
    // An index lookup visits few documents: not worth preparing for.
    let mut prefilter = matcher
        .as_ref()
        .filter(|_| candidates.is_none())
        .and_then(|m| {
            let mut fields = Vec::new();
            super::matcher::top_level::TopLevelFilter::from_matcher(m, &mut fields)
                .map(|t| (t, super::fields::FieldValues::new(fields)))
        });
    let mut step =
        |rid: super::storage::RecordId, raw: &bson::RawDocument| -> Result<bool, CommandError> {
            super::ops::check()?;
            let mut decided = false;
            if let Some((top, row)) = &mut prefilter {
                if row.read(raw).is_some() {
                    if !top.matches(row, vars)? {
                        return Ok(false);
                    }
                    if full_after {
                        let mut whole = crate::engine::storage::collection::parse(raw);
                        return visit(Some(rid), &mut whole);
                    }
                    decided = true;
                }
            }
            let mut full;
            let doc = match &mut reader {
                Some(reader) => {
                    if reader.read(raw).is_some() {
                        reader.move_into(&mut buf);
                    } else {
                        parse_fields_into(raw, reader.names(), &mut buf)?;
                    }
                    &mut buf
                }
                None => {
                    full = crate::engine::storage::collection::parse(raw);
                    &mut full
                }
            };
            if let Some(m) = matcher.as_ref().filter(|_| !decided) {
                if !m.matches(doc, vars)? {
                    return Ok(false);
                }
            }
            if full_after {
                let mut whole = crate::engine::storage::collection::parse(raw);
                visit(Some(rid), &mut whole)
            } else {
                visit(Some(rid), doc)
            }
        };
    match candidates {
        Some(rids) => {
            for r in rids {
                if let Some(raw) = coll.get_raw(r) {
                    if step(r, raw)? {
                        break;
                    }
                }
            }
        }
        None => {
            for (rid, raw) in coll.iter_raw() {
                if step(rid, raw)? {
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Puts the named top-level fields of stored BSON bytes into `out`, in document order. When `out` already
/// holds the same fields in the same order (documents of one shape), only the values are replaced: no key
/// is allocated and the map is not rebuilt.
fn parse_fields_into(
    raw: &bson::RawDocument,
    fields: &[String],
    out: &mut Document,
) -> Result<(), CommandError> {
    if fields.is_empty() {
        out.clear();
        return Ok(());
    }
    let mut found: Vec<(&str, Bson)> = Vec::with_capacity(fields.len());
    for elem in raw.iter_elements() {
        let elem = elem.map_err(corrupt)?;
        let key = elem.key().as_str();
        if fields.iter().any(|f| f == key) {
            found.push((key, Bson::try_from(elem).map_err(corrupt)?));
            if found.len() == fields.len() {
                break;
            }
        }
    }
    let same_shape = out.len() == found.len() && out.keys().zip(&found).all(|(k, (f, _))| k == f);
    if same_shape {
        for ((_, slot), (_, v)) in out.iter_mut().zip(found) {
            *slot = v;
        }
    } else {
        out.clear();
        for (k, v) in found {
            out.insert(k, v);
        }
    }
    Ok(())
}

fn corrupt(e: bson::error::Error) -> CommandError {
    CommandError::new(
        ErrorCode::InternalError,
        format!("stored document unreadable: {e}"),
    )
}

/// The catalog pipelines read other collections through.
pub(super) struct StateCatalog<'s> {
    state: &'s State,
    db: &'s str,
    vars: &'s Vars,
}

impl Catalog for StateCatalog<'_> {
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

    fn probe_each(
        &self,
        collection: &str,
        field: &str,
        values: &[Bson],
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
        for r in rids {
            if let Some(d) = coll.get(r) {
                match each(&d) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => return Some(Err(e)),
                }
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
