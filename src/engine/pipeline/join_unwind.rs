//! `$lookup` immediately followed by `$unwind` of its `as` field, as mongod coalesces the two: each joined
//! document becomes one output document (a copy of the outer document with it in the `as` field), without the
//! array ever being built.
//!
//! In: an outer document and its joined documents (shared with a cache or owned); out: the unwound documents,
//! or (into a `$group`, or through `join_through`'s `$match`es and `$project`) each of them handed on in turn
//! in one document reused. Depends on `reshape`, `limits`.

use super::join::Matched;
use super::reshape::{set_field, unset_field};
use crate::engine::limits::{check_intermediate, check_intermediate_shape, shape, Shape};
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::rc::Rc;

/// `$lookup` immediately followed by `$unwind` of its `as` field (mongod coalesces the two): each joined
/// document becomes one output document, without the array ever being built.
pub(super) fn unwind_into(
    mut d: Document,
    as_field: &str,
    matched: Matched,
    index: Option<&str>,
    preserve: bool,
    out: &mut Vec<Document>,
) {
    if matched.is_empty() {
        if preserve {
            unset_field(&mut d, as_field);
            if let Some(ix) = index {
                set_field(&mut d, ix, Bson::Null);
            }
            out.push(d);
        }
        return;
    }
    let n = matched.len();
    let mut one = |i: usize, fd: Document| {
        let mut nd = if i + 1 == n {
            std::mem::take(&mut d)
        } else {
            d.clone()
        };
        set_field(&mut nd, as_field, Bson::Document(fd));
        if let Some(ix) = index {
            set_field(&mut nd, ix, Bson::Int64(i as i64));
        }
        out.push(nd);
    };
    // Shared with a cache: each joined document copied once, into its row.
    match Rc::try_unwrap(matched) {
        Ok(docs) => docs.into_iter().enumerate().for_each(|(i, fd)| one(i, fd)),
        Err(shared) => shared
            .iter()
            .enumerate()
            .for_each(|(i, fd)| one(i, fd.clone())),
    }
}

/// Checks every document unwinding `matched` into `d` makes, as [`check_intermediate`] checks it, by its
/// shape: `as_field` (and `index`) are first set where `set_field` puts them (in place when the outer
/// document has them, else last), a null of no bytes and a 64-bit integer of the same size in every unwound
/// document, so the document with a joined `m` there is `d` plus `m`'s bytes, one level deeper where `m`
/// nests.
fn check_rows(
    d: &mut Document,
    as_field: &str,
    matched: &Matched,
    index: Option<&str>,
) -> Result<(), CommandError> {
    set_field(d, as_field, Bson::Null);
    if let Some(ix) = index {
        set_field(d, ix, Bson::Int64(0));
    }
    let base = shape(d);
    for m in matched.iter() {
        let s = shape(m);
        check_intermediate_shape(Shape {
            bytes: base.bytes + s.bytes,
            depth: base.depth.max(1 + s.depth),
        })?;
    }
    Ok(())
}

/// [`unwind_into`], every unwound document checked as [`check_intermediate`] checks it, by its shape from
/// the outer document's and the joined document's (as [`unwind_each`] checks them: the BSON sizes add up),
/// instead of a walk of each whole unwound document. Fails before any document is added to `out`.
pub(super) fn unwind_into_checked(
    mut d: Document,
    as_field: &str,
    matched: Matched,
    index: Option<&str>,
    preserve: bool,
    out: &mut Vec<Document>,
) -> Result<(), CommandError> {
    if matched.is_empty() {
        let at = out.len();
        unwind_into(d, as_field, matched, index, preserve, out);
        return check_intermediate(&out[at..]);
    }
    check_rows(&mut d, as_field, &matched, index)?;
    unwind_into(d, as_field, matched, index, preserve, out);
    Ok(())
}

/// [`unwind_into`] made one unwound document at a time in the outer document itself, for a consumer that
/// reads each and keeps none or few (a `$group`, a `$match` then a `$project`: `join_through`): the joined
/// document is written into its `as` field (and its position into `index`, which must lie outside that
/// field: [`in_place_index`]) before each call of `each`, instead of each unwound document being a copy.
/// `each` also learns whether the document is the last one (it may then take it). The same documents in
/// the same order as [`unwind_into`], with the same checks: every unwound document of the outer one passes
/// [`check_intermediate`] before the first goes on (each one's shape from the outer document's and the
/// joined document's, as the BSON sizes add up).
pub(super) fn unwind_each(
    mut d: Document,
    as_field: &str,
    matched: Matched,
    index: Option<&str>,
    preserve: bool,
    each: &mut dyn FnMut(&mut Document, bool) -> Result<(), CommandError>,
) -> Result<(), CommandError> {
    if matched.is_empty() {
        if preserve {
            unset_field(&mut d, as_field);
            if let Some(ix) = index {
                set_field(&mut d, ix, Bson::Null);
            }
            check_intermediate(std::slice::from_ref(&d))?;
            each(&mut d, true)?;
        }
        return Ok(());
    }
    check_rows(&mut d, as_field, &matched, index)?;
    let n = matched.len();
    let mut one = |i: usize, fd: Document| -> Result<(), CommandError> {
        crate::engine::ops::check()?;
        set_field(&mut d, as_field, Bson::Document(fd));
        if let Some(ix) = index {
            set_field(&mut d, ix, Bson::Int64(i as i64));
        }
        each(&mut d, i + 1 == n)
    };
    // Shared with a cache: each joined document copied once, into its row.
    match Rc::try_unwrap(matched) {
        Ok(docs) => docs
            .into_iter()
            .enumerate()
            .try_for_each(|(i, fd)| one(i, fd)),
        Err(shared) => shared
            .iter()
            .enumerate()
            .try_for_each(|(i, fd)| one(i, fd.clone())),
    }
}

