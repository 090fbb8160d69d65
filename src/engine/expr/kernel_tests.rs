//! `kernel.rs` (arithmetic trees as register code) against the general path (`Node::eval` without lending,
//! where no kernel runs) on generated trees of everything the code compiles — arithmetic, `$abs`, `$cond`,
//! `$ifNull`, comparisons, `$and` / `$or` / `$not`, `$let` (nested, shadowing, bound to computed values),
//! literal documents as the value — over leaves of every kind the code reads or bails on: ints, longs and
//! doubles at their edges, dates, booleans, null, missing, undefined, decimals, strings, documents,
//! arrays, `$$NOW`, variables bound by the command. Same value (type and bits) or the same error.

use super::{Expr, Node, Vars};
use bson::{doc, Bson, Document};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

fn number() -> impl Strategy<Value = Bson> {
    prop_oneof![
        (-3i32..4).prop_map(Bson::Int32),
        prop::sample::select(vec![i32::MAX, i32::MIN, 86_400_000]).prop_map(Bson::Int32),
        (-5i64..6).prop_map(Bson::Int64),
        prop::sample::select(vec![i64::MAX, i64::MIN, 86_400_000_000, 1_700_000_000_000])
            .prop_map(Bson::Int64),
        (-20i32..20).prop_map(|i| Bson::Double(i as f64 / 2.0)),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1e300,
            9.3e18,
            f64::NAN,
            f64::INFINITY,
            2147483648.0
        ])
        .prop_map(Bson::Double),
    ]
}

fn decimal() -> Bson {
    Bson::Decimal128(
        "2.25"
            .parse()
            .unwrap_or(bson::Decimal128::from_bytes([0; 16])),
    )
}

/// A value of the generated row's fields `f0` .. `f3`.
fn stored() -> impl Strategy<Value = Bson> {
    prop_oneof![
        6 => number(),
        3 => (0i64..3_000_000_000_000).prop_map(|ms| Bson::DateTime(bson::DateTime::from_millis(ms))),
        1 => prop::sample::select(vec![-62_167_219_200_001i64, -1, 951_782_400_000, 8_210_266_876_799_999, i64::MAX, i64::MIN])
            .prop_map(|ms| Bson::DateTime(bson::DateTime::from_millis(ms))),
        1 => any::<bool>().prop_map(Bson::Boolean),
        1 => Just(Bson::Null),
        1 => Just(Bson::Undefined),
        1 => Just(Bson::String("x".into())),
        1 => Just(decimal()),
        1 => Just(Bson::Array(vec![Bson::Int32(1)])),
    ]
}

fn leaf() -> impl Strategy<Value = Bson> {
    prop_oneof![
        8 => prop::sample::select(vec!["$f0", "$f1", "$f2", "$f3"]).prop_map(|s| Bson::String(s.into())),
        2 => number(),
        1 => any::<bool>().prop_map(Bson::Boolean),
        1 => Just(Bson::Null),
        1 => prop::sample::select(vec![
            "$i", "$t", "$u", "$n", "$s", "$dec", "$dz", "$doc", "$doc.i", "$arr", "$arr.i", "$missing",
            "$$a", "$$b", "$$c", "$$y", "$$z", "$$NOW", "$$REMOVE", "$$CURRENT.i", "s"
        ])
        .prop_map(|s| Bson::String(s.into())),
        1 => Just(decimal()),
    ]
}

fn op(name: &str, args: Vec<Bson>) -> Bson {
    let mut d = Document::new();
    d.insert(name, Bson::Array(args));
    Bson::Document(d)
}

