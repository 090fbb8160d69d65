//! `justify_*`'s plan (three variables, one document built) against the one it replaced (a document per
//! step, taken apart by the next), both evaluated by the embedded engine on generated intervals of every sign
//! combination, zero parts and unit boundaries: the same value and field types, NULL alike.

// Test code (its module is declared `#[cfg(test)]`), which may run the engine: the layering check
// (tests/layers.rs) reads a `#[cfg(test)]` block as such.
#[cfg(test)]
pub(super) mod cases {
    use super::super::interval::{self, make, USECS_PER_DAY};
    use crate::engine::expr::{Expr as Compiled, Vars};
    use crate::mql::expr as ex;
    use bson::{doc, Bson};
    use proptest::prelude::*;

    fn f(x: &str, field: &str) -> Bson {
        ex::var(&format!("{x}.{field}")).into()
    }

    /// The plan `justify` replaced (checked by the PostgreSQL oracle): each step a document the next takes apart.
    fn justify_by_documents(x: Bson, hours: bool, days: bool) -> Bson {
        let mut cur = ex::var("ia");
        if hours {
            // whole days out of the time
            let step = ex::let_in(
                doc! {"j": cur},
                make(
                    f("j", "months"),
                    ex::add(vec![
                        f("j", "days"),
                        ex::to_int(ex::trunc(ex::divide(f("j", "micros"), USECS_PER_DAY))),
                    ]),
                    ex::modulo(f("j", "micros"), USECS_PER_DAY),
                ),
            );
            cur = step.into();
        }
        if days {
            let step = ex::let_in(
                doc! {"j": cur},
                make(
                    ex::add(vec![
                        f("j", "months"),
                        ex::to_int(ex::trunc(ex::divide(f("j", "days"), 30))),
                    ]),
                    ex::modulo(f("j", "days"), 30),
                    f("j", "micros"),
                ),
            );
            // month and day signs agree (justify_interval also looks at the time when the days are 0)
            let pos_fix = if hours {
                crate::translate::nulls::or(vec![
                    ex::lt(f("j", "days"), 0),
                    crate::translate::nulls::and(vec![
                        ex::eq(f("j", "days"), 0),
                        ex::lt(f("j", "micros"), 0),
                    ]),
                ])
            } else {
                ex::lt(f("j", "days"), 0)
            };
            let neg_fix = if hours {
                crate::translate::nulls::or(vec![
                    ex::gt(f("j", "days"), 0),
                    crate::translate::nulls::and(vec![
                        ex::eq(f("j", "days"), 0),
                        ex::gt(f("j", "micros"), 0),
                    ]),
                ])
            } else {
                ex::gt(f("j", "days"), 0)
            };
            cur = ex::let_in(
                doc! {"j": step},
                ex::switch(
                    vec![
                        (
                            crate::translate::nulls::and(vec![
                                ex::gt(f("j", "months"), 0),
                                pos_fix,
                            ])
                            .into(),
                            make(
                                ex::subtract(f("j", "months"), 1),
                                ex::add(vec![f("j", "days"), Bson::Int32(30)]),
                                f("j", "micros"),
                            ),
                        ),
                        (
                            crate::translate::nulls::and(vec![
                                ex::lt(f("j", "months"), 0),
                                neg_fix,
                            ])
                            .into(),
                            make(
                                ex::add(vec![f("j", "months"), Bson::Int32(1)]),
                                ex::subtract(f("j", "days"), 30),
                                f("j", "micros"),
                            ),
                        ),
                    ],
                    ex::var("j"),
                ),
            )
            .into();
        }
        if hours {
            // day and time signs agree
            cur = ex::let_in(
                doc! {"j": cur},
                ex::switch(
                    vec![
                        (
                            crate::translate::nulls::and(vec![
                                ex::gt(f("j", "days"), 0),
                                ex::lt(f("j", "micros"), 0),
                            ])
                            .into(),
                            make(
                                f("j", "months"),
                                ex::subtract(f("j", "days"), 1),
                                ex::add(vec![f("j", "micros"), Bson::Int64(USECS_PER_DAY)]),
                            ),
                        ),
                        (
                            crate::translate::nulls::and(vec![
                                ex::lt(f("j", "days"), 0),
                                ex::gt(f("j", "micros"), 0),
                            ])
                            .into(),
                            make(
                                f("j", "months"),
                                ex::add(vec![f("j", "days"), Bson::Int32(1)]),
                                ex::subtract(f("j", "micros"), Bson::Int64(USECS_PER_DAY)),
                            ),
                        ),
                    ],
                    ex::var("j"),
                ),
            )
            .into();
        }
        ex::let_in(
            doc! {"ia": x},
            ex::cond(ex::is_null(ex::var("ia")), Bson::Null, cur),
        )
    }

