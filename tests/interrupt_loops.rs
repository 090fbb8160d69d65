//! `maxTimeMS` (50 `MaxTimeMSExpired`) and `killOp` (11601 `Interrupted`) stop a command inside each kind of
//! long loop of the engine, not only between documents: one document whose expression maps, filters or
//! reduces hundreds of thousands of values (`$sortArray`'s sort: `expr/tests.rs`, whose setup here would
//! cost more than the sort), a window stage folding a wide sliding frame, an `$unwind` making
//! millions of documents and the `$group` / `$sort` after it. Each pipeline here runs for many seconds
//! when nothing stops it (16 to 69 s in a debug build); the test requires it to end within a bounded time
//! of the deadline or the kill, and prints how long that took.

use bson::{doc, Bson, Document};
use sqlmongo::engine::{CommandError, Engine, EngineOptions};
use std::time::{Duration, Instant};

/// How long after its deadline or its kill a loop may still run: a debug build on a shared, loaded
/// machine (what remains is building and dropping the test's multi-million-element values). Unstopped,
/// each pipeline here ran 16 to 69 s in the same build (at 2.5x the `$unwind` and `$map` sizes).
const PROMPT: Duration = Duration::from_secs(5);

fn engine() -> Engine {
    let e = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    // One document with an array of 200,000 numbers.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % 1_000_000) as i32
    };
    let a: Vec<Bson> = (0..200_000).map(|_| Bson::Int32(next())).collect();
    let d: Vec<Bson> = (0..50_000)
        .map(|_| Bson::Document(doc! {"k": next(), "s": "x"}))
        .collect();
    e.run_command(
        "app",
        &doc! {"insert": "one", "documents": [{"_id": 0, "a": a, "d": d}]},
    )
    .expect("inserts the arrays");
    let rows: Vec<Document> = (0..20_000)
        .map(|i: i32| doc! {"_id": i, "p": i % 2, "v": i})
        .collect();
    for chunk in rows.chunks(5000) {
        e.run_command("app", &doc! {"insert": "rows", "documents": chunk.to_vec()})
            .expect("inserts rows");
    }
    e
}

/// `body` of the variable `$$m`, bound to the array field `field` repeated `n` times: the field is read
/// once (`$$a`), not once per copy.
fn many(field: &str, n: usize, body: Bson) -> Bson {
    bson::bson!({"$let": {
        "vars": {"a": format!("${field}")},
        "in": {"$let": {
            "vars": {"m": {"$concatArrays": vec![Bson::String("$$a".into()); n]}},
            "in": body,
        }},
    }})
}

/// Each loop kind: its name, the collection, and a pipeline that runs for many seconds.
fn kinds() -> Vec<(&'static str, &'static str, Vec<Document>)> {
    vec![
        (
            "$map",
            "one",
            vec![
                doc! {"$project": {"n": many("a", 2, bson::bson!({"$size": {"$map": {"input": "$$m", "in": {"$size": {"$range": [0, 750]}}}}}))}},
            ],
        ),
        (
            "$filter",
            "one",
            vec![
                doc! {"$project": {"n": many("a", 2, bson::bson!({"$size": {"$filter": {"input": "$$m", "cond": {"$gt": [{"$size": {"$range": [0, 750]}}, "$$this"]}}}}))}},
            ],
        ),
        (
            "$reduce",
            "one",
            vec![
                doc! {"$project": {"n": many("a", 2, bson::bson!({"$reduce": {"input": "$$m", "initialValue": 0, "in": {"$add": ["$$value", {"$size": {"$range": [0, 750]}}]}}}))}},
            ],
        ),
        (
            "$setWindowFields (sliding frame)",
            "rows",
            vec![
                doc! {"$setWindowFields": {"partitionBy": "$p", "sortBy": {"_id": 1}, "output": {
                "s": {"$sum": "$v", "window": {"documents": [-5000, 5000]}}}}},
                doc! {"$count": "n"},
            ],
        ),
        (
            "$unwind + $group",
            "one",
            vec![
                doc! {"$project": {"b": many("a", 4, Bson::String("$$m".into()))}},
                doc! {"$unwind": "$b"},
                doc! {"$group": {"_id": {"$mod": ["$b", 1000]}, "n": {"$sum": {"$size": {"$range": [0, 200]}}}}},
            ],
        ),
        (
            "$unwind + $sort",
            "one",
            vec![
                doc! {"$project": {"b": many("a", 4, Bson::String("$$m".into()))}},
                doc! {"$unwind": "$b"},
                doc! {"$sort": {"b": 1}},
                doc! {"$count": "n"},
            ],
        ),
    ]
}

fn aggregate(coll: &str, pipeline: &[Document], extra: Document) -> Document {
    let mut cmd = doc! {"aggregate": coll, "pipeline": pipeline.to_vec(), "cursor": {}};
    cmd.extend(extra);
    cmd
}

#[test]
fn max_time_ms_stops_each_loop_kind_promptly() {
    let e = engine();
    let limit = Duration::from_millis(300);
    for (name, coll, pipeline) in kinds() {
        let t = Instant::now();
        let r = e.run_command(
            "app",
            &aggregate(
                coll,
                &pipeline,
                doc! {"maxTimeMS": limit.as_millis() as i64},
            ),
        );
        let took = t.elapsed();
        let err: CommandError = match r {
            Ok(reply) => panic!("{name}: answered within {took:?}: {reply}"),
            Err(e) => e,
        };
        assert_eq!(
            (err.code, err.code_name.as_str()),
            (50, "MaxTimeMSExpired"),
            "{name}: {err:?}"
        );
        eprintln!(
            "{name}: maxTimeMS {limit:?} -> stopped after {took:?} ({:?} past the deadline)",
            took.saturating_sub(limit)
        );
        assert!(
            took < limit + PROMPT,
            "{name}: ran {took:?} with maxTimeMS {limit:?}"
        );
    }
}

#[test]
fn kill_op_stops_each_loop_kind_promptly() {
    let e = engine();
    for (name, coll, pipeline) in kinds() {
        let cmd = aggregate(coll, &pipeline, doc! {});
        let runner = {
            let e = e.clone();
            std::thread::spawn(move || e.run_command("app", &cmd))
        };
        let ns = format!("app.{coll}");
        let start = Instant::now();
        let opid = loop {
            let r = e
                .run_command("admin", &doc! {"currentOp": 1, "ns": ns.as_str()})
                .expect("currentOp");
            let first = r
                .get_array("inprog")
                .ok()
                .and_then(|a| a.first())
                .and_then(Bson::as_document)
                .and_then(|op| op.get_i32("opid").ok());
            if let Some(opid) = first {
                break opid;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{name}: never in currentOp"
            );
            std::thread::sleep(Duration::from_millis(5));
        };
        // Well inside the loop.
        std::thread::sleep(Duration::from_millis(400));
        assert!(!runner.is_finished(), "{name}: ended before the kill");
        e.run_command("admin", &doc! {"killOp": 1, "op": opid})
            .expect("killOp");
        let killed = Instant::now();
        let err = runner.join().expect("no panic").expect_err("interrupted");
        let took = killed.elapsed();
        assert_eq!(
            (err.code, err.code_name.as_str()),
            (11601, "Interrupted"),
            "{name}: {err:?}"
        );
        eprintln!("{name}: killOp -> stopped {took:?} after the kill");
        assert!(took < PROMPT, "{name}: ran {took:?} after killOp");
    }
}
