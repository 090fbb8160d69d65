//! The durable store (`Engine::open`, `--data DIR`): everything a command changes survives a reopen
//! (documents, indexes with their options, collection options, views, collMod, drops, TTL deletions,
//! checkpoints), the directory lock, and fault injection on the journal and checkpoint files: a torn tail at
//! every byte offset of the last commit is cut at the last whole commit, flipped bytes in the middle and
//! missing files are errors naming the file, an unknown format version is refused, and a load error never
//! opens an empty store.

use bson::{doc, Document};
use sqlmongo::engine::error_codes::ErrorCode;
use sqlmongo::engine::storage::durable::{DurableOptions, DurableStorage};
use sqlmongo::engine::{Engine, EngineOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod store_support;
use store_support::TempDir;

fn open(dir: &Path) -> Engine {
    open_with(dir, DurableOptions::default()).unwrap_or_else(|e| panic!("open failed: {e}"))
}

fn open_with(dir: &Path, opts: DurableOptions) -> Result<Engine, sqlmongo::engine::CommandError> {
    let storage = DurableStorage::open(dir, opts)?;
    Engine::try_with_options(EngineOptions {
        ttl_monitor_interval: None,
        storage: Arc::new(storage),
        ..EngineOptions::default()
    })
}

fn run(e: &Engine, db: &str, cmd: Document) -> Document {
    e.run_command(db, &cmd)
        .unwrap_or_else(|err| panic!("{cmd} failed: {err}"))
}

/// Everything observable: per database and collection, its listCollections entry, its indexes and its
/// documents in natural order.
fn everything(e: &Engine) -> Vec<Document> {
    let mut out = Vec::new();
    let dbs = run(e, "admin", doc! {"listDatabases": 1, "nameOnly": true});
    for d in dbs.get_array("databases").unwrap() {
        let db = d
            .as_document()
            .unwrap()
            .get_str("name")
            .unwrap()
            .to_string();
        let colls = run(e, &db, doc! {"listCollections": 1});
        for c in colls
            .get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap()
        {
            let c = c.as_document().unwrap().clone();
            let name = c.get_str("name").unwrap().to_string();
            out.push(doc! {"db": &db, "coll": c.clone()});
            if c.get_str("type").unwrap() == "collection" {
                let ix = run(e, &db, doc! {"listIndexes": &name});
                out.push(doc! {"indexes": ix.get_document("cursor").unwrap().get_array("firstBatch").unwrap().clone()});
                let docs = run(e, &db, doc! {"find": &name, "batchSize": 1_000_000});
                out.push(doc! {"docs": docs.get_document("cursor").unwrap().get_array("firstBatch").unwrap().clone()});
            }
        }
    }
    out
}

/// A workload touching every kind of change.
fn workload(e: &Engine) {
    run(
        e,
        "app",
        doc! {"create": "checked", "validator": {"n": {"$gte": 0}}, "validationAction": "error"},
    );
    run(
        e,
        "app",
        doc! {"create": "recent", "viewOn": "user_sessions", "pipeline": [{"$match": {"active": true}}]},
    );
    run(
        e,
        "app",
        doc! {"createIndexes": "user_sessions", "indexes": [
            {"key": {"session_id": 1}, "name": "session_id_1", "unique": true},
            {"key": {"expires_at": 1}, "name": "expires_at_1", "expireAfterSeconds": 3600},
            {"key": {"user_id": 1}, "name": "by_user", "partialFilterExpression": {"active": true}},
            {"key": {"tag": 1}, "name": "tag_1", "sparse": true},
        ]},
    );
    for i in 0..50 {
        run(
            e,
            "app",
            doc! {"insert": "user_sessions", "documents": [
                {"_id": i, "session_id": format!("s{i}"), "user_id": i % 7, "active": i % 2 == 0,
                 "expires_at": bson::DateTime::from_millis(1_700_000_000_000 + i64::from(i))}
            ]},
        );
    }
    run(
        e,
        "app",
        doc! {"update": "user_sessions", "updates": [{"q": {"user_id": 3}, "u": {"$set": {"tag": "x"}, "$inc": {"hits": 1}}, "multi": true}]},
    );
    run(
        e,
        "app",
        doc! {"delete": "user_sessions", "deletes": [{"q": {"user_id": 5}, "limit": 0}]},
    );
    run(
        e,
        "app",
        doc! {"findAndModify": "user_sessions", "query": {"_id": 2}, "update": {"$set": {"fm": true}}},
    );
    run(
        e,
        "app",
        doc! {"collMod": "user_sessions", "index": {"name": "expires_at_1", "expireAfterSeconds": 60}},
    );
    run(
        e,
        "app",
        doc! {"collMod": "checked", "validator": {"n": {"$gte": 10}}},
    );
    run(
        e,
        "app",
        doc! {"insert": "checked", "documents": [{"_id": 1, "n": 11}]},
    );
    run(e, "app", doc! {"create": "gone"});
    run(e, "app", doc! {"insert": "gone", "documents": [{"_id": 1}]});
    run(e, "app", doc! {"drop": "gone"});
    run(
        e,
        "app",
        doc! {"insert": "capped_log", "documents": [{"_id": 0}]},
    );
    run(
        e,
        "app",
        doc! {"dropIndexes": "user_sessions", "index": "tag_1"},
    );
    run(
        e,
        "other",
        doc! {"insert": "t", "documents": [{"_id": "a", "v": 1.5}]},
    );
    run(e, "other", doc! {"dropDatabase": 1});
    run(
        e,
        "admin",
        doc! {"insert": "system.users", "documents": [{"_id": "app.alice", "user": "alice", "db": "app"}]},
    );
}

#[test]
fn every_change_survives_a_reopen() {
    let dir = TempDir::new("recovery", "reopen");
    let before = {
        let e = open(&dir.0);
        workload(&e);
        everything(&e)
    };
    assert!(before.len() > 6);
    let e = open(&dir.0);
    assert_eq!(everything(&e), before);
    // The unique index still refuses duplicates, and the validator still applies.
    let r = run(
        &e,
        "app",
        doc! {"insert": "user_sessions", "documents": [{"session_id": "s1"}]},
    );
    assert_eq!(
        r.get_array("writeErrors").unwrap()[0]
            .as_document()
            .unwrap()
            .get_i32("code")
            .unwrap(),
        11000
    );
    let r = run(
        &e,
        "app",
        doc! {"insert": "checked", "documents": [{"n": 5}]},
    );
    assert_eq!(
        r.get_array("writeErrors").unwrap()[0]
            .as_document()
            .unwrap()
            .get_i32("code")
            .unwrap(),
        121
    );
}

#[test]
fn a_checkpoint_then_more_commits_recover_together() {
    let dir = TempDir::new("recovery", "checkpoint");
    let before = {
        let e = open(&dir.0);
        workload(&e);
        e.checkpoint().unwrap();
        run(
            &e,
            "app",
            doc! {"insert": "after", "documents": [{"_id": 1}, {"_id": 2}]},
        );
        run(
            &e,
            "app",
            doc! {"delete": "user_sessions", "deletes": [{"q": {"_id": 0}, "limit": 1}]},
        );
        e.checkpoint().unwrap();
        run(
            &e,
            "app",
            doc! {"update": "after", "updates": [{"q": {"_id": 2}, "u": {"$set": {"x": 1}}}]},
        );
        everything(&e)
    };
    let names: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // Only the newest generation is kept.
    assert!(
        names.contains(&"checkpoint-00000000000000000002.ckpt".to_string()),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains("00000000000000000001")),
        "{names:?}"
    );
    let storage = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap();
    assert_eq!(storage.recovery().checkpoint, Some(2));
    assert_eq!(storage.recovery().journal_commits, 1);
    drop(storage);
    assert_eq!(everything(&open(&dir.0)), before);
}

