//! Handing out one partition of a `$setWindowFields`: each document with its outputs, in `sortBy` order.
//!
//! An output is computed before the first document leaves ([`Column::Eager`]: ranks, `$shift`, sliding
//! frames), or, for an accumulator whose windows only grow at their end (a running frame, the whole partition,
//! the peers of a running range), folded as the documents leave ([`Column::Running`]): it holds its state and
//! the value the next document repeats, never one value per document (a running `$push` over a partition of
//! n documents held n arrays, O(n^2)). Its memory is then what mongod counts for a window function, the
//! state: 5414201 past the limit.
//!
//! A document whose window is the previous document's gets that value; when the output is a top-level field,
//! the document is handed on with `null` at the field's place and [`Emitted`] says so: the stages after the
//! window (`Pipeline::run_window`) put the value there ([`Emitted::fill`]) or, when a `$set` right after the
//! window computes a field from such outputs only, reuse what it computed for the document before
//! (`window_memo.rs`): a whole-partition `$push` reduced to a string is reduced once per partition, not once per
//! document.

use super::{Keyed, Op, SetWindowFields, Slot};
use crate::engine::expr::Vars;
use crate::engine::pipeline::accumulator::AccState;
use crate::engine::pipeline::group::Accumulator;
use crate::engine::pipeline::reshape::{set_field, unset_field};
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The outputs with a bit in an [`Emitted`] mask: the first 64 (later ones are always set in place).
pub(in crate::engine::pipeline) const MASKED: usize = 64;

/// What a document handed on by [`SetWindowFields::run_each_marked`] carries beside it.
pub(in crate::engine::pipeline) struct Emitted<'a> {
    /// Bit `j`: output `j` repeats the previous document's value, and the document holds `null` at its
    /// place ([`fill`](Self::fill) puts the value there).
    pub repeat: u64,
    /// Bit `j`: the next document of the partition repeats this document's value of output `j`.
    pub next: u64,
    /// The outputs (their names), in the stage's order.
    outputs: &'a [(String, Op)],
    /// Each output's repeated value.
    held: &'a [Option<Bson>],
}

impl Emitted<'_> {
    /// The index of the output named `name` that has a bit in the masks.
    pub fn output(&self, name: &str) -> Option<usize> {
        self.outputs
            .iter()
            .take(MASKED)
            .position(|(n, _)| n == name)
    }

    /// Whether every output of `mask` repeats the previous document's value.
    pub fn repeats(&self, mask: u64) -> bool {
        mask & !self.repeat == 0
    }

    /// Whether the next document repeats this document's value of every output of `mask`.
    pub fn next_repeats(&self, mask: u64) -> bool {
        mask & !self.next == 0
    }

    /// Puts the repeated value of each output of `pending` (a subset of [`repeat`](Self::repeat)) at its
    /// place in `d`.
    pub fn fill(&self, d: &mut Document, pending: u64) {
        let mut bits = pending & self.repeat;
        while bits != 0 {
            let j = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if let (Some((name, _)), Some(Some(v))) = (self.outputs.get(j), self.held.get(j)) {
                set_field(d, name, v.clone());
            }
        }
    }
}

/// An accumulator folded as the partition's documents leave: every window starts at `start` and ends at or
/// after its own document, and no window ends before the one before it.
pub(super) struct Running<'a> {
    acc: &'a Accumulator,
    windows: Vec<(usize, usize)>,
    /// The state folded over `part[start..next]`.
    state: AccState,
    next: usize,
}

