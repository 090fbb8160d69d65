//! Set-returning functions in the SELECT list: `unnest(array)`, `generate_series(...)` (series.rs),
//! `jsonb_array_elements(j)`,
//! `jsonb_object_keys(j)` — one output row per element, as PostgreSQL's ProjectSet.
//!
//! After WHERE (and before DISTINCT / DISTINCT ON, ORDER BY, LIMIT, which PostgreSQL applies to the expanded
//! rows): one call is `$set` of its array into `__u0` then `$unwind` (no `preserveNullAndEmptyArrays`: a NULL
//! or empty array gives no row, as in PostgreSQL). Several calls zip as PostgreSQL 10+ does: as many rows as
//! the longest array, the shorter ones padded with NULL, none when every array is NULL or empty — `$set` of each
//! array (`[]` for NULL), `$unwind` of `$range(0, max size)`, each call's value the element at that index
//! (NULL past its end). The call itself then reads its field wherever the SELECT list / ORDER BY names it.
//!
//! `jsonb_object_keys` lists the keys in PostgreSQL's jsonb order (shorter first, then bytewise).
//! Refused: a set-returning call in an aggregate / GROUP BY query (PostgreSQL evaluates it after grouping)
//! or with window functions, and one inside another's argument; elsewhere than the SELECT list / ORDER BY it
//! is PostgreSQL's error.

use super::expr::{invalid, unsupported, Agg, Kind};
use super::visit::{outside_subqueries, LevelVisitor};
use super::{Error, Translator};
use crate::mql::expr as ex;
use crate::mql::stage::Stage;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{doc, Bson, Document};
use sqlparser::ast::{Expr, Function};
use std::ops::ControlFlow;

/// Whether `name` is a set-returning function this file expands.
pub(crate) fn is_set_returning(name: &str) -> bool {
    matches!(
        name,
        "unnest"
            | "generate_series"
            | "jsonb_array_elements"
            | "json_array_elements"
            | "jsonb_object_keys"
            | "json_object_keys"
    )
}

fn srf_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Function(f) if f.over.is_none() => {
            let n = super::names::function_name(&f.name);
            is_set_returning(&n).then_some(n)
        }
        _ => None,
    }
}

/// The set-returning calls of `e` at its own query level, in order.
fn collect(e: &Expr, out: &mut Vec<Expr>) {
    struct Collect<'a>(&'a mut Vec<Expr>);
    impl LevelVisitor for Collect<'_> {
        fn pre(&mut self, e: &Expr) -> ControlFlow<()> {
            if srf_name(e).is_some() && !self.0.iter().any(|x| x.to_string() == e.to_string()) {
                self.0.push(e.clone());
            }
            ControlFlow::Continue(())
        }
    }
    let _ = outside_subqueries(e, &mut Collect(out));
}

