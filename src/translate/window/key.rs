//! The composite sort key of an ORDER BY list (windows, ordered aggregates): one document `{nI, sI, ...}`
//! with PostgreSQL's NULL placement, sorting in one direction where it can.
//!
//! In: each ORDER BY item translated (its expression, whether it is numeric and nullable, its direction and
//! NULL placement). Out: a [`SortKeyDoc`]. A NULL flag `nI` (1 for NULL) comes before the value `sI` when
//! PostgreSQL's NULL placement differs from MongoDB's (NULLs first ascending, last descending). Keys in mixed
//! directions: a numeric key negated (`{$multiply: [-1, x]}`) sorts in the other direction, so when the keys
//! that cannot be negated agree on one direction (or there are none), every numeric key in the other direction
//! is negated and the whole key sorts in one direction (one sort field: `$rank`, `range` windows). A NULL
//! stays NULL; its flag is chosen for the direction the key sorts in. Windows negate only where the function
//! compares peers (one sort field); where every key is a top-level field of a scalar type needing no NULL
//! flag, a window sorts on those fields themselves ([`plain_sort`]): no key document per row.

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
    /// Of a scalar type (boolean, number, text, timestamp): never an array or a document, so sorting on the
    /// value itself orders it as the key document does (a sort on an array field picks an element).
    pub scalar: bool,
}

