//! Write commands: `insert`, `update` (operator, replacement and pipeline updates; multi; upsert;
//! arrayFilters), `delete` (limit 0/1) and `findAndModify`.
//!
//! In: the command document; out: mongod's reply (`n`, `nModified`, `upserted`, `writeErrors` with real
//! codes: 11000 duplicate key, 121 validation, 66 immutable `_id`, ...). Each command holds the write lock,
//! so every single-document write (indeed every command) is atomic. A missing collection is created on
//! first write, as mongod does.

use super::write_checks::{insertable_as_is, prepare_insert, validate};
use super::{coll_name, opt_bool, opt_doc, poisoned, Ctx};
use crate::engine::error_codes::ErrorCode;
use crate::engine::expr::Vars;
use crate::engine::matcher::Matcher;
use crate::engine::pipeline::{NoCatalog, Pipeline};
use crate::engine::projection::{Context, Projection};
use crate::engine::sort::SortSpec;
use crate::engine::storage::{Change, Collection, RecordId, State, Stored};
use crate::engine::update::{is_operator_update, upsert_seed, ApplyCtx, UpdateSpec};
use crate::engine::CommandError;
use bson::{doc, Bson, Document};
use std::borrow::Cow;

/// Changes of one command, for storage that logs them. Whatever a command changed in memory reaches the
/// storage, also when the command fails part-way (an update stopped by a duplicate key after earlier
/// documents changed): what is not committed explicitly is committed when the log is dropped.
pub(super) struct Log<'c, 'a> {
    on: bool,
    db: String,
    coll: String,
    changes: Vec<Change>,
    ctx: &'c Ctx<'a>,
}

impl<'c, 'a> Log<'c, 'a> {
    pub(super) fn new(ctx: &'c Ctx<'a>, coll: &str) -> Self {
        Log {
            on: ctx.wants_changes(),
            db: ctx.db.into(),
            coll: coll.into(),
            changes: Vec::new(),
            ctx,
        }
    }
    /// Logs record `rid` as `coll` now stores it.
    pub(super) fn put(&mut self, coll: &Collection, rid: RecordId) {
        if self.on {
            if let Some(doc) = coll.stored(rid) {
                self.changes.push(Change::Put {
                    db: self.db.clone(),
                    coll: self.coll.clone(),
                    rid,
                    doc: doc.clone(),
                });
            }
        }
    }
    fn delete(&mut self, rid: RecordId) {
        if self.on {
            self.changes.push(Change::Delete {
                db: self.db.clone(),
                coll: self.coll.clone(),
                rid,
            });
        }
    }
    pub(super) fn commit(mut self) -> Result<(), CommandError> {
        self.flush()
    }
    fn flush(&mut self) -> Result<(), CommandError> {
        if self.on && !self.changes.is_empty() {
            let changes = std::mem::take(&mut self.changes);
            self.ctx.commit(&changes)?;
        }
        Ok(())
    }
}

impl Drop for Log<'_, '_> {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::error!("changes of a failed command could not be journaled: {e}");
        }
    }
}

/// The collection to write to, created when missing; views are not writable.
pub(super) fn writable<'s>(
    ctx: &Ctx,
    state: &'s mut State,
    name: &str,
    log: &mut Log,
) -> Result<&'s mut Collection, CommandError> {
    let ns = ctx.ns(name);
    let db = state.databases.entry(ctx.db.to_string()).or_default();
    if !db.collections.contains_key(name) {
        if log.on {
            log.changes.push(Change::Create {
                db: ctx.db.to_string(),
                coll: name.to_string(),
                options: Document::new(),
            });
        }
        db.collections.insert(
            name.to_string(),
            std::sync::Arc::new(Collection::new(ns.clone(), Document::new())),
        );
    }
    let coll = db.collection_mut(name).ok_or_else(poisoned)?;
    if coll.is_view() {
        return Err(CommandError::new(
            ErrorCode::CommandNotSupportedOnView,
            format!("Namespace {ns} is a view, not a collection"),
        ));
    }
    Ok(coll)
}

fn write_error(index: usize, e: &CommandError) -> Bson {
    let mut d = doc! {"index": index as i32, "code": e.code, "errmsg": e.errmsg.clone()};
    if let Some(extra) = &e.extra {
        d.extend(extra.as_ref().clone());
    }
    Bson::Document(d)
}

