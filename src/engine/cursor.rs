//! Open cursors: the rest of a result after its first batch, handed out by `getMore` and closed by
//! `killCursors`, exhaustion, or idleness (mongod's 10-minute cursor timeout).
//!
//! In: result documents and batch sizes; out: batches and cursor ids (never 0 for an open cursor).
//!
//! A cursor belongs to whoever opened it ([`CursorOwner`]): a `getMore` or `killCursors` from anyone else is
//! refused with 13 `Unauthorized`, as mongod refuses another user's cursor. Ids are unpredictable (a keyed
//! hash of a counter, 63 bits, never 0), so a client cannot guess another's cursor, and at most
//! [`MAX_OPEN_CURSORS`] are open at once (idle ones are reaped first).

use super::bson_decode;
use super::field_values::FieldValues;
use super::projection::Projection;
use super::storage::Stored;
use bson::{Bson, Document};
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Default first-batch size of `find` and `aggregate` (mongod: 101 documents).
pub const DEFAULT_BATCH: usize = 101;
/// A batch never grows past this many bytes (mongod: 16 MiB).
const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;
/// A `getMore` without `batchSize` from the process itself ([`CursorOwner::Local`]: the SQL executor, the
/// library) over documents kept as bytes hands out at most this many: the batch is handed over parsed,
/// several times its BSON size, and 16 MiB of small documents would be hundreds of thousands parsed at once
/// (each batch fresh memory). A wire client gets mongod's batches: a reply is bytes there.
pub const LOCAL_PARSED_BATCH: usize = 4096;
/// The most cursors open at once over the whole engine (mongod has no fixed cap; each open cursor holds its
/// remaining results in memory, so the engine bounds them). Opening one more first closes cursors idle past
/// the timeout, then fails with 146 `ExceededMemoryLimit`.
pub const MAX_OPEN_CURSORS: usize = 10_000;

/// Who opened a cursor, and so who may continue (`getMore`) or close (`killCursors`) it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum CursorOwner {
    /// The process itself: [`Engine::run_command`](crate::engine::Engine::run_command) callers (the SQL
    /// executor, the library).
    #[default]
    Local,
    /// A wire connection that sent no session id, by its connection number.
    Connection(i64),
    /// A logical session (the `lsid.id` a driver sends), whichever connection carries it.
    Session(Vec<u8>),
}

/// A result a cursor hands out.
#[derive(Debug)]
pub enum Results {
    /// Computed documents (a pipeline's output, a projection).
    Docs(Vec<Document>),
    /// Stored documents as they are, shared with the collection (and the snapshot the command read): a
    /// cursor keeps a pointer per document, not a copy, and parses each only when a batch hands it out.
    Stored(Vec<Stored>),
    /// Stored documents as [`Results::Stored`] holds them, handed out through a projection of top-level
    /// fields ([`Projection::is_top_level_inclusion`]): each is decoded for the fields it keeps only, when a
    /// batch hands it out.
    Kept(Vec<Stored>, Arc<Projection>),
    /// A result that goes out as rows (for a consumer that asked for them: the SQL executor), each item
    /// an array of a document's values in the order of the fields given (a document of exactly those
    /// keys), or a document (one of another shape). Batches of it carry the fields.
    Rows(Arc<[String]>, Vec<Bson>),
    /// [`Results::Kept`] going out as rows: each stored document's kept fields read from its bytes into
    /// an array of their values in the projection's order (the batches' `fields`), a document missing
    /// one of them as its document.
    KeptRows(Vec<Stored>, Arc<Projection>),
    /// A large result going out as rows, kept as bytes: each document whose keys are the fields given
    /// handed out as the array of its values, any other as its document.
    StoredRows(Vec<Stored>, Arc<[String]>),
}

#[derive(Debug)]
enum Rest {
    Docs(VecDeque<Document>),
    Stored(VecDeque<Stored>, Option<Box<Kept>>),
    Rows(VecDeque<Bson>, Arc<[String]>),
    StoredRows(VecDeque<Stored>, Arc<[String]>),
}

/// The projection of [`Results::Kept`] and the names of the fields it keeps (`_id` first when kept).
#[derive(Debug)]
struct Kept {
    projection: Arc<Projection>,
    names: Vec<Box<[u8]>>,
    /// Going out as rows: the kept fields' reader and their names (the batches' `fields`).
    rows: Option<(FieldValues, Arc<[String]>)>,
}

