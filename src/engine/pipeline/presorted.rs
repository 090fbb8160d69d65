//! The inputs of a segment closed by a sort, taken in the order of the sort's leading keys when those are
//! computed from fields of the input document that the segment does not change ([`Pipeline::presorted`]):
//! the incremental sort of a join and the early stop of its top-k (segment.rs).
//!
//! In: the pipeline, the segment's bounds and the sort; out: the leading keys' expressions, and the inputs'
//! positions in their order ([`input_order`]). Depends on `sort`, `expr`, `fields`.

use super::{Pipeline, Stage};
use crate::engine::expr::{Expr, Vars};
use crate::engine::sort::SortSpec;
use bson::{Bson, Document};

impl Pipeline {
    /// For a segment `start..stop` closed by a sort on `spec`: the longest run of leading sort keys (at least
    /// one) whose values are computed from fields of the input document that no stage of the segment
    /// writes, with the expressions computing them from the input document. The segment may hold
    /// `$lookup`s, `$unwind`s, `$match`es, `$unset`s, `$unionWith`s (whose documents the caller sorts
    /// apart), `$addFields` and `$setWindowFields` (their fields written), then one closing `$project` or
    /// `$addFields`.
    pub(super) fn presorted(
        &self,
        start: usize,
        stop: usize,
        spec: &SortSpec,
    ) -> Option<(SortSpec, Vec<Expr>)> {
        let mut written: Vec<String> = Vec::new();
        let top = |p: &str| p.split('.').next().unwrap_or(p).to_string();
        let mut reshape: Option<&Document> = None;
        for k in start..stop {
            if reshape.is_some() {
                return None;
            }
            match &self.stages[k] {
                Stage::Lookup(l) => written.push(top(l.as_field())),
                Stage::Unwind(u) => written.extend(u.written().into_iter().map(top)),
                Stage::Unset(paths) => written.extend(paths.iter().map(|p| top(p))),
                // A `$unionWith`'s documents are sorted apart (see the whole sort above).
                Stage::Match(..) | Stage::UnionWith(..) => {}
                Stage::Window(w) => written.extend(w.output_names().map(top)),
                Stage::AddFields(fields) if k + 1 < stop => {
                    written.extend(fields.iter().map(|(f, _)| top(f)));
                }
                Stage::Project(_) | Stage::AddFields(_) => {
                    let raw = self.raw.get(k)?.as_document()?;
                    reshape = Some(
                        raw.get("$project")
                            .or_else(|| raw.get("$addFields"))
                            .or_else(|| raw.get("$set"))?
                            .as_document()?,
                    );
                }
                _ => return None,
            }
        }
        let is_project = matches!(self.stages.get(stop - 1), Some(Stage::Project(_)));
        let exclusion = |(k, v): (&String, &Bson)| {
            matches!(v, Bson::Decimal128(_)) || (k != "_id" && flag(v) == Some(false))
        };
        if is_project && reshape.is_some_and(|p| p.iter().any(exclusion)) {
            // An exclusion projection keeps fields it does not name (a nested or written one among them).
            return None;
        }
        let mut exprs = Vec::new();
        for field in spec.top_level_fields() {
            let Some(field) = field else { break };
            let source: Bson = match reshape {
                Some(p) => match p.get(field) {
                    Some(v) if is_project => match flag(v) {
                        Some(true) => Bson::String(format!("${field}")),
                        Some(false) => break,
                        // A nested projection (`{a: {b: 1}}`) is not an expression.
                        None if matches!(v, Bson::Document(d) if d.keys().next().is_some_and(|f| !f.starts_with('$'))) => {
                            break
                        }
                        None => v.clone(),
                    },
                    Some(v) => v.clone(),
                    None if is_project && field != "_id" => break,
                    None => {
                        if p.keys().any(|k| k.split('.').next() == Some(field)) {
                            break;
                        }
                        Bson::String(format!("${field}"))
                    }
                },
                None => Bson::String(format!("${field}")),
            };
            let mut reads = Vec::new();
            if !crate::engine::fields::expr_fields(&source, &mut reads)
                || reads.iter().any(|r| written.iter().any(|w| w == r))
            {
                break;
            }
            match Expr::compile(&source) {
                Ok(e) => exprs.push(e),
                Err(_) => break,
            }
        }
        (!exprs.is_empty()).then(|| (spec.prefix(exprs.len()), exprs))
    }
}

/// A `$project` value read as an inclusion flag (`1`, `true`, `0`, `false`), as the projection reads it.
fn flag(v: &Bson) -> Option<bool> {
    match v {
        Bson::Boolean(b) => Some(*b),
        Bson::Int32(n) => Some(*n != 0),
        Bson::Int64(n) => Some(*n != 0),
        Bson::Double(x) => Some(*x != 0.0),
        _ => None,
    }
}

/// An input document's leading sort keys and its position.
pub(super) type Keyed = (Vec<Bson>, usize);

/// The input documents' positions in the order of the leading sort keys computed by `exprs` (ties in input
/// order), each with its keys; `None` when an expression fails on one (the general path then runs, and
/// raises the error only if the document reaches the stage).
pub(super) fn input_order(
    docs: &[Document],
    prefix: &SortSpec,
    exprs: &[Expr],
    vars: &Vars,
) -> Option<(Vec<Keyed>, SortSpec)> {
    let mut keyed = Vec::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        let mut key = Vec::with_capacity(exprs.len());
        for (k, e) in exprs.iter().enumerate() {
            let v = e.eval(d, vars).ok()?;
            key.push(prefix.key_of_value(k, v.as_ref()));
        }
        keyed.push((key, i));
    }
    // Stable, by the keys' prefixes first (sort_prefix): the inputs of equal keys stay in input order. An
    // interrupted sort leaves the inputs to the general path, which meets the interruption again.
    prefix.sort_entries(&mut keyed, 0).ok()?;
    Some((keyed, prefix.clone()))
}
