//! Property tests of `$lookup`'s fast paths (uncorrelated prefix computed once, index probe, hash join,
//! `$lookup` + `$unwind` coalescing, streaming into `$group`) against the reference nested loop
//! (`Lookup::matches_nested_loop`: every foreign document, the whole pipeline, per outer document), on
//! generated data with every value type the join equality distinguishes.

use super::join::Lookup;
use super::{Catalog, Pipeline};
use crate::engine::expr::Vars;
use crate::engine::{CommandError, Engine};
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;

/// Collections held as documents (what the engine scanned), for the reference.
struct Docs(Vec<(String, Vec<Document>)>);

impl Catalog for Docs {
    fn scan(&self, collection: &str) -> Result<Vec<Document>, CommandError> {
        Ok(self
            .0
            .iter()
            .find(|(n, _)| n == collection)
            .map(|(_, d)| d.clone())
            .unwrap_or_default())
    }
}

fn key() -> impl Strategy<Value = Option<Bson>> {
    let scalar = prop_oneof![
        (0i32..3).prop_map(Bson::Int32),
        (0i64..3).prop_map(Bson::Int64),
        prop_oneof![Just(0.0), Just(1.0), Just(1.5), Just(-0.0), Just(f64::NAN)]
            .prop_map(Bson::Double),
        prop_oneof![Just("1"), Just("2.0")]
            .prop_map(|s: &str| Bson::Decimal128(s.parse().expect("decimal literal"))),
        Just(Bson::Null),
        prop_oneof![Just("a"), Just("b")].prop_map(|s: &str| Bson::String(s.into())),
        (0i32..2).prop_map(|x| Bson::Document(doc! {"x": x})),
        // Regexes hash by type alone: their buckets hold unequal values the exact predicate must drop.
        prop_oneof![Just("a"), Just("b")].prop_map(|p: &str| Bson::RegularExpression(
            bson::Regex {
                pattern: p.try_into().expect("pattern"),
                options: "".try_into().expect("options"),
            }
        )),
    ];
    prop_oneof![
        3 => scalar.clone().prop_map(Some),
        1 => prop::collection::vec(scalar, 0..3).prop_map(|v| Some(Bson::Array(v))),
        1 => Just(None),
    ]
}

pub(super) fn docs(field: &'static str, max: usize) -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((key(), -2i32..3), 0..max).prop_map(move |rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (k, g))| {
                let mut d = doc! {"_id": i as i32, "g": g};
                if let Some(k) = k {
                    d.insert(field, k);
                }
                d
            })
            .collect()
    })
}