pub(super) fn insert_one(
    coll: &mut Collection,
    doc: Document,
    vars: &Vars,
    log: &mut Log,
) -> Result<RecordId, CommandError> {
    let prepared = Prepared::checked(Cow::Owned(doc))?;
    insert_prepared(coll, prepared, vars, log)
}

/// A document to insert, checked and encoded without the collection (so without the write lock): the
/// limits checked, then its encoding, whose error is reported after the validator's as before. The
/// document is the command's own when its `_id` is already first (no copy: the record is its encoding).
pub(super) struct Prepared<'d> {
    doc: Cow<'d, Document>,
    raw: Result<Stored, CommandError>,
}

impl<'d> Prepared<'d> {
    /// `doc` (already with `_id` first) checked against the insert limits and encoded.
    fn checked(doc: Cow<'d, Document>) -> Result<Prepared<'d>, CommandError> {
        crate::engine::limits::check_insert(&doc)?;
        let raw = Collection::encode(&doc);
        Ok(Prepared { doc, raw })
    }

    /// An element of an insert's `documents`: `_id` first (generated when absent), checked and encoded.
    fn element(d: &'d Bson) -> Result<Prepared<'d>, CommandError> {
        match d {
            Bson::Document(d) if insertable_as_is(d)? => Prepared::checked(Cow::Borrowed(d)),
            Bson::Document(d) => {
                prepare_insert(d.clone()).and_then(|d| Prepared::checked(Cow::Owned(d)))
            }
            _ => Err(CommandError::type_mismatch(
                "documents to insert must be objects",
            )),
        }
    }
}

/// The most documents an insert prepares before it takes the write lock (all held at once); a larger
/// batch prepares each under the lock, as it is inserted.
const PREPARE_AHEAD: usize = 64;

fn insert_prepared(
    coll: &mut Collection,
    prepared: Prepared<'_>,
    vars: &Vars,
    log: &mut Log,
) -> Result<RecordId, CommandError> {
    let Prepared { doc, raw } = prepared;
    validate(coll, &doc, None, vars)?;
    let rid = coll.insert_encoded(&doc, raw?)?;
    drop(doc);
    log.put(coll, rid);
    if let Some(max) = coll
        .options()
        .get("max")
        .and_then(crate::engine::numeric::Num::from_bson)
        .and_then(|n| n.to_i64_exact())
    {
        if coll.options().get_bool("capped").unwrap_or(false) {
            while coll.len() as i64 > max.max(1) {
                let Some(oldest) = coll.record_ids().next() else {
                    break;
                };
                coll.remove(oldest);
                log.delete(oldest);
            }
        }
    }
    Ok(rid)
}

pub(super) fn insert(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = coll_name(cmd, "insert")?;
    let Some(Bson::Array(docs)) = cmd.get("documents") else {
        return Err(CommandError::location(
            40414,
            "BSON field 'insert.documents' is missing but a required field",
        ));
    };
    if docs.is_empty() || docs.len() > 100_000 {
        return Err(CommandError::new(
            ErrorCode::InvalidLength,
            format!(
                "Write batch sizes must be between 1 and 100000. Got {} operations.",
                docs.len()
            ),
        ));
    }
    let ordered = cmd.get_bool("ordered").unwrap_or(true);
    // The copy, `_id`, the limits and the encoding need no collection: done before the lock is taken, which
    // then covers only the validator, the indexes and the journal append.
    let mut ahead: Vec<Option<Result<Prepared, CommandError>>> = if docs.len() <= PREPARE_AHEAD {
        docs.iter().map(|d| Some(Prepared::element(d))).collect()
    } else {
        Vec::new()
    };
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let state = std::sync::Arc::make_mut(&mut guard);
    let mut log = Log::new(ctx, name);
    let coll = writable(ctx, state, name, &mut log)?;
    let mut n = 0i32;
    let mut errors = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let prepared = match ahead.get_mut(i).and_then(Option::take) {
            Some(p) => p,
            None => Prepared::element(d),
        };
        let r = prepared.and_then(|p| insert_prepared(coll, p, &ctx.vars, &mut log));
        match r {
            Ok(_) => n += 1,
            Err(e) if crate::engine::ops::is_interruption(&e) => {
                // As mongod: an interrupted write (killOp, maxTimeMS) fails the whole command; what the
                // statements before it changed stays, committed.
                log.commit()?;
                return Err(e);
            }
            Err(e) => {
                errors.push(write_error(i, &e));
                if ordered {
                    break;
                }
            }
        }
    }
    log.commit()?;
    let mut reply = doc! {"n": n};
    if !errors.is_empty() {
        reply.insert("writeErrors", errors);
    }
    Ok(reply)
}

/// A compiled update: operators, replacement, or pipeline.
enum Modifier {
    Ops(UpdateSpec),
    Replace(Document),
    Pipeline(Pipeline),
}

impl Modifier {
    fn compile(u: &Bson, array_filters: &[Document]) -> Result<Modifier, CommandError> {
        match u {
            Bson::Document(d) if is_operator_update(d) => {
                Ok(Modifier::Ops(UpdateSpec::compile(d, array_filters)?))
            }
            Bson::Document(d) => {
                if !array_filters.is_empty() {
                    return Err(CommandError::failed_to_parse(
                        "arrayFilters may only be specified with operator updates",
                    ));
                }
                for k in d.keys() {
                    if k.starts_with('$') {
                        return Err(CommandError::new(ErrorCode::DollarPrefixedFieldName, format!("The dollar ($) prefixed field '{k}' in '{k}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.")));
                    }
                }
                Ok(Modifier::Replace(d.clone()))
            }
            Bson::Array(stages) => {
                for s in stages {
                    let ok = matches!(s, Bson::Document(d) if d.keys().next().is_some_and(|k| matches!(k.as_str(), "$addFields" | "$set" | "$project" | "$unset" | "$replaceRoot" | "$replaceWith")));
                    if !ok {
                        return Err(CommandError::new(ErrorCode::InvalidOptions, "Invalid update pipeline: only $addFields, $set, $project, $unset, $replaceRoot and $replaceWith are allowed"));
                    }
                }
                Ok(Modifier::Pipeline(Pipeline::compile(stages)?))
            }
            _ => Err(CommandError::failed_to_parse(
                "Update argument must be either an object or an array",
            )),
        }
    }

