//! `a ± b` of two computed intervals and `a ± constant` computed where the operands build their documents
//! (`interval_sum.rs`) against both operands bound and read by field, evaluated by the embedded engine on
//! generated dates, factors and intervals, over the plans that build intervals (a date difference, products
//! by a column and by a constant, sums, a justified value, a negation, a constant, NULL, a field): the same
//! value, the same type of each field, NULL alike, the same error.

// Test code (its module is declared `#[cfg(test)]`), which may run the engine: the layering check
// (tests/layers.rs) reads a `#[cfg(test)]` block as such.
#[cfg(test)]
pub(super) mod cases {
    use super::super::interval::{self, make, Iv, Known};
    use super::super::justify_tests::cases::{date, dates, eval_doc};
    use crate::mql::expr as ex;
    use bson::{doc, Bson};
    use proptest::prelude::*;

    /// An interval-valued plan of shape `shape` over the document's dates `a`, `b`, factor `k` and
    /// interval `iv`.
    pub(in crate::translate::expr) fn operand(shape: usize, c: Iv) -> Bson {
        let diff = || interval::between(ex::field("a").into(), ex::field("b").into());
        let k = || -> Bson { ex::field("k").into() };
        let unit = Iv {
            months: 0,
            days: 1,
            micros: 0,
        };
        match shape {
            0 => diff(),
            1 => interval::scale(diff(), k(), false, Known::ANY),
            2 => interval::scale_whole(unit.to_bson(), Some(unit), k(), Known::ANY),
            3 => interval::scale(c.to_bson(), k(), true, Known::ANY),
            4 => interval::add(diff(), ex::field("iv").into(), false),
            5 => interval::add_constant(diff(), c, true),
            6 => interval::justify(diff(), true, true),
            7 => interval::negate(diff()),
            8 => make(
                Bson::Int32(c.months),
                Bson::Int32(c.days),
                Bson::Int64(c.micros),
            ),
            9 => Bson::Null,
            // an operand reading a variable its neighbour binds (`ia`): bound, not placed inside it
            10 => ex::let_in(doc! {"ia": ex::field("iv")}, ex::var("ia")),
            11 => interval::add(
                interval::scale_whole(unit.to_bson(), Some(unit), k(), Known::ANY),
                interval::scale(diff(), Bson::Int32(2), false, Known::ANY),
                false,
            ),
            _ => ex::field("iv").into(),
        }
    }

    /// A factor read from the document (`$k`): NULL, whole, fractional, the largest int.
    pub(in crate::translate::expr) fn factor() -> impl Strategy<Value = Bson> {
        prop_oneof![
            Just(Bson::Null),
            (-50i32..50).prop_map(Bson::Int32),
            (-200i32..200).prop_map(|x| Bson::Double(f64::from(x) / 8.0)),
            Just(Bson::Int32(i32::MAX)),
        ]
    }

    /// The row the operands read: two dates (`justify_tests`), the factor `k` and an interval `iv`.
    pub(in crate::translate::expr) fn row(
        a: Option<Option<i64>>,
        b: Option<Option<i64>>,
        k: Bson,
        iv: Bson,
    ) -> bson::Document {
        let mut d = dates(a, b);
        d.insert("k", k);
        d.insert("iv", iv);
        d
    }

    pub(in crate::translate::expr) fn iv_value() -> impl Strategy<Value = Bson> {
        prop_oneof![
            8 => (-30i32..30, -70i32..70, -200_000_000_000i64..200_000_000_000)
                .prop_map(|(m, d, u)| Bson::Document(doc! {"months": m, "days": d, "micros": u})),
            1 => Just(Bson::Null),
            1 => Just(Bson::Document(doc! {"days": 2})),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn sum_in_place_equals_both_bound(
            a in date(),
            b in date(),
            k in factor(),
            iv in iv_value(),
            c in (-30i32..30, -70i32..70, -200_000_000_000i64..200_000_000_000),
            left in 0usize..13,
            right in 0usize..13,
            minus in any::<bool>(),
        ) {
            let c = Iv { months: c.0, days: c.1, micros: c.2 };
            let d = row(a, b, k, iv);
            let (x, y) = (operand(left, c), operand(right, c));
            let new = interval::add_plan(x.clone(), y.clone(), minus, true);
            let old = interval::add_plan(x.clone(), y, minus, false);
            prop_assert_eq!(eval_doc(&new, &d), eval_doc(&old, &d));
            let new = interval::add_constant_plan(x.clone(), c, minus, true);
            let old = interval::add_constant_plan(x, c, minus, false);
            prop_assert_eq!(eval_doc(&new, &d), eval_doc(&old, &d));
        }
    }

    /// The sum of two products of a column reads no operand's document back (`ia` / `ib`), and a constant
    /// is added to an operand where that operand's document is built (one document in the plan).
    #[test]
    fn sums_of_built_intervals_build_one_document() {
        let unit = |days: i32, micros: i64| Iv {
            months: 0,
            days,
            micros,
        };
        let k = || -> Bson { ex::field("k").into() };
        let day = interval::scale_whole(unit(1, 0).to_bson(), Some(unit(1, 0)), k(), Known::ANY);
        let hour = interval::scale_whole(
            unit(0, 3_600_000_000).to_bson(),
            Some(unit(0, 3_600_000_000)),
            k(),
            Known::ANY,
        );
        let text = |x: &Bson| x.to_string();
        let sum = interval::add(day.clone(), hour, false);
        // no operand's document read back (the second operand's plan appears twice: also where the first
        // is NULL, evaluated for its errors alone)
        assert!(
            !text(&sum).contains("$$ia") && !text(&sum).contains("$$ib"),
            "{sum}"
        );
        let shifted = interval::add_constant(day, unit(0, -5), true);
        assert_eq!(text(&shifted).matches("months").count(), 1, "{shifted}");
        assert!(!text(&shifted).contains("$$ia"), "{shifted}");
        let d = doc! {"k": 3};
        assert_eq!(
            eval_doc(&sum, &d),
            Ok(Some(Bson::Document(
                doc! {"months": 0, "days": 3, "micros": 10_800_000_000i64}
            )))
        );
        assert_eq!(
            eval_doc(&shifted, &d),
            Ok(Some(Bson::Document(
                doc! {"months": 0, "days": 3, "micros": 5i64}
            )))
        );
    }
}
