//! The typed library API on a point lookup (`SELECT ... WHERE session_id = $1` over a unique index) on the
//! embedded engine, at n and 10n sessions: `client.sql(text).bind(id).as_::<T>().fetch_one()` with the
//! statement cache (the default) and without it (`with_statement_cache_capacity(0)`: parse + translate on
//! every call), next to a `PreparedStatement` (translated once by hand) and the untyped `Client::query`.
//!
//! `cargo bench --bench library` (SQLMONGO_BENCH_N sets n, default 10 000).
//!
//! Measured 2026-12-04 on the shared 2-core machine (load ~3-5; criterion point estimates), n = 10k / 100k:
//! sql_fetch_one_cached 11.0 / 12.0 µs, sql_fetch_one_uncached 28.2 / 35.6 µs, prepared_query 11.7 / 12.2 µs,
//! client_query_untyped 27.9 / 29.5 µs: the cache takes the ~17-23 µs of parse + translate off each call and
//! puts the typed builder at the cost of a hand-prepared statement (serde decoding included).
//! An earlier run under load ~11: 17.5 / 25.5, 59.0 / 51.4, 25.9 / 12.4, 58.3 / 30.7 µs.

use criterion::{criterion_group, criterion_main, Criterion};
use serde::Deserialize;
use sqlmongo::Client;
use std::hint::black_box;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Session {
    user_id: i64,
    session_data: bson::Document,
}

const LOOKUP: &str = "SELECT user_id, session_data FROM user_sessions WHERE session_id = $1";

fn seed(rt: &tokio::runtime::Runtime, n: usize) -> Client {
    let client = Client::embedded();
    rt.block_on(async {
        client
            .sql("CREATE UNIQUE INDEX sid ON user_sessions (session_id)")
            .execute()
            .await
            .expect("index");
        for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
            let values: Vec<String> = chunk
                .iter()
                .map(|i| {
                    format!("('s{i}', {i}, '{{\"theme\": \"dark\", \"cart\": [1, 2]}}'::jsonb)")
                })
                .collect();
            client
                .sql(format!(
                    "INSERT INTO user_sessions (session_id, user_id, session_data) VALUES {}",
                    values.join(", ")
                ))
                .execute()
                .await
                .expect("seed");
        }
    });
    client
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("SQLMONGO_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for size in [n, 10 * n] {
        let cached = seed(&rt, size);
        let uncached = cached.with_statement_cache_capacity(0);
        let prepared = cached.prepare(LOOKUP).expect("prepare");
        let mut g = c.benchmark_group(format!("point_lookup_{size}"));
        g.sample_size(30)
            .warm_up_time(std::time::Duration::from_secs(1))
            .measurement_time(std::time::Duration::from_secs(3));
        let mut i = 0usize;
        let mut next_id = move || {
            i = (i + 7919) % size;
            format!("s{i}")
        };
        g.bench_function("sql_fetch_one_cached", |b| {
            b.iter(|| {
                let id = next_id();
                let s: Session = rt
                    .block_on(cached.sql(LOOKUP).bind(&id).as_().fetch_one())
                    .expect("row");
                black_box(s)
            })
        });
        g.bench_function("sql_fetch_one_uncached", |b| {
            b.iter(|| {
                let id = next_id();
                let s: Session = rt
                    .block_on(uncached.sql(LOOKUP).bind(&id).as_().fetch_one())
                    .expect("row");
                black_box(s)
            })
        });
        g.bench_function("prepared_query", |b| {
            b.iter(|| {
                let id = next_id();
                black_box(rt.block_on(prepared.query(&[id.into()])).expect("rows"))
            })
        });
        g.bench_function("client_query_untyped", |b| {
            b.iter(|| {
                let id = next_id();
                black_box(
                    rt.block_on(cached.query(LOOKUP, &[id.into()]))
                        .expect("rows"),
                )
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
