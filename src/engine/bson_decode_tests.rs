use super::*;
use bson::RawDocumentBuf;
use proptest::prelude::*;

/// Every BSON type the engine stores or may meet: the common ones decoded here and the rare ones handed to
/// the `bson` crate, nested in documents and arrays.
fn arb_bson() -> impl Strategy<Value = Bson> {
    let leaf = prop_oneof![
        any::<i32>().prop_map(Bson::Int32),
        any::<i64>().prop_map(Bson::Int64),
        any::<f64>().prop_map(Bson::Double),
        "[a-z\\x{0}\\x{e9}\\x{4e2d}]{0,12}".prop_map(Bson::String),
        any::<bool>().prop_map(Bson::Boolean),
        Just(Bson::Null),
        Just(Bson::Undefined),
        Just(Bson::MinKey),
        Just(Bson::MaxKey),
        any::<[u8; 16]>().prop_map(|b| Bson::Decimal128(bson::Decimal128::from_bytes(b))),
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(|bytes| Bson::Binary(
            bson::Binary {
                subtype: bson::spec::BinarySubtype::Generic,
                bytes
            }
        )),
        any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
        ("[a-z]{0,5}", "[imsx]{0,3}").prop_map(|(p, o)| {
            Bson::RegularExpression(bson::Regex {
                pattern: p.as_str().try_into().expect("pattern"),
                options: o.as_str().try_into().expect("options"),
            })
        }),
        (any::<u32>(), any::<u32>())
            .prop_map(|(time, increment)| Bson::Timestamp(bson::Timestamp { time, increment })),
        "[a-z]{0,6}".prop_map(Bson::JavaScriptCode),
        "[a-z]{0,6}".prop_map(Bson::Symbol),
        any::<i64>().prop_map(|t| Bson::DateTime(bson::DateTime::from_millis(t))),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Bson::Array),
            // few distinct keys: duplicate keys are written when a document is built from bytes below
            proptest::collection::vec(("[a-c\\x{e9}]{1,2}", inner), 0..6)
                .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
        ]
    })
}

fn arb_document() -> impl Strategy<Value = Document> {
    proptest::collection::vec(("[a-c_]{1,3}", arb_bson()), 0..8)
        .prop_map(|kv| kv.into_iter().collect())
}

fn bytes_of(d: &Document) -> Vec<u8> {
    RawDocumentBuf::try_from(d).expect("encodes").into_bytes()
}

/// Equal as BSON: the same bytes when encoded (NaN equals itself, -0.0 differs from 0.0).
fn same(a: &Option<Document>, b: &Option<Document>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => bytes_of(a) == bytes_of(b),
        (None, None) => true,
        _ => false,
    }
}

/// `d`'s bytes with the element list written twice: every key appears twice (the second value wins in
/// place, as `Document::insert` does).
fn with_duplicates(d: &Document, other: &Document) -> Vec<u8> {
    let a = bytes_of(d);
    let b = bytes_of(other);
    let body: Vec<u8> = a[4..a.len() - 1]
        .iter()
        .chain(&b[4..b.len() - 1])
        .copied()
        .collect();
    let mut out = ((body.len() + 5) as i32).to_le_bytes().to_vec();
    out.extend(body);
    out.push(0);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn decodes_as_the_bson_crate(d in arb_document(), other in arb_document()) {
        let bytes = bytes_of(&d);
        let raw = RawDocument::from_bytes(&bytes).expect("well-formed");
        let ours = document(raw);
        prop_assert!(same(&ours, &Document::try_from(raw).ok()));
        // values too, one element at a time
        for element in raw.iter() {
            let (_, v) = element.expect("well-formed");
            let theirs = Bson::try_from(v).ok();
            let mine = value(v);
            let wrap = |v: Option<Bson>| v.map(|v| bson::doc! {"v": v});
            prop_assert!(same(&wrap(mine), &wrap(theirs)));
        }
        // duplicate keys: the last value, at the first one's position
        let dup = with_duplicates(&d, &other);
        let raw = RawDocument::from_bytes(&dup).expect("well-formed");
        prop_assert!(same(&document(raw), &Document::try_from(raw).ok()));
    }

    #[test]
    fn damaged_bytes_fail_or_decode_as_the_bson_crate(
        d in arb_document(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = bytes_of(&d);
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let theirs = RawDocument::from_bytes(&bytes).ok().and_then(|r| Document::try_from(r).ok());
        prop_assert!(same(&document_bytes(&bytes), &theirs), "byte {i} set to {byte}");
        let short = &bytes[..cut.index(bytes.len())];
        let theirs = RawDocument::from_bytes(short).ok().and_then(|r| Document::try_from(r).ok());
        prop_assert!(same(&document_bytes(short), &theirs));
    }
}

#[test]
fn invalid_utf8_in_keys_and_strings_fails() {
    let d = bson::doc! {"k": "v", "a": [1, "x"]};
    let bytes = bytes_of(&d);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(b, b'k' | b'v' | b'x') {
            let mut bad = bytes.clone();
            bad[i] = 0xff;
            assert_eq!(document_bytes(&bad), None, "byte {i}");
        }
    }
}

/// A document read as its values under its keys: exactly its keys in order give its values; a key
/// missing, extra, renamed or out of order gives nothing.
#[test]
fn values_under_its_own_keys_only() {
    let d = bson::doc! {"a": 1, "b": "x", "c": {"d": [1, 2]}};
    let raw = RawDocumentBuf::try_from(&d).expect("encodes");
    let b = raw.as_bytes();
    let got = values_under(b, ["a", "b", "c"].into_iter(), 3);
    assert_eq!(got, Some(d.values().cloned().collect::<Vec<_>>()));
    for keys in [
        &["a", "b"][..],
        &["a", "b", "c", "e"],
        &["a", "c", "b"],
        &["a", "b", "z"],
    ] {
        assert_eq!(
            values_under(b, keys.iter().copied(), keys.len()),
            None,
            "{keys:?}"
        );
    }
}
