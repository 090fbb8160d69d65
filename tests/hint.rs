//! `hint` honoured (issue 16): a hint by index name or key pattern makes the command read that index, as
//! mongod's planner does when hinted (the manual: "hint ... forces the query optimizer to use a specific
//! index"). What shows: a sparse or partial index holds only some documents, so a hinted read sees only
//! those; without `sort` the documents come in the index's order; `{$natural: -1}` reads the collection
//! backwards. An unknown index is 2 BadValue on every command, and explain shows the hinted index as the
//! winning plan.

use bson::{doc, Bson, Document};
use sqlmongo::engine::Engine;

fn engine() -> Engine {
    let e = Engine::in_memory();
    e.run_command(
        "app",
        &doc! {"insert": "c", "documents": [
            {"_id": 1, "a": 3, "tag": "x"},
            {"_id": 2, "a": 1},
            {"_id": 3, "a": 2, "tag": "y"},
            {"_id": 4, "a": 5},
        ]},
    )
    .unwrap();
    e.run_command(
        "app",
        &doc! {"createIndexes": "c", "indexes": [
            {"key": {"a": 1}, "name": "a_1"},
            {"key": {"a": -1}, "name": "a_desc"},
            {"key": {"tag": 1}, "name": "tag_sparse", "sparse": true},
            {"key": {"a": 1, "_id": 1}, "name": "big_a", "partialFilterExpression": {"a": {"$gt": 2}}},
        ]},
    )
    .unwrap();
    e
}

fn ids(reply: &Document) -> Vec<i32> {
    reply
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .map(|d| d.as_document().unwrap().get_i32("_id").unwrap())
        .collect()
}

fn find(e: &Engine, hint: Bson) -> Vec<i32> {
    ids(&e
        .run_command("app", &doc! {"find": "c", "filter": {}, "hint": hint})
        .unwrap())
}

#[test]
fn find_reads_the_hinted_index_in_its_order() {
    let e = engine();
    assert_eq!(find(&e, Bson::String("a_1".into())), vec![2, 3, 1, 4]);
    assert_eq!(find(&e, Bson::Document(doc! {"a": 1})), vec![2, 3, 1, 4]);
    assert_eq!(find(&e, Bson::Document(doc! {"a": -1})), vec![4, 1, 3, 2]);
    // Sparse: only the documents that have `tag`; partial: only those with a > 2.
    assert_eq!(find(&e, Bson::String("tag_sparse".into())), vec![1, 3]);
    assert_eq!(find(&e, Bson::String("big_a".into())), vec![1, 4]);
    assert_eq!(
        find(&e, Bson::Document(doc! {"$natural": 1})),
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        find(&e, Bson::Document(doc! {"$natural": -1})),
        vec![4, 3, 2, 1]
    );
    // The filter still applies; a sort still orders.
    let reply = e
        .run_command(
            "app",
            &doc! {"find": "c", "filter": {"a": {"$gte": 2}}, "sort": {"_id": 1}, "hint": "a_desc", "limit": 2},
        )
        .unwrap();
    assert_eq!(ids(&reply), vec![1, 3]);
}

