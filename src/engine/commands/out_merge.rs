//! The aggregation output stages: `$out` (replace a collection with the pipeline's result) and `$merge`
//! (upsert the result into a collection by its `on` fields), each only as the pipeline's last stage.
//!
//! In: the aggregate command whose last stage is `$out` or `$merge`; the stages before it run as any
//! aggregate does, then the documents are written. Out: mongod's reply, an exhausted cursor with an empty
//! first batch.
//!
//! - `$out` builds the new collection beside the old one (the old one's options and indexes, as mongod keeps
//!   them) and swaps it in under the write lock, journaled as one commit: a failure (a duplicate `_id`, a
//!   unique index, the validator) leaves the target as it was, as mongod's temporary-collection rename does.
//! - `$merge` writes document by document, as mongod does (not atomically: documents written before an
//!   error stay). `on` must be covered by a unique index (51183), its values present, not null and not arrays
//!   (51132); `whenMatched` is `replace`, `merge` (default), `keepExisting`, `fail` (11000) or a pipeline
//!   of `$addFields` / `$set` / `$project` / `$unset` / `$replaceRoot` / `$replaceWith` seeing the incoming
//!   document as `$$new` (and the stage's `let` variables); `whenNotMatched` is `insert` (default), `discard` or
//!   `fail` (13113).

use super::read::run_aggregate;
use super::write::{insert_one, writable, Log};
use super::write_checks::{prepare_insert, validate};
use super::{poisoned, Ctx};
use crate::engine::bson_order::{equal, type_name};
use crate::engine::error_codes::ErrorCode;
use crate::engine::expr::{Expr, Vars};
use crate::engine::pipeline::{NoCatalog, Pipeline};
use crate::engine::storage::{Change, Collection, RecordId};
use crate::engine::CommandError;
use bson::{doc, Bson, Document};
use std::sync::Arc;

/// Where an output stage writes.
#[derive(Debug, Clone, PartialEq)]
struct Target {
    db: String,
    coll: String,
}

/// What `$merge` does with a document whose `on` fields match a target document.
#[derive(Debug, Clone)]
enum WhenMatched {
    Replace,
    Merge,
    KeepExisting,
    Fail,
    Pipeline(Pipeline),
}

/// What `$merge` does with a document that matches nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum WhenNotMatched {
    Insert,
    Discard,
    Fail,
}

/// A parsed `$merge`.
#[derive(Debug, Clone)]
struct Merge {
    target: Target,
    on: Vec<String>,
    when_matched: WhenMatched,
    when_not_matched: WhenNotMatched,
    /// The stage's `let`: variable name and expression, evaluated against each incoming document.
    lets: Vec<(String, Expr)>,
}

/// A parsed output stage.
#[derive(Debug, Clone)]
enum Output {
    Out(Target),
    Merge(Box<Merge>),
}

/// The output stage of `stages`, when the last stage is one; an output stage anywhere else is refused
/// (40601), as mongod does.
fn output_stage(stages: &[Bson], db: &str) -> Result<Option<Output>, CommandError> {
    for (i, s) in stages.iter().enumerate() {
        let Some((name, arg)) = s.as_document().and_then(|d| d.iter().next()) else {
            continue;
        };
        if name != "$out" && name != "$merge" {
            continue;
        }
        if i + 1 != stages.len() {
            return Err(CommandError::location(
                40601,
                format!("{name} can only be the final stage in the pipeline"),
            ));
        }
        return Ok(Some(match name.as_str() {
            "$out" => Output::Out(out_target(arg, db)?),
            _ => Output::Merge(Box::new(parse_merge(arg, db)?)),
        }));
    }
    Ok(None)
}

