//! Sort specifications (`{last_accessed: -1, _id: 1}`) for `find` and `$sort`, with mongod's rules: a missing
//! field sorts as null, an array sorts by its smallest element ascending and its largest descending, values
//! of different types follow the BSON comparison order.
//!
//! In: a sort document and documents; out: the documents in order (stable). Depends on `bson`, `bson_order`.

use super::bson_order::compare;
use super::held::{self, Held};
use super::memory::{self, MemoryPolicy, ENTRY_OVERHEAD};
use super::spill::{self, SpillFile};
use super::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

/// A compiled sort specification.
#[derive(Debug, Clone)]
pub struct SortSpec {
    keys: Vec<(Vec<String>, bool)>,
}

impl SortSpec {
    /// For a spec of one key whose values are documents with the fields `names` (in that order): the spec
    /// that orders the keys of their values (`[v0, v1, ...]`) as this one orders the documents. Documents
    /// with the same field names compare value by value (a value's type first, as a value's comparison
    /// does), so each value is a key part of the same direction. `None` for a spec of several keys.
    pub(crate) fn of_document_fields(&self, names: &[String]) -> Option<SortSpec> {
        let [(_, asc)] = self.keys.as_slice() else {
            return None;
        };
        Some(SortSpec {
            keys: names.iter().map(|n| (vec![n.clone()], *asc)).collect(),
        })
    }

    /// Compiles `{field: 1 | -1, ...}`.
    pub fn compile(spec: &Document) -> Result<SortSpec, CommandError> {
        if spec.is_empty() {
            return Err(CommandError::location(
                15976,
                "$sort stage must have at least one sort key",
            ));
        }
        let mut keys = Vec::new();
        for (k, v) in spec {
            let asc = match v {
                Bson::Int32(1) | Bson::Int64(1) => true,
                Bson::Int32(-1) | Bson::Int64(-1) => false,
                Bson::Double(d) if *d == 1.0 => true,
                Bson::Double(d) if *d == -1.0 => false,
                Bson::Document(d) if d.contains_key("$meta") => {
                    return Err(CommandError::bad_value(
                        "$meta sort is not supported by the embedded engine",
                    ))
                }
                _ => {
                    return Err(CommandError::location(
                        15975,
                        "$sort key ordering must be 1 (for ascending) or -1 (for descending)",
                    ))
                }
            };
            if k.is_empty() || k.starts_with('$') {
                return Err(CommandError::bad_value(format!(
                    "FieldPath field names may not start with '$' or be empty: '{k}'"
                )));
            }
            keys.push((k.split('.').map(str::to_string).collect(), asc));
        }
        Ok(SortSpec { keys })
    }

    /// The sort key of one document.
    pub fn key(&self, doc: &Document) -> Vec<Bson> {
        self.keys
            .iter()
            .map(|(path, asc)| match plain_value(doc, path) {
                Some(v) => v.cloned().unwrap_or(Bson::Null),
                None => Self::key_part_general(doc, path, *asc),
            })
            .collect()
    }

    /// One key part by the general rules (every value the path reaches through arrays, the extreme
    /// picked): what [`key`](Self::key) gives where [`plain_value`] declines.
    fn key_part_general(doc: &Document, path: &[String], asc: bool) -> Bson {
        let mut vals = Vec::new();
        collect_doc(doc, path, &mut vals);
        pick(vals, asc)
    }

    /// Compares two precomputed keys.
    pub fn compare_keys(&self, a: &[Bson], b: &[Bson]) -> Ordering {
        self.compare_keys_from(a, b, 0)
    }

    /// The number of key parts.
    pub fn parts(&self) -> usize {
        self.keys.len()
    }

    /// [`compare_keys`](Self::compare_keys) of the parts from `from` on (the earlier ones known equal).
    fn compare_keys_from(&self, a: &[Bson], b: &[Bson], from: usize) -> Ordering {
        let parts = a.iter().zip(b.iter()).zip(self.keys.iter()).skip(from);
        for ((x, y), (_, asc)) in parts {
            let o = compare(x, y);
            if o != Ordering::Equal {
                return if *asc { o } else { o.reverse() };
            }
        }
        Ordering::Equal
    }

