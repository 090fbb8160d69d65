//! Property tests of `join_through` (a `$lookup` + `$unwind` and the `$match`es and `$project` after it run
//! per joined row on the outer document) against the stage-by-stage run (the nested loop per outer
//! document, then each stage of the tail alone: the array built, unwound by `$unwind` itself), on generated
//! documents and joins: the same documents in the same order. Every closing stage a segment can have is
//! covered (none, a `$group`, a `$limit`, a top-k, a whole sort with its keys apart, with and without a
//! per-document stage before the `$lookup`), with `preserveNullAndEmptyArrays` and `includeArrayIndex`.

use super::join_tests::{check, docs, lookups};
use super::{NoCatalog, Pipeline};
use crate::engine::expr::Vars;
use bson::{bson, doc, Bson};
use proptest::prelude::*;

/// The select list of a join with its `ORDER BY` keys last (the translator's shape): `n0`/`s0` on the
/// joined `g` (`outer` false) or the outer one, ties broken by both `_id`s.
fn keyed_select(outer: bool) -> Bson {
    let g = if outer { "$g" } else { "$j.g" };
    bson!({"$project": {"_id": 0, "c0": "$_id", "c1": "$j._id", "c2": "$k",
        "n0": {"$cond": [{"$eq": [{"$ifNull": [g, null]}, null]}, 1, 0]}, "s0": g,
        "s1": "$_id", "s2": "$j._id"}})
}

/// What follows the `$lookup`: its `$unwind`, then `$match`es and a `$project` that run per joined row,
/// into every kind of closing stage.
fn through_tails() -> Vec<Vec<Bson>> {
    let unwind = bson!({"$unwind": "$j"});
    let keep = bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}});
    let select =
        bson!({"$project": {"_id": 0, "c0": "$_id", "c1": "$j.g", "c2": {"$add": ["$g", 1]}}});
    let where_joined = bson!({"$match": {"j.g": {"$ne": 0}}});
    let sort_keys = bson!({"$sort": {"n0": 1, "s0": 1, "s1": 1, "s2": 1}});
    let unset_keys = bson!({"$unset": ["n0", "s0", "s1", "s2"]});
    vec![
        // Into the whole output: projected, filtered, both, the preserved unmatched documents among them.
        vec![unwind.clone(), select.clone()],
        vec![unwind.clone(), where_joined.clone()],
        vec![keep.clone(), where_joined.clone(), select.clone()],
        vec![
            keep.clone(),
            bson!({"$match": {"$expr": {"$lt": ["$g", 2]}}}),
            bson!({"$match": {"$or": [{"j": {"$exists": false}}, {"j.f": {"$ne": "a"}}]}}),
            select.clone(),
            bson!({"$match": {"c1": {"$ne": 1}}}),
        ],
        // `includeArrayIndex` beside the joined field (top level, and a path under an outer field).
        vec![
            bson!({"$unwind": {"path": "$j", "includeArrayIndex": "i", "preserveNullAndEmptyArrays": true}}),
            bson!({"$project": {"_id": 0, "c0": "$_id", "i": "$i", "c1": "$j._id"}}),
        ],
        vec![
            bson!({"$unwind": {"path": "$j", "includeArrayIndex": "g.i"}}),
            bson!({"$match": {"g.i": {"$ne": 1}}}),
        ],
        // ... and inside it (not run in place: the unwound documents copied).
        vec![
            bson!({"$unwind": {"path": "$j", "includeArrayIndex": "j.i", "preserveNullAndEmptyArrays": true}}),
            bson!({"$project": {"_id": 0, "c0": "$_id", "i": "$j.i"}}),
        ],
        // A per-document stage after the rows (on the copies), the whole row read (`$$ROOT`).
        vec![
            unwind.clone(),
            where_joined.clone(),
            bson!({"$set": {"r": "$$ROOT", "jg": "$j.g"}}),
            bson!({"$unset": "j"}),
        ],
        // Into a `$group`: rows filtered, projected.
        vec![
            keep.clone(),
            where_joined.clone(),
            bson!({"$group": {"_id": "$k", "n": {"$sum": 1}, "rows": {"$push": "$$ROOT"}}}),
            bson!({"$sort": {"_id": 1}}),
        ],
        vec![
            unwind.clone(),
            where_joined.clone(),
            select.clone(),
            bson!({"$group": {"_id": "$c1", "n": {"$sum": 1}, "s": {"$sum": "$c2"}}}),
            bson!({"$sort": {"_id": 1}}),
        ],
        // Into a `$limit`, and a top-k.
        vec![
            keep.clone(),
            where_joined.clone(),
            select.clone(),
            bson!({"$limit": 3}),
        ],
        vec![
            unwind.clone(),
            keyed_select(false),
            sort_keys.clone(),
            bson!({"$skip": 1}),
            bson!({"$limit": 3}),
            unset_keys.clone(),
        ],
        // Into a whole sort whose keys the select list gives apart: on a joined key, on an outer one.
        vec![
            keep.clone(),
            keyed_select(false),
            sort_keys.clone(),
            unset_keys.clone(),
        ],
        vec![
            unwind.clone(),
            where_joined.clone(),
            keyed_select(false),
            sort_keys.clone(),
            unset_keys.clone(),
        ],
        vec![
            keep.clone(),
            bson!({"$match": {"j.f": {"$ne": "b"}}}),
            keyed_select(true),
            sort_keys.clone(),
            unset_keys.clone(),
        ],
        vec![
            bson!({"$unwind": {"path": "$j", "includeArrayIndex": "i", "preserveNullAndEmptyArrays": true}}),
            bson!({"$project": {"_id": 0, "c0": "$_id", "i": "$i", "n0": "$j.g", "s0": "$i", "s1": "$_id"}}),
            bson!({"$sort": {"n0": -1, "s0": 1, "s1": 1}}),
            bson!({"$unset": ["n0", "s0", "s1"]}),
        ],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The rows made in the outer document give the stage-by-stage run's documents in its order, for every
    /// `$lookup` shape (the cached and memoized results shared between outer documents among them), with and
    /// without a per-document stage before the `$lookup`.
    #[test]
    fn rows_in_place_equal_the_stage_by_stage_run(
        outer in docs("k", 12),
        foreign in docs("f", 12),
        indexed in any::<bool>(),
        shape in 0..lookups().len(),
        tail in 0..through_tails().len(),
        head in any::<bool>(),
    ) {
        check(outer, foreign, indexed, shape, through_tails()[tail].clone(), head)?;
    }
}

