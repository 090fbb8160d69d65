//! Time: timestamp literals, INTERVAL literals, timestamp ± interval (`$dateAdd` / `$dateSubtract`),
//! timestamp - timestamp (milliseconds), EXTRACT and DATE_TRUNC.
//!
//! Time zone: timestamps are instants in UTC; `TIMESTAMP` literals without an offset are read as UTC (PG reads
//! `timestamptz` literals in the session time zone: run PostgreSQL with `TimeZone = 'UTC'` to compare).

use super::literal::constant;
use super::{invalid, unsupported, Agg, Kind};
use crate::mql::expr as ex;
use crate::translate::Refusal;
use crate::translate::{Error, Translator};
use bson::{doc, Bson};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sqlparser::ast::{BinaryOperator, DataType, DateTimeField, Expr, Interval, TypedString, Value};

/// The parts of an INTERVAL literal, as `$dateAdd` units and amounts, largest first.
pub(crate) type IntervalParts = Vec<(&'static str, i64)>;

/// Parses a PostgreSQL timestamp string to a BSON date (UTC when no offset is given).
pub(crate) fn parse_timestamp(s: &str) -> Option<bson::DateTime> {
    let t = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(bson::DateTime::from_millis(dt.timestamp_millis()));
    }
    let with_t = t.replacen(' ', "T", 1);
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%#z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(&with_t, fmt) {
            return Some(bson::DateTime::from_millis(dt.timestamp_millis()));
        }
    }
    let naive = with_t.trim_end_matches('Z');
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(naive, fmt) {
            return Some(bson::DateTime::from_millis(dt.and_utc().timestamp_millis()));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(naive, "%Y-%m-%d") {
        let dt = d.and_hms_opt(0, 0, 0)?;
        return Some(bson::DateTime::from_millis(
            DateTime::<Utc>::from_naive_utc_and_offset(dt, Utc).timestamp_millis(),
        ));
    }
    None
}

/// Parses an interval text such as `5 minutes`, `1 day 2 hours`, `90 seconds`.
pub(crate) fn parse_interval(s: &str) -> Option<IntervalParts> {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() || words.len() % 2 != 0 {
        return None;
    }
    let mut parts: IntervalParts = Vec::new();
    for pair in words.chunks(2) {
        let amount: i64 = pair[0].parse().ok()?;
        let unit = unit_name(pair[1])?;
        if parts.iter().any(|(u, _)| *u == unit) {
            return None;
        }
        parts.push((unit, amount));
    }
    Some(parts)
}

fn unit_name(word: &str) -> Option<&'static str> {
    Some(match word.to_ascii_lowercase().as_str() {
        "year" | "years" | "y" | "yr" | "yrs" => "year",
        "month" | "months" | "mon" | "mons" => "month",
        "week" | "weeks" | "w" => "week",
        "day" | "days" | "d" => "day",
        "hour" | "hours" | "h" | "hr" | "hrs" => "hour",
        "minute" | "minutes" | "min" | "mins" | "m" => "minute",
        "second" | "seconds" | "sec" | "secs" | "s" => "second",
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => "millisecond",
        _ => return None,
    })
}

fn field_unit(f: &DateTimeField) -> Option<&'static str> {
    Some(match f {
        DateTimeField::Year | DateTimeField::Years => "year",
        DateTimeField::Month | DateTimeField::Months => "month",
        DateTimeField::Week(_) | DateTimeField::Weeks => "week",
        DateTimeField::Day | DateTimeField::Days => "day",
        DateTimeField::Hour | DateTimeField::Hours => "hour",
        DateTimeField::Minute | DateTimeField::Minutes => "minute",
        DateTimeField::Second | DateTimeField::Seconds => "second",
        DateTimeField::Millisecond | DateTimeField::Milliseconds => "millisecond",
        _ => return None,
    })
}

/// Milliseconds of an interval of fixed-length units (months and years have no fixed length).
pub(crate) fn interval_millis(parts: &IntervalParts) -> Option<i64> {
    let mut total: i64 = 0;
    for (unit, n) in parts {
        let ms: i64 = match *unit {
            "week" => 604_800_000,
            "day" => 86_400_000,
            "hour" => 3_600_000,
            "minute" => 60_000,
            "second" => 1_000,
            "millisecond" => 1,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(ms)?)?;
    }
    Some(total)
}

impl Translator {
    /// `TIMESTAMP '...'`, `TIMESTAMPTZ '...'`, `DATE '...'`.
    pub(crate) fn typed_string(&mut self, ts: &TypedString, e: &Expr) -> Result<Agg, Error> {
        let Some(text) = ts.value.value.clone().into_string() else {
            return Err(unsupported(
                Refusal::Function,
                format!("typed literal {e}"),
                e,
            ));
        };
        match &ts.data_type {
            DataType::Timestamp(..)
            | DataType::TimestampNtz(_)
            | DataType::Date
            | DataType::Datetime(_) => match parse_timestamp(&text) {
                Some(d) => Ok(constant(Bson::DateTime(d))),
                None => Err(invalid(format!("invalid timestamp literal '{text}'"), e)),
            },
            DataType::Interval { .. } => self.interval_text(&text, e),
            other => self.cast_constant(Bson::String(text), other, e),
        }
    }

