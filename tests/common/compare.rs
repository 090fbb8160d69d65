//! Value normalisation for differential tests.
//!
//! In: an oracle's JSON (relaxed Extended JSON from mingo, `json_agg` output from PostgreSQL) and our BSON.
//! Out: both as [`Norm`] values that compare by meaning, not by encoding: numbers as numbers (int32, int64,
//! double, decimal128 and JSON numbers alike, with a small relative tolerance), dates as instants (BSON
//! dates, `{"$date": ...}` and PostgreSQL's `2026-11-22T10:00:00+00:00` strings), objects with their keys in
//! any order (jsonb reorders keys), arrays in order. NULL and the empty string stay different.

use bson::Bson;
use serde_json::Value;
use std::fmt;

/// A value reduced to what the comparison looks at.
#[derive(Debug, Clone)]
pub enum Norm {
    /// NULL / null / undefined.
    Null,
    /// A boolean.
    Bool(bool),
    /// Any number.
    Num(f64),
    /// A string.
    Str(String),
    /// An instant, in milliseconds since the epoch.
    Date(i64),
    /// An array, in order.
    Arr(Vec<Norm>),
    /// A document, keys sorted.
    Obj(Vec<(String, Norm)>),
    /// Anything else (regex, binary, ...), by its printed form.
    Other(String),
}

fn num_eq(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

impl PartialEq for Norm {
    fn eq(&self, other: &Norm) -> bool {
        match (self, other) {
            (Norm::Null, Norm::Null) => true,
            (Norm::Bool(a), Norm::Bool(b)) => a == b,
            (Norm::Num(a), Norm::Num(b)) => num_eq(*a, *b),
            (Norm::Str(a), Norm::Str(b)) => a == b,
            (Norm::Date(a), Norm::Date(b)) => a == b,
            (Norm::Arr(a), Norm::Arr(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Norm::Obj(a), Norm::Obj(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && va == vb)
            }
            (Norm::Other(a), Norm::Other(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Norm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Norm::Null => write!(f, "null"),
            Norm::Bool(b) => write!(f, "{b}"),
            Norm::Num(n) => write!(f, "{n}"),
            Norm::Str(s) => write!(f, "{s:?}"),
            Norm::Date(ms) => match chrono::DateTime::from_timestamp_millis(*ms) {
                Some(d) => write!(f, "date({})", d.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
                None => write!(f, "date({ms}ms)"),
            },
            Norm::Arr(items) => {
                write!(f, "[")?;
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{x}")?;
                }
                write!(f, "]")
            }
            Norm::Obj(fields) => {
                write!(f, "{{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                write!(f, "}}")
            }
            Norm::Other(s) => write!(f, "<{s}>"),
        }
    }
}

impl Norm {
    /// A total order key used to sort result sets whose order is unspecified (numbers rounded so that
    /// values equal within the tolerance sort alike).
    pub fn sort_key(&self) -> String {
        match self {
            Norm::Num(n) if n.is_finite() => format!("n{:+.9e}", n),
            Norm::Arr(items) => {
                let parts: Vec<String> = items.iter().map(Norm::sort_key).collect();
                format!("a[{}]", parts.join(","))
            }
            Norm::Obj(fields) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.sort_key()))
                    .collect();
                format!("o{{{}}}", parts.join(","))
            }
            other => format!("{other}"),
        }
    }
}

/// Parses the instant formats the oracles print (RFC 3339, PostgreSQL's `+00:00` offsets).
fn parse_instant(s: &str) -> Option<i64> {
    let looks_like = s.len() >= 19
        && s.as_bytes().get(4) == Some(&b'-')
        && s.as_bytes().get(10) == Some(&b'T')
        && s.as_bytes().get(13) == Some(&b':');
    if !looks_like {
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_millis())
        // a timestamp without time zone: its wall-clock fields, read as UTC (as sqlmongo holds it)
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc().timestamp_millis())
        })
}

/// How oracle strings are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// mingo: relaxed Extended JSON; dates are `{"$date": ...}`.
    Ejson,
    /// PostgreSQL `json_agg`: timestamptz values are RFC 3339 strings.
    Postgres,
}

