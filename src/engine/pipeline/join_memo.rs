//! The memo of a correlated `$lookup`: its result per tuple of `let` and `localField` values, so that outer
//! documents with the same values share one run of the stage; and when to stop keeping it.
//!
//! In: the key bytes of an outer document's values and the results computed for them; out: a kept result.
//! Depends on `join` (the shared result type).

use super::join::Matched;
use std::collections::HashMap;
use std::rc::Rc;

/// The most joined documents a memo keeps (over all its entries); past it, new results are not kept.
const MEMO_DOCS: usize = 100_000;

/// After this many outer documents, the memo of a stage that probes its hash table is dropped if it served
/// fewer than a quarter of them: a probe of the table (documents already parsed) costs about what a memo miss
/// does (the key's bytes, an entry, a copy of every result it shares), so with mostly distinct keys (EXISTS
/// per session, NOT IN per event) it only slowed the join and held every result (PostgreSQL's Memoize is
/// likewise left out for distinct keys). An index probe parses the document it finds, several times a memo
/// miss's cost: that memo is kept (events joined to their sessions repeat a key about every other event, and
/// its first thousand lookups hit far less often than the later ones).
const PROBATION: usize = 1024;

#[cfg(test)]
thread_local! {
    /// [`PROBATION`] for the pipelines this thread runs (tests drop the memo within a few documents).
    pub(super) static TEST_MEMO_PROBATION: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// [`PROBATION`], or a test's.
fn probation() -> usize {
    #[cfg(test)]
    if let Some(n) = TEST_MEMO_PROBATION.with(std::cell::Cell::get) {
        return n;
    }
    PROBATION
}

/// The results kept for one execution of a stage, keyed by the BSON bytes of the outer values (so only
/// identical values of identical types share a result).
#[derive(Default)]
pub(super) struct Memo {
    map: HashMap<Vec<u8>, Matched>,
    /// Joined documents kept over all entries (at most [`MEMO_DOCS`]).
    docs: usize,
    /// Outer documents looked up, and how many the memo served ([`PROBATION`]).
    seen: usize,
    hits: usize,
    /// Dropped: every outer document is computed.
    off: bool,
}

impl Memo {
    /// Whether the memo is used for the next outer document; `hashed`: the stage probes its hash table, whose
    /// memo is dropped (for good) when it served under a quarter of the first [`PROBATION`] lookups.
    pub(super) fn in_use(&mut self, hashed: bool) -> bool {
        if !self.off && hashed && self.seen >= probation() && self.hits * 4 < self.seen {
            self.off = true;
            self.map = HashMap::new();
        }
        !self.off
    }

    /// The result kept for `key` (a lookup counted for the probation).
    pub(super) fn get(&mut self, key: &[u8]) -> Option<Matched> {
        self.seen += 1;
        let hit = self.map.get(key).map(Rc::clone);
        self.hits += usize::from(hit.is_some());
        hit
    }

    /// Keeps `out` for `key` while the memo holds fewer than [`MEMO_DOCS`] documents.
    pub(super) fn keep(&mut self, key: Vec<u8>, out: &Matched) {
        if self.docs + out.len() <= MEMO_DOCS {
            self.docs += out.len().max(1);
            self.map.insert(key, Rc::clone(out));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` lookups of distinct keys (each kept after its miss), while the memo is in use.
    fn looked_up(m: &mut Memo, hashed: bool, n: usize) {
        for i in 0..n {
            if !m.in_use(hashed) {
                return;
            }
            let key = i.to_le_bytes().to_vec();
            if m.get(&key).is_none() {
                m.keep(key, &Rc::new(Vec::new()));
            }
        }
    }

    /// Distinct keys over a hash table: dropped after the probation (and its entries freed); repeated keys, or
    /// an index probe, keep it.
    #[test]
    fn the_memo_steps_aside_only_when_it_only_costs() {
        let mut distinct = Memo::default();
        looked_up(&mut distinct, true, 3 * PROBATION);
        assert!(!distinct.in_use(true));
        assert!(distinct.map.is_empty());
        assert_eq!(distinct.seen, PROBATION);

        let mut indexed = Memo::default();
        looked_up(&mut indexed, false, 3 * PROBATION);
        assert!(indexed.in_use(false));
        assert_eq!(indexed.seen, 3 * PROBATION);

        // Every key seen twice in a row: half the lookups hit.
        let mut repeated = Memo::default();
        for i in 0..3 * PROBATION {
            let key = (i / 2).to_le_bytes().to_vec();
            assert!(repeated.in_use(true));
            if repeated.get(&key).is_none() {
                repeated.keep(key, &Rc::new(Vec::new()));
            }
        }
        assert!(repeated.in_use(true));
        assert!(repeated.hits * 2 >= repeated.seen - 1);
    }
}
