//! Projection pushdown of `aggregate` (`[$match,] $project, ...` parses only the fields the projection
//! reads) against the general path (every field parsed), on generated documents and projections.

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
        1 => (leaf.clone(), leaf.clone()).prop_map(|(x, y)| Some(Bson::Document(doc! {"x": x, "y": y}))),
        1 => prop::collection::vec(leaf.prop_map(|x| Bson::Document(doc! {"x": x})), 0..3)
            .prop_map(|v| Some(Bson::Array(v))),
        1 => Just(None),
    ]
}

/// Projections of the shapes the translator emits and the forms that must read everything.
fn projections() -> Vec<Document> {
    vec![
        doc! {"_id": 0, "c0": "$a", "c1": {"$add": [{"$ifNull": ["$b", 0]}, 1]}},
        doc! {"_id": 0, "c0": "$a", "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$c", null]}, null]}, 1, 0]}, "__s0": "$c"},
        doc! {"a": 1, "c.x": 1},
        doc! {"b": true, "d": {"x": 1}},
        doc! {"_id": 0, "c.y": "$a"},
        doc! {"_id": 0, "k": {"$concat": [{"$toString": "$a"}, "-"]}, "l": {"$literal": "$b"}},
        doc! {"a": 0},
        doc! {"_id": 0, "r": "$$ROOT"},
        doc! {"_id": "$b", "s": {"$size": {"$ifNull": ["$d", []]}}},
        doc! {"_id": 0, "c0": "$a", "w": "$w", "r": "$r", "s": "$s"},
    ]
}

/// `$setWindowFields` stages of the translator's shapes, put before the projection: what they read (the
/// partition, the sort keys, the outputs' arguments) is parsed, nothing else.
fn windows() -> Vec<Bson> {
    vec![
        bson!({"$setWindowFields": {"partitionBy": "$b", "sortBy": {"a": 1},
            "output": {"w": {"$sum": "$c"}, "r": {"$rank": {}}}}}),
        bson!({"$setWindowFields": {"partitionBy": {"p0": {"$ifNull": ["$d", null]}}, "sortBy": {"_id": -1},
            "output": {"w": {"$push": "$a", "window": {"documents": [-1, 0]}},
                "s": {"$shift": {"output": "$c", "by": 1, "default": "$z"}}}}}),
        bson!({"$setWindowFields": {"output": {"w": {"$max": "$c.x"}}}}),
    ]
}

/// The first batch of an aggregate over `t.c` (every document: the batch is large), or its error message.
pub(super) fn run(e: &Engine, pipeline: Vec<Bson>) -> Result<Vec<Document>, String> {
    e.run_command(
        "t",
        &doc! {"aggregate": "c", "pipeline": pipeline, "cursor": {"batchSize": 1_000_000}},
    )
    .map(|reply| {
        reply
            .get_document("cursor")
            .and_then(|c| c.get_array("firstBatch"))
            .map(|a| a.iter().filter_map(|x| x.as_document().cloned()).collect())
            .unwrap_or_default()
    })
    .map_err(|e| e.errmsg)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The pushed-down projection gives the documents (and errors) of the projection over whole documents.
    #[test]
    fn pushed_down_projection_is_the_whole_document_projection(
        rows in prop::collection::vec(prop::collection::vec(value(), 5), 0..12),
        shape in 0..projections().len(),
        filtered in any::<bool>(),
        sorted in any::<bool>(),
        window in 0..=windows().len(),
        unioned in any::<bool>(),
    ) {
        let e = Engine::in_memory();
        e.run_command("t", &doc! {"create": "c"}).map_err(|e| TestCaseError::fail(e.errmsg))?;
        let docs: Vec<Document> = rows
            .into_iter()
            .enumerate()
            .map(|(i, vals)| {
                let mut d = doc! {"_id": i as i32};
                for (name, v) in ["a", "b", "c", "d", "z"].iter().zip(vals) {
                    if let Some(v) = v {
                        d.insert(*name, v);
                    }
                }
                d
            })
            .collect();
        if !docs.is_empty() {
            e.run_command("t", &doc! {"insert": "c", "documents": docs})
                .map_err(|e| TestCaseError::fail(e.errmsg))?;
        }
        let mut head = Vec::new();
        if filtered {
            head.push(bson!({"$match": {"z": {"$ne": 1}}}));
        }
        let mut tail: Vec<Bson> = windows().into_iter().skip(window).take(1).collect();
        tail.push(bson!({"$project": projections()[shape].clone()}));
        if sorted {
            tail.push(bson!({"$sort": {"_id": -1}}));
        }
        let mut pushed = head.clone();
        pushed.extend(tail.clone());
        // An identity `$replaceRoot` first: the scan cannot know what the stages read, so it parses whole
        // documents.
        let mut whole = head;
        whole.push(bson!({"$replaceRoot": {"newRoot": "$$ROOT"}}));
        whole.extend(tail);
        if unioned {
            // The same stages as a `$unionWith` sub-pipeline, after the collection's own documents.
            let union = |p: Vec<Bson>| vec![bson!({"$unionWith": {"coll": "c", "pipeline": p}})];
            prop_assert_eq!(run(&e, union(pushed)), run(&e, union(whole)));
            return Ok(());
        }
        prop_assert_eq!(run(&e, pushed), run(&e, whole));
    }
}

