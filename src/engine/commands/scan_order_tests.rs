use super::sorted_by;
use crate::engine::commands::index_order::{Nulls, Order};
use crate::engine::Engine;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

fn flag(f: &str) -> Bson {
    bson!({"$cond": [{"$eq": [{"$ifNull": [format!("${f}"), null]}, null]}, 1, 0]})
}

fn order(field: &str, asc: bool, nulls: Nulls) -> Option<Order> {
    Some(Order {
        field: field.into(),
        asc,
        nulls,
    })
}

/// The translator's shapes are read as sorted by the stored field; order-dependent stages, rewritten
/// fields and a sort with a `$limit` after it are not.
#[test]
fn which_pipelines_sort_by_a_stored_field() {
    let by = |p: Vec<Bson>| sorted_by(&p, 0);
    // SELECT c, LENGTH(c) FROM t ORDER BY c (c nullable: the NULLS LAST pair)
    assert_eq!(
        by(vec![
            bson!({"$project": {"_id": 0, "c0": "$c", "c1": {"$strLenCP": "$c"}, "__n0": flag("c"), "__s0": "$c"}}),
            bson!({"$sort": {"__n0": 1, "__s0": 1}}),
            bson!({"$unset": ["__n0", "__s0"]}),
        ]),
        order("c", true, Nulls::Last)
    );
    assert_eq!(
        by(vec![
            bson!({"$project": {"_id": 0, "__n0": flag("c"), "__s0": "$c"}}),
            bson!({"$sort": {"__n0": -1, "__s0": -1}}),
        ]),
        order("c", false, Nulls::First)
    );
    // a plain key, renamed by an inclusion and a computed projection, after a filter
    assert_eq!(
        by(vec![
            bson!({"$match": {"v": {"$gt": 1}}}),
            bson!({"$project": {"c": 1, "v": 1}}),
            bson!({"$project": {"_id": 0, "x": "$c"}}),
            bson!({"$sort": {"x": -1, "v": 1}}),
        ]),
        order("c", false, Nulls::InOrder)
    );
    assert_eq!(
        by(vec![bson!({"$sort": {"c": 1}})]),
        order("c", true, Nulls::InOrder)
    );
    // copied before the field is unwound: still the stored value
    assert_eq!(
        by(vec![
            bson!({"$set": {"s": "$c"}}),
            bson!({"$unwind": "$c"}),
            bson!({"$sort": {"s": 1}}),
        ]),
        order("c", true, Nulls::InOrder)
    );
    for p in [
        // the sorted field rewritten, unwound, or computed
        vec![bson!({"$set": {"c": 1}}), bson!({"$sort": {"c": 1}})],
        vec![bson!({"$unwind": "$c"}), bson!({"$sort": {"c": 1}})],
        vec![
            bson!({"$project": {"s": {"$toLower": "$c"}}}),
            bson!({"$sort": {"s": 1}}),
        ],
        vec![
            bson!({"$project": {"s": "$c.x"}}),
            bson!({"$sort": {"s": 1}}),
        ],
        // gone from an inclusion projection
        vec![bson!({"$project": {"v": 1}}), bson!({"$sort": {"c": 1}})],
        // an order-dependent or blocking stage first
        vec![bson!({"$limit": 5}), bson!({"$sort": {"c": 1}})],
        vec![
            bson!({"$group": {"_id": "$c"}}),
            bson!({"$sort": {"_id": 1}}),
        ],
        // the top-k shape (index_topk.rs / index_order.rs)
        vec![bson!({"$sort": {"c": 1}}), bson!({"$limit": 3})],
        // a null flag of another field, or without its value key after it
        vec![
            bson!({"$project": {"__n0": flag("v"), "__s0": "$c"}}),
            bson!({"$sort": {"__n0": 1, "__s0": 1}}),
        ],
        vec![
            bson!({"$project": {"__n0": flag("c")}}),
            bson!({"$sort": {"__n0": 1}}),
        ],
    ] {
        assert_eq!(by(p.clone()), None, "{p:?}");
    }
}

