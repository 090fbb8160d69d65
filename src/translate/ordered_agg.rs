//! Collecting aggregates: STRING_AGG, ARRAY_AGG / JSON_AGG / JSONB_AGG, JSON_OBJECT_AGG / JSONB_OBJECT_AGG
//! (each with an optional ORDER BY inside, DISTINCT and FILTER), and BOOL_AND / BOOL_OR / EVERY.
//!
//! The rows' values are collected with `$push` (`$addToSet` for DISTINCT) as `{k: <sort key>, v: <value>}`;
//! after `$group` the array is ordered with `$sortArray` on the composite key (PostgreSQL's NULL placement,
//! see `window/`) and reduced: STRING_AGG joins with `$reduce` + `$concat` (NULL values skipped, NULL when
//! nothing is left), ARRAY_AGG keeps NULL elements and is NULL over no rows, JSON_OBJECT_AGG builds the object
//! with `$arrayToObject` (a repeated key keeps its last value; jsonb orders the keys by length, then bytes,
//! as PostgreSQL's jsonb does). BOOL_AND / BOOL_OR are `$min` / `$max` over the non-NULL values (false <
//! true), NULL when there is none.

use super::aggregate::GroupScope;
use super::expr::{invalid, unsupported, Agg, Kind};
use super::nulls::{and, not_null};
use super::window::SortKeyDoc;
use super::{Error, Translator};
use crate::mql::accumulator as acc;
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{bson, Bson, Document};
use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentClause,
    FunctionArguments, OrderByExpr,
};

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Nested(inner) => strip(inner),
        other => other,
    }
}

/// Whether `name` is one of the collecting aggregates of this file.
pub(crate) fn is_collecting_aggregate(name: &str) -> bool {
    matches!(
        name,
        "string_agg"
            | "array_agg"
            | "json_agg"
            | "jsonb_agg"
            | "json_object_agg"
            | "jsonb_object_agg"
            | "bool_and"
            | "bool_or"
            | "every"
    )
}

impl Translator {
    /// The separator of `string_agg(x, sep)` (an aggregate or a window function): a text constant, or NULL,
    /// which PostgreSQL treats as no separator; anything else is refused at `sep`.
    pub(super) fn string_agg_separator(
        &mut self,
        cx: &mut QueryContext,
        sep: &Expr,
    ) -> Result<Bson, Error> {
        match self.agg(cx, sep)?.constant {
            Some(Bson::String(t)) => Ok(Bson::String(t)),
            Some(Bson::Null) => Ok(Bson::String(String::new())),
            _ => Err(unsupported(
                Refusal::Aggregate,
                "string_agg() delimiter other than a text constant",
                sep,
            )),
        }
    }

