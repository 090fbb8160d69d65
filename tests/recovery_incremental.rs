//! Incremental checkpoints (`DurableOptions::incremental_ratio`): a checkpoint writes only the chunks of
//! records changed since the one before; reopening reads the chain down to its full checkpoint. Pinned
//! here: what an incremental checkpoint writes is proportional to the change, not to the store; random
//! workloads with checkpoints and reopens at random points reopen equal to an in-memory engine that ran
//! the same commands; a crash (or a truncated / missing file) at each step of an incremental checkpoint
//! gives the documented outcome; a version 1 store opens and is stamped version 2.

use bson::{doc, Bson, Document};
use proptest::prelude::*;
use sqlmongo::engine::storage::durable::{DurableOptions, DurableStorage};
use sqlmongo::engine::{Engine, EngineOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod store_support;
use store_support::TempDir;

/// Options with no automatic checkpoint (the tests take them) and the given incremental ratio.
fn opts(ratio: f64) -> DurableOptions {
    DurableOptions {
        checkpoint_bytes: u64::MAX / 2,
        incremental_ratio: ratio,
        ..DurableOptions::default()
    }
}

fn open(dir: &Path, o: DurableOptions) -> (Engine, Arc<DurableStorage>) {
    let storage = Arc::new(DurableStorage::open(dir, o).unwrap_or_else(|e| panic!("open: {e}")));
    let engine = Engine::try_with_options(EngineOptions {
        ttl_monitor_interval: None,
        storage: storage.clone(),
        ..EngineOptions::default()
    })
    .unwrap_or_else(|e| panic!("engine: {e}"));
    (engine, storage)
}

fn memory() -> Engine {
    Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    })
}

fn run(e: &Engine, cmd: Document) -> Document {
    e.run_command("app", &cmd)
        .unwrap_or_else(|err| panic!("{cmd} failed: {err}"))
}

/// Everything observable of database `app`: collections with options, indexes, documents in natural order.
fn everything(e: &Engine) -> Vec<Document> {
    let mut out = Vec::new();
    let colls = run(e, doc! {"listCollections": 1});
    let mut names: Vec<Document> = colls
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .map(|c| c.as_document().unwrap().clone())
        .collect();
    names.sort_by_key(|c| c.get_str("name").unwrap().to_string());
    for mut c in names {
        let name = c.get_str("name").unwrap().to_string();
        c.remove("info"); // the uuid differs between engines
        out.push(c.clone());
        if c.get_str("type").unwrap() == "collection" {
            let ix = run(e, doc! {"listIndexes": &name});
            out.push(doc! {"indexes": ix.get_document("cursor").unwrap().get_array("firstBatch").unwrap().clone()});
            let docs = run(e, doc! {"find": &name, "batchSize": 1_000_000});
            out.push(doc! {"docs": docs.get_document("cursor").unwrap().get_array("firstBatch").unwrap().clone()});
        }
    }
    out
}

fn sessions(from: i64, to: i64) -> Vec<Document> {
    (from..to)
        .map(|i| doc! {"_id": i, "user": i % 97, "data": "x".repeat(40)})
        .collect()
}

fn load(e: &Engine, n: i64) {
    for start in (0..n).step_by(1000) {
        run(
            e,
            doc! {"insert": "s", "documents": sessions(start, (start + 1000).min(n))},
        );
    }
}

/// An incremental checkpoint after a few updates writes the chunks they touched, at n and at 10n.
#[test]
fn an_incremental_checkpoint_writes_what_changed_not_the_store() {
    let mut figures = Vec::new();
    for n in [2_000i64, 20_000] {
        let dir = TempDir::new("incr", "size");
        let (e, s) = open(&dir.0, opts(0.5));
        load(&e, n);
        e.checkpoint().unwrap();
        // 10 updates in 10 different chunks, one insert, one delete.
        for i in 0..10 {
            run(
                &e,
                doc! {"update": "s", "updates": [{"q": {"_id": i * 100}, "u": {"$set": {"v": i}}}]},
            );
        }
        run(&e, doc! {"insert": "s", "documents": [{"_id": -1}]});
        run(
            &e,
            doc! {"delete": "s", "deletes": [{"q": {"_id": 555}, "limit": 1}]},
        );
        e.checkpoint().unwrap();
        let w = s.checkpoints_written();
        assert_eq!(w.len(), 2);
        assert!(!w[0].incremental && w[0].records == n as u64, "{w:?}");
        assert!(w[1].incremental, "{w:?}");
        // The update of record 500 shares a chunk with the delete of 555; the insert is in the last chunk.
        assert!(w[1].records <= 12 * 64, "{w:?}");
        figures.push(w[1].bytes);
        let want = everything(&e);
        drop(e);
        drop(s);
        let (e, s) = open(&dir.0, opts(0.5));
        assert_eq!(s.recovery().checkpoint_files, 2);
        assert_eq!(s.recovery().journal_commits, 0);
        assert_eq!(everything(&e), want);
    }
    // Proportional to the change, not to n (the last chunk of 10n may hold more or fewer records).
    assert!(figures[1] < figures[0] * 2, "{figures:?}");
}

