//! Embedded engine throughput over generated session documents: point lookup by unique key, insert, update
//! by key (`$set` + `$inc`), and a `$match + $group + $sort` analytics pipeline. The same documents and
//! pipeline are timed in mingo by `oracle/bench_mingo.js` for the ratio. Collection size: 100k documents
//! (`SQLMONGO_BENCH_DOCS` overrides, e.g. 1000000).
//!
//! Figures on the 2-core development machine (a shared VM whose speed varies by up to ~1.7x within a day:
//! compare runs made back to back). 2026-11-23, session 6, criterion medians, on mimalloc (the binary's
//! allocator): at 100k, point lookup by `_id` as BSON bytes 718 ns (1.39M/s; every lookup a different key),
//! the pipeline 14.9 ms (mingo the same hour: median 166.1 ms, minimum 143.0 ms: 11.2x), update by key
//! 13.2 µs, insert 9.7 µs; at 1M, point lookup 888 ns (1.13M/s), the pipeline 133 ms (session 5: 158 ms;
//! mingo 2,375 ms), update 18.0 µs, insert 10.0 µs. Session 5's lookup (4,096 pre-encoded commands cycled,
//! glibc malloc) was 0.94-1.43 µs at 100k and 1.43 µs at 1M. With glibc malloc the lookup over 1M takes
//! ~1.0-1.2 µs of CPU (`malloc` of the ~1.1 KB reply goes through glibc's consolidating bins).

use bson::{doc, Bson, RawDocument};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sqlmongo::engine::{Engine, EngineOptions};
use std::hint::black_box;

/// The allocator the `sqlmongo` binary runs on (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/engine_docs.rs"]
mod engine_docs;
use engine_docs::session;

fn docs_count() -> usize {
    // `cargo test --all-targets` runs benches once in test mode (no `--bench`): keep that quick.
    let default = if std::env::args().any(|a| a == "--bench") {
        100_000
    } else {
        2_000
    };
    std::env::var("SQLMONGO_BENCH_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn loaded(n: usize) -> Engine {
    let e = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    for chunk in (0..n).collect::<Vec<_>>().chunks(10_000) {
        let docs: Vec<Bson> = chunk.iter().map(|i| Bson::Document(session(*i))).collect();
        e.run_command(
            "bench",
            &doc! {"insert": "user_sessions", "documents": docs},
        )
        .expect("insert");
    }
    e.run_command("bench", &doc! {"createIndexes": "user_sessions", "indexes": [{"key": {"user_id": 1}, "name": "user_id_1"}]}).expect("index");
    e
}

fn analytics_pipeline() -> Vec<Bson> {
    vec![
        Bson::Document(doc! {"$match": {"active": true, "risk_score": {"$gte": 0.2}}}),
        Bson::Document(
            doc! {"$group": {"_id": "$login_method", "sessions": {"$sum": 1}, "views": {"$sum": "$page_views"}, "avg_risk": {"$avg": "$risk_score"}, "max_data": {"$max": "$data_transferred"}}},
        ),
        Bson::Document(doc! {"$sort": {"sessions": -1}}),
    ]
}

fn bench(c: &mut Criterion) {
    let n = docs_count();
    let e = loaded(n);
    let mut g = c.benchmark_group(format!("engine_{n}"));
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    g.bench_function("point_lookup_by_id", |b| {
        b.iter(|| {
            i = (i + 7919) % n;
            let r = e.run_command("bench", &doc! {"find": "user_sessions", "filter": {"_id": format!("sess-{i:08}")}, "limit": 1}).expect("find");
            black_box(r)
        })
    });
    // The same lookups as BSON bytes in and out (`run_command_raw`), as a wire server runs them: each command
    // arrives in the server's receive buffer (one buffer, reused, as a connection's is), here by writing the
    // key's digits into it, and the reply stays bytes. Every lookup asks for a different key, stepping through
    // all `n` of them, so the documents and index slots it reads are not in cache.
    let mut buf =
        bson::rawdoc! {"find": "user_sessions", "filter": {"_id": "sess-00000000"}, "limit": 1}
            .into_bytes();
    let digits = buf
        .windows(13)
        .position(|w| w == b"sess-00000000")
        .expect("key in command")
        + 5;
    let mut k = 0usize;
    g.bench_function("point_lookup_by_id_bytes", |b| {
        b.iter(|| {
            k = (k + 7919) % n;
            let mut x = k;
            for d in buf[digits..digits + 8].iter_mut().rev() {
                *d = b'0' + (x % 10) as u8;
                x /= 10;
            }
            let cmd = RawDocument::from_bytes(&buf).expect("command");
            let r = e.run_command_raw("bench", cmd).expect("find");
            black_box(r)
        })
    });
    g.bench_function("update_by_key_set_inc", |b| {
        b.iter(|| {
            i = (i + 7919) % n;
            let r = e
                .run_command("bench", &doc! {"update": "user_sessions", "updates": [{"q": {"_id": format!("sess-{i:08}")}, "u": {"$set": {"last_accessed": bson::DateTime::now()}, "$inc": {"page_views": 1}}}]})
                .expect("update");
            black_box(r)
        })
    });
    // Inserts go to a collection of their own (same indexes), so that the pipeline below still reads `n`
    // documents however many inserts criterion runs.
    e.run_command("bench", &doc! {"createIndexes": "inserted_sessions", "indexes": [{"key": {"user_id": 1}, "name": "user_id_1"}]}).expect("index");
    let mut next = n;
    g.bench_function("insert_one", |b| {
        b.iter_batched(
            || {
                next += 1;
                session(next)
            },
            |d| {
                black_box(
                    e.run_command(
                        "bench",
                        &doc! {"insert": "inserted_sessions", "documents": [d]},
                    )
                    .expect("insert"),
                )
            },
            BatchSize::SmallInput,
        )
    });
    g.sample_size(10);
    let pipeline = analytics_pipeline();
    g.bench_function("match_group_sort_pipeline", |b| {
        b.iter(|| black_box(e.run_command("bench", &doc! {"aggregate": "user_sessions", "pipeline": pipeline.clone(), "cursor": {}}).expect("aggregate")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
