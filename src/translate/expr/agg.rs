//! Scalar SQL expressions -> aggregation expressions with PostgreSQL's NULL rules.

use super::literal::{constant, literal_value};
use super::{expr_pos, invalid, unsupported, Agg, Kind};
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::names::field_path;
use crate::translate::nulls::not_null;
use crate::translate::Refusal;
use crate::translate::{Error, Translator};
use bson::{bson, doc, Bson};
use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator, Value};

impl Translator {
    /// A scalar expression with what is known of its type.
    pub(crate) fn agg(&mut self, cx: &mut QueryContext, e: &Expr) -> Result<Agg, Error> {
        self.nested(e, |t| t.agg_at(cx, e))
    }

    fn agg_at(&mut self, cx: &mut QueryContext, e: &Expr) -> Result<Agg, Error> {
        if let Some(found) = self.window_lookup(cx, e) {
            return Ok(found);
        }
        if let Some(found) = self.group_lookup(cx, e)? {
            return Ok(found);
        }
        match e {
            Expr::Identifier(i) => self.column(cx, std::slice::from_ref(i), e),
            Expr::CompoundIdentifier(parts) => self.column(cx, parts, e),
            Expr::Nested(inner) => self.agg(cx, inner),
            Expr::Value(v) => match literal_value(&v.value, e)? {
                Some(b) => Ok(constant(b)),
                None => self.placeholder(&v.value, e),
            },
            Expr::TypedString(ts) => self.typed_string(ts, e),
            Expr::Interval(iv) => self.interval_literal(iv, e),
            Expr::UnaryOp { op, expr } => self.unary(cx, *op, expr, e),
            Expr::BinaryOp { left, op, right } => self.binary(cx, left, op, right, e),
            Expr::Cast {
                expr,
                data_type,
                format,
                ..
            } => {
                if format.is_some() {
                    return Err(unsupported(Refusal::Type, "CAST ... FORMAT", e));
                }
                self.cast(cx, expr, data_type, e)
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(cx, operand.as_deref(), conditions, else_result.as_deref()),
            Expr::Function(f) => self.function(cx, f, e),
            Expr::Extract { field, expr, .. } => self.extract(cx, field, expr, e),
            Expr::AtTimeZone {
                timestamp,
                time_zone,
            } => self.at_time_zone(cx, timestamp, time_zone, e),
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => self.substring(
                cx,
                expr,
                substring_from.as_deref(),
                substring_for.as_deref(),
                e,
            ),
            Expr::Position { expr, r#in } => self.position(cx, expr, r#in),
            Expr::Trim {
                expr,
                trim_where,
                trim_what,
                trim_characters,
            } => {
                if trim_characters.is_some() {
                    return Err(unsupported(
                        Refusal::Function,
                        "TRIM with a character list",
                        e,
                    ));
                }
                self.trim(cx, expr, trim_where.as_ref(), trim_what.as_deref())
            }
            Expr::Ceil { expr, .. } => self.numeric_unary(cx, ex::ceil, expr),
            Expr::Floor { expr, .. } => self.numeric_unary(cx, ex::floor, expr),
            Expr::Array(arr) => {
                let mut items = Vec::new();
                for x in &arr.elem {
                    items.push(self.agg(cx, x)?.expr.into());
                }
                Ok(Agg::new(Bson::Array(items), Kind::Array, false))
            }
            Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsTrue(_)
            | Expr::IsNotTrue(_)
            | Expr::IsFalse(_)
            | Expr::IsNotFalse(_)
            | Expr::IsUnknown(_)
            | Expr::IsNotUnknown(_)
            | Expr::IsDistinctFrom(..)
            | Expr::IsNotDistinctFrom(..)
            | Expr::InList { .. }
            | Expr::Between { .. }
            | Expr::Like { .. }
            | Expr::ILike { .. }
            | Expr::SimilarTo { .. }
            | Expr::AnyOp { .. }
            | Expr::AllOp { .. } => {
                let p = self.pred(cx, e)?;
                Ok(Agg::new(p.to_value(), Kind::Bool, true))
            }
            Expr::Subquery(q) => self.scalar_subquery(cx, q, e),
            Expr::InSubquery { .. } | Expr::Exists { .. } => {
                let p = self.pred(cx, e)?;
                Ok(Agg::new(p.to_value(), Kind::Bool, true))
            }
            other => Err(unsupported(Refusal::Expression, describe(other), e)),
        }
    }

    /// A column reference: `"$path"`.
    fn column(
        &mut self,
        cx: &mut QueryContext,
        parts: &[sqlparser::ast::Ident],
        e: &Expr,
    ) -> Result<Agg, Error> {
        if crate::translate::column_default::is_default_keyword(e) {
            return Err(Translator::misplaced_default(e));
        }
        if let [only] = parts {
            // The merged column of a FULL JOIN ... USING (join_outer.rs).
            if let Some(merged) = self.merged_column(cx, &only.value) {
                return self.agg(cx, &merged);
            }
        }
        let kind = self.declared_kind(cx, parts);
        if let Some(path) = self.relation_column(cx, parts)? {
            return Ok(Agg::new(Bson::String(path), kind, true));
        }
        if cx.group.is_some() {
            return Err(invalid(
                format!(
                    "column \"{}\" must appear in the GROUP BY clause or be used in an aggregate function",
                    e
                ),
                e,
            ));
        }
        if let (Some(first), Some(row)) = (parts.first(), &self.excluded) {
            if parts.len() > 1 && first.value.eq_ignore_ascii_case("excluded") {
                let path = field_path(&parts[1..])?;
                // A column the INSERT does not name is NULL in the proposed row (no defaults here).
                return Ok(row
                    .iter()
                    .find(|(c, _)| *c == path)
                    .map(|(_, a)| a.clone())
                    .unwrap_or_else(|| constant(Bson::Null)));
            }
        }
        let path = match self.join_column_path(cx, parts, e)? {
            Some(p) => p,
            None => field_path(self.strip_qualifier(cx, parts))?,
        };
        let nullable = !self.declared_not_null(cx, parts);
        Ok(Agg::new(ex::field(&path), kind, nullable))
    }

    /// A parameter placeholder `$n` or `?` -> `{"$literal": {"$param": n}}` (bound at execution).
    fn placeholder(&mut self, v: &Value, e: &Expr) -> Result<Agg, Error> {
        let n = self.param_number(v, e)?;
        let mut a = Agg::new(ex::literal(ex::param(n as i64)), Kind::Unknown, true);
        a.param = Some(n);
        Ok(a)
    }

    /// The 1-based number of a placeholder, counting `?` in order of appearance.
    pub(crate) fn param_number(&mut self, v: &Value, e: &Expr) -> Result<usize, Error> {
        let Value::Placeholder(p) = v else {
            return Err(Error::Internal("not a placeholder".into()));
        };
        let n = if p == "?" {
            // `?` is numbered by its place in the text (an expression may be translated more than once, and
            // clauses are not translated in text order).
            use sqlparser::ast::Spanned;
            let at = e.span().start;
            let n = match self.question_positions.binary_search(&(at.line, at.column)) {
                Ok(i) => i + 1,
                Err(_) => {
                    return Err(Error::Internal(format!(
                        "parameter ? at {}:{} was not numbered",
                        at.line, at.column
                    )))
                }
            };
            self.question_marks = self.question_marks.max(n);
            n
        } else {
            self.dollar_params = true;
            match p.strip_prefix('$').and_then(|d| d.parse::<usize>().ok()) {
                Some(n) if (1..=65535).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        format!("invalid parameter {p} (use $1, $2, ... or ?)"),
                        e,
                    ))
                }
            }
        };
        self.param_count = self.param_count.max(n);
        Ok(n)
    }

    fn unary(
        &mut self,
        cx: &mut QueryContext,
        op: UnaryOperator,
        inner: &Expr,
        e: &Expr,
    ) -> Result<Agg, Error> {
        match op {
            UnaryOperator::Not => {
                let p = self.pred(cx, e)?;
                Ok(Agg::new(p.to_value(), Kind::Bool, true))
            }
            UnaryOperator::Plus => self.agg(cx, inner),
            UnaryOperator::Minus => {
                let a = self.agg(cx, inner)?;
                match &a.constant {
                    Some(Bson::Int32(i)) => Ok(match i.checked_neg() {
                        Some(n) => constant(Bson::Int32(n)),
                        None => constant(Bson::Int64(-(i64::from(*i)))),
                    }),
                    Some(Bson::Int64(i)) => match i.checked_neg() {
                        Some(n) => Ok(constant(Bson::Int64(n))),
                        None => Err(invalid("bigint out of range", e)),
                    },
                    Some(Bson::Double(d)) => Ok(constant(Bson::Double(-d))),
                    _ if a.kind == Kind::Interval => {
                        match super::datetime::const_iv(&a).and_then(|v| v.negate()) {
                            Some(v) => Ok(super::datetime::interval_agg(v.to_parts())),
                            None if a.interval.is_some() => {
                                Err(invalid("interval out of range", e))
                            }
                            None => {
                                let (no_months, canonical) = (a.no_months, a.canonical);
                                let mut out = Agg::new(
                                    super::interval::negate(a.expr.into()),
                                    Kind::Interval,
                                    a.nullable,
                                );
                                out.no_months = no_months;
                                out.canonical = canonical;
                                Ok(out)
                            }
                        }
                    }
                    _ => Ok(Agg::new(ex::subtract(0, a.expr), a.kind, a.nullable)),
                }
            }
            other => Err(unsupported(
                Refusal::Expression,
                format!("operator {other}"),
                e,
            )),
        }
    }

    fn binary(
        &mut self,
        cx: &mut QueryContext,
        l: &Expr,
        op: &BinaryOperator,
        r: &Expr,
        e: &Expr,
    ) -> Result<Agg, Error> {
        use BinaryOperator as B;
        match op {
            B::Question | B::QuestionPipe | B::QuestionAnd => {
                self.jsonb_exists_operator(cx, l, op, r, e)
            }
            B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo => {
                self.arithmetic(cx, l, op, r, e)
            }
            B::StringConcat => {
                let a = self.agg(cx, l)?;
                let b = self.agg(cx, r)?;
                // PG: 'a' || NULL is NULL; $concat also yields null for a null/missing operand, but errors on
                // non-strings, so non-text operands are converted first.
                let ta = self.text_of(a);
                let tb = self.text_of(b);
                Ok(Agg::new(
                    ex::concat(vec![ta.expr.into(), tb.expr.into()]),
                    Kind::Text,
                    ta.nullable || tb.nullable,
                ))
            }
            B::Arrow | B::LongArrow | B::HashArrow | B::HashLongArrow => self.json_path(cx, e),
            B::Eq
            | B::NotEq
            | B::Lt
            | B::LtEq
            | B::Gt
            | B::GtEq
            | B::And
            | B::Or
            | B::PGOverlap
            | B::AtArrow
            | B::ArrowAt => {
                let p = self.pred(cx, e)?;
                Ok(Agg::new(p.to_value(), Kind::Bool, true))
            }
            other => Err(unsupported(
                Refusal::Expression,
                format!("operator {other}"),
                e,
            )),
        }
    }

    /// `a->'b'->>'c'` as a field path; with an integer step (`->0`, `->-1`), a `#>` path or a computed base,
    /// each step typed as PostgreSQL's (`json_ops.rs`).
    pub(crate) fn json_path(&mut self, cx: &mut QueryContext, e: &Expr) -> Result<Agg, Error> {
        use crate::translate::json_ops::{index_literal, path_elements, steps as steps_of, Step};
        let mut steps = Vec::new();
        let mut base_keys: Vec<String> = Vec::new();
        let mut computed: Option<&Expr> = None;
        let mut cur = e;
        loop {
            match cur {
                Expr::BinaryOp {
                    left,
                    op: BinaryOperator::Arrow | BinaryOperator::LongArrow,
                    right,
                } => {
                    if let Some(i) = index_literal(right) {
                        steps.push(Step::Index(i));
                        cur = left;
                        continue;
                    }
                    let key = match right.as_ref() {
                        Expr::Value(v) => match &v.value {
                            Value::SingleQuotedString(s) => s.clone(),
                            _ => {
                                return Err(unsupported(
                                    Refusal::Expression,
                                    "JSON path key that is not a literal",
                                    right,
                                ))
                            }
                        },
                        _ => {
                            return Err(unsupported(
                                Refusal::Expression,
                                "JSON path key that is not a literal",
                                right,
                            ))
                        }
                    };
                    crate::translate::names::check_field_segment(&key, expr_pos(right))?;
                    if key.contains('.') {
                        return Err(invalid(format!("JSON key \"{key}\" contains '.'"), right));
                    }
                    steps.push(Step::Key(key));
                    cur = left;
                }
                Expr::BinaryOp {
                    left,
                    op: BinaryOperator::HashArrow | BinaryOperator::HashLongArrow,
                    right,
                } => {
                    for p in path_elements(right)?.into_iter().rev() {
                        steps.push(Step::Either(p));
                    }
                    cur = left;
                }
                Expr::Identifier(i) if self.has_joins(cx) => {
                    let p = self.join_column_path(cx, std::slice::from_ref(i), cur)?;
                    base_keys.extend(p);
                    break;
                }
                Expr::Identifier(i) => {
                    base_keys.push(i.value.clone());
                    crate::translate::names::check_field_segment(&i.value, expr_pos(cur))?;
                    break;
                }
                Expr::CompoundIdentifier(parts) => {
                    match self.join_column_path(cx, parts, cur)? {
                        Some(p) => base_keys.push(p),
                        None => base_keys.push(field_path(self.strip_qualifier(cx, parts))?),
                    }
                    break;
                }
                Expr::Nested(inner) => cur = inner,
                other => {
                    computed = Some(other);
                    break;
                }
            }
        }
        steps.reverse();
        let mut value = match computed {
            Some(base) => self.agg(cx, base)?.expr,
            None => {
                if cx.group.is_some() {
                    return Err(invalid(
                        format!("\"{e}\" must appear in the GROUP BY clause or be used in an aggregate function"),
                        e,
                    ));
                }
                // Leading text keys stay a field path (index-usable, MongoDB's path rules).
                let mut keys = base_keys;
                while let Some(Step::Key(k)) = steps.first() {
                    keys.push(k.clone());
                    steps.remove(0);
                }
                ex::field(&keys.join("."))
            }
        };
        if !steps.is_empty() {
            value = ex::Expr::from(steps_of(value.into(), &steps)?);
        }
        Ok(Agg::new(value, Kind::Unknown, true))
    }

    fn arithmetic(
        &mut self,
        cx: &mut QueryContext,
        l: &Expr,
        op: &BinaryOperator,
        r: &Expr,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let a = self.agg(cx, l)?;
        let b = self.agg(cx, r)?;
        // Time arithmetic first: timestamp ± interval, timestamp - timestamp.
        // the number operand of an interval product known whole by the declared types
        let whole = match (a.kind == Kind::Interval, b.kind == Kind::Interval) {
            (true, false) => self.whole_number(cx, r),
            (false, true) => self.whole_number(cx, l),
            _ => false,
        };
        if let Some(t) = self.time_arithmetic(&a, op, &b, e, whole)? {
            return Ok(t);
        }
        if a.interval.is_some() || b.interval.is_some() {
            return Err(unsupported(
                Refusal::Expression,
                "INTERVAL arithmetic other than timestamp ± interval",
                e,
            ));
        }
        if let (Some(x), Some(y)) = (&a.constant, &b.constant) {
            if let Some(folded) = fold_ints(x, op, y) {
                return Ok(constant(folded));
            }
        }
        let nullable = a.nullable || b.nullable;
        let both_int = a.kind == Kind::Int && b.kind == Kind::Int;
        let kind = if both_int {
            Kind::Int
        } else if a.kind == Kind::Interval || b.kind == Kind::Interval {
            Kind::Interval
        } else {
            Kind::Number
        };
        let expr = match op {
            BinaryOperator::Plus => ex::add(vec![a.expr.into(), b.expr.into()]),
            BinaryOperator::Minus => ex::subtract(a.expr, b.expr),
            BinaryOperator::Multiply => ex::multiply(vec![a.expr.into(), b.expr.into()]),
            BinaryOperator::Modulo => ex::modulo(a.expr, b.expr),
            BinaryOperator::Divide => return Ok(divide(a, b)),
            _ => return Err(Error::Internal("not arithmetic".into())),
        };
        Ok(Agg::new(expr, kind, nullable))
    }

    fn numeric_unary(
        &mut self,
        cx: &mut QueryContext,
        op: fn(Bson) -> Bson,
        inner: &Expr,
    ) -> Result<Agg, Error> {
        let a = self.agg(cx, inner)?;
        Ok(Agg::new(op(a.expr.into()), a.kind, a.nullable))
    }

    /// Converts a value to text for `||` and CONCAT (PG casts non-text operands).
    pub(crate) fn text_of(&mut self, a: Agg) -> Agg {
        match a.kind {
            Kind::Text | Kind::Null => a,
            // PostgreSQL's text of the interval, printed in the pipeline (the query reads it)
            Kind::Interval => {
                let nullable = a.nullable;
                Agg::new(super::datetime::shown(a), Kind::Text, nullable)
            }
            _ => {
                if let Some(Bson::String(_)) = &a.constant {
                    return a;
                }
                let nullable = a.nullable;
                Agg::new(ex::to_string(a.expr), Kind::Text, nullable)
            }
        }
    }

    fn case(
        &mut self,
        cx: &mut QueryContext,
        operand: Option<&Expr>,
        conditions: &[sqlparser::ast::CaseWhen],
        else_result: Option<&Expr>,
    ) -> Result<Agg, Error> {
        let mut branches = Vec::new();
        let mut kinds = Vec::new();
        let mut nullable = else_result.is_none();
        let op = match operand {
            Some(o) => Some(self.agg(cx, o)?),
            None => None,
        };
        for w in conditions {
            let case = match &op {
                // Simple CASE: `CASE x WHEN v` is `x = v`, which is never TRUE when either is NULL.
                Some(o) => {
                    let v = self.agg(cx, &w.condition)?;
                    let mut guards = Vec::new();
                    if o.nullable {
                        guards.push(not_null(&o.expr));
                    }
                    if v.nullable {
                        guards.push(not_null(&v.expr));
                    }
                    guards.push(ex::eq(o.expr.clone(), v.expr));
                    crate::translate::nulls::and(guards)
                }
                None => self.pred(cx, &w.condition)?.t,
            };
            let then = self.agg(cx, &w.result)?;
            nullable |= then.nullable;
            kinds.push(then.kind);
            branches.push((case.into(), then.expr.into()));
        }
        let default = match else_result {
            Some(x) => {
                let a = self.agg(cx, x)?;
                kinds.push(a.kind);
                nullable |= a.nullable;
                a.expr
            }
            None => Bson::Null.into(),
        };
        let kind = common_kind(&kinds);
        Ok(Agg::new(ex::switch(branches, default), kind, nullable))
    }
}

