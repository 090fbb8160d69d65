//! A `$lookup` whose `as` array is only tested for emptiness by the `$match` right after it (the
//! translator's `[NOT] EXISTS (...)` and `x = ANY (...)` in a WHERE: `{$match: {$expr: {$gt: [{$size:
//! "$__sq0"}, 0]}}}`, or `$eq` to 0 for the anti-join) and read by nothing after that: the two stages run as
//! one filter on each outer document (PostgreSQL's semi- and anti-join), and no array is built, set into the
//! document, sized, checked and dropped again.
//!
//! Exactness: the `$match` keeps a document exactly when the joined list is (non-)empty, and no later stage
//! reads the field (its reads are known and end in a stage that builds its documents from what it read), so
//! the documents that come out are the same. The sub-pipeline ends in `{$limit: 1}`: the array would hold at
//! most one document, which the sub-pipeline's own checks bounded, so the size limit of the joined array
//! (4568) cannot be met; the intermediate-size check of the outer document with that one-element array is not
//! made (a document within one joined row of the 100 MB intermediate limit would pass here where the
//! stage-by-stage run refuses it).
//!
//! In: the `$lookup`'s `as` field and sub-pipeline, the stages after it; out: whether the filter keeps the
//! documents with a non-empty list (`Some(true)`) or an empty one (`Some(false)`), or `None`. Depends on
//! `join` (the stage's execution), `fields`.

use super::join::Exec;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// Whether the stages `rest` after a `$lookup` with `as` field `as_field` and sub-pipeline `pipeline` start
/// with an emptiness test of its list that nothing after reads: `Some(true)` when that `$match` keeps the
/// documents with a non-empty list, `Some(false)` with an empty one.
pub(super) fn size_filter(as_field: &str, pipeline: &[Bson], rest: &[Bson]) -> Option<bool> {
    if as_field.is_empty() || as_field.contains('.') || as_field.starts_with('$') {
        return None;
    }
    let last = pipeline.last()?.as_document()?;
    if last.len() != 1 || !matches!(last.get("$limit"), Some(Bson::Int32(1) | Bson::Int64(1))) {
        return None;
    }
    let keeps = size_test(as_field, rest.first()?)?;
    let mut paths = Vec::new();
    if !crate::engine::fields::pipeline_paths(rest.get(1..)?, &mut paths)
        || paths.iter().any(|p| p.split('.').next() == Some(as_field))
    {
        return None;
    }
    Some(keeps)
}

/// `{$match: {$expr: {$gt: [{$size: "$as"}, 0]}}}` (`Some(true)`) or `{$match: {$expr: {$eq: [{$size:
/// "$as"}, 0]}}}` (`Some(false)`).
fn size_test(as_field: &str, stage: &Bson) -> Option<bool> {
    let m = stage.as_document()?.get_document("$match").ok()?;
    let e = m.get_document("$expr").ok().filter(|_| m.len() == 1)?;
    if e.len() != 1 {
        return None;
    }
    let (op, args) = e.iter().next()?;
    let keeps = match op.as_str() {
        "$gt" => true,
        "$eq" => false,
        _ => return None,
    };
    let size = bson::doc! {"$size": format!("${as_field}")};
    match args.as_array()?.as_slice() {
        [Bson::Document(s), Bson::Int32(0)] if *s == size => Some(keeps),
        _ => None,
    }
}

/// The documents of `docs` whose joined list (by `exec`) is non-empty (`keeps`) or empty (`!keeps`), in
/// order, without the `as` field.
pub(super) fn keep_by_size(
    exec: &mut Exec<'_>,
    docs: Vec<Document>,
    keeps: bool,
) -> Result<Vec<Document>, CommandError> {
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        if exec.matches(&d)?.is_empty() != keeps {
            out.push(d);
        }
    }
    Ok(out)
}
