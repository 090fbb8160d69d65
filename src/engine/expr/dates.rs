//! Date operators: parts (`$year` ... `$isoDayOfWeek`), `$dateAdd $dateSubtract $dateTrunc $dateDiff
//! $dateToString $dateFromString $dateToParts`. Time zones: `UTC`/`GMT`/`Z`, fixed offsets (`+05:30`,
//! `-0800`) and Olson names (`Europe/Paris`) from the IANA database (chrono-tz), as mongod accepts them. Month
//! arithmetic clamps to the end of the month, as mongod does.

use super::date_format::format_date;
use super::ops::{eval_named_arg, named as named_arg};
use super::{err, nullish, Node, Op, Vars};
use crate::engine::bson_order::type_name;
use crate::engine::error_codes::ErrorCode;
use crate::engine::numeric::Num;
use crate::engine::CommandError;
use bson::{doc, Bson, Document};
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, TimeZone, Timelike,
};

/// A `timezone` argument: a fixed offset, or an Olson name from the IANA database (chrono-tz), as mongod
/// resolves them.
#[derive(Clone, Copy)]
enum Zone {
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

impl Zone {
    /// The instant `ms` as a local date-time with that moment's offset.
    fn at(self, ms: i64) -> Option<DateTime<FixedOffset>> {
        match self {
            Zone::Fixed(off) => off.timestamp_millis_opt(ms).single(),
            Zone::Named(z) => z
                .timestamp_millis_opt(ms)
                .single()
                .map(|t| t.fixed_offset()),
        }
    }

    /// The instant of local wall time `t`: in a gap (spring forward) the wall time is read with the offset
    /// before the gap; a repeated hour (fall back) takes the earlier instant.
    fn instant(self, t: NaiveDateTime) -> Option<i64> {
        match self {
            Zone::Fixed(off) => {
                Some(t.and_utc().timestamp_millis() - i64::from(off.local_minus_utc()) * 1000)
            }
            Zone::Named(z) => match z.from_local_datetime(&t) {
                chrono::LocalResult::Single(d) => Some(d.timestamp_millis()),
                chrono::LocalResult::Ambiguous(a, _) => Some(a.timestamp_millis()),
                chrono::LocalResult::None => {
                    // The offset in force just before the gap.
                    let probe = t.and_utc().timestamp_millis() - 86_400_000;
                    let before = z.timestamp_millis_opt(probe).single()?.fixed_offset();
                    Some(
                        t.and_utc().timestamp_millis()
                            - i64::from(before.offset().local_minus_utc()) * 1000,
                    )
                }
            },
        }
    }
}

fn tz(v: &Option<Bson>) -> Result<Zone, CommandError> {
    let utc = Zone::Fixed(FixedOffset::east_opt(0).ok_or_else(|| err(1, "offset"))?);
    let s = match v {
        None | Some(Bson::Null) => return Ok(utc),
        Some(Bson::String(s)) => s.as_str(),
        Some(other) => {
            return Err(err(
                40517,
                format!(
                    "timezone must evaluate to a string, found {}",
                    type_name(other)
                ),
            ))
        }
    };
    if matches!(s, "UTC" | "GMT" | "Z" | "Etc/UTC" | "Etc/GMT") {
        return Ok(utc);
    }
    let unknown = || err(40485, format!("unrecognized time zone identifier: \"{s}\""));
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => {
            return s
                .parse::<chrono_tz::Tz>()
                .map(Zone::Named)
                .map_err(|_| unknown())
        }
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok(), Some(0)),
        4 => (
            digits.get(..2).and_then(|d| d.parse::<i32>().ok()),
            digits.get(2..).and_then(|d| d.parse::<i32>().ok()),
        ),
        _ => (None, None),
    };
    match (h, m) {
        (Some(h), Some(m)) if h <= 23 && m <= 59 && rest.is_ascii() => {
            FixedOffset::east_opt(sign * (h * 3600 + m * 60))
                .map(Zone::Fixed)
                .ok_or_else(unknown)
        }
        _ => Err(unknown()),
    }
}

fn date_ms(v: &Bson, op: Op) -> Result<i64, CommandError> {
    match v {
        Bson::DateTime(d) => Ok(d.timestamp_millis()),
        Bson::Timestamp(t) => Ok(i64::from(t.time) * 1000),
        Bson::ObjectId(o) => Ok(o.timestamp().timestamp_millis()),
        other => Err(err(
            16006,
            format!(
                "can't convert from BSON type {} to Date in {}",
                type_name(other),
                op.name()
            ),
        )),
    }
}

