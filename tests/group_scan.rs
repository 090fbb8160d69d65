//! `[$match,] $group` over top-level fields runs on field values read straight from the stored BSON bytes
//! (`FieldValues` rows, `TopLevelFilter`, `Group::step_row`). These tests hold that path to the general one
//! (parsed documents, the compiled `Matcher`, `Group::step`) and to MongoDB's documented `$group` rules.
//!
//! The general path is forced by wrapping the `$match` filter in a one-branch `$or`: the row scan accepts
//! only conjunctions of top-level field predicates, so `{$or: [F]}` (same documents as `F`) always takes the
//! general path, while `F` itself takes the row path whenever the `$group` reads only top-level fields
//! and constants.

use bson::{doc, Bson, Document};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlmongo::engine::{Engine, EngineOptions};
use std::str::FromStr;

const DB: &str = "app";

fn engine() -> Engine {
    Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    })
}

fn insert(e: &Engine, docs: Vec<Document>) {
    if docs.is_empty() {
        // mongod refuses an empty batch (16 InvalidLength).
        return;
    }
    let docs: Vec<Bson> = docs.into_iter().map(Bson::Document).collect();
    if let Err(err) = e.run_command(DB, &doc! {"insert": "c", "documents": docs}) {
        panic!("insert failed: {err}");
    }
}

/// The aggregate's documents, or its error message.
fn aggregate(e: &Engine, pipeline: Vec<Document>) -> Result<Vec<Document>, String> {
    let stages: Vec<Bson> = pipeline.into_iter().map(Bson::Document).collect();
    let reply = e
        .run_command(
            DB,
            &doc! {"aggregate": "c", "pipeline": stages, "cursor": {"batchSize": 100_000}},
        )
        .map_err(|err| err.to_string())?;
    Ok(reply
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|a| a.iter().filter_map(|x| x.as_document().cloned()).collect())
        .unwrap_or_default())
}

/// Same documents as `[{$match: filter}, {$group: group}]`, through the general path.
fn general(e: &Engine, filter: &Document, group: &Document) -> Result<Vec<Document>, String> {
    aggregate(
        e,
        vec![
            doc! {"$match": {"$or": [filter.clone()]}},
            doc! {"$group": group.clone()},
        ],
    )
}

fn fast(e: &Engine, filter: &Document, group: &Document) -> Result<Vec<Document>, String> {
    aggregate(
        e,
        vec![
            doc! {"$match": filter.clone()},
            doc! {"$group": group.clone()},
        ],
    )
}

/// Results compared by their debug form: NaN equals NaN and -0.0 differs from 0.0, as types and bits
/// must agree too.
fn show(r: &Result<Vec<Document>, String>) -> String {
    format!("{r:?}")
}

fn dec(s: &str) -> Bson {
    match bson::Decimal128::from_str(s) {
        Ok(d) => Bson::Decimal128(d),
        Err(e) => panic!("decimal {s}: {e}"),
    }
}

/// A value of a mixed-type field: numbers of every type (NaN, -0.0, overflow-prone integers), strings
/// sharing prefixes, null, booleans, dates, arrays, subdocuments; `None` leaves the field missing.
fn value(rng: &mut StdRng) -> Option<Bson> {
    Some(match rng.random_range(0..22) {
        0 => return None,
        1 => Bson::Null,
        2 => Bson::Int32(rng.random_range(-3..4)),
        3 => Bson::Int32(if rng.random_bool(0.5) {
            i32::MAX
        } else {
            i32::MIN
        }),
        4 => Bson::Int64(rng.random_range(-3..4)),
        5 => Bson::Int64(if rng.random_bool(0.5) {
            i64::MAX
        } else {
            (1i64 << 53) + 1
        }),
        6 => Bson::Double(f64::from(rng.random_range(-6..7)) / 2.0),
        7 => Bson::Double(f64::NAN),
        8 => Bson::Double(-0.0),
        9 => Bson::Double(9_007_199_254_740_992.0),
        10 => dec(["1", "1.0", "-2.5", "0.3", "NaN"][rng.random_range(0..5)]),
        11 | 12 => Bson::String(
            ["a", "ab", "abc", "b", "", "A", "ab\u{e9}"][rng.random_range(0..7)].into(),
        ),
        13 => Bson::Boolean(rng.random_bool(0.5)),
        14 => Bson::DateTime(bson::DateTime::from_millis(rng.random_range(-2..3) * 1000)),
        15 => Bson::Array(vec![
            Bson::Int32(rng.random_range(0..3)),
            Bson::String("a".into()),
        ]),
        16 => Bson::Array(Vec::new()),
        17 => Bson::Document(doc! {"x": rng.random_range(0..2)}),
        18 => Bson::Undefined,
        19 => Bson::Symbol("ab".into()),
        20 => Bson::Int32(1),
        _ => Bson::Double(1.0),
    })
}

