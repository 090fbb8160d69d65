//! Collation: the spec's validation, the comparison and its sort keys, and commands under a collation
//! (examples from the MongoDB manual's collation page).

use super::*;
use crate::engine::bson_order::compare;
use crate::engine::Engine;
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn coll(spec: Document) -> Arc<Collation> {
    match Collation::parse_doc(&spec) {
        Ok(Some(c)) => c,
        other => panic!("{spec}: {other:?}"),
    }
}

fn err(spec: Document) -> CommandError {
    match Collation::parse_doc(&spec) {
        Err(e) => e,
        Ok(c) => panic!("{spec} accepted: {c:?}"),
    }
}

fn run(e: &Engine, cmd: Document) -> Result<Document, CommandError> {
    e.run_command("db", &cmd)
}

fn batch(reply: &Document) -> Vec<Document> {
    reply
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|b| b.iter().filter_map(|d| d.as_document().cloned()).collect())
        .unwrap_or_default()
}

fn engine_with(docs: Vec<Document>) -> Engine {
    let e = Engine::in_memory();
    run(&e, doc! {"insert": "c", "documents": docs}).unwrap();
    e
}

#[test]
fn the_spec_is_resolved_with_every_field() {
    let c = coll(doc! {"locale": "en_US", "strength": 2});
    assert_eq!(
        c.spec(),
        &doc! {"locale": "en_US", "caseLevel": false, "caseFirst": "off", "strength": 2,
        "numericOrdering": false, "alternate": "non-ignorable", "maxVariable": "punct",
        "normalization": false, "backwards": false, "version": "57.1"}
    );
    // Locale defaults: Danish sorts upper case first, French Canadian backwards.
    assert_eq!(
        coll(doc! {"locale": "da"}).spec().get_str("caseFirst").ok(),
        Some("upper")
    );
    assert_eq!(
        coll(doc! {"locale": "fr_CA"})
            .spec()
            .get_bool("backwards")
            .ok(),
        Some(true)
    );
    assert!(Collation::parse_doc(&doc! {"locale": "simple"})
        .unwrap()
        .is_none());
    // The resolved spec parses to the same collation (a stored default is read back).
    let again = coll(c.spec().clone());
    assert!(same(Some(&c), Some(&again)));
}

#[test]
fn bad_specs_get_mongods_errors() {
    assert_eq!(err(doc! {}).code, 4);
    assert_eq!(err(doc! {"locale": 1}).code, 14);
    let e = err(doc! {"locale": "xx"});
    assert_eq!(
        (
            e.code,
            e.errmsg.starts_with("Field 'locale' is invalid in:")
        ),
        (2, true)
    );
    assert_eq!(err(doc! {"locale": ""}).code, 2);
    assert_eq!(err(doc! {"locale": "simple", "strength": 2}).code, 9);
    let e = err(doc! {"locale": "en", "strength": 6});
    assert_eq!(
        (e.code, e.errmsg.as_str()),
        (9, "Field 'strength' must be an integer 1 through 5. Got: 6")
    );
    assert_eq!(err(doc! {"locale": "en", "strength": "2"}).code, 14);
    assert_eq!(err(doc! {"locale": "en", "strength": 1.5}).code, 2);
    assert_eq!(err(doc! {"locale": "en", "caseFirst": "x"}).code, 9);
    assert_eq!(err(doc! {"locale": "en", "caseLevel": 1}).code, 14);
    assert_eq!(err(doc! {"locale": "en", "alternate": "x"}).code, 9);
    assert_eq!(err(doc! {"locale": "en", "maxVariable": "x"}).code, 9);
    assert_eq!(err(doc! {"locale": "en", "bogus": 1}).code, 9);
    assert_eq!(
        err(doc! {"locale": "en", "strength": 1, "caseFirst": "upper"}).code,
        2
    );
    assert_eq!(
        err(doc! {"locale": "fr", "strength": 1, "backwards": true}).code,
        2
    );
    // What ICU4X cannot apply is refused, never ignored.
    assert_eq!(err(doc! {"locale": "de@collation=search"}).code, 238);
    assert!(Collation::parse_doc(&doc! {"locale": "de@collation=phonebook"}).is_ok());
    assert_eq!(err(doc! {"locale": "de@collation=bogus"}).code, 2);
}

