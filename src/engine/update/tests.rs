//! Update operator tests; expected documents follow mongod's documented update semantics.

use super::{upsert_seed, ApplyCtx, UpdateSpec};
use bson::{doc, Bson, Document};

fn ctx() -> ApplyCtx {
    ApplyCtx {
        is_insert: false,
        now: bson::DateTime::from_millis(1_700_000_000_123),
    }
}

fn run(mut d: Document, u: Document) -> (Document, bool) {
    let spec = UpdateSpec::compile(&u, &[]).expect("update compiles");
    let changed = spec.apply(&mut d, &ctx()).expect("update applies");
    (d, changed)
}

fn run_af(mut d: Document, u: Document, af: Vec<Document>) -> Document {
    let spec = UpdateSpec::compile(&u, &af).expect("update compiles");
    spec.apply(&mut d, &ctx()).expect("update applies");
    d
}

fn apply_err(d: Document, u: Document) -> i32 {
    let mut d = d;
    match UpdateSpec::compile(&u, &[]) {
        Err(e) => e.code,
        Ok(spec) => spec.apply(&mut d, &ctx()).expect_err("must fail").code,
    }
}

#[test]
fn set_unset_and_changed_flag() {
    let (d, ch) = run(doc! {"_id": 1, "a": 1}, doc! {"$set": {"a": 1}});
    assert_eq!((d, ch), (doc! {"_id": 1, "a": 1}, false));
    let (d, ch) = run(doc! {"_id": 1, "a": 1.0}, doc! {"$set": {"a": 1}});
    assert!(ch);
    assert_eq!(d.get("a"), Some(&Bson::Int32(1)));
    let (d, _) = run(doc! {"_id": 1}, doc! {"$set": {"z": 1, "b.c": 2, "a": 3}});
    assert_eq!(d, doc! {"_id": 1, "a": 3, "b": {"c": 2}, "z": 1});
    let (d, ch) = run(
        doc! {"_id": 1, "a": 1, "b": 2},
        doc! {"$unset": {"a": "", "q": ""}},
    );
    assert_eq!((d, ch), (doc! {"_id": 1, "b": 2}, true));
    let (_, ch) = run(doc! {"_id": 1}, doc! {"$unset": {"q": ""}});
    assert!(!ch);
}

#[test]
fn numeric_operators_promote() {
    let (d, _) = run(
        doc! {"a": 1, "b": i32::MAX, "c": 1.5},
        doc! {"$inc": {"a": 2, "b": 1, "c": 1, "n": Bson::Int64(5)}},
    );
    assert_eq!(
        d,
        doc! {"a": 3, "b": Bson::Int64(2_147_483_648), "c": 2.5, "n": Bson::Int64(5)}
    );
    let (d, _) = run(
        doc! {"a": 3},
        doc! {"$mul": {"a": 2.0, "m": Bson::Int64(7), "k": 2.5}},
    );
    assert_eq!(d, doc! {"a": 6.0, "k": 0.0, "m": Bson::Int64(0)});
    assert_eq!(
        apply_err(doc! {"_id": 1, "a": "x"}, doc! {"$inc": {"a": 1}}),
        14
    );
    assert_eq!(apply_err(doc! {"a": 1}, doc! {"$inc": {"a": "x"}}), 14);
    let (d, _) = run(
        doc! {"a": 5, "b": 5},
        doc! {"$min": {"a": 3, "c": 1}, "$max": {"b": 3}},
    );
    assert_eq!(d, doc! {"a": 3, "b": 5, "c": 1});
    let (d, _) = run(doc! {"a": 5}, doc! {"$max": {"a": "str"}});
    assert_eq!(d, doc! {"a": "str"});
}

#[test]
fn rename_current_date_set_on_insert() {
    let (d, _) = run(
        doc! {"a": 1, "b": {"c": 2}},
        doc! {"$rename": {"a": "x", "b.c": "b.d"}},
    );
    assert_eq!(d, doc! {"b": {"d": 2}, "x": 1});
    let (d, _) = run(
        doc! {},
        doc! {"$currentDate": {"t": true, "ts": {"$type": "timestamp"}}},
    );
    assert_eq!(d.get("t"), Some(&Bson::DateTime(ctx().now)));
    assert_eq!(
        d.get("ts"),
        Some(&Bson::Timestamp(bson::Timestamp {
            time: 1_700_000_000,
            increment: 1
        }))
    );
    let (d, ch) = run(doc! {"a": 1}, doc! {"$setOnInsert": {"b": 1}});
    assert_eq!((d, ch), (doc! {"a": 1}, false));
    let spec = UpdateSpec::compile(&doc! {"$setOnInsert": {"b": 1}}, &[]).expect("ok");
    let mut d = doc! {"a": 1};
    spec.apply(
        &mut d,
        &ApplyCtx {
            is_insert: true,
            now: ctx().now,
        },
    )
    .expect("ok");
    assert_eq!(d, doc! {"a": 1, "b": 1});
}

