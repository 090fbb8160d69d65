//! Array functions, angle conversions, byte lengths and timestamp precision, with PostgreSQL's NULL rules:
//!
//! - `array_length(a, 1)`: `$size`, but NULL for an empty array (PostgreSQL has no dimension there) and for
//!   NULL; only dimension 1 (a BSON array of arrays is not a PostgreSQL multi-dimensional array).
//!   `cardinality(a)`: `$size` (0 for an empty array), NULL for NULL.
//! - `array_position(a, x [, start])`: `$indexOfArray` + 1, NULL when not found; PostgreSQL compares with IS
//!   NOT DISTINCT FROM, so a NULL `x` finds the first NULL element, as `$indexOfArray` does.
//! - `array_remove(a, x)`: `$filter` of the elements not equal to x (`array_remove(a, NULL)` removes NULLs).
//! - `array_append(a, x)`, `array_prepend(x, a)`, `array_cat(a, b)`: `$concatArrays`, a NULL array read as
//!   empty (PostgreSQL's rules; `array_cat(NULL, NULL)` is NULL).
//! - `degrees(x)` / `radians(x)`: PostgreSQL's own double arithmetic, `x / RADIANS_PER_DEGREE` and
//!   `x * RADIANS_PER_DEGREE` (MongoDB's `$radiansToDegrees` multiplies by 180/pi, a last-bit difference).
//! - `octet_length(s)` / `bit_length(s)`: `$strLenBytes` (UTF-8 bytes) and 8 times it.
//! - `CURRENT_TIMESTAMP(p)` / `LOCALTIMESTAMP(p)`: MongoDB's `$$NOW` has milliseconds, so p >= 3 is exact;
//!   p < 3 rounds the milliseconds to p fractional digits, half up, as PostgreSQL rounds its microseconds.

use super::function::null_guard;
use super::{invalid, unsupported, Agg, Kind};
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::nulls::{is_null, or};
use crate::translate::{Error, Refusal, Translator};
use bson::Bson;
use sqlparser::ast::{Expr, Function, FunctionArgumentList, FunctionArguments, ObjectName};

/// PostgreSQL's `RADIANS_PER_DEGREE` (float.h), the double it divides and multiplies by.
const RADIANS_PER_DEGREE: f64 = 0.017_453_292_519_943_295;

/// `then` when the expression is an array, else NULL.
fn array_or_null(a: &Agg, then: Bson) -> Bson {
    ex::cond(ex::is_array(a.expr.clone()), then, Bson::Null).into()
}

