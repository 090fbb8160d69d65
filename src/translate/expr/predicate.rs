//! SQL predicates -> the TRUE / FALSE aggregation forms of `nulls::Pred` (for `$expr`, CASE, HAVING).

use super::{invalid, unsupported, Agg, Kind};
use crate::mql::expr::{self as ex, Cmp};
use crate::translate::context::QueryContext;
use crate::translate::like::{
    like_regex_expr, like_regex_expr_of_parts, like_to_regex, similar_regex_expr, similar_to_regex,
};
use crate::translate::nulls::{and, is_null, not_null, or, pred_and, pred_or, Pred};
use crate::translate::Refusal;
use crate::translate::{Error, Translator};
use bson::Bson;
use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator, Value};

/// The comparison of a SQL comparison operator (`=`, `<>`, `<`, `<=`, `>`, `>=`).
pub(crate) fn comparison(op: &BinaryOperator) -> Option<Cmp> {
    Some(match op {
        BinaryOperator::Eq => Cmp::Eq,
        BinaryOperator::NotEq => Cmp::Ne,
        BinaryOperator::Lt => Cmp::Lt,
        BinaryOperator::LtEq => Cmp::Lte,
        BinaryOperator::Gt => Cmp::Gt,
        BinaryOperator::GtEq => Cmp::Gte,
        _ => return None,
    })
}

fn guards(parts: &[&Agg]) -> Vec<ex::Expr> {
    parts
        .iter()
        .filter(|a| a.nullable)
        .map(|a| not_null(&a.expr))
        .collect()
}

/// `a pos b` of two comparable operands with NULL guards: neither form holds when either side is NULL.
fn compared(pos: Cmp, a: Agg, b: Agg) -> Pred {
    // NULL and missing sort below every value, so `a > c` / `a >= c` with a non-NULL c is already false
    // for a NULL a (and symmetrically for `<`), and `$eq` of a NULL (or missing) a and a non-NULL c is
    // false: those guards are dropped, keeping the predicate index-usable and shorter to evaluate.
    let mut g = Vec::new();
    let a_guard = a.nullable && (b.nullable || !matches!(pos, Cmp::Gt | Cmp::Gte | Cmp::Eq));
    let b_guard = b.nullable && (a.nullable || !matches!(pos, Cmp::Lt | Cmp::Lte | Cmp::Eq));
    if a_guard {
        g.push(not_null(&a.expr));
    }
    if b_guard {
        g.push(not_null(&b.expr));
    }
    let mut t = g;
    t.push(ex::cmp(pos, a.expr.clone(), b.expr.clone()));
    // The FALSE form keeps both guards: NOT (a > c) must not hold for a NULL a.
    let mut f = guards(&[&a, &b]);
    f.push(ex::cmp(pos.negated(), a.expr.clone(), b.expr.clone()));
    if computed(&a.expr) || computed(&b.expr) {
        // As a value, `t ? true : f ? false : null` computes a computed operand up to three times (an
        // interval product is ~100 operators): bind the operands once instead. Same value: with both
        // non-null exactly one of `pos` and its negation holds; with a NULL one, neither form holds.
        let (value, negated) = bound_comparison(pos, &a, &b);
        return Pred::with_values(and(t), and(f), value, negated);
    }
    Pred::new(and(t), and(f))
}

/// Whether evaluating `x` costs more than reading it: anything but a field path or a constant.
fn computed(x: &ex::Expr) -> bool {
    !matches!(x, ex::Expr::Field(_) | ex::Expr::Literal(_)) && x.as_plain_value().is_none()
}

/// The SQL value of `a pos b` and of its negation, each reading the operands once:
/// `{$let: {vars: {l: a, r: b}, in: {$cond: [<l or r NULL>, null, {pos: ["$$l", "$$r"]}]}}}` (only the
/// nullable operands checked; a constant or field operand is read in place).
fn bound_comparison(pos: Cmp, a: &Agg, b: &Agg) -> (ex::Expr, ex::Expr) {
    let mut vars = bson::Document::new();
    let mut side = |name: &str, x: &Agg| -> ex::Expr {
        if computed(&x.expr) {
            vars.insert(name, Bson::from(x.expr.clone()));
            ex::var(name)
        } else {
            x.expr.clone()
        }
    };
    let (l, r) = (side("l", a), side("r", b));
    let nulls: Vec<ex::Expr> = [(a.nullable, &l), (b.nullable, &r)]
        .into_iter()
        .filter(|(nullable, _)| *nullable)
        .map(|(_, x)| is_null(x))
        .collect();
    let value = |c: Cmp| -> ex::Expr {
        let test = ex::cmp(c, l.clone(), r.clone());
        let body = if nulls.is_empty() {
            test
        } else {
            ex::cond(or(nulls.clone()), Bson::Null, test)
        };
        ex::Expr::Bson(ex::let_in(vars.clone(), body))
    };
    (value(pos), value(pos.negated()))
}