/// The `sortBy` on the documents' own fields, without a key document: when every key is a distinct top-level
/// field (`"$f"` or `{$ifNull: ["$f", null]}`) of a scalar type whose NULLs sort where MongoDB puts them (no
/// NULL flag), each in its own direction. The documents then sort as on the key document (a missing field
/// sorts as NULL, as the key's `$ifNull` makes it). `single`: one key only (a function comparing rows as
/// peers takes one sort field).
pub(crate) fn plain_sort(items: &[KeyItem], single: bool) -> Option<Document> {
    if items.is_empty() || (single && items.len() > 1) {
        return None;
    }
    let mut sort = Document::new();
    for k in items {
        let flagged = k.nulls_first == k.desc && k.nullable;
        if flagged || !k.scalar {
            return None;
        }
        let path = match ex::if_null_operands(&k.expr) {
            Some([x, ex::Expr::Bson(Bson::Null) | ex::Expr::Literal(Bson::Null)]) => {
                ex::field_path_of(x)
            }
            Some(_) => None,
            None => ex::field_path_of(&k.expr),
        }?;
        let plain = !path.is_empty() && !path.contains('.') && !path.starts_with('$');
        if !plain || sort.contains_key(path) {
            return None;
        }
        sort.insert(path, if k.desc { -1 } else { 1 });
    }
    Some(sort)
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

    use super::{key_doc, plain_sort, KeyItem};
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

    /// Each document's row number and RANK (`_id` -> (number, rank)) under the `sortBy` `sort`, after the
    /// `$set` of `set` (the key document) when given.
    fn run(docs: &[Document], set: Option<Bson>, sort: Document) -> Vec<(Bson, Bson, Bson)> {
        let mut out_spec = doc! {"rn": {"$documentNumber": {}}};
        if sort.len() == 1 {
            out_spec.insert("rk", doc! {"$rank": {}});
        }
        let mut stages = Vec::new();
        if let Some(k) = set {
            stages.push(bson!({"$set": {"k": k}}));
        }
        stages.push(bson!({"$setWindowFields": {"sortBy": sort, "output": out_spec}}));
        let p = Pipeline::compile(&stages).expect("compiles");
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let get = |d: &Document, f: &str| d.get(f).cloned().unwrap_or(Bson::Null);
        let mut out: Vec<(Bson, Bson, Bson)> = p
            .run(docs.to_vec(), &NoCatalog, &vars)
            .expect("runs")
            .into_iter()
            .map(|d| (get(&d, "_id"), get(&d, "rn"), get(&d, "rk")))
            .collect();
        out.sort_by_key(|(id, ..)| id.as_i32());
        out
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
        run(docs, Some(key.expr), sort)
            .into_iter()
            .map(|(id, rn, _)| (id, rn))
            .collect()
    }

    /// (field, desc, NULLS FIRST, nullable, `$ifNull`-wrapped) -> the key items over `docs` ("b" is the
    /// text key). A key not known nullable is one whose NULLs are not placed: only when it has none.
    fn key_items(docs: &[Document], order: &[(usize, bool, bool, bool, bool)]) -> Vec<KeyItem> {
        order
            .iter()
            .map(|&(f, desc, nulls_first, nullable, wrapped)| {
                let name = ["a", "b", "c"][f];
                KeyItem {
                    expr: if wrapped {
                        ex::or_null(ex::field(name))
                    } else {
                        ex::field(name)
                    },
                    numeric: f != 1,
                    scalar: true,
                    nullable: nullable
                        || docs
                            .iter()
                            .any(|d| !matches!(d.get(name), Some(v) if *v != Bson::Null)),
                    desc,
                    nulls_first,
                }
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn negated_numeric_keys_number_rows_as_the_general_key(
            docs in docs(),
            order in prop::collection::vec((0usize..3, any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()), 1..4),
        ) {
            let general = numbered(&docs, key_items(&docs, &order), false);
            let negated = numbered(&docs, key_items(&docs, &order), true);
            prop_assert_eq!(negated, general, "{:?}", order);
        }

        /// The sort on the documents' own fields ([`plain_sort`]) numbers and ranks the rows as the key
        /// document does (mixed numeric types, NULL and missing values, ties, every direction and NULL
        /// placement), wherever it applies.
        #[test]
        fn plain_sort_numbers_and_ranks_rows_as_the_key_document(
            docs in docs(),
            order in prop::collection::vec((0usize..3, any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()), 1..4),
            single in any::<bool>(),
        ) {
            let Some(plain) = plain_sort(&key_items(&docs, &order), single) else {
                return Ok(());
            };
            let key = key_doc(key_items(&docs, &order), false);
            let sort: Document = key
                .fields
                .iter()
                .map(|(f, d)| (format!("k.{f}"), Bson::Int32(*d)))
                .collect();
            let general = if sort.len() == 1 {
                // One key: the whole document sorts as its one field (a RANK needs one sort field).
                run(&docs, Some(key.expr), doc! {"k": key.dir.unwrap_or(1)})
            } else {
                run(&docs, Some(key.expr), sort)
            };
            prop_assert_eq!(run(&docs, None, plain), general, "{:?}", order);
        }
    }

    #[test]
    fn plain_sort_declines_flags_computed_keys_non_scalars_and_repeats() {
        let item = |expr: ex::Expr, scalar: bool, nullable: bool, desc: bool| KeyItem {
            expr,
            numeric: false,
            scalar,
            nullable,
            desc,
            // MongoDB's placement (first ascending, last descending): no flag.
            nulls_first: !desc,
        };
        // A NULL flag (NULLs where MongoDB does not put them), an array or document type, a computed key,
        // a dotted path, a repeated field, two keys where one sort field is needed.
        assert!(plain_sort(&[item(ex::field("a"), true, true, true)], false).is_some());
        let mut flagged = item(ex::field("a"), true, true, true);
        flagged.nulls_first = true;
        assert!(plain_sort(&[flagged], false).is_none());
        assert!(plain_sort(&[item(ex::field("a"), false, false, false)], false).is_none());
        let computed: ex::Expr = bson!({"$add": ["$a", 1]}).into();
        assert!(plain_sort(&[item(computed, true, false, false)], false).is_none());
        assert!(plain_sort(&[item(ex::field("a.b"), true, false, false)], false).is_none());
        let two = [
            item(ex::field("a"), true, false, false),
            item(ex::or_null(ex::field("a")), true, false, false),
        ];
        assert!(plain_sort(&two, false).is_none());
        let two = [
            item(ex::field("a"), true, false, false),
            item(ex::field("b"), true, false, false),
        ];
        assert_eq!(plain_sort(&two, false), Some(doc! {"a": 1, "b": 1}));
        assert!(plain_sort(&two, true).is_none());
    }
}
