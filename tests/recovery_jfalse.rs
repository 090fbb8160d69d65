//! `w: 1, j: false` writes on the durable store: acknowledged before they are on disk, they reach the
//! journal file within `commitInterval` (100 ms) without anybody waiting for them, also when the
//! journal's buffer is flushed early in pieces (`DurableOptions::flush_bytes`); many concurrent writers
//! (with checkpoints starting meanwhile) leave every write on disk, each collection's records in commit
//! order, and a reopen finds the same documents with unique indexes that agree with them.

use bson::{doc, Bson, Document};
use sqlmongo::engine::storage::durable::{DurableOptions, DurableStorage};
use sqlmongo::engine::{Engine, EngineOptions};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod store_support;
use store_support::TempDir;

fn open_with(dir: &Path, opts: DurableOptions) -> (Engine, Arc<DurableStorage>) {
    let storage = Arc::new(DurableStorage::open(dir, opts).expect("open"));
    let engine = Engine::try_with_options(EngineOptions {
        ttl_monitor_interval: None,
        storage: storage.clone(),
        ..EngineOptions::default()
    })
    .expect("engine");
    (engine, storage)
}

fn run(e: &Engine, cmd: Document) -> Document {
    e.run_command("app", &cmd)
        .unwrap_or_else(|err| panic!("{cmd} failed: {err}"))
}

/// Whether the store in `dir`, read from its files as they are now (the engine still running, nothing
/// flushed for the reader), holds the document `_id` in collection `coll`.
fn on_disk(dir: &Path, coll: &str, id: &str) -> bool {
    let snap = DurableStorage::read_snapshot(dir).expect("read the store's files");
    snap.collections
        .iter()
        .filter(|c| c.db == "app" && c.name == coll)
        .flat_map(|c| c.records.iter())
        .any(|(_, d)| d.raw().get_str("_id").ok() == Some(id))
}

/// The bound: a `j: false` insert is in the journal file once `commit_interval` and a margin have passed,
/// with the flusher's early flush on or off; with a long interval and no early flush it is not (the
/// check above sees only what the flusher wrote).
#[test]
fn a_j_false_write_reaches_the_disk_within_the_commit_interval() {
    for flush_bytes in [0, 1 << 20] {
        let dir = TempDir::new("jfalse", "bound");
        let (e, s) = open_with(
            &dir.0,
            DurableOptions {
                flush_bytes,
                ..DurableOptions::default()
            },
        );
        let fsyncs = s.fsyncs();
        let at = Instant::now();
        run(
            &e,
            doc! {"insert": "s", "documents": [{"_id": "one"}], "writeConcern": {"w": 1, "j": false}},
        );
        // 100 ms, plus a margin for a machine busy with other work.
        std::thread::sleep(Duration::from_millis(100 + 300));
        assert!(
            on_disk(&dir.0, "s", "one"),
            "not on disk {:?} after a j:false insert (flush_bytes {flush_bytes})",
            at.elapsed()
        );
        assert!(s.fsyncs() > fsyncs, "written but not fsynced");
    }
    // The control: a flusher that waits an hour leaves the write in memory.
    let dir = TempDir::new("jfalse", "control");
    let (e, _s) = open_with(
        &dir.0,
        DurableOptions {
            commit_interval: Duration::from_secs(3600),
            flush_bytes: 0,
            ..DurableOptions::default()
        },
    );
    run(
        &e,
        doc! {"insert": "s", "documents": [{"_id": "one"}], "writeConcern": {"w": 1, "j": false}},
    );
    std::thread::sleep(Duration::from_millis(400));
    assert!(!on_disk(&dir.0, "s", "one"));
}

