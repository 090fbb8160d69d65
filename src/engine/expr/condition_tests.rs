//! Conditions answered as a bool (`condition.rs`) against the truthiness of the value the general path
//! computes (every value built, nothing lent): on the generated expressions of `slots_tests.rs` (every
//! operator, `$let` slots, variables, errors in branches) and on generated conditions (comparisons of
//! numbers of every type, strings, null and missing fields, the translator's NULL test, `$isNumber`,
//! `$isArray`, `$type` compared with a name, nested under `$and` / `$or` / `$not` / `$cond` / `$switch`), also as a `$match`'s `$expr`
//! and a `$filter`'s `cond`. Same verdict, or the same error code.

use super::slots_tests::{eval_general, expr};
use super::{truthy, Expr, Vars};
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn vars() -> Vars {
    let mut vars = Vars::new(bson::DateTime::from_millis(0));
    vars.push("ext", Bson::Document(doc! {"x": 7}));
    vars
}

/// The verdict of the fast path.
fn verdict(e: &Expr, d: &Document) -> Result<bool, i32> {
    e.eval_truthy(d, &vars()).map_err(|e| e.code)
}

/// The truthiness of the value the general path computes.
fn general_verdict(e: &Expr, d: &Document) -> Result<bool, i32> {
    eval_general(e, d).map(|v| truthy(v.as_ref()))
}

fn operand() -> impl Strategy<Value = Bson> {
    prop_oneof![
        Just(Bson::String("$i".into())),
        Just(Bson::String("$l".into())),
        Just(Bson::String("$f".into())),
        Just(Bson::String("$dec".into())),
        Just(Bson::String("$s".into())),
        Just(Bson::String("$n".into())),
        Just(Bson::String("$missing".into())),
        Just(Bson::String("$arr".into())),
        Just(Bson::String("$d.y".into())),
        (-2i32..3).prop_map(Bson::Int32),
        (-2i64..3).prop_map(Bson::Int64),
        prop_oneof![Just(0.5), Just(-0.0), Just(1.0), Just(f64::NAN)].prop_map(Bson::Double),
        Just(Bson::String("b".into())),
        Just(Bson::Null),
        Just(Bson::Boolean(true)),
        Just(Bson::Document(doc! {"$divide": [1, "$i"]})),
        Just(Bson::Document(
            doc! {"$let": {"vars": {"v": {"$add": ["$i", 1]}}, "in": "$$v"}}
        )),
    ]
}

fn op(name: &str, arg: Bson) -> Bson {
    let mut d = Document::new();
    d.insert(name, arg);
    Bson::Document(d)
}

fn condition() -> impl Strategy<Value = Bson> {
    let leaf = prop_oneof![
        (0usize..7, operand(), operand()).prop_map(|(i, a, b)| {
            op(
                ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$cmp"][i],
                Bson::Array(vec![a, b]),
            )
        }),
        (operand(), prop::bool::ANY).prop_map(|(a, eq)| {
            let test = op("$ifNull", Bson::Array(vec![a, Bson::Null]));
            op(
                if eq { "$eq" } else { "$ne" },
                Bson::Array(vec![test, Bson::Null]),
            )
        }),
        (0usize..2, operand()).prop_map(|(i, a)| op(["$isNumber", "$isArray"][i], a)),
        (0usize..3, operand(), 0usize..6).prop_map(|(i, a, t)| {
            let name = ["string", "missing", "object", "int", "double", "array"][t];
            op(
                ["$eq", "$ne", "$lt"][i],
                Bson::Array(vec![op("$type", a), Bson::String(name.into())]),
            )
        }),
        operand(),
    ];
    leaf.prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            (0usize..2, prop::collection::vec(inner.clone(), 0..4))
                .prop_map(|(i, v)| op(["$and", "$or"][i], Bson::Array(v))),
            inner.clone().prop_map(|a| op("$not", Bson::Array(vec![a]))),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, t, e)| op("$cond", Bson::Array(vec![c, t, e]))),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, t, e)| {
                op(
                    "$switch",
                    Bson::Document(doc! {"branches": [{"case": c, "then": t}], "default": e}),
                )
            }),
            (inner.clone(), operand()).prop_map(|(c, body)| {
                op(
                    "$let",
                    Bson::Document(doc! {"vars": {"c": c}, "in": {"$and": ["$$c", body]}}),
                )
            }),
        ]
    })
}