fn tree() -> impl Strategy<Value = Bson> {
    leaf().prop_recursive(6, 64, 4, |inner| {
        prop_oneof![
            1 => (
                prop::sample::select(vec!["$add", "$multiply"]),
                prop::collection::vec(inner.clone(), 0..6)
            )
                .prop_map(|(n, a)| op(n, a)),
            3 => (
                prop::sample::select(vec!["$subtract", "$divide", "$mod"]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(n, a, b)| op(n, vec![a, b])),
            1 => (
                prop::sample::select(vec!["$round", "$trunc"]),
                inner.clone(),
                prop::option::of(prop_oneof![
                    (-3i64..3).prop_map(Bson::Int64),
                    Just(Bson::Null),
                    inner.clone()
                ])
            )
                .prop_map(|(n, a, p)| op(n, std::iter::once(a).chain(p).collect())),
            1 => (
                prop::sample::select(vec!["$toInt", "$toLong", "$toDouble", "$abs"]),
                inner.clone()
            )
                .prop_map(|(n, a)| op(n, vec![a])),
            2 => (
                prop::sample::select(vec!["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(n, a, b)| op(n, vec![a, b])),
            1 => (
                prop::sample::select(vec!["$and", "$or"]),
                prop::collection::vec(inner.clone(), 0..4)
            )
                .prop_map(|(n, a)| op(n, a)),
            1 => inner.clone().prop_map(|a| op("$not", vec![a])),
            2 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, t, e)| op("$cond", vec![c, t, e])),
            1 => (prop::collection::vec(inner.clone(), 2..4)).prop_map(|a| op("$ifNull", a)),
            2 => (
                prop::sample::select(vec!["a", "b", "z"]),
                inner.clone(),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(name, x, y, body)| {
                    let mut vars = Document::new();
                    vars.insert(name, x);
                    vars.insert("y", y);
                    Bson::Document(doc! {"$let": {"vars": vars, "in": body}})
                }),
            1 => (inner.clone(), inner.clone())
                .prop_map(|(x, body)| Bson::Document(doc! {"$let": {"vars": {"y": x}, "in": {"$add": [body, "$$y"]}}})),
            // Operators the code has the general path evaluate (reading `$let` variables of the code).
            1 => (
                prop::sample::select(vec![
                    "$year", "$month", "$dayOfMonth", "$hour", "$minute", "$second", "$millisecond",
                    "$dayOfWeek", "$dayOfYear", "$week", "$isoWeek", "$isoWeekYear", "$isoDayOfWeek",
                    "$toBool"
                ]),
                inner.clone()
            )
                .prop_map(|(n, a)| Bson::Document(doc! {n: a})),
            1 => (inner.clone(), unit())
                .prop_map(|(a, u)| Bson::Document(doc! {"$dateTrunc": {"date": a, "unit": u}})),
            1 => (inner.clone(), inner.clone(), unit())
                .prop_map(|(a, b, u)| Bson::Document(doc! {"$dateDiff": {"startDate": a, "endDate": b, "unit": u}})),
            1 => (inner.clone(), prop_oneof![inner.clone(), number()], unit(), any::<bool>())
                .prop_map(|(a, n, u, sub)| {
                    let name = if sub { "$dateSubtract" } else { "$dateAdd" };
                    Bson::Document(doc! {name: {"startDate": a, "unit": u, "amount": n}})
                }),
            1 => (prop::collection::vec(number(), 1..4), inner.clone())
                .prop_map(|(items, i)| op("$arrayElemAt", vec![Bson::Array(items), i])),
            1 => (prop::sample::select(vec!["$max", "$min"]), prop::collection::vec(inner.clone(), 1..3))
                .prop_map(|(n, a)| op(n, a)),
            1 => inner.clone().prop_map(|a| Bson::Document(doc! {"$dateTrunc": {"date": a, "unit": "day"}})),
            1 => (inner.clone(), inner.clone())
                .prop_map(|(a, i)| op("$arrayElemAt", vec![Bson::Array(vec![Bson::Int32(31), a, Bson::Int32(30)]), i])),
            1 => inner.clone().prop_map(|a| op("$toString", vec![a])),
            1 => (inner.clone(), prop::sample::select(vec!["$year", "$hour", "$toBool"]))
                .prop_map(|(x, call)| Bson::Document(doc! {"$let": {
                    "vars": {"a": x},
                    "in": {"$add": [{call: "$$a"}, {"$max": ["$$a", 1]}]}
                }})),
            // An interval-like document as the value (or inside, where the code does not build it).
            1 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(m, d, u)| Bson::Document(doc! {"months": m, "days": d, "micros": u})),
        ]
    })
}

/// A unit of the date operators (a few the code leaves to the general path: week, a bad name).
fn unit() -> impl Strategy<Value = Bson> {
    prop::sample::select(vec![
        "year",
        "quarter",
        "month",
        "week",
        "day",
        "hour",
        "minute",
        "second",
        "millisecond",
        "eon",
    ])
    .prop_map(|u| Bson::String(u.into()))
}

fn row() -> Document {
    doc! {
        "i": 7, "t": bson::DateTime::from_millis(1_700_000_000_000), "u": Bson::Undefined,
        "n": Bson::Null, "s": "x", "dec": decimal(),
        "dz": Bson::Decimal128("0".parse().unwrap_or(bson::Decimal128::from_bytes([0; 16]))), "doc": {"i": 3}, "arr": [{"i": 1}, {"i": 2}],
    }
}

/// The value's type and bits, or the error's code and message.
fn outcome(e: &Expr, d: &Document) -> Result<String, (i32, String)> {
    let mut vars = Vars::new(bson::DateTime::from_millis(1_600_000_000_000));
    vars.push("a", Bson::Int32(-4));
    vars.push("b", Bson::Double(0.25));
    vars.push("c", Bson::Boolean(true));
    e.eval(d, &vars)
        .map(|v| format!("{v:?}"))
        .map_err(|e| (e.code, e.errmsg.clone()))
}

/// [`outcome`] as a condition (`Expr::eval_truthy`).
fn truth(e: &Expr, d: &Document) -> Result<bool, (i32, String)> {
    let vars = Vars::new(bson::DateTime::from_millis(1_600_000_000_000));
    e.eval_truthy(d, &vars)
        .map_err(|e| (e.code, e.errmsg.clone()))
}

fn general<T>(f: impl FnOnce() -> T) -> T {
    super::borrowed::GENERAL.with(|g| g.set(true));
    let r = f();
    super::borrowed::GENERAL.with(|g| g.set(false));
    r
}

/// Whether a compiled tree holds a kernel anywhere (one that calls the general path, `with_call`).
fn has_kernel(n: &Node, with_call: bool) -> bool {
    match n {
        Node::Kernel(k) => !with_call || k.calls() > 0,
        Node::Op(_, args) | Node::Arr(args) => args.iter().any(|n| has_kernel(n, with_call)),
        Node::Doc(fields) => fields.iter().any(|(_, n)| has_kernel(n, with_call)),
        Node::SlotLet(l) => {
            l.vars.iter().any(|(_, n)| has_kernel(n, with_call)) || has_kernel(&l.body, with_call)
        }
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6000))]
    /// The register code gives what the general path gives, value or error, as a value and as a
    /// condition; evaluated twice (the second run after the first's counts).
    #[test]
    fn kernel_equals_the_general_path(
        t in tree(),
        fields in prop::collection::vec(stored(), 4)
    ) {
        let mut d = row();
        for (i, v) in fields.into_iter().enumerate() {
            d.insert(format!("f{i}"), v);
        }
        let Ok(e) = Expr::compile(&t) else { return Ok(()); };
        let want = general(|| outcome(&e, &d));
        prop_assert_eq!(&outcome(&e, &d), &want, "{}", t);
        prop_assert_eq!(&outcome(&e, &d), &want, "{}", t);
        prop_assert_eq!(truth(&e, &d), general(|| truth(&e, &d)), "{}", t);
    }
}

