//! `$setWindowFields`: partitions, sort within a partition, and per-document window outputs (`$rank
//! $denseRank $documentNumber $shift` and every `$group` accumulator over a `documents` or `range` window).
//!
//! In: the stage document and documents; out: the documents sorted by partition then `sortBy`, each with
//! the output fields. mongod's rule: an accumulator without `window` covers the whole partition.
//! Depends on `group::Accumulator`, `sort`, `expr`.

use super::group::Accumulator;
use super::want_doc;
use super::window_parts::Partitions;
use crate::engine::expr::{Expr, Vars};
use crate::engine::held::{self, Held};
use crate::engine::memory;
use crate::engine::numeric::Num;
use crate::engine::sort::{SortSpec, Sorter};
use crate::engine::CommandError;
use bson::{Bson, Document};
use emit::{check_held, held_bytes, Column, Running};
pub(super) use emit::{Emitted, MASKED};
pub(super) use peers::PeerFirst;
use std::cmp::Ordering;

/// A document with its `sortBy` key.
type Keyed = (Vec<Bson>, Document);

/// One document's value of a window output.
enum Slot {
    /// Its value (`None`: the field is removed).
    Value(Option<Bson>),
    /// The same value as the document before it (the same window).
    Repeat,
}

#[derive(Debug, Clone, Copy)]
enum Bound {
    Unbounded,
    Current,
    Offset(f64),
}

#[derive(Debug, Clone)]
enum Frame {
    Documents(Bound, Bound),
    Range(Bound, Bound, Option<i64>),
}

#[derive(Debug, Clone)]
enum Op {
    Rank,
    DenseRank,
    DocumentNumber,
    Shift {
        output: Expr,
        by: i64,
        default: Option<Expr>,
    },
    Acc(Accumulator, Frame),
}

/// A compiled `$setWindowFields`.
#[derive(Debug, Clone)]
pub struct SetWindowFields {
    partition: Option<Expr>,
    sort: Option<SortSpec>,
    /// How a spilled stage orders its documents (`{p: partition value, d: document}`): by partition, then
    /// by `sortBy`.
    spilled_sort: SortSpec,
    outputs: Vec<(String, Op)>,
}

fn bound(v: &Bson) -> Result<Bound, CommandError> {
    match v {
        Bson::String(s) if s == "unbounded" => Ok(Bound::Unbounded),
        Bson::String(s) if s == "current" => Ok(Bound::Current),
        other => Num::from_bson(other)
            .map(|n| Bound::Offset(n.to_f64()))
            .ok_or_else(|| {
                CommandError::failed_to_parse(format!(
                    "Window bounds must be 'unbounded', 'current', or a number, got {other}"
                ))
            }),
    }
}

fn unit_ms(u: &str) -> Result<i64, CommandError> {
    Ok(match u {
        "millisecond" => 1,
        "second" => 1000,
        "minute" => 60_000,
        "hour" => 3_600_000,
        "day" => 86_400_000,
        "week" => 604_800_000,
        other => {
            return Err(CommandError::bad_value(format!(
                "unit '{other}' is not supported for range windows by the embedded engine"
            )))
        }
    })
}

