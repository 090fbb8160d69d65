//! A scan in index order ahead of a full `$sort`: `[$match,] <per-document stages>, $sort, ...` (no
//! `$limit` after it: `index_topk.rs` and `index_order.rs` serve those) whose first sort key is a stored
//! top-level field a single-field index serves, copied unchanged by the stages before the sort (the
//! translator's `$project: {c0: ..., __s0: "$session_id"}` then `$sort: {__s0: 1}`), or the translator's
//! NULLS LAST / FIRST pair over one (`__n0: <is the field null: 1 | 0>`, `__s0: "$f"`). The scan then
//! reads the records in that index's order (with the null placement of the pair) instead of natural order,
//! and the `$sort` still runs: it meets its input already in order and checks it in one pass
//! ([`crate::engine::ops::sort_checked`]) instead of sorting n documents in n log n comparisons.
//!
//! Why the result is the natural-order scan's: the sort still orders every document, so only the order of
//! ties (documents whose sort keys are all equal) could differ. Tied documents have an equal first key, which
//! is the indexed field's value; the index holds the records of one key in natural order, so ties meet the
//! stable sort in natural order, as they do after a natural-order scan. An index that cannot place every
//! record exactly once (an array of several values; a sparse or partial index) or holds an empty array
//! makes the walk give up ([`records_in_order`]): the scan then reads in natural order. Stages that depend on
//! the input order (`$limit`, `$skip`, `$group`, `$lookup`, ...) before the `$sort` rule the reordering out.

use super::index_order::{direction, Nulls, Order};
use crate::engine::bson_order::type_rank;
use crate::engine::storage::{Collection, RecordId};
use bson::{Bson, Document};
use std::collections::HashMap;

/// What a field of the documents flowing to the `$sort` is, in terms of the stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    /// The stored top-level field of this name, unchanged.
    Copy(String),
    /// The translator's null flag of the stored field: 1 when it is null or missing, else 0.
    NullFlag(String),
}

/// The fields of the documents at some stage: those known to be a stored field or its null flag. `identity`:
/// every field not in `written` is still the stored field of its name.
#[derive(Debug, Default)]
struct Fields {
    identity: bool,
    written: Vec<String>,
    known: HashMap<String, Origin>,
}

impl Fields {
    fn origin(&self, name: &str) -> Option<Origin> {
        if let Some(o) = self.known.get(name) {
            return Some(o.clone());
        }
        (self.identity && !self.written.iter().any(|w| w == name) && plain(name))
            .then(|| Origin::Copy(name.to_string()))
    }

    /// Field `name` is rewritten by a stage: it holds `value` of the fields as they were (`before`).
    fn write(&mut self, before: &Fields, name: &str, value: &Bson) {
        let top = name.split('.').next().unwrap_or(name).to_string();
        self.known.remove(&top);
        self.written.push(top.clone());
        if top != name {
            return;
        }
        if let Some(o) = value_origin(before, value) {
            self.known.insert(top, o);
        }
    }
}

fn plain(field: &str) -> bool {
    !field.is_empty() && !field.contains('.') && !field.starts_with('$')
}

/// What an expression value of a stage is, when it is a stored field unchanged or the translator's null flag
/// of one.
fn value_origin(before: &Fields, value: &Bson) -> Option<Origin> {
    match value {
        Bson::String(s) => {
            let f = s.strip_prefix('$').filter(|f| plain(f))?;
            match before.origin(f)? {
                Origin::Copy(stored) => Some(Origin::Copy(stored)),
                Origin::NullFlag(_) => None,
            }
        }
        Bson::Document(_) => {
            let expected = |f: &str| bson::bson!({"$cond": [{"$eq": [{"$ifNull": [format!("${f}"), null]}, null]}, 1, 0]});
            // `{$cond: [{$eq: [{$ifNull: ["$f", null]}, null]}, 1, 0]}` with `f` a stored field's copy.
            let f = value
                .as_document()?
                .get_array("$cond")
                .ok()?
                .first()?
                .as_document()?
                .get_array("$eq")
                .ok()?
                .first()?
                .as_document()?
                .get_array("$ifNull")
                .ok()?
                .first()?
                .as_str()?
                .strip_prefix('$')
                .filter(|f| plain(f))?;
            if value != &expected(f) {
                return None;
            }
            match before.origin(f)? {
                Origin::Copy(stored) => Some(Origin::NullFlag(stored)),
                Origin::NullFlag(_) => None,
            }
        }
        _ => None,
    }
}

/// The fields after a `$project` of `spec` applied to documents whose fields are `before`; `None` for a
/// projection this reading does not follow (an exclusion of dotted paths, an unknown form).
fn project(before: &Fields, spec: &Document) -> Option<Fields> {
    let inclusion_value = |v: &Bson| match v {
        Bson::Boolean(b) => Some(*b),
        Bson::Int32(n) => Some(*n != 0),
        Bson::Int64(n) => Some(*n != 0),
        Bson::Double(x) => Some(*x != 0.0),
        _ => None,
    };
    let excluding = spec
        .iter()
        .filter(|(k, _)| k.as_str() != "_id")
        .all(|(_, v)| inclusion_value(v) == Some(false));
    if excluding {
        // Every field kept but the excluded ones.
        let mut after = Fields {
            identity: before.identity,
            written: before.written.clone(),
            known: before.known.clone(),
        };
        for (k, v) in spec {
            if inclusion_value(v) == Some(false) {
                after.known.remove(k.split('.').next().unwrap_or(k));
                after
                    .written
                    .push(k.split('.').next().unwrap_or(k).to_string());
            }
        }
        return Some(after);
    }
    // An inclusion / computed projection: only the listed fields are left.
    let mut after = Fields::default();
    for (k, v) in spec {
        if !plain(k) {
            // A dotted output path: its top-level field is a document built here.
            continue;
        }
        match inclusion_value(v) {
            Some(false) => {}
            Some(true) => {
                if let Some(o) = before.origin(k) {
                    after.known.insert(k.clone(), o);
                }
            }
            None => {
                if let Some(o) = value_origin(before, v) {
                    after.known.insert(k.clone(), o);
                }
            }
        }
    }
    Some(after)
}