    /// `INTERVAL '5 minutes'` and `INTERVAL '5' MINUTE`.
    pub(crate) fn interval_literal(&mut self, iv: &Interval, e: &Expr) -> Result<Agg, Error> {
        let text = match iv.value.as_ref() {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) => s.clone(),
                Value::Number(n, _) => n.clone(),
                _ => {
                    return Err(unsupported(
                        Refusal::Function,
                        "INTERVAL with a non-literal value",
                        e,
                    ))
                }
            },
            _ => {
                return Err(unsupported(
                    Refusal::Function,
                    "INTERVAL with a non-literal value",
                    e,
                ))
            }
        };
        if iv.last_field.is_some() || iv.fractional_seconds_precision.is_some() {
            return Err(unsupported(Refusal::Function, "INTERVAL ... TO ...", e));
        }
        match &iv.leading_field {
            Some(f) => {
                let unit = field_unit(f).ok_or_else(|| {
                    unsupported(Refusal::Function, format!("INTERVAL unit {f}"), e)
                })?;
                let n: i64 = text
                    .trim()
                    .parse()
                    .map_err(|_| invalid(format!("invalid interval '{text}'"), e))?;
                Ok(interval_agg(vec![(unit, n)]))
            }
            None => self.interval_text(&text, e),
        }
    }

    fn interval_text(&mut self, text: &str, e: &Expr) -> Result<Agg, Error> {
        match parse_interval(text) {
            Some(parts) => Ok(interval_agg(parts)),
            None => Err(invalid(
                format!("invalid or unsupported interval '{text}' (use whole numbers of units, e.g. '1 day 2 hours')"),
                e,
            )),
        }
    }

    /// timestamp ± interval -> `$dateAdd` / `$dateSubtract`; timestamp - timestamp -> milliseconds.
    pub(crate) fn time_arithmetic(
        &mut self,
        a: &Agg,
        op: &BinaryOperator,
        b: &Agg,
        e: &Expr,
    ) -> Result<Option<Agg>, Error> {
        if let Some(parts) = &b.interval {
            let shift: fn(bson::Document) -> Bson = match op {
                BinaryOperator::Plus => ex::date_add,
                BinaryOperator::Minus => ex::date_subtract,
                _ => return Err(unsupported(Refusal::Function, format!("interval {op}"), e)),
            };
            if a.interval.is_some() {
                return Err(unsupported(
                    Refusal::Function,
                    "interval arithmetic between two intervals",
                    e,
                ));
            }
            let mut cur = a.expr.clone();
            for (unit, amount) in parts {
                let mut spec = bson::Document::new();
                spec.insert("startDate", cur);
                spec.insert("unit", *unit);
                spec.insert("amount", *amount);
                cur = shift(spec);
            }
            return Ok(Some(Agg::new(cur, Kind::Timestamp, a.nullable)));
        }
        if let Some(parts) = &a.interval {
            if matches!(op, BinaryOperator::Plus) && b.interval.is_none() {
                let swapped = interval_agg(parts.clone());
                return self.time_arithmetic(b, op, &swapped, e);
            }
            return Err(unsupported(Refusal::Function, "interval arithmetic", e));
        }
        if a.kind == Kind::Timestamp
            && b.kind == Kind::Timestamp
            && matches!(op, BinaryOperator::Minus)
        {
            return Ok(Some(Agg::new(
                ex::subtract(a.expr.clone(), b.expr.clone()),
                Kind::Interval,
                a.nullable || b.nullable,
            )));
        }
        // A column minus a timestamp (or the reverse) is timestamp - timestamp when the other side is a date.
        if matches!(op, BinaryOperator::Minus)
            && ((a.kind == Kind::Timestamp && b.kind == Kind::Unknown)
                || (a.kind == Kind::Unknown && b.kind == Kind::Timestamp))
        {
            return Ok(Some(Agg::new(
                ex::subtract(a.expr.clone(), b.expr.clone()),
                Kind::Interval,
                true,
            )));
        }
        Ok(None)
    }

    /// `EXTRACT(field FROM x)`.
    pub(crate) fn extract(
        &mut self,
        field: &DateTimeField,
        inner: &Expr,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let mut a = self.agg(inner)?;
        // EXTRACT(EPOCH FROM a - b) where a, b are columns: the difference is in milliseconds.
        if a.kind == Kind::Unknown {
            if let Expr::BinaryOp {
                op: BinaryOperator::Minus,
                ..
            } = strip_nested(inner)
            {
                if matches!(field, DateTimeField::Epoch) {
                    a.kind = Kind::Interval;
                }
            }
        }
        let x = a.expr.clone();
        if a.kind == Kind::Interval {
            return match field {
                DateTimeField::Epoch => Ok(Agg::new(ex::divide(x, 1000), Kind::Number, a.nullable)),
                other => Err(unsupported(
                    Refusal::Function,
                    format!("EXTRACT({other} FROM interval)"),
                    e,
                )),
            };
        }
        let expr = match field {
            DateTimeField::Epoch => ex::divide(ex::to_long(x), 1000),
            DateTimeField::Year | DateTimeField::Years => ex::year(x),
            DateTimeField::Month | DateTimeField::Months => ex::month(x),
            DateTimeField::Day | DateTimeField::Days => ex::day_of_month(x),
            DateTimeField::Hour | DateTimeField::Hours => ex::hour(x),
            DateTimeField::Minute | DateTimeField::Minutes => ex::minute(x),
            DateTimeField::Second | DateTimeField::Seconds => ex::add(vec![
                ex::second(x.clone()),
                ex::divide(ex::millisecond(x), 1000),
            ]),
            DateTimeField::Millisecond | DateTimeField::Milliseconds => ex::add(vec![
                ex::multiply(vec![ex::second(x.clone()), Bson::Int32(1000)]),
                ex::millisecond(x),
            ]),
            // PG: DOW is 0 (Sunday) .. 6; MongoDB's $dayOfWeek is 1 (Sunday) .. 7.
            DateTimeField::Dow => ex::subtract(ex::day_of_week(x), 1),
            DateTimeField::Isodow => ex::iso_day_of_week(x),
            DateTimeField::Doy => ex::day_of_year(x),
            DateTimeField::Week(None) => ex::iso_week(x),
            DateTimeField::Quarter => ex::ceil(ex::divide(ex::month(x), 3)),
            other => {
                return Err(unsupported(
                    Refusal::Function,
                    format!("EXTRACT({other} ...)"),
                    e,
                ))
            }
        };
        Ok(Agg::new(expr, Kind::Number, a.nullable))
    }

    /// `DATE_TRUNC('unit', ts)` -> `$dateTrunc` (PG weeks start on Monday).
    pub(crate) fn date_trunc(&mut self, unit: &Expr, ts: &Expr, e: &Expr) -> Result<Agg, Error> {
        let u = match unit {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) => s.to_ascii_lowercase(),
                _ => {
                    return Err(unsupported(
                        Refusal::Function,
                        "DATE_TRUNC with a non-literal unit",
                        unit,
                    ))
                }
            },
            _ => {
                return Err(unsupported(
                    Refusal::Function,
                    "DATE_TRUNC with a non-literal unit",
                    unit,
                ))
            }
        };
        let unit_name = match u.as_str() {
            "millisecond" | "milliseconds" => "millisecond",
            "second" | "seconds" => "second",
            "minute" | "minutes" => "minute",
            "hour" | "hours" => "hour",
            "day" | "days" => "day",
            "week" | "weeks" => "week",
            "month" | "months" => "month",
            "quarter" => "quarter",
            "year" | "years" => "year",
            other => {
                return Err(unsupported(
                    Refusal::Function,
                    format!("DATE_TRUNC unit '{other}'"),
                    e,
                ))
            }
        };
        let a = self.agg(ts)?;
        let expr = if unit_name == "week" {
            ex::date_trunc(doc! {"date": a.expr, "unit": "week", "startOfWeek": "monday"})
        } else {
            ex::date_trunc(doc! {"date": a.expr, "unit": unit_name})
        };
        Ok(Agg::new(expr, Kind::Timestamp, a.nullable))
    }
}