#[test]
fn checkpoints_start_by_themselves_past_the_journal_threshold() {
    let dir = TempDir::new("recovery", "auto");
    let opts = DurableOptions {
        checkpoint_bytes: 4096,
        ..DurableOptions::default()
    };
    let e = open_with(&dir.0, opts.clone()).unwrap();
    for i in 0..200 {
        run(
            &e,
            "app",
            doc! {"insert": "s", "documents": [{"_id": i, "pad": "x".repeat(64)}]},
        );
    }
    // A checkpoint of some generation (later ones replace earlier ones while the inserts go on).
    let has_checkpoint = || {
        std::fs::read_dir(&dir.0).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".ckpt"))
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !has_checkpoint() {
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint was taken"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let before = everything(&e);
    drop(e);
    // The last handle's drop waits for a checkpoint the engine's thread is writing: the store is free.
    assert_eq!(everything(&open_with(&dir.0, opts).unwrap()), before);
}

#[test]
fn ttl_deletions_persist() {
    let dir = TempDir::new("recovery", "ttl");
    {
        let e = open(&dir.0);
        run(
            &e,
            "app",
            doc! {"createIndexes": "s", "indexes": [{"key": {"at": 1}, "name": "at_1", "expireAfterSeconds": 0}]},
        );
        run(
            &e,
            "app",
            doc! {"insert": "s", "documents": [
                {"_id": 1, "at": bson::DateTime::from_millis(0)},
                {"_id": 2, "at": bson::DateTime::from_millis(i64::MAX / 2)},
            ]},
        );
        assert_eq!(e.run_ttl_pass(), 1);
    }
    let e = open(&dir.0);
    let r = run(&e, "app", doc! {"find": "s"});
    let batch = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(batch.len(), 1);
    // The TTL index is still there, so the monitor carries on after the restart.
    run(
        &e,
        "app",
        doc! {"insert": "s", "documents": [{"_id": 3, "at": bson::DateTime::from_millis(0)}]},
    );
    assert_eq!(e.run_ttl_pass(), 1);
}

