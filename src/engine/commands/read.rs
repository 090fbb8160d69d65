//! Read commands: `find`, `aggregate`, `count`, `distinct`, `explain` (`getMore`, `killCursors`: cursor_cmds.rs).
//!
//! In: the command document; out: mongod's reply shapes (`cursor: {firstBatch | nextBatch, id, ns}`,
//! `n`, `values`, `queryPlanner`). Index selection (`Collection::candidates`) narrows the scan for the
//! filter or the leading `$match`; the full filter is still applied to every candidate.

use super::cursor_cmds::{batch_size, cursor_reply};
use super::{
    coll_name, get_coll, opt_bool, opt_doc, opt_i64, resolve_view, source_docs, Ctx, StateCatalog,
};
use crate::engine::bson_order::compare;
use crate::engine::cursor::Results;
use crate::engine::error_codes::ErrorCode;
use crate::engine::matcher::Matcher;
use crate::engine::pipeline::{Output, Pipeline};
use crate::engine::projection::{Context, Projection};
use crate::engine::sort::SortSpec;
use crate::engine::storage::State;
use crate::engine::CommandError;
use bson::{doc, Bson, Document};

/// Runs a find's filter / sort / skip / limit / projection over a collection or view. Without sort or
/// projection on a collection, the result is the matching stored documents themselves (shared with the
/// snapshot, parsed batch by batch): an open cursor holds a pointer per document, not a copy.
pub(super) fn run_find(
    ctx: &Ctx,
    state: &State,
    name: &str,
    cmd: &Document,
) -> Result<Results, CommandError> {
    let filter = opt_doc(cmd, "filter")?;
    let sort = opt_doc(cmd, "sort")?
        .filter(|s| !s.is_empty())
        .map(SortSpec::compile)
        .transpose()?;
    let skip = opt_i64(cmd, "skip")?.unwrap_or(0);
    if skip < 0 {
        return Err(CommandError::bad_value("skip value must be non-negative"));
    }
    let limit = opt_i64(cmd, "limit")?.unwrap_or(0);
    if limit < 0 {
        return Err(CommandError::bad_value("limit value must be non-negative"));
    }
    let projection_spec = opt_doc(cmd, "projection")?.filter(|p| !p.is_empty());
    let projection = projection_spec
        .map(|p| Projection::compile(p, Context::Find))
        .transpose()?;
    let (skip, limit) = (skip as usize, limit as usize);
    let early_stop = if sort.is_none() && limit > 0 {
        skip + limit
    } else {
        0
    };
    // Without a projection, or with one of top-level fields only (the translator's select lists), the
    // cursor can hold the stored documents themselves: each is decoded (for the kept fields only) when a
    // batch hands it out.
    let kept = match &projection {
        None => Some(None),
        Some(p) if p.is_top_level_inclusion() => Some(Some(p)),
        Some(_) => None,
    };
    let results = |stored: Vec<crate::engine::storage::Stored>| match kept {
        Some(Some(p)) => Results::Kept(stored, std::sync::Arc::new(p.clone())),
        _ => Results::Stored(stored),
    };
    if sort.is_none() && kept.is_some() {
        if let Some(mut stored) =
            super::matching_stored(state, ctx.db, name, filter, &ctx.vars, early_stop)?
        {
            stored.drain(..skip.min(stored.len()));
            if limit > 0 {
                stored.truncate(limit);
            }
            return Ok(results(stored));
        }
    }
    // A whole collection in the order of an index on the sort field: its stored documents as they are, in the
    // index's order (nothing sorted, nothing parsed until a batch hands it out). With a projection, only
    // without a filter: a filter decided per document in index order costs more than the scan's prefiltered
    // reads and a sort of what matched (10x at 10k sessions for a selective one).
    let unfiltered = filter.is_none_or(|f| f.is_empty());
    let walk_all = kept.is_some() && (projection.is_none() || unfiltered);
    if let (Some(s), true, 0) = (opt_doc(cmd, "sort")?, walk_all, limit) {
        if let Some(order) = super::index_order::Order::from_sort(s) {
            if let Some(mut stored) =
                super::index_order::serve_stored(state, ctx.db, name, filter, &order, &ctx.vars)?
            {
                stored.drain(..skip.min(stored.len()));
                return Ok(results(stored));
            }
        }
    }
    // A sort an index serves: walk it in order, stopping after skip + limit documents.
    let order = match opt_doc(cmd, "sort")? {
        Some(s) if limit > 0 => super::index_order::Order::from_sort(s),
        _ => None,
    };
    let served = match &order {
        Some(o) => {
            super::index_order::serve(state, ctx.db, name, filter, o, &ctx.vars, skip, limit)?
        }
        None => None,
    };
    // With a projection, only the fields it and the sort read are parsed from each stored document.
    let mut read_fields = Vec::new();
    let reads = match projection_spec {
        Some(p) if find_reads(p, opt_doc(cmd, "sort")?, &mut read_fields) => {
            super::Reads::Fields(&read_fields)
        }
        _ => super::Reads::All,
    };
    let mut out = match served {
        // The walk skipped the first `skip` itself.
        Some(docs) => docs,
        None => {
            let mut out = Vec::new();
            super::scan_matching_owned(state, ctx.db, name, filter, &ctx.vars, reads, &mut |d| {
                out.push(d);
                Ok(early_stop > 0 && out.len() >= early_stop)
            })?;
            if let Some(s) = &sort {
                out = if limit > 0 {
                    s.top_bounded(out, skip + limit, &ctx.vars.memory)?
                } else {
                    s.sort_bounded(out, &ctx.vars.memory)?
                };
            }
            out.drain(..skip.min(out.len()));
            out
        }
    };
    if limit > 0 {
        out.truncate(limit);
    }
    if let Some(p) = projection {
        out = out
            .into_iter()
            .map(|d| p.apply_owned(d, &ctx.vars))
            .collect::<Result<_, _>>()?;
    }
    Ok(Results::Docs(out))
}

