//! Indexes of a collection: keys in BSON comparison order ([`IndexKey`]) mapped to record ids, unique / sparse /
//! partial / TTL options, and the range lookups `Collection::candidates` uses. Depends on `bson` and the
//! engine's comparison order and matcher only.

use super::probe_table::ProbeTable;
pub use super::records::RecordId;
use super::records::{Records, Stored};
use crate::engine::bson_order::{compare_simple as compare, order_prefix};
use crate::engine::collation::Collation;
use crate::engine::error_codes::ErrorCode;
use crate::engine::matcher::Matcher;
use crate::engine::prefetch::{prefetch, prefetch_last};
use crate::engine::CommandError;
use bson::{Bson, Document, RawBsonRef, RawDocument};
use foldhash::fast::RandomState;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::hash::{BuildHasher, Hash, Hasher};
use std::ops::Bound;
use std::sync::Arc;

/// An index key: the indexed values in key-pattern order, ordered by the BSON comparison order. One
/// allocation of exactly its values, shared by the entries of every record holding the same key (a
/// non-unique index stores each distinct key once, as the per-key record sets it replaced did).
#[derive(Debug, Clone)]
pub struct IndexKey(pub Arc<[Bson]>);

impl PartialEq for IndexKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for IndexKey {}
impl PartialOrd for IndexKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for IndexKey {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.0.iter().zip(other.0.iter()) {
            match compare(a, b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        self.0.len().cmp(&other.0.len())
    }
}

/// The ordered entries of an index: one (key, record) pair per key a record holds, in key order and, for
/// one key, in record order (as a B-tree index holds them). Persistent: a copy of the collection (a
/// transaction's own state, a reader's snapshot) shares the tree, and a write copies only the nodes on its
/// path, so the first write of a transaction to a collection of n documents costs O(log n), not O(n).
type Entries = imbl::OrdSet<(IndexKey, RecordId)>;

/// The first and the last entry a key can have (record ids are issued from 1 and never reach `u64::MAX`).
fn key_bounds(k: IndexKey) -> std::ops::RangeInclusive<(IndexKey, RecordId)> {
    (k.clone(), RecordId::MIN)..=(k, RecordId::MAX)
}

/// How many records ahead [`Index::rebuild`] prefetches.
const REBUILD_AHEAD: usize = 8;

/// Why [`Index::rebuild`] failed.
#[derive(Debug)]
pub(crate) enum RebuildError {
    /// A unique index holds this key in two records.
    Duplicate(IndexKey),
    /// This record is not a valid document.
    Invalid(RecordId, String),
}

/// A secondary (or `_id`) index.
#[derive(Debug, Clone)]
pub struct Index {
    /// Index name (`expiresAt_1`).
    pub name: String,
    /// Indexed paths in order.
    pub fields: Vec<String>,
    /// The full spec as listIndexes shows it (`v`, `key`, `name`, options).
    pub spec: Document,
    /// Unique constraint.
    pub unique: bool,
    /// Sparse: documents missing every indexed field are not indexed.
    pub sparse: bool,
    /// Partial filter: only matching documents are indexed.
    pub partial: Option<Matcher>,
    /// TTL: seconds after the indexed date at which the document expires.
    pub expire_after_seconds: Option<i64>,
    /// The index's collation (`None`: simple): its string keys are the collation's sort keys
    /// ([`Collation::index_key`]), so its order and uniqueness are the collation's.
    pub collation: Option<Arc<Collation>>,
    entries: Entries,
    /// Equality probes of a single-field index: each key's [`key_hash`] to its records and their documents,
    /// so a point lookup is one hash probe rather than a walk down `entries`, where every comparison chases
    /// pointers into the heap (5 µs over 100k string keys, against 0.3 µs). Keys sharing a hash share an
    /// entry: callers check the stored value.
    hashed: ProbeTable,
    /// The seed of [`key_hash`] for this index (random per index, so colliding keys cannot be prepared).
    seed: RandomState,
    /// Set once a key [`key_hash`] does not cover (a decimal, a document, ...) is added: from then on probes
    /// use `entries` (which holds every key), as the hash map cannot find such keys.
    unhashable: bool,
}

impl Index {
    /// Builds an (empty) index from a createIndexes spec.
    pub fn from_spec(spec: &Document) -> Result<Index, CommandError> {
        let key = spec
            .get_document("key")
            .map_err(|_| CommandError::failed_to_parse("index spec must have a 'key' document"))?;
        if key.is_empty() {
            return Err(CommandError::new(
                ErrorCode::CannotCreateIndex,
                "Index keys cannot be empty.",
            ));
        }
        let mut fields = Vec::new();
        for (k, v) in key {
            let ok = match v {
                Bson::Int32(i) => *i == 1 || *i == -1,
                Bson::Int64(i) => *i == 1 || *i == -1,
                Bson::Double(d) => *d == 1.0 || *d == -1.0,
                Bson::String(s) => {
                    return Err(CommandError::new(
                        ErrorCode::CannotCreateIndex,
                        format!("index type '{s}' is not supported by the embedded engine"),
                    ))
                }
                _ => false,
            };
            if !ok {
                return Err(CommandError::new(ErrorCode::CannotCreateIndex, format!("Values in the index key pattern can only be 1 or -1, found {v} for field '{k}'")));
            }
            fields.push(k.clone());
        }
        let name = match spec.get("name") {
            Some(Bson::String(s)) => s.clone(),
            _ => default_name(key),
        };
        let partial = match spec.get("partialFilterExpression") {
            Some(Bson::Document(d)) => Some(Matcher::compile(d)?),
            Some(_) => {
                return Err(CommandError::type_mismatch(
                    "partialFilterExpression must be a document",
                ))
            }
            None => None,
        };
        let expire_after_seconds = match spec.get("expireAfterSeconds") {
            None => None,
            Some(v) => Some(
                crate::engine::numeric::Num::from_bson(v)
                    .and_then(|n| n.to_i64_exact())
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| {
                        CommandError::new(
                            ErrorCode::CannotCreateIndex,
                            "TTL index 'expireAfterSeconds' option must be a non-negative integer",
                        )
                    })?,
            ),
        };
        if expire_after_seconds.is_some() && fields.len() > 1 {
            return Err(CommandError::new(
                ErrorCode::CannotCreateIndex,
                "TTL indexes are single-field indexes, compound indexes do not support TTL",
            ));
        }
        let collation = match spec.get("collation") {
            Some(c) => Collation::parse(c)?,
            None => None,
        };
        let mut full = Document::new();
        full.insert("v", 2);
        full.insert("key", key.clone());
        full.insert("name", name.clone());
        for (k, v) in spec {
            if !matches!(k.as_str(), "key" | "name" | "v" | "ns" | "collation") {
                full.insert(k.clone(), v.clone());
            }
        }
        // As mongod: a simple-collation index shows no `collation`, another shows the resolved spec.
        if let Some(c) = &collation {
            full.insert("collation", c.spec().clone());
        }
        Ok(Index {
            name,
            fields,
            unique: matches!(spec.get("unique"), Some(Bson::Boolean(true))),
            sparse: matches!(spec.get("sparse"), Some(Bson::Boolean(true))),
            partial,
            expire_after_seconds,
            collation,
            spec: full,
            entries: Entries::new(),
            hashed: ProbeTable::default(),
            seed: RandomState::default(),
            unhashable: false,
        })
    }

