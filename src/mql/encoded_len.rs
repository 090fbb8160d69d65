//! The size of a document's BSON encoding, counted without encoding it: how the driver layer splits a
//! large write into batches under the wire's limits (`driver::execute`), a walk of the values instead of an
//! allocation of every document's bytes. Iterative, so a deeply nested document cannot exhaust the stack.

use bson::{Bson, Document};

/// The number of bytes `d` encodes to (what `RawDocumentBuf::try_from(d)` holds; a key that cannot be
/// encoded, with a NUL byte, is counted as written: the encoding itself reports that error).
pub(crate) fn encoded_len(d: &Document) -> usize {
    // A document: length prefix (4) and terminator (1); an element: type byte, key, its NUL, value.
    let mut total = 5;
    let mut work: Vec<&Bson> = Vec::new();
    for (k, v) in d {
        total += 2 + k.len();
        work.push(v);
    }
    while let Some(v) = work.pop() {
        total += match v {
            Bson::Document(d) => {
                for (k, x) in d {
                    total += 2 + k.len();
                    work.push(x);
                }
                5
            }
            Bson::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    total += 2 + decimal_digits(i);
                    work.push(x);
                }
                5
            }
            Bson::Double(_) | Bson::Int64(_) | Bson::DateTime(_) | Bson::Timestamp(_) => 8,
            Bson::Int32(_) => 4,
            Bson::Boolean(_) => 1,
            Bson::Null | Bson::Undefined | Bson::MaxKey | Bson::MinKey => 0,
            Bson::ObjectId(_) => 12,
            Bson::Decimal128(_) => 16,
            Bson::String(s) | Bson::Symbol(s) | Bson::JavaScriptCode(s) => 5 + s.len(),
            other => encoded_value_len(other),
        };
    }
    total
}

/// The encoded size of a value of a rarer type (binary subtypes, regexes, code with scope, pointers),
/// from its encoding in a one-field document `{"": v}` (4 + type 1 + key NUL 1 + value + 1).
fn encoded_value_len(v: &Bson) -> usize {
    let mut d = Document::new();
    d.insert("", v.clone());
    bson::RawDocumentBuf::try_from(&d).map_or(0, |r| r.as_bytes().len().saturating_sub(7))
}

/// The number of decimal digits of `i` (an array index is encoded as its decimal key).
fn decimal_digits(mut i: usize) -> usize {
    let mut n = 1;
    while i >= 10 {
        i /= 10;
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::encoded_len;
    use bson::{doc, Bson, Document};
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Bson> {
        let leaf = prop_oneof![
            any::<i32>().prop_map(Bson::Int32),
            any::<i64>().prop_map(Bson::Int64),
            any::<f64>().prop_map(Bson::Double),
            "[a-z\\x{e9}\\x{4e2d}]{0,12}".prop_map(Bson::String),
            any::<bool>().prop_map(Bson::Boolean),
            Just(Bson::Null),
            Just(Bson::MinKey),
            Just(Bson::Undefined),
            any::<[u8; 16]>().prop_map(|b| Bson::Decimal128(bson::Decimal128::from_bytes(b))),
            (proptest::collection::vec(any::<u8>(), 0..20), 0u8..3).prop_map(|(bytes, s)| {
                Bson::Binary(bson::Binary {
                    subtype: bson::spec::BinarySubtype::from(s),
                    bytes,
                })
            }),
            any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
            ("[a-z]{0,5}", "[imsx]{0,3}").prop_map(|(p, o)| {
                Bson::RegularExpression(bson::Regex {
                    pattern: p.as_str().try_into().expect("pattern"),
                    options: o.as_str().try_into().expect("options"),
                })
            }),
            any::<i64>().prop_map(|t| Bson::DateTime(bson::DateTime::from_millis(t))),
            (any::<u32>(), any::<u32>())
                .prop_map(|(time, increment)| Bson::Timestamp(bson::Timestamp { time, increment })),
            "[a-z]{0,8}".prop_map(Bson::JavaScriptCode),
        ];
        leaf.prop_recursive(6, 96, 14, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..14).prop_map(Bson::Array),
                proptest::collection::vec(("[a-z]{0,4}", inner), 0..6)
                    .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The count equals the length of the encoding, for generated documents of every type, arrays of
        /// more than ten elements (two-digit keys) included.
        #[test]
        fn encoded_len_is_the_encodings_length(
            fields in proptest::collection::vec(("[a-z_]{0,6}", value()), 0..8)
        ) {
            let d: Document = fields.into_iter().collect();
            let raw = bson::RawDocumentBuf::try_from(&d).expect("encodable");
            prop_assert_eq!(encoded_len(&d), raw.as_bytes().len());
        }
    }

    #[test]
    fn a_deep_document_is_counted_without_recursion() {
        let mut d = doc! {"a": 1};
        for _ in 0..100_000 {
            d = doc! {"a": d};
        }
        assert_eq!(encoded_len(&d), 100_000 * 8 + 12);
        // Dropped without recursion as well (the bson crate's drop recurses).
        let mut v = Bson::Document(d);
        while let Bson::Document(mut inner) = v {
            v = inner.remove("a").unwrap_or(Bson::Null);
        }
    }
}