/// A chain grows until its records pass the ratio of the full checkpoint's; then a full one is written
/// and the files the new chain does not need are deleted.
#[test]
fn a_full_checkpoint_ends_the_chain_and_its_files() {
    let dir = TempDir::new("incr", "chain");
    let (e, s) = open(&dir.0, opts(0.5));
    load(&e, 6_400);
    e.checkpoint().unwrap();
    // Each round rewrites 10 chunks of 64: 640 records, a tenth of the store.
    for round in 0..8 {
        for k in 0..10 {
            run(
                &e,
                doc! {"update": "s", "updates": [{"q": {"_id": k * 640 + round}, "u": {"$set": {"r": round}}}]},
            );
        }
        e.checkpoint().unwrap();
    }
    let kinds: Vec<bool> = s
        .checkpoints_written()
        .iter()
        .map(|w| w.incremental)
        .collect();
    // Each increment counts ~650 (10 chunks: their records and a marker each): 4 of them stay within
    // half the full one's 6,400 records, the fifth would pass it.
    assert_eq!(
        kinds,
        [false, true, true, true, true, false, true, true, true],
        "{:?}",
        s.checkpoints_written()
    );
    let mut ckpts: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".ckpt"))
        .collect();
    ckpts.sort();
    assert_eq!(ckpts.len(), 4, "{ckpts:?}"); // the full one of generation 6, and 7, 8, 9 on it
    let want = everything(&e);
    drop(e);
    drop(s);
    let (e, s) = open(&dir.0, opts(0.5));
    assert_eq!(s.recovery().checkpoint_files, 4);
    assert_eq!(everything(&e), want);
}

/// A store that only grows (inserts between checkpoints) adds its new chunks to the chain: every
/// checkpoint after the first is incremental and writes about what was inserted since the one before,
/// not the store; deletes that leave the chain holding more than the store and half of it again end it
/// with a full one; a reopen reads the chain to the same documents.
#[test]
fn a_growing_store_extends_its_chain_instead_of_rewriting_it() {
    let dir = TempDir::new("incr", "grow");
    let (e, s) = open(&dir.0, opts(0.5));
    let round = 1_280i64;
    for r in 0..6 {
        let docs: Vec<Document> = (r * round..(r + 1) * round)
            .map(|i| doc! {"_id": i, "v": i})
            .collect();
        run(&e, doc! {"insert": "s", "documents": docs});
        e.checkpoint().unwrap();
    }
    let w = s.checkpoints_written();
    assert_eq!(
        w.iter().map(|w| w.incremental).collect::<Vec<_>>(),
        [false, true, true, true, true, true],
        "{w:?}"
    );
    // Each incremental one writes the 1,280 records inserted since the one before (20 chunks of 64),
    // and the chunk the one before ended in again when it was not full.
    for w in &w[1..] {
        assert!(
            w.records >= round as u64 && w.records < round as u64 + 64,
            "{w:?}"
        );
    }
    // Deleting most of the store: the chain (7,680 records) would pass 1.5 times what is left.
    run(
        &e,
        doc! {"delete": "s", "deletes": [{"q": {"_id": {"$gte": 2_000}}, "limit": 0}]},
    );
    e.checkpoint().unwrap();
    let last = *s.checkpoints_written().last().unwrap();
    assert!(!last.incremental && last.records == 2_000, "{last:?}");
    let want = everything(&e);
    drop(e);
    drop(s);
    let (e, s) = open(&dir.0, opts(0.5));
    assert_eq!(s.recovery().checkpoint_files, 1);
    assert_eq!(everything(&e), want);
}

