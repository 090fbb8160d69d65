//! Sort + limit served in index order (mongod's IXSCAN without a blocking SORT): a `find` with `sort` and
//! `limit`, or an aggregate starting `[$match,] $sort, [$skip,] $limit`, on one top-level field a single-field
//! index serves, walks that index in order and stops after the documents it needs; also the SQL translator's
//! NULLS LAST / NULLS FIRST shape (`$set: {n: <is f null: 1 | 0>, s: "$f"}, $sort: {n, s}, [$skip,] $limit`),
//! where the null / missing documents come after (or before) the others.
//!
//! The order is the general sort's: keys in the BSON order, equal keys (null, missing and undefined among them)
//! in natural order. A document whose field is an array sorts by one of its elements, which the walk cannot
//! place: meeting one gives up (the caller sorts), as does an index holding an empty array.

use crate::engine::bson_order::type_rank;
use crate::engine::expr::Vars;
use crate::engine::matcher::Matcher;
use crate::engine::storage::collection::parse;
use crate::engine::storage::{Collection, State};
use crate::engine::CommandError;
use bson::{Bson, Document};

/// Where documents whose field is null or missing go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Nulls {
    /// Where the BSON order puts them (first ascending, last descending).
    InOrder,
    /// After every other document.
    Last,
    /// Before every other document.
    First,
}

/// A sort on one top-level field, served by walking an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Order {
    /// The sorted field.
    pub field: String,
    /// Ascending.
    pub asc: bool,
    /// Placement of null / missing.
    pub nulls: Nulls,
}

impl Order {
    /// A plain `{field: 1 | -1}` sort document.
    pub(super) fn from_sort(sort: &Document) -> Option<Order> {
        let (field, dir) = match sort.iter().collect::<Vec<_>>().as_slice() {
            [(f, d)] => (f.to_string(), direction(d)?),
            _ => return None,
        };
        plain(&field).then_some(Order {
            field,
            asc: dir,
            nulls: Nulls::InOrder,
        })
    }

    /// The translator's NULLS-placement shape: a `$set` / `$addFields` / `$project` computing (among others)
    /// `n: {$cond: [{$eq: [{$ifNull: ["$f", null]}, null]}, 1, 0]}` and `s: "$f"`, then `$sort: {n: ±1,
    /// s: ±1}`. Returns the order (the caller finds the `$limit` after it).
    pub(super) fn from_null_flag_stages(set: &Bson, sort: &Bson) -> Option<Order> {
        let set = set.as_document()?;
        let set = ["$set", "$addFields", "$project"]
            .iter()
            .find_map(|k| set.get_document(k).ok())?;
        let sort = sort.as_document()?.get_document("$sort").ok()?;
        let [(n, d1), (s, d2)] = sort.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        let Some(Bson::String(copy)) = set.get(s) else {
            return None;
        };
        let field = copy.strip_prefix('$').filter(|f| plain(f))?.to_string();
        let expected =
            bson::bson!({"$cond": [{"$eq": [{"$ifNull": [copy.clone(), null]}, null]}, 1, 0]});
        if set.get(n) != Some(&expected) {
            return None;
        }
        let (null_asc, asc) = (direction(d1)?, direction(d2)?);
        Some(Order {
            field,
            asc,
            nulls: if null_asc { Nulls::Last } else { Nulls::First },
        })
    }
}

pub(super) fn direction(d: &Bson) -> Option<bool> {
    match d {
        Bson::Int32(1) | Bson::Int64(1) => Some(true),
        Bson::Int32(-1) | Bson::Int64(-1) => Some(false),
        Bson::Double(x) if *x == 1.0 => Some(true),
        Bson::Double(x) if *x == -1.0 => Some(false),
        _ => None,
    }
}

fn plain(field: &str) -> bool {
    !field.is_empty() && !field.contains('.') && !field.starts_with('$')
}

/// The documents of `coll` matching `filter` in `order` after the first `skip`, at most `limit` of them, read
/// by walking a single-field index on the field; `None` when no index serves or the walk cannot place a
/// document (an array value). Without a filter the skipped documents are counted, not parsed.
pub(super) fn first_in_order(
    coll: &Collection,
    order: &Order,
    filter: Option<&Matcher>,
    vars: &Vars,
    skip: usize,
    limit: usize,
) -> Result<Option<Vec<Document>>, CommandError> {
    let Some(want) = skip.checked_add(limit) else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(limit.min(1024));
    let walked = walk_in_order(coll, order, filter, vars, want, skip, &mut |_, doc| {
        if let Some(doc) = doc {
            out.push(doc);
        }
        false
    })?;
    Ok(walked.then_some(out))
}

