//! The key with numeric keys negated into one direction ([`key_doc`] with `negate`) numbers the rows as the
//! general key (every key in its own direction) does, both run by the embedded engine on generated
//! documents: mixed numeric types (int, long, double with -0.0, decimal, the extremes), NULL and missing
//! values, ties, every direction and NULL placement, numeric and text keys in any order.

use super::{key_doc, KeyItem};
use crate::engine::expr::Vars;
use crate::engine::pipeline::{NoCatalog, Pipeline};
use crate::mql::expr as ex;
use bson::{bson, doc, Bson, Document};
use proptest::prelude::*;
use std::str::FromStr;

fn number() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        4 => (-3i32..3).prop_map(|n| Some(Bson::Int32(n))),
        2 => (-3i64..3).prop_map(|n| Some(Bson::Int64(n))),
        2 => prop::sample::select(vec![-1.5, -0.0, 0.0, 0.5, 2.0]).prop_map(|x| Some(Bson::Double(x))),
        1 => prop::sample::select(vec!["-1.50", "0", "2.0", "0.5"])
            .prop_map(|s| bson::Decimal128::from_str(s).ok().map(Bson::Decimal128)),
        1 => prop::sample::select(vec![
            Bson::Int32(i32::MIN),
            Bson::Int32(i32::MAX),
            Bson::Int64(i64::MAX),
            Bson::Int64(i64::MIN + 1),
        ]).prop_map(Some),
        1 => Just(Some(Bson::Null)),
        1 => Just(None),
    ]
}

fn text() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        4 => "[abc]".prop_map(|s| Some(Bson::String(s))),
        1 => Just(Some(Bson::Null)),
        1 => Just(None),
    ]
}

fn docs() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((number(), text(), number()), 0..60).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (a, b, c))| {
                let mut d = doc! {"_id": i as i32};
                for (f, v) in [("a", a), ("b", b), ("c", c)] {
                    if let Some(v) = v {
                        d.insert(f, v);
                    }
                }
                d
            })
            .collect()
    })
}

/// Each document's row number (`_id` -> number) under the key, sorted in its direction(s).
fn numbered(docs: &[Document], items: Vec<KeyItem>, negate: bool) -> Vec<(Bson, Bson)> {
    let key = key_doc(items, negate);
    let sort: Document = match key.dir {
        Some(d) => doc! {"k": d},
        None => key
            .fields
            .iter()
            .map(|(f, d)| (format!("k.{f}"), Bson::Int32(*d)))
            .collect(),
    };
    let stages = vec![
        bson!({"$set": {"k": key.expr}}),
        bson!({"$setWindowFields": {"sortBy": sort, "output": {"rn": {"$documentNumber": {}}}}}),
    ];
    let p = Pipeline::compile(&stages).expect("compiles");
    let vars = Vars::new(bson::DateTime::from_millis(0));
    let mut out: Vec<(Bson, Bson)> = p
        .run(docs.to_vec(), &NoCatalog, &vars)
        .expect("runs")
        .into_iter()
        .map(|d| {
            (
                d.get("_id").cloned().unwrap_or(Bson::Null),
                d.get("rn").cloned().unwrap_or(Bson::Null),
            )
        })
        .collect();
    out.sort_by_key(|(id, _)| id.as_i32());
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn negated_numeric_keys_number_rows_as_the_general_key(
        docs in docs(),
        order in prop::collection::vec((0usize..3, any::<bool>(), any::<bool>(), any::<bool>()), 1..4),
    ) {
        // (field, desc, NULLS FIRST, nullable); "b" is the text key.
        let items = || -> Vec<KeyItem> {
            order
                .iter()
                .map(|&(f, desc, nulls_first, nullable)| KeyItem {
                    expr: ex::field(["a", "b", "c"][f]),
                    numeric: f != 1,
                    // A key not known nullable is one whose NULLs are not placed: only when it has none.
                    nullable: nullable || docs.iter().any(|d| !matches!(d.get(["a", "b", "c"][f]), Some(v) if *v != Bson::Null)),
                    desc,
                    nulls_first,
                })
                .collect()
        };
        let general = numbered(&docs, items(), false);
        let negated = numbered(&docs, items(), true);
        prop_assert_eq!(negated, general, "{:?}", order);
    }
}