#[test]
fn options_change_the_order() {
    let c = |d: Document| coll(d);
    let o = |c: &Collation, a: &str, b: &str| c.compare(a, b);
    use std::cmp::Ordering::*;
    assert_eq!(
        o(&c(doc! {"locale": "en", "strength": 2}), "PING", "ping"),
        Equal
    );
    assert_eq!(
        o(&c(doc! {"locale": "en", "strength": 1}), "café", "cafe"),
        Equal
    );
    assert_eq!(
        o(&c(doc! {"locale": "en", "strength": 2}), "café", "cafe"),
        Greater
    );
    assert_eq!(o(&c(doc! {"locale": "en"}), "a", "A"), Less);
    assert_eq!(
        o(&c(doc! {"locale": "en", "caseFirst": "upper"}), "a", "A"),
        Greater
    );
    assert_eq!(
        o(
            &c(doc! {"locale": "en", "numericOrdering": true}),
            "10",
            "9"
        ),
        Greater
    );
    assert_eq!(o(&c(doc! {"locale": "en"}), "10", "9"), Less);
    assert_eq!(
        o(
            &c(doc! {"locale": "en", "alternate": "shifted"}),
            "black-bird",
            "blackbird"
        ),
        Equal
    );
    assert_eq!(
        o(&c(doc! {"locale": "en"}), "black-bird", "blackbird"),
        Less
    );
    assert_eq!(
        o(
            &c(doc! {"locale": "en", "strength": 1, "caseLevel": true}),
            "a",
            "A"
        ),
        Less
    );
    // German phonebook: "ä" sorts as "ae"; the standard German order as "a".
    assert_eq!(
        o(&c(doc! {"locale": "de@collation=phonebook"}), "äz", "af"),
        Less
    );
    assert_eq!(o(&c(doc! {"locale": "de"}), "äz", "af"), Greater);
}

#[test]
fn compare_follows_the_active_collation_and_compare_simple_never() {
    let a = Bson::String("PING".into());
    let b = Bson::String("ping".into());
    assert_ne!(compare(&a, &b), std::cmp::Ordering::Equal);
    {
        let _s = enter(Some(coll(doc! {"locale": "en", "strength": 2})));
        assert_eq!(compare(&a, &b), std::cmp::Ordering::Equal);
        let da = Bson::Document(doc! {"x": ["PING"]});
        let db = Bson::Document(doc! {"x": ["ping"]});
        assert_eq!(compare(&da, &db), std::cmp::Ordering::Equal);
        assert_ne!(
            crate::engine::bson_order::compare_simple(&a, &b),
            std::cmp::Ordering::Equal
        );
    }
    assert_ne!(compare(&a, &b), std::cmp::Ordering::Equal);
}

fn strength_spec() -> impl Strategy<Value = Document> {
    (
        1i32..=5,
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just("non-ignorable"), Just("shifted")],
        prop_oneof![
            Just("en"),
            Just("fr"),
            Just("sv"),
            Just("de@collation=phonebook")
        ],
    )
        .prop_map(|(s, n, b, a, l)| {
            // `backwards` with strength 1 is refused (mongod's rule).
            doc! {"locale": l, "strength": s, "numericOrdering": n, "backwards": b && s > 1, "alternate": a}
        })
}

proptest! {
    /// The collated comparison is a total order and agrees with the sort keys (which index keys and the
    /// hash of `$group` / `distinct` use): `compare(a, b)` is the byte order of the keys, and the index key
    /// strings order as the keys do.
    #[test]
    fn comparison_is_a_total_order_consistent_with_sort_keys(
        spec in strength_spec(),
        words in prop::collection::vec("[aAäÄbBéèô1-9 -]{0,5}", 3),
    ) {
        let c = coll(spec);
        let (x, y, z) = (&words[0], &words[1], &words[2]);
        let key = |s: &str| c.sort_key(s);
        for (a, b) in [(x, y), (y, z), (x, z)] {
            prop_assert_eq!(c.compare(a, b), key(a).cmp(&key(b)));
            prop_assert_eq!(c.compare(a, b), c.compare(b, a).reverse());
            let (ia, ib) = (c.index_key(&Bson::String(a.clone())), c.index_key(&Bson::String(b.clone())));
            prop_assert_eq!(crate::engine::bson_order::compare_simple(&ia, &ib), c.compare(a, b));
        }
        prop_assert_eq!(c.compare(x, x), std::cmp::Ordering::Equal);
        if c.compare(x, y).is_le() && c.compare(y, z).is_le() {
            prop_assert!(c.compare(x, z).is_le());
        }
    }
}

