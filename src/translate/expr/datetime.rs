//! Time: timestamp literals, INTERVAL literals, timestamp ± interval (`$dateAdd` / `$dateSubtract`),
//! timestamp - timestamp (milliseconds), EXTRACT and DATE_TRUNC.
//!
//! Time zone: timestamps are instants in UTC; `TIMESTAMP` literals without an offset are read as UTC (PG reads
//! `timestamptz` literals in the session time zone: run PostgreSQL with `TimeZone = 'UTC'` to compare).

use super::interval::{self, Iv};
use super::literal::constant;
use super::{invalid, unsupported, Agg, Kind};
use crate::mql::expr as ex;
use crate::translate::context::{Intervals, QueryContext};
use crate::translate::Refusal;
use crate::translate::{Error, Translator};
use bson::{doc, Bson};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sqlparser::ast::{
    BinaryOperator, DataType, DateTimeField, Expr, Interval, TimezoneInfo, TypedString, Value,
};

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
                Some(d) => {
                    // `TIMESTAMP '...'` is a timestamp without time zone (PostgreSQL's default).
                    let local = matches!(
                        &ts.data_type,
                        DataType::Timestamp(_, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone)
                    );
                    let d = if local {
                        d
                    } else {
                        self.zoned_literal(&text, d).ok_or_else(|| {
                            invalid(format!("invalid timestamp literal '{text}'"), e)
                        })?
                    };
                    let mut c = constant(Bson::DateTime(d));
                    c.local_time = local;
                    Ok(c)
                }
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
                match text.trim().parse::<i64>() {
                    Ok(n) => Ok(interval_agg(vec![(unit, n)])),
                    // `INTERVAL '2.5' MINUTE`: the fraction below the unit is dropped, as PostgreSQL's
                    // field restriction does
                    Err(_) => match Iv::parse(&format!("{} {unit}", text.trim())) {
                        Some(iv) => Ok(interval_agg(iv.restrict_to(unit).to_parts())),
                        None => Err(invalid(format!("invalid interval '{text}'"), e)),
                    },
                }
            }
            None => self.interval_text(&text, e),
        }
    }

    fn interval_text(&mut self, text: &str, e: &Expr) -> Result<Agg, Error> {
        match parse_interval(text) {
            Some(parts) => Ok(interval_agg(parts)),
            None => match Iv::parse(text) {
                Some(iv) => Ok(interval_agg(iv.to_parts())),
                None => Err(invalid(
                    format!("invalid input syntax for type interval: \"{text}\""),
                    e,
                )),
            },
        }
    }

    /// Time arithmetic: timestamp ± interval (`$dateAdd` / `$dateSubtract` for a constant interval),
    /// timestamp - timestamp (an interval), interval ± interval, interval * / number (PostgreSQL's rules).
    /// `whole`: the number operand of an interval product is an SQL integer by the declared types.
    /// `None`: not time arithmetic.
    pub(crate) fn time_arithmetic(
        &mut self,
        a: &Agg,
        op: &BinaryOperator,
        b: &Agg,
        e: &Expr,
        whole: bool,
    ) -> Result<Option<Agg>, Error> {
        let (a_iv, b_iv) = (a.kind == Kind::Interval, b.kind == Kind::Interval);
        let plus_minus = matches!(op, BinaryOperator::Plus | BinaryOperator::Minus);
        let minus = matches!(op, BinaryOperator::Minus);
        if a_iv && b_iv {
            if !plus_minus {
                return Err(invalid(
                    format!("operator does not exist: interval {op} interval"),
                    e,
                ));
            }
            if let (Some(x), Some(y)) = (const_iv(a), const_iv(b)) {
                let y = if minus { y.negate() } else { Some(y) };
                return match y.and_then(|y| x.plus(y)) {
                    Some(v) => Ok(Some(interval_agg(v.to_parts()))),
                    None => Err(invalid("interval out of range", e)),
                };
            }
            // a constant right operand (`a - c` too) is added field by field in place
            let expr = match const_iv(b) {
                Some(c) => interval::add_constant(a.expr.clone().into(), c, minus),
                None if !minus => match const_iv(a) {
                    Some(c) => interval::add_constant(b.expr.clone().into(), c, false),
                    None => interval::add(a.expr.clone().into(), b.expr.clone().into(), minus),
                },
                None => interval::add(a.expr.clone().into(), b.expr.clone().into(), minus),
            };
            let mut out = Agg::new(expr, Kind::Interval, a.nullable || b.nullable);
            out.no_months = known_of(a).no_months && known_of(b).no_months;
            return Ok(Some(out));
        }
        if a_iv || b_iv {
            let (iv, other) = if a_iv { (a, b) } else { (b, a) };
            match op {
                BinaryOperator::Multiply | BinaryOperator::Divide => {
                    let divide = matches!(op, BinaryOperator::Divide);
                    if divide && !a_iv {
                        return Err(invalid("operator does not exist: number / interval", e));
                    }
                    if !matches!(
                        other.kind,
                        Kind::Int | Kind::Number | Kind::Unknown | Kind::Null
                    ) {
                        return Err(invalid(
                            format!("operator does not exist: interval {op} {e}"),
                            e,
                        ));
                    }
                    if let (Some(x), Some(n)) =
                        (const_iv(iv), other.constant.as_ref().and_then(number_of))
                    {
                        if divide && n == 0.0 {
                            return Err(invalid("division by zero", e));
                        }
                        return match x.scale(n, divide) {
                            Some(v) => Ok(Some(interval_agg(v.to_parts()))),
                            None => Err(invalid("interval out of range", e)),
                        };
                    }
                    let known = known_of(iv);
                    // an SQL integer factor (`whole`: by the declared types) has no fraction: no run-time
                    // test, a constant's fields in place
                    let expr = if !divide && (whole || other.kind == Kind::Int) {
                        interval::scale_whole(
                            iv.expr.clone().into(),
                            const_iv(iv),
                            other.expr.clone().into(),
                            known,
                        )
                    } else {
                        interval::scale(
                            iv.expr.clone().into(),
                            other.expr.clone().into(),
                            divide,
                            known,
                        )
                    };
                    let mut out = Agg::new(expr, Kind::Interval, true);
                    out.no_months = known.no_months;
                    // a constant of time alone scaled is time alone (`interval_expr::scale`)
                    out.canonical = known.no_months && known.no_days;
                    return Ok(Some(out));
                }
                BinaryOperator::Plus | BinaryOperator::Minus => {
                    if b_iv && matches!(a.kind, Kind::Int | Kind::Number | Kind::Text | Kind::Bool)
                    {
                        return Err(invalid(
                            format!("operator does not exist: {op} with an interval"),
                            e,
                        ));
                    }
                    if a_iv && minus {
                        return Err(invalid("operator does not exist: interval - timestamp", e));
                    }
                    let ts = other;
                    if let Some(parts) = &iv.interval {
                        if parts.iter().any(|(u, _)| *u == "microsecond") {
                            return Err(unsupported(
                                Refusal::Expression,
                                "a timestamp shifted by a fraction of a millisecond (MongoDB dates hold milliseconds)",
                                e,
                            ));
                        }
                        let shift: fn(bson::Document) -> Bson = if minus {
                            ex::date_subtract
                        } else {
                            ex::date_add
                        };
                        let zone = self.session_zone().filter(|_| !ts.local_time);
                        let mut cur = ts.expr.clone();
                        for (unit, amount) in parts {
                            let mut spec = bson::Document::new();
                            spec.insert("startDate", cur);
                            spec.insert("unit", *unit);
                            spec.insert("amount", *amount);
                            // days and months move the wall clock of the session time zone
                            if let (Some(z), "year" | "month" | "week" | "day") = (&zone, *unit) {
                                spec.insert("timezone", z.clone());
                            }
                            cur = shift(spec).into();
                        }
                        let mut out = Agg::new(cur, Kind::Timestamp, ts.nullable);
                        out.local_time = ts.local_time;
                        return Ok(Some(out));
                    }
                    let zone = self.session_zone().filter(|_| !ts.local_time);
                    let mut out = Agg::new(
                        interval::shift_date(
                            ts.expr.clone().into(),
                            iv.expr.clone().into(),
                            minus,
                            zone,
                        ),
                        Kind::Timestamp,
                        true,
                    );
                    out.local_time = ts.local_time;
                    return Ok(Some(out));
                }
                _ => {
                    return Err(unsupported(
                        Refusal::Expression,
                        format!("interval {op}"),
                        e,
                    ))
                }
            }
        }
        // timestamp - timestamp; a column minus a timestamp (or the reverse) too, the other side being a date.
        if minus
            && ((a.kind == Kind::Timestamp && matches!(b.kind, Kind::Timestamp | Kind::Unknown))
                || (a.kind == Kind::Unknown && b.kind == Kind::Timestamp))
        {
            let mut out = Agg::new(
                interval::between(a.expr.clone().into(), b.expr.clone().into()),
                Kind::Interval,
                true,
            );
            out.no_months = true;
            out.canonical = true;
            return Ok(Some(out));
        }
        Ok(None)
    }

    /// `EXTRACT(field FROM x)`.
    pub(crate) fn extract(
        &mut self,
        cx: &mut QueryContext,
        field: &DateTimeField,
        inner: &Expr,
        e: &Expr,
    ) -> Result<Agg, Error> {
        // EXTRACT(EPOCH FROM a - b) of two timestamps: the difference of the dates, in seconds.
        if matches!(field, DateTimeField::Epoch) {
            if let Expr::BinaryOp {
                left,
                op: BinaryOperator::Minus,
                right,
            } = strip_nested(inner)
            {
                let (l, r) = (self.agg(cx, left)?, self.agg(cx, right)?);
                let dates = |k: Kind| matches!(k, Kind::Timestamp | Kind::Unknown);
                if dates(l.kind) && dates(r.kind) {
                    let both_columns = l.kind == Kind::Unknown && r.kind == Kind::Unknown;
                    let diff = ex::subtract(l.expr, r.expr);
                    return Ok(Agg::new(
                        ex::divide(
                            if both_columns {
                                ex::to_long(diff)
                            } else {
                                diff
                            },
                            1000,
                        ),
                        Kind::Number,
                        l.nullable || r.nullable,
                    ));
                }
            }
        }
        let a = self.agg(cx, inner)?;
        let x = a.expr.clone();
        if a.kind == Kind::Interval {
            let name = match field {
                DateTimeField::Epoch => {
                    return Ok(Agg::new(
                        interval::epoch(x.into()),
                        Kind::Number,
                        a.nullable,
                    ))
                }
                DateTimeField::Year | DateTimeField::Years => "year",
                DateTimeField::Month | DateTimeField::Months => "month",
                DateTimeField::Day | DateTimeField::Days => "day",
                DateTimeField::Hour | DateTimeField::Hours => "hour",
                DateTimeField::Minute | DateTimeField::Minutes => "minute",
                DateTimeField::Second | DateTimeField::Seconds => "second",
                other => {
                    return Err(unsupported(
                        Refusal::Function,
                        format!("EXTRACT({other} FROM interval)"),
                        e,
                    ))
                }
            };
            let v = interval::field(x.into(), name)
                .ok_or_else(|| Error::Internal("interval field".into()))?;
            return Ok(Agg::new(v, Kind::Number, a.nullable));
        }
        let x = if matches!(field, DateTimeField::Epoch) {
            x
        } else {
            self.zoned(x.into(), a.local_time).into()
        };
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

    /// `DATE_TRUNC('unit', ts)`: the `$dateTrunc` unit and the translated timestamp, in that order (a zone
    /// argument, `time_fn.rs`, is translated after them); [`date_trunc_agg`] builds the call.
    pub(crate) fn date_trunc_operands(
        &mut self,
        cx: &mut QueryContext,
        unit: &Expr,
        ts: &Expr,
        e: &Expr,
    ) -> Result<(&'static str, Agg), Error> {
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
        Ok((unit_name, self.agg(cx, ts)?))
    }
}

