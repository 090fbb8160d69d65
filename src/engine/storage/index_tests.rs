//! Unit tests of [`super`] (the index module): index keys, entries and their sharing.

use super::*;
use bson::doc;

/// The records of one key share one allocation of it, whether added one by one or rebuilt; a key
/// equal in the BSON order but of another type (`1` and `1.0`) keeps its own, so each record's key
/// reads back as it was written.
#[test]
fn records_of_one_key_share_its_allocation() {
    let mut ix = Index::from_spec(&doc! {"key": {"k": 1}, "name": "k_1"}).expect("spec");
    let stored = Stored::new(bson::rawdoc! {});
    for (rid, v) in [
        (1, Bson::from("a")),
        (2, Bson::from("a")),
        (3, Bson::from("a")),
    ] {
        ix.add(rid, ix.keys_for(&doc! {"k": v}), &stored);
    }
    ix.add(4, ix.keys_for(&doc! {"k": 1}), &stored);
    ix.add(5, ix.keys_for(&doc! {"k": 1.0}), &stored);
    let keys: Vec<(Arc<[Bson]>, RecordId)> = ix.walk(true).map(|(k, r)| (k.0.clone(), r)).collect();
    assert_eq!(
        keys.iter().map(|(_, r)| *r).collect::<Vec<_>>(),
        [4, 5, 1, 2, 3]
    );
    assert!(!Arc::ptr_eq(&keys[0].0, &keys[1].0));
    assert_eq!(keys[1].0[0], Bson::Double(1.0));
    assert!(Arc::ptr_eq(&keys[2].0, &keys[3].0) && Arc::ptr_eq(&keys[3].0, &keys[4].0));
    let mut records = Records::default();
    for (rid, v) in [(1, "a"), (2, "a"), (3, "b")] {
        records.insert(rid, Stored::new(bson::rawdoc! {"k": v}));
    }
    ix.rebuild(&records).expect("rebuild");
    let keys: Vec<Arc<[Bson]>> = ix.walk(true).map(|(k, _)| k.0.clone()).collect();
    assert!(Arc::ptr_eq(&keys[0], &keys[1]) && !Arc::ptr_eq(&keys[1], &keys[2]));
}

/// A borrowed-string probe finds what the same key as a `Bson` finds, on the hashed map and, once a
/// decimal key has moved the index to its ordered map, there too.
#[test]
fn string_probes_agree_with_value_probes() {
    let mut ix = Index::from_spec(&doc! {"key": {"k": 1}, "name": "k_1"}).expect("spec");
    let keys = ["a", "b", "", "sess-00000001", "a"];
    let stored = Stored::new(bson::rawdoc! {});
    for (rid, k) in keys.iter().enumerate() {
        let keys = ix.keys_for(&doc! {"k": *k});
        ix.add(rid as RecordId, keys, &stored);
    }
    ix.add(9, ix.keys_for(&doc! {"k": 1}), &stored);
    let check = |ix: &Index| {
        for k in ["a", "b", "", "sess-00000001", "absent", "1"] {
            let by_str: Vec<_> = ix.lookup_key(KeyRef::Str(k)).collect();
            let by_value: Vec<_> = ix.lookup(&Bson::String(k.into())).collect();
            assert_eq!(by_str, by_value, "{k:?}");
            let want = keys.iter().filter(|x| **x == k).count();
            assert_eq!(by_str.len(), want, "{k:?}");
        }
    };
    check(&ix);
    let dec = bson::Decimal128::from_bytes([0; 16]);
    ix.add(10, ix.keys_for(&doc! {"k": dec}), &stored);
    assert!(ix.unhashable);
    check(&ix);
}

/// A key of the generated index tests: numbers of three types that are equal in the BSON order (`1`, `1L`,
/// `1.0`), a fraction, NaN, strings, null, a date and a decimal (which the probe table cannot hash).
fn key_value() -> impl proptest::strategy::Strategy<Value = Bson> {
    use proptest::prelude::*;
    prop_oneof![
        (0i32..4).prop_map(Bson::Int32),
        (0i64..4).prop_map(Bson::Int64),
        (0i32..4).prop_map(|i| Bson::Double(f64::from(i))),
        Just(Bson::Double(1.5)),
        Just(Bson::Double(f64::NAN)),
        "[ab]{0,2}".prop_map(Bson::String),
        Just(Bson::Null),
        Just(Bson::DateTime(bson::DateTime::from_millis(1))),
        Just(Bson::Decimal128(bson::Decimal128::from_bytes([0; 16]))),
    ]
}

proptest::proptest! {
    /// `conflict` (which answers from the probe table when no record holds a key of that hash) finds a
    /// record holding a key equal in the BSON order exactly when one exists, other than `except`; and
    /// `add` (which skips the search for an allocation to share when the probe says the key is new) keeps
    /// every (key, record) entry as written. Adds and removes are generated, unique and multikey.
    #[test]
    fn conflicts_and_entries_agree_with_a_model(
        ops in proptest::collection::vec(
            (proptest::bool::weighted(0.8), proptest::collection::vec(key_value(), 1..3), 0u64..12),
            1..40,
        ),
        probes in proptest::collection::vec(key_value(), 1..8),
    ) {
        use crate::engine::bson_order::compare;
        use std::cmp::Ordering;
        let mut ix = Index::from_spec(&doc! {"key": {"k": 1}, "name": "k_1"}).expect("spec");
        let stored = Stored::new(bson::rawdoc! {});
        // record -> the keys it was added with
        let mut model: std::collections::BTreeMap<RecordId, Vec<IndexKey>> = Default::default();
        for (add, values, rid) in ops {
            if add {
                if model.contains_key(&rid) {
                    continue;
                }
                let v = if values.len() == 1 { values[0].clone() } else { Bson::Array(values) };
                let keys = ix.keys_for(&doc! {"k": v});
                ix.add(rid, keys.clone(), &stored);
                model.insert(rid, keys);
            } else if let Some(keys) = model.remove(&rid) {
                ix.remove(rid, keys);
            }
            for p in &probes {
                let key = IndexKey(Arc::new([p.clone()]));
                for except in [None, Some(rid)] {
                    let holders: Vec<RecordId> = model
                        .iter()
                        .filter(|(r, keys)| {
                            Some(**r) != except
                                && keys.iter().any(|k| compare(&k.0[0], p) == Ordering::Equal)
                        })
                        .map(|(r, _)| *r)
                        .collect();
                    match ix.conflict(&key, except) {
                        Some(r) => proptest::prop_assert!(holders.contains(&r), "{p:?}: {r} holds no equal key"),
                        None => proptest::prop_assert!(holders.is_empty(), "{p:?}: missed {holders:?}"),
                    }
                }
            }
            // Every record's keys are entries, each key once per record (a multikey [1, 1.0] keeps one).
            let mut want: Vec<RecordId> = Vec::new();
            for (r, keys) in &model {
                let mut distinct: Vec<&IndexKey> = Vec::new();
                for k in keys {
                    if !distinct.iter().any(|d| compare(&d.0[0], &k.0[0]) == Ordering::Equal) {
                        distinct.push(k);
                    }
                }
                want.extend(std::iter::repeat_n(*r, distinct.len()));
            }
            let mut got: Vec<RecordId> = ix.walk(true).map(|(_, r)| r).collect();
            got.sort_unstable();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
