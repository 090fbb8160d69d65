//! `[$match,] <per-document stages>, $sort, [$skip,] $limit` whose first sort key is a top-level field a
//! single-field index serves, or a `$set` copy of one (the translator's `__s0: "$session_id"`), which the
//! stages before the `$sort` leave as it is: the index is walked in order, each document run through those
//! stages into a bounded top-k, and the walk stops at the first change of the field once the top-k holds
//! skip + limit documents (an incremental sort, as PostgreSQL plans `ORDER BY session_id, tag LIMIT 7` over
//! an `unnest` with an index on `session_id`).
//!
//! Why it gives the general path's documents: every output of a walked document has the field's value as its
//! first sort key; the walk meets the values in the sort's order, and a document's equal-keyed peers in
//! natural order, so the documents after a change of value sort after every one held, and ties keep the
//! input order the stable top-k keeps. An array value (sorted by an element) makes the walk give up: the
//! caller then runs the general path.

use super::index_order::{direction, walk_in_order, walkable, Nulls, Order};
use crate::engine::bson_order::compare;
use crate::engine::expr::Vars;
use crate::engine::pipeline::{Catalog, Pipeline};
use crate::engine::sort::TopK;
use crate::engine::storage::State;
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

/// The shape found by [`plan`].
#[derive(Debug)]
pub(super) struct IndexTopK {
    /// The indexed field walked, and the direction of the first sort key.
    order: Order,
    /// The index of the `$sort` stage.
    sort_at: usize,
    skip: usize,
    limit: usize,
    /// The index of the stage after the `$limit`.
    pub after: usize,
}

