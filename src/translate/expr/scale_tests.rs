//! `interval * n` / `interval / n` with fields known to be 0 (`interval_expr::Known`: a constant's zero
//! months or days, a timestamp difference's months) against the general plan, both evaluated by the embedded
//! engine on generated intervals and factors: the same value, the same type of each field, NULL alike; and
//! `interval ± constant` added in place against the general sum of two interval documents.

// Test code (its module is declared `#[cfg(test)]`), which may run the engine: the layering check
// (tests/layers.rs) reads a `#[cfg(test)]` block as such.
#[cfg(test)]
mod cases {
    use super::super::interval::{self, Known};
    use crate::engine::expr::{Expr as Compiled, Vars};
    use crate::mql::accumulator as acc;
    use crate::mql::expr as ex;
    use bson::{doc, Bson};
    use proptest::prelude::*;

    fn eval(plan: &Bson, iv: &Bson, n: &Bson) -> Result<Option<Bson>, i32> {
        let d = doc! {"iv": iv.clone(), "n": n.clone()};
        Compiled::compile(plan)
            .and_then(|c| c.eval(&d, &Vars::new(bson::DateTime::from_millis(0))))
            .map_err(|e| e.code)
    }

    fn factor() -> impl Strategy<Value = Bson> {
        prop_oneof![
            (-1000i32..1000).prop_map(Bson::Int32),
            (-1_000_000i64..1_000_000).prop_map(Bson::Int64),
            (-1000.0f64..1000.0).prop_map(Bson::Double),
            (-3.0f64..3.0).prop_map(Bson::Double),
            prop::sample::select(vec![0.5, -0.5, 1.0 / 3.0, 7.0, 0.1, 1e-7, 40.0])
                .prop_map(Bson::Double),
            Just(Bson::Null),
        ]
    }

