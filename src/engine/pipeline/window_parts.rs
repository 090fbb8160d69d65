//! The partitions of a `$setWindowFields`: documents grouped by their `partitionBy` value with a hash table
//! (BSON-order equality under the command's collation, as `$group` keys), then handed out ordered by that
//! value, as mongod sorts them (by partition, then `sortBy`).
//!
//! In: each document with its partition value (borrowed while it names an existing partition: a value is
//! cloned once per partition, not per document); out: the partitions in BSON order. Depends on
//! `bson_hash::SlotTable`, `bson_order`.

use crate::engine::bson_hash::SlotTable;
use crate::engine::bson_order::compare;
use bson::Bson;

/// Documents (with whatever the caller keeps beside each, `T`) grouped by partition value.
pub(super) struct Partitions<T> {
    table: SlotTable,
    parts: Vec<(Bson, Vec<T>)>,
}

impl<T> Partitions<T> {
    /// No partition yet.
    pub(super) fn new() -> Self {
        Partitions {
            table: SlotTable::default(),
            parts: Vec::new(),
        }
    }

    /// The index of the partition of `key` (a new partition when no key equal to it was seen: `key` is
    /// cloned then only), for [`push_at`](Self::push_at).
    pub(super) fn slot(&mut self, key: &Bson) -> usize {
        match self.find(key) {
            Ok(i) => i,
            Err(h) => self.add(key.clone(), h),
        }
    }

    /// [`slot`](Self::slot) of a key the caller built for the document (a computed `partitionBy`): moved
    /// into a new partition instead of cloned.
    pub(super) fn slot_owned(&mut self, key: Bson) -> usize {
        match self.find(&key) {
            Ok(i) => i,
            Err(h) => self.add(key, h),
        }
    }

    /// The index of the partition of `key`, else the key's hash (`None`: no hash needed yet).
    fn find(&mut self, key: &Bson) -> Result<usize, Option<u64>> {
        // One partition (no `partitionBy`, or one value so far): no hash needed while the key is its key.
        if let [(k, _)] = self.parts.as_slice() {
            if self.table.is_empty() && k == key {
                return Ok(0);
            }
        }
        if self.parts.is_empty() {
            return Err(None);
        }
        if self.table.is_empty() && self.parts.len() == 1 {
            let h = self.table.hash(&self.parts[0].0);
            let parts = &self.parts;
            self.table.insert(h, 0, |i| &parts[i].0);
        }
        let h = self.table.hash(key);
        let parts = &self.parts;
        self.table.find(h, key, |i| &parts[i].0).ok_or(Some(h))
    }

    /// A new partition of `key` (its hash from [`find`](Self::find)), its index.
    fn add(&mut self, key: Bson, hash: Option<u64>) -> usize {
        let i = self.parts.len();
        self.parts.push((key, Vec::new()));
        if i > 0 {
            let h = hash.unwrap_or_else(|| self.table.hash(&self.parts[i].0));
            let parts = &self.parts;
            self.table.insert(h, i, |j| &parts[j].0);
        }
        i
    }

    /// Adds `item` to the partition at `slot` (from [`slot`](Self::slot)).
    pub(super) fn push_at(&mut self, slot: usize, item: T) {
        if let Some((_, items)) = self.parts.get_mut(slot) {
            items.push(item);
        }
    }

    /// Every item held, partition by partition.
    pub(super) fn items_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.parts
            .iter_mut()
            .flat_map(|(_, items)| items.iter_mut())
    }

    /// The partitions in the order of their values (each value once; equal values are one partition).
    pub(super) fn into_sorted(mut self) -> Vec<(Bson, Vec<T>)> {
        self.parts.sort_by(|a, b| compare(&a.0, &b.0));
        self.parts
    }

    /// The partitions in the order they were first seen.
    pub(super) fn into_unsorted(self) -> Vec<(Bson, Vec<T>)> {
        self.parts
    }
}
