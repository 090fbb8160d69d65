//! Memory per stored document: loads N session documents of about 1 KB (the engine bench's generator) into the
//! embedded engine and reports resident memory growth per document (Linux `/proc/self/statm`). Target: under
//! 2 KB per 1 KB document. `cargo bench --bench memory` (N = 100k; `SQLMONGO_BENCH_DOCS` overrides).
//!
//! Then, per structure, the bytes the allocator holds per document (live bytes asked of the allocator, counted
//! by a wrapper around mimalloc; its size-class rounding is not included): the records with the `_id_` index
//! (the insert), the `_id_` index alone (the same keys again, as a unique `{_id: -1}` index), and one index of
//! each shape a session store has: `user_id` (strings, 20 documents a key), `expires_at` (TTL dates, 14 a key)
//! and `active` (two keys).
//!
//! 2026-12-05, 100k documents of 930 B, bytes per document before -> after the index keys became one exact
//! shared allocation and the entries a persistent set: records 969 -> 969; `_id_` 653 -> 286; `user_id` 120
//! -> 102; `expires_at` 147 -> 114; `active` 69 -> 136 (an entry per record, where a set per key was
//! smaller); all together 1,957 -> 1,607 (2.10x -> 1.73x the BSON size); resident growth 1,900 -> 1,481.

use bson::{doc, Bson, Document};
use sqlmongo::engine::{Engine, EngineOptions};
use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};

/// mimalloc (the allocator the `sqlmongo` binary runs on, src/main.rs), counting the bytes it holds.
struct Counting;

/// Bytes allocated and not yet freed.
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as received.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as received.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as received.
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: forwarded as received.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[path = "support/engine_docs.rs"]
mod engine_docs;

/// Documents per insert command (a transient copy of one batch stays in the allocator after it is freed).
const BATCH: usize = 1_000;

fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn run(e: &Engine, cmd: Document) {
    match e.run_command("bench", &cmd) {
        Ok(r) if r.get("writeErrors").is_none() => {}
        Ok(r) => {
            eprintln!("command failed: {r}");
            std::process::exit(1);
        }
        Err(err) => {
            eprintln!("command failed: {err}");
            std::process::exit(1);
        }
    }
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
    let live_before = live();
    for start in (0..n).step_by(BATCH) {
        let docs: Vec<Bson> = (start..(start + BATCH).min(n))
            .map(|i| Bson::Document(engine_docs::session(i)))
            .collect();
        run(&e, doc! {"insert": "user_sessions", "documents": docs});
    }
    let after = rss_bytes();
    let live_loaded = live();
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
    let per = |bytes: isize| bytes as f64 / n.max(1) as f64;
    let loaded = live_loaded - live_before;
    println!(
        "allocator: records + _id_ index: {:.0} B per document ({:.2}x the BSON size)",
        per(loaded),
        per(loaded) / bson_size.max(1) as f64
    );
    let mut indexes = 0;
    let mut id_index = 0;
    for (name, key, unique) in [
        ("_id_-1", doc! {"_id": -1}, true),
        ("user_id_1", doc! {"user_id": 1}, false),
        ("expires_at_1", doc! {"expires_at": 1}, false),
        ("active_1", doc! {"active": 1}, false),
    ] {
        let at = live();
        let mut spec = doc! {"key": key, "name": name};
        if unique {
            spec.insert("unique", true);
        }
        run(
            &e,
            doc! {"createIndexes": "user_sessions", "indexes": [spec]},
        );
        let took = live() - at;
        if name == "_id_-1" {
            id_index = took;
        } else {
            indexes += took;
        }
        println!("allocator: index {name}: {:.0} B per document", per(took));
    }
    println!(
        "allocator: records alone (less the _id_ index): {:.0} B per document; with the _id_ index and the three \
         secondary indexes: {:.0} B per document ({:.2}x the BSON size)",
        per(loaded - id_index),
        per(loaded + indexes),
        per(loaded + indexes) / bson_size.max(1) as f64
    );
}
