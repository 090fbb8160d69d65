//! Values between PostgreSQL's text forms and BSON: the input functions COPY FROM applies per column type
//! (the types `CREATE TABLE` declared, read back from the collection's `$jsonSchema` validator), and the
//! output text COPY TO writes for each BSON value (PostgreSQL's output functions: `t`/`f`, shortest floats,
//! `2024-01-02 10:00:00+00`, jsonb spacing).

use bson::{Bson, Document};

/// A column's type, from the validator's `bsonType` list for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `text`, `varchar`, ...; also every column of a collection without declared columns.
    Text,
    /// `integer` / `smallint` (`bsonType: ["int"]`): Int32.
    Int4,
    /// `bigint` (`["int", "long"]`): Int64.
    Int8,
    /// `numeric` (`["decimal", ...]`): Decimal128, exact.
    Numeric,
    /// `double precision` / `real` (`["double", ...]`): Double.
    Float8,
    /// `boolean`.
    Bool,
    /// `timestamp` / `timestamptz` / `date` (`["date"]`): a BSON date (UTC, milliseconds).
    Timestamp,
    /// `jsonb` / `json` (no `bsonType`): the JSON value as BSON.
    Json,
}

impl ColumnType {
    /// The type of a `$jsonSchema` property (`None`: a type COPY cannot read, such as arrays).
    pub fn of_property(prop: &Document) -> Option<ColumnType> {
        let Some(types) = prop.get("bsonType") else {
            return Some(ColumnType::Json);
        };
        let names: Vec<&str> = match types {
            Bson::String(s) => vec![s.as_str()],
            Bson::Array(a) => a.iter().filter_map(Bson::as_str).collect(),
            _ => return Some(ColumnType::Json),
        };
        let has = |n: &str| names.contains(&n);
        Some(if has("decimal") {
            ColumnType::Numeric
        } else if has("double") {
            ColumnType::Float8
        } else if has("long") {
            ColumnType::Int8
        } else if has("int") {
            ColumnType::Int4
        } else if has("bool") {
            ColumnType::Bool
        } else if has("date") {
            ColumnType::Timestamp
        } else if has("string") {
            ColumnType::Text
        } else if has("array") {
            return None;
        } else {
            ColumnType::Json
        })
    }

    /// PostgreSQL's name of the type, for messages.
    pub fn pg_name(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Int4 => "integer",
            ColumnType::Int8 => "bigint",
            ColumnType::Numeric => "numeric",
            ColumnType::Float8 => "double precision",
            ColumnType::Bool => "boolean",
            ColumnType::Timestamp => "timestamp with time zone",
            ColumnType::Json => "json",
        }
    }
}

fn syntax(ty: ColumnType, s: &str) -> String {
    format!("invalid input syntax for type {}: \"{s}\"", ty.pg_name())
}