    /// The new version of `old`; `is_insert` for upserts.
    fn apply(
        &self,
        old: &Document,
        is_insert: bool,
        vars: &Vars,
    ) -> Result<Document, CommandError> {
        let new = match self {
            Modifier::Ops(spec) => {
                let mut d = old.clone();
                spec.apply(
                    &mut d,
                    &ApplyCtx {
                        is_insert,
                        now: vars.now,
                    },
                )?;
                d
            }
            Modifier::Replace(r) => {
                let mut d = Document::new();
                match (old.get("_id"), r.get("_id")) {
                    (Some(a), Some(b)) if !is_insert && a != b => {
                        return Err(CommandError::new(ErrorCode::ImmutableField, format!("After applying the update, the (immutable) field '_id' was found to have been altered to _id: {b}")));
                    }
                    (Some(a), _) => {
                        d.insert("_id", a.clone());
                    }
                    (None, Some(b)) => {
                        d.insert("_id", b.clone());
                    }
                    (None, None) => {}
                }
                for (k, v) in r {
                    if k != "_id" {
                        d.insert(k.clone(), v.clone());
                    }
                }
                d
            }
            Modifier::Pipeline(p) => {
                let mut out = p.run(vec![old.clone()], &NoCatalog, vars)?;
                if out.len() != 1 {
                    return Err(CommandError::bad_value(
                        "update pipeline must produce exactly one document",
                    ));
                }
                let new = out.remove(0);
                // As mongod's replacement of the pre-image: an output without `_id` keeps the original
                // one, in front (a `$replaceRoot` or `$project: {_id: 0}` does not delete the key).
                match old.get("_id") {
                    Some(id) if !new.contains_key("_id") => {
                        let mut kept = Document::new();
                        kept.insert("_id", id.clone());
                        kept.extend(new);
                        kept
                    }
                    _ => new,
                }
            }
        };
        if !is_insert && old.get("_id") != new.get("_id") {
            return Err(CommandError::new(ErrorCode::ImmutableField, format!("Performing an update on the path '_id' would modify the immutable field '_id' (from {} to {})", old.get("_id").map(|v| v.to_string()).unwrap_or_default(), new.get("_id").map(|v| v.to_string()).unwrap_or_else(|| "missing".into()))));
        }
        Ok(new)
    }
}

/// Matching record ids of `coll` for `filter`, in natural order (index-narrowed).
fn matching(
    coll: &Collection,
    filter: &Document,
    m: &Matcher,
    vars: &Vars,
    first_only: bool,
) -> Result<Vec<RecordId>, CommandError> {
    // The statement's hint decides the records read and their order (hint.rs).
    let hinted =
        super::hint::take_any().and_then(|h| super::hint::hinted_records(coll, &h, Some(filter)));
    let rids: Vec<RecordId> = match hinted.or_else(|| coll.candidates(filter)) {
        Some(r) => r,
        None => coll.record_ids().collect(),
    };
    // Only the fields the filter reads are parsed from each candidate (all of them when it may read any).
    let mut fields = Vec::new();
    let partial = crate::engine::fields::filter_fields(filter, &mut fields);
    let mut reader = partial.then(|| crate::engine::fields::FieldValues::new(fields));
    let mut buf = Document::new();
    let mut out = Vec::new();
    for r in rids {
        crate::engine::ops::check()?;
        let Some(raw) = coll.get_raw(r) else {
            continue;
        };
        let fast = match &mut reader {
            Some(reader) => {
                let read = reader.read(raw).is_some();
                if read {
                    reader.move_into(&mut buf);
                }
                read
            }
            None => false,
        };
        if !fast {
            buf = crate::engine::storage::collection::parse(raw);
        }
        if m.matches(&buf, vars)? {
            out.push(r);
            if first_only {
                break;
            }
        }
    }
    Ok(out)
}

fn array_filters(s: &Document) -> Result<Vec<Document>, CommandError> {
    match s.get("arrayFilters") {
        None | Some(Bson::Null) => Ok(Vec::new()),
        Some(Bson::Array(a)) => a
            .iter()
            .map(|x| match x {
                Bson::Document(d) => Ok(d.clone()),
                _ => Err(CommandError::type_mismatch(
                    "arrayFilters entries must be objects",
                )),
            })
            .collect(),
        Some(_) => Err(CommandError::type_mismatch("arrayFilters must be an array")),
    }
}

/// The outcome of one update statement.
struct UpdateOutcome {
    matched: i64,
    modified: i64,
    upserted: Option<Bson>,
    last: Option<(Document, Document)>,
}

#[allow(clippy::too_many_arguments)]
fn update_one_statement(
    coll: &mut Collection,
    q: &Document,
    u: &Bson,
    afs: &[Document],
    multi: bool,
    upsert: bool,
    vars: &Vars,
    log: &mut Log,
) -> Result<UpdateOutcome, CommandError> {
    let m = Matcher::compile(q)?;
    let modifier = Modifier::compile(u, afs)?;
    if multi && matches!(modifier, Modifier::Replace(_)) {
        return Err(CommandError::failed_to_parse(
            "multi update is not supported for replacement-style update",
        ));
    }
    let rids = matching(coll, q, &m, vars, !multi)?;
    let mut out = UpdateOutcome {
        matched: 0,
        modified: 0,
        upserted: None,
        last: None,
    };
    for rid in rids {
        let Some(old) = coll.get(rid) else {
            continue;
        };
        out.matched += 1;
        let new = modifier.apply(&old, false, vars)?;
        if !identical(&old, &new) {
            validate(coll, &new, Some(&old), vars)?;
            crate::engine::limits::check_update(&new)?;
            coll.replace(rid, &old, &new)?;
            log.put(coll, rid);
            out.modified += 1;
        }
        out.last = Some((old, new));
    }
    if out.matched == 0 && upsert {
        let seed = upsert_seed(q)?;
        let new = match &modifier {
            Modifier::Replace(_) => {
                let mut base = Document::new();
                if let Some(id) = seed.get("_id") {
                    base.insert("_id", id.clone());
                }
                modifier.apply(&base, true, vars)?
            }
            _ => modifier.apply(&seed, true, vars)?,
        };
        let new = prepare_insert(new)?;
        let id = new.get("_id").cloned().unwrap_or(Bson::Null);
        insert_one(coll, new.clone(), vars, log)?;
        out.upserted = Some(id);
        out.last = Some((Document::new(), new));
    }
    Ok(out)
}

/// Bit-for-bit equality (types included): `{a: 1}` and `{a: 1.0}` differ, so the update is a modification.
fn identical(a: &Document, b: &Document) -> bool {
    a == b
}

pub(super) fn update(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = coll_name(cmd, "update")?;
    let Some(Bson::Array(stmts)) = cmd.get("updates") else {
        return Err(CommandError::location(
            40414,
            "BSON field 'update.updates' is missing but a required field",
        ));
    };
    let ordered = cmd.get_bool("ordered").unwrap_or(true);
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let state = std::sync::Arc::make_mut(&mut guard);
    let mut log = Log::new(ctx, name);
    let coll = writable(ctx, state, name, &mut log)?;
    let (mut n, mut modified) = (0i64, 0i64);
    let mut upserted = Vec::new();
    let mut errors = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        let r = (|| {
            let Bson::Document(s) = s else {
                return Err(CommandError::type_mismatch(
                    "update statements must be objects",
                ));
            };
            let _hint = super::hint::scoped(ctx.db, name, s.get("hint"));
            // A statement's own collation replaces the collection's default for it.
            let _collation = super::statement_collation(s)?;
            let q = opt_doc(s, "q")?.cloned().ok_or_else(|| {
                CommandError::location(
                    40414,
                    "BSON field 'update.updates.q' is missing but a required field",
                )
            })?;
            let u = s.get("u").ok_or_else(|| {
                CommandError::location(
                    40414,
                    "BSON field 'update.updates.u' is missing but a required field",
                )
            })?;
            let afs = array_filters(s)?;
            update_one_statement(
                coll,
                &q,
                u,
                &afs,
                opt_bool(s, "multi"),
                opt_bool(s, "upsert"),
                &ctx.vars,
                &mut log,
            )
        })();
        match r {
            Ok(o) => {
                n += o.matched;
                modified += o.modified;
                if let Some(id) = o.upserted {
                    n += 1;
                    upserted.push(doc! {"index": i as i32, "_id": id});
                }
            }
            Err(e) if crate::engine::ops::is_interruption(&e) => {
                // As mongod: an interrupted write (killOp, maxTimeMS) fails the whole command; what the
                // statements before it changed stays, committed.
                log.commit()?;
                return Err(e);
            }
            Err(e) => {
                errors.push(write_error(i, &e));
                if ordered {
                    break;
                }
            }
        }
    }
    log.commit()?;
    let mut reply = doc! {"n": count(n), "nModified": count(modified)};
    if !upserted.is_empty() {
        reply.insert("upserted", upserted);
    }
    if !errors.is_empty() {
        reply.insert("writeErrors", errors);
    }
    Ok(reply)
}

