//! The computations of the register code's instructions on small values: date parts, `$dateDiff`,
//! `$dateAdd` in UTC, `$abs`. Each gives `None` where the general path must answer (see `mod.rs`).
//!
//! In: small values; out: a small value or `None`. Depends on `dates` (date parts), chrono.

use super::{DateUnit, Small};
use crate::engine::expr::Op;
use crate::engine::numeric::Num;

/// The UTC date-time of `ms`, when chrono represents it (else the general path reports it).
pub(super) fn utc(ms: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_millis(ms)
}

/// `$year` .. `$isoWeekYear` of a date in UTC (null for null or missing); `None` for anything else.
pub(super) fn date_part(op: Op, v: Small) -> Option<Small> {
    let ms = match v {
        Small::Missing | Small::Null => return Some(Small::Null),
        Small::Date(ms) => ms,
        _ => return None,
    };
    let v = crate::engine::expr::dates::part_number(op, &utc(ms)?)?;
    Some(Small::Num(Num::Int(v as i32)))
}

/// The date parts the code computes (all but `$week`).
pub(super) fn is_part(op: Op) -> bool {
    crate::engine::expr::ops::is_date_part(op) && op != Op::Week
}

/// `$dateDiff` in UTC (null when a date is null or missing); `None` for anything else.
pub(super) fn date_diff(a: Small, b: Small, unit: DateUnit) -> Option<Small> {
    use chrono::Datelike;
    let (a, b) = match (a, b) {
        (Small::Missing | Small::Null, _) | (_, Small::Missing | Small::Null) => {
            return Some(Small::Null)
        }
        (Small::Date(a), Small::Date(b)) => (a, b),
        _ => return None,
    };
    let (ta, tb) = (utc(a)?, utc(b)?);
    let diff = match unit {
        DateUnit::Months(m) => {
            let ma = i64::from(ta.year()) * 12 + i64::from(ta.month0());
            let mb = i64::from(tb.year()) * 12 + i64::from(tb.month0());
            mb.div_euclid(m) - ma.div_euclid(m)
        }
        DateUnit::Fixed(step) => b.div_euclid(step) - a.div_euclid(step),
    };
    Some(Small::Num(Num::Long(diff)))
}

/// `$dateAdd` of `n` units to a date in UTC (null when either is null or missing); `None` for anything
/// else (a fractional amount, an overflow).
pub(super) fn date_add(date: Small, n: Small, unit: DateUnit) -> Option<Small> {
    let (ms, n) = match (date, n) {
        (Small::Missing | Small::Null, _) | (_, Small::Missing | Small::Null) => {
            return Some(Small::Null)
        }
        (Small::Date(ms), Small::Num(n)) => (ms, n.to_i64_exact()?),
        _ => return None,
    };
    utc(ms)?;
    let out = match unit {
        DateUnit::Months(m) => {
            let t = utc(ms)?.naive_utc();
            let k = n.checked_mul(m)?;
            let months = chrono::Months::new(u32::try_from(k.unsigned_abs()).ok()?);
            let r = if k >= 0 {
                t.checked_add_months(months)?
            } else {
                t.checked_sub_months(months)?
            };
            r.and_utc().timestamp_millis()
        }
        DateUnit::Fixed(step) => ms.checked_add(n.checked_mul(step)?)?,
    };
    Some(Small::Date(out))
}

/// `$abs` where it is a plain computation (null for null or missing); `None` leaves it to the family.
pub(super) fn abs(v: Small) -> Option<Small> {
    Some(match v {
        Small::Missing | Small::Null => Small::Null,
        Small::Num(Num::Int(i)) => Small::Num(match i.checked_abs() {
            Some(a) => Num::Int(a),
            None => Num::Long((i as i64).abs()),
        }),
        Small::Num(Num::Long(i)) => Small::Num(Num::Long(i.checked_abs()?)),
        Small::Num(Num::Double(d)) => Small::Num(Num::Double(d.abs())),
        _ => return None,
    })
}
