//! A `$group`'s output with constant documents added unless a group of the same `_id` is already there: the
//! translator's grand-total row of ROLLUP / CUBE / GROUPING SETS (there even over no rows):
//!
//! ```text
//! {$group: ...}, {$unionWith: {pipeline: [{$documents: [D, ...]}]}},
//! {$group: {_id: "$_id", f: {$first: "$$ROOT"}}}, {$replaceRoot: {newRoot: "$f"}}
//! ```
//!
//! The `$group` before hands on documents of distinct `_id`s (distinct as group keys are: `compare`, under
//! the command's collation), so the deduplicating `$group` keeps each of them as it is, in order, and adds
//! each `D` whose `_id` (null when missing) equals none of them nor an earlier `D`: the same documents in the
//! same order, without hashing and copying every group's key and document a second time (at 10k sessions a
//! ROLLUP of 15k groups spent a third of its time there). Taken only after a `$group` and for a few `D`s
//! (each is compared with every group); the `D`s are evaluated by the `$unionWith`'s own pipeline.
//!
//! In: the stages at a position and the `$group`'s output; out: the output of the three stages. Depends on
//! `bson_order`.

use super::{Catalog, Pipeline, Stage};
use crate::engine::bson_order::compare;
use crate::engine::expr::Vars;
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

/// How many added documents are compared with every group (more take the general path).
const MAX_ADDED: usize = 16;

/// The `$unionWith`'s pipeline when stages `i`, `i + 1`, `i + 2` (before `end`) are the shape of the module
/// documentation and stage `i - 1` is a `$group`.
pub(super) fn at(p: &Pipeline, i: usize, end: usize) -> Option<&Pipeline> {
    if i == 0 || i + 2 >= end || !matches!(p.stages.get(i - 1), Some(Stage::Group(_))) {
        return None;
    }
    let Some(Stage::UnionWith(None, Some(added), _)) = p.stages.get(i) else {
        return None;
    };
    if !matches!(added.stages.as_slice(), [Stage::Documents(_)]) {
        return None;
    }
    let group = p
        .raw
        .get(i + 1)?
        .as_document()?
        .get_document("$group")
        .ok()?;
    if group.len() != 2 || group.get("_id") != Some(&Bson::String("$_id".into())) {
        return None;
    }
    let (field, acc) = group.iter().find(|(k, _)| k.as_str() != "_id")?;
    let acc = acc.as_document()?;
    if acc.len() != 1 || acc.get("$first") != Some(&Bson::String("$$ROOT".into())) {
        return None;
    }
    let root = p.raw.get(i + 2)?.as_document()?;
    let new_root = match root.get("$replaceRoot") {
        Some(Bson::Document(r)) if r.len() == 1 => r.get("newRoot")?,
        _ => root.get("$replaceWith")?,
    };
    (new_root.as_str() == Some(&format!("${field}"))).then_some(added)
}

/// The three stages at `i` (shaped as [`at`] found, `added` the `$unionWith`'s pipeline) over `groups`, the
/// `$group`'s output. More than [`MAX_ADDED`] added documents run the stages themselves.
pub(super) fn run(
    p: &Pipeline,
    i: usize,
    added: &Pipeline,
    mut groups: Vec<Document>,
    catalog: &dyn Catalog,
    vars: &Vars,
) -> Result<Vec<Document>, CommandError> {
    let extra = added.run(Vec::new(), catalog, vars)?;
    if extra.len() > MAX_ADDED {
        groups.extend(extra);
        let docs = p.apply(&p.stages[i + 1], groups, catalog, vars)?;
        return p.apply(&p.stages[i + 2], docs, catalog, vars);
    }
    for d in extra {
        let k = d.get("_id").cloned().unwrap_or(Bson::Null);
        let present = groups
            .iter()
            .any(|g| compare(g.get("_id").unwrap_or(&Bson::Null), &k) == Ordering::Equal);
        if !present {
            groups.push(d);
        }
    }
    Ok(groups)
}

#[cfg(test)]
#[path = "union_missing_tests.rs"]
mod tests;
