//! The rewritten pipeline (an uncorrelated `$lookup` run once and written into the `$match`es after it) gives
//! what the pipeline as given gives: the same documents, or the same error, on generated data with NULL,
//! missing, mixed numeric types, strings and arrays on both sides, and subqueries of 0, 1 and 2 rows.

use super::super::{Catalog, Pipeline};
use super::inline_uncorrelated;
use crate::engine::expr::Vars;
use crate::engine::CommandError;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

struct Docs(Vec<Document>);

impl Catalog for Docs {
    fn scan(&self, collection: &str) -> Result<Vec<Document>, CommandError> {
        Ok(match collection {
            "fo" => self.0.clone(),
            _ => Vec::new(),
        })
    }
}

fn value() -> impl Strategy<Value = Option<Bson>> {
    let scalar = prop_oneof![
        (-2i32..3).prop_map(Bson::Int32),
        (-2i64..3).prop_map(Bson::Int64),
        prop_oneof![Just(0.5), Just(1.0), Just(-0.0), Just(2.5)].prop_map(Bson::Double),
        prop_oneof![Just("1"), Just("0.5")]
            .prop_map(|s: &str| Bson::Decimal128(s.parse().expect("decimal literal"))),
        Just(Bson::Null),
        Just(Bson::String("a".into())),
    ];
    prop_oneof![
        4 => scalar.clone().prop_map(Some),
        1 => prop::collection::vec(scalar, 0..3).prop_map(|v| Some(Bson::Array(v))),
        1 => Just(None),
    ]
}

fn docs(field: &'static str) -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((value(), -2i32..3), 0..6).prop_map(move |rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (v, g))| {
                let mut d = doc! {"_id": i as i32, "g": g};
                if let Some(v) = v {
                    d.insert(field, v);
                }
                d
            })
            .collect()
    })
}

/// The translator's scalar-subquery value of `__sq0`: the error for more than one row, else its first
/// row's `c` (missing when there is none).
fn scalar() -> Bson {
    bson!({"$cond": [
        {"$gt": [{"$size": "$__sq0"}, 1]},
        {"$toInt": {"$concat": [
            "more than one row returned by a subquery used as an expression, rows: ",
            {"$toString": {"$size": "$__sq0"}},
        ]}},
        {"$arrayElemAt": ["$__sq0.c", 0]},
    ]})
}

/// Sub-pipelines of 1 row (an aggregate), 0 to 2 rows (a column, filtered by `g`), and the NULL count of
/// `NOT IN`.
fn subqueries(g: i32) -> Vec<Bson> {
    vec![
        bson!([
            {"$group": {"_id": null, "a0": {"$avg": "$w"}}},
            {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
            {"$limit": 1},
            {"$project": {"_id": 0, "c": {"$ifNull": [{"$add": [{"$ifNull": ["$a0", null]}, 0.5]}, null]}}},
            {"$limit": 2},
        ]),
        bson!([
            {"$match": {"g": {"$gte": g}}},
            {"$project": {"_id": 0, "c": {"$ifNull": ["$w", null]}}},
            {"$limit": 2},
        ]),
        bson!([
            {"$project": {"_id": 0, "c": {"$ifNull": ["$w", null]}}},
            {"$group": {"_id": null, "nulls": {"$sum": {"$cond": [{"$eq": [{"$ifNull": ["$c", null]}, null]}, 1, 0]}}}},
        ]),
    ]
}

/// Outer `$match`es reading `__sq0` (the translator's comparison with its NULL guards, an `$or` with the
/// anti-join's size test, a query-language test on it that keeps the stage).
fn matches() -> Vec<Document> {
    vec![
        doc! {"$expr": {"$and": [
            {"$ne": [{"$ifNull": ["$v", null]}, null]},
            {"$ne": [{"$ifNull": [scalar(), null]}, null]},
            {"$gt": ["$v", scalar()]},
        ]}},
        doc! {"g": {"$gte": 0}, "$or": [
            {"$expr": {"$eq": [{"$size": "$__sq0"}, 0]}},
            {"$expr": {"$not": [{"$gt": [{"$arrayElemAt": ["$__sq0.nulls", 0]}, 0]}]}},
        ]},
        doc! {"$expr": {"$eq": ["$v", scalar()]}},
        doc! {"__sq0": {"$size": 1}},
        // EXISTS: dropped when the subquery has a row.
        doc! {"$expr": {"$gt": [{"$size": "$__sq0"}, 0]}},
    ]
}

/// What follows the `$match`: a count, the ids, the joined array itself (the stage must stay), or whole
/// documents (likewise).
fn tails() -> Vec<Vec<Bson>> {
    vec![
        vec![Bson::Document(
            doc! {"$group": {"_id": null, "n": {"$sum": 1}}},
        )],
        vec![Bson::Document(doc! {"$project": {"_id": 1}})],
        vec![Bson::Document(doc! {"$project": {"_id": 1, "x": "$__sq0"}})],
        vec![],
    ]
}

/// The sub-pipeline run as the engine's aggregate runs it, reduced to the pipeline over the collection.
fn sub_run(catalog: &Docs) -> impl Fn(&str, &[Bson]) -> Result<Vec<Document>, CommandError> + '_ {
    move |from, p| {
        let vars = Vars::new(bson::DateTime::from_millis(0));
        Pipeline::compile(p)?.run(catalog.scan(from)?, catalog, &vars)
    }
}

