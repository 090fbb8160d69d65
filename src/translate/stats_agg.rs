//! Statistical aggregates: STDDEV / STDDEV_SAMP / STDDEV_POP / VARIANCE / VAR_SAMP / VAR_POP, and the
//! ordered-set aggregates PERCENTILE_CONT(f) / PERCENTILE_DISC(f) / MODE() `WITHIN GROUP (ORDER BY x)`.
//!
//! - The standard deviations are `$stdDevSamp` / `$stdDevPop` (NULLs and non-numbers ignored; the sample form
//!   is NULL for fewer than two values, the population form for none, as PostgreSQL's); a variance is the
//!   square of the standard deviation. Results are doubles (PostgreSQL: numeric over integer / numeric input,
//!   equal within double precision; docs/dialect.md, result types).
//! - The ordered-set aggregates `$push` the non-NULL values, sort them after `$group` (`$sortArray`, in the
//!   WITHIN GROUP direction) and pick by index as PostgreSQL's `percentile_*_final` / `mode_final` do:
//!   PERCENTILE_CONT interpolates between the values at `floor(f * (n - 1))` and `ceil(f * (n - 1))` in double
//!   arithmetic (`lo + (hi - lo) * (f * (n - 1) - floor)`); PERCENTILE_DISC is the value at
//!   `max(ceil(f * n), 1) - 1`; MODE is the most frequent value, the first in sort order among ties. All three
//!   are NULL over no values. (MongoDB 7.0's `$percentile` / `$median` only offer the `approximate` method,
//!   which does not interpolate as PostgreSQL does.) The fraction must be a constant between 0 and 1.

use super::aggregate::GroupScope;
use super::expr::{invalid, unsupported, Agg, Kind};
use super::nulls::{and, not_null};
use super::{Error, Translator};
use crate::mql::accumulator::{self as acc, Accumulator};
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{doc, Bson};
use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
};

/// Whether `name` is one of the aggregates of this file.
pub(crate) fn is_statistics_aggregate(name: &str) -> bool {
    is_deviation(name) || is_ordered_set(name)
}

fn is_deviation(name: &str) -> bool {
    matches!(
        name,
        "stddev" | "stddev_samp" | "stddev_pop" | "variance" | "var_samp" | "var_pop"
    )
}

/// The ordered-set aggregates (`WITHIN GROUP (ORDER BY ...)`).
pub(crate) fn is_ordered_set(name: &str) -> bool {
    matches!(name, "percentile_cont" | "percentile_disc" | "mode")
}

/// The accumulator of a standard deviation / variance and whether the result is squared.
pub(crate) fn deviation(name: &str) -> Option<(Accumulator, bool)> {
    Some(match name {
        "stddev" | "stddev_samp" => (Accumulator::StdDevSamp, false),
        "stddev_pop" => (Accumulator::StdDevPop, false),
        "variance" | "var_samp" => (Accumulator::StdDevSamp, true),
        "var_pop" => (Accumulator::StdDevPop, true),
        _ => return None,
    })
}

/// The square of a deviation read after the group (NULL stays NULL).
pub(crate) fn squared(sd: Bson) -> Bson {
    ex::let_in(
        doc! {"sd": sd},
        ex::cond(
            ex::eq(ex::if_null(ex::var("sd"), Bson::Null), Bson::Null),
            Bson::Null,
            ex::multiply(vec![ex::var("sd").into(), ex::var("sd").into()]),
        ),
    )
}

/// Refuses a non-numeric argument as PostgreSQL does (no such function for that type).
fn numeric_argument(f: &Function, x: &Agg, e: &Expr) -> Result<(), Error> {
    if matches!(
        x.kind,
        Kind::Int | Kind::Number | Kind::Unknown | Kind::Null
    ) {
        return Ok(());
    }
    Err(invalid(
        format!(
            "function {}() does not exist for a non-numeric argument",
            f.name
        ),
        e,
    ))
}

