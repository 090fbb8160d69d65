//! `$group: {_id: null, a: {$min: "$f"}, b: {$max: "$g"}, ...}` opening an aggregate (the translator's
//! `SELECT MIN(f), MAX(g) FROM t`, and the uncorrelated scalar subquery `(SELECT MIN(f) FROM t)` that
//! `init_plan.rs` runs as an aggregate of its own) answered from a single-field index on each field: the first
//! non-null key of an ascending walk is the minimum, of a descending walk the maximum, instead of a scan of
//! the collection (PostgreSQL reads the same from its btree: an InitPlan of `Index Only Scan ... Limit 1`).
//!
//! Why it gives the general path's document:
//! - `$min` / `$max` skip null, undefined and missing values, as the walk skips the null keys (missing is
//!   indexed as null); over no documents `$group` gives no document, over documents with only null values
//!   `{_id: null, a: null}`;
//! - the index orders its keys in the BSON order under its collation, which must be the command's (so
//!   `compare` and the walk agree on strings); the value given is the stored one, not the collation key;
//! - ties: the accumulator keeps the first of equal extremes in natural order, and the walk meets the records
//!   of equal keys in natural order in both directions (`Index::walk`);
//! - an array value is compared as a whole by the accumulator; the index holds it under each element and
//!   under the whole array (`index_keys.rs`), so a walk that meets an array's record at its first non-null
//!   key gives up (the general path runs), and one that meets a scalar first has met the extreme: every
//!   record's value is one of its keys, the whole array's among them. A sparse or partial index
//!   (`Index::serves`) and a hinted read (it reads the hinted index) are not used.
//!
//! The command is unchanged (mongod scans for it; `sqlmongo translate` shows what runs). Anything else (a
//! leading `$match`, another accumulator, a computed argument, a grouping key) runs the general path.

use crate::engine::bson_order::type_rank;
use crate::engine::storage::State;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// One `$min` / `$max` output of the `$group`.
#[derive(Debug)]
struct Extreme {
    /// The output field.
    name: String,
    /// `$max` (else `$min`).
    max: bool,
    /// The top-level field read.
    field: String,
}

/// The shape found by [`plan`].
#[derive(Debug)]
pub(super) struct IndexMinMax {
    outputs: Vec<Extreme>,
}

/// `stages[0]` as `$group: {_id: null, <name>: {$min | $max: "$<top-level field>"}, ...}` (one output at
/// least); `None` for any other pipeline.
pub(super) fn plan(stages: &[Bson]) -> Option<IndexMinMax> {
    let stage = stages.first()?.as_document().filter(|d| d.len() == 1)?;
    let group = stage.get_document("$group").ok()?;
    let mut outputs = Vec::new();
    let mut id = false;
    for (name, spec) in group {
        if name == "_id" {
            if !matches!(spec, Bson::Null) {
                return None;
            }
            id = true;
            continue;
        }
        let acc = spec.as_document().filter(|d| d.len() == 1)?;
        let (op, arg) = acc.iter().next()?;
        let max = match op.as_str() {
            "$min" => false,
            "$max" => true,
            _ => return None,
        };
        let Bson::String(path) = arg else {
            return None;
        };
        let field = path
            .strip_prefix('$')
            .filter(|f| !f.is_empty() && !f.contains('.') && !f.starts_with('$'))?;
        outputs.push(Extreme {
            name: name.clone(),
            max,
            field: field.to_string(),
        });
    }
    (id && !outputs.is_empty()).then_some(IndexMinMax { outputs })
}

/// The `$group`'s output over collection `name` of `db`, read from indexes; `None` when one output has no
/// index that serves it exactly (see the module documentation), or for a view or a missing collection.
pub(super) fn run(
    state: &State,
    db: &str,
    name: &str,
    plan: &IndexMinMax,
) -> Result<Option<Vec<Document>>, CommandError> {
    let Some(coll) = super::get_coll(state, db, name).filter(|c| !c.is_view()) else {
        return Ok(None);
    };
    if super::hint::active(db, name) {
        return Ok(None);
    }
    let active = crate::engine::collation::active();
    let mut indexes = Vec::with_capacity(plan.outputs.len());
    for o in &plan.outputs {
        let Some(ix) = coll.indexes.iter().find(|ix| {
            ix.fields.len() == 1
                && ix.serves(&o.field)
                && crate::engine::collation::same(ix.collation.as_ref(), active.as_ref())
        }) else {
            return Ok(None);
        };
        indexes.push(ix);
    }
    if coll.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let mut out = Document::new();
    out.insert("_id", Bson::Null);
    for (o, ix) in plan.outputs.iter().zip(indexes) {
        let mut value = Bson::Null;
        for (key, rid) in ix.walk(!o.max) {
            crate::engine::ops::check()?;
            if key.0.first().is_none_or(|v| type_rank(v) == 5) {
                continue;
            }
            // The stored value (under a collation the key is its sort key).
            let stored = coll
                .get_raw(rid)
                .and_then(|raw| raw.get(&o.field).ok().flatten())
                .and_then(|v| Bson::try_from(v).ok());
            match stored {
                Some(Bson::Null | Bson::Undefined | Bson::Array(_)) | None => return Ok(None),
                Some(v) => {
                    value = v;
                    break;
                }
            }
        }
        out.insert(o.name.clone(), value);
    }
    Ok(Some(vec![out]))
}

#[cfg(test)]
#[path = "index_minmax_tests.rs"]
mod tests;
