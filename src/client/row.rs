//! Rows into Rust values with serde: a [`Row`] (column names + BSON values) deserialises into any
//! `T: DeserializeOwned` by column name (a struct, a map) or by position (a tuple), and one value into a
//! scalar ([`decode_value`]).
//!
//! The rules (the same for a column and for a field of a nested document):
//! - NULL (and a missing field) is `None` for an `Option<T>`; for any other type it is an error naming the
//!   column. A struct field with no column of its name is an error too, unless it is an `Option`.
//! - Integers widen (`int32` into `i64`) but never truncate: a value that does not fit the field's type
//!   (`i64` into `i32`, a negative into `u64`) is an error; a double converts to an integer only when it is
//!   integral and fits; a decimal only when its text is an integer that fits.
//! - Floats: any number (int32, int64, double, decimal128) converts to `f64` / `f32`.
//! - Dates: a BSON date decodes into `bson::DateTime`, `chrono::DateTime<Utc>` (and any type that parses
//!   an RFC 3339 string, which is what a date reads as through `deserialize_str`), or `String`.
//! - NUMERIC (decimal128): into `f64` (nearest), `String` (exact text) or `bson::Decimal128` (exact);
//!   `rust_decimal::Decimal` with `#[serde(deserialize_with = "sqlmongo::client::row::decimal")]` (exact,
//!   through the text; an error when it does not fit `Decimal`'s 28 digits).
//! - An ObjectId decodes into `bson::oid::ObjectId` or `String` (its hex); documents into structs, maps,
//!   `bson::Document`; arrays into `Vec`s; anything into `bson::Bson`.

use bson::Bson;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use std::sync::Arc;

pub use crate::error::DecodeError;

/// One row of a result: its column names (shared by the rows of one result) and one value per column
/// (NULL and missing fields as `Bson::Null`).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Bson>,
}

impl Row {
    /// A row over `columns` (shared by the rows of a result) with `values` in column order.
    pub fn new(columns: Arc<[String]>, values: Vec<Bson>) -> Row {
        Row { columns, values }
    }

    /// The column names, in SELECT order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The values, one per column.
    pub fn values(&self) -> &[Bson] {
        &self.values
    }

    /// The values, one per column.
    pub fn into_values(self) -> Vec<Bson> {
        self.values
    }

    /// The value of column `name` (the first of that name), if there is such a column.
    pub fn value(&self, name: &str) -> Option<&Bson> {
        let i = self.columns.iter().position(|c| c == name)?;
        self.values.get(i)
    }

    /// The value of column `name` decoded into `T` with the rules of this module: a missing column, a NULL
    /// in a non-`Option` type or a value that does not fit `T` is an [`crate::Error::Decode`] naming it.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let client = sqlmongo::Client::embedded();
    /// client.sql("INSERT INTO t (k, note) VALUES (1, NULL)").execute().await.unwrap();
    /// let row = client.sql("SELECT k, note FROM t").fetch_one().await.unwrap();
    /// assert_eq!(row.get::<i64>("k").unwrap(), 1);
    /// assert_eq!(row.get::<Option<String>>("note").unwrap(), None);
    /// assert!(row.get::<String>("note").is_err());
    /// # });
    /// ```
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<T, crate::Error> {
        let Some(v) = self.value(name) else {
            return Err(DecodeError::at(name, "no such column in the result").into());
        };
        decode_value(v.clone(), name)
    }

    /// The whole row decoded into `T`: a struct or a map by column name, a tuple by position.
    pub fn decode<T: DeserializeOwned>(self) -> Result<T, crate::Error> {
        T::deserialize(RowDeserializer {
            columns: &self.columns,
            values: self.values,
        })
        .map_err(crate::Error::from)
    }
}

/// One value decoded into `T`; errors name `column`.
pub fn decode_value<T: DeserializeOwned>(value: Bson, column: &str) -> Result<T, crate::Error> {
    T::deserialize(ValueDeserializer {
        value,
        path: column,
    })
    .map_err(|e| crate::Error::from(e.in_column(column)))
}

/// A row as a map (column -> value) or a sequence (values in order).
struct RowDeserializer<'r> {
    columns: &'r [String],
    values: Vec<Bson>,
}

impl<'de> de::Deserializer<'de> for RowDeserializer<'_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_map(Entries {
            iter: self.columns.iter().map(String::as_str).zip(self.values),
            pending: None,
        })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_seq(Elements {
            iter: self.values.into_iter().enumerate(),
            parent: "",
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct map struct enum identifier ignored_any
    }
}

