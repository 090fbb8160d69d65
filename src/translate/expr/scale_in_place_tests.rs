//! `interval * n` / `interval / n` computed where the interval's plan builds its document
//! (`interval_expr::scaled_where_built`: its three fields and the factor bound at once) against the
//! interval bound and read by field, over the plans that build intervals (`interval_sum_tests`' operands),
//! factors read from the document or constant, whole or not, NULL: the same value, the same type of each
//! field, NULL alike, the same error.

// Test code (its module is declared `#[cfg(test)]`), which may run the engine: the layering check
// (tests/layers.rs) reads a `#[cfg(test)]` block as such.
#[cfg(test)]
mod cases {
    use super::super::interval::{self, Iv, Known};
    use super::super::interval_sum_tests::cases::{factor, iv_value, operand, row};
    use super::super::justify_tests::cases::{date, eval_doc};
    use crate::mql::expr as ex;
    use bson::{doc, Bson};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn scale_in_place_equals_bound(
            a in date(),
            b in date(),
            k in factor(),
            iv in iv_value(),
            c in (-30i32..30, -70i32..70, -200_000_000_000i64..200_000_000_000),
            shape in 0usize..13,
            factor in 0usize..4,
            divide in any::<bool>(),
            whole_branch in any::<bool>(),
            known in 0usize..3,
        ) {
            let c = Iv { months: c.0, days: c.1, micros: c.2 };
            let d = row(a, b, k, iv);
            let x = operand(shape, c);
            let n = match factor {
                0 => ex::field("k").into(),
                1 => Bson::Int32(40),
                2 => Bson::Double(2.5),
                // a factor reading a variable the interval's plan binds: bound, not placed inside it
                _ => ex::let_in(doc! {"fa": ex::field("k")}, ex::var("fa")),
            };
            let divide = divide && factor == 2;
            // what the translator may know of the operand: nothing, or (a date difference) no months
            let known = match (known, shape) {
                (1, 0 | 6 | 7) => Known { no_months: true, no_days: false, nullable: true },
                _ => Known::ANY,
            };
            let new = interval::scale_plan_where(x.clone(), n.clone(), divide, known, whole_branch, true);
            let old = interval::scale_plan_where(x.clone(), n.clone(), divide, known, whole_branch, false);
            prop_assert_eq!(eval_doc(&new, &d), eval_doc(&old, &d));
            if !divide && factor != 2 {
                let new = interval::scale_whole_plan(x.clone(), None, n.clone(), known, true);
                let old = interval::scale_whole_plan(x, None, n, known, false);
                prop_assert_eq!(eval_doc(&new, &d), eval_doc(&old, &d));
            }
        }
    }

    /// A product of a date difference reads no document back: the difference's fields are bound where it
    /// builds them.
    #[test]
    fn a_product_of_a_difference_reads_no_document_back() {
        let diff = interval::between(ex::field("a").into(), ex::field("b").into());
        let known = Known {
            no_months: true,
            no_days: false,
            nullable: true,
        };
        for plan in [
            interval::scale(diff.clone(), Bson::Int32(40), false, known),
            interval::scale(diff.clone(), ex::field("k").into(), true, known),
            interval::scale_whole(diff, None, ex::field("k").into(), known),
        ] {
            assert!(!plan.to_string().contains("$$ia"), "{plan}");
        }
    }
}
