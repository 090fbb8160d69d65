//! A `$setWindowFields` closing a segment that starts with a `$lookup` (the translator's window over a join:
//! `$lookup`, `$unwind`, the window's sort key `$set`, `$setWindowFields`, `$unset`, the select list's
//! `$project`, `$sort`), run by groups of input documents instead of over the whole joined stream.
//!
//! When the window's `partitionBy` reads only fields of the input document that the segment does not
//! write, every joined document of one input falls in the partition computed from that input: the inputs
//! are taken grouped by it, and only one group's joined documents are held at a time (the general path
//! holds every joined document, ~1.25M of them for a join of 10k sessions). When the closing `$sort`'s
//! leading keys are also computed from the input document (`ORDER BY a.x, ...` with `PARTITION BY a.x`),
//! the groups are those of the leading keys, in their order, and each group's outputs are sorted alone
//! (an incremental sort, as `segment.rs` does for a join: comparing only the keys after the leading ones,
//! [`Sorter::within_equal`]), so the whole output is never one sort either;
//! this needs every partition within one group, which is checked on the inputs first.
//!
//! The output is the general path's (segment into every joined document, the window over them, the
//! per-document stages, the sort), in the same order: a group's inputs keep their input order within a
//! partition and the window orders partitions by their value, as the general path does; an input whose
//! partition or leading keys cannot be computed (an error, an array) sends the whole stage to the
//! general path, and so does any error on the way (the general path then reports the error it meets
//! first). Only with `allowDiskUse` (without it the whole stage's size decides mongod's 5643011 and 292).
//! A property test in `join_tests.rs` holds it to the stage-by-stage run.

use super::compact_out::Compact;
use super::window::SetWindowFields;
use super::{Pipeline, Stage};
use crate::engine::bson_order::compare;
use crate::engine::expr::{Expr, Vars};
use crate::engine::sort::{SortSpec, Sorter};
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

/// The spec of a sort's leading keys and the expressions computing them from an input document.
type Lead = (SortSpec, Vec<Expr>);

/// How a window over a join runs by groups of inputs.
pub(super) struct WindowPlan<'p> {
    window: &'p SetWindowFields,
    /// The window's stage.
    at: usize,
    /// The end of the per-document stages after the window (`at + 1..post`).
    post: usize,
    /// The closing whole `$sort` at `post`, with its leading keys computed from an input document when
    /// they are (the spec of those keys and their expressions).
    sort: Option<(&'p SortSpec, Option<Lead>)>,
    /// The first stage after what the plan runs.
    next: usize,
}

/// One input's leading sort keys, partition value and position.
type Keyed = (Vec<Bson>, Bson, usize);

