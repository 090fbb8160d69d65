//! Index-backed candidate sets: which records a filter can match, read from an index on an equality or
//! range predicate of a top-level conjunct instead of a scan (mongod's IXSCAN bounds), under the thread's
//! collation.

use super::collection::Collection;
use super::index::Index;
use super::records::RecordId;
use bson::{Bson, Document};
use std::collections::BTreeSet;
use std::ops::Bound;

impl Collection {
    /// Record ids that may match `filter`, from an index on an equality / range predicate of a top-level
    /// conjunct; `None` when no index applies (scan everything). Always a superset of the matches.
    ///
    /// Under a collation (the thread's active one, `collation.rs`) an index answers a predicate on strings
    /// only when it has that same collation (its keys are then the collation's sort keys, and so are the
    /// predicate's values here); predicates without strings compare alike under every collation.
    ///
    /// A filter that can match nothing ([`never_matches`]: `{$expr: false}`, `{f: {$in: []}}` among its
    /// conjuncts) has no candidates, with or without an index (mongod's EOF plan for an always-false filter).
    pub fn candidates(&self, filter: &Document) -> Option<Vec<RecordId>> {
        if never_matches(filter) {
            return Some(Vec::new());
        }
        let active = crate::engine::collation::active();
        let mut best: Option<BTreeSet<RecordId>> = None;
        for (field, pred) in conjuncts(filter) {
            let same = |ix: &&Index| {
                crate::engine::collation::same(ix.collation.as_ref(), active.as_ref())
            };
            let serving = || self.indexes.iter().filter(|ix| ix.serves(&field));
            let Some(ix) = serving().find(same).or_else(|| serving().next()) else {
                continue;
            };
            let Some(pred) = index_predicate(ix, active.as_ref(), pred) else {
                continue;
            };
            let Some(set) = predicate_range(ix, &pred) else {
                continue;
            };
            best = Some(match best {
                None => set,
                Some(prev) => prev.intersection(&set).copied().collect(),
            });
        }
        best.map(|s| s.into_iter().collect())
    }

    /// The records index `ix` holds whose key the filter's predicates on the index's first field can match
    /// (the bounds of a hinted read, which reads only what that index holds, sparse or partial); `None` when
    /// the filter has no such predicate. As in [`candidates`](Self::candidates), a predicate on strings bounds
    /// the read only under the index's own collation (with the values' sort keys).
    pub fn candidates_in(&self, ix: &Index, filter: &Document) -> Option<BTreeSet<RecordId>> {
        let first = ix.fields.first()?;
        let active = crate::engine::collation::active();
        let mut best: Option<BTreeSet<RecordId>> = None;
        for (field, pred) in conjuncts(filter) {
            if field != *first {
                continue;
            }
            let Some(pred) = index_predicate(ix, active.as_ref(), pred) else {
                continue;
            };
            let Some(set) = predicate_range(ix, &pred) else {
                continue;
            };
            best = Some(match best {
                None => set,
                Some(prev) => prev.intersection(&set).copied().collect(),
            });
        }
        best
    }
}

/// Whether `filter` matches no document whatever the documents hold, as mongod's match-expression optimizer
/// decides it (an always-false expression): `$expr` of the constant `false` or `null` or of a constant
/// expression that is falsy (`{$eq: [1, 0]}`, bound parameters: `expr::constant_false`), a field predicate
/// with `$in: []`, an `$and` with such a member, an `$or` whose members are all such. Anything else (an
/// expression that is false only at run time, `$nor`, `$not`) is `false`: the filter is then evaluated.
pub(crate) fn never_matches(filter: &Document) -> bool {
    filter.iter().any(|(k, v)| match (k.as_str(), v) {
        ("$expr", e) => crate::engine::expr::constant_false(e),
        ("$and", Bson::Array(items)) => items
            .iter()
            .any(|it| matches!(it, Bson::Document(d) if never_matches(d))),
        ("$or", Bson::Array(items)) => {
            !items.is_empty()
                && items
                    .iter()
                    .all(|it| matches!(it, Bson::Document(d) if never_matches(d)))
        }
        (k, Bson::Document(ops)) if !k.starts_with('$') => {
            ops.keys().next().is_some_and(|o| o.starts_with('$'))
                && matches!(ops.get("$in"), Some(Bson::Array(a)) if a.is_empty())
        }
        _ => false,
    })
}

/// Top-level `field: predicate` conjuncts of a filter (`$and` flattened).
fn conjuncts(filter: &Document) -> Vec<(String, Bson)> {
    let mut out = Vec::new();
    for (k, v) in filter {
        if k == "$and" {
            if let Bson::Array(items) = v {
                for it in items {
                    if let Bson::Document(d) = it {
                        out.extend(conjuncts(d));
                    }
                }
            }
        } else if k == "$expr" {
            expr_equalities(v, &mut out);
        } else if !k.starts_with('$') {
            out.push((k.clone(), v.clone()));
        }
    }
    out
}

