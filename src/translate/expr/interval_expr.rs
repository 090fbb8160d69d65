//! The MongoDB expressions over a computed interval, a `{months, days, micros}` document at run time
//! (`interval.rs` has the value itself): PostgreSQL's arithmetic (`interval_mul`, `interval_div`,
//! `justify_*`, `timestamp - timestamp`), its comparison span, `EXTRACT`, and its output text.

use super::interval::{Iv, USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC};
use crate::mql::expr as ex;
use bson::{doc, Bson, Document};

fn f(x: &str, field: &str) -> Bson {
    ex::var(&format!("{x}.{field}")).into()
}

/// `{months, days, micros}` from three expressions.
pub(crate) fn make(months: Bson, days: Bson, micros: Bson) -> Bson {
    Bson::Document(doc! {"months": months, "days": days, "micros": micros})
}

/// The interval `t - u` of two dates: PostgreSQL's `timestamp - timestamp` (days split out of the time,
/// `justify_hours`), MongoDB dates holding milliseconds.
pub(crate) fn between(t: Bson, u: Bson) -> Bson {
    ex::let_in(
        doc! {"us": ex::multiply(vec![ex::subtract(t, u), Bson::Int64(1000)])},
        ex::cond(
            ex::is_null(ex::var("us")),
            Bson::Null,
            make(
                Bson::Int32(0),
                ex::to_int(ex::trunc(ex::divide(ex::var("us"), USECS_PER_DAY))),
                ex::modulo(ex::var("us"), USECS_PER_DAY),
            ),
        ),
    )
}

/// `-x`.
pub(crate) fn negate(x: Bson) -> Bson {
    ex::let_in(
        doc! {"ia": x},
        ex::cond(
            ex::is_null(ex::var("ia")),
            Bson::Null,
            make(
                ex::subtract(0, f("ia", "months")),
                ex::subtract(0, f("ia", "days")),
                ex::subtract(Bson::Int64(0), f("ia", "micros")),
            ),
        ),
    )
}

/// What is known of an interval operand at translation time: fields that are 0 in every value (a
/// difference of two timestamps has no months; `INTERVAL '5 hours'` neither months nor days), and whether
/// it may be NULL. The arithmetic leaves out the steps those fields would feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Known {
    /// `months` is 0.
    pub no_months: bool,
    /// `days` is 0.
    pub no_days: bool,
    /// The value may be NULL.
    pub nullable: bool,
}

impl Known {
    /// Nothing known.
    pub(crate) const ANY: Known = Known {
        no_months: false,
        no_days: false,
        nullable: true,
    };
}

/// `x * n` / `x / n`: PostgreSQL's `interval_mul` / `interval_div` in double arithmetic. With `known`
/// zero months the month fraction that cascades into days and time is 0, and with zero days too the result
/// is the scaled time alone. A product by a whole factor (an integer column, `n % 2`) has no fraction of a
/// month or day to cascade either: each field is scaled alone, tested at run time (`fa` equal to its
/// truncation) unless `n` is a constant (the general plan computes the same values: `scale_tests.rs`).
pub(crate) fn scale(x: Bson, n: Bson, divide: bool, known: Known) -> Bson {
    scale_plan_where(x, n, divide, known, true, true)
}

/// `x * n` with `n` known whole and finite at translation when not NULL (an SQL integer: a column,
/// `n % 2`): [`scale`]'s whole-factor branch without its run-time test, and the fields of a constant `x`
/// (`c`, e.g. `INTERVAL '1 day'`) scaled as constants instead of read from a bound document (a zero field
/// is a zero of its type, a field of 1 the factor itself). The same values as [`scale`] for such a factor
/// (`scale_tests.rs`).
pub(crate) fn scale_whole(x: Bson, c: Option<Iv>, n: Bson, known: Known) -> Bson {
    scale_whole_plan(x, c, n, known, true)
}

