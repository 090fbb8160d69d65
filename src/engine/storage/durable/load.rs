//! Loading checkpoints: the newest one and, when it is incremental, the chain it builds on, down to a full
//! one. Every file of the chain is read whole and checked (file header, frame checksums, end marker), its
//! records borrowed from its buffer; the chain is merged (each file's catalog replaces the one before, its
//! replaced chunks replace theirs, a collection missing from its catalog is gone), and only then is the
//! state built: each collection created with its indexes, its records stored unindexed and its indexes
//! built once from all of them (sorted, not inserted one by one).

use super::checkpoint_path;
use super::format::{self, FrameAt, Item, ItemRef, Kind, Reader};
use super::mapped::{self, FileBytes};
use crate::engine::storage::records::CHUNK;
use crate::engine::storage::{Change, State, Stored};
use bson::RawDocument;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(super) fn damaged(path: &Path, offset: usize, why: &str) -> String {
    format!(
        "{} is damaged at offset {offset}: {why}; the store was not opened (restore the directory from a backup, or move the file away to open what precedes it)",
        path.display()
    )
}

/// A collection as the files read so far describe it.
#[derive(Default)]
struct Loading<'a> {
    /// Its create and index changes.
    catalog: Vec<Change>,
    /// Its records by chunk number.
    chunks: BTreeMap<u64, Vec<(u64, &'a RawDocument)>>,
    /// Whether the file being read names it.
    seen: bool,
}

/// Collections by database and name.
type Colls<'a> = BTreeMap<String, BTreeMap<String, Loading<'a>>>;

/// The base generation an incremental checkpoint names in its first item; `None` for a full one.
fn base_of(path: &Path, bytes: &[u8]) -> Result<Option<u64>, String> {
    let at = format::FILE_HEADER;
    match format::frame_at(bytes, at) {
        FrameAt::Frame(payload, _) => match Reader::new(payload).item_ref() {
            Ok(ItemRef::Base(g)) => Ok(Some(g)),
            Ok(_) => Ok(None),
            Err(why) => Err(damaged(path, at, &why)),
        },
        FrameAt::End => Err(damaged(
            path,
            at,
            "the checkpoint ends before its end marker",
        )),
        FrameAt::Bad(why) => Err(damaged(path, at, why)),
    }
}

