//! `index_minmax.rs` against the general `$group` (the same documents in a collection without the index), on
//! generated documents: missing fields, null, undefined, mixed numeric types with equal values (ties: the
//! first in natural order), strings that a case-insensitive collation makes equal, embedded documents,
//! MinKey / MaxKey, arrays (the index is then not used), an empty collection; and the fast path itself.

use super::{plan, run};
use crate::engine::Engine;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

/// A field's value: `rich` draws every type (MinKey, MaxKey and booleans beat any array in one direction);
/// otherwise numbers and strings only, which an array beats for `$max`.
fn value(rich: bool) -> impl Strategy<Value = Option<Bson>> {
    let plain = prop_oneof![
        (0i32..3).prop_map(Bson::Int32),
        (0i64..3).prop_map(Bson::Int64),
        prop_oneof![Just(1.0), Just(2.0), Just(-0.0)].prop_map(Bson::Double),
        Just(Bson::Null),
        prop_oneof![Just("a"), Just("A"), Just("b"), Just("")]
            .prop_map(|s: &str| Bson::String(s.into())),
    ];
    let leaf = if rich {
        prop_oneof![
            6 => plain,
            1 => Just(Bson::Undefined),
            1 => any::<bool>().prop_map(Bson::Boolean),
            1 => (0i32..2).prop_map(|x| Bson::Document(doc! {"x": x})),
            1 => Just(Bson::MinKey),
            1 => Just(Bson::MaxKey),
        ]
        .boxed()
    } else {
        plain.boxed()
    };
    prop_oneof![
        12 => leaf.clone().prop_map(Some),
        1 => prop::collection::vec(leaf, 0..3).prop_map(|v| Some(Bson::Array(v))),
        3 => Just(None),
    ]
}

fn docs(values: &[(Option<Bson>, Option<Bson>)]) -> Vec<Document> {
    values
        .iter()
        .enumerate()
        .map(|(i, (f, g))| {
            let mut d = doc! {"_id": i as i32};
            if let Some(f) = f {
                d.insert("f", f.clone());
            }
            if let Some(g) = g {
                d.insert("g", g.clone());
            }
            d
        })
        .collect()
}

fn aggregate(
    e: &Engine,
    coll: &str,
    pipeline: &[Bson],
    collation: Option<&Document>,
) -> Result<Vec<Document>, String> {
    let mut cmd = doc! {"aggregate": coll, "pipeline": pipeline.to_vec(), "cursor": {}};
    if let Some(c) = collation {
        cmd.insert("collation", c.clone());
    }
    e.run_command("t", &cmd)
        .map(|reply| crate::engine::first_batch(&reply))
        .map_err(|e| e.errmsg)
}

/// An engine with `docs` in `ix` (indexed on `f` and `g`, with `collation` when given) and in `plain`.
fn engine(docs: &[Document], collation: Option<&Document>) -> Engine {
    let e = Engine::in_memory();
    for c in ["ix", "plain"] {
        e.run_command("t", &doc! {"create": c}).expect("create");
        if !docs.is_empty() {
            e.run_command("t", &doc! {"insert": c, "documents": docs.to_vec()})
                .expect("insert");
        }
    }
    let mut indexes = Vec::new();
    for f in ["f", "g"] {
        let mut spec = doc! {"key": {f: 1}, "name": format!("{f}_1")};
        if let Some(c) = collation {
            spec.insert("collation", c.clone());
        }
        indexes.push(spec);
    }
    e.run_command("t", &doc! {"createIndexes": "ix", "indexes": indexes})
        .expect("index");
    e
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// `$group: {_id: null, <$min / $max of f and g>}` (and the translator's scalar subquery around it) gives
    /// over the indexed collection what the general `$group` gives over the same documents unindexed.
    #[test]
    fn index_min_max_is_the_general_group(
        values in prop::collection::vec((value(true), value(false)), 0..20),
        accs in prop::collection::vec((any::<bool>(), any::<bool>()), 1..4),
        case_insensitive in any::<bool>(),
    ) {
        let collation = case_insensitive.then(|| doc! {"locale": "en_US", "strength": 2});
        let e = engine(&docs(&values), collation.as_ref());
        let mut group = doc! {"_id": null};
        for (i, (max, g)) in accs.iter().enumerate() {
            let op = if *max { "$max" } else { "$min" };
            let field = if *g { "$g" } else { "$f" };
            group.insert(format!("a{i}"), bson!({op: field}));
        }
        let pipeline = vec![
            bson!({"$group": group}),
            bson!({"$unionWith": {"pipeline": [{"$documents": [{}]}]}}),
            bson!({"$limit": 1}),
        ];
        for c in [None, collation.as_ref()] {
            let got = aggregate(&e, "ix", &pipeline, c);
            let want = aggregate(&e, "plain", &pipeline, c);
            prop_assert_eq!(&got, &want);
            let got = aggregate(&e, "ix", &pipeline[..1], c);
            let want = aggregate(&e, "plain", &pipeline[..1], c);
            prop_assert_eq!(got, want);
        }
    }
}

