//! WHERE predicates -> query-language filters (index-friendly) where the meaning is the same as PostgreSQL's,
//! else `$expr` over the TRUE form of the predicate.
//!
//! Rules that keep PG's three-valued logic in the query language (a missing field is NULL):
//! - `f = c` -> `{f: c}` (never matches null/missing); `f <> c` -> `{f: {$nin: [c, null]}}`, because `$ne`
//!   alone also matches null and missing, which PG never returns.
//! - `NOT (f < c)` -> `{f: {$gte: c}}`: comparisons only match values of the same type bracket, never null.
//! - `f NOT IN (a, b)` -> `{f: {$nin: [a, b, null]}}`; with a NULL in the list it is never TRUE.
//! - `f NOT LIKE p` -> `{f: {$type: "string", $not: {$regex: p}}}`.
//!
//! Parameters and documents are compared with `$eq` so a bound value is never read as operators.
//!
//! Deviation (docs/dialect.md): on fields holding arrays the query language matches elements.
//!
//! The filter is built as a typed [`Filter`] (field conditions, `$and` / `$or`, `$expr`), combined and read
//! as one by the callers (WHERE before / after joins, RETURNING's `_id` pin, partial indexes), and rendered
//! once, where it becomes a command field or a `$match` stage.

use super::literal::kind_of;
use super::{Agg, Kind};
use crate::mql::expr as ex;
use crate::mql::expr::Cmp;
use crate::mql::filter::{self, Cond, Filter};
use crate::translate::context::QueryContext;
use crate::translate::{Error, Translator};
use bson::Bson;
use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator, Value};

impl Translator {
    /// A WHERE-style predicate as a query-language filter, falling back to `$expr` where needed.
    pub(crate) fn expr_to_filter(
        &mut self,
        cx: &mut QueryContext,
        e: &Expr,
    ) -> Result<Filter, Error> {
        self.filter(cx, e, false)
    }

    fn filter(&mut self, cx: &mut QueryContext, e: &Expr, negated: bool) -> Result<Filter, Error> {
        if let Some(d) = self.ql(cx, e, negated)? {
            return Ok(d);
        }
        let p = self.pred(cx, e)?;
        let form = if negated { p.f } else { p.t };
        Ok(match form {
            ex::Expr::Bson(Bson::Boolean(true)) => Filter::All,
            other => Filter::Expr(other),
        })
    }

    /// The query-language form, if the meaning is identical; `None` to fall back to `$expr`.
    fn ql(
        &mut self,
        cx: &mut QueryContext,
        e: &Expr,
        negated: bool,
    ) -> Result<Option<Filter>, Error> {
        self.nested(e, |t| t.ql_at(cx, e, negated))
    }

