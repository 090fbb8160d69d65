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