/// [`scale_whole`], or (`in_place` false: the plan it is held equal to) of a computed `x` bound and read
/// by field.
pub(crate) fn scale_whole_plan(
    x: Bson,
    c: Option<Iv>,
    n: Bson,
    known: Known,
    in_place: bool,
) -> Bson {
    let fa = || -> Bson { ex::var("fa").into() };
    // the result's fields of the interval's (`ia`: a field of the bound or built interval; a constant's
    // scaled as constants)
    let body = |ia: &dyn Fn(&str) -> Bson| {
        // a field of the result: the constant `k` times the factor, or the interval's field times it
        let scaled = |field: &str, k: Option<Bson>| -> Bson {
            match k {
                Some(Bson::Int32(1) | Bson::Int64(1)) => fa(),
                Some(k) => ex::multiply(vec![k, fa()]),
                None => ex::multiply(vec![ia(field), fa()]),
            }
        };
        let (months, days, micros) = match c {
            Some(c) => (
                Some(Bson::Int32(c.months)),
                Some(Bson::Int32(c.days)),
                Some(Bson::Int64(c.micros)),
            ),
            None => (None, None, None),
        };
        make(
            if known.no_months || months == Some(Bson::Int32(0)) {
                Bson::Int32(0)
            } else {
                ex::to_int(scaled("months", months))
            },
            if known.no_days || days == Some(Bson::Int32(0)) {
                Bson::Int32(0)
            } else {
                ex::to_int(scaled("days", days))
            },
            if micros == Some(Bson::Int64(0)) {
                Bson::Int64(0)
            } else {
                ex::to_long(ex::round(scaled("micros", micros), 0))
            },
        )
    };
    match c {
        Some(_) => ex::let_in(
            doc! {"fa": ex::to_double(n)},
            ex::cond(
                ex::is_null(ex::var("fa")),
                Bson::Null,
                body(&|k| f("ia", k)),
            ),
        ),
        None => scaled_where_built(x, &n, known, in_place, &body),
    }
}

/// At most this many documents of an interval get a product computed where they are built (each gets its
/// own copy of the product's plan): past it the interval is bound, so products of sums do not grow their
/// plan geometrically.
pub(super) const MAX_BUILT_LEAVES: usize = 4;

/// How many values `x` can produce ([`ex::map_results`]'s leaves).
pub(super) fn leaves(x: &Bson) -> usize {
    let n = std::cell::Cell::new(0usize);
    ex::map_results(x.clone(), &|y| {
        n.set(n.get() + 1);
        y
    });
    n.get()
}

/// A product's plan of the interval's fields, each read by `field(name)` (`months`, `days`, `micros`).
type ScaledBody<'a> = dyn Fn(&dyn Fn(&str) -> Bson) -> Bson + 'a;

/// Whether `x` is an interval document of three numbers (a constant: bound, its fields are constants
/// where they are read already).
fn constant_interval(x: &Bson) -> bool {
    let number = |v: &Bson| matches!(v, Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_));
    matches!(parts(x.clone()), Ok((m, d, u)) if number(&m) && number(&d) && number(&u))
}

/// `body` of the fields of interval `x` (read by `ia(name)`) and of `fa`, the factor `n` as a double (NULL
/// when `x` or `n` is). Where `x` builds its document (`in_place`: through its `$let`s and `$cond`s,
/// [`ex::map_results`]), its three fields and `fa` are bound at once (`sm`, `sd`, `su`, `fa`: evaluated in
/// that order, after the rest of `x` and before `body`, as `x` then `n` are bound otherwise) instead of a
/// document built to be read by field; where `x` is NULL, `n` is still evaluated (its errors kept). Bound
/// instead when `n` reads a variable `x` binds, or `x` builds many documents.
fn scaled_where_built(
    x: Bson,
    n: &Bson,
    known: Known,
    in_place: bool,
    body: &ScaledBody<'_>,
) -> Bson {
    let fa = || ex::to_double(n.clone());
    let bound = |x: Bson| {
        let null_test = if known.nullable {
            crate::translate::nulls::or(vec![
                ex::is_null(ex::var("ia")),
                ex::is_null(ex::var("fa")),
            ])
        } else {
            ex::is_null(ex::var("fa"))
        };
        ex::let_in(
            doc! {"ia": x, "fa": fa()},
            ex::cond(null_test, Bson::Null, body(&|k| f("ia", k))),
        )
    };
    if !in_place
        || constant_interval(&x)
        || !ex::free_names(n).is_disjoint(&ex::bound_names(&x))
        || leaves(&x) > MAX_BUILT_LEAVES
    {
        return bound(x);
    }
    let built = |k: &str| -> Bson {
        ex::var(match k {
            "months" => "sm",
            "days" => "sd",
            _ => "su",
        })
        .into()
    };
    ex::map_results(x, &|y| match parts(y) {
        Ok((m, d, u)) => ex::let_in(
            doc! {"sm": m, "sd": d, "su": u, "fa": fa()},
            ex::cond(ex::is_null(ex::var("fa")), Bson::Null, body(&built)),
        ),
        Err(Bson::Null) => ex::let_in(doc! {"fa": fa()}, Bson::Null),
        Err(other) => bound(other),
    })
}

