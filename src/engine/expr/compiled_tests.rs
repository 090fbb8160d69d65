//! The compile-time shapes against the general evaluation, on generated expressions and documents: `$let`
//! (bindings taken apart, names interned) against the same binding made by `$map` over a one-element array,
//! `$switch` and named `$cond` against nested array-form `$cond`s, arrays and documents of constants (folded
//! to one constant) against the same built field by field, and operators with more arguments than the inline
//! array holds, and `$in` over a constant list (searched in place) against the list built per evaluation.
//! Same value, or the same error code.

use super::{Expr, Vars};
use bson::{doc, Bson, Document};
use proptest::prelude::*;

const NAMES: [&str; 3] = ["a", "b", "value"];

fn leaf() -> impl Strategy<Value = Bson> {
    prop_oneof![
        (-2i32..3).prop_map(Bson::Int32),
        Just(Bson::Null),
        Just(Bson::Boolean(true)),
        Just(Bson::String("s".into())),
        Just(Bson::String("$f".into())),
        Just(Bson::String("$g".into())),
        (0usize..3).prop_map(|i| Bson::String(format!("$${}", NAMES[i]))),
    ]
}

fn op(name: &str, arg: Bson) -> Bson {
    let mut d = Document::new();
    d.insert(name, arg);
    Bson::Document(d)
}

/// An expression over `$f`, `$g` and the variables `a`, `b`, `value` (each bound by an enclosing `$let`,
/// else an undefined-variable error on both sides).
fn expr() -> impl Strategy<Value = Bson> {
    leaf().prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..7).prop_map(|v| op("$add", Bson::Array(v))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| op("$eq", Bson::Array(vec![a, b]))),
            (inner.clone(), prop::collection::vec(leaf(), 0..4))
                .prop_map(|(x, list)| op("$in", Bson::Array(vec![x, Bson::Array(list)]))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| op("$ifNull", Bson::Array(vec![a, b]))),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, t, e)| {
                op(
                    "$cond",
                    Bson::Document(doc! {"if": c, "then": t, "else": e}),
                )
            }),
            (
                prop::collection::vec((inner.clone(), inner.clone()), 0..3),
                inner.clone()
            )
                .prop_map(|(bs, d)| {
                    let branches: Vec<Bson> = bs
                        .into_iter()
                        .map(|(c, t)| Bson::Document(doc! {"case": c, "then": t}))
                        .collect();
                    op(
                        "$switch",
                        Bson::Document(doc! {"branches": branches, "default": d}),
                    )
                }),
            (0usize..3, inner.clone(), inner.clone()).prop_map(|(i, v, body)| {
                let mut vars = Document::new();
                vars.insert(NAMES[i], v);
                op("$let", Bson::Document(doc! {"vars": vars, "in": body}))
            }),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Bson::Array),
            (inner.clone(), inner).prop_map(|(x, y)| Bson::Document(doc! {"x": x, "y": y})),
        ]
    })
}

/// `x` through an operator (`{$cond: [true, x, null]}`: the value of `x`, missing kept), so that an array or
/// document of it is built field by field, not folded.
fn computed(x: Bson) -> Bson {
    op(
        "$cond",
        Bson::Array(vec![Bson::Boolean(true), x, Bson::Null]),
    )
}

/// The same expression without the compile-time shapes.
fn general(e: &Bson) -> Bson {
    match e {
        Bson::Array(items) => Bson::Array(items.iter().map(|x| computed(general(x))).collect()),
        Bson::Document(d) => {
            let Some((k, arg)) = d.iter().next() else {
                return e.clone();
            };
            match (k.as_str(), arg) {
                ("$cond", Bson::Document(a)) => op(
                    "$cond",
                    Bson::Array(
                        ["if", "then", "else"]
                            .iter()
                            .map(|k| general(&a[*k]))
                            .collect(),
                    ),
                ),
                ("$switch", Bson::Document(a)) => {
                    let mut out = general(&a["default"]);
                    if let Some(Bson::Array(bs)) = a.get("branches") {
                        for b in bs.iter().rev() {
                            if let Bson::Document(b) = b {
                                out = op(
                                    "$cond",
                                    Bson::Array(vec![
                                        general(&b["case"]),
                                        general(&b["then"]),
                                        out,
                                    ]),
                                );
                            }
                        }
                    }
                    out
                }
                ("$let", Bson::Document(a)) => {
                    let Some(Bson::Document(vars)) = a.get("vars") else {
                        return e.clone();
                    };
                    let Some((name, v)) = vars.iter().next() else {
                        return e.clone();
                    };
                    // `[v]` turns a missing value into null, as `$let` binds it; the body's value travels in a
                    // document (`{v: ...}`, left empty when missing) and comes out through `$getField`.
                    let map = op(
                        "$map",
                        Bson::Document(doc! {
                            "input": [general(v)],
                            "as": name,
                            "in": {"v": computed(general(&a["in"]))},
                        }),
                    );
                    let first = op("$arrayElemAt", Bson::Array(vec![map, Bson::Int32(0)]));
                    op(
                        "$getField",
                        Bson::Document(doc! {"field": "v", "input": first}),
                    )
                }
                (k, Bson::Array(items)) if k.starts_with('$') => {
                    op(k, Bson::Array(items.iter().map(general).collect()))
                }
                _ => Bson::Document(
                    d.iter()
                        .map(|(k, v)| (k.clone(), computed(general(v))))
                        .collect(),
                ),
            }
        }
        other => other.clone(),
    }
}

fn eval(e: &Bson, d: &Document) -> Result<Option<Bson>, i32> {
    Expr::compile(e)
        .and_then(|c| c.eval(d, &Vars::new(bson::DateTime::from_millis(0))))
        .map_err(|e| e.code)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn compiled_shapes_equal_the_general_evaluation(
        e in expr(),
        f in prop_oneof![Just(None), Just(Some(Bson::Null)), (0i32..3).prop_map(|i| Some(Bson::Int32(i)))],
    ) {
        let mut d = doc! {"g": 1};
        if let Some(f) = f {
            d.insert("f", f);
        }
        let g = general(&e);
        prop_assert_eq!(eval(&e, &d), eval(&g, &d), "{} against {}", e, g);
    }
}
