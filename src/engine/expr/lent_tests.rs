//! `$let` variables bound to a read of the document (`slots::lent_read`: `$getField` of a constant name
//! from a field path or from such a read, the translator's JSON containment level by level) and read again
//! where they are read, against the same expression with every variable bound by name and every value
//! computed, on generated documents of every shape `$getField` meets (objects, arrays, scalars, null,
//! missing): the same value or the same error code. And the binding's errors are still raised where it is
//! bound, read or not. Also a `$let` variable bound to a `$map` variable as it is (`{c: "$$e"}`), read as
//! that variable.

use super::slots_tests::eval_general;
use super::{Expr, Vars};
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn eval(e: &Expr, d: &Document) -> Result<Option<Bson>, i32> {
    e.eval(d, &Vars::new(bson::DateTime::from_millis(0)))
        .map_err(|e| e.code)
}

/// A value of any shape `$getField` and `$type` meet, nested.
fn value() -> impl Strategy<Value = Bson> {
    let scalar = prop_oneof![
        Just(Bson::Null),
        (-2i32..3).prop_map(Bson::Int32),
        Just(Bson::String("s0".into())),
        Just(Bson::Boolean(true)),
    ];
    scalar.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(
                (prop::sample::select(vec!["x", "y", "sku"]), inner.clone()),
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

fn get(field: &str, input: &str) -> Bson {
    Bson::Document(doc! {"$getField": {"field": {"$literal": field}, "input": input}})
}

/// A use of the variable `v` (or none), as the translator's plans use them.
fn body(v: &str, kind: usize, inner: Bson) -> Bson {
    let var = format!("$${v}");
    Bson::Document(match kind {
        0 => doc! {"$and": [{"$eq": [{"$type": &var}, "object"]}, inner]},
        1 => {
            doc! {"$and": [{"$isArray": [&var]}, {"$anyElementTrue": [{"$map": {"input": &var, "as": "e",
            "in": {"$let": {"vars": {"c": "$$e"}, "in": {"$and": [{"$eq": [{"$type": "$$c"}, "object"]},
            {"$eq": [{"$getField": {"field": {"$literal": "sku"}, "input": "$$c"}}, "s0"]}]}}}}}]}]}
        }
        2 => doc! {"$eq": [&var, {"$literal": "s0"}]},
        3 => doc! {"$size": [&var]},
        4 => doc! {"$arrayElemAt": [&var, 0]},
        5 => doc! {"r": &var, "t": {"$type": &var}},
        // Not read: still evaluated for its errors.
        _ => doc! {"$literal": 1},
    })
}

/// `{$let: {vars: {a: $getField(f1, "$s")}, in: use(a, {$let: {vars: {b: $getField(f2, "$$a")}, in:
/// use(b)}})}}`: two levels of the containment walk.
fn walk() -> impl Strategy<Value = Bson> {
    let field = prop::sample::select(vec!["x", "y", "sku", "w"]);
    (field.clone(), field, 0usize..7, 0usize..7, any::<bool>()).prop_map(
        |(f1, f2, k1, k2, ifnull)| {
            let input = if ifnull {
                Bson::Document(doc! {"$ifNull": ["$s", null]})
            } else {
                Bson::String("$s".into())
            };
            let a = Bson::Document(doc! {"$getField": {"field": {"$literal": f1}, "input": input}});
            let inner = Bson::Document(doc! {"$let": {"vars": {"b": get(f2, "$$a")},
            "in": body("b", k2, Bson::Boolean(true))}});
            Bson::Document(doc! {"$let": {"vars": {"a": a}, "in": body("a", k1, inner)}})
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    /// A variable bound to a read of the document, read again where it is read, equals the variable bound
    /// by name with every value computed: same value, same error.
    #[test]
    fn lent_bindings_equal_variables_by_name(e in walk(), s in prop::option::of(value())) {
        let mut d = doc! {"f": 1};
        if let Some(s) = s {
            d.insert("s", s);
        }
        let resolved = Expr::compile(&e).expect("compiles");
        let general = Expr::compile_unresolved(&e).expect("compiles");
        let want = eval_general(&general, &d);
        prop_assert_eq!(eval(&resolved, &d), want.clone(), "{}", e);
        prop_assert_eq!(eval_general(&resolved, &d), want, "{}", e);
    }
}

#[test]
fn a_containment_walk_copies_nothing_into_a_slot() {
    // The translator's `session_data @> '{"cart": {"items": [...]}}'`: `c0` a field path, `c1` and `c2`
    // reads of the document, `c` the `$map`'s element as it is: no slot.
    let e = Bson::Document(doc! {"$let": {"vars": {"c0": "$s"}, "in": {"$let": {
    "vars": {"c1": get("cart", "$$c0")}, "in": {"$and": [{"$eq": [{"$type": "$$c1"}, "object"]},
    {"$let": {"vars": {"c2": get("items", "$$c1")}, "in": body("c2", 1, Bson::Null)}}]}}}}});
    let resolved = Expr::compile(&e).expect("compiles");
    assert_eq!(resolved.slots, 0, "{resolved:?}");
    let d = doc! {"s": {"cart": {"items": [{"sku": "s1"}, {"sku": "s0"}]}}};
    assert_eq!(eval(&resolved, &d), Ok(Some(Bson::Boolean(true))));
    let d = doc! {"s": {"cart": {"items": [{"sku": "s1"}]}}};
    assert_eq!(eval(&resolved, &d), Ok(Some(Bson::Boolean(false))));
    // A variable read with a path under it keeps its slot.
    let e = Bson::Document(doc! {"$let": {"vars": {"a": get("cart", "$s")}, "in": "$$a.items"}});
    assert_eq!(Expr::compile(&e).expect("compiles").slots, 1);
}

#[test]
fn a_lent_binding_never_read_still_fails_where_it_is_bound() {
    let e = Bson::Document(doc! {"$let": {"vars": {"a": get("x", "$s")}, "in": 1}});
    let resolved = Expr::compile(&e).expect("compiles");
    assert_eq!(eval(&resolved, &doc! {"s": "text"}), Err(3041705));
    assert_eq!(
        eval(&resolved, &doc! {"s": {"x": 1}}),
        Ok(Some(Bson::Int32(1)))
    );
}

#[test]
fn an_alias_of_a_map_variable_reads_the_binding_it_was_given() {
    // `c` is the outer element; the inner `$map` binds `e` again, so `c` cannot be read as `$$e` there.
    let e = Bson::Document(doc! {"$map": {"input": "$s", "as": "e", "in": {"$let": {
    "vars": {"c": "$$e"},
    "in": {"$map": {"input": [10, 20], "as": "e", "in": {"$add": ["$$c", "$$e"]}}}}}}});
    let resolved = Expr::compile(&e).expect("compiles");
    let general = Expr::compile_unresolved(&e).expect("compiles");
    let d = doc! {"s": [1, 2]};
    let want = Ok(Some(Bson::Array(vec![
        Bson::Array(vec![Bson::Int32(11), Bson::Int32(21)]),
        Bson::Array(vec![Bson::Int32(12), Bson::Int32(22)]),
    ])));
    assert_eq!(eval_general(&general, &d), want);
    assert_eq!(eval(&resolved, &d), want);
    // Without the inner binding, `c` is `$$e` itself: no slot.
    let e = Bson::Document(doc! {"$map": {"input": "$s", "as": "e", "in": {"$let": {
    "vars": {"c": "$$e"}, "in": {"$add": ["$$c", 1]}}}}});
    let resolved = Expr::compile(&e).expect("compiles");
    assert_eq!(resolved.slots, 0);
    assert_eq!(
        eval(&resolved, &d),
        Ok(Some(Bson::Array(vec![Bson::Int32(2), Bson::Int32(3)])))
    );
}