/// Every stored document of `coll` matching `filter` in `order` (the collection's own records, shared, not
/// copied, nor parsed unless a filter needs it), by walking a single-field index on the field; `None` when no
/// index serves or the walk cannot place a document (an array value).
pub(super) fn stored_in_order(
    coll: &Collection,
    order: &Order,
    filter: Option<&Matcher>,
    vars: &Vars,
) -> Result<Option<Vec<crate::engine::storage::Stored>>, CommandError> {
    let mut out = Vec::new();
    let walked = walk_in_order(
        coll,
        order,
        filter,
        vars,
        usize::MAX,
        usize::MAX,
        &mut |rid, _| {
            if let Some(s) = coll.stored(rid) {
                out.push(s.clone());
            }
            false
        },
    )?;
    Ok(walked.then_some(out))
}

/// Walks a single-field index serving `order`, handing `take` the record id of each document matching
/// `filter` (and the document, parsed, from the `parse_from`-th one taken on) until `want` were taken or
/// `take` returns `true` (stop); `false` when no index serves or the walk cannot place a document (an array
/// value): the caller then sorts.
pub(super) fn walk_in_order(
    coll: &Collection,
    order: &Order,
    filter: Option<&Matcher>,
    vars: &Vars,
    want: usize,
    parse_from: usize,
    take: &mut dyn FnMut(crate::engine::storage::RecordId, Option<Document>) -> bool,
) -> Result<bool, CommandError> {
    // An index orders strings by its collation: it serves the sort only when that is the command's.
    let active = crate::engine::collation::active();
    let Some(ix) = coll.indexes.iter().find(|ix| {
        ix.fields.len() == 1
            && ix.serves(&order.field)
            && crate::engine::collation::same(ix.collation.as_ref(), active.as_ref())
    }) else {
        return Ok(false);
    };
    if ix.has_empty_array() {
        return Ok(false);
    }
    let is_array = |raw: &bson::RawDocument| {
        matches!(raw.get(&order.field), Ok(Some(bson::RawBsonRef::Array(_))))
    };
    if order.nulls != Nulls::InOrder {
        // An array holding null sorts among the others by that null, where the walk (which skips null keys in
        // that pass) would not meet it in time.
        for rid in ix.lookup(&Bson::Null) {
            if coll.get_raw(rid).is_some_and(is_array) {
                return Ok(false);
            }
        }
    }
    if want == 0 {
        return Ok(true);
    }
    // Passes over the index: null keys where the order puts them, or apart (before / after the others).
    let passes: &[Option<bool>] = match order.nulls {
        Nulls::InOrder => &[None],
        Nulls::Last => &[Some(false), Some(true)],
        Nulls::First => &[Some(true), Some(false)],
    };
    let mut taken = 0;
    for pass in passes {
        for (key, rid) in ix.walk(order.asc) {
            let is_null = key.0.first().is_none_or(|v| type_rank(v) == 5);
            if pass.is_some_and(|nulls| nulls != is_null) {
                continue;
            }
            let Some(raw) = coll.get_raw(rid) else {
                continue;
            };
            if is_array(raw) {
                return Ok(false);
            }
            let parsed = taken >= parse_from;
            let doc = if parsed || filter.is_some() {
                crate::engine::ops::check()?;
                Some(parse(raw))
            } else {
                None
            };
            if let (Some(m), Some(d)) = (filter, &doc) {
                if !m.matches(d, vars)? {
                    continue;
                }
            }
            let stop = take(rid, doc.filter(|_| parsed));
            taken += 1;
            if stop || taken >= want {
                return Ok(true);
            }
        }
    }
    Ok(true)
}

/// [`first_in_order`] on collection `name` of `db` with a filter document: `None` when the walk does not apply
/// (a view, a missing collection, an index that narrows the filter better, no index on the field).
#[allow(clippy::too_many_arguments)]
pub(super) fn serve(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    order: &Order,
    vars: &Vars,
    skip: usize,
    limit: usize,
) -> Result<Option<Vec<Document>>, CommandError> {
    let Some((coll, matcher)) = walkable(state, db, name, filter)? else {
        return Ok(None);
    };
    first_in_order(coll, order, matcher.as_ref(), vars, skip, limit)
}

