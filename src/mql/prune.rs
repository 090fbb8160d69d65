//! Fields computed and never read: a `$project` (a derived table's or CTE's renaming `$project`, `SELECT *,
//! x FROM ...` copying every column) drops the fields no later stage reads, when the later stages are ones
//! whose reads are known and end in a stage that decides the documents' fields (`$group`, an inclusion
//! `$project`, `$replaceRoot`, `$count`). `FROM (SELECT *, ... FROM t) s` read by an aggregate computed a
//! `$ifNull` copy of every column per document for the few the aggregate reads.
//!
//! The reads are over-approximated (every `$path` string, every key not starting with `$`, anywhere in the
//! later stages), so a field is dropped only when nothing could read it; `$$ROOT` / `$$CURRENT`, a
//! `$getField` / `$setField` / `$unsetField` of the current document, or a stage not listed here keep every
//! field. Runs on the plans of both backends (mongod computes what a `$project` names, read or not).

use bson::{Bson, Document};
use std::collections::HashSet;

/// Drops from each `$project` of `pipeline` (and of the pipelines inside its `$lookup`, `$facet` and
/// `$unionWith` stages) the computed fields nothing after it reads, and each `$lookup` whose `as` field
/// nothing after it reads (a `$lookup` only adds that field: the documents are the same without it; an IN
/// subquery in WHERE reads its matches, never its row and NULL counts).
pub fn prune_unread_fields(pipeline: &mut Vec<Document>) {
    // From the end: a `$lookup` dropped no longer reads its `let` fields.
    for i in (0..pipeline.len()).rev() {
        let Some(Bson::Document(l)) = pipeline[i].get("$lookup") else {
            continue;
        };
        let Some(Bson::String(out)) = l.get("as") else {
            continue;
        };
        let out = first(out).to_string();
        if reads_after(&pipeline[i + 1..]).is_some_and(|r| !r.contains(&out)) {
            pipeline.remove(i);
        }
    }
    for i in 0..pipeline.len() {
        inner_pipelines(&mut pipeline[i]);
        let Some(needed) = reads_after(&pipeline[i + 1..]) else {
            continue;
        };
        if let Some(Bson::Document(p)) = pipeline[i].get_mut("$project") {
            prune_project(p, &needed);
        }
    }
}

/// The sub-pipelines of a stage, pruned on their own (each one's end is read by the stage around it).
fn inner_pipelines(stage: &mut Document) {
    for (name, key) in [("$lookup", "pipeline"), ("$unionWith", "pipeline")] {
        if let Some(Bson::Document(d)) = stage.get_mut(name) {
            if let Some(Bson::Array(p)) = d.get_mut(key) {
                prune_array(p);
            }
        }
    }
    if let Some(Bson::Document(facets)) = stage.get_mut("$facet") {
        for (_, p) in facets.iter_mut() {
            if let Bson::Array(p) = p {
                prune_array(p);
            }
        }
    }
}

fn prune_array(p: &mut Vec<Bson>) {
    // Only a pipeline of documents (anything else is left to the server to refuse).
    let Some(mut docs) = p
        .iter()
        .map(|s| match s {
            Bson::Document(d) => Some(d.clone()),
            _ => None,
        })
        .collect::<Option<Vec<Document>>>()
    else {
        return;
    };
    prune_unread_fields(&mut docs);
    *p = docs.into_iter().map(Bson::Document).collect();
}

/// Removes the fields of a computing `$project` that `needed` does not hold (`_id` stays as written). An
/// exclusion projection, a dotted key, or a projection left with no field is not changed (`{_id: 0}` alone
/// would exclude `_id` and keep everything else).
fn prune_project(p: &mut Document, needed: &HashSet<String>) {
    if excluding(p) || p.keys().any(|k| k.contains('.')) {
        return;
    }
    let unread: Vec<String> = p
        .keys()
        .filter(|k| *k != "_id" && !needed.contains(k.as_str()))
        .cloned()
        .collect();
    let kept = p.keys().filter(|k| *k != "_id").count() - unread.len();
    if unread.is_empty() || kept == 0 {
        return;
    }
    for k in unread {
        p.remove(&k);
    }
}

/// Whether a `$project` excludes a field other than `_id` (then it keeps every field it does not name).
fn excluding(p: &Document) -> bool {
    p.iter()
        .any(|(k, v)| k != "_id" && (matches!(v, Bson::Boolean(false)) || is_zero(v)))
}

fn is_zero(v: &Bson) -> bool {
    match v {
        Bson::Int32(0) | Bson::Int64(0) => true,
        Bson::Double(d) => *d == 0.0,
        _ => false,
    }
}

