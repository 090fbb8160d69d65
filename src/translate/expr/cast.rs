//! CAST / `::` to INTEGER, BIGINT, NUMERIC, DOUBLE PRECISION, TEXT, BOOLEAN, TIMESTAMP[TZ], JSONB.

use super::datetime::parse_timestamp;
use super::literal::constant;
use super::time_fn::zoned_literal_in;
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

/// `CAST(n AS numeric)` of a number literal whose signed text is `text`: a numeric literal is PostgreSQL's
/// numeric already, exact, its scale kept (`1.50`). `None` for another type, or a text with an exponent
/// (`1e3`: the folded value, which PostgreSQL writes without one, `1000`).
pub(crate) fn numeric_literal(ty: &DataType, text: &str) -> Option<Bson> {
    if !matches!(
        ty,
        DataType::Numeric(sqlparser::ast::ExactNumberInfo::None)
            | DataType::Decimal(sqlparser::ast::ExactNumberInfo::None)
    ) || text.contains(['e', 'E'])
    {
        return None;
    }
    text.parse::<bson::Decimal128>().ok().map(Bson::Decimal128)
}

/// Whether `ty` is `timestamp with time zone` (`timestamptz`) without a precision (which would round).
fn is_timestamptz(ty: &DataType) -> bool {
    matches!(
        ty,
        DataType::Timestamp(
            None,
            sqlparser::ast::TimezoneInfo::WithTimeZone | sqlparser::ast::TimezoneInfo::Tz
        )
    )
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
        if let Some(d) =
            super::untyped::number_literal_text(inner).and_then(|text| numeric_literal(ty, &text))
        {
            let mut a = constant(d);
            a.kind = Kind::Number;
            return Ok(a);
        }
        let a = self.agg(cx, inner)?;
        if is_timestamptz(ty) && !a.local_time && self.declared_timestamptz(cx, inner) {
            // the collection's validator admits a date or NULL there: `$toDate` would give the value back
            return Ok(a);
        }
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

    /// A cast of a constant, folded at translation time ([`fold_cast`] in the session time zone).
    pub(crate) fn cast_constant(&mut self, v: Bson, ty: &DataType, e: &Expr) -> Result<Agg, Error> {
        let zone = self.session_zone();
        let (value, local_time) = fold_cast(v, ty, zone.as_deref()).map_err(|r| match r {
            CastRefusal::Invalid(message) => invalid(message, e),
            CastRefusal::Unsupported(construct) => unsupported(Refusal::Type, construct, e),
        })?;
        let numeric = matches!(
            ty,
            DataType::Numeric(_) | DataType::Decimal(_) | DataType::Dec(_)
        );
        let mut a = constant(value);
        if numeric && a.constant != Some(Bson::Null) {
            a.kind = Kind::Number;
        }
        a.local_time = local_time;
        Ok(a)
    }
}

/// Why a constant does not cast: the translator reports it at the cast ([`invalid`] / [`unsupported`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CastRefusal {
    /// The value is not of the type (`invalid input for type integer: "x"`, `integer out of range`).
    Invalid(String),
    /// A cast the translator does not fold or make (the construct, in SQL words).
    Unsupported(String),
}