fn is_string(x: &ex::Expr) -> ex::Expr {
    ex::eq(ex::type_of(x.clone()), "string")
}

fn is_array(x: &ex::Expr) -> Bson {
    ex::is_array(x.clone())
}

impl Translator {
    /// A SQL predicate as its TRUE / FALSE aggregation forms.
    pub(crate) fn pred(&mut self, cx: &mut QueryContext, e: &Expr) -> Result<Pred, Error> {
        self.nested(e, |t| t.pred_at(cx, e))
    }

    fn pred_at(&mut self, cx: &mut QueryContext, e: &Expr) -> Result<Pred, Error> {
        match e {
            Expr::Nested(inner) => self.pred(cx, inner),
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => Ok(self.pred(cx, expr)?.not()),
            Expr::BinaryOp {
                op: op @ (BinaryOperator::And | BinaryOperator::Or),
                ..
            } => {
                // The chain's operands in order, translated one level down (a chain can be as long as the
                // depth limit; AND / OR results are flat `$and` / `$or`).
                let and = matches!(op, BinaryOperator::And);
                let mut parts = Vec::new();
                super::filter::flatten(e, op, &mut parts);
                let mut out: Option<Pred> = None;
                for part in parts {
                    let p = self.pred(cx, part)?;
                    out = Some(match out {
                        None => p,
                        Some(acc) if and => pred_and(acc, p),
                        Some(acc) => pred_or(acc, p),
                    });
                }
                out.ok_or_else(|| Error::Internal("empty AND / OR chain".into()))
            }
            Expr::BinaryOp { left, op, right } if comparison(op).is_some() => {
                self.comparison(cx, left, op, right)
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::PGOverlap,
                right,
            } => {
                let a = self.agg(cx, left)?;
                let b = self.agg(cx, right)?;
                let arrays = vec![is_array(&a.expr), is_array(&b.expr)];
                let n = ex::size(ex::set_intersection(vec![a.expr.into(), b.expr.into()]));
                let mut t = arrays.clone();
                t.push(ex::gt(n.clone(), 0).into());
                let mut f = arrays.clone();
                f.push(ex::eq(n.clone(), 0).into());
                // The value forms compute the intersection once.
                let both = and(arrays);
                Ok(Pred::with_values(
                    and(t),
                    and(f),
                    ex::cond(both.clone(), ex::gt(n.clone(), 0), Bson::Null),
                    ex::cond(both, ex::eq(n, 0), Bson::Null),
                ))
            }
            Expr::BinaryOp {
                left,
                op: op @ (BinaryOperator::AtArrow | BinaryOperator::ArrowAt),
                right,
            } => {
                let (big, small) = if matches!(op, BinaryOperator::AtArrow) {
                    (left, right)
                } else {
                    (right, left)
                };
                if let Some(p) = self.json_containment(cx, big, small)? {
                    return Ok(p);
                }
                let a = self.agg(cx, big)?;
                let b = self.agg(cx, small)?;
                let arrays = vec![is_array(&a.expr), is_array(&b.expr)];
                let sub = ex::set_is_subset(b.expr, a.expr);
                let mut t = arrays.clone();
                t.push(sub.clone());
                let mut f = arrays.clone();
                f.push(ex::not(sub.clone()).into());
                // The value forms compute the subset test once (not once more for every row it fails in).
                let both = and(arrays);
                Ok(Pred::with_values(
                    and(t),
                    and(f),
                    ex::cond(both.clone(), sub.clone(), Bson::Null),
                    ex::cond(both, ex::not(sub), Bson::Null),
                ))
            }
            Expr::IsNull(x) => {
                let a = self.agg(cx, x)?;
                Ok(Pred::two_valued(is_null(&a.expr), not_null(&a.expr)))
            }
            Expr::IsNotNull(x) => {
                let a = self.agg(cx, x)?;
                Ok(Pred::two_valued(not_null(&a.expr), is_null(&a.expr)))
            }
            Expr::IsTrue(x)
            | Expr::IsNotTrue(x)
            | Expr::IsFalse(x)
            | Expr::IsNotFalse(x)
            | Expr::IsUnknown(x)
            | Expr::IsNotUnknown(x) => {
                let p = self.pred(cx, x)?;
                let holds = match e {
                    Expr::IsTrue(_) | Expr::IsNotTrue(_) => p.t,
                    Expr::IsFalse(_) | Expr::IsNotFalse(_) => p.f,
                    _ => and(vec![ex::not(p.t), ex::not(p.f)]),
                };
                let negated = matches!(
                    e,
                    Expr::IsNotTrue(_) | Expr::IsNotFalse(_) | Expr::IsNotUnknown(_)
                );
                let not_holds = ex::not(holds.clone());
                Ok(if negated {
                    Pred::new(not_holds, holds)
                } else {
                    Pred::new(holds, not_holds)
                })
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                let x = self.agg(cx, a)?;
                let y = self.agg(cx, b)?;
                let same = ex::eq(ex::or_null(x.expr), ex::or_null(y.expr));
                let differ = ex::not(same.clone());
                Ok(if matches!(e, Expr::IsDistinctFrom(..)) {
                    Pred::two_valued(differ, same)
                } else {
                    Pred::two_valued(same, differ)
                })
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let p = self.in_list(cx, expr, list)?;
                Ok(if *negated { p.not() } else { p })
            }
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let ge = self.comparison(cx, expr, &BinaryOperator::GtEq, low)?;
                let le = self.comparison(cx, expr, &BinaryOperator::LtEq, high)?;
                let p = pred_and(ge, le);
                Ok(if *negated { p.not() } else { p })
            }
            Expr::Like {
                negated,
                any,
                expr,
                pattern,
                escape_char,
            }
            | Expr::ILike {
                negated,
                any,
                expr,
                pattern,
                escape_char,
            } => {
                let ilike = matches!(e, Expr::ILike { .. });
                let p = if *any {
                    self.like_any(cx, ilike, expr, pattern, escape_char.as_deref(), e)?
                } else {
                    self.like(cx, ilike, expr, pattern, escape_char.as_deref())?
                };
                Ok(if *negated { p.not() } else { p })
            }
            Expr::SimilarTo {
                negated,
                expr,
                pattern,
                escape_char,
            } => {
                let p = self.similar_to(cx, expr, pattern, escape_char.as_deref())?;
                Ok(if *negated { p.not() } else { p })
            }
            Expr::AnyOp {
                left,
                compare_op,
                right,
                is_some: _,
            } if matches!(right.as_ref(), Expr::Subquery(_)) => {
                self.quantified_subquery(cx, left, compare_op, right, false, e)
            }
            Expr::AllOp {
                left,
                compare_op,
                right,
            } if matches!(right.as_ref(), Expr::Subquery(_)) => {
                self.quantified_subquery(cx, left, compare_op, right, true, e)
            }
            Expr::AnyOp {
                left,
                compare_op,
                right,
                is_some: _,
            } => self.quantified_array(cx, left, compare_op, right, false, e),
            Expr::AllOp {
                left,
                compare_op,
                right,
            } => self.quantified_array(cx, left, compare_op, right, true, e),
            Expr::Value(v) if matches!(v.value, Value::Boolean(_) | Value::Null) => {
                Ok(match v.value {
                    Value::Boolean(b) => Pred::new(Bson::Boolean(b), Bson::Boolean(!b)),
                    _ => Pred::new(Bson::Boolean(false), Bson::Boolean(false)),
                })
            }
            Expr::InSubquery {
                expr,
                subquery,
                negated,
            } => self.in_subquery(cx, expr, subquery, *negated, e),
            Expr::Exists { subquery, negated } => self.exists_subquery(cx, subquery, *negated, e),
            _ => {
                // Any other boolean-valued expression (a boolean column, CASE, a function).
                let v = self.agg(cx, e)?;
                if matches!(
                    v.kind,
                    Kind::Int | Kind::Number | Kind::Text | Kind::Timestamp | Kind::Interval
                ) {
                    return Err(invalid(
                        format!("argument of WHERE/AND/OR must be type boolean: {e}"),
                        e,
                    ));
                }
                Ok(Pred::new(
                    ex::eq(v.expr.clone(), true),
                    ex::eq(v.expr, false),
                ))
            }
        }
    }

    /// `a op b` with NULL guards: neither form holds when either side is NULL.
    pub(crate) fn comparison(
        &mut self,
        cx: &mut QueryContext,
        l: &Expr,
        op: &BinaryOperator,
        r: &Expr,
    ) -> Result<Pred, Error> {
        let Some(pos) = comparison(op) else {
            return Err(Error::Internal("not a comparison".into()));
        };
        let a = self.agg(cx, l)?;
        let b = self.agg(cx, r)?;
        let a = self.resolve_untyped(cx, l, a, &b)?;
        let b = self.resolve_untyped(cx, r, b, &a)?;
        if a.constant == Some(Bson::Null) || b.constant == Some(Bson::Null) {
            return Ok(Pred::new(Bson::Boolean(false), Bson::Boolean(false)));
        }
        if let Some(v) = crate::translate::fold::fold_cmp(pos, &a, &b) {
            return Ok(Pred::new(Bson::Boolean(v), Bson::Boolean(!v)));
        }
        let (a, b) = super::datetime::comparable(a, b);
        Ok(compared(pos, a, b))
    }

    fn in_list(&mut self, cx: &mut QueryContext, x: &Expr, list: &[Expr]) -> Result<Pred, Error> {
        let a = self.agg(cx, x)?;
        let mut values = Vec::new();
        let mut has_null = false;
        let mut all_const = true;
        let mut items = Vec::new();
        for item in list {
            let v = self.agg(cx, item)?;
            let v = self.resolve_untyped(cx, item, v, &a)?;
            match &v.constant {
                Some(Bson::Null) => has_null = true,
                Some(_) => values.push(v.expr.clone()),
                None => all_const = false,
            }
            items.push(v);
        }
        let base = guards(&[&a]);
        if all_const {
            let inn = ex::in_array(a.expr.clone(), values);
            let mut t = base.clone();
            t.push(inn.clone().into());
            let f = if has_null {
                ex::Expr::from(false)
            } else {
                let mut f = base;
                f.push(ex::not(inn));
                and(f)
            };
            return Ok(Pred::new(and(t), f));
        }
        let mut t_parts = Vec::new();
        let mut f_parts = base.clone();
        for v in items {
            let mut eq = guards(&[&v]);
            eq.push(ex::eq(a.expr.clone(), v.expr.clone()));
            t_parts.push(and(eq));
            let mut ne = guards(&[&v]);
            ne.push(ex::ne(a.expr.clone(), v.expr));
            f_parts.push(and(ne));
        }
        let mut t = base;
        t.push(or(t_parts));
        Ok(Pred::new(and(t), and(f_parts)))
    }

    /// The regex and options of a LIKE / ILIKE with a constant pattern; `None` for a pattern computed at
    /// run time (a column, a parameter, an expression).
    pub(crate) fn like_regex(
        &mut self,
        cx: &mut QueryContext,
        ilike: bool,
        pattern: &Expr,
        escape: Option<&Expr>,
    ) -> Result<Option<(String, String)>, Error> {
        let p = match self.agg(cx, pattern)?.constant {
            Some(Bson::String(s)) => s,
            _ => return Ok(None),
        };
        let esc = self.escape_char(cx, escape)?;
        let re = like_to_regex(&p, esc)
            .ok_or_else(|| invalid("LIKE pattern must not end with escape character", pattern))?;
        Ok(Some((re, like_options(ilike))))
    }

    /// The ESCAPE character: `\\` by default, none for `ESCAPE ''`.
    fn escape_char(
        &mut self,
        cx: &mut QueryContext,
        escape: Option<&Expr>,
    ) -> Result<Option<char>, Error> {
        match escape {
            None => Ok(Some('\\')),
            Some(x) => match self.agg(cx, x)?.constant {
                Some(Bson::String(s)) if s.is_empty() => Ok(None),
                Some(Bson::String(s)) if s.chars().count() == 1 => Ok(s.chars().next()),
                Some(Bson::String(_)) => Err(invalid("invalid escape string", x)),
                _ => Err(unsupported(
                    Refusal::Operator,
                    "an ESCAPE that is not a string literal",
                    x,
                )),
            },
        }
    }

    /// `x [I]LIKE pattern`: a constant pattern becomes a regex here, a computed one is escaped at run time
    /// ([`like_regex_expr`]); a NULL x or pattern gives NULL.
    fn like(
        &mut self,
        cx: &mut QueryContext,
        ilike: bool,
        x: &Expr,
        pattern: &Expr,
        escape: Option<&Expr>,
    ) -> Result<Pred, Error> {
        let a = self.agg(cx, x)?;
        if let Some((re, opts)) = self.like_regex(cx, ilike, pattern, escape)? {
            return Ok(regex_pred(&a.expr, None, Bson::String(re), opts));
        }
        let p = self.agg(cx, pattern)?;
        if p.constant == Some(Bson::Null) {
            return Ok(Pred::new(Bson::Boolean(false), Bson::Boolean(false)));
        }
        let esc = self.escape_char(cx, escape)?;
        let pattern: Bson = p.expr.clone().into();
        let re = like_regex_expr_of_parts(&pattern, esc)
            .unwrap_or_else(|| like_regex_expr(pattern, esc));
        Ok(regex_pred(&a.expr, Some(&p.expr), re, like_options(ilike)))
    }

    /// `x [I]LIKE ANY (array of patterns)`: OR over the patterns of an `ARRAY[...]` or `'{...}'` literal.
    fn like_any(
        &mut self,
        cx: &mut QueryContext,
        ilike: bool,
        x: &Expr,
        patterns: &Expr,
        escape: Option<&Expr>,
        e: &Expr,
    ) -> Result<Pred, Error> {
        let mut inner = patterns;
        while let Expr::Nested(p) = inner {
            inner = p;
        }
        let items: Vec<Expr> = match inner {
            Expr::Array(arr) => arr.elem.clone(),
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(text) => {
                    let parsed = super::array_literal::parse_array_literal(text)
                        .map_err(|m| invalid(m, inner))?;
                    parsed
                        .into_iter()
                        .map(|s| {
                            Expr::value(match s {
                                Some(s) => Value::SingleQuotedString(s),
                                None => Value::Null,
                            })
                        })
                        .collect()
                }
                _ => Vec::new(),
            },
            _ => {
                return Err(unsupported(
                    Refusal::Operator,
                    "LIKE ANY of something other than ARRAY[...] or an array literal",
                    e,
                ))
            }
        };
        let mut out: Option<Pred> = None;
        for item in &items {
            let p = self.like(cx, ilike, x, item, escape)?;
            out = Some(match out {
                None => p,
                Some(acc) => pred_or(acc, p),
            });
        }
        // An empty array: FALSE.
        Ok(out.unwrap_or_else(|| Pred::new(Bson::Boolean(false), Bson::Boolean(true))))
    }

    /// `x SIMILAR TO pattern [ESCAPE c]` (PostgreSQL's SIMILAR TO -> regex rules): a constant pattern is
    /// converted here, a computed one at run time ([`similar_regex_expr`]).
    fn similar_to(
        &mut self,
        cx: &mut QueryContext,
        x: &Expr,
        pattern: &Expr,
        escape: Option<&Expr>,
    ) -> Result<Pred, Error> {
        let a = self.agg(cx, x)?;
        let p = self.agg(cx, pattern)?;
        let esc = self.escape_char(cx, escape)?;
        let text = match p.constant {
            Some(Bson::String(s)) => s,
            Some(Bson::Null) => return Ok(Pred::new(Bson::Boolean(false), Bson::Boolean(false))),
            _ => {
                // Computed: converted at run time, by the same rules.
                let re = similar_regex_expr(p.expr.clone().into(), esc);
                return Ok(regex_pred(&a.expr, Some(&p.expr), re, "s".into()));
            }
        };
        let re = similar_to_regex(&text, esc).map_err(|m| invalid(m, pattern))?;
        Ok(regex_pred(&a.expr, None, Bson::String(re), "s".into()))
    }
}

