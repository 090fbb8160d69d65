//! The on-disk format: file headers, checksummed frames, and the encoding of [`Change`]s.
//!
//! Every file starts with a 32-byte header: `SQLMONGO`, the format version, the file kind (journal or
//! checkpoint), the generation, and a CRC-32C of those 24 bytes. Then frames, each a 16-byte header
//! (`FRAME_MAGIC`, payload length, CRC-32C of the payload, CRC-32C of the first 12 header bytes) and the
//! payload. A journal frame is one commit: its sequence number and its changes, applied all or nothing. A
//! checkpoint is frames of changes that rebuild the state, the last one holding only [`TAG_END`]. Numbers
//! are little-endian; a document is its BSON bytes (self-delimiting). Depends on `bson` and `crc32c`.

use super::super::{Change, Stored};
use bson::{Document, RawDocument, RawDocumentBuf};

/// The format this build writes. Version 2 added incremental checkpoints ([`TAG_BASE`], [`TAG_CHUNK`]);
/// version 1 files (full checkpoints only, the same journal frames) are read as they are. A file of any
/// other version is refused.
pub const FORMAT_VERSION: u32 = 2;
/// The versions this build reads.
pub(super) const READS: [u32; 2] = [1, 2];
/// File magic.
pub(super) const FILE_MAGIC: &[u8; 8] = b"SQLMONGO";
/// File header size.
pub(super) const FILE_HEADER: usize = 32;
/// Frame magic (`SMF1`).
pub(super) const FRAME_MAGIC: u32 = 0x3146_4d53;
/// Frame header size.
pub(super) const FRAME_HEADER: usize = 16;
/// The largest frame a reader accepts (a commit of a 100,000-document batch of 16 MB documents would not
/// fit, but mongod's 48 MB message limit bounds what one command can write well below this).
pub(super) const MAX_FRAME: usize = 1 << 31;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Commits after the checkpoint of the same generation.
    Journal = 1,
    /// The state at the start of the journal of the same generation.
    Checkpoint = 2,
}

const TAG_CREATE: u8 = 1;
const TAG_DROP: u8 = 2;
const TAG_INDEX: u8 = 3;
const TAG_INDEX_DROP: u8 = 4;
const TAG_PUT: u8 = 5;
const TAG_DELETE: u8 = 6;
/// The last item of a checkpoint: a checkpoint without it is incomplete.
pub(super) const TAG_END: u8 = 7;
/// The first item of an incremental checkpoint: the generation of the checkpoint it builds on.
const TAG_BASE: u8 = 8;
/// In an incremental checkpoint: the records of a chunk of ids (`records::CHUNK` ids from chunk number
/// times that) are replaced by the records of the chunk that follow (none: the chunk is now empty).
const TAG_CHUNK: u8 = 9;

/// A file header.
pub(super) fn file_header(kind: Kind, generation: u64) -> [u8; FILE_HEADER] {
    let mut h = [0u8; FILE_HEADER];
    h[..8].copy_from_slice(FILE_MAGIC);
    h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[12..16].copy_from_slice(&(kind as u32).to_le_bytes());
    h[16..24].copy_from_slice(&generation.to_le_bytes());
    let crc = crc32c::crc32c(&h[..24]);
    h[24..28].copy_from_slice(&crc.to_le_bytes());
    h
}

/// Checks a file header: magic, checksum, version, kind and generation. The error says what is wrong.
pub(super) fn check_file_header(bytes: &[u8], kind: Kind, generation: u64) -> Result<(), String> {
    let Some(h) = bytes.get(..FILE_HEADER) else {
        return Err(format!(
            "the file is {} bytes, shorter than its {FILE_HEADER}-byte header",
            bytes.len()
        ));
    };
    if &h[..8] != FILE_MAGIC {
        return Err("not a sqlmongo data file (bad magic at offset 0)".into());
    }
    if crc32c::crc32c(&h[..24]) != u32le(h, 24) {
        return Err("the file header's checksum does not match (offset 0)".into());
    }
    let version = u32le(h, 8);
    if !READS.contains(&version) {
        return Err(format!(
            "format version {version}, but this sqlmongo reads versions {} and {} only",
            READS[0], READS[1]
        ));
    }
    if u32le(h, 12) != kind as u32 {
        return Err(format!(
            "the header says file kind {}, expected {}",
            u32le(h, 12),
            kind as u32
        ));
    }
    let g = u64le(h, 16);
    if g != generation {
        return Err(format!(
            "the header says generation {g}, the file name {generation}"
        ));
    }
    Ok(())
}

