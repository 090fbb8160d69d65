//! `$let` variables resolved to frame slots (with constants and aliases propagated and constant operators
//! folded) against the same expression with every variable looked up by name, on generated expressions
//! and documents: `$let`s of several bindings shadowing each other, bindings to constants, to other
//! variables and to documents read by path, `$map` / `$filter` / `$reduce` binding the same names inside
//! them, a variable of the command (`$lookup`'s `let`), undefined names, and operators that fail in a
//! branch not taken, constant tests of `$cond` / `$and` / `$or` and constants in `$in` lists. Same value,
//! or the same error code. And `$concat` with its constant strings read in
//! place against the same `$concat` with every argument computed.

use super::{Expr, Vars};
use bson::{doc, Bson, Document};
use proptest::prelude::*;

const NAMES: [&str; 4] = ["a", "b", "this", "value"];

fn leaf() -> impl Strategy<Value = Bson> {
    prop_oneof![
        (-2i32..3).prop_map(Bson::Int32),
        Just(Bson::Null),
        Just(Bson::String("s".into())),
        Just(Bson::String("$f".into())),
        Just(Bson::String("$arr".into())),
        Just(Bson::String("$arr.x".into())),
        Just(Bson::String("$d".into())),
        Just(Bson::String("$d.y".into())),
        Just(Bson::String("$d.y.z".into())),
        Just(Bson::String("$missing".into())),
        (0usize..4).prop_map(|i| Bson::String(format!("$${}", NAMES[i]))),
        (0usize..4).prop_map(|i| Bson::String(format!("$${}.x", NAMES[i]))),
        Just(Bson::String("$$ext".into())),
        Just(Bson::String("$$undefinedvar".into())),
        Just(Bson::Document(doc! {"$literal": {"x": 5}})),
        Just(Bson::Document(doc! {"$divide": [1, 0]})),
    ]
}

fn op(name: &str, arg: Bson) -> Bson {
    let mut d = Document::new();
    d.insert(name, arg);
    Bson::Document(d)
}

pub(super) fn expr() -> impl Strategy<Value = Bson> {
    leaf().prop_recursive(5, 60, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| op("$add", Bson::Array(v))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| op("$eq", Bson::Array(vec![a, b]))),
            // the translator's NULL test (`borrowed.rs` reads a slot's value in place for it)
            (inner.clone(), prop::bool::ANY).prop_map(|(a, eq)| {
                let test = op("$ifNull", Bson::Array(vec![a, Bson::Null]));
                op(
                    if eq { "$eq" } else { "$ne" },
                    Bson::Array(vec![test, Bson::Null]),
                )
            }),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| op("$ifNull", Bson::Array(vec![a, b]))),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, t, e)| op("$cond", Bson::Array(vec![c, t, e]))),
            inner.clone().prop_map(|a| op("$type", a)),
            // a JSON index step (`borrowed.rs` copies out the element alone, from a slot in place too)
            (
                inner.clone(),
                prop_oneof![inner.clone(), (-3i64..4).prop_map(Bson::Int64)]
            )
                .prop_map(|(a, i)| op("$arrayElemAt", Bson::Array(vec![a, i]))),
            (0usize..7, inner.clone(), inner.clone()).prop_map(|(i, a, b)| {
                let name = ["$gt", "$lte", "$cmp", "$ne", "$in", "$and", "$or"][i];
                op(name, Bson::Array(vec![a, b]))
            }),
            // the translator's integer test (`condition.rs` looks the type's name up in place)
            (
                inner.clone(),
                prop::sample::subsequence(vec!["int", "long", "missing", "null", "array"], 0..4)
            )
                .prop_map(|(a, names)| {
                    let names = names.into_iter().map(|n| Bson::String(n.into())).collect();
                    op("$in", Bson::Array(vec![op("$type", a), Bson::Array(names)]))
                }),
            // n-ary logic with constants among the arguments (folded where they decide or do not count)
            (prop::bool::ANY, prop::collection::vec(inner.clone(), 0..4))
                .prop_map(|(and, v)| op(if and { "$and" } else { "$or" }, Bson::Array(v))),
            (0usize..4, inner.clone()).prop_map(|(i, a)| {
                op(
                    ["$isArray", "$size", "$not", "$isNumber"][i],
                    Bson::Array(vec![a]),
                )
            }),
            (inner.clone(), inner.clone(), prop::bool::ANY).prop_map(|(f, input, named)| {
                if named {
                    op(
                        "$getField",
                        Bson::Document(doc! {"field": f, "input": input}),
                    )
                } else {
                    op("$getField", f)
                }
            }),
            (
                prop::sample::select(vec!["x", "y", "z", "f"]),
                inner.clone()
            )
                .prop_map(|(f, input)| {
                    op(
                        "$getField",
                        Bson::Document(doc! {"field": f, "input": input}),
                    )
                }),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, t, e)| {
                op(
                    "$switch",
                    Bson::Document(doc! {"branches": [{"case": c, "then": t}], "default": e}),
                )
            }),
            (
                prop::collection::vec((0usize..4, inner.clone()), 1..4),
                inner.clone()
            )
                .prop_map(|(vs, body)| {
                    let mut vars = Document::new();
                    for (i, v) in vs {
                        vars.insert(NAMES[i], v);
                    }
                    op("$let", Bson::Document(doc! {"vars": vars, "in": body}))
                }),
            (inner.clone(), 0usize..4, inner.clone()).prop_map(|(input, i, body)| {
                op(
                    "$map",
                    Bson::Document(doc! {"input": input, "as": NAMES[i], "in": body}),
                )
            }),
            (inner.clone(), inner.clone()).prop_map(|(input, cond)| {
                op(
                    "$filter",
                    Bson::Document(doc! {"input": input, "cond": cond}),
                )
            }),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(input, init, body)| {
                op(
                    "$reduce",
                    Bson::Document(doc! {"input": input, "initialValue": init, "in": body}),
                )
            }),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| Bson::Document(doc! {"x": x, "y": y})),
            prop::collection::vec(inner, 0..3).prop_map(Bson::Array),
        ]
    })
}

