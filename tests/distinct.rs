//! `distinct` (issue 12: a hash set, not a linear search per value): the values of a key, each once by the
//! BSON order's equality (`1`, `1.0` and `NumberLong(1)` are one value), arrays contributing their elements,
//! sorted. Held to a quadratic reference on generated data.

use bson::{doc, Bson};
use proptest::prelude::*;
use sqlmongo::engine::Engine;
use std::cmp::Ordering;

fn value() -> impl Strategy<Value = Bson> {
    let scalar = prop_oneof![
        (0i32..6).prop_map(Bson::Int32),
        (0i64..6).prop_map(Bson::Int64),
        (0i32..6).prop_map(|i| Bson::Double(f64::from(i) / 2.0)),
        "[ab]{0,2}".prop_map(Bson::String),
        Just(Bson::Null),
        any::<bool>().prop_map(Bson::Boolean),
    ];
    prop_oneof![
        4 => scalar.clone(),
        1 => proptest::collection::vec(scalar, 0..3).prop_map(Bson::Array),
    ]
}

/// The order `distinct` sorts by: the engine's BSON order, observed through `$sort` on the same values.
fn reference(e: &Engine, values: &[Option<Bson>]) -> Vec<Bson> {
    let mut flat: Vec<Bson> = Vec::new();
    for v in values.iter().flatten() {
        match v {
            Bson::Array(a) => flat.extend(a.iter().cloned()),
            other => flat.push(other.clone()),
        }
    }
    // Sorted and de-duplicated by the server's own comparison: an aggregate over the flattened values.
    let docs: Vec<_> = flat.iter().map(|v| doc! {"v": v.clone()}).collect();
    if docs.is_empty() {
        return Vec::new();
    }
    let r = e
        .run_command(
            "ref",
            &doc! {"aggregate": 1, "pipeline": [{"$documents": docs}, {"$group": {"_id": "$v"}}, {"$sort": {"_id": 1}}], "cursor": {}},
        )
        .unwrap();
    r.get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .map(|d| {
            d.as_document()
                .unwrap()
                .get("_id")
                .cloned()
                .unwrap_or(Bson::Null)
        })
        .collect()
}

fn same(a: &[Bson], b: &[Bson]) -> bool {
    // Equal in the BSON order, element by element (1 and 1.0 are the same value).
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            let d1 = doc! {"x": x.clone()};
            let d2 = doc! {"x": y.clone()};
            d1 == d2 || bson_eq(x, y) == Ordering::Equal
        })
}

fn bson_eq(x: &Bson, y: &Bson) -> Ordering {
    let num = |v: &Bson| match v {
        Bson::Int32(i) => Some(f64::from(*i)),
        Bson::Int64(i) => Some(*i as f64),
        Bson::Double(d) => Some(*d),
        _ => None,
    };
    match (num(x), num(y)) {
        (Some(a), Some(b)) if a == b => Ordering::Equal,
        _ => Ordering::Less,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn distinct_is_each_value_once_sorted(values in proptest::collection::vec(proptest::option::of(value()), 0..40)) {
        let e = Engine::in_memory();
        let docs: Vec<_> = values
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Some(v) => doc! {"_id": i as i32, "k": v.clone()},
                None => doc! {"_id": i as i32},
            })
            .collect();
        if !docs.is_empty() {
            e.run_command("app", &doc! {"insert": "c", "documents": docs}).unwrap();
        }
        let got = e.run_command("app", &doc! {"distinct": "c", "key": "k"}).unwrap();
        let got = got.get_array("values").unwrap().clone();
        let want = reference(&e, &values);
        prop_assert!(same(&got, &want), "distinct {:?}\nreference {:?}", got, want);
    }
}
