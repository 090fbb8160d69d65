//! Property tests of a join's segment that holds a `$unionWith` (its documents sorted apart and merged into
//! the incremental sort: a FULL JOIN's plan) or is closed by a `$setWindowFields` run by groups of inputs
//! (`window_join.rs`), against the nested loop and the stages run one by one (`join_tests::check`).

use super::join_tests::{check, check_spec, docs, lookups};
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

/// `{$cond: [{$eq: [{$ifNull: [path, null]}, null]}, 1, 0]}`: the translator's NULLS FIRST flag.
fn null_flag(path: &str) -> Bson {
    bson!({"$cond": [{"$eq": [{"$ifNull": [path, null]}, null]}, 1, 0]})
}

/// Tails with a `$unionWith` in the segment.
fn union_tails() -> Vec<Vec<Bson>> {
    // The FULL JOIN's right side: foreign documents without a match, as the joined document.
    let unmatched = bson!({"$unionWith": {"coll": "fo", "pipeline": [
        {"$lookup": {"from": "ou", "localField": "f", "foreignField": "k", "as": "m"}},
        {"$match": {"m": {"$size": 0}}},
        {"$unset": "m"},
        {"$replaceRoot": {"newRoot": {"j": "$$ROOT"}}},
    ]}});
    let select = bson!({"$project": {"_id": 0, "c0": "$_id", "c1": "$j._id",
        "n0": null_flag("$g"), "s0": "$g", "n1": null_flag("$j.g"), "s1": "$j.g"}});
    let outer = bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}});
    vec![
        // `ORDER BY a.x, b.y` of a FULL JOIN: the incremental sort with the union's documents merged in.
        vec![
            outer.clone(),
            unmatched.clone(),
            select.clone(),
            bson!({"$sort": {"n0": 1, "s0": 1, "n1": 1, "s1": 1}}),
            bson!({"$unset": ["n0", "s0", "n1", "s1"]}),
        ],
        // Leading key from the joined document: one sort of both parts.
        vec![
            outer.clone(),
            unmatched.clone(),
            select.clone(),
            bson!({"$sort": {"s1": -1, "s0": 1}}),
        ],
        // A top-k, on outer keys and on joined ones.
        vec![
            outer.clone(),
            unmatched.clone(),
            select.clone(),
            bson!({"$sort": {"n0": -1, "s0": -1, "s1": 1}}),
            bson!({"$skip": 1}),
            bson!({"$limit": 3}),
        ],
        vec![
            outer.clone(),
            unmatched.clone(),
            select,
            bson!({"$sort": {"s1": 1}}),
            bson!({"$limit": 2}),
        ],
        // Into a `$group`, a `$limit`, the whole output.
        vec![
            outer.clone(),
            bson!({"$unionWith": {"coll": "fo", "pipeline": [{"$project": {"j": "$$ROOT"}}]}}),
            bson!({"$group": {"_id": "$j.g", "n": {"$sum": 1}, "k": {"$push": "$k"}}}),
            bson!({"$sort": {"_id": 1}}),
        ],
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$unionWith": "fo"}),
            bson!({"$skip": 1}),
            bson!({"$limit": 9}),
        ],
        vec![outer.clone(), bson!({"$unionWith": "fo"})],
        // `WHERE` on an outer field after a FULL JOIN's union (copied before the `$lookup`) and after the
        // `$unwind` (moved); on a joined field (left).
        vec![
            outer.clone(),
            bson!({"$match": {"k": {"$ne": 1}}}),
            unmatched.clone(),
            bson!({"$match": {"g": {"$in": [null, 1, 2]}, "j.g": {"$ne": 0}}}),
            bson!({"$match": {"$or": [{"g": null}, {"k": {"$gte": 1}}]}}),
            bson!({"$project": {"_id": 0, "c0": "$_id", "c1": "$j._id", "s0": "$g"}}),
            bson!({"$sort": {"s0": 1, "c1": 1}}),
        ],
        // The anti-join of a FULL JOIN's right side (the joined documents only counted, then unset: they are
        // narrowed to nothing), as the whole tail.
        vec![
            bson!({"$match": {"j": {"$size": 0}}}),
            bson!({"$unset": "j"}),
            bson!({"$replaceRoot": {"newRoot": {"r": "$$ROOT"}}}),
        ],
        // Two `$unionWith`s, the first one's documents through a later `$lookup`, sorted on an outer key.
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$unionWith": {"coll": "fo", "pipeline": [{"$project": {"_id": 0, "k": "$f", "g": 1}}]}}),
            bson!({"$lookup": {"from": "fo", "localField": "k", "foreignField": "f", "as": "j2"}}),
            bson!({"$unionWith": {"coll": "ou", "pipeline": [{"$match": {"g": {"$gt": 0}}}]}}),
            bson!({"$project": {"_id": 0, "a": "$_id", "b": {"$size": {"$ifNull": ["$j2", []]}}, "s": "$g"}}),
            bson!({"$sort": {"s": 1, "b": -1}}),
        ],
    ]
}

