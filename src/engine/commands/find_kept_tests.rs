//! `find`'s stored-document results (`Results::Stored` / `Results::Kept`: the matching records handed to the
//! cursor, decoded when a batch hands them out, through a projection of top-level fields; in the order of a
//! walked index when one serves the sort) and the filter that reads embedded documents by type alone
//! (`{f: {$ne: null}}`: `FieldValues::shallow_documents`), against the general path: the same filter, sort,
//! skip, limit and projection as `aggregate` stages over parsed documents.

use crate::engine::Engine;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    let leaf = prop_oneof![
        (0i32..3).prop_map(Bson::Int32),
        Just(Bson::Null),
        prop_oneof![Just("a"), Just("b")].prop_map(|s: &str| Bson::String(s.into())),
    ];
    prop_oneof![
        3 => leaf.clone().prop_map(Some),
        1 => prop::collection::vec(leaf.clone(), 0..3).prop_map(|v| Some(Bson::Array(v))),
        2 => (leaf.clone(), leaf.clone()).prop_map(|(x, y)| Some(Bson::Document(doc! {"x": x, "y": y}))),
        1 => Just(Some(Bson::Document(Document::new()))),
        1 => prop::collection::vec(leaf.prop_map(|x| Bson::Document(doc! {"x": x})), 0..3)
            .prop_map(|v| Some(Bson::Array(v))),
        2 => Just(None),
    ]
}

/// Filters: by type alone on embedded documents (the shallow read), on their contents (decoded), and
/// others.
fn filters() -> Vec<Document> {
    vec![
        doc! {},
        doc! {"c": {"$ne": null}},
        doc! {"c": {"$exists": true}, "a": {"$gte": 1}},
        doc! {"c": {"$type": "object"}},
        doc! {"c": {"$not": {"$type": ["array", "string"]}}},
        doc! {"c": {"$eq": {"x": 1, "y": null}}},
        doc! {"c": {"$in": [null, {"x": 0, "y": 0}]}},
        doc! {"c": {"$gt": null}},
        doc! {"c": {"$lt": {"x": 1}}},
        doc! {"c": {"$ne": null}, "d": {"$ne": {"x": 2}}},
        doc! {"d": {"$size": 2}},
        doc! {"d": {"$elemMatch": {"x": 1}}},
        doc! {"c.x": {"$ne": null}},
    ]
}

/// Projections of top-level fields (the translator's select lists) and one that is not.
fn projections() -> Vec<Option<Document>> {
    vec![
        None,
        Some(doc! {"_id": 0, "a": 1, "c": 1}),
        Some(doc! {"c": true, "b": 1}),
        Some(doc! {"_id": 1}),
        Some(doc! {"d": 1, "_id": 1, "a": 1}),
        Some(doc! {"_id": 0, "e": 1}),
        Some(doc! {"_id": 0, "c.x": 1}),
    ]
}

fn first_batch(reply: &Document, key: &str) -> (Vec<Document>, i64) {
    let cursor = reply.get_document("cursor").cloned().unwrap_or_default();
    let docs = cursor
        .get_array(key)
        .map(|a| a.iter().filter_map(|x| x.as_document().cloned()).collect())
        .unwrap_or_default();
    (docs, cursor.get_i64("id").unwrap_or(0))
}

/// Every document of a `find`, read in batches of `batch`.
fn find_all(e: &Engine, cmd: Document) -> Result<Vec<Document>, String> {
    let reply = e.run_command("t", &cmd).map_err(|e| e.errmsg)?;
    let (mut out, mut id) = first_batch(&reply, "firstBatch");
    while id != 0 {
        let reply = e
            .run_command(
                "t",
                &doc! {"getMore": id, "collection": "c", "batchSize": 2},
            )
            .map_err(|e| e.errmsg)?;
        let (more, next) = first_batch(&reply, "nextBatch");
        out.extend(more);
        id = next;
    }
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// A find answers as the aggregate stages `$match`, `$sort`, `$skip`, `$limit`, `$project` do, with and
    /// without an index on the sort field, in batches.
    #[test]
    fn stored_find_results_equal_the_pipeline(
        rows in prop::collection::vec(prop::collection::vec(value(), 4), 0..14),
        ids in prop::collection::vec(0i32..1000, 14),
        filter in 0..filters().len(),
        projection in 0..projections().len(),
        sort in prop::option::of(any::<bool>()),
        index in any::<bool>(),
        skip in prop::option::of(0i64..4),
        limit in prop::option::of(0i64..5),
        batch in 1i32..4,
    ) {
        let e = Engine::in_memory();
        let mut docs = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let mut d = doc! {"_id": ids[i] * 100 + i as i32};
            for (name, v) in ["a", "b", "c", "d"].iter().zip(row) {
                if let Some(v) = v {
                    d.insert(*name, v.clone());
                }
            }
            docs.push(d);
        }
        if !docs.is_empty() {
            e.run_command("t", &doc! {"insert": "c", "documents": docs}).expect("insert");
        }
        if index {
            e.run_command("t", &doc! {"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1"}]})
                .expect("index");
        }
        let f = filters()[filter].clone();
        let p = projections()[projection].clone();
        let mut find = doc! {"find": "c", "filter": f.clone(), "batchSize": batch};
        let mut pipeline = vec![bson!({"$match": f})];
        if let Some(asc) = sort {
            let s = doc! {"a": if asc { 1 } else { -1 }};
            find.insert("sort", s.clone());
            pipeline.push(bson!({"$sort": s}));
        }
        if let Some(k) = skip {
            find.insert("skip", k);
            pipeline.push(bson!({"$skip": k}));
        }
        if let Some(n) = limit {
            find.insert("limit", n);
            if n > 0 {
                pipeline.push(bson!({"$limit": n}));
            }
        }
        if let Some(p) = &p {
            find.insert("projection", p.clone());
            pipeline.push(bson!({"$project": p.clone()}));
        }
        let got = find_all(&e, find);
        let want = e
            .run_command("t", &doc! {"aggregate": "c", "pipeline": pipeline, "cursor": {"batchSize": 1_000_000}})
            .map(|r| first_batch(&r, "firstBatch").0)
            .map_err(|e| e.errmsg);
        prop_assert_eq!(got, want);
    }
}
