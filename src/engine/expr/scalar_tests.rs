//! `scalar.rs` (arithmetic on small values) against the general path (`Node::eval` without lending: every
//! operator's arguments evaluated into `Bson`s and handed to its family) on generated arithmetic trees:
//! ints, longs and doubles at the edges of their ranges (overflow, NaN, infinities, -0.0, halves), dates,
//! null, missing, undefined, decimals, strings and documents as leaves, read as constants, fields, `$let`
//! slots, `$$NOW` and `$cond` branches; zero divisors and out-of-range conversions that fail. Same value
//! (type and bits) or the same error (code and message).

use super::{Expr, Vars};
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn number() -> impl Strategy<Value = Bson> {
    prop_oneof![
        (-3i32..4).prop_map(Bson::Int32),
        prop::sample::select(vec![i32::MAX, i32::MIN, 86_400_000, -1]).prop_map(Bson::Int32),
        (-5i64..6).prop_map(Bson::Int64),
        prop::sample::select(vec![
            i64::MAX,
            i64::MIN,
            86_400_000_000,
            3_600_000_000,
            1_700_000_000_000,
            i32::MAX as i64 + 1
        ])
        .prop_map(Bson::Int64),
        (-1e6f64..1e6).prop_map(Bson::Double),
        (-20i32..20).prop_map(|i| Bson::Double(i as f64 / 2.0)),
        prop::sample::select(vec![
            0.0,
            -0.0,
            0.5,
            -2.5,
            1e300,
            -1e300,
            9.3e18,
            -9.3e18,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            2147483647.9,
            2147483648.0,
        ])
        .prop_map(Bson::Double),
    ]
}

/// A value of the generated row's fields `f0` .. `f3`.
fn stored() -> impl Strategy<Value = Bson> {
    prop_oneof![
        6 => number(),
        3 => (0i64..3_000_000_000_000).prop_map(|ms| Bson::DateTime(bson::DateTime::from_millis(ms))),
        1 => Just(Bson::Null),
        1 => Just(Bson::Undefined),
        1 => Just(Bson::String("x".into())),
        1 => Just(Bson::Decimal128("2.25".parse().unwrap_or(bson::Decimal128::from_bytes([0; 16])))),
    ]
}

fn leaf() -> impl Strategy<Value = Bson> {
    prop_oneof![
        8 => prop::sample::select(vec!["$f0", "$f1", "$f2", "$f3"]).prop_map(|s| Bson::String(s.into())),
        2 => number(),
        1 => (0i64..3_000_000_000_000).prop_map(|ms| Bson::DateTime(bson::DateTime::from_millis(ms))),
        1 => Just(Bson::Null),
        1 => prop::sample::select(vec![
            "$i", "$l", "$d", "$t", "$u", "$n", "$s", "$dec", "$doc", "$doc.i", "$arr", "$missing",
            "$$a", "$$b", "$$NOW", "s"
        ])
        .prop_map(|s| Bson::String(s.into())),
        1 => Just(Bson::Decimal128("1.5".parse().unwrap_or(bson::Decimal128::from_bytes([0; 16])))),
        1 => Just(Bson::Document(doc! {"$literal": {"x": 1}})),
    ]
}

fn op(name: &str, args: Vec<Bson>) -> Bson {
    let mut d = Document::new();
    d.insert(name, Bson::Array(args));
    Bson::Document(d)
}

fn tree() -> impl Strategy<Value = Bson> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            (
                prop::sample::select(vec!["$add", "$multiply"]),
                prop::collection::vec(inner.clone(), 0..4)
            )
                .prop_map(|(n, a)| op(n, a)),
            (
                prop::sample::select(vec!["$subtract", "$divide", "$mod"]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(n, a, b)| op(n, vec![a, b])),
            (
                prop::sample::select(vec!["$round", "$trunc"]),
                inner.clone(),
                prop::option::of(prop_oneof![
                    (-22i64..4).prop_map(Bson::Int64),
                    Just(Bson::Null),
                    Just(Bson::Double(1.5)),
                    Just(Bson::Int32(101)),
                    inner.clone()
                ])
            )
                .prop_map(|(n, a, p)| op(n, std::iter::once(a).chain(p).collect())),
            (
                prop::sample::select(vec!["$toInt", "$toLong", "$toDouble"]),
                inner.clone()
            )
                .prop_map(|(n, a)| op(n, vec![a])),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, t, e)| op("$cond", vec![c, t, e])),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| op("$ifNull", vec![a, b])),
            inner.clone().prop_map(|a| op("$abs", vec![a])),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(x, y, body)| {
                Bson::Document(doc! {"$let": {"vars": {"a": x, "b": y}, "in": body}})
            }),
        ]
    })
}

