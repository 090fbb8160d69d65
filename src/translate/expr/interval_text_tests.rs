//! The row layer's interval text ([`crate::mql::interval_text`]) against the pipeline's formatter
//! ([`super::interval::format`], which still prints an interval where the query reads its text), evaluated
//! by the embedded engine on generated `{months, days, micros}` values: the same text for every sign
//! combination, zero parts, fractions of a second and values near the ends of each field's range.

// Test code (its module is declared `#[cfg(test)]`), which may run the engine: the layering check
// (tests/layers.rs) reads a `#[cfg(test)]` block as such.
#[cfg(test)]
mod cases {
    use super::super::interval;
    use super::super::justify_tests::cases::{date, dates, eval_doc};
    use crate::engine::expr::{Expr as Compiled, Vars};
    use crate::mql::expr as ex;
    use crate::mql::interval_text::{interval_text, interval_value_text};
    use bson::{doc, Bson};
    use proptest::prelude::*;

    fn pipeline_text(v: &Bson) -> Option<Bson> {
        let plan = interval::format(ex::field("iv").into());
        let d = doc! {"iv": v.clone()};
        Compiled::compile(&plan)
            .and_then(|c| c.eval(&d, &Vars::new(bson::DateTime::from_millis(0))))
            .expect("the formatter evaluates")
    }

    /// A field value: zero, small, around the unit boundaries, or anywhere in range.
    fn part(max: i64, units: Vec<i64>) -> impl Strategy<Value = i64> {
        prop_oneof![
            2 => Just(0i64),
            2 => -40i64..40,
            3 => (prop::sample::select(units), -3i64..4, -2i64..3).prop_map(|(u, k, d)| u * k + d),
            2 => -max..=max,
        ]
    }

    fn micros() -> impl Strategy<Value = i64> {
        let units = vec![
            1,
            1_000,
            999_999,
            1_000_000,
            60_000_000,
            3_600_000_000,
            86_400_000_000,
        ];
        prop_oneof![
            4 => part(4_000_000_000_000_000_000, units),
            // whole seconds and milliseconds (the common computed values)
            1 => (-1_000_000_000i64..1_000_000_000).prop_map(|s| s * 1_000_000),
            1 => (-1_000_000_000_000i64..1_000_000_000_000).prop_map(|ms| ms * 1_000),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn row_layer_text_equals_the_pipeline_text(
            months in part(i64::from(i32::MAX), vec![1, 12, 120]),
            days in part(i64::from(i32::MAX), vec![1, 7, 30, 365]),
            micros in micros(),
            long in any::<bool>(),
        ) {
            let (m, d) = (i32::try_from(months).unwrap_or(0), i32::try_from(days).unwrap_or(0));
            // as the plans build it: months and days Int32, micros Int64 (or Int32 / Int64 mixed after `$add`)
            let v = if long {
                Bson::Document(doc! {"months": i64::from(m), "days": i64::from(d), "micros": micros})
            } else {
                Bson::Document(doc! {"months": m, "days": d, "micros": micros})
            };
            let row = interval_value_text(&v).map(Bson::String);
            prop_assert_eq!(&row, &pipeline_text(&v));
            prop_assert_eq!(row, Some(Bson::String(interval_text(i64::from(m), i64::from(d), micros))));
        }
    }

    /// A stored interval document: its fields Int32, Int64 or integral doubles (mixed), or NULL, missing
    /// or a field missing.
    fn stored() -> impl Strategy<Value = Option<Bson>> {
        let field = |max: i64| {
            prop_oneof![
                (-max..max).prop_map(|v| Bson::Int32(v as i32)),
                (-max..max).prop_map(Bson::Int64),
                (-max..max).prop_map(|v| Bson::Double(v as f64)),
                Just(Bson::Null),
            ]
        };
        prop_oneof![
            8 => (field(40), field(100), field(300_000_000_000)).prop_map(|(m, d, u)| {
                Some(Bson::Document(doc! {"months": m, "days": d, "micros": u}))
            }),
            1 => (field(40), field(300_000_000_000)).prop_map(|(m, u)| {
                Some(Bson::Document(doc! {"months": m, "micros": u}))
            }),
            1 => Just(Some(Bson::Null)),
            1 => Just(None),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// The text computed where the operand builds its document against the operand bound and read by
        /// field, over the plans that build one (a date difference, its products by a column, whole or
        /// not, a product of a constant interval with zero fields, sums, a negation, a justified value, a
        /// constant) and a stored value or field path: the same text, NULL alike, the same error.
        #[test]
        fn format_in_place_equals_bound(
            a in date(),
            b in date(),
            k in prop_oneof![Just(0i32), -50i32..50, any::<i32>()],
            kd in prop::bool::weighted(0.2),
            k_null in prop::bool::weighted(0.05),
            months in -30i32..30,
            days in -70i32..70,
            micros in prop_oneof![-200_000_000_000i64..200_000_000_000, Just(0i64), (-1000i64..1000).prop_map(|h| h * 3_600_000_000)],
            zero in 0usize..4,
            iv in stored(),
            shape in 0usize..11,
        ) {
            let mut d = dates(a, b);
            if k_null {
                d.insert("k", Bson::Null);
            } else if kd {
                d.insert("k", f64::from(k) / 4.0);
            } else {
                d.insert("k", k);
            }
            if let Some(iv) = iv {
                d.insert("iv", iv);
            }
            // a constant with zero fields (as `INTERVAL '1 hour'`, `INTERVAL '1 day'`)
            let c = interval::Iv {
                months: if zero == 1 { months } else { 0 },
                days: if zero >= 2 { days } else { 0 },
                micros: if zero == 3 { 0 } else { micros },
            };
            let known = interval::Known {
                no_months: c.months == 0,
                no_days: c.days == 0,
                nullable: false,
            };
            let diff = || interval::between(ex::field("a").into(), ex::field("b").into());
            let k_ = || -> Bson { ex::field("k").into() };
            let x = match shape {
                0 => diff(),
                1 => interval::scale(diff(), k_(), false, interval::Known::ANY),
                2 => interval::scale(diff(), k_(), true, interval::Known::ANY),
                3 => interval::scale_whole(Bson::Null, Some(c), ex::field("k").into(), known),
                4 => interval::add(
                    interval::scale_whole(Bson::Null, Some(c), k_(), known),
                    interval::scale(ex::field("iv").into(), k_(), false, interval::Known::ANY),
                    false,
                ),
                5 => interval::add(diff(), ex::field("iv").into(), true),
                6 => interval::negate(diff()),
                7 => interval::justify(diff(), true, true),
                8 => interval::add_constant(diff(), c, false),
                9 => interval::make(Bson::Int32(months), Bson::Int32(days), Bson::Int64(micros)),
                _ => ex::field("iv").into(),
            };
            let new = interval::format_plan(x.clone(), true);
            let old = interval::format_plan(x, false);
            prop_assert_eq!(eval_doc(&new, &d), eval_doc(&old, &d));
        }
    }

    #[test]
    fn null_stays_null_in_both() {
        assert_eq!(pipeline_text(&Bson::Null), Some(Bson::Null));
        assert_eq!(interval_value_text(&Bson::Null), None);
    }
}
