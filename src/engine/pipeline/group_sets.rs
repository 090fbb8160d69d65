//! `$set` of a constant array to a field, `$unwind` of that field, `$group` (the translator's GROUPING SETS /
//! ROLLUP / CUBE: each row copied once per set number, the keys outside the row's set null) run as one
//! `$group` per array element over the documents themselves: for element `v`, the grouping with `"$F"`
//! replaced by `{$literal: v}` and the `{$cond: [{$in: [v, [numbers]]}, key, null]}` it makes decided, so
//! each document is neither copied per element nor the set's membership tested per document. Every such
//! grouping folds into the one state, each document through them in the array's order: the groups, their
//! order and their accumulators are those of the stages run in turn.
//!
//! Fused only when that replacement is exact: `F` a top-level name, the array not empty, the `$unwind` plain
//! (no `includeArrayIndex`), the `_id` reading `F` only as the whole path `"$F"` (not `"$F.x"`, `$$ROOT`,
//! `$$CURRENT`, `$getField`, a `$let` binding `CURRENT`), and the accumulators not reading it at all.
//!
//! In: the pipeline's stages at a position; out: the groupings. Depends on `group`, `bson_order`.

use super::group::{Group, GroupState, RowPlan};
use super::{Pipeline, Stage};
use crate::engine::bson_order::compare;
use crate::engine::expr::Vars;
use crate::engine::fields::FieldValues;
use crate::engine::CommandError;
use bson::{doc, Bson, Document};
use std::cmp::Ordering;

/// The `$set` + `$unwind` + `$group` of one pipeline position, one grouping per element of the array.
#[derive(Debug, Clone)]
pub struct SetsGroup {
    /// Per array element, in order: the `$group` with the field fixed to it.
    groups: Vec<Group>,
}

/// Why a part of a stage keeps the general path: it reads the unwound field other than as `"$F"`.
struct Refused;

/// Walks `v`, refusing what reads field `path` (`"$F"`) but as the whole path (`whole`: allowed there), or
/// the whole document.
fn check(v: &Bson, path: &str, whole: bool) -> Result<(), Refused> {
    match v {
        Bson::String(s) => {
            let reads_root = s.starts_with("$$ROOT") || s.starts_with("$$CURRENT");
            let under = s.strip_prefix(path).is_some_and(|r| r.starts_with('.'));
            if reads_root || under || (s == path && !whole) {
                return Err(Refused);
            }
            Ok(())
        }
        Bson::Document(d) => {
            if d.len() == 1 && d.contains_key("$literal") {
                return Ok(());
            }
            for (k, x) in d {
                if matches!(
                    k.as_str(),
                    "$getField" | "$setField" | "$unsetField" | "CURRENT"
                ) {
                    return Err(Refused);
                }
                check(x, path, whole)?;
            }
            Ok(())
        }
        Bson::Array(a) => a.iter().try_for_each(|x| check(x, path, whole)),
        _ => Ok(()),
    }
}

/// A number given as a constant: itself or `{$literal: n}`.
fn number(v: &Bson) -> Option<&Bson> {
    let v = match v {
        Bson::Document(d) if d.len() == 1 => d.get("$literal")?,
        v => v,
    };
    matches!(v, Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_)).then_some(v)
}

/// `v` with every `"$F"` (`path`) outside a `$literal` replaced by `{$literal: val}`, and the `$in` of a
/// number in an array of numbers, then the `$cond` on the truth it gives, decided (numbers compare without
/// collation, as `$in` does).
fn fix(v: &Bson, path: &str, val: &Bson) -> Bson {
    match v {
        Bson::String(s) if s == path => Bson::Document(doc! {"$literal": val.clone()}),
        Bson::Document(d) if d.len() == 1 && d.contains_key("$literal") => v.clone(),
        Bson::Document(d) => {
            let fixed: Document = d
                .iter()
                .map(|(k, x)| (k.clone(), fix(x, path, val)))
                .collect();
            decide(fixed)
        }
        Bson::Array(a) => Bson::Array(a.iter().map(|x| fix(x, path, val)).collect()),
        other => other.clone(),
    }
}