/// Whether `n` is a constant number, and if so whether it is whole.
fn whole_constant(n: &Bson) -> Option<bool> {
    match n {
        Bson::Int32(_) | Bson::Int64(_) => Some(true),
        Bson::Double(x) => Some(x.trunc() == *x),
        _ => None,
    }
}

/// [`scale`] of `x` bound and read by field, with the whole-factor branch or (`whole_branch` false: the
/// general plan it is held equal to) without it.
#[cfg(test)]
pub(crate) fn scale_plan(x: Bson, n: Bson, divide: bool, known: Known, whole_branch: bool) -> Bson {
    scale_plan_where(x, n, divide, known, whole_branch, false)
}

/// `x * n` / `x / n` with the whole-factor branch (`whole_branch`), computed where `x` builds its document
/// (`in_place`, [`scaled_where_built`]) or of `x` bound and read by field.
pub(crate) fn scale_plan_where(
    x: Bson,
    n: Bson,
    divide: bool,
    known: Known,
    whole_branch: bool,
    in_place: bool,
) -> Bson {
    let body_of = |ia: &dyn Fn(&str) -> Bson| -> Bson {
        // the fields scaled one by one: exact when the factor is whole (the general plan's month and day
        // remainders are then 0, and so is the carry)
        let whole = |known: Known| {
            let by = |v: Bson| ex::multiply(vec![v, ex::var("fa").into()]);
            make(
                if known.no_months {
                    Bson::Int32(0)
                } else {
                    ex::to_int(by(ia("months")))
                },
                if known.no_days {
                    Bson::Int32(0)
                } else {
                    ex::to_int(by(ia("days")))
                },
                ex::to_long(ex::round(by(ia("micros")), 0)),
            )
        };
        let whole_test = if divide || !whole_branch || (known.no_months && known.no_days) {
            Some(false)
        } else {
            whole_constant(&n)
        };
        let by = |v: Bson| {
            if divide {
                ex::divide(v, ex::var("fa"))
            } else {
                ex::multiply(vec![v, ex::var("fa").into()])
            }
        };
        let tsround =
            |v: Bson| ex::divide(ex::round(ex::multiply(vec![v, Bson::Double(1e6)]), 0), 1e6);
        // whole days out of the scaled time remainder `sr` (seconds), then the interval
        let finish = |months: Bson, days: Bson, month_days: Option<Bson>| {
            ex::let_in(
                doc! {"carry": ex::cond(
                    ex::gte(ex::abs(ex::var("sr")), 86_400.0),
                    ex::trunc(ex::divide(ex::var("sr"), 86_400.0)),
                    0,
                )},
                make(
                    months,
                    ex::to_int(ex::add(
                        [days, ex::var("carry").into()]
                            .into_iter()
                            .chain(month_days)
                            .collect(),
                    )),
                    ex::to_long(ex::round(
                        ex::add(vec![
                            by(ia("micros")),
                            ex::multiply(vec![
                                ex::subtract(
                                    ex::var("sr"),
                                    ex::multiply(vec![
                                        ex::var("carry").into(),
                                        Bson::Double(86_400.0),
                                    ]),
                                ),
                                Bson::Double(1e6),
                            ]),
                        ]),
                        0,
                    )),
                ),
            )
        };
        let body = if known.no_months && known.no_days {
            make(
                Bson::Int32(0),
                Bson::Int32(0),
                ex::to_long(ex::round(by(ia("micros")), 0)),
            )
        } else if known.no_months {
            ex::let_in(
                doc! {"dp": by(ia("days"))},
                ex::let_in(
                    doc! {"rd": ex::trunc(ex::var("dp"))},
                    ex::let_in(
                        doc! {"sr": tsround(ex::multiply(vec![
                            ex::subtract(ex::var("dp"), ex::var("rd")),
                            Bson::Double(86_400.0),
                        ]))},
                        finish(Bson::Int32(0), ex::var("rd").into(), None),
                    ),
                ),
            )
        } else {
            ex::let_in(
                doc! {"mp": by(ia("months")), "dp": by(ia("days"))},
                ex::let_in(
                    doc! {"rm": ex::trunc(ex::var("mp")), "rd": ex::trunc(ex::var("dp"))},
                    ex::let_in(
                        doc! {"mrd": tsround(ex::multiply(vec![ex::subtract(ex::var("mp"), ex::var("rm")), Bson::Double(30.0)]))},
                        ex::let_in(
                            doc! {"sr": tsround(ex::multiply(vec![
                                ex::add(vec![
                                    ex::subtract(ex::var("dp"), ex::var("rd")),
                                    ex::subtract(ex::var("mrd"), ex::trunc(ex::var("mrd"))),
                                ]),
                                Bson::Double(86_400.0),
                            ]))},
                            finish(
                                ex::to_int(ex::var("rm")),
                                ex::var("rd").into(),
                                Some(ex::trunc(ex::var("mrd"))),
                            ),
                        ),
                    ),
                ),
            )
        };
        match whole_test {
            Some(false) => body,
            Some(true) => whole(known),
            None => ex::cond(
                ex::eq(ex::var("fa"), ex::trunc(ex::var("fa"))),
                whole(known),
                body,
            )
            .into(),
        }
    };
    scaled_where_built(x, &n, known, in_place, &body_of)
}