fn eval(e: &Expr, d: &Document) -> Result<Option<Bson>, i32> {
    let mut vars = Vars::new(bson::DateTime::from_millis(0));
    vars.push("ext", Bson::Document(doc! {"x": 7}));
    e.eval(d, &vars).map_err(|e| e.code)
}

/// [`eval`] with every value computed (no value lent: `borrowed.rs` switched off).
pub(super) fn eval_general(e: &Expr, d: &Document) -> Result<Option<Bson>, i32> {
    super::borrowed::GENERAL.with(|g| g.set(true));
    let out = eval(e, d);
    super::borrowed::GENERAL.with(|g| g.set(false));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]
    /// Also the values lent (`borrowed.rs`: operators reading their arguments where they are, variables
    /// bound to field paths read as the paths) against every value computed and every variable bound.
    #[test]
    fn slots_equal_variables_by_name(
        e in expr(),
        f in prop_oneof![Just(None), Just(Some(Bson::Null)), (0i32..3).prop_map(|i| Some(Bson::Int32(i)))],
        nested in prop_oneof![
            Just(None),
            Just(Some(Bson::Null)),
            Just(Some(Bson::Document(doc! {"x": 1, "y": {"z": [2, {"z": 3}]}}))),
            Just(Some(Bson::Document(doc! {"y": [{"z": 1}, {"w": 2}, [{"z": 4}]]}))),
            Just(Some(Bson::Array(vec![Bson::Document(doc! {"y": {"z": 5}}), Bson::Int32(1)]))),
            Just(Some(Bson::String("x".into()))),
        ],
    ) {
        let mut d = doc! {"arr": [1, {"x": 2}, [3], [{"x": [4]}]]};
        if let Some(f) = f {
            d.insert("f", f);
        }
        if let Some(n) = nested {
            d.insert("d", n);
        }
        let resolved = Expr::compile(&e);
        let general = Expr::compile_unresolved(&e);
        match (resolved, general) {
            (Ok(r), Ok(g)) => {
                let want = eval_general(&g, &d);
                prop_assert_eq!(eval(&r, &d), want.clone(), "{}", e);
                prop_assert_eq!(eval(&g, &d), want, "{}", e);
            }
            (r, g) => prop_assert_eq!(r.map(|_| ()).map_err(|e| e.code), g.map(|_| ()).map_err(|e| e.code)),
        }
    }
}

