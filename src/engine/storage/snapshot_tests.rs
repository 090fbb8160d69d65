//! Property tests pinning the structurally shared copy of a collection (what a transaction's first write, or
//! a write while a reader holds a snapshot, makes through `Arc::make_mut`) to a copy built anew (the
//! deep copy every index used to be): on generated sequences of inserts, replacements, removals and
//! unique-key failures, the shared copy and the fresh copy answer every read alike (records, ordered index
//! walks both ways, hashed probes, range and equality candidates, duplicate-key errors), the collection the
//! copy was taken from does not change (snapshot isolation, abort), and the copy taken as the new state
//! (commit) reads as the fresh copy does.

use super::index::KeyRef;
use super::Collection;
use bson::{doc, Bson, Document};

fn specs() -> Vec<Document> {
    vec![
        doc! {"key": {"k": 1}, "name": "k_1"},
        doc! {"key": {"u": 1}, "name": "u_1", "unique": true},
        doc! {"key": {"k": 1, "u": -1}, "name": "k_1_u_-1"},
        doc! {"key": {"g": 1}, "name": "g_1"},
    ]
}

fn value(v: u8) -> Bson {
    match v % 6 {
        0 => Bson::Int32(i32::from(v)),
        1 => Bson::Double(f64::from(v)),
        2 => Bson::String(format!("s{v}")),
        3 => Bson::Array(vec![Bson::Int32(i32::from(v)), Bson::Int32(1)]),
        4 => Bson::Null,
        _ => Bson::Int64(i64::from(v / 2)),
    }
}

/// A collection with the same records (same ids) and indexes as `c`, built from nothing.
fn fresh_copy(c: &Collection) -> Collection {
    let mut out = Collection::new(c.ns.clone(), c.options().clone());
    for ix in c.indexes.iter().skip(1) {
        out.add_index(&ix.spec).expect("index");
    }
    for (rid, stored) in c.stored_records() {
        out.put_at(rid, stored.clone()).expect("put");
    }
    out.set_next_rid(c.next_rid());
    out
}

/// Everything a read can see of a collection.
fn reads(c: &Collection) -> Vec<String> {
    let mut out = vec![format!("{:?}", c.iter().collect::<Vec<_>>())];
    for ix in &c.indexes {
        out.push(format!(
            "{} up {:?}",
            ix.name,
            ix.walk(true)
                .map(|(k, r)| (k.0.clone(), r))
                .collect::<Vec<_>>()
        ));
        out.push(format!(
            "{} down {:?}",
            ix.name,
            ix.walk(false)
                .map(|(k, r)| (k.0.clone(), r))
                .collect::<Vec<_>>()
        ));
        for v in (0..12).map(value) {
            // The hashed probe with the documents it points at point at current versions (whether a probe is hashed
            // depends on the keys the index ever held, not on the copy; what it finds is `lookup` below).
            if let Some(found) = ix.lookup_stored(KeyRef::Value(&v)) {
                for (r, d) in found {
                    if !c.stored(r).is_some_and(|s| s.same(d)) {
                        out.push(format!(
                            "{} probe {v}: {r} points at an old version",
                            ix.name
                        ));
                    }
                }
            }
            out.push(format!(
                "{} lookup {v}: {:?}",
                ix.name,
                ix.lookup(&v).collect::<Vec<_>>()
            ));
        }
    }
    for f in [
        doc! {"k": 3},
        doc! {"k": {"$gte": 2, "$lt": 9}},
        doc! {"k": {"$gt": 9}},
        doc! {"u": {"$in": [1, 2.0, "s8"]}},
        doc! {"g": {"$lte": 1}},
        doc! {"g": {"$gt": 1, "$lt": 1}},
    ] {
        out.push(format!("{f}: {:?}", c.candidates(&f)));
    }
    out
}

/// One write to a collection; its outcome (record id or error code) for comparing.
fn apply(c: &mut Collection, (op, id, k, u, g): (u8, u8, u8, u8, u8)) -> String {
    let doc = doc! {"_id": i32::from(id), "k": value(k), "u": value(u), "g": i32::from(g)};
    let rid = c
        .iter()
        .find(|(_, d)| d.get_i32("_id").ok() == Some(i32::from(id)));
    match (op % 3, rid) {
        (0, _) => match c.insert(doc) {
            Ok(r) => format!("insert {r}"),
            Err(e) => format!("insert error {}", e.code),
        },
        (1, Some((r, old))) => match c.replace(r, &old, &doc) {
            Ok(()) => format!("replace {r}"),
            Err(e) => format!("replace error {}", e.code),
        },
        (2, Some((r, _))) => format!("remove {r} {:?}", c.remove(r).is_some()),
        _ => "none".into(),
    }
}

type Op = (u8, u8, u8, u8, u8);

fn ops(max: usize) -> impl proptest::strategy::Strategy<Value = Vec<Op>> {
    proptest::collection::vec((0u8..3, 0u8..10, 0u8..12, 0u8..12, 0u8..3), 0..max)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    #[test]
    fn a_shared_copy_reads_and_writes_as_a_fresh_copy(before in ops(30), during in ops(30)) {
        let mut base = Collection::new("db.c", Document::new());
        for s in specs() {
            base.add_index(&s).expect("index");
        }
        for op in before {
            apply(&mut base, op);
        }
        let base_reads = reads(&base);
        // The transaction's view: shared with the base, copied on write.
        let shared_base = std::sync::Arc::new(base);
        let mut mine = std::sync::Arc::clone(&shared_base);
        let mut model = fresh_copy(&shared_base);
        proptest::prop_assert_eq!(reads(&model), base_reads.clone());
        for op in during {
            let got = apply(std::sync::Arc::make_mut(&mut mine), op);
            let want = apply(&mut model, op);
            proptest::prop_assert_eq!(got, want, "{:?}", op);
            proptest::prop_assert_eq!(reads(&mine), reads(&model));
            // Snapshot isolation: the base (what readers and other transactions see) is untouched.
            proptest::prop_assert_eq!(reads(&shared_base), base_reads.clone());
        }
        // Commit: the copy becomes the state; it keeps reading as the fresh copy, and a write to it after
        // the base is gone (the only owner now) still does.
        drop(shared_base);
        let mut committed = std::sync::Arc::try_unwrap(mine).expect("sole owner");
        proptest::prop_assert_eq!(reads(&committed), reads(&fresh_copy(&committed)));
        let got = apply(&mut committed, (0, 99, 5, 5, 1));
        let want = apply(&mut model, (0, 99, 5, 5, 1));
        proptest::prop_assert_eq!(got, want);
        proptest::prop_assert_eq!(reads(&committed), reads(&model));
    }
}
