//! The point-lookup path (a `find` by one equality on a field a single-field index serves, answered from
//! the index and the stored bytes) against the general `find` path over the same data: same documents, same
//! reply shape, for parsed commands (`run_command`) and for BSON bytes (`run_command_raw`). Values are drawn
//! from a pool that mixes every numeric type, strings, NaN, decimals, arrays, documents, null and missing,
//! so the cases where the fast path must decline (multikey arrays, decimal keys) are exercised too.

use bson::{doc, Bson, Decimal128, Document, RawDocumentBuf};
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

fn pool() -> Vec<Bson> {
    vec![
        Bson::Int32(1),
        Bson::Int64(1),
        Bson::Double(1.0),
        Bson::Double(-0.0),
        Bson::Int32(0),
        Bson::Double(1.5),
        Bson::Double(f64::NAN),
        Bson::Int64(9_007_199_254_740_993),
        Bson::Double(9_007_199_254_740_992.0),
        Bson::String("1".into()),
        Bson::String("sess-a".into()),
        Bson::String("sess-b".into()),
        Bson::String(String::new()),
        Bson::Boolean(true),
        Bson::DateTime(bson::DateTime::from_millis(1_795_000_000_000)),
        Bson::ObjectId(bson::oid::ObjectId::from_bytes([7; 12])),
        Bson::Null,
        Bson::Array(vec![Bson::Int32(1), Bson::String("sess-a".into())]),
        Bson::Document(doc! {"a": 1}),
    ]
}

fn decimal_one() -> Bson {
    Bson::Decimal128(Decimal128::from_str("1").expect("decimal literal"))
}

fn ids(reply: &Document) -> Vec<Bson> {
    reply
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_document().and_then(|d| d.get("_id")).cloned())
                .collect()
        })
        .unwrap_or_default()
}

fn find(e: &Engine, cmd: &Document) -> Document {
    match e.run_command(DB, cmd) {
        Ok(r) => r,
        Err(err) => panic!("{cmd}: {err}"),
    }
}

fn find_raw(e: &Engine, cmd: &Document) -> Document {
    let raw = RawDocumentBuf::try_from(cmd).expect("command encodes");
    let reply = match e.run_command_raw(DB, &raw) {
        Ok(r) => r,
        Err(err) => panic!("{cmd}: {err}"),
    };
    Document::try_from(reply).expect("reply decodes")
}

/// Loads `docs` generated from the pool into `c` (with or without an index on `k`) and checks every probe
/// value through the point path against the general path (`$or` makes the filter a shape the point path
/// never takes, and no index serves: a full scan through the matcher).
fn check_collection(seed: u64, indexed: bool, with_decimal: bool) -> usize {
    let mut rng = StdRng::seed_from_u64(seed);
    let e = engine();
    let values = pool();
    let mut docs = Vec::new();
    for i in 0..60 {
        let mut d = doc! {"_id": i};
        match rng.random_range(0..10) {
            0 => {}
            _ => {
                d.insert("k", values[rng.random_range(0..values.len())].clone());
            }
        }
        docs.push(Bson::Document(d));
    }
    if with_decimal {
        docs.push(Bson::Document(doc! {"_id": 1000, "k": decimal_one()}));
    }
    find(&e, &doc! {"insert": "c", "documents": docs});
    if indexed {
        find(
            &e,
            &doc! {"createIndexes": "c", "indexes": [{"key": {"k": 1}, "name": "k_1"}]},
        );
    }
    let mut checked = 0;
    for v in values.iter().chain([decimal_one()].iter()) {
        for filter in [doc! {"k": v.clone()}, doc! {"k": {"$eq": v.clone()}}] {
            let general =
                doc! {"find": "c", "filter": {"$or": [filter.clone()]}, "batchSize": 1000};
            let expected = ids(&find(&e, &general));
            for extra in [
                doc! {"batchSize": 1000},
                doc! {"limit": 1},
                doc! {"limit": 2, "singleBatch": true},
                doc! {"batchSize": 1},
                doc! {"batchSize": 1, "singleBatch": true},
                doc! {},
            ] {
                let mut point = doc! {"find": "c", "filter": filter.clone()};
                point.extend(extra.clone());
                let mut general = general.clone();
                general.extend(extra.clone());
                let want = find(&e, &general);
                for (how, got) in [("parsed", find(&e, &point)), ("raw", find_raw(&e, &point))] {
                    let mut got_cursor = got.get_document("cursor").expect("cursor").clone();
                    let mut want_cursor = want.get_document("cursor").expect("cursor").clone();
                    // Cursor ids differ between two open cursors; everything else must be equal.
                    let open = got_cursor.get_i64("id").unwrap_or(0) != 0;
                    assert_eq!(open, want_cursor.get_i64("id").unwrap_or(0) != 0);
                    got_cursor.remove("id");
                    want_cursor.remove("id");
                    // Compared as text: NaN is not equal to itself as a value.
                    assert_eq!(
                        format!("{got_cursor:?}"),
                        format!("{want_cursor:?}"),
                        "seed {seed} indexed {indexed} {how}: {point}"
                    );
                    assert_eq!(got.get("ok"), want.get("ok"));
                }
                checked += 1;
            }
            let all = doc! {"find": "c", "filter": filter.clone(), "batchSize": 1000};
            assert_eq!(
                format!("{:?}", ids(&find(&e, &all))),
                format!("{expected:?}"),
                "{filter}"
            );
        }
    }
    checked
}

