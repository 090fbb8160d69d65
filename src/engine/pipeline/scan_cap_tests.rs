//! `scan_cap` and the scan that stops at it (`commands/read.rs`): on generated collections and pipelines
//! (`[$match,] $project / $set / $unset ..., $limit n`) the documents are those of the same pipeline with a
//! `$skip: 0` before the `$limit` (which the cap does not cross: every document read); a document after the
//! `n`-th that would fail a stage is never computed, as mongod's `$limit` stops pulling.

use super::super::Pipeline;
use crate::engine::Engine;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

fn aggregate(e: &Engine, pipeline: &[Bson]) -> Result<Vec<Document>, i32> {
    crate::engine::aggregate_t(e, "c", pipeline)
}

fn stage() -> impl Strategy<Value = Bson> {
    prop_oneof![
        Just(bson!({"$project": {"_id": 1, "y": {"$add": ["$x", 1]}}})),
        Just(bson!({"$project": {"x": 0}})),
        Just(bson!({"$set": {"z": {"$multiply": ["$x", 2]}}})),
        Just(bson!({"$unset": "x"})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn a_capped_scan_gives_the_limited_documents(
        xs in prop::collection::vec(prop::option::of(-3i32..5), 0..25),
        filter in any::<bool>(),
        stages in prop::collection::vec(stage(), 0..3),
        n in 1i64..6,
    ) {
        let e = Engine::in_memory();
        e.run_command("t", &doc! {"create": "c"}).expect("create");
        let docs: Vec<Document> = xs
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let mut d = doc! {"_id": i as i32};
                if let Some(x) = x {
                    d.insert("x", *x);
                }
                d
            })
            .collect();
        if !docs.is_empty() {
            e.run_command("t", &doc! {"insert": "c", "documents": docs}).expect("insert");
        }
        let mut capped = Vec::new();
        if filter {
            capped.push(bson!({"$match": {"x": {"$gte": 0}}}));
        }
        capped.extend(stages);
        let mut general = capped.clone();
        capped.push(bson!({"$limit": n}));
        general.push(bson!({"$skip": 0}));
        general.push(bson!({"$limit": n}));
        prop_assert_eq!(aggregate(&e, &capped), aggregate(&e, &general));
    }
}

/// The document after the limit would fail the `$project` (a division by zero): never computed.
#[test]
fn documents_past_the_limit_are_not_computed() {
    let e = Engine::in_memory();
    e.run_command("t", &doc! {"create": "c"}).expect("create");
    e.run_command(
        "t",
        &doc! {"insert": "c", "documents": [{"_id": 1, "x": 2}, {"_id": 2, "x": 0}]},
    )
    .expect("insert");
    let p = [
        bson!({"$project": {"q": {"$divide": [10, "$x"]}}}),
        bson!({"$limit": 1}),
    ];
    assert_eq!(aggregate(&e, &p), Ok(vec![doc! {"_id": 1, "q": 5.0}]));
    let with_match = [
        bson!({"$match": {"_id": {"$gte": 1}}}),
        p[0].clone(),
        p[1].clone(),
    ];
    assert_eq!(
        aggregate(&e, &with_match),
        Ok(vec![doc! {"_id": 1, "q": 5.0}])
    );
}

#[test]
fn only_one_to_one_stages_before_a_limit_cap_the_scan() {
    let cap = |stages: Vec<Bson>| Pipeline::compile(&stages).expect("compiles").scan_cap(0);
    assert_eq!(cap(vec![bson!({"$limit": 3})]), Some(3));
    assert_eq!(
        cap(vec![
            bson!({"$project": {"a": 1}}),
            bson!({"$set": {"b": 1}}),
            bson!({"$unset": "a"}),
            bson!({"$limit": 2}),
        ]),
        Some(2)
    );
    for other in [
        vec![bson!({"$match": {"a": 1}}), bson!({"$limit": 2})],
        vec![bson!({"$sort": {"a": 1}}), bson!({"$limit": 2})],
        vec![bson!({"$skip": 1}), bson!({"$limit": 2})],
        vec![bson!({"$unwind": "$a"}), bson!({"$limit": 2})],
        vec![bson!({"$project": {"a": 1}})],
    ] {
        assert_eq!(cap(other.clone()), None, "{other:?}");
    }
}