#[test]
fn count_distinct_and_aggregate_read_the_hinted_index() {
    let e = engine();
    let n = e
        .run_command(
            "app",
            &doc! {"count": "c", "query": {}, "hint": "tag_sparse"},
        )
        .unwrap();
    assert_eq!(n.get_i32("n").unwrap(), 2);
    let n = e
        .run_command(
            "app",
            &doc! {"count": "c", "query": {"a": {"$lt": 4}}, "hint": {"a": 1, "_id": 1}},
        )
        .unwrap();
    assert_eq!(n.get_i32("n").unwrap(), 1);
    let d = e
        .run_command("app", &doc! {"distinct": "c", "key": "a", "hint": "big_a"})
        .unwrap();
    assert_eq!(
        d.get_array("values").unwrap(),
        &vec![Bson::Int32(3), Bson::Int32(5)]
    );
    let r = e
        .run_command(
            "app",
            &doc! {"aggregate": "c", "pipeline": [{"$match": {}}], "cursor": {}, "hint": {"a": -1}},
        )
        .unwrap();
    assert_eq!(ids(&r), vec![4, 1, 3, 2]);
    // The hint is the aggregate's read of its collection, not a $lookup's read of the same collection.
    let r = e
        .run_command(
            "app",
            &doc! {"aggregate": "c", "pipeline": [
                {"$lookup": {"from": "c", "pipeline": [{"$count": "n"}], "as": "all"}},
                {"$project": {"n": {"$first": "$all.n"}}},
            ], "cursor": {}, "hint": "tag_sparse"},
        )
        .unwrap();
    let batch = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(batch.len(), 2);
    for d in batch {
        assert_eq!(d.as_document().unwrap().get_i32("n").unwrap(), 4);
    }
}

#[test]
fn writes_use_the_hinted_index() {
    let e = engine();
    // updateMany over {} hinted to the sparse index touches only the indexed documents.
    let r = e
        .run_command(
            "app",
            &doc! {"update": "c", "updates": [{"q": {}, "u": {"$set": {"seen": true}}, "multi": true, "hint": "tag_sparse"}]},
        )
        .unwrap();
    assert_eq!(r.get_i32("nModified").unwrap(), 2);
    // deleteOne takes the first document in the hinted index's order: the highest `a`.
    let r = e
        .run_command(
            "app",
            &doc! {"delete": "c", "deletes": [{"q": {}, "limit": 1, "hint": {"a": -1}}]},
        )
        .unwrap();
    assert_eq!(r.get_i32("n").unwrap(), 1);
    assert_eq!(
        find(&e, Bson::Document(doc! {"$natural": 1})),
        vec![1, 2, 3]
    );
    // findAndModify without sort modifies the first document in the hinted order (lowest `a`: _id 2).
    let r = e
        .run_command(
            "app",
            &doc! {"findAndModify": "c", "query": {}, "update": {"$set": {"top": true}}, "hint": "a_1"},
        )
        .unwrap();
    assert_eq!(r.get_document("value").unwrap().get_i32("_id").unwrap(), 2);
    // updateOne without a hint keeps natural order.
    let r = e
        .run_command(
            "app",
            &doc! {"findAndModify": "c", "query": {}, "update": {"$set": {"first": true}}},
        )
        .unwrap();
    assert_eq!(r.get_document("value").unwrap().get_i32("_id").unwrap(), 1);
}

#[test]
fn an_unknown_index_is_bad_value_everywhere() {
    let e = engine();
    for cmd in [
        doc! {"find": "c", "hint": "nope"},
        doc! {"find": "c", "hint": {"b": 1}},
        doc! {"count": "c", "hint": "nope"},
        doc! {"distinct": "c", "key": "a", "hint": "nope"},
        doc! {"aggregate": "c", "pipeline": [], "cursor": {}, "hint": "nope"},
        doc! {"update": "c", "updates": [{"q": {}, "u": {"$set": {"z": 1}}, "hint": "nope"}]},
        doc! {"delete": "c", "deletes": [{"q": {}, "limit": 0, "hint": "nope"}]},
        doc! {"findAndModify": "c", "query": {}, "remove": true, "hint": "nope"},
        doc! {"explain": {"find": "c", "hint": "nope"}},
        doc! {"aggregate": "c", "pipeline": [], "explain": true, "hint": {"zz": 1}},
    ] {
        let err = e.run_command("app", &cmd).expect_err(&cmd.to_string());
        assert_eq!(
            (err.code, err.errmsg.as_str()),
            (2, "hint provided does not correspond to an existing index"),
            "{cmd}"
        );
    }
    // Nothing was written.
    assert_eq!(
        find(&e, Bson::Document(doc! {"$natural": 1})),
        vec![1, 2, 3, 4]
    );
}

