//! Time functions beyond the basics of `datetime.rs`: `AT TIME ZONE`, `date_trunc(unit, ts, zone)`,
//! `date_part`, `date_bin`, `age`, `justify_hours` / `justify_days` / `justify_interval`, `to_char`
//! (`to_char.rs`). Time zones are Olson names (`Europe/Paris`), `UTC`, or PostgreSQL's POSIX-style offsets
//! (`'+05'` is five hours *west* of Greenwich, as in PostgreSQL), handed to MongoDB's `timezone` arguments.

use super::datetime::const_iv;
use super::interval;
use super::literal::constant;
use super::{invalid, unsupported, Agg, Kind};
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use crate::translate::{Error, Translator};
use bson::{doc, Bson};
use chrono::{DateTime, NaiveDateTime, TimeZone};
use sqlparser::ast::{DateTimeField, Expr};

/// The format both sides of a wall-clock conversion use.
const WALL: &str = "%Y-%m-%dT%H:%M:%S.%L";

/// A time zone PostgreSQL accepts, as MongoDB's `timezone` argument.
pub(crate) fn zone_name(s: &str) -> Option<String> {
    let t = s.trim();
    if ["utc", "gmt", "z", "zulu", "etc/utc", "etc/gmt", "universal"]
        .contains(&t.to_ascii_lowercase().as_str())
    {
        return Some("UTC".into());
    }
    if let Some(first) = t.chars().next().filter(|c| *c == '+' || *c == '-') {
        // POSIX: '+05' is UTC-5.
        let rest = &t[1..];
        let (h, m) = match rest.split_once(':') {
            Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
            None => (rest.parse::<u32>().ok()?, 0),
        };
        if h > 15 || m > 59 {
            return None;
        }
        let sign = if first == '+' { '-' } else { '+' };
        return Some(format!("{sign}{h:02}:{m:02}"));
    }
    // Olson names only: PostgreSQL reads abbreviations ('CET', 'EST') from its own table first, with fixed
    // offsets that the zones of the same name do not have.
    if !t.contains('/') {
        return None;
    }
    chrono_tz::TZ_VARIANTS
        .iter()
        .find(|z| z.name().eq_ignore_ascii_case(t))
        .map(|z| z.name().to_string())
}

/// The offset from UTC of `zone` (a name [`zone_name`] gives) at an instant, in milliseconds.
pub(crate) fn zone_offset_at(zone: &str, instant_ms: i64) -> Option<i64> {
    if zone == "UTC" {
        return Some(0);
    }
    if let Some(rest) = zone.strip_prefix(['+', '-']) {
        let (h, m) = rest.split_once(':')?;
        let secs = h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60;
        return Some(if zone.starts_with('-') { -secs } else { secs } * 1000);
    }
    let tz: chrono_tz::Tz = zone.parse().ok()?;
    let t = tz.timestamp_millis_opt(instant_ms).single()?;
    Some(i64::from(chrono::Offset::fix(t.offset()).local_minus_utc()) * 1000)
}

/// The instant of wall time `wall_ms` (a date whose UTC fields are the wall clock) in `zone`.
fn instant_of_wall(zone: &str, wall_ms: i64) -> Option<i64> {
    if !zone.contains('/') {
        return Some(wall_ms - zone_offset_at(zone, 0)?);
    }
    let tz: chrono_tz::Tz = zone.parse().ok()?;
    let naive: NaiveDateTime = DateTime::from_timestamp_millis(wall_ms)?.naive_utc();
    let t = match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t,
        chrono::LocalResult::Ambiguous(a, _) => a,
        chrono::LocalResult::None => return None,
    };
    Some(t.timestamp_millis())
}

/// Whether a timestamp text names its offset (`Z`, `+02`, `-05:30` after the time).
fn has_offset(text: &str) -> bool {
    let t = text.trim();
    let time = t.get(10..).unwrap_or("");
    t.ends_with(['Z', 'z']) || time.contains(['+', '-'])
}

/// [`Translator::zoned_literal`] in time zone `zone` (`None`: UTC): the instant of a timestamptz literal
/// `text`, read as `d` (its fields as UTC), whose wall clock is in `zone` when it names no offset.
pub(crate) fn zoned_literal_in(
    zone: Option<&str>,
    text: &str,
    d: bson::DateTime,
) -> Option<bson::DateTime> {
    match zone {
        Some(z) if !has_offset(text) => {
            instant_of_wall(z, d.timestamp_millis()).map(bson::DateTime::from_millis)
        }
        _ => Some(d),
    }
}