/// `justify_hours` (`hours`), `justify_days` (`days`) or `justify_interval` (both), as PostgreSQL
/// (`interval_justify_*`): whole days out of the time, whole months of 30 days out of the days, then the
/// signs of months / days / time made to agree by borrowing one unit. The fields are carried as three
/// variables (`m`, `d`, `t`) and one document is built at the end. Computed where `x` builds its document
/// (through its `$let`s and `$cond` branches, [`ex::map_results`]): the three expressions `x` would put in
/// its `{months, days, micros}` are bound at once, evaluated where `x` evaluated them, instead of a
/// document built to be taken apart; any other value of `x` is bound and read by field ([`justify_plan`]).
pub(crate) fn justify(x: Bson, hours: bool, days: bool) -> Bson {
    justify_plan(x, hours, days, true)
}

/// [`justify`], or (`in_place` false: the plan it is held equal to) of `x` bound and read by field.
pub(crate) fn justify_plan(x: Bson, hours: bool, days: bool, in_place: bool) -> Bson {
    of_parts(x, in_place, &|m, d, u| justify_fields(m, d, u, hours, days))
}

/// `g` of the three fields of interval `x` (NULL stays NULL): where `x` builds its document (`in_place`:
/// through its `$let`s and `$cond` branches, [`ex::map_results`]), else, and for any value not built there,
/// of `x` bound and read by field.
pub(super) fn of_parts(x: Bson, in_place: bool, g: &dyn Fn(Bson, Bson, Bson) -> Bson) -> Bson {
    let bound = |x: Bson| {
        ex::let_in(
            doc! {"ia": x},
            ex::cond(
                ex::is_null(ex::var("ia")),
                Bson::Null,
                g(f("ia", "months"), f("ia", "days"), f("ia", "micros")),
            ),
        )
    };
    if !in_place {
        return bound(x);
    }
    let leaf = |x: Bson| match parts(x) {
        Ok((m, d, u)) => g(m, d, u),
        Err(Bson::Null) => Bson::Null,
        Err(other) => bound(other),
    };
    ex::map_results(x, &leaf)
}

