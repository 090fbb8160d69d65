//! A scan whose filter reads fewer fields than its visitor parses the visitor's fields only for the documents
//! that match (`scan.rs`: `after`): against the same stages behind a `$skip: 0` (no leading `$match`: whole
//! documents are parsed and filtered in the pipeline), on generated documents, filters and projections —
//! through an aggregate (`[$match, $project]`), a `find` with a projection, and a correlated `$lookup` run
//! for one outer document (its filtered scan of the foreign collection). A `$group` reading dotted paths
//! decodes embedded documents only along them: against the same grouping of whole documents.

use crate::engine::Engine;
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        4 => (0i32..4).prop_map(|i| Some(Bson::Int32(i))),
        1 => prop_oneof![Just("a"), Just("b")].prop_map(|s: &str| Some(Bson::String(s.into()))),
        1 => Just(Some(Bson::Null)),
        1 => prop::collection::vec((0i32..4).prop_map(Bson::Int32), 0..3).prop_map(|v| Some(Bson::Array(v))),
        1 => (0i32..4).prop_map(|i| Some(Bson::Document(doc! {"c": i, "d": [i, "x"]}))),
        1 => (0i32..4).prop_map(|i| Some(Bson::Array(vec![
            Bson::Document(doc! {"c": i}),
            Bson::Document(doc! {"c": {"e": i}, "d": 1}),
            Bson::Int32(i),
        ]))),
        1 => Just(None),
    ]
}

/// Filters the top-level prefilter cannot decide (`$expr`) and ones it can, on `k` and `g` only.
fn filter() -> impl Strategy<Value = Document> {
    prop_oneof![
        (0i32..4).prop_map(|i| doc! {"$expr": {"$eq": ["$k", i]}}),
        (0i32..4).prop_map(|i| doc! {"$expr": {"$gte": ["$g", i]}}),
        (0i32..4).prop_map(|i| doc! {"$expr": {"$and": [{"$ne": [{"$ifNull": ["$k", null]}, null]}, {"$lt": ["$k", i]}]}}),
        (0i32..4).prop_map(|i| doc! {"$or": [{"k": i}, {"$expr": {"$eq": ["$g", i]}}]}),
        (0i32..4).prop_map(|i| doc! {"k": i}),
        (0i32..4).prop_map(|i| doc! {"k": {"$gte": i}, "$expr": {"$ne": ["$g", 2]}}),
    ]
}

/// Projections reading fields the filters do not (`a`, `b`, paths in `b`), and the filters' own.
fn projection() -> impl Strategy<Value = Document> {
    prop_oneof![
        Just(doc! {"_id": 0, "a": 1, "b": 1}),
        Just(doc! {"a": 1, "k": 1}),
        Just(doc! {"_id": 0, "x": "$b.c", "y": {"$ifNull": ["$a", "none"]}}),
        Just(doc! {"_id": 1, "g": 1}),
        Just(doc! {"b.d": 1, "a": 1}),
    ]
}

fn docs() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((value(), value(), value(), value()), 0..14).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (k, g, a, b))| {
                let mut d = doc! {"_id": i as i32};
                for (name, v) in [("k", k), ("g", g), ("a", a), ("b", b)] {
                    if let Some(v) = v {
                        d.insert(name, v);
                    }
                }
                d
            })
            .collect()
    })
}

/// A reply's first batch as text, or its error code (shared by the scan tests).
pub(super) fn batch(r: Result<Document, crate::engine::CommandError>) -> Result<String, i32> {
    r.map(|r| {
        format!(
            "{:?}",
            r.get_document("cursor")
                .and_then(|c| c.get_array("firstBatch"))
                .ok()
        )
    })
    .map_err(|e| e.code)
}