impl Translator {
    /// The session time zone, when it is not UTC.
    pub(crate) fn session_zone(&self) -> Option<String> {
        self.time_zone.clone().filter(|z| z != "UTC")
    }

    /// A date argument of a part operator (`$hour`, `$dateToParts`, ...): in the session time zone when
    /// there is one and the value is an instant (`{date, timezone}`), else the date itself.
    pub(crate) fn zoned(&self, x: Bson, local: bool) -> Bson {
        match self.session_zone() {
            Some(z) if !local => Bson::Document(doc! {"date": x, "timezone": z}),
            _ => x,
        }
    }

    /// A `timestamptz` / `date` literal: without an offset it is a wall-clock time of the session time zone.
    pub(crate) fn zoned_literal(&self, text: &str, d: bson::DateTime) -> Option<bson::DateTime> {
        zoned_literal_in(self.session_zone().as_deref(), text, d)
    }

    /// The functions of this module; `None` when `name` is none of them.
    pub(crate) fn time_function(
        &mut self,
        cx: &mut QueryContext,
        name: &str,
        args: &[&Expr],
        e: &Expr,
    ) -> Result<Option<Agg>, Error> {
        let argc = args.len();
        let want = |ok: bool| -> Result<(), Error> {
            if ok {
                Ok(())
            } else {
                Err(invalid(
                    format!("{name}() does not take {argc} argument(s)"),
                    e,
                ))
            }
        };
        Ok(Some(match name {
            "date_trunc" => {
                want(argc == 2 || argc == 3)?;
                self.date_trunc_in(cx, args[0], args[1], args.get(2).copied(), e)?
            }
            "date_part" => {
                want(argc == 2)?;
                let field = match self.agg(cx, args[0])?.constant {
                    Some(Bson::String(s)) => field_named(&s)
                        .ok_or_else(|| invalid(format!("unit \"{s}\" not recognized"), args[0]))?,
                    _ => {
                        return Err(unsupported(
                            Refusal::Function,
                            "date_part with a non-literal field",
                            args[0],
                        ))
                    }
                };
                self.extract(cx, &field, args[1], e)?
            }
            "date_bin" => {
                want(argc == 3)?;
                self.date_bin(cx, args[0], args[1], args[2])?
            }
            "age" => {
                want(argc == 1 || argc == 2)?;
                let (hi, lo) = if argc == 2 {
                    (self.agg(cx, args[0])?, self.agg(cx, args[1])?)
                } else {
                    let mut spec = doc! {"date": ex::now(), "unit": "day"};
                    if let Some(z) = self.session_zone() {
                        spec.insert("timezone", z);
                    }
                    let today = Agg::new(ex::date_trunc(spec), Kind::Timestamp, false);
                    (today, self.agg(cx, args[0])?)
                };
                let zone = self
                    .session_zone()
                    .filter(|_| !(hi.local_time && lo.local_time));
                Agg::new(
                    age(hi.expr.into(), lo.expr.into(), zone),
                    Kind::Interval,
                    true,
                )
            }
            "justify_hours" | "justify_days" | "justify_interval" => {
                want(argc == 1)?;
                let a = self.agg(cx, args[0])?;
                if !matches!(a.kind, Kind::Interval | Kind::Unknown | Kind::Null) {
                    return Err(invalid(format!("{name}() takes an interval"), e));
                }
                let hours = name != "justify_days";
                let days = name != "justify_hours";
                Agg::new(
                    interval::justify(a.expr.into(), hours, days),
                    Kind::Interval,
                    a.nullable,
                )
            }
            "to_char" => {
                want(argc == 2)?;
                self.format_to_char(cx, args[0], args[1], e)?
            }
            _ => return Ok(None),
        }))
    }