/// A document's (or a row's) entries as a serde map; each value decodes with its path.
struct Entries<I> {
    iter: I,
    pending: Option<(String, Bson)>,
}

impl<'de, 'p, I> de::MapAccess<'de> for Entries<I>
where
    I: Iterator<Item = (&'p str, Bson)>,
{
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some((k, v)) = self.iter.next() else {
            return Ok(None);
        };
        let key = seed.deserialize(k.into_deserializer())?;
        self.pending = Some((k.to_string(), v));
        Ok(Some(key))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, DecodeError> {
        let Some((path, value)) = self.pending.take() else {
            return Err(de::Error::custom("a value was asked before its key"));
        };
        seed.deserialize(ValueDeserializer { value, path: &path })
            .map_err(|e| e.in_column(&path))
    }
}

/// A nested document's entries: paths are `parent.key`.
struct NestedEntries<'p> {
    parent: &'p str,
    iter: bson::document::IntoIter,
    pending: Option<(String, Bson)>,
}

impl<'de> de::MapAccess<'de> for NestedEntries<'_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some((k, v)) = self.iter.next() else {
            return Ok(None);
        };
        let key = seed.deserialize(k.as_str().into_deserializer())?;
        self.pending = Some((format!("{}.{k}", self.parent), v));
        Ok(Some(key))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, DecodeError> {
        let Some((path, value)) = self.pending.take() else {
            return Err(de::Error::custom("a value was asked before its key"));
        };
        seed.deserialize(ValueDeserializer { value, path: &path })
            .map_err(|e| e.in_column(&path))
    }
}

/// Array elements (or a row's values) as a serde sequence; paths are `parent[i]`.
struct Elements<'p, I> {
    iter: I,
    parent: &'p str,
}

impl<'de, I> de::SeqAccess<'de> for Elements<'_, I>
where
    I: Iterator<Item = (usize, Bson)>,
{
    type Error = DecodeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, DecodeError> {
        let Some((i, value)) = self.iter.next() else {
            return Ok(None);
        };
        let path = if self.parent.is_empty() {
            format!("#{}", i + 1)
        } else {
            format!("{}[{i}]", self.parent)
        };
        seed.deserialize(ValueDeserializer { value, path: &path })
            .map(Some)
            .map_err(|e| e.in_column(&path))
    }
}

/// One BSON value, decoded by the rules in the module doc.
struct ValueDeserializer<'p> {
    value: Bson,
    path: &'p str,
}

impl ValueDeserializer<'_> {
    fn null(&self, wanted: &str) -> DecodeError {
        DecodeError::at(
            self.path,
            format!("is NULL, which {wanted} cannot hold (use Option<{wanted}>)"),
        )
    }

    fn mismatch(&self, wanted: &str) -> DecodeError {
        DecodeError::at(
            self.path,
            format!(
                "a {} value does not decode into {wanted}",
                type_name(&self.value)
            ),
        )
    }

    /// The value as an exact integer, for the integer types (serde's visitors then check the range).
    fn integer(&self, wanted: &str) -> Result<i128, DecodeError> {
        match &self.value {
            Bson::Int32(v) => Ok(i128::from(*v)),
            Bson::Int64(v) => Ok(i128::from(*v)),
            // Exactly representable integral doubles only (|d| < 2^127 keeps the cast exact).
            Bson::Double(d) if d.fract() == 0.0 && d.abs() < 1.7e38 => Ok(*d as i128),
            Bson::Double(d) => Err(DecodeError::at(
                self.path,
                format!("{d} is not an integer, so it does not decode into {wanted}"),
            )),
            Bson::Decimal128(d) => d.to_string().parse::<i128>().map_err(|_| {
                DecodeError::at(
                    self.path,
                    format!("decimal {d} is not an integer, so it does not decode into {wanted}"),
                )
            }),
            Bson::Null | Bson::Undefined => Err(self.null(wanted)),
            _ => Err(self.mismatch(wanted)),
        }
    }

    fn float(&self, wanted: &str) -> Result<f64, DecodeError> {
        match &self.value {
            Bson::Int32(v) => Ok(f64::from(*v)),
            Bson::Int64(v) => Ok(*v as f64),
            Bson::Double(d) => Ok(*d),
            // Decimal128 prints as a decimal string, `Infinity` or `NaN`, all of which f64 parses.
            Bson::Decimal128(d) => d
                .to_string()
                .parse::<f64>()
                .map_err(|_| self.mismatch(wanted)),
            Bson::Null | Bson::Undefined => Err(self.null(wanted)),
            _ => Err(self.mismatch(wanted)),
        }
    }

    /// Delegates to the `bson` crate's deserializer (BSON-specific types: dates, ObjectIds, decimals,
    /// binaries, `Bson`, enums).
    fn with_bson<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let path = self.path;
        de::Deserializer::deserialize_any(bson::de::Deserializer::new(self.value), visitor)
            .map_err(|e| DecodeError::at(path, e.to_string()))
    }
}

