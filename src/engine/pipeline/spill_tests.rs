//! Spilling is invisible: an external sort is the in-memory stable sort, a spilled `$group` has the
//! in-memory groups (every accumulator), on generated documents with tiny memory limits; without
//! `allowDiskUse` the same limits fail with 292.

use super::group::Group;
use crate::engine::bson_order::compare;
use crate::engine::expr::Vars;
use crate::engine::memory::MemoryPolicy;
use crate::engine::sort::SortSpec;
use bson::{doc, Bson, Document};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

fn temp_dir() -> PathBuf {
    std::env::temp_dir().join(format!("sqlmongo-spill-tests-{}", std::process::id()))
}

fn vars(limit: usize, allow: bool) -> Vars {
    let mut v = Vars::new(bson::DateTime::from_millis(0));
    v.memory = MemoryPolicy {
        sort_bytes: limit,
        group_bytes: limit,
        window_bytes: limit,
        accumulator_bytes: limit,
        allow_disk_use: allow,
        temp_dir: Arc::new(temp_dir()),
    };
    v
}

fn value() -> impl Strategy<Value = Bson> {
    prop_oneof![
        (-3i32..4).prop_map(Bson::Int32),
        (-3i64..4).prop_map(Bson::Int64),
        (-6i32..7).prop_map(|h| Bson::Double(f64::from(h) / 2.0)),
        Just(Bson::Null),
        "[ab]{0,2}".prop_map(Bson::String),
        prop::collection::vec((0i32..3).prop_map(Bson::Int32), 0..3).prop_map(Bson::Array),
        (0i32..3).prop_map(|i| Bson::Document(doc! {"x": i})),
    ]
}

/// [`value`], and values whose order prefixes do not tell them apart: strings past 15 bytes sharing their
/// first 15, strings holding NUL bytes (`"a"` and `"a\0"`), 64-bit integers past 2^53, decimals.
fn prefix_value() -> impl Strategy<Value = Bson> {
    prop_oneof![
        4 => value(),
        1 => "[ab]{0,2}".prop_map(|t| Bson::String(format!("sess-0000000001{t}"))),
        1 => "[a\u{0}]{0,3}".prop_map(Bson::String),
        1 => (-2i64..3).prop_map(|d| Bson::Int64((1 << 60) + d)),
        1 => (-2i64..3).prop_map(|d| Bson::Double(((1i64 << 60) + d) as f64)),
        1 => Just(Bson::Decimal128(bson::Decimal128::from_bytes([0; 16]))),
    ]
}

fn docs() -> impl Strategy<Value = Vec<Document>> {
    let row = (
        prop::option::of(value()),
        prop::option::of(value()),
        0i32..6,
        prop::option::of(prop_oneof![
            (0i32..3).prop_map(|i| Bson::Document(doc! {"p": i})),
            (0i32..3).prop_map(|i| Bson::Document(doc! {"q": i, "p": -i})),
            Just(Bson::Null),
        ]),
    );
    prop::collection::vec(row, 0..80).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (a, v, n, o))| {
                let mut d = doc! {"_id": i as i64, "n": n};
                if let Some(a) = a {
                    d.insert("a", a);
                }
                if let Some(v) = v {
                    d.insert("v", v);
                }
                if let Some(o) = o {
                    d.insert("o", o);
                }
                d
            })
            .collect()
    })
}

fn sort_specs() -> impl Strategy<Value = Document> {
    prop_oneof![
        Just(doc! {"a": 1}),
        Just(doc! {"a": -1}),
        Just(doc! {"v": 1, "a": -1}),
        Just(doc! {"n": -1}),
    ]
}