    /// The zone of `AT TIME ZONE z` / a `date_trunc` zone argument: a constant (checked, canonical) or an
    /// expression MongoDB reads at run time.
    fn zone_arg(
        &mut self,
        cx: &mut QueryContext,
        z: &Expr,
    ) -> Result<(Bson, Option<String>), Error> {
        let a = self.agg(cx, z)?;
        match &a.constant {
            Some(Bson::String(s)) => match zone_name(s) {
                Some(n) => Ok((Bson::String(n.clone()), Some(n))),
                None if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic()) => Err(unsupported(
                    Refusal::Function,
                    format!("time zone abbreviation '{s}' (PostgreSQL reads abbreviations from its own table of fixed offsets, unlike the zones of the same name: use an Olson name such as 'Europe/Paris')"),
                    z,
                )),
                None => Err(invalid(
                    format!("time zone \"{s}\" not recognized (Olson names such as 'Europe/Paris', 'UTC', or POSIX offsets: '-05:30' is east of Greenwich)"),
                    z,
                )),
            },
            Some(Bson::Null) => Ok((Bson::Null, None)),
            Some(_) => Err(invalid("time zone must be text", z)),
            None => Ok((a.expr.into(), None)),
        }
    }

    /// `ts AT TIME ZONE z`: an instant (timestamptz) becomes its wall-clock time in `z` (a timestamp without
    /// time zone); a wall-clock time becomes the instant it is in `z`.
    pub(crate) fn at_time_zone(
        &mut self,
        cx: &mut QueryContext,
        ts: &Expr,
        z: &Expr,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let a = self.agg(cx, ts)?;
        if !matches!(a.kind, Kind::Timestamp | Kind::Unknown | Kind::Null) {
            return Err(invalid("AT TIME ZONE takes a timestamp", e));
        }
        let (zone, zone_const) = self.zone_arg(cx, z)?;
        rezone(a, zone, zone_const.as_deref()).ok_or_else(|| invalid("timestamp out of range", e))
    }

    /// `date_trunc(unit, ts [, zone])` -> `$dateTrunc` (weeks start on Monday, as in PostgreSQL).
    fn date_trunc_in(
        &mut self,
        cx: &mut QueryContext,
        unit: &Expr,
        ts: &Expr,
        zone: Option<&Expr>,
        e: &Expr,
    ) -> Result<Agg, Error> {
        let (unit_name, a) = self.date_trunc_operands(cx, unit, ts, e)?;
        let zone = match zone {
            Some(z) => Some(self.zone_arg(cx, z)?.0),
            None if !a.local_time => self.session_zone().map(Bson::String),
            None => None,
        };
        Ok(super::datetime::date_trunc_agg(unit_name, a, zone))
    }

    /// `date_bin(stride, source, origin)`: `origin + floor((source - origin) / stride) * stride`.
    fn date_bin(
        &mut self,
        cx: &mut QueryContext,
        stride: &Expr,
        source: &Expr,
        origin: &Expr,
    ) -> Result<Agg, Error> {
        let s = self.agg(cx, stride)?;
        let Some(iv) = const_iv(&s) else {
            return Err(unsupported(
                Refusal::Function,
                "date_bin with a stride that is not a constant interval",
                stride,
            ));
        };
        if iv.months != 0 {
            return Err(invalid(
                "timestamps cannot be binned into intervals containing months or years",
                stride,
            ));
        }
        let us = i64::from(iv.days) * interval::USECS_PER_DAY + iv.micros;
        if us <= 0 {
            return Err(invalid("stride must be greater than zero", stride));
        }
        if us % 1000 != 0 {
            return Err(unsupported(
                Refusal::Function,
                "date_bin with a stride that is not whole milliseconds (MongoDB dates hold milliseconds)",
                stride,
            ));
        }
        let ms = us / 1000;
        let src = self.agg(cx, source)?;
        let org = self.agg(cx, origin)?;
        let src_v = ex::var("src");
        let inner = ex::let_in(
            doc! {"r": ex::modulo(ex::subtract(src_v.clone(), org.expr), Bson::Int64(ms))},
            ex::subtract(
                ex::subtract(src_v, ex::var("r")),
                ex::cond(ex::lt(ex::var("r"), 0), Bson::Int64(ms), Bson::Int64(0)),
            ),
        );
        let mut out = Agg::new(
            ex::let_in(doc! {"src": src.expr}, inner),
            Kind::Timestamp,
            true,
        );
        out.local_time = src.local_time;
        Ok(out)
    }
}