    fn ql_at(
        &mut self,
        cx: &mut QueryContext,
        e: &Expr,
        negated: bool,
    ) -> Result<Option<Filter>, Error> {
        match e {
            Expr::Nested(inner) => self.ql(cx, inner, negated),
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => Ok(Some(self.filter(cx, expr, !negated)?)),
            Expr::BinaryOp {
                left,
                op: op @ (BinaryOperator::And | BinaryOperator::Or),
                right,
            } => {
                // De Morgan under negation: NOT (a AND b) = NOT a OR NOT b (also in 3VL).
                let conj = matches!(op, BinaryOperator::And) != negated;
                let mut parts = Vec::new();
                flatten(left, op, &mut parts);
                flatten(right, op, &mut parts);
                let mut docs = Vec::new();
                for p in parts {
                    docs.push(self.filter(cx, p, negated)?);
                }
                // Folded: a conjunct that matches nothing makes the conjunction match nothing; a disjunct
                // that matches nothing is dropped (`fold.rs`).
                let nothing = Filter::nothing();
                Ok(Some(if conj {
                    if docs.contains(&nothing) {
                        nothing
                    } else {
                        Filter::all_of(docs)
                    }
                } else {
                    docs.retain(|d| *d != nothing);
                    if docs.is_empty() {
                        nothing
                    } else {
                        Filter::any_of(docs)
                    }
                }))
            }
            Expr::BinaryOp { left, op, right } => {
                let (field, c, op) =
                    match (self.typed_field_of(cx, left)?, self.ql_value(cx, right)?) {
                        (Some((f, k)), Some(c)) => {
                            (f, self.ql_resolve(cx, right, c, &k)?, op.clone())
                        }
                        _ => match (self.ql_value(cx, left)?, self.typed_field_of(cx, right)?) {
                            (Some(c), Some((f, k))) => match flip(op) {
                                Some(o) => (f, self.ql_resolve(cx, left, c, &k)?, o),
                                None => return Ok(None),
                            },
                            _ => return Ok(None),
                        },
                    };
                let op = if negated {
                    match negate(&op) {
                        Some(o) => o,
                        None => return Ok(None),
                    }
                } else {
                    op
                };
                let cond = match op {
                    BinaryOperator::Eq => eq_cond(c),
                    BinaryOperator::NotEq => Cond::Nin(vec![c, Bson::Null]),
                    BinaryOperator::Lt => Cond::Cmp(Cmp::Lt, c),
                    BinaryOperator::LtEq => Cond::Cmp(Cmp::Lte, c),
                    BinaryOperator::Gt => Cond::Cmp(Cmp::Gt, c),
                    BinaryOperator::GtEq => Cond::Cmp(Cmp::Gte, c),
                    _ => return Ok(None),
                };
                Ok(Some(Filter::Field(field, cond)))
            }
            Expr::IsNull(x) | Expr::IsNotNull(x) => {
                let Some(f) = self.field_of(cx, x)? else {
                    return Ok(None);
                };
                let want_null = matches!(e, Expr::IsNull(_)) != negated;
                Ok(Some(Filter::Field(
                    f,
                    if want_null {
                        Cond::Value(Bson::Null)
                    } else {
                        Cond::Cmp(Cmp::Ne, Bson::Null)
                    },
                )))
            }
            Expr::InList {
                expr,
                list,
                negated: not_in,
            } => {
                let Some((f, k)) = self.typed_field_of(cx, expr)? else {
                    return Ok(None);
                };
                let mut values = Vec::new();
                let mut has_null = false;
                for item in list {
                    match self.ql_value(cx, item)? {
                        Some(v) => values.push(self.ql_resolve(cx, item, v, &k)?),
                        None => {
                            if matches!(self.agg(cx, item)?.constant, Some(Bson::Null)) {
                                has_null = true;
                            } else {
                                return Ok(None);
                            }
                        }
                    }
                }
                if *not_in != negated {
                    if has_null {
                        return Ok(Some(Filter::nothing()));
                    }
                    values.push(Bson::Null);
                    Ok(Some(Filter::Field(f, Cond::Nin(values))))
                } else {
                    Ok(Some(Filter::Field(f, Cond::In(values))))
                }
            }
            Expr::Between {
                expr,
                negated: not_between,
                low,
                high,
            } => {
                let (Some((f, k)), Some(lo), Some(hi)) = (
                    self.typed_field_of(cx, expr)?,
                    self.ql_value(cx, low)?,
                    self.ql_value(cx, high)?,
                ) else {
                    return Ok(None);
                };
                let lo = self.ql_resolve(cx, low, lo, &k)?;
                let hi = self.ql_resolve(cx, high, hi, &k)?;
                if *not_between != negated {
                    Ok(Some(Filter::Or(vec![
                        Filter::Field(f.clone(), Cond::Cmp(Cmp::Lt, lo)),
                        Filter::Field(f, Cond::Cmp(Cmp::Gt, hi)),
                    ])))
                } else {
                    Ok(Some(Filter::Field(f, Cond::Range(lo, hi))))
                }
            }
            Expr::Like {
                negated: n,
                any: false,
                expr,
                pattern,
                escape_char,
            }
            | Expr::ILike {
                negated: n,
                any: false,
                expr,
                pattern,
                escape_char,
            } => {
                let Some(f) = self.field_of(cx, expr)? else {
                    return Ok(None);
                };
                let Some((re, opts)) = self.like_regex(
                    cx,
                    matches!(e, Expr::ILike { .. }),
                    pattern,
                    escape_char.as_deref(),
                )?
                else {
                    return Ok(None);
                };
                let cond = if *n != negated {
                    filter::string_not_matching(re, opts)
                } else {
                    filter::regex(re, opts)
                };
                Ok(Some(Filter::Field(f, Cond::Ops(cond))))
            }
            Expr::AnyOp {
                left,
                compare_op: BinaryOperator::Eq,
                right,
                ..
            } if !negated => {
                let (Some(c), Some(f)) = (self.ql_value(cx, left)?, self.field_of(cx, right)?)
                else {
                    return Ok(None);
                };
                Ok(Some(Filter::Field(
                    f,
                    Cond::Ops(filter::elem_match(filter::eq(c))),
                )))
            }
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
                let Some(f) = self.field_of(cx, e)? else {
                    return Ok(None);
                };
                Ok(Some(Filter::Field(f, Cond::Value(Bson::Boolean(!negated)))))
            }
            Expr::Value(v) => match v.value {
                Value::Boolean(b) => Ok(Some(if b != negated {
                    Filter::All
                } else {
                    Filter::nothing()
                })),
                Value::Null => Ok(Some(Filter::nothing())),
                _ => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// A plain field path usable in the query language, with what is known of its values.
    fn typed_field_of(
        &mut self,
        cx: &mut QueryContext,
        e: &Expr,
    ) -> Result<Option<(String, Agg)>, Error> {
        let a: Agg = match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => self.agg(cx, e)?,
            Expr::BinaryOp {
                op: BinaryOperator::Arrow | BinaryOperator::LongArrow,
                ..
            } => self.json_path(cx, e)?,
            Expr::Nested(inner) => return self.typed_field_of(cx, inner),
            _ => return Ok(None),
        };
        Ok(ex::field_path_of(&a.expr).map(|p| (p.to_string(), a.clone())))
    }

    /// A query-language operand `c` (from `e`) compared with a field of `field`'s kind: an untyped literal
    /// takes the field's type (`untyped.rs`).
    fn ql_resolve(
        &mut self,
        cx: &mut QueryContext,
        e: &Expr,
        c: Bson,
        field: &Agg,
    ) -> Result<Bson, Error> {
        if field.kind != Kind::Timestamp || !super::untyped::is_untyped_string(e) {
            return Ok(c);
        }
        let v = self.agg(cx, e)?;
        Ok(self.resolve_untyped(cx, e, v, field)?.constant.unwrap_or(c))
    }

    /// A plain field path usable in the query language.
    fn field_of(&mut self, cx: &mut QueryContext, e: &Expr) -> Result<Option<String>, Error> {
        let a: Agg = match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => self.agg(cx, e)?,
            Expr::BinaryOp {
                op: BinaryOperator::Arrow | BinaryOperator::LongArrow,
                ..
            } => self.json_path(cx, e)?,
            Expr::Nested(inner) => return self.field_of(cx, inner),
            _ => return Ok(None),
        };
        Ok(ex::field_path_of(&a.expr).map(str::to_string))
    }