/// Converts one field's text to the column's value, or PostgreSQL's message for why it cannot.
pub fn parse(ty: ColumnType, s: &str) -> Result<Bson, String> {
    match ty {
        ColumnType::Text => Ok(Bson::String(s.to_string())),
        ColumnType::Int4 | ColumnType::Int8 => {
            let t = s.trim();
            let ok = {
                let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            };
            if !ok {
                return Err(syntax(ty, s));
            }
            let out_of_range =
                || format!("value \"{s}\" is out of range for type {}", ty.pg_name());
            let n: i64 = t.parse().map_err(|_| out_of_range())?;
            if ty == ColumnType::Int4 {
                i32::try_from(n)
                    .map(Bson::Int32)
                    .map_err(|_| out_of_range())
            } else {
                Ok(Bson::Int64(n))
            }
        }
        ColumnType::Numeric => {
            let t = s.trim();
            if t.eq_ignore_ascii_case("nan") {
                return Ok(Bson::Decimal128("NaN".parse().map_err(|_| syntax(ty, s))?));
            }
            let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
            if unsigned.eq_ignore_ascii_case("infinity") || unsigned.eq_ignore_ascii_case("inf") {
                let v = if t.starts_with('-') {
                    "-Infinity"
                } else {
                    "Infinity"
                };
                return Ok(Bson::Decimal128(v.parse().map_err(|_| syntax(ty, s))?));
            }
            if !is_decimal(unsigned) {
                return Err(syntax(ty, s));
            }
            // `1e3` is stored as 1000 (numeric keeps no exponent), when that stays within 34 digits;
            // `.5` as 0.5; and numeric has no negative zero.
            let t = t.trim_start_matches('+').replace('e', "E");
            let plain = plain_decimal(&t);
            let mut t = if plain.len() <= 36 { plain } else { t };
            if let Some(rest) = t.strip_prefix("-.") {
                t = format!("-0.{rest}");
            } else if t.starts_with('.') {
                t.insert(0, '0');
            }
            let mantissa = t.split('E').next().unwrap_or("");
            if t.starts_with('-') && mantissa.bytes().all(|b| matches!(b, b'0' | b'.' | b'-')) {
                t.remove(0);
            }
            let d: bson::Decimal128 = t
                .parse()
                .map_err(|_| format!("value \"{s}\" does not fit a BSON decimal128 (34 digits)"))?;
            Ok(Bson::Decimal128(d))
        }
        ColumnType::Float8 => {
            let t = s.trim();
            let v: f64 = t.parse().map_err(|_| syntax(ty, s))?;
            if v.is_infinite() && !t.to_ascii_lowercase().contains("inf") {
                return Err(format!("\"{s}\" is out of range for type double precision"));
            }
            Ok(Bson::Double(v))
        }
        ColumnType::Bool => parse_bool(s)
            .map(Bson::Boolean)
            .ok_or_else(|| syntax(ty, s)),
        ColumnType::Timestamp => parse_timestamp(s).map(Bson::DateTime),
        ColumnType::Json => {
            let v: serde_json::Value = serde_json::from_str(s).map_err(|_| syntax(ty, s))?;
            Bson::try_from(v).map_err(|e| format!("{}: {e}", syntax(ty, s)))
        }
    }
}

/// `123`, `1.5`, `.5`, `5.`, `1e10`, `1.5E-3` (the sign already removed).
fn is_decimal(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exp_ok
}

/// PostgreSQL's boolean input: `t`, `true`, `yes`, `on`, `1` and the false words, any case, any unique
/// prefix, surrounding spaces allowed.
pub fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim().to_ascii_lowercase();
    if t.is_empty() {
        return None;
    }
    match t.as_str() {
        "1" | "on" => return Some(true),
        "0" | "of" | "off" => return Some(false),
        _ => {}
    }
    if "true".starts_with(&t) || "yes".starts_with(&t) {
        Some(true)
    } else if "false".starts_with(&t) || "no".starts_with(&t) {
        Some(false)
    } else {
        None
    }
}

/// A timestamp: `YYYY-MM-DD`, then optionally ` HH:MM[:SS[.fraction]]` (or `T`), then optionally a zone
/// (`Z`, `UTC`, `+HH`, `+HH:MM`, `+HHMM`). No zone means UTC. Digits past milliseconds are dropped (a BSON date
/// holds milliseconds).
pub fn parse_timestamp(s: &str) -> Result<bson::DateTime, String> {
    use chrono::{NaiveDate, NaiveTime};
    let bad = || format!("invalid input syntax for type timestamp: \"{s}\"");
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    if lower == "infinity" || lower == "-infinity" {
        return Err(format!(
            "timestamp out of range: \"{s}\" (a BSON date cannot hold infinity)"
        ));
    }
    if t.len() < 10 || !t.is_char_boundary(10) {
        return Err(bad());
    }
    let (date_s, rest) = t.split_at(10);
    let date = NaiveDate::parse_from_str(date_s, "%Y-%m-%d").map_err(|_| bad())?;
    let rest = rest.trim_start_matches([' ', 'T', 't']);
    // The zone: a trailing Z / UTC, or a sign after the time's start.
    let (time_s, offset_secs) = split_zone(rest).ok_or_else(bad)?;
    let time = if time_s.is_empty() {
        NaiveTime::MIN
    } else {
        let (hms, frac) = time_s.split_once('.').unwrap_or((time_s, ""));
        let base = NaiveTime::parse_from_str(hms, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(hms, "%H:%M"))
            .map_err(|_| bad())?;
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let millis: u32 = frac
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(3)
            .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'));
        base + chrono::Duration::milliseconds(i64::from(millis))
    };
    let utc = date.and_time(time).and_utc().timestamp_millis() - offset_secs * 1000;
    Ok(bson::DateTime::from_millis(utc))
}

