//! A scan's rows projected straight into a select list that only reads (`pipeline/row_input.rs`: no document
//! of the scanned fields built) against the same stages behind a `$skip: 0` (whole documents parsed, each
//! stage run on them in turn), on generated documents (missing fields, nulls, arrays, embedded documents),
//! filters the row scan decides and ones it does not, projections of paths, dotted paths, NULL tests and
//! constants, with and without the translator's `ORDER BY` (`$sort` of the last fields + their `$unset`),
//! per-document stages after it, an index serving the sort's key, and the output kept as bytes from the
//! first to the last row. Embedded documents are decoded along the projection's paths only, the filter's
//! fields whole.

use super::scan_reads_tests::batch;
use crate::engine::Engine;
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        4 => (0i32..4).prop_map(|i| Some(Bson::Int32(i))),
        2 => prop_oneof![Just("a"), Just("b"), Just("B"), Just("")]
            .prop_map(|s: &str| Some(Bson::String(s.into()))),
        1 => (0i64..3).prop_map(|i| Some(Bson::Int64(i))),
        1 => Just(Some(Bson::Null)),
        1 => prop::collection::vec((0i32..4).prop_map(Bson::Int32), 0..3).prop_map(|v| Some(Bson::Array(v))),
        1 => (0i32..4).prop_map(|i| Some(Bson::Document(doc! {"c": i, "d": [i, "x"]}))),
        1 => (0i32..4).prop_map(|i| Some(Bson::Array(vec![
            Bson::Document(doc! {"c": i}),
            Bson::Document(doc! {"c": {"e": i}, "d": 1}),
            Bson::Int32(i),
        ]))),
        2 => Just(None),
    ]
}

fn docs() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((value(), value(), value(), value(), any::<bool>()), 0..16).prop_map(
        |rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (k, g, a, b, first))| {
                    // Documents of two shapes: field order differs between them.
                    let mut d = doc! {"_id": i as i32};
                    let order = match first {
                        true => [("k", k), ("g", g), ("a", a), ("b", b)],
                        false => [("b", b), ("a", a), ("g", g), ("k", k)],
                    };
                    for (name, v) in order {
                        if let Some(v) = v {
                            d.insert(name, v);
                        }
                    }
                    d
                })
                .collect()
        },
    )
}

/// Filters the row scan decides (top-level predicates) and one it does not (`$expr`: the general scan).
fn filter() -> impl Strategy<Value = Option<Document>> {
    prop_oneof![
        2 => Just(None),
        1 => (0i32..4).prop_map(|i| Some(doc! {"k": {"$gte": i}})),
        1 => (0i32..4).prop_map(|i| Some(doc! {"g": {"$ne": i}})),
        1 => (0i32..4).prop_map(|i| Some(doc! {"$expr": {"$eq": ["$k", i]}})),
        // A whole embedded document compared, which the projections read paths in.
        2 => (0i32..4).prop_map(|i| Some(doc! {"b": {"c": i, "d": [i, "x"]}})),
    ]
}

/// The NULL test of a path the translator writes for a nullable `ORDER BY` key.
fn null_flag(path: &str) -> Bson {
    Bson::Document(doc! {"$cond": [{"$eq": [{"$ifNull": [path, null]}, null]}, 1, 0]})
}

/// Select lists that only read, each with the sort of its last fields (`None`: no `ORDER BY`).
fn select() -> impl Strategy<Value = (Document, Option<Document>)> {
    prop_oneof![
        Just((doc! {"_id": 0, "c0": "$k", "c1": "$a"}, None)),
        Just((
            doc! {"_id": 0, "c0": "$b.c", "__s0": "$k"},
            Some(doc! {"__s0": 1})
        )),
        Just((
            doc! {"_id": 0, "c0": "$b.c", "c1": "$b", "c2": {"$literal": 7}},
            None
        )),
        Just((
            doc! {"_id": 0, "c0": "$a", "c1": "$k", "__s0": "$k"},
            Some(doc! {"__s0": 1})
        )),
        Just((
            doc! {"_id": 0, "c0": "$a", "__n0": null_flag("$g"), "__s0": "$g"},
            Some(doc! {"__n0": -1, "__s0": -1})
        )),
        Just((
            doc! {"_id": 0, "c0": "$b.d", "c1": "$g", "__n0": null_flag("$b.c"), "__s0": "$b.c", "__s1": "$a"},
            Some(doc! {"__n0": 1, "__s0": 1, "__s1": -1})
        )),
        Just((
            doc! {"c0": "$a", "c1": {"$literal": null}, "__s0": "$a", "__s1": "$_id"},
            Some(doc! {"__s0": 1, "__s1": 1})
        )),
        // Projections that compute (evaluated on the row's fields as a document).
        Just((
            doc! {"_id": 0, "c0": {"$add": ["$k", 1]}, "c1": {"$ifNull": ["$b.c", "none"]}},
            None
        )),
        Just((
            doc! {"_id": 0, "c0": {"$concat": [{"$toString": "$g"}, "-"]}, "c1": "$a",
            "__n0": null_flag("$k"), "__s0": {"$multiply": ["$k", -1]}},
            Some(doc! {"__n0": 1, "__s0": 1})
        )),
        Just((
            doc! {"c0": {"$type": "$b"}, "__s0": {"$toLower": {"$ifNull": ["$a", ""]}}, "__s1": "$_id"},
            Some(doc! {"__s0": -1, "__s1": 1})
        )),
        Just((
            doc! {"_id": 0, "c0": "$$ROOT", "__s0": "$g"},
            Some(doc! {"__s0": 1})
        )),
    ]
}