/// A value a `$let` computes (so it lives in a slot), of any shape `$getField` and `$type` meet.
fn slot_value() -> impl Strategy<Value = Bson> {
    let scalar = prop_oneof![
        Just(Bson::Null),
        (-2i32..3).prop_map(Bson::Int32),
        Just(Bson::String("x".into())),
        Just(Bson::Boolean(true)),
    ];
    scalar.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(
                (prop::sample::select(vec!["x", "y", "z"]), inner.clone()),
                0..3
            )
            .prop_map(|kv| {
                let mut d = Document::new();
                for (k, v) in kv {
                    d.insert(k, v);
                }
                Bson::Document(d)
            }),
            prop::collection::vec(inner, 0..3).prop_map(Bson::Array),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// `$getField` of a `$let` variable (and of a path into it), `$type`, `$isArray` and `$arrayElemAt` of
    /// it read the slot in place (`slots::peek`): the same value or error as the value copied out of the slot, with every value
    /// computed.
    #[test]
    fn a_slot_is_read_in_place_as_copied(
        v in slot_value(),
        field in prop_oneof![
            Just(Bson::String("x".into())),
            Just(Bson::String("y".into())),
            Just(Bson::String("w".into())),
            Just(Bson::Int32(1)),
            Just(Bson::String("$f".into())),
        ],
        path in prop::sample::select(vec!["$$a", "$$a.x", "$$a.y.z"]),
        kind in 0usize..4,
        index in prop_oneof![
            (-3i64..4).prop_map(Bson::Int64),
            Just(Bson::Null),
            Just(Bson::String("x".into())),
            Just(Bson::Double(1.5)),
            Just(Bson::String("$f".into())),
        ],
    ) {
        // `$ifNull` of a missing field: computed per document, so `a` is a slot, not a constant.
        let bound = Bson::Document(doc! {"$ifNull": ["$missing", {"$literal": v}]});
        let body = match kind {
            0 => doc! {"$getField": {"field": field, "input": path}},
            1 => doc! {"$type": path},
            2 => doc! {"$isArray": [path]},
            _ => doc! {"$arrayElemAt": [path, index]},
        };
        let e = Bson::Document(doc! {"$let": {"vars": {"a": bound}, "in": {"$getField": {
            "field": "r", "input": {"r": body, "t": {"$type": {"$getField": {"field": "x", "input": path}}}}
        }}}});
        let d = doc! {"f": "x"};
        let resolved = Expr::compile(&e);
        let general = Expr::compile_unresolved(&e);
        match (resolved, general) {
            (Ok(r), Ok(g)) => {
                prop_assert!(r.slots > 0, "{}", e);
                let want = eval_general(&g, &d);
                prop_assert_eq!(eval(&r, &d), want.clone(), "{}", e);
                prop_assert_eq!(eval_general(&r, &d), want, "{}", e);
            }
            (r, g) => prop_assert_eq!(r.map(|_| ()).map_err(|e| e.code), g.map(|_| ()).map_err(|e| e.code)),
        }
    }
}

#[test]
fn aliases_and_constants_leave_no_binding() {
    // The translator's chains: constants and unchanged values rebound level after level.
    let e = Expr::compile(&Bson::Document(doc! {"$let": {
        "vars": {"k": "theme", "n": 3, "d": {"$add": ["$f", 1]}},
        "in": {"$let": {"vars": {"k": "$$k", "d": "$$d", "m": {"$add": ["$$n", 1]}},
            "in": {"$concat": ["$$k", {"$toString": {"$add": ["$$d", "$$m"]}}]}}}
    }}))
    .unwrap();
    // One slot: `d`; `k`, `n`, `m` are constants, the inner `d` is the outer one.
    assert_eq!(e.slots, 1, "{e:?}");
    assert_eq!(
        eval(&e, &doc! {"f": 1}),
        Ok(Some(Bson::String("theme6".into())))
    );
}