#[test]
fn a_second_opener_gets_a_clear_lock_error() {
    let dir = TempDir::new("recovery", "lock");
    let _first = open(&dir.0);
    let err = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap_err();
    assert_eq!(err.code, 98, "{err}");
    assert!(err.errmsg.contains("sqlmongo.lock"), "{err}");
}

/// A lock released within a moment (a child this process forked holds the closed store's lock until its
/// `exec`) is waited out: the reopen succeeds. Shown with a second descriptor of the store's own lock file,
/// which is what the forked child holds.
#[cfg(unix)]
#[test]
fn a_lock_held_for_a_moment_after_close_is_waited_out() {
    let dir = TempDir::new("recovery", "lock-moment");
    let first = open(&dir.0);
    // The first store's lock file descriptor, duplicated as fork duplicates it.
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.0.join("sqlmongo.lock"))
        .unwrap();
    drop(first);
    // SAFETY: flock on a descriptor this test owns.
    let r = unsafe {
        libc::flock(
            std::os::fd::AsRawFd::as_raw_fd(&lock),
            libc::LOCK_EX | libc::LOCK_NB,
        )
    };
    assert_eq!(r, 0, "the closed store released its lock");
    let holder = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(lock);
    });
    let reopened = DurableStorage::open(&dir.0, DurableOptions::default());
    holder.join().unwrap();
    assert!(reopened.is_ok(), "{:?}", reopened.err());
}

fn journal(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("journal-{generation:020}.wal"))
}

/// Where the commits of a journal end (its 32-byte header, then frames of a 16-byte header holding the
/// payload length at bytes 4..8 and the payload): the rest of the file is preallocated zeros.
fn commits_end(bytes: &[u8]) -> u64 {
    let mut at = 32;
    while bytes.len() >= at + 16 && bytes[at..at + 4] == *b"SMF1" {
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        at += 16 + len;
    }
    assert!(
        bytes[at.min(bytes.len())..].iter().all(|b| *b == 0),
        "zeros after the commits"
    );
    at as u64
}

/// Writes a store whose journal's last frame is one known commit; returns the journal length before it.
fn store_with_last_commit(dir: &Path) -> (u64, Vec<Document>) {
    let e = open(dir);
    run(
        &e,
        "app",
        doc! {"insert": "s", "documents": [{"_id": 1, "v": "first"}]},
    );
    run(
        &e,
        "app",
        doc! {"createIndexes": "s", "indexes": [{"key": {"v": 1}, "name": "v_1", "unique": true}]},
    );
    let state = everything(&e);
    drop(e);
    let before = commits_end(&std::fs::read(journal(dir, 0)).unwrap());
    let e = open(dir);
    run(
        &e,
        "app",
        doc! {"insert": "s", "documents": [{"_id": 2, "v": "second"}, {"_id": 3, "v": "third"}]},
    );
    (before, state)
}