fn out_target(arg: &Bson, db: &str) -> Result<Target, CommandError> {
    let target = match arg {
        Bson::String(coll) => Target {
            db: db.to_string(),
            coll: coll.clone(),
        },
        Bson::Document(d) => {
            if let Some(k) = d.keys().find(|k| !matches!(k.as_str(), "db" | "coll")) {
                let msg = match k.as_str() {
                    "timeseries" => {
                        "$out to a time-series collection is not supported by the embedded engine"
                            .to_string()
                    }
                    _ => format!("BSON field '$out.{k}' is an unknown field."),
                };
                return Err(CommandError::location(40415, msg));
            }
            let coll = match d.get("coll") {
                Some(Bson::String(c)) => c.clone(),
                Some(v) => {
                    return Err(CommandError::type_mismatch(format!(
                        "BSON field '$out.coll' is the wrong type '{}', expected type 'string'",
                        type_name(v)
                    )))
                }
                None => {
                    return Err(CommandError::location(
                        40414,
                        "BSON field '$out.coll' is missing but a required field",
                    ))
                }
            };
            let db = match d.get("db") {
                Some(Bson::String(x)) => x.clone(),
                Some(v) => {
                    return Err(CommandError::type_mismatch(format!(
                        "BSON field '$out.db' is the wrong type '{}', expected type 'string'",
                        type_name(v)
                    )))
                }
                None => {
                    return Err(CommandError::location(
                        40414,
                        "BSON field '$out.db' is missing but a required field",
                    ))
                }
            };
            Target { db, coll }
        }
        v => {
            return Err(CommandError::location(
                16990,
                format!(
                    "$out only supports a string or object argument, but found {}",
                    type_name(v)
                ),
            ))
        }
    };
    check_target(&target, "$out", 17385)?;
    Ok(target)
}

/// mongod's rules for an output namespace: a valid name, not a `system.` collection.
fn check_target(t: &Target, stage: &str, special: i32) -> Result<(), CommandError> {
    if t.coll.is_empty()
        || t.db.is_empty()
        || t.coll.contains('$')
        || t.db.contains(['.', '$', '/', '\\', ' ', '"'])
    {
        return Err(CommandError::new(
            ErrorCode::InvalidNamespace,
            format!("Invalid {stage} target namespace, {}.{}", t.db, t.coll),
        ));
    }
    if t.coll.starts_with("system.") {
        return Err(CommandError::location(
            special,
            format!("Can't {stage} to special collection: {}", t.coll),
        ));
    }
    Ok(())
}

