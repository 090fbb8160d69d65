//! One collection in memory: records by id, its options, and its indexes kept in step with every write.
//!
//! In: documents to insert / replace / remove and index specs; out: records, index-backed candidate sets
//! for filters, and duplicate-key errors (11000) exactly when mongod raises them. Every collection has the
//! unique `_id_` index. Depends on `bson`, `bson_order`, `matcher` and `path`.

use crate::engine::bson_order::compare;
use crate::engine::expr::Vars;
use crate::engine::matcher::Matcher;
use crate::engine::path;
use crate::engine::CommandError;
use bson::{Bson, Document, RawDocument, RawDocumentBuf};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

/// Identifies a record within its collection; increases with insertion order (natural order).
pub type RecordId = u64;

/// An index key: the indexed values in key-pattern order, ordered by the BSON comparison order.
#[derive(Debug, Clone)]
pub struct IndexKey(pub Vec<Bson>);

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

/// The records holding one index key: most keys (every key of a unique index) have one, which is stored
/// inline rather than in a set of its own.
#[derive(Debug, Clone)]
enum Rids {
    One(RecordId),
    Many(BTreeSet<RecordId>),
}

impl Rids {
    fn insert(&mut self, rid: RecordId) {
        match self {
            Rids::One(r) if *r == rid => {}
            Rids::One(r) => *self = Rids::Many(BTreeSet::from([*r, rid])),
            Rids::Many(set) => {
                set.insert(rid);
            }
        }
    }

    /// Removes `rid`; `true` when no record is left.
    fn remove(&mut self, rid: RecordId) -> bool {
        match self {
            Rids::One(r) => *r == rid,
            Rids::Many(set) => {
                set.remove(&rid);
                if set.len() == 1 {
                    if let Some(last) = set.iter().next().copied() {
                        *self = Rids::One(last);
                    }
                }
                set_is_empty(self)
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = RecordId> + '_ {
        let (one, many) = match self {
            Rids::One(r) => (Some(*r), None),
            Rids::Many(set) => (None, Some(set.iter().copied())),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

fn set_is_empty(r: &Rids) -> bool {
    matches!(r, Rids::Many(s) if s.is_empty())
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
    entries: BTreeMap<IndexKey, Rids>,
}

impl Index {
    /// Builds an (empty) index from a createIndexes spec.
    pub fn from_spec(spec: &Document) -> Result<Index, CommandError> {
        let key = spec
            .get_document("key")
            .map_err(|_| CommandError::failed_to_parse("index spec must have a 'key' document"))?;
        if key.is_empty() {
            return Err(CommandError::new(
                67,
                "CannotCreateIndex",
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
                        67,
                        "CannotCreateIndex",
                        format!("index type '{s}' is not supported by the embedded engine"),
                    ))
                }
                _ => false,
            };
            if !ok {
                return Err(CommandError::new(67, "CannotCreateIndex", format!("Values in the index key pattern can only be 1 or -1, found {v} for field '{k}'")));
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
                            67,
                            "CannotCreateIndex",
                            "TTL index 'expireAfterSeconds' option must be a non-negative integer",
                        )
                    })?,
            ),
        };
        if expire_after_seconds.is_some() && fields.len() > 1 {
            return Err(CommandError::new(
                67,
                "CannotCreateIndex",
                "TTL indexes are single-field indexes, compound indexes do not support TTL",
            ));
        }
        let mut full = Document::new();
        full.insert("v", 2);
        full.insert("key", key.clone());
        full.insert("name", name.clone());
        for (k, v) in spec {
            if !matches!(k.as_str(), "key" | "name" | "v" | "ns") {
                full.insert(k.clone(), v.clone());
            }
        }
        Ok(Index {
            name,
            fields,
            unique: matches!(spec.get("unique"), Some(Bson::Boolean(true))),
            sparse: matches!(spec.get("sparse"), Some(Bson::Boolean(true))),
            partial,
            expire_after_seconds,
            spec: full,
            entries: BTreeMap::new(),
        })
    }