/// `{$in: [n, [numbers]]}` as its truth, `{$cond: [true/false, a, b]}` as its branch; else `d`.
fn decide(d: Document) -> Bson {
    if d.len() == 1 {
        if let Some(Bson::Array(args)) = d.get("$in") {
            if let [x, list] = args.as_slice() {
                let list = match list {
                    Bson::Document(l) if l.len() == 1 => l.get("$literal"),
                    l @ Bson::Array(_) => Some(l),
                    _ => None,
                };
                if let (Some(x), Some(Bson::Array(list))) = (number(x), list) {
                    if list.iter().all(|e| number(e).is_some()) {
                        let hit = list.iter().any(|e| compare(e, x) == Ordering::Equal);
                        return Bson::Document(doc! {"$literal": hit});
                    }
                }
            }
        }
        if let Some(Bson::Array(args)) = d.get("$cond") {
            if let [c, a, b] = args.as_slice() {
                let truth = match c {
                    Bson::Boolean(t) => Some(*t),
                    Bson::Document(l) if l.len() == 1 => match l.get("$literal") {
                        Some(Bson::Boolean(t)) => Some(*t),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(t) = truth {
                    return if t { a.clone() } else { b.clone() };
                }
            }
        }
    }
    Bson::Document(d)
}

impl Pipeline {
    /// The `$set` + `$unwind` + `$group` at stage `start` fused (see the module documentation), or `None`
    /// when those stages are not there or the fusion would not be exact.
    pub fn group_sets_at(&self, start: usize) -> Option<SetsGroup> {
        let (Some(Stage::AddFields(set)), Some(Stage::Unwind(u)), Some(Stage::Group(_))) = (
            self.stages.get(start),
            self.stages.get(start + 1),
            self.stages.get(start + 2),
        ) else {
            return None;
        };
        let [(field, value)] = set.as_slice() else {
            return None;
        };
        if field.contains('.') || u.plain_on(field) != Some((None, false)) {
            return None;
        }
        let Some(Bson::Array(values)) = value.constant() else {
            return None;
        };
        if values.is_empty() {
            return None;
        }
        let Some(Bson::Document(stage)) = self.raw.get(start + 2) else {
            return None;
        };
        let spec = stage.get_document("$group").ok()?;
        let path = format!("${field}");
        for (k, v) in spec {
            check(v, &path, k == "_id").ok()?;
        }
        let id = spec.get("_id")?;
        let mut groups = Vec::with_capacity(values.len());
        for v in values {
            let mut fixed = spec.clone();
            fixed.insert("_id", fix(id, &path, v));
            groups.push(Group::compile(&fixed).ok()?);
        }
        // One state for all: their keys must be grouped alike (each a key document, or each its values).
        if groups
            .iter()
            .any(|g| g.has_fields_key() != groups[0].has_fields_key())
        {
            groups.iter_mut().for_each(Group::forget_fields_key);
        }
        Some(SetsGroup { groups })
    }
}

impl SetsGroup {
    /// Adds one input document: once per array element, as the `$unwind` would have handed it on.
    pub fn step(
        &self,
        state: &mut GroupState,
        doc: &Document,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        self.groups
            .iter()
            .try_for_each(|g| g.step(state, doc, vars))
    }

    /// Each grouping's [`Group::row_plan`] over the same `fields`, or `None` when one has none.
    pub fn row_plans(&self, fields: &mut Vec<String>) -> Option<Vec<RowPlan>> {
        self.groups.iter().map(|g| g.row_plan(fields)).collect()
    }

    /// [`step`](Self::step) of a row laid out as [`row_plans`](Self::row_plans) gave.
    pub fn step_row(
        &self,
        plans: &[RowPlan],
        state: &mut GroupState,
        row: &FieldValues,
    ) -> Result<(), CommandError> {
        self.groups
            .iter()
            .zip(plans)
            .try_for_each(|(g, p)| g.step_row(p, state, row))
    }

    /// The output documents, as the `$group` gives them.
    pub fn finish(&self, state: GroupState, vars: &Vars) -> Result<Vec<Document>, CommandError> {
        match self.groups.first() {
            Some(g) => g.finish(state, vars),
            None => Ok(Vec::new()),
        }
    }
}

#[cfg(test)]
#[path = "group_sets_tests.rs"]
mod tests;
