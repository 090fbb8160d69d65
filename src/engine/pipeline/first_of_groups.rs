//! A `$sort` followed by a `$group` whose accumulators are all `$first` of a plain read (the translator's
//! `DISTINCT ON`: `{$sort: keys}`, `{$group: {_id: {g0: ...}, __row: {$first: "$$ROOT"}}}`): each group's
//! first document in the sort's order is its smallest key (the earliest of equal keys: the sort is stable),
//! so the documents are not sorted. Each one's key and group are found as it comes, the group keeping its
//! smallest (key, arrival) document; at the end the kept documents are sorted by (key, arrival) — the order
//! in which the sorted stream would have first shown each group — and grouped as the `$group` groups them.
//! The same groups, the same `$first` values, in the same order, as sorting every document then grouping.
//!
//! The general path is kept where it differs: once the documents' BSON bytes pass the sort's memory limit
//! (counted as the sort counts them), everything goes through the [`Sorter`] (292 without `allowDiskUse`,
//! spilled with it) and then the `$group`; a group key whose evaluation fails sends the documents through
//! the same sort and grouping, so the error is the one the sorted walk meets first.
//!
//! In: the `$sort` spec, the `$group`, each document; out: the `$group`'s output documents. Depends on
//! `sort`, `group`. A property test in `first_of_groups_tests.rs` holds it to the two stages run one after
//! the other.

use super::group::{Group, GroupState, Kind};
use crate::engine::expr::Vars;
use crate::engine::memory::{self, ENTRY_OVERHEAD};
use crate::engine::sort::{SortSpec, Sorter};
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

/// Whether `$sort: spec` then `$group: g` may run as [`FirstOfGroups`]: every accumulator of `g` is
/// `$first` of an expression that can neither fail nor depend on anything but the document (it is then
/// evaluated on each group's first document only, as the general `$group` does past the first).
pub(super) fn applies(spec: &SortSpec, g: &Group) -> bool {
    spec.parts() > 0
        && !g.fields().is_empty()
        && g.fields()
            .iter()
            .all(|(_, a)| matches!(a.kind, Kind::First) && a.arg.is_plain_read())
}

/// The documents of a `$sort` + `$group` of `$first`s, taken one at a time (see the module documentation).
pub(super) struct FirstOfGroups<'p> {
    spec: &'p SortSpec,
    group: &'p Group,
    mem: &'p memory::MemoryPolicy,
    /// Every document with its sort key, in arrival order (the non-kept ones are dropped at the end: a
    /// fallback to the general path needs them).
    entries: Vec<(Vec<Bson>, Document)>,
    /// The groups seen, by key (nothing folded in them: only their slots are used).
    slots: GroupState,
    /// Per group slot, the index in `entries` of its smallest (key, arrival) document.
    best: Vec<usize>,
    /// The first group key evaluation that failed: then the general path decides the error.
    failed: bool,
    /// The BSON bytes the sort would count so far (its 292 limit).
    bytes: usize,
    /// Past the sort's memory limit: the general path, every document from then on in it.
    sorter: Option<Sorter<'p>>,
}

impl<'p> FirstOfGroups<'p> {
    /// An empty run of `$sort: spec` then `$group: group` (for which [`applies`] holds).
    pub(super) fn new(
        spec: &'p SortSpec,
        group: &'p Group,
        mem: &'p memory::MemoryPolicy,
    ) -> FirstOfGroups<'p> {
        FirstOfGroups {
            spec,
            group,
            mem,
            entries: Vec::new(),
            slots: GroupState::default(),
            best: Vec::new(),
            failed: false,
            bytes: 0,
            sorter: None,
        }
    }

    /// Takes the next document of the stream.
    pub(super) fn push(&mut self, d: Document, vars: &Vars) -> Result<(), CommandError> {
        crate::engine::ops::check()?;
        let key = self.spec.key(&d);
        if let Some(s) = &mut self.sorter {
            return s.push_keyed(key, d);
        }
        // What the sort counts for the document (the 292 limit): past it, the sort itself.
        self.bytes += memory::doc_bytes(&d)
            + key.iter().map(memory::value_bytes).sum::<usize>()
            + ENTRY_OVERHEAD;
        if self.bytes > self.mem.sort_bytes {
            let mut s = Sorter::new(self.spec, self.mem);
            for (k, e) in std::mem::take(&mut self.entries) {
                s.push_keyed(k, e)?;
            }
            let pushed = s.push_keyed(key, d);
            self.sorter = Some(s);
            return pushed;
        }
        let i = self.entries.len();
        if !self.failed {
            match self.group.slot_of_doc(&mut self.slots, &d, vars) {
                Ok((slot, true)) => {
                    debug_assert_eq!(slot, self.best.len());
                    self.best.push(i);
                }
                Ok((slot, false)) => {
                    if let Some(b) = self.best.get_mut(slot) {
                        let held = self.entries.get(*b).map(|(k, _)| k.as_slice());
                        if held.is_some_and(|h| self.spec.compare_keys(&key, h) == Ordering::Less) {
                            *b = i;
                        }
                    }
                }
                Err(_) => self.failed = true,
            }
        }
        self.entries.push((key, d));
        Ok(())
    }

    /// The `$group`'s output documents.
    pub(super) fn finish(self, vars: &Vars) -> Result<Vec<Document>, CommandError> {
        let FirstOfGroups {
            spec,
            group,
            mut entries,
            best,
            failed,
            sorter,
            mem,
            ..
        } = self;
        let sorted: Vec<Document> = match sorter {
            Some(s) => s.finish()?,
            None if failed => {
                let mut s = Sorter::new(spec, mem);
                for (k, d) in entries {
                    s.push_keyed(k, d)?;
                }
                s.finish()?
            }
            None => {
                let mut order = best;
                order.sort_by(|&a, &b| {
                    spec.compare_keys(&entries[a].0, &entries[b].0)
                        .then(a.cmp(&b))
                });
                order
                    .into_iter()
                    .map(|i| std::mem::take(&mut entries[i].1))
                    .collect()
            }
        };
        group.run(sorted, vars)
    }
}