impl Pipeline {
    /// The plan for the segment `start..at` (starting with a `$lookup`) closed by the `$setWindowFields` at
    /// `at` (stages up to `end`); `None` when the path does not apply (see the module documentation).
    pub(super) fn window_plan(
        &self,
        start: usize,
        at: usize,
        end: usize,
        vars: &Vars,
    ) -> Option<WindowPlan<'_>> {
        let (Some(Stage::Lookup(_)), Some(Stage::Window(window))) =
            (self.stages.get(start), self.stages.get(at))
        else {
            return None;
        };
        if !vars.memory.allow_disk_use || at >= end {
            return None;
        }
        // The partition value, read from the input document: the fields it reads are written by no stage
        // of the segment.
        let spec = self.raw.get(at)?.as_document()?.get("$setWindowFields")?;
        let partition = spec.as_document()?.get("partitionBy")?;
        window.partition()?;
        let mut reads = Vec::new();
        if !crate::engine::fields::expr_fields(partition, &mut reads) {
            return None;
        }
        let top = |p: &str| p.split('.').next().unwrap_or(p).to_string();
        let mut written = Vec::new();
        for stage in &self.stages[start..at] {
            match stage {
                Stage::Lookup(l) => written.push(top(l.as_field())),
                Stage::Unwind(u) => written.extend(u.written().into_iter().map(top)),
                Stage::Unset(paths) => written.extend(paths.iter().map(|p| top(p))),
                Stage::AddFields(fields) => written.extend(fields.iter().map(|(f, _)| top(f))),
                Stage::Match(..) => {}
                _ => return None,
            }
        }
        if reads.iter().any(|r| written.iter().any(|w| *w == top(r))) {
            return None;
        }
        let mut post = at + 1;
        while post < end
            && Self::per_document(&self.stages[post])
            && !matches!(self.stages[post], Stage::Lookup(_))
        {
            post += 1;
        }
        let sort = match self.stages.get(post) {
            Some(Stage::Sort(spec)) if post < end => {
                let limited = matches!(self.stages.get(post + 1), Some(Stage::Limit(_)))
                    && post + 1 < end
                    || self.skip_limit_at(post + 1, end).is_some();
                if limited {
                    // A top-k: the general path keeps only k documents past the window anyway.
                    return None;
                }
                Some((spec, self.presorted(start, post, spec)))
            }
            _ => None,
        };
        let next = if sort.is_some() { post + 1 } else { post };
        Some(WindowPlan {
            window,
            at,
            post,
            sort,
            next,
        })
    }

    /// Runs the segment from `start` (its inputs `docs`) through the plan's window, the per-document stages
    /// after it and its closing sort (each sorted document handed to `compact` when it continues from
    /// there); returns the output and the next stage to run.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn window_join(
        &self,
        plan: &WindowPlan<'_>,
        start: usize,
        end: usize,
        docs: Vec<Document>,
        catalog: &dyn super::Catalog,
        vars: &Vars,
        mut compact: Option<&mut Compact>,
    ) -> Result<(Vec<Document>, usize), CommandError> {
        let Some(groups) = self.window_groups(plan, &docs, vars) else {
            return self.window_general(plan, start, end, docs, catalog, vars);
        };
        // The closing sort hands its documents to `compact` only when that continues after it.
        if compact.as_ref().is_some_and(|c| c.maps() != plan.next) {
            compact = None;
        }
        let run = self.window_groups_run(plan, start, &groups, &docs, catalog, vars, &mut compact);
        match run {
            Ok(out) => Ok((out, compact.map_or(plan.next, |c| c.end))),
            // The error the general path meets first.
            Err(e) => Err(self
                .window_general(plan, start, end, docs, catalog, vars)
                .err()
                .unwrap_or(e)),
        }
    }

    /// The general path: the segment's whole output, then the window over it (`run_window`).
    fn window_general(
        &self,
        plan: &WindowPlan<'_>,
        start: usize,
        end: usize,
        docs: Vec<Document>,
        catalog: &dyn super::Catalog,
        vars: &Vars,
    ) -> Result<(Vec<Document>, usize), CommandError> {
        let (joined, _) = self.run_segment(start, plan.at, docs, catalog, vars)?;
        self.run_window(plan.window, plan.at, end, joined, catalog, vars)
    }

    /// The inputs' positions in groups, in order: by the closing sort's leading keys when they are
    /// computed from the input (every partition within one group), else by partition; within a group by
    /// partition, then input order. `None` when an input's keys cannot be computed, or a partition spans
    /// two groups.
    fn window_groups(
        &self,
        plan: &WindowPlan<'_>,
        docs: &[Document],
        vars: &Vars,
    ) -> Option<Vec<Vec<usize>>> {
        let part = plan.window.partition()?;
        let lead = plan.sort.as_ref().and_then(|(_, lead)| lead.as_ref());
        let mut keyed: Vec<Keyed> = Vec::with_capacity(docs.len());
        for (i, d) in docs.iter().enumerate() {
            let p = part.eval(d, vars).ok()?.unwrap_or(Bson::Null);
            if matches!(p, Bson::Array(_)) {
                return None;
            }
            let mut l = Vec::new();
            if let Some((prefix, exprs)) = lead {
                for (k, e) in exprs.iter().enumerate() {
                    let v = e.eval(d, vars).ok()?;
                    l.push(prefix.key_of_value(k, v.as_ref()));
                }
            }
            keyed.push((l, p, i));
        }
        let by_lead = |a: &[Bson], b: &[Bson]| match lead {
            Some((prefix, _)) => prefix.compare_keys(a, b),
            None => Ordering::Equal,
        };
        keyed.sort_by(|a, b| {
            by_lead(&a.0, &b.0)
                .then_with(|| compare(&a.1, &b.1))
                .then(a.2.cmp(&b.2))
        });
        if lead.is_some() {
            // Every partition within one group: inputs of equal partition values have equal leading keys.
            let mut by_part: Vec<&Keyed> = keyed.iter().collect();
            by_part.sort_by(|a, b| compare(&a.1, &b.1));
            let split = by_part.windows(2).any(|w| {
                compare(&w[0].1, &w[1].1) == Ordering::Equal
                    && by_lead(&w[0].0, &w[1].0) != Ordering::Equal
            });
            if split {
                return None;
            }
        }
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (k, (l, p, i)) in keyed.iter().enumerate() {
            let same = k > 0 && {
                let (pl, pp, _) = &keyed[k - 1];
                match lead {
                    Some(_) => by_lead(pl, l) == Ordering::Equal,
                    None => compare(pp, p) == Ordering::Equal,
                }
            };
            match groups.last_mut() {
                Some(g) if same => g.push(*i),
                _ => groups.push(vec![*i]),
            }
        }
        Some(groups)
    }

    /// Runs the groups: each group's inputs through the segment, the window over their outputs, the stages
    /// after it, into the closing sort (one per group when its leading keys are the groups', emitted at
    /// the group's end).
    #[allow(clippy::too_many_arguments)]
    fn window_groups_run(
        &self,
        plan: &WindowPlan<'_>,
        start: usize,
        groups: &[Vec<usize>],
        docs: &[Document],
        catalog: &dyn super::Catalog,
        vars: &Vars,
        compact: &mut Option<&mut Compact>,
    ) -> Result<Vec<Document>, CommandError> {
        let mut execs = self.lookup_execs(start, plan.at, docs.len(), catalog, vars);
        let mem = &vars.memory;
        let spec = plan.sort.as_ref().map(|(s, _)| *s);
        // By groups of the sort's leading keys: every document of a group has those key parts equal, so
        // the group's sort compares only the parts after them (its key prefixes then tell rows apart).
        let equal = plan
            .sort
            .as_ref()
            .and_then(|(_, lead)| lead.as_ref())
            .map(|(prefix, _)| prefix.parts());
        let per_group = equal.is_some();
        let group_sorter = |s| Sorter::within_equal(s, mem, equal.unwrap_or(0));
        let mut sorter = spec.map(group_sorter);
        let mut out = Vec::new();
        let mut cur = Vec::with_capacity(1);
        for group in groups {
            let mut joined = Vec::new();
            for &i in group {
                crate::engine::ops::check()?;
                let d = docs.get(i).cloned().unwrap_or_default();
                joined.extend(self.segment_one(d, start, plan.at, &mut execs, catalog, vars)?);
            }
            plan.window.run_each(joined, vars, |d| {
                cur.push(d);
                for stage in &self.stages[plan.at + 1..plan.post] {
                    self.step_each(stage, &mut cur, catalog, vars)?;
                    if cur.is_empty() {
                        break;
                    }
                }
                for d in cur.drain(..) {
                    match &mut sorter {
                        Some(s) => s.push(d)?,
                        None => out.push(d),
                    }
                }
                Ok(())
            })?;
            if let (true, Some(s)) = (per_group, spec) {
                if let Some(done) = sorter.replace(group_sorter(s)) {
                    done.finish_each_held(&mut |_, d| self.emit_held(d, &mut out, compact, vars))?;
                }
            }
        }
        if let Some(done) = sorter {
            done.finish_each_held(&mut |_, d| self.emit_held(d, &mut out, compact, vars))?;
        }
        Ok(out)
    }
}
