//! Concurrency and cursor memory: (1) resident memory of 1,000 open `find` cursors opened with `batchSize: 1`
//! over 1,000 documents of ~1 KB and never read further; (2) single-document insert latency (p50/p99/max)
//! into the collection a long aggregate reads, into another collection and into another database, with and
//! without that aggregate running; (3) what a write costs while a reader holds a snapshot of an n-document
//! collection (the first write after the snapshot copies the collection's structure, later ones do not), at
//! n and 10n. `cargo bench --bench concurrency` (n = 100k; `SQLMONGO_BENCH_DOCS` overrides).
//!
//! 2026-12-04 (2-core shared VM, load ~11): 1,000 open cursors +16.8 MB RSS (~17 KB each; a parsed copy of
//! the result was ~1.6 MB each, 1.6 GB in all). Insert p50/p99/max into the collection a 4 s aggregate reads:
//! quiet 3.5 µs / 5.0 µs / 71 µs, during it 3.3 µs / 5.7 µs / 5.9 ms (the one copy); into another
//! database 3.4 / 5.0 µs / 6.5 ms during (before: every insert waited for the aggregate's end). First write
//! under a held snapshot: 2.2 ms at 10k documents, 37.9 ms at 100k (index maps copied); later writes 2.7 /
//! 4.2 µs p50.

use bson::{doc, Bson, Document};
use sqlmongo::engine::{Engine, EngineOptions};
use std::time::{Duration, Instant};

/// The allocator the `sqlmongo` binary runs on (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/engine_docs.rs"]
mod engine_docs;
use engine_docs::session;

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn engine() -> Engine {
    Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    })
}

fn load(e: &Engine, db: &str, coll: &str, n: usize) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(10_000) {
        let docs: Vec<Bson> = chunk.iter().map(|i| Bson::Document(session(*i))).collect();
        e.run_command(db, &doc! {"insert": coll, "documents": docs})
            .expect("insert");
    }
}

fn cursors() {
    let e = engine();
    load(&e, "bench", "s", 1_000);
    let before = rss_bytes();
    let t = Instant::now();
    let mut ids = Vec::new();
    for _ in 0..1_000 {
        let r = e
            .run_command("bench", &doc! {"find": "s", "batchSize": 1})
            .expect("find");
        ids.push(r.get_document("cursor").unwrap().get_i64("id").unwrap());
    }
    let took = t.elapsed();
    let grown = rss_bytes().saturating_sub(before);
    assert_eq!(e.open_cursors(), 1_000);
    println!(
        "1,000 open batchSize-1 find cursors over 1,000 x ~1 KB documents: RSS +{:.1} MB ({} bytes per cursor), opened in {took:?}",
        grown as f64 / 1e6,
        grown / 1_000
    );
    drop(ids);
}

fn percentiles(mut v: Vec<Duration>) -> String {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    format!(
        "p50 {:?} p99 {:?} max {:?}",
        at(0.5),
        at(0.99),
        v[v.len() - 1]
    )
}

fn insert_latencies(e: &Engine, db: &str, coll: &str, base: i64, n: i64) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            let t = Instant::now();
            e.run_command(
                db,
                &doc! {"insert": coll, "documents": [{"_id": base + i, "k": i}]},
            )
            .expect("insert");
            t.elapsed()
        })
        .collect()
}

fn long_aggregate() -> Document {
    doc! {"aggregate": "big", "pipeline": [
        {"$lookup": {"from": "big", "let": {"k": "$k"}, "pipeline": [
            {"$match": {"$expr": {"$lt": ["$k", "$$k"]}}}, {"$count": "n"}], "as": "below"}},
        {"$group": {"_id": null, "n": {"$sum": 1}}},
    ], "cursor": {}, "maxTimeMS": 4_000}
}

fn insert_latency() {
    let e = engine();
    let docs: Vec<Document> = (0..4_000i64).map(|i| doc! {"_id": i, "k": i}).collect();
    e.run_command("app", &doc! {"insert": "big", "documents": docs})
        .unwrap();
    const N: i64 = 2_000;
    let quiet = [
        (
            "same collection",
            insert_latencies(&e, "app", "big", 1_000_000, N),
        ),
        (
            "other collection",
            insert_latencies(&e, "app", "other", 0, N),
        ),
        ("other database", insert_latencies(&e, "db2", "c", 0, N)),
    ];
    let agg = {
        let e = e.clone();
        std::thread::spawn(move || {
            let t = Instant::now();
            let r = e.run_command("app", &long_aggregate());
            (t.elapsed(), r.map(|_| ()).map_err(|err| err.code))
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    let busy = [
        (
            "same collection",
            insert_latencies(&e, "app", "big", 2_000_000, N),
        ),
        (
            "other collection",
            insert_latencies(&e, "app", "other", 100_000, N),
        ),
        (
            "other database",
            insert_latencies(&e, "db2", "c", 100_000, N),
        ),
    ];
    let (ran, outcome) = agg.join().unwrap();
    for ((what, q), (_, b)) in quiet.into_iter().zip(busy) {
        println!(
            "insert into the {what}: quiet {}; during the aggregate {}",
            percentiles(q),
            percentiles(b)
        );
    }
    println!("the aggregate ran {ran:?} ({outcome:?}: 50 = stopped by its maxTimeMS of 4 s)");
}

fn write_under_snapshot(n: usize) {
    let e = engine();
    load(&e, "bench", "s", n);
    let base = 10_000_000i64;
    let quiet = insert_latencies(&e, "bench", "s", base, 200);
    // A reader holds a snapshot of the collection for as long as its aggregate runs (stopped at 3 s).
    let reader = {
        let e = e.clone();
        std::thread::spawn(move || {
            e.run_command(
                "bench",
                &doc! {"aggregate": "s", "pipeline": [
                    {"$group": {"_id": null, "x": {"$sum": {"$size": {"$range": [0, 5_000]}}}}}
                ], "cursor": {}, "maxTimeMS": 3_000},
            )
            .map(|_| ())
            .map_err(|err| err.code)
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    insert_latencies(&e, "bench", "s", base + 1_000, 1);
    let first = t.elapsed();
    let later = insert_latencies(&e, "bench", "s", base + 2_000, 200);
    let still_reading = !reader.is_finished();
    let _ = reader.join();
    println!(
        "n = {n}: insert with no reader {}; while a reader holds a snapshot (reader still running: {still_reading}): first insert {first:?} (copies the collection), later ones {}",
        percentiles(quiet),
        percentiles(later)
    );
}

fn main() {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("SQLMONGO_BENCH_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if bench_mode { 100_000 } else { 2_000 });
    cursors();
    if !bench_mode {
        return;
    }
    insert_latency();
    write_under_snapshot(n / 10);
    write_under_snapshot(n);
}
