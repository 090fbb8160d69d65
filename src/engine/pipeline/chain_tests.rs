//! Per-document stages run one document at a time (each document through every stage of the run, into a
//! closing `$sort`, top-k, `$group` or `$limit`, and after a `$setWindowFields`) give what the stages give
//! run one after the other over the whole stream, on generated documents and pipelines; and a closing whole
//! `$sort`'s output taken through the last stages as it leaves the sort, parsed or kept as bytes
//! (`compact_out.rs`), gives the same documents.

use super::{NoCatalog, Pipeline};
use crate::engine::expr::Vars;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

/// A field's value in generated documents: small integers, null, missing, short strings, small arrays
/// (also `hoist_tests`' values).
pub(super) fn value() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        3 => (0i32..5).prop_map(|n| Some(Bson::Int32(n))),
        1 => Just(Some(Bson::Null)),
        1 => Just(None),
        1 => "[xy]".prop_map(|s| Some(Bson::String(s))),
        1 => prop::collection::vec((0i32..4).prop_map(Bson::Int32), 0..3)
            .prop_map(|a| Some(Bson::Array(a))),
    ]
}

fn docs() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((value(), value()), 0..40).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (a, b))| {
                let mut d = doc! {"_id": i as i32};
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

/// Runs of per-document stages (some of which fail on some documents: a `$replaceRoot` of a non-document).
fn heads() -> Vec<Vec<Bson>> {
    vec![
        vec![bson!({"$match": {"a": {"$gte": 1}}})],
        vec![
            bson!({"$set": {"k": {"$ifNull": ["$a", null]}, "c": {"$add": [1, 2]}}}),
            bson!({"$unset": "b"}),
        ],
        vec![
            bson!({"$project": {"_id": 1, "a": 1, "s": {"$ifNull": ["$b", "none"]}}}),
            bson!({"$match": {"s": {"$ne": "x"}}}),
        ],
        vec![
            bson!({"$unwind": {"path": "$a", "preserveNullAndEmptyArrays": true}}),
            bson!({"$set": {"w": "$$ROOT"}}),
        ],
        vec![
            bson!({"$set": {"r": {"a": "$a", "b": "$b"}}}),
            bson!({"$replaceRoot": {"newRoot": "$r"}}),
        ],
        vec![
            bson!({"$replaceRoot": {"newRoot": {"$cond": [{"$eq": ["$a", 3]}, "$a", {"v": "$b"}]}}}),
        ],
        vec![
            bson!({"$setWindowFields": {"partitionBy": "$b", "sortBy": {"a": 1, "_id": 1}, "output": {"n": {"$documentNumber": {}}}}}),
            bson!({"$set": {"m": {"$multiply": ["$n", 2]}}}),
            bson!({"$unset": "n"}),
        ],
    ]
}

fn tails() -> Vec<Vec<Bson>> {
    vec![
        vec![],
        vec![bson!({"$sort": {"a": -1, "_id": 1}})],
        vec![bson!({"$sort": {"b": 1}}), bson!({"$limit": 3})],
        vec![
            bson!({"$sort": {"a": 1}}),
            bson!({"$skip": 2}),
            bson!({"$limit": 4}),
        ],
        vec![bson!({"$group": {"_id": "$a", "n": {"$sum": 1}, "f": {"$first": "$b"}}})],
        vec![bson!({"$limit": 5})],
        vec![bson!({"$skip": 1}), bson!({"$limit": 2})],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn document_at_a_time_equals_stage_by_stage(
        docs in docs(),
        head in 0usize..7,
        head2 in 0usize..8,
        tail in 0usize..7,
    ) {
        let mut stages = heads()[head].clone();
        if let Some(more) = heads().get(head2) {
            stages.extend(more.iter().cloned());
        }
        stages.extend(tails()[tail].iter().cloned());
        let p = Pipeline::compile(&stages).expect("compiles");
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let got = p.run(docs.clone(), &NoCatalog, &vars);
        // A closing `$limit` stops the walk once enough documents came out (as mongod pulls them): a
        // document after that, on which a stage fails, is never read.
        let limited = tails()[tail].iter().any(|s| s.as_document().is_some_and(|d| d.contains_key("$limit")));
        check(&p, &stages, docs, got, limited)?;
    }

    #[test]
    fn sorted_output_as_bytes_equals_stage_by_stage(
        docs in docs(),
        head in 0usize..7,
        tail in 0usize..3,
        held in 0usize..4,
        rows in any::<bool>(),
    ) {
        let ends = [
            vec![bson!({"$sort": {"a": -1, "_id": 1}}), bson!({"$unset": "b"})],
            vec![
                bson!({"$sort": {"b": 1}}),
                bson!({"$project": {"a": 1, "t": {"$ifNull": ["$b", "none"]}}}),
                bson!({"$match": {"t": {"$ne": "x"}}}),
            ],
            vec![bson!({"$sort": {"_id": -1}})],
        ];
        let mut stages = heads()[head].clone();
        stages.extend(ends[tail].iter().cloned());
        let p = Pipeline::compile(&stages).expect("compiles");
        let vars = Vars::new(bson::DateTime::from_millis(0));
        super::compact_out::TEST_HELD_DOCS.with(|h| h.set(Some(held)));
        let got = p.run_output(0, docs.clone(), &NoCatalog, &vars, rows).and_then(|o| o.into_docs());
        super::compact_out::TEST_HELD_DOCS.with(|h| h.set(None));
        check(&p, &stages, docs, got, false)?;
    }
}

/// Closing `$project` + `$sort` + `$unset` shapes: the first two are taken by `sort_keys.rs` (the
/// projection's last fields are the sort's keys, unset after it), the last two are not (a field after the
/// keys; a key not among the last fields).
fn keyed_ends() -> Vec<Vec<Bson>> {
    let null_flag = |f: &str| bson!({"$cond": [{"$eq": [{"$ifNull": [f, null]}, null]}, 1, 0]});
    vec![
        vec![
            bson!({"$project": {"_id": 0, "c0": "$a", "__n0": null_flag("$a"), "__s0": "$a", "__n1": null_flag("$b"), "__s1": "$b"}}),
            bson!({"$sort": {"__n0": 1, "__s0": -1, "__n1": 1, "__s1": 1}}),
            bson!({"$unset": ["__n0", "__s0", "__n1", "__s1"]}),
        ],
        vec![
            bson!({"$project": {"_id": 0, "c": "$b", "x": {"$add": ["$a", 1]}, "k": "$b", "j": "$_id"}}),
            bson!({"$sort": {"k": -1, "j": 1}}),
            bson!({"$unset": ["j", "k"]}),
            bson!({"$addFields": {"t": {"$literal": 1}}}),
        ],
        vec![
            bson!({"$project": {"c": "$a", "k": "$b", "z": {"$literal": 1}}}),
            bson!({"$sort": {"k": 1}}),
            bson!({"$unset": ["k"]}),
        ],
        vec![
            bson!({"$project": {"_id": 0, "k": "$b", "c": "$a"}}),
            bson!({"$sort": {"k": 1}}),
            bson!({"$unset": "k"}),
        ],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A sort fed its keys by the projection before it (in memory or spilled, the output parsed or kept as
    /// bytes, through `run` or `run_output`) gives what the stages give one after the other.
    #[test]
    fn projected_sort_keys_equal_stage_by_stage(
        docs in docs(),
        head in 0usize..8,
        end in 0usize..4,
        spill in prop::option::of(1usize..3000),
        held in 0usize..3,
        output in any::<bool>(),
        rows in any::<bool>(),
    ) {
        let mut stages = heads().get(head).cloned().unwrap_or_default();
        let sort = stages.len() + 1;
        stages.extend(keyed_ends()[end].iter().cloned());
        let p = Pipeline::compile(&stages).expect("compiles");
        prop_assert_eq!(p.sort_keys(sort, p.stages.len()).is_some(), end < 2);
        let mut vars = Vars::new(bson::DateTime::from_millis(0));
        if let Some(limit) = spill {
            vars.memory.sort_bytes = limit;
            vars.memory.window_bytes = 1 << 20;
            vars.memory.allow_disk_use = true;
        }
        let got = if output {
            super::compact_out::TEST_HELD_DOCS.with(|h| h.set(Some(held)));
            let got = p.run_output(0, docs.clone(), &NoCatalog, &vars, rows).and_then(|o| o.into_docs());
            super::compact_out::TEST_HELD_DOCS.with(|h| h.set(None));
            got
        } else {
            p.run(docs.clone(), &NoCatalog, &vars)
        };
        check(&p, &stages, docs, got, false)?;
    }
}

/// `got` against the reference, each stage over the whole stream in turn: the same documents, or both an
/// error (`got` may succeed where the reference fails when the walk is `limited`).
fn check(
    p: &Pipeline,
    stages: &[Bson],
    docs: Vec<Document>,
    got: Result<Vec<Document>, crate::engine::CommandError>,
    limited: bool,
) -> Result<(), TestCaseError> {
    let vars = Vars::new(bson::DateTime::from_millis(0));
    let mut want = Ok(docs);
    for st in &p.stages {
        want = want.and_then(|d| p.apply(st, d, &NoCatalog, &vars));
    }
    match (got, want) {
        (Ok(g), Ok(w)) => prop_assert_eq!(format!("{g:?}"), format!("{w:?}"), "{:?}", stages),
        (Err(_), Err(_)) => {}
        (Ok(_), Err(_)) if limited => {}
        (g, w) => prop_assert!(
            false,
            "{:?}: {:?} vs {:?}",
            stages,
            g.map(|d| d.len()),
            w.map(|d| d.len())
        ),
    }
    Ok(())
}

proptest! {
    /// `$replaceRoot` of a document the stage owns (the field taken out) gives what evaluating the new root
    /// on the borrowed document gives: the same document, or the same error (40228) for a non-document.
    #[test]
    fn replace_root_of_an_owned_document_equals_the_evaluated_root(
        rows in docs(),
        inner in value(),
        root in prop_oneof![Just("$d"), Just("$a"), Just("$d.e"), Just("$$ROOT")],
    ) {
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let e = crate::engine::expr::Expr::compile(&Bson::String(root.into())).expect("compiles");
        for (i, mut d) in rows.into_iter().enumerate() {
            match (i % 3, &inner) {
                (0, Some(v)) => {
                    d.insert("d", doc! {"e": v.clone(), "f": i as i32});
                }
                (1, Some(v)) => {
                    d.insert("d", v.clone());
                }
                _ => {}
            }
            let owned = super::replace_root_owned(&e, d.clone(), &vars).map_err(|e| e.code);
            let general = super::replace_root(&e, &d, &vars).map_err(|e| e.code);
            prop_assert_eq!(owned, general);
        }
    }
}