    /// Compares a key given part by part (`a`, borrowed) with a precomputed key `b`, as
    /// [`compare_keys`](Self::compare_keys) compares two precomputed keys.
    pub fn compare_parts<'x>(&self, a: impl IntoIterator<Item = &'x Bson>, b: &[Bson]) -> Ordering {
        for ((x, y), (_, asc)) in a.into_iter().zip(b.iter()).zip(self.keys.iter()) {
            let o = compare(x, y);
            if o != Ordering::Equal {
                return if *asc { o } else { o.reverse() };
            }
        }
        Ordering::Equal
    }

    /// Sorts documents in place (stable), stopped by the op's interrupt (`maxTimeMS`, `killOp`) while it
    /// sorts (the reference the tests hold the stages' sorts to).
    #[cfg(test)]
    pub fn sort(&self, docs: &mut Vec<Document>) -> Result<(), CommandError> {
        let mut keyed: Vec<(Vec<Bson>, Document)> = Vec::with_capacity(docs.len());
        for d in docs.drain(..) {
            crate::engine::ops::check()?;
            keyed.push((self.key(&d), d));
        }
        crate::engine::ops::sort_checked(&mut keyed, |a, b| self.compare_keys(&a.0, &b.0))?;
        docs.extend(keyed.into_iter().map(|(_, d)| d));
        Ok(())
    }
}

/// One buffered entry of a bounded top-k: its key, input position, document and counted bytes.
type Entry = (Vec<Bson>, usize, Document, usize);

/// One sorted run of a spilled [`Sorter`]'s merge, each document with its key: read from the spill file
/// (a document spilled with its key stays bytes), or the buffer still in memory.
type Run<'a> = Box<dyn Iterator<Item = Result<(Vec<Bson>, Held), CommandError>> + 'a>;

impl SortSpec {
    /// The bytes a bounded sort counts for a document and its key.
    fn entry_bytes(key: &[Bson], doc: &Document) -> usize {
        memory::doc_bytes(doc) + key.iter().map(memory::value_bytes).sum::<usize>() + ENTRY_OVERHEAD
    }

    /// The bytes a buffered document and its key take in memory ([`memory::resident_doc_bytes`]): what a
    /// top-k spills by, where [`entry_bytes`](Self::entry_bytes) (the BSON size, as mongod counts its
    /// compact documents) is what the 292 limit counts.
    fn entry_resident(key: &[Bson], doc: &Document) -> usize {
        memory::resident_doc_bytes(doc) + held::key_resident(key) + ENTRY_OVERHEAD
    }

    /// [`sort`](Self::sort) within `mem.sort_bytes`: past the limit, sorted runs are written to a spill
    /// file and merged (an external merge sort: same comparison, same stable order), or, without
    /// `allowDiskUse`, 292 `QueryExceededMemoryLimitNoDiskUseAllowed` ([`Sorter`] fed the documents).
    pub fn sort_bounded(
        &self,
        docs: Vec<Document>,
        mem: &MemoryPolicy,
    ) -> Result<Vec<Document>, CommandError> {
        let mut sorter = Sorter::new(self, mem);
        for d in docs {
            sorter.push(d)?;
        }
        sorter.finish()
    }

    /// The `limit` smallest documents in order (top-k; `$sort` followed by `$limit`): exactly the first
    /// `limit` documents of the stable [`sort`](Self::sort), in O(n + k log k) time and O(k) keys
    /// ([`TopK`] fed the documents one by one).
    pub fn top_bounded(
        &self,
        docs: Vec<Document>,
        limit: usize,
        mem: &MemoryPolicy,
    ) -> Result<Vec<Document>, CommandError> {
        let mut top = TopK::new(self, limit, mem);
        for d in docs {
            top.push(d)?;
        }
        top.finish()
    }