/// The top-level fields a `find`'s projection and sort read, added to `out`; `false` when they may read any
/// field (an exclusion projection, `$slice` (which keeps every other field), `$$ROOT`, a `$meta` sort...).
fn find_reads(projection: &Document, sort: Option<&Document>, out: &mut Vec<String>) -> bool {
    let find_only = projection.iter().any(|(k, v)| {
        k.contains('$')
            || matches!(v, Bson::Document(d) if d.contains_key("$slice") || d.contains_key("$elemMatch"))
    });
    if find_only || !crate::engine::fields::projection_fields(projection, out) {
        return false;
    }
    for (k, v) in sort.into_iter().flatten() {
        if !matches!(v, Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_)) {
            return false;
        }
        let top = k.split('.').next().unwrap_or(k);
        if !out.iter().any(|f| f == top) {
            out.push(top.to_string());
        }
    }
    true
}

pub(super) fn find(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    // Taken first: the command's own result only (rows_wanted.rs).
    let rows = super::rows_wanted::take();
    let name = coll_name(cmd, "find")?;
    let docs = match super::point::find_docs(ctx, cmd)? {
        Some(docs) => Results::Docs(docs),
        None => {
            let state = super::read_for(ctx, name, opt_doc(cmd, "filter")?)?;
            run_find(ctx, &state, name, cmd)?
        }
    };
    let docs = match docs {
        Results::Kept(stored, p) if rows => Results::KeptRows(stored, p),
        other => other,
    };
    let single = opt_bool(cmd, "singleBatch");
    cursor_reply(
        ctx,
        &ctx.ns(name),
        docs,
        batch_size(cmd, "batchSize")?,
        single,
    )
}

/// Runs an aggregate's pipeline (collection, view or collectionless) and returns the documents.
pub(super) fn run_aggregate(ctx: &Ctx, cmd: &Document) -> Result<Vec<Document>, CommandError> {
    aggregate_output(ctx, cmd, false)?.into_docs()
}