    /// The `_id_` index every collection has, with the collection's default collation (as mongod).
    pub fn id_index(collation: Option<&Arc<Collation>>) -> Index {
        let mut spec = Document::new();
        spec.insert("key", bson::doc! {"_id": 1});
        spec.insert("name", "_id_");
        if let Some(c) = collation {
            spec.insert("collation", c.spec().clone());
        }
        let mut ix = Index::from_spec(&spec).unwrap_or_else(|_| unreachable_index());
        ix.unique = true;
        ix
    }

    /// The keys of a stored document, exactly as [`keys_for`](Self::keys_for) gives them for its parsed
    /// form: read straight from the bytes when every indexed field is top-level and holds no array (the
    /// usual case: no document is built), through a parsed copy of the fields the index reads otherwise.
    pub(crate) fn keys_of_raw(&self, raw: &RawDocument) -> Result<Vec<IndexKey>, String> {
        let invalid = |e: bson::error::Error| format!("invalid document: {e}");
        if self.partial.is_none() && self.fields.iter().all(|f| !f.contains('.')) {
            let mut key = Vec::with_capacity(self.fields.len());
            let mut any_present = false;
            for f in &self.fields {
                match raw.get(f).map_err(invalid)? {
                    None => key.push(Bson::Null),
                    Some(RawBsonRef::Array(_)) => break,
                    Some(v) => {
                        any_present = true;
                        let v = Bson::try_from(v).map_err(invalid)?;
                        key.push(match &self.collation {
                            Some(c) => c.index_key(&v),
                            None => v,
                        });
                    }
                }
            }
            if key.len() == self.fields.len() {
                if self.sparse && !any_present {
                    return Ok(Vec::new());
                }
                return Ok(vec![IndexKey(key.into())]);
            }
        }
        let doc = if self.partial.is_some() {
            Document::try_from(raw).map_err(invalid)?
        } else {
            let mut d = Document::new();
            for el in raw.iter() {
                let (k, v) = el.map_err(invalid)?;
                let k = k.as_str();
                if self.fields.iter().any(|f| f.split('.').next() == Some(k)) {
                    d.insert(k, Bson::try_from(v).map_err(invalid)?);
                }
            }
            d
        };
        Ok(self.keys_for(&doc))
    }

