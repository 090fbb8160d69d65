//! An interval's SUM and AVG as `$group` accumulators: PostgreSQL adds intervals field by field
//! (`interval_pl`: no carry between months, days and time) and AVG divides that sum by the count
//! (`interval_div`); NULL over no value. Three `$sum`s (months, days, micros) and a count, read back as
//! one interval after the group.
//!
//! A computed argument is computed once per row before the `$group` (`GroupScope::computed`), and a
//! FILTER of it is applied there too: the value is NULL where the row is filtered out, which every
//! accumulator skips (the FILTER tested once per row, not once per accumulator).

use super::aggregate::GroupScope;
use super::nulls::{and, not_null};
use crate::mql::accumulator as acc;
use crate::mql::expr as ex;
use bson::Bson;

/// Registers in `scope` the accumulators (named from `field`) of the SUM (AVG with `avg`) of interval `x`
/// under `filter`, and returns the expression that reads the result after the `$group`. With `fold`, a
/// FILTER of a computed `x` is applied where `x` is computed (`{$cond: [filter, x, null]}`); without it
/// (the plan it is held equal to), by each accumulator.
pub(crate) fn sum_or_avg(
    scope: &mut GroupScope,
    field: &str,
    x: ex::Expr,
    filter: Option<ex::Expr>,
    avg: bool,
    fold: bool,
) -> ex::Expr {
    let (arg, filter) = match filter {
        Some(ft) if fold && !matches!(x, ex::Expr::Field(_) | ex::Expr::Literal(_)) => {
            (scope.computed(ex::cond(ft, x, Bson::Null)), None)
        }
        filter => (scope.computed(x), filter),
    };
    let mut keep = vec![not_null(&ex::var("v"))];
    keep.extend(filter.clone());
    let keep = and(keep);
    let summed = |part: Option<&str>| {
        // A field of a value in a field is read by its path: `$sum` skips the missing field of a NULL,
        // where the general form adds 0 (the same sum), and no copy of the whole value is bound per
        // accumulator.
        if let (ex::Expr::Field(path), Some(p)) = (&arg, part) {
            let read = ex::field(&format!("{path}.{p}"));
            return acc::sum(match &filter {
                Some(ft) => Bson::from(ex::cond(ft.clone(), read, 0)),
                None => Bson::from(read),
            });
        }
        let value: Bson = match part {
            Some(p) => ex::var(&format!("v.{p}")).into(),
            None => Bson::Int32(1),
        };
        acc::sum(ex::let_in(
            bson::doc! {"v": arg.clone()},
            ex::cond(keep.clone(), value, 0),
        ))
    };
    let fields: Vec<String> = ["months", "days", "micros"]
        .iter()
        .map(|p| scope.accumulate(&format!("{field}{p}"), summed(Some(p))))
        .collect();
    let nfield = scope.accumulate(&format!("{field}n"), summed(None));
    let sum = super::expr::interval::make(
        ex::field(&fields[0]).into(),
        ex::field(&fields[1]).into(),
        ex::field(&fields[2]).into(),
    );
    let value = if avg {
        super::expr::interval::scale(
            sum,
            ex::field(&nfield).into(),
            true,
            super::expr::interval::Known::ANY,
        )
    } else {
        sum
    };
    ex::cond(
        ex::gt(ex::if_null(ex::field(&nfield), 0), 0),
        value,
        Bson::Null,
    )
}
