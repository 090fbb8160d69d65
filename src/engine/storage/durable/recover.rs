//! Recovery: the newest checkpoint, then every journal from its generation on, replayed commit by commit.
//!
//! Never lies: a commit is applied whole or not at all (one frame, one checksum); a damaged or torn end of
//! the newest journal (no intact frame after the damage) is what a crash leaves, so it is cut at the last
//! whole commit with a warning; zeros from the end of the last whole commit to the end of the file are the
//! journal's preallocated tail (or the part of one a crash left), its end, not damage (a frame never starts
//! with a zero byte); damage followed by intact frames, damage in a checkpoint or an older journal,
//! a missing file or a file of another format version is an error naming the file and the offset.

use super::checkpoint::Chain;
use super::format::{self, FrameAt, Item, Kind, Reader};
use super::journal::journal_path;
use super::load::{self, damaged};
use super::prealloc::zeros_from;
use super::{Recovery, TailCut};
use crate::engine::storage::State;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// The data files of a directory, by kind and generation.
#[derive(Debug, Default)]
pub(super) struct Files {
    /// Checkpoint generations, ascending.
    pub checkpoints: Vec<u64>,
    /// Journal generations, ascending.
    pub journals: Vec<u64>,
}

/// Lists the data files of `dir`; with `clean`, leftover temporary files of an interrupted checkpoint are
/// removed (only by the process that holds the lock: a reader without it, an online dump, would remove the
/// checkpoint the store's process is writing).
pub(super) fn list(dir: &Path, clean: bool) -> Result<Files, String> {
    let mut files = Files::default();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.ends_with(".tmp") {
            if clean {
                let _ = std::fs::remove_file(entry.path());
            }
            continue;
        }
        let gen = |prefix: &str, suffix: &str| {
            name.strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(suffix))
                .and_then(|g| g.parse::<u64>().ok())
        };
        if let Some(g) = gen("checkpoint-", ".ckpt") {
            files.checkpoints.push(g);
        } else if let Some(g) = gen("journal-", ".wal") {
            files.journals.push(g);
        }
    }
    files.checkpoints.sort_unstable();
    files.journals.sort_unstable();
    Ok(files)
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// What recovery ends with: the state, the journal to append to and where its last commit ends.
pub(super) struct Recovered {
    pub state: State,
    pub generation: u64,
    pub journal_len: u64,
    pub last_seq: u64,
    pub report: Recovery,
    /// The checkpoints recovery loaded and the state they hold (what the next checkpoint may build on);
    /// `None` when there was none, or read-only.
    pub chain: Option<Chain>,
}

/// Recovers the state of `dir` (whose files are `files`, at least one journal among them). `read_only`:
/// another process may be writing the store (an online dump): nothing is cut or rewritten, and a partial
/// last frame (a commit being written) is left out quietly.
pub(super) fn recover(dir: &Path, files: &Files, read_only: bool) -> Result<Recovered, String> {
    let started = Instant::now();
    let mut report = Recovery::default();
    let mut state = State::default();
    let mut chain = None;
    let start = match files.checkpoints.last() {
        Some(&g) => {
            let (chain_files, records) =
                load::load(dir, g, &mut state, load::Copying::for_machine())?;
            report.checkpoint_records = records;
            report.checkpoint = Some(g);
            report.checkpoint_files = chain_files.len();
            if !read_only {
                chain = Some(Chain {
                    files: chain_files,
                    state: Arc::new(state.records_only()),
                });
            }
            g
        }
        None => 0,
    };
    let journals: Vec<u64> = files
        .journals
        .iter()
        .copied()
        .filter(|g| *g >= start)
        .collect();
    for (i, g) in (start..).zip(journals.iter().chain(std::iter::once(&u64::MAX))) {
        if *g != i {
            if i > start && *g == u64::MAX {
                break;
            }
            return Err(format!(
                "{} is missing (the store's files go up to generation {}): restore the directory from a backup",
                journal_path(dir, i).display(),
                files.journals.last().copied().unwrap_or(start)
            ));
        }
    }
    let mut last_seq = 0;
    let mut journal_len = 0;
    let newest = journals.last().copied().unwrap_or(start);
    for &g in &journals {
        let path = journal_path(dir, g);
        let (len, seq) = replay_journal(&path, g, g == newest, read_only, &mut state, &mut report)?;
        journal_len = len;
        last_seq = last_seq.max(seq);
    }
    report.elapsed = started.elapsed();
    Ok(Recovered {
        state,
        generation: newest,
        journal_len,
        last_seq,
        report,
        chain,
    })
}