/// A `date_part` field name.
fn field_named(s: &str) -> Option<DateTimeField> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "epoch" => DateTimeField::Epoch,
        "year" | "years" => DateTimeField::Year,
        "month" | "months" => DateTimeField::Month,
        "day" | "days" => DateTimeField::Day,
        "hour" | "hours" => DateTimeField::Hour,
        "minute" | "minutes" => DateTimeField::Minute,
        "second" | "seconds" => DateTimeField::Second,
        "milliseconds" | "millisecond" => DateTimeField::Milliseconds,
        "dow" => DateTimeField::Dow,
        "isodow" => DateTimeField::Isodow,
        "doy" => DateTimeField::Doy,
        "week" => DateTimeField::Week(None),
        "quarter" => DateTimeField::Quarter,
        _ => return None,
    })
}

/// `a` read in `zone` the other way: an instant becomes its wall-clock time there, a wall-clock time the
/// instant it is there (`AT TIME ZONE`, casts between timestamp and timestamptz in a session zone). `None`:
/// a constant out of range.
pub(crate) fn rezone(a: Agg, zone: Bson, zone_const: Option<&str>) -> Option<Agg> {
    if let (Some(Bson::DateTime(d)), Some(zn)) = (&a.constant, zone_const) {
        let ms = d.timestamp_millis();
        let out = if a.local_time {
            instant_of_wall(zn, ms)
        } else {
            zone_offset_at(zn, ms).map(|off| ms + off)
        }?;
        let mut c = constant(Bson::DateTime(bson::DateTime::from_millis(out)));
        c.local_time = !a.local_time;
        return Some(c);
    }
    if zone_const == Some("UTC") {
        // dates hold UTC: the same BSON date, read the other way
        let mut out = a;
        out.local_time = !out.local_time;
        out.constant = None;
        return Some(out);
    }
    let expr = if a.local_time {
        ex::date_from_string(doc! {
            "dateString": ex::date_to_string(doc! {"date": a.expr, "format": WALL}),
            "format": WALL,
            "timezone": zone,
        })
    } else {
        ex::date_from_string(doc! {
            "dateString": ex::date_to_string(doc! {"date": a.expr, "format": WALL, "timezone": zone}),
            "format": WALL,
        })
    };
    let mut out = Agg::new(expr, Kind::Timestamp, a.nullable);
    out.local_time = !a.local_time;
    Some(out)
}

/// The length in days of month `month` (1-12) of year `year`.
fn month_days(year: Bson, month: Bson) -> Bson {
    let v = ex::var;
    let leap = ex::let_in(
        doc! {"yr": year},
        ex::or(vec![
            ex::and(vec![
                ex::eq(ex::modulo(v("yr"), 4), 0),
                ex::ne(ex::modulo(v("yr"), 100), 0),
            ]),
            ex::eq(ex::modulo(v("yr"), 400), 0),
        ]),
    );
    ex::array_elem_at(
        Bson::Array(vec![
            Bson::Int32(31),
            ex::cond(leap, 29, 28).into(),
            Bson::Int32(31),
            Bson::Int32(30),
            Bson::Int32(31),
            Bson::Int32(30),
            Bson::Int32(31),
            Bson::Int32(31),
            Bson::Int32(30),
            Bson::Int32(31),
            Bson::Int32(30),
            Bson::Int32(31),
        ]),
        ex::subtract(month, 1),
    )
}

/// The length in days of the month of the earlier date's parts (`$$e`, a `$dateToParts` document).
fn earlier_month_days() -> Bson {
    let p = |f: &str| Bson::from(ex::var(&format!("e.{f}")));
    month_days(p("year"), p("month"))
}

/// PostgreSQL's `age(hi, lo)`: the field-by-field difference of the two dates, borrowing from the next larger
/// field (a month borrows the length of the earlier date's month), as `{months, days, micros}`.
///
/// The borrows below the day are one subtraction of the times of day (milliseconds since midnight: a
/// negative difference borrows one day); the borrow of a month into the year leaves `12 * years + months`
/// as it is, so the months are that total less the day's borrow. PostgreSQL borrows a month while the days
/// are negative, but one borrow always suffices: the days are at least `-(day of the earlier date)`, and
/// that day is at most its month's length.
///
/// In a time zone the fields are the wall clock's there, read from the dates' `$dateToParts`; without one,
/// [`age_utc`] computes the same values from the dates themselves.
fn age(hi: Bson, lo: Bson, zone: Option<String>) -> Bson {
    match zone {
        Some(z) => age_in_zone(hi, lo, Some(z)),
        None => age_utc(hi, lo),
    }
}