impl SetWindowFields {
    /// Compiles the stage document.
    pub fn compile(d: &Document) -> Result<SetWindowFields, CommandError> {
        let partition = d.get("partitionBy").map(Expr::compile).transpose()?;
        let sort = match d.get("sortBy") {
            Some(s) => Some(SortSpec::compile(want_doc(s, "sortBy")?)?),
            None => None,
        };
        let output = want_doc(
            d.get("output").ok_or_else(|| {
                CommandError::failed_to_parse("$setWindowFields requires 'output'")
            })?,
            "output",
        )?;
        let mut outputs = Vec::new();
        for (name, spec) in output {
            let spec = want_doc(spec, "window output")?;
            let mut op_spec = Document::new();
            let mut frame = Frame::Documents(Bound::Unbounded, Bound::Unbounded);
            for (k, v) in spec {
                if k == "window" {
                    let w = want_doc(v, "window")?;
                    let unit = match w.get("unit") {
                        Some(Bson::String(u)) => Some(unit_ms(u)?),
                        _ => None,
                    };
                    if let Some(Bson::Array(a)) = w.get("documents") {
                        if a.len() != 2 {
                            return Err(CommandError::failed_to_parse(
                                "window.documents must be an array of two bounds",
                            ));
                        }
                        frame = Frame::Documents(bound(&a[0])?, bound(&a[1])?);
                    } else if let Some(Bson::Array(a)) = w.get("range") {
                        if a.len() != 2 {
                            return Err(CommandError::failed_to_parse(
                                "window.range must be an array of two bounds",
                            ));
                        }
                        frame = Frame::Range(bound(&a[0])?, bound(&a[1])?, unit);
                    } else {
                        return Err(CommandError::failed_to_parse(
                            "window must have 'documents' or 'range'",
                        ));
                    }
                } else {
                    op_spec.insert(k.clone(), v.clone());
                }
            }
            let Some((opname, arg)) = op_spec.iter().next() else {
                return Err(CommandError::failed_to_parse(format!(
                    "window output '{name}' has no operator"
                )));
            };
            let needs_sort = || -> Result<(), CommandError> {
                if sort.is_none() {
                    return Err(CommandError::failed_to_parse(format!(
                        "{opname} requires a sortBy in $setWindowFields"
                    )));
                }
                Ok(())
            };
            let op = match opname.as_str() {
                "$rank" => {
                    needs_sort()?;
                    Op::Rank
                }
                "$denseRank" => {
                    needs_sort()?;
                    Op::DenseRank
                }
                "$documentNumber" => {
                    needs_sort()?;
                    Op::DocumentNumber
                }
                "$shift" => {
                    needs_sort()?;
                    let a = want_doc(arg, "$shift")?;
                    let by = a
                        .get("by")
                        .and_then(Num::from_bson)
                        .and_then(|n| n.to_i64_exact())
                        .ok_or_else(|| {
                            CommandError::failed_to_parse("$shift requires an integer 'by'")
                        })?;
                    Op::Shift {
                        output: Expr::compile(a.get("output").ok_or_else(|| {
                            CommandError::failed_to_parse("$shift requires 'output'")
                        })?)?,
                        by,
                        default: a.get("default").map(Expr::compile).transpose()?,
                    }
                }
                _ => {
                    if matches!(frame, Frame::Range(..))
                        || matches!(frame, Frame::Documents(a, b) if !matches!((a, b), (Bound::Unbounded, Bound::Unbounded)))
                    {
                        needs_sort()?;
                    }
                    Op::Acc(
                        Accumulator::compile(&Bson::Document(op_spec.clone()))?,
                        frame,
                    )
                }
            };
            outputs.push((name.clone(), op));
        }
        let spilled_sort = SortSpec::nested_under(sort.as_ref(), "p", "d");
        Ok(SetWindowFields {
            partition,
            sort,
            spilled_sort,
            outputs,
        })
    }

    /// The `partitionBy` expression (`None`: one partition).
    pub(super) fn partition(&self) -> Option<&Expr> {
        self.partition.as_ref()
    }

    /// The fields the stage writes.
    pub(super) fn output_names(&self) -> impl Iterator<Item = &str> {
        self.outputs.iter().map(|(name, _)| name.as_str())
    }

    /// Runs the stage.
    pub fn run(&self, docs: Vec<Document>, vars: &Vars) -> Result<Vec<Document>, CommandError> {
        let mut out = Vec::with_capacity(docs.len());
        self.run_each(docs, vars, |d| {
            out.push(d);
            Ok(())
        })?;
        Ok(out)
    }