    /// The `_id_` index every collection has.
    pub fn id_index() -> Index {
        let mut spec = Document::new();
        spec.insert("key", bson::doc! {"_id": 1});
        spec.insert("name", "_id_");
        let mut ix = Index::from_spec(&spec).unwrap_or_else(|_| unreachable_index());
        ix.unique = true;
        ix
    }

    /// The keys `doc` contributes (several for arrays: a multikey index); none when sparse / partial exclude it.
    pub fn keys_for(&self, doc: &Document) -> Vec<IndexKey> {
        if let Some(p) = &self.partial {
            if !p
                .matches(doc, &Vars::new(bson::DateTime::from_millis(0)))
                .unwrap_or(false)
            {
                return Vec::new();
            }
        }
        let mut per_field: Vec<Vec<Bson>> = Vec::with_capacity(self.fields.len());
        let mut any_present = false;
        for f in &self.fields {
            let vals = index_values(doc, f);
            if !vals.is_empty() {
                any_present = true;
            }
            per_field.push(if vals.is_empty() {
                vec![Bson::Null]
            } else {
                vals
            });
        }
        if self.sparse && !any_present {
            return Vec::new();
        }
        let mut keys: Vec<Vec<Bson>> = vec![Vec::new()];
        for vals in per_field {
            let mut next = Vec::with_capacity(keys.len() * vals.len());
            for k in &keys {
                for v in &vals {
                    let mut k2 = k.clone();
                    k2.push(v.clone());
                    next.push(k2);
                }
            }
            keys = next;
        }
        keys.into_iter().map(IndexKey).collect()
    }

    fn add(&mut self, rid: RecordId, keys: Vec<IndexKey>) {
        for k in keys {
            match self.entries.entry(k) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(Rids::One(rid));
                }
                std::collections::btree_map::Entry::Occupied(mut o) => o.get_mut().insert(rid),
            }
        }
    }

    fn remove(&mut self, rid: RecordId, keys: Vec<IndexKey>) {
        for k in keys {
            if let Some(set) = self.entries.get_mut(&k) {
                if set.remove(rid) {
                    self.entries.remove(&k);
                }
            }
        }
    }

    /// The record holding `key` other than `except`, if any (unique check).
    fn conflict(&self, key: &IndexKey, except: Option<RecordId>) -> Option<RecordId> {
        self.entries
            .get(key)
            .and_then(|set| set.iter().find(|r| Some(*r) != except))
    }

    /// Whether this index can answer predicates on `field` alone (its first field, every document indexed).
    fn serves(&self, field: &str) -> bool {
        self.fields.first().is_some_and(|f| f == field) && !self.sparse && self.partial.is_none()
    }

    /// Records whose first key value is in the range.
    fn range(&self, lo: Bound<&Bson>, hi: Bound<&Bson>) -> BTreeSet<RecordId> {
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
            for (_, set) in self.entries.range((lo_k, hi_k)) {
                out.extend(set.iter());
            }
        } else {
            // Compound: scan and test the first component (keys are longer than the bound).
            for (k, set) in &self.entries {
                let Some(first) = k.0.first() else { continue };
                if in_bounds(first, &lo, &hi) {
                    out.extend(set.iter());
                }
            }
        }
        out
    }
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
        entries: BTreeMap::new(),
    }
}

