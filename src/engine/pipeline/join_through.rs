//! A `$lookup` whose `$unwind` it absorbs, and the `$match`es and the `$project` right after them (the
//! translator's `JOIN ... WHERE ...` and select list), run one joined row at a time on the outer document
//! itself: each joined document is written into the outer document's `as` field
//! ([`unwind_each`](super::join_unwind::unwind_each)), the `$match`es decide on that document, and only what
//! comes out is built (the projected document, or a copy when no `$project` follows), instead of a copy of
//! the whole outer document per joined row that the next stage reads a few fields of and drops. A whole
//! `$sort` whose key fields the closing `$project` gives apart (`sort_keys`) takes each row's key and
//! projected document straight from it.
//!
//! The rows, their order and the checks are those of the stage-by-stage run: every row of an outer document
//! passes `check_intermediate` before the first goes on, a projected document is checked as `$project`
//! checks it. Within one outer document a row goes through all the stages before the next row (mongod's
//! document-at-a-time order), so of two failing stages the error met first may differ.
//!
//! In: the pipeline's stages from a `$lookup`; out: per outer document and its joined documents, the
//! documents those stages give. A property test (`join_through_tests.rs`) holds it to the stage-by-stage run.
//! Depends on `join_unwind`, `sort_keys`, `projection`, `matcher`, `group`.

use super::join::{Exec, Matched};
use super::join_unwind::{in_place_index, unwind_each, unwind_view};
use super::segment::ForSort;
use super::sort_keys::SortKeys;
use super::{group, Catalog, Pipeline, Stage};
use crate::engine::error_codes::ErrorCode;
use crate::engine::expr::Vars;
use crate::engine::held::Held;
use crate::engine::matcher::Matcher;
use crate::engine::projection::{JoinedRow, Projection};
use crate::engine::sort::SortSpec;
use crate::engine::CommandError;
use bson::Document;

/// A `$lookup` followed by the `$unwind` of its top-level `as` field, then any `$match`es and at most one
/// `$project`, all run per joined row on the outer document.
pub(super) struct Through<'p> {
    /// The index of the `$lookup`.
    lookup: usize,
    as_field: &'p str,
    /// The `$unwind`'s `includeArrayIndex` (outside the `as` field).
    index: Option<&'p str>,
    /// The `$unwind`'s `preserveNullAndEmptyArrays`.
    preserve: bool,
    /// The `$match`es right after the `$unwind`.
    filters: Vec<&'p Matcher>,
    /// The `$project` after them.
    project: Option<&'p Projection>,
    /// The index of the first stage after those covered.
    next: usize,
}

impl Pipeline {
    /// The [`Through`] of the `$lookup` at `k` (of the stages before `stop`), when the stage after it is the
    /// `$unwind` of its top-level `as` field whose `includeArrayIndex`, if any, lies outside that field.
    pub(super) fn through_at(&self, k: usize, stop: usize) -> Option<Through<'_>> {
        let (Some(Stage::Lookup(l)), Some(Stage::Unwind(u)), true) =
            (self.stages.get(k), self.stages.get(k + 1), k + 1 < stop)
        else {
            return None;
        };
        let as_field = l.as_field();
        let (index, preserve) = u.plain_on(as_field)?;
        if as_field.contains('.') || !in_place_index(as_field, index) {
            return None;
        }
        let mut next = k + 2;
        let mut filters = Vec::new();
        while let (Some(Stage::Match(m, _)), true) = (self.stages.get(next), next < stop) {
            filters.push(m);
            next += 1;
        }
        let project = match (self.stages.get(next), next < stop) {
            (Some(Stage::Project(p)), true) => {
                next += 1;
                Some(p)
            }
            _ => None,
        };
        Some(Through {
            lookup: k,
            as_field,
            index,
            preserve,
            filters,
            project,
            next,
        })
    }

    /// For the segment `start..body` a whole sort's split projection closes (`sort_keys`): the [`Through`]
    /// of its last `$lookup` when it covers the rest of the segment with no `$project` of its own, but for
    /// `$unionWith`s (the input documents' rows pass them unchanged; their own documents are run by the
    /// segment apart).
    pub(super) fn through_to(&self, start: usize, body: usize) -> Option<Through<'_>> {
        let l = (start..body)
            .rev()
            .find(|&k| matches!(self.stages[k], Stage::Lookup(_)))?;
        let unions_from = (l..body)
            .rev()
            .take_while(|&k| matches!(self.stages[k], Stage::UnionWith(..)))
            .last()
            .unwrap_or(body);
        self.through_at(l, unions_from)
            .filter(|t| t.next == unions_from && t.project.is_none())
    }

    /// One input document `d` through the segment `start..t.next` (whose `$lookup`s' executions are
    /// `execs`) into a whole sort whose split projection `keys` follows: the stages before `t`'s `$lookup`
    /// as [`segment_from`](Self::segment_from) runs them, then each joined row projected straight into its
    /// key and document.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn segment_keyed(
        &self,
        t: &Through<'_>,
        keys: &SortKeys<'_>,
        spec: &SortSpec,
        d: Document,
        start: usize,
        execs: &mut [Option<Exec<'_>>],
        catalog: &dyn Catalog,
        vars: &Vars,
        encoded: bool,
    ) -> Result<Vec<ForSort>, CommandError> {
        let heads = self.segment_from(d, start, start, t.lookup, execs, catalog, vars)?;
        let Some(Some(exec)) = execs.get_mut(t.lookup - start) else {
            return Err(CommandError::new(
                ErrorCode::InternalError,
                "a $lookup of the segment has no execution",
            ));
        };
        let mut out = Vec::new();
        let unmade = t.unmade(keys.reads_only());
        for h in heads {
            let matched = exec.matches(&h)?;
            if unmade {
                unwind_view(h, t.as_field, matched, t.preserve, &mut |outer, joined| {
                    let row = JoinedRow {
                        outer,
                        as_field: t.as_field,
                        joined,
                    };
                    let (key, held) = match encoded {
                        true => {
                            let (k, b) = keys.apply_row_bytes(spec, &row)?;
                            (k, Held::Raw(b.into_boxed_slice()))
                        }
                        false => keys.apply_row_held(spec, &row)?,
                    };
                    out.push((Some(key), held));
                    Ok(())
                })?;
                continue;
            }
            t.rows(h, matched, vars, &mut |row, _| {
                out.push(match encoded {
                    true => {
                        let (key, bytes) = keys.apply_ref_bytes(spec, row, vars)?;
                        (Some(key), Held::Raw(bytes.into_boxed_slice()))
                    }
                    false => {
                        let (key, doc) = keys.apply_ref(spec, row, vars)?;
                        (Some(key), Held::Doc(doc))
                    }
                });
                Ok(())
            })?;
        }
        Ok(out)
    }
}

