//! A read-only rename projection applied to a joined row that is not made gives what the projection gives
//! on the row made as `$unwind` makes it.

use super::super::{Context, Projection};
use super::JoinedRow;
use crate::engine::expr::Vars;
use bson::{bson, Bson, Document};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Bson> {
    let leaf = prop_oneof![
        (0i32..3).prop_map(Bson::Int32),
        Just(Bson::Null),
        Just(Bson::Undefined),
        "[ab]{0,2}".prop_map(Bson::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(("(x|y)", inner.clone()), 0..3)
                .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
            prop::collection::vec(inner, 0..3).prop_map(Bson::Array),
        ]
    })
}

fn doc(keys: &'static str) -> impl Strategy<Value = Document> {
    prop::collection::vec((keys, value()), 0..5).prop_map(|kv| kv.into_iter().collect())
}

/// A path the select list of a join reads: the outer document's fields (one named like the `as` field's
/// neighbours), the joined document itself and paths into it, paths through arrays.
fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("$a".to_string()),
        Just("$a.x".to_string()),
        Just("$j".to_string()),
        Just("$j.x".to_string()),
        Just("$j.x.y".to_string()),
        Just("$j.y".to_string()),
        Just("$_id".to_string()),
    ]
}

fn entry() -> impl Strategy<Value = Bson> {
    prop_oneof![
        3 => path().prop_map(Bson::String),
        2 => path().prop_map(|p| bson!({"$cond": [{"$eq": [{"$ifNull": [p, null]}, null]}, 1, 0]})),
        1 => path().prop_map(|p| bson!({"$cond": [{"$ne": [{"$ifNull": [p, null]}, null]}, "some", {"$literal": "$none"}]})),
        1 => Just(bson!({"$literal": 7})),
        1 => Just(Bson::String("text".into())),
        // Not a read: the whole projection takes the made row.
        1 => Just(bson!({"$add": ["$j.x", 1]})),
    ]
}

fn spec() -> impl Strategy<Value = Document> {
    (
        prop::collection::vec(("(c[0-4]|__s[0-2])", entry()), 1..6),
        any::<bool>(),
    )
        .prop_map(|(kv, drop_id)| {
            let mut d = Document::new();
            if drop_id {
                d.insert("_id", 0);
            }
            for (k, v) in kv {
                d.insert(k, v);
            }
            d
        })
}

/// The row `$unwind` makes: the joined document set into the `as` field (in place, or last), or the
/// field removed when there is none.
fn made(outer: &Document, joined: Option<&Document>) -> Document {
    let mut d = outer.clone();
    match joined {
        Some(j) => {
            d.insert("j", Bson::Document(j.clone()));
        }
        None => {
            d.remove("j");
        }
    }
    d
}

proptest! {
    #[test]
    fn unmade_row_equals_the_made_one(
        s in spec(),
        outer in doc("(_id|a|b|j)"),
        joined in prop::option::of(doc("(x|y|j)")),
        tail in 0usize..3,
    ) {
        let Ok(p) = Projection::compile(&s, Context::Stage) else { return Ok(()) };
        let reads = !s.values().any(|v| matches!(v, Bson::Document(d) if d.contains_key("$add")));
        prop_assert_eq!(p.reads_only(), reads, "{:?}", s);
        let row = JoinedRow { outer: &outer, as_field: "j", joined: joined.as_ref() };
        let made = made(&outer, joined.as_ref());
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let names: Vec<&str> = s.keys().filter(|k| *k != "_id").map(String::as_str).collect();
        let tail = tail.min(names.len());
        if p.tail_of(&names[names.len() - tail..]).is_none() {
            return Ok(());
        }
        let got = p.apply_row_split(&row, tail);
        let bytes = p.apply_row_split_bytes(&row, tail);
        if !reads {
            prop_assert!(got.is_err() && bytes.is_err());
            return Ok(());
        }
        let want = p.apply_ref_split(&made, &vars, tail).expect("a projection of reads cannot fail");
        let got = got.expect("reads");
        prop_assert_eq!(format!("{want:?}"), format!("{got:?}"), "{:?} on {:?}", s, made);
        let (b, apart) = bytes.expect("reads and encodes");
        let decoded = Document::from_reader(b.as_slice()).expect("decodes");
        prop_assert_eq!(format!("{:?}", want.0), format!("{decoded:?}"), "{:?} on {:?}", s, made);
        prop_assert_eq!(format!("{:?}", want.1), format!("{apart:?}"));
    }
}