/// The index order a scan can read in ahead of the `$sort` of `stages[start..]` (module comment), or `None`.
pub(super) fn sorted_by(stages: &[Bson], start: usize) -> Option<Order> {
    let mut fields = Fields {
        identity: true,
        ..Fields::default()
    };
    let mut i = start;
    let sort = loop {
        let stage = stages.get(i)?.as_document().filter(|d| d.len() == 1)?;
        let (name, spec) = stage.iter().next()?;
        match (name.as_str(), spec) {
            ("$match", Bson::Document(_)) => {}
            ("$set" | "$addFields", Bson::Document(set)) => {
                let before = Fields {
                    identity: fields.identity,
                    written: fields.written.clone(),
                    known: fields.known.clone(),
                };
                for (k, v) in set {
                    fields.write(&before, k, v);
                }
            }
            ("$project", Bson::Document(spec)) => fields = project(&fields, spec)?,
            ("$unset", Bson::String(p)) => fields.write(&Fields::default(), p, &Bson::Null),
            ("$unset", Bson::Array(ps)) => {
                for p in ps {
                    fields.write(&Fields::default(), p.as_str()?, &Bson::Null);
                }
            }
            ("$unwind", u) => {
                let path = match u {
                    Bson::String(p) => p.as_str(),
                    Bson::Document(d) => {
                        if let Ok(ix) = d.get_str("includeArrayIndex") {
                            fields.write(&Fields::default(), ix, &Bson::Null);
                        }
                        d.get_str("path").ok()?
                    }
                    _ => return None,
                };
                fields.write(&Fields::default(), path.strip_prefix('$')?, &Bson::Null);
            }
            ("$sort", Bson::Document(s)) => break s,
            _ => return None,
        }
        i += 1;
    };
    // A `$limit` right after the sort is the top-k paths' shape, not this one.
    if matches!(stages.get(i + 1).and_then(Bson::as_document), Some(d) if d.contains_key("$limit") || d.contains_key("$skip"))
    {
        return None;
    }
    let mut keys = sort.iter();
    let (first, d1) = keys.next()?;
    match fields.origin(first)? {
        Origin::Copy(field) => Some(Order {
            field,
            asc: direction(d1)?,
            nulls: Nulls::InOrder,
        }),
        Origin::NullFlag(field) => {
            let (second, d2) = keys.next()?;
            if fields.origin(second)? != Origin::Copy(field.clone()) {
                return None;
            }
            Some(Order {
                field,
                asc: direction(d2)?,
                nulls: if direction(d1)? {
                    Nulls::Last
                } else {
                    Nulls::First
                },
            })
        }
    }
}

/// Every record of `coll` in `order`, by walking a single-field index on the field (the records of one key
/// in natural order); `None` when no index serves it or the index does not hold every record exactly once
/// (module comment). A record's one key is its value, or the one value of a one-element array, which sorts
/// by that element: either way where the sort puts it. The null keys go where the order's null placement
/// puts them (a one-element array holding null among them: its ties are the records of that key alone).
pub(super) fn records_in_order(
    coll: &Collection,
    order: &Order,
) -> Result<Option<Vec<RecordId>>, crate::engine::CommandError> {
    // An index orders strings by its collation: it serves the sort only when that is the command's.
    let active = crate::engine::collation::active();
    let Some(ix) = coll.indexes.iter().find(|ix| {
        ix.fields.len() == 1
            && ix.serves(&order.field)
            && !ix.sparse
            && ix.partial.is_none()
            && crate::engine::collation::same(ix.collation.as_ref(), active.as_ref())
    }) else {
        return Ok(None);
    };
    // An empty array sorts beside null, not where the index holds it.
    if ix.has_empty_array() {
        return Ok(None);
    }
    let n = coll.len();
    let mut rids = Vec::with_capacity(n);
    let mut nulls = Vec::new();
    for (seen, (key, rid)) in ix.walk(order.asc).enumerate() {
        if seen % 4096 == 0 {
            crate::engine::ops::check()?;
        }
        // More keys than records: some record holds several (an array of several values).
        if seen >= n {
            return Ok(None);
        }
        let is_null = key.0.first().is_none_or(|v| type_rank(v) == 5);
        if is_null && order.nulls != Nulls::InOrder {
            nulls.push(rid);
        } else {
            rids.push(rid);
        }
    }
    if rids.len() + nulls.len() != n {
        return Ok(None);
    }
    Ok(Some(match order.nulls {
        Nulls::InOrder => rids,
        Nulls::Last => {
            rids.append(&mut nulls);
            rids
        }
        Nulls::First => {
            nulls.append(&mut rids);
            nulls
        }
    }))
}

#[cfg(test)]
#[path = "scan_order_tests.rs"]
mod tests;
