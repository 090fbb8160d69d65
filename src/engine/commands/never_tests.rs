//! Filters that match nothing (`candidates` answers them with no record, without a scan: storage's
//! `never_matches`) against the general path, the matcher run on every document, for find, count, update and
//! delete, with and without an index on the filtered field.

use crate::engine::matcher::Matcher;
use crate::engine::Engine;
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        3 => (0i32..3).prop_map(|i| Some(Bson::Int32(i))),
        1 => Just(Some(Bson::Null)),
        1 => prop::collection::vec((0i32..3).prop_map(Bson::Int32), 0..3).prop_map(|v| Some(Bson::Array(v))),
        1 => Just(None),
    ]
}

/// Filters built of always-false parts (`$expr: false / null`, `$in: []`) and ordinary predicates, under
/// `$and` / `$or` / `$nor` and as siblings.
fn filter() -> impl Strategy<Value = Document> {
    let leaf = prop_oneof![
        Just(doc! {"$expr": false}),
        Just(doc! {"$expr": Bson::Null}),
        Just(doc! {"$expr": true}),
        Just(doc! {"$expr": {"$eq": ["$f", 1]}}),
        Just(doc! {"$expr": {"$eq": [1, 0]}}),
        Just(doc! {"$expr": {"$and": [{"$eq": [{"$literal": 2}, 2]}, {"$gt": [1, 0]}]}}),
        Just(doc! {"$expr": {"$and": [{"$eq": [{"$literal": 2}, 2]}, {"$lt": [1, 0]}]}}),
        Just(doc! {"$expr": {"$or": [{"$eq": ["$f", 1]}, {"$eq": [1, 0]}]}}),
        Just(doc! {"$expr": {"$eq": [{"$literal": "$f"}, "$f"]}}),
        Just(doc! {"$expr": {"$eq": ["$$NOW", 0]}}),
        // Reads the current document without a `$` string.
        Just(doc! {"$expr": {"$eq": [{"$getField": "f"}, 1]}}),
        Just(doc! {"f": {"$in": []}}),
        Just(doc! {"g": {"$in": [], "$exists": true}}),
        Just(doc! {"f": {"$not": {"$in": []}}}),
        (0i32..3).prop_map(|i| doc! {"f": i}),
        (0i32..3).prop_map(|i| doc! {"g": {"$gte": i}}),
        Just(doc! {"f": Bson::Null}),
        Just(doc! {"f": {"$in": [1, Bson::Null]}}),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| doc! {"$and": v}),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| doc! {"$or": v}),
            prop::collection::vec(inner.clone(), 1..3).prop_map(|v| doc! {"$nor": v}),
            (inner.clone(), inner).prop_map(|(mut a, b)| {
                for (k, v) in b {
                    if !a.contains_key(&k) {
                        a.insert(k, v);
                    }
                }
                a
            }),
        ]
    })
}

fn ids(reply: &Document) -> Vec<i32> {
    let mut out: Vec<i32> = reply
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_document()?.get_i32("_id").ok())
                .collect()
        })
        .unwrap_or_default();
    out.sort_unstable();
    out
}

fn count(reply: &Document, key: &str) -> Option<usize> {
    match reply.get(key)? {
        Bson::Int32(n) => usize::try_from(*n).ok(),
        Bson::Int64(n) => usize::try_from(*n).ok(),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// find / count / update / delete with any filter select exactly the documents the matcher accepts.
    #[test]
    fn never_matching_filters_equal_the_matcher(
        values in prop::collection::vec((value(), value()), 0..12),
        filter in filter(),
        indexed in any::<bool>(),
    ) {
        let docs: Vec<Document> = values
            .into_iter()
            .enumerate()
            .map(|(i, (f, g))| {
                let mut d = doc! {"_id": i as i32};
                if let Some(f) = f {
                    d.insert("f", f);
                }
                if let Some(g) = g {
                    d.insert("g", g);
                }
                d
            })
            .collect();
        let vars = crate::engine::expr::Vars::new(bson::DateTime::now());
        let m = Matcher::compile(&filter).expect("filter compiles");
        let want: Vec<i32> = docs
            .iter()
            .filter(|d| m.matches(d, &vars).expect("matcher runs"))
            .filter_map(|d| d.get_i32("_id").ok())
            .collect();
        if crate::engine::storage::never_matches(&filter) {
            prop_assert!(want.is_empty(), "never_matches({filter}) but the matcher accepts {want:?}");
        }
        let e = Engine::in_memory();
        e.run_command("t", &doc! {"create": "c"}).expect("create");
        if indexed {
            e.run_command("t", &doc! {"createIndexes": "c", "indexes": [{"key": {"f": 1}, "name": "f_1"}]})
                .expect("index");
        }
        if !docs.is_empty() {
            e.run_command("t", &doc! {"insert": "c", "documents": docs}).expect("insert");
        }
        let found = e
            .run_command("t", &doc! {"find": "c", "filter": filter.clone(), "batchSize": 1000})
            .expect("find");
        prop_assert_eq!(ids(&found), want.clone());
        let counted = e.run_command("t", &doc! {"count": "c", "query": filter.clone()}).expect("count");
        prop_assert_eq!(count(&counted, "n"), Some(want.len()));
        let agg = e
            .run_command("t", &doc! {"aggregate": "c", "pipeline": [{"$match": filter.clone()}], "cursor": {"batchSize": 1000}})
            .expect("aggregate");
        prop_assert_eq!(ids(&agg), want.clone());
        let updated = e
            .run_command("t", &doc! {"update": "c", "updates": [{"q": filter.clone(), "u": {"$set": {"u": 1}}, "multi": true}]})
            .expect("update");
        prop_assert_eq!(count(&updated, "nModified"), Some(want.len()));
        let deleted = e
            .run_command("t", &doc! {"delete": "c", "deletes": [{"q": filter, "limit": 0}]})
            .expect("delete");
        prop_assert_eq!(count(&deleted, "n"), Some(want.len()));
    }
}

/// An always-false filter reads no document: on 100,000 documents without an index it answers in a small
/// fraction of the scan's time.
#[test]
fn an_always_false_filter_does_not_scan() {
    let e = Engine::in_memory();
    let docs: Vec<Document> = (0..100_000).map(|i| doc! {"_id": i, "k": i % 7}).collect();
    e.run_command("t", &doc! {"insert": "c", "documents": docs})
        .expect("insert");
    // The best of 5 runs: the machine may be busy.
    let time = |filter: Document| {
        let mut best = std::time::Duration::MAX;
        let mut n = 0;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let r = e
                .run_command("t", &doc! {"find": "c", "filter": filter.clone()})
                .expect("find");
            best = best.min(t.elapsed());
            n = ids(&r).len();
        }
        (n, best)
    };
    let (n, scan) = time(doc! {"k": 9});
    assert_eq!(n, 0);
    for f in [
        doc! {"$expr": false},
        doc! {"k": {"$in": []}},
        doc! {"$and": [{"$expr": false}, {"k": 1}]},
        doc! {"$or": [{"$expr": false}, {"k": {"$in": []}}]},
        // Constant expressions (the SQL translator's bound parameters): decided once, before any document.
        doc! {"$expr": {"$eq": [1, 0]}},
        doc! {"$expr": {"$and": [{"$eq": [{"$literal": 2}, 2]}, {"$gt": [{"$literal": 1}, 3]}]}},
    ] {
        let (n, t) = time(f.clone());
        assert_eq!(n, 0, "{f}");
        assert!(t * 20 < scan, "{f}: {t:?} vs a scan's {scan:?}");
    }
}