    fn eval(plan: &Bson, iv: &Bson) -> Result<Option<Bson>, i32> {
        let d = doc! {"iv": iv.clone()};
        Compiled::compile(plan)
            .and_then(|c| c.eval(&d, &Vars::new(bson::DateTime::from_millis(0))))
            .map_err(|e| e.code)
    }

    fn part(units: Vec<i64>, max: i64) -> impl Strategy<Value = i64> {
        prop_oneof![
            2 => Just(0i64),
            2 => -3i64..4,
            3 => (prop::sample::select(units), -3i64..4, -2i64..3).prop_map(|(u, k, d)| u * k + d),
            2 => -max..max,
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn justify_equals_the_step_by_document_plan(
            months in part(vec![1, 12], 10_000),
            days in part(vec![1, 30, 31], 100_000),
            micros in part(vec![1, 1_000_000, 3_600_000_000, 86_400_000_000], 10_000_000_000_000),
            which in 0usize..3,
            long in any::<bool>(),
            null_iv in prop::bool::weighted(0.05),
        ) {
            let (hours, days_) = [(true, false), (false, true), (true, true)][which];
            let (m, d) = (months as i32, days as i32);
            let iv = if null_iv {
                Bson::Null
            } else if long {
                Bson::Document(doc! {"months": m, "days": d, "micros": micros})
            } else {
                Bson::Document(doc! {"months": m, "days": d, "micros": (micros % 2_000_000_000) as i32})
            };
            let new = interval::justify(ex::field("iv").into(), hours, days_);
            let old = justify_by_documents(ex::field("iv").into(), hours, days_);
            prop_assert_eq!(eval(&new, &iv), eval(&old, &iv));
        }
    }

    /// A plan evaluated by the engine on `d`; an error as its code (shared with `interval_text_tests`).
    pub(in crate::translate::expr) fn eval_doc(
        plan: &Bson,
        d: &bson::Document,
    ) -> Result<Option<Bson>, i32> {
        Compiled::compile(plan)
            .and_then(|c| c.eval(d, &Vars::new(bson::DateTime::from_millis(0))))
            .map_err(|e| e.code)
    }

    /// A document of the dates `a` and `b` as [`date`] draws them: a date, NULL, or missing.
    pub(in crate::translate::expr) fn dates(
        a: Option<Option<i64>>,
        b: Option<Option<i64>>,
    ) -> bson::Document {
        let mut d = bson::Document::new();
        for (name, v) in [("a", a), ("b", b)] {
            match v {
                Some(Some(ms)) => {
                    d.insert(name, bson::DateTime::from_millis(ms));
                }
                Some(None) => {
                    d.insert(name, Bson::Null);
                }
                None => {}
            }
        }
        d
    }

    /// A date in milliseconds, NULL, or missing.
    pub(in crate::translate::expr) fn date() -> impl Strategy<Value = Option<Option<i64>>> {
        prop_oneof![
            8 => (-4_000_000_000_000i64..4_000_000_000_000).prop_map(|ms| Some(Some(ms))),
            1 => Just(Some(None)),
            1 => Just(None),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// `justify_*` computed where its operand builds its document against the operand bound and read
        /// by field, over the plans that build one (a date difference, its product, a sum, a justified
        /// value, a constant), through their `$let`s and `$cond`s, and a field path: same value and types.
        #[test]
        fn justify_in_place_equals_bound(
            a in date(),
            b in date(),
            k in prop_oneof![Just(0i32), -50i32..50, any::<i32>()],
            kd in prop::bool::weighted(0.2),
            months in -30i32..30,
            days in -70i32..70,
            micros in -200_000_000_000i64..200_000_000_000,
            shape in 0usize..6,
            which in 0usize..3,
        ) {
            let (hours, days_) = [(true, false), (false, true), (true, true)][which];
            let mut d = dates(a, b);
            if kd {
                d.insert("k", f64::from(k) / 4.0);
            } else {
                d.insert("k", k);
            }
            d.insert("iv", doc! {"months": months, "days": days, "micros": micros});
            let diff = || interval::between(ex::field("a").into(), ex::field("b").into());
            let x = match shape {
                0 => diff(),
                1 => interval::scale(diff(), ex::field("k").into(), false, interval::Known::ANY),
                2 => interval::add(diff(), ex::field("iv").into(), true),
                3 => interval::justify(diff(), true, false),
                4 => make(Bson::Int32(months), Bson::Int32(days), Bson::Int64(micros)),
                _ => ex::field("iv").into(),
            };
            let new = interval::justify_plan(x.clone(), hours, days_, true);
            let old = interval::justify_plan(x, hours, days_, false);
            prop_assert_eq!(eval_doc(&new, &d), eval_doc(&old, &d));
        }
    }
}