/// Replays one journal; returns its length (after a cut tail) and its last commit's sequence number.
fn replay_journal(
    path: &Path,
    generation: u64,
    newest: bool,
    read_only: bool,
    state: &mut State,
    report: &mut Recovery,
) -> Result<(u64, u64), String> {
    let bytes = read(path)?;
    if bytes.len() < format::FILE_HEADER && newest && read_only {
        return Ok((bytes.len() as u64, 0));
    }
    if bytes.len() < format::FILE_HEADER && newest {
        // A crash right after the file was created, before its header reached the disk: no commit was
        // ever written to it (its header is made durable before the first one).
        tracing::warn!(
            "{}: a journal without a whole header ({} bytes): it holds no commit; rewriting its header",
            path.display(),
            bytes.len()
        );
        std::fs::write(path, format::file_header(Kind::Journal, generation))
            .and_then(|()| std::fs::File::open(path)?.sync_all())
            .map_err(|e| format!("cannot rewrite {}: {e}", path.display()))?;
        return Ok((format::FILE_HEADER as u64, 0));
    }
    format::check_file_header(&bytes, Kind::Journal, generation)
        .map_err(|why| format!("{}: {why}", path.display()))?;
    let mut at = format::FILE_HEADER;
    let mut last_seq = 0;
    loop {
        match format::frame_at(&bytes, at) {
            FrameAt::End => return Ok((at as u64, last_seq)),
            FrameAt::Frame(payload, next) => {
                // Decode the whole commit before applying any of it.
                let mut r = Reader::new(payload);
                let seq = r.u64().map_err(|why| damaged(path, at, &why))?;
                let mut changes = Vec::new();
                while !r.done() {
                    match r.item().map_err(|why| damaged(path, at, &why))? {
                        Item::Change(c) => changes.push(c),
                        Item::End => return Err(damaged(path, at, "an end marker in a journal")),
                    }
                }
                for c in changes {
                    state.apply(c).map_err(|why| damaged(path, at, &why))?;
                }
                last_seq = seq;
                report.journal_commits += 1;
                at = next;
            }
            // The preallocated tail: the end of the commits.
            FrameAt::Bad(_) if zeros_from(&bytes, at) => return Ok((at as u64, last_seq)),
            FrameAt::Bad(why) => {
                if !newest {
                    return Err(damaged(path, at, why));
                }
                if let Some(later) = format::intact_frame_after(&bytes, at + 1) {
                    return Err(damaged(
                        path,
                        at,
                        &format!("{why}, and an intact commit follows at offset {later}"),
                    ));
                }
                if read_only {
                    return Ok((at as u64, last_seq));
                }
                let cut = TailCut {
                    file: path.to_path_buf(),
                    offset: at as u64,
                    bytes: (bytes.len() - at) as u64,
                    reason: why.to_string(),
                };
                tracing::warn!(
                    "{}: cut {} byte(s) at offset {} ({why}): a commit that never completed (a crash mid-write); every whole commit before it is kept",
                    path.display(),
                    cut.bytes,
                    cut.offset
                );
                truncate(path, at as u64)?;
                report.tail_cut = Some(cut);
                return Ok((at as u64, last_seq));
            }
        }
    }
}

fn truncate(path: &Path, len: u64) -> Result<(), String> {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    f.set_len(len)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot cut the torn tail of {}: {e}", path.display()))
}