/// Checkpoints written directly (`direct_checkpoints`): a full one and incremental ones on it reopen to
/// the same documents as the engine held.
#[test]
fn checkpoints_written_directly_reopen_to_the_same_documents() {
    let dir = TempDir::new("incr", "direct");
    let o = DurableOptions {
        direct_checkpoints: true,
        ..opts(0.5)
    };
    let (e, s) = open(&dir.0, o.clone());
    load(&e, 3_000);
    e.checkpoint().unwrap();
    for round in 0..3 {
        for k in 0..5 {
            run(
                &e,
                doc! {"update": "s", "updates": [{"q": {"_id": k * 97 + round}, "u": {"$set": {"r": round, "pad": "z".repeat(300 + k as usize)}}}]},
            );
        }
        e.checkpoint().unwrap();
    }
    assert_eq!(
        s.checkpoints_written()
            .iter()
            .map(|w| w.incremental)
            .collect::<Vec<_>>(),
        [false, true, true, true]
    );
    let want = everything(&e);
    drop(e);
    drop(s);
    let (e, s) = open(&dir.0, o);
    assert_eq!(s.recovery().checkpoint_files, 4);
    assert_eq!(everything(&e), want);
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in files_of(from) {
        let name = f.file_name().unwrap();
        if name != "sqlmongo.lock" {
            std::fs::copy(&f, to.join(name)).unwrap();
        }
    }
}

fn name(dir: &Path, g: u64, ext: &str) -> PathBuf {
    let kind = if ext == "wal" {
        "journal"
    } else {
        "checkpoint"
    };
    dir.join(format!("{kind}-{g:020}.{ext}"))
}

/// The directory at each step of an incremental checkpoint (a crash there): it opens to every
/// acknowledged write; a damaged or missing file of the chain is an error naming it.
#[test]
fn a_crash_at_each_step_of_an_incremental_checkpoint_recovers_every_write() {
    let dir = TempDir::new("incr", "crash");
    let (e, s) = open(&dir.0, opts(100.0));
    load(&e, 1_000);
    e.checkpoint().unwrap(); // full, generation 1
    run(
        &e,
        doc! {"update": "s", "updates": [{"q": {"_id": 70}, "u": {"$set": {"v": 1}}}]},
    );
    run(
        &e,
        doc! {"createIndexes": "s", "indexes": [{"key": {"user": 1}, "name": "user_1"}]},
    );
    run(&e, doc! {"insert": "t", "documents": [{"_id": 1}]});
    let before = TempDir::new("incr", "before");
    copy_dir(&dir.0, &before.0); // journal 1 holds the three commits
    e.checkpoint().unwrap(); // incremental, generation 2: journal 2 created, journal 1 deleted
    assert!(s.checkpoints_written()[1].incremental);
    let want = everything(&e);
    drop(e);
    drop(s);
    let after = TempDir::new("incr", "after");
    copy_dir(&dir.0, &after.0);
    let ckpt2 = std::fs::read(name(&after.0, 2, "ckpt")).unwrap();
    let j2 = std::fs::read(name(&after.0, 2, "wal")).unwrap();

    let check = |what: &str, setup: &dyn Fn(&Path)| {
        let d = TempDir::new("incr", "step");
        setup(&d.0);
        let (e, _s) = open(&d.0, opts(100.0));
        assert_eq!(everything(&e), want, "{what}");
        // The store goes on: another checkpoint over what was recovered, and a reopen.
        e.checkpoint().unwrap();
        drop(e);
        drop(_s);
        let (e, _s) = open(&d.0, opts(100.0));
        assert_eq!(everything(&e), want, "{what}, checkpointed again");
    };
    check("before the journal moved", &|d| copy_dir(&before.0, d));
    check("after the journal moved", &|d| {
        copy_dir(&before.0, d);
        std::fs::write(name(d, 2, "wal"), &j2).unwrap();
    });
    for cut in [
        0,
        20,
        32,
        100,
        ckpt2.len() / 2,
        ckpt2.len() - 1,
        ckpt2.len(),
    ] {
        check(
            &format!("checkpoint 2 written to {cut} bytes, not renamed"),
            &|d| {
                copy_dir(&before.0, d);
                std::fs::write(name(d, 2, "wal"), &j2).unwrap();
                std::fs::write(
                    d.join(format!("checkpoint-{:020}.ckpt.tmp", 2)),
                    &ckpt2[..cut],
                )
                .unwrap();
            },
        );
    }
    check("renamed, nothing deleted yet", &|d| {
        copy_dir(&before.0, d);
        std::fs::write(name(d, 2, "wal"), &j2).unwrap();
        std::fs::write(name(d, 2, "ckpt"), &ckpt2).unwrap();
    });
    check("after the deletions", &|d| copy_dir(&after.0, d));

    // A checkpoint file of the chain cut short, or missing: an error naming it.
    for cut in [10, 40, ckpt2.len() - 1] {
        let d = TempDir::new("incr", "cut");
        copy_dir(&after.0, &d.0);
        std::fs::write(name(&d.0, 2, "ckpt"), &ckpt2[..cut]).unwrap();
        let err = DurableStorage::open(&d.0, opts(100.0)).unwrap_err();
        assert!(
            err.errmsg.contains("checkpoint-00000000000000000002.ckpt"),
            "{cut}: {err}"
        );
    }
    let d = TempDir::new("incr", "nobase");
    copy_dir(&after.0, &d.0);
    std::fs::remove_file(name(&d.0, 1, "ckpt")).unwrap();
    let err = DurableStorage::open(&d.0, opts(100.0)).unwrap_err();
    assert!(
        err.errmsg
            .contains("checkpoint-00000000000000000001.ckpt is missing")
            && err.errmsg.contains("incremental checkpoint")
            && err.errmsg.contains("checkpoint-00000000000000000002.ckpt"),
        "{err}"
    );
    // An online dump reads the chain too, and leaves alone a checkpoint being written (a `.tmp` file:
    // only the process holding the store's lock removes a leftover one).
    let writing = after.0.join(format!("checkpoint-{:020}.ckpt.tmp", 3));
    std::fs::write(&writing, &ckpt2[..100]).unwrap();
    let snap = DurableStorage::read_snapshot(&after.0).unwrap();
    assert!(writing.exists());
    let s_docs = snap
        .collections
        .iter()
        .find(|c| c.name == "s")
        .map(|c| c.records.len());
    assert_eq!(s_docs, Some(1_000));
}

