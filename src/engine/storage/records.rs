//! The records of a collection: stored documents (BSON bytes) by record id, in natural (insertion) order.
//!
//! Record ids only grow, so records live in fixed-size chunks of slots (`CHUNK` ids each), found by chunk
//! number in a vector: a lookup by id is two indexings (the chunk table is small: 8 bytes per 64 ids ever
//! allocated, 128 KB per million), not a walk down a map of every record where each level is a cache miss.
//! A chunk is freed when its last record is removed, so a collection that churns (sessions inserted and
//! expired) keeps no empty slots, only an empty entry in the chunk table; the worst case is one live record
//! per chunk (`CHUNK` slots of 16 bytes). A record's bytes are a [`Stored`]: shared, so that a hashed index
//! entry can point at the document itself and a point lookup reads no slot here. Depends on `bson` only.

use bson::{RawDocument, RawDocumentBuf};
use std::sync::{Arc, LazyLock};

/// Ids per chunk.
pub const CHUNK: u64 = 64;

/// Identifies a record within its collection; increases with insertion order (natural order).
pub type RecordId = u64;

/// A stored document's BSON bytes, immutable and shared: the record table and the hashed index entries of
/// the record hold the same allocation (a write stores a new `Stored`, it never changes one).
#[derive(Debug, Clone)]
pub struct Stored(Arc<[u8]>);

/// What [`Stored::raw`] answers for bytes that are not a document, which [`Stored::new`] never stores.
static EMPTY: LazyLock<RawDocumentBuf> = LazyLock::new(RawDocumentBuf::new);

impl Stored {
    /// Takes a document's bytes (one copy, into the shared allocation).
    pub fn new(raw: RawDocumentBuf) -> Stored {
        Stored(Arc::from(raw.into_bytes()))
    }

    /// Takes the bytes the storage encoder wrote for a document (`encode.rs`: `bson`'s bytes, so a valid
    /// document; one copy, into the shared allocation).
    pub(crate) fn from_encoded(bytes: Vec<u8>) -> Stored {
        Stored(Arc::from(bytes))
    }

    /// A copy of a document's bytes, in one allocation (recovery reads documents out of a file's buffer).
    pub fn copy_of(raw: &RawDocument) -> Stored {
        Stored(Arc::from(raw.as_bytes()))
    }

    /// The document. The bytes came from a `RawDocumentBuf`, so the check `from_bytes` makes (length prefix
    /// and terminator) holds; the empty document stands in for the impossible failure.
    pub fn raw(&self) -> &RawDocument {
        RawDocument::from_bytes(&*self.0).unwrap_or(&EMPTY)
    }

    /// The bytes, unchecked (for prefetching: the length is known without reading them).
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// Whether `self` and `other` are the same allocation (not merely equal bytes).
    pub fn same(&self, other: &Stored) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Debug, Clone)]
struct Chunk {
    live: u32,
    /// In the chunk's own allocation: finding a record is one pointer to follow, not two.
    slots: [Option<Stored>; CHUNK as usize],
}

/// Stored documents by record id.
#[derive(Debug, Clone, Default)]
pub struct Records {
    /// Each chunk shared with the snapshots readers hold: a writer copies only the chunk it writes to
    /// (64 pointers), so copying a collection for a write copies a pointer per chunk, not per record.
    chunks: Vec<Option<Arc<Chunk>>>,
    len: usize,
}

/// The chunk number and the slot of `rid`; `None` past the address space (never for ids that were issued).
fn split(rid: RecordId) -> Option<(usize, usize)> {
    Some((
        usize::try_from(rid / CHUNK).ok()?,
        usize::try_from(rid % CHUNK).ok()?,
    ))
}

impl Records {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The record `rid`.
    pub fn get(&self, rid: RecordId) -> Option<&RawDocument> {
        self.stored(rid).map(Stored::raw)
    }

    /// The record `rid` as stored (to share with an index entry).
    pub fn stored(&self, rid: RecordId) -> Option<&Stored> {
        let (c, i) = split(rid)?;
        self.chunks.get(c)?.as_ref()?.slots.get(i)?.as_ref()
    }

    /// Stores `raw` as record `rid`; returns the previous content.
    pub fn insert(&mut self, rid: RecordId, raw: Stored) -> Option<Stored> {
        let (c, i) = split(rid)?;
        if self.chunks.len() <= c {
            self.chunks.resize_with(c + 1, || None);
        }
        let chunk = Arc::make_mut(self.chunks.get_mut(c)?.get_or_insert_with(|| {
            Arc::new(Chunk {
                live: 0,
                slots: std::array::from_fn(|_| None),
            })
        }));
        let slot = chunk.slots.get_mut(i)?;
        let old = slot.replace(raw);
        if old.is_none() {
            chunk.live += 1;
            self.len += 1;
        }
        old
    }

