//! GREATEST / LEAST of intervals by their spans (`interval_extreme.rs`) against the `{s, i, v}` candidate
//! documents it replaced, evaluated by the embedded engine over generated rows and the plans that build
//! intervals (`interval_sum_tests::cases::operand`: date differences, products, sums, justified values,
//! constants, NULL, a field): the same value (of equal spans the same argument), NULL alike (missing or
//! present), the same error.

// Test code (its module is declared `#[cfg(test)]`), which may run the engine: the layering check
// (tests/layers.rs) reads a `#[cfg(test)]` block as such.
#[cfg(test)]
mod cases {
    use super::super::interval::Iv;
    use super::super::interval_extreme::{extreme, extreme_plan};
    use super::super::interval_sum_tests::cases::{factor, operand, row};
    use super::super::justify_tests::cases::{date, eval_doc};
    use crate::mql::expr as ex;
    use bson::{doc, Bson};
    use proptest::prelude::*;

    /// An interval of a span equal to `1 day`'s (as `1 day`, `24 hours`, `-1 mon 31 days`) or not.
    fn day_like() -> impl Strategy<Value = Bson> {
        prop_oneof![
            Just(doc! {"months": 0, "days": 1, "micros": 0i64}),
            Just(doc! {"months": 0, "days": 0, "micros": 86_400_000_000i64}),
            Just(doc! {"months": -1, "days": 31, "micros": 0i64}),
            Just(doc! {"months": 0, "days": 2, "micros": -86_400_000_000i64}),
            Just(doc! {"months": 0, "days": 0, "micros": 3_600_000_000i64}),
        ]
        .prop_map(Bson::Document)
    }

    /// An interval (all three fields) or NULL: a document missing a field is no interval (its span is NULL,
    /// which the candidate documents ordered below every span and the spans skip).
    fn iv_value() -> impl Strategy<Value = Bson> {
        prop_oneof![
            8 => (-30i32..30, -70i32..70, -200_000_000_000i64..200_000_000_000)
                .prop_map(|(m, d, u)| Bson::Document(doc! {"months": m, "days": d, "micros": u})),
            1 => Just(Bson::Null),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]
        #[test]
        fn extreme_by_spans_equals_candidate_documents(
            a in date(),
            b in date(),
            k in factor(),
            iv in iv_value(),
            c in (-30i32..30, -70i32..70, -200_000_000_000i64..200_000_000_000),
            shapes in prop::collection::vec(0usize..15, 1..5),
            equal in prop::collection::vec(day_like(), 2),
            greatest in any::<bool>(),
        ) {
            let c = Iv { months: c.0, days: c.1, micros: c.2 };
            let mut d = row(a, b, k, iv);
            d.insert("e0", equal[0].clone());
            d.insert("e1", equal[1].clone());
            let xs: Vec<Bson> = shapes
                .iter()
                .map(|&s| match s {
                    13 => ex::field("e0").into(),
                    14 => ex::field("e1").into(),
                    s => operand(s, c),
                })
                .collect();
            let new = extreme_plan(xs.clone(), greatest, true);
            let old = extreme_plan(xs, greatest, false);
            // of all NULL the candidates' `$$m.v` is missing, the spans' first argument a present NULL:
            // both NULL
            let present = |r: Result<Option<Bson>, i32>| r.map(|v| v.unwrap_or(Bson::Null));
            prop_assert_eq!(present(eval_doc(&new, &d)), present(eval_doc(&old, &d)));
        }
    }

    /// Of equal spans the first argument, NULLs skipped, all NULL: NULL; and no candidate document built.
    #[test]
    fn first_of_equal_spans_and_no_candidates() {
        let day = Bson::Document(doc! {"months": 0, "days": 1, "micros": 0i64});
        let hours = Bson::Document(doc! {"months": 0, "days": 0, "micros": 86_400_000_000i64});
        let d = doc! {"a": day.clone(), "b": hours.clone(), "n": Bson::Null};
        let args =
            |names: &[&str]| -> Vec<Bson> { names.iter().map(|n| ex::field(n).into()).collect() };
        for greatest in [true, false] {
            let plan = extreme(args(&["n", "a", "b"]), greatest);
            assert_eq!(eval_doc(&plan, &d), Ok(Some(day.clone())), "{plan}");
            let plan = extreme(args(&["b", "n", "a"]), greatest);
            assert_eq!(eval_doc(&plan, &d), Ok(Some(hours.clone())), "{plan}");
            let plan = extreme(args(&["n", "missing"]), greatest);
            assert_eq!(eval_doc(&plan, &d), Ok(Some(Bson::Null)), "{plan}");
            assert!(!plan.to_string().contains("\"i\""), "{plan}");
        }
    }
}