/// A store of format version 1 (full checkpoints only) opens as it is, and is stamped version 2 once
/// opened (a build that reads version 1 only refuses it from then on).
#[test]
fn a_version_1_store_opens_and_is_stamped_version_2() {
    let dir = TempDir::new("incr", "v1");
    let want = {
        let (e, _s) = open(&dir.0, opts(0.0));
        load(&e, 300);
        e.checkpoint().unwrap();
        run(&e, doc! {"insert": "s", "documents": [{"_id": -5}]});
        everything(&e)
    };
    // Rewrite every header as version 1 (the format of full checkpoints and journals is the same).
    for f in files_of(&dir.0) {
        let n = f.file_name().unwrap().to_str().unwrap().to_string();
        if n.ends_with(".ckpt") || n.ends_with(".wal") {
            let mut b = std::fs::read(&f).unwrap();
            b[8..12].copy_from_slice(&1u32.to_le_bytes());
            let crc = crc32c::crc32c(&b[..24]);
            b[24..28].copy_from_slice(&crc.to_le_bytes());
            std::fs::write(&f, b).unwrap();
        }
    }
    std::fs::write(
        dir.0.join("sqlmongo.format"),
        "sqlmongo data directory, format 1\n",
    )
    .unwrap();
    let (e, _s) = open(&dir.0, opts(0.5));
    assert_eq!(everything(&e), want);
    let stamp = std::fs::read_to_string(dir.0.join("sqlmongo.format")).unwrap();
    assert_eq!(stamp, "sqlmongo data directory, format 2\n");
}

