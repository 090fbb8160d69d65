//! PostgreSQL intervals: the value (`Iv`: months, days, microseconds, PostgreSQL's own three fields), its
//! input syntax (fractional units cascade down as PostgreSQL's `DecodeInterval` does), its output text
//! (IntervalStyle `postgres`: `1 year 2 mons 3 days 04:05:06.5`), and the MongoDB expressions over a computed
//! interval, which is a document `{months, days, micros}` at run time (MongoDB has no interval type; months
//! and days are not fixed lengths, so the three fields stay apart as in PostgreSQL). A computed interval in
//! the statement's result is printed to PostgreSQL's text by the row layer (`mql::interval_text`); where the
//! query reads its text (a CTE, a set operation, `||`), by [`format`] in the pipeline.

use super::datetime::IntervalParts;
use bson::{doc, Bson};

pub(crate) use super::interval_expr::{
    between, epoch, field, format, justify, make, negate, scale, scale_whole, shift_date, span,
    Known,
};
#[cfg(test)]
pub(crate) use super::interval_expr::{
    format_plan, justify_plan, scale_plan, scale_plan_where, scale_whole_plan, span_plan,
};
pub(crate) use super::interval_sum::{add, add_constant};
#[cfg(test)]
pub(crate) use super::interval_sum::{add_constant_plan, add_plan};

/// Microseconds in a day.
pub(crate) const USECS_PER_DAY: i64 = 86_400_000_000;
pub(crate) const USECS_PER_HOUR: i64 = 3_600_000_000;
pub(crate) const USECS_PER_MINUTE: i64 = 60_000_000;
pub(crate) const USECS_PER_SEC: i64 = 1_000_000;

/// An interval as PostgreSQL holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Iv {
    /// Months (a year is 12).
    pub months: i32,
    /// Days.
    pub days: i32,
    /// Microseconds.
    pub micros: i64,
}

impl Iv {
    /// The interval of `$dateAdd`-style parts (`year`, `week`, ..., and `microsecond`).
    pub(crate) fn from_parts(parts: &IntervalParts) -> Option<Iv> {
        let mut iv = Iv::default();
        for (unit, n) in parts {
            let n32 = || i32::try_from(*n).ok();
            match *unit {
                "year" => iv.months = iv.months.checked_add(n32()?.checked_mul(12)?)?,
                "month" => iv.months = iv.months.checked_add(n32()?)?,
                "week" => iv.days = iv.days.checked_add(n32()?.checked_mul(7)?)?,
                "day" => iv.days = iv.days.checked_add(n32()?)?,
                u => {
                    let scale = match u {
                        "hour" => USECS_PER_HOUR,
                        "minute" => USECS_PER_MINUTE,
                        "second" => USECS_PER_SEC,
                        "millisecond" => 1000,
                        "microsecond" => 1,
                        _ => return None,
                    };
                    iv.micros = iv.micros.checked_add(n.checked_mul(scale)?)?;
                }
            }
        }
        Some(iv)
    }

    /// `$dateAdd` parts (month, day, millisecond; `microsecond` when the time is not whole milliseconds,
    /// which MongoDB dates cannot hold).
    pub(crate) fn to_parts(self) -> IntervalParts {
        let mut parts: IntervalParts = Vec::new();
        if self.months != 0 {
            parts.push(("month", i64::from(self.months)));
        }
        if self.days != 0 {
            parts.push(("day", i64::from(self.days)));
        }
        if self.micros % 1000 != 0 {
            parts.push(("microsecond", self.micros));
        } else if self.micros != 0 {
            parts.push(("millisecond", self.micros / 1000));
        }
        parts
    }

    /// The run-time value: `{months, days, micros}`.
    pub(crate) fn to_bson(self) -> Bson {
        Bson::Document(doc! {"months": self.months, "days": self.days, "micros": self.micros})
    }