/// [`run_aggregate`]'s documents, a large sorted join's kept as bytes ([`Output::Stored`]) for a cursor.
/// `rows`: the result goes out as rows ([`Output::Rows`] where a projection makes them).
fn aggregate_output(ctx: &Ctx, cmd: &Document, rows: bool) -> Result<Output, CommandError> {
    let Some(Bson::Array(stages)) = cmd.get("pipeline") else {
        return Err(CommandError::type_mismatch(
            "'pipeline' option must be specified as an array",
        ));
    };
    let sessions_listed;
    let stages = match list_local_sessions(ctx, cmd, stages)? {
        Some(rewritten) => {
            sessions_listed = rewritten;
            &sessions_listed
        }
        None => stages,
    };
    let pipeline = Pipeline::compile(stages)?;
    let state = ctx.read_state()?;
    aggregate_on(ctx, &state, cmd, stages, pipeline, rows)
}

/// [`aggregate_output`] of the compiled `pipeline` (of `stages`) over `state`.
fn aggregate_on(
    ctx: &Ctx,
    state: &State,
    cmd: &Document,
    stages: &[Bson],
    pipeline: Pipeline,
    rows: bool,
) -> Result<Output, CommandError> {
    // An uncorrelated `$lookup` read only by the `$match`es after it runs once, here (init_plan.rs), as an
    // aggregate of its own (with the scan's fast paths: a `$group` over fields read from the stored bytes,
    // a top-k); the pipeline as given was compiled first, so it alone decides what is valid.
    let sub = |from: &str, sub: &[Bson]| -> Result<Vec<Document>, CommandError> {
        let _level = super::SubPipelineLevel::enter()?;
        // The command's hint is its own read's, not this sub-pipeline's (kept in force for the outer scan).
        let _no_hint = super::hint::scoped(ctx.db, from, None);
        let p = Pipeline::compile(sub)?;
        let cmd = doc! {"aggregate": from, "pipeline": sub.to_vec()};
        aggregate_on(ctx, state, &cmd, sub, p, false)?.into_docs()
    };
    // Uncorrelated `$lookup` sub-pipelines run through `sub` too (Catalog::aggregate).
    let catalog = StateCatalog {
        state,
        db: ctx.db,
        vars: &ctx.vars,
        sub: Some(&sub),
    };
    let inlined;
    let (pipeline, stages) = match crate::engine::pipeline::init_plan::inline_uncorrelated(
        stages, &catalog, &ctx.vars, &sub,
    )
    .and_then(|s| Pipeline::compile(&s).ok().map(|p| (p, s)))
    {
        Some((p, s)) => {
            inlined = s;
            (p, inlined.as_slice())
        }
        None => (pipeline, stages),
    };
    let input = match cmd.get("aggregate") {
        Some(Bson::Int32(1)) | Some(Bson::Int64(1)) | Some(Bson::Double(_)) => {
            if !pipeline.starts_with_documents() {
                return Err(CommandError::new(
                    ErrorCode::InvalidNamespace,
                    "{aggregate: 1} is not valid for this pipeline: it must start with $documents",
                ));
            }
            Vec::new()
        }
        _ => {
            let name = coll_name(cmd, "aggregate")?;
            // A `$match` nothing passes (LIMIT 0): nothing before it needs to run.
            if let Some(after) = pipeline.after_always_false() {
                return pipeline.run_output(after, Vec::new(), &catalog, &ctx.vars, rows);
            }
            // The leading $match is applied while scanning.
            let start = usize::from(pipeline.leading_match().is_some());
            // [$match,] $set of a constant array + $unwind of it + $group (GROUPING SETS): one grouping
            // per element over each document, fused (group_sets.rs); fields read from the bytes when they can.
            if let Some(sets) = pipeline.group_sets_at(start) {
                let mut st = crate::engine::pipeline::group::GroupState::new(&ctx.vars);
                let scan =
                    super::row_scan::RowScan::new(state, ctx.db, name, pipeline.leading_match())?;
                if let Some(mut scan) = scan {
                    if let Some(plans) = sets.row_plans(scan.fields()) {
                        scan.run(&ctx.vars, &mut |row| match row {
                            super::row_scan::Row::Fields(r) => sets.step_row(&plans, &mut st, r),
                            super::row_scan::Row::Doc(d) => sets.step(&mut st, d, &ctx.vars),
                        })?;
                        let grouped = sets.finish(st, &ctx.vars)?;
                        return pipeline.run_output(start + 3, grouped, &catalog, &ctx.vars, rows);
                    }
                }
                let mut fields = Vec::new();
                let tail = stages.get(start + 2..).unwrap_or(&[]);
                let reads = match crate::engine::fields::pipeline_paths(tail, &mut fields) {
                    true => super::Reads::Fields(&fields),
                    false => super::Reads::All,
                };
                super::scan_matching(
                    state,
                    ctx.db,
                    name,
                    pipeline.leading_match(),
                    &ctx.vars,
                    reads,
                    &mut |d| sets.step(&mut st, d, &ctx.vars).map(|()| false),
                )?;
                let grouped = sets.finish(st, &ctx.vars)?;
                return pipeline.run_output(start + 3, grouped, &catalog, &ctx.vars, rows);
            }
            // $group: {_id: null, ...} alone over the collection: COUNT(*)'s record count, MIN / MAX of
            // indexed columns from their indexes (count_all.rs, index_minmax.rs).
            if start == 0 {
                if let Some(docs) = super::count_all::opening_group(state, ctx.db, name, stages)? {
                    return pipeline.run_output(1, docs, &catalog, &ctx.vars, rows);
                }
            }
            if let Some(group) = pipeline.group_at(start) {
                // Fastest: the filter is made of top-level field predicates and the grouping reads
                // top-level fields and constants only: both work on fields read from the BSON bytes.
                if let Some(mut scan) =
                    super::row_scan::RowScan::new(state, ctx.db, name, pipeline.leading_match())?
                {
                    if let Some(plan) = group.row_plan(scan.fields()) {
                        let mut st = crate::engine::pipeline::group::GroupState::new(&ctx.vars);
                        scan.run(&ctx.vars, &mut |row| match row {
                            super::row_scan::Row::Fields(r) => group.step_row(&plan, &mut st, r),
                            super::row_scan::Row::Doc(d) => group.step(&mut st, d, &ctx.vars),
                        })?;
                        let grouped = group.finish(st, &ctx.vars)?;
                        return pipeline.run_output(start + 1, grouped, &catalog, &ctx.vars, rows);
                    }
                }
                // [$match,] $group, ...: documents stream from the scan into the grouping, uncopied.
                // Only the fields the grouping reads are parsed from each stored document (for a
                // grouping that keeps whole documents, DISTINCT ON's `$first: "$$ROOT"` + `$replaceRoot`,
                // its key and what the stages after it read). Dotted paths: an embedded document is decoded
                // only along the paths the grouping reads in it.
                let mut fields = Vec::new();
                let known = crate::engine::fields::pipeline_paths(
                    stages.get(start..).unwrap_or(&[]),
                    &mut fields,
                );
                let reads = if known {
                    super::Reads::Fields(&fields)
                } else {
                    super::Reads::All
                };
                let mut st = crate::engine::pipeline::group::GroupState::new(&ctx.vars);
                super::scan_matching(
                    state,
                    ctx.db,
                    name,
                    pipeline.leading_match(),
                    &ctx.vars,
                    reads,
                    &mut |d| group.step(&mut st, d, &ctx.vars).map(|()| false),
                )?;
                let grouped = group.finish(st, &ctx.vars)?;
                return pipeline.run_output(start + 1, grouped, &catalog, &ctx.vars, rows);
            }
            // [$match,] $sort, [$skip,] $limit (or the translator's null-placement $set before them) on a
            // field an index serves: the index is walked in order for the first skip + limit documents; the
            // stages from the $sort's successor on then run on them.
            if let Some(at) = super::index_order::sort_limit_at(stages, start) {
                if let Some(docs) = super::index_order::serve(
                    state,
                    ctx.db,
                    name,
                    pipeline.leading_match(),
                    &at.order,
                    &ctx.vars,
                    at.skip,
                    at.limit,
                )? {
                    let docs = match at.set_stage {
                        true => pipeline.run_range(start, start + 1, docs, &catalog, &ctx.vars)?,
                        false => docs,
                    };
                    // The walk did the `$sort`, `$skip` and `$limit`.
                    return pipeline.run_output(at.after, docs, &catalog, &ctx.vars, rows);
                }
            }
            // [$match,] per-document stages, $sort, [$skip,] $limit whose first key is an indexed field
            // (or a copy of one): the index is walked in order, stopping once the top-k is settled.
            if let Some(plan) = super::index_topk::plan(stages, start) {
                if let Some(docs) = super::index_topk::run(
                    state,
                    ctx.db,
                    name,
                    pipeline.leading_match(),
                    &plan,
                    &pipeline,
                    start,
                    &catalog,
                    &ctx.vars,
                )? {
                    return pipeline.run_output(plan.after, docs, &catalog, &ctx.vars, rows);
                }
            }
            // [$match,] [$set,] $sort, [$skip,] $limit over a scan: the top-k by keys read from the stored
            // bytes; only the documents it keeps are parsed, and the stages after it run on them alone.
            if let Some(plan) = super::raw_topk::plan(stages, start) {
                if let Some(docs) = super::raw_topk::run(
                    state,
                    ctx.db,
                    name,
                    pipeline.leading_match(),
                    &plan,
                    &pipeline,
                    stages,
                    &catalog,
                    &ctx.vars,
                )? {
                    return pipeline.run_output(plan.after, docs, &catalog, &ctx.vars, rows);
                }
            }
            // [$match,] $project, ... (or stages up to one, such as a correlated subquery's `$lookup`s, a
            // `$match` and the select list's `$project`): only the fields they read are parsed from each
            // document.
            // Dotted paths: an embedded document is decoded only along the paths read in it.
            let mut fields = Vec::new();
            let reads = match stages.get(start..) {
                Some(rest) if crate::engine::fields::pipeline_paths(rest, &mut fields) => {
                    super::Reads::Fields(&fields)
                }
                _ => super::Reads::All,
            };
            // A full `$sort` on an indexed field after per-document stages: the scan reads in the index's
            // order, and the sort finds its input in order (scan_order.rs).
            let order = super::scan_order::sorted_by(stages, start)
                .filter(|_| !super::hint::active(ctx.db, name));
            // [$match,] a `$project`, ...: the rows of a row scan projected (row_scan::project_rows).
            if let Some(out) = super::row_scan::project_rows(
                state,
                ctx.db,
                name,
                &pipeline,
                stages,
                start,
                order.as_ref(),
                &catalog,
                &ctx.vars,
                rows,
            )? {
                return Ok(out);
            }
            // [$match,] stages that map each document to one, then `$limit n` (EXISTS' `SELECT 1 ... LIMIT
            // 1`): the scan stops at the n-th matching document, as mongod's `$limit` stops pulling.
            let cap = pipeline.scan_cap(start);
            let mut docs = Vec::new();
            super::scan_in_order(
                state,
                ctx.db,
                name,
                pipeline.leading_match(),
                &ctx.vars,
                reads,
                order.as_ref(),
                &mut |_, d| {
                    docs.push(std::mem::take(d));
                    Ok(cap.is_some_and(|n| docs.len() >= n))
                },
            )?;
            return pipeline.run_output(start, docs, &catalog, &ctx.vars, rows);
        }
    };
    pipeline.run_output(0, input, &catalog, &ctx.vars, rows)
}

