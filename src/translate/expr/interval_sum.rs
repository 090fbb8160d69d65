//! `a ± b` of two computed intervals and `a ± c` of one and a constant, computed where the operands build
//! their `{months, days, micros}` documents (through their `$let`s and `$cond` branches,
//! [`ex::map_results`]) instead of each operand's document built, bound and taken apart by field and a
//! third document built for the sum. The plans they replace ([`add_plan`] / [`add_constant_plan`] with
//! `in_place` false) are the reference the property tests (`interval_sum_tests.rs`) hold them equal to.

use super::interval::Iv;
use super::interval_expr::{leaves, make, parts, MAX_BUILT_LEAVES};
use crate::mql::expr as ex;
use bson::{doc, Bson, Document};

fn f(x: &str, field: &str) -> Bson {
    ex::var(&format!("{x}.{field}")).into()
}

/// `a ± b` field by field (NULL when either is).
pub(crate) fn add(a: Bson, b: Bson, minus: bool) -> Bson {
    add_plan(a, b, minus, true)
}

/// [`add`], or (`in_place` false: the plan it is held equal to) both operands bound and read by field.
///
/// In place: each document `a` builds has its three fields bound (names `b` does not use), and `b`, placed
/// there, builds the sum instead of its own document. `a` is evaluated first and `b` after it as before;
/// where `a` is NULL, `b` is still evaluated (its errors kept) and the sum is NULL. Bound instead when `b`
/// reads a variable a `$let` of `a` binds (it would see `a`'s), or `a` builds many documents (each gets
/// its own copy of `b`: [`MAX_BUILT_LEAVES`]).
pub(crate) fn add_plan(a: Bson, b: Bson, minus: bool, in_place: bool) -> Bson {
    if !in_place
        || !ex::free_names(&b).is_disjoint(&ex::bound_names(&a))
        || leaves(&a) > MAX_BUILT_LEAVES
    {
        return bound(a, b, minus);
    }
    let taken = ex::all_names(&b);
    let fresh = |base: &str| {
        let mut name = base.to_string();
        let mut i = 0;
        while taken.contains(&name) || name == "ib" {
            i += 1;
            name = format!("{base}{i}");
        }
        name
    };
    let (am, ad, au) = (fresh("am"), fresh("ad"), fresh("au"));
    let comb = |x: Bson, y: Bson| {
        if minus {
            ex::subtract(x, y)
        } else {
            ex::add(vec![x, y])
        }
    };
    let v = |n: &str| -> Bson { ex::var(n).into() };
    // where `b` builds its value, `a`'s fields bound as `am`, `ad`, `au`
    let leaf_b = |y: Bson| match parts(y) {
        Ok((m, d, u)) => make(comb(v(&am), m), comb(v(&ad), d), comb(v(&au), u)),
        Err(Bson::Null) => Bson::Null,
        Err(other) => ex::let_in(
            doc! {"ib": other},
            ex::cond(
                ex::is_null(ex::var("ib")),
                Bson::Null,
                make(
                    comb(v(&am), f("ib", "months")),
                    comb(v(&ad), f("ib", "days")),
                    comb(v(&au), f("ib", "micros")),
                ),
            ),
        ),
    };
    let leaf_a = |x: Bson| match parts(x) {
        Ok((m, d, u)) => {
            let mut vars = Document::new();
            vars.insert(am.clone(), m);
            vars.insert(ad.clone(), d);
            vars.insert(au.clone(), u);
            ex::let_in(vars, ex::map_results(b.clone(), &leaf_b))
        }
        // `b` evaluated all the same (PostgreSQL evaluates both operands), its value not used
        Err(Bson::Null) => ex::let_in(doc! {"ib": b.clone()}, Bson::Null),
        Err(other) => bound(other, b.clone(), minus),
    };
    ex::map_results(a, &leaf_a)
}

/// `a ± b` of both operands bound (`ia`, `ib`) and read by field.
fn bound(a: Bson, b: Bson, minus: bool) -> Bson {
    let comb = |x: Bson, y: Bson| {
        if minus {
            ex::subtract(x, y)
        } else {
            ex::add(vec![x, y])
        }
    };
    ex::let_in(
        doc! {"ia": a, "ib": b},
        ex::cond(
            crate::translate::nulls::or(vec![
                ex::is_null(ex::var("ia")),
                ex::is_null(ex::var("ib")),
            ]),
            Bson::Null,
            make(
                comb(f("ia", "months"), f("ib", "months")),
                comb(f("ia", "days"), f("ib", "days")),
                comb(f("ia", "micros"), f("ib", "micros")),
            ),
        ),
    )
}

/// `a ± c` of a computed interval and a constant one: each field of `a` with the constant's added (left as
/// it is where that is 0); NULL when `a` is.
pub(crate) fn add_constant(a: Bson, c: Iv, minus: bool) -> Bson {
    add_constant_plan(a, c, minus, true)
}

/// [`add_constant`], or (`in_place` false: the plan it is held equal to) of `a` bound and read by field.
/// In place, each document `a` builds gets the constant's fields added to its own (they read no variable).
pub(crate) fn add_constant_plan(a: Bson, c: Iv, minus: bool, in_place: bool) -> Bson {
    let comb = |x: Bson, k: Bson, zero: bool| {
        if zero {
            x
        } else if minus {
            ex::subtract(x, k)
        } else {
            ex::add(vec![x, k])
        }
    };
    let of = |m: Bson, d: Bson, u: Bson| {
        make(
            comb(m, Bson::Int32(c.months), c.months == 0),
            comb(d, Bson::Int32(c.days), c.days == 0),
            comb(u, Bson::Int64(c.micros), c.micros == 0),
        )
    };
    super::interval_expr::of_parts(a, in_place, &of)
}