fn document() -> impl Strategy<Value = Document> {
    let value = prop_oneof![
        Just(None),
        Just(Some(Bson::Null)),
        (-2i32..3).prop_map(|i| Some(Bson::Int32(i))),
        (-2i64..3).prop_map(|i| Some(Bson::Int64(i))),
        prop_oneof![Just(0.5), Just(0.0), Just(2.0), Just(f64::NAN)]
            .prop_map(|f| Some(Bson::Double(f))),
        Just(Some(Bson::String("b".into()))),
        Just(Some(Bson::Array(vec![Bson::Int32(1)]))),
    ];
    let decimal = prop_oneof![Just("0"), Just("0.50"), Just("-1"), Just("2.5E+0")]
        .prop_map(|t| t.parse::<bson::Decimal128>().ok().map(Bson::Decimal128));
    (
        prop::collection::vec(value, 5),
        decimal,
        prop_oneof![
            Just(None),
            Just(Some(doc! {"y": 1})),
            Just(Some(doc! {"y": [1, 2]}))
        ],
    )
        .prop_map(|(vs, dec, d)| {
            let mut out = Document::new();
            for (name, v) in ["i", "l", "f", "s", "n"].iter().zip(vs) {
                if let Some(v) = v {
                    out.insert(*name, v);
                }
            }
            if let Some(dec) = dec {
                out.insert("dec", dec);
            }
            if let Some(d) = d {
                out.insert("d", d);
            }
            out.insert("arr", Bson::Array(vec![Bson::Int32(0), Bson::Null]));
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    /// Generated conditions: the bool answered directly is the truthiness of the value computed.
    #[test]
    fn a_condition_answered_as_a_bool_equals_the_truthiness_of_its_value(
        c in condition(),
        d in document(),
    ) {
        if let (Ok(fast), Ok(general)) = (Expr::compile(&c), Expr::compile_unresolved(&c)) {
            prop_assert_eq!(verdict(&fast, &d), general_verdict(&general, &d), "{}", c);
            // As a `$match`'s `$expr` (the matcher asks for the verdict only).
            let filter = doc! {"$expr": c.clone()};
            let m = crate::engine::matcher::Matcher::compile(&filter);
            if let Ok(m) = m {
                prop_assert_eq!(
                    m.matches(&d, &vars()).map_err(|e| e.code),
                    general_verdict(&general, &d),
                    "{}", c
                );
            }
        }
    }

    /// Every operator of `slots_tests.rs`'s generator, as a condition.
    #[test]
    fn any_expression_as_a_condition_equals_the_truthiness_of_its_value(e in expr()) {
        let d = doc! {"arr": [1, {"x": 2}, [3], [{"x": [4]}]], "f": 0, "d": {"x": 1, "y": {"z": [2, {"z": 3}]}}};
        if let (Ok(fast), Ok(general)) = (Expr::compile(&e), Expr::compile_unresolved(&e)) {
            prop_assert_eq!(verdict(&fast, &d), general_verdict(&general, &d), "{}", e);
        }
    }

    /// A `$filter`'s `cond` keeps the elements whose condition holds.
    #[test]
    fn a_filter_keeps_what_its_condition_keeps(c in condition(), d in document()) {
        let spec = doc! {"$filter": {"input": [1, 2], "as": "el", "cond": c.clone()}};
        let spec = Bson::Document(spec);
        if let (Ok(fast), Ok(general)) = (Expr::compile(&spec), Expr::compile_unresolved(&spec)) {
            prop_assert_eq!(
                fast.eval(&d, &vars()).map_err(|e| e.code),
                eval_general(&general, &d),
                "{}", c
            );
        }
    }
}