/// The top-level fields `stages` may read before a stage that decides the documents' fields; `None` when
/// every field may be read (the end of the pipeline, a stage not known here, a read of the whole document).
fn reads_after(stages: &[Document]) -> Option<HashSet<String>> {
    let mut reads = HashSet::new();
    for stage in stages {
        let mut it = stage.iter();
        let (Some((name, spec)), None) = (it.next(), it.next()) else {
            return None;
        };
        match name.as_str() {
            "$match" | "$set" | "$addFields" | "$sort" | "$unwind" | "$setWindowFields" => {
                collect(spec, &mut reads)?
            }
            "$limit" | "$skip" | "$unset" => {}
            "$lookup" => {
                let Bson::Document(l) = spec else {
                    return None;
                };
                if let Some(Bson::String(local)) = l.get("localField") {
                    reads.insert(first(local).to_string());
                }
                if let Some(lets) = l.get("let") {
                    collect(lets, &mut reads)?;
                }
            }
            "$group" | "$replaceRoot" | "$replaceWith" | "$count" => {
                collect(spec, &mut reads)?;
                return Some(reads);
            }
            "$project" => {
                collect(spec, &mut reads)?;
                let Bson::Document(p) = spec else {
                    return None;
                };
                if !excluding(p) {
                    return Some(reads);
                }
            }
            _ => return None,
        }
    }
    None
}