fn local(ms: i64, zone: Zone) -> Result<DateTime<FixedOffset>, CommandError> {
    zone.at(ms).ok_or_else(|| err(18537, "date out of range"))
}

fn to_bson_date(t: NaiveDateTime, zone: Zone) -> Result<Bson, CommandError> {
    let ms = zone
        .instant(t)
        .ok_or_else(|| err(18537, "date out of range"))?;
    Ok(Bson::DateTime(bson::DateTime::from_millis(ms)))
}

/// `$year`, `$month`, ... with an optional timezone.
pub(super) fn part(
    op: Op,
    date: Option<Bson>,
    timezone: Option<Bson>,
) -> Result<Option<Bson>, CommandError> {
    let Some(d) = date.filter(|d| !matches!(d, Bson::Null | Bson::Undefined)) else {
        return Ok(Some(Bson::Null));
    };
    let t = local(date_ms(&d, op)?, tz(&timezone)?)?;
    let v: i64 = match op {
        Op::Week => t.format("%U").to_string().parse().unwrap_or(0),
        op => part_number(op, &t).unwrap_or_else(|| t.weekday().number_from_monday().into()),
    };
    Ok(Some(Bson::Int32(v as i32)))
}

/// The date part `op` (`$year` .. `$isoDayOfWeek`, but `$week`) of a date-time already in its zone;
/// `None` for `$week` and any other operator. Shared with the register code (`kernel.rs`).
pub(super) fn part_number<T: Datelike + Timelike>(op: Op, t: &T) -> Option<i64> {
    Some(match op {
        Op::Year => t.year().into(),
        Op::Month => t.month().into(),
        Op::DayOfMonth => t.day().into(),
        Op::Hour => t.hour().into(),
        Op::Minute => t.minute().into(),
        Op::Second => t.second().into(),
        Op::Millisecond => (t.nanosecond() / 1_000_000).min(999).into(),
        Op::DayOfWeek => (t.weekday().num_days_from_sunday() + 1).into(),
        Op::DayOfYear => t.ordinal().into(),
        Op::IsoWeek => t.iso_week().week().into(),
        Op::IsoWeekYear => t.iso_week().year().into(),
        Op::IsoDayOfWeek => t.weekday().number_from_monday().into(),
        _ => return None,
    })
}

fn unit_of(v: &Option<Bson>, op: Op) -> Result<Option<String>, CommandError> {
    match v {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::String(u))
            if matches!(
                u.as_str(),
                "year"
                    | "quarter"
                    | "month"
                    | "week"
                    | "day"
                    | "hour"
                    | "minute"
                    | "second"
                    | "millisecond"
            ) =>
        {
            Ok(Some(u.clone()))
        }
        Some(other) => Err(err(
            5439014,
            format!(
                "{} requires 'unit' to be a valid time unit, found {other}",
                op.name()
            ),
        )),
    }
}

fn fixed_ms(unit: &str) -> i64 {
    match unit {
        "week" => 604_800_000,
        "day" => 86_400_000,
        "hour" => 3_600_000,
        "minute" => 60_000,
        "second" => 1000,
        _ => 1,
    }
}

fn months_of(unit: &str) -> Option<i64> {
    match unit {
        "year" => Some(12),
        "quarter" => Some(3),
        "month" => Some(1),
        _ => None,
    }
}

fn add_months(t: NaiveDateTime, n: i64) -> Option<NaiveDateTime> {
    let months = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
    if n >= 0 {
        t.checked_add_months(months)
    } else {
        t.checked_sub_months(months)
    }
}

fn weekday_of(v: &Option<Bson>) -> Result<u32, CommandError> {
    let names = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ];
    match v {
        None | Some(Bson::Null) => Ok(0),
        Some(Bson::String(s)) => {
            let l = s.to_ascii_lowercase();
            names
                .iter()
                .position(|n| *n == l || n[..3] == l)
                .map(|p| p as u32)
                .ok_or_else(|| {
                    err(
                        5439016,
                        format!("startOfWeek must be a day of the week, found {s}"),
                    )
                })
        }
        Some(other) => Err(err(
            5439015,
            format!("startOfWeek must be a string, found {}", type_name(other)),
        )),
    }
}