/// The manual's case-insensitive collation.
fn ci() -> Document {
    doc! {"locale": "en", "strength": 2}
}

#[test]
fn find_count_distinct_delete_under_strength_2() {
    let e = engine_with(vec![
        doc! {"_id": 1, "x": "ping"},
        doc! {"_id": 2, "x": "PING"},
        doc! {"_id": 3, "x": "pong"},
    ]);
    let r = run(
        &e,
        doc! {"find": "c", "filter": {"x": "PING"}, "collation": ci()},
    )
    .unwrap();
    assert_eq!(batch(&r).len(), 2);
    let r = run(&e, doc! {"find": "c", "filter": {"x": "PING"}}).unwrap();
    assert_eq!(batch(&r).len(), 1);
    let r = run(
        &e,
        doc! {"count": "c", "query": {"x": {"$in": ["PiNg"]}}, "collation": ci()},
    )
    .unwrap();
    assert_eq!(
        r.get_i32("n").ok().map(i64::from).or(r.get_i64("n").ok()),
        Some(2)
    );
    let r = run(&e, doc! {"distinct": "c", "key": "x", "collation": ci()}).unwrap();
    assert_eq!(r.get_array("values").unwrap().len(), 2);
    let r = run(&e, doc! {"aggregate": "c", "pipeline": [{"$group": {"_id": "$x", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}], "cursor": {}, "collation": ci()}).unwrap();
    assert_eq!(batch(&r).len(), 2);
    let r = run(&e, doc! {"aggregate": "c", "pipeline": [{"$match": {"$expr": {"$eq": ["$x", "Ping"]}}}], "cursor": {}, "collation": ci()}).unwrap();
    assert_eq!(batch(&r).len(), 2);
    let r = run(
        &e,
        doc! {"delete": "c", "deletes": [{"q": {"x": "PING"}, "limit": 0, "collation": ci()}]},
    )
    .unwrap();
    assert_eq!(
        r.get_i32("n").ok().map(i64::from).or(r.get_i64("n").ok()),
        Some(2)
    );
}

#[test]
fn sort_by_numeric_ordering_and_case_first() {
    let e = engine_with(vec![
        doc! {"_id": 1, "x": "10"},
        doc! {"_id": 2, "x": "9"},
        doc! {"_id": 3, "x": "a"},
        doc! {"_id": 4, "x": "A"},
    ]);
    let ids = |r: &Document| {
        batch(r)
            .iter()
            .map(|d| d.get_i32("_id").unwrap())
            .collect::<Vec<_>>()
    };
    let r = run(&e, doc! {"find": "c", "sort": {"x": 1}, "collation": {"locale": "en", "numericOrdering": true}}).unwrap();
    assert_eq!(ids(&r), vec![2, 1, 3, 4]);
    let r = run(
        &e,
        doc! {"find": "c", "sort": {"x": 1}, "collation": {"locale": "en", "caseFirst": "upper"}},
    )
    .unwrap();
    assert_eq!(ids(&r), vec![1, 2, 4, 3]);
    let r = run(&e, doc! {"find": "c", "sort": {"x": 1}}).unwrap();
    assert_eq!(ids(&r), vec![1, 2, 4, 3]);
    let r = run(
        &e,
        doc! {"find": "c", "sort": {"x": 1}, "collation": {"locale": "en"}},
    )
    .unwrap();
    assert_eq!(ids(&r), vec![1, 2, 3, 4]);
}

#[test]
fn collection_default_collation_and_indexes() {
    let e = Engine::in_memory();
    run(&e, doc! {"create": "c", "collation": ci()}).unwrap();
    run(
        &e,
        doc! {"insert": "c", "documents": [{"_id": "A", "x": "ping"}, {"_id": "b", "x": "PING"}]},
    )
    .unwrap();
    // The default applies to commands without a collation; the `_id` index has it too.
    let r = run(&e, doc! {"find": "c", "filter": {"x": "Ping"}}).unwrap();
    assert_eq!(batch(&r).len(), 2);
    let r = run(&e, doc! {"find": "c", "filter": {"_id": "a"}}).unwrap();
    assert_eq!(batch(&r).len(), 1);
    let r = run(&e, doc! {"insert": "c", "documents": [{"_id": "B"}]}).unwrap();
    assert_eq!(r.get_array("writeErrors").map(|w| w.len()).unwrap_or(0), 1);
    // A command's own collation replaces the default.
    let r = run(
        &e,
        doc! {"find": "c", "filter": {"x": "Ping"}, "collation": {"locale": "simple"}},
    )
    .unwrap();
    assert_eq!(batch(&r).len(), 0);
    let r = run(&e, doc! {"listCollections": 1, "filter": {"name": "c"}}).unwrap();
    let opts = batch(&r)[0].get_document("options").unwrap().clone();
    assert_eq!(
        opts.get_document("collation")
            .unwrap()
            .get_i32("strength")
            .ok(),
        Some(2)
    );
    // An index takes the default; a unique one is unique under it.
    run(
        &e,
        doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x_1", "unique": true}]},
    )
    .unwrap_err();
    run(
        &e,
        doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x_1"}]},
    )
    .unwrap();
    let r = run(&e, doc! {"listIndexes": "c"}).unwrap();
    assert!(batch(&r)
        .iter()
        .all(|ix| ix.get_document("collation").is_ok()));
    let r = run(&e, doc! {"find": "c", "filter": {"x": "pInG"}}).unwrap();
    assert_eq!(batch(&r).len(), 2);
    // The simple collation must not use the collated index for strings (never a wrong answer).
    let r = run(
        &e,
        doc! {"find": "c", "filter": {"x": "ping"}, "collation": {"locale": "simple"}},
    )
    .unwrap();
    assert_eq!(batch(&r).len(), 1);
}

#[test]
fn an_index_is_used_only_under_its_own_collation() {
    let e = engine_with(vec![
        doc! {"_id": 1, "x": "ping"},
        doc! {"_id": 2, "x": "PING"},
    ]);
    run(&e, doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x_ci", "collation": ci()}]}).unwrap();
    run(
        &e,
        doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x_1"}]},
    )
    .unwrap();
    for (collation, n) in [(Some(ci()), 2), (None, 1), (Some(doc! {"locale": "fr"}), 1)] {
        let mut cmd = doc! {"find": "c", "filter": {"x": "ping"}};
        if let Some(c) = collation {
            cmd.insert("collation", c);
        }
        assert_eq!(batch(&run(&e, cmd).unwrap()).len(), n);
    }
    let r = run(
        &e,
        doc! {"find": "c", "filter": {"x": {"$gte": "PING", "$lte": "ping"}}, "collation": ci()},
    )
    .unwrap();
    assert_eq!(batch(&r).len(), 2);
    // A unique index with strength 2 refuses a case variant.
    let e = Engine::in_memory();
    run(&e, doc! {"createIndexes": "u", "indexes": [{"key": {"x": 1}, "name": "x_1", "unique": true, "collation": ci()}]}).unwrap();
    run(&e, doc! {"insert": "u", "documents": [{"x": "ping"}]}).unwrap();
    let r = run(&e, doc! {"insert": "u", "documents": [{"x": "PING"}]}).unwrap();
    assert_eq!(r.get_array("writeErrors").map(|w| w.len()).unwrap_or(0), 1);
}

#[test]
fn views_keep_their_collation() {
    let e = engine_with(vec![
        doc! {"_id": 1, "x": "ping"},
        doc! {"_id": 2, "x": "PING"},
    ]);
    run(
        &e,
        doc! {"create": "v", "viewOn": "c", "pipeline": [], "collation": ci()},
    )
    .unwrap();
    let r = run(&e, doc! {"find": "v", "filter": {"x": "ping"}}).unwrap();
    assert_eq!(batch(&r).len(), 2);
    let e2 = run(
        &e,
        doc! {"find": "v", "filter": {"x": "ping"}, "collation": {"locale": "fr"}},
    )
    .unwrap_err();
    assert_eq!(e2.code, 167);
}

#[test]
fn updates_and_find_and_modify_apply_their_collation() {
    let e = engine_with(vec![
        doc! {"_id": 1, "x": "ping", "t": ["A"]},
        doc! {"_id": 2, "x": "PING"},
    ]);
    let r = run(&e, doc! {"update": "c", "updates": [{"q": {"x": "Ping"}, "u": {"$set": {"y": 1}}, "multi": true, "collation": ci()}]}).unwrap();
    assert_eq!(r.get_i32("nModified").ok(), Some(2));
    // $addToSet compares by the collation.
    let r = run(&e, doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$addToSet": {"t": "a"}}, "collation": ci()}]}).unwrap();
    assert_eq!(r.get_i32("nModified").ok(), Some(0));
    let r = run(&e, doc! {"findAndModify": "c", "query": {"x": "PiNg"}, "sort": {"_id": -1}, "update": {"$set": {"z": 1}}, "collation": ci()}).unwrap();
    assert_eq!(
        r.get_document("value").unwrap().get_i32("_id").ok(),
        Some(2)
    );
}

#[test]
fn lookup_and_in_follow_the_aggregate_collation() {
    let e = engine_with(vec![doc! {"_id": 1, "k": "ABC"}]);
    run(
        &e,
        doc! {"insert": "f", "documents": [{"_id": 10, "k": "abc"}, {"_id": 11, "k": "x"}]},
    )
    .unwrap();
    run(
        &e,
        doc! {"createIndexes": "f", "indexes": [{"key": {"k": 1}, "name": "k_1"}]},
    )
    .unwrap();
    let r = run(&e, doc! {"aggregate": "c", "pipeline": [{"$lookup": {"from": "f", "localField": "k", "foreignField": "k", "as": "m"}}], "cursor": {}, "collation": ci()}).unwrap();
    assert_eq!(batch(&r)[0].get_array("m").unwrap().len(), 1);
    let r = run(&e, doc! {"aggregate": "c", "pipeline": [{"$lookup": {"from": "f", "localField": "k", "foreignField": "k", "as": "m"}}], "cursor": {}}).unwrap();
    assert_eq!(batch(&r)[0].get_array("m").unwrap().len(), 0);
    let r = run(&e, doc! {"aggregate": "c", "pipeline": [{"$project": {"i": {"$in": ["abc", ["ABC"]]}}}], "cursor": {}, "collation": ci()}).unwrap();
    assert_eq!(batch(&r)[0].get_bool("i").ok(), Some(true));
}

#[test]
fn window_partitions_and_explain_follow_the_collation() {
    let e = engine_with(vec![
        doc! {"_id": 1, "k": "a", "v": 1},
        doc! {"_id": 2, "k": "A", "v": 2},
        doc! {"_id": 3, "k": "b", "v": 4},
    ]);
    let pipeline = vec![
        Bson::Document(
            doc! {"$setWindowFields": {"partitionBy": "$k", "sortBy": {"_id": 1}, "output": {"s": {"$sum": "$v"}}}},
        ),
        Bson::Document(doc! {"$sort": {"_id": 1}}),
    ];
    let sums = |r: &Document| {
        batch(r)
            .iter()
            .map(|d| d.get_i32("s").unwrap_or(-1))
            .collect::<Vec<_>>()
    };
    let r = run(
        &e,
        doc! {"aggregate": "c", "pipeline": pipeline.clone(), "cursor": {}, "collation": ci()},
    )
    .unwrap();
    assert_eq!(sums(&r), vec![3, 3, 4]);
    let r = run(
        &e,
        doc! {"aggregate": "c", "pipeline": pipeline, "cursor": {}},
    )
    .unwrap();
    assert_eq!(sums(&r), vec![1, 2, 4]);
    // explain runs under its inner command's collation: a collated index is the one that serves.
    run(&e, doc! {"createIndexes": "c", "indexes": [{"key": {"k": 1}, "name": "k_ci", "collation": ci()}]}).unwrap();
    let r = run(
        &e,
        doc! {"explain": {"find": "c", "filter": {"k": "A"}, "collation": ci()}},
    )
    .unwrap();
    let plan = r
        .get_document("queryPlanner")
        .unwrap()
        .get_document("winningPlan")
        .unwrap();
    assert_eq!(plan.get_str("stage").ok(), Some("FETCH"));
    let r = run(&e, doc! {"explain": {"find": "c", "filter": {"k": "A"}}}).unwrap();
    let plan = r
        .get_document("queryPlanner")
        .unwrap()
        .get_document("winningPlan")
        .unwrap();
    assert_eq!(plan.get_str("stage").ok(), Some("COLLSCAN"));
}

/// The French words the ICU documentation uses for backward secondary ordering: with `backwards` the accents
/// are compared from the end of the word (cote < côte < coté < côté), without from the start (cote < coté <
/// côte < côté).
const COTE: [&str; 4] = ["cote", "côte", "coté", "côté"];
const FORWARD: [&str; 4] = ["cote", "coté", "côte", "côté"];

fn sorted(c: &Collation, words: &[&str]) -> Vec<String> {
    let mut w: Vec<String> = words.iter().map(|s| s.to_string()).collect();
    w.sort_by(|a, b| c.compare(a, b));
    w
}

#[test]
fn backwards_is_applied_on_any_locale_both_ways() {
    let words = ["côté", "coté", "cote", "côte"];
    for (spec, want, echoed) in [
        (doc! {"locale": "fr"}, FORWARD, false),
        (doc! {"locale": "fr", "backwards": true}, COTE, true),
        (doc! {"locale": "en", "backwards": true}, COTE, true),
        (doc! {"locale": "fr", "backwards": false}, FORWARD, false),
        (doc! {"locale": "fr_CA"}, COTE, true),
        (doc! {"locale": "fr_CA", "backwards": true}, COTE, true),
        (doc! {"locale": "fr_CA", "backwards": false}, FORWARD, false),
        (
            doc! {"locale": "fr", "backwards": true, "strength": 2},
            COTE,
            true,
        ),
    ] {
        let c = coll(spec.clone());
        assert_eq!(sorted(&c, &words), want, "{spec}");
        assert_eq!(c.spec().get_bool("backwards").ok(), Some(echoed), "{spec}");
        // The sort keys (index keys, `$group` / `distinct` hashing) order the same way.
        let mut by_key: Vec<&str> = words.to_vec();
        by_key.sort_by_key(|w| c.sort_key(w));
        assert_eq!(by_key, want, "{spec} (sort keys)");
        // The resolved spec builds the same collator back.
        assert_eq!(sorted(&coll(c.spec().clone()), &words), want, "{spec}");
    }
    // Other options are kept alongside (tertiary differences still count after the secondary ones).
    let c = coll(doc! {"locale": "en", "backwards": true, "caseFirst": "upper"});
    assert_eq!(c.compare("Cote", "cote"), std::cmp::Ordering::Less);
    assert_eq!(c.compare("coté", "côte"), std::cmp::Ordering::Greater);
}

#[test]
fn backwards_in_find_sort_filters_and_indexes() {
    let ids = |r: &Document| {
        batch(r)
            .iter()
            .filter_map(|d| d.get_str("x").ok().map(str::to_string))
            .collect::<Vec<_>>()
    };
    let docs: Vec<Document> = ["côté", "coté", "cote", "côte"]
        .iter()
        .enumerate()
        .map(|(i, w)| doc! {"_id": i as i32, "x": *w})
        .collect();
    let e = engine_with(docs);
    let back = doc! {"locale": "fr", "backwards": true};
    let fwd = doc! {"locale": "fr_CA", "backwards": false};
    for (c, want) in [(&back, COTE), (&fwd, FORWARD)] {
        // A sort without an index.
        let r = run(
            &e,
            doc! {"find": "c", "sort": {"x": 1}, "collation": c.clone()},
        )
        .unwrap();
        assert_eq!(ids(&r), want, "{c}");
        // A range comparison: the words before "coté".
        let r = run(&e, doc! {"find": "c", "filter": {"x": {"$lt": "coté"}}, "sort": {"x": 1}, "collation": c.clone()}).unwrap();
        let before: Vec<&str> = want.iter().take_while(|w| **w != "coté").copied().collect();
        assert_eq!(ids(&r), before, "{c}");
        // `$sort` and an expression comparison in aggregate.
        let r = run(&e, doc! {"aggregate": "c", "pipeline": [{"$sort": {"x": -1}}, {"$match": {"$expr": {"$gt": ["$x", "cote"]}}}], "cursor": {}, "collation": c.clone()}).unwrap();
        let mut desc: Vec<&str> = want[1..].to_vec();
        desc.reverse();
        assert_eq!(ids(&r), desc, "{c}");
    }
    // An index with `backwards` keys by its sort keys: a hinted scan returns its order, and it is used only
    // under its own collation.
    run(&e, doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x_back", "collation": back.clone()}]}).unwrap();
    let r = run(
        &e,
        doc! {"find": "c", "hint": "x_back", "collation": back.clone()},
    )
    .unwrap();
    assert_eq!(ids(&r), COTE);
    let r = run(&e, doc! {"find": "c", "filter": {"x": {"$gte": "côte"}}, "sort": {"x": 1}, "hint": "x_back", "collation": back.clone()}).unwrap();
    assert_eq!(ids(&r), &COTE[1..]);
    // Hinted under another collation (simple), the string bounds are not the index's: the filter decides.
    let r = run(
        &e,
        doc! {"find": "c", "filter": {"x": {"$gte": "côte"}}, "hint": "x_back"},
    )
    .unwrap();
    assert_eq!(ids(&r), ["côte", "côté"]);
    let r = run(&e, doc! {"listIndexes": "c"}).unwrap();
    let ix = batch(&r)
        .into_iter()
        .find(|ix| ix.get_str("name").ok() == Some("x_back"))
        .unwrap();
    assert_eq!(
        ix.get_document("collation")
            .and_then(|c| c.get_bool("backwards"))
            .ok(),
        Some(true)
    );
    let r = run(
        &e,
        doc! {"find": "c", "sort": {"x": 1}, "collation": fwd.clone()},
    )
    .unwrap();
    assert_eq!(ids(&r), FORWARD);
}

/// Clients round-trip the collation documents mongod echoes (every field, `normalization: false`,
/// `version`): a collection's options and an index spec from listCollections / listIndexes are accepted back
/// verbatim by create, createIndexes and find.
#[test]
fn echoed_collation_documents_are_accepted_back_verbatim() {
    let e = Engine::in_memory();
    run(
        &e,
        doc! {"create": "src", "collation": {"locale": "fr", "strength": 2, "backwards": true}},
    )
    .unwrap();
    run(
        &e,
        doc! {"createIndexes": "src", "indexes": [{"key": {"x": 1}, "name": "x_1"}]},
    )
    .unwrap();
    let r = run(&e, doc! {"listCollections": 1, "filter": {"name": "src"}}).unwrap();
    let echoed = batch(&r)[0]
        .get_document("options")
        .and_then(|o| o.get_document("collation"))
        .unwrap()
        .clone();
    assert_eq!(
        echoed,
        doc! {"locale": "fr", "caseLevel": false, "caseFirst": "off", "strength": 2,
        "numericOrdering": false, "alternate": "non-ignorable", "maxVariable": "punct",
        "normalization": false, "backwards": true, "version": "57.1"}
    );
    let r = run(&e, doc! {"listIndexes": "src"}).unwrap();
    let ix_spec = batch(&r)
        .into_iter()
        .find(|ix| ix.get_str("name").ok() == Some("x_1"))
        .unwrap();
    assert_eq!(ix_spec.get_document("collation").ok(), Some(&echoed));
    // create, createIndexes (the whole listed spec, `v` included) and find take them back as they are.
    run(&e, doc! {"create": "dst", "collation": echoed.clone()}).unwrap();
    run(
        &e,
        doc! {"insert": "dst", "documents": [{"_id": 1, "x": "côte"}, {"_id": 2, "x": "COTÉ"}]},
    )
    .unwrap();
    run(&e, doc! {"createIndexes": "dst", "indexes": [ix_spec]}).unwrap();
    let r = run(&e, doc! {"find": "dst", "filter": {"x": {"$gt": "cote"}}, "sort": {"x": 1}, "hint": "x_1", "collation": echoed.clone()}).unwrap();
    let got: Vec<i32> = batch(&r)
        .iter()
        .filter_map(|d| d.get_i32("_id").ok())
        .collect();
    assert_eq!(got, [1, 2]);
    let r = run(&e, doc! {"listCollections": 1, "filter": {"name": "dst"}}).unwrap();
    assert_eq!(
        batch(&r)[0]
            .get_document("options")
            .and_then(|o| o.get_document("collation"))
            .ok(),
        Some(&echoed)
    );
    // `normalization: true` is accepted and echoed (the collator normalizes either way).
    let n = coll(doc! {"locale": "en", "normalization": true});
    assert_eq!(n.spec().get_bool("normalization").ok(), Some(true));
    // A canonically equivalent precomposed / decomposed pair compares equal with both settings.
    for norm in [false, true] {
        let c = coll(doc! {"locale": "en", "normalization": norm});
        assert_eq!(
            c.compare("c\u{f4}te", "co\u{302}te"),
            std::cmp::Ordering::Equal
        );
    }
    // Another ICU version is refused with mongod's error.
    assert_eq!(err(doc! {"locale": "en", "version": "58.2"}).code, 2);
}