fn row() -> Document {
    doc! {
        "i": 7, "l": 86_400_000_123i64, "d": 2.5, "t": bson::DateTime::from_millis(1_700_000_000_000),
        "u": Bson::Undefined, "n": Bson::Null, "s": "x",
        "dec": Bson::Decimal128("2.25".parse().unwrap_or(bson::Decimal128::from_bytes([0; 16]))),
        "doc": {"i": 3}, "arr": [1, 2],
    }
}

/// The value's type and bits, or the error's code and message.
fn outcome(e: &Expr, d: &Document) -> Result<String, (i32, String)> {
    let mut vars = Vars::new(bson::DateTime::from_millis(1_600_000_000_000));
    vars.push("a", Bson::Int32(-4));
    vars.push("b", Bson::Double(0.25));
    e.eval(d, &vars)
        .map(|v| format!("{v:?}"))
        .map_err(|e| (e.code, e.errmsg.clone()))
}

fn general(e: &Expr, d: &Document) -> Result<String, (i32, String)> {
    super::borrowed::GENERAL.with(|g| g.set(true));
    let r = outcome(e, d);
    super::borrowed::GENERAL.with(|g| g.set(false));
    r
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8000))]
    /// The small-value arithmetic gives what the general path gives, value or error.
    #[test]
    fn small_arithmetic_equals_the_general_path(
        t in tree(),
        fields in prop::collection::vec(stored(), 4)
    ) {
        let mut d = row();
        for (i, v) in fields.into_iter().enumerate() {
            d.insert(format!("f{i}"), v);
        }
        let Ok(e) = Expr::compile(&t) else { return Ok(()); };
        prop_assert_eq!(outcome(&e, &d), general(&e, &d), "{}", t);
    }
}

/// The translator's interval arithmetic (`expires_at - created_at`, an interval times a count): the
/// values the plans compute, exactly.
#[test]
fn interval_plans_compute_as_the_general_path() {
    let plans = [
        doc! {"$multiply": [{"$subtract": ["$t", {"$toDate": "$t"}]}, 1000]},
        doc! {"$toInt": {"$trunc": [{"$divide": [{"$multiply": [{"$subtract": ["$t", "$$NOW"]}, 1000]}, 86_400_000_000i64]}]}},
        doc! {"$mod": [{"$multiply": [{"$subtract": ["$t", "$$NOW"]}, 1000]}, 86_400_000_000i64]},
        doc! {"$toLong": {"$round": [{"$multiply": [3_600_000_000i64, {"$toDouble": "$i"}]}, 0]}},
        doc! {"$subtract": ["$t", {"$multiply": ["$l", 2]}]},
        doc! {"$add": ["$i", "$l", "$d"]},
        doc! {"$toInt": "$l"},
        doc! {"$divide": ["$i", 0]},
        doc! {"$mod": ["$d", 0]},
        doc! {"$subtract": ["$i", "$t"]},
        doc! {"$round": ["$d", "$s"]},
        doc! {"$toInt": "$t"},
    ];
    let d = row();
    for p in plans {
        let e = Expr::compile(&Bson::Document(p.clone())).expect("compiles");
        assert_eq!(outcome(&e, &d), general(&e, &d), "{p}");
    }
    // The small path answers (not the family): a date difference is a long.
    let e = Expr::compile(&Bson::Document(doc! {"$subtract": ["$t", "$$NOW"]})).expect("compiles");
    assert_eq!(outcome(&e, &d), Ok("Some(Int64(100000000000))".to_string()));
}