#[test]
fn an_expression_evaluated_inside_another_gets_its_own_frame() {
    let outer = Expr::compile(&Bson::Document(
        doc! {"$let": {"vars": {"a": {"$add": ["$f", 1]}}, "in": {"$add": ["$$a", "$f"]}}},
    ))
    .unwrap();
    let inner = Expr::compile(&Bson::Document(
        doc! {"$let": {"vars": {"a": {"$add": ["$f", 10]}}, "in": "$$a"}},
    ))
    .unwrap();
    let vars = Vars::new(bson::DateTime::from_millis(0));
    let d = doc! {"f": 1};
    let _held = super::slots::FrameGuard::open(outer.slots);
    // A frame open (as while another expression runs) does not disturb the next one's slots.
    assert_eq!(inner.eval(&d, &vars).unwrap(), Some(Bson::Int32(11)));
    assert_eq!(outer.eval(&d, &vars).unwrap(), Some(Bson::Int32(3)));
}

fn concat_arg() -> impl Strategy<Value = Bson> {
    prop_oneof![
        Just(Bson::String(String::new())),
        Just(Bson::String(" year".into())),
        Just(Bson::String("é".into())),
        Just(Bson::Null),
        Just(Bson::Int32(1)),
        Just(Bson::String("$f".into())),
        Just(Bson::String("$s".into())),
        Just(Bson::String("$missing".into())),
        Just(Bson::Document(doc! {"$toString": "$s"})),
        Just(Bson::Document(doc! {"$divide": [1, 0]})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// `$concat` with constant strings read in place against every argument computed
    /// (`{$cond: [true, c, null]}` around each constant, evaluated unfolded).
    #[test]
    fn concat_of_constants_in_place_equals_every_argument_computed(
        args in prop::collection::vec(concat_arg(), 0..7),
        f in prop_oneof![Just(Bson::Int32(2)), Just(Bson::String("v".into())), Just(Bson::Null)],
    ) {
        let d = doc! {"f": f, "s": "t"};
        let e = Bson::Document(doc! {"$concat": args.clone()});
        let computed: Vec<Bson> = args
            .iter()
            .map(|a| match a {
                Bson::String(s) if !s.starts_with('$') => {
                    Bson::Document(doc! {"$cond": [true, a.clone(), Bson::Null]})
                }
                other => other.clone(),
            })
            .collect();
        let g = Bson::Document(doc! {"$concat": computed});
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let fast = Expr::compile(&e).and_then(|c| c.eval(&d, &vars)).map_err(|e| e.code);
        let general = Expr::compile_unresolved(&g).and_then(|c| c.eval(&d, &vars)).map_err(|e| e.code);
        prop_assert_eq!(fast, general, "{}", e);
    }
}

#[test]
fn a_variable_bound_to_a_path_of_another_reads_the_path() {
    let vars = Vars::new(bson::DateTime::from_millis(0));
    let d = doc! {"f": 1};
    for (e, want) in [
        // `b` is `a.x`, not an alias of `a`.
        (
            doc! {"$let": {"vars": {"a": {"x": {"$add": ["$f", 1]}}},
            "in": {"$let": {"vars": {"b": "$$a.x"}, "in": "$$b"}}}},
            Some(Bson::Int32(2)),
        ),
        // An alias of an alias, shadowed by `$map`'s `as` inside.
        (
            doc! {"$let": {"vars": {"a": {"$add": ["$f", 1]}},
            "in": {"$let": {"vars": {"b": "$$a"},
                "in": {"$map": {"input": [10], "as": "b", "in": {"$add": ["$$b", "$$a"]}}}}}}},
            Some(Bson::Array(vec![Bson::Int32(12)])),
        ),
        // A constant document read by path; a missing path binds null.
        (
            doc! {"$let": {"vars": {"c": {"$literal": {"y": 3}}},
            "in": {"$let": {"vars": {"m": "$$c.z"}, "in": {"$type": "$$m"}}}}},
            Some(Bson::String("null".into())),
        ),
    ] {
        let e = Bson::Document(e);
        let resolved = Expr::compile(&e).unwrap().eval(&d, &vars).unwrap();
        let general = Expr::compile_unresolved(&e)
            .unwrap()
            .eval(&d, &vars)
            .unwrap();
        assert_eq!(resolved, want, "{e}");
        assert_eq!(general, want, "{e}");
    }
}

fn tested_value() -> impl Strategy<Value = Bson> {
    let scalar = prop_oneof![
        Just(Bson::Null),
        Just(Bson::Undefined),
        (-2i32..3).prop_map(Bson::Int32),
        Just(Bson::String("s".into())),
    ];
    scalar.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Bson::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec!["x", "y"]).prop_map(String::from),
                    inner
                ),
                0..3
            )
            .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// The NULL test `{$eq: [{$ifNull: ["$$a.path", null]}, null]}` (and `$ne`) of a variable held in a
    /// slot, read in place (`slots::nullish`), against the value computed: null, undefined, missing,
    /// documents and arrays on the path.
    #[test]
    fn null_test_of_a_slot_equals_the_value_computed(
        v in tested_value(),
        path in prop::sample::select(vec!["", ".x", ".x.y", ".y"]),
        eq in prop::bool::ANY,
    ) {
        // `$ifNull` of a missing field: computed per document, so `a` lives in a slot (not a constant).
        let e = Bson::Document(doc! {"$let": {
            "vars": {"a": {"$ifNull": ["$missing", {"$literal": v.clone()}]}},
            "in": {(if eq { "$eq" } else { "$ne" }): [{"$ifNull": [format!("$$a{path}"), null]}, null]},
        }});
        let resolved = Expr::compile(&e).map_err(|e| e.code);
        prop_assert!(resolved.as_ref().is_ok_and(|r| r.slots == 1), "{}", e);
        let d = doc! {};
        let got = resolved.and_then(|r| eval(&r, &d));
        let want = Expr::compile_unresolved(&e).map_err(|e| e.code).and_then(|g| eval_general(&g, &d));
        prop_assert_eq!(got, want, "{}", e);
    }
}

