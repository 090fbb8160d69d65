//! Types and conversions: `$type $isNumber $toString $toInt $toLong $toDouble $toDecimal $toDate $toBool
//! $toObjectId $convert`. Null and missing convert to null; an impossible conversion is error 241
//! `ConversionFailure` (or `onError` in `$convert`).

use super::{nullish, Node, Op, Vars};
use crate::engine::bson_order::type_name;
use crate::engine::error_codes::ErrorCode;
use crate::engine::numeric::{self, Num};
use crate::engine::CommandError;
use bson::{Bson, Document};
use rust_decimal::prelude::ToPrimitive;
use std::str::FromStr;

fn failure(msg: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::ConversionFailure, msg)
}

/// A double as mongod prints it (`1.5`, `3`, `1e+21`, `NaN`, `Infinity`).
pub(crate) fn double_to_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    let abs = d.abs();
    if abs != 0.0 && !(1e-4..1e15).contains(&abs) {
        let s = format!("{d:e}");
        // Rust prints 1e21 / 1.5e-7; mongod prints 1e+21 / 1.5e-07.
        if let Some((m, e)) = s.split_once('e') {
            let (sign, digits) = if let Some(x) = e.strip_prefix('-') {
                ("-", x)
            } else {
                ("+", e)
            };
            let digits = if digits.len() < 2 {
                format!("0{digits}")
            } else {
                digits.to_string()
            };
            return format!("{m}e{sign}{digits}");
        }
        return s;
    }
    format!("{d}")
}

/// A date as mongod prints it: `2026-11-22T10:00:00.000Z`.
pub(crate) fn date_to_string(d: bson::DateTime) -> String {
    let ms = d.timestamp_millis();
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => ms.to_string(),
    }
}