/// `CAST(v AS ty)` of a constant `v`, as PostgreSQL computes it: the value, and whether it is a wall-clock
/// time (`timestamp` without time zone). `zone` is the session time zone (`None`: UTC), in which a
/// `timestamptz` text without an offset is read. The one folding of constant casts: the translator's
/// [`Translator::cast_constant`] and the bulk-load plan of a declared table (`translate::literal_insert`).
pub(crate) fn fold_cast(
    v: Bson,
    ty: &DataType,
    zone: Option<&str>,
) -> Result<(Bson, bool), CastRefusal> {
    if v == Bson::Null {
        return Ok((Bson::Null, false));
    }
    let bad = |v: &Bson| CastRefusal::Invalid(format!("invalid input for type {ty}: {v}"));
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
                        return Err(bad(&v));
                    }
                    r as i64
                }
                Bson::String(s) => s.trim().parse().map_err(|_| bad(&v))?,
                Bson::Boolean(b) => i64::from(*b),
                _ => return Err(bad(&v)),
            };
            if big {
                (Bson::Int64(i), false)
            } else {
                let i = i32::try_from(i)
                    .map_err(|_| CastRefusal::Invalid("integer out of range".into()))?;
                (Bson::Int32(i), false)
            }
        }
        DataType::Numeric(_) | DataType::Decimal(_) | DataType::Dec(_) => {
            let d: bson::Decimal128 = match &v {
                Bson::Int32(i) => i.to_string().parse(),
                Bson::Int64(i) => i.to_string().parse(),
                Bson::Double(d) => d.to_string().parse(),
                Bson::Decimal128(d) => d.to_string().parse(),
                Bson::String(s) => s.trim().parse(),
                _ => return Err(bad(&v)),
            }
            .map_err(|_| bad(&v))?;
            (Bson::Decimal128(d), false)
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
                Bson::String(s) => s.trim().parse().map_err(|_| bad(&v))?,
                _ => return Err(bad(&v)),
            };
            (Bson::Double(f), false)
        }
        DataType::Text
        | DataType::Varchar(_)
        | DataType::CharacterVarying(_)
        | DataType::String(_) => {
            let s = match v {
                Bson::String(s) => s,
                Bson::Int32(i) => i.to_string(),
                Bson::Int64(i) => i.to_string(),
                Bson::Double(d) => d.to_string(),
                // exact, as numeric's text; no exponent for the literals that fold here (`-0.10`)
                Bson::Decimal128(d) if !d.to_string().contains('E') => d.to_string(),
                Bson::Boolean(b) => b.to_string(),
                v => return Err(CastRefusal::Unsupported(format!("cast of {v} to text"))),
            };
            (Bson::String(s), false)
        }
        DataType::Boolean | DataType::Bool => {
            let b = match &v {
                Bson::Boolean(b) => *b,
                Bson::Int32(i) => *i != 0,
                Bson::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "t" | "true" | "y" | "yes" | "on" | "1" => true,
                    "f" | "false" | "n" | "no" | "off" | "0" => false,
                    _ => return Err(bad(&v)),
                },
                _ => return Err(bad(&v)),
            };
            (Bson::Boolean(b), false)
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
                        zoned_literal_in(zone, s, d).ok_or_else(|| bad(&v))?
                    };
                    (Bson::DateTime(d), local)
                }
                None => return Err(bad(&v)),
            },
            Bson::DateTime(_) => (v, false),
            _ => return Err(bad(&v)),
        },
        DataType::JSONB | DataType::JSON => match v {
            Bson::String(s) => (json_text_value(&s).map_err(CastRefusal::Invalid)?, false),
            v => (v, false),
        },
        other => return Err(CastRefusal::Unsupported(format!("cast to {other}"))),
    })
}

/// Parses JSON text into BSON (objects as documents), refusing `$`-prefixed, dotted and NUL-containing
/// keys; the refusal's message otherwise.
pub(crate) fn json_text_value(s: &str) -> Result<Bson, String> {
    let v: serde_json::Value =
        serde_json::from_str(s).map_err(|err| format!("invalid JSON: {err}"))?;
    json_to_bson(&v)
}

fn json_to_bson(v: &serde_json::Value) -> Result<Bson, String> {
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
        serde_json::Value::Array(a) => {
            Bson::Array(a.iter().map(json_to_bson).collect::<Result<_, _>>()?)
        }
        serde_json::Value::Object(o) => {
            let mut d = bson::Document::new();
            for (k, x) in o {
                if k.starts_with('$') || k.contains('\0') || k.contains('.') {
                    return Err(format!(
                        "JSON key \"{k}\" is not allowed (starts with '$' or contains '.' or NUL)"
                    ));
                }
                d.insert(k.clone(), json_to_bson(x)?);
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