    /// The spec that orders documents `{leading: value, field: document}` by `leading` ascending, then by
    /// this spec's keys within `field` (`None`: by `leading` only): how a spilled `$setWindowFields` sorts
    /// its documents by partition, then by its `sortBy`.
    pub fn nested_under(inner: Option<&SortSpec>, leading: &str, field: &str) -> SortSpec {
        let mut keys = vec![(vec![leading.to_string()], true)];
        if let Some(inner) = inner {
            keys.extend(inner.keys.iter().map(|(path, asc)| {
                let mut p = Vec::with_capacity(path.len() + 1);
                p.push(field.to_string());
                p.extend(path.iter().cloned());
                (p, *asc)
            }));
        }
        SortSpec { keys }
    }

    /// The spec of the first `n` keys (for a stream already ordered by them).
    pub fn prefix(&self, n: usize) -> SortSpec {
        SortSpec {
            keys: self.keys[..n.min(self.keys.len())].to_vec(),
        }
    }

    /// The top-level field of each key, in order (`None` for a dotted path).
    pub fn top_level_fields(&self) -> Vec<Option<&str>> {
        self.keys
            .iter()
            .map(|(path, _)| match path.as_slice() {
                [one] => Some(one.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Key part `i` of a document whose top-level field `i` holds `v` (`None`: missing), the value moved
    /// in: what [`key`](Self::key) gives for that field (an array sorts by its extreme element, an empty
    /// one as undefined, a missing field as null).
    pub fn key_of_owned(&self, i: usize, v: Option<Bson>) -> Bson {
        match v {
            None => Bson::Null,
            Some(Bson::Array(items)) if items.is_empty() => Bson::Undefined,
            Some(Bson::Array(items)) => {
                let asc = self.keys.get(i).is_none_or(|k| k.1);
                pick(items.into_iter().map(Some).collect(), asc)
            }
            Some(v) => v,
        }
    }

    /// The key of one field's value as a sort key on that field picks it (an array by its extreme element,
    /// missing as null), for the key at `i`.
    pub fn key_of_value(&self, i: usize, v: Option<&Bson>) -> Bson {
        let asc = self.keys.get(i).is_none_or(|k| k.1);
        let mut vals = Vec::new();
        match v {
            Some(v) => collect(v, &[], &mut vals),
            None => vals.push(None),
        }
        pick(vals, asc)
    }
}

/// A sort fed one document at a time (a `$sort` over a stream, such as the rows of a join): each document's
/// key is extracted once. Past `mem.sort_bytes` of buffered documents and keys (their resident size,
/// [`memory::resident_doc_bytes`]), the documents held are encoded ([`Held`]: their BSON bytes, several
/// times smaller) and so is every later one; past the limit again (the encoded documents' size), the buffer
/// is sorted and written to a spill file as a run (so the stream never sits in memory twice), and
/// [`finish`](Self::finish) merges the runs (a document spilled with its key handed on as its bytes, others
/// decoded once). Gives what [`SortSpec::sort`]
/// gives for the same documents in the same order (stable); without `allowDiskUse`, past the limit (counted
/// in BSON bytes, as mongod counts): 292 `QueryExceededMemoryLimitNoDiskUseAllowed`.
pub struct Sorter<'a> {
    spec: &'a SortSpec,
    mem: &'a MemoryPolicy,
    buf: Vec<(Vec<Bson>, Held)>,
    /// The buffer's BSON bytes (the 292 limit without disk use).
    bytes: usize,
    /// The buffer's resident bytes (past the limit its documents are encoded, then, with disk use, a run
    /// is spilled).
    resident: usize,
    /// Whether the documents are held encoded (the limit was passed once).
    compact: bool,
    total: usize,
    spill: Option<SpillFile>,
    /// Whether a document came with its key ([`push_keyed`](Self::push_keyed)): runs spilled from then on
    /// hold each key beside its document.
    keyed: bool,
    /// For each spilled run, whether it holds the keys.
    runs_keyed: Vec<bool>,
    /// The leading key parts every document added has equal ([`within_equal`](Self::within_equal)).
    equal: usize,
}

impl<'a> Sorter<'a> {
    /// An empty sort on `spec`.
    pub fn new(spec: &'a SortSpec, mem: &'a MemoryPolicy) -> Sorter<'a> {
        Sorter {
            spec,
            mem,
            buf: Vec::new(),
            bytes: 0,
            resident: 0,
            compact: false,
            total: 0,
            spill: None,
            keyed: false,
            runs_keyed: Vec::new(),
            equal: 0,
        }
    }

    /// An empty sort on `spec` of documents whose first `equal` key parts are all equal (a group of an
    /// incremental sort, by leading keys taken in order): its comparisons start after them.
    pub fn within_equal(spec: &'a SortSpec, mem: &'a MemoryPolicy, equal: usize) -> Sorter<'a> {
        Sorter {
            equal,
            ..Sorter::new(spec, mem)
        }
    }

    /// Adds one document.
    pub fn push(&mut self, d: Document) -> Result<(), CommandError> {
        let key = self.spec.key(&d);
        self.add(key, Held::Doc(d), false)
    }

    /// Adds one document with its key computed by the caller: what [`push`](Self::push) gives for the
    /// document holding the key's values in the spec's fields (see [`SortSpec::key_of_owned`]), where the
    /// document itself no longer holds them (a `$project` + `$sort` + `$unset` of the keys).
    pub fn push_keyed(&mut self, key: Vec<Bson>, d: Document) -> Result<(), CommandError> {
        self.add(key, Held::Doc(d), true)
    }

    /// [`push_keyed`](Self::push_keyed) of a document a stage held (as built or encoded).
    pub(crate) fn push_held(&mut self, key: Vec<Bson>, d: Held) -> Result<(), CommandError> {
        self.add(key, d, true)
    }

    fn add(&mut self, key: Vec<Bson>, mut d: Held, keyed: bool) -> Result<(), CommandError> {
        crate::engine::ops::check()?;
        self.keyed |= keyed;
        if !self.mem.allow_disk_use {
            self.bytes += d.bson_bytes()
                + key.iter().map(memory::value_bytes).sum::<usize>()
                + ENTRY_OVERHEAD;
            if self.bytes > self.mem.sort_bytes {
                return Err(memory::sort_exceeded(self.mem.sort_bytes));
            }
        }
        if self.compact {
            d.compact()?;
        }
        self.resident += held::key_resident(&key) + ENTRY_OVERHEAD + d.resident();
        self.buf.push((key, d));
        self.total += 1;
        if self.resident > self.mem.sort_bytes && !self.compact {
            // Past the limit as built: the documents held are encoded, and the count is what they take now.
            self.compact = true;
            self.resident = 0;
            for (k, d) in &mut self.buf {
                crate::engine::ops::check()?;
                d.compact()?;
                self.resident += held::key_resident(k) + ENTRY_OVERHEAD + d.resident();
            }
        }
        if self.resident > self.mem.sort_bytes && self.mem.allow_disk_use {
            let file = match &mut self.spill {
                Some(f) => f,
                None => self.spill.insert(SpillFile::create(&self.mem.temp_dir)?),
            };
            write_keyed_run(
                self.spec,
                self.equal,
                file,
                &mut self.buf,
                self.keyed,
                &mut self.runs_keyed,
            )?;
            self.resident = 0;
        }
        Ok(())
    }

    /// How many documents were added.
    pub(crate) fn len(&self) -> usize {
        self.total
    }

    /// Whether the documents are held encoded (the limit was passed once): a caller that can give the next
    /// ones as their bytes ([`push_held`](Self::push_held)) saves building them.
    pub(crate) fn holds_encoded(&self) -> bool {
        self.compact
    }

    /// Whether the documents are held encoded, and whether a run was spilled (for the tests).
    #[cfg(test)]
    pub(crate) fn held_state(&self) -> (bool, bool) {
        (self.compact, self.spill.is_some())
    }

    /// Every document added, in order.
    pub fn finish(self) -> Result<Vec<Document>, CommandError> {
        self.finish_first(usize::MAX)
    }

    /// Hands every document added to `each` with its sort key, in order, without holding them all (a merge
    /// of the spilled runs streams; for a merge with another sorted stream on the same spec).
    pub fn finish_each_keyed(
        self,
        each: &mut dyn FnMut(Vec<Bson>, Document) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        self.drain(&mut |k, d| each(k, d.into_doc()?).map(|()| true))
    }

    /// [`finish_each_keyed`](Self::finish_each_keyed), each document as the sort holds it: its bytes when
    /// it was held encoded or read back from a spilled run with its key (a consumer that wants bytes, such as
    /// a cursor's result, takes them without a decoding and an encoding).
    pub(crate) fn finish_each_held(
        self,
        each: &mut dyn FnMut(Vec<Bson>, Held) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        self.drain(&mut |k, d| each(k, d).map(|()| true))
    }

    /// The first `limit` documents added, in order (a merge of spilled runs stops there).
    pub fn finish_first(self, limit: usize) -> Result<Vec<Document>, CommandError> {
        let mut out = Vec::with_capacity(self.total.min(limit));
        if limit > 0 {
            self.drain(&mut |_, d| {
                out.push(d.into_doc()?);
                Ok(out.len() < limit)
            })?;
        }
        Ok(out)
    }

    /// Hands the documents (with their keys) to `each` in order until it returns false: the buffer sorted
    /// when nothing spilled, else every run written merged with the buffer sorted (the last run, kept in
    /// memory). A document is handed on as held: encoded ones, and those read back with their keys, as their
    /// bytes.
    fn drain(
        self,
        each: &mut dyn FnMut(Vec<Bson>, Held) -> Result<bool, CommandError>,
    ) -> Result<(), CommandError> {
        let spec = self.spec;
        let mut buf = self.buf;
        let Some(file) = self.spill else {
            spec.sort_entries(&mut buf, self.equal)?;
            for (k, d) in buf {
                if !each(k, d)? {
                    break;
                }
            }
            return Ok(());
        };
        // The documents still buffered (within the limit) are the last run, merged from memory: written
        // and read back they would cost an encoding and a decoding each, for nothing.
        spec.sort_entries(&mut buf, self.equal)?;
        let mut runs: Vec<Run<'_>> = file
            .readers()
            .into_iter()
            .zip(self.runs_keyed)
            .map(|(mut r, keyed)| {
                Box::new(std::iter::from_fn(move || {
                    Some(r.next_bytes()?.and_then(|b| match keyed {
                        true => unwrap_keyed(&b),
                        false => {
                            let d = held::decode(&b)?;
                            Ok((spec.key(&d), Held::Doc(d)))
                        }
                    }))
                })) as Run<'_>
            })
            .collect();
        runs.push(Box::new(buf.into_iter().map(Ok)));
        let cmp = |a: &(Vec<Bson>, Held), b: &(Vec<Bson>, Held)| spec.compare_keys(&a.0, &b.0);
        spill::merge_while(runs, &cmp, &mut |(k, d), _| {
            crate::engine::ops::check()?;
            each(k, d)
        })
    }
}

/// A bounded top-k fed one document at a time (`$sort` + `$limit` over a stream): what
/// [`SortSpec::top_bounded`] gives for the same documents in the same order. Candidates collect in a buffer
/// of up to `2 * limit`; when it fills, a selection keeps the `limit` smallest by (key, input position), so
/// ties keep their input order as the stable sort does. Within `mem.sort_bytes`: when the documents kept pass
/// it (their resident size with `allowDiskUse`; without it their BSON size, and 292), they and the rest of the
/// stream go through a spilling [`Sorter`] and the first `limit` of its merge are kept.
pub struct TopK<'a> {
    spec: &'a SortSpec,
    limit: usize,
    mem: &'a MemoryPolicy,
    kept: Vec<Entry>,
    /// The bytes of `kept` (resident with `allowDiskUse`, else BSON).
    bytes: usize,
    seen: usize,
    /// Past the memory limit: every document from then on, in input order, in an external sort.
    overflow: Option<Sorter<'a>>,
}