fn u32le(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

fn u64le(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// Appends a frame holding `payload` to `out`.
#[cfg(test)]
pub(super) fn push_frame(out: &mut Vec<u8>, payload: &[u8]) {
    let mut h = [0u8; FRAME_HEADER];
    h[..4].copy_from_slice(&FRAME_MAGIC.to_le_bytes());
    h[4..8].copy_from_slice(&(payload.len() as u32).to_le_bytes());
    h[8..12].copy_from_slice(&crc32c::crc32c(payload).to_le_bytes());
    let hc = crc32c::crc32c(&h[..12]);
    h[12..16].copy_from_slice(&hc.to_le_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(payload);
}

/// Appends a frame whose payload is `head` followed by what `write` appends, built in place: the header's
/// room is reserved, the payload written after it, and the header filled in from it (the same bytes as
/// [`push_frame`] of the whole payload). When `write` fails, `out` is left as it was.
pub(super) fn push_frame_with<E>(
    out: &mut Vec<u8>,
    head: &[u8],
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
) -> Result<(), E> {
    let start = open_frame(out);
    out.extend_from_slice(head);
    if let Err(e) = write(out) {
        out.truncate(start);
        return Err(e);
    }
    close_frame(out, start);
    Ok(())
}

/// Opens a frame built in place at the end of `out`: reserves its header and returns where it starts;
/// the payload is what is appended to `out` until [`close_frame`].
pub(super) fn open_frame(out: &mut Vec<u8>) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0u8; FRAME_HEADER]);
    start
}

/// Closes the frame [`open_frame`] opened at `start`: its payload is everything after its header, which
/// is filled in from it (the same bytes as [`push_frame`] of that payload).
pub(super) fn close_frame(out: &mut [u8], start: usize) {
    let (header, payload) = out[start..].split_at_mut(FRAME_HEADER);
    header[..4].copy_from_slice(&FRAME_MAGIC.to_le_bytes());
    header[4..8].copy_from_slice(&(payload.len() as u32).to_le_bytes());
    header[8..12].copy_from_slice(&crc32c::crc32c(payload).to_le_bytes());
    let hc = crc32c::crc32c(&header[..12]);
    header[12..16].copy_from_slice(&hc.to_le_bytes());
}

/// What is at an offset of a file.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum FrameAt<'a> {
    /// A whole frame with a matching checksum: its payload, and the offset after it.
    Frame(&'a [u8], usize),
    /// The end of the file, exactly.
    End,
    /// Not a whole, intact frame (short, bad magic, bad checksum): why.
    Bad(&'static str),
}

/// Reads the frame at `at`.
pub(super) fn frame_at(bytes: &[u8], at: usize) -> FrameAt<'_> {
    if at == bytes.len() {
        return FrameAt::End;
    }
    let Some(h) = bytes.get(at..at + FRAME_HEADER) else {
        return FrameAt::Bad("a frame header cut short by the end of the file");
    };
    if u32le(h, 0) != FRAME_MAGIC {
        return FrameAt::Bad("no frame starts here (bad frame magic)");
    }
    if crc32c::crc32c(&h[..12]) != u32le(h, 12) {
        return FrameAt::Bad("the frame header's checksum does not match");
    }
    let len = u32le(h, 4) as usize;
    if len > MAX_FRAME {
        return FrameAt::Bad("the frame length is out of range");
    }
    let start = at + FRAME_HEADER;
    let Some(payload) = bytes.get(start..start + len) else {
        return FrameAt::Bad("a frame cut short by the end of the file");
    };
    if crc32c::crc32c(payload) != u32le(h, 8) {
        return FrameAt::Bad("the frame's checksum does not match its contents");
    }
    FrameAt::Frame(payload, start + len)
}