#[derive(Debug, Clone)]
enum Op {
    Insert { coll: u8, ids: Vec<u16>, v: i32 },
    Update { coll: u8, id: u16, v: i32 },
    Delete { coll: u8, id: u16 },
    DeleteRange { coll: u8, below: u16 },
    Index { coll: u8, unique: bool },
    DropIndex { coll: u8 },
    Drop { coll: u8 },
    CollMod { coll: u8, min: i32 },
    Checkpoint,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    let coll = 0u8..3;
    prop_oneof![
        4 => (coll.clone(), prop::collection::vec(0u16..300, 1..80), any::<i32>())
            .prop_map(|(coll, ids, v)| Op::Insert { coll, ids, v }),
        3 => (coll.clone(), 0u16..300, any::<i32>()).prop_map(|(coll, id, v)| Op::Update { coll, id, v }),
        2 => (coll.clone(), 0u16..300).prop_map(|(coll, id)| Op::Delete { coll, id }),
        1 => (coll.clone(), 0u16..300).prop_map(|(coll, below)| Op::DeleteRange { coll, below }),
        1 => (coll.clone(), any::<bool>()).prop_map(|(coll, unique)| Op::Index { coll, unique }),
        1 => coll.clone().prop_map(|coll| Op::DropIndex { coll }),
        1 => coll.clone().prop_map(|coll| Op::Drop { coll }),
        1 => (coll, -5i32..5).prop_map(|(coll, min)| Op::CollMod { coll, min }),
        3 => Just(Op::Checkpoint),
        1 => Just(Op::Reopen),
    ]
}

/// Runs `op` on an engine; the outcome (reply or error code) must be the same on both engines.
fn apply(e: &Engine, op: &Op) -> Result<Document, i32> {
    let c = |k: &u8| format!("c{k}");
    let cmd = match op {
        Op::Insert { coll, ids, v } => {
            let docs: Vec<Bson> = ids
                .iter()
                .map(|i| {
                    Bson::Document(doc! {"_id": i32::from(*i), "v": *v, "k": i32::from(*i) % 5})
                })
                .collect();
            doc! {"insert": c(coll), "documents": docs, "ordered": false}
        }
        Op::Update { coll, id, v } => {
            doc! {"update": c(coll), "updates": [{"q": {"_id": i32::from(*id)}, "u": {"$set": {"v": *v}}, "upsert": true}]}
        }
        Op::Delete { coll, id } => {
            doc! {"delete": c(coll), "deletes": [{"q": {"_id": i32::from(*id)}, "limit": 1}]}
        }
        Op::DeleteRange { coll, below } => {
            doc! {"delete": c(coll), "deletes": [{"q": {"_id": {"$lt": i32::from(*below)}}, "limit": 0}]}
        }
        Op::Index { coll, unique } => {
            doc! {"createIndexes": c(coll), "indexes": [{"key": {"k": 1}, "name": "k_1", "unique": *unique}]}
        }
        Op::DropIndex { coll } => doc! {"dropIndexes": c(coll), "index": "k_1"},
        Op::Drop { coll } => doc! {"drop": c(coll)},
        Op::CollMod { coll, min } => {
            doc! {"collMod": c(coll), "validator": {"v": {"$gte": *min}}, "validationLevel": "moderate"}
        }
        Op::Checkpoint | Op::Reopen => return Ok(Document::new()),
    };
    let mut r = e.run_command("app", &cmd).map_err(|err| err.code)?;
    r.remove("operationTime");
    r.remove("$clusterTime");
    Ok(r)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random inserts, updates, deletes, index and collection changes with checkpoints (full or incremental)
    /// and reopens at random points: every reopen equals an in-memory engine that ran the same commands.
    #[test]
    fn reopening_equals_the_in_memory_model(
        ops in prop::collection::vec(op(), 1..40),
        ratio in prop_oneof![Just(0.0), Just(0.5), Just(100.0)],
    ) {
        let dir = TempDir::new("incr", "prop");
        let model = memory();
        let (mut e, mut s) = open(&dir.0, opts(ratio));
        for op in &ops {
            match op {
                Op::Checkpoint => e.checkpoint().unwrap(),
                Op::Reopen => {
                    drop(e);
                    drop(s);
                    (e, s) = open(&dir.0, opts(ratio));
                    prop_assert_eq!(everything(&e), everything(&model), "after reopen");
                }
                _ => prop_assert_eq!(apply(&e, op), apply(&model, op), "{:?}", op),
            }
        }
        drop(e);
        drop(s);
        let (e, _s) = open(&dir.0, opts(ratio));
        prop_assert_eq!(everything(&e), everything(&model));
    }
}
