//! `age()`'s plan against the one it replaced (PostgreSQL's algorithm step by step, checked by the
//! PostgreSQL oracle), both evaluated by the embedded engine on generated pairs of dates (month ends, leap
//! days, either order, equal, milliseconds, with and without a time zone): the same interval.

use crate::engine::expr::{Expr as Compiled, Vars};
use crate::mql::expr as ex;
use bson::{doc, Bson};
use proptest::prelude::*;

/// The plan `age` replaced: PostgreSQL's algorithm as written, every field borrowed from the next, each
/// step a `$let` rebinding all nine names; the field-by-field difference of the two dates, borrowing from the next larger
/// field (a month borrows the length of the earlier date's month), as `{months, days, micros}`.
fn age_field_by_field(hi: Bson, lo: Bson, zone: Option<String>) -> Bson {
    let v = ex::var;
    let parts = |d: Bson| ex::date_to_parts(d, zone.clone().map(Bson::String));
    let p = |x: &str, f: &str| ex::var(&format!("{x}.{f}"));
    // the earlier date's month length
    let leap = ex::let_in(
        doc! {"yr": p("e", "year")},
        ex::or(vec![
            ex::and(vec![
                ex::eq(ex::modulo(v("yr"), 4), 0),
                ex::ne(ex::modulo(v("yr"), 100), 0),
            ]),
            ex::eq(ex::modulo(v("yr"), 400), 0),
        ]),
    );
    let dim = ex::array_elem_at(
        Bson::Array(vec![
            Bson::Int32(31),
            ex::cond(leap, 29, 28).into(),
            Bson::Int32(31),
            Bson::Int32(30),
            Bson::Int32(31),
            Bson::Int32(30),
            Bson::Int32(31),
            Bson::Int32(31),
            Bson::Int32(30),
            Bson::Int32(31),
            Bson::Int32(30),
            Bson::Int32(31),
        ]),
        ex::subtract(p("e", "month"), 1),
    );
    let borrow = |val: &str, base: Bson, next: &str| -> (Bson, Bson) {
        // (value, next field) after one borrow
        (
            ex::cond(
                ex::lt(v(val), 0),
                ex::add(vec![v(val).into(), base]),
                v(val),
            )
            .into(),
            ex::cond(ex::lt(v(val), 0), ex::subtract(v(next), 1), v(next)).into(),
        )
    };
    let (ms1, sec1) = borrow("ms", Bson::Int32(1000), "sec");
    let (sec2, min1) = borrow("sec", Bson::Int32(60), "min");
    let (min2, hour1) = borrow("min", Bson::Int32(60), "hour");
    let (hour2, day1) = borrow("hour", Bson::Int32(24), "day");
    let (day2, mon1) = borrow("day", v("dim").into(), "mon");
    let (mon2, year1) = borrow("mon", Bson::Int32(12), "year");
    let sign = |x: Bson| ex::multiply(vec![x, v("sg").into()]);
    let result = super::make_signed(
        sign(ex::add(vec![
            ex::multiply(vec![v("year").into(), Bson::Int32(12)]),
            v("mon").into(),
        ])),
        sign(v("day").into()),
        sign(ex::add(vec![
            ex::multiply(vec![
                ex::add(vec![
                    ex::multiply(vec![
                        ex::add(vec![
                            ex::multiply(vec![v("hour").into(), Bson::Int64(60)]),
                            v("min").into(),
                        ]),
                        Bson::Int64(60),
                    ]),
                    v("sec").into(),
                ]),
                Bson::Int64(1_000_000),
            ]),
            ex::multiply(vec![v("ms").into(), Bson::Int64(1000)]),
        ])),
    );
    let diff = |f: &str| ex::subtract(p("l", f), p("e", f));
    let body = ex::let_in(
        doc! {
            "ms": diff("millisecond"), "sec": diff("second"), "min": diff("minute"),
            "hour": diff("hour"), "day": diff("day"), "mon": diff("month"), "year": diff("year"),
            "dim": dim,
        },
        ex::let_in(
            doc! {"ms": ms1, "sec": sec1, "min": v("min"), "hour": v("hour"), "day": v("day"), "mon": v("mon"), "year": v("year"), "dim": v("dim")},
            ex::let_in(
                doc! {"ms": v("ms"), "sec": sec2, "min": min1, "hour": v("hour"), "day": v("day"), "mon": v("mon"), "year": v("year"), "dim": v("dim")},
                ex::let_in(
                    doc! {"ms": v("ms"), "sec": v("sec"), "min": min2, "hour": hour1, "day": v("day"), "mon": v("mon"), "year": v("year"), "dim": v("dim")},
                    ex::let_in(
                        doc! {"ms": v("ms"), "sec": v("sec"), "min": v("min"), "hour": hour2, "day": day1, "mon": v("mon"), "year": v("year"), "dim": v("dim")},
                        // a day count may need the month length twice (-31 + 28)
                        ex::let_in(
                            doc! {"ms": v("ms"), "sec": v("sec"), "min": v("min"), "hour": v("hour"), "day": day2.clone(), "mon": mon1.clone(), "year": v("year"), "dim": v("dim")},
                            ex::let_in(
                                doc! {"ms": v("ms"), "sec": v("sec"), "min": v("min"), "hour": v("hour"), "day": day2, "mon": mon1, "year": v("year")},
                                ex::let_in(
                                    doc! {"ms": v("ms"), "sec": v("sec"), "min": v("min"), "hour": v("hour"), "day": v("day"), "mon": mon2, "year": year1},
                                    result,
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    );
    ex::let_in(
        doc! {"ha": hi, "la": lo},
        ex::cond(
            crate::translate::nulls::or(vec![ex::is_null(v("ha")), ex::is_null(v("la"))]),
            Bson::Null,
            ex::let_in(
                doc! {
                    "sg": ex::cond(ex::lt(v("ha"), v("la")), -1, 1),
                    "l": parts(ex::max(vec![v("ha").into(), v("la").into()])),
                    "e": parts(ex::min(vec![v("ha").into(), v("la").into()])),
                },
                body,
            ),
        ),
    )
}

fn eval(plan: Bson, a: i64, b: i64) -> Option<Bson> {
    let d = doc! {"a": bson::DateTime::from_millis(a), "b": bson::DateTime::from_millis(b)};
    Compiled::compile(&plan)
        .and_then(|c| c.eval(&d, &Vars::new(bson::DateTime::from_millis(0))))
        .expect("the plan evaluates")
}

/// Milliseconds around month ends and leap days of 2023 - 2025.
fn instant() -> impl Strategy<Value = i64> {
    prop_oneof![
        // 2023-01-01 .. 2026-01-01, anywhere
        1_672_531_200_000i64..1_767_225_600_000,
        // the last and first days of months, to the millisecond
        (
            2023i32..2026,
            1u32..13,
            prop::sample::select(vec![1u32, 28, 29, 30, 31]),
            0i64..86_400_000
        )
            .prop_map(|(y, m, d, ms)| {
                let day = (1..=d)
                    .rev()
                    .find_map(|d| chrono::NaiveDate::from_ymd_opt(y, m, d))
                    .unwrap_or_default();
                day.and_hms_opt(0, 0, 0)
                    .unwrap_or_default()
                    .and_utc()
                    .timestamp_millis()
                    + ms
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn age_equals_the_step_by_step_plan(
        a in instant(),
        b in prop_oneof![instant(), Just(0i64)],
        zone in prop::sample::select(vec![None, Some("Europe/Paris"), Some("America/New_York"), Some("UTC")]),
    ) {
        let b = if b == 0 { a } else { b };
        let zone = zone.map(str::to_string);
        let new = super::age(ex::field("a").into(), ex::field("b").into(), zone.clone());
        let old = age_field_by_field(ex::field("a").into(), ex::field("b").into(), zone);
        prop_assert_eq!(eval(new, a, b), eval(old, a, b));
    }
}