fn winning(reply: &Document) -> Document {
    reply
        .get_document("queryPlanner")
        .unwrap()
        .get_document("winningPlan")
        .unwrap()
        .clone()
}

#[test]
fn explain_shows_the_hinted_plan() {
    let e = engine();
    let r = e
        .run_command(
            "app",
            &doc! {"explain": {"find": "c", "filter": {"tag": "x"}, "hint": {"a": 1}}},
        )
        .unwrap();
    let plan = winning(&r);
    assert_eq!(plan.get_str("stage").unwrap(), "FETCH");
    let ix = plan.get_document("inputStage").unwrap();
    assert_eq!(ix.get_str("stage").unwrap(), "IXSCAN");
    assert_eq!(ix.get_str("indexName").unwrap(), "a_1");
    assert_eq!(ix.get_document("keyPattern").unwrap(), &doc! {"a": 1});
    let r = e
        .run_command(
            "app",
            &doc! {"aggregate": "c", "pipeline": [{"$match": {"a": 1}}], "explain": true, "hint": "tag_sparse"},
        )
        .unwrap();
    let plan = winning(&r);
    let ix = plan.get_document("inputStage").unwrap();
    assert_eq!(ix.get_str("indexName").unwrap(), "tag_sparse");
    assert!(ix.get_bool("isSparse").unwrap());
    let r = e
        .run_command(
            "app",
            &doc! {"explain": {"delete": "c", "deletes": [{"q": {"a": 1}, "limit": 1, "hint": {"$natural": -1}}]}},
        )
        .unwrap();
    assert_eq!(
        winning(&r),
        doc! {"stage": "COLLSCAN", "direction": "backward"}
    );
    // Without a hint, the index serving the filter.
    let r = e
        .run_command("app", &doc! {"explain": {"count": "c", "query": {"a": 1}}})
        .unwrap();
    assert_eq!(
        winning(&r)
            .get_document("inputStage")
            .unwrap()
            .get_str("indexName")
            .unwrap(),
        "a_1"
    );
}

mod bounded {
    use super::*;
    use proptest::prelude::*;

    fn values() -> impl Strategy<Value = Bson> {
        prop_oneof![
            (0i32..6).prop_map(Bson::Int32),
            (0i32..6).prop_map(|i| Bson::Double(f64::from(i) + 0.5)),
            Just(Bson::Null),
            proptest::collection::vec((0i32..6).prop_map(Bson::Int32), 0..3).prop_map(Bson::Array),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// A hinted read bounded by the filter (records put in key order) returns what the unbounded walk of
        /// the whole index returns (the same predicate under `$or`, which gives no bounds), in the same order.
        #[test]
        fn bounded_hinted_reads_equal_the_index_walk(
            docs in proptest::collection::vec(values(), 0..40),
            lo in 0i32..6,
            desc in any::<bool>(),
        ) {
            let e = Engine::in_memory();
            let docs: Vec<Document> = docs
                .into_iter()
                .enumerate()
                .map(|(i, v)| doc! {"_id": i as i32, "a": v})
                .collect();
            if !docs.is_empty() {
                e.run_command("app", &doc! {"insert": "p", "documents": docs}).unwrap();
            }
            let key = if desc { -1 } else { 1 };
            e.run_command("app", &doc! {"createIndexes": "p", "indexes": [{"key": {"a": key}, "name": "ix"}]}).unwrap();
            let bounded = e
                .run_command("app", &doc! {"find": "p", "filter": {"a": {"$gte": lo}}, "hint": "ix", "batchSize": 1000})
                .unwrap();
            let walked = e
                .run_command("app", &doc! {"find": "p", "filter": {"$or": [{"a": {"$gte": lo}}]}, "hint": "ix", "batchSize": 1000})
                .unwrap();
            prop_assert_eq!(ids(&bounded), ids(&walked));
        }
    }
}
