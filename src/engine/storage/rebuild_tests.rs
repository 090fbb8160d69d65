//! Property tests pinning the bulk index build of recovery ([`Collection::rebuild_indexes`] over records
//! stored by [`Collection::put_unindexed`]) to the general path: the same documents inserted one by one
//! leave the same ordered entries (keys with their types, records in order), the same hashed entries and
//! the same probes, for every kind of index (single, compound, sparse, partial, dotted, unique, multikey).

use super::index::KeyRef;
use super::Collection;
use bson::{doc, Bson, Document};

fn value(v: u8) -> Option<Bson> {
    Some(match v {
        0 => Bson::Int32(1),
        1 => Bson::Double(1.0),
        2 => Bson::Int64(2),
        3 => Bson::String("a".into()),
        4 => Bson::String("b".into()),
        5 => Bson::Array(vec![Bson::Int32(1), Bson::String("a".into())]),
        6 => Bson::Array(vec![]),
        7 => Bson::Null,
        8 => Bson::Document(doc! {"x": 1}),
        9 => Bson::Decimal128(bson::Decimal128::from_bytes([0; 16])),
        _ => return None,
    })
}

fn specs() -> Vec<Document> {
    vec![
        doc! {"key": {"k": 1}, "name": "k_1"},
        doc! {"key": {"k": 1, "j": -1}, "name": "k_1_j_-1"},
        doc! {"key": {"j": 1}, "name": "j_1", "sparse": true},
        doc! {"key": {"j": 1, "k": 1}, "name": "j_p", "partialFilterExpression": {"j": {"$gt": 0}}},
        doc! {"key": {"d.x": 1}, "name": "d.x_1"},
        doc! {"key": {"u": 1}, "name": "u_1", "unique": true},
    ]
}

/// An index's name, its (key as typed, record) pairs in key order, and its hashed entries.
type Entries = (String, Vec<String>, Vec<(u64, Vec<u8>)>);

/// [`Entries`] of every index.
fn entries(c: &Collection) -> Vec<Entries> {
    c.indexes
        .iter()
        .map(|ix| {
            let walked = ix
                .walk(true)
                .map(|(k, r)| format!("{:?} {r}", k.0))
                .collect();
            let mut hashed: Vec<(u64, Vec<u8>)> = ix
                .hashed_entries()
                .map(|(r, d)| (r, d.bytes().to_vec()))
                .collect();
            hashed.sort();
            (ix.name.clone(), walked, hashed)
        })
        .collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    #[test]
    fn rebuilt_indexes_equal_indexes_built_one_record_at_a_time(
        rows in proptest::collection::vec((0u8..11, 0u8..11, 0u8..11), 0..40),
    ) {
        let mut one_by_one = Collection::new("db.c", Document::new());
        for s in specs() {
            one_by_one.add_index(&s).expect("index");
        }
        for (i, (k, j, d)) in rows.iter().enumerate() {
            let mut doc = doc! {"_id": i as i32, "u": i as i32};
            if let Some(v) = value(*k) {
                doc.insert("k", v);
            }
            if let Some(v) = value(*j) {
                doc.insert("j", v);
            }
            if let Some(v) = value(*d) {
                doc.insert("d", doc! {"x": v});
            }
            one_by_one.insert(doc).expect("insert");
        }
        let mut bulk = Collection::new("db.c", Document::new());
        for s in specs() {
            bulk.add_index(&s).expect("index");
        }
        for (rid, stored) in one_by_one.stored_records() {
            bulk.put_unindexed(rid, stored.clone()).expect("put");
        }
        bulk.rebuild_indexes().expect("rebuild");
        proptest::prop_assert_eq!(entries(&one_by_one), entries(&bulk));
        for (a, b) in one_by_one.indexes.iter().zip(&bulk.indexes) {
            for v in (0..11).filter_map(value) {
                let probe = |ix: &super::collection::Index| {
                    ix.lookup_stored(KeyRef::Value(&v)).map(|it| it.map(|(r, _)| r).collect::<Vec<_>>())
                };
                proptest::prop_assert_eq!(probe(a), probe(b), "{} {:?}", a.name, v);
            }
        }
        proptest::prop_assert_eq!(
            one_by_one.insert(doc! {"_id": 1000, "u": 1000}).expect("insert"),
            bulk.insert(doc! {"_id": 1000, "u": 1000}).expect("insert"),
        );
    }
}

#[test]
fn a_rebuild_over_duplicate_unique_keys_fails_with_the_duplicate_key_error() {
    let mut c = Collection::new("db.c", Document::new());
    c.add_index(&doc! {"key": {"u": 1}, "name": "u_1", "unique": true})
        .expect("index");
    let a = super::Stored::new(bson::rawdoc! {"_id": 1, "u": 5});
    let b = super::Stored::new(bson::rawdoc! {"_id": 2, "u": 5.0});
    c.put_unindexed(1, a).expect("put");
    c.put_unindexed(2, b).expect("put");
    let e = c.rebuild_indexes().expect_err("duplicate");
    assert_eq!(e.code, 11000);
    assert!(e.errmsg.contains("index: u_1"), "{}", e.errmsg);
    // A multikey document holding one key twice does not conflict with itself.
    let mut c = Collection::new("db.c", Document::new());
    c.add_index(&doc! {"key": {"u": 1}, "name": "u_1", "unique": true})
        .expect("index");
    c.put_unindexed(
        1,
        super::Stored::new(bson::rawdoc! {"_id": 1, "u": [5, 5.0]}),
    )
    .expect("put");
    c.rebuild_indexes().expect("no conflict");
}