fn parse_merge(arg: &Bson, db: &str) -> Result<Merge, CommandError> {
    let spec = match arg {
        Bson::String(coll) => doc! {"into": coll.clone()},
        Bson::Document(d) => d.clone(),
        v => {
            return Err(CommandError::location(
                51182,
                format!(
                    "$merge only supports a string or object argument, not {}",
                    type_name(v)
                ),
            ))
        }
    };
    for k in spec.keys() {
        if !matches!(
            k.as_str(),
            "into" | "on" | "let" | "whenMatched" | "whenNotMatched"
        ) {
            return Err(CommandError::location(
                40415,
                format!("BSON field '$merge.{k}' is an unknown field."),
            ));
        }
    }
    let target = match spec.get("into") {
        Some(Bson::String(c)) => Target {
            db: db.to_string(),
            coll: c.clone(),
        },
        Some(Bson::Document(d)) => Target {
            db: match d.get("db") {
                Some(Bson::String(x)) => x.clone(),
                None => db.to_string(),
                Some(v) => {
                    return Err(CommandError::type_mismatch(format!(
                        "BSON field 'into.db' is the wrong type '{}', expected type 'string'",
                        type_name(v)
                    )))
                }
            },
            coll: match d.get("coll") {
                Some(Bson::String(x)) => x.clone(),
                _ => {
                    return Err(CommandError::location(
                        40414,
                        "BSON field 'into.coll' is missing but a required field",
                    ))
                }
            },
        },
        Some(v) => {
            return Err(CommandError::location(
                51178,
                format!(
                    "$merge 'into' field must be either a string or an object, but found {}",
                    type_name(v)
                ),
            ))
        }
        None => {
            return Err(CommandError::location(
                40414,
                "BSON field '$merge.into' is missing but a required field",
            ))
        }
    };
    check_target(&target, "$merge", 31319)?;
    let on = match spec.get("on") {
        None => vec!["_id".to_string()],
        Some(Bson::String(f)) => vec![f.clone()],
        Some(Bson::Array(a)) if !a.is_empty() => {
            let mut fields = Vec::new();
            for f in a {
                let Bson::String(f) = f else {
                    return Err(CommandError::location(
                        51134,
                        format!(
                            "$merge 'on' array elements must be strings, but found {}",
                            type_name(f)
                        ),
                    ));
                };
                if fields.contains(f) {
                    return Err(CommandError::location(
                        31465,
                        format!("Found a duplicate field '{f}'"),
                    ));
                }
                fields.push(f.clone());
            }
            fields
        }
        Some(Bson::Array(_)) => {
            return Err(CommandError::location(
                51187,
                "If explicitly specifying $merge 'on', must include at least one field",
            ))
        }
        Some(v) => {
            return Err(CommandError::location(
                51186,
                format!(
                "$merge 'on' field must be either a string or an array of strings, but found {}",
                type_name(v)
            ),
            ))
        }
    };
    for f in &on {
        if f.is_empty() || f.starts_with('$') || f.split('.').any(str::is_empty) {
            return Err(CommandError::failed_to_parse(format!(
                "$merge 'on' field '{f}' is not a valid field path"
            )));
        }
    }
    let when_matched = match spec.get("whenMatched") {
        None => WhenMatched::Merge,
        Some(Bson::String(m)) => match m.as_str() {
            "replace" => WhenMatched::Replace,
            "merge" => WhenMatched::Merge,
            "keepExisting" => WhenMatched::KeepExisting,
            "fail" => WhenMatched::Fail,
            other => {
                return Err(CommandError::bad_value(format!(
                    "Enumeration value '{other}' for field 'whenMatched' is not a valid value."
                )))
            }
        },
        Some(Bson::Array(p)) => WhenMatched::Pipeline(update_pipeline(p)?),
        Some(v) => {
            return Err(CommandError::location(
                51191,
                format!(
                    "$merge 'whenMatched' field must be either a string or an array, but found {}",
                    type_name(v)
                ),
            ))
        }
    };
    let when_not_matched = match spec.get("whenNotMatched") {
        None => WhenNotMatched::Insert,
        Some(Bson::String(m)) => match m.as_str() {
            "insert" => WhenNotMatched::Insert,
            "discard" => WhenNotMatched::Discard,
            "fail" => WhenNotMatched::Fail,
            other => {
                return Err(CommandError::bad_value(format!(
                    "Enumeration value '{other}' for field 'whenNotMatched' is not a valid value."
                )))
            }
        },
        Some(v) => {
            return Err(CommandError::type_mismatch(format!(
                "BSON field '$merge.whenNotMatched' is the wrong type '{}', expected type 'string'",
                type_name(v)
            )))
        }
    };
    let mut lets = Vec::new();
    match spec.get("let") {
        None => {}
        Some(Bson::Document(d)) => {
            if !matches!(when_matched, WhenMatched::Pipeline(_)) {
                return Err(CommandError::location(
                    51199,
                    "Cannot use 'let' variables with 'whenMatched' mode other than a pipeline",
                ));
            }
            for (k, v) in d {
                lets.push((k.clone(), Expr::compile(v)?));
            }
        }
        Some(v) => {
            return Err(CommandError::type_mismatch(format!(
                "BSON field '$merge.let' is the wrong type '{}', expected type 'object'",
                type_name(v)
            )))
        }
    }
    Ok(Merge {
        target,
        on,
        when_matched,
        when_not_matched,
        lets,
    })
}

