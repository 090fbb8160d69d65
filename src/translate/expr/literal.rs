//! SQL literals -> BSON values.

use super::{invalid, unsupported, Agg, Kind};
use crate::mql::expr as ex;
use crate::translate::Error;
use crate::translate::Refusal;
use bson::Bson;
use sqlparser::ast::{Expr, Value};

/// A numeric literal: integers as int32 (int64 when larger), others as double.
pub(crate) fn number_literal(text: &str, e: &Expr) -> Result<Bson, Error> {
    // (digit separators are rare: no copy of the text without one)
    let t: std::borrow::Cow<'_, str> = if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    };
    if !t.contains(['.', 'e', 'E']) {
        if let Ok(i) = t.parse::<i32>() {
            return Ok(Bson::Int32(i));
        }
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Bson::Int64(i));
        }
    }
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(Bson::Double(f)),
        _ => Err(invalid(
            format!("numeric literal {text} is out of range"),
            e,
        )),
    }
}

/// A literal value (numbers, strings, booleans, NULL); placeholders are handled by the caller.
pub(crate) fn literal_value(v: &Value, e: &Expr) -> Result<Option<Bson>, Error> {
    Ok(Some(match v {
        Value::Number(n, _) => number_literal(n, e)?,
        Value::Boolean(b) => Bson::Boolean(*b),
        Value::Null => Bson::Null,
        Value::Placeholder(_) => return Ok(None),
        other => match other.clone().into_string() {
            Some(s) => Bson::String(s),
            None => return Err(unsupported(Refusal::Type, format!("literal {other}"), e)),
        },
    }))
}

/// The kind of a constant.
pub(crate) fn kind_of(v: &Bson) -> Kind {
    match v {
        Bson::Null => Kind::Null,
        Bson::Boolean(_) => Kind::Bool,
        Bson::Int32(_) | Bson::Int64(_) => Kind::Int,
        Bson::Double(_) | Bson::Decimal128(_) => Kind::Number,
        Bson::String(_) => Kind::Text,
        Bson::DateTime(_) => Kind::Timestamp,
        Bson::Array(_) => Kind::Array,
        Bson::Document(_) => Kind::Document,
        _ => Kind::Unknown,
    }
}

/// A constant as an aggregation expression: strings starting with `$` and documents/arrays are wrapped in
/// `$literal` so no value is ever read as a field path or an operator.
pub(crate) fn constant(v: Bson) -> Agg {
    let expr = match &v {
        Bson::String(s) if s.starts_with('$') => ex::literal(s.clone()),
        Bson::Document(_) | Bson::Array(_) => ex::literal(v.clone()),
        _ => v.clone().into(),
    };
    let kind = kind_of(&v);
    let nullable = matches!(v, Bson::Null);
    Agg {
        expr,
        kind,
        nullable,
        constant: Some(v),
        param: None,
        interval: None,
        local_time: false,
        no_months: false,
        canonical: false,
    }
}
