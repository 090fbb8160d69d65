//! One collection in memory: records by id, its options, and its indexes kept in step with every write.
//!
//! In: documents to insert / replace / remove and index specs; out: records, index-backed candidate sets
//! for filters (candidates.rs), and duplicate-key errors (11000) exactly when mongod raises them. Every
//! collection has the unique `_id_` index. Depends on `bson`, `bson_order`, `matcher` and `path`.

use crate::engine::error_codes::ErrorCode;
use crate::engine::path;
use crate::engine::CommandError;
use bson::{Bson, Document, RawDocument};

use super::index::RebuildError;
pub use super::index::{default_name, Index, IndexKey};
pub use super::records::RecordId;
use super::records::Records;
pub use super::records::Stored;

/// What a replacement does to one index's keys of the record.
enum KeyChange {
    /// Unchanged (these keys).
    Same(Vec<IndexKey>),
    /// From the first keys to the second.
    Moved(Vec<IndexKey>, Vec<IndexKey>),
}

/// A collection (or a view, when `options` has `viewOn`).
#[derive(Debug, Clone)]
pub struct Collection {
    /// Namespace `db.coll` (for error messages).
    pub ns: String,
    /// `create` options (validator, capped, size, max, viewOn, pipeline, ...): read with
    /// [`Collection::options`], changed with [`Collection::set_option`] / [`Collection::set_options`] (which
    /// forget the compiled validator).
    options: Document,
    /// The `validator` option compiled, once per options (every insert and update checks it: compiling it per
    /// document cost ~23k instructions, more than the insert itself). `None` inside: no validator.
    validator: std::sync::OnceLock<Option<std::sync::Arc<crate::engine::matcher::Matcher>>>,
    /// Each document as its BSON bytes: about its wire size in memory (a parsed `Document` takes four to six
    /// times that), and a scan reads one contiguous buffer per document.
    records: Records,
    next_rid: RecordId,
    /// Indexes, `_id_` first.
    pub indexes: Vec<Index>,
}

impl Collection {
    /// An empty collection with the given options.
    pub fn new(ns: impl Into<String>, options: Document) -> Collection {
        let default = crate::engine::collation::of_options(&options);
        let indexes = if options.contains_key("viewOn") {
            Vec::new()
        } else {
            vec![Index::id_index(default.as_ref())]
        };
        Collection {
            ns: ns.into(),
            options,
            validator: std::sync::OnceLock::new(),
            records: Records::default(),
            next_rid: 1,
            indexes,
        }
    }

    /// The `create` options (as changed by `collMod`).
    pub fn options(&self) -> &Document {
        &self.options
    }

    /// Sets option `key` (`collMod`); the compiled validator is forgotten.
    pub fn set_option(&mut self, key: &str, value: impl Into<Bson>) {
        self.options.insert(key, value.into());
        self.validator = std::sync::OnceLock::new();
    }

    /// Replaces the options (a replayed `collMod`); the compiled validator is forgotten.
    pub fn set_options(&mut self, options: Document) {
        self.options = options;
        self.validator = std::sync::OnceLock::new();
    }

    /// The `validator` option compiled (`None` when there is none or it is empty), compiled at the first call
    /// after the options were set.
    pub fn validator(
        &self,
    ) -> Result<Option<std::sync::Arc<crate::engine::matcher::Matcher>>, CommandError> {
        if let Some(v) = self.validator.get() {
            return Ok(v.clone());
        }
        let compiled = match self.options.get_document("validator") {
            Ok(v) if !v.is_empty() => Some(std::sync::Arc::new(
                crate::engine::matcher::Matcher::compile(v)?,
            )),
            _ => None,
        };
        Ok(self.validator.get_or_init(|| compiled).clone())
    }

    /// Whether this is a view.
    pub fn is_view(&self) -> bool {
        self.options.contains_key("viewOn")
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The BSON size of all documents, in bytes (`dataSize` of `dbStats`, `size` of `collStats`).
    pub fn data_size(&self) -> u64 {
        self.records
            .iter()
            .map(|(_, d)| d.as_bytes().len() as u64)
            .sum()
    }

    /// Documents in natural order, parsed.
    pub fn iter(&self) -> impl Iterator<Item = (RecordId, Document)> + '_ {
        self.records.iter().map(|(r, d)| (r, parse(d)))
    }

