//! A rename projection made only of reads (field paths, the translator's NULL tests of field paths,
//! constants: a join's select list and `ORDER BY` keys, `{c0: "$session_id", c1: "$__j1.cache_key",
//! __n1: {$cond: [{$eq: [{$ifNull: ["$__j1.cache_key", null]}, null]}, 1, 0]}, __s1: "$__j1.cache_key"}`)
//! applied to a joined row that is never made ([`JoinedRow`]: the outer document and the joined document
//! its `as` field would hold). Before, each row was made in the outer document (the joined document copied
//! into it), every NULL test went through the general `$cond`, and every value was copied into a document
//! built from a template; now each path is read where it lies, the NULL tests answer from a borrowed value,
//! and the output is written from borrowed values (as bytes, with nothing copied, for a consumer that holds
//! documents encoded).
//!
//! In: the rename plan (`projection.rs`); out: the same document (or its bytes) and split values as
//! [`Projection::apply_ref_split`] gives on the made row. A property test (`projection_view_tests.rs`) holds
//! it to that. Depends on `expr` (path reads).

use super::{Projection, Source};
use crate::engine::expr::{is_nullish, path_value, value_at};
use crate::engine::field_values::FieldValues;
use crate::engine::held::Held;
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::borrow::Cow;

/// What one output field of a read-only rename projection reads.
#[derive(Debug, Clone)]
pub(super) enum Read {
    /// A field path's value (missing: the field is left out).
    Path(Vec<String>),
    /// `.1` when the path's value is null or missing, else `.2`.
    NullFlag(Vec<String>, Bson, Bson),
    /// [`NullFlag`](Read::NullFlag) of the path the earlier output at this position reads.
    NullFlagOf(usize, Bson, Bson),
    /// A constant.
    Const(Bson),
    /// The value of the earlier output at this position.
    Same(usize),
}

/// The reads of a rename plan, when every output is one (`None` when any needs the whole document's
/// evaluation). A path read by an earlier output is taken from it (`Same`), a NULL test of such a path
/// tests its value (`NullFlagOf`): a select list's column is often its `ORDER BY` key and NULL flag too.
pub(super) fn reads(plan: &[(String, Source)]) -> Option<Vec<Read>> {
    let mut reads: Vec<Read> = Vec::with_capacity(plan.len());
    for (_, s) in plan {
        let path = match s {
            Source::Field(f) => Some(vec![f.clone()]),
            Source::Expr(e) => e.field_parts().map(<[String]>::to_vec),
            Source::Const(_) | Source::Same(_) | Source::NullFlag(..) => None,
        };
        let read_at = |p: &[String]| {
            reads
                .iter()
                .position(|r| matches!(r, Read::Path(q) if q.as_slice() == p))
        };
        let read = match (s, path) {
            (_, Some(p)) => match read_at(&p) {
                Some(i) => Read::Same(i),
                None => Read::Path(p),
            },
            (Source::Const(c), None) => Read::Const(c.clone()),
            (Source::Same(i), None) => Read::Same(*i),
            (Source::NullFlag(p, t, f), None) => match read_at(p) {
                Some(i) => Read::NullFlagOf(i, t.clone(), f.clone()),
                None => Read::NullFlag(p.clone(), t.clone(), f.clone()),
            },
            (Source::Expr(_), None) => return None,
            (Source::Field(_), None) => return None,
        };
        reads.push(read);
    }
    Some(reads)
}

/// One row of a `$lookup` unwound into its top-level `as` field, not made: the outer document and the
/// joined document (`None`: the outer document kept without one, its `as` field removed).
#[derive(Debug, Clone, Copy)]
pub struct JoinedRow<'a> {
    /// The outer document (its own `as` field, if any, is never read).
    pub outer: &'a Document,
    /// The top-level field (no dot) the joined document is in.
    pub as_field: &'a str,
    /// The joined document.
    pub joined: Option<&'a Document>,
}

/// A row whose field paths a read-only projection reads in place: a joined row not made ([`JoinedRow`]),
/// a scan's fields read from the stored bytes ([`FieldRow`]).
pub trait RowRead<'a> {
    /// The value of the field path `parts`, which output `read` of the projection reads, as `$a.b` reads
    /// it in the made document.
    fn value(&self, read: usize, parts: &[String]) -> Option<Cow<'a, Bson>>;
}

impl<'a> RowRead<'a> for JoinedRow<'a> {
    fn value(&self, _read: usize, parts: &[String]) -> Option<Cow<'a, Bson>> {
        let (first, rest) = parts.split_first()?;
        if first != self.as_field {
            return path_value(self.outer, parts);
        }
        let joined = self.joined?;
        match rest.is_empty() {
            true => Some(Cow::Owned(Bson::Document(joined.clone()))),
            false => path_value(joined, rest),
        }
    }
}

/// A scanned document's top-level fields as a [`FieldValues`] row holds them (read from the stored bytes,
/// no document made), with the slot of each read's first field ([`Projection::read_fields`]).
#[derive(Debug, Clone, Copy)]
pub struct FieldRow<'a> {
    /// The row: the last stored document read.
    pub values: &'a FieldValues,
    /// Per output of the projection, the slot of the top-level field its path starts with (unused for the
    /// outputs that read no path).
    pub slots: &'a [usize],
}