/// With a flusher that waits an hour, the appends that fill the buffer past `flush_bytes` have it
/// flushed at once: the writes reach the file without waiting for the interval.
#[test]
fn a_full_buffer_is_flushed_before_the_interval_ends() {
    let dir = TempDir::new("jfalse", "early");
    let (e, s) = open_with(
        &dir.0,
        DurableOptions {
            commit_interval: Duration::from_secs(3600),
            flush_bytes: 64 << 10,
            ..DurableOptions::default()
        },
    );
    let pad = "x".repeat(1_000);
    for i in 0..200 {
        run(
            &e,
            doc! {"insert": "s", "documents": [{"_id": format!("d{i}"), "pad": &pad}], "writeConcern": {"j": false}},
        );
    }
    // Written, then fsynced: the counter moves once the fsync returns, after the bytes are readable.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !on_disk(&dir.0, "s", "d50") || s.fsyncs() < 1 {
        assert!(Instant::now() < deadline, "never flushed early");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `(writer, i)` of each record of `coll` in the snapshot, in natural (record id, commit) order.
fn order_of(snap: &sqlmongo::engine::storage::Snapshot, coll: &str) -> Vec<(i32, i32)> {
    snap.collections
        .iter()
        .filter(|c| c.db == "app" && c.name == coll)
        .flat_map(|c| c.records.iter())
        .map(|(_, d)| {
            let d = d.raw();
            (d.get_i32("w").expect("w"), d.get_i32("i").expect("i"))
        })
        .collect()
}

/// Sixteen threads insert `j: false` into four collections with a unique index, the journal flushed in
/// small pieces and checkpoints starting meanwhile (incremental ones, keeping record tables only), its
/// flushes written through the page cache or directly (`direct_write_bytes`: every flush, or the default's
/// large ones only). Once
/// the interval has passed, the files (read while the engine runs) hold every write, and each writer's
/// writes to a collection in the order it made them; a reopen finds the same records, and the unique
/// index answers for each of them.
#[test]
fn concurrent_j_false_writers_leave_every_write_on_disk_in_commit_order() {
    let default_direct = DurableOptions::default().direct_write_bytes;
    for (flush_bytes, checkpoint_bytes, direct_write_bytes) in [
        (4_096, 256 << 10, 0),
        (1 << 20, 64 << 20, default_direct),
        (4_096, 256 << 10, 1),
        (256 << 10, 64 << 20, 1),
    ] {
        let dir = TempDir::new("jfalse", "concurrent");
        let opts = DurableOptions {
            flush_bytes,
            checkpoint_bytes,
            direct_write_bytes,
            ..DurableOptions::default()
        };
        let (writers, per) = (16, 300);
        let (e, _s) = open_with(&dir.0, opts.clone());
        for c in 0..4 {
            run(
                &e,
                doc! {"createIndexes": format!("c{c}"), "indexes": [{"key": {"k": 1}, "name": "k_1", "unique": true}]},
            );
        }
        std::thread::scope(|scope| {
            for w in 0..writers {
                let e = e.clone();
                scope.spawn(move || {
                    for i in 0..per {
                        let coll = format!("c{}", (w + i) % 4);
                        run(
                            &e,
                            doc! {"insert": coll, "documents": [{"_id": format!("{w}-{i}"), "w": w, "i": i, "k": w * 1_000 + i, "pad": "p".repeat(200)}], "writeConcern": {"w": 1, "j": false}},
                        );
                    }
                });
            }
        });
        std::thread::sleep(Duration::from_millis(100 + 300));
        let snap = DurableStorage::read_snapshot(&dir.0).expect("snapshot");
        let mut total = 0;
        for c in 0..4 {
            let got = order_of(&snap, &format!("c{c}"));
            total += got.len();
            for w in 0..writers {
                let mine: Vec<i32> = got.iter().filter(|r| r.0 == w).map(|r| r.1).collect();
                let want: Vec<i32> = (0..per).filter(|i| (w + i) % 4 == c).collect();
                assert_eq!(mine, want, "writer {w} in c{c}");
            }
        }
        assert_eq!(total, (writers * per) as usize);
        drop(e);
        drop(_s);
        let (e, _s) = open_with(&dir.0, opts);
        let reopened = e.snapshot().expect("snapshot");
        for c in 0..4 {
            let name = format!("c{c}");
            assert_eq!(order_of(&reopened, &name), order_of(&snap, &name));
            for (w, i) in order_of(&snap, &name) {
                let r = run(
                    &e,
                    doc! {"find": &name, "filter": {"k": w * 1_000 + i}, "hint": "k_1"},
                );
                let batch = r
                    .get_document("cursor")
                    .and_then(|c| c.get_array("firstBatch"))
                    .expect("batch");
                assert_eq!(batch.len(), 1, "k {} in {name}", w * 1_000 + i);
                let id = match &batch[0] {
                    Bson::Document(d) => d.get_str("_id").expect("_id").to_string(),
                    other => panic!("{other}"),
                };
                assert_eq!(id, format!("{w}-{i}"));
            }
        }
    }
}

/// Whether files in `dir` can be opened for direct writes (`O_DIRECT`; not on tmpfs, not off Linux).
fn direct_supported(dir: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let probe = dir.join("direct-probe");
        let ok = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .custom_flags(libc::O_DIRECT)
            .open(&probe)
            .is_ok();
        let _ = std::fs::remove_file(&probe);
        ok
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        false
    }
}

/// Writers mixing `j: true` and `j: false` inserts with every journal flush written directly (group
/// commits included) and checkpoints starting meanwhile: an acknowledged `j: true` insert is in the files
/// the moment it is acknowledged (read while the engine runs), and a reopen finds every write, each
/// writer's in the order it made them.
#[test]
fn acknowledged_writes_survive_with_direct_journal_writes() {
    let dir = TempDir::new("jfalse", "direct");
    let opts = DurableOptions {
        flush_bytes: 16 << 10,
        checkpoint_bytes: 512 << 10,
        direct_write_bytes: 1,
        ..DurableOptions::default()
    };
    let (writers, per) = (8, 200);
    let (e, s) = open_with(&dir.0, opts.clone());
    std::thread::scope(|scope| {
        for w in 0..writers {
            let e = e.clone();
            let dir = &dir.0;
            scope.spawn(move || {
                for i in 0..per {
                    let j = (w + i) % 2 == 0;
                    let coll = format!("c{}", w % 2);
                    run(
                        &e,
                        doc! {"insert": &coll, "documents": [{"_id": format!("{w}-{i}"), "w": w, "i": i, "pad": "q".repeat(((w * 31 + i * 7) % 700) as usize)}], "writeConcern": {"w": 1, "j": j}},
                    );
                    if j && i % 40 == 0 {
                        assert!(on_disk(dir, &coll, &format!("{w}-{i}")), "{w}-{i} acknowledged with j:true, not on disk");
                    }
                }
            });
        }
    });
    if direct_supported(&dir.0) {
        assert!(s.direct_writes() > 0, "no flush was written directly");
    }
    drop(e);
    drop(s);
    let (e, _s) = open_with(&dir.0, opts);
    let snap = e.snapshot().expect("snapshot");
    let mut total = 0;
    for c in 0..2 {
        let got = order_of(&snap, &format!("c{c}"));
        total += got.len();
        for w in (0..writers).filter(|w| w % 2 == c) {
            let mine: Vec<i32> = got.iter().filter(|r| r.0 == w).map(|r| r.1).collect();
            assert_eq!(mine, (0..per).collect::<Vec<_>>(), "writer {w}");
        }
    }
    assert_eq!(total, (writers * per) as usize);
}