/// Splits `HH:MM:SS.fff+02:00` into the time and the offset in seconds (east positive).
fn split_zone(rest: &str) -> Option<(&str, i64)> {
    let r = rest.trim_end();
    for suffix in ["utc", "z", "gmt"] {
        if r.len() >= suffix.len() && r.is_char_boundary(r.len() - suffix.len()) {
            let (head, tail) = r.split_at(r.len() - suffix.len());
            if tail.eq_ignore_ascii_case(suffix) {
                return Some((head.trim_end(), 0));
            }
        }
    }
    let Some(i) = r.rfind(['+', '-']) else {
        return Some((r, 0));
    };
    let (time, zone) = (r[..i].trim_end(), &r[i..]);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = if digits.len() <= 2 {
        (digits.parse::<i64>().ok()?, 0)
    } else {
        let (h, m) = digits.split_at(digits.len() - 2);
        (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?)
    };
    if h > 15 || m > 59 {
        return None;
    }
    Some((time, sign * (h * 3600 + m * 60)))
}

/// The text COPY TO writes for a value (`None`: NULL).
pub fn to_text(v: &Bson) -> Option<String> {
    Some(match v {
        Bson::Null | Bson::Undefined => return None,
        Bson::String(s) => s.clone(),
        Bson::Int32(i) => i.to_string(),
        Bson::Int64(i) => i.to_string(),
        Bson::Double(d) => pg_float(*d),
        Bson::Decimal128(d) => plain_decimal(&d.to_string()),
        Bson::Boolean(b) => if *b { "t" } else { "f" }.to_string(),
        Bson::DateTime(dt) => pg_timestamp(dt),
        Bson::ObjectId(o) => o.to_hex(),
        Bson::Document(_) | Bson::Array(_) => {
            let mut out = String::new();
            jsonb_text(&v.clone().into_relaxed_extjson(), &mut out);
            out
        }
        other => other.clone().into_relaxed_extjson().to_string(),
    })
}

/// PostgreSQL's `float8out`: the shortest text that reads back exactly, exponential below 1e-4 and from
/// 1e15 on (`1e-05`, `1e+15`, `1.5e+300`).
pub fn pg_float(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let e = format!("{d:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if !(-4..15).contains(&exp) {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        return format!(
            "{sign}{m}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        );
    }
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if (point as usize) >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    };
    format!("{sign}{body}")
}

/// A Decimal128's text without exponent (`1.5E+3` -> `1500`, `1E-7` -> `0.0000001`), as `numeric` prints.
pub fn plain_decimal(s: &str) -> String {
    let Some(i) = s.find('E') else {
        return s.to_string();
    };
    let (mantissa, exp) = (&s[..i], &s[i + 1..]);
    // Far exponents stay as they are (no string of a million zeros from `1e999999`).
    let Ok(exp) = exp.parse::<i64>() else {
        return s.to_string();
    };
    if exp.abs() > 64 {
        return s.to_string();
    }
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let point = int.len() as i64 + exp;
    if point <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
    } else if point as usize >= digits.len() {
        format!(
            "{sign}{digits}{}",
            "0".repeat(point as usize - digits.len())
        )
    } else {
        let p = point as usize;
        format!("{sign}{}.{}", &digits[..p], &digits[p..])
    }
}

