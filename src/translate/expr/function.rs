//! Scalar functions (COALESCE, NULLIF, GREATEST, ROUND, string functions, NOW(), DATE_TRUNC) and the
//! special-syntax string functions (SUBSTRING, POSITION, TRIM).

use super::{invalid, unsupported, Agg, Kind};
use crate::mql::expr::{self as ex, TrimEnds};
use crate::translate::context::QueryContext;
use crate::translate::nulls::is_null;
use crate::translate::Refusal;
use crate::translate::{Error, Translator};
use bson::{doc, Bson};
use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments,
    TrimWhereField,
};

/// The plain expression arguments of a scalar function call; anything else is refused.
pub(crate) fn plain_args<'a>(f: &'a Function, e: &Expr) -> Result<Vec<&'a Expr>, Error> {
    match &f.args {
        FunctionArguments::None => Ok(Vec::new()),
        FunctionArguments::Subquery(_) => Err(unsupported(
            Refusal::Function,
            "subquery as a function argument",
            e,
        )),
        FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment,
            args,
            clauses,
        }) => {
            if duplicate_treatment.is_some() {
                return Err(unsupported(
                    Refusal::Function,
                    format!("DISTINCT in {}()", f.name),
                    e,
                ));
            }
            if !clauses.is_empty() {
                return Err(unsupported(
                    Refusal::Function,
                    format!("clauses inside {}()", f.name),
                    e,
                ));
            }
            let mut out = Vec::new();
            for a in args {
                match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => out.push(x),
                    _ => {
                        return Err(unsupported(
                            Refusal::Function,
                            format!("argument {a} of {}()", f.name),
                            e,
                        ))
                    }
                }
            }
            Ok(out)
        }
    }
}

/// Names of the aggregate functions we translate.
pub(crate) fn is_aggregate_name(name: &str) -> bool {
    matches!(name, "count" | "sum" | "avg" | "min" | "max")
        || crate::translate::ordered_agg::is_collecting_aggregate(name)
        || crate::translate::stats_agg::is_statistics_aggregate(name)
}