#[test]
fn point_lookups_agree_with_the_general_find_on_mixed_types() {
    let mut n = 0;
    for seed in 0..12 {
        n += check_collection(seed, true, false);
        n += check_collection(seed, true, true);
        n += check_collection(seed, false, false);
    }
    assert!(n > 2000, "{n} comparisons");
}

#[test]
fn a_decimal_key_is_still_found_by_an_equal_integer() {
    // Decimal keys are not hashed: once one is indexed, probes use the ordered index, so 1 finds it.
    let e = engine();
    find(
        &e,
        &doc! {"insert": "c", "documents": [{"_id": "a", "k": decimal_one()}, {"_id": "b", "k": 1i64}]},
    );
    find(
        &e,
        &doc! {"createIndexes": "c", "indexes": [{"key": {"k": 1}, "name": "k_1"}]},
    );
    let cmd = doc! {"find": "c", "filter": {"k": 1}};
    assert_eq!(
        ids(&find(&e, &cmd)),
        vec![Bson::String("a".into()), Bson::String("b".into())]
    );
    assert_eq!(ids(&find_raw(&e, &cmd)), ids(&find(&e, &cmd)));
}

#[test]
fn raw_replies_have_mongods_shape_and_errors_match() {
    let e = engine();
    find(
        &e,
        &doc! {"insert": "user_sessions", "documents": [{"_id": "s1", "user_id": 7, "blob": "x"}]},
    );
    let reply = find_raw(
        &e,
        &doc! {"find": "user_sessions", "filter": {"_id": "s1"}, "limit": 1, "lsid": {"id": 1}, "$db": DB},
    );
    assert_eq!(
        reply,
        doc! {"cursor": {"firstBatch": [{"_id": "s1", "user_id": 7, "blob": "x"}], "id": 0i64, "ns": "app.user_sessions"}, "ok": 1.0}
    );
    // Not a point lookup: the general path answers through the same entry.
    let reply = find_raw(
        &e,
        &doc! {"find": "user_sessions", "filter": {"user_id": {"$gt": 1}}, "projection": {"_id": 1}},
    );
    assert_eq!(ids(&reply), vec![Bson::String("s1".into())]);
    assert!(reply
        .get_document("cursor")
        .expect("cursor")
        .get_array("firstBatch")
        .expect("batch")[0]
        .as_document()
        .is_some_and(|d| d.len() == 1));
    // Errors are the general path's: a negative limit, an invalid database name.
    let raw = RawDocumentBuf::try_from(
        &doc! {"find": "user_sessions", "filter": {"_id": "s1"}, "limit": -1},
    )
    .expect("encodes");
    let err = e.run_command_raw(DB, &raw).expect_err("negative limit");
    // mongod 7.0's find parser validates `limit >= 0`: 51024.
    assert_eq!(err.code, 51024);
    let raw = RawDocumentBuf::try_from(&doc! {"find": "user_sessions", "filter": {"_id": "s1"}})
        .expect("encodes");
    assert_eq!(
        e.run_command_raw("bad.db", &raw).expect_err("db name").code,
        73
    );
    // A view is never answered by the point path.
    find(
        &e,
        &doc! {"create": "v", "viewOn": "user_sessions", "pipeline": [{"$project": {"user_id": 1}}]},
    );
    let reply = find_raw(&e, &doc! {"find": "v", "filter": {"_id": "s1"}});
    assert_eq!(first(&reply), doc! {"_id": "s1", "user_id": 7});
}