impl<'a> Running<'a> {
    /// `Some` when the windows (inclusive, `hi` within the partition) allow folding as the documents leave.
    pub(super) fn new(acc: &'a Accumulator, windows: &[(usize, usize)]) -> Option<Running<'a>> {
        let start = windows.first()?.0;
        let mut last_hi = 0;
        for (i, &(lo, hi)) in windows.iter().enumerate() {
            if lo != start || hi < lo || hi < i || hi < last_hi || hi >= windows.len() {
                return None;
            }
            last_hi = hi;
        }
        Some(Running {
            acc,
            windows: windows.to_vec(),
            state: acc.init(),
            next: start,
        })
    }

    /// Whether document `i`'s window is document `i - 1`'s.
    fn same_as_before(&self, i: usize) -> bool {
        i > 0 && self.windows.get(i) == self.windows.get(i - 1)
    }

    /// Document `i`'s value (`None`: the same as document `i - 1`'s), folding the documents its window adds
    /// (all at or after `i`: not handed on yet). Past `limit` bytes of state, mongod's 5414201.
    fn value(
        &mut self,
        i: usize,
        part: &[Document],
        vars: &Vars,
        limit: usize,
    ) -> Result<Option<Bson>, CommandError> {
        if self.same_as_before(i) {
            return Ok(None);
        }
        let (start, hi) = self.windows[i];
        while self.next <= hi {
            crate::engine::ops::check()?;
            self.acc
                .step(&mut self.state, self.next == start, &part[self.next], vars)?;
            self.next += 1;
        }
        let v = self
            .acc
            .finish(self.state.clone(), &Document::new(), vars)?;
        check_held(held_bytes(&v), limit)?;
        Ok(Some(v))
    }
}

/// The bytes a window function's value counts for (containers and strings; scalars count nothing).
pub(super) fn held_bytes(v: &Bson) -> usize {
    match v {
        Bson::Array(_) | Bson::Document(_) | Bson::String(_) => {
            crate::engine::memory::value_bytes(v)
        }
        _ => 0,
    }
}

/// mongod's 5414201 when what a window function holds passes `limit` bytes.
pub(super) fn check_held(used: usize, limit: usize) -> Result<(), CommandError> {
    if used > limit {
        return Err(CommandError::location(5414201, format!("Exceeded memory limit in DocumentSourceSetWindowFields, used {used} bytes but max allowed is {limit}")));
    }
    Ok(())
}

/// One output's values over a partition.
pub(super) enum Column<'a> {
    /// Computed before the first document leaves.
    Eager(std::iter::Peekable<std::vec::IntoIter<Slot>>),
    /// Folded as the documents leave.
    Running(Running<'a>),
}

impl SetWindowFields {
    /// Computes one partition's outputs and hands its documents to `sink`, in `sortBy` order.
    pub(super) fn emit_partition(
        &self,
        mut keyed: Vec<Keyed>,
        vars: &Vars,
        sink: &mut impl FnMut(Document, &Emitted<'_>) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        if let Some(s) = &self.sort {
            // Stable: documents of equal keys keep their input order.
            crate::engine::ops::sort_checked(&mut keyed, |a, b| s.compare_keys(&a.0, &b.0))?;
        }
        let (keys, mut part): (Vec<Vec<Bson>>, Vec<Document>) = keyed.into_iter().unzip();
        let mut columns = Vec::with_capacity(self.outputs.len());
        for (_, op) in &self.outputs {
            columns.push(self.column(op, &part, &keys, vars)?);
        }
        let limit = vars.memory.window_bytes;
        // Each output's value repeated by the documents after the one that computed it.
        let mut held: Vec<Option<Bson>> = vec![None; self.outputs.len()];
        // The outputs of one document (`None`: its value repeats the document before's).
        let mut vals: Vec<Option<Option<Bson>>> = Vec::with_capacity(columns.len());
        for i in 0..part.len() {
            crate::engine::ops::check()?;
            // The outputs of document `i` before it leaves the partition (a running fold reads it).
            let mut next = 0u64;
            for (j, col) in columns.iter_mut().enumerate() {
                let (v, next_repeats) = match col {
                    Column::Eager(col) => {
                        let v = match col.next() {
                            Some(Slot::Value(v)) => Some(v),
                            Some(Slot::Repeat) => None,
                            None => Some(None),
                        };
                        (v, matches!(col.peek(), Some(Slot::Repeat)))
                    }
                    Column::Running(r) => (
                        r.value(i, &part, vars, limit)?.map(Some),
                        r.same_as_before(i + 1),
                    ),
                };
                if next_repeats {
                    if let Some(v) = &v {
                        held[j].clone_from(v);
                    }
                    if j < MASKED {
                        next |= 1 << j;
                    }
                }
                vals.push(v);
            }
            let mut d = std::mem::take(&mut part[i]);
            let mut repeat = 0u64;
            for (j, ((name, _), v)) in self.outputs.iter().zip(vals.drain(..)).enumerate() {
                match v {
                    Some(Some(v)) => set_field(&mut d, name, v),
                    Some(None) => unset_field(&mut d, name),
                    None => match &held[j] {
                        // A top-level field: its place taken, its value put there by the sink.
                        Some(_) if j < MASKED && !name.contains('.') => {
                            set_field(&mut d, name, Bson::Null);
                            repeat |= 1 << j;
                        }
                        Some(v) => set_field(&mut d, name, v.clone()),
                        None => unset_field(&mut d, name),
                    },
                }
            }
            let em = Emitted {
                repeat,
                next,
                outputs: &self.outputs,
                held: &held,
            };
            sink(d, &em)?;
        }
        Ok(())
    }
}