/// Whether an intact frame starts anywhere after `from` (so damage before it is not a torn tail).
pub(super) fn intact_frame_after(bytes: &[u8], from: usize) -> Option<usize> {
    let magic = FRAME_MAGIC.to_le_bytes();
    let mut at = from;
    while at + FRAME_HEADER <= bytes.len() {
        match bytes[at..].windows(4).position(|w| w == magic) {
            None => return None,
            Some(p) => {
                let pos = at + p;
                if let FrameAt::Frame(..) = frame_at(bytes, pos) {
                    return Some(pos);
                }
                at = pos + 1;
            }
        }
    }
    None
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_doc(out: &mut Vec<u8>, d: &Document) -> Result<(), String> {
    let raw = RawDocumentBuf::try_from(d).map_err(|e| format!("cannot encode a document: {e}"))?;
    out.extend_from_slice(raw.as_bytes());
    Ok(())
}

/// Appends the encoding of a `Change::Put` of `doc` as record `rid` of `db.coll` (a checkpoint writes its
/// records this way, without building a `Change` for each).
pub(super) fn encode_put(out: &mut Vec<u8>, db: &str, coll: &str, rid: u64, doc: &Stored) {
    out.push(TAG_PUT);
    put_str(out, db);
    put_str(out, coll);
    out.extend_from_slice(&rid.to_le_bytes());
    out.extend_from_slice(doc.bytes());
}

/// Appends the first item of an incremental checkpoint: it builds on checkpoint `base`.
pub(super) fn encode_base(out: &mut Vec<u8>, base: u64) {
    out.push(TAG_BASE);
    out.extend_from_slice(&base.to_le_bytes());
}

/// Appends the marker of a replaced chunk of `db.coll` (its records follow as puts).
pub(super) fn encode_chunk(out: &mut Vec<u8>, db: &str, coll: &str, chunk: u64) {
    out.push(TAG_CHUNK);
    put_str(out, db);
    put_str(out, coll);
    out.extend_from_slice(&chunk.to_le_bytes());
}

/// Appends the encoding of `change` to `out`.
pub(super) fn encode_change(out: &mut Vec<u8>, change: &Change) -> Result<(), String> {
    match change {
        Change::Create { db, coll, options } => {
            out.push(TAG_CREATE);
            put_str(out, db);
            put_str(out, coll);
            put_doc(out, options)?;
        }
        Change::Drop { db, coll } => {
            out.push(TAG_DROP);
            put_str(out, db);
            put_str(out, coll);
        }
        Change::Index {
            db,
            coll,
            name,
            spec,
        } => {
            out.push(if spec.is_some() {
                TAG_INDEX
            } else {
                TAG_INDEX_DROP
            });
            put_str(out, db);
            put_str(out, coll);
            put_str(out, name);
            if let Some(spec) = spec {
                put_doc(out, spec)?;
            }
        }
        Change::Put { db, coll, rid, doc } => encode_put(out, db, coll, *rid, doc),
        Change::Delete { db, coll, rid } => {
            out.push(TAG_DELETE);
            put_str(out, db);
            put_str(out, coll);
            out.extend_from_slice(&rid.to_le_bytes());
        }
    }
    Ok(())
}

/// A reader over a frame's payload.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// One decoded item of a payload.
pub(super) enum Item {
    /// A change.
    Change(Change),
    /// A checkpoint's end marker.
    End,
}

/// One item of a payload as [`Reader::item_ref`] reads it.
pub(super) enum ItemRef<'a> {
    /// A record, borrowed.
    Put {
        /// Database.
        db: &'a str,
        /// Collection.
        coll: &'a str,
        /// Record id.
        rid: u64,
        /// The document.
        raw: &'a RawDocument,
    },
    /// An incremental checkpoint's base generation.
    Base(u64),
    /// A replaced chunk of an incremental checkpoint.
    Chunk {
        /// Database.
        db: &'a str,
        /// Collection.
        coll: &'a str,
        /// Chunk number.
        chunk: u64,
    },
    /// Any other item.
    Owned(Item),
}