/// `{aggregate: 1, pipeline: [{$listLocalSessions: {}}, ...]}`: the sessions the engine knows (see
/// `engine::txn`), as `$documents` for the rest of the pipeline. `{}` and `allUsers: true` list every
/// session (the engine has no access control: a server with it narrows `{}` to its user's sessions);
/// `users: [{user, db}, ...]` lists the sessions those users ran commands in. `None` for any other pipeline.
fn list_local_sessions(
    ctx: &Ctx,
    cmd: &Document,
    stages: &[Bson],
) -> Result<Option<Vec<Bson>>, CommandError> {
    let Some(Bson::Document(first)) = stages.first() else {
        return Ok(None);
    };
    let Some(spec) = first.get("$listLocalSessions") else {
        return Ok(None);
    };
    if matches!(cmd.get("aggregate"), Some(Bson::String(_))) {
        return Err(CommandError::new(
            ErrorCode::InvalidNamespace,
            "$listLocalSessions must be run against the database with {aggregate: 1}",
        ));
    }
    let Bson::Document(spec) = spec else {
        return Err(CommandError::type_mismatch(
            "$listLocalSessions must take a nested object but found: a non-object",
        ));
    };
    let mut users: Option<Vec<(String, String)>> = None;
    for (k, v) in spec {
        match (k.as_str(), v) {
            ("allUsers", Bson::Boolean(_)) => {}
            ("users", Bson::Array(list)) => {
                let mut named = Vec::with_capacity(list.len());
                for u in list {
                    let Bson::Document(u) = u else {
                        return Err(CommandError::type_mismatch(format!(
                            "BSON field '$listLocalSessions.users' is the wrong type '{}', expected type 'object'",
                            crate::engine::bson_order::type_name(u)
                        )));
                    };
                    let field = |f: &str| match u.get(f) {
                        Some(Bson::String(s)) => Ok(s.clone()),
                        None => Err(CommandError::location(
                            40414,
                            format!("BSON field '$listLocalSessions.users.{f}' is missing but a required field"),
                        )),
                        Some(v) => Err(CommandError::type_mismatch(format!(
                            "BSON field '$listLocalSessions.users.{f}' is the wrong type '{}', expected type 'string'",
                            crate::engine::bson_order::type_name(v)
                        ))),
                    };
                    named.push((field("user")?, field("db")?));
                }
                users = Some(named);
            }
            _ => {
                return Err(CommandError::location(
                    40415,
                    format!("BSON field '$listLocalSessions.{k}' is an unknown field or has the wrong type."),
                ))
            }
        }
    }
    // `allUsers: true` lists every user's sessions whatever `users` says; an empty `users` is `{}` (the
    // current user's: every session here).
    if matches!(spec.get("allUsers"), Some(Bson::Boolean(true)))
        || users.as_ref().is_some_and(Vec::is_empty)
    {
        users = None;
    }
    let listed: Vec<Bson> = ctx
        .inner
        .sessions
        .list_for(users.as_deref())
        .into_iter()
        .map(Bson::Document)
        .collect();
    let mut out = vec![Bson::Document(doc! {"$documents": listed})];
    out.extend(stages[1..].iter().cloned());
    Ok(Some(out))
}

