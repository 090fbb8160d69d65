//! PostgreSQL's output text of an interval (IntervalStyle `postgres`: `1 year 2 mons -3 days +04:05:06.5`).
//!
//! A computed interval is a `{months, days, micros}` document at run time (MongoDB has no interval type). A
//! column of the statement's result that holds one ([`crate::mql::OutputColumn::interval`]) is returned as that
//! document and printed here, by the row layer, on either backend; the translator's constants and the
//! pipeline's own formatter (where the text is needed inside the query) print the same text.

use bson::Bson;

const USECS_PER_HOUR: u64 = 3_600_000_000;
const USECS_PER_MINUTE: u64 = 60_000_000;
const USECS_PER_SEC: u64 = 1_000_000;

/// PostgreSQL's text of the interval of `months`, `days` and `micros` (its `EncodeInterval`, style
/// `postgres`): the non-zero date parts (`year`, `mon`, `day`, plural unless 1), a `+` on a positive part
/// after a negative one, then the time (`[-|+]HH:MM:SS[.ffffff]`, trailing zeros of the fraction dropped)
/// when it is not zero or nothing else was printed. Digits are written by hand (no formatting machinery:
/// this runs once per interval of every result row).
pub fn interval_text(months: i64, days: i64, micros: i64) -> String {
    let mut out = String::with_capacity(32);
    let (mut is_zero, mut is_before) = (true, false);
    for (v, unit) in [(months / 12, "year"), (months % 12, "mon"), (days, "day")] {
        if v == 0 {
            continue;
        }
        if !is_zero {
            out.push(' ');
        }
        if is_before && v > 0 {
            out.push('+');
        }
        if v < 0 {
            out.push('-');
        }
        push_digits(&mut out, v.unsigned_abs(), 1);
        out.push(' ');
        out.push_str(unit);
        if v != 1 {
            out.push('s');
        }
        is_before = v < 0;
        is_zero = false;
    }
    if is_zero || micros != 0 {
        let t = micros.unsigned_abs();
        if !is_zero {
            out.push(' ');
        }
        if micros < 0 {
            out.push('-');
        } else if is_before {
            out.push('+');
        }
        push_digits(&mut out, t / USECS_PER_HOUR, 2);
        out.push(':');
        push_digits(&mut out, t / USECS_PER_MINUTE % 60, 2);
        out.push(':');
        push_digits(&mut out, t / USECS_PER_SEC % 60, 2);
        let mut frac = t % USECS_PER_SEC;
        if frac != 0 {
            // six digits, trailing zeros dropped
            let mut width = 6;
            while frac % 10 == 0 {
                frac /= 10;
                width -= 1;
            }
            out.push('.');
            push_digits(&mut out, frac, width);
        }
    }
    out
}

/// The decimal digits of `n`, zero-padded on the left to at least `width` (at most 20) digits.
fn push_digits(out: &mut String, mut n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = i.min(buf.len().saturating_sub(width));
    out.extend(buf[start..].iter().map(|&b| char::from(b)));
}