/// A `whenMatched` pipeline: only the stages an update pipeline allows (mongod's 51254 otherwise).
fn update_pipeline(stages: &[Bson]) -> Result<Pipeline, CommandError> {
    for s in stages {
        let name = s
            .as_document()
            .and_then(|d| d.keys().next())
            .map(String::as_str)
            .unwrap_or("");
        if !matches!(
            name,
            "$addFields" | "$set" | "$project" | "$unset" | "$replaceRoot" | "$replaceWith"
        ) {
            return Err(CommandError::location(
                51254,
                format!("{name} is not allowed to be used within an update"),
            ));
        }
    }
    Pipeline::compile(stages)
}

/// Runs an aggregate whose last stage is `$out` or `$merge`; `None` when it has no output stage.
pub(super) fn run(ctx: &Ctx, cmd: &Document) -> Result<Option<Document>, CommandError> {
    let Some(Bson::Array(stages)) = cmd.get("pipeline") else {
        return Ok(None);
    };
    let Some(output) = output_stage(stages, ctx.db)? else {
        return Ok(None);
    };
    let mut inner = cmd.clone();
    inner.insert("pipeline", Bson::Array(stages[..stages.len() - 1].to_vec()));
    let docs = run_aggregate(ctx, &inner)?;
    let bypass = cmd.get_bool("bypassDocumentValidation").unwrap_or(false);
    let target = match &output {
        Output::Out(t) => t.clone(),
        Output::Merge(m) => m.target.clone(),
    };
    let octx = Ctx {
        inner: ctx.inner,
        owner: ctx.owner,
        db: &target.db,
        vars: ctx.vars.clone(),
        seq: std::cell::Cell::new(0),
        state: ctx.state,
        txn_changes: ctx.txn_changes,
    };
    let result = match output {
        Output::Out(t) => out(&octx, &t.coll, docs, bypass),
        Output::Merge(m) => merge(&octx, &m, docs, bypass),
    };
    // The writes' last commit, for the fsync wait after the command.
    ctx.seq.set(ctx.seq.get().max(octx.seq.get()));
    result?;
    let ns = match cmd.get("aggregate") {
        Some(Bson::String(s)) => ctx.ns(s),
        _ => format!("{}.$cmd.aggregate", ctx.db),
    };
    Ok(Some(
        doc! {"cursor": {"firstBatch": [], "id": 0i64, "ns": ns}},
    ))
}

/// `$out`: the new collection is built whole, then swapped in (with the old one's options and indexes).
fn out(ctx: &Ctx, name: &str, docs: Vec<Document>, bypass: bool) -> Result<(), CommandError> {
    let ns = ctx.ns(name);
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let existing = guard
        .databases
        .get(ctx.db)
        .and_then(|d| d.collections.get(name))
        .cloned();
    let (options, specs) = match &existing {
        Some(c) if c.is_view() => {
            return Err(CommandError::new(
                ErrorCode::CommandNotSupportedOnView,
                format!("Cannot write to view {ns}"),
            ))
        }
        Some(c) if c.options().get_bool("capped").unwrap_or(false) => {
            return Err(CommandError::location(
                17152,
                format!("namespace '{ns}' is capped so it can't be used for $out"),
            ))
        }
        Some(c) => (
            c.options().clone(),
            c.indexes
                .iter()
                .filter(|ix| ix.name != "_id_")
                .map(|ix| ix.spec.clone())
                .collect::<Vec<_>>(),
        ),
        None => (Document::new(), Vec::new()),
    };
    let mut fresh = Collection::new(ns.clone(), options.clone());
    for spec in &specs {
        fresh.add_index(spec)?;
    }
    let mut rids: Vec<RecordId> = Vec::with_capacity(docs.len());
    for d in docs {
        crate::engine::ops::check()?;
        let d = prepare_insert(d)?;
        crate::engine::limits::check_insert(&d)?;
        if !bypass {
            validate(&fresh, &d, None, &ctx.vars)?;
        }
        rids.push(fresh.insert(d)?);
    }
    if ctx.wants_changes() {
        let (db, coll) = (ctx.db.to_string(), name.to_string());
        let mut changes = Vec::with_capacity(rids.len() + specs.len() + 2);
        if existing.is_some() {
            changes.push(Change::Drop {
                db: db.clone(),
                coll: coll.clone(),
            });
        }
        changes.push(Change::Create {
            db: db.clone(),
            coll: coll.clone(),
            options,
        });
        for spec in specs {
            changes.push(Change::Index {
                db: db.clone(),
                coll: coll.clone(),
                name: spec.get_str("name").unwrap_or_default().to_string(),
                spec: Some(spec),
            });
        }
        for rid in rids {
            if let Some(doc) = fresh.stored(rid) {
                changes.push(Change::Put {
                    db: db.clone(),
                    coll: coll.clone(),
                    rid,
                    doc: doc.clone(),
                });
            }
        }
        ctx.commit(&changes)?;
    }
    let state = Arc::make_mut(&mut guard);
    state
        .databases
        .entry(ctx.db.to_string())
        .or_default()
        .collections
        .insert(name.to_string(), Arc::new(fresh));
    Ok(())
}

