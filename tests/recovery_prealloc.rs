//! The journal's preallocated tail (zeros written ahead of its end, so that flushes overwrite allocated
//! blocks): recovery reads zeros after the last whole commit as the end, not damage; a torn commit followed
//! by zeros is cut at the last whole commit as any torn tail; zeros of any length (a crash in the middle of
//! a preallocation) are the end too; zeros where a commit should be, followed by an intact commit, are
//! still damage in the middle; and new commits overwrite the zeros instead of growing the file.

use bson::{doc, Document};
use sqlmongo::engine::storage::durable::{DurableOptions, DurableStorage};
use sqlmongo::engine::{Engine, EngineOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod store_support;
use store_support::TempDir;

fn engine(storage: DurableStorage) -> Engine {
    Engine::try_with_options(EngineOptions {
        ttl_monitor_interval: None,
        storage: Arc::new(storage),
        ..EngineOptions::default()
    })
    .unwrap_or_else(|e| panic!("engine: {e}"))
}

fn open_with(dir: &Path, opts: DurableOptions) -> Engine {
    engine(DurableStorage::open(dir, opts).unwrap_or_else(|e| panic!("open failed: {e}")))
}

fn open(dir: &Path) -> Engine {
    open_with(dir, DurableOptions::default())
}

fn run(e: &Engine, cmd: Document) -> Document {
    e.run_command("app", &cmd)
        .unwrap_or_else(|err| panic!("{cmd} failed: {err}"))
}

fn ids(e: &Engine) -> Vec<i32> {
    let r = run(
        e,
        doc! {"find": "s", "sort": {"_id": 1}, "batchSize": 10_000},
    );
    r.get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .expect("firstBatch")
        .iter()
        .map(|d| {
            d.as_document()
                .and_then(|d| d.get_i32("_id").ok())
                .expect("_id")
        })
        .collect()
}

fn journal(dir: &Path) -> PathBuf {
    dir.join(format!("journal-{:020}.wal", 0))
}

/// Where the commits of a journal end (its 32-byte header, then frames of a 16-byte header holding the
/// payload length at bytes 4..8 and the payload).
fn commits_end(bytes: &[u8]) -> usize {
    let mut at = 32;
    while bytes.len() >= at + 16 && bytes[at..at + 4] == *b"SMF1" {
        at += 16 + u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
    }
    at
}

/// A store with documents 1 and 2 in one commit, then 3 and 4 in the last; returns where the last commit
/// starts and ends.
fn store(dir: &Path) -> (usize, usize) {
    let e = open(dir);
    run(
        &e,
        doc! {"insert": "s", "documents": [{"_id": 1, "v": "a"}, {"_id": 2, "v": "b"}]},
    );
    let before = commits_end(&std::fs::read(journal(dir)).unwrap());
    run(
        &e,
        doc! {"insert": "s", "documents": [{"_id": 3, "v": "c"}, {"_id": 4, "v": "d"}]},
    );
    drop(e);
    let end = commits_end(&std::fs::read(journal(dir)).unwrap());
    assert!(end > before);
    (before, end)
}

/// Copies the store of `from` to `to` with `journal` as its journal.
fn with_journal(from: &Path, to: &Path, journal_bytes: &[u8]) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    let f = "sqlmongo.format";
    std::fs::copy(from.join(f), to.join(f)).unwrap();
    std::fs::write(journal(to), journal_bytes).unwrap();
}

#[test]
fn a_preallocated_tail_is_the_end_and_new_commits_overwrite_it() {
    let dir = TempDir::new("prealloc", "tail");
    let (_, end) = store(&dir.0);
    let bytes = std::fs::read(journal(&dir.0)).unwrap();
    // Preallocated: at least a megabyte of zeros after the commits.
    assert!(bytes.len() >= end + (1 << 19), "{} bytes", bytes.len());
    assert!(bytes[end..].iter().all(|b| *b == 0));
    let storage = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap();
    assert!(storage.recovery().tail_cut.is_none());
    assert_eq!(storage.recovery().journal_commits, 2);
    let e = engine(storage);
    assert_eq!(ids(&e), [1, 2, 3, 4]);
    run(&e, doc! {"insert": "s", "documents": [{"_id": 5}]});
    drop(e);
    let after = std::fs::read(journal(&dir.0)).unwrap();
    // The commit went over the zeros: the file did not grow, what preceded it is unchanged.
    assert_eq!(after.len(), bytes.len());
    assert_eq!(after[..end], bytes[..end]);
    assert!(commits_end(&after) > end);
    assert_eq!(ids(&open(&dir.0)), [1, 2, 3, 4, 5]);
}