/// The fast path answers from the index (ties: the first in natural order), and declines what it cannot
/// answer exactly: an array met at an extreme, no index, a grouping key, a leading `$match`.
#[test]
fn min_max_are_read_from_the_index() {
    let docs = vec![
        doc! {"_id": 0, "f": 5, "g": "b"},
        doc! {"_id": 1, "g": null},
        doc! {"_id": 2, "f": 1.0, "g": "a"},
        doc! {"_id": 3, "f": 1_i64},
        doc! {"_id": 4, "f": null, "g": "c"},
        doc! {"_id": 5, "f": 5.0},
    ];
    let e = engine(&docs, None);
    let group = bson!({"$group": {"_id": null, "lo": {"$min": "$f"}, "hi": {"$max": "$f"}, "s": {"$max": "$g"}}});
    let p = plan(std::slice::from_ref(&group)).expect("the shape is recognised");
    let state = e.inner.read_state().expect("state");
    let got = run(&state, "t", "ix", &p).expect("runs");
    assert_eq!(
        got,
        Some(vec![doc! {"_id": null, "lo": 1.0, "hi": 5, "s": "c"}])
    );
    // No index on the fields: the general path.
    assert_eq!(run(&state, "t", "plain", &p).expect("runs"), None);
    // An array at an extreme (its element, or the whole array for `$max`): the general path.
    let insert = |d: Document| {
        e.run_command("t", &doc! {"insert": "ix", "documents": [d]})
            .expect("insert");
    };
    insert(doc! {"_id": 9, "f": [0, 9]});
    let state = e.inner.read_state().expect("state");
    assert_eq!(run(&state, "t", "ix", &p).expect("runs"), None);
    let lo = plan(&[bson!({"$group": {"_id": null, "lo": {"$min": "$f"}}})]).expect("shape");
    assert_eq!(run(&state, "t", "ix", &lo).expect("runs"), None);
    // An array at neither extreme of `$min` (arrays sort after numbers): the index answers.
    insert(doc! {"_id": 10, "f": [3]});
    e.run_command(
        "t",
        &doc! {"delete": "ix", "deletes": [{"q": {"_id": 9}, "limit": 1}]},
    )
    .expect("delete");
    let state = e.inner.read_state().expect("state");
    assert_eq!(
        run(&state, "t", "ix", &lo).expect("runs"),
        Some(vec![doc! {"_id": null, "lo": 1.0}])
    );
    // Other shapes are not this path's.
    assert!(plan(&[bson!({"$group": {"_id": "$g", "lo": {"$min": "$f"}}})]).is_none());
    assert!(plan(&[bson!({"$group": {"_id": null, "n": {"$sum": 1}}})]).is_none());
    assert!(plan(&[bson!({"$group": {"_id": null, "lo": {"$min": "$f.x"}}})]).is_none());
    assert!(plan(&[bson!({"$match": {}}), group]).is_none());
}

/// An empty collection gives no document, and the translator's scalar subquery then one of null.
#[test]
fn an_empty_collection_has_no_group() {
    let e = engine(&[], None);
    let group = bson!({"$group": {"_id": null, "lo": {"$min": "$f"}}});
    let p = plan(std::slice::from_ref(&group)).expect("shape");
    let state = e.inner.read_state().expect("state");
    assert_eq!(run(&state, "t", "ix", &p).expect("runs"), Some(Vec::new()));
    let got = aggregate(
        &e,
        "ix",
        &[
            group,
            bson!({"$unionWith": {"pipeline": [{"$documents": [{}]}]}}),
            bson!({"$limit": 1}),
            bson!({"$project": {"_id": 0, "min": {"$ifNull": ["$lo", null]}}}),
        ],
        None,
    );
    assert_eq!(got, Ok(vec![doc! {"min": null}]));
}
