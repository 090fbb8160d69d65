//! GREATEST / LEAST of intervals: by PostgreSQL's order of intervals (their span, a month being 30 days),
//! NULL arguments ignored, of equal spans the first argument (PostgreSQL keeps the first of equal values).
//!
//! Each argument is bound once, its span computed once from it, the extreme span taken by `$max` / `$min`
//! (which skip NULL), and the first argument whose span is that one is the value: no document built per
//! argument to be compared and taken apart ([`extreme_plan`] without `by_spans` is that plan:
//! `{s: span, i: position, v: value}` candidates).

use super::interval;
use crate::mql::expr as ex;
use bson::{doc, Bson, Document};

/// GREATEST (`greatest`) or LEAST of the interval expressions `xs`.
pub(crate) fn extreme(xs: Vec<Bson>, greatest: bool) -> Bson {
    extreme_plan(xs, greatest, true)
}

/// [`extreme`] (`by_spans`), or the plan it is held equal to: `{s, i, v}` candidate documents (NULL
/// none) of which `$max` / `$min` keeps the extreme span, of equal spans the first position (`i` negated
/// for GREATEST), and its `v`.
pub(crate) fn extreme_plan(xs: Vec<Bson>, greatest: bool, by_spans: bool) -> Bson {
    let pick = |args: Vec<Bson>| {
        if greatest {
            ex::max(args)
        } else {
            ex::min(args)
        }
    };
    if !by_spans {
        let parts = xs
            .into_iter()
            .enumerate()
            .map(|(i, x)| {
                let i = i as i32;
                ex::let_in(
                    doc! {"v": x},
                    ex::cond(
                        ex::is_null(ex::var("v")),
                        Bson::Null,
                        doc! {
                            "s": interval::span(ex::var("v").into(), false),
                            "i": if greatest { -i } else { i },
                            "v": ex::var("v"),
                        },
                    ),
                )
            })
            .collect();
        return ex::let_in(doc! {"m": pick(parts)}, ex::var("m.v"));
    }
    let value = |i: usize| format!("gv{i}");
    let spanned = |i: usize| format!("gs{i}");
    let n = xs.len();
    let values: Document = xs
        .into_iter()
        .enumerate()
        .map(|(i, x)| (value(i), x))
        .collect();
    let spans: Document = (0..n)
        .map(|i| {
            let s = interval::span(ex::var(&value(i)).into(), false);
            (spanned(i), s)
        })
        .collect();
    let extreme = pick((0..n).map(|i| ex::var(&spanned(i)).into()).collect());
    // the first argument whose span is the extreme one (all NULL: the extreme is NULL, and so is the
    // first argument)
    let first = (0..n).rev().fold(Bson::Null, |rest, i| {
        ex::cond(
            ex::eq(ex::var(&spanned(i)), ex::var("gm")),
            ex::var(&value(i)),
            rest,
        )
        .into()
    });
    ex::let_in(
        values,
        ex::let_in(spans, ex::let_in(doc! {"gm": extreme}, first)),
    )
}
