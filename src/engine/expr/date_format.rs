//! `$dateToString`'s format (`%Y-%m-%dT%H:%M:%S.%LZ` and the other specifiers mongod knows): the local
//! date-time's fields taken once and each number written into the output as its zero-padded digits, not
//! through `format!` (a formatter set up, a `String` allocated and dropped per specifier) and not through
//! chrono's accessors one by one (each converts the instant to the local time again). `to_char` plans and
//! timestamps printed in the pipeline call it once or more per row.
//!
//! In: the local date-time and the format; out: the text, or mongod's error for a bad format. Held equal to
//! the `format!` formatter it replaced by the property test below.

use super::err;
use crate::engine::CommandError;
use chrono::{DateTime, Datelike, FixedOffset, Timelike};

/// `t` written by `f`'s specifiers (`%Y %m %d %H %M %S %L %j %w %u %U %V %G %z %Z %b %B %a %%`).
pub(super) fn format_date(t: &DateTime<FixedOffset>, f: &str) -> Result<String, CommandError> {
    let local = t.naive_local();
    let mut out = String::with_capacity(f.len() + 8);
    let mut chars = f.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else {
            return Err(err(18535, "Unmatched '%' at end of format string"));
        };
        match spec {
            'Y' => padded(&mut out, i64::from(local.year()), 4),
            'm' => padded(&mut out, i64::from(local.month()), 2),
            'd' => padded(&mut out, i64::from(local.day()), 2),
            'H' => padded(&mut out, i64::from(local.hour()), 2),
            'M' => padded(&mut out, i64::from(local.minute()), 2),
            'S' => padded(&mut out, i64::from(local.second()), 2),
            'L' => padded(
                &mut out,
                i64::from((local.nanosecond() / 1_000_000).min(999)),
                3,
            ),
            'j' => padded(&mut out, i64::from(local.ordinal()), 3),
            'w' => padded(
                &mut out,
                i64::from(local.weekday().num_days_from_sunday() + 1),
                1,
            ),
            'u' => padded(&mut out, i64::from(local.weekday().number_from_monday()), 1),
            'V' => padded(&mut out, i64::from(local.iso_week().week()), 2),
            'G' => padded(&mut out, i64::from(local.iso_week().year()), 4),
            'Z' => padded(&mut out, i64::from(t.offset().local_minus_utc() / 60), 1),
            'U' => out.push_str(&t.format("%U").to_string()),
            'z' => out.push_str(&t.format("%z").to_string()),
            'b' => out.push_str(&t.format("%b").to_string()),
            'B' => out.push_str(&t.format("%B").to_string()),
            'a' => out.push_str(&t.format("%a").to_string()),
            '%' => out.push('%'),
            other => {
                return Err(err(
                    18536,
                    format!("Invalid format character '%{other}' in format string"),
                ))
            }
        }
    }
    Ok(out)
}

/// `v` as `format!("{v:0width$}")` writes it: a minus sign first, then the digits zero-padded so that
/// sign and digits are at least `width` characters.
fn padded(out: &mut String, v: i64, width: usize) {
    let mut digits = [0u8; 20];
    let mut n = v.unsigned_abs();
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let len = digits.len() - at + usize::from(v < 0);
    if v < 0 {
        out.push('-');
    }
    for _ in len..width {
        out.push('0');
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::format_date;
    use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Timelike};
    use proptest::prelude::*;

    /// The formatter `format_date` replaced: one `format!` per specifier, chrono's accessors on `t`.
    fn by_format(t: &DateTime<FixedOffset>, f: &str) -> Result<String, i32> {
        let mut out = String::new();
        let mut chars = f.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let Some(spec) = chars.next() else {
                return Err(18535);
            };
            let piece = match spec {
                'Y' => format!("{:04}", t.year()),
                'm' => format!("{:02}", t.month()),
                'd' => format!("{:02}", t.day()),
                'H' => format!("{:02}", t.hour()),
                'M' => format!("{:02}", t.minute()),
                'S' => format!("{:02}", t.second()),
                'L' => format!("{:03}", (t.nanosecond() / 1_000_000).min(999)),
                'j' => format!("{:03}", t.ordinal()),
                'w' => (t.weekday().num_days_from_sunday() + 1).to_string(),
                'u' => t.weekday().number_from_monday().to_string(),
                'U' => t.format("%U").to_string(),
                'V' => format!("{:02}", t.iso_week().week()),
                'G' => format!("{:04}", t.iso_week().year()),
                'z' => t.format("%z").to_string(),
                'Z' => (t.offset().local_minus_utc() / 60).to_string(),
                'b' => t.format("%b").to_string(),
                'B' => t.format("%B").to_string(),
                'a' => t.format("%a").to_string(),
                '%' => "%".to_string(),
                _ => return Err(18536),
            };
            out.push_str(&piece);
        }
        Ok(out)
    }

    fn format_piece() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "%Y", "%m", "%d", "%H", "%M", "%S", "%L", "%j", "%w", "%u", "%U", "%V", "%G", "%z",
            "%Z", "%b", "%B", "%a", "%%", "%q", "%", "-", "T", ":", " ", "é", "Z",
        ])
        .prop_map(str::to_string)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// Every specifier of any instant (years before 0 and past 9999 too) in any fixed offset is written
        /// as the `format!` formatter wrote it; a bad format fails with the same code.
        #[test]
        fn format_date_equals_format_macro(
            ms in prop_oneof![
                -62_167_219_200_000i64..253_402_300_799_999,
                -400_000_000_000_000i64..400_000_000_000_000,
                Just(0i64),
            ],
            offset_min in -(14 * 60)..=(14 * 60),
            pieces in prop::collection::vec(format_piece(), 0..8),
        ) {
            let f: String = pieces.concat();
            let Some(off) = FixedOffset::east_opt(offset_min * 60) else { return Ok(()); };
            let Some(t) = off.timestamp_millis_opt(ms).single() else { return Ok(()); };
            prop_assert_eq!(format_date(&t, &f).map_err(|e| e.code), by_format(&t, &f), "{} {}", ms, f);
        }
    }

    /// Negative numbers and widths: the sign counts in the width, as `format!("{:04}", -5)` gives `-005`.
    #[test]
    fn padded_matches_format_widths() {
        for v in [
            -12345i64,
            -999,
            -5,
            0,
            5,
            42,
            999,
            1000,
            12345,
            i64::MIN,
            i64::MAX,
        ] {
            for width in 1..6 {
                let mut out = String::new();
                super::padded(&mut out, v, width);
                assert_eq!(out, format!("{v:0width$}"), "{v} {width}");
            }
        }
    }
}