/// A literal operand for a predicate.
fn operand(rng: &mut StdRng) -> Bson {
    loop {
        if let Some(v) = value(rng) {
            if !matches!(v, Bson::Undefined | Bson::Symbol(_)) {
                return v;
            }
        }
    }
}

fn predicate(rng: &mut StdRng) -> Bson {
    let op = ["$eq", "$gt", "$gte", "$lt", "$lte", "$ne"][rng.random_range(0..6)];
    match rng.random_range(0..7) {
        0 => operand(rng),
        1 => Bson::Document(doc! {"$in": [operand(rng), operand(rng)]}),
        2 => Bson::Document(doc! {"$nin": [operand(rng)]}),
        3 => Bson::Document(doc! {"$exists": rng.random_bool(0.5)}),
        4 => Bson::Document(doc! {"$gte": operand(rng), "$lt": operand(rng)}),
        _ => {
            let mut d = Document::new();
            d.insert(op, operand(rng));
            Bson::Document(d)
        }
    }
}

fn filter(rng: &mut StdRng) -> Document {
    let mut f = Document::new();
    for field in ["a", "k", "v"] {
        if rng.random_bool(0.4) {
            f.insert(field, predicate(rng));
        }
    }
    if rng.random_bool(0.2) {
        f = doc! {"$and": [f, {"a": predicate(rng)}]};
    }
    f
}

fn group(rng: &mut StdRng) -> Document {
    let id = match rng.random_range(0..5) {
        0 => Bson::String("$a".into()),
        1 => Bson::Null,
        2 => Bson::Int32(7),
        _ => Bson::String("$k".into()),
    };
    let mut g = doc! {"_id": id};
    let accs = [
        "$sum",
        "$avg",
        "$min",
        "$max",
        "$first",
        "$last",
        "$push",
        "$addToSet",
        "$stdDevPop",
    ];
    for i in 0..rng.random_range(1..5) {
        let op = accs[rng.random_range(0..accs.len())];
        let arg = match rng.random_range(0..6) {
            0 => Bson::Int32(1),
            1 => Bson::String("$a".into()),
            2 => Bson::String("$missing".into()),
            _ => Bson::String("$v".into()),
        };
        let mut acc = Document::new();
        acc.insert(op, arg);
        g.insert(format!("f{i}"), acc);
    }
    if rng.random_bool(0.2) {
        g.insert("n", doc! {"$count": {}});
    }
    g
}

fn documents(rng: &mut StdRng, n: usize) -> Vec<Document> {
    (0..n)
        .map(|i| {
            let mut d = doc! {"_id": i as i64};
            // Field order varies, and a long string sometimes sits before the read fields.
            if rng.random_bool(0.3) {
                d.insert("pad", "x".repeat(rng.random_range(0..300)));
            }
            let mut fields = ["a", "k", "v"];
            if rng.random_bool(0.3) {
                fields.reverse();
            }
            for f in fields {
                if let Some(v) = value(rng) {
                    d.insert(f, v);
                }
            }
            d
        })
        .collect()
}

