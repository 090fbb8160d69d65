//! `x op ANY (array)` / `x op ALL (array)` for every comparison operator, over `ARRAY[...]`, array
//! literals (`'{1,2}'::int[]`, or `'{a,b}'` typed by the other operand), array columns and expressions,
//! with PostgreSQL's NULL rules: ANY is TRUE when some element compares TRUE, FALSE when every element
//! compares FALSE (an empty array: FALSE, even for a NULL x), else NULL; ALL is the dual (an empty array:
//! TRUE). A NULL array gives NULL. Subqueries are `subquery.rs`'s.
//!
//! `= ANY` is `$in` (and `<> ALL` its negation); the other forms read of the array only `$min` / `$max` of
//! its elements, whether one is NULL and whether it is empty (`Extremes`), never a `$map` over it.

use super::array_literal::parse_array_literal;
use super::literal::constant;
use super::{invalid, unsupported, Agg, Kind};
use crate::mql::expr::{self as ex, Cmp};
use crate::mql::Expr as MqlExpr;
use crate::translate::context::QueryContext;
use crate::translate::nulls::{and, not_null, or, Pred};
use crate::translate::Refusal;
use crate::translate::{Error, Translator};
use bson::Bson;
use sqlparser::ast::{
    BinaryOperator, DataType, ExactNumberInfo, Expr, TimezoneInfo, Value, ValueWithSpan,
};

/// A string literal (through parentheses).
fn text_literal(e: &Expr) -> Option<&str> {
    match e {
        Expr::Nested(x) => text_literal(x),
        Expr::Value(ValueWithSpan {
            value: Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s),
            ..
        }) => Some(s),
        _ => None,
    }
}

/// The element type PostgreSQL gives an untyped array literal compared with a value of `kind`.
fn element_type(kind: Kind) -> Option<DataType> {
    Some(match kind {
        Kind::Int => DataType::BigInt(None),
        Kind::Number => DataType::Numeric(ExactNumberInfo::None),
        Kind::Text => DataType::Text,
        Kind::Bool => DataType::Boolean,
        Kind::Timestamp => DataType::Timestamp(None, TimezoneInfo::WithTimeZone),
        _ => return None,
    })
}

