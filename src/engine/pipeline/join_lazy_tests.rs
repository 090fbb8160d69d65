//! The `$lookup` whose cached prefix ends in a `$project` that cannot fail (`join_lazy`: the table keyed
//! through the projection, the projection applied to candidates only) against the nested loop, on the
//! shapes the translator emits for `x [NOT] IN (SELECT ...)` and variants that rename, guard, filter before
//! and after the projection, read `_id` and join on two columns.

use super::join::Lookup;
use super::join_tests::{check_spec, docs, tails};
use bson::{doc, Document};
use proptest::prelude::*;

/// The shapes: all but the last defer their projection.
fn shapes() -> Vec<Document> {
    vec![
        // The translator's `k IN (SELECT f FROM fo)`.
        doc! {"from": "fo", "let": {"i0": "$k"}, "pipeline": [
            {"$project": {"_id": 0, "f": {"$ifNull": ["$f", null]}}},
            {"$match": {"$expr": {"$eq": ["$f", "$$i0"]}}},
            {"$limit": 1},
        ], "as": "j"},
        // Renamed (`SELECT f AS c`): the key is the projected field, not the stored one.
        doc! {"from": "fo", "let": {"i0": "$k"}, "pipeline": [
            {"$project": {"_id": 0, "c": "$f", "g": 1}},
            {"$match": {"$expr": {"$eq": ["$c", "$$i0"]}}},
        ], "as": "j"},
        // A WHERE before the projection, an uncorrelated condition after it (hoisted into the table) and the
        // NULL guard of the key.
        doc! {"from": "fo", "let": {"i0": "$k"}, "pipeline": [
            {"$match": {"g": {"$gt": -2}}},
            {"$project": {"_id": 0, "c": {"$ifNull": ["$f", null]}, "h": "$g"}},
            {"$match": {"$and": [{"h": {"$lt": 2}}, {"$expr": {"$and": [
                {"$ne": [{"$ifNull": ["$c", null]}, null]},
                {"$eq": ["$c", "$$i0"]},
            ]}}]}},
            {"$limit": 2},
        ], "as": "j"},
        // `_id` kept by the projection and read by the correlated rest; a constant column.
        doc! {"from": "fo", "let": {"i0": "$k", "i1": "$_id"}, "pipeline": [
            {"$project": {"c": "$f", "one": {"$literal": 1}}},
            {"$match": {"$expr": {"$and": [{"$eq": ["$c", "$$i0"]}, {"$lte": ["$_id", "$$i1"]}]}}},
        ], "as": "j"},
        // Two columns (the table hashes the pair), `_id` computed.
        doc! {"from": "fo", "let": {"i0": "$k", "w": "$g"}, "pipeline": [
            {"$project": {"_id": "$g", "c": {"$ifNull": ["$f", null]}, "h": "$g"}},
            {"$match": {"$expr": {"$and": [{"$eq": ["$c", "$$i0"]}, {"$eq": ["$_id", "$$w"]}]}}},
        ], "as": "j"},
        // A projection that can fail (`$add` of a string): applied to every foreign document, as before.
        doc! {"from": "fo", "let": {"i0": "$k"}, "pipeline": [
            {"$project": {"_id": 0, "c": {"$add": [1, "$g"]}}},
            {"$match": {"$expr": {"$eq": ["$c", "$$i0"]}}},
        ], "as": "j"},
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The deferred projection gives the nested loop's documents, in its order, under every tail.
    #[test]
    fn deferred_projection_equals_the_nested_loop(
        outer in docs("k", 12),
        foreign in docs("f", 12),
        shape in 0..shapes().len(),
        tail in 0..tails().len(),
        head in any::<bool>(),
    ) {
        check_spec(outer, foreign, false, shapes()[shape].clone(), shape, tails()[tail].clone(), head)?;
    }
}

/// The translator's shapes take the deferred projection; one that can fail does not.
#[test]
fn the_translators_probe_defers_its_projection() {
    let shapes = shapes();
    for (i, s) in shapes.iter().enumerate() {
        let l = Lookup::compile(s).expect("compiles");
        assert_eq!(
            l.defers_projection(),
            i + 1 < shapes.len(),
            "shape {i}: {s:?}"
        );
    }
}

/// The translator's EXISTS and IN probes (`$limit: 1`) under the emptiness test with nothing after reading
/// the list run as one filter; without the `$limit` (or with the list read later) they do not.
#[test]
fn the_emptiness_test_after_a_probe_is_a_filter() {
    use bson::{bson, Bson};
    let exists = shapes()[0].clone();
    let test = |op: &str| bson!({"$match": {"$expr": {op: [{"$size": "$j"}, 0]}}});
    let select = bson!({"$project": {"_id": 0, "c0": "$k"}});
    let filter = |spec: &Document, rest: &[Bson]| {
        Lookup::compile_before(spec, rest)
            .expect("compiles")
            .size_filter()
    };
    assert_eq!(filter(&exists, &[test("$gt"), select.clone()]), Some(true));
    assert_eq!(filter(&exists, &[test("$eq"), select.clone()]), Some(false));
    let reads = bson!({"$project": {"_id": 0, "n": {"$size": "$j"}}});
    assert_eq!(filter(&exists, &[test("$gt"), reads]), None);
    assert_eq!(filter(&exists, &[test("$gt")]), None);
    assert_eq!(filter(&exists, &[test("$ne"), select.clone()]), None);
    assert_eq!(filter(&shapes()[1], &[test("$gt"), select]), None);
}