fn map_bound(b: Bound<&Bson>) -> Bound<IndexKey> {
    match b {
        Bound::Included(v) => Bound::Included(IndexKey(vec![v.clone()])),
        Bound::Excluded(v) => Bound::Excluded(IndexKey(vec![v.clone()])),
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

/// The values a document has at an index path: array elements (and the array itself for exact array
/// equality are not indexed separately here), dotted paths through arrays of documents.
fn index_values(doc: &Document, field: &str) -> Vec<Bson> {
    let mut out = Vec::new();
    let parts: Vec<&str> = field.split('.').collect();
    collect_values(&Bson::Document(doc.clone()), &parts, &mut out);
    out
}

fn collect_values(v: &Bson, parts: &[&str], out: &mut Vec<Bson>) {
    let Some((part, rest)) = parts.split_first() else {
        match v {
            Bson::Array(items) if !items.is_empty() => {
                out.extend(items.iter().cloned());
                // An array value also matches equality with the whole array.
                out.push(v.clone());
            }
            Bson::Array(_) => out.push(Bson::Array(vec![])),
            other => out.push(other.clone()),
        }
        return;
    };
    match v {
        Bson::Document(d) => {
            if let Some(x) = d.get(*part) {
                collect_values(x, rest, out);
            }
        }
        Bson::Array(items) => {
            if let Ok(i) = part.parse::<usize>() {
                if let Some(x) = items.get(i) {
                    collect_values(x, rest, out);
                }
            }
            for item in items {
                if let Bson::Document(_) = item {
                    collect_values(item, parts, out);
                }
            }
        }
        _ => {}
    }
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

/// A collection (or a view, when `options` has `viewOn`).
#[derive(Debug, Clone)]
pub struct Collection {
    /// Namespace `db.coll` (for error messages).
    pub ns: String,
    /// `create` options (validator, capped, size, max, viewOn, pipeline, ...).
    pub options: Document,
    /// Each document as its BSON bytes: about its wire size in memory (a parsed `Document` takes four to six
    /// times that), and a scan reads one contiguous buffer per document.
    records: BTreeMap<RecordId, RawDocumentBuf>,
    next_rid: RecordId,
    /// Indexes, `_id_` first.
    pub indexes: Vec<Index>,
}

impl Collection {
    /// An empty collection with the given options.
    pub fn new(ns: impl Into<String>, options: Document) -> Collection {
        let is_view = options.contains_key("viewOn");
        Collection {
            ns: ns.into(),
            options,
            records: BTreeMap::new(),
            next_rid: 1,
            indexes: if is_view {
                Vec::new()
            } else {
                vec![Index::id_index()]
            },
        }
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

    /// Documents in natural order, parsed.
    pub fn iter(&self) -> impl Iterator<Item = (RecordId, Document)> + '_ {
        self.records.iter().map(|(r, d)| (*r, parse(d)))
    }

    /// Documents in natural order, as stored (BSON bytes).
    pub fn iter_raw(&self) -> impl Iterator<Item = (RecordId, &RawDocument)> {
        self.records.iter().map(|(r, d)| (*r, d.as_ref()))
    }

    /// Record ids in natural order.
    pub fn record_ids(&self) -> impl Iterator<Item = RecordId> + '_ {
        self.records.keys().copied()
    }

    /// One record, parsed.
    pub fn get(&self, rid: RecordId) -> Option<Document> {
        self.records.get(&rid).map(|d| parse(d))
    }

    /// One record as stored (BSON bytes).
    pub fn get_raw(&self, rid: RecordId) -> Option<&RawDocument> {
        self.records.get(&rid).map(|d| d.as_ref())
    }

    fn duplicate(&self, ix: &Index, key: &IndexKey) -> CommandError {
        let mut shown = Document::new();
        for (f, v) in ix.fields.iter().zip(key.0.iter()) {
            shown.insert(f.clone(), v.clone());
        }
        CommandError::new(
            11000,
            "DuplicateKey",
            format!(
                "E11000 duplicate key error collection: {} index: {} dup key: {}",
                self.ns, ix.name, shown
            ),
        )
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
        let keys = self.check_unique(&doc, None)?;
        let rid = self.next_rid;
        self.next_rid += 1;
        for (ix, k) in self.indexes.iter_mut().zip(keys) {
            ix.add(rid, k);
        }
        self.records.insert(rid, raw);
        Ok(rid)
    }

    /// Replaces the record `rid` with `doc`.
    pub fn replace(&mut self, rid: RecordId, doc: Document) -> Result<(), CommandError> {
        let raw = encode(&doc)?;
        let new_keys = self.check_unique(&doc, Some(rid))?;
        let Some(old) = self.get(rid) else {
            return Err(CommandError::new(
                8,
                "UnknownError",
                "record vanished during update",
            ));
        };
        let old_keys: Vec<Vec<IndexKey>> =
            self.indexes.iter().map(|ix| ix.keys_for(&old)).collect();
        for ((ix, o), n) in self.indexes.iter_mut().zip(old_keys).zip(new_keys) {
            ix.remove(rid, o);
            ix.add(rid, n);
        }
        self.records.insert(rid, raw);
        Ok(())
    }

    /// Removes the record `rid`.
    pub fn remove(&mut self, rid: RecordId) -> Option<Document> {
        let doc = parse(&self.records.remove(&rid)?);
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
                && existing.unique == ix.unique
                && existing.expire_after_seconds == ix.expire_after_seconds
                && existing.sparse == ix.sparse;
            if same {
                return Ok(false);
            }
            return Err(CommandError::new(86, "IndexKeySpecsConflict", format!("An existing index has the same name as the requested index. Requested index: {}, existing index: {}", ix.spec, existing.spec)));
        }
        if let Some(existing) = self
            .indexes
            .iter()
            .find(|i| i.spec.get("key") == ix.spec.get("key"))
        {
            if existing.unique == ix.unique
                && existing.expire_after_seconds == ix.expire_after_seconds
            {
                return Ok(false);
            }
            return Err(CommandError::new(85, "IndexOptionsConflict", format!("An equivalent index already exists with a different name and options. Requested index: {}, existing index: {}", ix.spec, existing.spec)));
        }
        for (rid, raw) in &self.records {
            let doc = parse(raw);
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
            ix.add(*rid, keys);
        }
        self.indexes.push(ix);
        Ok(true)
    }

    /// Drops an index by name; `_id_` cannot be dropped.
    pub fn drop_index(&mut self, name: &str) -> Result<(), CommandError> {
        if name == "_id_" {
            return Err(CommandError::new(
                72,
                "InvalidOptions",
                "cannot drop _id index",
            ));
        }
        let before = self.indexes.len();
        self.indexes.retain(|i| i.name != name);
        if self.indexes.len() == before {
            return Err(CommandError::new(
                27,
                "IndexNotFound",
                format!("index not found with name [{name}]"),
            ));
        }
        Ok(())
    }

    /// Record ids that may match `filter`, from an index on an equality / range predicate of a top-level
    /// conjunct; `None` when no index applies (scan everything). Always a superset of the matches.
    pub fn candidates(&self, filter: &Document) -> Option<Vec<RecordId>> {
        let mut best: Option<BTreeSet<RecordId>> = None;
        for (field, pred) in conjuncts(filter) {
            let Some(ix) = self.indexes.iter().find(|ix| ix.serves(&field)) else {
                continue;
            };
            let Some(set) = predicate_range(ix, &pred) else {
                continue;
            };
            best = Some(match best {
                None => set,
                Some(prev) => prev.intersection(&set).copied().collect(),
            });
        }
        best.map(|s| s.into_iter().collect())
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
        let rids: Vec<RecordId> = self.records.keys().copied().collect();
        for r in rids {
            self.remove(r);
        }
    }

    /// A value at `path` of record `rid` (for TTL scans), reading only the top-level field it starts with.
    pub fn value_at(&self, rid: RecordId, p: &str) -> Option<Bson> {
        let raw = self.records.get(&rid)?;
        let (first, rest) = match p.split_once('.') {
            Some((f, r)) => (f, Some(r)),
            None => (p, None),
        };
        let top = Bson::try_from(raw.get(first).ok()??).ok()?;
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
fn encode(doc: &Document) -> Result<RawDocumentBuf, CommandError> {
    let raw = RawDocumentBuf::try_from(doc)
        .map_err(|e| CommandError::new(2, "BadValue", format!("cannot store the document: {e}")))?;
    if raw.as_bytes().len() > MAX_DOCUMENT_BYTES {
        return Err(CommandError::new(
            10334,
            "BSONObjectTooLarge",
            format!(
                "BSONObj size: {} (0x{:X}) is invalid. Size must be between 0 and 16793600(16MB)",
                raw.as_bytes().len(),
                raw.as_bytes().len()
            ),
        ));
    }
    Ok(raw)
}

/// mongod's maximum document size (16 MB plus the 16 KB it allows for internal fields).
const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024 + 16 * 1024;

/// A stored document, parsed. The bytes were written by [`encode`] from a `Document`, so they are valid BSON;
/// parsing cannot fail short of memory corruption (an empty document is returned then, never a panic).
pub fn parse(raw: &RawDocument) -> Document {
    Document::try_from(raw).unwrap_or_default()
}

/// Top-level `field: predicate` conjuncts of a filter (`$and` flattened).
fn conjuncts(filter: &Document) -> Vec<(String, Bson)> {
    let mut out = Vec::new();
    for (k, v) in filter {
        if k == "$and" {
            if let Bson::Array(items) = v {
                for it in items {
                    if let Bson::Document(d) = it {
                        out.extend(conjuncts(d));
                    }
                }
            }
        } else if !k.starts_with('$') {
            out.push((k.clone(), v.clone()));
        }
    }
    out
}

fn indexable_scalar(v: &Bson) -> bool {
    !matches!(
        v,
        Bson::Document(_)
            | Bson::Array(_)
            | Bson::RegularExpression(_)
            | Bson::Null
            | Bson::Undefined
            | Bson::MinKey
            | Bson::MaxKey
    )
}

/// The candidate set an index gives for one predicate, if it can.
fn predicate_range(ix: &Index, pred: &Bson) -> Option<BTreeSet<RecordId>> {
    match pred {
        Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
            let mut lo: Bound<&Bson> = Bound::Unbounded;
            let mut hi: Bound<&Bson> = Bound::Unbounded;
            let mut eq_sets: Option<BTreeSet<RecordId>> = None;
            let mut used = false;
            for (op, v) in d {
                match op.as_str() {
                    "$eq" if indexable_scalar(v) => {
                        eq_sets = Some(ix.range(Bound::Included(v), Bound::Included(v)));
                        used = true;
                    }
                    "$in" => {
                        let Bson::Array(items) = v else { return None };
                        if !items.iter().all(indexable_scalar) {
                            return None;
                        }
                        let mut s = BTreeSet::new();
                        for it in items {
                            s.extend(ix.range(Bound::Included(it), Bound::Included(it)));
                        }
                        eq_sets = Some(s);
                        used = true;
                    }
                    "$gt" if indexable_scalar(v) => {
                        lo = Bound::Excluded(v);
                        used = true;
                    }
                    "$gte" if indexable_scalar(v) => {
                        lo = Bound::Included(v);
                        used = true;
                    }
                    "$lt" if indexable_scalar(v) => {
                        hi = Bound::Excluded(v);
                        used = true;
                    }
                    "$lte" if indexable_scalar(v) => {
                        hi = Bound::Included(v);
                        used = true;
                    }
                    _ => {}
                }
            }
            if !used {
                return None;
            }
            let range = if matches!((lo, hi), (Bound::Unbounded, Bound::Unbounded)) {
                None
            } else {
                Some(ix.range(lo, hi))
            };
            match (eq_sets, range) {
                (Some(a), Some(b)) => Some(a.intersection(&b).copied().collect()),
                (Some(a), None) => Some(a),
                (None, Some(b)) => Some(b),
                (None, None) => None,
            }
        }
        v if indexable_scalar(v) => Some(ix.range(Bound::Included(v), Bound::Included(v))),
        _ => None,
    }
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
}
