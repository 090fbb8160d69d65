//! Memory per stored document: loads N session documents of about 1 KB (the engine bench's generator) into the
//! embedded engine and reports resident memory growth per document (Linux `/proc/self/statm`). Target: under
//! 2 KB per 1 KB document. `cargo bench --bench memory` (N = 100k; `SQLMONGO_BENCH_DOCS` overrides).

use bson::{doc, Bson};
use sqlmongo::engine::{Engine, EngineOptions};

/// The allocator the `sqlmongo` binary runs on (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/engine_docs.rs"]
mod engine_docs;

/// Documents per insert command (a transient copy of one batch stays in the allocator after it is freed).
const BATCH: usize = 1_000;

fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn main() {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("SQLMONGO_BENCH_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if bench_mode { 100_000 } else { 2_000 });
    let bson_size: usize = (0..n.min(1000))
        .map(|i| engine_docs::session(i).to_vec().map_or(0, |v| v.len()))
        .sum::<usize>()
        / n.clamp(1, 1000);
    let e = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    let before = rss_bytes();
    for start in (0..n).step_by(BATCH) {
        let docs: Vec<Bson> = (start..(start + BATCH).min(n))
            .map(|i| Bson::Document(engine_docs::session(i)))
            .collect();
        if let Err(err) = e.run_command(
            "bench",
            &doc! {"insert": "user_sessions", "documents": docs},
        ) {
            eprintln!("insert failed: {err}");
            std::process::exit(1);
        }
    }
    let after = rss_bytes();
    match (before, after) {
        (Some(b), Some(a)) => {
            let per_doc = a.saturating_sub(b) as f64 / n as f64;
            println!(
                "memory: {n} documents of {bson_size} B (BSON): {:.0} B resident per document ({:.2}x the BSON size)",
                per_doc,
                per_doc / bson_size.max(1) as f64
            );
        }
        _ => println!("memory: /proc/self/statm is not available on this system"),
    }
}