impl<'a> RowRead<'a> for FieldRow<'a> {
    fn value(&self, read: usize, parts: &[String]) -> Option<Cow<'a, Bson>> {
        let v = self.values.get(*self.slots.get(read)?)?;
        value_at(v, parts.get(1..)?)
    }
}

impl Projection {
    /// Whether [`apply_row_split`](Self::apply_row_split) applies: a rename projection of reads only.
    pub(crate) fn reads_only(&self) -> bool {
        self.reads.is_some()
    }

    /// For a projection that [`reads_only`](Self::reads_only): per output, the slot in `fields` of the
    /// top-level field its path starts with (added to `fields` when not in it; `usize::MAX` for an output
    /// that reads no path), for a [`FieldRow`]. `None` for any other projection.
    pub(crate) fn read_fields(&self, fields: &mut Vec<String>) -> Option<Vec<usize>> {
        use crate::engine::field_values::field_slot;
        let reads = self.reads.as_ref()?;
        Some(
            reads
                .iter()
                .map(|r| match r {
                    Read::Path(p) | Read::NullFlag(p, ..) => match p.first() {
                        Some(first) => field_slot(fields, first),
                        None => usize::MAX,
                    },
                    _ => usize::MAX,
                })
                .collect(),
        )
    }

    /// The values of a read-only rename projection on `row`, in output order (`None`: missing).
    fn row_values<'a, R: RowRead<'a>>(&'a self, row: &R) -> Option<Vec<Option<Cow<'a, Bson>>>> {
        let reads = self.reads.as_ref()?;
        let mut values: Vec<Option<Cow<'a, Bson>>> = Vec::with_capacity(reads.len());
        for (i, r) in reads.iter().enumerate() {
            let v = match r {
                Read::Path(p) => row.value(i, p),
                Read::NullFlag(p, t, f) => {
                    let v = row.value(i, p);
                    Some(Cow::Borrowed(match is_nullish(v.as_deref()) {
                        true => t,
                        false => f,
                    }))
                }
                Read::NullFlagOf(i, t, f) => {
                    let v = values.get(*i).and_then(Option::as_deref);
                    Some(Cow::Borrowed(match is_nullish(v) {
                        true => t,
                        false => f,
                    }))
                }
                Read::Const(c) => Some(Cow::Borrowed(c)),
                Read::Same(i) => values.get(*i).cloned().flatten(),
            };
            values.push(v);
        }
        Some(values)
    }

    /// [`apply_ref_split`](Self::apply_ref_split) of the row `row` made, for a projection
    /// [`reads_only`](Self::reads_only) accepts (an internal error for any other): the same document and
    /// values.
    pub(crate) fn apply_row_split<'a, R: RowRead<'a>>(
        &'a self,
        row: &R,
        tail: usize,
    ) -> Result<(Document, Vec<Option<Bson>>), CommandError> {
        let (plan, values) = self.plan_and_values(row, tail)?;
        let owned = values.into_iter().map(|v| v.map(Cow::into_owned)).collect();
        Ok(self.rename_output(plan, owned, tail))
    }

    /// [`apply_row_split`](Self::apply_row_split) with the output held as its values under the output's
    /// template ([`Held::Row`]) when every kept field has a value (else the document, as there).
    pub(crate) fn apply_row_held<'a, R: RowRead<'a>>(
        &'a self,
        row: &R,
        tail: usize,
    ) -> Result<(Held, Vec<Option<Bson>>), CommandError> {
        let (plan, values) = self.plan_and_values(row, tail)?;
        Ok(self.rename_held_of(plan, values, tail, Cow::into_owned))
    }

    /// The rename plan (of at least `tail` fields) and the values on `row`, of a projection of reads.
    #[allow(clippy::type_complexity)]
    fn plan_and_values<'a, R: RowRead<'a>>(
        &'a self,
        row: &R,
        tail: usize,
    ) -> Result<(&'a [(String, Source)], Vec<Option<Cow<'a, Bson>>>), CommandError> {
        let plan = self.renames.as_deref().filter(|p| p.len() >= tail);
        match (plan, self.row_values(row)) {
            (Some(plan), Some(values)) => Ok((plan, values)),
            _ => Err(CommandError::new(
                crate::engine::error_codes::ErrorCode::InternalError,
                "a row projected in place by a projection that does not only read",
            )),
        }
    }

    /// [`apply_row_split`](Self::apply_row_split) with the document as its BSON bytes, written from the
    /// values where they lie (nothing copied but the split values).
    pub(crate) fn apply_row_split_bytes<'a, R: RowRead<'a>>(
        &'a self,
        row: &R,
        tail: usize,
    ) -> Result<(Vec<u8>, Vec<Option<Bson>>), CommandError> {
        let (plan, mut values) = self.plan_and_values(row, tail)?;
        let kept = plan.len() - tail.min(plan.len());
        let apart = values
            .split_off(kept)
            .into_iter()
            .map(|v| v.map(Cow::into_owned))
            .collect();
        let bytes = crate::engine::storage::pairs_bytes(|| {
            plan.iter()
                .zip(&values)
                .filter_map(|((name, _), v)| Some((name.as_str(), v.as_deref()?)))
        });
        Ok((bytes.map_err(super::encoding_error)?, apart))
    }
}

#[cfg(test)]
#[path = "projection_view_tests.rs"]
mod tests;
