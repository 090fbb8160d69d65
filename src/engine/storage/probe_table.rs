//! The hash side of a single-field index: each key's probe hash to the records holding the key, with their
//! stored documents, in a table built so that a point lookup in a large collection costs one cache miss here.
//!
//! Open addressing with linear probing over 32-byte slots, two to a cache line: the slot of a hash is computed
//! from the hash alone, and it holds the hash, the record and the document pointer, so the probe reads one
//! line (a general-purpose map reads a control byte group, then the bucket: two misses). A hash held by
//! several records (a non-unique key, or keys sharing a hash) keeps them in a side map and its slot says so.
//! Removal shifts the following slots back (no tombstones), so a probe stops at the first empty slot.
//!
//! The slots are kept in shared pages of `PAGE` slots, and the side map is persistent: a copy of the table
//! (a transaction's own state, a reader's snapshot) copies a pointer per page, and a write then copies only
//! the page (and the side map's path) it changes, never the whole table. Depends on `std`, `imbl` and
//! [`Stored`] only.

use super::records::{RecordId, Stored};
use std::sync::Arc;

/// Slots per page: 8 KB, the most a write copies when a snapshot shares the page.
const PAGE_BITS: u32 = 8;
const PAGE: usize = 1 << PAGE_BITS;

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

/// The records of each hash held by more than one, in record order.
type Shared = imbl::OrdMap<(u64, RecordId), Stored>;

/// The entries of one hash in the side map.
fn run_of(hash: u64) -> std::ops::RangeInclusive<(u64, RecordId)> {
    (hash, RecordId::MIN)..=(hash, RecordId::MAX)
}

/// Probe hash → records (with their documents); see the module documentation.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProbeTable {
    /// The slots, a power of two of them (or none), `PAGE` to a page (one shorter page for a small table).
    pages: Vec<Arc<[Slot]>>,
    /// Number of slots.
    len: usize,
    /// Occupied slots.
    used: usize,
    /// The records of each hash held by more than one, in record order.
    shared: Shared,
}

