//! `$sort` + `$group` of `$first`s run as `first_of_groups.rs` against the two stages run one after the
//! other, on generated documents (equal keys of other numeric types, null, missing, arrays, strings a
//! computed group key fails on), sort directions, group keys, with and without a `$set` before the sort
//! (the segment's sink) and with memory limits the documents pass (the sort's 292, its spill).

use super::{NoCatalog, Pipeline};
use crate::engine::expr::Vars;
use crate::engine::memory::MemoryPolicy;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;
use std::sync::Arc;

fn value() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        4 => (0i32..4).prop_map(|n| Some(Bson::Int32(n))),
        1 => (0i64..4).prop_map(|n| Some(Bson::Int64(n))),
        1 => Just(Some(Bson::Double(1.0))),
        1 => Just(Some(Bson::Null)),
        1 => Just(None),
        1 => "[xy]".prop_map(|s| Some(Bson::String(s))),
        1 => prop::collection::vec((0i32..3).prop_map(Bson::Int32), 0..3)
            .prop_map(|a| Some(Bson::Array(a))),
    ]
}

fn docs() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((value(), value(), value()), 0..40).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (a, b, c))| {
                let mut d = doc! {"i": i as i32};
                for (k, v) in [("a", a), ("b", b), ("c", c)] {
                    if let Some(v) = v {
                        d.insert(k, v);
                    }
                }
                d
            })
            .collect()
    })
}

/// The group key: a field, the translator's DISTINCT ON document, or a computed value that fails on a
/// string or an array (the error the sorted walk meets first must be the one reported).
fn id(kind: u8) -> Bson {
    match kind {
        0 => bson!("$a"),
        1 => bson!({"g0": {"$ifNull": ["$a", null]}, "g1": {"$ifNull": ["$b", null]}}),
        _ => bson!({"$add": ["$a", 1]}),
    }
}

/// `[$set]`, `$sort`, `$group` of `$first`s, `$sort` of the groups (a stable order to compare by).
fn stages(set: bool, dirs: (i32, i32), kind: u8, field: bool) -> Vec<Bson> {
    let mut s = Vec::new();
    if set {
        s.push(bson!({"$set": {"__n0": {"$cond": [{"$eq": [{"$ifNull": ["$b", null]}, null]}, 1, 0]}, "__s0": "$b"}}));
        s.push(bson!({"$sort": {"__n0": 1, "__s0": dirs.0, "c": dirs.1}}));
    } else {
        s.push(bson!({"$sort": {"b": dirs.0, "c": dirs.1}}));
    }
    let first = if field {
        bson!({"$first": "$i"})
    } else {
        bson!({"$first": "$$ROOT"})
    };
    s.push(bson!({"$group": {"_id": id(kind), "r": first}}));
    s
}

fn vars(limit: Option<(usize, bool)>) -> Vars {
    let mut v = Vars::new(bson::DateTime::from_millis(0));
    if let Some((limit, allow)) = limit {
        v.memory = MemoryPolicy {
            sort_bytes: limit,
            allow_disk_use: allow,
            temp_dir: Arc::new(std::env::temp_dir().join(format!(
                "sqlmongo-first-of-groups-tests-{}",
                std::process::id()
            ))),
            ..v.memory.clone()
        };
    }
    v
}

/// The stages run one after the other (no fusion).
fn stage_by_stage(p: &Pipeline, input: Vec<Document>, vars: &Vars) -> Result<Vec<Document>, i32> {
    let mut docs = input;
    for s in &p.stages {
        docs = p.apply(s, docs, &NoCatalog, vars).map_err(|e| e.code)?;
    }
    Ok(docs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]
    #[test]
    fn first_of_groups_equals_sort_then_group(
        input in docs(),
        set in prop::bool::ANY,
        dirs in (prop_oneof![Just(1), Just(-1)], prop_oneof![Just(1), Just(-1)]),
        kind in 0u8..3,
        field in prop::bool::ANY,
        limit in prop_oneof![
            4 => Just(None),
            1 => (200usize..3000, prop::bool::ANY).prop_map(Some),
        ],
    ) {
        let p = Pipeline::compile(&stages(set, dirs, kind, field)).expect("compiles");
        let sort = if set { 1 } else { 0 };
        prop_assert!(p.first_of_groups_at(sort, p.stages.len()).is_some());
        let v = vars(limit);
        let fused = p.run(input.clone(), &NoCatalog, &v).map_err(|e| e.code);
        prop_assert_eq!(fused, stage_by_stage(&p, input, &v));
    }
}

/// DISTINCT ON's shape is taken; `$last`, a `$first` that may fail and a `$group` past the end are not.
#[test]
fn only_firsts_of_plain_reads_are_taken() {
    let p = Pipeline::compile(&stages(false, (1, 1), 1, false)).expect("compiles");
    assert!(p.first_of_groups_at(0, 2).is_some());
    assert!(
        p.first_of_groups_at(0, 1).is_none(),
        "the $group lies past the end"
    );
    let mut s = stages(false, (1, 1), 1, false);
    s[1] = bson!({"$group": {"_id": "$a", "r": {"$last": "$$ROOT"}}});
    let p = Pipeline::compile(&s).expect("compiles");
    assert!(p.first_of_groups_at(0, 2).is_none());
    s[1] = bson!({"$group": {"_id": "$a", "r": {"$first": {"$add": ["$c", 1]}}}});
    let p = Pipeline::compile(&s).expect("compiles");
    assert!(p.first_of_groups_at(0, 2).is_none());
    s[1] = bson!({"$group": {"_id": "$a", "r": {"$first": "$c"}, "n": {"$sum": 1}}});
    let p = Pipeline::compile(&s).expect("compiles");
    assert!(p.first_of_groups_at(0, 2).is_none());
}

/// The smallest key of each group wins, the earliest of equal keys, and the groups come in the order the
/// sorted stream shows them first.
#[test]
fn each_group_keeps_its_smallest_earliest_document() {
    let p = Pipeline::compile(&[
        bson!({"$sort": {"k": -1}}),
        bson!({"$group": {"_id": "$g", "r": {"$first": "$i"}}}),
    ])
    .expect("compiles");
    let input = vec![
        doc! {"g": 1, "k": 1, "i": 0},
        doc! {"g": 2, "k": 5, "i": 1},
        doc! {"g": 1, "k": 3, "i": 2},
        doc! {"g": 1, "k": 3, "i": 3},
        doc! {"g": 2, "k": 5.0, "i": 4},
        doc! {"g": 3, "k": 9, "i": 5},
    ];
    let out = p.run(input, &NoCatalog, &vars(None)).expect("runs");
    assert_eq!(
        out,
        vec![
            doc! {"_id": 3, "r": 5},
            doc! {"_id": 2, "r": 1},
            doc! {"_id": 1, "r": 2},
        ]
    );
}