/// The top-level field a stage path writes.
fn top(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

/// Whether a `$set` value cannot fail on any document: a field path, a constant, or the translator's
/// null flag (`{$cond: [{$eq: [{$ifNull: ["$f", null]}, null]}, 1, 0]}`). The walk does not run the stages
/// on the documents after its stop; the general path does, so an expression that can fail (`$divide` by
/// zero) would fail there only.
fn cannot_fail(v: &Bson) -> bool {
    match v {
        Bson::String(s) => !s.starts_with("$$") || s == "$$ROOT",
        Bson::Document(d) => {
            let Some(Bson::Array(c)) = d.get("$cond").filter(|_| d.len() == 1) else {
                return d.keys().next().is_some_and(|k| !k.starts_with('$'))
                    && d.values().all(cannot_fail);
            };
            let flag = |x: &Bson| {
                let eq = x.as_document().and_then(|e| e.get_array("$eq").ok());
                match eq.map(Vec::as_slice) {
                    Some([Bson::Document(n), Bson::Null]) => {
                        matches!(n.get_array("$ifNull").map(Vec::as_slice),
                            Ok([Bson::String(f), Bson::Null]) if f.starts_with('$') && !f.starts_with("$$"))
                    }
                    _ => false,
                }
            };
            matches!(c.as_slice(), [x, Bson::Int32(1), Bson::Int32(0)] if flag(x))
        }
        Bson::Array(items) => items.iter().all(cannot_fail),
        _ => true,
    }
}

/// The shape at `stages[start..]`: per-document stages (`$set` / `$addFields`, `$unwind`, `$unset`,
/// `$match`), then `$sort` whose first key is a field they do not write or a plain copy (`$set: {k: "$f"}`)
/// of a field `f` they do not write, then [`$skip`,] `$limit`. `None` for any other pipeline.
pub(super) fn plan(stages: &[Bson], start: usize) -> Option<IndexTopK> {
    let mut written: Vec<String> = Vec::new();
    let mut copies: Vec<(String, String)> = Vec::new();
    let mut i = start;
    let sort = loop {
        let stage = stages.get(i)?.as_document().filter(|d| d.len() == 1)?;
        let (name, spec) = stage.iter().next()?;
        match (name.as_str(), spec) {
            ("$set" | "$addFields", Bson::Document(fields)) => {
                for (k, v) in fields {
                    if !cannot_fail(v) {
                        return None;
                    }
                    if let Some(src) = v.as_str().and_then(|s| s.strip_prefix('$')) {
                        if !k.contains('.') && !src.starts_with('$') && !src.contains('.') {
                            copies.push((k.clone(), src.to_string()));
                        }
                    }
                    written.push(top(k).to_string());
                }
            }
            ("$unwind", u) => {
                let (path, index) = match u {
                    Bson::String(p) => (p.as_str(), None),
                    Bson::Document(d) => {
                        (d.get_str("path").ok()?, d.get_str("includeArrayIndex").ok())
                    }
                    _ => return None,
                };
                written.push(top(path.strip_prefix('$')?).to_string());
                if let Some(ix) = index {
                    written.push(top(ix).to_string());
                }
            }
            ("$unset", Bson::String(p)) => written.push(top(p).to_string()),
            ("$unset", Bson::Array(ps)) => {
                for p in ps {
                    written.push(top(p.as_str()?).to_string());
                }
            }
            // A `$match` that evaluates no expression (`$expr`), so no document it is not shown can fail it.
            ("$match", Bson::Document(f)) if !f.to_string().contains("$expr") => {}
            ("$sort", Bson::Document(s)) => break s,
            _ => return None,
        }
        i += 1;
    };
    let sort_at = i;
    let (first, dir) = sort.iter().next()?;
    let asc = direction(dir)?;
    let writes = |f: &str| written.iter().filter(|w| *w == f).count();
    let field = match copies.iter().find(|(k, _)| k == first) {
        // The key is written once, by the copy.
        Some((_, src)) if writes(first) == 1 => src.clone(),
        Some(_) => return None,
        None if writes(first) == 0 && !first.contains('.') => first.clone(),
        None => return None,
    };
    if writes(&field) > 0 || field.is_empty() || field.starts_with('$') {
        return None;
    }
    let count = |b: Option<&Bson>, stage: &str| match b?.as_document()?.get(stage)? {
        Bson::Int32(k) if *k >= 0 => Some(*k as usize),
        Bson::Int64(k) if *k >= 0 => usize::try_from(*k).ok(),
        _ => None,
    };
    let (skip, next) = match count(stages.get(sort_at + 1), "$skip") {
        Some(s) => (s, sort_at + 2),
        None => (0, sort_at + 1),
    };
    let limit = count(stages.get(next), "$limit").filter(|k| *k > 0)?;
    skip.checked_add(limit)?;
    Some(IndexTopK {
        order: Order {
            field,
            asc,
            nulls: Nulls::InOrder,
        },
        sort_at,
        skip,
        limit,
        after: next + 1,
    })
}

/// Runs `pipeline`'s stages from `start` (after the leading `$match`, `filter`) through the `$limit` of
/// `plan` by the index walk; `None` when it does not apply (no index on the field, a view, a better index
/// for the filter, an array value met): the caller runs the general path.
#[allow(clippy::too_many_arguments)]
pub(super) fn run(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    plan: &IndexTopK,
    pipeline: &Pipeline,
    start: usize,
    catalog: &dyn Catalog,
    vars: &Vars,
) -> Result<Option<Vec<Document>>, CommandError> {
    let Some((coll, matcher)) = walkable(state, db, name, filter)? else {
        return Ok(None);
    };
    let Some(spec) = pipeline.sort_at(plan.sort_at) else {
        return Ok(None);
    };
    let want = plan.skip + plan.limit;
    let mut top = TopK::new(spec, want, &vars.memory);
    let mut last: Option<Bson> = None;
    let mut failed = None;
    let walked = walk_in_order(
        coll,
        &plan.order,
        matcher.as_ref(),
        vars,
        usize::MAX,
        0,
        &mut |_, doc| {
            let Some(doc) = doc else {
                return false;
            };
            let value = doc.get(&plan.order.field).cloned().unwrap_or(Bson::Null);
            if top.held() >= want
                && last
                    .as_ref()
                    .is_some_and(|l| compare(l, &value) != Ordering::Equal)
            {
                return true;
            }
            last = Some(value);
            let out = match pipeline.run_range(start, plan.sort_at, vec![doc], catalog, vars) {
                Ok(out) => out,
                Err(e) => {
                    failed = Some(e);
                    return true;
                }
            };
            for d in out {
                if let Err(e) = top.push(d) {
                    failed = Some(e);
                    return true;
                }
            }
            false
        },
    )?;
    if let Some(e) = failed {
        return Err(e);
    }
    if !walked {
        return Ok(None);
    }
    let mut docs = top.finish()?;
    docs.drain(..plan.skip.min(docs.len()));
    docs.truncate(plan.limit);
    Ok(Some(docs))
}

#[cfg(test)]
mod tests {
    use crate::engine::Engine;
    use bson::{bson, doc, Bson, Document};
    use proptest::prelude::*;

    fn key() -> impl Strategy<Value = Option<Bson>> {
        prop_oneof![
            4 => (0i32..4).prop_map(|i| Some(Bson::Int32(i))),
            2 => prop_oneof![Just("a"), Just("b")].prop_map(|s: &str| Some(Bson::String(s.into()))),
            1 => Just(Some(Bson::Null)),
            1 => Just(None),
            1 => prop::collection::vec((0i32..4).prop_map(Bson::Int32), 0..3).prop_map(|v| Some(Bson::Array(v))),
        ]
    }

    fn tags() -> impl Strategy<Value = Option<Bson>> {
        prop_oneof![
            3 => prop::collection::vec(prop_oneof![Just(bson!("x")), Just(bson!("y")), Just(Bson::Null), Just(bson!(2))], 0..3)
                .prop_map(|v| Some(Bson::Array(v))),
            1 => Just(Some(bson!("z"))),
            1 => Just(None),
        ]
    }

    fn run(e: &Engine, pipeline: &[Bson]) -> Result<Vec<Document>, String> {
        super::super::pushdown_tests::run(e, pipeline.to_vec())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// The translator's `unnest` + ORDER BY + LIMIT shape (and a plain multi-key sort) over an index walk
        /// that stops early gives the documents of the same pipeline without the index (the general path).
        #[test]
        fn index_top_k_equals_the_full_top_k(
            rows in prop::collection::vec((key(), tags(), 0i32..3), 0..20),
            asc in any::<bool>(),
            filtered in any::<bool>(),
            preserve in any::<bool>(),
            copy in any::<bool>(),
            skip in prop::option::of(0i32..4),
            limit in 1i32..6,
        ) {
            let with = Engine::in_memory();
            let without = Engine::in_memory();
            let docs: Vec<Document> = rows
                .into_iter()
                .enumerate()
                .map(|(i, (k, t, v))| {
                    let mut d = doc! {"_id": i as i32, "v": v};
                    if let Some(k) = k {
                        d.insert("k", k);
                    }
                    if let Some(t) = t {
                        d.insert("t", t);
                    }
                    d
                })
                .collect();
            for e in [&with, &without] {
                e.run_command("t", &doc! {"create": "c"}).expect("create");
                if !docs.is_empty() {
                    e.run_command("t", &doc! {"insert": "c", "documents": docs.clone()}).expect("insert");
                }
            }
            with.run_command("t", &doc! {"createIndexes": "c", "indexes": [{"key": {"k": 1}, "name": "k_1"}]})
                .expect("index");
            let dir = if asc { 1 } else { -1 };
            let mut p = Vec::new();
            if filtered {
                p.push(bson!({"$match": {"v": {"$ne": 1}}}));
            }
            p.push(bson!({"$set": {"__u0": "$t"}}));
            p.push(bson!({"$unwind": {"path": "$__u0", "preserveNullAndEmptyArrays": preserve}}));
            if copy {
                p.push(bson!({"$set": {"__s0": "$k", "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$__u0", null]}, null]}, 1, 0]}, "__s1": "$__u0"}}));
                p.push(bson!({"$sort": {"__s0": dir, "__n1": 1, "__s1": -1}}));
            } else {
                p.push(bson!({"$sort": {"k": dir, "__u0": 1}}));
            }
            if let Some(s) = skip {
                p.push(bson!({"$skip": s}));
            }
            p.push(bson!({"$limit": limit}));
            p.push(bson!({"$project": {"_id": 1, "c0": "$k", "c1": "$__u0"}}));
            prop_assert!(super::plan(&p, usize::from(filtered)).is_some());
            prop_assert_eq!(run(&with, &p), run(&without, &p));
        }
    }

    /// Shapes the walk must not take: the key written by a stage, an expression that may fail, a `$expr`.
    #[test]
    fn stages_that_change_the_key_or_may_fail_are_not_walked() {
        let tail = [bson!({"$sort": {"__s0": 1}}), bson!({"$limit": 3})];
        let with = |head: Vec<Bson>| {
            let mut p = head;
            p.extend(tail.iter().cloned());
            super::plan(&p, 0).is_some()
        };
        assert!(with(vec![bson!({"$set": {"__s0": "$k"}})]));
        assert!(!with(vec![
            bson!({"$set": {"k": 1}}),
            bson!({"$set": {"__s0": "$k"}})
        ]));
        assert!(!with(vec![
            bson!({"$set": {"__s0": "$k"}}),
            bson!({"$unwind": "$k"})
        ]));
        assert!(!with(vec![
            bson!({"$set": {"__s0": {"$divide": [1, "$k"]}}})
        ]));
        assert!(!with(vec![
            bson!({"$set": {"__s0": "$k", "x": {"$toInt": "$y"}}})
        ]));
        assert!(!with(vec![
            bson!({"$set": {"__s0": "$k"}}),
            bson!({"$match": {"$expr": {"$gt": ["$a", 1]}}})
        ]));
        assert!(!with(vec![bson!({"$set": {"__s0": "$k.x"}})]));
        assert!(!with(vec![bson!({"$project": {"__s0": "$k"}})]));
    }
}