impl Kept {
    fn new(projection: Arc<Projection>) -> Kept {
        let names = projection
            .kept_fields()
            .into_iter()
            .map(|n| n.into_bytes().into_boxed_slice())
            .collect();
        Kept {
            projection,
            names,
            rows: None,
        }
    }

    /// [`Kept::new`] going out as rows ([`Results::KeptRows`]).
    fn rows(projection: Arc<Projection>) -> Kept {
        let fields = projection.kept_fields();
        let mut kept = Kept::new(projection);
        kept.rows = Some((FieldValues::new(fields.clone()), fields.into()));
        kept
    }

    /// The item of stored bytes: the kept fields' values as an array when going out as rows and the
    /// document has them all, else the projected document ([`read`](Self::read)).
    fn item(&mut self, raw: &bson::RawDocument) -> Bson {
        if let Some((reader, _)) = &mut self.rows {
            if reader.read(raw).is_some() {
                if let Some(values) = reader.take_all() {
                    return Bson::Array(values);
                }
            }
        }
        Bson::Document(self.read(raw))
    }

    /// The projected document of stored bytes: its kept fields decoded straight from the bytes, in document
    /// order, the others skipped unread; bytes that do not decode go through the `bson` crate
    /// (`Projection::read_top_level`, which reads them as the empty document).
    fn read(&self, raw: &bson::RawDocument) -> Document {
        let names = &self.names;
        // Stored fields usually come in the projection's order: the name after the last one found is tried
        // first, so a wide document is not a search of every name per field.
        let mut next = 0;
        let keep = |k: &[u8]| {
            if names.get(next).is_some_and(|n| **n == *k) {
                next += 1;
                return true;
            }
            match names.iter().position(|n| **n == *k) {
                Some(i) => {
                    next = i + 1;
                    true
                }
                None => false,
            }
        };
        let Some(doc) = bson_decode::document_keeping(raw.as_bytes(), names.len(), keep) else {
            return self.projection.read_top_level(raw);
        };
        // Only kept fields were decoded; a kept `_id` stored after another field moves to the front.
        if doc.keys().skip(1).any(|k| k == "_id") {
            return self.projection.keep_top_level(doc);
        }
        doc
    }
}