#[test]
fn a_torn_tail_is_cut_at_every_byte_offset_of_the_last_commit() {
    let dir = TempDir::new("recovery", "torn");
    let (before, state) = store_with_last_commit(&dir.0);
    let full = std::fs::read(journal(&dir.0, 0)).unwrap();
    let end = commits_end(&full);
    assert!(end > before);
    let copy = TempDir::new("recovery", "torn-copy");
    for cut in before..end {
        std::fs::create_dir_all(&copy.0).unwrap();
        let f = "sqlmongo.format";
        std::fs::copy(dir.0.join(f), copy.0.join(f)).unwrap();
        std::fs::write(journal(&copy.0, 0), &full[..cut as usize]).unwrap();
        let storage = DurableStorage::open(&copy.0, DurableOptions::default())
            .unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        let tail = storage.recovery().tail_cut.clone();
        assert_eq!(tail.is_some(), cut > before, "cut at {cut}");
        if let Some(t) = tail {
            assert_eq!(t.offset, before, "cut at {cut}");
        }
        let e = Engine::try_with_options(EngineOptions {
            ttl_monitor_interval: None,
            storage: Arc::new(storage),
            ..EngineOptions::default()
        })
        .unwrap();
        // Never half a commit: both documents of the torn insert are absent.
        assert_eq!(everything(&e), state, "cut at {cut}");
        // The journal was cut back, so new commits follow the last whole one.
        run(
            &e,
            "app",
            doc! {"insert": "s", "documents": [{"_id": 9, "v": "new"}]},
        );
        drop(e);
        let e = open(&copy.0);
        assert_eq!(
            run(&e, "app", doc! {"count": "s"}).get_i32("n").unwrap(),
            2,
            "cut at {cut}"
        );
        drop(e);
        std::fs::remove_dir_all(&copy.0).unwrap();
    }
    // And the whole file has both.
    let e = open(&dir.0);
    assert_eq!(run(&e, "app", doc! {"count": "s"}).get_i32("n").unwrap(), 3);
}

#[test]
fn a_flipped_byte_in_the_last_commit_is_cut_and_in_an_earlier_one_is_an_error() {
    let dir = TempDir::new("recovery", "flip");
    let (before, state) = store_with_last_commit(&dir.0);
    let path = journal(&dir.0, 0);
    let full = std::fs::read(&path).unwrap();
    // Every byte of the last commit: cut, the earlier state kept.
    for at in (before as usize..commits_end(&full) as usize).step_by(7) {
        let mut bad = full.clone();
        bad[at] ^= 0x5a;
        std::fs::write(&path, &bad).unwrap();
        let e = open(&dir.0);
        assert_eq!(everything(&e), state, "flip at {at}");
        drop(e);
    }
    std::fs::write(&path, &full).unwrap();
    // A byte of the first commit (just after the 32-byte file header and 16-byte frame header): intact
    // commits follow, so this is damage in the middle, not a torn tail.
    let mut bad = full.clone();
    bad[32 + 16 + 10] ^= 0x5a;
    std::fs::write(&path, &bad).unwrap();
    let err = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap_err();
    assert!(
        err.errmsg
            .contains("journal-00000000000000000000.wal is damaged at offset 32"),
        "{err}"
    );
    // Nothing was cut: the file is as it was, for a human to look at.
    assert_eq!(std::fs::read(&path).unwrap(), bad);
}

