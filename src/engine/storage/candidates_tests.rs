//! The `$expr` equalities of a filter as index candidates (`expr_equalities`): the records a filter with
//! `$expr: {$eq: ["$f", c]}` (alone, under `$and`, beside other conjuncts) matches over an indexed collection
//! are those it matches over the same documents unindexed, on generated documents (numbers of several types
//! with equal values, strings a case-insensitive collation makes equal, null, missing, arrays holding the
//! constant, embedded documents); and the candidates themselves.

use super::super::collection::Collection;
use crate::engine::Engine;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    let leaf = prop_oneof![
        (0i32..3).prop_map(Bson::Int32),
        (0i64..3).prop_map(Bson::Int64),
        prop_oneof![Just(1.0), Just(2.5)].prop_map(Bson::Double),
        Just(Bson::Null),
        prop_oneof![Just("a"), Just("A"), Just("b")].prop_map(|s: &str| Bson::String(s.into())),
        (0i32..2).prop_map(|x| Bson::Document(doc! {"x": x})),
    ];
    prop_oneof![
        6 => leaf.clone().prop_map(Some),
        1 => prop::collection::vec(leaf, 0..3).prop_map(|v| Some(Bson::Array(v))),
        1 => Just(None),
    ]
}

/// The constants compared with: the leaf values and `$literal`s of them.
fn constant() -> impl Strategy<Value = Bson> {
    let c = prop_oneof![
        (0i32..3).prop_map(Bson::Int32),
        Just(Bson::Double(1.0)),
        Just(Bson::Int64(2)),
        prop_oneof![Just("a"), Just("b"), Just("$x")].prop_map(|s: &str| Bson::String(s.into())),
        Just(Bson::Null),
    ];
    (c, any::<bool>()).prop_map(|(c, lit)| match (lit, &c) {
        (true, _) | (false, Bson::String(_)) => bson!({"$literal": c}),
        _ => c,
    })
}

fn ids(
    e: &Engine,
    coll: &str,
    filter: &Document,
    collation: Option<&Document>,
) -> Result<Vec<Bson>, i32> {
    let mut cmd = doc! {"find": coll, "filter": filter.clone(), "batchSize": 1000};
    if let Some(c) = collation {
        cmd.insert("collation", c.clone());
    }
    e.run_command("t", &cmd)
        .map(|reply| {
            crate::engine::first_batch(&reply)
                .iter()
                .filter_map(|d| d.get("_id").cloned())
                .collect()
        })
        .map_err(|e| e.code)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A filter whose `$expr` holds `{$eq: ["$f", c]}` matches the same documents, in the same order, with
    /// an index on `f` (of the command's collation or another) as without.
    #[test]
    fn expr_equality_candidates_match_the_scan(
        values in prop::collection::vec((value(), -1i32..2), 0..20),
        c in constant(),
        shape in 0usize..4,
        field_first in any::<bool>(),
        index_ci in any::<bool>(),
        command_ci in any::<bool>(),
    ) {
        let e = Engine::in_memory();
        let docs: Vec<Document> = values
            .iter()
            .enumerate()
            .map(|(i, (f, g))| {
                let mut d = doc! {"_id": i as i32, "g": *g};
                if let Some(f) = f {
                    d.insert("f", f.clone());
                }
                d
            })
            .collect();
        for name in ["ix", "plain"] {
            e.run_command("t", &doc! {"create": name}).expect("create");
            if !docs.is_empty() {
                e.run_command("t", &doc! {"insert": name, "documents": docs.clone()}).expect("insert");
            }
        }
        let ci = doc! {"locale": "en_US", "strength": 2};
        let mut spec = doc! {"key": {"f": 1}, "name": "f_1"};
        if index_ci {
            spec.insert("collation", ci.clone());
        }
        e.run_command("t", &doc! {"createIndexes": "ix", "indexes": [spec]}).expect("index");
        let eq = if field_first { bson!({"$eq": ["$f", c.clone()]}) } else { bson!({"$eq": [c.clone(), "$f"]}) };
        let filter = match shape {
            0 => doc! {"$expr": eq},
            1 => doc! {"$expr": {"$and": [{"$gte": ["$g", 0]}, eq]}},
            2 => doc! {"g": {"$lte": 0}, "$expr": {"$and": [eq, {"$ne": ["$f", null]}]}},
            _ => doc! {"$and": [{"$expr": eq}, {"g": {"$ne": 1}}]},
        };
        let collation = command_ci.then_some(&ci);
        prop_assert_eq!(ids(&e, "ix", &filter, collation), ids(&e, "plain", &filter, collation));
    }
}

/// The candidates of an `$expr` equality are the index's records of that key (an array holding it among
/// them: the filter decides); other expressions give none.
#[test]
fn expr_equalities_are_index_candidates() {
    let mut c = Collection::new("db.c", Document::new());
    c.add_index(&doc! {"key": {"k": 1}, "name": "k_1"})
        .expect("index");
    for d in [
        doc! {"_id": 1, "k": "a"},
        doc! {"_id": 2, "k": "b"},
        doc! {"_id": 3, "k": ["b", "c"]},
        doc! {"_id": 4, "k": 2},
    ] {
        c.insert(d).expect("insert");
    }
    let cands = |f: Document| c.candidates(&f);
    assert_eq!(
        cands(doc! {"$expr": {"$eq": ["$k", "b"]}}),
        Some(vec![2, 3])
    );
    assert_eq!(
        cands(doc! {"$expr": {"$eq": [{"$literal": "a"}, "$k"]}}),
        Some(vec![1])
    );
    assert_eq!(
        cands(doc! {"$expr": {"$and": [{"$gt": ["$n", 1]}, {"$eq": ["$k", 2.0]}]}}),
        Some(vec![4])
    );
    // Not an equality of a top-level field to a constant.
    assert_eq!(cands(doc! {"$expr": {"$eq": ["$k", "$n"]}}), None);
    assert_eq!(cands(doc! {"$expr": {"$eq": ["$k.x", 1]}}), None);
    assert_eq!(cands(doc! {"$expr": {"$eq": ["$k", null]}}), None);
    assert_eq!(cands(doc! {"$expr": {"$or": [{"$eq": ["$k", "a"]}]}}), None);
    assert_eq!(cands(doc! {"$expr": {"$eq": ["$$v", "a"]}}), None);
}