fn trunc(t: NaiveDateTime, unit: &str, bin: i64, start_of_week: u32) -> Option<NaiveDateTime> {
    let reference = NaiveDate::from_ymd_opt(2000, 1, 1)?.and_hms_opt(0, 0, 0)?;
    if let Some(m) = months_of(unit) {
        let months = i64::from(t.year() - 2000) * 12 + i64::from(t.month0());
        let step = m * bin;
        let binned = months.div_euclid(step) * step;
        return add_months(reference, binned);
    }
    if unit == "week" {
        let back = (i64::from(reference.weekday().num_days_from_sunday())
            - i64::from(start_of_week))
        .rem_euclid(7);
        let week_ref = reference - Duration::days(back);
        let step = fixed_ms("week") * bin;
        let diff = (t - week_ref).num_milliseconds();
        return Some(week_ref + Duration::milliseconds(diff.div_euclid(step) * step));
    }
    let step = fixed_ms(unit) * bin;
    let diff = (t - reference).num_milliseconds();
    Some(reference + Duration::milliseconds(diff.div_euclid(step) * step))
}

pub(super) fn named(
    op: Op,
    args: &[(String, Node)],
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    let arg = |k: &str| eval_named_arg(args, k, root, vars);
    let null = Ok(Some(Bson::Null));
    match op {
        Op::DateAdd | Op::DateSubtract => {
            let (start, unit, amount) = (arg("startDate")?, arg("unit")?, arg("amount")?);
            if nullish(&start) || nullish(&unit) || nullish(&amount) {
                return null;
            }
            let off = tz(&arg("timezone")?)?;
            let ms = date_ms(start.as_ref().unwrap_or(&Bson::Null), op)?;
            let unit = unit_of(&unit, op)?.unwrap_or_default();
            let mut n = amount
                .as_ref()
                .and_then(Num::from_bson)
                .and_then(|n| n.to_i64_exact())
                .ok_or_else(|| {
                    err(
                        5166403,
                        format!("{} expects integer amount of time units", op.name()),
                    )
                })?;
            if op == Op::DateSubtract {
                n = n
                    .checked_neg()
                    .ok_or_else(|| err(5166406, "invalid $dateSubtract amount"))?;
            }
            let out = if let Some(m) = months_of(&unit) {
                let t = local(ms, off)?.naive_local();
                let r = n
                    .checked_mul(m)
                    .and_then(|k| add_months(t, k))
                    .ok_or_else(|| err(5166406, format!("{} overflowed", op.name())))?;
                return to_bson_date(r, off).map(Some);
            } else if matches!(unit.as_str(), "day" | "week") && matches!(off, Zone::Named(_)) {
                // Days and weeks move the wall clock in the zone (a day across a DST change is 23 or 25
                // hours), as mongod adds units of a day and larger in local time.
                let t = local(ms, off)?.naive_local();
                let r = n
                    .checked_mul(fixed_ms(&unit))
                    .and_then(Duration::try_milliseconds)
                    .and_then(|d| t.checked_add_signed(d))
                    .ok_or_else(|| err(5166406, format!("{} overflowed", op.name())))?;
                return to_bson_date(r, off).map(Some);
            } else {
                n.checked_mul(fixed_ms(&unit))
                    .and_then(|d| ms.checked_add(d))
                    .ok_or_else(|| err(5166406, format!("{} overflowed", op.name())))?
            };
            Ok(Some(Bson::DateTime(bson::DateTime::from_millis(out))))
        }
        Op::DateTrunc => {
            let (date, unit) = (arg("date")?, arg("unit")?);
            if nullish(&date) || nullish(&unit) {
                return null;
            }
            let bin = match arg("binSize")? {
                None => 1,
                Some(Bson::Null) => return null,
                Some(b) => Num::from_bson(&b)
                    .and_then(|n| n.to_i64_exact())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        err(
                            5439017,
                            "$dateTrunc requires 'binSize' to be a positive 64-bit integer",
                        )
                    })?,
            };
            let off = tz(&arg("timezone")?)?;
            let unit = unit_of(&unit, op)?.unwrap_or_default();
            let sow = weekday_of(&arg("startOfWeek")?)?;
            let t = local(date_ms(date.as_ref().unwrap_or(&Bson::Null), op)?, off)?.naive_local();
            let r =
                trunc(t, &unit, bin, sow).ok_or_else(|| err(5439018, "$dateTrunc overflowed"))?;
            to_bson_date(r, off).map(Some)
        }
        Op::DateDiff => {
            let (s, e, unit) = (arg("startDate")?, arg("endDate")?, arg("unit")?);
            if nullish(&s) || nullish(&e) || nullish(&unit) {
                return null;
            }
            let off = tz(&arg("timezone")?)?;
            let unit = unit_of(&unit, op)?.unwrap_or_default();
            let sow = weekday_of(&arg("startOfWeek")?)?;
            let a = local(date_ms(s.as_ref().unwrap_or(&Bson::Null), op)?, off)?.naive_local();
            let b = local(date_ms(e.as_ref().unwrap_or(&Bson::Null), op)?, off)?.naive_local();
            let diff = if let Some(m) = months_of(&unit) {
                let ma = i64::from(a.year()) * 12 + i64::from(a.month0());
                let mb = i64::from(b.year()) * 12 + i64::from(b.month0());
                mb.div_euclid(m) - ma.div_euclid(m)
            } else {
                let ta =
                    trunc(a, &unit, 1, sow).ok_or_else(|| err(5166307, "$dateDiff overflowed"))?;
                let tb =
                    trunc(b, &unit, 1, sow).ok_or_else(|| err(5166307, "$dateDiff overflowed"))?;
                (tb - ta).num_milliseconds() / fixed_ms(&unit)
            };
            Ok(Some(Bson::Int64(diff)))
        }
        Op::DateToString => {
            let date = arg("date")?;
            if nullish(&date) {
                return match named_arg(args, "onNull") {
                    Some(n) => n.eval(root, vars),
                    None => null,
                };
            }
            let off = tz(&arg("timezone")?)?;
            let t = local(date_ms(date.as_ref().unwrap_or(&Bson::Null), op)?, off)?;
            let format = match arg("format")? {
                None => "%Y-%m-%dT%H:%M:%S.%LZ".to_string(),
                Some(Bson::String(f)) => f,
                Some(Bson::Null) => return null,
                Some(other) => {
                    return Err(err(
                        18533,
                        format!(
                            "$dateToString requires that 'format' be a string, found: {}",
                            type_name(&other)
                        ),
                    ))
                }
            };
            Ok(Some(Bson::String(format_date(&t, &format)?)))
        }
        Op::DateFromString => {
            let s = arg("dateString")?;
            if nullish(&s) {
                return match named_arg(args, "onNull") {
                    Some(n) => n.eval(root, vars),
                    None => null,
                };
            }
            let fail = |msg: String| -> Result<Option<Bson>, CommandError> {
                match named_arg(args, "onError") {
                    Some(n) => n.eval(root, vars),
                    None => Err(CommandError::new(ErrorCode::ConversionFailure, msg)),
                }
            };
            let Some(Bson::String(text)) = s else {
                return fail("$dateFromString requires that 'dateString' be a string".into());
            };
            let off = tz(&arg("timezone")?)?;
            let parsed = match arg("format")? {
                Some(Bson::String(f)) => {
                    let cf = f.replace("%L", "%3f");
                    NaiveDateTime::parse_from_str(&text, &cf)
                        .ok()
                        .or_else(|| {
                            NaiveDate::parse_from_str(&text, &cf)
                                .ok()
                                .and_then(|d| d.and_hms_opt(0, 0, 0))
                        })
                        .and_then(|t| to_bson_date(t, off).ok())
                }
                _ => {
                    let has_zone =
                        text.ends_with('Z') || text.rfind(['+', '-']).is_some_and(|i| i > 10);
                    super::convert::parse_date(&text).and_then(|ms| {
                        let ms = if has_zone {
                            ms
                        } else {
                            off.instant(DateTime::from_timestamp_millis(ms)?.naive_utc())?
                        };
                        Some(Bson::DateTime(bson::DateTime::from_millis(ms)))
                    })
                }
            };
            match parsed {
                Some(d) => Ok(Some(d)),
                None => fail(format!("Error parsing date string '{text}'")),
            }
        }
        _ => {
            let date = arg("date")?;
            if nullish(&date) {
                return null;
            }
            let off = tz(&arg("timezone")?)?;
            let t = local(date_ms(date.as_ref().unwrap_or(&Bson::Null), op)?, off)?;
            let ms = (t.nanosecond() / 1_000_000) as i32;
            Ok(Some(
                if matches!(arg("iso8601")?, Some(Bson::Boolean(true))) {
                    Bson::Document(
                        doc! {"isoWeekYear": t.iso_week().year(), "isoWeek": t.iso_week().week() as i32, "isoDayOfWeek": t.weekday().number_from_monday() as i32, "hour": t.hour() as i32, "minute": t.minute() as i32, "second": t.second() as i32, "millisecond": ms},
                    )
                } else {
                    Bson::Document(
                        doc! {"year": t.year(), "month": t.month() as i32, "day": t.day() as i32, "hour": t.hour() as i32, "minute": t.minute() as i32, "second": t.second() as i32, "millisecond": ms},
                    )
                },
            ))
        }
    }
}