impl Translator {
    /// A function call.
    pub(crate) fn function(
        &mut self,
        cx: &mut QueryContext,
        f: &Function,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let name = crate::translate::names::function_name(&f.name);
        if name == "grouping" && f.over.is_none() {
            return self.grouping_call(cx, f, e);
        }
        if is_aggregate_name(&name) || f.over.is_some() {
            return self.aggregate_call(cx, f, e);
        }
        if crate::translate::srf::is_set_returning(&name) {
            return self.srf_call(cx, &name, e);
        }
        let Function {
            name: _,
            uses_odbc_syntax,
            parameters,
            args: _,
            within_group,
            filter,
            null_treatment,
            over: _,
        } = f;
        if *uses_odbc_syntax
            || !matches!(parameters, FunctionArguments::None)
            || !within_group.is_empty()
            || null_treatment.is_some()
        {
            return Err(unsupported(
                Refusal::Function,
                format!("this form of {}()", f.name),
                e,
            ));
        }
        if filter.is_some() {
            return Err(invalid(
                format!(
                    "FILTER is only allowed on aggregate functions, not {}()",
                    f.name
                ),
                e,
            ));
        }
        if let Some(done) = self.json_function(cx, &name, f, e)? {
            return Ok(done);
        }
        let args = plain_args(f, e)?;
        if let Some(done) = self.array_function(cx, &name, f, &args, e)? {
            return Ok(done);
        }
        if let Some(done) = self.json_more_function(cx, &name, &args, e)? {
            return Ok(done);
        }
        if let Some(done) = self.time_function(cx, &name, &args, e)? {
            return Ok(done);
        }
        let argc = args.len();
        let want = |n: usize| -> Result<(), Error> {
            if argc == n {
                Ok(())
            } else {
                Err(invalid(
                    format!("{}() takes {n} argument(s), got {argc}", f.name),
                    e,
                ))
            }
        };
        match name.as_str() {
            "now"
            | "current_timestamp"
            | "localtimestamp"
            | "transaction_timestamp"
            | "statement_timestamp" => {
                want(0)?;
                Ok(Agg::new(ex::now(), Kind::Timestamp, false))
            }
            "coalesce" => {
                if argc < 1 {
                    return Err(invalid("COALESCE() needs at least one argument", e));
                }
                let mut parts = Vec::new();
                let mut nullable = true;
                let mut intervals = 0;
                for a in &args {
                    let x = self.agg(cx, a)?;
                    nullable &= x.nullable;
                    match x.kind {
                        Kind::Interval => intervals += 1,
                        Kind::Null => {}
                        _ => intervals = usize::MAX / 2,
                    }
                    parts.push(x.expr);
                }
                if parts.len() == 1 {
                    parts.push(Bson::Null.into());
                }
                // intervals stay intervals (their documents are what the arguments hold)
                let kind = if (1..=args.len()).contains(&intervals) {
                    Kind::Interval
                } else {
                    Kind::Unknown
                };
                Ok(Agg::new(ex::if_null_all(parts), kind, nullable))
            }
            "nullif" => {
                want(2)?;
                let a = self.agg(cx, args[0])?;
                let b = self.agg(cx, args[1])?;
                let same = crate::translate::nulls::and(vec![
                    crate::translate::nulls::not_null(&a.expr),
                    crate::translate::nulls::not_null(&b.expr),
                    ex::eq(a.expr.clone(), b.expr),
                ]);
                Ok(Agg::new(ex::cond(same, Bson::Null, a.expr), a.kind, true))
            }
            // PG ignores NULL arguments; so do the expression forms of $max / $min.
            "greatest" | "least" => {
                if argc < 1 {
                    return Err(invalid(format!("{}() needs arguments", f.name), e));
                }
                let mut xs = Vec::new();
                for a in &args {
                    xs.push(self.agg(cx, a)?);
                }
                let nullable = xs.iter().all(|x| x.nullable);
                // intervals by their span, of equal spans the first argument (interval_extreme.rs)
                let greatest = name == "greatest";
                if xs.iter().any(|x| x.kind == Kind::Interval) {
                    let xs = xs.into_iter().map(|x| x.expr.into()).collect();
                    let v = super::interval_extreme::extreme(xs, greatest);
                    return Ok(Agg::new(v, Kind::Interval, nullable));
                }
                let parts: Vec<Bson> = xs.into_iter().map(|x| x.expr.into()).collect();
                let m = if greatest {
                    ex::max(parts)
                } else {
                    ex::min(parts)
                };
                Ok(Agg::new(m, Kind::Unknown, nullable))
            }
            "abs" => {
                want(1)?;
                let a = self.agg(cx, args[0])?;
                Ok(Agg::new(ex::abs(a.expr), a.kind, a.nullable))
            }
            "ceil" | "ceiling" | "floor" | "sqrt" | "exp" | "ln" => {
                want(1)?;
                let a = self.agg(cx, args[0])?;
                let op = match name.as_str() {
                    "ceil" | "ceiling" => ex::ceil,
                    "floor" => ex::floor,
                    "sqrt" => ex::sqrt,
                    "exp" => ex::exp,
                    _ => ex::ln,
                };
                Ok(Agg::new(op(a.expr), Kind::Number, a.nullable))
            }
            "round" => {
                if argc != 1 && argc != 2 {
                    return Err(invalid("ROUND() takes 1 or 2 arguments", e));
                }
                let a = self.agg(cx, args[0])?;
                let places = match args.get(1) {
                    Some(p) => match self.agg(cx, p)?.constant {
                        Some(Bson::Int32(n)) => Some(n),
                        _ => {
                            return Err(unsupported(
                                Refusal::Function,
                                "ROUND with a non-constant number of places",
                                p,
                            ))
                        }
                    },
                    None => None,
                };
                // A numeric literal (`ROUND(2.5)`) is NUMERIC in PostgreSQL although it is a double in BSON.
                Ok(round(a, places, is_numeric_literal(args[0])))
            }
            "lower" | "upper" => {
                want(1)?;
                let a = self.agg(cx, args[0])?;
                let a = self.text_of(a);
                let cased = if name == "lower" {
                    ex::to_lower(a.expr.clone())
                } else {
                    ex::to_upper(a.expr.clone())
                };
                // $toLower(null) is "" in MongoDB; PG gives NULL.
                Ok(null_guard(&a, cased, Kind::Text))
            }
            "length" | "char_length" | "character_length" => {
                want(1)?;
                let a = self.agg(cx, args[0])?;
                let a = self.text_of(a);
                Ok(null_guard(&a, ex::str_len_cp(a.expr.clone()), Kind::Int))
            }
            "concat" => {
                // PG's CONCAT skips NULL arguments.
                let mut parts = Vec::new();
                for a in &args {
                    let x = self.agg(cx, a)?;
                    let x = self.text_of(x);
                    parts.push(Bson::from(if x.nullable {
                        ex::if_null(x.expr, "")
                    } else {
                        x.expr
                    }));
                }
                Ok(Agg::new(ex::concat(parts), Kind::Text, false))
            }
            "replace" => {
                want(3)?;
                let s = self.agg(cx, args[0])?;
                let from = self.agg(cx, args[1])?;
                let to = self.agg(cx, args[2])?;
                let nullable = s.nullable || from.nullable || to.nullable;
                // PostgreSQL leaves the text unchanged when the pattern is empty; MongoDB's $replaceAll
                // inserts the replacement between every character. Still NULL when any argument is.
                let unchanged = if to.nullable {
                    ex::cond(
                        crate::translate::nulls::is_null(&to.expr),
                        Bson::Null,
                        s.expr.clone(),
                    )
                } else {
                    s.expr.clone()
                };
                let replace = ex::replace_all(s.expr, from.expr.clone(), to.expr);
                let expr = match &from.constant {
                    Some(Bson::String(f)) if f.is_empty() => unchanged,
                    Some(_) => replace.into(),
                    None => ex::cond(ex::eq(from.expr, ""), unchanged, replace),
                };
                Ok(Agg::new(expr, Kind::Text, nullable))
            }
            "split_part" => {
                want(3)?;
                let s = self.agg(cx, args[0])?;
                let d = self.agg(cx, args[1])?;
                let n = match self.agg(cx, args[2])?.constant {
                    Some(Bson::Int32(n)) if n != 0 => n,
                    _ => {
                        return Err(unsupported(
                            Refusal::Function,
                            "SPLIT_PART with a field number that is not a non-zero constant",
                            args[2],
                        ))
                    }
                };
                let idx = if n > 0 { n - 1 } else { n };
                // PG returns '' for a field beyond the end; $arrayElemAt gives missing there.
                let part = ex::if_null(
                    ex::array_elem_at(ex::split(s.expr.clone(), d.expr.clone()), idx),
                    "",
                );
                let guard = crate::translate::nulls::or(vec![is_null(&s.expr), is_null(&d.expr)]);
                Ok(Agg::new(
                    ex::cond(guard, Bson::Null, part),
                    Kind::Text,
                    s.nullable || d.nullable,
                ))
            }
            "strpos" => {
                want(2)?;
                self.position(cx, args[1], args[0])
            }
            _ => Err(invalid(
                format!("unknown or unsupported function {}()", f.name),
                e,
            )),
        }
    }