/// The three expressions of an interval document `{months, days, micros}` a plan builds (exactly those
/// keys, in that order); any other value is given back.
pub(super) fn parts(x: Bson) -> Result<(Bson, Bson, Bson), Bson> {
    match x {
        Bson::Document(mut d)
            if d.keys()
                .map(String::as_str)
                .eq(["months", "days", "micros"]) =>
        {
            let mut take = |k: &str| d.remove(k).unwrap_or(Bson::Null);
            Ok((take("months"), take("days"), take("micros")))
        }
        other => Err(other),
    }
}

/// [`justify`] of the interval whose fields are `months`, `days` and `micros` (bound first, as `m`, `d`
/// and `u`, in the scope the three are given in).
fn justify_fields(months: Bson, days_: Bson, micros: Bson, hours: bool, days: bool) -> Bson {
    let v = |n: &str| -> Bson { ex::var(n).into() };
    // the sign fix of one step: 1 (borrow), -1 (lend) or 0
    let fix = |pos: ex::Expr, neg: ex::Expr| ex::cond(pos, 1, ex::cond(neg, -1, 0));
    // months and days agree: m - fx, d + 30 fx (justify_interval also looks at the time when d is 0)
    let months_fix = |tail: Bson| {
        let (pos, neg) = if hours {
            (
                ex::or(vec![
                    ex::lt(v("d"), 0),
                    ex::and(vec![ex::eq(v("d"), 0), ex::lt(v("t"), 0)]),
                ]),
                ex::or(vec![
                    ex::gt(v("d"), 0),
                    ex::and(vec![ex::eq(v("d"), 0), ex::gt(v("t"), 0)]),
                ]),
            )
        } else {
            (ex::lt(v("d"), 0), ex::gt(v("d"), 0))
        };
        ex::let_in(
            doc! {"fx": fix(
                ex::and(vec![ex::gt(v("m"), 0), pos]),
                ex::and(vec![ex::lt(v("m"), 0), neg]),
            )},
            ex::let_in(
                doc! {
                    "m": ex::subtract(v("m"), v("fx")),
                    "d": ex::add(vec![v("d"), ex::multiply(vec![v("fx"), Bson::Int32(30)])]),
                },
                tail,
            ),
        )
    };
    // days and time agree: d - fd, t + fd days
    let time_fix = ex::let_in(
        doc! {"fd": fix(
            ex::and(vec![ex::gt(v("d"), 0), ex::lt(v("t"), 0)]),
            ex::and(vec![ex::lt(v("d"), 0), ex::gt(v("t"), 0)]),
        )},
        make(
            v("m"),
            ex::subtract(v("d"), v("fd")),
            ex::add(vec![
                v("t"),
                ex::multiply(vec![v("fd"), Bson::Int64(USECS_PER_DAY)]),
            ]),
        ),
    );
    // whole months out of the days
    let month_step = |tail: Bson| {
        ex::let_in(
            doc! {
                "m": ex::add(vec![v("m"), ex::to_int(ex::trunc(ex::divide(v("d"), 30)))]),
                "d": ex::modulo(v("d"), 30),
            },
            months_fix(tail),
        )
    };
    let whole = |tail: Bson| ex::let_in(doc! {"m": months, "d": days_, "u": micros}, tail);
    match (hours, days) {
        (true, _) => {
            let tail = if days { month_step(time_fix) } else { time_fix };
            // whole days out of the time
            whole(ex::let_in(
                doc! {
                    "d": ex::add(vec![
                        v("d"),
                        ex::to_int(ex::trunc(ex::divide(v("u"), USECS_PER_DAY))),
                    ]),
                    "t": ex::modulo(v("u"), USECS_PER_DAY),
                },
                tail,
            ))
        }
        (false, true) => whole(month_step(make(v("m"), v("d"), v("u")))),
        (false, false) => whole(make(v("m"), v("d"), v("u"))),
    }
}