/// The records a probe found: one from its slot, or several from the side map.
pub(crate) enum Found<'a> {
    One(Option<(RecordId, &'a Stored)>),
    Many(imbl::ordmap::RangedIter<'a, (u64, RecordId), Stored, imbl::shared_ptr::DefaultSharedPtr>),
}

impl<'a> Iterator for Found<'a> {
    type Item = (RecordId, &'a Stored);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Found::One(one) => one.take(),
            Found::Many(it) => it.next().map(|((_, r), d)| (*r, d)),
        }
    }
}

/// `n` empty slots in pages.
fn empty_pages(n: usize) -> Vec<Arc<[Slot]>> {
    (0..n.div_ceil(PAGE))
        .map(|_| (0..n.min(PAGE)).map(|_| Slot::empty()).collect())
        .collect()
}

impl ProbeTable {
    /// Slot `i`.
    fn slot(&self, i: usize) -> &Slot {
        &self.pages[i >> PAGE_BITS][i & (PAGE - 1)]
    }

    /// Slot `i` to write: its page is copied first when a copy of the table shares it.
    fn slot_mut(&mut self, i: usize) -> &mut Slot {
        let page = &mut self.pages[i >> PAGE_BITS];
        if Arc::get_mut(page).is_none() {
            *page = page.iter().cloned().collect();
        }
        match Arc::get_mut(page) {
            Some(p) => &mut p[i & (PAGE - 1)],
            // A page just made has no other owner.
            None => unreachable!("a fresh page is shared"),
        }
    }

    /// The slot a hash starts probing at (a multiplicative mix, so that the low bits of the hash alone do
    /// not decide it).
    fn home(&self, hash: u64) -> usize {
        let bits = self.len.trailing_zeros();
        (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// The index of the slot holding `hash`, or of the empty slot where the probe for it stops.
    fn find(&self, hash: u64) -> usize {
        let mask = self.len - 1;
        let mut i = self.home(hash);
        loop {
            let s = self.slot(i);
            if s.is_empty() || s.hash == hash {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The records under `hash`, in record order.
    pub(crate) fn get(&self, hash: u64) -> Found<'_> {
        if self.len == 0 {
            return Found::One(None);
        }
        let s = self.slot(self.find(hash));
        match (s.rid, &s.doc) {
            (EMPTY, _) => Found::One(None),
            (SHARED, _) => Found::Many(self.shared.range(run_of(hash))),
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
        if (self.used + 1) * 4 > self.len * 3 {
            self.grow();
        }
        let i = self.find(hash);
        match self.slot(i).rid {
            EMPTY => {
                *self.slot_mut(i) = Slot {
                    hash,
                    rid,
                    doc: Some(doc),
                };
                self.used += 1;
            }
            SHARED => {
                self.shared.insert((hash, rid), doc);
            }
            r if r == rid => self.slot_mut(i).doc = Some(doc),
            r => {
                let s = self.slot_mut(i);
                let old = s.doc.take();
                s.rid = SHARED;
                if let Some(d) = old {
                    self.shared.insert((hash, r), d);
                }
                self.shared.insert((hash, rid), doc);
            }
        }
    }

    /// Points `rid`'s entry under `hash` (if any) at `doc`.
    pub(crate) fn repoint(&mut self, hash: u64, rid: RecordId, doc: &Stored) {
        if self.len == 0 {
            return;
        }
        let i = self.find(hash);
        match self.slot(i).rid {
            SHARED => {
                if let Some(d) = self.shared.get_mut(&(hash, rid)) {
                    *d = doc.clone();
                }
            }
            r if r == rid => self.slot_mut(i).doc = Some(doc.clone()),
            _ => {}
        }
    }

    /// Removes `rid` from under `hash`.
    pub(crate) fn remove(&mut self, hash: u64, rid: RecordId) {
        if self.len == 0 {
            return;
        }
        let i = self.find(hash);
        match self.slot(i).rid {
            SHARED => {
                if self.shared.remove(&(hash, rid)).is_none() {
                    return;
                }
                let mut left = self.shared.range(run_of(hash));
                let (first, second) = (left.next().map(|((_, r), d)| (*r, d.clone())), left.next());
                if second.is_some() {
                    return;
                }
                // One record left under the hash (or none): it goes back to its slot.
                match first {
                    Some((r, d)) => {
                        self.shared.remove(&(hash, r));
                        let s = self.slot_mut(i);
                        s.rid = r;
                        s.doc = Some(d);
                    }
                    None => self.vacate(i),
                }
            }
            r if r == rid => self.vacate(i),
            _ => {}
        }
    }

    /// Empties slot `i`, shifting back the slots after it whose probe passed through it.
    fn vacate(&mut self, mut i: usize) {
        let mask = self.len - 1;
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            if self.slot(j).is_empty() {
                break;
            }
            let home = self.home(self.slot(j).hash);
            // Slot j may move to i when its home is not in the cyclic range (i, j].
            let stays = if i <= j {
                i < home && home <= j
            } else {
                i < home || home <= j
            };
            if !stays {
                let moved = std::mem::replace(self.slot_mut(j), Slot::empty());
                *self.slot_mut(i) = moved;
                i = j;
            }
        }
        *self.slot_mut(i) = Slot::empty();
        self.used -= 1;
    }

    /// Adds many entries at once (an index build): room is made first, then the entries go in in the order of
    /// their home slots, so the writes walk the table front to back instead of jumping about it. The entries
    /// come with their documents already shared (cloned by the caller in record order, while the record is in
    /// cache): cloning here, in slot order, would touch each record's reference count in random order, one
    /// cache miss per entry. The table is the same set of entries as inserting them one by one.
    pub(crate) fn insert_many(&mut self, mut entries: Vec<(u64, RecordId, Stored)>) {
        self.reserve(entries.len());
        if self.len == 0 {
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
        if want.saturating_mul(4) <= self.len.saturating_mul(3) {
            return;
        }
        let mut cap = self.len.max(8);
        while want.saturating_mul(4) > cap.saturating_mul(3) {
            cap = cap.saturating_mul(2);
        }
        self.resize(cap);
    }

    fn grow(&mut self) {
        self.resize((self.len * 2).max(8));
    }

    /// Moves every entry into a table of `cap` slots.
    fn resize(&mut self, cap: usize) {
        let old = std::mem::replace(&mut self.pages, empty_pages(cap));
        self.len = cap;
        for mut page in old {
            // A page no copy shares gives its entries up; a shared one is copied from.
            let slots: Vec<Slot> = match Arc::get_mut(&mut page) {
                Some(p) => p
                    .iter_mut()
                    .filter(|s| !s.is_empty())
                    .map(|s| std::mem::replace(s, Slot::empty()))
                    .collect(),
                None => page.to_vec(),
            };
            for s in slots.into_iter().filter(|s| !s.is_empty()) {
                let i = self.find(s.hash);
                *self.slot_mut(i) = s;
            }
        }
    }

    /// Every (record, document) held, in no particular order.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> impl Iterator<Item = (RecordId, &Stored)> + '_ {
        let one = self
            .pages
            .iter()
            .flat_map(|p| p.iter())
            .filter_map(|s| s.doc.as_ref().map(|d| (s.rid, d)));
        one.chain(self.shared.iter().map(|((_, r), d)| (*r, d)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Hash -> record -> tag of the document.
    type Model = BTreeMap<u64, BTreeMap<RecordId, i64>>;

    fn doc(tag: i64) -> Stored {
        Stored::new(bson::rawdoc! {"t": tag})
    }

    fn tag(d: &Stored) -> i64 {
        d.raw().get_i64("t").unwrap_or(-1)
    }

    /// Over many pages: a copy shares the pages until a write, which copies only the page it changes; the
    /// copy and the original then answer each for itself, through growth, removals' shifts and side-map runs.
    #[test]
    fn copies_share_pages_until_written() {
        let mut t = ProbeTable::default();
        let mut model: BTreeMap<u64, BTreeMap<RecordId, i64>> = BTreeMap::new();
        // 3,000 hashes, every tenth held by two records (the side map).
        for h in 0..3_000u64 {
            let hash = h.wrapping_mul(0x2545_F491_4F6C_DD1D);
            let rids: &[RecordId] = if h % 10 == 0 {
                &[h + 1, h + 10_000]
            } else {
                &[h + 1]
            };
            for &r in rids {
                t.insert(hash, r, &doc(h as i64));
                model.entry(hash).or_default().insert(r, h as i64);
            }
        }
        assert!(t.pages.len() > 4, "{} pages", t.pages.len());
        let copy = t.clone();
        let copy_model = model.clone();
        let shared = |a: &ProbeTable, b: &ProbeTable| {
            a.pages
                .iter()
                .zip(&b.pages)
                .filter(|(x, y)| Arc::ptr_eq(x, y))
                .count()
        };
        assert_eq!(shared(&t, &copy), t.pages.len());
        let hash = 7u64.wrapping_mul(0x2545_F491_4F6C_DD1D);
        t.repoint(hash, 8, &doc(-7));
        if let Some(v) = model.get_mut(&hash).and_then(|m| m.get_mut(&8)) {
            *v = -7;
        }
        assert_eq!(shared(&t, &copy), t.pages.len() - 1, "one page copied");
        for h in (0..3_000u64).step_by(3) {
            let hash = h.wrapping_mul(0x2545_F491_4F6C_DD1D);
            t.remove(hash, h + 1);
            if let Some(m) = model.get_mut(&hash) {
                m.remove(&(h + 1));
                if m.is_empty() {
                    model.remove(&hash);
                }
            }
        }
        for h in 3_000..6_000u64 {
            let hash = h.wrapping_mul(0x2545_F491_4F6C_DD1D);
            t.insert(hash, h + 1, &doc(h as i64));
            model.entry(hash).or_default().insert(h + 1, h as i64);
        }
        for (table, model) in [(&t, &model), (&copy, &copy_model)] {
            for h in 0..6_000u64 {
                let hash = h.wrapping_mul(0x2545_F491_4F6C_DD1D);
                let got: Vec<(RecordId, i64)> = table.get(hash).map(|(r, d)| (r, tag(d))).collect();
                let want: Vec<(RecordId, i64)> = model
                    .get(&hash)
                    .map(|m| m.iter().map(|(r, v)| (*r, *v)).collect())
                    .unwrap_or_default();
                assert_eq!(got, want, "hash of {h}");
            }
            assert_eq!(table.used, model.len());
        }
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
            let mut copies: Vec<(ProbeTable, Model)> = Vec::new();
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
                // A copy taken now keeps answering as the model did, whatever the original does next.
                if op == 1 {
                    copies.push((t.clone(), model.clone()));
                }
            }
            for (copy, model) in &copies {
                for h in 0..24 {
                    let hash = hash_of(h);
                    let got: Vec<(RecordId, i64)> = copy.get(hash).map(|(r, d)| (r, tag(d))).collect();
                    let want: Vec<(RecordId, i64)> = model
                        .get(&hash)
                        .map(|m| m.iter().map(|(r, v)| (*r, *v)).collect())
                        .unwrap_or_default();
                    prop_assert_eq!(got, want, "copy, hash {}", h);
                }
            }
        }
    }
}