    /// Rebuilds this index over every record of `records` (recovery loads a checkpoint's records first):
    /// the keys of all records are collected, sorted once, and the ordered map is built from the sorted run,
    /// where adding them one by one walks the map for each key. The result is what adding the records one
    /// by one in record order gives: the records of a key in record order, the first record's key kept.
    pub(crate) fn rebuild(&mut self, records: &Records) -> Result<(), RebuildError> {
        self.entries = Entries::new();
        self.hashed = ProbeTable::default();
        self.unhashable = false;
        if self.fields.len() == 1 {
            self.hashed.reserve(records.len());
        }
        // Each key with its first value's order prefix: the sort compares prefixes, and keys only on ties.
        let mut keyed: Vec<(u128, IndexKey, RecordId)> = Vec::with_capacity(records.len());
        let mut hashed: Vec<(u64, RecordId, Stored)> = Vec::new();
        if self.fields.len() == 1 {
            hashed.reserve(records.len());
        }
        // The documents are separate allocations, out of cache after a load: the one `REBUILD_AHEAD`
        // records ahead is prefetched (its leading lines, where the indexed fields usually are, and its
        // terminator, which taking it as a document checks), so the misses overlap instead of stalling the
        // build once per record.
        let mut ahead = records.iter_stored();
        for (_, s) in ahead.by_ref().take(REBUILD_AHEAD) {
            prefetch(s.bytes(), 2);
            prefetch_last(s.bytes());
        }
        for (rid, stored) in records.iter_stored() {
            if let Some((_, s)) = ahead.next() {
                prefetch(s.bytes(), 2);
                prefetch_last(s.bytes());
            }
            let mut keys = self
                .keys_of_raw(stored.raw())
                .map_err(|e| RebuildError::Invalid(rid, e))?;
            if self.unique {
                keys.sort();
                keys.dedup();
            }
            for k in keys {
                match self.hash_of(&k) {
                    Some(h) => hashed.push((h, rid, stored.clone())),
                    None => self.unhashable = true,
                }
                let prefix = k.0.first().map_or(0, order_prefix);
                keyed.push((prefix, k, rid));
            }
        }
        self.hashed.insert_many(hashed);
        // The records of one key stay in record order.
        keyed.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1.cmp(&b.1))
                .then_with(|| a.2.cmp(&b.2))
        });
        let mut entries = Entries::new();
        let mut last: Option<(IndexKey, RecordId)> = None;
        for (_, k, rid) in keyed {
            if let Some((lk, lr)) = &last {
                if *lk == k {
                    if *lr == rid {
                        // A multikey record holding one key twice (`[5, 5.0]`): the first stays.
                        continue;
                    }
                    if self.unique {
                        return Err(RebuildError::Duplicate(k));
                    }
                }
            }
            // Records of one key (same values, same types) share its allocation.
            let k = match &last {
                Some((held, _)) if held.0 == k.0 => held.clone(),
                _ => k,
            };
            if let Some(done) = last.replace((k, rid)) {
                entries.insert(done);
            }
        }
        if let Some(done) = last {
            entries.insert(done);
        }
        self.entries = entries;
        Ok(())
    }

    /// Adds `rid`'s keys; `doc` is the record as stored, which the hashed entries point at.
    pub(crate) fn add(&mut self, rid: RecordId, keys: Vec<IndexKey>, doc: &Stored) {
        let multikey = keys.len() > 1;
        for k in keys {
            let h = self.hash_of(&k);
            // No record holds a key of this probe hash (so none holds this key): nothing to share.
            let unheld = h.is_some() && !self.unhashable && self.probe_is_empty(h);
            match h {
                Some(h) => self.hashed.insert(h, rid, doc),
                None => self.unhashable = true,
            }
            // The allocation of the same key (same values, same types) held by another record is shared.
            let k = match (!unheld)
                .then(|| self.entries.range(key_bounds(k.clone())).next())
                .flatten()
            {
                Some((held, _)) if held.0 == k.0 => held.clone(),
                _ => k,
            };
            // A record holding one key twice (a multikey `[5, 5.0]`) keeps its first entry.
            if !multikey || !self.entries.contains(&(k.clone(), rid)) {
                self.entries.insert((k, rid));
            }
        }
    }

    /// Whether no entry of the probe table has hash `h` (`None`: not known, say no).
    fn probe_is_empty(&self, h: Option<u64>) -> bool {
        h.is_some_and(|h| self.hashed.get(h).next().is_none())
    }

    /// Removes `rid`'s keys.
    pub(crate) fn remove(&mut self, rid: RecordId, keys: Vec<IndexKey>) {
        for k in keys {
            if let Some(h) = self.hash_of(&k) {
                self.hashed.remove(h, rid);
            }
            self.entries.remove(&(k, rid));
        }
    }

    /// Points the hashed entries of `rid` under `keys` (its keys, unchanged by a write) at its new content.
    pub(crate) fn repoint(&mut self, rid: RecordId, keys: &[IndexKey], doc: &Stored) {
        for k in keys {
            if let Some(h) = self.hash_of(k) {
                self.hashed.repoint(h, rid, doc);
            }
        }
    }

    /// Every hashed entry as (record, document it points at): for checking that writes keep them current.
    #[cfg(test)]
    pub(crate) fn hashed_entries(&self) -> impl Iterator<Item = (RecordId, &Stored)> + '_ {
        self.hashed.entries()
    }

    /// The record holding `key` other than `except`, if any (unique check).
    pub(crate) fn conflict(&self, key: &IndexKey, except: Option<RecordId>) -> Option<RecordId> {
        // The probe table holds every entry of a hashed single-field index, under the hash of its key: an
        // empty probe means no record holds the key (the common case of a new unique key), without a seek.
        if !self.unhashable && self.probe_is_empty(self.hash_of(key)) {
            return None;
        }
        self.entries
            .range(key_bounds(key.clone()))
            .map(|(_, r)| *r)
            .find(|r| Some(*r) != except)
    }

    /// Whether this index can answer predicates on `field` alone (its first field, every document indexed).
    pub(crate) fn serves(&self, field: &str) -> bool {
        self.fields.first().is_some_and(|f| f == field) && !self.sparse && self.partial.is_none()
    }

    /// Records whose key in this single-field index equals `v` in the BSON order: one map lookup, no set
    /// built (the point-lookup path). Multikey entries are included: callers check the stored value.
    pub(crate) fn lookup(&self, v: &Bson) -> impl Iterator<Item = RecordId> + '_ {
        self.lookup_key(KeyRef::Value(v))
    }

    /// As [`lookup`](Self::lookup), for a key that may be a borrowed string: no `Bson` built, no
    /// allocation, on the hashed path.
    pub(crate) fn lookup_key(&self, key: KeyRef<'_>) -> impl Iterator<Item = RecordId> + '_ {
        let (hashed, ordered) = match self.lookup_stored(key) {
            Some(found) => (Some(found.map(|(rid, _)| rid)), None),
            None => (
                None,
                Some(
                    self.entries
                        .range(key_bounds(IndexKey(Arc::new([match key {
                            KeyRef::Str(s) => Bson::String(s.to_string()),
                            KeyRef::Value(v) => v.clone(),
                        }]))))
                        .map(|(_, r)| *r),
                ),
            ),
        };
        hashed
            .into_iter()
            .flatten()
            .chain(ordered.into_iter().flatten())
    }

    /// The records under `key`'s probe hash with their stored documents (a superset of the records holding
    /// `key`, as keys may share a hash: callers check the stored value); `None` when this index is not probed
    /// by hash (compound, or holding an unhashable key): use [`lookup_key`](Self::lookup_key).
    pub(crate) fn lookup_stored(
        &self,
        key: KeyRef<'_>,
    ) -> Option<impl Iterator<Item = (RecordId, &Stored)> + '_> {
        if self.fields.len() != 1 || self.unhashable {
            return None;
        }
        let hash = match key {
            KeyRef::Str(s) => str_hash(&self.seed, s),
            KeyRef::Value(v) => key_hash(&self.seed, v)?,
        };
        Some(self.hashed.get(hash))
    }

    /// The probe hash of a key of a single-field index (`None`: not hashed; see `unhashable`).
    fn hash_of(&self, k: &IndexKey) -> Option<u64> {
        match &k.0[..] {
            [v] if self.fields.len() == 1 => key_hash(&self.seed, v),
            _ => None,
        }
    }

    /// Every (key, record) in key order, ascending or descending; the records of one key in natural order
    /// (for sort + limit served in index order).
    pub(crate) fn walk(
        &self,
        ascending: bool,
    ) -> Box<dyn Iterator<Item = (&IndexKey, RecordId)> + '_> {
        let all = self.entries.iter().map(|(k, r)| (k, *r));
        if ascending {
            Box::new(all)
        } else {
            // Keys from the high end, the records of one key still in natural order.
            Box::new(Descending {
                entries: self.entries.iter().rev().peekable(),
                run: Vec::new(),
            })
        }
    }

    /// Whether some record's first indexed value is an empty array: a sort orders it as undefined (beside
    /// null), not where the index holds it.
    pub(crate) fn has_empty_array(&self) -> bool {
        if self.fields.len() == 1 {
            // One map lookup: the empty array is a key of its own.
            return self
                .entries
                .range(key_bounds(IndexKey(Arc::new([Bson::Array(Vec::new())]))))
                .next()
                .is_some();
        }
        self.entries
            .iter()
            .any(|(k, _)| matches!(k.0.first(), Some(Bson::Array(a)) if a.is_empty()))
    }

    /// Records whose first key value is in the range.
    pub(crate) fn range(&self, lo: Bound<&Bson>, hi: Bound<&Bson>) -> BTreeSet<RecordId> {
        let mut out = BTreeSet::new();
        let single = self.fields.len() == 1;
        let lo_k = map_bound(lo);
        let hi_k = map_bound(hi);
        if single {
            if let (
                Bound::Excluded(a) | Bound::Included(a),
                Bound::Excluded(b) | Bound::Included(b),
            ) = (&lo_k, &hi_k)
            {
                if a > b {
                    return out;
                }
            }
            let lo_e = match lo_k {
                Bound::Included(k) => Bound::Included((k, RecordId::MIN)),
                Bound::Excluded(k) => Bound::Excluded((k, RecordId::MAX)),
                Bound::Unbounded => Bound::Unbounded,
            };
            let hi_e = match hi_k {
                Bound::Included(k) => Bound::Included((k, RecordId::MAX)),
                Bound::Excluded(k) => Bound::Excluded((k, RecordId::MIN)),
                Bound::Unbounded => Bound::Unbounded,
            };
            if let (
                Bound::Excluded(a) | Bound::Included(a),
                Bound::Excluded(b) | Bound::Included(b),
            ) = (&lo_e, &hi_e)
            {
                if a >= b
                    && !(a == b
                        && matches!(lo_e, Bound::Included(_))
                        && matches!(hi_e, Bound::Included(_)))
                {
                    return out;
                }
            }
            out.extend(self.entries.range((lo_e, hi_e)).map(|(_, r)| *r));
        } else {
            // Compound: scan and test the first component (keys are longer than the bound).
            for (k, r) in &self.entries {
                let Some(first) = k.0.first() else { continue };
                if in_bounds(first, &lo, &hi) {
                    out.insert(*r);
                }
            }
        }
        out
    }
}