/// Per-document stages after the sort (or the select list).
fn after() -> impl Strategy<Value = Vec<Document>> {
    prop_oneof![
        3 => Just(vec![]),
        1 => Just(vec![doc! {"$project": {"c0": 1}}]),
        1 => Just(vec![doc! {"$match": {"c0": {"$ne": null}}}, doc! {"$set": {"x": 1}}]),
        // Stages the projected documents go through (a set operation, a grouping, a later sort).
        1 => Just(vec![
            doc! {"$unionWith": {"coll": "f", "pipeline": [{"$project": {"_id": 0, "c0": "$g"}}]}},
            doc! {"$group": {"_id": {"c0": "$c0"}, "n": {"$sum": 1}}},
            doc! {"$sort": {"_id": 1}},
        ]),
        1 => Just(vec![doc! {"$group": {"_id": "$c0", "m": {"$max": "$c1"}}}, doc! {"$sort": {"_id": -1}}]),
        1 => Just(vec![doc! {"$sort": {"c0": 1, "_id": 1}}, doc! {"$limit": 3_i64}]),
        1 => Just(vec![doc! {"$limit": 2_i64}]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn rows_projected_in_place_equal_stage_by_stage(
        rows in docs(),
        filter in filter(),
        (select, sort) in select(),
        after in after(),
        indexed in any::<bool>(),
        held in prop::option::of(0usize..4),
        as_rows in any::<bool>(),
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
        let run = |lead: bool| {
            let mut stages: Vec<Bson> = Vec::new();
            if lead {
                stages.push(Bson::Document(doc! {"$skip": 0_i64}));
            }
            if let Some(f) = &filter {
                stages.push(Bson::Document(doc! {"$match": f.clone()}));
            }
            stages.push(Bson::Document(doc! {"$project": select.clone()}));
            if let Some(s) = &sort {
                stages.push(Bson::Document(doc! {"$sort": s.clone()}));
                let keys: Vec<Bson> = s.keys().map(|k| Bson::String(k.clone())).collect();
                stages.push(Bson::Document(doc! {"$unset": keys}));
            }
            stages.extend(after.iter().cloned().map(Bson::Document));
            let cmd = doc! {"aggregate": "f", "pipeline": stages, "cursor": {"batchSize": 1000}};
            match as_rows && !lead {
                // Asked for as rows: the arrays made documents again under the reply's fields.
                true => batch(e.run_command_rows("t", &cmd).map(as_documents)),
                false => batch(e.run_command("t", &cmd)),
            }
        };
        crate::engine::pipeline::set_test_held_docs(held);
        let (fast, general) = (run(false), run(true));
        crate::engine::pipeline::set_test_held_docs(None);
        prop_assert_eq!(fast, general);
    }
}

/// A reply whose first batch may hold rows (arrays under the cursor's `fields`) with each row made the
/// document it stands for.
fn as_documents(mut reply: Document) -> Document {
    let Ok(cursor) = reply.get_document_mut("cursor") else {
        return reply;
    };
    let fields: Vec<String> = cursor
        .get_array("fields")
        .map(|f| {
            f.iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if let Ok(items) = cursor.get_array_mut("firstBatch") {
        for item in items.iter_mut() {
            if let Bson::Array(values) = item {
                let d: Document = fields.iter().cloned().zip(std::mem::take(values)).collect();
                *item = Bson::Document(d);
            }
        }
    }
    cursor.remove("fields");
    reply
}
