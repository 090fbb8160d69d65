//! CAST / `::` to INTEGER, BIGINT, NUMERIC, DOUBLE PRECISION, TEXT, BOOLEAN, TIMESTAMP[TZ], JSONB.

use super::datetime::parse_timestamp;
use super::literal::constant;
use super::{invalid, unsupported, Agg, Kind};
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use crate::translate::{Error, Translator};
use bson::{doc, Bson};
use sqlparser::ast::{DataType, Expr};

/// PG int casts round (numeric: half away from zero; double: half to even); `$toInt` truncates.
fn to_integer(op: fn(Bson) -> Bson, x: Bson) -> Bson {
    let away = ex::let_in(
        doc! {"d": ex::to_decimal(ex::var("v"))},
        ex::multiply(vec![
            ex::cond(ex::lt(ex::var("d"), 0), -1, 1).into(),
            ex::floor(ex::add(vec![ex::abs(ex::var("d")), Bson::Double(0.5)])),
        ]),
    );
    let conv = op(ex::switch(
        vec![
            (
                ex::eq(ex::type_of(ex::var("v")), "double").into(),
                ex::round(ex::var("v"), 0),
            ),
            (ex::eq(ex::type_of(ex::var("v")), "decimal").into(), away),
        ],
        ex::var("v"),
    ));
    ex::let_in(doc! {"v": x}, conv)
}

impl Translator {
    /// `CAST(x AS type)` / `x::type`.
    pub(crate) fn cast(
        &mut self,
        cx: &mut QueryContext,
        inner: &Expr,
        ty: &DataType,
        e: &Expr,
    ) -> Result<Agg, Error> {
        if let DataType::Array(def) = ty {
            return self.array_cast(cx, inner, def, e);
        }
        if let (
            DataType::Numeric(sqlparser::ast::ExactNumberInfo::None)
            | DataType::Decimal(sqlparser::ast::ExactNumberInfo::None),
            Some(text),
        ) = (ty, super::untyped::number_literal_text(inner))
        {
            // (with an exponent, `1e3`, the folded value: PostgreSQL writes it without one, `1000`.)
            // A numeric literal is PostgreSQL's numeric already: exact, its scale kept (`1.50`).
            if let Some(d) = text
                .parse::<bson::Decimal128>()
                .ok()
                .filter(|_| !text.contains(['e', 'E']))
            {
                let mut a = constant(Bson::Decimal128(d));
                a.kind = Kind::Number;
                return Ok(a);
            }
        }
        let a = self.agg(cx, inner)?;
        if let Some(c) = a.constant.clone() {
            if a.interval.is_none() {
                return self.cast_constant(c, ty, e);
            }
        }
        let x = a.expr.clone();
        let n = a.nullable;
        Ok(match ty {
            DataType::Int(_)
            | DataType::Integer(_)
            | DataType::Int4(_)
            | DataType::SmallInt(_)
            | DataType::Int2(_) => Agg::new(to_integer(ex::to_int, x.into()), Kind::Int, n),
            DataType::BigInt(_) | DataType::Int8(_) => {
                Agg::new(to_integer(ex::to_long, x.into()), Kind::Int, n)
            }
            DataType::Numeric(_) | DataType::Decimal(_) | DataType::Dec(_) => {
                Agg::new(ex::to_decimal(x), Kind::Number, n)
            }
            DataType::Double(_)
            | DataType::DoublePrecision
            | DataType::Float(_)
            | DataType::Float8
            | DataType::Real
            | DataType::Float4 => Agg::new(ex::to_double(x), Kind::Number, n),
            DataType::Text
            | DataType::Varchar(_)
            | DataType::CharacterVarying(_)
            | DataType::String(_) => self.text_of(a),
            DataType::Boolean | DataType::Bool => Agg::new(ex::to_bool(x), Kind::Bool, n),
            DataType::Timestamp(_, tz) => {
                let to_local = matches!(
                    tz,
                    sqlparser::ast::TimezoneInfo::None
                        | sqlparser::ast::TimezoneInfo::WithoutTimeZone
                );
                let mut d = Agg::new(ex::to_date(x), Kind::Timestamp, n);
                d.local_time = a.local_time;
                if d.local_time == to_local {
                    d
                } else {
                    // timestamp <-> timestamptz: the wall clock of the session time zone
                    let zone = self.session_zone().unwrap_or_else(|| "UTC".into());
                    super::time_fn::rezone(d, Bson::String(zone.clone()), Some(&zone))
                        .ok_or_else(|| invalid("timestamp out of range", e))?
                }
            }
            DataType::Date => {
                // the day of the instant in the session time zone, as the instant of its midnight there
                let mut spec = doc! {"date": ex::to_date(x), "unit": "day"};
                if let Some(z) = self.session_zone().filter(|_| !a.local_time) {
                    spec.insert("timezone", z);
                }
                let mut d = Agg::new(ex::date_trunc(spec), Kind::Timestamp, n);
                d.local_time = a.local_time;
                d
            }
            DataType::JSONB | DataType::JSON => Agg {
                kind: Kind::Unknown,
                ..a
            },
            DataType::Array(_) => {
                return Err(unsupported(Refusal::Type, format!("cast to {ty}"), e));
            }
            other => return Err(unsupported(Refusal::Type, format!("cast to {other}"), e)),
        })
    }