/// `{$dateTrunc: {date, unit[, startOfWeek: "monday"][, timezone]}}` of a translated timestamp `a`.
pub(crate) fn date_trunc_agg(unit_name: &str, a: Agg, zone: Option<Bson>) -> Agg {
    let local = a.local_time;
    let mut spec = doc! {"date": a.expr, "unit": unit_name};
    if unit_name == "week" {
        spec.insert("startOfWeek", "monday");
    }
    if let Some(zone) = zone {
        spec.insert("timezone", zone);
    }
    let mut out = Agg::new(ex::date_trunc(spec), Kind::Timestamp, a.nullable);
    out.local_time = local;
    out
}

/// A constant interval: its parts (for `$dateAdd`) and its run-time value `{months, days, micros}`.
pub(crate) fn interval_agg(parts: IntervalParts) -> Agg {
    let iv = Iv::from_parts(&parts).unwrap_or_default();
    let mut a = Agg::new(iv.to_bson(), Kind::Interval, false);
    a.interval = Some(parts);
    a
}

/// What is known of an interval operand's fields (`interval_expr::Known`): a constant's zero fields, a
/// computed interval's `no_months`.
pub(crate) fn known_of(a: &Agg) -> interval::Known {
    match const_iv(a) {
        Some(iv) => interval::Known {
            no_months: iv.months == 0,
            no_days: iv.days == 0,
            nullable: false,
        },
        None => interval::Known {
            no_months: a.no_months,
            ..interval::Known::ANY
        },
    }
}

