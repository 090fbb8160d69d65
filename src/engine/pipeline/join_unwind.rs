//! `$lookup` immediately followed by `$unwind` of its `as` field, as mongod coalesces the two: each joined
//! document becomes one output document (a copy of the outer document with it in the `as` field), without the
//! array ever being built.
//!
//! In: an outer document and its joined documents (shared with a cache or owned); out: the unwound documents.
//! Depends on `reshape`.

use super::join::Matched;
use super::reshape::{set_field, unset_field};
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
