//! Where the window stages meet the rest of a SELECT's pipeline: the stages they make redundant.
//!
//! 1. [`keeps_order`]: when every window call of the SELECT is `OVER (ORDER BY <the query's ORDER BY>)` with no
//!    PARTITION BY, the rows leave the window stages in the query's order already (a `$setWindowFields`
//!    sorts its documents by `partitionBy` then `sortBy`, and hands them on in that order, on mongod as on the
//!    embedded engine), so the final `$sort` (and the key fields of the `$project` before it) is not needed.
//! 2. [`drop_unset_before_project`]: the window's helper fields unset right before an inclusion `$project`
//!    that neither keeps nor reads them (the projection drops them anyway).
//!
//! Depends on mql's [`StageKind`], the window calls (calls.rs) and the field reads of merge.rs.

use super::super::query::{sort_keys, SortKey};
use super::calls::{collect_windows, resolve_named};
use super::merge::{field_reads, reads_whole_document, top};
use crate::mql::stage::StageKind;
use bson::{Bson, Document};
use sqlparser::ast::{Expr, NamedWindowDefinition, WindowType};

/// Whether the rows leave the window `stages` already in the order of `keys` (the query's ORDER BY): every
/// window call in `exprs` has no PARTITION BY and exactly `keys` as its ORDER BY (same expressions,
/// directions and NULL placement), and the stages are `$set`, `$unset` and `$setWindowFields` without
/// `partitionBy` (each sorts on the call's key, or on a number that orders rows as the key does; one without
/// `sortBy` keeps its input's order). Rows equal on the keys are peers, in any order, as in PostgreSQL.
pub(crate) fn keeps_order(
    exprs: &[&Expr],
    named: &[NamedWindowDefinition],
    keys: &[SortKey],
    stages: &[Document],
) -> bool {
    if keys.is_empty() || stages.is_empty() {
        return false;
    }
    let mut calls = Vec::new();
    for e in exprs {
        if collect_windows(e, &mut calls).is_err() {
            return false;
        }
    }
    if calls.is_empty() {
        return false;
    }
    for c in calls {
        let Ok((_, call)) = resolve_named(c, named) else {
            return false;
        };
        let Expr::Function(f) = &call else {
            return false;
        };
        let Some(WindowType::WindowSpec(spec)) = &f.over else {
            return false;
        };
        if !spec.partition_by.is_empty() {
            return false;
        }
        let Ok(order) = sort_keys(&spec.order_by) else {
            return false;
        };
        let same = order.len() == keys.len()
            && order.iter().zip(keys).all(|(a, b)| {
                a.expr == b.expr && a.desc == b.desc && a.nulls_first == b.nulls_first
            });
        if !same {
            return false;
        }
    }
    stages
        .iter()
        .all(|s| match StageKind::SetWindowFields.document(s) {
            Some(w) => !w.contains_key("partitionBy"),
            None => StageKind::Set.is(s) || StageKind::Unset.is(s),
        })
}

/// Drops the `$unset` at the end of `pipeline`'s second-to-last stage when the last is an inclusion
/// `$project` that neither names nor reads the unset fields (nor the whole document): the projection keeps
/// only its own fields, so the `$unset` changes nothing.
pub(crate) fn drop_unset_before_project(pipeline: &mut Vec<Document>) {
    let n = pipeline.len();
    if n < 2 || !redundant_unset(&pipeline[n - 2], &pipeline[n - 1]) {
        return;
    }
    pipeline.remove(n - 2);
}

fn redundant_unset(unset: &Document, project: &Document) -> bool {
    let (Some(unset), Some(project)) = (
        StageKind::Unset.payload(unset),
        StageKind::Project.document(project),
    ) else {
        return false;
    };
    let fields: Vec<&str> = match unset {
        Bson::String(f) => vec![f.as_str()],
        Bson::Array(a) => match a.iter().map(Bson::as_str).collect::<Option<Vec<_>>>() {
            Some(f) => f,
            None => return false,
        },
        _ => return false,
    };
    if fields.iter().any(|f| top(f) == "_id" || f.is_empty()) {
        return false;
    }
    let excluded = |v: &Bson| match v {
        Bson::Int32(x) => *x == 0,
        Bson::Int64(x) => *x == 0,
        Bson::Double(x) => *x == 0.0,
        Bson::Boolean(b) => !b,
        Bson::Decimal128(_) => true,
        _ => false,
    };
    // An inclusion projection: some field other than `_id` included or computed, none excluded.
    let inclusion = project.iter().any(|(k, _)| k != "_id")
        && project.iter().all(|(k, v)| k == "_id" || !excluded(v));
    if !inclusion {
        return false;
    }
    let whole = Bson::Document(project.clone());
    if reads_whole_document(&whole) {
        return false;
    }
    let reads = field_reads(&whole);
    fields.iter().all(|f| {
        let f = top(f);
        !reads.contains(f) && project.keys().all(|k| top(k) != f)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn an_unset_before_an_inclusion_project_that_ignores_it_goes() {
        let mut p = vec![
            doc! {"$unset": ["__w0k", "__w0c"]},
            doc! {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0"}},
        ];
        drop_unset_before_project(&mut p);
        assert_eq!(
            p,
            vec![doc! {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0"}}]
        );
    }

    #[test]
    fn an_unset_the_project_needs_stays() {
        for project in [
            // reads an unset field
            doc! {"$project": {"_id": 0, "c0": "$__w0k.s0"}},
            // keeps it
            doc! {"$project": {"_id": 0, "__w0k": 1}},
            // the whole document
            doc! {"$project": {"_id": 0, "c0": "$$ROOT"}},
            // an exclusion keeps every other field
            doc! {"$project": {"_id": 0, "x": 0}},
        ] {
            let mut p = vec![doc! {"$unset": "__w0k"}, project];
            let before = p.clone();
            drop_unset_before_project(&mut p);
            assert_eq!(p, before);
        }
        // `_id` is kept by an inclusion that does not exclude it.
        let mut p = vec![doc! {"$unset": "_id"}, doc! {"$project": {"c0": "$a"}}];
        let before = p.clone();
        drop_unset_before_project(&mut p);
        assert_eq!(p, before);
    }
}
