//! A `$setWindowFields` followed by a `$set` that reads its outputs (computed once per run of documents that
//! repeat them, `window_chain.rs`) gives what the stages give one after the other, on generated documents:
//! NULL, missing, arrays and mixed numbers, large partitions with ties, whole-partition, running and sliding
//! frames, fields of the `$set` that read outputs only, other fields, or nothing, and writes over outputs.

use super::{NoCatalog, Pipeline};
use crate::engine::expr::Vars;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        4 => (0i32..4).prop_map(|n| Some(Bson::Int32(n))),
        1 => (0i64..4).prop_map(|n| Some(Bson::Int64(n))),
        1 => Just(Some(Bson::Double(1.5))),
        1 => Just(Some(Bson::Null)),
        1 => Just(None),
        1 => "[xy]".prop_map(|s| Some(Bson::String(s))),
        1 => prop::collection::vec((0i32..3).prop_map(Bson::Int32), 0..3)
            .prop_map(|a| Some(Bson::Array(a))),
    ]
}

fn docs() -> impl Strategy<Value = Vec<Document>> {
    // Few partition values (large partitions), a sort key with ties.
    let part = prop_oneof![
        3 => (0i32..2).prop_map(|n| Some(Bson::Int32(n))),
        1 => Just(Some(Bson::Double(1.0))),
        1 => Just(Some(Bson::Null)),
        1 => Just(None),
    ];
    prop::collection::vec((part, 0i32..6, value()), 0..70).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (p, k, v))| {
                let mut d = doc! {"_id": i as i32, "k": k};
                if let Some(p) = p {
                    d.insert("p", p);
                }
                if let Some(v) = v {
                    d.insert("v", v);
                }
                d
            })
            .collect()
    })
}

/// Window outputs: whole partition (several operators), running, peers of a running range, sliding.
fn outputs() -> Vec<(&'static str, Bson)> {
    vec![
        ("o0", bson!({"$push": ["$v"]})),
        (
            "o1",
            bson!({"$push": "$v", "window": {"documents": ["unbounded", "current"]}}),
        ),
        ("o2", bson!({"$sum": "$v"})),
        (
            "o3",
            bson!({"$push": {"$cond": [{"$eq": ["$v", null]}, [], ["$v"]]}, "window": {"range": ["unbounded", "current"]}}),
        ),
        (
            "o4",
            bson!({"$push": "$v", "window": {"documents": [-1, 1]}}),
        ),
        (
            "o5",
            bson!({"$addToSet": "$v", "window": {"documents": ["unbounded", "unbounded"]}}),
        ),
        ("o6", bson!({"$rank": {}})),
    ]
}

/// `$set` fields: the translator's reductions of an output, several outputs, another field, nothing.
fn set_fields() -> Vec<(&'static str, Bson)> {
    let flat = |f: &str| bson!({"$reduce": {"input": f, "initialValue": [], "in": {"$concatArrays": ["$$value", "$$this"]}}});
    vec![
        (
            "o0",
            bson!({"$let": {"vars": {"flat": flat("$o0")}, "in": {"$cond": [{"$gt": [{"$size": "$$flat"}, 0]}, "$$flat", null]}}}),
        ),
        (
            "o3",
            bson!({"$reduce": {"input": flat("$o3"), "initialValue": null, "in": {"$cond": [{"$eq": ["$$value", null]}, {"$toString": "$$this"}, {"$concat": ["$$value", ",", {"$toString": "$$this"}]}]}}}),
        ),
        ("s", bson!({"$size": "$o1"})),
        ("t", bson!({"$add": ["$o2", {"$size": "$o5"}]})),
        ("u", bson!({"$concatArrays": ["$o4", "$o5"]})),
        ("a", bson!({"$ifNull": ["$v", "$o2"]})),
        ("c", bson!({"$literal": 7})),
        (
            "m",
            bson!({"$cond": [{"$gt": ["$o2", 2]}, "$$REMOVE", "$o6"]}),
        ),
        ("o5.x", bson!(1)),
        ("o2", bson!({"$multiply": ["$o2", 2]})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn memoized_set_after_window_is_stage_by_stage(
        docs in docs(),
        outs in prop::collection::btree_set(0usize..7, 1..5),
        sets in prop::collection::vec(0usize..10, 1..5),
        partitioned in any::<bool>(),
        sorted in any::<bool>(),
        tail in 0usize..4,
    ) {
        let mut output = Document::new();
        let all = outputs();
        for &o in &outs {
            output.insert(all[o].0, all[o].1.clone());
        }
        let mut window = doc! {"output": output};
        if partitioned {
            window.insert("partitionBy", "$p");
        }
        // Ranks and bounded windows need `sortBy`; without it, the whole-partition outputs only.
        let needs_sort = outs.iter().any(|&o| matches!(o, 1 | 3 | 4 | 6));
        if sorted || needs_sort {
            window.insert("sortBy", doc! {"k": 1});
        }
        let mut set = Document::new();
        let fields = set_fields();
        for &f in &sets {
            // One write per top-level field (a path and its parent in one `$set` is mongod's error).
            let top = fields[f].0.split('.').next().unwrap_or_default();
            if set.keys().any(|k| k.split('.').next() == Some(top)) {
                continue;
            }
            set.insert(fields[f].0, fields[f].1.clone());
        }
        let mut stages = vec![bson!({"$setWindowFields": window}), bson!({"$set": set})];
        match tail {
            1 => stages.push(bson!({"$unset": ["o1", "k"]})),
            2 => stages.push(bson!({"$sort": {"_id": -1}})),
            3 => stages.extend([bson!({"$project": {"_id": 1, "o0": 1, "s": 1, "t": 1}}), bson!({"$sort": {"_id": -1}}), bson!({"$unset": "t"})]),
            _ => {}
        }
        let p = Pipeline::compile(&stages).expect("compiles");
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let got = p.run(docs.clone(), &NoCatalog, &vars);
        // The output path of a command (a closing sort's documents kept as bytes) gives the same.
        let output = p.run_output(0, docs.clone(), &NoCatalog, &vars, tail % 2 == 1).and_then(|o| o.into_docs());
        prop_assert_eq!(format!("{output:?}"), format!("{got:?}"));
        same_as_stage_by_stage(&p, &stages, docs, got, &vars)?;
    }
}

/// `got` (a pipeline's run over `docs`) against the pipeline's stages applied one after the other (each
/// stage's general path): the same documents, or the same error code.
pub(super) fn same_as_stage_by_stage(
    p: &Pipeline,
    stages: &[Bson],
    docs: Vec<Document>,
    got: Result<Vec<Document>, crate::engine::CommandError>,
    vars: &Vars,
) -> Result<(), TestCaseError> {
    let mut want = Ok(docs);
    for st in &p.stages {
        want = want.and_then(|d| p.apply(st, d, &NoCatalog, vars));
    }
    match (got, want) {
        (Ok(g), Ok(w)) => prop_assert_eq!(format!("{g:?}"), format!("{w:?}"), "{:?}", stages),
        (Err(g), Err(w)) => prop_assert_eq!(g.code, w.code),
        (g, w) => prop_assert!(
            false,
            "{:?}: {:?} vs {:?}",
            stages,
            g.map(|d| d.len()),
            w.map(|d| d.len())
        ),
    }
    Ok(())
}
