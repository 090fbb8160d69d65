//! Unit tests of [`super`] (record encoding): the scalar fast path against `bson`'s encoding.

use super::*;
use bson::doc;
use proptest::prelude::*;

/// A value: every scalar the fast path writes (NaN, negative zero, empty strings, strings holding NUL
/// bytes and multi-byte characters), and values it leaves to `bson` (decimals, regexes, arrays, documents).
fn value() -> impl Strategy<Value = Bson> {
    let scalar = prop_oneof![
        any::<f64>().prop_map(Bson::Double),
        prop_oneof![Just(f64::NAN), Just(-0.0), Just(f64::INFINITY)].prop_map(Bson::Double),
        any::<i32>().prop_map(Bson::Int32),
        any::<i64>().prop_map(Bson::Int64),
        "[a\u{0}é€]{0,4}".prop_map(Bson::String),
        any::<bool>().prop_map(Bson::Boolean),
        Just(Bson::Null),
        any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
        any::<i64>().prop_map(|m| Bson::DateTime(bson::DateTime::from_millis(m))),
        Just(Bson::Decimal128(bson::Decimal128::from_bytes([1; 16]))),
        Just(Bson::Undefined),
    ]
    .boxed();
    prop_oneof![
        8 => scalar.clone(),
        1 => proptest::collection::vec(scalar.clone(), 0..3).prop_map(Bson::Array),
        1 => proptest::collection::vec(("[ab]", scalar), 0..3)
            .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
    ]
}

/// A document under keys that may be empty, repeat a `_id`, or hold a NUL byte (which BSON cannot store).
fn document() -> impl Strategy<Value = Document> {
    proptest::collection::vec(
        (
            prop_oneof![4 => "[_a-c]{0,3}", 1 => "[a\u{0}]{1,2}"],
            value(),
        ),
        0..6,
    )
    .prop_map(|kv| kv.into_iter().collect())
}

proptest! {
    /// The fast path writes exactly `bson`'s bytes, and fails exactly where `bson` fails (with its error).
    #[test]
    fn document_bytes_are_the_bson_encoding(doc in document()) {
        let fast = document_bytes(&doc).map_err(|e| e.to_string());
        let general = general_bytes(&doc).map_err(|e| e.to_string());
        prop_assert_eq!(fast, general, "{:?}", doc);
    }

    /// An array's bytes are `bson`'s encoding of the array (a document under the keys "0", "1", ...),
    /// written here or by `bson`.
    #[test]
    fn array_bytes_are_the_bson_encoding(items in proptest::collection::vec(value(), 0..20)) {
        let fast = array_bytes(&items).map_err(|e| e.to_string());
        let mut whole = bson::RawDocumentBuf::try_from(&doc! {"a": Bson::Array(items.clone())})
            .map_err(|e| e.to_string());
        let general = whole.as_mut().map(|w| {
            let bytes = w.as_bytes();
            // `{a: [...]}`: length, type byte, "a\0", the array's bytes, terminator.
            bytes[7..bytes.len() - 1].to_vec()
        }).map_err(|e| e.clone());
        prop_assert_eq!(fast, general, "{:?}", items);
    }
}

/// The fast path writes a bulk load's rows itself (it is not a pass-through to `bson`).
#[test]
fn scalar_rows_take_the_fast_path() {
    let d = doc! {"_id": bson::oid::ObjectId::new(), "id": 7i64, "u": "user-7", "s": 0.5, "b": true, "n": null};
    assert_eq!(flat_bytes(&d), general_bytes(&d).ok());
    assert!(flat_bytes(&doc! {"a": [1]}).is_none());
    let key = [Bson::String("k".into()), Bson::Int32(3), Bson::Null];
    assert_eq!(
        flat_of(|| ["0", "1", "2"].into_iter().zip(&key)),
        array_bytes(&key).ok()
    );
}