/// PG: integer / integer truncates toward zero; anything else divides exactly. Types of fields are only known
/// at run time, so for non-constant operands the choice is made per row on the BSON types.
fn divide(a: Agg, b: Agg) -> Agg {
    let nullable = true; // division by a NULL is NULL
    if (a.kind == Kind::Number || b.kind == Kind::Number) || a.kind == Kind::Interval {
        return Agg::new(ex::divide(a.expr, b.expr), Kind::Number, nullable);
    }
    if a.kind == Kind::Int && b.kind == Kind::Int {
        return Agg::new(ex::trunc(ex::divide(a.expr, b.expr)), Kind::Int, nullable);
    }
    let int_types = bson!(["int", "long"]);
    let expr = ex::let_in(
        doc! {"a": a.expr, "b": b.expr},
        ex::cond(
            ex::and(vec![
                ex::in_array(ex::type_of(ex::var("a")), int_types.clone()),
                ex::in_array(ex::type_of(ex::var("b")), int_types),
            ]),
            ex::trunc(ex::divide(ex::var("a"), ex::var("b"))),
            ex::divide(ex::var("a"), ex::var("b")),
        ),
    );
    Agg::new(expr, Kind::Number, nullable)
}

fn fold_ints(x: &Bson, op: &BinaryOperator, y: &Bson) -> Option<Bson> {
    let a = match x {
        Bson::Int32(i) => i64::from(*i),
        Bson::Int64(i) => *i,
        _ => return None,
    };
    let b = match y {
        Bson::Int32(i) => i64::from(*i),
        Bson::Int64(i) => *i,
        _ => return None,
    };
    let r = match op {
        BinaryOperator::Plus => a.checked_add(b)?,
        BinaryOperator::Minus => a.checked_sub(b)?,
        BinaryOperator::Multiply => a.checked_mul(b)?,
        BinaryOperator::Divide if b != 0 => a.checked_div(b)?,
        BinaryOperator::Modulo if b != 0 => a.checked_rem(b)?,
        _ => return None,
    };
    Some(match i32::try_from(r) {
        Ok(i) if matches!((x, y), (Bson::Int32(_), Bson::Int32(_))) => Bson::Int32(i),
        _ => Bson::Int64(r),
    })
}