    /// PostgreSQL's input syntax (a subset): `[@] N unit [N unit ...] [HH:MM[:SS[.f]]] [ago]`, fractional
    /// amounts (`1.5 hours`, `0.5 months`), signs per part; a bare number is seconds.
    pub(crate) fn parse(text: &str) -> Option<Iv> {
        let lower = text.trim().to_ascii_lowercase();
        let body = lower.strip_prefix('@').unwrap_or(&lower);
        let tokens: Vec<&str> = body.split_whitespace().collect();
        if tokens.is_empty() {
            return None;
        }
        let (mut months, mut days, mut micros) = (0i64, 0i64, 0f64);
        let mut seen: Vec<&str> = Vec::new();
        let mut ago = false;
        let mut i = 0;
        while i < tokens.len() {
            let tok = tokens[i];
            if tok == "ago" {
                if i + 1 != tokens.len() || ago {
                    return None;
                }
                ago = true;
                i += 1;
                continue;
            }
            if tok.contains(':') {
                if seen.contains(&"time") {
                    return None;
                }
                seen.push("time");
                micros += parse_clock(tok)? as f64;
                i += 1;
                continue;
            }
            let (num, unit_attached) = split_number(tok)?;
            let unit_word = if !unit_attached.is_empty() {
                i += 1;
                unit_attached
            } else if let Some(next) = tokens.get(i + 1).filter(|t| **t != "ago") {
                i += 2;
                next
            } else {
                i += 1;
                "second"
            };
            let unit = unit_of(unit_word)?;
            if seen.contains(&unit) {
                return None;
            }
            seen.push(unit);
            let v: f64 = num.parse().ok()?;
            let whole = v.trunc();
            let frac = v - whole;
            let w = whole as i64;
            match unit {
                "millennium" | "century" | "decade" | "year" => {
                    let years = match unit {
                        "millennium" => 1000,
                        "century" => 100,
                        "decade" => 10,
                        _ => 1,
                    };
                    months += w.checked_mul(12 * years)?;
                    months += (frac * 12.0 * years as f64).round_ties_even() as i64;
                }
                "month" => {
                    months += w;
                    let d = frac * 30.0;
                    days += d.trunc() as i64;
                    micros += (d - d.trunc()) * USECS_PER_DAY as f64;
                }
                "week" => {
                    let d = v * 7.0;
                    days += d.trunc() as i64;
                    micros += (d - d.trunc()) * USECS_PER_DAY as f64;
                }
                "day" => {
                    days += w;
                    micros += frac * USECS_PER_DAY as f64;
                }
                "hour" => micros += v * USECS_PER_HOUR as f64,
                "minute" => micros += v * USECS_PER_MINUTE as f64,
                "second" => micros += v * USECS_PER_SEC as f64,
                "millisecond" => micros += v * 1000.0,
                _ => micros += v,
            }
        }
        let micros = micros.round_ties_even();
        if !micros.is_finite() || micros.abs() > 9.2e18 {
            return None;
        }
        let mut iv = Iv {
            months: i32::try_from(months).ok()?,
            days: i32::try_from(days).ok()?,
            micros: micros as i64,
        };
        if ago {
            iv = iv.negate()?;
        }
        Some(iv)
    }

    /// The interval with the fields below `unit` dropped (`INTERVAL '...' MINUTE`).
    pub(crate) fn restrict_to(self, unit: &str) -> Iv {
        let trunc = |us: i64, step: i64| us / step * step;
        match unit {
            "year" => Iv {
                months: self.months / 12 * 12,
                days: 0,
                micros: 0,
            },
            "month" => Iv {
                days: 0,
                micros: 0,
                ..self
            },
            "day" | "week" => Iv { micros: 0, ..self },
            "hour" => Iv {
                micros: trunc(self.micros, USECS_PER_HOUR),
                ..self
            },
            "minute" => Iv {
                micros: trunc(self.micros, USECS_PER_MINUTE),
                ..self
            },
            _ => self,
        }
    }

    /// `-iv`.
    pub(crate) fn negate(self) -> Option<Iv> {
        Some(Iv {
            months: self.months.checked_neg()?,
            days: self.days.checked_neg()?,
            micros: self.micros.checked_neg()?,
        })
    }

    /// `self + other` (field by field, as PostgreSQL).
    pub(crate) fn plus(self, o: Iv) -> Option<Iv> {
        Some(Iv {
            months: self.months.checked_add(o.months)?,
            days: self.days.checked_add(o.days)?,
            micros: self.micros.checked_add(o.micros)?,
        })
    }

    /// `self * factor` (or `/ factor`), PostgreSQL's `interval_mul` / `interval_div`: whole months and days
    /// stay, their fractions cascade down (a month is 30 days, a day 24 hours).
    pub(crate) fn scale(self, factor: f64, divide: bool) -> Option<Iv> {
        let by = |x: f64| if divide { x / factor } else { x * factor };
        let (m, d) = (f64::from(self.months), f64::from(self.days));
        let rm = by(m).trunc();
        let rd = by(d).trunc();
        let mrd = tsround((by(m) - rm) * 30.0);
        let mut sr = tsround((by(d) - rd + mrd - mrd.trunc()) * 86_400.0);
        let mut days = rd;
        if sr.abs() >= 86_400.0 {
            let carry = (sr / 86_400.0).trunc();
            days += carry;
            sr -= carry * 86_400.0;
        }
        days += mrd.trunc();
        let t = (by(self.micros as f64) + sr * 1e6).round_ties_even();
        if !t.is_finite() || t.abs() > 9.2e18 || rm.abs() > 2.1e9 || days.abs() > 2.1e9 {
            return None;
        }
        Some(Iv {
            months: rm as i32,
            days: days as i32,
            micros: t as i64,
        })
    }

