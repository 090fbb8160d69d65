//! The grand total added after a `$group` (`union_missing.rs`) against the four stages run one after the
//! other, on generated documents, groupings and added documents (their `_id`s equal to a group's, to one
//! another, numerically equal of another type, null, or missing).

use super::super::{NoCatalog, Pipeline};
use crate::engine::expr::Vars;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        3 => (0i32..4).prop_map(|n| Some(Bson::Int32(n))),
        1 => (0i64..4).prop_map(|n| Some(Bson::Int64(n))),
        1 => Just(Some(Bson::Double(1.0))),
        1 => Just(Some(Bson::Null)),
        1 => Just(None),
        1 => "[xy]".prop_map(|s| Some(Bson::String(s))),
    ]
}

fn docs() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((value(), value()), 0..30).prop_map(|rows| {
        rows.into_iter()
            .map(|(a, b)| {
                let mut d = Document::new();
                if let Some(a) = a {
                    d.insert("a", a);
                }
                if let Some(b) = b {
                    d.insert("b", b);
                }
                d
            })
            .collect()
    })
}

/// An added document: an `_id` like a grouping's (a value, or a document of one), or none.
fn added() -> impl Strategy<Value = Document> {
    (value(), prop::bool::ANY, 0i32..3).prop_map(|(v, nested, n)| {
        let mut d = doc! {"n": n};
        match (v, nested) {
            (Some(v), true) => {
                d.insert("_id", doc! {"g": v});
            }
            (Some(v), false) => {
                d.insert("_id", v);
            }
            (None, _) => {}
        }
        d
    })
}

fn stages(nested: bool, added: Vec<Document>, with: bool) -> Vec<Bson> {
    let id = if nested {
        bson!({"g": {"$ifNull": ["$a", null]}})
    } else {
        bson!("$a")
    };
    let added: Vec<Bson> = added.into_iter().map(Bson::Document).collect();
    let root = if with {
        bson!({"$replaceWith": "$d"})
    } else {
        bson!({"$replaceRoot": {"newRoot": "$d"}})
    };
    vec![
        bson!({"$group": {"_id": id, "n": {"$sum": 1}, "s": {"$max": "$b"}}}),
        bson!({"$unionWith": {"pipeline": [{"$documents": added}]}}),
        bson!({"$group": {"_id": "$_id", "d": {"$first": "$$ROOT"}}}),
        root,
    ]
}

fn vars() -> Vars {
    Vars::new(bson::DateTime::from_millis(0))
}

/// The stages run one after the other (no fusion).
fn stage_by_stage(p: &Pipeline, input: Vec<Document>) -> Result<Vec<Document>, i32> {
    let mut docs = input;
    for s in &p.stages {
        docs = p.apply(s, docs, &NoCatalog, &vars()).map_err(|e| e.code)?;
    }
    Ok(docs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]
    #[test]
    fn the_grand_total_added_unless_there_equals_the_stages(
        input in docs(),
        extra in prop::collection::vec(added(), 0..4),
        nested in prop::bool::ANY,
        with in prop::bool::ANY,
    ) {
        let p = Pipeline::compile(&stages(nested, extra, with)).expect("compiles");
        prop_assert!(super::at(&p, 1, p.stages.len()).is_some());
        let fused = p.run(input.clone(), &NoCatalog, &vars()).map_err(|e| e.code);
        prop_assert_eq!(fused, stage_by_stage(&p, input));
    }
}

/// The translator's ROLLUP plan is recognized; other shapes are not.
#[test]
fn only_the_exact_shape_is_taken() {
    let p =
        Pipeline::compile(&stages(true, vec![doc! {"_id": {"g": null}}], false)).expect("compiles");
    assert!(super::at(&p, 1, 4).is_some());
    assert!(
        super::at(&p, 1, 3).is_none(),
        "the replaceRoot lies past the end"
    );
    // Not after a `$group`: the `_id`s handed on may repeat.
    let mut s = stages(true, vec![doc! {"_id": 1}], false);
    s[0] = bson!({"$project": {"_id": "$a"}});
    let p = Pipeline::compile(&s).expect("compiles");
    assert!(super::at(&p, 1, 4).is_none());
    // `$last` keeps the later document: not the shape.
    let mut s = stages(true, vec![doc! {"_id": 1}], false);
    s[2] = bson!({"$group": {"_id": "$_id", "d": {"$last": "$$ROOT"}}});
    let p = Pipeline::compile(&s).expect("compiles");
    assert!(super::at(&p, 1, 4).is_none());
    // A `$unionWith` of a collection.
    let mut s = stages(true, vec![doc! {"_id": 1}], false);
    s[1] = bson!({"$unionWith": {"coll": "c", "pipeline": []}});
    let p = Pipeline::compile(&s).expect("compiles");
    assert!(super::at(&p, 1, 4).is_none());
}

/// Past [`super::MAX_ADDED`] added documents the stages run themselves, with the same result.
#[test]
fn many_added_documents_take_the_stages() {
    let extra: Vec<Document> = (0..40).map(|i| doc! {"_id": i % 7, "n": i}).collect();
    let input: Vec<Document> = (0..20).map(|i| doc! {"a": i % 5, "b": i}).collect();
    let p = Pipeline::compile(&stages(false, extra, false)).expect("compiles");
    let fused = p
        .run(input.clone(), &NoCatalog, &vars())
        .map_err(|e| e.code);
    assert_eq!(fused, stage_by_stage(&p, input));
}
