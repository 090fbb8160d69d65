//! `count_all.rs` against the general `$group` (the same pipeline after a `$match: {}`, which the fast path
//! does not take), on generated collections: empty ones, documents inserted then some deleted, several
//! `$sum: 1` outputs beside the key; and the shapes it declines.

use super::{plan, run};
use crate::engine::Engine;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

fn aggregate(e: &Engine, pipeline: &[Bson]) -> Result<Vec<Document>, i32> {
    crate::engine::aggregate_t(e, "c", pipeline)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// `$group: {_id: null, a0: {$sum: 1}, ...}` opening the pipeline (then the translator's one-row tail)
    /// gives what the general `$group` gives.
    #[test]
    fn the_record_count_is_the_general_group(
        n in 0usize..40,
        deleted in prop::collection::vec(0i32..40, 0..10),
        outputs in 1usize..4,
    ) {
        let e = Engine::in_memory();
        e.run_command("t", &doc! {"create": "c"}).expect("create");
        let docs: Vec<Document> = (0..n as i32).map(|i| doc! {"_id": i, "x": i % 3}).collect();
        if !docs.is_empty() {
            e.run_command("t", &doc! {"insert": "c", "documents": docs}).expect("insert");
        }
        for d in &deleted {
            e.run_command("t", &doc! {"delete": "c", "deletes": [{"q": {"_id": d}, "limit": 1}]})
                .expect("delete");
        }
        let mut group = doc! {"_id": null};
        for i in 0..outputs {
            group.insert(format!("a{i}"), bson!({"$sum": 1}));
        }
        let tail = [
            bson!({"$unionWith": {"pipeline": [{"$documents": [{}]}]}}),
            bson!({"$limit": 1}),
            bson!({"$project": {"_id": 0, "n": {"$ifNull": ["$a0", 0]}}}),
        ];
        let fast: Vec<Bson> = std::iter::once(bson!({"$group": group.clone()})).chain(tail.clone()).collect();
        let general: Vec<Bson> = [bson!({"$match": {}}), bson!({"$group": group})]
            .into_iter()
            .chain(tail)
            .collect();
        prop_assert_eq!(aggregate(&e, &fast), aggregate(&e, &general));
        prop_assert_eq!(aggregate(&e, &fast[..1]), aggregate(&e, &general[..2]));
    }
}

/// The fast path answers from the record count, and declines the shapes whose value depends on the
/// documents, a view and a missing collection.
#[test]
fn counts_are_read_from_the_collection() {
    let e = Engine::in_memory();
    e.run_command("t", &doc! {"create": "c"}).expect("create");
    let docs: Vec<Document> = (0..5).map(|i| doc! {"_id": i}).collect();
    e.run_command("t", &doc! {"insert": "c", "documents": docs})
        .expect("insert");
    e.run_command(
        "t",
        &doc! {"create": "v", "viewOn": "c", "pipeline": [{"$match": {"_id": {"$gt": 2}}}]},
    )
    .expect("view");
    let group = bson!({"$group": {"_id": null, "n": {"$sum": 1}, "m": {"$sum": 1}}});
    let names = plan(std::slice::from_ref(&group)).expect("the shape is recognised");
    assert_eq!(names, vec!["n", "m"]);
    let state = e.inner.read_state().expect("state");
    assert_eq!(
        run(&state, "t", "c", &names),
        Some(vec![doc! {"_id": null, "n": 5, "m": 5}])
    );
    assert_eq!(run(&state, "t", "v", &names), None);
    assert_eq!(run(&state, "t", "nothing", &names), None);
    // Through the command: the view counts its own documents.
    assert_eq!(
        aggregate(&e, std::slice::from_ref(&group)),
        Ok(vec![doc! {"_id": null, "n": 5, "m": 5}])
    );
    let cmd = doc! {"aggregate": "v", "pipeline": [group], "cursor": {}};
    let reply = e.run_command("t", &cmd).expect("view aggregate");
    assert_eq!(
        crate::engine::first_batch(&reply),
        vec![doc! {"_id": null, "n": 2, "m": 2}]
    );
    // Other shapes are not this path's.
    for other in [
        bson!({"$group": {"_id": "$x", "n": {"$sum": 1}}}),
        bson!({"$group": {"_id": null, "n": {"$sum": 2}}}),
        bson!({"$group": {"_id": null, "n": {"$sum": 1_i64}}}),
        bson!({"$group": {"_id": null, "n": {"$sum": "$x"}}}),
        bson!({"$group": {"_id": null, "n": {"$sum": 1}, "lo": {"$min": "$x"}}}),
        bson!({"$group": {"_id": null}}),
        bson!({"$group": {"_id": 1, "n": {"$sum": 1}}}),
    ] {
        assert!(plan(std::slice::from_ref(&other)).is_none(), "{other}");
    }
    assert!(plan(&[
        bson!({"$match": {}}),
        bson!({"$group": {"_id": null, "n": {"$sum": 1}}})
    ])
    .is_none());
}