    /// Removes record `rid`; returns its content.
    pub fn remove(&mut self, rid: RecordId) -> Option<Stored> {
        let (c, i) = split(rid)?;
        let entry = self.chunks.get_mut(c)?;
        let chunk = entry.as_mut()?;
        chunk.slots.get(i)?.as_ref()?;
        let chunk = Arc::make_mut(chunk);
        let old = chunk.slots.get_mut(i)?.take()?;
        chunk.live -= 1;
        self.len -= 1;
        if chunk.live == 0 {
            *entry = None;
        }
        Some(old)
    }

    /// Records in natural order.
    pub fn iter(&self) -> impl Iterator<Item = (RecordId, &RawDocument)> {
        self.iter_stored().map(|(rid, d)| (rid, d.raw()))
    }

    /// Records in natural order, as stored.
    pub fn iter_stored(&self) -> impl Iterator<Item = (RecordId, &Stored)> {
        self.chunks
            .iter()
            .zip((0..).step_by(CHUNK as usize))
            .filter_map(|(chunk, base)| chunk.as_ref().map(|c| (c, base)))
            .flat_map(|(chunk, base)| {
                chunk
                    .slots
                    .iter()
                    .zip(base..)
                    .filter_map(|(slot, rid)| slot.as_ref().map(|d| (rid, d)))
            })
    }

    /// Records in natural order, a chunk of up to 64 consecutive ids at a time, as stored and without their
    /// ids: lighter per record than [`iter`](Self::iter), which numbers each one and reads each document's
    /// length to check it (what full scans that prefetch ahead use: see [`Stored::bytes`]).
    pub fn chunks(&self) -> impl Iterator<Item = impl Iterator<Item = &Stored> + Clone> {
        self.chunks
            .iter()
            .flatten()
            .map(|c| c.slots.iter().filter_map(Option::as_ref))
    }

    /// The number of chunk slots (`CHUNK` ids each; empty ones included): chunk numbers run below it.
    pub fn chunk_slots(&self) -> usize {
        self.chunks.len()
    }

    /// Whether chunk `c` of `self` and of `other` are the same allocation, or both absent: an incremental
    /// checkpoint writes only the chunks that are not (a write copies the chunk it changes, so a chunk
    /// shared with an older copy of the records is unchanged since that copy was taken).
    pub fn same_chunk(&self, other: &Records, c: usize) -> bool {
        match (
            self.chunks.get(c).and_then(Option::as_ref),
            other.chunks.get(c).and_then(Option::as_ref),
        ) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// The records of chunk `c` (ids `c * 64 ..`), in id order, as stored.
    pub fn chunk_records(&self, c: usize) -> impl Iterator<Item = (RecordId, &Stored)> {
        let base = c as u64 * CHUNK;
        self.chunks
            .get(c)
            .and_then(Option::as_ref)
            .into_iter()
            .flat_map(move |chunk| {
                chunk
                    .slots
                    .iter()
                    .zip(base..)
                    .filter_map(|(slot, rid)| slot.as_ref().map(|d| (rid, d)))
            })
    }

    /// The number of records in chunk `c`.
    pub fn chunk_len(&self, c: usize) -> usize {
        self.chunks
            .get(c)
            .and_then(Option::as_ref)
            .map_or(0, |ch| ch.live as usize)
    }

    /// Record ids in natural order.
    pub fn ids(&self) -> impl Iterator<Item = RecordId> + '_ {
        self.iter().map(|(rid, _)| rid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::rawdoc;

    #[test]
    fn records_keep_natural_order_and_free_empty_chunks() {
        let mut r = Records::default();
        for rid in 1..=200u64 {
            assert!(r
                .insert(rid, Stored::new(rawdoc! {"_id": rid as i64}))
                .is_none());
        }
        assert_eq!(r.len(), 200);
        assert_eq!(r.get(130).and_then(|d| d.get_i64("_id").ok()), Some(130));
        assert!(r.insert(130, Stored::new(rawdoc! {"_id": -1})).is_some());
        assert_eq!(r.len(), 200);
        for rid in 1..=150u64 {
            assert!(r.remove(rid).is_some());
        }
        assert!(r.remove(3).is_none());
        assert!(r.get(3).is_none());
        assert_eq!(r.len(), 50);
        assert_eq!(r.ids().collect::<Vec<_>>(), (151..=200).collect::<Vec<_>>());
        // Only the chunks still holding records remain (ids 151..=200 span chunks 2 and 3).
        assert_eq!(r.chunks.iter().filter(|c| c.is_some()).count(), 2);
        for rid in 151..=200u64 {
            r.remove(rid);
        }
        assert!(r.is_empty() && r.chunks.iter().all(|c| c.is_none()));
    }
}
