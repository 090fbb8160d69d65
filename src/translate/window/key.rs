//! The composite sort key of an ORDER BY list (windows, ordered aggregates): one document `{nI, sI, ...}`
//! with PostgreSQL's NULL placement, sorting in one direction where it can.
//!
//! In: each ORDER BY item translated (its expression, whether it is numeric and nullable, its direction and
//! NULL placement). Out: a [`SortKeyDoc`]. A NULL flag `nI` (1 for NULL) comes before the value `sI` when
//! PostgreSQL's NULL placement differs from MongoDB's (NULLs first ascending, last descending). Keys in mixed
//! directions: a numeric key negated (`{$multiply: [-1, x]}`) sorts in the other direction, so when the keys
//! that cannot be negated agree on one direction (or there are none), every numeric key in the other direction
//! is negated and the whole key sorts in one direction (one sort field: `$rank`, `range` windows). A NULL
//! stays NULL; its flag is chosen for the direction the key sorts in.

use super::SortKeyDoc;
use crate::mql::expr as ex;
use crate::translate::nulls::is_null;
use bson::{Bson, Document};

/// One ORDER BY item, translated.
pub(crate) struct KeyItem {
    /// The value.
    pub expr: ex::Expr,
    /// A number whenever not NULL (integer / bigint / numeric / double precision).
    pub numeric: bool,
    /// May be NULL.
    pub nullable: bool,
    /// DESC.
    pub desc: bool,
    /// NULLS FIRST (explicit, or PostgreSQL's default for the direction).
    pub nulls_first: bool,
}

/// The key document of `items`; with `negate`, numeric keys in the minority direction are negated (see the
/// module doc), else every key keeps its own direction (the general form).
pub(crate) fn key_doc(items: Vec<KeyItem>, negate: bool) -> SortKeyDoc {
    let fixed: Vec<bool> = items
        .iter()
        .filter(|k| !k.numeric)
        .map(|k| k.desc)
        .collect();
    let target = match fixed.first() {
        _ if !negate => None,
        Some(d) if fixed.iter().all(|x| x == d) => Some(*d),
        Some(_) => None,
        None => items.first().map(|k| k.desc),
    };
    let mut key = Document::new();
    let mut fields = Vec::new();
    for (i, k) in items.into_iter().enumerate() {
        let negated = target.is_some_and(|t| t != k.desc) && k.numeric;
        let desc = k.desc != negated;
        let dir = if desc { -1 } else { 1 };
        // MongoDB puts NULLs first ascending and last descending.
        if k.nulls_first == desc && k.nullable {
            key.insert(format!("n{i}"), ex::cond(is_null(&k.expr), 1, 0));
            fields.push((format!("n{i}"), dir));
        }
        let value: Bson = if negated {
            ex::multiply(vec![(-1).into(), k.expr.into()])
        } else {
            ex::or_null(k.expr).into()
        };
        key.insert(format!("s{i}"), value);
        fields.push((format!("s{i}"), dir));
    }
    let first = fields.first().map(|f| f.1).unwrap_or(1);
    let uniform = fields.iter().all(|f| f.1 == first);
    SortKeyDoc {
        expr: Bson::Document(key),
        dir: if uniform { Some(first) } else { None },
        fields,
    }
}

#[cfg(test)]
mod tests {
    // The key with numeric keys negated into one direction ([`key_doc`] with `negate`) numbers the rows as the
    // general key (every key in its own direction) does, both run by the embedded engine on generated
    // documents: mixed numeric types (int, long, double with -0.0, decimal, the extremes), NULL and missing
    // values, ties, every direction and NULL placement, numeric and text keys in any order.

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
}
