//! The memo of a correlated `$lookup`: its result per tuple of `let` and `localField` values, so that outer
//! documents with the same values share one run of the stage; and when to stop keeping it.
//!
//! In: an outer document's values (hashed in place: no key is built for a lookup) and the results computed
//! for them; out: a kept result. Values share a result only when [identical](crate::engine::bson_order::identical)
//! (same types, same field order, `0.0` apart from `-0.0`): the result may show the value itself. Depends on
//! `join` (the shared result type), `bson_hash`, `bson_order`.

use super::join::Matched;
use crate::engine::bson_hash::hash_value;
use crate::engine::bson_order::identical_lists;
use bson::Bson;
use foldhash::fast::FixedState;
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hasher};
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

/// One kept result: the values it was computed for, and their [`key_hash`].
struct Entry {
    hash: u64,
    lets: Vec<Bson>,
    locals: Vec<Bson>,
    out: Matched,
}

/// The hash of an outer document's `let` values and `localField` values (each list's length first, so the
/// two cannot run into each other), consistent with [`identical_lists`]: identical values hash alike
/// (`hash_value` agrees with the coarser BSON-order equality).
pub(super) fn key_hash(lets: &[Bson], locals: &[Bson]) -> u64 {
    let mut h = FixedState::default().build_hasher();
    for list in [lets, locals] {
        h.write_usize(list.len());
        for v in list {
            hash_value(v, &mut h);
        }
    }
    h.finish()
}

/// The results kept for one execution of a stage, by the `let` and `localField` values they were computed
/// for.
#[derive(Default)]
pub(super) struct Memo {
    table: HashTable<Entry>,
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
            self.table = HashTable::new();
        }
        !self.off
    }

    /// The result kept for the values `lets` and `locals`, whose [`key_hash`] is `hash` (a lookup counted for
    /// the probation).
    pub(super) fn get(&mut self, hash: u64, lets: &[Bson], locals: &[Bson]) -> Option<Matched> {
        self.seen += 1;
        let hit = self
            .table
            .find(hash, |e| {
                e.hash == hash
                    && identical_lists(&e.lets, lets)
                    && identical_lists(&e.locals, locals)
            })
            .map(|e| Rc::clone(&e.out));
        self.hits += usize::from(hit.is_some());
        hit
    }

    /// Keeps `out` for the values `lets` and `locals` (hashing to `hash`; none kept yet: [`get`](Self::get)
    /// missed) while the memo holds fewer than [`MEMO_DOCS`] documents.
    pub(super) fn keep(&mut self, hash: u64, lets: Vec<Bson>, locals: Vec<Bson>, out: &Matched) {
        if self.docs + out.len() <= MEMO_DOCS {
            self.docs += out.len().max(1);
            let entry = Entry {
                hash,
                lets,
                locals,
                out: Rc::clone(out),
            };
            self.table.insert_unique(hash, entry, |e| e.hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    /// Looks `lets` up (no `localField` values) and keeps an empty result on a miss; whether it hit.
    fn lookup(m: &mut Memo, lets: Vec<Bson>) -> bool {
        let h = key_hash(&lets, &[]);
        if m.get(h, &lets, &[]).is_some() {
            return true;
        }
        m.keep(h, lets, Vec::new(), &Rc::new(Vec::new()));
        false
    }

    /// `n` lookups of distinct keys (each kept after its miss), while the memo is in use.
    fn looked_up(m: &mut Memo, hashed: bool, n: usize) {
        for i in 0..n {
            if !m.in_use(hashed) {
                return;
            }
            lookup(m, vec![Bson::Int64(i as i64)]);
        }
    }

    /// Distinct keys over a hash table: dropped after the probation (and its entries freed); repeated keys, or
    /// an index probe, keep it.
    #[test]
    fn the_memo_steps_aside_only_when_it_only_costs() {
        let mut distinct = Memo::default();
        looked_up(&mut distinct, true, 3 * PROBATION);
        assert!(!distinct.in_use(true));
        assert!(distinct.table.is_empty());
        assert_eq!(distinct.seen, PROBATION);

        let mut indexed = Memo::default();
        looked_up(&mut indexed, false, 3 * PROBATION);
        assert!(indexed.in_use(false));
        assert_eq!(indexed.seen, 3 * PROBATION);

        // Every key seen twice in a row: half the lookups hit.
        let mut repeated = Memo::default();
        for i in 0..3 * PROBATION {
            assert!(repeated.in_use(true));
            lookup(&mut repeated, vec![Bson::Int64((i / 2) as i64)]);
        }
        assert!(repeated.in_use(true));
        assert!(repeated.hits * 2 >= repeated.seen - 1);
    }

    /// Only identical values share a result: values equal in the BSON order but of another type, sign of
    /// zero or field order do not (the result may show the value), nor do `let` values read as `localField`
    /// values; identical ones, NaN included, do.
    #[test]
    fn only_identical_values_share_a_result() {
        let mut m = Memo::default();
        let apart = [
            vec![Bson::Int32(1)],
            vec![Bson::Int64(1)],
            vec![Bson::Double(1.0)],
            vec![Bson::Double(0.0)],
            vec![Bson::Double(-0.0)],
            vec![Bson::Document(doc! {"a": 1, "b": 2})],
            vec![Bson::Document(doc! {"b": 2, "a": 1})],
            vec![Bson::Array(vec![Bson::Int32(1)])],
            vec![Bson::Null],
            vec![],
            vec![Bson::Double(f64::NAN)],
        ];
        for k in &apart {
            assert!(
                !lookup(&mut m, k.clone()),
                "{k:?} hit a value it differs from"
            );
        }
        for k in &apart {
            assert!(lookup(&mut m, k.clone()), "{k:?} missed itself");
        }
        // The same values split between `let` and `localField` are another key.
        let (a, b) = (vec![Bson::Int32(1)], vec![Bson::Int32(2)]);
        let h = key_hash(&a, &b);
        m.keep(h, a.clone(), b.clone(), &Rc::new(Vec::new()));
        let both = [a[0].clone(), b[0].clone()];
        assert!(m.get(key_hash(&both, &[]), &both, &[]).is_none());
        assert!(m.get(key_hash(&[], &both), &[], &both).is_none());
        assert!(m.get(h, &a, &b).is_some());
    }
}