/// The `$lookup` shapes under test (the translator's among them).
pub(super) fn lookups() -> Vec<Document> {
    let guarded = bson!({"$and": [
        {"$ne": [{"$ifNull": ["$f", null]}, null]},
        {"$ne": [{"$ifNull": ["$$v", null]}, null]},
        {"$eq": ["$$v", "$f"]},
    ]});
    vec![
        doc! {"from": "fo", "localField": "k", "foreignField": "f", "as": "j"},
        doc! {"from": "fo", "let": {"v": "$k"}, "pipeline": [{"$match": {"$expr": {"$eq": ["$f", "$$v"]}}}], "as": "j"},
        doc! {"from": "fo", "let": {"v": "$k"}, "pipeline": [{"$match": {"$expr": guarded.clone()}}, {"$project": {"_id": 0, "g": 1}}], "as": "j"},
        doc! {"from": "fo", "let": {"v": "$k", "w": "$g"}, "pipeline": [
            {"$match": {"g": {"$gte": 0}}},
            {"$project": {"f": 1, "g": 1}},
            {"$match": {"$expr": {"$and": [{"$eq": ["$$v", "$f"]}, {"$lte": ["$g", "$$w"]}]}}},
        ], "as": "j"},
        doc! {"from": "fo", "let": {"v": "$k"}, "pipeline": [{"$match": {"$and": [{"$expr": {"$eq": ["$f", "$$v"]}}, {"g": {"$ne": 1}}]}}], "as": "j"},
        doc! {"from": "fo", "pipeline": [{"$group": {"_id": null, "n": {"$sum": 1}, "s": {"$sum": "$g"}}}], "as": "j"},
        doc! {"from": "fo", "pipeline": [], "as": "j"},
        // Uncorrelated EXISTS: the foreign collection is read up to the first match, once.
        doc! {"from": "fo", "pipeline": [{"$match": {"g": {"$gt": 0}}}, {"$project": {"_id": 0, "x": {"$literal": 1}}}, {"$limit": 1}], "as": "j"},
        doc! {"from": "fo", "let": {"w": "$g"}, "pipeline": [{"$match": {"g": {"$gt": 0}}}, {"$match": {"$expr": {"$gt": ["$g", "$$w"]}}}], "as": "j"},
        doc! {"from": "fo", "localField": "k", "foreignField": "f", "let": {"w": "$g"}, "pipeline": [{"$match": {"$expr": {"$ne": ["$g", "$$w"]}}}], "as": "j"},
        // The translator's correlated EXISTS: the guarded key and another correlated condition, then
        // `$limit: 1` (the walk over a bucket stops at the first match).
        doc! {"from": "fo", "let": {"v": "$k", "w": "$g"}, "pipeline": [
            {"$match": {"$and": [{"$expr": guarded.clone()}, {"$expr": {"$ne": ["$g", "$$w"]}}]}},
            {"$project": {"_id": 0, "x": {"$literal": 1}}},
            {"$limit": 1},
        ], "as": "j"},
        // ... as it translates now: the equality also as localField/foreignField.
        doc! {"from": "fo", "localField": "k", "foreignField": "f", "let": {"v": "$k", "w": "$g"}, "pipeline": [
            {"$match": {"$and": [{"$expr": guarded.clone()}, {"$expr": {"$ne": ["$g", "$$w"]}}]}},
            {"$project": {"_id": 0, "x": {"$literal": 1}}},
            {"$limit": 1},
        ], "as": "j"},
        // Uncorrelated conditions beside the key (top level, in `$and`, inside the `$expr`'s `$and`): decided
        // once per foreign document when the table is built, the correlated rest per candidate.
        doc! {"from": "fo", "let": {"v": "$k", "w": "$g"}, "pipeline": [
            {"$match": {"g": {"$gte": 0}, "$and": [
                {"$expr": guarded.clone()},
                {"$expr": {"$and": [{"$lt": ["$g", 2]}, {"$ne": ["$g", "$$w"]}]}},
                {"f": {"$ne": "a"}},
            ]}},
            {"$project": {"_id": 0, "x": {"$literal": 1}}},
            {"$limit": 1},
        ], "as": "j"},
        doc! {"from": "fo", "localField": "k", "foreignField": "f", "let": {"v": "$k", "w": "$g"}, "pipeline": [
            {"$match": {"$expr": {"$and": [{"$ne": ["$g", 0]}, {"$eq": ["$f", "$$v"]}, {"$gte": ["$g", "$$w"]}]}}},
            {"$project": {"_id": 0, "g": 1}},
        ], "as": "j"},
        // The translator's uncorrelated `x [NOT] IN (SELECT ...)` probe: a cached `$project`, then the key
        // with an uncorrelated condition (a subquery's WHERE) beside it.
        doc! {"from": "fo", "let": {"i0": "$k"}, "pipeline": [
            {"$project": {"_id": 0, "f": {"$ifNull": ["$f", null]}, "g": 1}},
            {"$match": {"$and": [{"g": {"$gt": -1}}, {"$expr": {"$eq": ["$f", "$$i0"]}}]}},
            {"$limit": 1},
        ], "as": "j"},
        // ... with the subquery's own WHERE leading the cached prefix (decided by the scan: source_scan).
        doc! {"from": "fo", "let": {"i0": "$k"}, "pipeline": [
            {"$match": {"g": {"$gt": 0}}},
            {"$project": {"_id": 0, "f": {"$ifNull": ["$f", null]}}},
            {"$match": {"$expr": {"$eq": ["$f", "$$i0"]}}},
            {"$limit": 1},
        ], "as": "j"},
        // A scalar subquery's `$limit: 2`, a `$skip` before it and a blocking stage after the streamed run.
        doc! {"from": "fo", "let": {"v": "$k"}, "pipeline": [
            {"$match": {"$expr": {"$eq": ["$f", "$$v"]}}},
            {"$skip": 1},
            {"$limit": 2},
            {"$sort": {"g": -1}},
        ], "as": "j"},
        doc! {"from": "fo", "localField": "k", "foreignField": "f", "pipeline": [
            {"$set": {"h": {"$add": ["$g", 1]}}},
            {"$match": {"h": {"$gt": 0}}},
            {"$limit": 2},
        ], "as": "j"},
        // No equality: the cached foreign side is walked, by reference, up to the limit.
        doc! {"from": "fo", "let": {"w": "$g"}, "pipeline": [
            {"$match": {"$expr": {"$lt": ["$g", "$$w"]}}},
            {"$limit": 1},
        ], "as": "j"},
        doc! {"from": "fo", "let": {"w": "$g"}, "pipeline": [
            {"$match": {"g": {"$ne": 0}}},
            {"$match": {"$expr": {"$lte": ["$g", "$$w"]}}},
            {"$unwind": {"path": "$f", "preserveNullAndEmptyArrays": true}},
            {"$limit": 3},
        ], "as": "j"},
        // The `let` value shown in the result: outer documents share a memoised result only when their values
        // are identical (`1`, `NumberLong(1)`, `1.0`, `-0.0` and `0` are equal keys but show differently).
        doc! {"from": "fo", "let": {"v": "$k"}, "pipeline": [
            {"$match": {"$expr": {"$eq": ["$f", "$$v"]}}},
            {"$project": {"_id": 0, "g": 1, "seen": "$$v"}},
        ], "as": "j"},
        // `IS NOT DISTINCT FROM` (NULL and missing equal), and equalities on paths below a variable and
        // below a foreign field: hashed too.
        doc! {"from": "fo", "let": {"v": "$k", "i": "$_id"}, "pipeline": [
            {"$match": {"$expr": {"$and": [
                {"$eq": [{"$ifNull": ["$$v", null]}, {"$ifNull": ["$f", null]}]},
                {"$lt": ["$$i", "$_id"]},
            ]}}},
        ], "as": "j"},
        doc! {"from": "fo", "let": {"o": "$$ROOT", "v": "$k"}, "pipeline": [
            {"$match": {"$expr": {"$and": [{"$eq": ["$f.x", "$$v.x"]}, {"$eq": ["$$o.g", "$g"]}]}}},
        ], "as": "j"},
        doc! {"from": "fo", "let": {"o": "$$ROOT"}, "pipeline": [
            {"$match": {"$expr": {"$eq": ["$$o.k", "$f"]}}},
            {"$project": {"_id": 1}},
        ], "as": "j"},
        // A join on two columns (`ON a.k = b.f AND a.g = b.g`): the table hashes the pair.
        doc! {"from": "fo", "let": {"v": "$k", "w": "$g"}, "pipeline": [
            {"$match": {"$expr": {"$and": [
                {"$ne": [{"$ifNull": ["$f", null]}, null]},
                {"$ne": [{"$ifNull": ["$$v", null]}, null]},
                {"$eq": ["$$v", "$f"]},
                {"$eq": ["$$w", "$g"]},
            ]}}},
        ], "as": "j"},
        // ... with a third, non-equality condition and an uncorrelated one beside them.
        doc! {"from": "fo", "let": {"v": "$k", "w": "$g", "i": "$_id"}, "pipeline": [
            {"$match": {"$expr": {"$and": [
                {"$eq": ["$g", "$$w"]}, {"$ne": [{"$ifNull": ["$g", null]}, null]},
                {"$eq": ["$f", "$$v"]}, {"$lt": ["$$i", "$_id"]},
            ]}}},
        ], "as": "j"},
        // The translator's correlated `x IN (SELECT ...)` probe: `localField` on x, the correlation's guarded
        // equality beside it (the table hashes both, the `localField` equality still decides).
        doc! {"from": "fo", "localField": "k", "foreignField": "f", "let": {"i": "$k", "w": "$g"}, "pipeline": [
            {"$match": {"$and": [
                {"$expr": {"$eq": ["$f", "$$i"]}},
                {"$expr": {"$and": [
                    {"$ne": [{"$ifNull": ["$g", null]}, null]},
                    {"$ne": [{"$ifNull": ["$$w", null]}, null]},
                    {"$eq": ["$g", "$$w"]},
                ]}},
            ]}},
            {"$project": {"_id": 0, "f": {"$ifNull": ["$f", null]}}},
            {"$limit": 1},
        ], "as": "j"},
    ]
}

