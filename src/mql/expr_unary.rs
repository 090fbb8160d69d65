//! The one-operand aggregation operators written `{$op: x}` (`$abs`, `$toString`, `$year`, `$size`, ...): one
//! builder each, re-exported by [`super::expr`] (`ex::abs(x)`). They return plain [`Bson`]; an
//! [`Expr`](super::expr::Expr) operand renders into them.

use bson::{Bson, Document};

/// `{name: arg}`.
fn op(name: &str, arg: Bson) -> Bson {
    let mut d = Document::new();
    d.insert(name, arg);
    Bson::Document(d)
}

/// `{$abs: x}`: Absolute value.
pub fn abs(x: impl Into<Bson>) -> Bson {
    op("$abs", x.into())
}

/// `{$floor: x}`: Largest integer <= x.
pub fn floor(x: impl Into<Bson>) -> Bson {
    op("$floor", x.into())
}

/// `{$ceil: x}`: Smallest integer >= x.
pub fn ceil(x: impl Into<Bson>) -> Bson {
    op("$ceil", x.into())
}

/// `{$sqrt: x}`: Square root.
pub fn sqrt(x: impl Into<Bson>) -> Bson {
    op("$sqrt", x.into())
}

/// `{$exp: x}`: e to the x.
pub fn exp(x: impl Into<Bson>) -> Bson {
    op("$exp", x.into())
}

/// `{$ln: x}`: Natural logarithm.
pub fn ln(x: impl Into<Bson>) -> Bson {
    op("$ln", x.into())
}

/// `{$size: x}`: Number of elements of an array.
pub fn size(x: impl Into<Bson>) -> Bson {
    op("$size", x.into())
}

/// `{$type: x}`: BSON type name of x (`"missing"` for a missing value).
pub fn type_of(x: impl Into<Bson>) -> Bson {
    op("$type", x.into())
}

/// `{$toString: x}`: Conversion to string.
pub fn to_string(x: impl Into<Bson>) -> Bson {
    op("$toString", x.into())
}

/// `{$toDecimal: x}`: Conversion to decimal128.
pub fn to_decimal(x: impl Into<Bson>) -> Bson {
    op("$toDecimal", x.into())
}

/// `{$toLong: x}`: Conversion to int64.
pub fn to_long(x: impl Into<Bson>) -> Bson {
    op("$toLong", x.into())
}

/// `{$toInt: x}`: Conversion to int32.
pub fn to_int(x: impl Into<Bson>) -> Bson {
    op("$toInt", x.into())
}

/// `{$toDouble: x}`: Conversion to double.
pub fn to_double(x: impl Into<Bson>) -> Bson {
    op("$toDouble", x.into())
}

/// `{$toBool: x}`: Conversion to boolean.
pub fn to_bool(x: impl Into<Bson>) -> Bson {
    op("$toBool", x.into())
}

/// `{$toDate: x}`: Conversion to date.
pub fn to_date(x: impl Into<Bson>) -> Bson {
    op("$toDate", x.into())
}

/// `{$toLower: x}`: Lower case.
pub fn to_lower(x: impl Into<Bson>) -> Bson {
    op("$toLower", x.into())
}

/// `{$toUpper: x}`: Upper case.
pub fn to_upper(x: impl Into<Bson>) -> Bson {
    op("$toUpper", x.into())
}

/// `{$strLenCP: x}`: Length in code points.
pub fn str_len_cp(x: impl Into<Bson>) -> Bson {
    op("$strLenCP", x.into())
}

/// `{$strLenBytes: x}`: Length in UTF-8 bytes.
pub fn str_len_bytes(x: impl Into<Bson>) -> Bson {
    op("$strLenBytes", x.into())
}

/// `{$year: x}`: Year of a date.
pub fn year(x: impl Into<Bson>) -> Bson {
    op("$year", x.into())
}

/// `{$month: x}`: Month (1-12) of a date.
pub fn month(x: impl Into<Bson>) -> Bson {
    op("$month", x.into())
}

/// `{$dayOfMonth: x}`: Day of month of a date.
pub fn day_of_month(x: impl Into<Bson>) -> Bson {
    op("$dayOfMonth", x.into())
}

/// `{$hour: x}`: Hour of a date.
pub fn hour(x: impl Into<Bson>) -> Bson {
    op("$hour", x.into())
}

/// `{$minute: x}`: Minute of a date.
pub fn minute(x: impl Into<Bson>) -> Bson {
    op("$minute", x.into())
}

/// `{$second: x}`: Second of a date.
pub fn second(x: impl Into<Bson>) -> Bson {
    op("$second", x.into())
}

/// `{$millisecond: x}`: Millisecond of a date.
pub fn millisecond(x: impl Into<Bson>) -> Bson {
    op("$millisecond", x.into())
}

/// `{$dayOfWeek: x}`: Day of week (1 = Sunday).
pub fn day_of_week(x: impl Into<Bson>) -> Bson {
    op("$dayOfWeek", x.into())
}

/// `{$isoDayOfWeek: x}`: ISO day of week (1 = Monday).
pub fn iso_day_of_week(x: impl Into<Bson>) -> Bson {
    op("$isoDayOfWeek", x.into())
}

/// `{$dayOfYear: x}`: Day of year.
pub fn day_of_year(x: impl Into<Bson>) -> Bson {
    op("$dayOfYear", x.into())
}

/// `{$isoWeek: x}`: ISO week number.
pub fn iso_week(x: impl Into<Bson>) -> Bson {
    op("$isoWeek", x.into())
}

/// `{$min: x}`: Smallest of an array-valued expression (`{$min: x}`).
pub fn min_of(x: impl Into<Bson>) -> Bson {
    op("$min", x.into())
}

/// `{$max: x}`: Largest of an array-valued expression (`{$max: x}`).
pub fn max_of(x: impl Into<Bson>) -> Bson {
    op("$max", x.into())
}
