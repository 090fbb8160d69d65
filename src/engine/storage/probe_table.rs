//! The hash side of a single-field index: each key's probe hash to the records holding the key, with their
//! stored documents, in a table built so that a point lookup in a large collection costs one cache miss here.
//!
//! Open addressing with linear probing over 32-byte slots, two to a cache line: the slot of a hash is computed
//! from the hash alone, and it holds the hash, the record and the document pointer, so the probe reads one
//! line (a general-purpose map reads a control byte group, then the bucket: two misses). A hash held by
//! several records (a non-unique key, or keys sharing a hash) keeps them in a side map and its slot says so.
//! Removal shifts the following slots back (no tombstones), so a probe stops at the first empty slot.
//! Depends on `std` and [`Stored`] only.

use super::records::{RecordId, Stored};
use std::collections::{BTreeMap, HashMap};

/// `rid` of an empty slot (record ids start at 1 and only grow; this one is never issued).
const EMPTY: RecordId = u64::MAX;
/// `rid` of a slot whose hash several records hold: they are in `shared`.
const SHARED: RecordId = u64::MAX - 1;

/// One slot: 32 bytes, aligned so that it never straddles two cache lines.
#[derive(Debug, Clone)]
#[repr(C, align(32))]
struct Slot {
    hash: u64,
    rid: RecordId,
    doc: Option<Stored>,
}

impl Slot {
    const fn empty() -> Slot {
        Slot {
            hash: 0,
            rid: EMPTY,
            doc: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.rid == EMPTY
    }
}

/// Probe hash → records (with their documents); see the module documentation.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProbeTable {
    /// A power of two long (or empty).
    slots: Vec<Slot>,
    /// Occupied slots.
    used: usize,
    /// The records of each hash held by more than one, in record order.
    shared: HashMap<u64, BTreeMap<RecordId, Stored>>,
}