/// `timestamptz` output in UTC: `2024-01-02 10:00:00+00`, fractions of a second only when present
/// (`10:00:00.5+00`).
pub fn pg_timestamp(dt: &bson::DateTime) -> String {
    let ms = dt.timestamp_millis();
    let Some(c) = chrono::DateTime::from_timestamp_millis(ms) else {
        return dt.to_string();
    };
    let mut s = c.format("%Y-%m-%d %H:%M:%S").to_string();
    let frac = ms.rem_euclid(1000);
    if frac != 0 {
        let f = format!("{frac:03}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s.push_str("+00");
    s
}

/// jsonb's output text: `{"a": 1, "b": [1, 2]}` (a space after `:` and `,`), keys in stored order.
pub fn jsonb_text(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(": ");
                jsonb_text(v, out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                jsonb_text(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_postgresql_prints_them() {
        for (v, s) in [
            (1.5, "1.5"),
            (100.0, "100"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e15, "1e+15"),
            (123456789012345.0, "123456789012345"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (-2.5e-300, "-2.5e-300"),
            (0.1, "0.1"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(pg_float(v), s, "{v}");
        }
    }

    #[test]
    fn timestamps_read_postgresql_forms_and_print_timestamptz() {
        let at = |s: &str| pg_timestamp(&parse_timestamp(s).unwrap());
        assert_eq!(at("2024-01-02"), "2024-01-02 00:00:00+00");
        assert_eq!(at("2024-01-02 10:11:12"), "2024-01-02 10:11:12+00");
        assert_eq!(at("2024-01-02T10:11:12.5Z"), "2024-01-02 10:11:12.5+00");
        assert_eq!(
            at("2024-01-02 10:11:12.123456+02"),
            "2024-01-02 08:11:12.123+00"
        );
        assert_eq!(at("2024-01-02 10:11-05:30"), "2024-01-02 15:41:00+00");
        assert_eq!(at("2024-01-02 10:11:12 UTC"), "2024-01-02 10:11:12+00");
        assert!(parse_timestamp("2024-13-02").is_err());
        assert!(parse_timestamp("yesterday").is_err());
        assert!(parse_timestamp("2024-01-02 25:00").is_err());
        assert!(parse_timestamp("infinity").is_err());
    }

    #[test]
    fn input_functions_follow_postgresql() {
        assert_eq!(parse(ColumnType::Int4, " 42 "), Ok(Bson::Int32(42)));
        assert_eq!(
            parse(ColumnType::Int4, "4000000000"),
            Err("value \"4000000000\" is out of range for type integer".into())
        );
        assert_eq!(
            parse(ColumnType::Int4, "4x"),
            Err("invalid input syntax for type integer: \"4x\"".into())
        );
        assert_eq!(parse(ColumnType::Int8, "-7"), Ok(Bson::Int64(-7)));
        assert_eq!(
            to_text(&parse(ColumnType::Numeric, "1.50").unwrap()).unwrap(),
            "1.50"
        );
        assert_eq!(
            to_text(&parse(ColumnType::Numeric, "1e3").unwrap()).unwrap(),
            "1000"
        );
        assert!(parse(ColumnType::Numeric, "1.5.0").is_err());
        assert_eq!(
            to_text(&parse(ColumnType::Numeric, "-.5").unwrap()).unwrap(),
            "-0.5"
        );
        assert_eq!(
            to_text(&parse(ColumnType::Numeric, "-0.00").unwrap()).unwrap(),
            "0.00"
        );
        assert_eq!(parse(ColumnType::Bool, "YES"), Ok(Bson::Boolean(true)));
        assert_eq!(parse(ColumnType::Bool, "f"), Ok(Bson::Boolean(false)));
        assert_eq!(parse(ColumnType::Bool, "of"), Ok(Bson::Boolean(false)));
        assert!(parse(ColumnType::Bool, "o").is_err());
        assert!(parse(ColumnType::Float8, "1e400").is_err());
        assert_eq!(
            parse(ColumnType::Float8, "-Infinity"),
            Ok(Bson::Double(f64::NEG_INFINITY))
        );
        assert_eq!(
            to_text(&parse(ColumnType::Json, r#"{"a":[1,"x"],"b":null}"#).unwrap()).unwrap(),
            r#"{"a": [1, "x"], "b": null}"#
        );
        assert_eq!(plain_decimal("1.5E-7"), "0.00000015");
        assert_eq!(plain_decimal("-12E+2"), "-1200");
        assert_eq!(plain_decimal("1E+999999999"), "1E+999999999");
        assert!(parse(ColumnType::Numeric, "1e999999999").is_err());
    }
}