#[test]
fn array_operators() {
    let (d, _) = run(doc! {"a": [1]}, doc! {"$push": {"a": 2, "n": [9]}});
    assert_eq!(d, doc! {"a": [1, 2], "n": [[9]]});
    let (d, _) = run(
        doc! {"s": [{"x": 3}, {"x": 1}]},
        doc! {"$push": {"s": {"$each": [{"x": 2}, {"x": 5}], "$sort": {"x": -1}, "$slice": 3}}},
    );
    assert_eq!(d, doc! {"s": [{"x": 5}, {"x": 3}, {"x": 2}]});
    let (d, _) = run(
        doc! {"a": [1, 2, 3]},
        doc! {"$push": {"a": {"$each": [9], "$position": -1}}},
    );
    assert_eq!(d, doc! {"a": [1, 2, 9, 3]});
    let (d, _) = run(
        doc! {"a": [4, 5]},
        doc! {"$push": {"a": {"$each": [1], "$slice": -2, "$sort": 1}}},
    );
    assert_eq!(d, doc! {"a": [4, 5]});
    let (d, ch) = run(doc! {"a": [1, 2]}, doc! {"$addToSet": {"a": 2.0}});
    assert_eq!((d, ch), (doc! {"a": [1, 2]}, false));
    let (d, _) = run(
        doc! {"a": [1]},
        doc! {"$addToSet": {"a": {"$each": [1, 3, 3]}}},
    );
    assert_eq!(d, doc! {"a": [1, 3]});
    let (d, _) = run(
        doc! {"a": [1, 6, 7, 2], "b": ["x", "y"]},
        doc! {"$pull": {"a": {"$gte": 6}, "b": "x"}},
    );
    assert_eq!(d, doc! {"a": [1, 2], "b": ["y"]});
    let (d, _) = run(
        doc! {"r": [{"s": 8, "i": "A"}, {"s": 8, "i": "B"}]},
        doc! {"$pull": {"r": {"s": 8, "i": "B"}}},
    );
    assert_eq!(d, doc! {"r": [{"s": 8, "i": "A"}]});
    let (d, _) = run(
        doc! {"a": [1, 2, 1, 3]},
        doc! {"$pullAll": {"a": [1, 3]}, "$pop": {"b": 1}},
    );
    assert_eq!(d, doc! {"a": [2]});
    let (d, _) = run(
        doc! {"a": [1, 2, 3], "b": [1, 2]},
        doc! {"$pop": {"a": -1, "b": 1}},
    );
    assert_eq!(d, doc! {"a": [2, 3], "b": [1]});
    assert_eq!(apply_err(doc! {"a": 1}, doc! {"$push": {"a": 1}}), 2);
}

#[test]
fn positional_operators() {
    let d = run_af(doc! {"a": [1, 2, 3]}, doc! {"$inc": {"a.$[]": 10}}, vec![]);
    assert_eq!(d, doc! {"a": [11, 12, 13]});
    let d = run_af(
        doc! {"g": [{"s": 80}, {"s": 90}, {"s": 95}]},
        doc! {"$set": {"g.$[e].ok": true}},
        vec![doc! {"e.s": {"$gte": 90}}],
    );
    assert_eq!(
        d,
        doc! {"g": [{"s": 80}, {"s": 90, "ok": true}, {"s": 95, "ok": true}]}
    );
    let d = run_af(
        doc! {"a": [1, 5, 9]},
        doc! {"$set": {"a.$[x]": 0}},
        vec![doc! {"x": {"$gt": 4}}],
    );
    assert_eq!(d, doc! {"a": [1, 0, 0]});
    assert_eq!(apply_err(doc! {"a": [1]}, doc! {"$set": {"a.$": 1}}), 2);
    let e =
        UpdateSpec::compile(&doc! {"$set": {"a": 1}}, &[doc! {"x": 1}]).expect_err("unused filter");
    assert_eq!(e.code, 9);
    let e = UpdateSpec::compile(&doc! {"$set": {"a.$[y]": 1}}, &[]).expect_err("missing filter");
    assert_eq!(e.code, 2);
}

#[test]
fn refusals() {
    assert_eq!(
        apply_err(doc! {}, doc! {"$set": {"a": 1}, "$inc": {"a.b": 1}}),
        40
    );
    assert_eq!(
        apply_err(doc! {}, doc! {"$set": {"a": 1}, "$unset": {"a": 1}}),
        40
    );
    assert_eq!(apply_err(doc! {"_id": 1}, doc! {"$set": {"_id": 2}}), 66);
    assert_eq!(apply_err(doc! {}, doc! {"$foo": {"a": 1}}), 9);
    assert_eq!(apply_err(doc! {}, doc! {}), 9);
    assert_eq!(apply_err(doc! {}, doc! {"$set": {"$a": 1}}), 52);
    assert_eq!(apply_err(doc! {}, doc! {"$set": 1}), 9);
    let (d, ch) = run(doc! {"_id": 1}, doc! {"$set": {"_id": 1}});
    assert_eq!((d, ch), (doc! {"_id": 1}, false));
    let mut d = doc! {"_id": 1, "a": "s", "b": 1};
    let spec = UpdateSpec::compile(&doc! {"$inc": {"a": 1, "b": 1}}, &[]).expect("ok");
    assert!(spec.apply(&mut d, &ctx()).is_err());
    assert_eq!(
        d,
        doc! {"_id": 1, "a": "s", "b": 1},
        "failed update leaves the document untouched"
    );
}

#[test]
fn upsert_seed_takes_equalities() {
    let s = upsert_seed(&doc! {"_id": 7, "a": 1, "b.c": {"$eq": "x"}, "d": {"$gt": 1}, "$and": [{"e": 2}], "$or": [{"f": 1}]})
        .expect("ok");
    assert_eq!(s, doc! {"_id": 7, "a": 1, "b": {"c": "x"}, "e": 2});
    assert!(upsert_seed(&doc! {"a": {"$in": [1, 2]}})
        .expect("ok")
        .is_empty());
}