/// What may follow the `$lookup` (the streamed segment, coalesced `$unwind` included).
pub(super) fn tails() -> Vec<Vec<Bson>> {
    vec![
        vec![],
        vec![bson!({"$unwind": "$j"})],
        vec![
            bson!({"$unwind": {"path": "$j", "includeArrayIndex": "i", "preserveNullAndEmptyArrays": true}}),
        ],
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$group": {"_id": "$k", "n": {"$sum": 1}}}),
            bson!({"$sort": {"_id": 1}}),
        ],
        vec![
            bson!({"$match": {"$expr": {"$gt": [{"$size": "$j"}, 0]}}}),
            bson!({"$unset": "j"}),
        ],
        // The translator's semi-join shape: the scan parses only the fields the stages read (the lookup's
        // local field and `let`, the `$match`, the select list), the reference whole documents.
        vec![
            bson!({"$match": {"$expr": {"$gt": [{"$size": "$j"}, 0]}}}),
            bson!({"$project": {"_id": 0, "c0": "$k", "n": {"$size": "$j"}}}),
        ],
        // The semi- and anti-join with nothing after reading the list (the `$lookup` and the `$match` one
        // filter when the sub-pipeline ends in `$limit: 1`: join_filter).
        vec![
            bson!({"$match": {"$expr": {"$gt": [{"$size": "$j"}, 0]}}}),
            bson!({"$project": {"_id": 0, "c0": "$k", "g": 1}}),
        ],
        vec![
            bson!({"$match": {"$expr": {"$eq": [{"$size": "$j"}, 0]}}}),
            bson!({"$project": {"k": 1}}),
            bson!({"$sort": {"_id": -1}}),
        ],
        vec![bson!({"$project": {"k": 1, "j": 1}})],
        // The translator's `x IN (SELECT ...)` and `x NOT IN (...)` tests: conditions not reading the list
        // (the NULL guard of x) before the emptiness test, decided first (join_filter's guards).
        vec![
            bson!({"$match": {"$expr": {"$and": [
                {"$ne": [{"$ifNull": ["$k", null]}, null]},
                {"$gt": [{"$size": "$j"}, 0]},
            ]}}}),
            bson!({"$project": {"_id": 0, "c0": "$k", "g": 1}}),
        ],
        vec![
            bson!({"$match": {"$expr": {"$and": [
                {"$gte": ["$g", 0]},
                {"$ne": [{"$ifNull": ["$k", null]}, null]},
                {"$not": [{"$gt": [{"$size": "$j"}, 0]}]},
            ]}}}),
            bson!({"$project": {"_id": 1, "k": 1}}),
        ],
        // Closed by a top-k: the translator's `ORDER BY a.x, b.y LIMIT n OFFSET m` of a join (flag + value
        // keys computed from the outer document first: taken in their order, the walk stops early), ...
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$project": {"_id": 0, "c0": "$_id", "c1": "$j._id",
                "n0": {"$cond": [{"$eq": [{"$ifNull": ["$g", null]}, null]}, 1, 0]}, "s0": "$g",
                "s1": "$j._id"}}),
            bson!({"$sort": {"n0": 1, "s0": 1, "s1": 1}}),
            bson!({"$skip": 2}),
            bson!({"$limit": 3}),
            bson!({"$unset": ["n0", "s0", "s1"]}),
        ],
        // ... descending, on an outer key with ties and arrays, the inner order left to input order ...
        vec![
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$set": {"jg": "$j.g"}}),
            bson!({"$sort": {"k": -1, "jg": 1}}),
            bson!({"$limit": 4}),
        ],
        // ... on a field the segment writes (no early stop), ...
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$match": {"j.g": {"$ne": 0}}}),
            bson!({"$sort": {"j.g": 1, "g": -1}}),
            bson!({"$limit": 2}),
        ],
        // ... and an inclusion projection's kept field first.
        vec![
            bson!({"$project": {"g": 1, "n": {"$size": "$j"}}}),
            bson!({"$sort": {"g": 1, "n": -1}}),
            bson!({"$skip": 1}),
            bson!({"$limit": 2}),
        ],
        // Closed by a `$limit` alone: the walk ends once enough documents came out.
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$skip": 1}),
            bson!({"$limit": 3}),
        ],
        vec![bson!({"$limit": 2})],
        // Closed by a whole `$sort` whose leading keys come from the outer document (the translator's
        // `ORDER BY a.x, b.y` of a join without LIMIT): the inputs taken in the order of those keys, the
        // outputs of equal leading keys sorted together.
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$project": {"_id": 0, "c0": "$_id", "c1": "$j._id",
                "n0": {"$cond": [{"$eq": [{"$ifNull": ["$g", null]}, null]}, 1, 0]}, "s0": "$g",
                "s1": "$j._id"}}),
            bson!({"$sort": {"n0": 1, "s0": 1, "s1": 1}}),
            bson!({"$unset": ["n0", "s0", "s1"]}),
        ],
        vec![
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$set": {"jg": "$j.g"}}),
            bson!({"$sort": {"k": -1, "jg": 1}}),
        ],
        vec![
            bson!({"$project": {"g": 1, "k": 1, "n": {"$size": "$j"}}}),
            bson!({"$sort": {"g": 1, "k": -1}}),
        ],
        // Closed by a whole `$sort` (streamed into the sorter), the joined documents narrowed to the fields
        // the stages after the `$lookup` read.
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$project": {"_id": 0, "c0": "$k", "c1": "$j.g", "s": "$j.f"}}),
            bson!({"$sort": {"c1": 1, "s": -1}}),
        ],
        vec![
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$match": {"j.g": {"$ne": 1}}}),
            bson!({"$project": {"_id": 0, "c0": "$_id", "c1": "$j._id"}}),
            bson!({"$sort": {"c1": -1}}),
            bson!({"$unset": "c0"}),
        ],
        vec![
            bson!({"$unwind": "$j"}),
            bson!({"$group": {"_id": "$j.g", "n": {"$sum": 1}, "f": {"$push": "$j.f"}}}),
            bson!({"$sort": {"_id": 1}}),
        ],
        // Unwound straight into a `$group` (join_through, join_unwind::unwind_each): whole unwound documents kept, the
        // unmatched ones preserved.
        vec![
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$group": {"_id": "$k", "rows": {"$push": "$$ROOT"},
                "c": {"$sum": {"$cond": [{"$ne": [{"$ifNull": ["$j.g", null]}, null]}, 1, 0]}}}}),
            bson!({"$sort": {"_id": 1}}),
        ],
        // The joined array kept (not unwound): its documents narrowed the same way.
        vec![bson!({"$project": {"_id": 0, "c0": "$k", "js": "$j.g"}})],
        // The translator's anti-join: a `$size` test counts the joined documents and reads none of their
        // fields, so they are narrowed to what the later stages read (here `g`).
        vec![
            bson!({"$match": {"j": {"$size": 0}, "k": {"$ne": 2}}}),
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$match": {"j.g": null}}),
            bson!({"$project": {"_id": 0, "c0": "$k"}}),
        ],
        vec![
            bson!({"$match": {"j": {"$size": 1}}}),
            bson!({"$project": {"_id": 0, "c0": "$k", "c1": "$j.g"}}),
        ],
        // The translator's FULL JOIN: the unmatched foreign documents added by a `$unionWith` after the
        // `$unwind`, then the split projection and the whole sort (the inputs' rows projected straight
        // into their keys, the union's documents split the same way), on leading keys from the outer
        // document (taken in their order) ...
        vec![
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$unionWith": {"coll": "fo", "pipeline": [
                {"$match": {"g": {"$ne": 1}}},
                {"$replaceRoot": {"newRoot": {"j": "$$ROOT"}}},
            ]}}),
            bson!({"$project": {"_id": 0, "c0": "$k", "c1": "$j._id",
                "n0": {"$cond": [{"$eq": [{"$ifNull": ["$k", null]}, null]}, 1, 0]}, "s0": "$k",
                "s1": "$j._id"}}),
            bson!({"$sort": {"n0": 1, "s0": 1, "s1": 1}}),
            bson!({"$unset": ["n0", "s0", "s1"]}),
        ],
        // ... and on a joined field first.
        vec![
            bson!({"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}}),
            bson!({"$unionWith": {"coll": "fo", "pipeline": [
                {"$replaceRoot": {"newRoot": {"j": "$$ROOT"}}},
            ]}}),
            bson!({"$project": {"_id": 0, "c0": "$k", "s1": "$j.g", "s0": "$_id"}}),
            bson!({"$sort": {"s1": -1, "s0": 1}}),
            bson!({"$unset": ["s1", "s0"]}),
        ],
    ]
}

