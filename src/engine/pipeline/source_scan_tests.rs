//! A `$unionWith`'s pipeline whose leading `$match` the collection scan decides (`source_scan.rs`) gives the
//! documents its stages give run one after the other over the whole collection, on generated documents (the
//! `$lookup` prefix case is among `join_tests`' shapes). The engine reads the stored collection; the
//! reference runs the sub-pipeline stage by stage over the inserted documents.

use super::join_tests::{batch, docs, run};
use super::{NoCatalog, Pipeline};
use crate::engine::expr::Vars;
use crate::engine::Engine;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

/// Sub-pipelines led by a `$match` (a top-level predicate the scan decides from the bytes, an `$expr`, an
/// `$or` on a missing field), then stages reading what it kept.
fn sides() -> Vec<Vec<Bson>> {
    vec![
        vec![
            bson!({"$match": {"g": {"$gt": 0}}}),
            bson!({"$project": {"_id": 0, "u": {"$ifNull": ["$f", null]}, "r": {"$literal": 1}}}),
        ],
        vec![
            bson!({"$match": {"$expr": {"$lt": ["$g", 1]}}}),
            bson!({"$project": {"_id": 1, "f": 1}}),
        ],
        vec![
            bson!({"$match": {"$or": [{"f": {"$exists": false}}, {"g": -2}]}}),
            bson!({"$group": {"_id": "$g", "n": {"$sum": 1}}}),
            bson!({"$sort": {"_id": 1}}),
        ],
        vec![bson!({"$match": {"f": {"$type": "string"}, "g": {"$ne": 1}}})],
        vec![
            bson!({"$match": {}}),
            bson!({"$project": {"_id": 0, "g": 1}}),
        ],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn scanned_leading_match_equals_stage_by_stage(
        outer in docs("k", 6),
        foreign in docs("f", 20),
        side in 0..sides().len(),
    ) {
        let e = Engine::in_memory();
        run(&e, doc! {"create": "ou"});
        run(&e, doc! {"create": "fo"});
        if !outer.is_empty() {
            run(&e, doc! {"insert": "ou", "documents": outer.clone()});
        }
        if !foreign.is_empty() {
            run(&e, doc! {"insert": "fo", "documents": foreign.clone()});
        }
        let sub = sides()[side].clone();
        let pipeline = vec![
            bson!({"$project": {"_id": 0, "k": 1}}),
            bson!({"$unionWith": {"coll": "fo", "pipeline": sub.clone()}}),
        ];
        let got = batch(&run(
            &e,
            doc! {"aggregate": "ou", "pipeline": pipeline.clone(), "cursor": {"batchSize": 1_000_000}},
        ));
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let mut want: Vec<Document> = outer
            .iter()
            .map(|d| d.get("k").map_or_else(Document::new, |k| doc! {"k": k.clone()}))
            .collect();
        let mut side_docs = foreign;
        for st in &sub {
            let p = Pipeline::compile(std::slice::from_ref(st)).expect("compiles");
            side_docs = p.run(side_docs, &NoCatalog, &vars).expect("runs");
        }
        want.extend(side_docs);
        // Compared as text: NaN keys are equal to themselves there.
        prop_assert_eq!(format!("{got:?}"), format!("{want:?}"), "pipeline {:?}", pipeline);
    }
}
