//! Parameters from any `serde::Serialize` value ([`to_param`]): the value a `$n` placeholder is bound to.
//!
//! The mapping is the `bson` crate's (`bson::serialize_to_bson`: a struct or a map becomes a document, a
//! `Vec` an array, `None` NULL, `i32` int32, `i64` / `u32` int64, a `u64` past `i64::MAX` an error, the
//! bson types themselves) with one difference: a `chrono::DateTime` (any time zone) or
//! `chrono::NaiveDateTime` (taken as UTC) becomes a BSON date, at any depth, where serde alone would make
//! it a string: chrono writes itself with `collect_str`, and this serializer turns a `collect_str` text
//! that is an RFC 3339 date-time (or a naive ISO 8601 one) into a date. Plain strings (`serialize_str`:
//! `&str`, `String`) are never converted, whatever they look like. A `chrono::NaiveDate` stays a string.

use bson::{Bson, Document};
use serde::ser::{self, Serialize};

/// A serde value as a bound parameter (see the module doc for the mapping).
///
/// ```
/// use chrono::TimeZone;
/// #[derive(serde::Serialize)]
/// struct Prefs { theme: &'static str, seen: Option<i32> }
/// let p = sqlmongo::client::params::to_param(&Prefs { theme: "dark", seen: None }).unwrap();
/// assert_eq!(p, bson::Bson::Document(bson::doc! {"theme": "dark", "seen": null}));
/// let at = chrono::Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
/// assert!(matches!(sqlmongo::client::params::to_param(&at).unwrap(), bson::Bson::DateTime(_)));
/// ```
pub fn to_param<T: Serialize + ?Sized>(value: &T) -> Result<Bson, crate::Error> {
    value
        .serialize(ParamSerializer)
        .map_err(|e| crate::Error::Parameter(e.0))
}

/// A serialisation failure (its message).
#[derive(Debug)]
pub struct ParamError(String);

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParamError {}

impl ser::Error for ParamError {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        ParamError(msg.to_string())
    }
}

fn from_bson_error(e: bson::error::Error) -> ParamError {
    ParamError(e.to_string())
}

/// The text of a chrono date-time as a BSON date, if it is one.
fn as_datetime(text: &str) -> Option<Bson> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(Bson::DateTime(bson::DateTime::from_chrono(d)));
    }
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    Some(Bson::DateTime(bson::DateTime::from_chrono(naive.and_utc())))
}

struct ParamSerializer;

type Res = Result<Bson, ParamError>;

impl ser::Serializer for ParamSerializer {
    type Ok = Bson;
    type Error = ParamError;
    type SerializeSeq = ArrayBuilder;
    type SerializeTuple = ArrayBuilder;
    type SerializeTupleStruct = ArrayBuilder;
    type SerializeTupleVariant = VariantBuilder<ArrayBuilder>;
    type SerializeMap = DocBuilder;
    type SerializeStruct = StructBuilder;
    type SerializeStructVariant = VariantBuilder<DocBuilder>;