/// Normalises an oracle JSON value.
pub fn from_json(v: &Value, dialect: Dialect) -> Norm {
    match v {
        Value::Null => Norm::Null,
        Value::Bool(b) => Norm::Bool(*b),
        Value::Number(n) => Norm::Num(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => {
            if dialect == Dialect::Postgres {
                if let Some(ms) = parse_instant(s) {
                    return Norm::Date(ms);
                }
            }
            Norm::Str(s.clone())
        }
        Value::Array(items) => Norm::Arr(items.iter().map(|x| from_json(x, dialect)).collect()),
        Value::Object(map) => {
            if dialect == Dialect::Ejson && map.len() == 1 {
                if let Some(d) = map.get("$date") {
                    let ms = match d {
                        Value::String(s) => parse_instant(s),
                        Value::Number(n) => n.as_i64(),
                        Value::Object(o) => o
                            .get("$numberLong")
                            .and_then(Value::as_str)
                            .and_then(|s| s.parse().ok()),
                        _ => None,
                    };
                    if let Some(ms) = ms {
                        return Norm::Date(ms);
                    }
                }
                for key in [
                    "$numberDouble",
                    "$numberInt",
                    "$numberLong",
                    "$numberDecimal",
                ] {
                    if let Some(Value::String(s)) = map.get(key) {
                        return Norm::Num(parse_number(s));
                    }
                }
                if let Some(Value::Object(re)) = map.get("$regularExpression") {
                    let p = re.get("pattern").and_then(Value::as_str).unwrap_or("");
                    let o = re.get("options").and_then(Value::as_str).unwrap_or("");
                    return Norm::Other(format!("/{p}/{}", sorted_chars(o)));
                }
            }
            let mut fields: Vec<(String, Norm)> = map
                .iter()
                .map(|(k, x)| (k.clone(), from_json(x, dialect)))
                .collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Norm::Obj(fields)
        }
    }
}

fn parse_number(s: &str) -> f64 {
    match s {
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        other => other.parse().unwrap_or(f64::NAN),
    }
}

fn sorted_chars(s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    c.sort_unstable();
    c.into_iter().collect()
}

/// Normalises one of our BSON values.
pub fn from_bson(v: &Bson) -> Norm {
    match v {
        Bson::Null | Bson::Undefined => Norm::Null,
        Bson::Boolean(b) => Norm::Bool(*b),
        Bson::Int32(n) => Norm::Num(f64::from(*n)),
        Bson::Int64(n) => Norm::Num(*n as f64),
        Bson::Double(n) => Norm::Num(*n),
        Bson::Decimal128(d) => Norm::Num(parse_number(&d.to_string())),
        Bson::String(s) => Norm::Str(s.clone()),
        Bson::DateTime(d) => Norm::Date(d.timestamp_millis()),
        Bson::Array(items) => Norm::Arr(items.iter().map(from_bson).collect()),
        Bson::Document(doc) => {
            let mut fields: Vec<(String, Norm)> =
                doc.iter().map(|(k, x)| (k.clone(), from_bson(x))).collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Norm::Obj(fields)
        }
        Bson::RegularExpression(re) => Norm::Other(format!(
            "/{}/{}",
            re.pattern,
            sorted_chars(&re.options.to_string())
        )),
        Bson::ObjectId(oid) => Norm::Str(oid.to_hex()),
        other => Norm::Other(format!("{other:?}")),
    }
}

/// Compares two result sets (lists of rows or documents). With `ordered == false` both sides are sorted
/// first. Returns a description of the first difference, if any.
pub fn compare_sets(expected: &[Norm], actual: &[Norm], ordered: bool) -> Result<(), String> {
    let (mut e, mut a) = (expected.to_vec(), actual.to_vec());
    if !ordered {
        e.sort_by_cached_key(Norm::sort_key);
        a.sort_by_cached_key(Norm::sort_key);
    }
    if e.len() != a.len() {
        return Err(format!(
            "row count differs: oracle {} vs sqlmongo {}",
            e.len(),
            a.len()
        ));
    }
    for (i, (x, y)) in e.iter().zip(&a).enumerate() {
        if x != y {
            return Err(format!(
                "row {i} differs:\n    oracle:   {x}\n    sqlmongo: {y}"
            ));
        }
    }
    Ok(())
}

/// Prints a result set, one row per line, for mismatch reports (at most `max` rows).
pub fn show_set(rows: &[Norm], max: usize) -> String {
    let mut out = String::new();
    for r in rows.iter().take(max) {
        out.push_str("      ");
        out.push_str(&r.to_string());
        out.push('\n');
    }
    if rows.len() > max {
        out.push_str(&format!("      ... ({} rows in all)\n", rows.len()));
    }
    out
}