impl Rest {
    fn is_empty(&self) -> bool {
        match self {
            Rest::Docs(d) => d.is_empty(),
            Rest::Stored(s, _) => s.is_empty(),
            Rest::Rows(r, _) => r.is_empty(),
            Rest::StoredRows(s, _) => s.is_empty(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Rest::Docs(d) => d.len(),
            Rest::Stored(s, _) => s.len(),
            Rest::Rows(r, _) => r.len(),
            Rest::StoredRows(s, _) => s.len(),
        }
    }

    /// The fields of a result that goes out as rows.
    fn fields(&self) -> Option<Arc<[String]>> {
        match self {
            Rest::Rows(_, f) | Rest::StoredRows(_, f) => Some(f.clone()),
            Rest::Stored(_, Some(k)) => k.rows.as_ref().map(|(_, f)| f.clone()),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct Open {
    ns: String,
    owner: CursorOwner,
    rest: Rest,
    last_used: Instant,
}

/// Why a `getMore` or `killCursors` was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No open cursor has this id (43 `CursorNotFound`).
    NotFound,
    /// The cursor belongs to someone else (13 `Unauthorized`).
    NotOwner,
    /// The cursor is on another namespace (13 `Unauthorized`): the namespace it is on.
    OtherNamespace(String),
    /// [`MAX_OPEN_CURSORS`] are open already (146 `ExceededMemoryLimit`).
    TooMany,
}

/// The cursor table.
#[derive(Debug, Default)]
pub struct Cursors {
    open: HashMap<i64, Open>,
    /// Counter behind the ids.
    next: u64,
    /// Random keys that turn the counter into unpredictable ids.
    keys: std::collections::hash_map::RandomState,
    /// Cursors closed for idleness since the engine started (`serverStatus`' `metrics.cursor.timedOut`).
    timed_out: u64,
}

/// One batch and the cursor id to continue with (0 when exhausted).
pub struct Batch {
    /// The documents (for a result that goes out as rows, some as arrays of their values).
    pub docs: Vec<Bson>,
    /// Cursor id, 0 when done.
    pub id: i64,
    /// For a result that goes out as rows ([`Results::Rows`]): the fields of the arrays' values.
    pub fields: Option<Arc<[String]>>,
}

fn take(rest: &mut Rest, n: usize) -> Vec<Bson> {
    let mut out = Vec::with_capacity(n.min(rest.len()));
    let mut bytes = 0usize;
    while out.len() < n {
        if let Rest::Rows(items, _) = rest {
            let Some(item) = items.pop_front() else { break };
            bytes += value_size(&item);
            out.push(item);
            if bytes >= MAX_BATCH_BYTES {
                break;
            }
            continue;
        }
        let d = match rest {
            Rest::Docs(docs) => {
                let Some(d) = docs.pop_front() else { break };
                // Approximate size: mongod stops a batch at 16 MiB; serialising just to measure would cost a
                // copy.
                bytes += approx_size(&d);
                Bson::Document(d)
            }
            Rest::Stored(stored, kept) => {
                let Some(s) = stored.pop_front() else { break };
                bytes += s.bytes().len();
                match kept {
                    Some(k) => k.item(s.raw()),
                    None => Bson::Document(super::storage::collection::parse(s.raw())),
                }
            }
            Rest::StoredRows(stored, fields) => {
                let Some(s) = stored.pop_front() else { break };
                bytes += s.bytes().len();
                let keys = fields.iter().map(String::as_str);
                match bson_decode::values_under(s.bytes(), keys, fields.len()) {
                    Some(values) => Bson::Array(values),
                    None => Bson::Document(super::storage::collection::parse(s.raw())),
                }
            }
            Rest::Rows(..) => break,
        };
        out.push(d);
        if bytes >= MAX_BATCH_BYTES {
            break;
        }
    }
    out
}

fn approx_size(d: &Document) -> usize {
    d.iter()
        .map(|(k, v)| k.len() + value_size(v))
        .sum::<usize>()
        + 5
}

fn value_size(v: &Bson) -> usize {
    match v {
        Bson::String(s) => s.len() + 5,
        Bson::Document(d) => approx_size(d),
        Bson::Array(a) => a.iter().map(value_size).sum::<usize>() + 5,
        Bson::Binary(b) => b.bytes.len() + 5,
        _ => 8,
    }
}

impl Cursors {
    /// Starts a cursor over `docs`: returns the first batch, registering the rest if any remain.
    /// [`Refusal::TooMany`] when [`MAX_OPEN_CURSORS`] are open and none is idle past `timeout`.
    pub fn open(
        &mut self,
        ns: &str,
        owner: &CursorOwner,
        docs: Results,
        batch: usize,
        single_batch: bool,
        timeout: Duration,
    ) -> Result<Batch, Refusal> {
        let mut rest = match docs {
            Results::Docs(d) => Rest::Docs(d.into()),
            Results::Stored(s) => Rest::Stored(s.into(), None),
            Results::Kept(s, p) => Rest::Stored(s.into(), Some(Box::new(Kept::new(p)))),
            Results::Rows(f, items) => Rest::Rows(items.into(), f),
            Results::KeptRows(s, p) => Rest::Stored(s.into(), Some(Box::new(Kept::rows(p)))),
            Results::StoredRows(s, f) => Rest::StoredRows(s.into(), f),
        };
        let fields = rest.fields();
        let first = take(&mut rest, batch);
        if rest.is_empty() || single_batch {
            return Ok(Batch {
                docs: first,
                id: 0,
                fields,
            });
        }
        if self.open.len() >= MAX_OPEN_CURSORS {
            self.reap(timeout);
            if self.open.len() >= MAX_OPEN_CURSORS {
                return Err(Refusal::TooMany);
            }
        }
        let id = self.fresh_id();
        self.open.insert(
            id,
            Open {
                ns: ns.to_string(),
                owner: owner.clone(),
                rest,
                last_used: Instant::now(),
            },
        );
        Ok(Batch {
            docs: first,
            id,
            fields,
        })
    }

    /// A positive 63-bit id no open cursor has: a keyed hash (SipHash, random keys) of a counter, which
    /// nobody without the keys can predict from ids seen before.
    fn fresh_id(&mut self) -> i64 {
        loop {
            self.next += 1;
            let mut h = self.keys.build_hasher();
            h.write_u64(self.next);
            let id = (h.finish() >> 1) as i64;
            if id != 0 && !self.open.contains_key(&id) {
                return id;
            }
        }
    }

    /// The next batch of cursor `id` on namespace `ns` for `owner`.
    pub fn more(
        &mut self,
        id: i64,
        ns: &str,
        owner: &CursorOwner,
        batch: usize,
    ) -> Result<Batch, Refusal> {
        let open = self.open.get_mut(&id).ok_or(Refusal::NotFound)?;
        if &open.owner != owner {
            return Err(Refusal::NotOwner);
        }
        if open.ns != ns {
            return Err(Refusal::OtherNamespace(open.ns.clone()));
        }
        open.last_used = Instant::now();
        let batch = match (owner, &open.rest) {
            (CursorOwner::Local, Rest::Stored(..) | Rest::StoredRows(..))
                if batch == usize::MAX =>
            {
                LOCAL_PARSED_BATCH
            }
            _ => batch,
        };
        let fields = open.rest.fields();
        let docs = take(&mut open.rest, batch);
        if open.rest.is_empty() {
            self.open.remove(&id);
            return Ok(Batch {
                docs,
                id: 0,
                fields,
            });
        }
        Ok(Batch { docs, id, fields })
    }

    /// Whether cursor `id` is open and belongs to someone other than `owner`.
    pub fn owned_by_other(&self, id: i64, owner: &CursorOwner) -> bool {
        self.open.get(&id).is_some_and(|c| &c.owner != owner)
    }

    /// Closes cursor `id` for `owner`.
    pub fn kill(&mut self, id: i64, owner: &CursorOwner) -> Result<(), Refusal> {
        match self.open.get(&id) {
            None => Err(Refusal::NotFound),
            Some(c) if &c.owner != owner => Err(Refusal::NotOwner),
            Some(_) => {
                self.open.remove(&id);
                Ok(())
            }
        }
    }

    /// Closes cursors idle for longer than `timeout`; returns how many.
    pub fn reap(&mut self, timeout: Duration) -> usize {
        let before = self.open.len();
        self.open.retain(|_, c| c.last_used.elapsed() < timeout);
        let closed = before - self.open.len();
        self.timed_out += closed as u64;
        closed
    }

    /// Number of cursors closed for idleness so far.
    pub fn timed_out(&self) -> u64 {
        self.timed_out
    }

    /// Number of open cursors.
    pub fn len(&self) -> usize {
        self.open.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn stored(n: usize) -> Results {
        Results::Stored(
            (0..n)
                .map(|i| {
                    let raw =
                        bson::RawDocumentBuf::try_from(&doc! {"_id": i as i64}).expect("encodes");
                    Stored::new(raw)
                })
                .collect(),
        )
    }

    /// A kept batch's document is the projection applied to the whole decoded document: fields in stored
    /// order, `_id` moved first when it was stored after another kept field, excluded when not kept;
    /// malformed bytes read as the empty document.
    #[test]
    fn kept_documents_are_the_projection_of_the_stored_ones() {
        use super::super::projection::Context;
        let stored = [
            doc! {"_id": 1, "a": 1, "b": {"x": [1, "y"]}, "c": 3},
            doc! {"a": 1, "_id": 2, "c": 3},
            doc! {"c": 3, "b": null, "a": "s", "_id": 3},
            doc! {"z": 1},
        ];
        for spec in [
            doc! {"a": 1, "b": 1},
            doc! {"_id": 0, "a": 1, "c": 1},
            doc! {"c": 1},
            doc! {"_id": 1},
        ] {
            let p = Arc::new(Projection::compile(&spec, Context::Find).expect("compiles"));
            let kept = Kept::new(p.clone());
            for d in &stored {
                let raw = bson::RawDocumentBuf::try_from(d).expect("encodes");
                let want = p.keep_top_level(d.clone());
                // as ordered lists: `Document`'s equality ignores the order of the fields
                let fields = |d: Document| d.into_iter().collect::<Vec<_>>();
                assert_eq!(fields(kept.read(&raw)), fields(want), "{spec} of {d}");
            }
        }
        let p = Arc::new(Projection::compile(&doc! {"a": 1}, Context::Find).expect("compiles"));
        let mut bytes = bson::RawDocumentBuf::try_from(&doc! {"a": "text"})
            .expect("encodes")
            .into_bytes();
        let at = bytes.len() - 3;
        bytes[at] = 0xff; // not UTF-8
        let raw = bson::RawDocument::from_bytes(&bytes).expect("framing intact");
        assert_eq!(Kept::new(p).read(raw), Document::new());
    }

    /// Kept fields going out as rows: a stored document with every kept field is the array of their values
    /// in the projection's order (the batch's `fields`), whatever its field order; one missing a kept
    /// field (or malformed) is its projected document, as without rows.
    #[test]
    fn kept_rows_are_arrays_of_the_kept_fields_or_documents() {
        use super::super::projection::Context;
        let stored = [
            doc! {"_id": 1, "a": 1, "b": {"x": [1, "y"]}, "c": 3},
            doc! {"c": 3, "b": null, "a": "s", "_id": 3},
            doc! {"a": 1, "_id": 2, "c": 3},
            doc! {"_id": 4, "b": 2, "a": 5},
        ];
        let p =
            Arc::new(Projection::compile(&doc! {"a": 1, "b": 1}, Context::Find).expect("compiles"));
        let results = Results::KeptRows(
            stored
                .iter()
                .map(|d| Stored::new(bson::RawDocumentBuf::try_from(d).expect("encodes")))
                .collect(),
            p.clone(),
        );
        let mut cursors = Cursors::default();
        let b = cursors
            .open(
                "db.c",
                &CursorOwner::Local,
                results,
                3,
                false,
                Duration::from_secs(60),
            )
            .unwrap_or_else(|_| panic!("opens"));
        let fields: Vec<String> = b
            .fields
            .as_deref()
            .map(<[String]>::to_vec)
            .unwrap_or_default();
        assert_eq!(fields, ["_id", "a", "b"]);
        assert_eq!(
            b.docs,
            vec![
                Bson::Array(vec![
                    1.into(),
                    1.into(),
                    Bson::Document(doc! {"x": [1, "y"]})
                ]),
                Bson::Array(vec![3.into(), "s".into(), Bson::Null]),
                Bson::Document(p.keep_top_level(stored[2].clone())),
            ]
        );
        let more = cursors
            .more(b.id, "db.c", &CursorOwner::Local, 10)
            .unwrap_or_else(|_| panic!("more"));
        assert_eq!(
            more.docs,
            vec![Bson::Array(vec![4.into(), 5.into(), 2.into()])]
        );
        assert_eq!(more.fields.as_deref().map(<[String]>::len), Some(3));
        assert_eq!(more.id, 0);
    }

    /// The process's own `getMore` without `batchSize` over documents kept as bytes gets batches of
    /// [`LOCAL_PARSED_BATCH`]; a wire client's gets every document (under 16 MiB) at once; both see every
    /// document once, in order.
    #[test]
    fn local_get_more_of_stored_documents_is_bounded() {
        let n = LOCAL_PARSED_BATCH * 2 + 5;
        for (owner, want) in [
            (
                CursorOwner::Local,
                vec![LOCAL_PARSED_BATCH, LOCAL_PARSED_BATCH, 4],
            ),
            (CursorOwner::Connection(1), vec![n - 1]),
        ] {
            let mut c = Cursors::default();
            let first = c
                .open("d.c", &owner, stored(n), 1, false, Duration::from_secs(60))
                .expect("opens");
            let mut seen: Vec<Bson> = first.docs;
            let mut id = first.id;
            let mut sizes = Vec::new();
            while id != 0 {
                let b = c.more(id, "d.c", &owner, usize::MAX).expect("more");
                sizes.push(b.docs.len());
                seen.extend(b.docs);
                id = b.id;
            }
            assert_eq!(sizes, want, "{owner:?}");
            let ids: Vec<i64> = seen
                .iter()
                .map(|d| {
                    d.as_document()
                        .and_then(|d| d.get_i64("_id").ok())
                        .expect("_id")
                })
                .collect();
            assert_eq!(ids, (0..n as i64).collect::<Vec<_>>());
        }
    }
}
