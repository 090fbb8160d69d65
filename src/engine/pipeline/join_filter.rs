//! A `$lookup` whose `as` array is only tested for emptiness by the `$match` right after it (the
//! translator's `[NOT] EXISTS (...)` and `x = ANY (...)` in a WHERE: `{$match: {$expr: {$gt: [{$size:
//! "$__sq0"}, 0]}}}`, or `$eq` to 0 for the anti-join) and read by nothing after that: the two stages run as
//! one filter on each outer document (PostgreSQL's semi- and anti-join), and no array is built, set into the
//! document, sized, checked and dropped again.
//!
//! The test may close an `$and` of conditions that do not read the list (`x IN (SELECT ...)`'s NULL guard:
//! `{$and: [{$ne: [{$ifNull: ["$x", null]}, null]}, {$gt: [{$size: "$__sq0"}, 0]}]}`), and be negated
//! (`{$not: [{$gt: [...]}]}`): those conditions are decided first, in their order, on the outer document, and
//! only a document passing them all is probed (`$and` stops at its first false argument the same way, so
//! the documents kept and the errors raised are the `$match`'s).
//!
//! Exactness: the `$match` keeps a document exactly when the joined list is (non-)empty, and no later stage
//! reads the field (its reads are known and end in a stage that builds its documents from what it read), so
//! the documents that come out are the same. The sub-pipeline ends in `{$limit: 1}`: the array would hold at
//! most one document, which the sub-pipeline's own checks bounded, so the size limit of the joined array
//! (4568) cannot be met; the intermediate-size check of the outer document with that one-element array is not
//! made (a document within one joined row of the 100 MB intermediate limit would pass here where the
//! stage-by-stage run refuses it).
//!
//! In: the `$lookup`'s `as` field and sub-pipeline, the stages after it; out: the filter (whether it keeps the
//! documents with a non-empty list, and the conditions decided before), or `None`. Depends on `join` (the
//! stage's execution), `fields`, `expr`.

use super::join::Exec;
use crate::engine::expr::{Expr, Vars};
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The emptiness test of a `$lookup`'s list, run as a filter on the outer documents.
#[derive(Debug, Clone)]
pub(super) struct SizeFilter {
    /// Keeps the documents whose list is non-empty (else those whose list is empty).
    pub(super) keeps: bool,
    /// The conditions of the `$and` before the test, decided in order on the outer document first: a
    /// document failing one is dropped without a probe.
    guards: Vec<Expr>,
}

/// Whether the stages `rest` after a `$lookup` with `as` field `as_field` and sub-pipeline `pipeline` start
/// with an emptiness test of its list that nothing after reads: the filter, or `None`.
pub(super) fn size_filter(as_field: &str, pipeline: &[Bson], rest: &[Bson]) -> Option<SizeFilter> {
    if as_field.is_empty() || as_field.contains('.') || as_field.starts_with('$') {
        return None;
    }
    let last = pipeline.last()?.as_document()?;
    if last.len() != 1 || !matches!(last.get("$limit"), Some(Bson::Int32(1) | Bson::Int64(1))) {
        return None;
    }
    let filter = size_test(as_field, rest.first()?)?;
    let mut paths = Vec::new();
    if !crate::engine::fields::pipeline_paths(rest.get(1..)?, &mut paths)
        || paths.iter().any(|p| p.split('.').next() == Some(as_field))
    {
        return None;
    }
    Some(filter)
}

/// `{$match: {$expr: T}}` where `T` is the test `{$gt: [{$size: "$as"}, 0]}` (keeps the non-empty lists),
/// `{$eq: [{$size: "$as"}, 0]}` or `{$not: [T]}`, or `{$and: [c1, ..., T]}` whose conditions `c1, ...` do not
/// read the list.
fn size_test(as_field: &str, stage: &Bson) -> Option<SizeFilter> {
    let m = stage.as_document()?.get_document("$match").ok()?;
    let e = m.get_document("$expr").ok().filter(|_| m.len() == 1)?;
    if let Some(keeps) = emptiness(as_field, e) {
        return Some(SizeFilter {
            keeps,
            guards: Vec::new(),
        });
    }
    let args = match (e.len(), e.get("$and")) {
        (1, Some(Bson::Array(args))) => args,
        _ => return None,
    };
    let (test, before) = args.split_last()?;
    let keeps = emptiness(as_field, test.as_document()?)?;
    let mut guards = Vec::with_capacity(before.len());
    for c in before {
        if reads_field(c, as_field) {
            return None;
        }
        guards.push(Expr::compile(c).ok()?);
    }
    Some(SizeFilter { keeps, guards })
}

/// `Some(true)` for `{$gt: [{$size: "$as"}, 0]}`, `Some(false)` for `{$eq: [{$size: "$as"}, 0]}`, the
/// opposite for `{$not: [that]}`.
fn emptiness(as_field: &str, e: &Document) -> Option<bool> {
    if e.len() != 1 {
        return None;
    }
    let (op, args) = e.iter().next()?;
    let args = args.as_array()?;
    let keeps = match op.as_str() {
        "$gt" => true,
        "$eq" => false,
        "$not" => {
            return match args.as_slice() {
                [Bson::Document(inner)] => emptiness(as_field, inner).map(|k| !k),
                _ => None,
            }
        }
        _ => return None,
    };
    let size = bson::doc! {"$size": format!("${as_field}")};
    match args.as_slice() {
        [Bson::Document(s), Bson::Int32(0)] if *s == size => Some(keeps),
        _ => None,
    }
}

/// Whether an expression may read the field `as_field` of the document: a path `$as_field[.…]`, the whole
/// document (`$$ROOT`, `$$CURRENT`), or a field named at run time (`$getField`, `$setField`, ...:
/// conservatively any operator naming a field by a string).
fn reads_field(e: &Bson, as_field: &str) -> bool {
    match e {
        Bson::String(s) => {
            let path = s.strip_prefix('$').unwrap_or("");
            path.split('.').next() == Some(as_field)
                || s.starts_with("$$ROOT")
                || s.starts_with("$$CURRENT")
        }
        Bson::Document(d) => d.iter().any(|(k, v)| {
            matches!(k.as_str(), "$getField" | "$setField" | "$unsetField")
                || reads_field(v, as_field)
        }),
        Bson::Array(items) => items.iter().any(|x| reads_field(x, as_field)),
        _ => false,
    }
}

/// The documents of `docs` that pass `filter`'s conditions and whose joined list (by `exec`) is non-empty
/// (`keeps`) or empty (`!keeps`), in order, without the `as` field.
pub(super) fn keep_by_size(
    exec: &mut Exec<'_>,
    docs: Vec<Document>,
    filter: &SizeFilter,
    vars: &Vars,
) -> Result<Vec<Document>, CommandError> {
    // Only the lists' emptiness is read: the sub-pipeline's closing projections are not made.
    exec.count_only();
    let mut out = Vec::with_capacity(docs.len());
    'docs: for d in docs {
        for g in &filter.guards {
            if !g.eval_truthy(&d, vars)? {
                continue 'docs;
            }
        }
        if exec.matches(&d)?.is_empty() != filter.keeps {
            out.push(d);
        }
    }
    Ok(out)
}