    /// Runs the stage, handing each output document to `sink` as soon as its partition is computed (the
    /// pipeline runs the per-document stages after the window there, so one partition's outputs are held at
    /// a time, not the whole stage's). The loops look at the op's interrupt.
    ///
    /// The documents are held by partition up to `window_bytes` (mongod's
    /// `internalDocumentSourceSetWindowFieldsMaxMemoryBytes`): past it without `allowDiskUse`, mongod's
    /// 5643011 (counted in BSON bytes). Counted in resident bytes, past it the documents held and every
    /// later one are held encoded ([`Held`], decoded a partition at a time as it is computed); past it again
    /// with `allowDiskUse`, the documents held and every later one go through an external sort by
    /// (partition, `sortBy`) whose merge is read one partition at a time: the same outputs in the same
    /// order, with one partition in memory.
    pub fn run_each(
        &self,
        docs: Vec<Document>,
        vars: &Vars,
        mut sink: impl FnMut(Document) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        self.run_each_marked(docs, vars, |mut d, em| {
            em.fill(&mut d, em.repeat);
            sink(d)
        })
    }

    /// [`run_each`](Self::run_each), where a document whose output repeats the previous document's value
    /// may hold `null` at that output's place, as [`Emitted`] says (the caller fills it or replaces it).
    pub(super) fn run_each_marked(
        &self,
        docs: Vec<Document>,
        vars: &Vars,
        sink: impl FnMut(Document, &Emitted<'_>) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        self.run_partitions(docs, vars, None, sink)
    }

    /// [`run_each_marked`](Self::run_each_marked) of this stage, or (`peers`) of this stage and the
    /// `$setWindowFields` after it that [`PeerFirst`] runs with it.
    pub(super) fn run_partitions(
        &self,
        docs: Vec<Document>,
        vars: &Vars,
        peers: Option<&PeerFirst>,
        mut sink: impl FnMut(Document, &Emitted<'_>) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        // Each document with its sort key, read once while the partition key is (the document is in
        // cache then; the key serves the sort and every rank and range window after it).
        let mut parts: Partitions<(Vec<Bson>, Held)> = Partitions::new();
        let mem = &vars.memory;
        // Resident bytes held (past the limit: encode, then spill), and BSON bytes (the 5643011 limit).
        let mut held = 0usize;
        let mut bson_held = 0usize;
        // What the pair's second stage adds to the documents it holds (its 5643011 counts them).
        let mut peers_added = 0usize;
        let mut compact = false;
        let mut spilled: Option<Sorter> = None;
        for d in docs {
            crate::engine::ops::check()?;
            if let Some(sorter) = &mut spilled {
                let key = spill_key(self.partition_key(&d, vars)?, self.sort_key(&d));
                sorter.push_keyed(key, d)?;
                continue;
            }
            if !mem.allow_disk_use {
                bson_held += memory::doc_bytes(&d) + memory::ENTRY_OVERHEAD;
                if bson_held > mem.window_bytes {
                    return Err(window_memory_error());
                }
                if let Some(p) = peers {
                    peers_added += p.added_bytes(&d);
                }
            }
            let sort_key = self.sort_key(&d);
            // A plain field's value is looked up by reference (cloned once per partition).
            let slot = match self.partition.as_ref().and_then(|e| e.eval_top_field(&d)) {
                Some(v) => parts.slot(checked_partition(v.unwrap_or(&Bson::Null))?),
                None => parts.slot_owned(self.partition_key(&d, vars)?),
            };
            let d = match compact {
                true => Held::encode(&d)?,
                false => Held::Doc(d),
            };
            held += entry_resident(&sort_key, &d);
            parts.push_at(slot, (sort_key, d));
            if held > mem.window_bytes && !compact {
                // Past the limit as built: what is held is encoded, and counted as it is now.
                compact = true;
                held = 0;
                for (k, d) in parts.items_mut() {
                    crate::engine::ops::check()?;
                    d.compact()?;
                    held += entry_resident(k, d);
                }
            }
            if mem.allow_disk_use && held > mem.window_bytes {
                // Partition by partition: within one, the documents keep their input order (the sort is
                // stable), and partitions never tie on the leading key.
                let mut sorter = Sorter::new(&self.spilled_sort, mem);
                for (key, part) in std::mem::replace(&mut parts, Partitions::new()).into_unsorted()
                {
                    for (k, d) in part {
                        sorter.push_held(spill_key(key.clone(), k), d)?;
                    }
                }
                spilled = Some(sorter);
            }
        }
        if spilled.is_none()
            && !mem.allow_disk_use
            && bson_held.saturating_add(peers_added) > mem.window_bytes
        {
            return Err(window_memory_error());
        }
        if let Some(sorter) = spilled {
            let mut current: Option<Bson> = None;
            let mut part = Vec::new();
            sorter.finish_each_keyed(&mut |mut k, d| {
                // The spill key: the partition value, then the `sortBy` key.
                let key = match k.is_empty() {
                    true => Bson::Null,
                    false => k.remove(0),
                };
                if current
                    .as_ref()
                    .is_some_and(|c| crate::engine::bson_order::compare(c, &key) != Ordering::Equal)
                {
                    self.emit_either(std::mem::take(&mut part), vars, peers, &mut sink)?;
                }
                current = Some(key);
                part.push((k, d));
                Ok(())
            })?;
            if !part.is_empty() {
                self.emit_either(part, vars, peers, &mut sink)?;
            }
            return Ok(());
        }
        for (_, part) in parts.into_sorted() {
            crate::engine::ops::check_now()?;
            let part = part
                .into_iter()
                .map(|(k, d)| d.into_doc().map(|d| (k, d)))
                .collect::<Result<Vec<Keyed>, CommandError>>()?;
            self.emit_either(part, vars, peers, &mut sink)?;
        }
        Ok(())
    }

    /// One partition through this stage ([`emit_partition`](Self::emit_partition)) or through the pair
    /// of stages `peers` plans ([`emit_peers`](Self::emit_peers)).
    fn emit_either(
        &self,
        part: Vec<Keyed>,
        vars: &Vars,
        peers: Option<&PeerFirst>,
        sink: &mut impl FnMut(Document, &Emitted<'_>) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        match peers {
            Some(p) => self.emit_peers(part, p, sink),
            None => self.emit_partition(part, vars, sink),
        }
    }

    /// The partition value of a document (missing: null; an array is mongod's error).
    fn partition_key(&self, d: &Document, vars: &Vars) -> Result<Bson, CommandError> {
        let key = match &self.partition {
            Some(e) => e.eval(d, vars)?.unwrap_or(Bson::Null),
            None => Bson::Null,
        };
        checked_partition(&key)?;
        Ok(key)
    }

    /// The `sortBy` key of a document (empty without `sortBy`).
    fn sort_key(&self, d: &Document) -> Vec<Bson> {
        match &self.sort {
            Some(s) => s.key(d),
            None => Vec::new(),
        }
    }

    fn same_key(&self, a: &[Bson], b: &[Bson]) -> bool {
        self.sort
            .as_ref()
            .is_some_and(|s| s.compare_keys(a, b) == Ordering::Equal)
    }

    /// One output over a sorted partition, in one pass where the operator allows: ranks from the previous
    /// document's; an accumulator whose windows only grow at their end (running frames, the whole
    /// partition, peers of a running range) folded as the documents are handed on ([`Running`]); other
    /// windows folded incrementally while each extends the previous one, folded anew otherwise.
    fn column<'a>(
        &self,
        op: &'a Op,
        part: &[Document],
        keys: &[Vec<Bson>],
        vars: &Vars,
    ) -> Result<Column<'a>, CommandError> {
        let n = part.len();
        let mut col = Vec::with_capacity(n);
        match op {
            Op::Rank | Op::DenseRank => {
                let dense = matches!(op, Op::DenseRank);
                let mut rank = 0i64;
                for i in 0..n {
                    if i == 0 || !self.same_key(&keys[i - 1], &keys[i]) {
                        rank = if dense { rank + 1 } else { i as i64 + 1 };
                    }
                    col.push(Slot::Value(Some(Bson::Int64(rank))));
                }
            }
            Op::Acc(acc, frame) => {
                let mut windows = self.windows(frame, part, keys)?;
                if let Some((max, arg)) = acc.extreme() {
                    if let Some(col) = sliding_extreme(max, arg, part, &windows, vars) {
                        let col: Vec<Slot> = col.into_iter().map(Slot::Value).collect();
                        return Ok(Column::Eager(col.into_iter().peekable()));
                    }
                }
                for w in windows.iter_mut() {
                    w.1 = w.1.min(n.saturating_sub(1));
                }
                if let Some(r) = Running::new(acc, &windows) {
                    return Ok(Column::Running(r));
                }
                // The state folded over part[lo..next] and the result of the previous window.
                let mut run: Option<(usize, usize, super::group::AccState)> = None;
                let mut prev: Option<(usize, usize)> = None;
                // The values this column holds (one per document whose window differs from the one
                // before): past the limit, mongod's 5414201 (window function state does not spill).
                let limit = vars.memory.window_bytes;
                let mut used = 0usize;
                for &(lo, hi) in &windows {
                    crate::engine::ops::check()?;
                    if lo > hi || lo >= n {
                        col.push(Slot::Value(Some(acc.over(std::iter::empty(), vars)?)));
                        // The next document repeats nothing: its slot's previous value is this one.
                        prev = None;
                        continue;
                    }
                    if prev == Some((lo, hi)) {
                        // The same window as the document before: its value, held once.
                        col.push(Slot::Repeat);
                        continue;
                    }
                    let (start, mut next, mut st) = match run.take() {
                        Some((start, next, st)) if start == lo && next <= hi + 1 => {
                            (start, next, st)
                        }
                        _ => (lo, lo, acc.init()),
                    };
                    while next <= hi {
                        crate::engine::ops::check()?;
                        acc.step(&mut st, next == start, &part[next], vars)?;
                        next += 1;
                    }
                    let v = acc.finish(st.clone(), &Document::new(), vars)?;
                    used += held_bytes(&v);
                    check_held(used, limit)?;
                    run = Some((start, next, st));
                    prev = Some((lo, hi));
                    col.push(Slot::Value(Some(v)));
                }
            }
            _ => {
                for i in 0..n {
                    crate::engine::ops::check()?;
                    col.push(Slot::Value(self.eval_op(op, part, keys, i, vars)?));
                }
            }
        }
        Ok(Column::Eager(col.into_iter().peekable()))
    }

