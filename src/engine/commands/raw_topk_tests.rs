//! The raw top-k (`raw_topk.rs`: `[$match,] [$set,] $sort, [$skip,] $limit` keyed from the stored bytes) against
//! the general path (the same stages after an identity `$replaceRoot`, which no fast path takes), on
//! generated documents: missing fields, null, undefined, arrays (empty too), mixed numeric types with equal
//! values, strings, embedded documents, equal keys, k larger than the collection, a skip past its end.

use super::pushdown_tests::run;
use crate::engine::Engine;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    let leaf = prop_oneof![
        (0i32..3).prop_map(Bson::Int32),
        (0i64..3).prop_map(Bson::Int64),
        prop_oneof![Just(1.0), Just(1.5), Just(-0.0)].prop_map(Bson::Double),
        Just(Bson::Null),
        Just(Bson::Undefined),
        prop_oneof![Just("a"), Just("b"), Just("")].prop_map(|s: &str| Bson::String(s.into())),
        any::<bool>().prop_map(Bson::Boolean),
    ];
    prop_oneof![
        6 => leaf.clone().prop_map(Some),
        1 => prop::collection::vec(leaf.clone(), 0..3).prop_map(|v| Some(Bson::Array(v))),
        1 => leaf.prop_map(|x| Some(Bson::Document(doc! {"x": x}))),
        2 => Just(None),
    ]
}

/// The translator's null flag of field `f`.
fn flag(f: &str) -> Bson {
    bson!({"$cond": [{"$eq": [{"$ifNull": [format!("${f}"), null]}, null]}, 1, 0]})
}

/// `$set` stages before the sort: the translator's flag + copy shapes, constants, and evaluated values
/// (`$add` fails on a string: the errors must be the same too).
fn sets() -> Vec<Option<Document>> {
    vec![
        None,
        Some(doc! {"__n0": flag("a"), "__s0": "$a"}),
        Some(
            doc! {"__n0": flag("a"), "__s0": "$a", "__n1": flag("b"), "__s1": "$b", "__s2": "$_id"},
        ),
        Some(doc! {"__s0": "$c", "k": 7, "t": "x"}),
        Some(doc! {"__s0": {"$add": [{"$ifNull": ["$b", 0]}, 1]}, "__n0": flag("c")}),
        Some(
            doc! {"__s0": {"$cond": [{"$eq": [{"$type": "$a"}, "string"]}, "$a", "$b"]}, "__s1": "$a"},
        ),
        Some(doc! {"a": "$b", "__n0": {"$size": {"$ifNull": ["$c", []]}}}),
    ]
}

/// Sort keys the stages give or the documents hold.
const KEYS: [&str; 8] = ["__n0", "__s0", "a", "b", "c", "__s1", "_id", "k"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The raw top-k gives the documents (and errors) of the general path's `$sort` + `$skip` + `$limit`.
    #[test]
    fn raw_top_k_is_the_general_sort_skip_limit(
        rows in prop::collection::vec(prop::collection::vec(value(), 4), 0..16),
        set in 0..sets().len(),
        keys in prop::collection::vec((0..KEYS.len(), any::<bool>()), 1..4),
        skip in prop::option::of(prop_oneof![3 => 0i64..3, 1 => 3i64..20]),
        limit in prop_oneof![3 => 1i64..4, 1 => 4i64..20],
        filtered in any::<bool>(),
        projected in any::<bool>(),
    ) {
        let e = Engine::in_memory();
        e.run_command("t", &doc! {"create": "c"}).map_err(|e| TestCaseError::fail(e.errmsg))?;
        let docs: Vec<Document> = rows
            .into_iter()
            .enumerate()
            .map(|(i, vals)| {
                let mut d = doc! {"_id": i as i32};
                for (name, v) in ["a", "b", "c", "z"].iter().zip(vals) {
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
        let mut tail = Vec::new();
        if let Some(s) = &sets()[set] {
            tail.push(bson!({"$set": s.clone()}));
        }
        let mut sort = Document::new();
        for (k, asc) in keys {
            sort.insert(KEYS[k], if asc { 1 } else { -1 });
        }
        tail.push(bson!({"$sort": sort}));
        if let Some(s) = skip {
            tail.push(bson!({"$skip": s}));
        }
        tail.push(bson!({"$limit": limit}));
        if projected {
            tail.push(bson!({"$project": {"_id": 0, "c0": "$a", "c1": "$_id", "c2": "$__s0"}}));
        }
        let mut raw = head.clone();
        raw.extend(tail.clone());
        let mut general = head;
        general.push(bson!({"$replaceRoot": {"newRoot": "$$ROOT"}}));
        general.extend(tail);
        prop_assert_eq!(run(&e, raw), run(&e, general));
    }
}