/// The generated trees do reach the code: most of them hold a kernel (else the property above would
/// test the general path against itself).
#[test]
fn generated_trees_hold_kernels() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut with, mut calling, mut total) = (0, 0, 0);
    for _ in 0..1000 {
        let Ok(t) = tree().new_tree(&mut runner) else {
            continue;
        };
        if let Ok(e) = Expr::compile(&t.current()) {
            total += 1;
            with += usize::from(has_kernel(&e.node, false));
            calling += usize::from(has_kernel(&e.node, true));
        }
    }
    assert!(with * 8 >= total, "{with} of {total} trees hold a kernel");
    assert!(
        calling * 40 >= total,
        "{calling} of {total} trees hold a kernel that calls"
    );
}

/// The translator's interval arithmetic (`(expires_at - created_at) / 3`, then the interval document)
/// is one kernel, answered by the code (not the general path), and gives the general path's value.
#[test]
fn interval_plan_is_one_kernel_answered_by_the_code() {
    let micros = doc! {"$toLong": {"$round": [{"$add": [
        {"$divide": ["$$su", "$$fa"]},
        {"$multiply": [{"$subtract": ["$$dp", {"$trunc": ["$$dp"]}]}, 86_400_000_000.0]}
    ]}, 0]}};
    let interval = doc! {"months": 0, "days": {"$toInt": {"$trunc": ["$$dp"]}}, "micros": micros};
    let inner = doc! {"$let": {"vars": {"dp": {"$divide": ["$$sd", "$$fa"]}}, "in": interval}};
    let parts = doc! {"$let": {
        "vars": {
            "sd": {"$toInt": {"$trunc": [{"$divide": ["$$us", 86_400_000_000i64]}]}},
            "su": {"$mod": ["$$us", 86_400_000_000i64]},
            "fa": {"$toDouble": 3}
        },
        "in": inner
    }};
    let plan = doc! {"$let": {
        "vars": {"us": {"$multiply": [{"$subtract": ["$e", "$c"]}, 1000]}},
        "in": {"$cond": [{"$eq": [{"$ifNull": ["$$us", null]}, null]}, null, parts]}
    }};
    let e = Expr::compile(&Bson::Document(plan)).expect("compiles");
    let Node::Kernel(k) = &e.node else {
        panic!("not a kernel: {:?}", e.node);
    };
    let rows = [
        doc! {"e": bson::DateTime::from_millis(1_700_000_000_000), "c": bson::DateTime::from_millis(1_690_000_000_123)},
        doc! {"e": bson::DateTime::from_millis(1_700_000_000_000)},
        doc! {"e": bson::DateTime::from_millis(0), "c": bson::DateTime::from_millis(86_400_000 * 40 + 7)},
    ];
    for d in &rows {
        assert_eq!(outcome(&e, d), general(|| outcome(&e, d)), "{d}");
    }
    assert_eq!(k.counts(), (3, 0), "answered, bailed");
    let got = outcome(&e, &rows[0]);
    assert_eq!(
        got,
        Ok("Some(Document({\"months\": Int32(0), \"days\": Int32(38), \"micros\": Int64(50133292333)}))".to_string())
    );
}

