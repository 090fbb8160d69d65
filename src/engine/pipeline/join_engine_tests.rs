//! `$lookup` behaviours seen through the engine's commands: an uncorrelated sub-pipeline's result shared by
//! every outer document, a semi-join that stops at its first match, a correlated sub-pipeline run once per
//! `let` value, a join top-k that stops early, the joined fields later stages read, and the first error in
//! input order of an incremental sort (the property tests against the nested loop are `join_tests.rs`).

use super::join_tests::{batch, run};
use crate::engine::Engine;
use bson::{bson, doc, Bson, Document};

/// An uncorrelated sub-pipeline runs once per execution, not once per outer document: a `$group` over the
/// foreign side attached to 2,000 outer documents stays fast, and its value is the same for all.
#[test]
fn uncorrelated_sub_pipeline_result_is_shared() {
    let e = Engine::in_memory();
    let docs: Vec<Document> = (0..2000).map(|i| doc! {"_id": i, "g": i % 7}).collect();
    run(&e, doc! {"insert": "ou", "documents": docs.clone()});
    run(&e, doc! {"insert": "fo", "documents": docs});
    let t = std::time::Instant::now();
    let out = batch(&run(
        &e,
        doc! {"aggregate": "ou", "pipeline": [
            {"$lookup": {"from": "fo", "pipeline": [{"$group": {"_id": null, "s": {"$sum": "$g"}}}], "as": "j"}},
            {"$unwind": "$j"},
            {"$group": {"_id": "$j.s", "n": {"$sum": 1}}},
        ], "cursor": {}},
    ));
    assert_eq!(out, vec![doc! {"_id": 5995, "n": 2000}]);
    // The per-document re-run took 2,000 x 2,000 document steps (seconds in a debug build).
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        t.elapsed()
    );
}