impl<'a> TopK<'a> {
    /// An empty top-`limit` of `spec`.
    pub fn new(spec: &'a SortSpec, limit: usize, mem: &'a MemoryPolicy) -> TopK<'a> {
        TopK {
            spec,
            limit,
            mem,
            kept: Vec::new(),
            bytes: 0,
            seen: 0,
            overflow: None,
        }
    }

    /// How many documents the result holds so far (at most `limit`).
    pub(crate) fn held(&self) -> usize {
        match &self.overflow {
            Some(o) => o.total.min(self.limit),
            None => self.kept.len().min(self.limit),
        }
    }

    /// Offers one document.
    pub fn push(&mut self, d: Document) -> Result<(), CommandError> {
        if self.limit == 0 {
            return Ok(());
        }
        if let Some(o) = &mut self.overflow {
            return o.push(d);
        }
        let spec = self.spec;
        let by = |a: &Entry, b: &Entry| spec.compare_keys(&a.0, &b.0).then(a.1.cmp(&b.1));
        let key = spec.key(&d);
        let size = if self.mem.allow_disk_use {
            SortSpec::entry_resident(&key, &d)
        } else {
            SortSpec::entry_bytes(&key, &d)
        };
        self.bytes += size;
        self.kept.push((key, self.seen, d, size));
        self.seen += 1;
        let cap = self.limit.saturating_mul(2).max(self.limit + 1);
        if self.kept.len() >= cap {
            self.kept.select_nth_unstable_by(self.limit - 1, by);
            self.kept.truncate(self.limit);
            self.bytes = self.kept.iter().map(|e| e.3).sum();
        }
        if self.bytes > self.mem.sort_bytes {
            if !self.mem.allow_disk_use {
                return Err(memory::sort_exceeded(self.mem.sort_bytes));
            }
            // What was cut cannot be in the result; the rest, in input order, sorted externally at the end.
            let mut kept = std::mem::take(&mut self.kept);
            kept.sort_by_key(|e| e.1);
            let mut sorter = Sorter::new(spec, self.mem);
            for e in kept {
                sorter.push(e.2)?;
            }
            self.overflow = Some(sorter);
        }
        Ok(())
    }

    /// The `limit` smallest documents offered, in order.
    pub fn finish(self) -> Result<Vec<Document>, CommandError> {
        if let Some(rest) = self.overflow {
            return rest.finish_first(self.limit);
        }
        let spec = self.spec;
        let mut kept = self.kept;
        kept.sort_by(|a, b| spec.compare_keys(&a.0, &b.0).then(a.1.cmp(&b.1)));
        kept.truncate(self.limit);
        Ok(kept.into_iter().map(|e| e.2).collect())
    }
}