    /// Each document's window `(lo, hi)` (inclusive; `lo > hi` when empty). A range frame over sort values
    /// that are monotonic is found by binary search; otherwise each document's window is computed on its
    /// own ([`window`](Self::window)).
    fn windows(
        &self,
        frame: &Frame,
        part: &[Document],
        keys: &[Vec<Bson>],
    ) -> Result<Vec<(usize, usize)>, CommandError> {
        if let Frame::Range(a, b, unit) = frame {
            let vals: Option<Vec<f64>> = keys.iter().map(|k| range_value(k)).collect();
            if let Some(vals) = vals {
                let up = vals.windows(2).all(|w| w[0] <= w[1]);
                let down = vals.windows(2).all(|w| w[0] >= w[1]);
                if up || down {
                    let scale = unit.unwrap_or(1) as f64;
                    return Ok(vals
                        .iter()
                        .map(|&cur| {
                            let (lo_v, hi_v) = range_bounds(*a, *b, cur, scale);
                            let inside = |v: f64| v >= lo_v && v <= hi_v;
                            // Values before the window, then the window's values, then after it.
                            let (first, end) = if up {
                                (
                                    vals.partition_point(|&v| v < lo_v),
                                    vals.partition_point(|&v| v <= hi_v),
                                )
                            } else {
                                (
                                    vals.partition_point(|&v| v > hi_v),
                                    vals.partition_point(|&v| v >= lo_v),
                                )
                            };
                            if first < end && inside(vals[first]) {
                                (first, end - 1)
                            } else {
                                (1, 0)
                            }
                        })
                        .collect());
                }
            }
        }
        (0..part.len())
            .map(|i| self.window(frame, part, keys, i))
            .collect()
    }