    /// A cast of a constant, folded at translation time.
    pub(crate) fn cast_constant(&mut self, v: Bson, ty: &DataType, e: &Expr) -> Result<Agg, Error> {
        if v == Bson::Null {
            return Ok(constant(Bson::Null));
        }
        let bad = || invalid(format!("invalid input for type {ty}: {v}"), e);
        Ok(match ty {
            DataType::Int(_)
            | DataType::Integer(_)
            | DataType::Int4(_)
            | DataType::SmallInt(_)
            | DataType::Int2(_)
            | DataType::BigInt(_)
            | DataType::Int8(_) => {
                let big = matches!(ty, DataType::BigInt(_) | DataType::Int8(_));
                let i: i64 = match &v {
                    Bson::Int32(i) => i64::from(*i),
                    Bson::Int64(i) => *i,
                    Bson::Double(d) => {
                        // numeric literal: half away from zero
                        let r = d.abs().add_half_floor() * d.signum();
                        if !r.is_finite() || r.abs() > 9.2e18 {
                            return Err(bad());
                        }
                        r as i64
                    }
                    Bson::String(s) => s.trim().parse().map_err(|_| bad())?,
                    Bson::Boolean(b) => i64::from(*b),
                    _ => return Err(bad()),
                };
                if big {
                    constant(Bson::Int64(i))
                } else {
                    constant(Bson::Int32(
                        i32::try_from(i).map_err(|_| invalid("integer out of range", e))?,
                    ))
                }
            }
            DataType::Numeric(_) | DataType::Decimal(_) | DataType::Dec(_) => {
                let text = match &v {
                    Bson::Int32(i) => i.to_string(),
                    Bson::Int64(i) => i.to_string(),
                    Bson::Double(d) => d.to_string(),
                    Bson::Decimal128(d) => d.to_string(),
                    Bson::String(s) => s.trim().to_string(),
                    _ => return Err(bad()),
                };
                let d: bson::Decimal128 = text.parse().map_err(|_| bad())?;
                let mut a = constant(Bson::Decimal128(d));
                a.kind = Kind::Number;
                a
            }
            DataType::Double(_)
            | DataType::DoublePrecision
            | DataType::Float(_)
            | DataType::Float8
            | DataType::Real
            | DataType::Float4 => {
                let f: f64 = match &v {
                    Bson::Int32(i) => f64::from(*i),
                    Bson::Int64(i) => *i as f64,
                    Bson::Double(d) => *d,
                    Bson::String(s) => s.trim().parse().map_err(|_| bad())?,
                    _ => return Err(bad()),
                };
                constant(Bson::Double(f))
            }
            DataType::Text
            | DataType::Varchar(_)
            | DataType::CharacterVarying(_)
            | DataType::String(_) => {
                let s = match &v {
                    Bson::String(s) => s.clone(),
                    Bson::Int32(i) => i.to_string(),
                    Bson::Int64(i) => i.to_string(),
                    Bson::Double(d) => d.to_string(),
                    // exact, as numeric's text; no exponent for the literals that fold here (`-0.10`)
                    Bson::Decimal128(d) if !d.to_string().contains('E') => d.to_string(),
                    Bson::Boolean(b) => b.to_string(),
                    _ => {
                        return Err(unsupported(
                            Refusal::Type,
                            format!("cast of {v} to text"),
                            e,
                        ))
                    }
                };
                constant(Bson::String(s))
            }
            DataType::Boolean | DataType::Bool => {
                let b = match &v {
                    Bson::Boolean(b) => *b,
                    Bson::Int32(i) => *i != 0,
                    Bson::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                        "t" | "true" | "y" | "yes" | "on" | "1" => true,
                        "f" | "false" | "n" | "no" | "off" | "0" => false,
                        _ => return Err(bad()),
                    },
                    _ => return Err(bad()),
                };
                constant(Bson::Boolean(b))
            }
            DataType::Timestamp(..) | DataType::Date => match &v {
                Bson::String(s) => match parse_timestamp(s) {
                    Some(d) => {
                        let local = matches!(
                            ty,
                            DataType::Timestamp(
                                _,
                                sqlparser::ast::TimezoneInfo::None
                                    | sqlparser::ast::TimezoneInfo::WithoutTimeZone
                            )
                        );
                        let d = if local {
                            d
                        } else {
                            self.zoned_literal(s, d).ok_or_else(bad)?
                        };
                        let mut c = constant(Bson::DateTime(d));
                        c.local_time = local;
                        c
                    }
                    None => return Err(bad()),
                },
                Bson::DateTime(_) => constant(v),
                _ => return Err(bad()),
            },
            DataType::JSONB | DataType::JSON => match &v {
                Bson::String(s) => constant(json_text_to_bson(s, e)?),
                _ => constant(v),
            },
            other => return Err(unsupported(Refusal::Type, format!("cast to {other}"), e)),
        })
    }
}

