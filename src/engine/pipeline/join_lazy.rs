//! A correlated `$lookup` whose cached prefix ends in a `$project` that cannot fail (the translator's
//! `x [NOT] IN (SELECT col FROM t)` probe: `[{$project: {_id: 0, col: {$ifNull: ["$col", null]}}},
//! {$match: {$expr: {$eq: ["$col", "$$i0"]}}}, {$limit: 1}]`): the hash table of the foreign side is keyed
//! through the projection's expressions on the unprojected documents, and the projection is applied to the
//! candidates of an outer document only, not to every foreign document up front.
//!
//! Exactness: the projection reads nothing but fields and constants (`"$a.b"`, `{$ifNull: ["$a", null]}`,
//! `{$literal: v}`, inclusions, `_id: 0`), so it fails on no document and the documents it is not applied to
//! change nothing; the keys, the NULL guard and the uncorrelated conjuncts of the `$match` after it are
//! decided on a view holding the projected values of exactly the top-level fields that `$match` reads
//! ([`LazyProject::view`]), i.e. on what the projected document holds there; every candidate is projected
//! before the `$match` decides it. A property test in `join_lazy_tests.rs` holds the stage to the nested loop.
//!
//! In: the `$project` specification and the `$match` after it; out: the plan, or `None` when it does not
//! apply. Depends on `expr`, `fields`.

use super::join_keys::EqKey;
use crate::engine::expr::{Expr, Vars};
use crate::engine::CommandError;
use bson::{Bson, Document};

/// How a field of the projected document is had from the unprojected one.
#[derive(Debug, Clone)]
enum Source {
    /// An inclusion (`f: 1`): the field as it is.
    Copy,
    /// A computed field: the expression on the unprojected document (absent when it gives nothing).
    Computed(Expr),
}

/// The fields of a cannot-fail `$project`'s output that the `$match` after it reads, each with how to compute
/// it from the document before the projection.
#[derive(Debug, Clone)]
pub(super) struct LazyProject {
    /// `(field, source)`; a field the `$match` reads that the projection leaves out is not listed (the view
    /// lacks it, as the projected document does).
    fields: Vec<(String, Source)>,
    /// When the table's keys are all fields of the view and nothing else decides there (no hoisted
    /// conjuncts): per key its field's position and whether it is read through `$ifNull`, and the position of
    /// the NULL-guarded field ([`keys`](Self::keys) computes them without building the view).
    direct: Option<Direct>,
}

/// The keys of the table as positions in the view: per key its field's position and whether it is read
/// through `$ifNull`, and the position of the NULL-guarded field.
#[derive(Debug, Clone)]
struct Direct {
    keys: Vec<(usize, bool)>,
    non_null: Option<usize>,
}

impl LazyProject {
    /// The plan for the `$project` specification `spec` followed by the `$match` document `m`; `None` when the
    /// projection may fail or is not a plain inclusion of top-level fields, or `m` may read any field.
    pub(super) fn plan(spec: &Document, m: &Document) -> Option<LazyProject> {
        let mut id_kept = true;
        let mut out: Vec<(String, Source)> = Vec::new();
        let mut read = Vec::new();
        if !crate::engine::fields::filter_fields(m, &mut read) {
            return None;
        }
        for (k, v) in spec {
            if k.is_empty() || k.contains('.') || k.starts_with('$') {
                return None;
            }
            let source = match v {
                Bson::Int32(0) | Bson::Int64(0) | Bson::Boolean(false) if k == "_id" => {
                    id_kept = false;
                    continue;
                }
                Bson::Int32(1) | Bson::Int64(1) | Bson::Boolean(true) => Source::Copy,
                v if cannot_fail(v) => Source::Computed(Expr::compile(v).ok()?),
                _ => return None,
            };
            if k == "_id" {
                id_kept = false;
            }
            if read.iter().any(|r| r == k) {
                out.push((k.clone(), source));
            }
        }
        // An inclusion keeps `_id` unless it is excluded or computed.
        if id_kept && read.iter().any(|r| r == "_id") {
            out.push(("_id".to_string(), Source::Copy));
        }
        Some(LazyProject {
            fields: out,
            direct: None,
        })
    }

