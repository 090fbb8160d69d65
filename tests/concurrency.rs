//! Concurrency: a long read never delays writes (readers work on a snapshot), `maxTimeMS` and `killOp` stop a
//! running command (50 `MaxTimeMSExpired`, 11601 `Interrupted`), `currentOp` lists it, and concurrent readers
//! and writers keep every invariant (each read sees a state that existed, unique indexes hold, the durable
//! journal replays to the state in memory). The wire half runs pymongo against `serve` when python3 has it
//! (skipped loudly otherwise, a failure under `SQLMONGO_REQUIRE_ORACLES=1`).

mod common;
#[path = "store_support/mod.rs"]
mod store_support;

use bson::{doc, Bson, Document};
use sqlmongo::engine::{CommandError, Engine, EngineOptions};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

fn engine() -> Engine {
    Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    })
}

/// `n` documents `{_id: i, k: i, pad: ...}` in `db.coll`.
fn fill(e: &Engine, db: &str, coll: &str, n: i64) {
    let docs: Vec<Document> = (0..n)
        .map(|i| doc! {"_id": i, "k": i, "pad": "x".repeat(64)})
        .collect();
    for chunk in docs.chunks(1000) {
        e.run_command(db, &doc! {"insert": coll, "documents": chunk.to_vec()})
            .unwrap();
    }
}

/// An aggregate quadratic in the collection's size (a correlated `$lookup` with a range predicate, which no
/// index or hash table serves): far longer than any test waits for.
fn long_aggregate(coll: &str, extra: Document) -> Document {
    let mut cmd = doc! {
        "aggregate": coll,
        "pipeline": [
            {"$lookup": {"from": coll, "let": {"k": "$k"}, "pipeline": [
                {"$match": {"$expr": {"$lt": ["$k", "$$k"]}}},
                {"$count": "n"},
            ], "as": "below"}},
            {"$group": {"_id": null, "n": {"$sum": 1}}},
        ],
        "cursor": {},
    };
    cmd.extend(extra);
    cmd
}

/// Runs `cmd` on another thread.
fn spawn(e: &Engine, db: &str, cmd: Document) -> JoinHandle<Result<Document, CommandError>> {
    let (e, db) = (e.clone(), db.to_string());
    std::thread::spawn(move || e.run_command(&db, &cmd))
}