/// The collection an index walk reads and the filter's matcher; `None` when the walk does not apply: a view
/// or a missing collection, a hinted read (it walks the hinted index: hint.rs), a filter an index narrows
/// better.
pub(super) fn walkable<'s>(
    state: &'s State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
) -> Result<Option<(&'s Collection, Option<Matcher>)>, CommandError> {
    let Some(coll) = super::get_coll(state, db, name).filter(|c| !c.is_view()) else {
        return Ok(None);
    };
    if super::hint::active(db, name) {
        return Ok(None);
    }
    let filter = filter.filter(|f| !f.is_empty());
    if filter.is_some_and(|f| coll.candidates(f).is_some()) {
        return Ok(None);
    }
    Ok(Some((coll, filter.map(Matcher::compile).transpose()?)))
}

/// [`stored_in_order`] on collection `name` of `db` with a filter document: every matching stored document in
/// `order`; `None` when the walk does not apply (as [`serve`]).
pub(super) fn serve_stored(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    order: &Order,
    vars: &Vars,
) -> Result<Option<Vec<crate::engine::storage::Stored>>, CommandError> {
    let Some((coll, matcher)) = walkable(state, db, name, filter)? else {
        return Ok(None);
    };
    stored_in_order(coll, order, matcher.as_ref(), vars)
}

/// `$sort` + [`$skip` +] `$limit` served by an index walk (see [`sort_limit_at`]).
pub(super) struct SortLimit {
    /// The order walked.
    pub order: Order,
    /// Documents skipped.
    pub skip: usize,
    /// Documents returned at most.
    pub limit: usize,
    /// The translator's null-placement `$set` comes first (it runs on the walked documents).
    pub set_stage: bool,
    /// The index of the stage after the `$limit`.
    pub after: usize,
}