fn count(n: i64) -> Bson {
    i32::try_from(n).map(Bson::Int32).unwrap_or(Bson::Int64(n))
}

pub(super) fn delete(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = coll_name(cmd, "delete")?;
    let Some(Bson::Array(stmts)) = cmd.get("deletes") else {
        return Err(CommandError::location(
            40414,
            "BSON field 'delete.deletes' is missing but a required field",
        ));
    };
    let ordered = cmd.get_bool("ordered").unwrap_or(true);
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let state = std::sync::Arc::make_mut(&mut guard);
    let mut log = Log::new(ctx, name);
    let Some(coll) = state
        .databases
        .get_mut(ctx.db)
        .and_then(|d| d.collection_mut(name))
    else {
        return Ok(doc! {"n": 0});
    };
    if coll.is_view() {
        return Err(CommandError::new(
            ErrorCode::CommandNotSupportedOnView,
            format!("Namespace {} is a view, not a collection", ctx.ns(name)),
        ));
    }
    let mut n = 0i64;
    let mut errors = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        let r = (|| {
            let Bson::Document(s) = s else {
                return Err(CommandError::type_mismatch(
                    "delete statements must be objects",
                ));
            };
            let _hint = super::hint::scoped(ctx.db, name, s.get("hint"));
            // A statement's own collation replaces the collection's default for it.
            let _collation = super::statement_collation(s)?;
            let q = opt_doc(s, "q")?.cloned().ok_or_else(|| {
                CommandError::location(
                    40414,
                    "BSON field 'delete.deletes.q' is missing but a required field",
                )
            })?;
            // mongod reads the limit as a double: a non-number is 0 (field_types.rs refused other numbers).
            let limit = match s.get("limit") {
                Some(v) => crate::engine::numeric::Num::from_bson(v)
                    .map_or(Some(0), |x| x.to_i64_exact())
                    .unwrap_or(-1),
                None => {
                    return Err(CommandError::location(
                        40414,
                        "BSON field 'delete.deletes.limit' is missing but a required field",
                    ))
                }
            };
            if limit != 0 && limit != 1 {
                return Err(CommandError::failed_to_parse(format!(
                    "The limit field in delete objects must be 0 or 1. Got {limit}"
                )));
            }
            let m = Matcher::compile(&q)?;
            let rids = matching(coll, &q, &m, &ctx.vars, limit == 1)?;
            let k = rids.len() as i64;
            for r in rids {
                coll.remove(r);
                log.delete(r);
            }
            Ok(k)
        })();
        match r {
            Ok(k) => n += k,
            Err(e) if crate::engine::ops::is_interruption(&e) => {
                // As mongod: an interrupted write (killOp, maxTimeMS) fails the whole command; what the
                // statements before it changed stays, committed.
                log.commit()?;
                return Err(e);
            }
            Err(e) => {
                errors.push(write_error(i, &e));
                if ordered {
                    break;
                }
            }
        }
    }
    log.commit()?;
    let mut reply = doc! {"n": count(n)};
    if !errors.is_empty() {
        reply.insert("writeErrors", errors);
    }
    Ok(reply)
}