    /// Documents in natural order, as stored (BSON bytes).
    pub fn iter_raw(&self) -> impl Iterator<Item = (RecordId, &RawDocument)> {
        self.records.iter()
    }

    /// Records as stored, in natural order, in batches of consecutive records (see [`Records::chunks`]).
    pub fn stored_batches(&self) -> impl Iterator<Item = impl Iterator<Item = &Stored> + Clone> {
        self.records.chunks()
    }

    /// Record ids in natural order.
    pub fn record_ids(&self) -> impl Iterator<Item = RecordId> + '_ {
        self.records.ids()
    }

    /// One record, parsed.
    pub fn get(&self, rid: RecordId) -> Option<Document> {
        self.records.get(rid).map(parse)
    }

    /// One record as stored (BSON bytes).
    pub fn get_raw(&self, rid: RecordId) -> Option<&RawDocument> {
        self.records.get(rid)
    }

    fn duplicate(&self, ix: &Index, key: &IndexKey) -> CommandError {
        let mut shown = Document::new();
        for (f, v) in ix.fields.iter().zip(key.0.iter()) {
            shown.insert(f.clone(), v.clone());
        }
        let pattern = ix.spec.get_document("key").cloned().unwrap_or_default();
        CommandError::new(
            ErrorCode::DuplicateKey,
            format!(
                "E11000 duplicate key error collection: {} index: {} dup key: {}",
                self.ns, ix.name, shown
            ),
        )
        .with_extra(bson::doc! {"keyPattern": pattern, "keyValue": shown})
    }

    fn check_unique(
        &self,
        doc: &Document,
        except: Option<RecordId>,
    ) -> Result<Vec<Vec<IndexKey>>, CommandError> {
        let mut all = Vec::with_capacity(self.indexes.len());
        for ix in &self.indexes {
            let mut keys = ix.keys_for(doc);
            if ix.unique {
                // Multikey entries of the same document never conflict with each other.
                keys.sort();
                keys.dedup();
                for k in &keys {
                    if ix.conflict(k, except).is_some() {
                        return Err(self.duplicate(ix, k));
                    }
                }
            }
            all.push(keys);
        }
        Ok(all)
    }

    /// Inserts a document (which must already have its `_id`).
    pub fn insert(&mut self, doc: Document) -> Result<RecordId, CommandError> {
        let raw = encode(&doc)?;
        self.insert_encoded(&doc, raw)
    }

    /// [`Collection::insert`] of a document already encoded (by [`Collection::encode`], before the write
    /// lock was taken): `raw` must be `doc`'s encoding.
    pub fn insert_encoded(
        &mut self,
        doc: &Document,
        raw: Stored,
    ) -> Result<RecordId, CommandError> {
        let keys = self.check_unique(doc, None)?;
        let rid = self.next_rid;
        self.next_rid += 1;
        for (ix, k) in self.indexes.iter_mut().zip(keys) {
            ix.add(rid, k, &raw);
        }
        self.records.insert(rid, raw);
        Ok(rid)
    }

    /// Replaces the record `rid` with `doc`. Indexes whose keys the change leaves as they were (the usual
    /// `$set`/`$inc` of unindexed fields) are not checked, and only their hashed entries are pointed at the
    /// new content.
    /// `old` is the record's current content, as the caller read it (under the same write lock).
    pub fn replace(
        &mut self,
        rid: RecordId,
        old: &Document,
        doc: &Document,
    ) -> Result<(), CommandError> {
        let raw = encode(doc)?;
        if self.records.get(rid).is_none() {
            return Err(CommandError::new(
                ErrorCode::UnknownError,
                "record vanished during update",
            ));
        }
        let mut moves = Vec::with_capacity(self.indexes.len());
        for ix in &self.indexes {
            let old_keys = ix.keys_for(old);
            let mut new_keys = ix.keys_for(doc);
            // Compared by value and type (not by the BSON order, where 1 equals 1.0), so a key whose type
            // changed is rewritten too.
            if old_keys
                .iter()
                .map(|k| &k.0)
                .eq(new_keys.iter().map(|k| &k.0))
            {
                moves.push(KeyChange::Same(new_keys));
                continue;
            }
            if ix.unique {
                // Multikey entries of the same document never conflict with each other.
                new_keys.sort();
                new_keys.dedup();
                if let Some(k) = new_keys
                    .iter()
                    .find(|k| ix.conflict(k, Some(rid)).is_some())
                {
                    return Err(self.duplicate(ix, k));
                }
            }
            moves.push(KeyChange::Moved(old_keys, new_keys));
        }
        for (ix, m) in self.indexes.iter_mut().zip(moves) {
            match m {
                KeyChange::Moved(o, n) => {
                    ix.remove(rid, o);
                    ix.add(rid, n, &raw);
                }
                KeyChange::Same(keys) => ix.repoint(rid, &keys, &raw),
            }
        }
        self.records.insert(rid, raw);
        Ok(())
    }

    /// The id the next insert takes (tests copying a collection record by record).
    #[cfg(test)]
    pub(crate) fn next_rid(&self) -> RecordId {
        self.next_rid
    }

    /// Sets the id the next insert takes (tests copying a collection record by record).
    #[cfg(test)]
    pub(crate) fn set_next_rid(&mut self, rid: RecordId) {
        self.next_rid = rid;
    }

    /// One record as stored, shared (what a journal entry carries).
    pub fn stored(&self, rid: RecordId) -> Option<&Stored> {
        self.records.stored(rid)
    }

    /// The record table (an incremental checkpoint compares its chunks with an older copy's).
    pub fn records(&self) -> &Records {
        &self.records
    }

    /// A copy holding only the catalog and the record table (shared chunk by chunk), without the
    /// indexes: what an incremental checkpoint keeps to compare the next one with. Keeping the whole
    /// collection would share its index pages too, and every write until the next checkpoint would copy
    /// the page it changes.
    pub fn records_only(&self) -> Collection {
        Collection {
            ns: self.ns.clone(),
            options: self.options.clone(),
            validator: std::sync::OnceLock::new(),
            records: self.records.clone(),
            next_rid: self.next_rid,
            indexes: Vec::new(),
        }
    }

    /// Records in natural order, as stored, with their ids.
    pub fn stored_records(&self) -> impl Iterator<Item = (RecordId, &Stored)> {
        self.records.iter_stored()
    }

    /// Stores `doc` as record `rid` (recovery: a journal or checkpoint entry), replacing what is there;
    /// later inserts get ids after it. Unique indexes are checked as for any write.
    pub fn put_at(&mut self, rid: RecordId, doc: Stored) -> Result<(), CommandError> {
        let invalid = |e: bson::error::Error| {
            CommandError::new(ErrorCode::InvalidBSON, format!("invalid document: {e}"))
        };
        let raw = RawDocument::from_bytes(doc.bytes()).map_err(invalid)?;
        // Only the top-level fields the indexes read are parsed (all of them when a partial index's filter
        // may read any field): recovery stores a million documents this way.
        let parsed = if self.indexes.iter().any(|ix| ix.partial.is_some()) {
            Document::try_from(raw).map_err(invalid)?
        } else {
            let mut d = Document::new();
            for el in raw.iter() {
                let (k, v) = el.map_err(invalid)?;
                let k = k.as_str();
                let read = self
                    .indexes
                    .iter()
                    .any(|ix| ix.fields.iter().any(|f| f.split('.').next() == Some(k)));
                if read {
                    d.insert(k, bson::Bson::try_from(v).map_err(invalid)?);
                }
            }
            d
        };
        self.remove(rid);
        let keys = self.check_unique(&parsed, None)?;
        for (ix, k) in self.indexes.iter_mut().zip(keys) {
            ix.add(rid, k, &doc);
        }
        self.records.insert(rid, doc);
        self.next_rid = self.next_rid.max(rid.saturating_add(1));
        Ok(())
    }

    /// Stores `doc` as record `rid` without touching the indexes: recovery loads a checkpoint's records
    /// this way, then builds every index once with [`rebuild_indexes`](Self::rebuild_indexes) (which must
    /// follow before the collection is used). A `Stored` is a document by construction (made from a
    /// `RawDocumentBuf` or a checked `RawDocument`), so it is not checked again here: that read each
    /// record's terminator once more, a cache miss per record of a million-record load.
    pub fn put_unindexed(&mut self, rid: RecordId, doc: Stored) -> Result<(), CommandError> {
        self.records.insert(rid, doc);
        self.next_rid = self.next_rid.max(rid.saturating_add(1));
        Ok(())
    }

    /// Rebuilds every index from the records (see `Index::rebuild`): a unique index over duplicate keys
    /// fails with the duplicate key error. The indexes of a large collection are built in parallel threads.
    pub fn rebuild_indexes(&mut self) -> Result<(), CommandError> {
        let records = &self.records;
        let results: Vec<Result<(), RebuildError>> =
            if records.len() < 10_000 || self.indexes.len() < 2 {
                self.indexes
                    .iter_mut()
                    .map(|ix| ix.rebuild(records))
                    .collect()
            } else {
                std::thread::scope(|s| {
                    let handles: Vec<_> = self
                        .indexes
                        .iter_mut()
                        .map(|ix| s.spawn(move || ix.rebuild(records)))
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| {
                            h.join().unwrap_or_else(|_| {
                                Err(RebuildError::Invalid(0, "an index build panicked".into()))
                            })
                        })
                        .collect()
                })
            };
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Ok(()) => {}
                Err(RebuildError::Duplicate(k)) => return Err(self.duplicate(&self.indexes[i], &k)),
                Err(RebuildError::Invalid(rid, e)) => {
                    return Err(CommandError::new(
                        ErrorCode::InvalidBSON,
                        format!("record {rid}: {e}"),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Removes the record `rid`.
    pub fn remove(&mut self, rid: RecordId) -> Option<Document> {
        let doc = parse(self.records.remove(rid)?.raw());
        for ix in self.indexes.iter_mut() {
            let keys = ix.keys_for(&doc);
            ix.remove(rid, keys);
        }
        Some(doc)
    }

    /// Adds an index, building it over existing documents. `Ok(false)` when an identical index exists.
    pub fn add_index(&mut self, spec: &Document) -> Result<bool, CommandError> {
        let mut ix = Index::from_spec(spec)?;
        if let Some(existing) = self.indexes.iter().find(|i| i.name == ix.name) {
            let same = existing.spec.get("key") == ix.spec.get("key")
                && existing.spec.get("collation") == ix.spec.get("collation")
                && existing.unique == ix.unique
                && existing.expire_after_seconds == ix.expire_after_seconds
                && existing.sparse == ix.sparse;
            if same {
                return Ok(false);
            }
            return Err(CommandError::new(ErrorCode::IndexKeySpecsConflict, format!("An existing index has the same name as the requested index. Requested index: {}, existing index: {}", ix.spec, existing.spec)));
        }
        // Indexes on one key pattern may differ by collation (as in mongod).
        if let Some(existing) = self.indexes.iter().find(|i| {
            i.spec.get("key") == ix.spec.get("key")
                && i.spec.get("collation") == ix.spec.get("collation")
        }) {
            if existing.unique == ix.unique
                && existing.expire_after_seconds == ix.expire_after_seconds
            {
                return Ok(false);
            }
            return Err(CommandError::new(ErrorCode::IndexOptionsConflict, format!("An equivalent index already exists with a different name and options. Requested index: {}, existing index: {}", ix.spec, existing.spec)));
        }
        for (rid, stored) in self.records.iter_stored() {
            let doc = parse(stored.raw());
            let mut keys = ix.keys_for(&doc);
            if ix.unique {
                keys.sort();
                keys.dedup();
                for k in &keys {
                    if ix.conflict(k, None).is_some() {
                        return Err(self.duplicate(&ix, k));
                    }
                }
            }
            ix.add(rid, keys, stored);
        }
        self.indexes.push(ix);
        Ok(true)
    }

    /// Drops an index by name; `_id_` cannot be dropped.
    pub fn drop_index(&mut self, name: &str) -> Result<(), CommandError> {
        if name == "_id_" {
            return Err(CommandError::new(
                ErrorCode::InvalidOptions,
                "cannot drop _id index",
            ));
        }
        let before = self.indexes.len();
        self.indexes.retain(|i| i.name != name);
        if self.indexes.len() == before {
            return Err(CommandError::new(
                ErrorCode::IndexNotFound,
                format!("index not found with name [{name}]"),
            ));
        }
        Ok(())
    }

    /// The index named `name`.
    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// Mutable index by name.
    pub fn index_mut(&mut self, name: &str) -> Option<&mut Index> {
        self.indexes.iter_mut().find(|i| i.name == name)
    }

    /// The path of the index with key pattern `key`, by name or pattern.
    pub fn find_index_by_key(&self, key: &Document) -> Option<&Index> {
        self.indexes
            .iter()
            .find(|i| i.spec.get_document("key").is_ok_and(|k| k == key))
    }

    /// Removes all documents (keeps indexes).
    pub fn clear(&mut self) {
        let rids: Vec<RecordId> = self.records.ids().collect();
        for r in rids {
            self.remove(r);
        }
    }

    /// A value at `path` of record `rid` (for TTL scans), reading only the top-level field it starts with.
    pub fn value_at(&self, rid: RecordId, p: &str) -> Option<Bson> {
        let raw = self.records.get(rid)?;
        let (first, rest) = match p.split_once('.') {
            Some((f, r)) => (f, Some(r)),
            None => (p, None),
        };
        let top = crate::engine::bson_decode::try_value(raw.get(first).ok()??).ok()?;
        match rest {
            None => Some(top),
            Some(r) => match &top {
                Bson::Document(d) => path::get(d, r).cloned(),
                Bson::Array(_) => {
                    let mut d = Document::new();
                    d.insert(first, top.clone());
                    path::get(&d, p).cloned()
                }
                _ => None,
            },
        }
    }
}

/// The stored bytes of a document; over 16 MB (mongod's limit) is error 10334.
impl Collection {
    /// The stored form of `doc`, as [`Collection::insert`] makes it (no collection needed: a write can
    /// encode its documents before it takes the write lock).
    pub fn encode(doc: &Document) -> Result<Stored, CommandError> {
        encode(doc)
    }
}

fn encode(doc: &Document) -> Result<Stored, CommandError> {
    let raw = super::encode::document_bytes(doc).map_err(|e| {
        CommandError::new(
            ErrorCode::BadValue,
            format!("cannot store the document: {e}"),
        )
    })?;
    if raw.len() > MAX_DOCUMENT_BYTES {
        return Err(CommandError::new(
            ErrorCode::BSONObjectTooLarge,
            format!(
                "BSONObj size: {} (0x{:X}) is invalid. Size must be between 0 and 16793600(16MB)",
                raw.len(),
                raw.len()
            ),
        ));
    }
    Ok(Stored::from_encoded(raw))
}

/// mongod's maximum document size (16 MB plus the 16 KB it allows for internal fields).
const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024 + 16 * 1024;

/// A stored document, parsed. The bytes were written by `encode` from a `Document`, so they are valid BSON;
/// parsing cannot fail short of memory corruption (an empty document is returned then, never a panic).
pub fn parse(raw: &RawDocument) -> Document {
    crate::engine::bson_decode::try_document(raw).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn unique_index_rejects_duplicates_and_candidates_use_it() {
        let mut c = Collection::new("db.c", Document::new());
        c.add_index(&doc! {"key": {"k": 1}, "name": "k_1", "unique": true})
            .unwrap();
        c.insert(doc! {"_id": 1, "k": "a"}).unwrap();
        c.insert(doc! {"_id": 2, "k": "b", "n": 5}).unwrap();
        let e = c.insert(doc! {"_id": 3, "k": "a"}).unwrap_err();
        assert_eq!(e.code, 11000);
        assert_eq!(c.insert(doc! {"_id": 1}).unwrap_err().code, 11000);
        assert_eq!(c.candidates(&doc! {"k": "b"}), Some(vec![2]));
        assert_eq!(
            c.candidates(&doc! {"k": {"$in": ["a", "b"]}}),
            Some(vec![1, 2])
        );
        assert_eq!(c.candidates(&doc! {"n": 5}), None);
        assert_eq!(c.candidates(&doc! {"_id": {"$gte": 2}}), Some(vec![2]));
        // Numbers of different types are one key.
        assert_eq!(c.candidates(&doc! {"_id": 1.0}), Some(vec![1]));
        c.remove(1);
        c.insert(doc! {"_id": 4, "k": "a"}).unwrap();
        assert_eq!(
            c.candidates(&doc! {"k": "a"}),
            Some(vec![3]),
            "record ids are not consumed by failed inserts"
        );
    }

    #[test]
    fn building_a_unique_index_over_duplicates_fails() {
        let mut c = Collection::new("db.c", Document::new());
        c.insert(doc! {"_id": 1, "k": 1}).unwrap();
        c.insert(doc! {"_id": 2, "k": 1}).unwrap();
        assert_eq!(
            c.add_index(&doc! {"key": {"k": 1}, "name": "k_1", "unique": true})
                .unwrap_err()
                .code,
            11000
        );
        assert!(c.index("k_1").is_none());
        assert!(c.add_index(&doc! {"key": {"k": 1}, "name": "k_1"}).unwrap());
        assert!(!c.add_index(&doc! {"key": {"k": 1}, "name": "k_1"}).unwrap());
    }

    /// Every hashed index entry points at its record's current bytes (the same allocation), and every
    /// record is found under each of its keys, whatever sequence of inserts, replacements (of indexed and
    /// unindexed fields, scalars and arrays) and removals ran, and whenever an index was built.
    fn check_hashed_entries(c: &Collection) {
        for ix in &c.indexes {
            let mut seen = 0;
            for (rid, d) in ix.hashed_entries() {
                let rec = c.records.stored(rid).expect("entry of a removed record");
                assert!(
                    rec.same(d),
                    "index {} points at an old version of {rid}",
                    ix.name
                );
                seen += 1;
            }
            let want: usize = c
                .records
                .iter()
                .map(|(_, raw)| {
                    let mut keys = ix.keys_for(&parse(raw));
                    keys.sort();
                    keys.dedup();
                    keys.len()
                })
                .sum();
            assert!(
                seen <= want,
                "index {}: {seen} entries for {want} keys",
                ix.name
            );
            for (rid, raw) in c.records.iter() {
                for k in ix.keys_for(&parse(raw)) {
                    let [v] = &k.0[..] else { continue };
                    let found = ix
                        .lookup_stored(crate::engine::storage::index::KeyRef::Value(v))
                        .map(|mut it| it.any(|(r, d)| r == rid && d.raw() == raw));
                    assert!(
                        found != Some(false),
                        "{} key {v} of {rid} not found",
                        ix.name
                    );
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn hashed_entries_follow_every_write(
            ops in proptest::collection::vec((0u8..5, 0i32..6, 0i32..4, 0i32..3), 1..40),
            index_at in 0usize..40,
        ) {
            let mut c = Collection::new("db.c", Document::new());
            let value = |v: i32| match v {
                0 => Bson::Int32(1),
                1 => Bson::String("a".into()),
                2 => Bson::Array(vec![Bson::Int32(1), Bson::Int32(2)]),
                _ => Bson::Null,
            };
            for (i, (op, id, k, n)) in ops.into_iter().enumerate() {
                if i == index_at {
                    c.add_index(&doc! {"key": {"k": 1}, "name": "k_1"}).expect("index");
                }
                let rid = c.records.ids().find(|r| c.get(*r).and_then(|d| d.get_i32("_id").ok()) == Some(id));
                match (op, rid) {
                    (0 | 1, None) => {
                        c.insert(doc! {"_id": id, "k": value(k), "n": n}).expect("insert");
                    }
                    (0, Some(r)) | (2, Some(r)) => {
                        // The unindexed field only, or the indexed one too.
                        let old = c.get(r).expect("record");
                        let mut new = old.clone();
                        new.insert("n", n + 10);
                        if op == 2 {
                            new.insert("k", value(k));
                        }
                        c.replace(r, &old, &new).expect("replace");
                    }
                    (3, Some(r)) => {
                        c.remove(r);
                    }
                    _ => {}
                }
                check_hashed_entries(&c);
            }
        }
    }
}