/// The `on` values of an incoming document (51132 when one is missing, null, undefined or an array).
fn on_values(m: &Merge, d: &Document) -> Result<Vec<Bson>, CommandError> {
    m.on.iter()
        .map(|f| match crate::engine::path::get(d, f) {
            None | Some(Bson::Null | Bson::Undefined | Bson::Array(_)) => Err(CommandError::location(
                51132,
                format!("$merge write error: 'on' field '{f}' cannot be missing, null, undefined or an array"),
            )),
            Some(v) => Ok(v.clone()),
        })
        .collect()
}

/// Whether a unique, non-partial index of `coll` has exactly the `on` fields as its key (any order).
fn unique_index_on(coll: &Collection, on: &[String]) -> bool {
    coll.indexes.iter().any(|ix| {
        ix.unique
            && ix.partial.is_none()
            && ix.fields.len() == on.len()
            && on.iter().all(|f| ix.fields.contains(f))
    })
}

/// The target record whose `on` fields equal `values`.
fn find_match(coll: &Collection, m: &Merge, values: &[Bson]) -> Option<(RecordId, Document)> {
    let mut filter = Document::new();
    for (f, v) in m.on.iter().zip(values) {
        filter.insert(f.clone(), doc! {"$eq": v.clone()});
    }
    let same = |d: &Document| {
        m.on.iter()
            .zip(values)
            .all(|(f, v)| crate::engine::path::get(d, f).is_some_and(|x| equal(x, v)))
    };
    match coll.candidates(&filter) {
        Some(rids) => rids
            .into_iter()
            .find_map(|rid| coll.get(rid).filter(|d| same(d)).map(|d| (rid, d))),
        None => coll.iter().find(|(_, d)| same(d)),
    }
}