/// `find` projections: inclusion / rename / computed shapes (pushed down) and the forms that must read the
/// whole document (exclusion, `$slice`, `$elemMatch`, `$$ROOT`).
fn find_projections() -> Vec<Document> {
    let mut out = projections();
    out.extend([
        doc! {"_id": 0, "a": 1},
        doc! {"a": {"$slice": 1}},
        doc! {"a": {"$elemMatch": {"x": 1}}, "b": 1},
        doc! {"b": 1, "c": {"$slice": [0, 1]}},
    ]);
    out
}

fn find(e: &Engine, coll: &str, cmd: Document) -> Result<Vec<Document>, String> {
    let mut full = doc! {"find": coll, "batchSize": 1_000_000};
    full.extend(cmd);
    e.run_command("t", &full)
        .map(|reply| crate::engine::first_batch(&reply))
        .map_err(|e| e.errmsg)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A `find` with a projection parses only the fields the projection, the sort and the filter read; its
    /// documents (and errors) are those of the same `find` on a view of the collection, which parses whole
    /// documents.
    #[test]
    fn find_projection_pushdown_is_the_whole_document_find(
        rows in prop::collection::vec(prop::collection::vec(value(), 5), 0..12),
        shape in 0..find_projections().len(),
        filtered in any::<bool>(),
        sort in prop_oneof![Just(None), Just(Some(doc! {"b": 1})), Just(Some(doc! {"c.x": -1, "_id": 1}))],
        skip in 0i64..3,
        limit in 0i64..4,
    ) {
        let e = Engine::in_memory();
        e.run_command("t", &doc! {"create": "c"}).map_err(|e| TestCaseError::fail(e.errmsg))?;
        e.run_command("t", &doc! {"create": "v", "viewOn": "c", "pipeline": []})
            .map_err(|e| TestCaseError::fail(e.errmsg))?;
        let docs: Vec<Document> = rows
            .into_iter()
            .enumerate()
            .map(|(i, vals)| {
                let mut d = doc! {"_id": i as i32};
                for (name, v) in ["a", "b", "c", "d", "z"].iter().zip(vals) {
                    if let Some(v) = v {
                        d.insert(*name, v);
                    }
                }
                d
            })
            .collect();
        if !docs.is_empty() {
            e.run_command("t", &doc! {"insert": "c", "documents": docs})
                .map_err(|e| TestCaseError::fail(e.errmsg))?;
        }
        let mut cmd = doc! {"projection": find_projections()[shape].clone(), "skip": skip, "limit": limit};
        if filtered {
            cmd.insert("filter", doc! {"z": {"$ne": 1}});
        }
        if let Some(s) = sort {
            cmd.insert("sort", s);
        }
        prop_assert_eq!(find(&e, "c", cmd.clone()), find(&e, "v", cmd));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The translator's DISTINCT ON (`$sort`, `$group: {_id: key, __row: {$first: "$$ROOT"}}`, `$replaceRoot:
    /// {newRoot: "$__row"}`, then the select list) parses only the fields the key, the sort and the stages
    /// after the `$replaceRoot` read: its documents (and errors) are those of the same stages over whole
    /// documents.
    #[test]
    fn distinct_on_pushdown_is_the_whole_document_pipeline(
        rows in prop::collection::vec(prop::collection::vec(value(), 5), 0..12),
        shape in 0..projections().len(),
        filtered in any::<bool>(),
        last in any::<bool>(),
        with in any::<bool>(),
        // Without the sort, the grouping follows the scan (the streamed `[$match,] $group` path).
        sorted in any::<bool>(),
        key in prop_oneof![Just(bson!({"g0": {"$ifNull": ["$b", null]}})), Just(bson!("$c.x")), Just(bson!(null))],
    ) {
        let e = Engine::in_memory();
        e.run_command("t", &doc! {"create": "c"}).map_err(|e| TestCaseError::fail(e.errmsg))?;
        let docs: Vec<Document> = rows
            .into_iter()
            .enumerate()
            .map(|(i, vals)| {
                let mut d = doc! {"_id": i as i32};
                for (name, v) in ["a", "b", "c", "d", "z"].iter().zip(vals) {
                    if let Some(v) = v {
                        d.insert(*name, v);
                    }
                }
                d
            })
            .collect();
        if !docs.is_empty() {
            e.run_command("t", &doc! {"insert": "c", "documents": docs})
                .map_err(|e| TestCaseError::fail(e.errmsg))?;
        }
        let mut head = Vec::new();
        if filtered {
            head.push(bson!({"$match": {"z": {"$ne": 1}}}));
        }
        let op = if last { "$last" } else { "$first" };
        let replace = if with {
            bson!({"$replaceWith": "$__row"})
        } else {
            bson!({"$replaceRoot": {"newRoot": "$__row"}})
        };
        let mut tail = Vec::new();
        if sorted {
            tail.push(bson!({"$set": {"__s0": "$b", "__s1": "$a"}}));
            tail.push(bson!({"$sort": {"__s0": 1, "__s1": -1, "_id": 1}}));
        }
        tail.extend([
            bson!({"$group": {"_id": key, "__row": {op: "$$ROOT"}}}),
            replace,
            bson!({"$unset": ["__s0", "__s1"]}),
            bson!({"$project": projections()[shape].clone()}),
            bson!({"$sort": {"_id": 1}}),
        ]);
        let mut pushed = head.clone();
        pushed.extend(tail.clone());
        let mut whole = head;
        whole.push(bson!({"$replaceRoot": {"newRoot": "$$ROOT"}}));
        whole.extend(tail);
        prop_assert_eq!(run(&e, pushed), run(&e, whole));
    }
}

/// The DISTINCT ON shape reads the key and what follows its `$replaceRoot`; other `$group`s of `$$ROOT`
/// read every field.
#[test]
fn distinct_on_reads_the_key_and_the_select_list() {
    let stages = |group: Bson, next: Bson| {
        vec![
            bson!({"$sort": {"s": 1}}),
            bson!({"$group": group}),
            next,
            bson!({"$project": {"_id": 0, "c0": "$a"}}),
        ]
    };
    let mut out = Vec::new();
    assert!(crate::engine::fields::pipeline_fields(
        &stages(
            bson!({"_id": "$k", "__row": {"$first": "$$ROOT"}}),
            bson!({"$replaceRoot": {"newRoot": "$__row"}})
        ),
        &mut out
    ));
    assert_eq!(out, ["s", "k", "a"]);
    for (group, next) in [
        (
            bson!({"_id": "$k", "__row": {"$first": "$$ROOT"}, "n": {"$sum": 1}}),
            bson!({"$replaceRoot": {"newRoot": "$__row"}}),
        ),
        (
            bson!({"_id": "$k", "__row": {"$push": "$$ROOT"}}),
            bson!({"$replaceRoot": {"newRoot": "$__row"}}),
        ),
        (
            bson!({"_id": "$k", "__row": {"$first": "$$ROOT"}}),
            bson!({"$replaceRoot": {"newRoot": "$$ROOT"}}),
        ),
        (
            bson!({"_id": "$k", "__row": {"$first": "$$ROOT"}}),
            bson!({"$unwind": "$__row"}),
        ),
    ] {
        let mut out = Vec::new();
        assert!(
            !crate::engine::fields::pipeline_fields(&stages(group.clone(), next.clone()), &mut out),
            "{group} {next}"
        );
    }
}