/// Parses JSON text into BSON (objects as documents), refusing `$`-prefixed and NUL-containing keys.
pub(crate) fn json_text_to_bson(s: &str, e: &Expr) -> Result<Bson, Error> {
    let v: serde_json::Value =
        serde_json::from_str(s).map_err(|err| invalid(format!("invalid JSON: {err}"), e))?;
    json_to_bson(&v, e)
}

fn json_to_bson(v: &serde_json::Value, e: &Expr) -> Result<Bson, Error> {
    Ok(match v {
        serde_json::Value::Null => Bson::Null,
        serde_json::Value::Bool(b) => Bson::Boolean(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                match i32::try_from(i) {
                    Ok(i) => Bson::Int32(i),
                    Err(_) => Bson::Int64(i),
                }
            } else {
                Bson::Double(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Bson::String(s.clone()),
        serde_json::Value::Array(a) => Bson::Array(
            a.iter()
                .map(|x| json_to_bson(x, e))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Object(o) => {
            let mut d = bson::Document::new();
            for (k, x) in o {
                if k.starts_with('$') || k.contains('\0') || k.contains('.') {
                    return Err(invalid(format!("JSON key \"{k}\" is not allowed (starts with '$' or contains '.' or NUL)"), e));
                }
                d.insert(k.clone(), json_to_bson(x, e)?);
            }
            Bson::Document(d)
        }
    })
}

trait HalfAway {
    fn add_half_floor(self) -> f64;
}

impl HalfAway for f64 {
    fn add_half_floor(self) -> f64 {
        (self + 0.5).floor()
    }
}