    /// PostgreSQL's output text (IntervalStyle `postgres`), as the row layer prints a computed interval.
    pub(crate) fn to_text(self) -> String {
        crate::mql::interval_text::interval_text(
            i64::from(self.months),
            i64::from(self.days),
            self.micros,
        )
    }
}

/// PostgreSQL's `TSROUND`: rounds to microseconds.
fn tsround(x: f64) -> f64 {
    (x * 1e6).round_ties_even() / 1e6
}

fn split_number(tok: &str) -> Option<(&str, &str)> {
    let end = tok
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || ((*c == '-' || *c == '+') && *i == 0)))
        .map_or(tok.len(), |(i, _)| i);
    let (num, unit) = tok.split_at(end);
    if num.is_empty() || num == "-" || num == "+" || num == "." {
        return None;
    }
    Some((num, unit))
}

/// `[-]H:M[:S[.f]]` as microseconds.
fn parse_clock(tok: &str) -> Option<i64> {
    let (neg, body) = match tok.as_bytes().first() {
        Some(b'-') => (true, &tok[1..]),
        Some(b'+') => (false, &tok[1..]),
        _ => (false, tok),
    };
    let parts: Vec<&str> = body.split(':').collect();
    let h: i64 = parts.first()?.parse().ok()?;
    let m: i64 = parts.get(1)?.parse().ok()?;
    let s: f64 = match parts.get(2) {
        Some(s) => s.parse().ok()?,
        None => 0.0,
    };
    if parts.len() > 3 || !(0..60).contains(&m) || !(0.0..60.0).contains(&s) {
        return None;
    }
    let us = h.checked_mul(USECS_PER_HOUR)? + m * USECS_PER_MINUTE + (s * 1e6).round() as i64;
    Some(if neg { -us } else { us })
}

fn unit_of(word: &str) -> Option<&'static str> {
    Some(match word {
        "millennium" | "millennia" | "millenniums" | "mil" | "mils" => "millennium",
        "century" | "centuries" | "c" | "cent" => "century",
        "decade" | "decades" | "dec" | "decs" => "decade",
        "year" | "years" | "y" | "yr" | "yrs" => "year",
        "month" | "months" | "mon" | "mons" => "month",
        "week" | "weeks" | "w" => "week",
        "day" | "days" | "d" => "day",
        "hour" | "hours" | "h" | "hr" | "hrs" => "hour",
        "minute" | "minutes" | "min" | "mins" | "m" => "minute",
        "second" | "seconds" | "sec" | "secs" | "s" => "second",
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => "millisecond",
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" => "microsecond",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        Iv::parse(s)
            .map(Iv::to_text)
            .unwrap_or_else(|| "ERR".into())
    }

    /// Expected texts are PostgreSQL 15's (`SELECT INTERVAL '...'`).
    #[test]
    fn parse_and_print_as_postgres() {
        assert_eq!(text("1 day 2 hours"), "1 day 02:00:00");
        assert_eq!(text("26 hours"), "26:00:00");
        assert_eq!(text("1.5 hours"), "01:30:00");
        assert_eq!(text("1.5 days"), "1 day 12:00:00");
        assert_eq!(text("1.5 weeks"), "10 days 12:00:00");
        assert_eq!(text("1.5 months"), "1 mon 15 days");
        assert_eq!(text("1.5 years"), "1 year 6 mons");
        assert_eq!(text("-30 minutes"), "-00:30:00");
        assert_eq!(text("-1 day 2 hours"), "-1 days +02:00:00");
        assert_eq!(text("1 year -2 mons"), "10 mons");
        assert_eq!(text("-1 year 2 mons"), "-10 mons");
        assert_eq!(text("3 mons 2 days"), "3 mons 2 days");
        assert_eq!(text("0 seconds"), "00:00:00");
        assert_eq!(text("1 day ago"), "-1 days");
        assert_eq!(text("01:30:15.25"), "01:30:15.25");
        assert_eq!(text("5"), "00:00:05");
        assert_eq!(text("0.5 ms"), "00:00:00.0005");
        assert_eq!(text("1 day 1 day"), "ERR");
        assert_eq!(text("five minutes"), "ERR");
    }

    #[test]
    fn scale_as_postgres() {
        let iv = |s: &str| Iv::parse(s).unwrap();
        let t = |v: Option<Iv>| v.map(Iv::to_text).unwrap_or_default();
        assert_eq!(t(iv("1 month").scale(1.5, false)), "1 mon 15 days");
        assert_eq!(t(iv("1 day").scale(7.0, true)), "03:25:42.857143");
        assert_eq!(t(iv("26 hours").scale(2.0, false)), "52:00:00");
        assert_eq!(t(iv("1 day").scale(0.5, false)), "12:00:00");
        assert_eq!(t(iv("1 mon 1 day").scale(3.0, true)), "10 days 08:00:00");
    }
}