/// Tails closed by a `$setWindowFields` (then per-document stages and a sort, or not).
fn window_tails() -> Vec<Vec<Bson>> {
    vec![
        // The translator's `RANK() OVER (PARTITION BY a.g ORDER BY b.g) ... ORDER BY a.g, b.g`: by groups of
        // the leading sort keys, each sorted alone.
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$set": {"wk": {"n0": null_flag("$j.g"), "s0": {"$ifNull": ["$j.g", null]}}}}),
            bson!({"$setWindowFields": {"partitionBy": {"p0": {"$ifNull": ["$g", null]}},
                "sortBy": {"wk": 1}, "output": {"r": {"$rank": {}}}}}),
            bson!({"$unset": "wk"}),
            bson!({"$project": {"_id": 0, "c0": "$_id", "c1": "$j._id", "c2": "$r",
                "n0": null_flag("$g"), "s0": "$g", "n1": null_flag("$j.g"), "s1": "$j.g"}}),
            bson!({"$sort": {"n0": 1, "s0": 1, "n1": 1, "s1": 1}}),
            bson!({"$unset": ["n0", "s0", "n1", "s1"]}),
        ],
        // A partition spanning several groups of the sort's leading key (`|g|` against `g`): the general
        // path; and a running sum.
        vec![
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$setWindowFields": {"partitionBy": {"$abs": "$g"}, "sortBy": {"j._id": 1},
                "output": {"s": {"$sum": "$j.g", "window": {"documents": ["unbounded", "current"]}},
                    "n": {"$documentNumber": {}}}}}),
            bson!({"$project": {"_id": 0, "c0": "$_id", "s": 1, "n": 1, "g": 1}}),
            bson!({"$sort": {"g": -1, "n": 1}}),
        ],
        // By partitions alone: no sort after, a sort on window outputs, a top-k.
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$setWindowFields": {"partitionBy": "$g", "sortBy": {"j.g": -1},
                "output": {"d": {"$denseRank": {}}}}}),
            bson!({"$project": {"_id": 0, "a": "$_id", "b": "$j._id", "d": 1}}),
        ],
        vec![
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$setWindowFields": {"partitionBy": {"$mod": ["$g", 2]},
                "output": {"c": {"$sum": 1}, "m": {"$max": "$j.g"}}}}),
            bson!({"$sort": {"c": -1, "m": 1}}),
        ],
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$setWindowFields": {"partitionBy": "$g", "sortBy": {"j.g": 1},
                "output": {"r": {"$rank": {}}}}}),
            bson!({"$project": {"_id": 0, "g": 1, "r": 1}}),
            bson!({"$sort": {"g": 1, "r": -1}}),
            bson!({"$limit": 3}),
        ],
        // The partition read from a field the segment writes: the general path.
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$setWindowFields": {"partitionBy": "$j.g", "output": {"n": {"$count": {}}}}}),
            bson!({"$project": {"_id": 0, "g": 1, "n": 1}}),
            bson!({"$sort": {"g": 1}}),
        ],
    ]
}

/// Tails whose closing sort orders each group of its leading keys (the window's partition, computed from
/// the input document) by further keys of the joined document: a NULL flag against its value's own order
/// (`DESC NULLS FIRST`), descending keys, ties broken by later keys or left in input order, three leading
/// keys. A group's sort that skipped one key part too many (or too few) orders rows differently.
fn sorted_tails() -> Vec<Vec<Bson>> {
    let h = bson!({"$cond": [{"$eq": ["$j.g", 0]}, null, "$j.g"]});
    let select = bson!({"$project": {"_id": 0, "c0": "$_id", "c1": "$j._id", "c2": "$r", "c3": "$d",
        "n0": null_flag("$g"), "s0": "$g", "n1": null_flag("$j.h"), "s1": "$j.h", "s2": "$j.s", "k": 1}});
    let window = |partition: Bson, sort_by: Bson| {
        bson!({"$setWindowFields": {"partitionBy": partition, "sortBy": sort_by,
            "output": {"r": {"$rank": {}}, "d": {"$denseRank": {}}}}})
    };
    let part = bson!({"p0": {"$ifNull": ["$g", null]}});
    let unset = bson!({"$unset": ["n0", "s0", "n1", "s1", "s2"]});
    vec![
        // `RANK() OVER (PARTITION BY a.g ORDER BY b.h DESC NULLS FIRST, b.s) ... ORDER BY a.g, b.h DESC
        // NULLS FIRST, b.s`, as the translator writes it.
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$set": {"j.h": h.clone()}}),
            bson!({"$set": {"wk": {"n0": null_flag("$j.h"), "s0": {"$ifNull": ["$j.h", null]}}}}),
            window(part.clone(), bson!({"wk": -1, "j.s": 1})),
            bson!({"$unset": "wk"}),
            select.clone(),
            bson!({"$sort": {"n0": 1, "s0": 1, "n1": -1, "s1": -1, "s2": 1}}),
            unset.clone(),
        ],
        // The leading keys descending, then the joined keys without a NULL flag, both directions; ties
        // left in input order.
        vec![
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$set": {"j.h": h.clone()}}),
            window(part.clone(), bson!({"j.s": -1, "j.h": 1})),
            select.clone(),
            bson!({"$sort": {"n0": -1, "s0": -1, "s2": -1, "s1": 1}}),
            unset.clone(),
        ],
        // Three leading keys (the partition on two input fields), then one joined key.
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$set": {"j.h": h}}),
            window(bson!({"p0": "$g", "p1": "$k"}), bson!({"j.h": 1})),
            select,
            bson!({"$sort": {"s0": 1, "n0": 1, "k": -1, "s1": -1, "c1": 1}}),
            bson!({"$unset": ["n0", "s0", "n1", "s1", "s2", "k"]}),
        ],
    ]
}

