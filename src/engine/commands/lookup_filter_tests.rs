//! An uncorrelated `$lookup` sub-pipeline starting with a `$match` reads the foreign documents an index gives
//! for it (`Catalog::scan_filtered_each`) instead of every one: against the same sub-pipeline that starts with
//! `$skip: 0` (no leading `$match`: the whole collection streamed in), on generated documents and filters,
//! with and without an index.

use crate::engine::Engine;
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        4 => (0i32..4).prop_map(|i| Some(Bson::Int32(i))),
        1 => prop_oneof![Just("a"), Just("b")].prop_map(|s: &str| Some(Bson::String(s.into()))),
        1 => Just(Some(Bson::Null)),
        1 => prop::collection::vec((0i32..4).prop_map(Bson::Int32), 0..3).prop_map(|v| Some(Bson::Array(v))),
        1 => Just(None),
    ]
}

fn filter() -> impl Strategy<Value = Document> {
    prop_oneof![
        (0i32..4).prop_map(|i| doc! {"k": i}),
        (0i32..4).prop_map(|i| doc! {"k": {"$gte": i}}),
        (0i32..4, 0i32..4).prop_map(|(a, b)| doc! {"k": {"$in": [a, b]}}),
        (0i32..4, 0i32..4).prop_map(|(a, b)| doc! {"k": a, "g": {"$lt": b}}),
        Just(doc! {"k": Bson::Null}),
        Just(doc! {"k": "a"}),
        Just(doc! {"$expr": false}),
        (0i32..4).prop_map(|i| doc! {"$or": [{"k": i}, {"g": i}]}),
        (0i32..4).prop_map(|i| doc! {"g": i}),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn a_leading_match_read_through_an_index_equals_the_whole_scan(
        foreign in prop::collection::vec((value(), (0i32..4)), 0..16),
        outer in 0usize..3,
        filter in filter(),
        indexed in any::<bool>(),
        limit in prop_oneof![Just(None), (1i64..3).prop_map(Some)],
    ) {
        let e = Engine::in_memory();
        e.run_command("t", &doc! {"create": "f"}).expect("create");
        if indexed {
            e.run_command("t", &doc! {"createIndexes": "f", "indexes": [{"key": {"k": 1}, "name": "k_1"}]})
                .expect("index");
        }
        let docs: Vec<Document> = foreign
            .into_iter()
            .enumerate()
            .map(|(i, (k, g))| {
                let mut d = doc! {"_id": i as i32, "g": g};
                if let Some(k) = k {
                    d.insert("k", k);
                }
                d
            })
            .collect();
        if !docs.is_empty() {
            e.run_command("t", &doc! {"insert": "f", "documents": docs}).expect("insert");
        }
        let outer: Vec<Document> = (0..outer as i32).map(|i| doc! {"_id": i}).collect();
        if !outer.is_empty() {
            e.run_command("t", &doc! {"insert": "o", "documents": outer}).expect("insert");
        }
        let run = |lead: Option<Document>| {
            let mut sub: Vec<Bson> = Vec::new();
            if let Some(l) = lead {
                sub.push(Bson::Document(l));
            }
            sub.push(Bson::Document(doc! {"$match": filter.clone()}));
            sub.push(Bson::Document(doc! {"$project": {"_id": 1, "k": 1}}));
            if let Some(n) = limit {
                sub.push(Bson::Document(doc! {"$limit": n}));
            }
            e.run_command("t", &doc! {"aggregate": "o", "pipeline": [
                {"$lookup": {"from": "f", "pipeline": sub, "as": "j"}},
            ], "cursor": {"batchSize": 1000}})
            .map(|r| format!("{:?}", r.get_document("cursor").and_then(|c| c.get_array("firstBatch")).ok()))
            .map_err(|e| e.code)
        };
        prop_assert_eq!(run(None), run(Some(doc! {"$skip": 0_i64})));
    }
}