fn outcome(stages: &[Bson], outer: &[Document], catalog: &Docs) -> Result<Vec<Document>, i32> {
    let vars = Vars::new(bson::DateTime::from_millis(0));
    Pipeline::compile(stages)
        .and_then(|p| p.run(outer.to_vec(), catalog, &vars))
        .map_err(|e| e.code)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    /// The rewritten pipeline's output (documents or error code) is the original's.
    #[test]
    fn inlined_equals_per_document_lookup(
        outer in docs("v"),
        foreign in docs("w"),
        g in -2i32..3,
        sq in 0usize..3,
        m in 0usize..5,
        t in 0usize..4,
        before in any::<bool>(),
    ) {
        let catalog = Docs(foreign);
        let sub = subqueries(g)[sq].clone();
        let mut stages = Vec::new();
        if before {
            stages.push(Bson::Document(doc! {"$match": {"g": {"$ne": 2}}}));
        }
        stages.push(Bson::Document(doc! {"$lookup": {"from": "fo", "pipeline": sub, "as": "__sq0"}}));
        stages.push(Bson::Document(doc! {"$match": matches()[m].clone()}));
        stages.extend(tails()[t].clone());
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let expected = outcome(&stages, &outer, &catalog);
        let run = sub_run(&catalog);
        let rewritten = inline_uncorrelated(&stages, &catalog, &vars, &run);
        if let Some(rewritten) = rewritten {
            prop_assert!(m != 3 && t != 3, "the stage is kept when its array is read: {:?}", rewritten);
            prop_assert_eq!(outcome(&rewritten, &outer, &catalog), expected, "{:?}", rewritten);
            let always = Bson::Document(doc! {"$match": {"$expr": {"$literal": true}}});
            prop_assert!(!rewritten.contains(&always), "a match of every document stays: {:?}", rewritten);
        } else {
            prop_assert!(m == 3 || t == 3, "not rewritten: {:?}", stages);
        }
    }

    /// A select list reading the array (no `$match` between): the rewritten `$project` gives the original's
    /// documents or error.
    #[test]
    fn inlined_select_list_equals_per_document_lookup(
        outer in docs("v"),
        foreign in docs("w"),
        g in -2i32..3,
        sq in 0usize..3,
        p in 0usize..4,
        before in any::<bool>(),
        tail in any::<bool>(),
    ) {
        let catalog = Docs(foreign);
        let mut stages = Vec::new();
        if before {
            stages.push(Bson::Document(doc! {"$match": {"g": {"$ne": 2}}}));
        }
        stages.push(Bson::Document(
            doc! {"$lookup": {"from": "fo", "pipeline": subqueries(g)[sq].clone(), "as": "__sq0"}},
        ));
        stages.push(Bson::Document(doc! {"$project": projects()[p].clone()}));
        if tail {
            stages.push(Bson::Document(doc! {"$sort": {"c0": 1}}));
        }
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let expected = outcome(&stages, &outer, &catalog);
        let run = sub_run(&catalog);
        let rewritten = inline_uncorrelated(&stages, &catalog, &vars, &run);
        if let Some(rewritten) = rewritten {
            prop_assert!(p != 3, "the stage is kept when the select list keeps the field: {:?}", rewritten);
            prop_assert_eq!(outcome(&rewritten, &outer, &catalog), expected, "{:?}", rewritten);
        } else {
            prop_assert!(p == 3, "not rewritten: {:?}", stages);
        }
    }
}

