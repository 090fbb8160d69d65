//! The documents a blocking stage holds (a sort's buffer, a `$setWindowFields` partition), in one of three
//! forms: as built (a `Document`: fast to hand on, ~8x its BSON size in memory for small fields), encoded
//! (its BSON bytes: the bytes a spill would write, kept in memory, decoded once when the stage hands the
//! document on), or as a projection made it, its values under its keys' template ([`TemplateRow`]: handed
//! on as values when the command's result goes out as rows). A stage holds its documents as built while their resident size is within its limit; past
//! it, it encodes what it holds and every later document ([`Held::compact`]) before it spills anything, so
//! it spills only when the encoded documents pass the limit too (mongod counts its compact documents the
//! same way: a stage of 100k session rows stays in memory).
//!
//! In: documents; out: the same documents (an encoded one decodes to a document equal to it, field order
//! and types kept). Depends on `bson`, `memory`.

use super::doc_template::TemplateRow;
use super::error_codes::ErrorCode;
use super::memory;
use super::CommandError;
use bson::{Bson, Document, RawDocument};

/// One document a stage holds.
#[derive(Debug, Clone)]
pub enum Held {
    /// As built.
    Doc(Document),
    /// Its BSON bytes.
    Raw(Box<[u8]>),
    /// Its values under its keys' template (a projection's output: no document built).
    Row(TemplateRow),
}

fn internal(what: &str, e: impl std::fmt::Display) -> CommandError {
    CommandError::new(
        ErrorCode::InternalError,
        format!("holding a document encoded: {what}: {e}"),
    )
}

impl Held {
    /// The document encoded (its BSON bytes).
    pub fn encode(d: &Document) -> Result<Held, CommandError> {
        let raw = super::storage::document_bytes(d).map_err(|e| internal("encode", e))?;
        Ok(Held::Raw(raw.into_boxed_slice()))
    }

    /// Encodes the document in place (nothing to do when it already is).
    pub fn compact(&mut self) -> Result<(), CommandError> {
        match self {
            Held::Doc(d) => *self = Held::encode(d)?,
            Held::Row(r) => {
                *self = Held::Raw(
                    r.bytes()
                        .map_err(|e| internal("encode", e))?
                        .into_boxed_slice(),
                )
            }
            Held::Raw(_) => {}
        }
        Ok(())
    }

    /// Whether the document is held encoded.
    #[cfg(test)]
    pub fn is_raw(&self) -> bool {
        matches!(self, Held::Raw(_))
    }

    /// The bytes the document takes in memory: [`memory::resident_doc_bytes`] as built, the allocation of
    /// its bytes encoded.
    pub fn resident(&self) -> usize {
        match self {
            Held::Doc(d) => memory::resident_doc_bytes(d),
            Held::Raw(b) => memory::alloc_bytes(b.len()),
            Held::Row(r) => r.resident(),
        }
    }

    /// The document's BSON size as the 292 limits count it ([`memory::doc_bytes`]; its byte length
    /// encoded).
    pub fn bson_bytes(&self) -> usize {
        match self {
            Held::Doc(d) => memory::doc_bytes(d),
            Held::Raw(b) => b.len(),
            Held::Row(r) => r.bson_bytes(),
        }
    }

    /// The document (decoded when held encoded).
    pub fn into_doc(self) -> Result<Document, CommandError> {
        match self {
            Held::Doc(d) => Ok(d),
            Held::Raw(b) => decode(&b),
            Held::Row(r) => Ok(r.into_doc()),
        }
    }

    /// The BSON bytes of the document (encoded when held as built).
    pub fn to_bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>, CommandError> {
        match self {
            Held::Doc(d) => match Held::encode(d)? {
                Held::Raw(b) => Ok(std::borrow::Cow::Owned(b.into_vec())),
                _ => Err(internal("encode", "not encoded")),
            },
            Held::Raw(b) => Ok(std::borrow::Cow::Borrowed(b)),
            Held::Row(r) => Ok(std::borrow::Cow::Owned(
                r.bytes().map_err(|e| internal("encode", e))?,
            )),
        }
    }
}

/// Decodes BSON bytes into a document.
pub fn decode(b: &[u8]) -> Result<Document, CommandError> {
    let raw = RawDocument::from_bytes(b).map_err(|e| internal("decode", e))?;
    super::bson_decode::try_document(raw).map_err(|e| internal("decode", e))
}

/// The resident bytes of a sort key held beside a document.
pub fn key_resident(key: &[Bson]) -> usize {
    key.iter().map(memory::resident_value_bytes).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn encoded_is_smaller_and_decodes_equal() {
        let d = doc! {
            "_id": bson::oid::ObjectId::from_bytes([7; 12]),
            "session_id": "sess-000123-abcdef",
            "page_views": 17,
            "__w0k": {"n0": 0, "s0": "sess-000123-abcdef"},
            "a": [1, 2.5, "x", null, {"y": bson::DateTime::from_millis(5)}],
            "i64": 5i64,
        };
        let mut h = Held::Doc(d.clone());
        let before = h.resident();
        h.compact().unwrap();
        assert!(h.is_raw());
        assert!(h.resident() * 4 < before, "{} vs {before}", h.resident());
        assert_eq!(
            h.bson_bytes(),
            Held::Doc(d.clone()).to_bytes().unwrap().len()
        );
        assert_eq!(h.into_doc().unwrap(), d);
    }
}