#[test]
fn damaged_or_missing_checkpoints_and_journals_are_errors() {
    let dir = TempDir::new("recovery", "missing");
    {
        let e = open(&dir.0);
        workload(&e);
        e.checkpoint().unwrap();
        run(
            &e,
            "app",
            doc! {"insert": "after", "documents": [{"_id": 1}]},
        );
    }
    let ckpt = dir.0.join("checkpoint-00000000000000000001.ckpt");
    let good = std::fs::read(&ckpt).unwrap();
    // A flipped byte anywhere in the checkpoint.
    for at in [0usize, 20, 40, good.len() / 2, good.len() - 3] {
        let mut bad = good.clone();
        bad[at] ^= 1;
        std::fs::write(&ckpt, &bad).unwrap();
        let err = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap_err();
        assert!(
            err.errmsg.contains("checkpoint-00000000000000000001.ckpt"),
            "flip at {at}: {err}"
        );
    }
    // A truncated checkpoint.
    std::fs::write(&ckpt, &good[..good.len() - 1]).unwrap();
    let err = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap_err();
    assert!(
        err.errmsg
            .contains("checkpoint-00000000000000000001.ckpt is damaged at offset"),
        "{err}"
    );
    std::fs::write(&ckpt, &good).unwrap();
    assert!(DurableStorage::open(&dir.0, DurableOptions::default()).is_ok());
    // A missing journal.
    let j = journal(&dir.0, 1);
    let saved = std::fs::read(&j).unwrap();
    std::fs::remove_file(&j).unwrap();
    let err = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap_err();
    assert!(
        err.errmsg
            .contains("journal-00000000000000000001.wal is missing"),
        "{err}"
    );
    std::fs::write(&j, &saved).unwrap();
    // A missing checkpoint: journal 1 does not start from the empty state.
    std::fs::remove_file(&ckpt).unwrap();
    let err = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap_err();
    assert!(
        err.errmsg
            .contains("journal-00000000000000000000.wal is missing"),
        "{err}"
    );
    std::fs::write(&ckpt, &good).unwrap();
    // Every data file missing.
    std::fs::remove_file(&ckpt).unwrap();
    std::fs::remove_file(&j).unwrap();
    let err = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap_err();
    assert!(err.errmsg.contains("are missing"), "{err}");
}

#[test]
fn an_unknown_format_version_is_refused() {
    let dir = TempDir::new("recovery", "version");
    drop(open(&dir.0));
    std::fs::write(
        dir.0.join("sqlmongo.format"),
        "sqlmongo data directory, format 99\n",
    )
    .unwrap();
    let err = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap_err();
    assert_eq!(err.code_name, "UnsupportedFormat", "{err}");
    // A file stamped with another version is refused too.
    std::fs::write(
        dir.0.join("sqlmongo.format"),
        "sqlmongo data directory, format 2\n",
    )
    .unwrap();
    let j = journal(&dir.0, 0);
    let mut bytes = std::fs::read(&j).unwrap();
    bytes[8] = 99;
    std::fs::write(&j, &bytes).unwrap();
    let err = DurableStorage::open(&dir.0, DurableOptions::default()).unwrap_err();
    assert!(
        err.errmsg.contains("format version") || err.errmsg.contains("checksum"),
        "{err}"
    );
}

#[test]
fn a_load_error_never_becomes_an_empty_store() {
    let dir = TempDir::new("recovery", "loaderr");
    {
        let e = open(&dir.0);
        run(
            &e,
            "app",
            doc! {"insert": "s", "documents": [{"_id": 1}, {"_id": 2}]},
        );
        run(&e, "app", doc! {"insert": "s", "documents": [{"_id": 3}]});
    }
    let j = journal(&dir.0, 0);
    let mut bytes = std::fs::read(&j).unwrap();
    bytes[32 + 16 + 3] ^= 0xff;
    std::fs::write(&j, &bytes).unwrap();
    assert!(Engine::open(&dir.0).is_err());
    // `with_options` over a storage whose load fails: every command fails with the load error.
    #[derive(Debug)]
    struct Broken;
    impl sqlmongo::engine::storage::Storage for Broken {
        fn load(&self) -> Result<sqlmongo::engine::storage::State, sqlmongo::engine::CommandError> {
            Err(sqlmongo::engine::CommandError::new(
                ErrorCode::UnknownError,
                "disk on fire",
            ))
        }
        fn wants_changes(&self) -> bool {
            true
        }
        fn commit(
            &self,
            _: &[sqlmongo::engine::storage::Change],
        ) -> Result<u64, sqlmongo::engine::CommandError> {
            Ok(0)
        }
    }
    let e = Engine::with_options(EngineOptions {
        storage: Arc::new(Broken),
        ..EngineOptions::default()
    });
    let err = e.run_command("app", &doc! {"find": "s"}).unwrap_err();
    assert!(err.errmsg.contains("disk on fire"));
    let err = e
        .run_command_raw("app", &bson::rawdoc! {"find": "s", "filter": {"_id": 1}})
        .unwrap_err();
    assert!(err.errmsg.contains("disk on fire"));
}