/// Index entries from the highest key down, the records of one key in natural (ascending) order: the
/// reversed walk of the entries, each key's run of records turned back.
struct Descending<'a, I: Iterator<Item = &'a (IndexKey, RecordId)>> {
    entries: std::iter::Peekable<I>,
    /// The rest of the current key's run, highest record first (taken from the end).
    run: Vec<(&'a IndexKey, RecordId)>,
}

impl<'a, I: Iterator<Item = &'a (IndexKey, RecordId)>> Iterator for Descending<'a, I> {
    type Item = (&'a IndexKey, RecordId);

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.run.pop() {
            return Some(e);
        }
        let (k, r) = self.entries.next()?;
        self.run.push((k, *r));
        while let Some((k2, r)) = self.entries.next_if(|(next, _)| next == k) {
            self.run.push((k2, *r));
        }
        self.run.pop()
    }
}

/// A hash of an index key value that agrees with the BSON order's equality (`1`, `1.0` and `NumberLong(1)`
/// hash alike; so do `0` and `-0.0`); `None` for types it does not cover (decimal128, documents, arrays,
/// regexes, ...), which then keep probes on the ordered map.
fn key_hash(seed: &RandomState, v: &Bson) -> Option<u64> {
    const I64_BOUND: f64 = 9_223_372_036_854_775_808.0;
    let mut h = seed.build_hasher();
    match v {
        Bson::String(s) => return Some(str_hash(seed, s)),
        Bson::Int32(i) => (1u8, i64::from(*i)).hash(&mut h),
        Bson::Int64(i) => (1u8, *i).hash(&mut h),
        Bson::Double(d) if d.is_nan() => 2u8.hash(&mut h),
        Bson::Double(d) if d.fract() == 0.0 && (-I64_BOUND..I64_BOUND).contains(d) => {
            (1u8, *d as i64).hash(&mut h)
        }
        Bson::Double(d) => (3u8, d.to_bits()).hash(&mut h),
        Bson::Boolean(b) => (4u8, *b).hash(&mut h),
        Bson::DateTime(d) => (5u8, d.timestamp_millis()).hash(&mut h),
        Bson::ObjectId(o) => (6u8, o.bytes()).hash(&mut h),
        Bson::Null => 7u8.hash(&mut h),
        _ => return None,
    }
    Some(h.finish())
}