/// Outer documents of few keys and partitions, so that a partition holds many joined documents (past the
/// sort's 64 entries from which it orders by key prefixes): `k` in 0..3, `g` -1, 0, null or missing.
fn grouped_outer(max: usize) -> impl Strategy<Value = Vec<Document>> {
    let g = prop_oneof![
        4 => (-1i32..1).prop_map(Bson::Int32),
        1 => Just(Bson::Null),
        1 => Just(Bson::Undefined),
    ];
    prop::collection::vec((0i32..3, g), 0..max).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (k, g))| {
                let mut d = doc! {"_id": i as i32, "k": k};
                if !matches!(g, Bson::Undefined) {
                    d.insert("g", g);
                }
                d
            })
            .collect()
    })
}

/// Foreign documents: `f` in 0..3, `g` in -2..3 (0 the NULL of `h`), `s` a short or long string (long ones
/// are not told apart by their prefixes), a number, null or missing.
fn grouped_foreign(max: usize) -> impl Strategy<Value = Vec<Document>> {
    let s = prop_oneof![
        Just(Bson::String("a".into())),
        Just(Bson::String("b".into())),
        Just(Bson::String("a string longer than sixteen bytes: x".into())),
        Just(Bson::String("a string longer than sixteen bytes: y".into())),
        (0i32..3).prop_map(Bson::Int32),
        Just(Bson::Double(1.0)),
        Just(Bson::Null),
        Just(Bson::Undefined),
    ];
    prop::collection::vec((0i32..3, -2i32..3, s), 0..max).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (f, g, s))| {
                let mut d = doc! {"_id": i as i32, "f": f, "g": g};
                if !matches!(s, Bson::Undefined) {
                    d.insert("s", s);
                }
                d
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A window over a join run by groups of the closing sort's leading keys orders each group by the keys
    /// after them (NULL flags, both directions, ties, long strings), as the stage-by-stage run does; with
    /// groups of up to hundreds of joined documents.
    #[test]
    fn window_join_groups_sorted_by_later_keys_equal_stage_by_stage(
        outer in grouped_outer(10),
        foreign in grouped_foreign(90),
        indexed in any::<bool>(),
        tail in 0..sorted_tails().len(),
        salt in 0usize..12,
    ) {
        let spec = doc! {"from": "fo", "localField": "k", "foreignField": "f", "as": "j"};
        check_spec(outer, foreign, indexed, spec, salt, sorted_tails()[tail].clone(), false)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// A `$unionWith` inside a join's segment (the inputs' outputs streamed into the closing stage, the
    /// union's after them; under an incremental sort, sorted apart and merged) gives the stage-by-stage
    /// result.
    #[test]
    fn union_in_a_join_segment_equals_stage_by_stage(
        outer in docs("k", 12),
        foreign in docs("f", 12),
        indexed in any::<bool>(),
        shape in 0..lookups().len(),
        tail in 0..union_tails().len(),
        head in any::<bool>(),
    ) {
        check(outer, foreign, indexed, shape, union_tails()[tail].clone(), head)?;
    }

    /// A window over a join run by groups of inputs (by the sort's leading keys, or by partition) gives
    /// the stage-by-stage result, in its order.
    #[test]
    fn window_over_a_join_by_groups_equals_stage_by_stage(
        outer in docs("k", 12),
        foreign in docs("f", 12),
        indexed in any::<bool>(),
        shape in 0..lookups().len(),
        tail in 0..window_tails().len(),
    ) {
        check(outer, foreign, indexed, shape, window_tails()[tail].clone(), false)?;
    }

    /// [`sorted_tails`] on the join shapes' generated data (every value type of the join key).
    #[test]
    fn window_over_a_join_sorted_by_later_keys_equals_stage_by_stage(
        outer in docs("k", 12),
        foreign in docs("f", 12),
        indexed in any::<bool>(),
        shape in 0..lookups().len(),
        tail in 0..sorted_tails().len(),
    ) {
        check(outer, foreign, indexed, shape, sorted_tails()[tail].clone(), false)?;
    }
}