/// Reads checkpoint `newest` and the chain it builds on, oldest (the full one) first.
fn read_chain(dir: &Path, newest: u64) -> Result<Vec<(u64, PathBuf, FileBytes)>, String> {
    let mut chain = Vec::new();
    let mut g = newest;
    loop {
        let path = checkpoint_path(dir, g);
        let bytes = match mapped::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && g != newest => {
                return Err(format!(
                    "{} is missing: the incremental checkpoint {} builds on it (restore the directory from a backup)",
                    path.display(),
                    checkpoint_path(dir, newest).display()
                ))
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        format::check_file_header(&bytes, Kind::Checkpoint, g)
            .map_err(|why| format!("{}: {why}", path.display()))?;
        let base = base_of(&path, &bytes)?;
        chain.push((g, path, bytes));
        match base {
            None => break,
            Some(b) if b < g => g = b,
            Some(b) => {
                let path = chain.pop().map(|c| c.1).unwrap_or_default();
                return Err(damaged(
                    &path,
                    format::FILE_HEADER,
                    &format!("an incremental checkpoint of generation {g} on generation {b}"),
                ));
            }
        }
    }
    chain.reverse();
    Ok(chain)
}

/// Loads checkpoint `newest` (and its chain) into `state`, which is empty, a large collection's records
/// copied as `copying` says (see [`copy_records`]). Returns the chain's
/// generations with the records each file holds (the full one first) and the number of records loaded.
pub(super) fn load(
    dir: &Path,
    newest: u64,
    state: &mut State,
    copying: Copying,
) -> Result<(Vec<(u64, u64)>, u64), String> {
    let chain = read_chain(dir, newest)?;
    let mut colls: Colls = BTreeMap::new();
    let mut files = Vec::with_capacity(chain.len());
    for (g, path, bytes) in &chain {
        files.push((*g, read_file(path, bytes, &mut colls)?));
    }
    let newest_path = chain
        .last()
        .map(|c| c.1.clone())
        .unwrap_or_else(|| checkpoint_path(dir, newest));
    let fail = |why: String| damaged(&newest_path, 0, &why);
    let mut records = 0u64;
    for (db, name, c) in colls
        .into_iter()
        .flat_map(|(db, d)| d.into_iter().map(move |(n, c)| (db.clone(), n, c)))
    {
        let (db, name) = (db.as_str(), name.as_str());
        for change in c.catalog {
            state.apply(change).map_err(fail)?;
        }
        let Some(coll) = state
            .databases
            .get_mut(db)
            .and_then(|d| d.collection_mut(name))
        else {
            return Err(fail(format!(
                "records of {db}.{name}, which is not created"
            )));
        };
        let n: usize = c.chunks.values().map(Vec::len).sum();
        let threads = if n >= copying.min_records {
            copying.threads
        } else {
            1
        };
        for part in copy_records(c.chunks.into_values().collect(), threads) {
            for (rid, doc) in part {
                coll.put_unindexed(rid, doc)
                    .map_err(|e| fail(format!("record {rid} of {db}.{name}: {e}")))?;
                records += 1;
            }
        }
        state.rebuild_indexes(db, name).map_err(fail)?;
    }
    Ok((files, records))
}

/// How a load copies records out of the checkpoint files: on up to `threads` threads for a collection of
/// at least `min_records` records, else on the calling thread.
#[derive(Debug, Clone, Copy)]
pub(super) struct Copying {
    /// Threads (the calling one included).
    pub threads: usize,
    /// The fewest records worth more than one thread.
    pub min_records: usize,
}

impl Copying {
    /// This machine's: the processors available (at most 4) for collections of 50,000 records or more.
    pub(super) fn for_machine() -> Copying {
        Copying {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
            min_records: 50_000,
        }
    }
}

/// Copies a collection's records (its chunks in id order, each record borrowed from a file's bytes) into
/// their own allocations, in id order: parts of consecutive chunks, one per thread, on up to `threads`
/// threads. The copy is most of a load's time (each record's memory is new to the process, so the kernel
/// zeroes it page by page as it is first written), and spreads over the processors; the result is the
/// same for any `threads` (pinned by a property test).
pub(super) fn copy_records(
    chunks: Vec<Vec<(u64, &RawDocument)>>,
    threads: usize,
) -> Vec<Vec<(u64, Stored)>> {
    let total: usize = chunks.iter().map(Vec::len).sum();
    let copy = |part: &[Vec<(u64, &RawDocument)>]| -> Vec<(u64, Stored)> {
        let mut out = Vec::with_capacity(part.iter().map(Vec::len).sum());
        out.extend(
            part.iter()
                .flatten()
                .map(|(rid, raw)| (*rid, Stored::copy_of(raw))),
        );
        out
    };
    if threads <= 1 || total < 2 {
        return vec![copy(&chunks)];
    }
    // Parts of about `total / threads` records each, cut between chunks.
    let mut parts: Vec<&[Vec<(u64, &RawDocument)>]> = Vec::with_capacity(threads);
    let (mut start, mut held) = (0, 0);
    for (i, c) in chunks.iter().enumerate() {
        held += c.len();
        if held * threads >= total * (parts.len() + 1) && parts.len() + 1 < threads {
            parts.push(&chunks[start..=i]);
            start = i + 1;
        }
    }
    parts.push(&chunks[start..]);
    std::thread::scope(|s| {
        let (first, rest) = parts
            .split_first()
            .map_or((&[][..], &[][..]), |(f, r)| (*f, r));
        let handles: Vec<_> = rest.iter().map(|p| s.spawn(move || copy(p))).collect();
        let mut out = vec![copy(first)];
        // A copy thread cannot fail but by running out of memory (which aborts): a panic is passed on.
        out.extend(handles.into_iter().map(|h| match h.join() {
            Ok(v) => v,
            Err(p) => std::panic::resume_unwind(p),
        }));
        out
    })
}

/// Reads one checkpoint file of a chain over what the files before it left in `colls`; returns the
/// records it holds.
fn read_file<'a>(path: &Path, bytes: &'a [u8], colls: &mut Colls<'a>) -> Result<u64, String> {
    for c in colls.values_mut().flat_map(|d| d.values_mut()) {
        c.seen = false;
    }
    let mut at = format::FILE_HEADER;
    let mut records = 0;
    loop {
        let (payload, next) = match format::frame_at(bytes, at) {
            FrameAt::Frame(payload, next) => (payload, next),
            FrameAt::End => {
                return Err(damaged(
                    path,
                    at,
                    "the checkpoint ends before its end marker",
                ))
            }
            FrameAt::Bad(why) => return Err(damaged(path, at, why)),
        };
        let mut r = Reader::new(payload);
        while !r.done() {
            let bad = |why: &str| damaged(path, at, why);
            match r.item_ref().map_err(|why| bad(&why))? {
                ItemRef::Base(_) => {}
                ItemRef::Owned(Item::End) => {
                    if next != bytes.len() || !r.done() {
                        return Err(damaged(path, next, "data after the end marker"));
                    }
                    // A collection this checkpoint does not name was dropped before it.
                    for d in colls.values_mut() {
                        d.retain(|_, c| c.seen);
                    }
                    colls.retain(|_, d| !d.is_empty());
                    return Ok(records);
                }
                ItemRef::Owned(Item::Change(change)) => {
                    let (db, coll) = match &change {
                        Change::Create { db, coll, .. } | Change::Index { db, coll, .. } => {
                            (db.as_str(), coll.as_str())
                        }
                        _ => return Err(bad("an entry a checkpoint does not hold")),
                    };
                    let c = colls
                        .entry(db.to_string())
                        .or_default()
                        .entry(coll.to_string())
                        .or_default();
                    if let Change::Create { .. } = change {
                        c.catalog.clear();
                        c.seen = true;
                    } else if !c.seen {
                        return Err(bad(
                            "an index of a collection the checkpoint did not create",
                        ));
                    }
                    c.catalog.push(change);
                }
                ItemRef::Chunk { db, coll, chunk } => {
                    let c = colls
                        .get_mut(db)
                        .and_then(|d| d.get_mut(coll))
                        .filter(|c| c.seen)
                        .ok_or_else(|| {
                            bad("a chunk of a collection the checkpoint did not create")
                        })?;
                    c.chunks.remove(&chunk);
                }
                ItemRef::Put { db, coll, rid, raw } => {
                    let c = colls
                        .get_mut(db)
                        .and_then(|d| d.get_mut(coll))
                        .filter(|c| c.seen)
                        .ok_or_else(|| {
                            bad("a record of a collection the checkpoint did not create")
                        })?;
                    c.chunks.entry(rid / CHUNK).or_default().push((rid, raw));
                    records += 1;
                }
            }
        }
        at = next;
    }
}