fn interval_agg(parts: IntervalParts) -> Agg {
    let millis = interval_millis(&parts);
    let mut a = Agg::new(
        match millis {
            Some(ms) => Bson::Int64(ms),
            None => Bson::Null,
        },
        Kind::Interval,
        false,
    );
    a.constant = millis.map(Bson::Int64);
    a.interval = Some(parts);
    a
}

fn strip_nested(e: &Expr) -> &Expr {
    match e {
        Expr::Nested(inner) => strip_nested(inner),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_and_timestamps_parse() {
        assert_eq!(parse_interval("5 minutes"), Some(vec![("minute", 5)]));
        assert_eq!(
            parse_interval("1 day 2 hours"),
            Some(vec![("day", 1), ("hour", 2)])
        );
        assert_eq!(parse_interval("1 day 1 days"), None);
        assert_eq!(parse_interval("five minutes"), None);
        assert_eq!(
            interval_millis(&vec![("hour", 2), ("minute", 30)]),
            Some(9_000_000)
        );
        assert_eq!(interval_millis(&vec![("month", 1)]), None);
        let d = parse_timestamp("2026-11-22 10:00:00").map(|d| d.timestamp_millis());
        assert_eq!(d, Some(1_795_341_600_000));
        assert_eq!(
            parse_timestamp("2026-11-22T12:00:00+02:00").map(|d| d.timestamp_millis()),
            d
        );
        assert_eq!(
            parse_timestamp("2026-11-22").map(|d| d.timestamp_millis()),
            Some(1_795_305_600_000)
        );
        assert!(parse_timestamp("yesterday").is_none());
    }
}