/// `$merge`: each document in turn, under one write lock.
fn merge(ctx: &Ctx, m: &Merge, docs: Vec<Document>, bypass: bool) -> Result<(), CommandError> {
    let ns = ctx.ns(&m.target.coll);
    let mut guard = ctx.state.write().map_err(|_| poisoned())?;
    let exists = guard
        .databases
        .get(ctx.db)
        .and_then(|d| d.collections.get(&m.target.coll))
        .map(|c| (c.is_view(), unique_index_on(c, &m.on)));
    match exists {
        Some((true, _)) => {
            return Err(CommandError::new(
                ErrorCode::CommandNotSupportedOnView,
                format!("Cannot write to view {ns}"),
            ))
        }
        Some((false, false)) => {
            return Err(CommandError::location(
                51183,
                "Cannot find index to verify that join fields will be unique",
            ))
        }
        None if m.on != ["_id"] => {
            return Err(CommandError::location(
                51183,
                "Cannot find index to verify that join fields will be unique",
            ))
        }
        _ => {}
    }
    let state = Arc::make_mut(&mut guard);
    let mut log = Log::new(ctx, &m.target.coll);
    let coll = writable(ctx, state, &m.target.coll, &mut log)?;
    for d in docs {
        crate::engine::ops::check()?;
        let d = if m.on == ["_id"] {
            prepare_insert(d)?
        } else {
            d
        };
        let values = on_values(m, &d)?;
        match find_match(coll, m, &values) {
            Some((rid, old)) => {
                let new = match &m.when_matched {
                    WhenMatched::KeepExisting => continue,
                    WhenMatched::Fail => {
                        return Err(CommandError::new(ErrorCode::DuplicateKey, format!("$merge failed due to a DuplicateKey error: {ns} on {:?}", m.on))
                            .with_extra(doc! {"keyPattern": m.on.iter().map(|f| (f.clone(), Bson::Int32(1))).collect::<Document>(), "keyValue": m.on.iter().cloned().zip(values.iter().cloned()).collect::<Document>()}))
                    }
                    WhenMatched::Replace => with_id_of(&old, d, &ns)?,
                    WhenMatched::Merge => {
                        let mut merged = old.clone();
                        for (k, v) in d {
                            merged.insert(k, v);
                        }
                        with_id_of(&old, merged, &ns)?
                    }
                    WhenMatched::Pipeline(p) => {
                        let vars = merge_vars(m, &d, &ctx.vars)?;
                        let out = p.run(vec![old.clone()], &NoCatalog, &vars)?;
                        let Some(first) = out.into_iter().next() else {
                            return Err(CommandError::bad_value("$merge's whenMatched pipeline produced no document"));
                        };
                        with_id_of(&old, first, &ns)?
                    }
                };
                crate::engine::limits::check_insert(&new)?;
                if !bypass {
                    validate(coll, &new, Some(&old), &ctx.vars)?;
                }
                coll.replace(rid, &old, &new)?;
                log.put(coll, rid);
            }
            None => match m.when_not_matched {
                WhenNotMatched::Discard => {}
                WhenNotMatched::Fail => {
                    return Err(CommandError::new(
                        ErrorCode::MergeStageNoMatchingDocument,
                        "$merge could not find a matching document in the target collection for at least one document in the source collection",
                    ))
                }
                WhenNotMatched::Insert => {
                    let d = prepare_insert(d)?;
                    if bypass {
                        crate::engine::limits::check_insert(&d)?;
                        let rid = coll.insert(d)?;
                        log.put(coll, rid);
                    } else {
                        insert_one(coll, d, &ctx.vars, &mut log)?;
                    }
                }
            },
        }
    }
    log.commit()
}

/// The variables of a `whenMatched` pipeline: `$$new` (the incoming document) and the stage's `let`.
fn merge_vars(m: &Merge, incoming: &Document, base: &Vars) -> Result<Vars, CommandError> {
    let mut vars = base.with("new", Bson::Document(incoming.clone()));
    for (name, e) in &m.lets {
        let v = e.eval(incoming, base)?.unwrap_or(Bson::Null);
        vars.push(name, v);
    }
    Ok(vars)
}

/// `new` with the matched document's `_id` first; a different `_id` is an immutable-field error (66).
fn with_id_of(old: &Document, new: Document, ns: &str) -> Result<Document, CommandError> {
    let id = old.get("_id").cloned().unwrap_or(Bson::Null);
    if let Some(nid) = new.get("_id") {
        if !equal(nid, &id) || std::mem::discriminant(nid) != std::mem::discriminant(&id) {
            return Err(CommandError::new(
                ErrorCode::ImmutableField,
                format!("$merge failed to update the matching document in {ns}, did you attempt to modify the _id or the shard key?"),
            ));
        }
    }
    let mut out = doc! {"_id": id};
    for (k, v) in new {
        if k != "_id" {
            out.insert(k, v);
        }
    }
    Ok(out)
}
