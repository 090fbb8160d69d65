//! `x op ANY (array)` / `x op ALL (array)` for every comparison operator, over `ARRAY[...]`, array
//! literals (`'{1,2}'::int[]`, or `'{a,b}'` typed by the other operand), array columns and expressions,
//! with PostgreSQL's NULL rules: ANY is TRUE when some element compares TRUE, FALSE when every element
//! compares FALSE (an empty array: FALSE, even for a NULL x), else NULL; ALL is the dual (an empty array:
//! TRUE). A NULL array gives NULL. Subqueries are `subquery.rs`'s.

use super::array_literal::parse_array_literal;
use super::literal::constant;
use super::{invalid, unsupported, Agg, Kind};
use crate::mql::expr::{self as ex, Cmp};
use crate::translate::context::QueryContext;
use crate::translate::nulls::{and, not_null, or, Pred};
use crate::translate::Refusal;
use crate::translate::{Error, Translator};
use bson::{doc, Bson};
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
        let is_arr = ex::is_array(arr.expr.clone());
        if pos == Cmp::Eq && !all {
            // `= ANY`: `$in` decides TRUE; FALSE needs a non-NULL x absent from an array without NULLs
            // (or an empty array).
            let inn = ex::in_array(x.expr.clone(), arr.expr.clone());
            let x_guard = if x.nullable {
                not_null(&x.expr)
            } else {
                Bson::Boolean(true).into()
            };
            let t = and(vec![is_arr.clone(), x_guard.clone().into(), inn.clone()]);
            let f = and(vec![
                is_arr,
                or(vec![
                    ex::eq(ex::size(Bson::Array(vec![arr.expr.clone().into()])), 0),
                    and(vec![
                        x_guard,
                        ex::not(inn),
                        ex::not(ex::in_array(Bson::Null, arr.expr.clone())),
                    ]),
                ])
                .into(),
            ]);
            return Ok(Pred::new(t, f));
        }
        // Per element `$$qe` against `$$qx`: TRUE / FALSE forms, both false when either is NULL.
        let holds = |c: Cmp| {
            and(vec![
                not_null(&ex::var("qx")),
                not_null(&ex::var("qe")),
                ex::cmp(c, ex::var("qx"), ex::var("qe")),
            ])
        };
        let each = |cond: Bson| ex::map(arr.expr.clone(), Some("qe"), cond);
        let some = |c: Cmp| ex::any_element_true(each(holds(c).into()));
        let every = |c: Cmp| ex::all_elements_true(each(holds(c).into()));
        // $allElementsTrue of an empty array is true: an empty array makes ANY FALSE and ALL TRUE.
        let (t, f) = if all {
            (every(pos), some(pos.negated()))
        } else {
            (some(pos), every(pos.negated()))
        };
        let bind = |body: Bson| ex::let_in(doc! {"qx": x.expr.clone()}, body);
        Ok(Pred::new(
            and(vec![is_arr.clone(), bind(t)]),
            and(vec![is_arr, bind(f)]),
        ))
    }
}
