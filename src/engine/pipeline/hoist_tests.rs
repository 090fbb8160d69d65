//! A `$match` moved ahead of the `$set` / `$addFields` / `$unwind` / `$lookup` stages it follows
//! (`hoist.rs`) gives what the stages give run one after the other in their written order, on generated
//! documents and runs of stages; a `$match` reading a field one of them writes stays where it is.

use super::{hoist::hoist_matches, NoCatalog, Pipeline};
use crate::engine::expr::Vars;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

use super::chain_tests::value;

fn docs() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((value(), value(), value()), 0..30).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (a, b, c))| {
                let mut d = doc! {"_id": i as i32};
                for (k, v) in [("a", a), ("b", b), ("c", c)] {
                    if let Some(v) = v {
                        d.insert(k, v);
                    }
                }
                d
            })
            .collect()
    })
}

/// The stages a `$match` may be moved ahead of (none fails on any generated document), and some that end
/// the run (`$project`, `$unset`).
fn stages() -> Vec<Bson> {
    vec![
        bson!({"$set": {"c": {"$ifNull": ["$a", "none"]}}}),
        bson!({"$addFields": {"d": {"$range": [0, 2]}, "b.x": 1}}),
        bson!({"$set": {"a": {"$cond": [{"$isArray": "$b"}, {"$size": "$b"}, "$b"]}}}),
        bson!({"$unwind": "$a"}),
        bson!({"$unwind": {"path": "$b", "includeArrayIndex": "i", "preserveNullAndEmptyArrays": true}}),
        bson!({"$unwind": "$d"}),
        bson!({"$project": {"a": 1, "c": 1}}),
        bson!({"$unset": "c"}),
        bson!({"$match": {"b": {"$ne": null}}}),
    ]
}

fn matches() -> Vec<Bson> {
    vec![
        bson!({"$match": {"a": {"$gte": 2}}}),
        bson!({"$match": {"b": 1}}),
        bson!({"$match": {"c": {"$in": [0, "x", "none"]}}}),
        bson!({"$match": {"$or": [{"a": 1}, {"c.0": 2}]}}),
        bson!({"$match": {"i": 0}}),
        bson!({"$match": {"d": {"$exists": true}}}),
        bson!({"$match": {"b.x": 1}}),
    ]
}

/// Each stage compiled alone (nothing to move) and run on the previous one's output.
fn stage_by_stage(stages: &[Bson], docs: Vec<Document>) -> Vec<Document> {
    let vars = Vars::new(bson::DateTime::from_millis(0));
    let mut out = docs;
    for st in stages {
        let p = Pipeline::compile(std::slice::from_ref(st)).expect("compiles");
        out = p.run(out, &NoCatalog, &vars).expect("runs");
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn hoisted_matches_equal_stage_by_stage(
        docs in docs(),
        run in prop::collection::vec(
            prop_oneof![3 => (0usize..9).prop_map(Ok), 2 => (0usize..7).prop_map(Err)],
            1..6,
        ),
    ) {
        let stages: Vec<Bson> = run
            .iter()
            .map(|s| match s {
                Ok(k) => stages()[*k].clone(),
                Err(k) => matches()[*k].clone(),
            })
            .collect();
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let p = Pipeline::compile(&stages).expect("compiles");
        let got = p.run(docs.clone(), &NoCatalog, &vars).expect("runs");
        let want = stage_by_stage(&stages, docs);
        prop_assert_eq!(format!("{got:?}"), format!("{want:?}"), "{:?}", stages);
    }
}

#[test]
fn a_match_moves_ahead_of_the_stages_not_writing_what_it_reads() {
    let set = bson!({"$set": {"s": {"$range": [0, "$n"]}}});
    let unwind = bson!({"$unwind": "$s"});
    let outer = bson!({"$match": {"n": {"$lt": 3}}});
    let on_s = bson!({"$match": {"s": 1}});
    assert_eq!(
        hoist_matches(&[set.clone(), unwind.clone(), on_s.clone(), outer.clone()]),
        vec![outer.clone(), set.clone(), unwind.clone(), on_s.clone()]
    );
    // A `$match` on a field set (also through a dotted key) or past a `$project` stays.
    let dotted = bson!({"$addFields": {"n.x": 1}});
    let project = bson!({"$project": {"n": 1}});
    for stages in [
        vec![dotted.clone(), outer.clone()],
        vec![set.clone(), project.clone(), outer.clone()],
    ] {
        assert_eq!(hoist_matches(&stages), stages);
    }
    // The series is built for the documents kept only: one of them would fail (`$range` of a string).
    let docs = vec![doc! {"_id": 1, "n": 2}, doc! {"_id": 2, "n": "x"}];
    let vars = Vars::new(bson::DateTime::from_millis(0));
    let p = Pipeline::compile(&[set, unwind, outer]).expect("compiles");
    let out = p.run(docs, &NoCatalog, &vars).expect("runs");
    assert_eq!(out.len(), 2);
}
