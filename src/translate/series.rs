//! `generate_series(start, stop [, step])` as an array expression (the SELECT-list expansion in srf.rs and
//! the FROM item in table_fn.rs unwind it): integers, numerics (computed in decimal128, exact as
//! PostgreSQL's numeric), and timestamps with a fixed-length interval step. PostgreSQL's rules: an empty
//! series when the step points away from stop, none for a NULL argument, "step size cannot equal zero".
//!
//! The series is `$map` over `$range(0, n)` with `n = max(0, floor((stop - start) / step) + 1)`, element `i`
//! being `start + i * step`. Bounded: a series of constants longer than [`MAX_SERIES`] is refused at
//! translation; one computed at run time is bounded by the server's `$range` limit (mongod's
//! `internalQueryMaxRangeBytes`, error 146 / 5765700 past it).

use super::expr::datetime::IntervalParts;
use super::expr::interval::Iv;
use super::expr::{invalid, unsupported, Agg, Kind};
use super::nulls::{is_null, or};
use super::{Error, Translator};
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{doc, Bson};
use sqlparser::ast::Expr;

/// The longest series of constant arguments translated.
pub(crate) const MAX_SERIES: i64 = 1_000_000;

fn number(b: &Bson) -> Option<f64> {
    match b {
        Bson::Int32(i) => Some(f64::from(*i)),
        Bson::Int64(i) => Some(*i as f64),
        Bson::Double(d) => Some(*d),
        Bson::Decimal128(d) => d.to_string().parse().ok(),
        _ => None,
    }
}

impl Translator {
    /// The array of `generate_series(args)`.
    pub(crate) fn series_array(
        &mut self,
        cx: &mut QueryContext,
        args: &[&Expr],
        e: &Expr,
    ) -> Result<Agg, Error> {
        let (start, stop, step) = match args {
            [a, b] => (self.agg(cx, a)?, self.agg(cx, b)?, None),
            [a, b, c] => (self.agg(cx, a)?, self.agg(cx, b)?, Some(self.agg(cx, c)?)),
            _ => return Err(invalid("generate_series() takes 2 or 3 arguments", e)),
        };
        let timestamps = start.kind == Kind::Timestamp || stop.kind == Kind::Timestamp;
        let (step_expr, step_const) = match (&step, timestamps) {
            (Some(s), true) => {
                let Some(parts) = &s.interval else {
                    return Err(invalid(
                        "generate_series of timestamps takes an interval step",
                        e,
                    ));
                };
                let Some(ms) = interval_millis(parts) else {
                    return Err(unsupported(
                        Refusal::Function,
                        "generate_series with a month or year step (months have no fixed length)",
                        e,
                    ));
                };
                (Bson::Int64(ms), Some(ms as f64))
            }
            (None, true) => {
                return Err(invalid(
                    "generate_series of timestamps takes an interval step",
                    e,
                ))
            }
            (Some(s), false) => (s.expr.clone().into(), s.constant.as_ref().and_then(number)),
            (None, false) => (Bson::Int32(1), Some(1.0)),
        };
        if step_const == Some(0.0) {
            return Err(invalid("step size cannot equal zero", e));
        }
        let all_int = !timestamps
            && [Some(&start), Some(&stop), step.as_ref()]
                .into_iter()
                .flatten()
                .all(|a| a.kind == Kind::Int);
        // Constant arguments: the length is known now, and bounded.
        if let (Some(a), Some(b), Some(s)) = (
            start.constant.as_ref().and_then(number),
            stop.constant.as_ref().and_then(number),
            step_const,
        ) {
            if !timestamps {
                let n = ((b - a) / s).floor() + 1.0;
                if n > MAX_SERIES as f64 {
                    return Err(unsupported(
                        Refusal::Function,
                        format!("generate_series of more than {MAX_SERIES} values"),
                        e,
                    ));
                }
            }
        }
        if let (Some(Bson::DateTime(a)), Some(Bson::DateTime(b)), Some(s)) =
            (&start.constant, &stop.constant, step_const)
        {
            let n = ((b.timestamp_millis() - a.timestamp_millis()) as f64 / s).floor() + 1.0;
            if n > MAX_SERIES as f64 {
                return Err(unsupported(
                    Refusal::Function,
                    format!("generate_series of more than {MAX_SERIES} values"),
                    e,
                ));
            }
        }
        let conv = |x: Bson| {
            if all_int || timestamps {
                x
            } else {
                ex::to_decimal(x)
            }
        };
        let (s, t, st) = (ex::var("gs_a"), ex::var("gs_b"), ex::var("gs_s"));
        let count = ex::max(vec![
            Bson::Int32(0),
            ex::add(vec![
                ex::floor(ex::divide(ex::subtract(t.clone(), s.clone()), st.clone())),
                Bson::Int32(1),
            ]),
        ]);
        // $range takes integers: `$divide` gives a double (a decimal for numerics).
        let count = ex::to_long(count);
        let element = ex::add(vec![
            s.clone().into(),
            ex::multiply(vec![ex::var("this").into(), st.clone().into()]),
        ]);
        let series = ex::map(ex::range(0, count), None, element);
        let body = ex::cond(
            or(vec![is_null(&s), is_null(&t), is_null(&st)]),
            Bson::Array(Vec::new()),
            series,
        );
        let expr = ex::let_in(
            doc! {"gs_a": conv(start.expr.into()), "gs_b": conv(stop.expr.into()), "gs_s": conv(step_expr)},
            body,
        );
        Ok(Agg::new(expr, Kind::Array, false))
    }
}

/// The fixed length in milliseconds of an interval step without months (days counted as 24 hours, as in UTC);
/// `None` for a month / year step or a fraction of a millisecond.
fn interval_millis(parts: &IntervalParts) -> Option<i64> {
    let iv = Iv::from_parts(parts)?;
    if iv.months != 0 || iv.micros % 1000 != 0 {
        return None;
    }
    i64::from(iv.days)
        .checked_mul(86_400_000)?
        .checked_add(iv.micros / 1000)
}
