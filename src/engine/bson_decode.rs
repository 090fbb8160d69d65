//! Raw BSON bytes decoded into owned [`Bson`] values and [`Document`]s in one pass.
//!
//! The `bson` crate turns a [`RawBsonRef`] into a [`Bson`] through an owned [`bson::RawBson`]: an embedded
//! document or array is first copied into a buffer of its own and then parsed again from that copy, so a
//! value nested `d` levels deep is copied `d` times and every element is converted twice. Stored documents
//! are decoded on every read that returns or works on whole documents (a `find` of all fields, a cursor batch,
//! a `$lookup`'s foreign documents, a JSON column), so this walks the bytes once instead: each key and string
//! is decoded straight into the `String` it ends in, and embedded documents and arrays recurse over the same
//! bytes. The result is exactly the `bson` crate's (pinned by a property test); the rare element types (binary,
//! regular expressions, timestamps, JavaScript, DBPointer, symbols, undefined, MinKey / MaxKey) are handed to
//! the `bson` crate. Malformed bytes give `None`, never a panic.

use bson::{Bson, Document, RawBsonRef, RawDocument};

use super::bson_bytes::{elements, read_8, read_i32, Element};

/// `raw` as a [`Document`]: what `Document::try_from(raw)` gives, `None` where it fails.
pub(crate) fn document(raw: &RawDocument) -> Option<Document> {
    document_bytes(raw.as_bytes())
}

/// The BSON document `bytes` (length prefix to terminator) as a [`Document`]; `None` for malformed bytes.
/// A document of more than a few fields is made with room for all of them (counted first: a walk of the
/// element headers), not grown one `insert` at a time.
pub(crate) fn document_bytes(bytes: &[u8]) -> Option<Document> {
    const FEW_FIELDS_BYTES: usize = 48;
    let out = match bytes.len() > FEW_FIELDS_BYTES {
        true => roomy(elements(bytes).count()),
        false => Document::new(),
    };
    fill(out, bytes, |_| true)
}

/// The elements of the BSON document `bytes` whose keys `keep` accepts (given the key's bytes), in document
/// order, as a [`Document`]; the others are skipped unread. `None` for malformed bytes.
/// `fields` bounds how many are kept: the document is made with room for that many.
pub(crate) fn document_keeping(
    bytes: &[u8],
    fields: usize,
    keep: impl FnMut(&[u8]) -> bool,
) -> Option<Document> {
    fill(roomy(fields), bytes, keep)
}

/// [`document_keeping`] into `out` (empty).
fn fill(mut out: Document, bytes: &[u8], mut keep: impl FnMut(&[u8]) -> bool) -> Option<Document> {
    for element in elements(bytes) {
        let element = element?;
        if !keep(element.key) {
            continue;
        }
        let key = std::str::from_utf8(element.key).ok()?;
        let value = match decode(&element) {
            Some(v) => v,
            None => rare(&element)?,
        };
        out.insert(key, value);
    }
    Some(out)
}