    /// Lets [`table_keys`](Self::table_keys) compute the keys `keys` (and the guard of `non_null`) straight
    /// from the sources of their fields, when each is a top-level field the view holds and no hoisted
    /// conjunct (`split`) needs the view.
    pub(super) fn key_directly(&mut self, keys: &[&EqKey], non_null: Option<&str>, split: bool) {
        let positions: Option<Vec<(usize, bool)>> = keys
            .iter()
            .map(|k| self.position(&k.path).map(|i| (i, k.if_null)))
            .collect();
        let guard = match non_null {
            Some(f) => self.position(f).map(Some),
            None => Some(None),
        };
        self.direct = match (positions, guard, split) {
            (Some(keys), Some(non_null), false) => Some(Direct { keys, non_null }),
            _ => None,
        };
    }

    /// The hash-table keys of the unprojected document `d` when they can be had without the view
    /// ([`key_directly`](Self::key_directly)): see [`keys`](Self::keys). `None`: decide on the view.
    pub(super) fn table_keys(
        &self,
        d: &Document,
        vars: &Vars,
    ) -> Result<Option<Vec<Bson>>, CommandError> {
        match &self.direct {
            Some(Direct { keys, non_null }) => self.keys(keys, *non_null, d, vars),
            None => Ok(None),
        }
    }

    /// The position of `field` among the fields the view holds, when it is one the projection gives.
    fn position(&self, field: &str) -> Option<usize> {
        self.fields.iter().position(|(f, _)| f == field)
    }

    /// The value the projected document holds at the field at `i` of the view ([`position`](Self::position)),
    /// computed from the unprojected document `d`: what [`view`](Self::view) would hold there.
    fn value(&self, i: usize, d: &Document, vars: &Vars) -> Result<Option<Bson>, CommandError> {
        match self.fields.get(i) {
            Some((f, Source::Copy)) => Ok(d.get(f).cloned()),
            Some((_, Source::Computed(e))) => e.eval(d, vars),
            None => Ok(None),
        }
    }

    /// The hash-table keys of the unprojected document `d` for `keys` (per key: its field's position in the
    /// view, and whether the foreign side is `{$ifNull: ["$field", null]}` rather than `"$field"`), without
    /// building the view: an empty list when `non_null` (a position) lacks a value (the document lands in no
    /// bucket), one value for one key, the tuple for several. `None` when a value is `undefined` (the caller
    /// then decides on the view).
    fn keys(
        &self,
        keys: &[(usize, bool)],
        non_null: Option<usize>,
        d: &Document,
        vars: &Vars,
    ) -> Result<Option<Vec<Bson>>, CommandError> {
        let mut values = Vec::with_capacity(keys.len());
        for &(i, if_null) in keys {
            let v = match self.value(i, d, vars)? {
                Some(Bson::Undefined) => return Ok(None),
                None | Some(Bson::Null) if Some(i) == non_null => return Ok(Some(Vec::new())),
                None => Bson::Null,
                Some(Bson::Null) if if_null => Bson::Null,
                Some(v) => v,
            };
            values.push(v);
        }
        if let Some(n) = non_null.filter(|n| !keys.iter().any(|(i, _)| i == n)) {
            match self.value(n, d, vars)? {
                Some(Bson::Undefined) => return Ok(None),
                None | Some(Bson::Null) => return Ok(Some(Vec::new())),
                Some(_) => {}
            }
        }
        Ok(Some(match values.len() {
            1 => values,
            _ => vec![Bson::Array(values)],
        }))
    }

    /// What the projected document holds at the fields the `$match` reads, computed from the unprojected
    /// document `d` (in the projection's order).
    pub(super) fn view(&self, d: &Document, vars: &Vars) -> Result<Document, CommandError> {
        let mut out = Document::new();
        for (f, source) in &self.fields {
            let v = match source {
                Source::Copy => d.get(f).cloned(),
                Source::Computed(e) => e.eval(d, vars)?,
            };
            if let Some(v) = v {
                out.insert(f.clone(), v);
            }
        }
        Ok(out)
    }
}

/// Whether a `$project` value is an expression that fails on no document: a field path, `{$literal: v}`, or
/// `{$ifNull: [x, null]}` of such (a bare constant other than a string would be an inclusion flag or is
/// refused: not taken here).
fn cannot_fail(v: &Bson) -> bool {
    match v {
        Bson::String(s) => s.starts_with('$') && !s.starts_with("$$") && s.len() > 1,
        Bson::Document(d) if d.len() == 1 => match d.iter().next() {
            Some((op, _)) if op == "$literal" => true,
            Some((op, Bson::Array(args))) if op == "$ifNull" => {
                args.len() == 2 && args[1] == Bson::Null && cannot_fail(&args[0])
            }
            _ => false,
        },
        _ => false,
    }
}