impl<'a> Reader<'a> {
    /// Reads `bytes` from the start.
    pub(super) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// Whether everything was read.
    pub(super) fn done(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let s = self
            .bytes
            .get(self.at..self.at.saturating_add(n))
            .ok_or_else(|| format!("an entry cut short at payload byte {}", self.at))?;
        self.at += n;
        Ok(s)
    }

    /// A little-endian u64.
    pub(super) fn u64(&mut self) -> Result<u64, String> {
        Ok(u64le(self.take(8)?, 0))
    }

    fn str(&mut self) -> Result<String, String> {
        let n = u32le(self.take(4)?, 0) as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| "a name that is not UTF-8".to_string())
    }

    fn raw(&mut self) -> Result<&'a RawDocument, String> {
        let len = self
            .bytes
            .get(self.at..self.at + 4)
            .map(|b| u32le(b, 0) as usize)
            .ok_or_else(|| format!("a document cut short at payload byte {}", self.at))?;
        let b = self.take(len)?;
        RawDocument::from_bytes(b).map_err(|e| format!("an invalid document: {e}"))
    }

    fn doc(&mut self) -> Result<Document, String> {
        Document::try_from(self.raw()?).map_err(|e| format!("an invalid document: {e}"))
    }

    /// The next item, a record borrowed from the payload (a checkpoint's records: no name or document is
    /// copied here); other items as [`item`](Self::item) reads them.
    pub(super) fn item_ref(&mut self) -> Result<ItemRef<'a>, String> {
        match self.bytes.get(self.at) {
            Some(&TAG_PUT) => {}
            Some(&TAG_BASE) => {
                self.at += 1;
                return self.u64().map(ItemRef::Base);
            }
            Some(&TAG_CHUNK) => {
                self.at += 1;
                let db = self.str_ref()?;
                let coll = self.str_ref()?;
                let chunk = self.u64()?;
                return Ok(ItemRef::Chunk { db, coll, chunk });
            }
            _ => return self.item().map(ItemRef::Owned),
        }
        self.at += 1;
        let db = self.str_ref()?;
        let coll = self.str_ref()?;
        let rid = self.u64()?;
        let raw = self.raw()?;
        Ok(ItemRef::Put { db, coll, rid, raw })
    }

    fn str_ref(&mut self) -> Result<&'a str, String> {
        let n = u32le(self.take(4)?, 0) as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| "a name that is not UTF-8".to_string())
    }

    /// The next item.
    pub(super) fn item(&mut self) -> Result<Item, String> {
        let tag = self.take(1)?[0];
        if tag == TAG_END {
            return Ok(Item::End);
        }
        let db = self.str()?;
        let coll = self.str()?;
        let change = match tag {
            TAG_CREATE => Change::Create {
                db,
                coll,
                options: self.doc()?,
            },
            TAG_DROP => Change::Drop { db, coll },
            TAG_INDEX => Change::Index {
                db,
                coll,
                name: self.str()?,
                spec: Some(self.doc()?),
            },
            TAG_INDEX_DROP => Change::Index {
                db,
                coll,
                name: self.str()?,
                spec: None,
            },
            TAG_PUT => {
                let rid = self.u64()?;
                let raw = self.raw()?;
                Change::Put {
                    db,
                    coll,
                    rid,
                    doc: Stored::copy_of(raw),
                }
            }
            TAG_DELETE => Change::Delete {
                db,
                coll,
                rid: self.u64()?,
            },
            other => return Err(format!("an unknown entry tag {other}")),
        };
        Ok(Item::Change(change))
    }
}