impl Translator {
    /// Registers the set-returning calls of the SELECT list (`columns`) and returns the stages that expand
    /// them (empty when there is none).
    pub(crate) fn srf_stages<'e>(
        &mut self,
        cx: &mut QueryContext,
        columns: impl Iterator<Item = &'e Expr>,
        grouped: bool,
    ) -> Result<Vec<Document>, Error> {
        let mut calls = Vec::new();
        for c in columns {
            collect(c, &mut calls);
        }
        let Some(first) = calls.first() else {
            return Ok(Vec::new());
        };
        if grouped {
            return Err(unsupported(
                Refusal::Function,
                "a set-returning function in the SELECT list of an aggregate or GROUP BY query (PostgreSQL expands it after grouping; group in a derived table)",
                first,
            ));
        }
        if let Some(w) = calls.iter().find(|c| {
            super::visit::any_outside_subqueries(
                c,
                |x| matches!(x, Expr::Function(f) if f.over.is_some()),
            )
        }) {
            return Err(unsupported(
                Refusal::Function,
                "a window function inside a set-returning function",
                w,
            ));
        }
        let mut arrays = Vec::new();
        for (i, c) in calls.iter().enumerate() {
            let Expr::Function(f) = c else { continue };
            let Some(name) = srf_name(c) else { continue };
            let mut inner = Vec::new();
            for a in super::expr::function_args(f, c)? {
                collect(a, &mut inner);
            }
            if let Some(n) = inner.first() {
                return Err(unsupported(
                    Refusal::Function,
                    "a set-returning function inside another's argument",
                    n,
                ));
            }
            arrays.push(self.srf_array(cx, &name, f, c)?);
            cx.srfs.push((c.to_string(), format!("__u{i}")));
        }
        let mut stages = Vec::new();
        if arrays.len() == 1 {
            let mut set = Document::new();
            set.insert("__u0", arrays.remove(0));
            stages.push(Stage::Set(set).into_document());
            stages.push(Stage::Unwind(ex::field_ref("__u0")).into_document());
            return Ok(stages);
        }
        let mut set = Document::new();
        let mut sizes = Vec::new();
        for (i, a) in arrays.into_iter().enumerate() {
            let f = format!("__u{i}");
            set.insert(&f, ex::if_null(a, Bson::Array(Vec::new())));
            sizes.push(ex::size(ex::field(&f)));
        }
        stages.push(Stage::Set(set).into_document());
        let mut range = Document::new();
        range.insert("__ui", ex::range(0, ex::max(sizes)));
        stages.push(Stage::Set(range).into_document());
        stages.push(Stage::Unwind(ex::field_ref("__ui")).into_document());
        let mut pick = Document::new();
        for (_, f) in &cx.srfs {
            pick.insert(
                f,
                ex::or_null(ex::array_elem_at(ex::field(f), ex::field("__ui"))),
            );
        }
        stages.push(Stage::Set(pick).into_document());
        stages.push(Stage::UnsetField("__ui".into()).into_document());
        Ok(stages)
    }

    /// The array a set-returning call expands.
    fn srf_array(
        &mut self,
        cx: &mut QueryContext,
        name: &str,
        f: &Function,
        e: &Expr,
    ) -> Result<Bson, Error> {
        let args = super::expr::function_args(f, e)?;
        if name == "generate_series" {
            return Ok(self.series_array(cx, &args, e)?.expr.into());
        }
        let [arg] = args.as_slice() else {
            return Err(if name == "unnest" {
                unsupported(
                    Refusal::Function,
                    "unnest() of several arrays (write one unnest() per array)",
                    e,
                )
            } else {
                invalid(format!("{}() takes exactly one argument", f.name), e)
            });
        };
        let a = self.agg(cx, arg)?;
        Ok(match name {
            "jsonb_object_keys" | "json_object_keys" => {
                let pairs = ex::map(
                    ex::object_to_array(a.expr),
                    None,
                    doc! {"l": ex::str_len_bytes(ex::var("this.k")), "k": ex::var("this.k")},
                );
                let sorted = if name == "jsonb_object_keys" {
                    ex::sort_array(pairs, doc! {"l": 1, "k": 1})
                } else {
                    pairs
                };
                ex::map(sorted, None, ex::var("this.k"))
            }
            _ => a.expr.into(),
        })
    }

    /// A set-returning call where the SELECT list reads it: its element's field.
    pub(crate) fn srf_call(
        &mut self,
        cx: &mut QueryContext,
        name: &str,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let key = e.to_string();
        match cx.srfs.iter().find(|(k, _)| *k == key) {
            Some((_, f)) => {
                let kind = if name.ends_with("object_keys") {
                    Kind::Text
                } else {
                    Kind::Unknown
                };
                Ok(Agg::new(ex::field(f), kind, true))
            }
            None => Err(invalid(
                format!(
                    "set-returning function {name}() is not allowed here (only in the SELECT list)"
                ),
                e,
            )),
        }
    }
}
