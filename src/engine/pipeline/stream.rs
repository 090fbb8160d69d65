//! A pipeline fed one borrowed document at a time, stopping as soon as a `$limit` is full: how `$lookup`
//! runs its sub-pipeline over the candidates of one outer document (a hash bucket, an index probe, the
//! cached uncorrelated prefix) without copying them all first.
//!
//! The leading run of per-document stages (`$match $project $addFields/$set $unset $replaceRoot $unwind`) and
//! `$skip` / `$limit` between them runs document by document: a leading `$match` is decided on the borrowed
//! document (only the documents it keeps are copied), and once a `$limit` of that run has let its count
//! through, no later document can pass it, so [`Stream::push`] says to stop (mongod's pull-based execution
//! stops there too); a `$project` right after that `$match` (or first) projects the borrowed document, so
//! the candidate is never copied whole. The stages after the run (a `$sort`, a `$group`, ...) then run on what came out.
//! The output is the one [`Pipeline::run_range`] gives on the same documents (a property test in
//! `join_tests.rs` holds the `$lookup` paths built on it to the nested loop).

use super::{Catalog, Pipeline, Stage};
use crate::engine::expr::Vars;
use crate::engine::CommandError;
use bson::Document;

/// One run of a pipeline's stages `start..` over pushed documents.
pub(super) struct Stream<'p> {
    pipeline: &'p Pipeline,
    /// First stage run per document.
    start: usize,
    /// First stage run over the collected output (end of the per-document run).
    stop: usize,
    /// Per stage of `start..stop`: documents a `$skip` still drops, or a `$limit` still lets through.
    left: Vec<usize>,
    /// Output of the per-document run so far.
    out: Vec<Document>,
    /// A `$limit` of the run is full: nothing pushed from now on can come out.
    full: bool,
    /// Only how many documents come out matters ([`counting`](Self::counting)): from this stage on every
    /// stage is a `$project` of reads, a `$skip` or a `$limit`, so the projections are not made.
    blank_from: Option<usize>,
}

impl<'p> Stream<'p> {
    /// Starts a run of `pipeline`'s stages from `start` on.
    pub(super) fn new(pipeline: &'p Pipeline, start: usize) -> Stream<'p> {
        let stages = &pipeline.stages;
        let start = start.min(stages.len());
        let mut stop = start;
        while stop < stages.len() && streamable(&stages[stop]) {
            stop += 1;
        }
        let left = stages[start..stop]
            .iter()
            .map(|s| match s {
                Stage::Skip(n) | Stage::Limit(n) => *n,
                _ => 0,
            })
            .collect();
        Stream {
            pipeline,
            start,
            stop,
            left,
            out: Vec::new(),
            full: false,
            blank_from: None,
        }
    }

    /// When `only_count`, the caller reads only how many documents come out (a semi-join's emptiness test,
    /// `join_filter`): a tail of `$project`s that only read (paths, constants, NULL tests: they never fail
    /// and never drop a document), `$skip`s and `$limit`s is run on empty documents, the projections not made.
    pub(super) fn counting(mut self, only_count: bool) -> Self {
        if !only_count {
            return self;
        }
        let stages = &self.pipeline.stages;
        let mut from = stages.len();
        while from > self.start {
            match &stages[from - 1] {
                Stage::Project(p) if p.reads_only() => {}
                Stage::Skip(_) | Stage::Limit(_) => {}
                _ => break,
            }
            from -= 1;
        }
        self.blank_from = Some(from);
        self
    }

    /// Runs one input document through the per-document stages; returns whether more documents can still
    /// change the output (false once a `$limit` of the run is full).
    pub(super) fn push(
        &mut self,
        d: &Document,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<bool, CommandError> {
        if self.full {
            return Ok(false);
        }
        crate::engine::ops::check()?;
        let stages = &self.pipeline.stages;
        let mut k = self.start;
        if k < self.stop {
            if let Stage::Match(m, _) = &stages[k] {
                if !m.matches(d, vars)? {
                    return Ok(true);
                }
                k += 1;
            }
        }
        // Only the count matters and the rest only projects, skips or limits: an empty document stands for
        // the candidate, its projections skipped.
        let blank = self.blank_from.is_some_and(|b| k >= b);
        // A `$project` next reads the borrowed document: the candidate itself is never copied (a
        // semi-join's select list of constants copies nothing of it at all).
        let mut cur = match &stages[k..self.stop.max(k)] {
            _ if blank => vec![Document::new()],
            [Stage::Project(p), ..] => {
                k += 1;
                vec![self.pipeline.project_one(p, d, vars)?]
            }
            _ => vec![d.clone()],
        };
        while k < self.stop && !cur.is_empty() {
            let left = &mut self.left[k - self.start];
            match &stages[k] {
                Stage::Skip(_) => {
                    let n = (*left).min(cur.len());
                    cur.drain(..n);
                    *left -= n;
                }
                Stage::Limit(_) => {
                    cur.truncate(*left);
                    *left -= cur.len();
                    if *left == 0 {
                        self.full = true;
                    }
                }
                Stage::Project(_) if blank => {}
                stage => cur = self.pipeline.apply(stage, cur, catalog, vars)?,
            }
            k += 1;
        }
        self.out.extend(cur);
        Ok(!self.full)
    }

    /// Runs the stages after the per-document run over its output: the pipeline's result.
    pub(super) fn finish(
        self,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        let end = self.pipeline.stages.len();
        if self.stop >= end {
            return Ok(self.out);
        }
        self.pipeline
            .run_range(self.stop, end, self.out, catalog, vars)
    }
}

/// Whether a stage can run document by document in a [`Stream`].
fn streamable(stage: &Stage) -> bool {
    Pipeline::maps_one(stage)
        || matches!(stage, Stage::Unwind(_) | Stage::Skip(_) | Stage::Limit(_))
}