/// The first batch of `[$match: filter, tail...]` over collection `f`; with `lead`, behind a `$skip: 0` (no
/// leading `$match`: whole documents parsed and filtered in the pipeline).
fn filtered(e: &Engine, lead: bool, filter: &Document, tail: Vec<Document>) -> Result<String, i32> {
    let mut stages: Vec<Bson> = Vec::new();
    if lead {
        stages.push(Bson::Document(doc! {"$skip": 0_i64}));
    }
    stages.push(Bson::Document(doc! {"$match": filter.clone()}));
    stages.extend(tail.into_iter().map(Bson::Document));
    batch(e.run_command(
        "t",
        &doc! {"aggregate": "f", "pipeline": stages, "cursor": {"batchSize": 1000}},
    ))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn fields_read_after_the_match_equal_whole_documents_filtered(
        rows in docs(),
        filter in filter(),
        projection in projection(),
        indexed in any::<bool>(),
    ) {
        let e = Engine::in_memory();
        e.run_command("t", &doc! {"create": "f"}).expect("create");
        if indexed {
            e.run_command("t", &doc! {"createIndexes": "f", "indexes": [{"key": {"k": 1}, "name": "k_1"}]})
                .expect("index");
        }
        if !rows.is_empty() {
            e.run_command("t", &doc! {"insert": "f", "documents": rows}).expect("insert");
        }
        let aggregate = |lead: bool| {
            filtered(&e, lead, &filter, vec![doc! {"$project": projection.clone()}])
        };
        let whole = aggregate(true);
        prop_assert_eq!(aggregate(false), whole.clone());
        // find's projection has no computed fields in mongod's older forms: compare the plain ones only.
        if projection.values().all(|v| matches!(v, Bson::Int32(_))) {
            let found = batch(e.run_command("t", &doc! {"find": "f", "filter": filter.clone(),
                "projection": projection.clone(), "batchSize": 1000}));
            prop_assert_eq!(found, whole);
        }
        // One outer document joined through a correlated sub-pipeline: its `$match` reads the foreign
        // collection's `k`, the stages after the `$lookup` read the joined `a` and `b` only.
        e.run_command("t", &doc! {"insert": "o", "documents": [{"_id": 0, "v": 1}]}).expect("insert");
        let lookup = |lead: bool| {
            let mut sub: Vec<Bson> = Vec::new();
            if lead {
                sub.push(Bson::Document(doc! {"$skip": 0_i64}));
            }
            sub.push(Bson::Document(doc! {"$match": {"$expr": {"$and": [
                {"$ne": [{"$ifNull": ["$k", null]}, null]}, {"$eq": ["$k", "$$v"]}]}}}));
            batch(e.run_command("t", &doc! {"aggregate": "o", "pipeline": [
                {"$lookup": {"from": "f", "let": {"v": "$v"}, "pipeline": sub, "as": "j"}},
                {"$unwind": "$j"},
                {"$project": {"_id": 0, "a": "$j.a", "b": "$j.b"}},
            ], "cursor": {"batchSize": 1000}}))
        };
        prop_assert_eq!(lookup(false), lookup(true));
    }
}

/// Groupings reading dotted paths in `b` (and whole fields, and `$$ROOT` that reads everything).
fn grouping() -> impl Strategy<Value = Document> {
    prop_oneof![
        Just(doc! {"_id": "$b.c", "n": {"$sum": 1}, "d": {"$push": "$b.d"}}),
        Just(
            doc! {"_id": {"g0": {"$ifNull": ["$b.c.e", null]}}, "s": {"$sum": "$b.c"}, "f": {"$first": "$b"}}
        ),
        Just(doc! {"_id": "$k", "x": {"$max": "$b.d"}, "a": {"$addToSet": "$a"}}),
        Just(doc! {"_id": null, "r": {"$push": "$$ROOT"}}),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn grouping_by_paths_equals_grouping_whole_documents(
        rows in docs(),
        filter in filter(),
        grouping in grouping(),
    ) {
        let e = Engine::in_memory();
        if !rows.is_empty() {
            e.run_command("t", &doc! {"insert": "f", "documents": rows}).expect("insert");
        }
        let aggregate = |lead: bool| {
            filtered(&e, lead, &filter, vec![doc! {"$group": grouping.clone()}, doc! {"$sort": {"_id": 1}}])
        };
        prop_assert_eq!(aggregate(false), aggregate(true));
    }
}
