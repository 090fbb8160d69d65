//! Blocking stages in memory against spilled, at n and 10n, and the peak resident memory of a `$group` with
//! many distinct keys. `cargo bench --bench spill` (n = 100k; `SQLMONGO_BENCH_DOCS` overrides).
//!
//! `SQLMONGO_SPILL_RSS=<limit bytes>` instead loads 1M documents (or `SQLMONGO_BENCH_DOCS`) of distinct keys, resets the peak RSS
//! (Linux `/proc/self/clear_refs`), runs the `GROUP BY k` and prints the peak growth over the loaded data
//! (run it once with a limit above the grouping's size, as before the limits existed, and once with the
//! default 100 MB).

//!
//! Measured (release, 2 shared cores, load ~12): 1M distinct keys, whole result kept by the cursor:
//! limit off 3.9 s / peak +748 MB, 100 MB limit (spills) 7.3 s / +600 MB; the output documents (one per
//! group, held by the cursor) dominate what is left. n = 50k / 500k: `$sort` 0.10 / 4.0 s in memory,
//! 0.37 / 3.1 s spilled at 1 MB; `$group` 0.07 / 0.97 s in memory, 0.29 / 2.4 s spilled.

use bson::{doc, Bson, Document};
use sqlmongo::engine::{Engine, EngineOptions};
use std::time::Instant;

/// The allocator the `sqlmongo` binary runs on (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn engine(n: usize) -> Engine {
    let e = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    for start in (0..n).step_by(10_000) {
        let docs: Vec<Bson> = (start..(start + 10_000).min(n))
            .map(|i| {
                let k = (i as u64).wrapping_mul(2_654_435_761) % n as u64;
                Bson::Document(doc! {"_id": i as i64, "k": format!("key-{k:08}"), "v": i as i64, "pad": "p".repeat(40)})
            })
            .collect();
        if let Err(err) = e.run_command("bench", &doc! {"insert": "c", "documents": docs}) {
            eprintln!("insert failed: {err}");
            std::process::exit(1);
        }
    }
    e
}

fn set_limit(e: &Engine, bytes: i64) {
    for name in [
        "internalQueryMaxBlockingSortMemoryUsageBytes",
        "internalDocumentSourceGroupMaxMemoryBytes",
    ] {
        if let Err(err) = e.run_command("admin", &doc! {"setParameter": 1, name: bytes}) {
            eprintln!("setParameter failed: {err}");
            std::process::exit(1);
        }
    }
}

/// Runs the pipeline (results drained through `$count` so the reply is not what is timed); seconds.
fn time(e: &Engine, pipeline: &[Document]) -> f64 {
    let mut stages: Vec<Bson> = pipeline.iter().cloned().map(Bson::Document).collect();
    stages.push(Bson::Document(doc! {"$count": "n"}));
    let t = Instant::now();
    if let Err(err) = e.run_command(
        "bench",
        &doc! {"aggregate": "c", "pipeline": stages, "cursor": {}},
    ) {
        eprintln!("aggregate failed: {err}");
        std::process::exit(1);
    }
    t.elapsed().as_secs_f64()
}

fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn rss_mode(limit: i64) {
    let n: usize = std::env::var("SQLMONGO_BENCH_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let e = engine(n);
    set_limit(&e, limit);
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let base = status_kb("VmRSS:").unwrap_or(0);
    let t = Instant::now();
    // SQLMONGO_SPILL_RSS_COUNT=1: `$count` after the grouping, so only the grouping's own memory counts
    // (otherwise the cursor holds every output document).
    let mut pipeline = vec![doc! {"$group": {"_id": "$k", "n": {"$sum": 1}, "s": {"$sum": "$v"}}}];
    if std::env::var("SQLMONGO_SPILL_RSS_COUNT").is_ok() {
        pipeline.push(doc! {"$count": "n"});
    }
    let reply = e.run_command(
        "bench",
        &doc! {"aggregate": "c", "pipeline": pipeline, "cursor": {"batchSize": 0}},
    );
    let secs = t.elapsed().as_secs_f64();
    let peak = status_kb("VmHWM:").unwrap_or(0);
    if let Err(err) = reply {
        eprintln!("aggregate failed: {err}");
        std::process::exit(1);
    }
    println!(
        "GROUP BY k, {n} distinct keys, limit {limit} B: {secs:.2} s, peak RSS {} MB over the loaded data ({} MB)",
        peak.saturating_sub(base) / 1024,
        base / 1024
    );
}

fn main() {
    if let Some(limit) = std::env::var("SQLMONGO_SPILL_RSS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return rss_mode(limit);
    }
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("SQLMONGO_BENCH_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if bench_mode { 100_000 } else { 2_000 });
    let sort = [doc! {"$sort": {"k": 1}}];
    let group = [
        doc! {"$group": {"_id": "$k", "n": {"$sum": 1}, "s": {"$sum": "$v"}, "f": {"$first": "$v"}}},
    ];
    let spill_limit = 1024 * 1024;
    for size in [n, 10 * n] {
        let e = engine(size);
        set_limit(&e, i64::MAX / 2);
        let (sort_mem, group_mem) = (time(&e, &sort), time(&e, &group));
        set_limit(&e, spill_limit);
        let (sort_spill, group_spill) = (time(&e, &sort), time(&e, &group));
        println!(
            "n = {size}: $sort in memory {sort_mem:.3} s, spilled (1 MB limit) {sort_spill:.3} s; \
             $group ({size} distinct keys) in memory {group_mem:.3} s, spilled {group_spill:.3} s"
        );
    }
}
