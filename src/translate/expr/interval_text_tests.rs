//! The row layer's interval text ([`crate::mql::interval_text`]) against the pipeline's formatter
//! ([`super::interval::format`], which still prints an interval where the query reads its text), evaluated
//! by the embedded engine on generated `{months, days, micros}` values: the same text for every sign
//! combination, zero parts, fractions of a second and values near the ends of each field's range.

// Test code (its module is declared `#[cfg(test)]`), which may run the engine: the layering check
// (tests/layers.rs) reads a `#[cfg(test)]` block as such.
#[cfg(test)]
mod cases {
    use super::super::interval;
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

    #[test]
    fn null_stays_null_in_both() {
        assert_eq!(pipeline_text(&Bson::Null), Some(Bson::Null));
        assert_eq!(interval_value_text(&Bson::Null), None);
    }
}