/// [`age`] from the `$dateToParts` of both dates, read in `zone` (`None`: UTC).
fn age_in_zone(hi: Bson, lo: Bson, zone: Option<String>) -> Bson {
    let v = ex::var;
    let p = |x: &str, f: &str| Bson::from(ex::var(&format!("{x}.{f}")));
    let dim = earlier_month_days();
    let time_of_day = |x: &str| {
        ex::add(vec![
            ex::multiply(vec![p(x, "hour"), Bson::Int32(3_600_000)]),
            ex::multiply(vec![p(x, "minute"), Bson::Int32(60_000)]),
            ex::multiply(vec![p(x, "second"), Bson::Int32(1000)]),
            p(x, "millisecond"),
        ])
    };
    let diff = |f: &str| ex::subtract(p("l", f), p("e", f));
    let sign = |x: Bson| ex::multiply(vec![x, v("sg").into()]);
    let negative = |x: &str| Bson::from(ex::lt(v(x), 0));
    let result = make_signed(
        sign(ex::subtract(v("mon"), ex::cond(negative("day"), 1, 0))),
        sign(
            ex::cond(
                negative("day"),
                ex::add(vec![v("day").into(), dim]),
                v("day"),
            )
            .into(),
        ),
        sign(ex::multiply(vec![v("t").into(), Bson::Int64(1000)])),
    );
    let body = ex::let_in(
        doc! {
            "t": ex::subtract(time_of_day("l"), time_of_day("e")),
            "day": diff("day"),
            "mon": ex::add(vec![ex::multiply(vec![diff("year"), Bson::Int32(12)]), diff("month")]),
        },
        ex::let_in(
            doc! {
                "t": ex::cond(negative("t"), ex::add(vec![v("t").into(), Bson::Int32(86_400_000)]), v("t")),
                "day": ex::cond(negative("t"), ex::subtract(v("day"), 1), v("day")),
            },
            result,
        ),
    );
    age_frame(
        hi,
        lo,
        &|d| ex::date_to_parts(d, zone.clone().map(Bson::String)),
        body,
    )
}

/// [`age`] in UTC (no session time zone, or two wall-clock times): the same values computed from the two
/// dates, with no `$dateToParts` document built and read back. UTC days are whole days, so the difference
/// of the times of day after its borrow is `(l - e) mod 1 day` (`l >= e`), and the day was borrowed exactly
/// when that is more than `l`'s time of day (it is `tl - te + 1 day` then, else `tl - te <= tl`). The months
/// are `$dateDiff`'s month boundaries (`12 * years + months`), the days the difference of the days of the
/// month less that borrow; the month length is computed only where a month is borrowed. Every field of the
/// result has the type [`age_in_zone`] gives it (`int`, `int`, `long`).
fn age_utc(hi: Bson, lo: Bson) -> Bson {
    let v = |n: &str| -> Bson { ex::var(n).into() };
    let borrow = || ex::lt(ex::var("day"), 0);
    let body = ex::let_in(
        doc! {
            "t": ex::modulo(ex::subtract(v("l"), v("e")), Bson::Int64(86_400_000)),
            "tl": ex::subtract(v("l"), ex::date_trunc(doc! {"date": v("l"), "unit": "day"})),
            "day": ex::subtract(ex::day_of_month(v("l")), ex::day_of_month(v("e"))),
            "mon": ex::date_diff(doc! {"startDate": v("e"), "endDate": v("l"), "unit": "month"}),
        },
        ex::let_in(
            doc! {"day": ex::subtract(v("day"), ex::cond(ex::gt(ex::var("t"), ex::var("tl")), 1, 0))},
            interval::make(
                ex::to_int(ex::multiply(vec![
                    ex::subtract(v("mon"), ex::cond(borrow(), 1, 0)),
                    v("sg"),
                ])),
                ex::multiply(vec![
                    ex::cond(
                        borrow(),
                        ex::add(vec![
                            v("day"),
                            month_days(ex::year(v("e")), ex::month(v("e"))),
                        ]),
                        v("day"),
                    )
                    .into(),
                    v("sg"),
                ]),
                ex::multiply(vec![v("t"), Bson::Int64(1000), v("sg")]),
            ),
        ),
    );
    age_frame(hi, lo, &|d| d, body)
}