pub(super) fn run(e: &Engine, cmd: Document) -> Document {
    e.run_command("t", &cmd).expect("command runs")
}

pub(super) fn batch(reply: &Document) -> Vec<Document> {
    reply
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|a| a.iter().filter_map(|x| x.as_document().cloned()).collect())
        .unwrap_or_default()
}

/// The pipeline `[head,] $lookup (shape), tail...` on the engine against the nested loop per outer document
/// and then `tail` stage by stage.
pub(super) fn check(
    outer: Vec<Document>,
    foreign: Vec<Document>,
    indexed: bool,
    shape: usize,
    tail: Vec<Bson>,
    head: bool,
) -> Result<(), TestCaseError> {
    let spec = lookups()[shape].clone();
    check_spec(outer, foreign, indexed, spec, shape, tail, head)
}

/// [`check`] of the `$lookup` specification `spec`; `salt` picks the output's held documents and the memo's
/// probation.
pub(super) fn check_spec(
    outer: Vec<Document>,
    foreign: Vec<Document>,
    indexed: bool,
    spec: Document,
    salt: usize,
    tail: Vec<Bson>,
    head: bool,
) -> Result<(), TestCaseError> {
    let shape = salt;
    let e = Engine::in_memory();
    run(&e, doc! {"create": "ou"});
    run(&e, doc! {"create": "fo"});
    if indexed {
        run(
            &e,
            doc! {"createIndexes": "fo", "indexes": [{"key": {"f": 1}, "name": "f_1"}]},
        );
    }
    if !outer.is_empty() {
        run(&e, doc! {"insert": "ou", "documents": outer.clone()});
    }
    if !foreign.is_empty() {
        run(&e, doc! {"insert": "fo", "documents": foreign.clone()});
    }
    // A per-document stage before the `$lookup` (a CTE's select list): it rewrites the outer sort key.
    let head_stage =
        bson!({"$set": {"g": {"$cond": [{"$eq": ["$g", 0]}, null, {"$subtract": [0, "$g"]}]}}});
    let mut pipeline = Vec::new();
    if head {
        pipeline.push(head_stage.clone());
    }
    pipeline.push(bson!({"$lookup": spec.clone()}));
    pipeline.extend(tail.clone());
    // A sorted output past 0, 1 or 2 documents kept as bytes (`compact_out.rs`), or never.
    let held = [Some(0), Some(1), Some(2), None][(outer.len() + shape) % 4];
    super::compact_out::TEST_HELD_DOCS.with(|h| h.set(held));
    // A closing sort within its memory, or past it from the first document or a few hundred bytes on
    // (documents held encoded, joined rows projected straight into their bytes, runs spilled).
    if let Some(limit) = [None, Some(1), Some(700)][(outer.len() + 2 * shape + tail.len()) % 3] {
        e.run_command(
            "admin",
            &doc! {"setParameter": 1, "internalQueryMaxBlockingSortMemoryUsageBytes": limit as i64},
        )
        .expect("sets the sort's memory");
    }
    // The memo of a keyed stage dropped after 0 or 2 outer documents (mostly distinct keys), or kept.
    let probation = [Some(0), Some(2), None][(outer.len() + 2 * shape) % 3];
    super::join_memo::TEST_MEMO_PROBATION.with(|p| p.set(probation));
    let got = batch(&run(
        &e,
        doc! {"aggregate": "ou", "pipeline": pipeline.clone(), "cursor": {"batchSize": 1_000_000}},
    ));
    super::compact_out::TEST_HELD_DOCS.with(|h| h.set(None));
    super::join_memo::TEST_MEMO_PROBATION.with(|p| p.set(None));
    // The reference: the nested loop per outer document, then the tail stage by stage.
    let catalog = Docs(vec![("ou".into(), outer.clone()), ("fo".into(), foreign)]);
    let vars = Vars::new(bson::DateTime::from_millis(0));
    let lookup = Lookup::compile(&spec).map_err(|e| TestCaseError::fail(e.errmsg))?;
    let mut joined = Vec::new();
    let outer = match head {
        true => Pipeline::compile(std::slice::from_ref(&head_stage))
            .and_then(|p| p.run(outer, &catalog, &vars))
            .map_err(|e| TestCaseError::fail(e.errmsg))?,
        false => outer,
    };
    for mut d in outer {
        let m = lookup
            .matches_nested_loop(&d, &catalog, &vars)
            .map_err(|e| TestCaseError::fail(e.errmsg))?;
        d.insert("j", m.into_iter().map(Bson::Document).collect::<Vec<_>>());
        joined.push(d);
    }
    let mut want = joined;
    for st in &tail {
        let p = Pipeline::compile(std::slice::from_ref(st))
            .map_err(|e| TestCaseError::fail(e.errmsg))?;
        want = p
            .run(want, &catalog, &vars)
            .map_err(|e| TestCaseError::fail(e.errmsg))?;
    }
    // Compared as text: NaN keys are equal to themselves there.
    prop_assert_eq!(
        format!("{got:?}"),
        format!("{want:?}"),
        "pipeline {:?}",
        pipeline
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Every fast path of `$lookup` gives the nested loop's documents in the nested loop's order.
    #[test]
    fn lookup_fast_paths_equal_the_nested_loop(
        outer in docs("k", 12),
        foreign in docs("f", 12),
        indexed in any::<bool>(),
        shape in 0..lookups().len(),
        tail in 0..tails().len(),
    ) {
        check(outer, foreign, indexed, shape, tails()[tail].clone(), false)?;
    }

    /// One or two outer documents (a scan of the foreign side per outer document instead of a hash table
    /// when no index serves) give the nested loop's documents.
    #[test]
    fn few_outer_documents_equal_the_nested_loop(
        outer in docs("k", 3),
        foreign in docs("f", 12),
        indexed in any::<bool>(),
        shape in 0..lookups().len(),
        tail in 0..tails().len(),
    ) {
        check(outer, foreign, indexed, shape, tails()[tail].clone(), false)?;
    }

    /// The emptiness test closing an `$and` of conditions that do not read the list (the guards decided
    /// before the probe: join_filter), after every shape ending in `$limit: 1`, gives the nested loop's
    /// documents.
    #[test]
    fn guarded_emptiness_filters_equal_the_nested_loop(
        outer in docs("k", 12),
        foreign in docs("f", 12),
        indexed in any::<bool>(),
        pick in any::<prop::sample::Index>(),
        negated in any::<bool>(),
    ) {
        let limited: Vec<usize> = (0..lookups().len())
            .filter(|&i| {
                lookups()[i]
                    .get_array("pipeline")
                    .ok()
                    .and_then(|p| p.last())
                    .is_some_and(|l| *l == bson!({"$limit": 1}))
            })
            .collect();
        let shape = limited[pick.index(limited.len())];
        let tail = tails()
            .into_iter()
            .filter(|t| format!("{t:?}").contains("$and") && format!("{t:?}").contains("$size"))
            .nth(usize::from(negated))
            .unwrap_or_default();
        prop_assert!(!tail.is_empty());
        check(outer, foreign, indexed, shape, tail, false)?;
    }

    /// The hash on several join columns (with `localField` too), on `IS NOT DISTINCT FROM` and on paths below
    /// a variable (the last six shapes) gives the nested loop's documents, also under the anti-join tail.
    #[test]
    fn multi_column_hash_join_equals_the_nested_loop(
        outer in docs("k", 12),
        foreign in docs("f", 12),
        indexed in any::<bool>(),
        shape in (lookups().len() - 6)..lookups().len(),
        tail in prop_oneof![Just(0), Just(1), Just(tails().len() - 8), Just(tails().len() - 4)],
    ) {
        check(outer, foreign, indexed, shape, tails()[tail].clone(), false)?;
    }

    /// A whole `$sort` whose leading keys are computed from the outer document (taken in their order, the
    /// outputs of equal leading keys sorted together; a per-document stage before the `$lookup` run over
    /// every input first) gives the nested loop's documents in the order of one sort of the whole output.
    #[test]
    fn incremental_sort_on_outer_keys_equals_one_sort(
        outer in docs("k", 12),
        foreign in docs("f", 12),
        indexed in any::<bool>(),
        shape in 0..lookups().len(),
        tail in (tails().len() - 11)..(tails().len() - 8),
        head in any::<bool>(),
    ) {
        check(outer, foreign, indexed, shape, tails()[tail].clone(), head)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// A FULL JOIN's `$unionWith` before the split projection of a whole sort (the inputs' rows projected
    /// straight into their keys, the union's documents split the same way) gives the
    /// nested loop's documents, then the union's, in the order of one sort of the whole output.
    #[test]
    fn union_before_a_split_sort_equals_stage_by_stage(
        outer in docs("k", 12),
        foreign in docs("f", 12),
        indexed in any::<bool>(),
        shape in 0..lookups().len(),
        tail in (tails().len() - 2)..tails().len(),
        head in any::<bool>(),
    ) {
        check(outer, foreign, indexed, shape, tails()[tail].clone(), head)?;
    }
}
