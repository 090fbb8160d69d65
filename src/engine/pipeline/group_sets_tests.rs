//! The fused grouping sets (`group_sets.rs`) against the same stages behind a `$skip: 0` (the general path:
//! each document copied per set number by `$unwind`, then grouped), through the aggregate command, on
//! generated documents (numbers of mixed types, NULL, missing fields, strings, arrays), grouping sets (with
//! repeats and the empty set) and accumulators, with and without a leading `$match`; and the shapes the
//! fusion refuses.

use super::Pipeline;
use crate::engine::Engine;
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        3 => (0i32..3).prop_map(|i| Some(Bson::Int32(i))),
        1 => (0i64..3).prop_map(|i| Some(Bson::Int64(i))),
        1 => prop_oneof![Just(1.0), Just(2.5)].prop_map(|f| Some(Bson::Double(f))),
        1 => prop_oneof![Just("x"), Just("y")].prop_map(|s: &str| Some(Bson::String(s.into()))),
        1 => Just(Some(Bson::Null)),
        1 => (0i32..3).prop_map(|i| Some(Bson::Array(vec![Bson::Int32(i)]))),
        1 => Just(None),
    ]
}

fn docs() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((value(), value(), value()), 0..16).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (a, b, v))| {
                let mut d = doc! {"_id": i as i32};
                for (name, x) in [("a", a), ("b", b), ("v", v)] {
                    if let Some(x) = x {
                        d.insert(name, x);
                    }
                }
                d
            })
            .collect()
    })
}

/// The key expressions: two top-level fields as the translator groups them, and a computed one.
fn key(k: usize) -> Bson {
    match k {
        0 => bson::bson!({"$ifNull": ["$a", null]}),
        1 => bson::bson!({"$ifNull": ["$b", null]}),
        _ => bson::bson!({"$gt": ["$v", 1]}),
    }
}

fn accumulator() -> impl Strategy<Value = Document> {
    prop_oneof![
        Just(doc! {"$sum": 1}),
        Just(doc! {"$sum": "$v"}),
        Just(doc! {"$avg": "$v"}),
        Just(doc! {"$min": "$v"}),
        Just(doc! {"$max": "$v"}),
        Just(doc! {"$push": "$v"}),
        Just(doc! {"$first": "$v"}),
        Just(doc! {"$addToSet": "$a"}),
    ]
}

/// The translator's stages for grouping sets `sets` (indexes into [`key`]) of keys `keys`.
fn stages(keys: &[usize], sets: &[Vec<usize>], accs: &[Document]) -> Vec<Bson> {
    let numbers: Vec<Bson> = (0..sets.len() as i32).map(Bson::Int32).collect();
    let mut id = Document::new();
    for (i, &k) in keys.iter().enumerate() {
        let holding: Vec<Bson> = (0..sets.len())
            .filter(|&s| sets[s].contains(&i))
            .map(|s| Bson::Int32(s as i32))
            .collect();
        let e = if holding.len() == sets.len() {
            key(k)
        } else {
            bson::bson!({"$cond": [{"$in": ["$__gs", {"$literal": holding}]}, key(k), null]})
        };
        id.insert(format!("g{i}"), e);
    }
    id.insert("__gs", "$__gs");
    let mut group = doc! {"_id": id};
    for (j, a) in accs.iter().enumerate() {
        group.insert(format!("a{j}"), a.clone());
    }
    vec![
        Bson::Document(doc! {"$set": {"__gs": {"$literal": numbers}}}),
        Bson::Document(doc! {"$unwind": "$__gs"}),
        Bson::Document(doc! {"$group": group}),
        Bson::Document(doc! {"$project": {"k": "$_id", "a": "$$ROOT"}}),
    ]
}

fn aggregate(e: &Engine, stages: Vec<Bson>) -> Result<String, i32> {
    e.run_command(
        "t",
        &doc! {"aggregate": "f", "pipeline": stages, "cursor": {"batchSize": 10000}},
    )
    .map(|r| {
        format!(
            "{:?}",
            r.get_document("cursor")
                .and_then(|c| c.get_array("firstBatch"))
                .ok()
        )
    })
    .map_err(|e| e.code)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn fused_grouping_sets_equal_the_rows_copied_per_set(
        rows in docs(),
        keys in prop::sample::subsequence(vec![0usize, 1, 2], 1..=3),
        sets in prop::collection::vec(prop::collection::vec(0usize..3, 0..3), 1..5),
        accs in prop::collection::vec(accumulator(), 1..4),
        filter in prop::option::of(0i32..3),
    ) {
        let sets: Vec<Vec<usize>> = sets
            .into_iter()
            .map(|s| s.into_iter().filter(|&i| i < keys.len()).collect())
            .collect();
        let e = Engine::in_memory();
        e.run_command("t", &doc! {"create": "f"}).expect("create");
        if !rows.is_empty() {
            e.run_command("t", &doc! {"insert": "f", "documents": rows}).expect("insert");
        }
        let body = stages(&keys, &sets, &accs);
        let compiled = Pipeline::compile(&body).expect("compiles");
        prop_assert!(compiled.group_sets_at(0).is_some());
        let lead: Vec<Bson> = filter
            .map(|i| Bson::Document(doc! {"$match": {"a": {"$gte": i}}}))
            .into_iter()
            .collect();
        let fused = aggregate(&e, lead.iter().cloned().chain(body.iter().cloned()).collect());
        let general = aggregate(
            &e,
            std::iter::once(Bson::Document(doc! {"$skip": 0_i64}))
                .chain(lead)
                .chain(body)
                .collect(),
        );
        prop_assert_eq!(fused, general);
    }
}

/// Reading the unwound field but as the whole path, or the whole document, keeps the general path.
#[test]
fn fusion_refuses_other_reads_of_the_field() {
    let fused = |id: Bson, acc: Bson| {
        let p = Pipeline::compile(&[
            Bson::Document(doc! {"$set": {"__gs": {"$literal": [0, 1]}}}),
            Bson::Document(doc! {"$unwind": "$__gs"}),
            Bson::Document(doc! {"$group": {"_id": id, "n": acc}}),
        ])
        .expect("compiles");
        p.group_sets_at(0).is_some()
    };
    let sum = Bson::Document(doc! {"$sum": 1});
    assert!(fused(bson::bson!({"s": "$__gs", "a": "$a"}), sum.clone()));
    assert!(!fused(bson::bson!({"s": "$__gs.x"}), sum.clone()));
    assert!(!fused(bson::bson!({"s": "$$ROOT"}), sum.clone()));
    assert!(!fused(bson::bson!({"s": "$$CURRENT.__gs"}), sum.clone()));
    assert!(!fused(
        bson::bson!({"s": {"$getField": "__gs"}}),
        sum.clone()
    ));
    assert!(!fused(bson::bson!("$a"), bson::bson!({"$sum": "$__gs"})));
    assert!(!fused(bson::bson!("$a"), bson::bson!({"$first": "$$ROOT"})));
    // A `$literal` of the path is the string itself.
    assert!(fused(bson::bson!({"$literal": "$__gs"}), sum));
}
