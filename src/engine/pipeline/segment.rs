//! A `$lookup` and the per-document stages after it (a segment: `$match $project $addFields $unset $unwind
//! $replaceRoot`, more `$lookup`s), run one input document at a time, and where the segment's output goes:
//!
//! - a closing `$group` takes each output document as it comes (no joined document is kept);
//! - a closing `$sort` + `$limit` (or `$sort` + `$skip` + `$limit`) keeps only the top k + n in a bounded
//!   top-k ([`TopK`]), instead of every joined row before the sort (mongod's top-k sort over a streamed
//!   join); when the leading sort keys are computed from fields of the input document the segment does
//!   not change (the translator's `ORDER BY a.x, ... LIMIT n` of a join), the input documents are taken in
//!   the order of those keys and the walk stops at the first change of them once k + n documents are kept
//!   (an incremental sort: the later inputs can only sort after every kept one);
//! - a closing `$sort` without a `$limit` takes each output document as it comes ([`Sorter`]: its key
//!   extracted once, sorted runs spilled past the memory limit), so the joined rows are never all held
//!   unsorted beside their keys;
//! - a closing `$limit` (or `$skip` + `$limit`) ends the walk once enough documents came out;
//! - anything else receives the whole output.
//!
//! Inside the segment, a `$lookup` + `$unwind` of its field and the `$match`es and `$project` after them make
//! each joined row in the input document itself and build only what comes out (`join_through`); into a
//! closing `$group` or a whole sort with its keys apart, each row goes on from there.
//!
//! In: the pipeline, the segment's bounds, the input documents; out: the documents the closing stage
//! receives (or gives, for `$group` and the top-k) and the index of the next stage to run. A property test in
//! `join_tests.rs` holds every path to the stage-by-stage run. Depends on `join`, `join_through`, `group`,
//! `sort`, `expr`.

use super::compact_out::{self, Compact};
use super::sort_keys::SortKeys;
use super::{group, join, join_unwind, reshape, Pipeline, Stage};
use crate::engine::expr::Vars;
use crate::engine::held::Held;
use crate::engine::sort::{SortSpec, Sorter, TopK};
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cell::RefCell;
use std::cmp::Ordering;

/// A document for a closing sort, with its key when the segment's projection gave it apart (then, for a
/// sort that holds its documents encoded, possibly as its bytes).
pub(super) type ForSort = (Option<Vec<Bson>>, Held);

/// Adds a [`ForSort`] document to a sort.
fn push(sorter: &mut Sorter<'_>, (key, d): ForSort) -> Result<(), CommandError> {
    match key {
        Some(key) => sorter.push_held(key, d),
        None => sorter.push(d.into_doc()?),
    }
}

/// One `$unionWith` document out of the segment for a closing sort, with its key when `keys` gives it
/// apart (the split projection run on it as on the inputs' rows).
fn keyed_union(
    keys: &Option<SortKeys<'_>>,
    spec: &SortSpec,
    o: Document,
    vars: &Vars,
) -> Result<ForSort, CommandError> {
    match keys {
        None => Ok((None, Held::Doc(o))),
        Some(k) => k.apply(spec, o, vars).map(|(key, o)| (Some(key), o)),
    }
}

/// A segment's outputs for a closing sort, each with its key when `keys` gives it apart.
fn keyed(
    keys: &Option<SortKeys<'_>>,
    spec: &SortSpec,
    outs: Vec<Document>,
    vars: &Vars,
) -> Result<Vec<ForSort>, CommandError> {
    match keys {
        None => Ok(outs.into_iter().map(|o| (None, Held::Doc(o))).collect()),
        Some(k) => outs
            .into_iter()
            .map(|o| k.apply(spec, o, vars).map(|(key, o)| (Some(key), o)))
            .collect(),
    }
}