    /// `SUBSTRING(s FROM start [FOR len])` with constant bounds (PG's 1-based rules, including start < 1).
    pub(crate) fn substring(
        &mut self,
        cx: &mut QueryContext,
        s: &Expr,
        from: Option<&Expr>,
        len: Option<&Expr>,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let a = self.agg(cx, s)?;
        let a = self.text_of(a);
        let start = match from {
            Some(x) => match self.agg(cx, x)?.constant {
                Some(Bson::Int32(n)) => i64::from(n),
                _ => {
                    return Err(unsupported(
                        Refusal::Function,
                        "SUBSTRING with a non-constant start",
                        x,
                    ))
                }
            },
            None => 1,
        };
        let count = match len {
            Some(x) => match self.agg(cx, x)?.constant {
                Some(Bson::Int32(n)) if n >= 0 => Some(i64::from(n)),
                Some(Bson::Int32(_)) => {
                    return Err(invalid("negative substring length not allowed", x))
                }
                _ => {
                    return Err(unsupported(
                        Refusal::Function,
                        "SUBSTRING with a non-constant length",
                        x,
                    ))
                }
            },
            None => None,
        };
        // PG: characters from position start (1-based) up to start + len; positions below 1 are cut off.
        let end = count.map(|c| start + c);
        let begin = start.max(1);
        let take = match end {
            Some(end) => Bson::Int64((end - begin).max(0)),
            None => ex::str_len_cp(a.expr.clone()),
        };
        let body = ex::substr_cp(a.expr.clone(), begin - 1, take);
        let _ = e;
        Ok(null_guard(&a, body, Kind::Text))
    }