/// Every accumulator, keyed by `$a` (mixed types, arrays, missing).
fn every_accumulator() -> Group {
    Group::compile(&doc! {
        "_id": "$a",
        "sum": {"$sum": "$v"}, "avg": {"$avg": "$v"}, "min": {"$min": "$v"}, "max": {"$max": "$v"},
        "first": {"$first": "$v"}, "last": {"$last": "$v"}, "push": {"$push": "$v"},
        "set": {"$addToSet": "$v"}, "count": {"$count": {}}, "one": {"$sum": 1},
        "sdp": {"$stdDevPop": "$n"}, "sds": {"$stdDevSamp": "$n"}, "merged": {"$mergeObjects": "$o"},
        "top": {"$top": {"sortBy": {"n": 1}, "output": "$v"}},
        "bottomN": {"$bottomN": {"n": 2, "sortBy": {"n": 1}, "output": ["$v", "$_id"]}},
        "firstN": {"$firstN": {"n": 2, "input": "$v"}}, "lastN": {"$lastN": {"n": 3, "input": "$v"}},
        "maxN": {"$maxN": {"n": 2, "input": "$v"}}, "minN": {"$minN": {"n": 2, "input": "$n"}},
    })
    .expect("compiles")
}

/// Groups in `_id` order, standard deviations rounded (a merge of Welford states may differ in the last
/// bits from the one-pass value).
fn normalized(mut out: Vec<Document>) -> Vec<Document> {
    out.sort_by(|a, b| {
        compare(
            a.get("_id").unwrap_or(&Bson::Null),
            b.get("_id").unwrap_or(&Bson::Null),
        )
    });
    for d in &mut out {
        for f in ["sdp", "sds"] {
            if let Some(Bson::Double(x)) = d.get(f) {
                let r = (x * 1e9).round() / 1e9;
                d.insert(f, Bson::Double(r));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The external merge sort is the stable in-memory sort (ties in input order, mixed types, arrays).
    #[test]
    fn external_sort_is_the_in_memory_sort(docs in docs(), spec in sort_specs(), limit in 1usize..3000) {
        let s = SortSpec::compile(&spec).expect("spec");
        let mut want = docs.clone();
        s.sort(&mut want).expect("sorts");
        let got = s.sort_bounded(docs, &vars(limit, true).memory).expect("sorts");
        prop_assert_eq!(got, want);
    }

    /// Sorting keyed entries by their first three key parts' prefixes, then the whole key, is the stable
    /// sort by `compare_keys` (mixed types, ties, both directions, past the size where prefixes are used,
    /// a group's equal leading parts).
    #[test]
    fn prefixed_entry_sort_is_the_key_sort(
        keys in prop::collection::vec(prop::collection::vec(prefix_value(), 3), 0..300),
        spec in prop_oneof![
            Just(doc! {"a": 1, "b": -1, "c": 1}),
            Just(doc! {"a": -1, "b": 1, "c": -1}),
            Just(doc! {"a": 1, "b": 1, "c": -1}),
        ],
        equal in 0usize..3,
    ) {
        let s = SortSpec::compile(&spec).expect("spec");
        let mut want: Vec<(Vec<Bson>, usize)> = keys
            .into_iter()
            .enumerate()
            .map(|(i, mut k)| {
                // A group of an incremental sort: the first parts equal in every entry.
                for part in k.iter_mut().take(equal) {
                    *part = Bson::String("g".into());
                }
                (k, i)
            })
            .collect();
        let mut got = want.clone();
        want.sort_by(|a, b| s.compare_keys(&a.0, &b.0));
        s.sort_entries(&mut got, equal).expect("sorts");
        prop_assert_eq!(got, want);
    }

    /// A bounded top-k that passes the limit is still the stable sort cut at k.
    #[test]
    fn bounded_top_is_sort_then_limit(docs in docs(), spec in sort_specs(), k in 1usize..90, limit in 1usize..3000) {
        let s = SortSpec::compile(&spec).expect("spec");
        let mut want = docs.clone();
        s.sort(&mut want).expect("sorts");
        want.truncate(k);
        let got = s.top_bounded(docs, k, &vars(limit, true).memory).expect("sorts");
        prop_assert_eq!(got, want);
    }

    /// A spilled grouping has the in-memory groups, every accumulator merged across runs.
    #[test]
    fn spilled_group_is_the_in_memory_group(docs in docs(), limit in 1usize..4000) {
        let g = every_accumulator();
        let want = g.run(docs.clone(), &vars(usize::MAX, true));
        let mut bounded = vars(limit, true);
        bounded.memory.accumulator_bytes = usize::MAX;
        let got = g.run(docs, &bounded);
        match (got, want) {
            (Ok(got), Ok(want)) => prop_assert_eq!(normalized(got), normalized(want)),
            (got, want) => prop_assert_eq!(got.err(), want.err()),
        }
    }
}

#[test]
fn past_the_limit_without_disk_use_is_292() {
    let docs: Vec<Document> = (0..200)
        .map(|i| doc! {"_id": i, "a": i % 50, "s": "x".repeat(100)})
        .collect();
    let s = SortSpec::compile(&doc! {"a": 1}).expect("spec");
    let e = s
        .sort_bounded(docs.clone(), &vars(4096, false).memory)
        .unwrap_err();
    assert_eq!(
        (e.code, e.code_name.as_str()),
        (292, "QueryExceededMemoryLimitNoDiskUseAllowed")
    );
    assert_eq!(
        e.errmsg,
        "Sort exceeded memory limit of 4096 bytes, but did not opt in to external sorting."
    );
    let e = s
        .top_bounded(docs.clone(), 100, &vars(4096, false).memory)
        .unwrap_err();
    assert_eq!(e.code, 292);
    // A small top-k stays within the limit.
    assert_eq!(
        s.top_bounded(docs.clone(), 2, &vars(4096, false).memory)
            .unwrap()
            .len(),
        2
    );
    let g = Group::compile(&doc! {"_id": "$_id", "s": {"$push": "$s"}}).expect("compiles");
    let e = g.run(docs.clone(), &vars(4096, false)).unwrap_err();
    assert_eq!(e.code, 292);
    assert_eq!(e.errmsg, "Exceeded memory limit for $group, but didn't allow external sort. Pass allowDiskUse:true to opt in.");
    // Under the limit nothing changes.
    assert_eq!(g.run(docs, &vars(usize::MAX, false)).unwrap().len(), 200);
}

#[test]
fn push_and_add_to_set_stop_at_the_accumulator_limit() {
    let docs: Vec<Document> = (0..400)
        .map(|i| doc! {"_id": i, "g": i % 2, "s": format!("{i:0>100}")})
        .collect();
    for op in ["$push", "$addToSet"] {
        let g = Group::compile(&doc! {"_id": "$g", "v": {op: "$s"}}).expect("compiles");
        let mut v = vars(usize::MAX, true);
        v.memory.accumulator_bytes = 8 * 1024;
        let e = g.run(docs.clone(), &v).unwrap_err();
        assert_eq!((e.code, e.code_name.as_str()), (146, "ExceededMemoryLimit"));
        assert_eq!(
            e.errmsg,
            format!("{op} used too much memory and cannot spill to disk. Memory limit: 8192 bytes")
        );
        // Each run stays under it when the grouping spills often; the merged values do not.
        let mut v = vars(4 * 1024, true);
        v.memory.accumulator_bytes = 8 * 1024;
        assert_eq!(g.run(docs.clone(), &v).unwrap_err().code, 146);
        v.memory.accumulator_bytes = usize::MAX;
        let out = g.run(docs.clone(), &v).expect("spills");
        assert_eq!(out.len(), 2);
    }
}

#[test]
fn spilling_counts_resident_bytes_and_292_counts_bson_bytes() {
    // 1,000 groups of small integer keys: ~85 kB of BSON, several times that in memory.
    let docs: Vec<Document> = (0..1000).map(|i| doc! {"k": i, "v": i}).collect();
    let g = Group::compile(&doc! {"_id": "$k", "n": {"$sum": "$v"}}).expect("compiles");
    let bson: usize = {
        let mut st = super::group::GroupState::new(&vars(usize::MAX, true));
        for d in &docs {
            g.step(&mut st, d, &vars(usize::MAX, true)).expect("steps");
        }
        assert!(
            st.resident > 2 * st.bytes,
            "{} vs {}",
            st.resident,
            st.bytes
        );
        st.bytes
    };
    // A limit between the two: with disk use the groups spill (and the result is unchanged) ...
    let limit = bson + bson / 2;
    let v = vars(limit, true);
    let mut st = super::group::GroupState::new(&v);
    for d in &docs {
        g.step(&mut st, d, &v).expect("steps");
    }
    assert!(st.spill.is_some(), "spilled by resident size");
    let spilled = normalized(g.finish(st, &v).expect("merges"));
    let in_memory = normalized(g.run(docs.clone(), &vars(usize::MAX, true)).expect("runs"));
    assert_eq!(spilled, in_memory);
    // ... and without it, what mongod would hold is within the limit: no 292.
    assert_eq!(
        g.run(docs.clone(), &vars(limit, false))
            .expect("runs")
            .len(),
        1000
    );
    // The same for a sort: spills by resident size, fails only past the BSON size.
    let s = SortSpec::compile(&doc! {"v": -1}).expect("spec");
    let sorted = s
        .sort_bounded(docs.clone(), &vars(usize::MAX, true).memory)
        .expect("sorts");
    let small = 60 * docs.len();
    assert_eq!(
        s.sort_bounded(docs.clone(), &vars(small, true).memory)
            .expect("spills"),
        sorted
    );
    assert_eq!(
        s.sort_bounded(docs.clone(), &vars(small, false).memory)
            .unwrap_err()
            .code,
        292
    );
}

/// The session-like rows the compact-form tests hold: ~1 KB each as built, ~150 bytes encoded.
fn session_rows(n: i64) -> Vec<Document> {
    (0..n)
        .map(|i| {
            doc! {
                "_id": i, "sid": format!("sess-{:06}", (i * 7919) % 1009), "user": format!("u{}", i % 7),
                "at": bson::DateTime::from_millis(i * 1000), "active": i % 2 == 0, "score": i as f64 / 3.0,
                "views": (i % 5) as i32, "key": {"n0": 0, "s0": format!("sess-{:06}", (i * 7919) % 1009)},
            }
        })
        .collect()
}

/// The resident bytes of `docs` held with their keys under `spec`: as built, and encoded.
fn held_sizes(docs: &[Document], spec: &SortSpec) -> (usize, usize) {
    let sizes = sizes_held(docs, spec);
    assert!(sizes.1 * 2 < sizes.0, "{sizes:?}");
    sizes
}

/// [`held_sizes`] of any documents.
fn sizes_held(docs: &[Document], spec: &SortSpec) -> (usize, usize) {
    use crate::engine::held::{key_resident, Held};
    use crate::engine::memory::ENTRY_OVERHEAD;
    let mut sizes = (0, 0);
    for d in docs {
        let k = key_resident(&spec.key(d)) + ENTRY_OVERHEAD;
        sizes.0 += k + Held::Doc(d.clone()).resident();
        sizes.1 += k + Held::encode(d).expect("encodes").resident();
    }
    sizes
}

/// Vars whose spill directory cannot be made: a stage that spills fails.
fn no_spill_vars(limit: usize) -> Vars {
    let mut v = vars(limit, true);
    v.memory.temp_dir = Arc::new(PathBuf::from("/dev/null/no-spill-here"));
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A sort past its limit as built and within it encoded holds its documents encoded and spills
    /// nothing: the stable in-memory sort.
    #[test]
    fn encoded_sort_is_the_in_memory_sort(docs in docs(), spec in sort_specs()) {
        let s = SortSpec::compile(&spec).expect("spec");
        let (plain, encoded) = sizes_held(&docs, &s);
        prop_assume!(plain > encoded);
        let mut want = docs.clone();
        s.sort(&mut want).expect("sorts");
        let got = s.sort_bounded(docs, &no_spill_vars(encoded).memory).expect("sorts in memory");
        prop_assert_eq!(got, want);
    }

    /// The same for `$setWindowFields`: its partitions held encoded give the outputs held as built.
    #[test]
    fn encoded_window_is_the_in_memory_window(docs in docs(), partitioned in any::<bool>(), desc in any::<bool>()) {
        let mut stage = doc! {
            "sortBy": {"a": if desc { -1 } else { 1 }, "_id": 1},
            "output": {"prev": {"$shift": {"output": "$v", "by": -1}}, "r": {"$rank": {}},
                       "s": {"$sum": "$n", "window": {"documents": [-1, 1]}}},
        };
        if partitioned {
            stage.insert("partitionBy", "$n");
        }
        let w = super::window::SetWindowFields::compile(&stage).expect("compiles");
        let (plain, encoded) =
            sizes_held(&docs, &SortSpec::compile(&doc! {"a": if desc { -1 } else { 1 }, "_id": 1}).expect("spec"));
        prop_assume!(plain > encoded);
        let want = w.run(docs.clone(), &vars(usize::MAX, true)).expect("runs");
        let got = w.run(docs, &no_spill_vars(encoded)).expect("runs encoded");
        prop_assert_eq!(got, want);
    }
}

#[test]
fn a_sort_past_its_limit_holds_its_documents_encoded_before_it_spills() {
    let docs = session_rows(400);
    let s = SortSpec::compile(&doc! {"sid": -1, "_id": 1}).expect("spec");
    let want = s
        .sort_bounded(docs.clone(), &vars(usize::MAX, true).memory)
        .expect("sorts");
    let run = |limit: usize, allow: bool| {
        let v = vars(limit, allow);
        let mut sorter = crate::engine::sort::Sorter::new(&s, &v.memory);
        for d in docs.clone() {
            sorter.push(d).expect("pushes");
        }
        let state = sorter.held_state();
        (state, sorter.finish().expect("finishes"))
    };
    // Within the limit as built: nothing changes.
    assert_eq!(run(usize::MAX, true), ((false, false), want.clone()));
    // Past it as built, within it encoded: held encoded, no spill, the same order (with or without disk
    // use: encoding is not spilling, and the 292 limit counts BSON bytes).
    let (plain, encoded) = held_sizes(&docs, &s);
    let limit = (plain + encoded) / 2;
    assert_eq!(run(limit, true), ((true, false), want.clone()));
    assert_eq!(run(limit, false), ((true, false), want.clone()));
    // Past it encoded: spilled runs of encoded documents, merged.
    assert_eq!(run(encoded / 3, true), ((true, true), want.clone()));
    // Keyed entries (a document that no longer holds its key) spill as `{k, d}` around the encoded bytes.
    let v = vars(encoded / 3, true);
    let mut sorter = crate::engine::sort::Sorter::new(&s, &v.memory);
    for mut d in docs.clone() {
        let key = vec![
            d.remove("sid").unwrap_or(Bson::Null),
            d.get("_id").cloned().unwrap_or(Bson::Null),
        ];
        sorter.push_keyed(key, d).expect("pushes");
    }
    assert_eq!(sorter.held_state(), (true, true));
    let mut got = Vec::new();
    sorter
        .finish_each_keyed(&mut |k, d| {
            got.push((k, d));
            Ok(())
        })
        .expect("merges");
    let want_keyed: Vec<(Vec<Bson>, Document)> = want
        .into_iter()
        .map(|mut d| {
            let k = vec![
                d.remove("sid").unwrap_or(Bson::Null),
                d.get("_id").cloned().unwrap_or(Bson::Null),
            ];
            (k, d)
        })
        .collect();
    assert_eq!(got, want_keyed);
}

#[test]
fn a_window_past_its_limit_holds_its_documents_encoded_before_it_spills() {
    let docs = session_rows(400);
    let w = super::window::SetWindowFields::compile(&doc! {
        "partitionBy": "$user", "sortBy": {"key": 1, "_id": 1},
        "output": {"prev": {"$shift": {"output": "$views", "by": -1}}, "n": {"$documentNumber": {}},
                   "sum": {"$sum": "$score", "window": {"documents": ["unbounded", "current"]}}},
    })
    .expect("compiles");
    let want = w.run(docs.clone(), &vars(usize::MAX, true)).expect("runs");
    let (plain, encoded) = held_sizes(
        &docs,
        &SortSpec::compile(&doc! {"key": 1, "_id": 1}).expect("spec"),
    );
    // Past the limit as built, within it encoded: no spill file is made (the spill directory cannot be
    // created: a spill would fail), the same outputs.
    let no_spill = |limit: usize| {
        let mut v = vars(limit, true);
        v.memory.temp_dir = Arc::new(PathBuf::from("/dev/null/no-spill-here"));
        w.run(docs.clone(), &v)
    };
    assert_eq!(no_spill((plain + encoded) / 2).expect("runs encoded"), want);
    assert!(
        no_spill(encoded / 2).is_err(),
        "spills past the encoded size"
    );
    // Past it encoded: spilled, the same outputs.
    assert_eq!(w.run(docs, &vars(encoded / 2, true)).expect("spills"), want);
}