/// An index key to look up: a borrowed string, or any value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KeyRef<'a> {
    /// A string (as `Bson::String`).
    Str(&'a str),
    /// Any value.
    Value(&'a Bson),
}

/// [`key_hash`] of a string.
fn str_hash(seed: &RandomState, s: &str) -> u64 {
    seed.hash_one((0u8, s))
}

fn unreachable_index() -> Index {
    Index {
        name: "_id_".into(),
        fields: vec!["_id".into()],
        spec: bson::doc! {"v": 2, "key": {"_id": 1}, "name": "_id_"},
        unique: true,
        sparse: false,
        partial: None,
        expire_after_seconds: None,
        collation: None,
        entries: Entries::new(),
        hashed: ProbeTable::default(),
        seed: RandomState::default(),
        unhashable: false,
    }
}

fn map_bound(b: Bound<&Bson>) -> Bound<IndexKey> {
    match b {
        Bound::Included(v) => Bound::Included(IndexKey(Arc::new([v.clone()]))),
        Bound::Excluded(v) => Bound::Excluded(IndexKey(Arc::new([v.clone()]))),
        Bound::Unbounded => Bound::Unbounded,
    }
}

fn in_bounds(v: &Bson, lo: &Bound<&Bson>, hi: &Bound<&Bson>) -> bool {
    let lo_ok = match lo {
        Bound::Included(b) => compare(v, b) != Ordering::Less,
        Bound::Excluded(b) => compare(v, b) == Ordering::Greater,
        Bound::Unbounded => true,
    };
    let hi_ok = match hi {
        Bound::Included(b) => compare(v, b) != Ordering::Greater,
        Bound::Excluded(b) => compare(v, b) == Ordering::Less,
        Bound::Unbounded => true,
    };
    lo_ok && hi_ok
}

/// mongod's default index name: `a_1_b_-1`.
pub fn default_name(key: &Document) -> String {
    key.iter()
        .map(|(k, v)| {
            let dir = match v {
                Bson::Int32(i) => i.to_string(),
                Bson::Int64(i) => i.to_string(),
                Bson::Double(d) => format!("{}", *d as i64),
                Bson::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{k}_{dir}")
        })
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
