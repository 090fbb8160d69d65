//! Writing checkpoints: full, or incremental (only the chunks of records changed since the last one).
//!
//! The store keeps the record tables of the state its newest checkpoint holds (shared chunk by chunk
//! with the engine, which copies a chunk of 64 record slots on its first write to it; the indexes are
//! not kept, so the engine's writes copy no index page for them). A chunk of the new state that is the same allocation as in the
//! kept state is unchanged, so an incremental checkpoint compares chunk pointers (one per 64 ids) and
//! writes: its base's generation, every collection's catalog (options and index specs: small), and the
//! chunks that differ, each a `TAG_CHUNK` marker followed by the chunk's records. A chain of incremental
//! checkpoints ends at a full one; a full one is written instead when the chain's records would pass the
//! store's by more than [`DurableOptions::incremental_ratio`] of them (recovery reads the whole chain: at
//! most 1 + ratio times the store), or the chain would pass [`MAX_CHAIN`] files. A store that only grows
//! (inserts) adds its new chunks to the chain, read once each, instead of being rewritten whole every
//! other checkpoint. The files of a checkpoint are written to `*.tmp`, fsynced and renamed;
//! only then are the journals before it and the checkpoints outside its chain deleted.

use super::{checkpoint_path, format, journal, sync_dir, DurableOptions};
use super::{direct, recover};
use crate::engine::storage::{Collection, State};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// The most files a chain (one full checkpoint and the incremental ones on it) may hold.
pub(super) const MAX_CHAIN: usize = 32;

/// The checkpoints on disk that recovery reads, and the state the newest one holds.
#[derive(Debug, Clone)]
pub(super) struct Chain {
    /// The chain's generations with the records each file holds: the full checkpoint first.
    pub files: Vec<(u64, u64)>,
    /// The state the newest checkpoint holds.
    pub state: Arc<State>,
}