    /// `POSITION(needle IN haystack)`: 1-based, 0 when absent.
    pub(crate) fn position(
        &mut self,
        cx: &mut QueryContext,
        needle: &Expr,
        haystack: &Expr,
    ) -> Result<Agg, Error> {
        let n = self.agg(cx, needle)?;
        let h = self.agg(cx, haystack)?;
        let body = ex::add(vec![
            ex::index_of_cp(h.expr.clone(), n.expr.clone()),
            Bson::Int32(1),
        ]);
        let guard = crate::translate::nulls::or(vec![is_null(&h.expr), is_null(&n.expr)]);
        let nullable = n.nullable || h.nullable;
        let expr = if nullable {
            ex::cond(guard, Bson::Null, body)
        } else {
            body.into()
        };
        Ok(Agg::new(expr, Kind::Int, nullable))
    }

    /// `TRIM([BOTH|LEADING|TRAILING] [chars FROM] s)`; PG trims spaces only by default.
    pub(crate) fn trim(
        &mut self,
        cx: &mut QueryContext,
        s: &Expr,
        where_: Option<&TrimWhereField>,
        what: Option<&Expr>,
    ) -> Result<Agg, Error> {
        let a = self.agg(cx, s)?;
        let chars = match what {
            Some(w) => self.agg(cx, w)?.expr,
            None => Bson::String(" ".into()).into(),
        };
        let ends = match where_ {
            Some(TrimWhereField::Leading) => TrimEnds::Leading,
            Some(TrimWhereField::Trailing) => TrimEnds::Trailing,
            _ => TrimEnds::Both,
        };
        Ok(Agg::new(
            ex::trim(ends, a.expr, Some(chars.into())),
            Kind::Text,
            a.nullable,
        ))
    }
}

/// `expr` unless the input is NULL, then NULL (for MongoDB operators that turn null into "" or fail on it).
pub(crate) fn null_guard(input: &Agg, expr: Bson, kind: Kind) -> Agg {
    if input.nullable {
        Agg::new(ex::cond(is_null(&input.expr), Bson::Null, expr), kind, true)
    } else {
        Agg::new(expr, kind, false)
    }
}

/// PG ROUND: numeric rounds half away from zero; `ROUND(double precision)` rounds half to even. MongoDB's
/// `$round` is half to even, so numeric rounding is computed as sign(x) * floor(|x| * 10^n + 0.5) / 10^n in
/// decimal arithmetic.
/// Places of ROUND computed exactly in decimal (|x| * 10^n within the 28 digits of the embedded engine's
/// decimals for |x| < 7.9e8; mongod's decimal128 keeps 34), as mongod's own `$round` range starts at -20.
const EXACT_PLACES: i32 = 20;