fn type_name(v: &Bson) -> &'static str {
    match v {
        Bson::Double(_) => "double",
        Bson::String(_) => "string",
        Bson::Document(_) => "document",
        Bson::Array(_) => "array",
        Bson::Boolean(_) => "boolean",
        Bson::Null | Bson::Undefined => "NULL",
        Bson::Int32(_) => "int32",
        Bson::Int64(_) => "int64",
        Bson::DateTime(_) => "date",
        Bson::Decimal128(_) => "decimal128",
        Bson::ObjectId(_) => "ObjectId",
        Bson::Binary(_) => "binary",
        Bson::Timestamp(_) => "timestamp",
        Bson::RegularExpression(_) => "regex",
        _ => "BSON",
    }
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Bson::Null | Bson::Undefined => visitor.visit_unit(),
            Bson::Boolean(b) => visitor.visit_bool(b),
            Bson::Int32(v) => visitor.visit_i32(v),
            Bson::Int64(v) => visitor.visit_i64(v),
            Bson::Double(v) => visitor.visit_f64(v),
            Bson::String(s) => visitor.visit_string(s),
            Bson::Array(a) => visitor.visit_seq(Elements {
                iter: a.into_iter().enumerate(),
                parent: self.path,
            }),
            Bson::Document(d) => visitor.visit_map(NestedEntries {
                parent: self.path,
                iter: d.into_iter(),
                pending: None,
            }),
            _ => self.with_bson(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Bson::Boolean(b) => visitor.visit_bool(b),
            Bson::Null | Bson::Undefined => Err(self.null("bool")),
            _ => Err(self.mismatch("bool")),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.checked::<i8>("i8")?;
        visitor.visit_i8(v)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.checked::<i16>("i16")?;
        visitor.visit_i16(v)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.checked::<i32>("i32")?;
        visitor.visit_i32(v)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.checked::<i64>("i64")?;
        visitor.visit_i64(v)
    }
    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.integer("i128")?;
        visitor.visit_i128(v)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.checked::<u8>("u8")?;
        visitor.visit_u8(v)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.checked::<u16>("u16")?;
        visitor.visit_u16(v)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.checked::<u32>("u32")?;
        visitor.visit_u32(v)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.checked::<u64>("u64")?;
        visitor.visit_u64(v)
    }
    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.checked::<u128>("u128")?;
        visitor.visit_u128(v)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.float("f32")?;
        visitor.visit_f32(v as f32)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let v = self.float("f64")?;
        visitor.visit_f64(v)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let text = match &self.value {
            Bson::String(s) => s.clone(),
            // RFC 3339 with milliseconds and `Z`: what chrono's `DateTime<Utc>` parses.
            Bson::DateTime(d) => d
                .try_to_rfc3339_string()
                .map_err(|e| DecodeError::at(self.path, e.to_string()))?,
            Bson::Decimal128(d) => d.to_string(),
            Bson::ObjectId(o) => o.to_hex(),
            Bson::Null | Bson::Undefined => return Err(self.null("String")),
            _ => return Err(self.mismatch("String")),
        };
        visitor.visit_string(text)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Bson::Binary(b) => visitor.visit_byte_buf(b.bytes),
            Bson::Null | Bson::Undefined => Err(self.null("bytes")),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Bson::Null | Bson::Undefined => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Bson::Null | Bson::Undefined => visitor.visit_unit(),
            _ => Err(self.mismatch("()")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if name.starts_with('$') {
            // The bson crate's own newtypes (UUIDs, raw values).
            let path = self.path;
            return de::Deserializer::deserialize_newtype_struct(
                bson::de::Deserializer::new(self.value),
                name,
                visitor,
            )
            .map_err(|e| DecodeError::at(path, e.to_string()));
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Bson::Array(_) => self.deserialize_any(visitor),
            Bson::Null | Bson::Undefined => Err(self.null("a sequence")),
            _ => Err(self.mismatch("a sequence")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Bson::Document(_) => self.deserialize_any(visitor),
            Bson::Null | Bson::Undefined => Err(self.null("a map")),
            _ => Err(self.mismatch("a map")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.value {
            Bson::Document(_) => self.deserialize_any(visitor),
            Bson::Null | Bson::Undefined => Err(self.null(name)),
            _ => self.with_bson(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if matches!(self.value, Bson::Null | Bson::Undefined) {
            return Err(self.null(name));
        }
        let path = self.path;
        de::Deserializer::deserialize_enum(
            bson::de::Deserializer::new(self.value),
            name,
            variants,
            visitor,
        )
        .map_err(|e| DecodeError::at(path, e.to_string()))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }
}

impl ValueDeserializer<'_> {
    /// The value as an integer of type `T`, or an out-of-range error naming the type.
    fn checked<T: TryFrom<i128>>(&self, wanted: &str) -> Result<T, DecodeError> {
        let n = self.integer(wanted)?;
        T::try_from(n).map_err(|_| {
            DecodeError::at(
                self.path,
                format!("{n} does not fit {wanted} (out of range)"),
            )
        })
    }
}

/// A `rust_decimal::Decimal` from a NUMERIC (decimal128) column, exactly (through its text; a
/// text column holding a decimal works too): `#[serde(deserialize_with = "sqlmongo::client::row::decimal")]`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// #[derive(serde::Deserialize)]
/// struct Price {
///     #[serde(deserialize_with = "sqlmongo::client::row::decimal")]
///     amount: rust_decimal::Decimal,
/// }
/// let client = sqlmongo::Client::embedded();
/// let p: Price = client.query_one("SELECT CAST('12.30' AS NUMERIC) AS amount", &[]).await.unwrap();
/// assert_eq!(p.amount.to_string(), "12.30");
/// # });
/// ```
pub fn decimal<'de, D: de::Deserializer<'de>>(d: D) -> Result<rust_decimal::Decimal, D::Error> {
    struct Text;
    impl Visitor<'_> for Text {
        type Value = rust_decimal::Decimal;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a decimal number")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<rust_decimal::Decimal, E> {
            let parsed = if s.contains(['e', 'E']) {
                rust_decimal::Decimal::from_scientific(s)
            } else {
                s.parse::<rust_decimal::Decimal>()
            };
            parsed.map_err(|e| E::custom(format!("{s} is not a decimal that fits: {e}")))
        }
    }
    d.deserialize_str(Text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn int<T: DeserializeOwned>(v: Bson) -> Option<T> {
        decode_value::<T>(v, "c").ok()
    }

    proptest! {
        /// Integers decode exactly when the value fits the type (`TryFrom`), whatever BSON width holds it.
        #[test]
        fn integers_decode_iff_they_fit(v in any::<i64>()) {
            prop_assert_eq!(int::<i32>(Bson::Int64(v)), i32::try_from(v).ok());
            prop_assert_eq!(int::<u64>(Bson::Int64(v)), u64::try_from(v).ok());
            prop_assert_eq!(int::<u8>(Bson::Int64(v)), u8::try_from(v).ok());
            prop_assert_eq!(int::<i16>(Bson::Int64(v)), i16::try_from(v).ok());
            prop_assert_eq!(int::<i64>(Bson::Int64(v)), Some(v));
            if let Ok(small) = i32::try_from(v) {
                prop_assert_eq!(int::<i64>(Bson::Int32(small)), Some(v));
            }
        }

        /// A double decodes into an integer only when it is integral and in range, to the same value.
        #[test]
        fn doubles_decode_into_integers_only_exactly(d in any::<f64>()) {
            let two63 = 2f64.powi(63);
            let exact = d.fract() == 0.0 && (-two63..two63).contains(&d);
            prop_assert_eq!(int::<i64>(Bson::Double(d)), exact.then_some(d as i64));
        }
    }

    #[test]
    fn errors_name_the_column_and_path() {
        let row = Row::new(
            vec!["a".to_string(), "doc".to_string()].into(),
            vec![Bson::Null, Bson::Document(bson::doc! {"x": [1, "two"]})],
        );
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            x: Vec<i32>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct R {
            a: Option<i32>,
            doc: Inner,
        }
        match row.decode::<R>() {
            Err(crate::Error::Decode(e)) => assert_eq!(e.column.as_deref(), Some("doc.x[1]")),
            other => panic!("{other:?}"),
        }
    }
}