/// The `{$eq: ["$f", <constant>]}` conjuncts of an `$expr` (also under `$and`), as `f: {$eq: constant}`
/// predicates (mongod's `$_internalExprEq`, which bounds an index scan): an `$expr` equality of a top-level
/// field holds only when the field's value compares equal to the constant, and the records an index holds
/// under that key are a superset of those (an array holding it among them); the filter still decides. The
/// translator's scalar subquery, once `init_plan.rs` wrote its value in (`WHERE session_id = (SELECT
/// MIN(session_id) ...)`), is then a point lookup, not a scan.
fn expr_equalities(e: &Bson, out: &mut Vec<(String, Bson)>) {
    let Some(d) = e.as_document().filter(|d| d.len() == 1) else {
        return;
    };
    match d.iter().next() {
        Some((op, Bson::Array(items))) if op == "$and" => {
            for it in items {
                expr_equalities(it, out);
            }
        }
        Some((op, Bson::Array(items))) if op == "$eq" => {
            let [a, b] = items.as_slice() else {
                return;
            };
            let (field, value) = match (field_path(a), field_path(b)) {
                (Some(f), None) => (f, b),
                (None, Some(f)) => (f, a),
                _ => return,
            };
            if let Some(c) = constant(value).filter(|c| indexable_scalar(c)) {
                out.push((field.to_string(), bson::bson!({"$eq": c.clone()})));
            }
        }
        _ => {}
    }
}

/// The top-level field an aggregation path `"$f"` reads (no dotted path, no variable).
fn field_path(v: &Bson) -> Option<&str> {
    match v {
        Bson::String(s) => s
            .strip_prefix('$')
            .filter(|f| !f.is_empty() && !f.contains('.') && !f.starts_with('$')),
        _ => None,
    }
}

/// The value of a constant expression operand: `{$literal: c}`, or a scalar that is not a path or an
/// expression.
fn constant(v: &Bson) -> Option<&Bson> {
    match v {
        Bson::Document(d) if d.len() == 1 => d.get("$literal"),
        Bson::Document(_) | Bson::Array(_) => None,
        Bson::String(s) if s.starts_with('$') => None,
        other => Some(other),
    }
}

fn indexable_scalar(v: &Bson) -> bool {
    !matches!(
        v,
        Bson::Document(_)
            | Bson::Array(_)
            | Bson::RegularExpression(_)
            | Bson::Null
            | Bson::Undefined
            | Bson::MinKey
            | Bson::MaxKey
    )
}

/// The records an index gives for equality to `v`: a hash probe on a single-field index, else a range.
fn equal_to(ix: &Index, v: &Bson) -> BTreeSet<RecordId> {
    if ix.fields.len() == 1 {
        ix.lookup(v).collect()
    } else {
        ix.range(Bound::Included(v), Bound::Included(v))
    }
}

/// `pred` in the terms of `ix`'s keys: a string predicate bounds an index only under the index's own
/// collation, with the values' sort keys; `None` when it cannot bound it (another collation).
fn index_predicate(
    ix: &Index,
    active: Option<&std::sync::Arc<crate::engine::collation::Collation>>,
    pred: Bson,
) -> Option<Bson> {
    if crate::engine::collation::same(ix.collation.as_ref(), active) {
        Some(match &ix.collation {
            Some(c) => c.index_key(&pred),
            None => pred,
        })
    } else if crate::engine::collation::has_string(&pred) {
        None
    } else {
        Some(pred)
    }
}

/// The candidate set an index gives for one predicate, if it can.
fn predicate_range(ix: &Index, pred: &Bson) -> Option<BTreeSet<RecordId>> {
    match pred {
        Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
            let mut lo: Bound<&Bson> = Bound::Unbounded;
            let mut hi: Bound<&Bson> = Bound::Unbounded;
            let mut eq_sets: Option<BTreeSet<RecordId>> = None;
            let mut used = false;
            for (op, v) in d {
                match op.as_str() {
                    "$eq" if indexable_scalar(v) => {
                        eq_sets = Some(equal_to(ix, v));
                        used = true;
                    }
                    "$in" => {
                        let Bson::Array(items) = v else { return None };
                        if !items.iter().all(indexable_scalar) {
                            return None;
                        }
                        let mut s = BTreeSet::new();
                        for it in items {
                            s.extend(equal_to(ix, it));
                        }
                        eq_sets = Some(s);
                        used = true;
                    }
                    "$gt" if indexable_scalar(v) => {
                        lo = Bound::Excluded(v);
                        used = true;
                    }
                    "$gte" if indexable_scalar(v) => {
                        lo = Bound::Included(v);
                        used = true;
                    }
                    "$lt" if indexable_scalar(v) => {
                        hi = Bound::Excluded(v);
                        used = true;
                    }
                    "$lte" if indexable_scalar(v) => {
                        hi = Bound::Included(v);
                        used = true;
                    }
                    // A top-level field that is missing is indexed as null (the index serves only
                    // non-sparse, non-partial indexes): the documents without it are among the null key's.
                    // `{_id: {$exists: false}}` (the upserts that always insert) then reads no document.
                    "$exists"
                        if matches!(v, Bson::Boolean(false))
                            && ix.fields.first().is_some_and(|f| !f.contains('.')) =>
                    {
                        eq_sets = Some(equal_to(ix, &Bson::Null));
                        used = true;
                    }
                    _ => {}
                }
            }
            if !used {
                return None;
            }
            let range = if matches!((lo, hi), (Bound::Unbounded, Bound::Unbounded)) {
                None
            } else {
                Some(ix.range(lo, hi))
            };
            match (eq_sets, range) {
                (Some(a), Some(b)) => Some(a.intersection(&b).copied().collect()),
                (Some(a), None) => Some(a),
                (None, Some(b)) => Some(b),
                (None, None) => None,
            }
        }
        v if indexable_scalar(v) => Some(equal_to(ix, v)),
        _ => None,
    }
}

#[cfg(test)]
#[path = "candidates_tests.rs"]
mod tests;