fn round(a: Agg, places: Option<i32>, numeric_literal: bool) -> Agg {
    let n = places.unwrap_or(0);
    if n > EXACT_PLACES {
        // Rounding past the 20th decimal leaves every value that has no digit beyond it (a decimal of at most
        // 20 places, a double of magnitude >= 1e-5 or so) as it is: PostgreSQL's ROUND(2.5, 308) is 2.5.
        // (10^308 overflowed to Infinity, 10^400 to NaN.)
        let mut out = Agg::new(ex::to_decimal(a.expr), Kind::Number, a.nullable);
        out.constant = None;
        return out;
    }
    if n < -EXACT_PLACES {
        // Nearest multiple of 10^k, k > 20, half away from zero, in double arithmetic (a double's magnitude is
        // below 1.8e308, so past k = 308 every value rounds to 0: PostgreSQL's ROUND(123.456, -400) is 0).
        let k = n.unsigned_abs();
        let expr = if k > 308 {
            ex::cond(crate::translate::nulls::is_null(&a.expr), Bson::Null, 0.0)
        } else {
            let scale = 10f64.powi(k as i32);
            // (+ 0.0: a negative value rounded to zero is 0, not -0.)
            ex::let_in(
                doc! {"v": ex::to_double(a.expr)},
                ex::add(vec![
                    ex::multiply(vec![
                        ex::cond(ex::lt(ex::var("v"), 0), -1, 1).into(),
                        ex::floor(ex::add(vec![
                            ex::divide(ex::abs(ex::var("v")), scale),
                            Bson::Double(0.5),
                        ])),
                        scale.into(),
                    ]),
                    Bson::Double(0.0),
                ]),
            )
            .into()
        };
        let mut out = Agg::new(expr, Kind::Number, a.nullable);
        out.constant = None;
        return out;
    }
    let scale = bson::Decimal128::from_bytes(decimal_pow10(n));
    let away = ex::let_in(
        doc! {"v": ex::to_decimal(a.expr.clone())},
        ex::multiply(vec![
            ex::cond(ex::lt(ex::var("v"), 0), -1, 1).into(),
            ex::divide(
                ex::floor(ex::add(vec![
                    ex::multiply(vec![ex::abs(ex::var("v")), scale.into()]),
                    Bson::Double(0.5),
                ])),
                scale,
            ),
        ]),
    );
    let expr = match places {
        Some(_) => away,
        None if numeric_literal => away,
        None => ex::cond(
            ex::eq(ex::type_of(a.expr.clone()), "double"),
            ex::round(a.expr, 0),
            away,
        )
        .into(),
    };
    let mut out = Agg::new(expr, Kind::Number, a.nullable);
    out.constant = None;
    out
}

/// The Decimal128 bytes of 10^n (n may be negative), built from its decimal string.
fn decimal_pow10(n: i32) -> [u8; 16] {
    let s = if n >= 0 {
        format!("1E+{n}")
    } else {
        format!("1E{n}")
    };
    s.parse::<bson::Decimal128>()
        .map(|d| d.bytes())
        .unwrap_or([0; 16])
}

/// Whether `e` is a numeric literal with a fractional part or exponent, possibly negated (NUMERIC in PG).
fn is_numeric_literal(e: &sqlparser::ast::Expr) -> bool {
    use sqlparser::ast::{Expr, UnaryOperator, Value};
    match e {
        Expr::Value(v) => matches!(&v.value, Value::Number(n, _) if n.contains(['.', 'e', 'E'])),
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            expr,
        } => is_numeric_literal(expr),
        Expr::Nested(inner) => is_numeric_literal(inner),
        _ => false,
    }
}