#[test]
fn a_torn_commit_followed_by_zeros_is_cut_at_the_last_whole_commit() {
    let dir = TempDir::new("prealloc", "torn");
    let (before, end) = store(&dir.0);
    let full = std::fs::read(journal(&dir.0)).unwrap();
    let copy = TempDir::new("prealloc", "torn-copy");
    // What a crash leaves when a flush into the preallocated tail was cut short: the last commit's first
    // bytes, then the zeros that were there (the file keeps its preallocated length).
    for torn in (before + 1..end).step_by(3) {
        let mut bytes = full.clone();
        bytes[torn..end].fill(0);
        with_journal(&dir.0, &copy.0, &bytes);
        let storage = DurableStorage::open(&copy.0, DurableOptions::default())
            .unwrap_or_else(|e| panic!("torn at {torn}: {e}"));
        let cut = storage.recovery().tail_cut.clone().expect("a cut");
        assert_eq!(cut.offset as usize, before, "torn at {torn}");
        assert_eq!(cut.bytes as usize, full.len() - before, "torn at {torn}");
        let e = engine(storage);
        // Never half a commit: neither document of the torn insert.
        assert_eq!(ids(&e), [1, 2], "torn at {torn}");
        run(&e, doc! {"insert": "s", "documents": [{"_id": 9}]});
        drop(e);
        assert_eq!(ids(&open(&copy.0)), [1, 2, 9], "torn at {torn}");
    }
}

#[test]
fn zeros_of_any_length_after_the_commits_are_the_end() {
    let dir = TempDir::new("prealloc", "mid");
    let (_, end) = store(&dir.0);
    let full = std::fs::read(journal(&dir.0)).unwrap();
    let copy = TempDir::new("prealloc", "mid-copy");
    // A crash in the middle of a preallocation: the file's length is wherever the zeros stopped, within a
    // frame header's length of the commits or far past them, on a page boundary or not.
    for zeros in [0usize, 1, 7, 15, 16, 17, 4096 - end % 4096, 12_345, 300_001] {
        let mut bytes = full[..end].to_vec();
        bytes.resize(end + zeros, 0);
        with_journal(&dir.0, &copy.0, &bytes);
        let storage = DurableStorage::open(&copy.0, DurableOptions::default())
            .unwrap_or_else(|e| panic!("{zeros} zeros: {e}"));
        assert!(storage.recovery().tail_cut.is_none(), "{zeros} zeros");
        let e = engine(storage);
        assert_eq!(ids(&e), [1, 2, 3, 4], "{zeros} zeros");
        // The next commit follows the last whole one (not the zeros), and the file is preallocated anew.
        run(&e, doc! {"insert": "s", "documents": [{"_id": 5}]});
        drop(e);
        let after = std::fs::read(journal(&copy.0)).unwrap();
        assert_eq!(after[..end], full[..end], "{zeros} zeros");
        let new_end = commits_end(&after);
        assert!(new_end > end, "{zeros} zeros");
        assert!(after[new_end..].iter().all(|b| *b == 0), "{zeros} zeros");
        assert_eq!(ids(&open(&copy.0)), [1, 2, 3, 4, 5], "{zeros} zeros");
    }
}

#[test]
fn zeros_where_a_commit_should_be_before_an_intact_one_are_damage() {
    let dir = TempDir::new("prealloc", "hole");
    let (before, _) = store(&dir.0);
    let path = journal(&dir.0);
    let mut bytes = std::fs::read(&path).unwrap();
    // The first commit zeroed (a page that never reached the disk), the second intact after it.
    bytes[32..before].fill(0);
    std::fs::write(&path, &bytes).unwrap();
    let err = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap_err();
    assert!(
        err.errmsg
            .contains("journal-00000000000000000000.wal is damaged at offset 32"),
        "{err}"
    );
    assert!(err.errmsg.contains("an intact commit follows"), "{err}");
    // Nothing was cut.
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn without_preallocation_the_journal_ends_with_its_last_commit() {
    let dir = TempDir::new("prealloc", "off");
    let opts = DurableOptions {
        journal_preallocation: 0,
        ..DurableOptions::default()
    };
    let e = open_with(&dir.0, opts.clone());
    run(&e, doc! {"insert": "s", "documents": [{"_id": 1}]});
    run(&e, doc! {"insert": "s", "documents": [{"_id": 2}]});
    drop(e);
    let bytes = std::fs::read(journal(&dir.0)).unwrap();
    assert_eq!(commits_end(&bytes), bytes.len());
    // A preallocated journal opened without preallocation, and the other way round.
    let e = open(&dir.0);
    run(&e, doc! {"insert": "s", "documents": [{"_id": 3}]});
    drop(e);
    assert!(std::fs::read(journal(&dir.0)).unwrap().len() > commits_end(&bytes) + 4096);
    let e = open_with(&dir.0, opts);
    assert_eq!(ids(&e), [1, 2, 3]);
    run(&e, doc! {"insert": "s", "documents": [{"_id": 4}]});
    drop(e);
    assert_eq!(ids(&open(&dir.0)), [1, 2, 3, 4]);
}

/// A journal that passes several preallocation steps (past the first megabyte) and a checkpoint (a new
/// journal generation, preallocated from its start): every commit is there after a reopen.
#[test]
fn commits_across_preallocation_steps_and_a_checkpoint_survive() {
    let dir = TempDir::new("prealloc", "steps");
    let e = open(&dir.0);
    let pad = "x".repeat(2_000);
    for i in 0..1_500 {
        run(
            &e,
            doc! {"insert": "s", "documents": [{"_id": i, "pad": &pad}], "writeConcern": {"j": i % 2 == 0}},
        );
        if i == 1_000 {
            e.checkpoint().unwrap();
        }
    }
    drop(e);
    let e = open(&dir.0);
    assert_eq!(ids(&e), (0..1_500).collect::<Vec<_>>());
}