/// A joined row nested past the depth limit is refused on the path that makes the rows in place as on the
/// stage-by-stage one; a shallower one passes both, with the same documents.
#[test]
fn a_row_past_the_depth_limit_is_refused_as_stage_by_stage() {
    let run = |levels: usize| {
        let mut deep = doc! {"x": 1};
        for _ in 0..levels {
            deep = doc! {"d": deep};
        }
        let lookup = bson!({"$lookup": {"pipeline": [{"$documents": {"$literal": [{"ok": 1}, deep]}}], "as": "j"}});
        let tail = [
            bson!({"$unwind": "$j"}),
            bson!({"$match": {"a": 1}}),
            bson!({"$project": {"_id": 0, "c0": "$a", "c1": "$j.ok"}}),
        ];
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let input = vec![doc! {"a": 1}, doc! {"a": 2}];
        let mut whole = vec![lookup.clone()];
        whole.extend(tail.iter().cloned());
        let fused = Pipeline::compile(&whole).and_then(|p| p.run(input.clone(), &NoCatalog, &vars));
        let mut staged = Ok(input);
        for st in std::iter::once(&lookup).chain(tail.iter()) {
            staged = staged.and_then(|docs| {
                Pipeline::compile(std::slice::from_ref(st))
                    .and_then(|p| p.run(docs, &NoCatalog, &vars))
            });
        }
        (fused.map_err(|e| e.code), staged.map_err(|e| e.code))
    };
    let limit = crate::engine::limits::MAX_BSON_DEPTH;
    let too_deep = crate::engine::limits::too_deep().code;
    assert_eq!(run(limit), (Err(too_deep), Err(too_deep)));
    let fits = Ok(vec![doc! {"c0": 1, "c1": 1}, doc! {"c0": 1}]);
    assert_eq!(run(limit - 3), (fits.clone(), fits));
}
