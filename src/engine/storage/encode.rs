//! A document's BSON bytes as a record stores them. A document of top-level scalars (what a bulk load
//! inserts: numbers, strings, booleans, nulls, ObjectIds, dates) is written here in one pass into a buffer
//! of its exact size; any other document is written by `bson` (`RawDocumentBuf::try_from`), whose bytes
//! and errors the fast path gives too (a key holding a NUL byte, which BSON cannot store, goes to `bson`
//! for its error). `encode_tests.rs` holds the two equal on generated documents.

use bson::{Bson, Document, RawDocumentBuf};

/// `doc`'s BSON bytes, exactly as `RawDocumentBuf::try_from(doc)` writes them (or its error).
pub(crate) fn document_bytes(doc: &Document) -> Result<Vec<u8>, bson::error::Error> {
    match flat_bytes(doc) {
        Some(bytes) => Ok(bytes),
        None => general_bytes(doc),
    }
}

/// `bson`'s encoding of any document.
pub(super) fn general_bytes(doc: &Document) -> Result<Vec<u8>, bson::error::Error> {
    RawDocumentBuf::try_from(doc).map(RawDocumentBuf::into_bytes)
}

/// The encoded size of a scalar value this module writes itself; `None` for the rest.
fn scalar_len(v: &Bson) -> Option<usize> {
    Some(match v {
        Bson::Double(_) | Bson::Int64(_) | Bson::DateTime(_) => 8,
        Bson::String(s) => 4 + s.len() + 1,
        Bson::Boolean(_) => 1,
        Bson::Null => 0,
        Bson::Int32(_) => 4,
        Bson::ObjectId(_) => 12,
        _ => return None,
    })
}

/// The bytes of a document of the scalars [`scalar_len`] knows under keys without a NUL byte; `None`
/// for any other document.
fn flat_bytes(doc: &Document) -> Option<Vec<u8>> {
    flat_of(|| doc.iter().map(|(k, v)| (k.as_str(), v)))
}

/// The bytes of the BSON array `items` (a document under the keys `"0"`, `"1"`, ...), exactly as `bson`
/// writes an array (or its error): written here when every item is a scalar [`scalar_len`] knows.
pub(crate) fn array_bytes(items: &[Bson]) -> Result<Vec<u8>, bson::error::Error> {
    const KEYS: [&str; 16] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
    ];
    if items.len() <= KEYS.len() {
        if let Some(bytes) = flat_of(|| KEYS.iter().copied().zip(items)) {
            return Ok(bytes);
        }
    }
    let doc: Document = items
        .iter()
        .enumerate()
        .map(|(i, v)| (i.to_string(), v.clone()))
        .collect();
    general_bytes(&doc)
}

/// The bytes of the document of the elements `items()` gives (key, value; keys distinct), in order,
/// exactly as `bson` writes that document (or its error): written here when every value is a scalar
/// [`scalar_len`] knows.
pub(crate) fn pairs_bytes<'a, I: Iterator<Item = (&'a str, &'a Bson)>>(
    items: impl Fn() -> I,
) -> Result<Vec<u8>, bson::error::Error> {
    match flat_of(&items) {
        Some(bytes) => Ok(bytes),
        None => general_bytes(&items().map(|(k, v)| (k.to_string(), v.clone())).collect()),
    }
}

/// [`flat_bytes`] of the elements `items()` gives (key, value), in order (walked twice: sizes, then bytes).
fn flat_of<'a, I: Iterator<Item = (&'a str, &'a Bson)>>(items: impl Fn() -> I) -> Option<Vec<u8>> {
    let mut len = 5usize;
    for (k, v) in items() {
        if k.as_bytes().contains(&0) {
            return None;
        }
        len += 1 + k.len() + 1 + scalar_len(v)?;
    }
    let total = i32::try_from(len).ok()?;
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&total.to_le_bytes());
    for (k, v) in items() {
        out.push(v.element_type() as u8);
        out.extend_from_slice(k.as_bytes());
        out.push(0);
        match v {
            Bson::Double(x) => out.extend_from_slice(&x.to_le_bytes()),
            Bson::String(s) => {
                let n = i32::try_from(s.len() + 1).ok()?;
                out.extend_from_slice(&n.to_le_bytes());
                out.extend_from_slice(s.as_bytes());
                out.push(0);
            }
            Bson::Boolean(b) => out.push(u8::from(*b)),
            Bson::Null => {}
            Bson::Int32(i) => out.extend_from_slice(&i.to_le_bytes()),
            Bson::Int64(i) => out.extend_from_slice(&i.to_le_bytes()),
            Bson::ObjectId(o) => out.extend_from_slice(&o.bytes()),
            Bson::DateTime(d) => out.extend_from_slice(&d.timestamp_millis().to_le_bytes()),
            _ => return None,
        }
    }
    out.push(0);
    Some(out)
}

#[cfg(test)]
#[path = "encode_tests.rs"]
mod tests;