#[test]
fn row_path_agrees_with_the_general_path_on_mixed_types() {
    let seed: u64 = std::env::var("GROUP_SCAN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_123);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut compared = 0;
    for case in 0..60 {
        let e = engine();
        let n = rng.random_range(0..120);
        insert(&e, documents(&mut rng, n));
        for _ in 0..12 {
            let f = filter(&mut rng);
            let g = group(&mut rng);
            let want = general(&e, &f, &g);
            let got = fast(&e, &f, &g);
            assert_eq!(
                show(&got),
                show(&want),
                "seed {seed} case {case}: filter {f} group {g}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 720);
}

#[test]
fn many_string_groups_match_the_general_path() {
    // Past 16 groups, string keys are found by their bytes, other keys through the ordered index.
    let e = engine();
    let mut docs = Vec::new();
    for i in 0..400i64 {
        let k = match i % 5 {
            0 => Bson::String(format!("key-{}", i % 37)),
            1 => Bson::Symbol(format!("key-{}", i % 11)),
            2 => Bson::Int32((i % 13) as i32),
            3 => Bson::Double((i % 13) as f64),
            _ => Bson::String(format!("key-{}\u{e9}", i % 7)),
        };
        docs.push(doc! {"_id": i, "k": k, "v": i, "on": i % 3 != 0});
    }
    insert(&e, docs);
    let f = doc! {"on": true};
    let g = doc! {"_id": "$k", "n": {"$sum": 1}, "v": {"$sum": "$v"}, "first": {"$first": "$v"}};
    let want = general(&e, &f, &g);
    assert_eq!(show(&fast(&e, &f, &g)), show(&want));
    assert!(want.map(|d| d.len() > 16).unwrap_or(false));
}

fn grouped(e: &Engine, group: Document) -> Vec<Document> {
    match aggregate(
        e,
        vec![
            doc! {"$match": {"on": true}},
            doc! {"$group": group},
            doc! {"$sort": {"_id": 1}},
        ],
    ) {
        Ok(d) => d,
        Err(err) => panic!("aggregate failed: {err}"),
    }
}

#[test]
fn sum_of_int32_overflows_to_int64() {
    // MongoDB: $sum of int32 values that overflow int32 returns a long.
    let e = engine();
    insert(
        &e,
        vec![
            doc! {"_id": 1, "on": true, "v": i32::MAX},
            doc! {"_id": 2, "on": true, "v": 1},
            doc! {"_id": 3, "on": false, "v": 5},
        ],
    );
    let out = grouped(&e, doc! {"_id": null, "s": {"$sum": "$v"}});
    assert_eq!(
        out,
        vec![doc! {"_id": null, "s": Bson::Int64(2_147_483_648)}]
    );
}

#[test]
fn numerically_equal_keys_are_one_group_and_null_joins_missing() {
    // MongoDB groups by value comparison: 1, 1.0 and NumberLong(1) are one group (its _id the first seen),
    // and a missing _id field groups with null.
    let e = engine();
    insert(
        &e,
        vec![
            doc! {"_id": 1, "on": true, "k": 1, "v": 1},
            doc! {"_id": 2, "on": true, "k": 1.0, "v": 2},
            doc! {"_id": 3, "on": true, "k": 1i64, "v": 3},
            doc! {"_id": 4, "on": true, "k": null, "v": 4},
            doc! {"_id": 5, "on": true, "v": 5},
            doc! {"_id": 6, "on": true, "k": "abc", "v": 6},
            doc! {"_id": 7, "on": true, "k": "abcd", "v": 7},
            doc! {"_id": 8, "on": true, "k": "abc", "v": 8},
        ],
    );
    let out = grouped(
        &e,
        doc! {"_id": "$k", "n": {"$sum": 1}, "ids": {"$push": "$v"}, "avg": {"$avg": "$v"}},
    );
    assert_eq!(
        out,
        vec![
            doc! {"_id": null, "n": 2, "ids": [4, 5], "avg": 4.5},
            doc! {"_id": 1, "n": 3, "ids": [1, 2, 3], "avg": 2.0},
            doc! {"_id": "abc", "n": 2, "ids": [6, 8], "avg": 7.0},
            doc! {"_id": "abcd", "n": 1, "ids": [7], "avg": 7.0},
        ]
    );
}

#[test]
fn min_max_skip_null_and_first_keeps_missing_as_null() {
    // MongoDB: $min/$max ignore null and missing values; $first of a missing field is null.
    let e = engine();
    insert(
        &e,
        vec![
            doc! {"_id": 1, "on": true},
            doc! {"_id": 2, "on": true, "v": null},
            doc! {"_id": 3, "on": true, "v": 3},
            doc! {"_id": 4, "on": true, "v": "s"},
            doc! {"_id": 5, "on": true, "v": -1.5},
        ],
    );
    let out = grouped(
        &e,
        doc! {"_id": 0, "lo": {"$min": "$v"}, "hi": {"$max": "$v"}, "first": {"$first": "$v"},
        "last": {"$last": "$v"}, "sum": {"$sum": "$v"}, "n": {"$count": {}}},
    );
    assert_eq!(
        out,
        vec![
            doc! {"_id": 0, "lo": -1.5, "hi": "s", "first": null, "last": -1.5, "sum": 1.5, "n": 5}
        ]
    );
}

#[test]
fn filter_on_numbers_compares_across_types_and_not_across_brackets() {
    // MongoDB: $gte 0.2 matches numbers of any numeric type >= 0.2 and no string, null or missing; an array
    // matches when an element does.
    let e = engine();
    insert(
        &e,
        vec![
            doc! {"_id": 1, "on": true, "r": 0.2},
            doc! {"_id": 2, "on": true, "r": 1},
            doc! {"_id": 3, "on": true, "r": 0i64},
            doc! {"_id": 4, "on": true, "r": "1"},
            doc! {"_id": 5, "on": true, "r": null},
            doc! {"_id": 6, "on": true},
            doc! {"_id": 7, "on": true, "r": [0.1, 5]},
            doc! {"_id": 8, "on": true, "r": f64::NAN},
            doc! {"_id": 9, "on": 1, "r": 5},
            doc! {"_id": 10, "on": true, "r": dec("0.25")},
        ],
    );
    let out = match aggregate(
        &e,
        vec![
            doc! {"$match": {"on": true, "r": {"$gte": 0.2}}},
            doc! {"$group": {"_id": null, "ids": {"$push": "$_id"}}},
        ],
    ) {
        Ok(d) => d,
        Err(err) => panic!("aggregate failed: {err}"),
    };
    assert_eq!(out, vec![doc! {"_id": null, "ids": [1, 2, 7, 10]}]);
}

fn find_ids(e: &Engine, filter: &Document) -> Result<Vec<Bson>, String> {
    let reply = e
        .run_command(
            DB,
            &doc! {"find": "c", "filter": filter.clone(), "batchSize": 100_000},
        )
        .map_err(|err| err.to_string())?;
    Ok(reply
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_document().and_then(|d| d.get("_id")).cloned())
                .collect()
        })
        .unwrap_or_default())
}

#[test]
fn find_and_count_prefilter_agrees_with_the_general_matcher() {
    // find/count decide top-level filters on fields read from the bytes first; `{$or: [F]}` never does.
    let mut rng = StdRng::seed_from_u64(7);
    for case in 0..40 {
        let e = engine();
        let n = rng.random_range(0..100);
        insert(&e, documents(&mut rng, n));
        for _ in 0..10 {
            let f = filter(&mut rng);
            let general = doc! {"$or": [f.clone()]};
            assert_eq!(
                format!("{:?}", find_ids(&e, &f)),
                format!("{:?}", find_ids(&e, &general)),
                "case {case}: find {f}"
            );
            let count = |q: &Document| {
                e.run_command(DB, &doc! {"count": "c", "query": q.clone()})
                    .map(|r| r.get("n").cloned())
                    .map_err(|err| err.to_string())
            };
            assert_eq!(
                format!("{:?}", count(&f)),
                format!("{:?}", count(&general)),
                "case {case}: count {f}"
            );
        }
    }
}