/// A correlated EXISTS over one big hash bucket stops at the first match: 3,000 outer documents against
/// 3,000 foreign documents sharing one key (9M pairs if every candidate were copied and filtered); and the
/// 3,000 documents without a key (NULL in SQL, guarded by the translator) are not one big bucket either.
#[test]
fn semi_join_stops_at_the_first_match() {
    let e = Engine::in_memory();
    let docs: Vec<Document> = (0..6000)
        .map(|i| match i % 2 {
            0 => doc! {"_id": i, "u": "same"},
            _ => doc! {"_id": i},
        })
        .collect();
    run(&e, doc! {"insert": "ou", "documents": docs.clone()});
    run(&e, doc! {"insert": "fo", "documents": docs});
    let t = std::time::Instant::now();
    for localfield in [false, true] {
        let mut spec = doc! {"from": "fo", "let": {"o0": "$u", "o1": "$_id"}, "pipeline": [
            {"$match": {"$and": [
                {"$expr": {"$and": [
                    {"$ne": [{"$ifNull": ["$u", null]}, null]},
                    {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                    {"$eq": ["$u", "$$o0"]},
                ]}},
                {"$expr": {"$ne": ["$_id", "$$o1"]}},
            ]}},
            {"$project": {"_id": 0, "x": {"$literal": 1}}},
            {"$limit": 1},
        ], "as": "sq"};
        if localfield {
            spec.insert("localField", "u");
            spec.insert("foreignField", "u");
        }
        let out = batch(&run(
            &e,
            doc! {"aggregate": "ou", "pipeline": [
                {"$lookup": spec},
                {"$match": {"$expr": {"$gt": [{"$size": "$sq"}, 0]}}},
                {"$count": "n"},
            ], "cursor": {}},
        ));
        assert_eq!(out, vec![doc! {"n": 3000}]);
    }
    assert!(
        t.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        t.elapsed()
    );
}

/// A correlated sub-pipeline runs once per distinct tuple of `let` values: a per-key `$group` (the SQL
/// translator's correlated `COUNT(*)`) over 4,000 foreign documents for 4,000 outer documents sharing 7 keys
/// stays fast; equal values of different types (1, 1.0, 1L) are not shared (the sub-pipeline may show the type).
#[test]
fn correlated_sub_pipeline_runs_once_per_let_value() {
    let e = Engine::in_memory();
    let docs: Vec<Document> = (0..4000).map(|i| doc! {"_id": i, "g": i % 7}).collect();
    run(&e, doc! {"insert": "ou", "documents": docs.clone()});
    run(&e, doc! {"insert": "fo", "documents": docs});
    let t = std::time::Instant::now();
    let out = batch(&run(
        &e,
        doc! {"aggregate": "ou", "pipeline": [
            {"$lookup": {"from": "fo", "let": {"v": "$g"}, "pipeline": [
                {"$match": {"$expr": {"$gte": ["$g", "$$v"]}}},
                {"$group": {"_id": null, "n": {"$sum": 1}}},
            ], "as": "j"}},
            {"$unwind": "$j"},
            {"$group": {"_id": "$j.n", "k": {"$sum": 1}}},
            {"$sort": {"_id": 1}},
        ], "cursor": {}},
    ));
    assert_eq!(out.len(), 7);
    assert_eq!(out[0].get_i32("_id").ok(), Some(571));
    // Per outer document: 4,000 x 4,000 expression evaluations (tens of seconds in a debug build).
    assert!(
        t.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        t.elapsed()
    );
    run(
        &e,
        doc! {"insert": "ty", "documents": [{"_id": 1, "k": 1}, {"_id": 2, "k": 1.0}, {"_id": 3, "k": 1_i64}, {"_id": 4, "k": 1}]},
    );
    let out = batch(&run(
        &e,
        doc! {"aggregate": "ty", "pipeline": [
            {"$lookup": {"from": "ty", "let": {"v": "$k"}, "pipeline": [
                {"$match": {"_id": 1}}, {"$project": {"_id": 0, "v": "$$v"}},
            ], "as": "j"}},
            {"$project": {"j": 1}},
        ], "cursor": {}},
    ));
    let seen: Vec<Bson> = out
        .iter()
        .filter_map(|d| {
            d.get_array("j")
                .ok()?
                .first()?
                .as_document()?
                .get("v")
                .cloned()
        })
        .collect();
    assert_eq!(
        seen,
        [bson!(1), bson!(1.0), Bson::Int64(1), bson!(1)],
        "{out:?}"
    );
}

/// `ORDER BY outer key, inner key LIMIT n` over a join whose every outer document matches every foreign
/// one (3,000 x 3,000 = 9M joined rows): the outer documents are taken in the order of the leading key and
/// the walk stops after the first, as an incremental sort does; nothing holds the 9M rows.
#[test]
fn join_top_k_on_outer_keys_stops_early() {
    let e = Engine::in_memory();
    let docs: Vec<Document> = (0..3000)
        .map(|i| doc! {"_id": (i * 7919) % 3000, "u": "same"})
        .collect();
    run(&e, doc! {"insert": "ou", "documents": docs.clone()});
    run(&e, doc! {"insert": "fo", "documents": docs});
    let t = std::time::Instant::now();
    let out = batch(&run(
        &e,
        doc! {"aggregate": "ou", "pipeline": [
            {"$lookup": {"from": "fo", "localField": "u", "foreignField": "u", "as": "j"}},
            {"$unwind": "$j"},
            {"$project": {"_id": 0, "a": "$_id", "b": "$j._id"}},
            {"$sort": {"a": 1, "b": -1}},
            {"$skip": 3},
            {"$limit": 2},
        ], "cursor": {}},
    ));
    assert_eq!(
        out,
        vec![doc! {"a": 0, "b": 2996}, doc! {"a": 0, "b": 2995}]
    );
    assert!(
        t.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn joined_reads_name_the_joined_fields_the_later_stages_read() {
    use super::join_narrow::joined_reads;
    let reads = |rest: Vec<Bson>| joined_reads("j", &rest);
    let names = |n: &[&str]| Some(n.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let select =
        bson!({"$project": {"_id": 0, "c0": "$k", "c1": "$j.a.b", "c2": {"$ifNull": ["$j.c", 0]}}});
    assert_eq!(
        reads(vec![bson!({"$unwind": "$j"}), select.clone()]),
        names(&["a", "c"])
    );
    assert_eq!(
        reads(vec![
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$match": {"j._id": null}}),
            bson!({"$sort": {"j.d": 1}}),
            select.clone(),
        ]),
        names(&["_id", "d", "a", "c"])
    );
    assert_eq!(reads(vec![bson!({"$count": "n"})]), names(&[]));
    // The joined documents read whole, anything read, or no closing stage: not narrowed.
    assert_eq!(reads(vec![bson!({"$project": {"j": 1}})]), None);
    assert_eq!(
        reads(vec![bson!({"$project": {"x": {"$size": "$j"}}})]),
        None
    );
    assert_eq!(
        reads(vec![
            bson!({"$unwind": "$j"}),
            bson!({"$replaceRoot": {"newRoot": "$j"}})
        ]),
        None
    );
    assert_eq!(reads(vec![bson!({"$project": {"x": "$$ROOT"}})]), None);
    assert_eq!(reads(vec![bson!({"$unwind": "$j"})]), None);
    assert_eq!(reads(vec![]), None);
    // An `$unwind` of the joined array is passed over wherever it stands.
    assert_eq!(
        reads(vec![
            bson!({"$match": {"k": 1}}),
            bson!({"$unwind": "$j"}),
            select
        ]),
        names(&["a", "c"])
    );
    assert_eq!(joined_reads("j.x", &[bson!({"$count": "n"})]), None);
    // Nothing after an `$unset` of the joined array reads its documents (a FULL JOIN's unmatched rows).
    let root = bson!({"$replaceRoot": {"newRoot": {"r": "$$ROOT"}}});
    assert_eq!(
        reads(vec![
            bson!({"$match": {"j": {"$size": 0}}}),
            bson!({"$unset": "j"}),
            root.clone()
        ]),
        names(&[])
    );
    assert_eq!(
        reads(vec![
            bson!({"$set": {"x": "$j.g"}}),
            bson!({"$unset": ["k", "j"]}),
            root.clone()
        ]),
        names(&["g"])
    );
    assert_eq!(
        reads(vec![
            bson!({"$set": {"x": "$j"}}),
            bson!({"$unset": "j"}),
            root.clone()
        ]),
        None
    );
    assert_eq!(reads(vec![bson!({"$unset": "k"}), root]), None);
    // A `$size` test of the joined array reads no field of its documents; other tests of it read them whole.
    let anti = |test: Bson| {
        reads(vec![
            bson!({"$match": {"j": test, "k": 1}}),
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$match": {"j.s": null}}),
            bson!({"$project": {"_id": 0, "c0": "$k"}}),
        ])
    };
    assert_eq!(anti(bson!({"$size": 0})), names(&["s"]));
    assert_eq!(anti(bson!({"$size": 0, "$ne": []})), None);
    assert_eq!(anti(bson!({"$eq": []})), None);
    assert_eq!(
        reads(vec![
            bson!({"$match": {"j": {"$size": 1}}}),
            bson!({"$project": {"x": "$j"}})
        ]),
        None
    );
}

/// When several outer documents fail in the incremental sort's segment (or in the stages before its
/// `$lookup`), the error is the one the walk in input order meets first, as the general path reports it.
#[test]
fn incremental_sort_reports_the_first_error_in_input_order() {
    let e = Engine::in_memory();
    run(&e, doc! {"create": "ou"});
    run(&e, doc! {"create": "fo"});
    // Sorted by `g` the string document comes first; in input order the int one fails first.
    // Before the `$lookup` (`$size` of `w`) only the second document fails, after it the first.
    let outer = vec![
        doc! {"_id": 0, "k": 1, "g": 5, "v": 7, "w": [1]},
        doc! {"_id": 1, "k": 1, "g": 1, "v": "text", "w": 1.5},
        doc! {"_id": 2, "k": 1, "g": 3, "v": [1], "w": [2]},
    ];
    run(&e, doc! {"insert": "ou", "documents": outer});
    run(&e, doc! {"insert": "fo", "documents": [{"_id": 0, "f": 1}]});
    let lookup =
        bson!({"$lookup": {"from": "fo", "localField": "k", "foreignField": "f", "as": "j"}});
    let size = bson!({"$size": "$v"});
    let shapes = [
        // The failing expression in the segment's closing `$project`.
        vec![
            lookup.clone(),
            bson!({"$unwind": "$j"}),
            bson!({"$project": {"_id": 0, "s0": "$g", "n": size.clone()}}),
            bson!({"$sort": {"s0": 1}}),
        ],
        // Also in a stage before the `$lookup`, on a later document.
        vec![
            bson!({"$set": {"m": {"$size": "$w"}}}),
            lookup,
            bson!({"$unwind": "$j"}),
            bson!({"$project": {"_id": 0, "s0": "$g", "n": size}}),
            bson!({"$sort": {"s0": 1}}),
        ],
    ];
    for pipeline in shapes {
        let err = e
            .run_command(
                "t",
                &doc! {"aggregate": "ou", "pipeline": pipeline.clone(), "cursor": {}},
            )
            .expect_err("fails");
        assert!(
            err.errmsg.contains("Type of argument: int"),
            "{pipeline:?}: {}",
            err.errmsg
        );
    }
}

/// A semi-join read only for its emptiness skips the sub-pipeline's closing projection when it only reads
/// (a `SELECT 1` list), and still makes one that can fail: a candidate whose projection divides by zero
/// raises mongod's error as the stage-by-stage run does (here: the same pipeline with the list read by a
/// later stage, so no emptiness filter applies), and the kept documents are the same when nothing fails.
#[test]
fn emptiness_only_skips_only_projections_that_cannot_fail() {
    let e = Engine::in_memory();
    let outer: Vec<Document> = (0..40).map(|i| doc! {"_id": i, "k": i % 5}).collect();
    let foreign: Vec<Document> = (0..40)
        .map(|i| doc! {"_id": i, "f": i % 7, "z": i % 3})
        .collect();
    run(&e, doc! {"insert": "ou", "documents": outer});
    run(&e, doc! {"insert": "fo", "documents": foreign});
    let pipeline = |select: Bson, read_after: bool| {
        let mut p = vec![
            bson!({"$lookup": {"from": "fo", "let": {"v": "$k"}, "pipeline": [
                {"$match": {"$expr": {"$eq": ["$f", "$$v"]}}},
                {"$project": {"_id": 0, "x": select}},
                {"$limit": 1},
            ], "as": "j"}}),
            bson!({"$match": {"$expr": {"$gt": [{"$size": "$j"}, 0]}}}),
        ];
        // Read by a later stage: the lookup's list is built, not only tested.
        p.push(match read_after {
            true => bson!({"$project": {"_id": 1, "j": 1}}),
            false => bson!({"$project": {"_id": 1}}),
        });
        p
    };
    let agg = |p: Vec<Bson>| {
        e.run_command(
            "t",
            &doc! {"aggregate": "ou", "pipeline": p, "cursor": {"batchSize": 1000}},
        )
    };
    let ids = |r: Document| -> Vec<Bson> {
        batch(&r)
            .iter()
            .filter_map(|d| d.get("_id").cloned())
            .collect()
    };
    for select in [
        bson!({"$literal": 1}),
        bson!("$z"),
        bson!({"$divide": [6, "$f"]}),
    ] {
        let only = agg(pipeline(select.clone(), false));
        let built = agg(pipeline(select.clone(), true));
        match (only, built) {
            (Ok(a), Ok(b)) => assert_eq!(ids(a), ids(b), "{select:?}"),
            (Err(a), Err(b)) => assert_eq!(a.code, b.code, "{select:?}"),
            (a, b) => panic!("{select:?}: {a:?} vs {b:?}"),
        }
    }
    // `f` is 0 for the first candidate of `k = 0`: the division fails whether or not the list is read.
    let err = agg(pipeline(bson!({"$divide": [6, "$f"]}), false));
    assert!(err.is_err(), "{err:?}");
}