    fn eval_op(
        &self,
        op: &Op,
        part: &[Document],
        keys: &[Vec<Bson>],
        i: usize,
        vars: &Vars,
    ) -> Result<Option<Bson>, CommandError> {
        Ok(Some(match op {
            Op::DocumentNumber => Bson::Int64(i as i64 + 1),
            Op::Rank => {
                let mut j = i;
                while j > 0 && self.same_key(&keys[j - 1], &keys[i]) {
                    j -= 1;
                }
                Bson::Int64(j as i64 + 1)
            }
            Op::DenseRank => {
                let mut rank = 1i64;
                for j in 1..=i {
                    if !self.same_key(&keys[j - 1], &keys[j]) {
                        rank += 1;
                    }
                }
                Bson::Int64(rank)
            }
            Op::Shift {
                output,
                by,
                default,
            } => {
                let j = i as i64 + by;
                if j >= 0 && (j as usize) < part.len() {
                    output.eval(&part[j as usize], vars)?.unwrap_or(Bson::Null)
                } else {
                    match default {
                        Some(e) => e.eval(&part[i], vars)?.unwrap_or(Bson::Null),
                        None => Bson::Null,
                    }
                }
            }
            Op::Acc(acc, frame) => {
                let (lo, hi) = self.window(frame, part, keys, i)?;
                if lo > hi || lo >= part.len() {
                    acc.over(std::iter::empty(), vars)?
                } else {
                    acc.over(part[lo..=hi.min(part.len() - 1)].iter(), vars)?
                }
            }
        }))
    }