fn key() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        4 => (0i32..5).prop_map(|i| Some(Bson::Int32(i))),
        1 => (0i64..3).prop_map(|i| Some(Bson::Int64(i))),
        1 => Just(Some(Bson::Double(2.0))),
        2 => prop_oneof![Just("a"), Just("b"), Just("B")].prop_map(|s: &str| Some(Bson::String(s.into()))),
        1 => Just(Some(Bson::Null)),
        2 => Just(None),
        1 => prop::collection::vec((0i32..4).prop_map(Bson::Int32), 0..3).prop_map(|v| Some(Bson::Array(v))),
    ]
}

/// The pipelines the test runs: the translator's select list with the NULLS placement pair, a plain key
/// renamed, the sort first, an unwind before the sort, a computed key (not reordered), each with or
/// without a leading filter.
fn pipeline(shape: u8, asc: bool, nulls_last: bool, filtered: bool) -> Vec<Bson> {
    let d = if asc { 1 } else { -1 };
    let n = if nulls_last { 1 } else { -1 };
    let mut p = Vec::new();
    if filtered {
        p.push(bson!({"$match": {"v": {"$gte": 1}}}));
    }
    match shape % 5 {
        0 => {
            p.push(bson!({"$project": {"_id": 0, "c0": "$v", "c1": "$_id", "__n0": flag("k"), "__s0": "$k"}}));
            p.push(bson!({"$sort": {"__n0": n, "__s0": d}}));
            p.push(bson!({"$unset": ["__n0", "__s0"]}));
        }
        1 => {
            p.push(bson!({"$project": {"_id": 0, "x": "$k", "v": 1}}));
            p.push(bson!({"$sort": {"x": d, "v": 1}}));
        }
        2 => p.push(bson!({"$sort": {"k": d}})),
        3 => {
            p.push(bson!({"$set": {"s": "$k"}}));
            p.push(bson!({"$unwind": {"path": "$t", "preserveNullAndEmptyArrays": true}}));
            p.push(bson!({"$sort": {"s": d}}));
        }
        _ => {
            p.push(bson!({"$project": {"x": {"$ifNull": ["$k", 9]}}}));
            p.push(bson!({"$sort": {"x": d}}));
        }
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A scan in index order ahead of the sort gives the documents, in the order, of the natural-order scan
    /// on the same collection without the index (ties in natural order; arrays, sparse indexes and the
    /// shapes it does not read fall back to natural order).
    #[test]
    fn scan_in_index_order_equals_the_natural_scan(
        rows in prop::collection::vec((key(), 0i32..3, 0usize..3), 0..40),
        shape in 0u8..5,
        asc in any::<bool>(),
        nulls_last in any::<bool>(),
        filtered in any::<bool>(),
        sparse in any::<bool>(),
        big in prop::bool::weighted(0.05),
    ) {
        let with = Engine::in_memory();
        let without = Engine::in_memory();
        // Beyond one chunk of the sort (ops::SORT_CHUNK), where its one-pass test of the input applies.
        let copies = if big { 1 + crate::engine::ops::SORT_CHUNK / rows.len().max(1) } else { 1 };
        let docs: Vec<Document> = (0..copies)
            .flat_map(|c| {
                let n = rows.len();
                rows.iter().enumerate().map(move |(i, r)| (c * n + i, r))
            })
            .map(|(i, (k, v, t))| {
                let mut d = doc! {"_id": i as i32, "v": *v};
                if let Some(k) = k {
                    d.insert("k", k.clone());
                }
                d.insert("t", (0..*t as i32).collect::<Vec<i32>>());
                d
            })
            .collect();
        for e in [&with, &without] {
            e.run_command("t", &doc! {"create": "c"}).expect("create");
            if !docs.is_empty() {
                e.run_command("t", &doc! {"insert": "c", "documents": docs.clone()}).expect("insert");
            }
        }
        with.run_command(
            "t",
            &doc! {"createIndexes": "c", "indexes": [{"key": {"k": 1}, "name": "k_1", "sparse": sparse}]},
        )
        .expect("index");
        let p = pipeline(shape, asc, nulls_last, filtered);
        let got = super::super::pushdown_tests::run(&with, p.clone());
        let want = super::super::pushdown_tests::run(&without, p.clone());
        prop_assert_eq!(got, want, "{:?}", p);
    }
}