fn like_options(ilike: bool) -> String {
    if ilike {
        "si".into()
    } else {
        "s".into()
    }
}

/// `$regexMatch` of x (and a computed pattern) as a predicate: $regexMatch fails on non-strings, so the
/// types are tested first ($and short-circuits); NULL (or a non-text value) on either side gives NULL.
fn regex_pred(x: &ex::Expr, pattern: Option<&ex::Expr>, re: Bson, opts: String) -> Pred {
    let m = ex::regex_match(x.clone(), re, opts);
    let mut base = vec![is_string(x)];
    if let Some(p) = pattern {
        base.push(is_string(p));
    }
    let mut t = base.clone();
    t.push(m.clone().into());
    let mut f = base;
    f.push(ex::not(m));
    Pred::new(and(t), and(f))
}

#[cfg(test)]
mod tests {
    // A comparison's value form (computed operands bound once with `$let`) against the value its TRUE / FALSE
    // forms make (`t ? true : f ? false : null`, the general path), both evaluated by the embedded engine on
    // generated operands: every operator, NULL and missing on either side, operands computed, field paths or
    // constants, and the negation (NOT) of each.

    use super::*;
    use crate::engine::expr::{Expr as Compiled, Vars};
    use bson::{doc, Document};
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Option<Bson>> {
        prop_oneof![
            Just(None),
            Just(Some(Bson::Null)),
            (-2i32..3).prop_map(|i| Some(Bson::Int32(i))),
            (-2i64..3).prop_map(|i| Some(Bson::Int64(i))),
            prop_oneof![Just(f64::NAN), Just(-0.0), Just(1.0), Just(f64::INFINITY)]
                .prop_map(|d| Some(Bson::Double(d))),
            "[ab]{0,2}".prop_map(|s| Some(Bson::String(s))),
            (0i64..2).prop_map(|m| Some(Bson::DateTime(bson::DateTime::from_millis(m)))),
            (0i32..2, 0i32..2)
                .prop_map(|(m, d)| Some(Bson::Document(doc! {"months": m, "days": d}))),
        ]
    }