fn first(reply: &Document) -> Document {
    reply
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .ok()
        .and_then(|a| a.first())
        .and_then(|d| d.as_document())
        .cloned()
        .unwrap_or_default()
}

#[test]
fn updates_and_deletes_keep_the_probe_index_in_step() {
    let e = engine();
    let docs: Vec<Bson> = (0..300)
        .map(|i| Bson::Document(doc! {"_id": format!("sess-{i}"), "n": i}))
        .collect();
    find(&e, &doc! {"insert": "s", "documents": docs});
    find(
        &e,
        &doc! {"delete": "s", "deletes": [{"q": {"n": {"$lt": 150}}, "limit": 0}]},
    );
    find(
        &e,
        &doc! {"update": "s", "updates": [{"q": {"_id": "sess-200"}, "u": {"$set": {"n": -1}}}]},
    );
    for i in [0, 149, 150, 200, 299, 300] {
        let cmd = doc! {"find": "s", "filter": {"_id": format!("sess-{i}")}};
        let want: Vec<Bson> = if (150..300).contains(&i) {
            vec![Bson::String(format!("sess-{i}"))]
        } else {
            Vec::new()
        };
        assert_eq!(ids(&find(&e, &cmd)), want, "{i}");
        assert_eq!(ids(&find_raw(&e, &cmd)), want, "{i}");
    }
    let got = first(&find_raw(
        &e,
        &doc! {"find": "s", "filter": {"_id": "sess-200"}},
    ));
    assert_eq!(got.get_i32("n").ok(), Some(-1));
}

#[test]
fn updates_move_index_keys_only_when_they_change() {
    let e = engine();
    find(
        &e,
        &doc! {"insert": "c", "documents": [{"_id": 1, "k": "a", "n": 1}, {"_id": 2, "k": "b", "n": 1}]},
    );
    find(
        &e,
        &doc! {"createIndexes": "c", "indexes": [{"key": {"k": 1}, "name": "k_1", "unique": true}]},
    );
    let update = |q: Document, u: Document| -> Document {
        find(&e, &doc! {"update": "c", "updates": [{"q": q, "u": u}]})
    };
    // An update of an unindexed field leaves the keys where they are.
    let r = update(doc! {"k": "a"}, doc! {"$inc": {"n": 1}});
    assert_eq!(r.get_i32("nModified").ok(), Some(1));
    assert_eq!(
        ids(&find(&e, &doc! {"find": "c", "filter": {"k": "a"}})),
        vec![Bson::Int32(1)]
    );
    // Moving a unique key onto another document's key is error 11000, and nothing changes.
    let r = update(doc! {"_id": 1}, doc! {"$set": {"k": "b"}});
    let code = r
        .get_array("writeErrors")
        .ok()
        .and_then(|w| w.first())
        .and_then(|w| w.as_document())
        .and_then(|w| w.get_i32("code").ok());
    assert_eq!(code, Some(11000));
    assert_eq!(
        ids(&find(&e, &doc! {"find": "c", "filter": {"k": "a"}})),
        vec![Bson::Int32(1)]
    );
    // A key that moves is found under its new value only; 1 and 1.0 are one key, whatever the type.
    update(doc! {"_id": 1}, doc! {"$set": {"k": 1}});
    assert!(ids(&find(&e, &doc! {"find": "c", "filter": {"k": "a"}})).is_empty());
    update(doc! {"_id": 1}, doc! {"$set": {"k": 1.0}});
    for probe in [Bson::Int32(1), Bson::Double(1.0), Bson::Int64(1)] {
        let cmd = doc! {"find": "c", "filter": {"k": probe.clone()}};
        assert_eq!(ids(&find(&e, &cmd)), vec![Bson::Int32(1)], "{probe}");
        assert_eq!(ids(&find_raw(&e, &cmd)), vec![Bson::Int32(1)], "{probe}");
    }
    let r = update(doc! {"_id": 2}, doc! {"$set": {"k": 1i64}});
    assert!(
        r.get_array("writeErrors").is_ok(),
        "1 and 1.0 collide in a unique index: {r}"
    );
}