/// Parses the ISO-8601 forms mongod's `$toDate` / `$dateFromString` accept.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(t) = chrono::DateTime::parse_from_str(s, f) {
            return Some(t.timestamp_millis());
        }
    }
    let s2 = s
        .strip_suffix('Z')
        .or_else(|| s.strip_suffix('z'))
        .unwrap_or(s);
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s2, f) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    chrono::NaiveDate::parse_from_str(s2, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

fn to(target: &str, v: Bson) -> Result<Bson, CommandError> {
    let cant = |v: &Bson| {
        failure(format!(
            "Unsupported conversion from {} to {target} in $convert with no onError value",
            type_name(v)
        ))
    };
    Ok(match target {
        "string" => Bson::String(match &v {
            Bson::String(s) => s.clone(),
            Bson::Int32(i) => i.to_string(),
            Bson::Int64(i) => i.to_string(),
            Bson::Double(d) => double_to_string(*d),
            Bson::Decimal128(d) => d.to_string(),
            Bson::Boolean(b) => b.to_string(),
            Bson::DateTime(d) => date_to_string(*d),
            Bson::ObjectId(o) => o.to_hex(),
            _ => return Err(cant(&v)),
        }),
        "int" | "long" => {
            let i: i64 = match &v {
                Bson::Boolean(b) => i64::from(*b),
                Bson::String(s) => s.trim().parse::<i64>().map_err(|_| failure(format!("Failed to parse number '{s}' in $convert with no onError value: Did not consume whole string.")))?,
                Bson::DateTime(d) if target == "long" => d.timestamp_millis(),
                other => match Num::from_bson(other) {
                    Some(Num::Int(i)) => i as i64,
                    Some(Num::Long(i)) => i,
                    Some(Num::Double(d)) => {
                        if !d.is_finite() || d.trunc() < -9.223_372_036_854_776e18 || d.trunc() >= 9.223_372_036_854_776e18 {
                            return Err(failure(format!("Conversion would overflow target type in $convert with no onError value: {d}")));
                        }
                        d.trunc() as i64
                    }
                    Some(Num::Decimal(d)) => d.trunc().to_i64().ok_or_else(|| failure("Conversion would overflow target type in $convert with no onError value"))?,
                    None => return Err(cant(other)),
                },
            };
            if target == "int" {
                Bson::Int32(i32::try_from(i).map_err(|_| failure(format!("Conversion would overflow target type in $convert with no onError value: {i}")))?)
            } else {
                Bson::Int64(i)
            }
        }
        "double" => Bson::Double(match &v {
            Bson::Boolean(b) => f64::from(u8::from(*b)),
            Bson::String(s) => s.trim().parse::<f64>().map_err(|_| {
                failure(format!(
                    "Failed to parse number '{s}' in $convert with no onError value"
                ))
            })?,
            Bson::DateTime(d) => d.timestamp_millis() as f64,
            other => Num::from_bson(other)
                .map(|n| n.to_f64())
                .ok_or_else(|| cant(other))?,
        }),
        "decimal" => match &v {
            Bson::Decimal128(_) => v.clone(),
            Bson::Boolean(b) => numeric::decimal_to_bson(rust_decimal::Decimal::from(u8::from(*b))),
            Bson::String(s) => {
                Bson::Decimal128(bson::Decimal128::from_str(s.trim()).map_err(|_| {
                    failure(format!(
                        "Failed to parse number '{s}' in $convert with no onError value"
                    ))
                })?)
            }
            Bson::DateTime(d) => {
                numeric::decimal_to_bson(rust_decimal::Decimal::from(d.timestamp_millis()))
            }
            other => match Num::from_bson(other) {
                Some(Num::Double(d)) if !d.is_finite() => Bson::Decimal128(
                    bson::Decimal128::from_str(&double_to_string(d)).map_err(|_| cant(other))?,
                ),
                Some(n) => n
                    .to_decimal()
                    .map(numeric::decimal_to_bson)
                    .ok_or_else(|| cant(other))?,
                None => return Err(cant(other)),
            },
        },
        "bool" => Bson::Boolean(match &v {
            Bson::Boolean(b) => *b,
            other => match Num::from_bson(other) {
                Some(n) => !n.is_zero(),
                None => true,
            },
        }),
        "date" => match &v {
            Bson::DateTime(_) => v.clone(),
            Bson::String(s) => Bson::DateTime(bson::DateTime::from_millis(
                parse_date(s).ok_or_else(|| failure(format!("Error parsing date string '{s}'")))?,
            )),
            Bson::ObjectId(o) => Bson::DateTime(o.timestamp()),
            Bson::Int64(i) => Bson::DateTime(bson::DateTime::from_millis(*i)),
            Bson::Double(d) if d.is_finite() => {
                Bson::DateTime(bson::DateTime::from_millis(d.trunc() as i64))
            }
            Bson::Decimal128(_) => Bson::DateTime(bson::DateTime::from_millis(
                Num::from_bson(&v)
                    .and_then(|n| n.to_f64().is_finite().then_some(n.to_f64() as i64))
                    .ok_or_else(|| cant(&v))?,
            )),
            other => return Err(cant(other)),
        },
        "objectId" => match &v {
            Bson::ObjectId(_) => v.clone(),
            Bson::String(s) => Bson::ObjectId(bson::oid::ObjectId::parse_str(s).map_err(|_| {
                failure(format!(
                    "Failed to parse objectId '{s}' in $convert with no onError value"
                ))
            })?),
            other => return Err(cant(other)),
        },
        other => {
            return Err(CommandError::bad_value(format!(
                "Unknown type name: {other}"
            )))
        }
    })
}

fn target_name(t: &Bson) -> Result<String, CommandError> {
    Ok(match t {
        Bson::String(s) => s.clone(),
        other => match Num::from_bson(other).and_then(|n| n.to_i64_exact()) {
            Some(1) => "double".into(),
            Some(2) => "string".into(),
            Some(7) => "objectId".into(),
            Some(8) => "bool".into(),
            Some(9) => "date".into(),
            Some(16) => "int".into(),
            Some(18) => "long".into(),
            Some(19) => "decimal".into(),
            _ => {
                return Err(CommandError::bad_value(format!(
                    "Invalid 'to' argument to $convert: {other}"
                )))
            }
        },
    })
}

pub(super) fn eval(op: Op, vals: &mut [Option<Bson>]) -> Result<Option<Bson>, CommandError> {
    let v = vals.first_mut().and_then(Option::take);
    match op {
        Op::Type => {
            return Ok(Some(Bson::String(
                v.as_ref().map(type_name).unwrap_or("missing").to_string(),
            )))
        }
        Op::IsNumber => {
            return Ok(Some(Bson::Boolean(
                v.as_ref().is_some_and(numeric::is_number),
            )))
        }
        _ => {}
    }
    let Some(v) = v.filter(|x| !matches!(x, Bson::Null | Bson::Undefined)) else {
        return Ok(Some(Bson::Null));
    };
    let target = match op {
        Op::ToString => "string",
        Op::ToInt => "int",
        Op::ToLong => "long",
        Op::ToDouble => "double",
        Op::ToDecimal => "decimal",
        Op::ToDate => "date",
        Op::ToBool => "bool",
        _ => "objectId",
    };
    to(target, v).map(Some)
}

/// `$convert {input, to, onError, onNull}`.
pub(super) fn convert(
    input: Option<Bson>,
    to_arg: Option<Bson>,
    on_error: Option<&Node>,
    on_null: Option<&Node>,
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    if nullish(&input) {
        return match on_null {
            Some(n) => n.eval(root, vars),
            None => Ok(Some(Bson::Null)),
        };
    }
    let Some(t) = to_arg.filter(|t| !matches!(t, Bson::Null)) else {
        return Ok(Some(Bson::Null));
    };
    let target = target_name(&t)?;
    match to(&target, input.unwrap_or(Bson::Null)) {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code == 241 => match on_error {
            Some(n) => n.eval(root, vars),
            None => Err(e),
        },
        Err(e) => Err(e),
    }
}