/// `age(hi, lo)`'s frame around `body`: NULL when either is NULL, else `body` with `$$sg` (-1 when `hi` is
/// the earlier), `$$l` / `$$e` the later and earlier instants, as `bind` makes them (their `$dateToParts`,
/// or the dates themselves).
fn age_frame(hi: Bson, lo: Bson, bind: &dyn Fn(Bson) -> Bson, body: Bson) -> Bson {
    let v = ex::var;
    ex::let_in(
        doc! {"ha": hi, "la": lo},
        ex::cond(
            crate::translate::nulls::or(vec![ex::is_null(v("ha")), ex::is_null(v("la"))]),
            Bson::Null,
            ex::let_in(
                doc! {
                    "sg": ex::cond(ex::lt(v("ha"), v("la")), -1, 1),
                    "l": bind(ex::max(vec![v("ha").into(), v("la").into()])),
                    "e": bind(ex::min(vec![v("ha").into(), v("la").into()])),
                },
                body,
            ),
        ),
    )
}

fn make_signed(months: Bson, days: Bson, micros: Bson) -> Bson {
    interval::make(ex::to_int(months), ex::to_int(days), ex::to_long(micros))
}

#[cfg(test)]
mod tests {
    // `age()`'s plan against the one it replaced (PostgreSQL's algorithm step by step, checked by the
    // PostgreSQL oracle), both evaluated by the embedded engine on generated pairs of dates (month ends, leap
    // days, either order, equal, milliseconds, with and without a time zone): the same interval.

    use crate::engine::expr::{Expr as Compiled, Vars};
    use crate::mql::expr as ex;
    use bson::{doc, Bson};
    use proptest::prelude::*;