    /// A collecting aggregate (see the module doc): registers its accumulator in `scope` and returns the
    /// post-group expression; `None` when `name` is not one of them.
    pub(crate) fn collecting_aggregate(
        &mut self,
        cx: &mut QueryContext,
        name: &str,
        f: &Function,
        e: &Expr,
        scope: &mut GroupScope,
    ) -> Result<Option<Agg>, Error> {
        if !is_collecting_aggregate(name) {
            return Ok(None);
        }
        let FunctionArguments::List(list) = &f.args else {
            return Err(invalid(format!("{}() needs arguments", f.name), e));
        };
        let distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
        let mut order_by: &[OrderByExpr] = &[];
        for c in &list.clauses {
            match c {
                FunctionArgumentClause::OrderBy(o) => order_by = o,
                _ => {
                    return Err(unsupported(
                        Refusal::Aggregate,
                        format!("this clause inside {}()", f.name),
                        e,
                    ))
                }
            }
        }
        let mut args = Vec::new();
        for a in &list.args {
            match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => args.push(x),
                _ => {
                    return Err(unsupported(
                        Refusal::Aggregate,
                        format!("argument {a} of {}()", f.name),
                        e,
                    ))
                }
            }
        }
        let want = |n: usize| -> Result<(), Error> {
            if args.len() == n {
                Ok(())
            } else {
                Err(invalid(format!("{}() takes {n} argument(s)", f.name), e))
            }
        };
        let filter = match &f.filter {
            Some(p) => Some(self.pred(cx, p)?.t),
            None => None,
        };
        let idx = scope.accumulators.len();
        let field = format!("a{idx}");
        let mut keep = Vec::new();
        if let Some(ft) = &filter {
            keep.push(ft.clone());
        }
        if matches!(name, "bool_and" | "bool_or" | "every") {
            want(1)?;
            if !order_by.is_empty() {
                return Err(unsupported(
                    Refusal::Aggregate,
                    format!("ORDER BY inside {}()", f.name),
                    e,
                ));
            }
            let x = self.agg(cx, args[0])?;
            if !matches!(x.kind, Kind::Bool | Kind::Unknown | Kind::Null) {
                return Err(invalid(format!("{}() needs a boolean argument", f.name), e));
            }
            let value = match &filter {
                Some(ft) => ex::cond(ft.clone(), x.expr, Bson::Null),
                None => x.expr,
            };
            let a = if name == "bool_or" {
                acc::max(value)
            } else {
                acc::min(value)
            };
            let field = scope.accumulate(&field, a);
            return Ok(Some(Agg::new(
                ex::or_null(ex::field(&field)),
                Kind::Bool,
                true,
            )));
        }
        // The element pushed for each row: {k: sort key, v: value} (+ n: key name for object aggregates).
        let mut element = Document::new();
        if distinct
            && order_by
                .iter()
                .any(|o| args.first().is_none_or(|a| strip(&o.expr) != strip(a)))
        {
            return Err(invalid(
                "in an aggregate with DISTINCT, ORDER BY expressions must appear in the argument list",
                e,
            ));
        }
        let key = self.composite_sort_key(cx, order_by)?;
        // $sortArray: the whole key document in one direction, or its fields one by one.
        let sort_by = key.as_ref().map(|k| match k.dir {
            Some(d) => {
                let mut by = Document::new();
                by.insert("k", d);
                by
            }
            None => {
                let mut by = Document::new();
                for (f, d) in &k.fields {
                    by.insert(format!("k.{f}"), *d);
                }
                by
            }
        });
        if let Some(k) = &key {
            element.insert("k", k.expr.clone());
        }
        let object = matches!(name, "json_object_agg" | "jsonb_object_agg");
        let (x, sep) = match name {
            "string_agg" => {
                want(2)?;
                let x = self.agg(cx, args[0])?;
                if !matches!(x.kind, Kind::Text | Kind::Unknown | Kind::Null) {
                    return Err(invalid(
                        "string_agg() needs a text value (cast it with ::TEXT)",
                        args[0],
                    ));
                }
                let sep = self.string_agg_separator(cx, args[1])?;
                if x.nullable {
                    keep.push(not_null(&x.expr));
                }
                (x, Some(sep))
            }
            "json_object_agg" | "jsonb_object_agg" => {
                want(2)?;
                let k = self.agg(cx, args[0])?;
                let name_expr = match k.kind {
                    Kind::Text => k.expr.clone(),
                    Kind::Int | Kind::Number | Kind::Bool => ex::to_string(k.expr.clone()).into(),
                    _ => ex::cond(
                        ex::eq(ex::type_of(k.expr.clone()), "string"),
                        k.expr.clone(),
                        ex::to_string(k.expr.clone()),
                    ),
                };
                element.insert("n", name_expr.clone());
                if name == "jsonb_object_agg" {
                    element.insert("l", ex::str_len_bytes(name_expr));
                }
                (self.agg(cx, args[1])?, None)
            }
            _ => {
                want(1)?;
                (self.agg(cx, args[0])?, None)
            }
        };
        if x.expr.as_document().is_some_and(acc::reads_group_key) {
            return Err(unsupported(
                Refusal::Aggregate,
                "nested aggregate functions",
                e,
            ));
        }
        // an interval is collected as its text (an array or JSON of intervals prints them so)
        let value: Bson = if x.kind == Kind::Interval {
            super::expr::datetime::shown(x.clone())
        } else {
            x.expr.clone().into()
        };
        let value = ex::or_null(value);
        // ORDER BY the aggregated value itself: the values alone are pushed and sorted (no key document
        // per row, the same order: the key is the value).
        let by_value = if object
            || order_by.len() != 1
            || args
                .first()
                .is_none_or(|a| strip(&order_by[0].expr) != strip(a))
        {
            None
        } else {
            key.as_ref()
                .and_then(|k| value_sort(k, &Bson::from(value.clone())))
        };
        let pushed: Bson = if by_value.is_some() {
            value.into()
        } else {
            element.insert("v", value);
            Bson::Document(element)
        };
        let pushed = if keep.is_empty() {
            pushed
        } else {
            ex::cond(and(keep), pushed, ex::remove()).into()
        };
        let a = if distinct {
            acc::add_to_set(pushed)
        } else {
            acc::push(pushed)
        };
        let field = scope.accumulate(&field, a);
        // After $group: order, then unwrap the values.
        let mut items = ex::if_null(ex::field(&field), Bson::Array(Vec::new()));
        // Whether there is any row: the size of the unsorted array (sorting keeps it), so the array is
        // sorted once, not twice.
        let nonempty = ex::gt(ex::size(items.clone()), 0);
        if let Some(sort) = &by_value {
            items = sort.apply(items.into()).into();
        } else if let Some(by) = sort_by {
            items = ex::sort_array(items, by).into();
        }
        if name == "jsonb_object_agg" {
            items = ex::sort_array(items, bson!({"l": 1, "n": 1})).into();
        }
        let result = if object {
            let pairs = ex::map(
                items,
                None,
                bson!({"k": ex::var("this.n"), "v": ex::var("this.v")}),
            );
            Agg::new(
                ex::cond(nonempty, ex::array_to_object(pairs), Bson::Null),
                Kind::Document,
                true,
            )
        } else {
            let values: Bson = if by_value.is_some() {
                items.into()
            } else {
                ex::map(items, None, ex::var("this.v"))
            };
            match sep {
                Some(sep) => {
                    let sep = ex::literal(sep);
                    Agg::new(
                        ex::reduce(
                            values,
                            Bson::Null,
                            ex::cond(
                                ex::eq(ex::value(), Bson::Null),
                                ex::this(),
                                ex::concat(vec![ex::value().into(), sep.into(), ex::this().into()]),
                            ),
                        ),
                        Kind::Text,
                        true,
                    )
                }
                None => Agg::new(ex::cond(nonempty, values, Bson::Null), Kind::Array, true),
            }
        };
        Ok(Some(result))
    }
}