    fn window(
        &self,
        frame: &Frame,
        part: &[Document],
        keys: &[Vec<Bson>],
        i: usize,
    ) -> Result<(usize, usize), CommandError> {
        let n = part.len();
        match frame {
            Frame::Documents(a, b) => {
                let lo = match a {
                    Bound::Unbounded => 0i64,
                    Bound::Current => i as i64,
                    Bound::Offset(o) => i as i64 + *o as i64,
                };
                let hi = match b {
                    Bound::Unbounded => n as i64 - 1,
                    Bound::Current => i as i64,
                    Bound::Offset(o) => i as i64 + *o as i64,
                };
                let lo = lo.max(0);
                let hi = hi.min(n as i64 - 1);
                if hi < lo {
                    return Ok((1, 0));
                }
                Ok((lo as usize, hi as usize))
            }
            Frame::Range(a, b, unit) => {
                // O(n) per document: looked at per window.
                crate::engine::ops::check()?;
                let val = |k: &Vec<Bson>| range_value(k);
                let Some(cur) = val(&keys[i]) else {
                    return Err(CommandError::location(
                        5429414,
                        "Invalid range: Expected the sortBy field to be a number or a date",
                    ));
                };
                let (lo_v, hi_v) = range_bounds(*a, *b, cur, unit.unwrap_or(1) as f64);
                let idx: Vec<usize> = (0..n)
                    .filter(|j| val(&keys[*j]).is_some_and(|v| v >= lo_v && v <= hi_v))
                    .collect();
                match (idx.first(), idx.last()) {
                    (Some(l), Some(h)) => Ok((*l, *h)),
                    _ => Ok((1, 0)),
                }
            }
        }
    }
}