/// A column whose values the code cannot read (decimals) bails to the general path, value for value,
/// and after enough bails the code is no longer tried; a column of numbers keeps it.
#[test]
fn bails_give_the_general_value_and_stop_the_tries() {
    let plan = doc! {"$add": [{"$multiply": ["$x", 2]}, {"$divide": ["$x", 4]}]};
    let e = Expr::compile(&Bson::Document(plan)).expect("compiles");
    let Node::Kernel(k) = &e.node else {
        panic!("not a kernel");
    };
    for i in 0..100 {
        let d = doc! {"x": Bson::Decimal128(format!("{i}.5").parse().expect("decimal"))};
        assert_eq!(outcome(&e, &d), general(|| outcome(&e, &d)));
    }
    let (answered, bailed) = k.counts();
    assert_eq!(answered, 0);
    assert!(
        (32..100).contains(&bailed),
        "{bailed} bails: the tries stop"
    );
    // Numbers again: still right (by the general path now).
    let d = doc! {"x": 3};
    assert_eq!(outcome(&e, &d), Ok("Some(Double(6.75))".to_string()));
}

/// Constants share a register only when they are the same value of the same type: `0.0` and `-0.0`,
/// `1` and `1` as a long, stay apart.
#[test]
fn constants_keep_their_type_and_sign() {
    let plans = [
        (
            doc! {"$cond": ["$b", {"$multiply": ["$x", 0.0]}, {"$multiply": ["$x", -0.0]}]},
            "Some(Double(-0.0))",
        ),
        (
            doc! {"$cond": ["$b", {"$add": ["$x", 1]}, {"$add": ["$x", 1i64]}]},
            "Some(Int64(2))",
        ),
    ];
    for (plan, want) in plans {
        let e = Expr::compile(&Bson::Document(plan.clone())).expect("compiles");
        assert!(matches!(e.node, Node::Kernel(_)), "{plan}");
        let d = doc! {"b": false, "x": 1};
        assert_eq!(outcome(&e, &d), Ok(want.to_string()), "{plan}");
        assert_eq!(outcome(&e, &d), general(|| outcome(&e, &d)), "{plan}");
    }
}

/// A `$let` variable of the code read by an operator the general path evaluates (a date part of a computed
/// date, as `age()` reads them) is the variable's value.
#[test]
fn calls_read_the_variables_of_the_code() {
    let plan = doc! {"$let": {
        "vars": {"d": {"$subtract": ["$t", 1000]}, "n": {"$multiply": ["$i", 2]}},
        "in": {"$add": [{"$week": "$$d"}, {"$max": ["$$n", 3]}, {"$cond": [{"$toBool": "$$n"}, 1, 0]}]}
    }};
    let e = Expr::compile(&Bson::Document(plan.clone())).expect("compiles");
    let Node::Kernel(k) = &e.node else {
        panic!("not a kernel: {:?}", e.node);
    };
    assert_eq!(k.calls(), 2);
    let d = row();
    assert_eq!(outcome(&e, &d), Ok("Some(Int32(61))".to_string()));
    assert_eq!(outcome(&e, &d), general(|| outcome(&e, &d)));
    assert_eq!(k.counts(), (2, 0), "answered, bailed");
}