    /// How an operand is written in the plan.
    #[derive(Debug, Clone, Copy)]
    enum Form {
        /// Read through an operator (`{$let: {vars: {}, in: "$x"}}`), as a computed operand is.
        Computed,
        /// A field path.
        Field,
        /// The value itself, as a constant.
        Constant,
    }

    fn form() -> impl Strategy<Value = Form> {
        prop_oneof![
            Just(Form::Computed),
            Just(Form::Field),
            Just(Form::Constant)
        ]
    }

    fn operand(form: Form, field: &str, v: &Option<Bson>, nullable: bool) -> Agg {
        let expr = match form {
            Form::Computed => ex::Expr::Bson(ex::let_in(Document::new(), format!("${field}"))),
            Form::Field => ex::Expr::Field(field.to_string()),
            Form::Constant => ex::Expr::Literal(v.clone().unwrap_or(Bson::Null)),
        };
        Agg::new(expr, Kind::Number, nullable)
    }

    fn eval(e: ex::Expr, doc: &Document) -> Result<Option<Bson>, String> {
        Compiled::compile(&Bson::from(e))
            .and_then(|c| c.eval(doc, &Vars::new(bson::DateTime::from_millis(0))))
            .map_err(|e| e.to_string())
    }

    const OPS: [Cmp; 6] = [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Lte, Cmp::Gt, Cmp::Gte];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn bound_comparison_equals_the_true_false_forms(
            op in 0usize..6,
            (x, y) in (value(), value()),
            (fx, fy) in (form(), form()),
            (nx, ny) in (any::<bool>(), any::<bool>()),
        ) {
            let nullish = |v: &Option<Bson>| matches!(v, None | Some(Bson::Null));
            // A side declared non-nullable never is NULL (the translator's promise).
            let (nx, ny) = (nx || nullish(&x), ny || nullish(&y));
            let mut doc = Document::new();
            for (k, v) in [("x", &x), ("y", &y)] {
                if let Some(v) = v {
                    doc.insert(k, v.clone());
                }
            }
            let p = compared(OPS[op], operand(fx, "x", &x, nx), operand(fy, "y", &y, ny));
            let general = Pred::new(p.t.clone(), p.f.clone());
            let bound = matches!(fx, Form::Computed) || matches!(fy, Form::Computed);
            // Compared as text: a NaN constant is not equal to itself.
            let text = |e: ex::Expr| Bson::from(e).to_string();
            prop_assert_eq!(text(p.to_value()) != text(general.to_value()), bound, "the value form is taken exactly for computed operands");
            prop_assert_eq!(eval(p.to_value(), &doc), eval(general.to_value(), &doc));
            prop_assert_eq!(eval(p.clone().not().to_value(), &doc), eval(general.not().to_value(), &doc));
        }
    }

    #[test]
    fn is_null_is_never_unknown() {
        let p = Pred::two_valued(
            is_null(&ex::Expr::Field("x".into())),
            not_null(&ex::Expr::Field("x".into())),
        );
        for doc in [doc! {}, doc! {"x": Bson::Null}, doc! {"x": 1}] {
            let general = Pred::new(p.t.clone(), p.f.clone());
            assert_eq!(eval(p.to_value(), &doc), eval(general.to_value(), &doc));
            assert_eq!(
                eval(p.clone().not().to_value(), &doc),
                eval(general.not().to_value(), &doc)
            );
        }
    }
}