/// How an array of values (not key documents) is put in the order of an ORDER BY on the values themselves.
struct ValueSort {
    /// 1 or -1.
    dir: i32,
    /// PostgreSQL's NULL placement is not MongoDB's for this direction (ASC NULLS LAST, DESC NULLS FIRST):
    /// the NULL elements are moved to the other end.
    move_nulls: bool,
}

/// The [`ValueSort`] of `key` (one ORDER BY item, from `composite_sort_key`) when its sort value is exactly
/// `value`, the pushed value; `None` otherwise (the key documents are pushed).
fn value_sort(key: &SortKeyDoc, value: &Bson) -> Option<ValueSort> {
    let doc = key.expr.as_document()?;
    let dir = key.dir?;
    let move_nulls = match doc.keys().map(String::as_str).collect::<Vec<_>>()[..] {
        ["s0"] => false,
        ["n0", "s0"] => true,
        _ => return None,
    };
    (doc.get("s0") == Some(value)).then_some(ValueSort { dir, move_nulls })
}

impl ValueSort {
    /// `items` (an array expression of values) sorted: `$sortArray` by whole values, the NULLs (which sort
    /// first ascending in MongoDB) moved to the end ascending / the front descending when PostgreSQL wants so.
    fn apply(&self, items: Bson) -> Bson {
        if !self.move_nulls {
            return ex::sort_array(items, self.dir);
        }
        let is_null = |b: bool| -> Bson {
            let test = if b {
                ex::eq(ex::this(), Bson::Null)
            } else {
                ex::ne(ex::this(), Bson::Null)
            };
            ex::filter_array(items.clone(), test)
        };
        let sorted = ex::sort_array(is_null(false), self.dir);
        let nulls = is_null(true);
        if self.dir == 1 {
            ex::concat_arrays(vec![sorted, nulls])
        } else {
            ex::concat_arrays(vec![nulls, sorted])
        }
    }
}
