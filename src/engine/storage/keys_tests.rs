//! Unit tests of [`super`] (index keys): the top-level fast path of `keys_for` against the general rules.

use super::*;
use bson::doc;
use proptest::prelude::*;

/// A field value: null, numbers of three types (NaN too), strings, booleans, arrays (empty, of scalars,
/// of documents) and documents, so both the fast path and its refusals (arrays) are generated.
fn value() -> impl Strategy<Value = Bson> {
    let scalar = prop_oneof![
        Just(Bson::Null),
        (0i32..3).prop_map(Bson::Int32),
        (0i64..3).prop_map(Bson::Int64),
        (0i32..3).prop_map(|i| Bson::Double(f64::from(i))),
        Just(Bson::Double(f64::NAN)),
        "[aAb]{0,2}".prop_map(Bson::String),
        any::<bool>().prop_map(Bson::Boolean),
    ];
    scalar.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Bson::Array),
            proptest::collection::vec(("[ab]", inner), 0..3)
                .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
        ]
    })
}

/// A document of some of the fields `_id`, `a`, `b`, `c` (any missing), in generated order.
fn document() -> impl Strategy<Value = Document> {
    proptest::collection::vec(
        (
            prop_oneof![Just("_id"), Just("a"), Just("b"), Just("c")],
            value(),
        ),
        0..5,
    )
    .prop_map(|kv| kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// An index spec: one or two of `_id`, `a`, `b`, `a.b` (dotted paths take the general rules), sparse or
/// not, with or without a partial filter and a case-insensitive collation.
fn spec() -> impl Strategy<Value = Document> {
    let field = prop_oneof![Just("_id"), Just("a"), Just("b"), Just("a.b")];
    (
        proptest::collection::vec(field, 1..3),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(fields, sparse, partial, collated)| {
            let mut key = Document::new();
            for f in fields {
                key.insert(f, 1);
            }
            let mut spec = doc! {"key": key, "name": "ix", "sparse": sparse};
            if partial {
                spec.insert("partialFilterExpression", doc! {"a": {"$exists": true}});
            }
            if collated {
                spec.insert("collation", doc! {"locale": "en_US", "strength": 2});
            }
            spec
        })
}

/// The keys as comparable text (NaN equal to itself; the value's type kept).
fn shown(keys: &[IndexKey]) -> Vec<String> {
    keys.iter().map(|k| format!("{:?}", k.0)).collect()
}

proptest! {
    /// `keys_for` (the top-level fast path where it applies) gives exactly the keys of the general rules,
    /// in the same order, for every generated index and document: missing fields, nulls, mixed numeric
    /// types, arrays, sub-documents, sparse, partial and collated indexes.
    #[test]
    fn the_top_level_fast_path_is_the_general_rules(spec in spec(), doc in document()) {
        let ix = Index::from_spec(&spec).expect("generated spec");
        prop_assert_eq!(shown(&ix.keys_for(&doc)), shown(&ix.keys_for_general(&doc)), "{} {}", spec, doc);
    }
}

/// The fast path answers the common shapes itself (it is not a pass-through to the general rules).
#[test]
fn the_fast_path_takes_top_level_scalars_and_refuses_arrays() {
    let ix = Index::from_spec(&doc! {"key": {"a": 1, "b": 1}, "name": "ab"}).expect("spec");
    let keys = ix.top_level_key(&doc! {"a": 1, "c": 2}).expect("fast path");
    assert_eq!(
        shown(&keys),
        shown(&[IndexKey(vec![Bson::Int32(1), Bson::Null].into())])
    );
    assert!(ix.top_level_key(&doc! {"a": [1, 2]}).is_none());
    let sparse =
        Index::from_spec(&doc! {"key": {"a": 1}, "name": "a", "sparse": true}).expect("spec");
    assert_eq!(
        sparse.top_level_key(&doc! {"b": 1}).map(|k| k.len()),
        Some(0)
    );
}