pub(super) fn aggregate(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    // Taken first: the command's own result only (rows_wanted.rs).
    let rows = super::rows_wanted::take();
    if opt_bool(cmd, "explain") {
        let mut inner = cmd.clone();
        inner.remove("explain");
        return explain(ctx, &doc! {"explain": inner});
    }
    let cursor =
        match cmd.get("cursor") {
            Some(Bson::Document(c)) => c.clone(),
            _ => return Err(CommandError::failed_to_parse(
                "The 'cursor' option is required, except for aggregate with the explain argument",
            )),
        };
    if let Some(reply) = super::out_merge::run(ctx, cmd)? {
        return Ok(reply);
    }
    let out = aggregate_output(ctx, cmd, rows)?;
    let ns = match cmd.get("aggregate") {
        Some(Bson::String(s)) => ctx.ns(s),
        _ => format!("{}.$cmd.aggregate", ctx.db),
    };
    cursor_reply(
        ctx,
        &ns,
        Results::from(out),
        batch_size(&cursor, "batchSize")?,
        false,
    )
}

pub(super) fn count(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = coll_name(cmd, "count")?;
    let query = opt_doc(cmd, "query")?.cloned().unwrap_or_default();
    Matcher::compile(&query)?;
    let state = super::read_for(ctx, name, Some(&query))?;
    // A filter of top-level field predicates is decided on fields read from the bytes: nothing is parsed.
    let mut n = match super::row_scan::RowScan::new(&state, ctx.db, name, Some(&query))? {
        Some(scan) => {
            let mut n = 0i64;
            scan.run(&ctx.vars, &mut |_| {
                n += 1;
                Ok(())
            })?;
            n
        }
        None => source_docs(&state, ctx.db, name, Some(&query), &ctx.vars)?.len() as i64,
    };
    let skip = opt_i64(cmd, "skip")?.unwrap_or(0).max(0);
    n = (n - skip).max(0);
    if let Some(l) = opt_i64(cmd, "limit")?.filter(|l| *l != 0) {
        n = n.min(l.abs());
    }
    Ok(doc! {"n": i32::try_from(n).map(Bson::Int32).unwrap_or(Bson::Int64(n))})
}