/// The text of a run-time interval value, a `{months, days, micros}` document of integral numbers; `None`
/// for any other value (NULL included).
pub fn interval_value_text(v: &Bson) -> Option<String> {
    let Bson::Document(d) = v else {
        return None;
    };
    let part = |v: &Bson| -> Option<i64> {
        match v {
            Bson::Int32(i) => Some(i64::from(*i)),
            Bson::Int64(i) => Some(*i),
            // integral doubles only, within what an i64 holds exactly enough to print as the pipeline would
            Bson::Double(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
            _ => None,
        }
    };
    if d.len() != 3 {
        return None;
    }
    // the three fields by one pass over the document (no key hashed)
    let (mut months, mut days, mut micros) = (None, None, None);
    for (k, v) in d {
        match k.as_str() {
            "months" => months = Some(part(v)?),
            "days" => days = Some(part(v)?),
            "micros" => micros = Some(part(v)?),
            _ => return None,
        }
    }
    Some(interval_text(months?, days?, micros?))
}

/// Prints, in place, the interval values of the columns flagged in `interval` (one flag per value of `row`);
/// other values, and a flagged column's values that are not interval documents (NULL), stay as they are.
pub fn print_intervals(row: &mut [Bson], interval: &[bool]) {
    for (v, is_interval) in row.iter_mut().zip(interval) {
        if *is_interval {
            if let Some(text) = interval_value_text(v) {
                *v = Bson::String(text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    /// Expected texts are PostgreSQL 15's.
    #[test]
    fn prints_as_postgres() {
        let t = |m, d, us| interval_text(m, d, us);
        assert_eq!(t(0, 0, 0), "00:00:00");
        assert_eq!(t(14, 3, 14_706_500_000), "1 year 2 mons 3 days 04:05:06.5");
        assert_eq!(t(-1, 0, 0), "-1 mons");
        assert_eq!(t(0, -1, 7_200_000_000), "-1 days +02:00:00");
        assert_eq!(t(0, 1, -7_200_000_000), "1 day -02:00:00");
        assert_eq!(t(-12, 5, 0), "-1 years +5 days");
        assert_eq!(t(0, 0, 93_600_000_000), "26:00:00");
        assert_eq!(t(0, 0, 500), "00:00:00.0005");
        assert_eq!(t(0, 0, -1_800_000_000), "-00:30:00");
        assert_eq!(t(1, 1, 0), "1 mon 1 day");
    }

    /// The formatter this one replaced (`write!` through `core::fmt`), the reference for the digits.
    fn interval_text_fmt(months: i64, days: i64, micros: i64) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let (mut is_zero, mut is_before) = (true, false);
        for (v, unit) in [(months / 12, "year"), (months % 12, "mon"), (days, "day")] {
            if v == 0 {
                continue;
            }
            if !is_zero {
                out.push(' ');
            }
            if is_before && v > 0 {
                out.push('+');
            }
            let _ = write!(out, "{v} {unit}{}", if v != 1 { "s" } else { "" });
            is_before = v < 0;
            is_zero = false;
        }
        if is_zero || micros != 0 {
            let t = micros.unsigned_abs();
            if !is_zero {
                out.push(' ');
            }
            if micros < 0 {
                out.push('-');
            } else if is_before {
                out.push('+');
            }
            let _ = write!(
                out,
                "{:02}:{:02}:{:02}",
                t / USECS_PER_HOUR,
                t / USECS_PER_MINUTE % 60,
                t / USECS_PER_SEC % 60,
            );
            let frac = t % USECS_PER_SEC;
            if frac != 0 {
                let f = format!("{frac:06}");
                out.push('.');
                out.push_str(f.trim_end_matches('0'));
            }
        }
        out
    }

    fn field() -> impl proptest::strategy::Strategy<Value = i64> {
        use proptest::prelude::*;
        prop_oneof![
            -3i64..4,
            -100i64..100,
            (
                -20i64..20,
                prop::sample::select(vec![
                    1i64,
                    10,
                    1000,
                    1_000_000,
                    60_000_000,
                    3_600_000_000,
                    86_400_000_000
                ])
            )
                .prop_map(|(k, u)| k * u),
            any::<i32>().prop_map(i64::from),
            any::<i64>(),
            Just(i64::MIN),
            Just(i64::MAX),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// The hand-written digits against `core::fmt`'s, on every sign mix, zero parts, unit multiples,
        /// fractions with trailing zeros, and the extremes of the types.
        #[test]
        fn digits_as_core_fmt(months in field(), days in field(), micros in field()) {
            proptest::prop_assert_eq!(
                interval_text(months, days, micros),
                interval_text_fmt(months, days, micros)
            );
        }
    }

    #[test]
    fn reads_only_interval_documents() {
        let v = Bson::Document(doc! {"months": 0, "days": 2i64, "micros": 1_000_000i64});
        assert_eq!(interval_value_text(&v).as_deref(), Some("2 days 00:00:01"));
        let v = Bson::Document(doc! {"months": 1.0, "days": 0, "micros": 0.0});
        assert_eq!(interval_value_text(&v).as_deref(), Some("1 mon"));
        assert_eq!(interval_value_text(&Bson::Null), None);
        assert_eq!(interval_value_text(&Bson::String("1 day".into())), None);
        let v = Bson::Document(doc! {"months": 1.5, "days": 0, "micros": 0});
        assert_eq!(interval_value_text(&v), None);
        let mut row = vec![
            Bson::Document(doc! {"months": 0, "days": 1, "micros": 0i64}),
            Bson::Document(doc! {"months": 0, "days": 1, "micros": 0i64}),
            Bson::Null,
        ];
        print_intervals(&mut row, &[true, false, true]);
        assert_eq!(row[0], Bson::String("1 day".into()));
        assert!(matches!(row[1], Bson::Document(_)));
        assert_eq!(row[2], Bson::Null);
    }
}