impl Through<'_> {
    /// The index of the first stage after those this runs.
    pub(super) fn next(&self) -> usize {
        self.next
    }

    /// Hands `each` the rows of the outer document `d` joined with `matched` that pass the `$match`es, each
    /// made in `d` itself, with whether it is the outer document's last row (it may then be taken).
    fn rows(
        &self,
        d: Document,
        matched: Matched,
        vars: &Vars,
        each: &mut dyn FnMut(&mut Document, bool) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        unwind_each(
            d,
            self.as_field,
            matched,
            self.index,
            self.preserve,
            &mut |row, last| {
                for m in &self.filters {
                    if !m.matches(row, vars)? {
                        return Ok(());
                    }
                }
                each(row, last)
            },
        )
    }

    /// Adds to `out` the documents the stages give for the outer document `d` joined with `matched`: each
    /// row that passes the `$match`es projected (only the projected document built) or, without a
    /// `$project`, copied (the last one taken).
    pub(super) fn outputs(
        &self,
        pipeline: &Pipeline,
        d: Document,
        matched: Matched,
        vars: &Vars,
        out: &mut Vec<Document>,
    ) -> Result<(), CommandError> {
        if let Some(p) = self.project {
            return self.projected(p, pipeline, d, matched, vars, &mut |doc| {
                out.push(doc);
                Ok(())
            });
        }
        self.rows(d, matched, vars, &mut |row, last| {
            out.push(match last {
                true => std::mem::take(row),
                false => row.clone(),
            });
            Ok(())
        })
    }

    /// Whether the rows need not be made for a projection that `reads_only`: a projection of reads right
    /// after the unwind (no `$match` between, no array index written) reads each row where it lies.
    fn unmade(&self, reads_only: bool) -> bool {
        reads_only && self.filters.is_empty() && self.index.is_none()
    }

    /// Hands `each` the projected document of each row [`rows`](Self::rows) gives, projected by `p` (the
    /// `$project`) as `project_one` projects it; the rows of a projection of reads with no `$match` before
    /// it are not made ([`JoinedRow`]).
    fn projected(
        &self,
        p: &Projection,
        pipeline: &Pipeline,
        d: Document,
        matched: Matched,
        vars: &Vars,
        each: &mut dyn FnMut(Document) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        if self.unmade(p.reads_only()) {
            return unwind_view(
                d,
                self.as_field,
                matched,
                self.preserve,
                &mut |outer, joined| {
                    crate::engine::ops::check()?;
                    let row = JoinedRow {
                        outer,
                        as_field: self.as_field,
                        joined,
                    };
                    let (doc, _) = p.apply_row_split(&row, 0)?;
                    crate::engine::limits::check_intermediate(std::slice::from_ref(&doc))?;
                    each(doc)
                },
            );
        }
        self.rows(d, matched, vars, &mut |row, _| {
            each(pipeline.project_one(p, row, vars)?)
        })
    }

    /// Groups the documents [`outputs`](Self::outputs) would give into `state`, none of them kept: a row
    /// is grouped where it is made, a projected one as it comes.
    pub(super) fn group(
        &self,
        pipeline: &Pipeline,
        g: &group::Group,
        state: &mut group::GroupState,
        d: Document,
        matched: Matched,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        match self.project {
            Some(p) => self.projected(p, pipeline, d, matched, vars, &mut |doc| {
                g.step_owned(state, doc, vars)
            }),
            None => self.rows(d, matched, vars, &mut |row, _| g.step(state, row, vars)),
        }
    }
}