    /// The plan `age` replaced: PostgreSQL's algorithm as written, every field borrowed from the next, each
    /// step a `$let` rebinding all nine names; the field-by-field difference of the two dates, borrowing from the next larger
    /// field (a month borrows the length of the earlier date's month), as `{months, days, micros}`.
    fn age_field_by_field(hi: Bson, lo: Bson, zone: Option<String>) -> Bson {
        let v = ex::var;
        let p = |x: &str, f: &str| ex::var(&format!("{x}.{f}"));
        let dim = super::earlier_month_days();
        let borrow = |val: &str, base: Bson, next: &str| -> (Bson, Bson) {
            // (value, next field) after one borrow
            (
                ex::cond(
                    ex::lt(v(val), 0),
                    ex::add(vec![v(val).into(), base]),
                    v(val),
                )
                .into(),
                ex::cond(ex::lt(v(val), 0), ex::subtract(v(next), 1), v(next)).into(),
            )
        };
        let (ms1, sec1) = borrow("ms", Bson::Int32(1000), "sec");
        let (sec2, min1) = borrow("sec", Bson::Int32(60), "min");
        let (min2, hour1) = borrow("min", Bson::Int32(60), "hour");
        let (hour2, day1) = borrow("hour", Bson::Int32(24), "day");
        let (day2, mon1) = borrow("day", v("dim").into(), "mon");
        let (mon2, year1) = borrow("mon", Bson::Int32(12), "year");
        let sign = |x: Bson| ex::multiply(vec![x, v("sg").into()]);
        let result = super::make_signed(
            sign(ex::add(vec![
                ex::multiply(vec![v("year").into(), Bson::Int32(12)]),
                v("mon").into(),
            ])),
            sign(v("day").into()),
            sign(ex::add(vec![
                ex::multiply(vec![
                    ex::add(vec![
                        ex::multiply(vec![
                            ex::add(vec![
                                ex::multiply(vec![v("hour").into(), Bson::Int64(60)]),
                                v("min").into(),
                            ]),
                            Bson::Int64(60),
                        ]),
                        v("sec").into(),
                    ]),
                    Bson::Int64(1_000_000),
                ]),
                ex::multiply(vec![v("ms").into(), Bson::Int64(1000)]),
            ])),
        );
        let diff = |f: &str| ex::subtract(p("l", f), p("e", f));
        let body = ex::let_in(
            doc! {
                "ms": diff("millisecond"), "sec": diff("second"), "min": diff("minute"),
                "hour": diff("hour"), "day": diff("day"), "mon": diff("month"), "year": diff("year"),
                "dim": dim,
            },
            ex::let_in(
                doc! {"ms": ms1, "sec": sec1, "min": v("min"), "hour": v("hour"), "day": v("day"), "mon": v("mon"), "year": v("year"), "dim": v("dim")},
                ex::let_in(
                    doc! {"ms": v("ms"), "sec": sec2, "min": min1, "hour": v("hour"), "day": v("day"), "mon": v("mon"), "year": v("year"), "dim": v("dim")},
                    ex::let_in(
                        doc! {"ms": v("ms"), "sec": v("sec"), "min": min2, "hour": hour1, "day": v("day"), "mon": v("mon"), "year": v("year"), "dim": v("dim")},
                        ex::let_in(
                            doc! {"ms": v("ms"), "sec": v("sec"), "min": v("min"), "hour": hour2, "day": day1, "mon": v("mon"), "year": v("year"), "dim": v("dim")},
                            // a day count may need the month length twice (-31 + 28)
                            ex::let_in(
                                doc! {"ms": v("ms"), "sec": v("sec"), "min": v("min"), "hour": v("hour"), "day": day2.clone(), "mon": mon1.clone(), "year": v("year"), "dim": v("dim")},
                                ex::let_in(
                                    doc! {"ms": v("ms"), "sec": v("sec"), "min": v("min"), "hour": v("hour"), "day": day2, "mon": mon1, "year": v("year")},
                                    ex::let_in(
                                        doc! {"ms": v("ms"), "sec": v("sec"), "min": v("min"), "hour": v("hour"), "day": v("day"), "mon": mon2, "year": year1},
                                        result,
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        );
        super::age_frame(
            hi,
            lo,
            &|d| ex::date_to_parts(d, zone.clone().map(Bson::String)),
            body,
        )
    }

    fn eval(plan: Bson, a: i64, b: i64) -> Option<Bson> {
        // 0 stands for NULL (`a`) or missing (`b`)
        let mut d = doc! {"a": bson::DateTime::from_millis(a), "b": bson::DateTime::from_millis(b)};
        if a == 0 {
            d.insert("a", Bson::Null);
        }
        if b == 0 {
            d.remove("b");
        }
        Compiled::compile(&plan)
            .and_then(|c| c.eval(&d, &Vars::new(bson::DateTime::from_millis(0))))
            .expect("the plan evaluates")
    }

    /// Milliseconds around month ends and leap days of 2023 - 2025.
    fn instant() -> impl Strategy<Value = i64> {
        prop_oneof![
            // 2023-01-01 .. 2026-01-01, anywhere
            1_672_531_200_000i64..1_767_225_600_000,
            // 1890 .. 2110: before 1970 (negative milliseconds), across 1900 and 2100 (no leap day) and 2000
            -2_524_521_600_000i64..4_417_977_600_000,
            // the last and first days of months, to the millisecond
            (
                prop_oneof![
                    2023i32..2026,
                    Just(1900),
                    Just(1969),
                    Just(2000),
                    Just(2100)
                ],
                1u32..13,
                prop::sample::select(vec![1u32, 28, 29, 30, 31]),
                0i64..86_400_000
            )
                .prop_map(|(y, m, d, ms)| {
                    let day = (1..=d)
                        .rev()
                        .find_map(|d| chrono::NaiveDate::from_ymd_opt(y, m, d))
                        .unwrap_or_default();
                    day.and_hms_opt(0, 0, 0)
                        .unwrap_or_default()
                        .and_utc()
                        .timestamp_millis()
                        + ms
                }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn age_equals_the_step_by_step_plan(
            a in instant(),
            b in prop_oneof![8 => instant(), 1 => Just(0i64), 1 => Just(1i64)],
            a_null in prop::bool::weighted(0.03),
            b_missing in prop::bool::weighted(0.03),
            zone in prop::sample::select(vec![None, Some("Europe/Paris"), Some("America/New_York"), Some("UTC")]),
        ) {
            // equal instants; NULL and missing operands (0, see `eval`)
            let b = if b == 0 { a } else { b };
            let a = if a_null || a == 0 { 0 } else { a };
            let b = if b_missing || b == 0 { 0 } else { b };
            let zone = zone.map(str::to_string);
            let new = super::age(ex::field("a").into(), ex::field("b").into(), zone.clone());
            let old = age_field_by_field(ex::field("a").into(), ex::field("b").into(), zone);
            prop_assert_eq!(eval(new, a, b), eval(old, a, b));
        }
    }
}