pub(super) fn find_and_modify(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = match cmd
        .get("findAndModify")
        .or_else(|| cmd.get("findandmodify"))
    {
        Some(Bson::String(s)) => s.clone(),
        _ => {
            return Err(CommandError::type_mismatch(
                "collection name must be a string",
            ))
        }
    };
    let query = opt_doc(cmd, "query")?.cloned().unwrap_or_default();
    let remove = opt_bool(cmd, "remove");
    let update = cmd.get("update");
    if remove == update.is_some() {
        return Err(CommandError::failed_to_parse(
            "Either an update or remove=true must be specified",
        ));
    }
    let upsert = opt_bool(cmd, "upsert");
    if remove && (upsert || opt_bool(cmd, "new")) {
        return Err(CommandError::failed_to_parse(
            "Cannot specify both remove=true and upsert=true or new=true",
        ));
    }
    let return_new = opt_bool(cmd, "new");
    let sort = opt_doc(cmd, "sort")?
        .filter(|s| !s.is_empty())
        .map(SortSpec::compile)
        .transpose()?;
    let fields = opt_doc(cmd, "fields")?
        .filter(|f| !f.is_empty())
        .map(|f| Projection::compile(f, Context::Find))
        .transpose()?;
    let afs = array_filters(cmd)?;
    let m = Matcher::compile(&query)?;
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let state = std::sync::Arc::make_mut(&mut guard);
    let mut log = Log::new(ctx, &name);
    let coll = writable(ctx, state, &name, &mut log)?;
    let mut rids = matching(coll, &query, &m, &ctx.vars, sort.is_none())?;
    if let Some(s) = &sort {
        let mut keyed: Vec<(Vec<Bson>, RecordId)> = rids
            .iter()
            .filter_map(|r| coll.get(*r).map(|d| (s.key(&d), *r)))
            .collect();
        keyed.sort_by(|a, b| s.compare_keys(&a.0, &b.0));
        rids = keyed.into_iter().map(|(_, r)| r).take(1).collect();
    }
    let target = rids.first().copied();
    let project = |d: Option<Document>| -> Result<Bson, CommandError> {
        Ok(match (d, &fields) {
            (None, _) => Bson::Null,
            (Some(d), Some(p)) => Bson::Document(p.apply(&d, &ctx.vars)?),
            (Some(d), None) => Bson::Document(d),
        })
    };
    let reply = if remove {
        let old = target.and_then(|r| {
            log.delete(r);
            coll.remove(r)
        });
        let n = i32::from(old.is_some());
        doc! {"lastErrorObject": {"n": n}, "value": project(old)?}
    } else {
        let u = update.ok_or_else(|| CommandError::failed_to_parse("update required"))?;
        let modifier = Modifier::compile(u, &afs)?;
        match target {
            Some(rid) => {
                let old = coll.get(rid).ok_or_else(poisoned)?;
                let new = modifier.apply(&old, false, &ctx.vars)?;
                if !identical(&old, &new) {
                    validate(coll, &new, Some(&old), &ctx.vars)?;
                    crate::engine::limits::check_update(&new)?;
                    coll.replace(rid, &old, &new)?;
                    log.put(coll, rid);
                }
                doc! {"lastErrorObject": {"n": 1, "updatedExisting": true}, "value": project(Some(if return_new { new } else { old }))?}
            }
            None if upsert => {
                let o =
                    update_one_statement(coll, &query, u, &afs, false, true, &ctx.vars, &mut log)?;
                let new = o.last.map(|(_, n)| n);
                let mut leo = doc! {"n": 1, "updatedExisting": false};
                if let Some(id) = o.upserted {
                    leo.insert("upserted", id);
                }
                doc! {"lastErrorObject": leo, "value": project(if return_new { new } else { None })?}
            }
            None => {
                doc! {"lastErrorObject": {"n": 0, "updatedExisting": false}, "value": Bson::Null}
            }
        }
    };
    log.commit()?;
    Ok(reply)
}