    fn micros() -> impl Strategy<Value = i64> {
        prop_oneof![
            -200_000_000_000i64..200_000_000_000,
            (-100_000i64..100_000).prop_map(|s| s * 1_000_000),
            Just(0i64),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn known_zero_fields_scale_as_the_general_plan(
            months in prop_oneof![Just(0i32), -40i32..40],
            days in prop_oneof![Just(0i32), -400i32..400],
            micros in micros(),
            n in factor(),
            divide in any::<bool>(),
            null_iv in prop::bool::weighted(0.05),
        ) {
            let divide = divide && !matches!(&n, Bson::Int32(0) | Bson::Int64(0))
                && !matches!(&n, Bson::Double(x) if *x == 0.0);
            let iv = if null_iv {
                Bson::Null
            } else {
                Bson::Document(doc! {"months": months, "days": days, "micros": micros})
            };
            let general = interval::scale(ex::field("iv").into(), ex::field("n").into(), divide, Known::ANY);
            let want = eval(&general, &iv, &n);
            let cases = [
                (months == 0, days == 0 && months == 0, true),
                (months == 0, false, true),
                (months == 0 && !null_iv, days == 0 && months == 0, false),
            ];
            for (no_months, no_days, nullable) in cases {
                if !nullable && null_iv {
                    continue;
                }
                let known = Known { no_months, no_days, nullable };
                let plan = interval::scale(ex::field("iv").into(), ex::field("n").into(), divide, known);
                prop_assert_eq!(&eval(&plan, &iv, &n), &want, "known {:?}", known);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// `a ± c` with a constant `c` added in place against the general `add` of two interval documents.
        #[test]
        fn constant_added_in_place_equals_the_general_sum(
            months in prop_oneof![Just(0i32), -40i32..40],
            days in prop_oneof![Just(0i32), -400i32..400],
            micros in micros(),
            c in (prop_oneof![Just(0i32), -30i32..30], prop_oneof![Just(0i32), -60i32..60], prop_oneof![Just(0i64), -100_000_000_000i64..100_000_000_000]),
            minus in any::<bool>(),
            null_iv in prop::bool::weighted(0.05),
        ) {
            let iv = if null_iv {
                Bson::Null
            } else {
                Bson::Document(doc! {"months": months, "days": days, "micros": micros})
            };
            let c = interval::Iv { months: c.0, days: c.1, micros: c.2 };
            let general = interval::add_plan(ex::field("iv").into(), c.to_bson(), minus, false);
            let in_place = interval::add_constant(ex::field("iv").into(), c, minus);
            prop_assert_eq!(eval(&in_place, &iv, &Bson::Null), eval(&general, &iv, &Bson::Null));
            if !minus {
                let general = interval::add_plan(c.to_bson(), ex::field("iv").into(), false, false);
                prop_assert_eq!(eval(&in_place, &iv, &Bson::Null), eval(&general, &iv, &Bson::Null));
            }
        }
    }

    fn whole_factor() -> impl Strategy<Value = Bson> {
        prop_oneof![
            (-1000i32..1000).prop_map(Bson::Int32),
            (-3i32..3).prop_map(Bson::Int32),
            (-3_000_000_000i64..3_000_000_000).prop_map(Bson::Int64),
            (-100_000i64..100_000).prop_map(|x| Bson::Double(x as f64)),
            prop::sample::select(vec![
                0.0,
                -0.0,
                1e15,
                -1e20,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                0.5,
                -2.5,
                1e-7
            ])
            .prop_map(Bson::Double),
            Just(Bson::Null),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// The whole-factor branch of `interval * n` (each field scaled alone) against the general plan
        /// without it: same value, same field types, NULL alike, an error alike; with the factor a column
        /// (the run-time test) and a constant (decided at translation).
        #[test]
        fn whole_factor_scales_as_the_general_plan(
            months in prop_oneof![Just(0i32), -40i32..40, Just(i32::MAX / 3)],
            days in prop_oneof![Just(0i32), -400i32..400],
            micros in prop_oneof![micros(), Just(i64::MAX / 7)],
            n in whole_factor(),
            null_iv in prop::bool::weighted(0.05),
        ) {
            let iv = if null_iv {
                Bson::Null
            } else {
                Bson::Document(doc! {"months": months, "days": days, "micros": micros})
            };
            let known = Known { no_months: months == 0, no_days: days == 0, nullable: true };
            for known in [Known::ANY, known] {
                let general = interval::scale_plan(ex::field("iv").into(), ex::field("n").into(), false, known, false);
                let want = eval(&general, &iv, &n);
                let plan = interval::scale(ex::field("iv").into(), ex::field("n").into(), false, known);
                prop_assert_eq!(&eval(&plan, &iv, &n), &want, "column factor, known {:?}", known);
                if !matches!(n, Bson::Null) {
                    let plan = interval::scale(ex::field("iv").into(), n.clone(), false, known);
                    prop_assert_eq!(&eval(&plan, &iv, &Bson::Null), &want, "constant factor, known {:?}", known);
                }
            }
        }
    }

    fn integer_factor() -> impl Strategy<Value = Option<Bson>> {
        prop_oneof![
            (-1000i32..1000).prop_map(|x| Some(Bson::Int32(x))),
            (-3i32..3).prop_map(|x| Some(Bson::Int32(x))),
            prop::sample::select(vec![i32::MIN, i32::MAX, 0, 1, -1])
                .prop_map(|x| Some(Bson::Int32(x))),
            (-3_000_000_000i64..3_000_000_000).prop_map(|x| Some(Bson::Int64(x))),
            prop::sample::select(vec![i64::MIN, i64::MAX, (1 << 53) + 1, -(1 << 40)])
                .prop_map(|x| Some(Bson::Int64(x))),
            Just(Some(Bson::Null)),
            Just(None),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// `interval * n` of an SQL integer factor (`scale_whole`: no run-time whole test, a constant
        /// interval's fields in place) against the general plan without the whole branch, the factor an
        /// int / bigint / NULL / missing field and the interval a field (NULL, known zero fields) or a
        /// constant: same value, same field types, NULL alike, an error alike.
        #[test]
        fn integer_factor_scales_as_the_general_plan(
            months in prop_oneof![Just(0i32), Just(1i32), -40i32..40, Just(i32::MAX / 3)],
            days in prop_oneof![Just(0i32), Just(1i32), -400i32..400],
            micros in prop_oneof![micros(), Just(1i64), Just(i64::MAX / 7)],
            n in integer_factor(),
            null_iv in prop::bool::weighted(0.05),
        ) {
            let mut d = doc! {};
            if let Some(n) = &n {
                d.insert("n", n.clone());
            }
            let c = interval::Iv { months, days, micros };
            d.insert("iv", if null_iv { Bson::Null } else { c.to_bson() });
            let run = |plan: &Bson| {
                Compiled::compile(plan)
                    .and_then(|c| c.eval(&d, &Vars::new(bson::DateTime::from_millis(0))))
                    .map_err(|e| e.code)
            };
            let num = || -> Bson { ex::field("n").into() };
            let field = || -> Bson { ex::field("iv").into() };
            let zeros = Known { no_months: months == 0, no_days: days == 0, nullable: true };
            for known in [Known::ANY, zeros] {
                let want = run(&interval::scale_plan(field(), num(), false, known, false));
                let plan = interval::scale_whole(field(), None, num(), known);
                prop_assert_eq!(&run(&plan), &want, "field, known {:?}", known);
            }
            if !null_iv {
                let known = Known { nullable: false, ..zeros };
                let want = run(&interval::scale_plan(c.to_bson(), num(), false, known, false));
                let plan = interval::scale_whole(c.to_bson(), Some(c), num(), known);
                prop_assert_eq!(&run(&plan), &want, "constant {:?}", c);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The span computed where an interval's plan builds its document (`interval::span`) against the
        /// span of the document bound and read by field, over the plans of the interval operations
        /// (products, sums, negation, justify, a date difference, a field, NULL): same value and type.
        #[test]
        fn span_in_place_equals_the_span_of_the_built_document(
            months in prop_oneof![Just(0i32), -40i32..40],
            days in prop_oneof![Just(0i32), -400i32..400],
            micros in micros(),
            n in prop_oneof![factor(), whole_factor()],
            null_iv in prop::bool::weighted(0.05),
            millis in any::<bool>(),
            t in prop_oneof![Just(None), (-10_000_000_000i64..10_000_000_000).prop_map(Some)],
            odd in prop_oneof![Just(0u8), Just(0u8), Just(0u8), 1u8..4],
        ) {
            let iv = if null_iv {
                Bson::Null
            } else {
                Bson::Document(doc! {"months": months, "days": days, "micros": micros})
            };
            let c = interval::Iv { months: 1, days: -2, micros: 3_600_000_000 };
            let field = || -> Bson { ex::field("iv").into() };
            let num = || -> Bson { ex::field("n").into() };
            let scaled = interval::scale(field(), num(), false, Known::ANY);
            let plans = [
                field(),
                Bson::Null,
                c.to_bson(),
                scaled.clone(),
                interval::scale(c.to_bson(), num(), false, Known { no_months: false, no_days: false, nullable: false }),
                interval::scale(field(), num(), true, Known::ANY),
                interval::add(scaled.clone(), field(), true),
                interval::add_constant(scaled.clone(), c, false),
                interval::negate(scaled),
                interval::justify(field(), true, true),
                interval::between(ex::field("t").into(), Bson::DateTime(bson::DateTime::from_millis(0))),
            ];
            let t = t.map_or(Bson::Null, |ms| Bson::DateTime(bson::DateTime::from_millis(ms)));
            // also an array of intervals and a document missing a field, read by path as by binding
            let iv = match odd {
                1 => Bson::Array(vec![iv, Bson::Int32(3), Bson::Document(doc! {"days": 2})]),
                2 => Bson::Document(doc! {"months": 1, "micros": Bson::Int64(5)}),
                _ => iv,
            };
            let mut d = doc! {"n": n, "t": t};
            if odd != 3 {
                d.insert("iv", iv);
            }
            let run = |plan: &Bson| {
                Compiled::compile(plan)
                    .and_then(|c| c.eval(&d, &Vars::new(bson::DateTime::from_millis(0))))
                    .map_err(|e| e.code)
            };
            for x in plans {
                let want = run(&interval::span_plan(x.clone(), millis, false));
                prop_assert_eq!(run(&interval::span(x.clone(), millis)), want, "{}", x);
            }
            // a variable of the query, read by path
            let in_var = |span: Bson| ex::let_in(doc! {"v": field()}, span);
            let want = run(&in_var(interval::span_plan(Bson::String("$$v".into()), millis, false)));
            prop_assert_eq!(run(&in_var(interval::span(Bson::String("$$v".into()), millis))), want);
        }
    }

    fn sum_field() -> impl Strategy<Value = Option<Bson>> {
        prop_oneof![
            Just(None),
            Just(Some(Bson::Null)),
            (-40i32..40, -400i32..400, micros()).prop_map(|(m, d, u)| Some(Bson::Document(
                doc! {"months": m, "days": d, "micros": u}
            ))),
            (i32::MAX - 5..i32::MAX, 0i32..2, micros()).prop_map(|(m, d, u)| Some(Bson::Document(
                doc! {"months": m, "days": d, "micros": u}
            ))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// An interval SUM's fields read by path (`{$sum: "$__av0.months"}`, under a FILTER
        /// `{$cond: [filter, "$__av0.months", 0]}`) against the general accumulator that binds the value and
        /// adds 0 for a NULL or filtered-out one, run by the engine's `$group` over generated rows (NULL,
        /// missing, sums past 32 bits): the same sums, of the same types.
        #[test]
        fn interval_sum_read_by_path_equals_the_bound_form(
            rows in prop::collection::vec((sum_field(), prop::option::of(any::<bool>())), 0..12),
            filtered in any::<bool>(),
        ) {
            let docs: Vec<Bson> = rows
                .iter()
                .map(|(v, k)| {
                    let mut d = doc! {};
                    if let Some(v) = v {
                        d.insert("__av0", v.clone());
                    }
                    if let Some(k) = k {
                        d.insert("k", *k);
                    }
                    Bson::Document(d)
                })
                .collect();
            let filter: Option<ex::Expr> = filtered.then(|| ex::eq(ex::field("k"), true));
            let mut keep = vec![crate::translate::nulls::not_null(&ex::var("v"))];
            keep.extend(filter.clone());
            let keep = crate::translate::nulls::and(keep);
            let mut general = doc! {"_id": null};
            let mut by_path = doc! {"_id": null};
            for p in ["months", "days", "micros"] {
                general.insert(p, acc::sum(ex::let_in(
                    doc! {"v": "$__av0"},
                    ex::cond(keep.clone(), ex::var(&format!("v.{p}")), 0),
                )));
                let read = ex::field(&format!("__av0.{p}"));
                by_path.insert(p, acc::sum(match &filter {
                    Some(ft) => Bson::from(ex::cond(ft.clone(), read, 0)),
                    None => Bson::from(read),
                }));
            }
            let engine = crate::engine::Engine::in_memory();
            let run = |group: &bson::Document| {
                engine
                    .run_command("t", &doc! {
                        "aggregate": 1,
                        "pipeline": [{"$documents": docs.clone()}, {"$group": group.clone()}],
                        "cursor": {},
                    })
                    .map(|r| r.get_document("cursor").ok().and_then(|c| c.get_array("firstBatch").ok()).cloned())
                    .map_err(|e| e.code)
            };
            let want = run(&general);
            prop_assert!(matches!(&want, Ok(Some(r)) if r.len() == usize::from(!docs.is_empty())), "{:?}", want);
            prop_assert_eq!(run(&by_path), want);
        }
    }
}