/// The span PostgreSQL compares intervals by (a month is 30 days), in microseconds, or milliseconds with
/// `millis` (to compare with the milliseconds of a date difference). Computed where `x` builds its
/// document ([`with_fields`]), not from a document built to be taken apart.
pub(crate) fn span(x: Bson, millis: bool) -> Bson {
    span_plan(x, millis, true)
}

/// [`span`], or (`in_place` false: the plan it is held equal to) of `x` bound and read by field.
pub(crate) fn span_plan(x: Bson, millis: bool, in_place: bool) -> Bson {
    let (day, div) = if millis {
        (86_400_000i64, Some(1000))
    } else {
        (USECS_PER_DAY, None)
    };
    let of = move |months: Bson, days: Bson, micros: Bson| {
        let micros = match div {
            Some(d) => ex::divide(micros, d),
            None => micros,
        };
        ex::add(vec![
            ex::multiply(vec![months, Bson::Int64(30 * day)]),
            ex::multiply(vec![days, Bson::Int64(day)]),
            micros,
        ])
    };
    if in_place {
        with_fields(x, &of)
    } else {
        ex::let_in(
            doc! {"ia": x},
            of(f("ia", "months"), f("ia", "days"), f("ia", "micros")),
        )
    }
}

/// `of(months, days, micros)` of interval `x`, computed where `x`'s plan builds its document: through its
/// `$let`s and the branches of its `$cond`s ([`ex::map_results`]) down to each `{months, days, micros}` it
/// builds, which becomes `of` of its three expressions (a NULL branch stays NULL); a field or a variable is
/// read by path; any other value is bound to `ia` and read by field, as a document. `of` must use each
/// argument once, in order, and name no variable of its own (it runs inside `x`'s `$let`s), and map NULL
/// fields to NULL: then the value is the same.
fn with_fields(x: Bson, of: &dyn Fn(Bson, Bson, Bson) -> Bson) -> Bson {
    let leaf = |x: Bson| match parts(x) {
        Ok((m, d, u)) => of(m, d, u),
        Err(Bson::Null) => Bson::Null,
        // `$iv.months` is `$$ia.months` of `ia` bound to `$iv` (a missing value is NULL bound and a
        // missing field read alike)
        Err(Bson::String(path)) if ex::extends_by_path(&path) => of(
            Bson::String(format!("{path}.months")),
            Bson::String(format!("{path}.days")),
            Bson::String(format!("{path}.micros")),
        ),
        Err(other) => ex::let_in(
            doc! {"ia": other},
            of(f("ia", "months"), f("ia", "days"), f("ia", "micros")),
        ),
    };
    ex::map_results(x, &leaf)
}

/// `EXTRACT(EPOCH FROM interval)`: years of 365.25 days, months of 30 days.
pub(crate) fn epoch(x: Bson) -> Bson {
    ex::let_in(
        doc! {"ia": x},
        ex::add(vec![
            ex::multiply(vec![
                ex::trunc(ex::divide(f("ia", "months"), 12)),
                Bson::Double(365.25 * 86_400.0),
            ]),
            ex::multiply(vec![
                ex::modulo(f("ia", "months"), 12),
                Bson::Int64(30 * 86_400),
            ]),
            ex::multiply(vec![f("ia", "days"), Bson::Int64(86_400)]),
            ex::divide(f("ia", "micros"), 1e6),
        ]),
    )
}

/// A field of an interval for `EXTRACT(field FROM interval)`: year, month, day, hour, minute, second.
pub(crate) fn field(x: Bson, name: &str) -> Option<Bson> {
    let body = match name {
        "year" => ex::trunc(ex::divide(f("ia", "months"), 12)),
        "month" => ex::modulo(f("ia", "months"), 12),
        "day" => f("ia", "days"),
        "hour" => ex::trunc(ex::divide(f("ia", "micros"), USECS_PER_HOUR)),
        "minute" => ex::modulo(
            ex::trunc(ex::divide(f("ia", "micros"), USECS_PER_MINUTE)),
            60,
        ),
        "second" => ex::divide(ex::modulo(f("ia", "micros"), USECS_PER_MINUTE), 1e6),
        _ => return None,
    };
    Some(ex::let_in(doc! {"ia": x}, body))
}