pub(super) fn distinct(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let name = coll_name(cmd, "distinct")?;
    let key = match cmd.get("key") {
        Some(Bson::String(k)) if !k.is_empty() => k.clone(),
        _ => {
            return Err(CommandError::type_mismatch(
                "BSON field 'distinct.key' must be a string",
            ))
        }
    };
    let query = opt_doc(cmd, "query")?.cloned().unwrap_or_default();
    Matcher::compile(&query)?;
    let state = ctx.read_state()?;
    let docs = source_docs(&state, ctx.db, name, Some(&query), &ctx.vars)?;
    // A hash set of the values seen (a linear search per value was O(n * distinct)).
    let mut seen = crate::engine::bson_hash::ValueSet::default();
    let parts: Vec<&str> = key.split('.').collect();
    let mut found = Vec::new();
    for d in &docs {
        found.clear();
        // The first path component is read from the document itself (no copy of the whole document).
        if let Some((first, rest)) = parts.split_first() {
            if let Some(x) = d.get(*first) {
                collect_distinct(x, rest, &mut found);
            }
        }
        for v in found.drain(..) {
            seen.insert(std::borrow::Cow::Owned(v));
        }
    }
    let mut values = seen.into_vec();
    values.sort_by(compare);
    Ok(doc! {"values": values})
}