/// Sorts `buf` (stable) and writes it as one run, each document alone or, when `keyed`, inside
/// `{k: [key...], d: document}` (a document that no longer holds its key); empties `buf`. Documents held
/// encoded are written as they are.
fn write_keyed_run(
    spec: &SortSpec,
    equal: usize,
    file: &mut SpillFile,
    buf: &mut Vec<(Vec<Bson>, Held)>,
    keyed: bool,
    runs_keyed: &mut Vec<bool>,
) -> Result<(), CommandError> {
    runs_keyed.push(keyed);
    spec.sort_entries(buf, equal)?;
    if !keyed {
        file.write_raw_run(buf.iter().map(|(_, d)| d.to_bytes()))?;
    } else {
        file.write_raw_run(buf.drain(..).map(|(k, d)| keyed_entry(k, &d.to_bytes()?)))?;
    }
    buf.clear();
    Ok(())
}

/// The BSON bytes of `{k: [key...], d: <doc>}`, `doc` given as its bytes (spliced in, not decoded).
fn keyed_entry(key: Vec<Bson>, doc: &[u8]) -> Result<Vec<u8>, CommandError> {
    let internal = |e: &dyn std::fmt::Display| {
        CommandError::new(
            super::error_codes::ErrorCode::InternalError,
            format!("spilling a sort entry: {e}"),
        )
    };
    let key = super::storage::array_bytes(&key).map_err(|e| internal(&e))?;
    let len = 4 + 3 + key.len() + 3 + doc.len() + 1;
    let total = i32::try_from(len).map_err(|_| internal(&"the entry is too large"))?;
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(&[0x04, b'k', 0]);
    out.extend_from_slice(&key);
    out.extend_from_slice(&[0x03, b'd', 0]);
    out.extend_from_slice(doc);
    out.push(0);
    Ok(out)
}

