//! `$group: {_id: null, a: {$sum: 1}, ...}` opening an aggregate with no `$match` before it (the translator's
//! `SELECT COUNT(*) FROM t`, each side of `WITH a AS (SELECT COUNT(*) ...)` used twice, the count of an
//! uncorrelated scalar subquery that `init_plan.rs` runs as its own aggregate) answered from the collection's
//! record count instead of a scan that visits every document to add 1.
//!
//! Why it gives the general path's document: `$sum` of the constant 1 over n documents is n whatever the
//! documents hold (an int while it fits in 32 bits, then a long, as `$sum` of ints widens), the constant key
//! puts every document in one group, and over no documents `$group` gives no document. The count is the
//! reader's snapshot's (the same records a scan would visit). A view, a hinted read and a missing collection
//! take the general path. The command is unchanged (`sqlmongo translate` shows what runs).

use crate::engine::storage::State;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The output of the `$group` opening `stages` (no `$match` before it) answered without a scan: the record
/// count of a COUNT(*) ([`plan`], [`run`]), else the extremes read from indexes (`index_minmax.rs`); `None`
/// when the general path runs.
pub(super) fn opening_group(
    state: &State,
    db: &str,
    name: &str,
    stages: &[Bson],
) -> Result<Option<Vec<Document>>, CommandError> {
    if let Some(docs) = plan(stages).and_then(|names| run(state, db, name, &names)) {
        return Ok(Some(docs));
    }
    match super::index_minmax::plan(stages) {
        Some(p) => super::index_minmax::run(state, db, name, &p),
        None => Ok(None),
    }
}

/// The output fields of `stages[0]` when it is `$group: {_id: null, <name>: {$sum: 1}, ...}` (one output at
/// least); `None` for any other pipeline.
pub(super) fn plan(stages: &[Bson]) -> Option<Vec<&str>> {
    let stage = stages.first()?.as_document().filter(|d| d.len() == 1)?;
    let group = stage.get_document("$group").ok()?;
    let mut names = Vec::new();
    let mut id = false;
    for (name, spec) in group {
        if name == "_id" {
            id = matches!(spec, Bson::Null);
            if !id {
                return None;
            }
            continue;
        }
        let acc = spec.as_document().filter(|d| d.len() == 1)?;
        if !matches!(acc.get("$sum"), Some(Bson::Int32(1))) {
            return None;
        }
        names.push(name.as_str());
    }
    (id && !names.is_empty()).then_some(names)
}

/// The `$group`'s output over collection `name` of `db`: no document for an empty collection, else
/// `{_id: null, <name>: n, ...}`; `None` for a view, a missing collection or a hinted read.
pub(super) fn run(state: &State, db: &str, name: &str, names: &[&str]) -> Option<Vec<Document>> {
    let coll = super::get_coll(state, db, name).filter(|c| !c.is_view())?;
    if super::hint::active(db, name) {
        return None;
    }
    let n = coll.len();
    if n == 0 {
        return Some(Vec::new());
    }
    let count = i32::try_from(n).map_or(Bson::Int64(n as i64), Bson::Int32);
    let mut out = Document::new();
    out.insert("_id", Bson::Null);
    for f in names {
        out.insert(*f, count.clone());
    }
    Some(vec![out])
}

#[cfg(test)]
#[path = "count_all_tests.rs"]
mod tests;