/// The date operators the code computes, on dates before 1970, at the ends of months and leap days and
/// past chrono's range, in every unit: the general path's values and errors.
#[test]
fn date_operators_on_edge_dates() {
    let dates = [
        -1i64,
        -86_400_001,
        -62_167_219_200_001,
        951_782_400_000,
        949_276_800_000,
        1_700_000_000_123,
        8_210_266_876_799_999,
        i64::MAX,
    ];
    let units = [
        "year",
        "quarter",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "millisecond",
    ];
    for (i, a) in dates.iter().enumerate() {
        let b = dates[(i + 3) % dates.len()];
        let d = doc! {
            "a": bson::DateTime::from_millis(*a), "b": bson::DateTime::from_millis(b), "k": 2, "m": -13,
        };
        let mut plans = Vec::new();
        for u in units {
            // Each inside arithmetic, so it is compiled.
            plans.push(
                doc! {"$add": [{"$toLong": {"$dateTrunc": {"date": "$a", "unit": u}}}, 0, 1]},
            );
            plans.push(doc! {"$add": [{"$dateDiff": {"startDate": "$a", "endDate": "$b", "unit": u}}, 0, 1]});
            plans.push(doc! {"$add": [{"$toLong": {"$dateAdd": {"startDate": "$a", "unit": u, "amount": "$m"}}}, 0, 1]});
            plans.push(doc! {"$add": [{"$toLong": {"$dateAdd": {"startDate": "$a", "unit": u, "amount": "$k"}}}, 0, 1]});
        }
        for p in [
            "$year",
            "$month",
            "$dayOfMonth",
            "$dayOfWeek",
            "$dayOfYear",
            "$isoWeek",
            "$isoWeekYear",
            "$millisecond",
        ] {
            plans.push(doc! {"$add": [{p: "$a"}, 0, 1]});
        }
        for p in plans {
            let e = Expr::compile(&Bson::Document(p.clone())).expect("compiles");
            assert!(matches!(e.node, Node::Kernel(_)), "{p}");
            assert_eq!(outcome(&e, &d), general(|| outcome(&e, &d)), "{p} {d}");
        }
    }
}

/// Values that are not small (a document, a string) pass through the code where it only reads, chooses,
/// compares or returns them: the translator's interval extreme `{s: span, v: interval}` over an interval
/// document is answered by the code, and so is a string chosen by `$ifNull` and compared.
#[test]
fn lent_values_are_answered_by_the_code() {
    let span = doc! {"$add": [
        {"$multiply": ["$iv.months", 2_592_000_000_000i64]},
        {"$multiply": ["$iv.days", 86_400_000_000i64]},
        "$iv.micros"
    ]};
    let plans = [
        doc! {"$cond": [{"$ne": [{"$ifNull": ["$iv", null]}, null]}, {"s": span, "v": {"$ifNull": ["$iv", null]}}, null]},
        doc! {"$cond": [{"$gt": [{"$ifNull": ["$name", "$other"]}, "m"]}, {"$ifNull": ["$name", "x"]}, {"$add": ["$k", {"$multiply": ["$k", 2]}]}]},
        doc! {"$max": [{"$multiply": ["$k", 2]}, "$name", {"$add": ["$k", 1]}]},
        doc! {"$cond": ["$dz", {"$multiply": ["$k", 2]}, {"$add": ["$k", {"$abs": "$k"}, 1]}]},
    ];
    let rows = [
        doc! {"iv": {"months": 1, "days": 2, "micros": 3i64}, "name": "zed", "k": 4,
        "dz": Bson::Decimal128("0".parse().unwrap_or(bson::Decimal128::from_bytes([1; 16])))},
        doc! {"iv": {"months": 0, "days": -2, "micros": 3_000_000i64}, "name": "abc", "k": 5, "dz": "s"},
        doc! {"k": 6},
    ];
    for p in plans {
        let e = Expr::compile(&Bson::Document(p.clone())).expect("compiles");
        let Node::Kernel(k) = &e.node else {
            panic!("not a kernel: {p}");
        };
        for d in &rows {
            assert_eq!(outcome(&e, d), general(|| outcome(&e, d)), "{p} {d}");
        }
        assert_eq!(k.counts(), (3, 0), "answered, bailed: {p}");
    }
}
