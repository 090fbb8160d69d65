//! The first-of-peers pair of `$setWindowFields` run as one (`window_peers.rs`) gives what the two stages
//! give one after the other, on generated documents: partitions of NULL, missing and mixed numbers, sort
//! fields of ties, NULL, mixed numbers, strings (under a case-insensitive collation too) and, rarely, an
//! array (the pair is then run stage by stage), every direction, with and without `partitionBy`, the
//! translator's `$denseRank` / peers `$sum` after it or a closing sort, and a memory limit the second stage
//! alone passes.

use super::window::{PeerFirst, SetWindowFields};
use super::{NoCatalog, Pipeline};
use crate::engine::expr::Vars;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        4 => (0i32..3).prop_map(|n| Some(Bson::Int32(n))),
        1 => (0i64..3).prop_map(|n| Some(Bson::Int64(n))),
        1 => Just(Some(Bson::Double(1.0))),
        1 => Just(Some(Bson::Double(f64::NAN))),
        2 => Just(Some(Bson::Null)),
        1 => Just(None),
        2 => prop_oneof![Just("a"), Just("A"), Just("b")].prop_map(|s| Some(Bson::String(s.into()))),
    ]
}

fn docs() -> impl Strategy<Value = Vec<Document>> {
    let part = prop_oneof![
        3 => (0i32..2).prop_map(|n| Some(Bson::Int32(n))),
        1 => Just(Some(Bson::Double(1.0))),
        1 => Just(Some(Bson::Null)),
        1 => Just(None),
    ];
    (
        prop::collection::vec((part, value(), value(), 0i32..4), 0..80),
        0usize..120,
    )
        .prop_map(|(rows, array_at)| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (p, a, b, v))| {
                    let mut d = doc! {"_id": i as i32, "v": v};
                    for (name, x) in [("p", p), ("a", a), ("b", b)] {
                        if let Some(x) = x {
                            d.insert(name, x);
                        }
                    }
                    // Rarely an array in a sort field: the pair then runs stage by stage.
                    if i == array_at {
                        d.insert("b", vec![Bson::Int32(2), Bson::Int32(0)]);
                    }
                    d
                })
                .collect()
        })
}

/// The translator's key document: a NULL flag and the value of `a`, the value of `b`.
fn key_stage() -> Bson {
    bson!({"$set": {"__k": {
        "n0": {"$cond": [{"$eq": [{"$ifNull": ["$a", null]}, null]}, 1, 0]},
        "s0": {"$ifNull": ["$a", null]},
        "s1": "$b",
    }}})
}

/// The pair (`dirs`: the sort fields' directions) and what follows it.
fn stages(partitioned: bool, dirs: [i32; 3], tail: usize) -> Vec<Bson> {
    let part = bson!({"p0": {"$ifNull": ["$p", null]}});
    let mut first = doc! {
        "sortBy": {"__k.n0": dirs[0], "__k.s0": dirs[1], "__k.s1": dirs[2]},
        "output": {"__n": {"$documentNumber": {}}},
    };
    let mut second = doc! {"output": {"__r": {"$min": "$__n"}}};
    if partitioned {
        first.insert("partitionBy", part.clone());
        second.insert("partitionBy", doc! {"p": part.clone(), "k": "$__k"});
    } else {
        second.insert("partitionBy", "$__k");
    }
    let mut out = vec![
        key_stage(),
        bson!({"$setWindowFields": first}),
        bson!({"$setWindowFields": second}),
    ];
    let mut third = |output: Bson| {
        let mut w = doc! {"sortBy": {"__r": 1}, "output": output};
        if partitioned {
            w.insert("partitionBy", part.clone());
        }
        out.push(bson!({"$setWindowFields": w}));
    };
    match tail {
        1 => third(bson!({"dr": {"$denseRank": {}}})),
        2 => third(bson!({"s": {"$sum": "$v", "window": {"range": ["unbounded", "current"]}}})),
        3 => {
            out.push(bson!({"$set": {"r": "$__r"}}));
            out.push(bson!({"$project": {"_id": 1, "r": 1, "__n": 1}}));
            out.push(bson!({"$sort": {"_id": 1}}));
        }
        _ => {}
    }
    out
}

fn direction() -> impl Strategy<Value = i32> {
    prop_oneof![Just(1), Just(-1)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn peer_pair_is_the_two_stages(
        docs in docs(),
        partitioned in any::<bool>(),
        dirs in [direction(), direction(), direction()],
        tail in 0usize..4,
        collated in any::<bool>(),
        limit in prop_oneof![Just(usize::MAX), 4_000usize..16_000],
    ) {
        let stages = stages(partitioned, dirs, tail);
        let p = Pipeline::compile(&stages).expect("compiles");
        let mut vars = Vars::new(bson::DateTime::from_millis(0));
        vars.memory.window_bytes = limit;
        let collation = crate::engine::collation::Collation::parse_doc(&doc! {"locale": "en", "strength": 2})
            .expect("collation");
        let _scope = collated.then(|| crate::engine::collation::enter(collation));
        let got = p.run(docs.clone(), &NoCatalog, &vars);
        super::window_chain_tests::same_as_stage_by_stage(&p, &stages, docs, got, &vars)?;
    }
}

/// The translator's pair is planned as one (with and without `partitionBy`); a pair of another shape is not.
#[test]
fn the_translator_pair_is_planned() {
    for partitioned in [false, true] {
        let s = stages(partitioned, [1, -1, 1], 0);
        let w = SetWindowFields::compile(
            s[1].as_document()
                .and_then(|d| d.get_document("$setWindowFields").ok())
                .expect("stage"),
        )
        .expect("compiles");
        let plan = PeerFirst::plan(&w, &s[1], &s[2]).expect("planned");
        assert!(plan.applies(&[doc! {"__k": {"n0": 0, "s0": "x", "s1": Bson::Null}}]));
        assert!(!plan.applies(&[doc! {"__k": {"n0": 0, "s0": "x", "s1": [1]}}]));
        assert!(!plan.applies(&[doc! {"__k": {"n0": 0, "s1": 1}}]));
        // Another `$min` argument, another partition: not the pair.
        let other =
            bson!({"$setWindowFields": {"partitionBy": "$__k", "output": {"__r": {"$min": "$v"}}}});
        assert!(PeerFirst::plan(&w, &s[1], &other).is_none());
        let other = bson!({"$setWindowFields": {"partitionBy": {"p": "$x", "k": "$__k"}, "output": {"__r": {"$min": "$__n"}}}});
        assert!(PeerFirst::plan(&w, &s[1], &other).is_none());
    }
}

/// Ties of the whole key share the first document's number, in the order of the key's runs.
#[test]
fn peers_take_the_first_number() {
    let docs: Vec<Document> = [(1, 5), (1, 7), (2, 5), (1, 7), (2, 5)]
        .iter()
        .enumerate()
        .map(|(i, (a, b))| doc! {"_id": i as i32, "a": *a, "b": *b})
        .collect();
    let p = Pipeline::compile(&stages(false, [1, 1, -1], 3)).expect("compiles");
    let out = p
        .run(docs, &NoCatalog, &Vars::new(bson::DateTime::from_millis(0)))
        .expect("runs");
    let ranks: Vec<(i32, i64)> = out
        .iter()
        .map(|d| (d.get_i32("_id").unwrap_or(-1), d.get_i64("r").unwrap_or(-1)))
        .collect();
    // Sorted by a ascending, b descending: (1,7) (1,7) (1,5) (2,5) (2,5).
    assert_eq!(ranks, vec![(0, 3), (1, 1), (2, 4), (3, 1), (4, 4)]);
}