/// The value of a constant interval.
pub(crate) fn const_iv(a: &Agg) -> Option<Iv> {
    a.interval.as_ref().and_then(Iv::from_parts)
}

/// The value to show for an expression in the SELECT list: an interval as PostgreSQL's text.
pub(crate) fn shown(a: Agg) -> Bson {
    if a.kind != Kind::Interval {
        return a.expr.into();
    }
    match const_iv(&a) {
        Some(iv) => Bson::String(iv.to_text()),
        None => interval::format(a.expr.into()),
    }
}

/// The value of a SELECT-list column and whether it is an interval document
/// ([`crate::mql::OutputColumn::interval`]): under `Client` a computed interval, left for the row layer to
/// print; under `Values` every interval, a constant too (a `$literal`: a document in `$project` would be read as
/// a projection); otherwise [`shown`].
pub(crate) fn output_value(a: Agg, mode: Intervals) -> (Bson, bool) {
    if a.kind == Kind::Interval {
        match (mode, const_iv(&a)) {
            (Intervals::Client, None) | (Intervals::Values, None) => return (a.expr.into(), true),
            (Intervals::Values, Some(iv)) => return (ex::literal(iv.to_bson()).into(), true),
            _ => {}
        }
    }
    (shown(a), false)
}

/// The values compared for `a op b` when a side is an interval: PostgreSQL's span (a month is 30 days), in
/// microseconds; against a value that is not an interval (a difference of two columns: milliseconds), in
/// milliseconds.
pub(crate) fn comparable(a: Agg, b: Agg) -> (Agg, Agg) {
    let (ai, bi) = (a.kind == Kind::Interval, b.kind == Kind::Interval);
    if !ai && !bi {
        return (a, b);
    }
    let millis = !(ai && bi);
    let conv = |x: Agg| -> Agg {
        if x.kind != Kind::Interval {
            return x;
        }
        let expr = match const_iv(&x) {
            Some(iv) => {
                let us = i128::from(iv.months) * 30 * i128::from(interval::USECS_PER_DAY)
                    + i128::from(iv.days) * i128::from(interval::USECS_PER_DAY)
                    + i128::from(iv.micros);
                if millis {
                    Bson::Double(us as f64 / 1000.0)
                } else {
                    Bson::Int64(us as i64)
                }
            }
            None => interval::span(x.expr.into(), millis),
        };
        Agg::new(expr, Kind::Number, x.nullable)
    };
    (conv(a), conv(b))
}

fn number_of(b: &Bson) -> Option<f64> {
    match b {
        Bson::Int32(i) => Some(f64::from(*i)),
        Bson::Int64(i) => Some(*i as f64),
        Bson::Double(d) => Some(*d),
        Bson::Decimal128(d) => d.to_string().parse().ok(),
        _ => None,
    }
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