/// The common kind of CASE branches (Unknown when they differ).
fn common_kind(kinds: &[Kind]) -> Kind {
    let mut k = Kind::Null;
    for &x in kinds {
        if x == Kind::Null {
            continue;
        }
        if k == Kind::Null {
            k = x;
        } else if k != x {
            return if matches!(
                (k, x),
                (Kind::Int, Kind::Number) | (Kind::Number, Kind::Int)
            ) {
                Kind::Number
            } else {
                Kind::Unknown
            };
        }
    }
    if k == Kind::Null {
        Kind::Unknown
    } else {
        k
    }
}

/// A short SQL-words name for an expression we do not translate.
pub(crate) fn describe(e: &Expr) -> String {
    let s = match e {
        Expr::SimilarTo { .. } => "SIMILAR TO",
        Expr::RLike { .. } => "regular-expression match",
        Expr::AllOp { .. } => "ALL (...)",
        Expr::AtTimeZone { .. } => "AT TIME ZONE",
        Expr::Collate { .. } => "COLLATE",
        Expr::Overlay { .. } => "OVERLAY",
        Expr::Tuple(_) => "row value (tuple)",
        Expr::GroupingSets(_) | Expr::Cube(_) | Expr::Rollup(_) => "GROUPING SETS / CUBE / ROLLUP",
        Expr::Convert { .. } => "CONVERT",
        Expr::Wildcard(_) | Expr::QualifiedWildcard(..) => "* in an expression",
        Expr::CompoundFieldAccess { .. } => "field access on a computed value",
        Expr::JsonAccess { .. } => "JSON access",
        _ => return format!("expression {e}"),
    };
    s.to_string()
}