    /// A constant (or a bound parameter) usable as a query-language operand; NULL and `$$NOW` are not.
    fn ql_value(&mut self, cx: &mut QueryContext, e: &Expr) -> Result<Option<Bson>, Error> {
        match e {
            Expr::Value(v) if matches!(v.value, Value::Placeholder(_)) => {
                let n = self.param_number(&v.value, e)?;
                Ok(Some(ex::param(n as i64)))
            }
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => Ok(None),
            _ => {
                if !is_constant_shape(e) {
                    return Ok(None);
                }
                let a = self.agg(cx, e)?;
                Ok(match a.constant {
                    Some(Bson::Null) | None => None,
                    Some(c) if a.interval.is_none() && kind_of(&c) != Kind::Interval => Some(c),
                    _ => None,
                })
            }
        }
    }
}

/// Whether `e` can only be a literal (so translating it has no side effects on parameter numbering).
fn is_constant_shape(e: &Expr) -> bool {
    match e {
        Expr::Value(v) => !matches!(v.value, Value::Placeholder(_)),
        Expr::TypedString(_) => true,
        Expr::Nested(x) => is_constant_shape(x),
        Expr::UnaryOp { expr, .. } => is_constant_shape(expr),
        Expr::Cast { expr, .. } => is_constant_shape(expr),
        Expr::BinaryOp { left, op, right } => {
            matches!(
                op,
                BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply
            ) && is_constant_shape(left)
                && is_constant_shape(right)
        }
        _ => false,
    }
}

/// `{f: c}`, or `{f: {$eq: c}}` when c is a parameter, document or array (never read as operators).
fn eq_cond(c: Bson) -> Cond {
    match c {
        Bson::Document(_) | Bson::Array(_) | Bson::RegularExpression(_) => Cond::Cmp(Cmp::Eq, c),
        other => Cond::Value(other),
    }
}

/// The operands of a chain of `op` in text order, without recursion (a chain can be as long as the depth limit).
pub(crate) fn flatten<'a>(e: &'a Expr, op: &BinaryOperator, out: &mut Vec<&'a Expr>) {
    let mut todo = vec![e];
    while let Some(e) = todo.pop() {
        match e {
            Expr::BinaryOp { left, op: o, right } if o == op => {
                todo.push(right);
                todo.push(left);
            }
            other => out.push(other),
        }
    }
}

fn flip(op: &BinaryOperator) -> Option<BinaryOperator> {
    Some(match op {
        BinaryOperator::Eq => BinaryOperator::Eq,
        BinaryOperator::NotEq => BinaryOperator::NotEq,
        BinaryOperator::Lt => BinaryOperator::Gt,
        BinaryOperator::LtEq => BinaryOperator::GtEq,
        BinaryOperator::Gt => BinaryOperator::Lt,
        BinaryOperator::GtEq => BinaryOperator::LtEq,
        _ => return None,
    })
}

fn negate(op: &BinaryOperator) -> Option<BinaryOperator> {
    Some(match op {
        BinaryOperator::Eq => BinaryOperator::NotEq,
        BinaryOperator::NotEq => BinaryOperator::Eq,
        BinaryOperator::Lt => BinaryOperator::GtEq,
        BinaryOperator::LtEq => BinaryOperator::Gt,
        BinaryOperator::Gt => BinaryOperator::LtEq,
        BinaryOperator::GtEq => BinaryOperator::Lt,
        _ => return None,
    })
}