/// Find commands given as bytes with one byte changed and the tail possibly cut (what a client could send in
/// an `OP_MSG` body) never panic the engine, and whenever the damaged bytes still decode as a command, the
/// bytes entry (where the point path reads them in place) answers exactly as the parsed entry does: the same
/// documents or the same error code.
#[test]
fn damaged_command_bytes_answer_as_the_parsed_command_or_fail_cleanly() {
    let e = engine();
    let docs: Vec<Bson> = (0..40)
        .map(|i| Bson::Document(doc! {"_id": format!("sess-{i}"), "user_id": i % 7, "v": "x"}))
        .collect();
    find(&e, &doc! {"insert": "s", "documents": docs});
    find(
        &e,
        &doc! {"createIndexes": "s", "indexes": [{"key": {"user_id": 1}, "name": "u"}]},
    );
    let commands = [
        doc! {"find": "s", "filter": {"_id": "sess-3"}, "limit": 1},
        doc! {"find": "s", "filter": {"user_id": {"$eq": 3}}, "batchSize": 10},
        doc! {"find": "s", "filter": {"user_id": 4}, "singleBatch": true, "$db": "app"},
        doc! {"find": "s", "filter": {"_id": "sess-5"}, "$db": "app", "comment": "c",
        "lsid": {"id": bson::Binary {subtype: bson::spec::BinarySubtype::Uuid, bytes: vec![1; 16]}}},
    ];
    let mut rng = StdRng::seed_from_u64(20261123);
    let (mut same, mut refused) = (0, 0);
    for _ in 0..4000 {
        let cmd = &commands[rng.random_range(0..commands.len())];
        let mut bytes = RawDocumentBuf::try_from(cmd).expect("encodes").into_bytes();
        let at = rng.random_range(4..bytes.len() - 1);
        bytes[at] = rng.random();
        if rng.random_bool(0.2) {
            // Cut the tail but keep a terminator and a consistent length, so the bytes pass the envelope
            // check and reach the element walk.
            let keep = rng.random_range(5..bytes.len());
            bytes.truncate(keep - 1);
            bytes.push(0);
            let len = (bytes.len() as i32).to_le_bytes();
            bytes[..4].copy_from_slice(&len);
        }
        let Ok(raw) = RawDocumentBuf::from_bytes(bytes) else {
            continue;
        };
        let by_bytes = e.run_command_raw(DB, &raw);
        match Document::try_from(raw.as_ref()) {
            Ok(parsed) => {
                let by_doc = e.run_command(DB, &parsed);
                match (by_bytes, by_doc) {
                    (Ok(b), Ok(d)) => {
                        let b = Document::try_from(b).expect("reply decodes");
                        assert_eq!(ids(&b), ids(&d), "{parsed}");
                        same += 1;
                    }
                    (Err(b), Err(d)) => assert_eq!(b.code, d.code, "{parsed}"),
                    (b, d) => panic!("{parsed}: bytes {b:?} vs parsed {d:?}"),
                }
            }
            Err(_) => {
                assert!(by_bytes.is_err(), "undecodable bytes answered: {raw:?}");
                refused += 1;
            }
        }
    }
    assert!(
        same > 500 && refused > 100,
        "{same} answered alike, {refused} refused"
    );
}