fn collect_distinct(v: &Bson, parts: &[&str], out: &mut Vec<Bson>) {
    let Some((p, rest)) = parts.split_first() else {
        match v {
            Bson::Array(items) => out.extend(items.iter().cloned()),
            other => out.push(other.clone()),
        }
        return;
    };
    match v {
        Bson::Document(d) => {
            if let Some(x) = d.get(*p) {
                collect_distinct(x, rest, out);
            }
        }
        Bson::Array(items) => {
            for it in items {
                collect_distinct(it, parts, out);
            }
        }
        _ => {}
    }
}

/// `explain`: which plan a find / aggregate / count / update / delete would use (COLLSCAN or IXSCAN).
pub(super) fn explain(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let Some(Bson::Document(inner)) = cmd.get("explain") else {
        return Err(CommandError::failed_to_parse(
            "explain command requires a nested object",
        ));
    };
    let Some((verb, target)) = inner.iter().next() else {
        return Err(CommandError::failed_to_parse("explain of an empty command"));
    };
    let name = match target {
        Bson::String(s) => s.clone(),
        _ => String::new(),
    };
    let filter: Document = match verb.as_str() {
        "find" => opt_doc(inner, "filter")?.cloned().unwrap_or_default(),
        "count" => opt_doc(inner, "query")?.cloned().unwrap_or_default(),
        "aggregate" => match inner.get("pipeline") {
            Some(Bson::Array(p)) => Pipeline::compile(p)?
                .leading_match()
                .cloned()
                .unwrap_or_default(),
            _ => Document::new(),
        },
        "update" | "delete" => {
            let key = if verb == "update" {
                "updates"
            } else {
                "deletes"
            };
            match inner.get(key) {
                Some(Bson::Array(a)) => match a.first() {
                    Some(Bson::Document(s)) => opt_doc(s, "q")?.cloned().unwrap_or_default(),
                    _ => Document::new(),
                },
                _ => Document::new(),
            }
        }
        "findAndModify" => opt_doc(inner, "query")?.cloned().unwrap_or_default(),
        "distinct" => opt_doc(inner, "query")?.cloned().unwrap_or_default(),
        other => {
            return Err(CommandError::bad_value(format!(
                "Explain is not supported for the '{other}' command"
            )))
        }
    };
    Matcher::compile(&filter)?;
    // The explained command is parsed as it would be run: its fields' types, then its hint.
    super::known_fields::check(verb, inner)?;
    let hint = match verb.as_str() {
        "update" | "delete" => inner
            .get(if verb == "update" {
                "updates"
            } else {
                "deletes"
            })
            .and_then(|s| s.as_array())
            .and_then(|a| a.first())
            .and_then(|s| s.as_document())
            .and_then(|s| s.get("hint")),
        _ => inner.get("hint"),
    }
    .filter(|h| !matches!(h, Bson::Document(d) if d.is_empty()));
    let state = ctx.read_state()?;
    let (base, view) = if name.is_empty() {
        (String::new(), Vec::new())
    } else {
        resolve_view(&state, ctx.db, &name)?
    };
    let hinted = match (get_coll(&state, ctx.db, &base), hint) {
        (Some(c), Some(h)) if view.is_empty() => {
            Some(super::hint::access(c, h).ok_or_else(|| {
                CommandError::bad_value("hint provided does not correspond to an existing index")
            })?)
        }
        _ => None,
    };
    let stage = match get_coll(&state, ctx.db, &base) {
        Some(_) if hinted.is_some() => match hinted {
            Some(super::hint::Access::Index(ix)) => {
                doc! {"stage": "FETCH", "inputStage": {
                    "stage": "IXSCAN",
                    "keyPattern": ix.spec.get_document("key").cloned().unwrap_or_default(),
                    "indexName": ix.name.clone(),
                    "isMultiKey": false,
                    "isSparse": ix.sparse,
                    "isPartial": ix.partial.is_some(),
                    "direction": "forward",
                }}
            }
            Some(super::hint::Access::Natural(forward)) => {
                doc! {"stage": "COLLSCAN", "direction": if forward { "forward" } else { "backward" }}
            }
            None => doc! {"stage": "EOF"},
        },
        Some(c) if view.is_empty() => match used_index(c, &filter) {
            Some(ix) => {
                doc! {"stage": "FETCH", "inputStage": {"stage": "IXSCAN", "indexName": ix.0, "keyPattern": ix.1}}
            }
            None => doc! {"stage": "COLLSCAN", "direction": "forward"},
        },
        Some(_) => doc! {"stage": "COLLSCAN", "direction": "forward", "view": true},
        None => doc! {"stage": "EOF"},
    };
    Ok(doc! {
        "queryPlanner": {"namespace": ctx.ns(&name), "parsedQuery": filter, "winningPlan": stage, "rejectedPlans": []},
        "command": inner.clone(),
        "serverInfo": {"host": "localhost", "version": super::admin::VERSION, "gitVersion": "sqlmongo-embedded"},
    })
}

fn used_index(
    c: &crate::engine::storage::Collection,
    filter: &Document,
) -> Option<(String, Document)> {
    c.candidates(filter)?;
    // The serving index is the first whose first field is an indexed top-level predicate.
    c.indexes
        .iter()
        .find(|ix| {
            ix.partial.is_none()
                && !ix.sparse
                && ix.fields.first().is_some_and(|f| {
                    filter.contains_key(f)
                        || filter.get_array("$and").is_ok_and(|a| {
                            a.iter()
                                .any(|x| matches!(x, Bson::Document(d) if d.contains_key(f)))
                        })
                })
        })
        .map(|ix| {
            (
                ix.name.clone(),
                ix.spec.get_document("key").cloned().unwrap_or_default(),
            )
        })
}
