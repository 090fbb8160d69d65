//! An `$unwind` followed by a `$project` that only reads (segment.rs `read_after`, reshape.rs
//! `keep_top_fields`): the document's other fields are dropped before the unwind copies it per element.
//! The reference is the same pipeline with a `$set` between the two stages (the projection then does not
//! follow the unwind, so nothing is dropped, and the field set is not among the projection's outputs).

use super::join_tests::{batch, run};
use crate::engine::Engine;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Bson> {
    prop_oneof![
        Just(Bson::Null),
        (-2i32..3).prop_map(Bson::Int32),
        "[a-c]{0,2}".prop_map(Bson::String),
        prop::collection::vec((-2i32..3).prop_map(Bson::Int32), 0..4).prop_map(Bson::Array),
        (-2i32..3).prop_map(|n| Bson::Document(doc! {"d": n})),
    ]
}

fn docs() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec(
        (
            prop::option::of(value()),
            prop::option::of(value()),
            prop::option::of(value()),
        ),
        0..12,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (a, b, c))| {
                let mut d = doc! {"_id": i as i32, "pad": "x".repeat(i % 3)};
                for (f, v) in [("a", a), ("b", b), ("c", c)] {
                    if let Some(v) = v {
                        d.insert(f, v);
                    }
                }
                d
            })
            .collect()
    })
}

fn unwinds() -> Vec<Bson> {
    vec![
        bson!({"$unwind": "$a"}),
        bson!({"$unwind": {"path": "$a", "preserveNullAndEmptyArrays": true}}),
        bson!({"$unwind": {"path": "$a", "includeArrayIndex": "i"}}),
        bson!({"$unwind": {"path": "$c.d", "preserveNullAndEmptyArrays": true}}),
    ]
}

fn projects() -> Vec<Bson> {
    vec![
        bson!({"$project": {"_id": 0, "a": 1, "b": 1}}),
        // `_id` kept by default.
        bson!({"$project": {"a": 1}}),
        bson!({"$project": {"_id": 0, "y": "$a", "z": "$c.d", "n": {"$literal": 5}}}),
        bson!({"$project": {"_id": 0, "i": 1, "a": 1}}),
        bson!({"$project": {"_id": 0, "k": "$b", "f": {"$cond": [{"$eq": [{"$ifNull": ["$a", null]}, null]}, 1, 0]}, "s": "$a"}}),
        // Not a projection of reads: nothing is dropped.
        bson!({"$project": {"_id": 0, "t": {"$type": "$b"}, "a": 1}}),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The pipeline `[$unwind, $project, ($sort)]` gives the documents the stage-by-stage reference gives.
    #[test]
    fn unwind_then_reads_only_projection_equals_the_reference(
        docs in docs(),
        unwind in 0..unwinds().len(),
        project in 0..projects().len(),
        sorted in any::<bool>(),
    ) {
        let e = Engine::in_memory();
        run(&e, doc! {"create": "c"});
        if !docs.is_empty() {
            run(&e, doc! {"insert": "c", "documents": docs});
        }
        let (u, p) = (unwinds()[unwind].clone(), projects()[project].clone());
        let tail = |mut stages: Vec<Bson>| {
            if sorted {
                stages.push(bson!({"$sort": {"_id": 1, "a": -1}}));
            }
            stages
        };
        let got = batch(&run(
            &e,
            doc! {"aggregate": "c", "pipeline": tail(vec![u.clone(), p.clone()]), "cursor": {"batchSize": 1000}},
        ));
        let want = batch(&run(
            &e,
            doc! {"aggregate": "c", "pipeline": tail(vec![u, bson!({"$set": {"__zz": 1}}), p]), "cursor": {"batchSize": 1000}},
        ));
        prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
    }
}