impl Translator {
    /// A statistical aggregate (see the module doc): registers its accumulator in `scope` and returns the
    /// post-group expression; `None` when `name` is not one of them.
    pub(crate) fn statistics_aggregate(
        &mut self,
        cx: &mut QueryContext,
        name: &str,
        f: &Function,
        e: &Expr,
        scope: &mut GroupScope,
    ) -> Result<Option<Agg>, Error> {
        if !is_statistics_aggregate(name) {
            return Ok(None);
        }
        let FunctionArguments::List(list) = &f.args else {
            if name == "mode" && matches!(f.args, FunctionArguments::None) {
                return self.ordered_set(cx, name, f, e, None, scope).map(Some);
            }
            return Err(invalid(format!("{}() needs arguments", f.name), e));
        };
        if !list.clauses.is_empty() {
            return Err(unsupported(
                Refusal::Aggregate,
                format!("clauses inside {}()", f.name),
                e,
            ));
        }
        if matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)) {
            return Err(unsupported(
                Refusal::Aggregate,
                format!(
                    "DISTINCT inside {}() (MongoDB has no standard deviation over an array; use a derived table of the distinct values)",
                    f.name
                ),
                e,
            ));
        }
        let mut args = Vec::new();
        for a in &list.args {
            match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => args.push(x),
                _ => return Err(invalid(format!("argument {a} of {}()", f.name), e)),
            }
        }
        if is_ordered_set(name) {
            let fraction = match (name, args.as_slice()) {
                ("mode", []) => None,
                ("mode", _) => return Err(invalid("mode() takes no arguments", e)),
                (_, [x]) => Some(*x),
                _ => {
                    return Err(invalid(
                        format!("{}() takes exactly one argument", f.name),
                        e,
                    ))
                }
            };
            return self.ordered_set(cx, name, f, e, fraction, scope).map(Some);
        }
        if !f.within_group.is_empty() {
            return Err(invalid(
                format!(
                    "{}() is not an ordered-set aggregate, so it cannot have WITHIN GROUP",
                    f.name
                ),
                e,
            ));
        }
        let [arg] = args.as_slice() else {
            return Err(invalid(
                format!("{}() takes exactly one argument", f.name),
                e,
            ));
        };
        let Some((accumulator, square)) = deviation(name) else {
            return Ok(None);
        };
        let filter = match &f.filter {
            Some(p) => Some(self.pred(cx, p)?.t),
            None => None,
        };
        let x = self.agg(cx, arg)?;
        numeric_argument(f, &x, e)?;
        if x.expr.as_document().is_some_and(acc::reads_group_key) {
            return Err(unsupported(
                Refusal::Aggregate,
                "nested aggregate functions",
                e,
            ));
        }
        let value = match filter {
            Some(ft) => ex::cond(ft, x.expr, Bson::Null),
            None => x.expr,
        };
        let field = format!("a{}", scope.accumulators.len());
        let field = scope.accumulate(&field, accumulator.of(value));
        let sd = ex::or_null(ex::field(&field));
        Ok(Some(Agg::new(
            if square {
                squared(sd.into())
            } else {
                sd.into()
            },
            Kind::Number,
            true,
        )))
    }

    /// PERCENTILE_CONT / PERCENTILE_DISC / MODE `WITHIN GROUP (ORDER BY x)`.
    fn ordered_set(
        &mut self,
        cx: &mut QueryContext,
        name: &str,
        f: &Function,
        e: &Expr,
        fraction: Option<&Expr>,
        scope: &mut GroupScope,
    ) -> Result<Agg, Error> {
        let [order] = f.within_group.as_slice() else {
            return Err(invalid(
                format!("{}() needs WITHIN GROUP (ORDER BY one expression)", f.name),
                e,
            ));
        };
        // NULLs are not aggregated, so NULLS FIRST / LAST changes nothing (accepted, as PostgreSQL does).
        let (desc, _) = super::query::direction(&order.options, &order.expr)?;
        let f_value = match fraction {
            None => None,
            Some(p) => Some(self.fraction(cx, p)?),
        };
        let filter = match &f.filter {
            Some(p) => Some(self.pred(cx, p)?.t),
            None => None,
        };
        let x = self.agg(cx, &order.expr)?;
        if name == "percentile_cont" {
            numeric_argument(f, &x, e)?;
        }
        if x.expr.as_document().is_some_and(acc::reads_group_key) {
            return Err(unsupported(
                Refusal::Aggregate,
                "nested aggregate functions",
                e,
            ));
        }
        let mut keep = Vec::new();
        if let Some(ft) = filter {
            keep.push(ft);
        }
        keep.push(not_null(&x.expr));
        let field = format!("a{}", scope.accumulators.len());
        let value = if name == "percentile_cont" {
            ex::to_double(x.expr.clone())
        } else {
            x.expr.clone().into()
        };
        let field = scope.accumulate(&field, acc::push(ex::cond(and(keep), value, ex::remove())));
        let sorted = ex::sort_array(
            ex::if_null(ex::field(&field), Bson::Array(Vec::new())),
            Bson::Int32(if desc { -1 } else { 1 }),
        );
        let n = ex::size(ex::var("s"));
        let at = |i: Bson| ex::array_elem_at(ex::var("s"), i);
        let body = match (name, f_value) {
            ("percentile_cont", Some(p)) => {
                // pos = f * (n - 1); lo + (hi - lo) * (pos - floor(pos))
                let pos = ex::multiply(vec![Bson::Double(p), ex::subtract(n.clone(), 1)]);
                ex::let_in(
                    doc! {"pos": pos},
                    ex::let_in(
                        doc! {
                            "lo": at(ex::to_long(ex::floor(ex::var("pos")))),
                            "hi": at(ex::to_long(ex::ceil(ex::var("pos")))),
                        },
                        ex::add(vec![
                            ex::var("lo").into(),
                            ex::multiply(vec![
                                ex::subtract(ex::var("hi"), ex::var("lo")),
                                ex::subtract(ex::var("pos"), ex::floor(ex::var("pos"))),
                            ]),
                        ]),
                    ),
                )
            }
            ("percentile_disc", Some(p)) => {
                let row = ex::ceil(ex::multiply(vec![Bson::Double(p), n.clone()]));
                at(ex::to_long(ex::subtract(
                    ex::max(vec![row, Bson::Int32(1)]),
                    1,
                )))
            }
            _ => {
                // mode_final: runs of equal values in sort order; a longer run replaces the best.
                let run = ex::cond(
                    and(vec![
                        ex::gt(ex::var("value.cc"), 0),
                        ex::eq(ex::this(), ex::var("value.c")),
                    ]),
                    ex::add(vec![ex::var("value.cc").into(), Bson::Int32(1)]),
                    Bson::Int32(1),
                );
                let better = ex::gt(ex::var("cc"), ex::var("value.bc"));
                let step = ex::let_in(
                    doc! {"cc": run},
                    doc! {
                        "b": ex::cond(better.clone(), ex::this(), ex::var("value.b")),
                        "bc": ex::cond(better, ex::var("cc"), ex::var("value.bc")),
                        "c": ex::this(),
                        "cc": ex::var("cc"),
                    },
                );
                let folded = ex::reduce(
                    ex::var("s"),
                    doc! {"b": Bson::Null, "bc": 0, "c": Bson::Null, "cc": 0},
                    step,
                );
                ex::let_in(doc! {"r": folded}, ex::var("r.b"))
            }
        };
        let result = ex::let_in(doc! {"s": sorted}, ex::cond(ex::eq(n, 0), Bson::Null, body));
        let kind = if name == "percentile_cont" {
            Kind::Number
        } else {
            x.kind
        };
        Ok(Agg::new(result, kind, true))
    }

    /// The fraction of PERCENTILE_CONT / PERCENTILE_DISC: a numeric constant in [0, 1] (PostgreSQL's error
    /// otherwise); a computed fraction or an array of fractions is refused.
    fn fraction(&mut self, cx: &mut QueryContext, p: &Expr) -> Result<f64, Error> {
        let a = self.agg(cx, p)?;
        let v = match &a.constant {
            Some(Bson::Int32(i)) => f64::from(*i),
            Some(Bson::Int64(i)) => *i as f64,
            Some(Bson::Double(d)) => *d,
            Some(Bson::Decimal128(d)) => d.to_string().parse::<f64>().unwrap_or(f64::NAN),
            _ => {
                return Err(unsupported(
                    Refusal::Aggregate,
                    "a percentile fraction other than a numeric constant (an array of fractions or a computed one)",
                    p,
                ))
            }
        };
        if !(0.0..=1.0).contains(&v) {
            return Err(invalid(
                format!("percentile value {v} is not between 0 and 1"),
                p,
            ));
        }
        Ok(v)
    }
}