impl Translator {
    /// The functions of this file; `None` when `name` is none of them.
    pub(crate) fn array_function(
        &mut self,
        cx: &mut QueryContext,
        name: &str,
        f: &Function,
        args: &[&Expr],
        e: &Expr,
    ) -> Result<Option<Agg>, Error> {
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
        let out = match name {
            "array_length" => {
                want(2)?;
                let a = self.agg(cx, args[0])?;
                match self.agg(cx, args[1])?.constant {
                    Some(Bson::Int32(1)) => {}
                    Some(Bson::Null) => return Ok(Some(Agg::new(Bson::Null, Kind::Int, true))),
                    _ => {
                        return Err(unsupported(
                            Refusal::Function,
                            "array_length with a dimension other than the constant 1 (BSON arrays of arrays are not PostgreSQL's multi-dimensional arrays)",
                            args[1],
                        ))
                    }
                }
                let n = ex::size(ex::var("a"));
                Agg::new(
                    ex::let_in(
                        bson::doc! {"a": a.expr.clone()},
                        ex::cond(
                            ex::is_array(ex::var("a")),
                            ex::cond(ex::eq(n.clone(), 0), Bson::Null, n),
                            Bson::Null,
                        ),
                    ),
                    Kind::Int,
                    true,
                )
            }
            "cardinality" => {
                want(1)?;
                let a = self.agg(cx, args[0])?;
                // Bound first: `{$size: []}` would read an array literal as the argument list.
                Agg::new(
                    ex::let_in(
                        bson::doc! {"a": a.expr},
                        ex::cond(
                            ex::is_array(ex::var("a")),
                            ex::size(ex::var("a")),
                            Bson::Null,
                        ),
                    ),
                    Kind::Int,
                    true,
                )
            }
            "array_position" => {
                if !(2..=3).contains(&argc) {
                    return Err(invalid("array_position() takes 2 or 3 arguments", e));
                }
                let a = self.agg(cx, args[0])?;
                let x = self.agg(cx, args[1])?;
                let start = match args.get(2) {
                    None => Bson::Int32(0),
                    Some(s) => {
                        let s = self.agg(cx, s)?;
                        // PostgreSQL: a NULL start is NULL; a start before 1 searches from the first.
                        ex::cond(
                            is_null(&s.expr),
                            Bson::Null,
                            ex::max(vec![ex::to_int(ex::subtract(s.expr, 1)), Bson::Int32(0)]),
                        )
                        .into()
                    }
                };
                let found = ex::index_of_array(ex::var("a"), ex::or_null(x.expr), ex::var("st"));
                Agg::new(
                    ex::let_in(
                        bson::doc! {"a": a.expr, "st": start},
                        ex::cond(
                            or(vec![
                                ex::not(ex::is_array(ex::var("a"))),
                                ex::eq(ex::var("st"), Bson::Null),
                            ]),
                            Bson::Null,
                            ex::let_in(
                                bson::doc! {"i": found},
                                ex::cond(
                                    ex::lt(ex::var("i"), 0),
                                    Bson::Null,
                                    ex::add(vec![ex::var("i").into(), Bson::Int32(1)]),
                                ),
                            ),
                        ),
                    ),
                    Kind::Int,
                    true,
                )
            }
            "array_remove" => {
                want(2)?;
                let a = self.agg(cx, args[0])?;
                let x = self.agg(cx, args[1])?;
                let kept =
                    ex::filter_array(a.expr.clone(), ex::ne(ex::this(), ex::or_null(x.expr)));
                Agg::new(array_or_null(&a, kept), Kind::Array, true)
            }
            "array_append" | "array_prepend" => {
                want(2)?;
                let (a, x) = if name == "array_append" {
                    (self.agg(cx, args[0])?, self.agg(cx, args[1])?)
                } else {
                    let x = self.agg(cx, args[0])?;
                    (self.agg(cx, args[1])?, x)
                };
                let a = ex::if_null(a.expr, Bson::Array(Vec::new()));
                let one = Bson::Array(vec![ex::or_null(x.expr).into()]);
                let parts = if name == "array_append" {
                    vec![a.into(), one]
                } else {
                    vec![one, a.into()]
                };
                Agg::new(ex::concat_arrays(parts), Kind::Array, false)
            }
            "array_cat" => {
                want(2)?;
                let a = self.agg(cx, args[0])?;
                let b = self.agg(cx, args[1])?;
                let both_null =
                    crate::translate::nulls::and(vec![is_null(&a.expr), is_null(&b.expr)]);
                Agg::new(
                    ex::cond(
                        both_null,
                        Bson::Null,
                        ex::concat_arrays(vec![
                            ex::if_null(a.expr, Bson::Array(Vec::new())).into(),
                            ex::if_null(b.expr, Bson::Array(Vec::new())).into(),
                        ]),
                    ),
                    Kind::Array,
                    true,
                )
            }
            "pi" => {
                want(0)?;
                let mut a = Agg::new(Bson::Double(std::f64::consts::PI), Kind::Number, false);
                a.constant = Some(Bson::Double(std::f64::consts::PI));
                a
            }
            "degrees" | "radians" => {
                want(1)?;
                let x = self.agg(cx, args[0])?;
                let d = ex::to_double(x.expr.clone());
                let r = Bson::Double(RADIANS_PER_DEGREE);
                let v = if name == "degrees" {
                    ex::divide(d, r)
                } else {
                    ex::multiply(vec![d, r])
                };
                null_guard(&x, v, Kind::Number)
            }
            "octet_length" | "bit_length" => {
                want(1)?;
                let s = self.agg(cx, args[0])?;
                let s = self.text_of(s);
                let bytes = ex::str_len_bytes(s.expr.clone());
                let v = if name == "bit_length" {
                    ex::multiply(vec![bytes, Bson::Int32(8)])
                } else {
                    bytes
                };
                null_guard(&s, v, Kind::Int)
            }
            "current_timestamp" | "localtimestamp" if argc == 1 => {
                let p = match self.agg(cx, args[0])?.constant {
                    Some(Bson::Int32(p)) if p >= 0 => p,
                    Some(Bson::Int32(p)) => {
                        return Err(invalid(
                            format!("{}({p}) precision must not be negative", f.name),
                            e,
                        ))
                    }
                    _ => {
                        return Err(invalid(
                            format!("{}() takes an integer constant precision", f.name),
                            e,
                        ))
                    }
                };
                // NOW() as the 0-argument form translates it.
                let mut bare = f.clone();
                bare.name = ObjectName::from(vec![sqlparser::ast::Ident::new("now")]);
                bare.args = FunctionArguments::List(FunctionArgumentList {
                    duplicate_treatment: None,
                    args: Vec::new(),
                    clauses: Vec::new(),
                });
                let now = self.function(cx, &bare, e)?;
                if p >= 3 {
                    now
                } else {
                    let unit = 10_i64.pow(3 - p as u32);
                    let ms = ex::to_long(now.expr);
                    let rounded = ex::multiply(vec![
                        ex::floor(ex::divide(
                            ex::add(vec![ms, Bson::Int64(unit / 2)]),
                            Bson::Int64(unit),
                        )),
                        Bson::Int64(unit),
                    ]);
                    Agg::new(ex::to_date(ex::to_long(rounded)), Kind::Timestamp, false)
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(out))
    }
}