/// A `$map` over `$objectToArray` (`jsonb_object_keys`' shape) with bodies that read only `$$this.k` (the
/// keys-only input of `arrays.rs`) and bodies that read more (the general path), on generated inputs.
fn object_keys_map() -> impl Strategy<Value = Bson> {
    let input = prop_oneof![
        Just(Bson::String("$d".into())),
        Just(Bson::String("$d.y".into())),
        Just(Bson::String("$f".into())),
        Just(Bson::String("$arr".into())),
        Just(Bson::String("$missing".into())),
        Just(Bson::Null),
        Just(Bson::Document(
            doc! {"$literal": {"k": 1, "v": [2], "x": null}}
        )),
    ];
    let body = prop::sample::select(vec![
        "$$this.k",
        "$$this.k.x",
        "$$this",
        "$$this.v",
        "$$this.x",
        "$$a.k",
        "$$a",
    ])
    .prop_map(|s| Bson::String(s.into()));
    let body = prop_oneof![
        body.clone(),
        body.clone()
            .prop_map(|b| Bson::Document(doc! {"l": {"$strLenBytes": b.clone()}, "k": b})),
        body.clone().prop_map(|b| op("$type", b)),
        // an inner `$map` rebinding `this` (its own `$$this.v` is not the outer variable's)
        body.prop_map(|b| op(
            "$map",
            Bson::Document(doc! {"input": ["$$this.k", "$$this.k"], "in": b})
        )),
        Just(op(
            "$let",
            Bson::Document(doc! {"vars": {"this": 1}, "in": "$$this"})
        )),
    ];
    (
        input,
        body,
        prop::sample::select(vec![None, Some("this"), Some("a")]),
    )
        .prop_map(|(input, body, as_)| {
            let mut m = doc! {"input": op("$objectToArray", input), "in": body};
            if let Some(a) = as_ {
                m.insert("as", a);
            }
            op("$map", Bson::Document(m))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// `$map` over `$objectToArray` whose body reads only `$$this.k` (the `{k}` documents, values never
    /// copied) and `$objectToArray` of a value read in place, against every value computed: documents of
    /// `k` / `v` / other fields, nested documents and arrays, null, missing, scalars (the 40390 error).
    #[test]
    fn object_keys_map_equals_the_general_path(
        e in object_keys_map(),
        d in tested_value(),
        f in tested_value(),
    ) {
        let doc_ = doc! {"d": {"y": d.clone(), "k": f.clone(), "v": d}, "f": f, "arr": [1, {"k": 2}]};
        let compiled = Expr::compile(&e).map_err(|e| e.code);
        let got = compiled.clone().and_then(|c| eval(&c, &doc_));
        let want = compiled.and_then(|c| eval_general(&c, &doc_));
        prop_assert_eq!(got, want, "{}", e);
    }
}