/// The records a probe found: one from its slot, or several from the side map.
pub(crate) enum Found<'a> {
    One(Option<(RecordId, &'a Stored)>),
    Many(std::collections::btree_map::Iter<'a, RecordId, Stored>),
}

impl<'a> Iterator for Found<'a> {
    type Item = (RecordId, &'a Stored);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Found::One(one) => one.take(),
            Found::Many(it) => it.next().map(|(r, d)| (*r, d)),
        }
    }
}

impl ProbeTable {
    /// The slot a hash starts probing at (a multiplicative mix, so that the low bits of the hash alone do
    /// not decide it).
    fn home(&self, hash: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// The index of the slot holding `hash`, or of the empty slot where the probe for it stops.
    fn find(&self, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        loop {
            let s = &self.slots[i];
            if s.is_empty() || s.hash == hash {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The records under `hash`, in record order.
    pub(crate) fn get(&self, hash: u64) -> Found<'_> {
        if self.slots.is_empty() {
            return Found::One(None);
        }
        let s = &self.slots[self.find(hash)];
        match (s.rid, &s.doc) {
            (EMPTY, _) => Found::One(None),
            (SHARED, _) => match self.shared.get(&hash) {
                Some(m) => Found::Many(m.iter()),
                None => Found::One(None),
            },
            (rid, Some(d)) => Found::One(Some((rid, d))),
            (_, None) => Found::One(None),
        }
    }

    /// Adds `rid` (its document `doc`) under `hash`; an entry of `rid` already there is pointed at `doc`.
    pub(crate) fn insert(&mut self, hash: u64, rid: RecordId, doc: &Stored) {
        self.insert_owned(hash, rid, doc.clone());
    }

    /// [`ProbeTable::insert`] of a document handle the caller already holds.
    fn insert_owned(&mut self, hash: u64, rid: RecordId, doc: Stored) {
        if (self.used + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let i = self.find(hash);
        let s = &mut self.slots[i];
        match s.rid {
            EMPTY => {
                *s = Slot {
                    hash,
                    rid,
                    doc: Some(doc),
                };
                self.used += 1;
            }
            SHARED => {
                self.shared.entry(hash).or_default().insert(rid, doc);
            }
            r if r == rid => s.doc = Some(doc),
            r => {
                let mut m = BTreeMap::new();
                if let Some(d) = s.doc.take() {
                    m.insert(r, d);
                }
                m.insert(rid, doc);
                s.rid = SHARED;
                self.shared.insert(hash, m);
            }
        }
    }

    /// Points `rid`'s entry under `hash` (if any) at `doc`.
    pub(crate) fn repoint(&mut self, hash: u64, rid: RecordId, doc: &Stored) {
        if self.slots.is_empty() {
            return;
        }
        let i = self.find(hash);
        let s = &mut self.slots[i];
        match s.rid {
            SHARED => {
                if let Some(d) = self.shared.get_mut(&hash).and_then(|m| m.get_mut(&rid)) {
                    *d = doc.clone();
                }
            }
            r if r == rid => s.doc = Some(doc.clone()),
            _ => {}
        }
    }

    /// Removes `rid` from under `hash`.
    pub(crate) fn remove(&mut self, hash: u64, rid: RecordId) {
        if self.slots.is_empty() {
            return;
        }
        let i = self.find(hash);
        match self.slots[i].rid {
            SHARED => {
                let Some(m) = self.shared.get_mut(&hash) else {
                    return;
                };
                m.remove(&rid);
                if m.len() <= 1 {
                    let last = m.pop_first();
                    self.shared.remove(&hash);
                    match last {
                        Some((r, d)) => {
                            self.slots[i].rid = r;
                            self.slots[i].doc = Some(d);
                        }
                        None => self.vacate(i),
                    }
                }
            }
            r if r == rid => self.vacate(i),
            _ => {}
        }
    }

    /// Empties slot `i`, shifting back the slots after it whose probe passed through it.
    fn vacate(&mut self, mut i: usize) {
        let mask = self.slots.len() - 1;
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            if self.slots[j].is_empty() {
                break;
            }
            let home = self.home(self.slots[j].hash);
            // Slot j may move to i when its home is not in the cyclic range (i, j].
            let stays = if i <= j {
                i < home && home <= j
            } else {
                i < home || home <= j
            };
            if !stays {
                self.slots.swap(i, j);
                i = j;
            }
        }
        self.slots[i] = Slot::empty();
        self.used -= 1;
    }

    /// Adds many entries at once (an index build): room is made first, then the entries go in in the order of
    /// their home slots, so the writes walk the table front to back instead of jumping about it. The entries
    /// come with their documents already shared (cloned by the caller in record order, while the record is in
    /// cache): cloning here, in slot order, would touch each record's reference count in random order, one
    /// cache miss per entry. The table is the same set of entries as inserting them one by one.
    pub(crate) fn insert_many(&mut self, mut entries: Vec<(u64, RecordId, Stored)>) {
        self.reserve(entries.len());
        if self.slots.is_empty() {
            return;
        }
        entries.sort_unstable_by_key(|e| (self.home(e.0), e.1));
        for (hash, rid, doc) in entries {
            self.insert_owned(hash, rid, doc);
        }
    }

    /// Makes room for `n` more entries without growing on the way (a bulk build).
    pub(crate) fn reserve(&mut self, n: usize) {
        let want = self.used.saturating_add(n);
        if want.saturating_mul(4) <= self.slots.len().saturating_mul(3) {
            return;
        }
        let mut cap = self.slots.len().max(8);
        while want.saturating_mul(4) > cap.saturating_mul(3) {
            cap = cap.saturating_mul(2);
        }
        let old = std::mem::replace(&mut self.slots, (0..cap).map(|_| Slot::empty()).collect());
        for s in old.into_iter().filter(|s| !s.is_empty()) {
            let i = self.find(s.hash);
            self.slots[i] = s;
        }
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(8);
        let old = std::mem::replace(&mut self.slots, (0..cap).map(|_| Slot::empty()).collect());
        for s in old.into_iter().filter(|s| !s.is_empty()) {
            let i = self.find(s.hash);
            self.slots[i] = s;
        }
    }

    /// Every (record, document) held, in no particular order.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> impl Iterator<Item = (RecordId, &Stored)> + '_ {
        let one = self
            .slots
            .iter()
            .filter_map(|s| s.doc.as_ref().map(|d| (s.rid, d)));
        one.chain(
            self.shared
                .values()
                .flat_map(|m| m.iter().map(|(r, d)| (*r, d))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(tag: i64) -> Stored {
        Stored::new(bson::rawdoc! {"t": tag})
    }

    fn tag(d: &Stored) -> i64 {
        d.raw().get_i64("t").unwrap_or(-1)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The table answers every hash as a plain map of maps does, over inserts, repoints and removals of
        /// hashes drawn from a small set (so they share slots and probe runs, wrap around the end, and get
        /// shifted back by removals), through growth.
        #[test]
        fn agrees_with_a_map_of_maps(
            ops in proptest::collection::vec((0u8..4, 0u64..24, 1u64..6, 0i64..100), 1..300),
        ) {
            let mut t = ProbeTable::default();
            let mut model: BTreeMap<u64, BTreeMap<RecordId, i64>> = BTreeMap::new();
            // Hashes whose home slots collide often: only a few distinct high bits after the mix.
            let hash_of = |h: u64| h.wrapping_mul(0x1000_0000_0000_0001) ^ (h % 3);
            for (op, h, rid, v) in ops {
                let hash = hash_of(h);
                match op {
                    0 | 1 => {
                        t.insert(hash, rid, &doc(v));
                        model.entry(hash).or_default().insert(rid, v);
                    }
                    2 => {
                        t.repoint(hash, rid, &doc(v));
                        if let Some(d) = model.get_mut(&hash).and_then(|m| m.get_mut(&rid)) {
                            *d = v;
                        }
                    }
                    _ => {
                        t.remove(hash, rid);
                        if let Some(m) = model.get_mut(&hash) {
                            m.remove(&rid);
                            if m.is_empty() {
                                model.remove(&hash);
                            }
                        }
                    }
                }
                for h in 0..24 {
                    let hash = hash_of(h);
                    let got: Vec<(RecordId, i64)> = t.get(hash).map(|(r, d)| (r, tag(d))).collect();
                    let want: Vec<(RecordId, i64)> = model
                        .get(&hash)
                        .map(|m| m.iter().map(|(r, v)| (*r, *v)).collect())
                        .unwrap_or_default();
                    prop_assert_eq!(got, want, "hash {}", h);
                }
                prop_assert_eq!(t.entries().count(), model.values().map(BTreeMap::len).sum::<usize>());
                prop_assert_eq!(t.used, model.len());
            }
        }
    }
}