/// An empty document with room for `n` fields (one kept per size and thread, cloned: a clone of an empty
/// document keeps its table's size, as `mql::room` does for bulk loads; the layers keep the engine from
/// using that one): a document of more than three fields built one `insert` at a time reallocates and
/// rehashes its table at 4, 8, 16 ... fields (a third of decoding a stored session document). Past 64
/// fields, or up to three, an ordinary one.
fn roomy(n: usize) -> Document {
    const FIRST_TABLE: usize = 3;
    const ROOMS: usize = 64;
    thread_local! {
        static ROOM: std::cell::RefCell<Vec<Option<Document>>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    if n <= FIRST_TABLE || n > ROOMS {
        return Document::new();
    }
    ROOM.with(|rooms| {
        let mut rooms = rooms.borrow_mut();
        if rooms.len() <= n {
            rooms.resize(n + 1, None);
        }
        match rooms.get_mut(n) {
            Some(slot) => slot
                .get_or_insert_with(|| {
                    let mut room: Document = (0..n).map(|i| (i.to_string(), Bson::Null)).collect();
                    room.clear();
                    room
                })
                .clone(),
            None => Document::new(),
        }
    })
}

/// `raw` as a [`Document`], exactly as `Document::try_from(raw)`: decoded here, and by the `bson` crate
/// where that fails (for its error).
pub(crate) fn try_document(raw: &RawDocument) -> Result<Document, bson::error::Error> {
    document(raw).map_or_else(|| Document::try_from(raw), Ok)
}

/// `v` as an owned [`Bson`], exactly as `Bson::try_from(v)`: decoded here, and by the `bson` crate where that
/// fails (for its error).
pub(crate) fn try_value(v: RawBsonRef<'_>) -> Result<Bson, bson::error::Error> {
    value(v).map_or_else(|| Bson::try_from(v), Ok)
}

/// The element of the document `raw` as an owned [`Bson`], exactly as `Bson::try_from(element)`.
pub(crate) fn try_element(element: bson::raw::RawElement<'_>) -> Result<Bson, bson::error::Error> {
    element.value().and_then(try_value)
}

/// `v` as an owned [`Bson`]: what `Bson::try_from(v)` gives, `None` where it fails.
pub(crate) fn value(v: RawBsonRef<'_>) -> Option<Bson> {
    match v {
        RawBsonRef::Document(d) => document(d).map(Bson::Document),
        RawBsonRef::Array(a) => array_bytes(a.as_bytes()).map(Bson::Array),
        RawBsonRef::String(s) => Some(Bson::String(s.to_owned())),
        other => Bson::try_from(other).ok(),
    }
}

/// The value of element type `kind` whose bytes are `value` (exactly the value's bytes, as
/// [`value_len`](super::bson_bytes::value_len) bounds them) as an owned [`Bson`]; `None` for malformed bytes.
pub(crate) fn element_value(kind: u8, value: &[u8]) -> Option<Bson> {
    let e = Element {
        kind,
        key: &[],
        value,
    };
    decode(&e).or_else(|| rare(&e))
}

/// The BSON array `bytes` (a document whose keys are ignored, as the `bson` crate ignores them).
pub(crate) fn array_bytes(bytes: &[u8]) -> Option<Vec<Bson>> {
    let mut out = Vec::new();
    for element in elements(bytes) {
        let element = element?;
        std::str::from_utf8(element.key).ok()?;
        let value = match decode(&element) {
            Some(v) => v,
            None => rare(&element)?,
        };
        out.push(value);
    }
    Some(out)
}

/// The values of the document `bytes` when its keys are exactly `keys`, in order (`None` otherwise, or for
/// malformed bytes): a document of a known shape read as its values.
pub(crate) fn values_under<'k>(
    bytes: &[u8],
    mut keys: impl Iterator<Item = &'k str>,
    n: usize,
) -> Option<Vec<Bson>> {
    let mut out = Vec::with_capacity(n);
    for element in elements(bytes) {
        let element = element?;
        if keys.next()?.as_bytes() != element.key {
            return None;
        }
        out.push(match decode(&element) {
            Some(v) => v,
            None => rare(&element)?,
        });
    }
    keys.next().is_none().then_some(out)
}

/// The element's value for the common types, decoded here; `None` for malformed bytes and for the rare types
/// (the caller then asks the `bson` crate, which also reports the malformed ones).
#[inline]
fn decode(e: &Element<'_>) -> Option<Bson> {
    let v = e.value;
    Some(match e.kind {
        0x01 => Bson::Double(f64::from_le_bytes(read_8(v, 0)?)),
        0x02 => {
            let (last, text) = v.get(4..)?.split_last()?;
            if *last != 0 || usize::try_from(read_i32(v, 0)?).ok()? != text.len() + 1 {
                return None;
            }
            Bson::String(std::str::from_utf8(text).ok()?.to_owned())
        }
        0x03 => Bson::Document(document_bytes(v)?),
        0x04 => Bson::Array(array_bytes(v)?),
        0x07 => Bson::ObjectId(bson::oid::ObjectId::from_bytes(v.try_into().ok()?)),
        0x08 => match v {
            [0] => Bson::Boolean(false),
            [1] => Bson::Boolean(true),
            _ => return None,
        },
        0x09 => Bson::DateTime(bson::DateTime::from_millis(i64::from_le_bytes(read_8(
            v, 0,
        )?))),
        0x0A => Bson::Null,
        0x10 => Bson::Int32(read_i32(v, 0)?),
        0x12 => Bson::Int64(i64::from_le_bytes(read_8(v, 0)?)),
        0x13 => Bson::Decimal128(bson::Decimal128::from_bytes(v.try_into().ok()?)),
        _ => return None,
    })
}

/// The element's value by the `bson` crate: the rare types, and the malformed common ones (for which it fails
/// too). The element is copied into a document of its own (with an empty key) for the crate to read.
#[cold]
fn rare(e: &Element<'_>) -> Option<Bson> {
    let len = 4 + 1 + 1 + e.value.len() + 1;
    let mut buf = Vec::with_capacity(len);
    buf.extend_from_slice(&i32::try_from(len).ok()?.to_le_bytes());
    buf.push(e.kind);
    buf.push(0);
    buf.extend_from_slice(e.value);
    buf.push(0);
    let raw = RawDocument::from_bytes(&buf).ok()?;
    let (_, v) = raw.iter().next()?.ok()?;
    Bson::try_from(v).ok()
}

#[cfg(test)]
#[path = "bson_decode_tests.rs"]
mod tests;