/// `$min` / `$max` over windows whose bounds never move back (sliding frames), with a deque of the
/// candidates (indexes whose values are monotonic): O(n) whatever the window's width. The first of equal
/// extremes is the answer, as the fold keeps it. `None` (the caller folds each window) when the bounds move
/// back or an argument fails to evaluate (the fold then reports the error where it did).
fn sliding_extreme(
    max: bool,
    arg: &Expr,
    part: &[Document],
    windows: &[(usize, usize)],
    vars: &Vars,
) -> Option<Vec<Option<Bson>>> {
    let n = part.len();
    let mut last = (0usize, 0usize);
    for &(lo, hi) in windows {
        if lo > hi || lo >= n {
            continue;
        }
        let hi = hi.min(n - 1);
        if lo < last.0 || hi < last.1 {
            return None;
        }
        last = (lo, hi);
    }
    let mut vals = Vec::with_capacity(n);
    for d in part {
        let v = arg.eval(d, vars).ok()?;
        vals.push(v.filter(|x| !matches!(x, Bson::Null | Bson::Undefined)));
    }
    // `a` replaces `b` as the extreme.
    let beats = |a: &Bson, b: &Bson| {
        let o = crate::engine::bson_order::compare(a, b);
        if max {
            o == Ordering::Greater
        } else {
            o == Ordering::Less
        }
    };
    let mut dq: std::collections::VecDeque<usize> = Default::default();
    let mut next = 0usize;
    let mut col = Vec::with_capacity(windows.len());
    for &(lo, hi) in windows {
        if lo > hi || lo >= n {
            col.push(Some(Bson::Null));
            continue;
        }
        let hi = hi.min(n - 1);
        while next <= hi {
            if let Some(v) = &vals[next] {
                while dq
                    .back()
                    .is_some_and(|&b| vals[b].as_ref().is_some_and(|x| beats(v, x)))
                {
                    dq.pop_back();
                }
                dq.push_back(next);
            }
            next += 1;
        }
        while dq.front().is_some_and(|&f| f < lo) {
            dq.pop_front();
        }
        col.push(Some(
            dq.front()
                .and_then(|&f| vals[f].clone())
                .unwrap_or(Bson::Null),
        ));
    }
    Some(col)
}

/// mongod's 5643011: the documents a `$setWindowFields` holds pass its memory limit without `allowDiskUse`.
fn window_memory_error() -> CommandError {
    CommandError::location(
        5643011,
        "Exceeded max memory. Set 'allowDiskUse: true' to spill to disk",
    )
}

/// The key a spilled stage sorts a document by (its [`spilled_sort`](SetWindowFields): the partition
/// value, then the `sortBy` key): what that spec reads from `{p: partition, d: document}`.
fn spill_key(partition: Bson, sort_key: Vec<Bson>) -> Vec<Bson> {
    let mut key = Vec::with_capacity(sort_key.len() + 1);
    key.push(partition);
    key.extend(sort_key);
    key
}

/// The resident bytes of one held document with its `sortBy` key.
fn entry_resident(key: &[Bson], d: &Held) -> usize {
    d.resident() + held::key_resident(key) + memory::ENTRY_OVERHEAD
}

/// A partition value, refused when it is an array: mongod partitions by sorting, so an array partition
/// value is an error (SERVER-53702).
fn checked_partition(key: &Bson) -> Result<&Bson, CommandError> {
    if matches!(key, Bson::Array(_)) {
        return Err(CommandError::location(
            5254301,
            "An expression used to partition cannot evaluate to value of type array",
        ));
    }
    Ok(key)
}

/// The value a range window measures: the first sort key as a number (a date as its milliseconds).
fn range_value(k: &[Bson]) -> Option<f64> {
    match k.first() {
        Some(Bson::DateTime(d)) => Some(d.timestamp_millis() as f64),
        Some(other) => Num::from_bson(other).map(|x| x.to_f64()),
        None => None,
    }
}

/// A range window's bounds around the value `cur` (`scale`: milliseconds per unit, 1 without a unit).
fn range_bounds(a: Bound, b: Bound, cur: f64, scale: f64) -> (f64, f64) {
    let at = |x: Bound, unbounded: f64| match x {
        Bound::Unbounded => unbounded,
        Bound::Current => cur,
        Bound::Offset(o) => cur + o * scale,
    };
    (at(a, f64::NEG_INFINITY), at(b, f64::INFINITY))
}

#[path = "window_emit.rs"]
mod emit;

#[path = "window_peers.rs"]
mod peers;

#[cfg(test)]
#[path = "window_tests.rs"]
mod tests;
