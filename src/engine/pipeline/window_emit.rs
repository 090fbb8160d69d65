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

impl<'a> Emitted<'a> {
    /// Marks of a document whose outputs are all in place and not repeated by the next one.
    pub(super) fn none(outputs: &'a [(String, Op)]) -> Emitted<'a> {
        Emitted {
            repeat: 0,
            next: 0,
            outputs,
            held: &[],
        }
    }

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
            sort_partition(s, &mut keyed)?;
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

/// Sorts a partition's documents by their keys on `s`, stably (documents of equal keys keep their input
/// order). A single key whose values are all documents of the same field names (the translator's
/// `__w0k: {n0: <NULL flag>, s0: <value>}` for an `ORDER BY` of several parts or a nullable one) is sorted
/// as the key of those values ([`SortSpec::of_document_fields`]: the same order), by prefix records
/// ([`SortSpec::sort_entries`]) instead of a comparison of documents per step.
pub(super) fn sort_partition(
    s: &crate::engine::sort::SortSpec,
    keyed: &mut Vec<Keyed>,
) -> Result<(), CommandError> {
    let names: Option<Vec<String>> = match keyed.first().map(|k| k.0.as_slice()) {
        Some([Bson::Document(d)]) if !d.is_empty() => Some(d.keys().cloned().collect()),
        _ => None,
    };
    let same_shape = |names: &[String]| {
        keyed.iter().all(|(k, _)| match k.as_slice() {
            [Bson::Document(d)] => {
                d.len() == names.len() && d.keys().zip(names).all(|(a, b)| a == b)
            }
            _ => false,
        })
    };
    let flat = names
        .filter(|n| same_shape(n))
        .and_then(|n| s.of_document_fields(&n));
    let Some(flat) = flat else {
        return crate::engine::ops::sort_checked(keyed, |a, b| s.compare_keys(&a.0, &b.0));
    };
    let mut order: Vec<(Vec<Bson>, usize)> = keyed
        .iter()
        .enumerate()
        .map(|(i, (k, _))| match k.first() {
            Some(Bson::Document(d)) => (d.values().cloned().collect(), i),
            _ => (Vec::new(), i),
        })
        .collect();
    flat.sort_entries(&mut order, 0)?;
    let mut taken: Vec<Option<Keyed>> = std::mem::take(keyed).into_iter().map(Some).collect();
    keyed.extend(
        order
            .into_iter()
            .filter_map(|(_, i)| taken.get_mut(i).and_then(Option::take)),
    );
    Ok(())
}

#[cfg(test)]
mod sort_tests {
    use super::*;
    use crate::engine::sort::SortSpec;
    use bson::doc;
    use proptest::prelude::*;

    fn part() -> impl Strategy<Value = Bson> {
        prop_oneof![
            (0i32..3).prop_map(Bson::Int32),
            (0i64..3).prop_map(Bson::Int64),
            (0u8..3).prop_map(|f| Bson::Double(f64::from(f) / 2.0)),
            prop_oneof![Just("a"), Just("b"), Just("B"), Just("ab")]
                .prop_map(|s: &str| Bson::String(s.into())),
            Just(Bson::Null),
            Just(Bson::Boolean(true)),
        ]
    }

    proptest! {
        /// A partition keyed by documents of one shape sorts as the documents compare (stably), by any
        /// direction, above and below the prefix-sort threshold; keys of several shapes take the comparison.
        #[test]
        fn document_keys_sort_as_the_documents_compare(
            keys in prop::collection::vec((part(), part(), any::<bool>()), 0..200),
            asc in any::<bool>(),
        ) {
            let spec = SortSpec::compile(&doc! {"k": if asc { 1 } else { -1 }}).expect("spec");
            let keyed: Vec<Keyed> = keys
                .iter()
                .enumerate()
                .map(|(i, (a, b, other))| {
                    // Rarely, a document of another shape (every key then takes the general comparison).
                    let k = match *other && i % 37 == 5 {
                        true => doc! {"s0": b.clone(), "n0": a.clone()},
                        false => doc! {"n0": a.clone(), "s0": b.clone()},
                    };
                    (vec![Bson::Document(k)], doc! {"i": i as i32})
                })
                .collect();
            let mut want = keyed.clone();
            want.sort_by(|a, b| spec.compare_keys(&a.0, &b.0));
            let mut got = keyed;
            sort_partition(&spec, &mut got).expect("sorts");
            prop_assert_eq!(format!("{want:?}"), format!("{got:?}"));
        }
    }
}