/// What a checkpoint wrote.
#[derive(Debug, Clone, Copy)]
pub(super) struct Written {
    /// Whether it was incremental.
    pub incremental: bool,
    /// Records written.
    pub records: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// Records (and replaced-chunk markers) an incremental checkpoint of `state` on `base` would write.
fn changed_records(base: &State, state: &State) -> u64 {
    let mut n = 0u64;
    for (db, d) in &state.databases {
        for (name, c) in &d.collections {
            let old = base.databases.get(db).and_then(|d| d.collections.get(name));
            match old {
                Some(old) if Arc::ptr_eq(old, c) => {}
                Some(old) => {
                    let (a, b) = (c.records(), old.records());
                    for k in 0..a.chunk_slots().max(b.chunk_slots()) {
                        if !a.same_chunk(b, k) {
                            n += 1 + a.chunk_len(k) as u64;
                        }
                    }
                }
                None => n += c.len() as u64,
            }
        }
    }
    n
}

/// The records of `state`.
fn live_records(state: &State) -> u64 {
    state
        .databases
        .values()
        .flat_map(|d| d.collections.values())
        .map(|c| c.len() as u64)
        .sum()
}

/// Writes checkpoint `generation` of `state`: incremental on `chain` when that is worth it (see the
/// module doc), else full. Returns the new chain and what was written; deletes the files no longer needed.
pub(super) fn write(
    dir: &Path,
    opts: &DurableOptions,
    chain: Option<&Chain>,
    generation: u64,
    state: &Arc<State>,
) -> Result<(Chain, Written), String> {
    let base = chain.filter(|c| {
        if opts.incremental_ratio <= 0.0 || c.files.len() >= MAX_CHAIN {
            return false;
        }
        // Recovery reads the whole chain: the records it holds past the store's own (those later files
        // replaced, and the chunk markers) are bounded by the ratio of the store. Records only added (a
        // growing store) are read once: the chain grows without a full rewrite of what it holds.
        let chain: u64 = c.files.iter().map(|f| f.1).sum();
        let next = changed_records(&c.state, state);
        let live = live_records(state) as f64;
        (chain + next) as f64 <= (1.0 + opts.incremental_ratio) * live.max(1.0)
    });
    let written = write_file(dir, generation, state, base, opts.direct_checkpoints)?;
    let mut files = match base {
        Some(c) => c.files.clone(),
        None => Vec::new(),
    };
    files.push((generation, written.records));
    // The older files are now redundant: every journal before this generation, every checkpoint outside
    // the chain.
    let listed = recover::list(dir, false)?;
    for g in &listed.checkpoints {
        if *g < generation && !files.iter().any(|f| f.0 == *g) {
            let _ = std::fs::remove_file(checkpoint_path(dir, *g));
        }
    }
    for g in listed.journals.iter().filter(|g| **g < generation) {
        let _ = std::fs::remove_file(journal::journal_path(dir, *g));
    }
    sync_dir(dir)?;
    // Only the record tables are compared next time: the indexes are not kept (the engine's writes
    // would copy every index page they touch until then).
    let chain = Chain {
        files,
        state: Arc::new(state.records_only()),
    };
    Ok((chain, written))
}

/// The changes that recreate a collection's catalog: create, then its indexes but `_id_`.
fn catalog(out: &mut Vec<u8>, db: &str, name: &str, c: &Collection) -> Result<(), String> {
    format::encode_change(
        out,
        &crate::engine::storage::Change::Create {
            db: db.to_string(),
            coll: name.to_string(),
            options: c.options().clone(),
        },
    )?;
    for ix in &c.indexes {
        let ix_name = ix.spec.get_str("name").unwrap_or_default();
        if ix_name == "_id_" {
            continue;
        }
        format::encode_change(
            out,
            &crate::engine::storage::Change::Index {
                db: db.to_string(),
                coll: name.to_string(),
                name: ix_name.to_string(),
                spec: Some(ix.spec.clone()),
            },
        )?;
    }
    Ok(())
}

/// Writes `checkpoint-G.ckpt` (through a `.tmp` file, fsynced and renamed): full, or only what changed
/// since `base`'s newest checkpoint; with `direct`, in direct writes (see [`direct`]) where the
/// filesystem allows.
fn write_file(
    dir: &Path,
    generation: u64,
    state: &State,
    base: Option<&Chain>,
    direct: bool,
) -> Result<Written, String> {
    let path = checkpoint_path(dir, generation);
    let tmp = path.with_extension("ckpt.tmp");
    let file = File::create(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let werr = |e: std::io::Error| format!("cannot write {}: {e}", tmp.display());
    // Frames are built in place in one buffer (the records encoded straight after a reserved header),
    // which goes to the file as it is once it holds about a megabyte: each record is copied once here
    // (and not again into the page cache, when written directly).
    let mut out = Vec::new();
    let mut f = direct::Sequential::new(&file, &tmp, direct, &mut out, (1 << 20) + (64 << 10));
    out.extend_from_slice(&format::file_header(format::Kind::Checkpoint, generation));
    let mut frame = format::open_frame(&mut out);
    let mut bytes = 0u64;
    let mut emit = |out: &mut Vec<u8>, frame: &mut usize, f: &mut direct::Sequential| {
        format::close_frame(out, *frame);
        let r = f.write(out);
        bytes += *r.as_ref().unwrap_or(&0);
        *frame = format::open_frame(out);
        r.map(|_| ())
    };
    if let Some(b) = base {
        let prev = b.files.last().map_or(0, |f| f.0);
        format::encode_base(&mut out, prev);
    }
    let mut records = 0u64;
    for (db, d) in &state.databases {
        for (name, c) in &d.collections {
            catalog(&mut out, db, name, c)?;
            let old = base.and_then(|b| b.state.databases.get(db)?.collections.get(name));
            match old {
                Some(old) => {
                    if Arc::ptr_eq(old, c) {
                        continue;
                    }
                    let (a, b) = (c.records(), old.records());
                    for k in 0..a.chunk_slots().max(b.chunk_slots()) {
                        if a.same_chunk(b, k) {
                            continue;
                        }
                        format::encode_chunk(&mut out, db, name, k as u64);
                        for (rid, doc) in a.chunk_records(k) {
                            format::encode_put(&mut out, db, name, rid, doc);
                            records += 1;
                        }
                        if out.len() >= 1 << 20 {
                            emit(&mut out, &mut frame, &mut f).map_err(werr)?;
                        }
                    }
                }
                None => {
                    for (rid, doc) in c.stored_records() {
                        format::encode_put(&mut out, db, name, rid, doc);
                        records += 1;
                        if out.len() >= 1 << 20 {
                            emit(&mut out, &mut frame, &mut f).map_err(werr)?;
                        }
                    }
                }
            }
        }
    }
    out.push(format::TAG_END);
    emit(&mut out, &mut frame, &mut f).map_err(werr)?;
    f.finish().map_err(werr)?;
    file.sync_all().map_err(werr)?;
    drop(file);
    std::fs::rename(&tmp, &path)
        .map_err(|e| format!("cannot rename {} to {}: {e}", tmp.display(), path.display()))?;
    sync_dir(dir)?;
    Ok(Written {
        incremental: base.is_some(),
        records,
        bytes,
    })
}