/// What [`unwind_view`] hands each row to: the outer document and the joined one.
pub(super) type RowFn<'f> =
    dyn FnMut(&Document, Option<&Document>) -> Result<(), CommandError> + 'f;

/// [`unwind_each`] for a consumer that reads only field paths of each unwound document (a projection of
/// reads: `projection_view.rs`): no document is made; `each` gets the outer document and the joined one
/// (`None`: the outer document kept by `preserveNullAndEmptyArrays`, its `as` field removed). The same rows
/// in the same order with the same checks as [`unwind_each`] without an `includeArrayIndex`; the joined
/// documents are read where they are (shared with a cache or owned), never copied.
pub(super) fn unwind_view(
    mut d: Document,
    as_field: &str,
    matched: Matched,
    preserve: bool,
    each: &mut RowFn<'_>,
) -> Result<(), CommandError> {
    if matched.is_empty() {
        if preserve {
            unset_field(&mut d, as_field);
            check_intermediate(std::slice::from_ref(&d))?;
            each(&d, None)?;
        }
        return Ok(());
    }
    check_rows(&mut d, as_field, &matched, None)?;
    for fd in matched.iter() {
        crate::engine::ops::check()?;
        each(&d, Some(fd))?;
    }
    Ok(())
}

/// Whether [`unwind_each`] can write the `includeArrayIndex` field `index` in place beside the `as` field
/// `as_field`: there is none, or it lies outside that field.
pub(super) fn in_place_index(as_field: &str, index: Option<&str>) -> bool {
    index.is_none_or(|ix| ix.split('.').next() != Some(as_field))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    /// `unwind_into_checked` refuses a joined document past the depth limit before adding any unwound
    /// document, and otherwise adds what `unwind_into` adds, each of whose shapes is the outer document's
    /// (the `as` field a null, the index a 64-bit integer) plus the joined document's, as it checks them.
    #[test]
    fn checked_unwinding_adds_the_shapes_it_checks() {
        let mut deep = doc! {"x": 1};
        for _ in 0..crate::engine::limits::MAX_BSON_DEPTH {
            deep = doc! {"d": deep};
        }
        let mut out = Vec::new();
        let err = unwind_into_checked(
            doc! {"a": 1},
            "j",
            Rc::new(vec![doc! {"ok": 1}, deep]),
            None,
            false,
            &mut out,
        )
        .expect_err("too deep");
        assert_eq!(err.code, crate::engine::limits::too_deep().code);
        assert!(out.is_empty());
        for index in [None, Some("i")] {
            let outer = doc! {"a": "text", "j": [1, 2], "b": {"c": [1, {"d": 2}]}};
            let matched = vec![doc! {"x": 1}, doc! {"y": {"z": [1, 2, "three"]}}, doc! {}];
            let (mut got, mut want) = (Vec::new(), Vec::new());
            unwind_into_checked(
                outer.clone(),
                "j",
                Rc::new(matched.clone()),
                index,
                true,
                &mut got,
            )
            .expect("unwinds");
            unwind_into(
                outer.clone(),
                "j",
                Rc::new(matched.clone()),
                index,
                true,
                &mut want,
            );
            assert_eq!(got, want);
            let mut base = outer.clone();
            set_field(&mut base, "j", Bson::Null);
            if let Some(ix) = index {
                set_field(&mut base, ix, Bson::Int64(0));
            }
            let b = shape(&base);
            for (o, m) in got.iter().zip(&matched) {
                let (s, sm) = (shape(o), shape(m));
                assert_eq!(
                    (s.bytes, s.depth),
                    (b.bytes + sm.bytes, b.depth.max(1 + sm.depth))
                );
            }
        }
    }

    /// A joined document that nests the unwound one past the depth limit is refused before any unwound
    /// document is handed on (as the materialized output is checked whole first).
    #[test]
    fn a_pair_past_the_depth_limit_fails_before_any_is_handed_on() {
        let mut deep = doc! {"x": 1};
        for _ in 0..crate::engine::limits::MAX_BSON_DEPTH {
            deep = doc! {"d": deep};
        }
        let matched = Rc::new(vec![doc! {"ok": 1}, deep]);
        let mut handed = 0;
        let err = unwind_each(doc! {"a": 1}, "j", matched, None, false, &mut |_, _| {
            handed += 1;
            Ok(())
        })
        .expect_err("too deep");
        assert_eq!(err.code, crate::engine::limits::too_deep().code);
        assert_eq!(handed, 0);
    }

    /// The shape `unwind_each` checks (the outer document's with a null in the field, plus the joined
    /// document's) is the shape of the unwound document itself.
    #[test]
    fn the_shape_checked_is_the_unwound_documents() {
        let outers = [
            doc! {},
            doc! {"a": 1},
            doc! {"j": [1, 2], "a": "x"},
            doc! {"a": {"b": {"c": [1, {"d": 2}]}}},
        ];
        let joined = [
            doc! {},
            doc! {"x": 1.5},
            doc! {"x": {"y": [doc! {}, doc! {"z": null}]}},
        ];
        for o in &outers {
            for m in &joined {
                let mut base = o.clone();
                set_field(&mut base, "j", Bson::Null);
                let (b, s) = (shape(&base), shape(m));
                let mut unwound = o.clone();
                set_field(&mut unwound, "j", Bson::Document(m.clone()));
                let want = shape(&unwound);
                assert_eq!(
                    (b.bytes + s.bytes, b.depth.max(1 + s.depth)),
                    (want.bytes, want.depth),
                    "{o:?} with {m:?}"
                );
            }
        }
    }
}