/// The opid of the running aggregate on `ns`, once `currentOp` lists it.
fn wait_for_op(e: &Engine, ns: &str) -> i32 {
    let start = Instant::now();
    loop {
        let r = e
            .run_command("admin", &doc! {"currentOp": 1, "ns": ns, "op": "command"})
            .unwrap();
        let inprog = r.get_array("inprog").unwrap();
        if let Some(Bson::Document(op)) = inprog.first() {
            assert!(op
                .get_document("command")
                .unwrap()
                .contains_key("aggregate"));
            assert!(op.get_i64("microsecs_running").unwrap() >= 0);
            return op.get_i32("opid").unwrap();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the aggregate never showed in currentOp"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Latencies of `n` single-document inserts, sorted.
fn insert_latencies(e: &Engine, db: &str, coll: &str, base: i64, n: i64) -> Vec<Duration> {
    let mut out: Vec<Duration> = (0..n)
        .map(|i| {
            let t = Instant::now();
            let r = e
                .run_command(
                    db,
                    &doc! {"insert": coll, "documents": [{"_id": base + i, "k": base + i}]},
                )
                .unwrap();
            assert_eq!(r.get_i32("n").unwrap(), 1);
            t.elapsed()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn an_insert_is_not_delayed_by_a_long_aggregate_and_kill_op_stops_it() {
    let e = engine();
    fill(&e, "app", "big", 4000);
    let quiet_same = insert_latencies(&e, "app", "big", 1_000_000, 50);
    let quiet_other = insert_latencies(&e, "other", "c", 0, 50);

    let started = Instant::now();
    let agg = spawn(&e, "app", long_aggregate("big", doc! {}));
    let opid = wait_for_op(&e, "app.big");
    let busy_same = insert_latencies(&e, "app", "big", 2_000_000, 50);
    let busy_other = insert_latencies(&e, "other", "c", 1_000, 50);
    // A find and a count on the collection the aggregate reads are not delayed either.
    let t = Instant::now();
    let n = e.run_command("app", &doc! {"count": "big"}).unwrap();
    let read_latency = t.elapsed();
    assert!(n.get_i32("n").unwrap() >= 4100);
    let during = started.elapsed();
    assert!(
        !agg.is_finished(),
        "the aggregate ended too soon to measure against"
    );

    let max = |v: &[Duration]| *v.last().unwrap();
    let p50 = |v: &[Duration]| v[v.len() / 2];
    eprintln!(
        "insert latency p50/max: same collection quiet {:?}/{:?}, busy {:?}/{:?}; other database quiet {:?}/{:?}, busy {:?}/{:?}; count while busy {:?}",
        p50(&quiet_same), max(&quiet_same), p50(&busy_same), max(&busy_same),
        p50(&quiet_other), max(&quiet_other), p50(&busy_other), max(&busy_other), read_latency
    );
    for (what, v) in [
        ("same collection", &busy_same),
        ("other database", &busy_other),
    ] {
        assert!(
            max(v) < Duration::from_millis(500),
            "an insert into the {what} waited {:?} while the aggregate ran",
            max(v)
        );
    }
    assert!(read_latency < Duration::from_millis(500));

    let r = e
        .run_command("admin", &doc! {"killOp": 1, "op": opid})
        .unwrap();
    assert_eq!(r.get_str("info").unwrap(), "attempting to kill op");
    let killed_at = Instant::now();
    let err = agg.join().unwrap().unwrap_err();
    assert_eq!(
        (err.code, err.code_name.as_str(), err.errmsg.as_str()),
        (11601, "Interrupted", "operation was interrupted")
    );
    assert!(
        killed_at.elapsed() < Duration::from_secs(2),
        "the kill took {:?}",
        killed_at.elapsed()
    );
    eprintln!(
        "aggregate ran {during:?} before killOp; ended {:?} after it",
        killed_at.elapsed()
    );
    // Gone from currentOp; the engine keeps serving.
    let r = e
        .run_command("admin", &doc! {"currentOp": 1, "ns": "app.big"})
        .unwrap();
    assert!(r.get_array("inprog").unwrap().is_empty());
    let n = e.run_command("app", &doc! {"count": "big"}).unwrap();
    assert_eq!(n.get_i32("n").unwrap(), 4100);
}

#[test]
fn max_time_ms_stops_a_long_aggregate_and_a_long_find() {
    let e = engine();
    fill(&e, "app", "big", 4000);
    let t = Instant::now();
    let err = e
        .run_command("app", &long_aggregate("big", doc! {"maxTimeMS": 150}))
        .unwrap_err();
    assert_eq!(
        (err.code, err.code_name.as_str(), err.errmsg.as_str()),
        (50, "MaxTimeMSExpired", "operation exceeded time limit")
    );
    assert!(t.elapsed() >= Duration::from_millis(150));
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t.elapsed()
    );

    // A find whose filter is slow on every document ($where-free: a $expr over a large $range).
    let slow = doc! {"$expr": {"$gt": [{"$size": {"$range": [0, {"$add": ["$k", 20000]}]}}, -1]}};
    let t = Instant::now();
    let err = e
        .run_command(
            "app",
            &doc! {"find": "big", "filter": slow.clone(), "maxTimeMS": 100},
        )
        .unwrap_err();
    assert_eq!(err.code, 50, "{err:?}");
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t.elapsed()
    );
    // Within its time the same find, and a quick one, answer.
    let r = e
        .run_command(
            "app",
            &doc! {"find": "big", "filter": {"_id": 3}, "maxTimeMS": 100},
        )
        .unwrap();
    assert_eq!(
        r.get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap()
            .len(),
        1
    );
    for cmd in [
        doc! {"count": "big", "maxTimeMS": 60_000},
        doc! {"distinct": "big", "key": "k", "query": {"k": {"$lt": 3}}, "maxTimeMS": 60_000},
        doc! {"delete": "big", "deletes": [{"q": {"_id": -1}, "limit": 1}], "maxTimeMS": 60_000},
    ] {
        e.run_command("app", &cmd).unwrap();
    }
}

#[test]
fn invalid_max_time_ms_values_get_mongods_errors() {
    let e = engine();
    for (v, msg) in [
        (Bson::Int32(-1), "-1 value for maxTimeMS is out of range"),
        (Bson::Double(2.5), "maxTimeMS has non-integral value"),
        (Bson::String("10".into()), "maxTimeMS must be a number"),
    ] {
        let err = e
            .run_command("app", &doc! {"find": "c", "maxTimeMS": v})
            .unwrap_err();
        assert_eq!((err.code, err.errmsg.as_str()), (2, msg));
    }
}

#[test]
fn current_op_and_kill_op_only_on_admin_and_kill_op_of_a_finished_op_is_no_error() {
    let e = engine();
    let err = e.run_command("app", &doc! {"currentOp": 1}).unwrap_err();
    assert_eq!(err.code, 13);
    let err = e
        .run_command("app", &doc! {"killOp": 1, "op": 1})
        .unwrap_err();
    assert_eq!(err.code, 13);
    let err = e.run_command("admin", &doc! {"killOp": 1}).unwrap_err();
    assert_eq!(err.code, 2);
    e.run_command("admin", &doc! {"killOp": 1, "op": 123456})
        .unwrap();
    // currentOp lists itself.
    let r = e.run_command("admin", &doc! {"currentOp": 1}).unwrap();
    let inprog = r.get_array("inprog").unwrap();
    assert_eq!(inprog.len(), 1);
    let me = inprog[0].as_document().unwrap();
    assert_eq!(me.get_str("op").unwrap(), "command");
    assert!(me
        .get_document("command")
        .unwrap()
        .contains_key("currentOp"));
}

#[test]
fn kill_ops_of_an_owner_cancels_its_running_command() {
    let e = engine();
    fill(&e, "app", "big", 4000);
    let agg = spawn(&e, "app", long_aggregate("big", doc! {}));
    wait_for_op(&e, "app.big");
    assert_eq!(e.kill_ops_of(&sqlmongo::engine::CursorOwner::Local), 1);
    assert_eq!(agg.join().unwrap().unwrap_err().code, 11601);
}

/// Readers running while writers insert batches and update documents: every count a reader sees is a
/// multiple of the batch (each command commits as a unit), every `$group` over the collection sees each
/// document whole (`a + b == 100`), and the unique index never holds a duplicate.
#[test]
fn concurrent_readers_see_states_that_existed() {
    let e = engine();
    e.run_command(
        "app",
        &doc! {"createIndexes": "t", "indexes": [{"key": {"u": 1}, "name": "u_1", "unique": true}]},
    )
    .unwrap();
    const BATCH: i64 = 25;
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..2i64 {
        let e = e.clone();
        writers.push(std::thread::spawn(move || {
            for b in 0..40i64 {
                let docs: Vec<Document> = (0..BATCH)
                    .map(|i| {
                        let n = (w * 1000 + b) * BATCH + i;
                        // Every writer also tries a key the other writes: exactly one of each pair lands.
                        doc! {"_id": n, "u": if i == 0 { b } else { n + 1_000_000 }, "a": 50, "b": 50}
                    })
                    .collect();
                let r = e
                    .run_command("app", &doc! {"insert": "t", "documents": docs, "ordered": false})
                    .unwrap();
                let n = r.get_i32("n").unwrap() as i64;
                assert!(n == BATCH || n == BATCH - 1);
                // Move value between two fields of one document: readers must never see the middle.
                e.run_command(
                    "app",
                    &doc! {"update": "t", "updates": [{"q": {"_id": (w * 1000 + b) * BATCH + 1}, "u": {"$inc": {"a": 10, "b": -10}}}]},
                )
                .unwrap();
            }
        }));
    }
    let mut readers = Vec::new();
    for _ in 0..2 {
        let (e, stop) = (e.clone(), stop.clone());
        readers.push(std::thread::spawn(move || {
            let mut seen = 0;
            while !stop.load(Ordering::Relaxed) {
                let r = e
                    .run_command(
                        "app",
                        &doc! {"aggregate": "t", "pipeline": [
                            {"$group": {"_id": null, "n": {"$sum": 1}, "bad": {"$sum": {"$cond": [{"$eq": [{"$add": ["$a", "$b"]}, 100]}, 0, 1]}}}}
                        ], "cursor": {}},
                    )
                    .unwrap();
                if let Some(Bson::Document(g)) = r
                    .get_document("cursor")
                    .unwrap()
                    .get_array("firstBatch")
                    .unwrap()
                    .first()
                {
                    assert_eq!(g.get_i32("bad").unwrap(), 0, "a document seen half-updated");
                    seen += 1;
                }
            }
            seen
        }));
    }
    for w in writers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    // The unique key: each `u` in 0..40 exactly once.
    let r = e
        .run_command(
            "app",
            &doc! {"aggregate": "t", "pipeline": [
                {"$group": {"_id": "$u", "n": {"$sum": 1}}}, {"$match": {"n": {"$gt": 1}}}
            ], "cursor": {}},
        )
        .unwrap();
    assert!(r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .is_empty());
    let n = e
        .run_command("app", &doc! {"count": "t", "query": {"u": {"$lt": 40}}})
        .unwrap();
    assert_eq!(n.get_i32("n").unwrap(), 40);
}

/// Concurrent writers and readers over a durable engine: reopening replays exactly the state in memory.
#[test]
fn durable_replay_equals_memory_after_concurrent_writes() {
    let dir = store_support::TempDir::new("concurrency", "replay");
    let all = |e: &Engine, coll: &str| -> Vec<Document> {
        let r = e
            .run_command(
                "app",
                &doc! {"find": coll, "sort": {"_id": 1}, "batchSize": 100_000},
            )
            .unwrap();
        r.get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap()
            .iter()
            .map(|d| d.as_document().unwrap().clone())
            .collect()
    };
    let before: Vec<Vec<Document>>;
    {
        let e = Engine::open(&dir.0).unwrap();
        fill(&e, "app", "a", 500);
        let agg = spawn(&e, "app", long_aggregate("a", doc! {"maxTimeMS": 400}));
        let mut ws = Vec::new();
        for w in 0..3i64 {
            let e = e.clone();
            ws.push(std::thread::spawn(move || {
                for i in 0..60i64 {
                    let coll = if w == 2 { "b" } else { "a" };
                    let id = 10_000 + w * 1000 + i;
                    e.run_command("app", &doc! {"insert": coll, "documents": [{"_id": id, "k": i}], "writeConcern": {"j": i % 7 == 0}}).unwrap();
                    e.run_command("app", &doc! {"update": "a", "updates": [{"q": {"_id": i}, "u": {"$inc": {"k": 1}}}]}).unwrap();
                    if i % 10 == 0 {
                        e.run_command("app", &doc! {"delete": "a", "deletes": [{"q": {"_id": 400 + w * 10 + i / 10}, "limit": 1}]}).unwrap();
                    }
                }
            }));
        }
        for w in ws {
            w.join().unwrap();
        }
        let _ = agg.join().unwrap();
        before = vec![all(&e, "a"), all(&e, "b")];
    }
    let e = Engine::open(&dir.0).unwrap();
    assert_eq!(vec![all(&e, "a"), all(&e, "b")], before);
    assert_eq!(before[1].len(), 60);
}

// --- through the wire, with pymongo ---------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pymongo_current_op_and_kill_op_through_the_wire() {
    let Some(py) = common::python_with_pymongo() else {
        let code = common::oracle_unavailable(
            "pymongo currentOp/killOp",
            "no python3 with pymongo (scripts/test.sh installs python3-pymongo)",
        );
        assert_eq!(code, 0, "pymongo is required");
        return;
    };
    let e = engine();
    fill(&e, "app", "big", 4000);
    let server = sqlmongo::server::Server::bind("127.0.0.1:0", e.clone())
        .await
        .expect("bind");
    let addr = server.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = rx.await;
    }));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/pymongo_killop.py");
    let uri = format!("mongodb://{addr}/?directConnection=true");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(py).arg(script).arg(uri).output()
    })
    .await
    .expect("join")
    .expect("run python");
    // Whatever the script left running (after a failed check) is stopped before the server shuts down.
    let left = e
        .run_command("admin", &doc! {"currentOp": 1, "ns": "app.big"})
        .unwrap();
    for op in left.get_array("inprog").unwrap() {
        let opid = op.as_document().unwrap().get_i32("opid").unwrap();
        e.run_command("admin", &doc! {"killOp": 1, "op": opid})
            .unwrap();
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pymongo killOp script failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
    let _ = tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
}

#[test]
fn max_time_ms_fails_a_long_update_and_find_and_modify_as_a_whole_command() {
    let e = engine();
    fill(&e, "app", "big", 4000);
    let slow = doc! {"$expr": {"$lt": [{"$size": {"$range": [0, {"$add": ["$k", 20000]}]}}, 0]}};
    let err = e
        .run_command(
            "app",
            &doc! {"update": "big", "updates": [
                {"q": {"_id": 1}, "u": {"$set": {"first": true}}},
                {"q": slow.clone(), "u": {"$set": {"x": 1}}, "multi": true},
            ], "maxTimeMS": 100},
        )
        .unwrap_err();
    assert_eq!((err.code, err.code_name.as_str()), (50, "MaxTimeMSExpired"));
    // The statement before the interrupted one stays applied.
    let n = e
        .run_command("app", &doc! {"count": "big", "query": {"first": true}})
        .unwrap();
    assert_eq!(n.get_i32("n").unwrap(), 1);
    let err = e
        .run_command(
            "app",
            &doc! {"findAndModify": "big", "query": slow, "update": {"$set": {"y": 1}}, "maxTimeMS": 100},
        )
        .unwrap_err();
    assert_eq!(err.code, 50);
}