/// The key and document of an entry [`write_keyed_run`] wrote, given as its bytes: the key decoded, the
/// document's bytes copied out as they are (not parsed).
fn unwrap_keyed(e: &[u8]) -> Result<(Vec<Bson>, Held), CommandError> {
    let mut elements = super::bson_bytes::elements(e).flatten();
    match (elements.next(), elements.next()) {
        (Some(k), Some(d))
            if k.key == b"k" && k.kind == 0x04 && d.key == b"d" && d.kind == 0x03 =>
        {
            let key = super::bson_decode::array_bytes(k.value).ok_or_else(lost_key)?;
            Ok((key, Held::Raw(d.value.into())))
        }
        _ => Err(lost_key()),
    }
}

fn lost_key() -> CommandError {
    CommandError::new(
        super::error_codes::ErrorCode::InternalError,
        "a spilled sort entry lost its key",
    )
}

/// The value `path` reaches in `doc` when no array is on the way nor at its end: `Some(None)` when it is
/// missing (a sort key of null), `Some(Some(v))` for the value itself; `None` when an array is met (the
/// general rules pick among its elements). Reads the document once, with no allocation.
fn plain_value<'d>(doc: &'d Document, path: &[String]) -> Option<Option<&'d Bson>> {
    let (first, rest) = path.split_first()?;
    let mut cur = match doc.get(first.as_str()) {
        Some(v) => v,
        None => return Some(None),
    };
    for part in rest {
        cur = match cur {
            Bson::Document(d) => match d.get(part.as_str()) {
                Some(v) => v,
                None => return Some(None),
            },
            Bson::Array(_) => return None,
            _ => return Some(None),
        };
    }
    match cur {
        Bson::Array(_) => None,
        v => Some(Some(v)),
    }
}

