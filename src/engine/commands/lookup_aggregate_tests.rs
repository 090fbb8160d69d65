//! An uncorrelated `$lookup` sub-pipeline run as an aggregate of its own (`StateCatalog::aggregate`, used by
//! `pipeline/join.rs`): on generated collections, `[$lookup (uncorrelated), $unwind, $project]` gives each
//! outer document joined with each document of the sub-pipeline run alone (an `aggregate` command of its
//! own), in that order; sub-pipelines with the scan's fast paths (a record count, `$group` over fields, a
//! `$match` + `$limit`) and without.

use crate::engine::Engine;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

use crate::engine::aggregate_t as aggregate;

fn sub_pipelines() -> Vec<Vec<Bson>> {
    vec![
        vec![bson!({"$group": {"_id": null, "n": {"$sum": 1}}})],
        vec![
            bson!({"$group": {"_id": null, "n": {"$sum": 1}}}),
            bson!({"$unionWith": {"pipeline": [{"$documents": [{}]}]}}),
            bson!({"$limit": 1}),
        ],
        vec![
            bson!({"$group": {"_id": "$k", "n": {"$sum": "$v"}}}),
            bson!({"$sort": {"_id": 1}}),
        ],
        vec![
            bson!({"$match": {"v": {"$gt": 2}}}),
            bson!({"$project": {"_id": 0, "one": {"$literal": 1}}}),
            bson!({"$limit": 1}),
        ],
        vec![
            bson!({"$match": {"v": {"$gte": 0}}}),
            bson!({"$sort": {"v": -1, "_id": 1}}),
            bson!({"$limit": 2}),
        ],
        vec![],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn uncorrelated_lookup_joins_the_sub_aggregate(
        outer in prop::collection::vec(0i32..4, 0..6),
        foreign in prop::collection::vec((0i32..3, prop::option::of(-2i32..6)), 0..12),
        which in 0usize..6,
    ) {
        let e = Engine::in_memory();
        for c in ["o", "f"] {
            e.run_command("t", &doc! {"create": c}).expect("create");
        }
        let outer: Vec<Document> = outer.iter().enumerate().map(|(i, x)| doc! {"_id": i as i32, "x": x}).collect();
        let foreign: Vec<Document> = foreign
            .iter()
            .enumerate()
            .map(|(i, (k, v))| {
                let mut d = doc! {"_id": i as i32, "k": k};
                if let Some(v) = v {
                    d.insert("v", v);
                }
                d
            })
            .collect();
        for (c, docs) in [("o", &outer), ("f", &foreign)] {
            if !docs.is_empty() {
                e.run_command("t", &doc! {"insert": c, "documents": docs.clone()}).expect("insert");
            }
        }
        let sub = sub_pipelines()[which].clone();
        let joined = aggregate(&e, "o", &[
            bson!({"$lookup": {"from": "f", "pipeline": sub.clone(), "as": "j"}}),
            bson!({"$unwind": "$j"}),
            bson!({"$project": {"_id": 1, "x": 1, "j": 1}}),
        ]);
        let alone = aggregate(&e, "f", &sub).expect("the sub-pipeline alone");
        let mut want = Vec::new();
        for o in &outer {
            for j in &alone {
                want.push(doc! {"_id": o.get("_id").cloned().unwrap_or(Bson::Null), "x": o.get("x").cloned().unwrap_or(Bson::Null), "j": j.clone()});
            }
        }
        prop_assert_eq!(joined, Ok(want));
    }
}