/// `$sort` + [`$skip` +] `$limit` at `stages[start..]`, plain or after the translator's null-placement `$set`:
/// the order, the skip and limit, whether the `$set` comes first and where the stages after the `$limit`
/// start.
pub(super) fn sort_limit_at(stages: &[Bson], start: usize) -> Option<SortLimit> {
    let count = |b: Option<&Bson>, stage: &str| match b?.as_document()?.get(stage)? {
        Bson::Int32(k) if *k >= 0 => Some(*k as usize),
        Bson::Int64(k) if *k >= 0 => usize::try_from(*k).ok(),
        _ => None,
    };
    // [$skip: s,] $limit: k at stages[i..]: s, k and the index after the $limit.
    let cut = |i: usize| {
        let (skip, i) = match count(stages.get(i), "$skip") {
            Some(s) => (s, i + 1),
            None => (0, i),
        };
        let limit = count(stages.get(i), "$limit").filter(|k| *k > 0)?;
        skip.checked_add(limit)?;
        Some((skip, limit, i + 1))
    };
    let (order, set_stage, next) = match stages
        .get(start)
        .and_then(Bson::as_document)
        .and_then(|d| d.get_document("$sort").ok())
    {
        Some(sort) => (Order::from_sort(sort)?, false, start + 1),
        None => (
            Order::from_null_flag_stages(stages.get(start)?, stages.get(start + 1)?)?,
            true,
            start + 2,
        ),
    };
    let (skip, limit, after) = cut(next)?;
    Some(SortLimit {
        order,
        skip,
        limit,
        set_stage,
        after,
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::Engine;
    use bson::{bson, doc, Bson, Document};
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Option<Bson>> {
        let scalar = prop_oneof![
            (0i32..4).prop_map(Bson::Int32),
            (0i64..4).prop_map(Bson::Int64),
            prop_oneof![Just(1.0), Just(2.5), Just(-0.0)].prop_map(Bson::Double),
            Just(Bson::Null),
            Just(Bson::MinKey),
            prop_oneof![Just("a"), Just("b")].prop_map(|s: &str| Bson::String(s.into())),
            (0i32..2).prop_map(|x| Bson::Document(doc! {"x": x})),
            any::<bool>().prop_map(Bson::Boolean),
        ];
        // No arrays: the walk gives up on them and the general top-k then decides ties its own way (see
        // `arrays_fall_back_to_the_sort`).
        prop_oneof![6 => scalar.prop_map(Some), 2 => Just(None)]
    }

    fn run(e: &Engine, cmd: Document) -> Vec<Document> {
        let reply = e.run_command("t", &cmd).expect("command runs");
        reply
            .get_document("cursor")
            .and_then(|c| c.get_array("firstBatch"))
            .map(|a| a.iter().filter_map(|x| x.as_document().cloned()).collect())
            .unwrap_or_default()
    }

    /// A document whose field is an array (sorted by an element) or an empty array (sorted beside null) is
    /// placed by the general sort, not where the index holds it.
    #[test]
    fn arrays_fall_back_to_the_sort() {
        let cases = [
            (
                vec![bson!(2), bson!([3, 1]), bson!(0), bson!(5)],
                1,
                vec![2, 1],
            ),
            (vec![bson!(2), bson!([]), bson!(1)], 1, vec![1, 2]),
            (vec![bson!(2), bson!([7, 0]), bson!(1)], -1, vec![1, 0]),
        ];
        for (values, dir, ids) in cases {
            let e = Engine::in_memory();
            let docs: Vec<Document> = values
                .into_iter()
                .enumerate()
                .map(|(i, f)| doc! {"_id": i as i32, "f": f})
                .collect();
            e.run_command("t", &doc! {"insert": "c", "documents": docs})
                .expect("insert");
            e.run_command(
                "t",
                &doc! {"createIndexes": "c", "indexes": [{"key": {"f": 1}, "name": "f_1"}]},
            )
            .expect("index");
            let got = run(&e, doc! {"find": "c", "sort": {"f": dir}, "limit": 2});
            let got: Vec<i32> = got.iter().filter_map(|d| d.get_i32("_id").ok()).collect();
            assert_eq!(got, ids, "sort {dir}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Sort + limit by an index walk gives the full stable sort's first documents (natural order among
        /// equal keys), for find, aggregate and the translator's NULLS LAST / FIRST shape; arrays fall back.
        #[test]
        fn index_walk_equals_the_full_sort(
            values in prop::collection::vec((value(), -1i32..2), 0..24),
            asc in any::<bool>(),
            nulls_last in any::<bool>(),
            limit in 1usize..8,
            skip in 0usize..10,
            filtered in any::<bool>(),
        ) {
            let e = Engine::in_memory();
            let docs: Vec<Document> = values
                .into_iter()
                .enumerate()
                .map(|(i, (v, g))| {
                    let mut d = doc! {"_id": i as i32, "g": g};
                    if let Some(v) = v {
                        d.insert("f", v);
                    }
                    d
                })
                .collect();
            for c in ["ix", "plain"] {
                e.run_command("t", &doc! {"create": c}).expect("create");
                if !docs.is_empty() {
                    e.run_command("t", &doc! {"insert": c, "documents": docs.clone()}).expect("insert");
                }
            }
            e.run_command("t", &doc! {"createIndexes": "ix", "indexes": [{"key": {"f": 1}, "name": "f_1"}]})
                .expect("index");
            let dir = if asc { 1 } else { -1 };
            let filter = if filtered { doc! {"g": {"$gte": 0}} } else { doc! {} };
            // find
            let got = run(&e, doc! {"find": "ix", "filter": filter.clone(), "sort": {"f": dir}, "skip": skip as i64, "limit": limit as i64});
            let all = run(&e, doc! {"find": "plain", "filter": filter.clone(), "sort": {"f": dir}, "batchSize": 1000});
            // ... no limit: the stored documents in index order
            let unlimited = run(&e, doc! {"find": "ix", "filter": filter.clone(), "sort": {"f": dir}, "skip": skip as i64, "batchSize": 1000});
            prop_assert_eq!(&unlimited, &all.iter().skip(skip).cloned().collect::<Vec<_>>());
            let want: Vec<Document> = all.into_iter().skip(skip).take(limit).collect();
            prop_assert_eq!(&got, &want);
            // aggregate: [$match], $sort, $limit
            let mut p = Vec::new();
            if filtered {
                p.push(bson!({"$match": filter.clone()}));
            }
            p.push(bson!({"$sort": {"f": dir}}));
            let mut limited = p.clone();
            if skip > 0 {
                limited.push(bson!({"$skip": skip as i64}));
            }
            limited.push(bson!({"$limit": limit as i64}));
            let got = run(&e, doc! {"aggregate": "ix", "pipeline": limited, "cursor": {"batchSize": 1000}});
            let all = run(&e, doc! {"aggregate": "plain", "pipeline": p, "cursor": {"batchSize": 1000}});
            prop_assert_eq!(&got, &all.into_iter().skip(skip).take(limit).collect::<Vec<_>>());
            // the translator's null placement
            let flag = if nulls_last { 1 } else { -1 };
            let mut p = Vec::new();
            if filtered {
                p.push(bson!({"$match": filter}));
            }
            p.push(bson!({"$set": {"__n0": {"$cond": [{"$eq": [{"$ifNull": ["$f", null]}, null]}, 1, 0]}, "__s0": "$f"}}));
            p.push(bson!({"$sort": {"__n0": flag, "__s0": dir}}));
            let mut limited = p.clone();
            if skip > 0 {
                limited.push(bson!({"$skip": skip as i64}));
            }
            limited.push(bson!({"$limit": limit as i64}));
            limited.push(bson!({"$unset": ["__n0", "__s0"]}));
            p.push(bson!({"$unset": ["__n0", "__s0"]}));
            let got = run(&e, doc! {"aggregate": "ix", "pipeline": limited, "cursor": {"batchSize": 1000}});
            let all = run(&e, doc! {"aggregate": "plain", "pipeline": p, "cursor": {"batchSize": 1000}});
            prop_assert_eq!(&got, &all.into_iter().skip(skip).take(limit).collect::<Vec<_>>());
            // ... with a $project computing the output columns too (SELECT a, b ... ORDER BY f LIMIT k)
            let project = bson!({"$project": {"_id": 0, "c0": "$_id", "c1": "$f",
                "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$f", null]}, null]}, 1, 0]}, "__s0": "$f"}});
            let sort = bson!({"$sort": {"__n0": flag, "__s0": dir}});
            let got = run(&e, doc! {"aggregate": "ix", "pipeline": [project.clone(), sort.clone(), {"$skip": skip as i64}, {"$limit": limit as i64}], "cursor": {}});
            let all = run(&e, doc! {"aggregate": "plain", "pipeline": [project.clone(), sort.clone()], "cursor": {"batchSize": 1000}});
            prop_assert_eq!(&got, &all.into_iter().skip(skip).take(limit).collect::<Vec<_>>());
            // ... LIMIT 0: a $match nothing passes, whatever runs before it
            let got = run(&e, doc! {"aggregate": "ix", "pipeline": [project, sort, {"$match": {"$expr": false}}, {"$unset": ["__n0", "__s0"]}], "cursor": {}});
            prop_assert!(got.is_empty());
        }
    }
}