/// `ts + x` at run time (PostgreSQL adds the months, then the days, then the time); `minus` subtracts. The
/// months and days move the wall clock of `zone` (the session time zone) when given.
pub(crate) fn shift_date(ts: Bson, x: Bson, minus: bool, zone: Option<String>) -> Bson {
    let amount = |v: Bson| {
        if minus {
            ex::subtract(0, v)
        } else {
            v
        }
    };
    let zoned = |mut spec: bson::Document| {
        if let Some(z) = &zone {
            spec.insert("timezone", z.clone());
        }
        spec
    };
    let by_month = ex::date_add(zoned(
        doc! {"startDate": ts, "unit": "month", "amount": amount(f("ia", "months"))},
    ));
    let by_day = ex::date_add(zoned(
        doc! {"startDate": by_month, "unit": "day", "amount": amount(f("ia", "days"))},
    ));
    let ms = ex::to_long(ex::trunc(ex::divide(f("ia", "micros"), 1000)));
    let by_ms =
        ex::date_add(doc! {"startDate": by_day, "unit": "millisecond", "amount": amount(ms)});
    ex::let_in(doc! {"ia": x}, by_ms)
}

/// PostgreSQL's text of an interval value (NULL stays NULL). Computed where `x` builds its document
/// (through its `$let`s and `$cond` branches, [`ex::map_results`]): the three expressions `x` would put in
/// its `{months, days, micros}` are bound at once, so fields known at translation (a product of
/// `INTERVAL '1 hour'` has no months or days) are constants the engine folds the text of; any other value
/// of `x` is bound and read by field ([`format_plan`]).
pub(crate) fn format(x: Bson) -> Bson {
    format_plan(x, true)
}

/// [`format`], or (`in_place` false: the plan it is held equal to) of `x` bound and read by field.
pub(crate) fn format_plan(x: Bson, in_place: bool) -> Bson {
    of_parts(x, in_place, &text_of)
}