fn first(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

/// Adds every field `v` may read; `None` when it may read the whole document.
fn collect(v: &Bson, reads: &mut HashSet<String>) -> Option<()> {
    match v {
        Bson::String(s) => {
            if let Some(var) = s.strip_prefix("$$") {
                if matches!(first(var), "ROOT" | "CURRENT") {
                    return None;
                }
            } else if let Some(path) = s.strip_prefix('$') {
                reads.insert(first(path).to_string());
            }
        }
        Bson::Array(items) => {
            for i in items {
                collect(i, reads)?;
            }
        }
        Bson::Document(d) => {
            for (k, x) in d {
                match k.as_str() {
                    // Read the current document unless given an input.
                    "$getField" | "$setField" | "$unsetField" => match x {
                        Bson::Document(a) if a.contains_key("input") => collect(x, reads)?,
                        _ => return None,
                    },
                    "$function" | "$accumulator" | "$where" | "$jsonSchema" | "$text" => {
                        return None
                    }
                    "$literal" => {}
                    k if k.starts_with('$') => collect(x, reads)?,
                    k => {
                        reads.insert(first(k).to_string());
                        collect(x, reads)?;
                    }
                }
            }
        }
        _ => {}
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use bson::{doc, Bson};
    use proptest::prelude::*;

    fn run(engine: &Engine, pipeline: &[Document]) -> Result<Vec<Bson>, i32> {
        let cmd = doc! {
            "aggregate": "t",
            "pipeline": pipeline.iter().cloned().map(Bson::Document).collect::<Vec<_>>(),
            "cursor": {"batchSize": 10_000},
        };
        engine
            .run_command("db", &cmd)
            .map(|r| {
                r.get_document("cursor")
                    .and_then(|c| c.get_array("firstBatch"))
                    .cloned()
                    .unwrap_or_default()
            })
            .map_err(|e| e.code)
    }

    /// A stage after the `$project` of fields `c0..c3` and `k`.
    fn stage() -> impl Strategy<Value = Document> {
        let field = prop::sample::select(vec!["c0", "c1", "c2", "c3", "k", "x"]);
        prop_oneof![
            (field.clone(), field.clone())
                .prop_map(|(a, b)| doc! {"$set": {"x": {"$add": [{"$ifNull": [format!("${a}"), 0]}, {"$ifNull": [format!("${b}"), 0]}]}}}),
            field.clone().prop_map(|a| doc! {"$match": {a: {"$gt": 1}}}),
            field
                .clone()
                .prop_map(|a| doc! {"$match": {"$expr": {"$lt": [format!("${a}"), 3]}}}),
            field.clone().prop_map(|a| doc! {"$sort": {a: 1, "k": 1}}),
            field.clone().prop_map(|a| doc! {"$unset": [a]}),
            Just(doc! {"$limit": 5}),
            (field.clone(), field.clone())
                .prop_map(|(a, b)| doc! {"$group": {"_id": format!("${a}"), "s": {"$sum": format!("${b}")}, "n": {"$sum": 1}}}),
            (field.clone(), field.clone())
                .prop_map(|(a, b)| doc! {"$project": {"_id": 0, a: 1, "y": format!("${b}")}}),
            field.clone().prop_map(|a| doc! {"$project": {a: 0}}),
            Just(doc! {"$replaceRoot": {"newRoot": "$$ROOT"}}),
            Just(doc! {"$set": {"r": {"$getField": "c1"}}}),
            Just(doc! {"$count": "n"}),
            field.clone().prop_map(|a| doc! {"$set": {"w": {"$let": {"vars": {"d": "$$CURRENT"}, "in": format!("$$d.{a}")}}}}),
            // A `$lookup` (dropped when its field is not read after it), over an existing field or a new one.
            (field.clone(), field.clone()).prop_map(|(a, out)| doc! {"$lookup": {"from": "t", "let": {"v": format!("${a}")}, "pipeline": [{"$match": {"$expr": {"$eq": ["$k", "$$v"]}}}, {"$project": {"_id": 0, "k": 1}}], "as": out}}),
            field.prop_map(|a| doc! {"$lookup": {"from": "t", "localField": a, "foreignField": "k", "as": "x"}}),
            Just(doc! {"$lookup": {"from": "t", "pipeline": [{"$group": {"_id": null, "n": {"$sum": 1}}}], "as": "c2"}}),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// A pipeline with its unread `$project` fields and `$lookup`s dropped returns what it returned with
        /// them, run by the embedded engine on generated documents (fields missing, null, numbers).
        #[test]
        fn pruned_pipelines_return_the_same_documents(
            docs in prop::collection::vec(
                prop::collection::vec(prop_oneof![Just(None), Just(Some(Bson::Null)), (0i32..4).prop_map(|i| Some(Bson::Int32(i)))], 4),
                0..12,
            ),
            tail in prop::collection::vec(stage(), 0..5),
            last_sorts in prop::bool::ANY,
        ) {
            let engine = Engine::in_memory();
            let mut rows = Vec::new();
            for (i, vals) in docs.iter().enumerate() {
                let mut d = doc! {"_id": i as i32, "k": i as i32};
                for (j, v) in vals.iter().enumerate() {
                    if let Some(v) = v {
                        d.insert(format!("a{j}"), v.clone());
                    }
                }
                rows.push(Bson::Document(d));
            }
            if !rows.is_empty() {
                engine.run_command("db", &doc! {"insert": "t", "documents": rows}).map_err(|e| TestCaseError::fail(e.errmsg))?;
            }
            let mut pipeline = vec![doc! {"$project": {
                "_id": 0,
                "c0": {"$ifNull": ["$a0", null]},
                "c1": {"$ifNull": ["$a1", null]},
                "c2": {"$add": ["$a2", 1]},
                "c3": "$a3",
                "k": 1,
            }}];
            pipeline.extend(tail);
            if last_sorts {
                // The rows in one order whatever the plan.
                pipeline.push(doc! {"$sort": {"k": 1, "_id": 1, "n": 1}});
            }
            let mut pruned = pipeline.clone();
            prune_unread_fields(&mut pruned);
            prop_assert_eq!(run(&engine, &pruned), run(&engine, &pipeline), "{:?} -> {:?}", pipeline, pruned);
        }
    }

    #[test]
    fn a_derived_table_read_by_an_aggregate_keeps_what_it_reads() {
        let mut p = vec![
            doc! {"$project": {"_id": 0, "a": {"$ifNull": ["$a", null]}, "b": {"$ifNull": ["$b", null]}, "iv": {"$multiply": ["$b", 2]}}},
            doc! {"$set": {"__av0": {"$add": ["$a", 1]}}},
            doc! {"$group": {"_id": null, "s": {"$sum": "$__av0"}, "t": {"$sum": "$iv"}}},
        ];
        prune_unread_fields(&mut p);
        assert_eq!(
            p[0],
            doc! {"$project": {"_id": 0, "a": {"$ifNull": ["$a", null]}, "iv": {"$multiply": ["$b", 2]}}}
        );
        // Read whole: nothing dropped.
        let mut q = vec![
            doc! {"$project": {"_id": 0, "a": 1, "b": 1}},
            doc! {"$replaceRoot": {"newRoot": {"r": "$$ROOT"}}},
        ];
        let before = q.clone();
        prune_unread_fields(&mut q);
        assert_eq!(q, before);
        // The end of the pipeline reads everything.
        let mut r = vec![
            doc! {"$project": {"_id": 0, "a": 1, "b": 1}},
            doc! {"$sort": {"a": 1}},
        ];
        let before = r.clone();
        prune_unread_fields(&mut r);
        assert_eq!(r, before);
    }
}