/// The walk is what serves `ORDER BY pk LIMIT k OFFSET s` (the `$skip` between `$sort` and `$limit`) and
/// `LIMIT 0` reads nothing: counted through the documents the aggregate parses.
#[cfg(test)]
mod served {
    use crate::engine::Engine;
    use bson::{doc, Document};

    #[test]
    fn offset_and_limit_zero_do_not_sort_the_collection() {
        let e = Engine::in_memory();
        let docs: Vec<Document> = (0..20_000)
            .map(|i| doc! {"_id": i, "k": format!("s{:05}", (i * 7919) % 20_000)})
            .collect();
        e.run_command("t", &doc! {"insert": "c", "documents": docs})
            .expect("insert");
        e.run_command(
            "t",
            &doc! {"createIndexes": "c", "indexes": [{"key": {"k": 1}, "name": "k_1", "unique": true}]},
        )
        .expect("index");
        let project = doc! {"$project": {"_id": 0, "c0": "$k",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$k", null]}, null]}, 1, 0]}, "__s0": "$k"}};
        let sort = doc! {"$sort": {"__n0": 1, "__s0": 1}};
        let run = |tail: Vec<Document>| {
            let mut p = vec![project.clone(), sort.clone()];
            p.extend(tail);
            p.push(doc! {"$unset": ["__n0", "__s0"]});
            let t = std::time::Instant::now();
            let reply = e
                .run_command("t", &doc! {"aggregate": "c", "pipeline": p, "cursor": {}})
                .expect("aggregate");
            let batch = reply
                .get_document("cursor")
                .and_then(|c| c.get_array("firstBatch"))
                .map(|a| a.to_vec())
                .unwrap_or_default();
            (batch, t.elapsed())
        };
        let (rows, offset) = run(vec![doc! {"$skip": 10_i64}, doc! {"$limit": 5_i64}]);
        let keys: Vec<String> = rows
            .iter()
            .filter_map(|r| r.as_document()?.get_str("c0").ok().map(str::to_string))
            .collect();
        assert_eq!(keys, ["s00010", "s00011", "s00012", "s00013", "s00014"]);
        let (rows, zero) = run(vec![doc! {"$match": {"$expr": false}}]);
        assert!(rows.is_empty());
        let (_, full) = run(vec![doc! {"$limit": 20_000_i64}]);
        // Reading all 20,000 in order parses each; the walk parses 15, LIMIT 0 none.
        assert!(
            offset * 10 < full && zero * 10 < full,
            "offset {offset:?} limit 0 {zero:?} full {full:?}"
        );
    }
}