/// The text of the interval whose fields are `months`, `days` and `micros` (bound first, in this order, in
/// the scope the three are given in; NULL fields give NULL).
fn text_of(months: Bson, days: Bson, micros: Bson) -> Bson {
    let s = ex::to_string;
    let part = |v: &str, unit: &str, sep: Bson, plus: Bson| {
        ex::cond(
            ex::eq(ex::var(v), 0),
            "",
            ex::concat(vec![
                sep,
                plus,
                s(ex::var(v)),
                Bson::String(format!(" {unit}")),
                ex::cond(ex::eq(ex::var(v), 1), "", "s").into(),
            ]),
        )
    };
    let ne0 = |v: &str| ex::ne(ex::var(v), 0);
    let pad2 = |v: Bson| {
        ex::let_in(
            doc! {"p": v},
            ex::cond(
                ex::lt(ex::var("p"), 10),
                ex::concat(vec![Bson::String("0".into()), s(ex::var("p"))]),
                s(ex::var("p")),
            ),
        )
    };
    // "before" after each date part: whether the last non-zero part was negative.
    let b_y = ex::cond(ne0("y"), ex::lt(ex::var("y"), 0), false);
    let b_m = ex::cond(ne0("mo"), ex::lt(ex::var("mo"), 0), ex::var("by"));
    let b_d = ex::cond(ne0("d"), ex::lt(ex::var("d"), 0), ex::var("bm"));
    let any_y = ne0("y");
    let any_m = ex::or(vec![ex::var("ay"), ne0("mo")]);
    let any_d = ex::or(vec![ex::var("am"), ne0("d")]);
    let sep = |any: &str| ex::cond(ex::var(any), " ", "");
    let plus = |before: &str, v: &str| {
        ex::cond(
            ex::and(vec![ex::var(before), ex::gt(ex::var(v), 0)]),
            "+",
            "",
        )
    };
    let frac = ex::let_in(
        doc! {"fr": ex::modulo(ex::var("at"), USECS_PER_SEC)},
        ex::cond(
            ex::eq(ex::var("fr"), 0),
            "",
            ex::concat(vec![
                Bson::String(".".into()),
                ex::trim(
                    ex::TrimEnds::Trailing,
                    ex::substr_cp(
                        s(ex::add(vec![ex::var("fr").into(), Bson::Int64(USECS_PER_SEC)]).into()),
                        1,
                        6,
                    ),
                    Some(Bson::String("0".into())),
                ),
            ]),
        ),
    );
    // Whole seconds exactly: the whole-second part of `at` divided (a multiple of 10^6, so the quotient is
    // exact once rounded even where `at` itself, past 2^53, is not a double), then hours and minutes of a
    // value below 2^53.
    let whole = |unit: i64| ex::to_long(ex::trunc(ex::divide(ex::var("as"), unit / USECS_PER_SEC)));
    let time = ex::cond(
        ex::or(vec![ex::not(ex::var("ad")), ne0("t")]),
        ex::let_in(
            doc! {"at": ex::abs(ex::var("t"))},
            ex::let_in(
                doc! {"as": ex::to_long(ex::round(
                    ex::divide(ex::subtract(ex::var("at"), ex::modulo(ex::var("at"), USECS_PER_SEC)), USECS_PER_SEC),
                    0,
                ))},
                ex::concat(vec![
                    sep("ad").into(),
                    ex::cond(
                        ex::lt(ex::var("t"), 0),
                        "-",
                        ex::cond(ex::var("bd"), "+", ""),
                    )
                    .into(),
                    pad2(whole(USECS_PER_HOUR)),
                    Bson::String(":".into()),
                    pad2(ex::modulo(whole(USECS_PER_MINUTE), 60)),
                    Bson::String(":".into()),
                    pad2(ex::modulo(ex::var("as"), 60)),
                    frac,
                ]),
            ),
        ),
        "",
    );
    let text = ex::let_in(
        doc! {
            "y": ex::to_int(ex::trunc(ex::divide(ex::var("mm"), 12))),
            "mo": ex::modulo(ex::var("mm"), 12),
        },
        ex::let_in(
            doc! {"by": b_y, "ay": any_y},
            ex::let_in(
                doc! {"bm": b_m, "am": any_m},
                ex::let_in(
                    doc! {"bd": b_d, "ad": any_d},
                    ex::concat(vec![
                        part(
                            "y",
                            "year",
                            Bson::String(String::new()),
                            Bson::String(String::new()),
                        )
                        .into(),
                        part("mo", "mon", sep("ay").into(), plus("by", "mo").into()).into(),
                        part("d", "day", sep("am").into(), plus("bm", "d").into()).into(),
                        time.into(),
                    ]),
                ),
            ),
        ),
    );
    // Most intervals printed have no months, and many no days either (a product of `INTERVAL '1 hour'`, a
    // difference of two timestamps a few hours apart): for those the text is the one of a known zero
    // field, whose year / month / day parts the engine folds to constants once (the variables rebound to
    // 0), instead of the dozen variables and tests of the general text evaluated per row. A field known at
    // translation is not tested (its constant is folded in the general text already).
    let number = |v: &Bson| matches!(v, Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_));
    let (months_known, days_known) = (number(&months), number(&days));
    let zero = |names: &[&str]| {
        if names.is_empty() {
            return text.clone();
        }
        let mut vars = Document::new();
        for n in names {
            vars.insert(*n, Bson::Int32(0));
        }
        ex::let_in(vars, text.clone())
    };
    let days_tested = |months_zero: bool| -> Bson {
        let base: &[&str] = if months_zero { &["mm"] } else { &[] };
        if days_known {
            return zero(base);
        }
        let with_days: Vec<&str> = base.iter().copied().chain(["d"]).collect();
        ex::cond(ex::eq(ex::var("d"), 0), zero(&with_days), zero(base)).into()
    };
    let body = if months_known {
        days_tested(false)
    } else {
        ex::cond(ex::eq(ex::var("mm"), 0), days_tested(true), text.clone()).into()
    };
    ex::let_in(doc! {"mm": months, "d": days, "t": micros}, body)
}