/// Where the output of a segment goes.
enum Sink<'p> {
    /// Every output document, for the stage at the index.
    All,
    /// A closing `$group`.
    Group(&'p group::Group),
    /// A `$sort` (the index is the stage after it) of which only the first `want` documents are needed.
    Top(&'p SortSpec, usize),
    /// A `$sort` of the whole output (the index is the stage after it).
    Sort(&'p SortSpec),
    /// Only the first `want` documents are needed (a closing `[$skip,] $limit`).
    First(usize),
    /// A `$sort` and the `$group` of `$first`s after it (the index is the stage after the group):
    /// first_of_groups.rs.
    FirstOf(&'p SortSpec, &'p group::Group),
}

impl Pipeline {
    /// `k + n` when the stages at `i` are `$skip: k`, `$limit: n` (both before `end`).
    pub(super) fn skip_limit_at(&self, i: usize, end: usize) -> Option<usize> {
        match (self.stages.get(i), self.stages.get(i + 1)) {
            (Some(Stage::Skip(k)), Some(Stage::Limit(n))) if i + 1 < end => {
                Some(k.saturating_add(*n))
            }
            _ => None,
        }
    }

    /// The sink at `stop` (the first stage after the segment) and the index of the stage to run after it.
    fn sink_at(&self, stop: usize, end: usize) -> (Sink<'_>, usize) {
        if stop >= end {
            return (Sink::All, stop);
        }
        let limit_at = |i: usize| match self.stages.get(i) {
            Some(Stage::Limit(n)) if i < end => Some(*n),
            _ => self.skip_limit_at(i, end),
        };
        if let Some((s, g)) = self.first_of_groups_at(stop, end) {
            return (Sink::FirstOf(s, g), stop + 2);
        }
        match &self.stages[stop] {
            Stage::Group(g) => (Sink::Group(g), stop + 1),
            // The `$limit` (and `$skip`) after the sort run again on the top k: they cut it as they cut the
            // whole sorted stream.
            Stage::Sort(s) => match limit_at(stop + 1) {
                Some(want) => (Sink::Top(s, want), stop + 1),
                None => (Sink::Sort(s), stop + 1),
            },
            _ => match limit_at(stop) {
                Some(want) => (Sink::First(want), stop),
                None => (Sink::All, stop),
            },
        }
    }

    /// Runs the `$lookup` at `start` and the per-document stages after it (up to `end`), one input document
    /// at a time, into the stage that closes them (see the module documentation); returns the output and
    /// the next stage to run.
    pub(super) fn run_segment(
        &self,
        start: usize,
        end: usize,
        docs: Vec<Document>,
        catalog: &dyn super::Catalog,
        vars: &Vars,
    ) -> Result<(Vec<Document>, usize), CommandError> {
        self.run_segment_out(start, end, docs, catalog, vars, None)
    }

    /// [`run_segment`](Self::run_segment); with `compact`, a closing whole `$sort` hands each document it
    /// emits to it (through the pipeline's last stages, stored as bytes) instead of returning it.
    pub(super) fn run_segment_out(
        &self,
        start: usize,
        end: usize,
        docs: Vec<Document>,
        catalog: &dyn super::Catalog,
        vars: &Vars,
        mut compact: Option<&mut Compact>,
    ) -> Result<(Vec<Document>, usize), CommandError> {
        let mut stop = start + 1;
        while stop < end && Self::in_segment(&self.stages[stop]) {
            stop += 1;
        }
        let (sink, next) = self.sink_at(stop, end);
        // The segment's `$unionWith`s: the input documents pass them; their documents follow, each through
        // the segment's stages after its `$unionWith`.
        let unions: Vec<usize> = (start..stop)
            .filter(|&k| matches!(self.stages[k], Stage::UnionWith(..)))
            .collect();
        // Closed by a `$setWindowFields` whose partitions are computed from the input documents: by groups
        // of inputs (window_join.rs).
        if stop < end && matches!(self.stages[stop], Stage::Window(_)) && unions.is_empty() {
            if let Some(plan) = self.window_plan(start, stop, end, vars) {
                return self.window_join(&plan, start, end, docs, catalog, vars, compact);
            }
        }
        // A whole sort after a `$lookup` that per-document stages precede (a CTE's select list before the
        // join): they run first over every input, so the sort's leading keys can be read from the
        // documents the `$lookup` takes (the incremental sort below). The sort needs every document anyway.
        if let Sink::Sort(spec) = sink {
            if !matches!(self.stages[start], Stage::Lookup(_)) {
                let lookup =
                    (start + 1..stop).find(|&k| matches!(self.stages[k], Stage::Lookup(_)));
                let unions_after = |l: usize| unions.iter().all(|&u| u > l);
                if let Some(l) =
                    lookup.filter(|&l| unions_after(l) && self.presorted(l, stop, spec).is_some())
                {
                    let mut heads = Vec::with_capacity(docs.len());
                    for d in docs {
                        match self.segment_one(d, start, l, &mut [], catalog, vars) {
                            Ok(o) => heads.extend(o),
                            // The error the document-at-a-time walk meets first: an earlier input's in
                            // the rest of the segment, else this one.
                            Err(e) => {
                                return Err(self
                                    .run_segment(l, stop, heads, catalog, vars)
                                    .err()
                                    .unwrap_or(e))
                            }
                        }
                    }
                    return self.run_segment_out(l, end, heads, catalog, vars, compact);
                }
            }
        }
        // Shared by the closures below that run documents through the segment (one at a time).
        let execs = RefCell::new(self.lookup_execs(start, stop, docs.len(), catalog, vars));
        // A closing `$project` whose last fields are the whole sort's keys (see `sort_keys`): its values go
        // into the sort beside each document (`keyed` below) instead of into the document.
        // The `$unionWith`s' documents take the same split after the segment's other stages (`keyed_union`).
        let keys = match sink {
            Sink::Sort(_) if stop > start => self.sort_keys(stop, end),
            _ => None,
        };
        let body = if keys.is_some() { stop - 1 } else { stop };
        // The `$unset` after such a sort has nothing left to remove: it is skipped.
        let next = match (&keys, compact.as_deref_mut()) {
            (None, _) => next,
            (Some(_), Some(c)) => {
                c.skip_to(next + 1);
                next + 1
            }
            (Some(_), None) => next + 1,
        };
        // `$lookup` + `$unwind` of its field (+ `$match`es, `$project`) into a `$group`: each joined row
        // grouped in turn in the outer document (join_through), not in a copy of it per match.
        let through = self.through_at(start, body).filter(|t| t.next() == body);
        if let (Sink::Group(g), Some(t), true) = (&sink, &through, unions.is_empty()) {
            if let Some(Some(exec)) = execs.borrow_mut().first_mut() {
                let mut state = group::GroupState::new(vars);
                for d in docs {
                    crate::engine::ops::check()?;
                    let matched = exec.matches(&d)?;
                    t.group(self, g, &mut state, d, matched, vars)?;
                }
                return Ok((g.finish(state, vars)?, next));
            }
        }
        // One document through the segment from the stage at `from` (`start` for an input document).
        let mut from = |d: Document, from: usize| {
            self.segment_from(d, start, from, body, &mut execs.borrow_mut(), catalog, vars)
        };
        // An input document through the segment into a whole sort, each output with its key when `keys`
        // gives it apart (each joined row of a closing `$lookup` + `$unwind` projected straight into its key
        // and document: join_through).
        let through_keyed = match (&keys, &sink) {
            (Some(_), Sink::Sort(_)) => self.through_to(start, body),
            _ => None,
        };
        // `encoded`: the sort holds its documents encoded (past its memory limit): a joined row projected
        // straight into its key is written as its bytes.
        let for_sort =
            |d: Document, spec: &SortSpec, encoded: bool| -> Result<Vec<ForSort>, CommandError> {
                match (&keys, &through_keyed) {
                    (Some(k), Some(t)) => self.segment_keyed(
                        t,
                        k,
                        spec,
                        d,
                        start,
                        &mut execs.borrow_mut(),
                        catalog,
                        vars,
                        encoded,
                    ),
                    _ => {
                        let outs = self.segment_from(
                            d,
                            start,
                            start,
                            body,
                            &mut execs.borrow_mut(),
                            catalog,
                            vars,
                        )?;
                        keyed(&keys, spec, outs, vars)
                    }
                }
            };
        match sink {
            Sink::Group(g) => {
                let mut state = group::GroupState::new(vars);
                for d in docs {
                    crate::engine::ops::check()?;
                    for o in from(d, start)? {
                        g.step_owned(&mut state, o, vars)?;
                    }
                }
                self.union_outputs(&unions, catalog, vars, &mut from, &mut |o| {
                    g.step_owned(&mut state, o, vars)
                })?;
                Ok((g.finish(state, vars)?, next))
            }
            Sink::Top(spec, want) => {
                let mut top = TopK::new(spec, want, &vars.memory);
                let order = match self.presorted(start, stop, spec) {
                    Some((prefix, exprs)) => {
                        super::presorted::input_order(&docs, &prefix, &exprs, vars)
                    }
                    None => None,
                };
                match order {
                    Some((order, prefix)) => {
                        let mut docs: Vec<Option<Document>> = docs.into_iter().map(Some).collect();
                        for (k, (key, i)) in order.iter().enumerate() {
                            crate::engine::ops::check()?;
                            if let Some(d) = docs.get_mut(*i).and_then(Option::take) {
                                for o in from(d, start)? {
                                    top.push(o)?;
                                }
                            }
                            // At a change of the leading keys, with the top full: every later input sorts
                            // after every document kept.
                            let changes = order.get(k + 1).is_some_and(|(next, _)| {
                                prefix.compare_keys(key, next) != Ordering::Equal
                            });
                            if changes && top.held() >= want {
                                break;
                            }
                        }
                    }
                    None => {
                        for d in docs {
                            crate::engine::ops::check()?;
                            for o in from(d, start)? {
                                top.push(o)?;
                            }
                        }
                    }
                }
                // The `$unionWith`s' documents come after every input's (in any order of the inputs'
                // walk): the top keeps the same ones.
                self.union_outputs(&unions, catalog, vars, &mut from, &mut |o| top.push(o))?;
                Ok((top.finish()?, next))
            }
            Sink::Sort(spec) => {
                // Leading sort keys computed from the input document (`ORDER BY a.x, b.y` of a join): the
                // inputs are taken in the order of those keys and only the outputs of inputs with equal
                // leading keys are sorted together (an incremental sort), so the whole join is never one
                // sort. Without `allowDiskUse` the whole output's size decides the 292 error: general path.
                // Only a segment with a `$lookup` multiplies its inputs; without one, ordering every input
                // first costs more than sorting what comes out (a `$match` may keep few).
                let joins = (start..stop).any(|k| matches!(self.stages[k], Stage::Lookup(_)));
                let order = match self.presorted(start, stop, spec) {
                    Some((prefix, exprs)) if vars.memory.allow_disk_use && joins => {
                        super::presorted::input_order(&docs, &prefix, &exprs, vars)
                    }
                    _ => None,
                };
                if let Some((order, prefix)) = order {
                    let mut docs: Vec<Option<Document>> = docs.into_iter().map(Some).collect();
                    // The `$unionWith`s' outputs sorted on their own, merged into the inputs' as these
                    // come out (on equal keys the inputs' first: they come first in the stream). Their
                    // error comes after any input's, as in the walk.
                    let mut tail = Vec::new();
                    if !unions.is_empty() {
                        let mut sorter = Sorter::new(spec, &vars.memory);
                        let sorted = self
                            .union_outputs(&unions, catalog, vars, &mut from, &mut |o| {
                                push(&mut sorter, keyed_union(&keys, spec, o, vars)?)
                            })
                            .and_then(|()| {
                                sorter.finish_each_keyed(&mut |k, d| {
                                    tail.push((k, d));
                                    Ok(())
                                })
                            });
                        if let Err(e) = sorted {
                            for d in docs.iter_mut().filter_map(Option::take) {
                                from(d, start)?;
                            }
                            return Err(e);
                        }
                    }
                    let mut tail = tail.into_iter().peekable();
                    let mut out = Vec::new();
                    // Every document of a group has the leading keys equal.
                    let equal = prefix.parts();
                    let mut group = Sorter::within_equal(spec, &vars.memory, equal);
                    for (k, (key, i)) in order.iter().enumerate() {
                        crate::engine::ops::check()?;
                        if let Some(d) = docs.get_mut(*i).and_then(Option::take) {
                            // Rows as bytes once the output is kept as bytes (past its parsed documents).
                            let encoded = compact.as_deref().is_some_and(Compact::keeps_bytes);
                            match for_sort(d, spec, encoded) {
                                Ok(outs) => {
                                    for o in outs {
                                        push(&mut group, o)?;
                                    }
                                }
                                // The error the walk in input order meets first: an earlier input not
                                // taken yet may fail too.
                                Err(e) => {
                                    for d in docs.iter_mut().take(*i).filter_map(Option::take) {
                                        for_sort(d, spec, false)?;
                                    }
                                    return Err(e);
                                }
                            }
                        }
                        let ends = order.get(k + 1).is_none_or(|(next, _)| {
                            prefix.compare_keys(key, next) != Ordering::Equal
                        });
                        if ends {
                            let done = std::mem::replace(
                                &mut group,
                                Sorter::within_equal(spec, &vars.memory, equal),
                            );
                            done.finish_each_held(&mut |key, d| {
                                while let Some((_, t)) = tail
                                    .next_if(|(t, _)| spec.compare_keys(t, &key) == Ordering::Less)
                                {
                                    self.emit(t, &mut out, &mut compact, vars)?;
                                }
                                self.emit_held(d, &mut out, &mut compact, vars)
                            })?;
                        }
                    }
                    for (_, t) in tail {
                        self.emit(t, &mut out, &mut compact, vars)?;
                    }
                    return Ok((out, compact.map_or(next, |c| c.end)));
                }
                let mut sorter = Sorter::new(spec, &vars.memory);
                for d in docs {
                    crate::engine::ops::check()?;
                    // Rows as bytes once the sort holds its documents encoded, or holds as many as the
                    // output keeps parsed (past them, the output is kept as bytes anyway).
                    let encoded = compact.is_some()
                        && (sorter.holds_encoded() || sorter.len() >= compact_out::held_docs());
                    for o in for_sort(d, spec, encoded)? {
                        push(&mut sorter, o)?;
                    }
                }
                self.union_outputs(&unions, catalog, vars, &mut from, &mut |o| {
                    push(&mut sorter, keyed_union(&keys, spec, o, vars)?)
                })?;
                if compact.is_none() {
                    return Ok((sorter.finish()?, next));
                }
                let mut out = Vec::new();
                sorter.finish_each_held(&mut |_, d| {
                    self.emit_held(d, &mut out, &mut compact, vars)
                })?;
                Ok((out, compact.map_or(next, |c| c.end)))
            }
            Sink::FirstOf(spec, g) => {
                let mut f = super::first_of_groups::FirstOfGroups::new(spec, g, &vars.memory);
                for d in docs {
                    crate::engine::ops::check()?;
                    for o in from(d, start)? {
                        f.push(o, vars)?;
                    }
                }
                self.union_outputs(&unions, catalog, vars, &mut from, &mut |o| f.push(o, vars))?;
                Ok((f.finish(vars)?, next))
            }
            Sink::First(want) => {
                let mut out = Vec::new();
                for d in docs {
                    crate::engine::ops::check()?;
                    out.extend(from(d, start)?);
                    if out.len() >= want {
                        return Ok((out, next));
                    }
                }
                for &u in &unions {
                    for d in self.union_docs(u, catalog, vars)? {
                        crate::engine::ops::check()?;
                        out.extend(from(d, u + 1)?);
                        if out.len() >= want {
                            return Ok((out, next));
                        }
                    }
                }
                Ok((out, next))
            }
            Sink::All => {
                let mut out = Vec::new();
                for d in docs {
                    crate::engine::ops::check()?;
                    out.extend(from(d, start)?);
                }
                self.union_outputs(&unions, catalog, vars, &mut from, &mut |o| {
                    out.push(o);
                    Ok(())
                })?;
                Ok((out, next))
            }
        }
    }

    /// Whether a stage runs inside a segment: a per-document stage, or a `$unionWith` (the documents
    /// before it pass it unchanged; its own follow them).
    pub(super) fn in_segment(stage: &Stage) -> bool {
        Self::per_document(stage) || matches!(stage, Stage::UnionWith(..))
    }

    /// Hands `each` the outputs of the `$unionWith`s at `unions` (in order): each one's documents, each
    /// through the segment from the stage after it (`from`).
    fn union_outputs(
        &self,
        unions: &[usize],
        catalog: &dyn super::Catalog,
        vars: &Vars,
        from: &mut dyn FnMut(Document, usize) -> Result<Vec<Document>, CommandError>,
        each: &mut dyn FnMut(Document) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        for &u in unions {
            for d in self.union_docs(u, catalog, vars)? {
                crate::engine::ops::check()?;
                for o in from(d, u + 1)? {
                    each(o)?;
                }
            }
        }
        Ok(())
    }

    /// The executions of the `$lookup`s of the segment `start..stop` (`None` for its other stages); the
    /// first stage's, when a `$lookup`, sees the `outer` input documents, one call each.
    pub(super) fn lookup_execs<'a>(
        &'a self,
        start: usize,
        stop: usize,
        outer: usize,
        catalog: &'a dyn super::Catalog,
        vars: &'a Vars,
    ) -> Vec<Option<join::Exec<'a>>> {
        let mut execs: Vec<Option<join::Exec<'a>>> = self.stages[start..stop]
            .iter()
            .map(|st| match st {
                Stage::Lookup(l) => Some(l.start(catalog, vars)),
                _ => None,
            })
            .collect();
        if let Some(Some(first)) = execs.first_mut() {
            first.expect_outer(outer);
        }
        execs
    }

    /// The output of the segment `start..stop` for one input document.
    pub(super) fn segment_one(
        &self,
        d: Document,
        start: usize,
        stop: usize,
        execs: &mut [Option<join::Exec<'_>>],
        catalog: &dyn super::Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        self.segment_from(d, start, start, stop, execs, catalog, vars)
    }

    /// The output of the segment `start..stop` (whose `$lookup`s' executions are `execs`) for one
    /// document entering it at stage `from` (a `$unionWith`'s document enters after it).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn segment_from(
        &self,
        d: Document,
        start: usize,
        from: usize,
        stop: usize,
        execs: &mut [Option<join::Exec<'_>>],
        catalog: &dyn super::Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        let mut cur = vec![d];
        let mut k = from;
        while k < stop && !cur.is_empty() {
            let exec = execs.get_mut(k - start).and_then(Option::as_mut);
            let through = exec.as_ref().and_then(|_| self.through_at(k, stop));
            match (&self.stages[k], exec, through) {
                (Stage::Lookup(_), Some(exec), Some(t)) => {
                    // `$lookup` + `$unwind` of its field (+ `$match`es, `$project`): each joined row made
                    // in the input document, only what the stages let out built (join_through).
                    let mut next = Vec::with_capacity(cur.len());
                    for d in cur {
                        let matched = exec.matches(&d)?;
                        t.outputs(self, d, matched, vars, &mut next)?;
                    }
                    cur = next;
                    k = t.next();
                }
                (Stage::Lookup(l), Some(exec), None)
                    if k + 1 < stop && l.emptiness_filter().is_some() =>
                {
                    // `$lookup` + the `$match` testing its list for emptiness: one filter (join_filter).
                    if let Some(f) = l.emptiness_filter() {
                        cur = super::join_filter::keep_by_size(exec, cur, f, vars)?;
                    }
                    k += 2;
                }
                (Stage::Lookup(l), Some(exec), None) => {
                    // `$lookup` + `$unwind` of its field (its index inside the joined document): one
                    // document per match, no array built.
                    let unwind = match self.stages.get(k + 1) {
                        Some(Stage::Unwind(u)) if k + 1 < stop && !l.as_field().contains('.') => {
                            u.plain_on(l.as_field())
                        }
                        _ => None,
                    };
                    let mut next = Vec::with_capacity(cur.len());
                    for mut d in cur {
                        let matched = exec.matches(&d)?;
                        match unwind {
                            // Each unwound document checked by its shape (outer + joined).
                            Some((index, preserve)) => join_unwind::unwind_into_checked(
                                d,
                                l.as_field(),
                                matched,
                                index,
                                preserve,
                                &mut next,
                            )?,
                            None => {
                                reshape::set_field(
                                    &mut d,
                                    l.as_field(),
                                    l.joined_array(join::owned(matched))?,
                                );
                                crate::engine::limits::check_intermediate(std::slice::from_ref(
                                    &d,
                                ))?;
                                next.push(d);
                            }
                        }
                    }
                    cur = next;
                    k += if unwind.is_some() { 2 } else { 1 };
                }
                // The documents before a `$unionWith` pass it (its own are run after them).
                (Stage::UnionWith(..), _, _) => k += 1,
                (stage, _, _) => {
                    // An `$unwind` copies the rest of its document per element: a `$project` of reads
                    // right after it reads only some fields, so only those are copied.
                    if let (Stage::Unwind(u), Some(keep)) = (stage, self.read_after(k)) {
                        for d in &mut cur {
                            super::reshape::keep_top_fields(d, &keep, u);
                        }
                    }
                    self.step_each(stage, &mut cur, catalog, vars)?;
                    k += 1;
                }
            }
        }
        Ok(cur)
    }

    /// The top-level fields the stage after `k` reads when it is a `$project` that only reads (paths,
    /// constants, NULL tests) and so builds its documents from those fields alone.
    fn read_after(&self, k: usize) -> Option<Vec<String>> {
        match self.stages.get(k + 1) {
            Some(Stage::Project(p)) if p.reads_only() => {
                let mut fields = Vec::new();
                p.read_fields(&mut fields)?;
                Some(fields)
            }
            _ => None,
        }
    }
}

impl Pipeline {
    /// The documents the `$unionWith` at `u` adds.
    fn union_docs(
        &self,
        u: usize,
        catalog: &dyn super::Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        match &self.stages[u] {
            Stage::UnionWith(coll, pipe, reads) => union_docs(coll, pipe, reads, catalog, vars),
            _ => Ok(Vec::new()),
        }
    }
}

/// The documents a `$unionWith` adds: its collection's (only the fields its sub-pipeline reads parsed), through
/// its sub-pipeline.
pub(super) fn union_docs(
    coll: &Option<String>,
    pipe: &Option<Pipeline>,
    reads: &Option<Vec<String>>,
    catalog: &dyn super::Catalog,
    vars: &Vars,
) -> Result<Vec<Document>, CommandError> {
    match (coll, pipe) {
        // A leading `$match` decided by the scan (source_scan).
        (Some(c), Some(p)) => {
            super::source_scan::run_over(catalog, c, reads.as_deref(), p, p.stages.len(), vars)
        }
        (Some(c), None) => match reads {
            Some(fields) => catalog.scan_fields(c, fields),
            None => catalog.scan(c),
        },
        (None, Some(p)) => p.run(Vec::new(), catalog, vars),
        (None, None) => Ok(Vec::new()),
    }
}