/// Select lists reading `__sq0`: the translator's `v NOT IN (SELECT ...)` value (the size test and the NULL
/// count), a scalar subquery beside a computed column, the array whole, and one keeping the field itself.
fn projects() -> Vec<Document> {
    vec![
        doc! {"_id": 0, "c0": "$_id", "c1": {"$cond": [
            {"$or": [
                {"$eq": [{"$size": "$__sq0"}, 0]},
                {"$and": [
                    {"$ne": [{"$ifNull": ["$v", null]}, null]},
                    {"$not": [{"$gt": [{"$arrayElemAt": ["$__sq0.nulls", 0]}, 0]}]},
                ]},
            ]},
            true,
            null,
        ]}},
        doc! {"c0": "$g", "s": scalar(), "x": {"$add": ["$g", 1]}},
        doc! {"_id": 1, "c0": "$_id", "a": "$__sq0", "n": {"$size": "$__sq0"}, "g": 1},
        doc! {"_id": 0, "c0": "$_id", "__sq0": 1},
    ]
}

#[test]
fn the_scalar_subquery_becomes_a_filter_on_constants() {
    let catalog = Docs(vec![doc! {"w": 1.0}, doc! {"w": 2.0}]);
    let stages = vec![
        Bson::Document(
            doc! {"$lookup": {"from": "fo", "pipeline": subqueries(0)[0].clone(), "as": "__sq0"}},
        ),
        Bson::Document(doc! {"$match": matches()[0].clone()}),
        tails()[0][0].clone(),
    ];
    let vars = Vars::new(bson::DateTime::from_millis(0));
    let rewritten =
        inline_uncorrelated(&stages, &catalog, &vars, &sub_run(&catalog)).expect("rewritten");
    assert_eq!(
        rewritten[0],
        Bson::Document(doc! {"$match": {"$expr": {"$and": [
            {"$ne": [{"$ifNull": ["$v", null]}, null]},
            {"$literal": true},
            {"$gt": ["$v", {"$literal": 2.0}]},
        ]}}})
    );
    assert_eq!(rewritten.len(), 2);
}

/// A scalar subquery read by the select list (a `$project` after the `$lookup`) runs once and is written into
/// it; one read again after the select list (which keeps the field) is left to the stage without running
/// its sub-pipeline first (it would run twice).
#[test]
fn a_subquery_the_select_list_reads_runs_once() {
    let catalog = Docs(vec![doc! {"w": 1.0}]);
    let vars = Vars::new(bson::DateTime::from_millis(0));
    let runs = std::cell::Cell::new(0);
    let counting = |from: &str, p: &[Bson]| {
        runs.set(runs.get() + 1);
        sub_run(&catalog)(from, p)
    };
    let lookup = Bson::Document(
        doc! {"$lookup": {"from": "fo", "pipeline": subqueries(0)[0].clone(), "as": "__sq0"}},
    );
    let read_by_project = vec![
        lookup.clone(),
        Bson::Document(doc! {"$project": {"_id": 0, "c0": {"$first": "$__sq0.m"}}}),
    ];
    let rewritten = inline_uncorrelated(&read_by_project, &catalog, &vars, &counting)
        .expect("written into the select list");
    assert_eq!(rewritten.len(), 1);
    assert!(!format!("{rewritten:?}").contains("__sq0"), "{rewritten:?}");
    assert_eq!(runs.get(), 1);
    // Read by a `$match` and again after the select list: refused before the run.
    let read_again = vec![
        lookup,
        Bson::Document(doc! {"$match": matches()[0].clone()}),
        Bson::Document(doc! {"$project": {"_id": 0, "__sq0": 1}}),
        Bson::Document(doc! {"$project": {"_id": 0, "s": "$__sq0"}}),
    ];
    assert!(inline_uncorrelated(&read_again, &catalog, &vars, &counting).is_none());
    assert_eq!(runs.get(), 1);
}