/// [`collect`] from a document (the document itself as the starting value).
fn collect_doc(doc: &Document, path: &[String], out: &mut Vec<Option<Bson>>) {
    let Some((part, rest)) = path.split_first() else {
        out.push(Some(Bson::Document(doc.clone())));
        return;
    };
    match doc.get(part.as_str()) {
        Some(x) => collect(x, rest, out),
        None => out.push(None),
    }
}

fn collect(v: &Bson, path: &[String], out: &mut Vec<Option<Bson>>) {
    let Some((part, rest)) = path.split_first() else {
        match v {
            Bson::Array(items) if items.is_empty() => out.push(Some(Bson::Undefined)),
            Bson::Array(items) => out.extend(items.iter().cloned().map(Some)),
            other => out.push(Some(other.clone())),
        }
        return;
    };
    match v {
        Bson::Document(d) => match d.get(part.as_str()) {
            Some(x) => collect(x, rest, out),
            None => out.push(None),
        },
        Bson::Array(items) => {
            for item in items {
                collect(item, path, out);
            }
        }
        _ => out.push(None),
    }
}

fn pick(vals: Vec<Option<Bson>>, asc: bool) -> Bson {
    let vals: Vec<Bson> = vals.into_iter().map(|v| v.unwrap_or(Bson::Null)).collect();
    let mut it = vals.into_iter();
    let Some(first) = it.next() else {
        return Bson::Null;
    };
    it.fold(first, |acc, v| {
        let o = compare(&v, &acc);
        if (asc && o == Ordering::Less) || (!asc && o == Ordering::Greater) {
            v
        } else {
            acc
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;
    use proptest::prelude::*;

    #[test]
    fn missing_is_null_and_arrays_use_extremes() {
        let s = SortSpec::compile(&doc! {"a": 1}).unwrap();
        let mut docs = vec![
            doc! {"_id": 1, "a": 5},
            doc! {"_id": 2},
            doc! {"_id": 3, "a": [9, 1]},
            doc! {"_id": 4, "a": "x"},
        ];
        s.sort(&mut docs).expect("sorts");
        let ids: Vec<i32> = docs.iter().map(|d| d.get_i32("_id").unwrap()).collect();
        assert_eq!(ids, vec![2, 3, 1, 4]);
        let s = SortSpec::compile(&doc! {"a": -1}).unwrap();
        s.sort(&mut docs).expect("sorts");
        let ids: Vec<i32> = docs.iter().map(|d| d.get_i32("_id").unwrap()).collect();
        assert_eq!(ids, vec![4, 3, 1, 2]);
        assert_eq!(
            s.top_bounded(docs, 2, &MemoryPolicy::default())
                .unwrap()
                .len(),
            2
        );
        assert!(SortSpec::compile(&doc! {"a": 2}).is_err());
    }

    fn docs() -> impl Strategy<Value = Vec<Document>> {
        let value = prop_oneof![
            (0i32..5).prop_map(Bson::Int32),
            (0i64..5).prop_map(Bson::Int64),
            Just(Bson::Null),
            "[ab]".prop_map(Bson::String),
            prop::collection::vec((0i32..5).prop_map(Bson::Int32), 0..3).prop_map(Bson::Array),
        ];
        prop::collection::vec(
            (prop::option::of(value.clone()), prop::option::of(value)),
            0..60,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (a, b))| {
                    let mut d = doc! {"_id": i as i64};
                    if let Some(a) = a {
                        d.insert("a", a);
                    }
                    if let Some(b) = b {
                        d.insert("b", b);
                    }
                    d
                })
                .collect()
        })
    }

    proptest! {
        /// The key read in place (no array on the path) is the key of the general rules, on top-level,
        /// nested and missing paths, through arrays and scalars.
        #[test]
        fn plain_key_is_the_general_key(
            docs in docs(),
            spec in prop_oneof![
                Just(doc! {"a": 1}),
                Just(doc! {"a": -1, "b": 1}),
                Just(doc! {"n.a": 1, "n.b": -1}),
                Just(doc! {"a.b": -1, "c": 1}),
            ],
        ) {
            let s = SortSpec::compile(&spec).expect("spec");
            for d in docs {
                // The same fields nested one level down as well, as a document and inside an array.
                let mut d = d;
                let inner = d.clone();
                d.insert("n", inner.clone());
                if d.get_i64("_id").is_ok_and(|i| i % 3 == 0) {
                    d.insert("n", vec![Bson::Document(inner)]);
                }
                let general: Vec<Bson> = s
                    .keys
                    .iter()
                    .map(|(path, asc)| SortSpec::key_part_general(&d, path, *asc))
                    .collect();
                prop_assert_eq!(s.key(&d), general);
            }
        }

        /// Top-k is the stable full sort cut at k (ties in input order included).
        #[test]
        fn top_is_sort_then_limit(
            docs in docs(),
            limit in 1usize..70,
            spec in prop_oneof![
                Just(doc! {"a": 1}),
                Just(doc! {"a": -1}),
                Just(doc! {"a": 1, "b": -1}),
                Just(doc! {"b": -1, "a": 1}),
            ],
        ) {
            let s = SortSpec::compile(&spec).expect("spec");
            let mut sorted = docs.clone();
            s.sort(&mut sorted).expect("sorts");
            sorted.truncate(limit);
            prop_assert_eq!(s.top_bounded(docs, limit, &MemoryPolicy::default()).unwrap(), sorted);
        }
    }
}

#[path = "sort_prefix.rs"]
mod prefix;