    fn serialize_bool(self, v: bool) -> Res {
        Ok(Bson::Boolean(v))
    }
    fn serialize_i8(self, v: i8) -> Res {
        Ok(Bson::Int32(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Res {
        Ok(Bson::Int32(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Res {
        Ok(Bson::Int32(v))
    }
    fn serialize_i64(self, v: i64) -> Res {
        Ok(Bson::Int64(v))
    }
    fn serialize_u8(self, v: u8) -> Res {
        Ok(Bson::Int32(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Res {
        Ok(Bson::Int32(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Res {
        Ok(Bson::Int64(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Res {
        i64::try_from(v)
            .map(Bson::Int64)
            .map_err(|_| ParamError(format!("{v} does not fit a BSON int64")))
    }
    fn serialize_f32(self, v: f32) -> Res {
        Ok(Bson::Double(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Res {
        Ok(Bson::Double(v))
    }
    fn serialize_char(self, v: char) -> Res {
        Ok(Bson::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Res {
        Ok(Bson::String(v.to_string()))
    }
    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> Res {
        let text = value.to_string();
        Ok(as_datetime(&text).unwrap_or(Bson::String(text)))
    }
    fn serialize_bytes(self, v: &[u8]) -> Res {
        Ok(Bson::Binary(serde_bytes_like(v)))
    }
    fn serialize_none(self) -> Res {
        Ok(Bson::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Res {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Res {
        Ok(Bson::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Res {
        Ok(Bson::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Res {
        Ok(Bson::String(variant.to_string()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Res {
        if name.starts_with('$') {
            // The bson crate's own newtypes (UUIDs, raw values) keep its mapping.
            return ser::Serializer::serialize_newtype_struct(
                bson::ser::Serializer::new(),
                name,
                value,
            )
            .map_err(from_bson_error);
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Res {
        let mut d = Document::new();
        d.insert(variant, value.serialize(ParamSerializer)?);
        Ok(Bson::Document(d))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<ArrayBuilder, ParamError> {
        Ok(ArrayBuilder(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<ArrayBuilder, ParamError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<ArrayBuilder, ParamError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<ArrayBuilder>, ParamError> {
        Ok(VariantBuilder {
            variant,
            inner: ArrayBuilder(Vec::with_capacity(len)),
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<DocBuilder, ParamError> {
        Ok(DocBuilder {
            doc: Document::new(),
            key: None,
        })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<StructBuilder, ParamError> {
        if name.starts_with('$') {
            // A bson type written as Extended JSON (`{"$date": ...}`, `{"$oid": ...}`): the bson crate
            // turns it back into the type.
            let inner = ser::Serializer::serialize_struct(bson::ser::Serializer::new(), name, len)
                .map_err(from_bson_error)?;
            return Ok(StructBuilder::Bson(inner));
        }
        Ok(StructBuilder::Doc(Document::new()))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<VariantBuilder<DocBuilder>, ParamError> {
        Ok(VariantBuilder {
            variant,
            inner: DocBuilder {
                doc: Document::new(),
                key: None,
            },
        })
    }
}

/// Bytes as the bson crate writes them (a generic binary).
fn serde_bytes_like(v: &[u8]) -> bson::Binary {
    bson::Binary {
        subtype: bson::spec::BinarySubtype::Generic,
        bytes: v.to_vec(),
    }
}

/// Array elements.
struct ArrayBuilder(Vec<Bson>);

impl ser::SerializeSeq for ArrayBuilder {
    type Ok = Bson;
    type Error = ParamError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ParamError> {
        self.0.push(value.serialize(ParamSerializer)?);
        Ok(())
    }
    fn end(self) -> Res {
        Ok(Bson::Array(self.0))
    }
}

impl ser::SerializeTuple for ArrayBuilder {
    type Ok = Bson;
    type Error = ParamError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ParamError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Res {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for ArrayBuilder {
    type Ok = Bson;
    type Error = ParamError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ParamError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Res {
        ser::SerializeSeq::end(self)
    }
}

/// Map entries; keys must serialise to strings.
struct DocBuilder {
    doc: Document,
    key: Option<String>,
}

impl ser::SerializeMap for DocBuilder {
    type Ok = Bson;
    type Error = ParamError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ParamError> {
        match key.serialize(ParamSerializer)? {
            Bson::String(s) => {
                self.key = Some(s);
                Ok(())
            }
            other => Err(ParamError(format!(
                "a map key must be a string, not {other}"
            ))),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ParamError> {
        let key = self.key.take().unwrap_or_default();
        self.doc.insert(key, value.serialize(ParamSerializer)?);
        Ok(())
    }
    fn end(self) -> Res {
        Ok(Bson::Document(self.doc))
    }
}

impl ser::SerializeStructVariant for DocBuilder {
    type Ok = Bson;
    type Error = ParamError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ParamError> {
        self.doc.insert(key, value.serialize(ParamSerializer)?);
        Ok(())
    }
    fn end(self) -> Res {
        Ok(Bson::Document(self.doc))
    }
}

/// A struct's fields, or a bson type handed to the bson crate.
enum StructBuilder {
    Doc(Document),
    Bson(<bson::ser::Serializer as ser::Serializer>::SerializeStruct),
}

impl ser::SerializeStruct for StructBuilder {
    type Ok = Bson;
    type Error = ParamError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ParamError> {
        match self {
            StructBuilder::Doc(d) => {
                d.insert(key, value.serialize(ParamSerializer)?);
                Ok(())
            }
            StructBuilder::Bson(b) => b.serialize_field(key, value).map_err(from_bson_error),
        }
    }
    fn end(self) -> Res {
        match self {
            StructBuilder::Doc(d) => Ok(Bson::Document(d)),
            StructBuilder::Bson(b) => b.end().map_err(from_bson_error),
        }
    }
}

/// An enum variant with fields: `{variant: inner}`.
struct VariantBuilder<I> {
    variant: &'static str,
    inner: I,
}

impl ser::SerializeTupleVariant for VariantBuilder<ArrayBuilder> {
    type Ok = Bson;
    type Error = ParamError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ParamError> {
        ser::SerializeSeq::serialize_element(&mut self.inner, value)
    }
    fn end(self) -> Res {
        let mut d = Document::new();
        d.insert(self.variant, ser::SerializeSeq::end(self.inner)?);
        Ok(Bson::Document(d))
    }
}

impl ser::SerializeStructVariant for VariantBuilder<DocBuilder> {
    type Ok = Bson;
    type Error = ParamError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ParamError> {
        ser::SerializeStructVariant::serialize_field(&mut self.inner, key, value)
    }
    fn end(self) -> Res {
        let mut d = Document::new();
        d.insert(self.variant, ser::SerializeStructVariant::end(self.inner)?);
        Ok(Bson::Document(d))
    }
}
