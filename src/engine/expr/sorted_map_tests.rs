//! `sorted_map.rs` (a `$map` of a path under its variable over a `$sortArray`, the elements sorted as
//! references) against the general path (`$sortArray` copying the array, `$map` binding each element) on
//! generated arrays of `{k, v}` pairs and other shapes (scalars, nested documents, keys missing or of mixed
//! types, equal keys whose order only a stable sort keeps), inputs that are NULL, missing or not arrays,
//! and bad `sortBy` directions: the same value or the same error code.

use super::slots_tests::eval_general;
use super::{Expr, Vars};
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn eval(e: &Expr, d: &Document) -> Result<Option<Bson>, i32> {
    e.eval(d, &Vars::new(bson::DateTime::from_millis(0)))
        .map_err(|e| e.code)
}

/// A key or value of an element: numbers of three types (equal across types), strings, null, a document.
fn scalar() -> impl Strategy<Value = Bson> {
    prop_oneof![
        Just(Bson::Null),
        (-2i32..3).prop_map(Bson::Int32),
        (-2i64..3).prop_map(Bson::Int64),
        (-2i32..3).prop_map(|i| Bson::Double(f64::from(i) / 2.0)),
        prop::sample::select(vec!["a", "b", "01:00:00"]).prop_map(|s| Bson::String(s.into())),
        Just(Bson::Document(doc! {"n0": 0, "s0": 1})),
    ]
}

/// An element: a `{k, v}` pair as the ordered aggregates push (fields possibly missing, `k` a document of
/// `n0` / `s0` keys or a scalar), or a scalar / array that is not one.
fn element() -> impl Strategy<Value = Bson> {
    prop_oneof![
        4 => (
            prop::option::of(prop_oneof![
                (prop::option::of(0i32..2), prop::option::of(scalar())).prop_map(|(n, s)| {
                    let mut k = Document::new();
                    if let Some(n) = n {
                        k.insert("n0", n);
                    }
                    if let Some(s) = s {
                        k.insert("s0", s);
                    }
                    Bson::Document(k)
                }),
                scalar(),
            ]),
            prop::option::of(scalar()),
        )
            .prop_map(|(k, v)| {
                let mut d = Document::new();
                if let Some(k) = k {
                    d.insert("k", k);
                }
                if let Some(v) = v {
                    d.insert("v", v);
                }
                Bson::Document(d)
            }),
        1 => scalar(),
        1 => prop::collection::vec(scalar(), 0..2).prop_map(Bson::Array),
    ]
}

/// The `$map` over a `$sortArray` of `input`.
fn plan(input: Bson, sort_by: Bson, var: Option<&str>, path: &str) -> Bson {
    let mut map = doc! {"input": {"$sortArray": {"input": input, "sortBy": sort_by}}};
    let name = var.unwrap_or("this");
    if let Some(v) = var {
        map.insert("as", v);
    }
    map.insert("in", format!("$${name}{path}"));
    Bson::Document(doc! {"$map": map})
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]
    /// The fused `$map` gives the general path's value or error code.
    #[test]
    fn sorted_map_equals_the_general_path(
        items in prop::option::of(prop_oneof![
            4 => prop::collection::vec(element(), 0..12).prop_map(Bson::Array),
            1 => scalar(),
        ]),
        input in prop::sample::select(vec![0usize, 1, 2, 3]),
        sort_by in prop_oneof![
            Just(Bson::Document(doc! {"k": 1})),
            Just(Bson::Document(doc! {"k": -1})),
            Just(Bson::Document(doc! {"k.n0": 1, "k.s0": -1})),
            Just(Bson::Int32(1)),
            Just(Bson::Int64(-1)),
            Just(Bson::Document(doc! {"k": 2})),
            Just(Bson::Int32(0)),
            Just(Bson::String("k".into())),
        ],
        var in prop::sample::select(vec![None, Some("e")]),
        path in prop::sample::select(vec![".v", ".k", ".k.s0", ".v.n0", ".missing"]),
    ) {
        let mut row = Document::new();
        if let Some(items) = items {
            row.insert("a", items);
        }
        let input = match input {
            0 => Bson::String("$a".into()),
            1 => Bson::Document(doc! {"$ifNull": ["$a", []]}),
            2 => Bson::String("$missing".into()),
            // an input whose evaluation fails
            _ => Bson::Document(doc! {"$divide": [1, 0]}),
        };
        let spec = plan(input, sort_by, var, path);
        let e = Expr::compile(&spec).map_err(|e| e.code);
        let Ok(e) = e else { return Ok(()); };
        prop_assert_eq!(eval(&e, &row), eval_general(&e, &row), "{} on {}", spec, row);
    }
}

/// The translator's ordered aggregate: pairs sorted by their key, equal keys kept in their order.
#[test]
fn ordered_aggregate_sorts_by_key_stably() {
    let row = doc! {"a": [
        {"k": {"n0": 0, "s0": 2}, "v": "b"},
        {"k": {"n0": 1, "s0": null}, "v": "null"},
        {"k": {"n0": 0, "s0": 1}, "v": "a1"},
        {"k": {"n0": 0, "s0": 1}, "v": "a2"},
    ]};
    let e = Expr::compile(&plan(
        Bson::Document(doc! {"$ifNull": ["$a", []]}),
        Bson::Document(doc! {"k": 1}),
        None,
        ".v",
    ))
    .expect("compiles");
    let want = Some(Bson::Array(vec![
        "a1".into(),
        "a2".into(),
        "b".into(),
        "null".into(),
    ]));
    assert_eq!(eval(&e, &row), Ok(want.clone()));
    assert_eq!(eval_general(&e, &row), Ok(want));
}