impl Translator {
    /// `'{a,b,NULL}'` read as an array of `elem_ty`: a constant array.
    pub(crate) fn array_literal_as(
        &mut self,
        text: &str,
        elem_ty: &DataType,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let items = parse_array_literal(text).map_err(|m| invalid(m, e))?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(match item {
                None => Bson::Null,
                Some(s) => {
                    let a = self.cast_constant(Bson::String(s), elem_ty, e)?;
                    a.constant
                        .ok_or_else(|| Error::Internal("array element cast not folded".into()))?
                }
            });
        }
        let mut a = constant(Bson::Array(out));
        a.kind = Kind::Array;
        Ok(a)
    }

    /// The array operand of ANY / ALL: an untyped array literal takes the element type of `x`.
    fn quantified_operand(
        &mut self,
        cx: &mut QueryContext,
        x: &Agg,
        right: &Expr,
    ) -> Result<Agg, Error> {
        if let Some(text) = text_literal(right) {
            let Some(ty) = element_type(x.kind) else {
                return Err(unsupported(
                    Refusal::Operator,
                    "ANY / ALL of an untyped array literal compared with a value of unknown type \
                     (give the literal its type: '{...}'::int[], or write ARRAY[...])",
                    right,
                ));
            };
            return self.array_literal_as(text, &ty, right);
        }
        let a = self.agg(cx, right)?;
        if matches!(
            a.kind,
            Kind::Int | Kind::Number | Kind::Text | Kind::Bool | Kind::Timestamp | Kind::Interval
        ) {
            return Err(invalid(
                "op ANY/ALL (array) requires array on right side",
                right,
            ));
        }
        Ok(a)
    }

    /// `x op ANY (array)` (`all: false`) or `x op ALL (array)`.
    pub(crate) fn quantified_array(
        &mut self,
        cx: &mut QueryContext,
        left: &Expr,
        op: &BinaryOperator,
        right: &Expr,
        all: bool,
        e: &Expr,
    ) -> Result<Pred, Error> {
        let Some(pos) = super::comparison(op) else {
            return Err(unsupported(
                Refusal::Operator,
                format!("{op} ANY/ALL (array)"),
                e,
            ));
        };
        let x = self.agg(cx, left)?;
        let arr = self.quantified_operand(cx, &x, right)?;
        let is_arr: MqlExpr = ex::is_array(arr.expr.clone()).into();
        let x_guard: MqlExpr = if x.nullable {
            not_null(&x.expr)
        } else {
            Bson::Boolean(true).into()
        };
        // An empty array (`$size` of the operand as one argument: a constant array is not an argument list).
        let empty = || ex::eq(ex::size(Bson::Array(vec![arr.expr.clone().into()])), 0);
        // No element is NULL.
        let no_nulls = || ex::not(ex::in_array(Bson::Null, arr.expr.clone()));
        if (pos == Cmp::Eq && !all) || (pos == Cmp::Ne && all) {
            // `= ANY`: `$in` decides TRUE; FALSE needs a non-NULL x absent from an array without NULLs
            // (or an empty array). `<> ALL` is its negation.
            let inn: MqlExpr = ex::in_array(x.expr.clone(), arr.expr.clone()).into();
            let t = and(vec![is_arr.clone(), x_guard.clone(), inn.clone()]);
            let f = and(vec![
                is_arr,
                or(vec![empty(), and(vec![x_guard, ex::not(inn), no_nulls()])]),
            ]);
            let eq_any = Pred::new(t, f);
            return Ok(if all { eq_any.not() } else { eq_any });
        }
        // The other forms need of the elements only their least and greatest non-NULL values (`$min` /
        // `$max` of the array skip NULLs and order values as the comparison operators do: BSON order, the
        // collation), whether one is NULL and whether there is one (see `Extremes`).
        let m = Extremes {
            x: x.expr.clone(),
            lo: ex::min(vec![arr.expr.clone().into()]).into(),
            hi: ex::max(vec![arr.expr.clone().into()]).into(),
        };
        let neg = pos.negated();
        let definite =
            |holds: MqlExpr| or(vec![empty(), and(vec![x_guard.clone(), no_nulls(), holds])]);
        let (t, f) = if all {
            (
                definite(m.all_hold(pos)),
                and(vec![x_guard.clone(), m.some_holds(neg)]),
            )
        } else {
            (
                and(vec![x_guard.clone(), m.some_holds(pos)]),
                definite(m.all_hold(neg)),
            )
        };
        Ok(Pred::new(
            and(vec![is_arr.clone(), t]),
            and(vec![is_arr, f]),
        ))
    }
}

/// The least and greatest non-NULL elements of an array (`lo`, `hi`: NULL when there is none) and x: what
/// `x op ANY / ALL (array)` decides by when x is not NULL. Over a total order, `x > e` for some element
/// exactly when `x > lo`, for every one exactly when `x > hi`; `x <> e` for some exactly when
/// `x <> lo OR x <> hi`; `x = e` for every one exactly when `x = lo AND x = hi`.
struct Extremes {
    x: MqlExpr,
    lo: MqlExpr,
    hi: MqlExpr,
}

impl Extremes {
    /// For x not NULL: `x c e` for some non-NULL element e.
    fn some_holds(&self, c: Cmp) -> MqlExpr {
        crate::translate::any_all::some_holds(c, self.x.clone(), self.lo.clone(), self.hi.clone())
    }

    /// For x not NULL: `x c e` for every non-NULL element e, or there is none (`c` is not `<>`).
    fn all_hold(&self, c: Cmp) -> MqlExpr {
        crate::translate::any_all::all_hold(c, self.x.clone(), self.lo.clone(), self.hi.clone())
    }
}
