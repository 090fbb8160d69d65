//! The tower-sessions store's cost per operation (`cargo bench --no-default-features --features
//! tower-sessions --bench sessions`: the system allocator; plain timings, no criterion: each figure is one run
//! of a fixed workload) on the in-memory engine, at n and 10n stored sessions (n = 10,000;
//! `SQLMONGO_BENCH_N` changes it): `load` (a prepared SELECT by `_id` and `expires_at > NOW()`), `save` (the
//! upsert), `create` (insert-if-absent), and `delete_expired` with 10% of the sessions expired. Loads and
//! saves should cost the same at n and 10n (an `_id` point lookup / upsert).

use serde_json::json;
use sqlmongo::sessions::SqlmongoStore;
use sqlmongo::Client;
use std::time::Instant;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::SessionStore;

fn record(i: usize, minutes: i64) -> Record {
    let data = json!({"user": format!("user{i}"), "counter": i, "cart": [{"sku": "A-1", "qty": 2}], "theme": "dark"});
    let serde_json::Value::Object(map) = data else {
        unreachable!()
    };
    Record {
        id: Id::default(),
        data: map.into_iter().collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes),
    }
}

async fn measure(n: usize) {
    let store = SqlmongoStore::new(Client::embedded()).unwrap();
    store.migrate().await.unwrap();
    let t = Instant::now();
    let mut records = Vec::with_capacity(n);
    for i in 0..n {
        // Every tenth session has expired a minute ago.
        let mut r = record(i, if i % 10 == 0 { -1 } else { 30 });
        store.create(&mut r).await.unwrap();
        records.push(r);
    }
    let create = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    let ops = 10_000.min(n);
    let live: Vec<&Record> = records
        .iter()
        .filter(|r| r.expiry_date > time::OffsetDateTime::now_utc())
        .collect();
    let t = Instant::now();
    for i in 0..ops {
        let r = live[(i * 7919) % live.len()];
        assert!(store.load(&r.id).await.unwrap().is_some());
    }
    let load = t.elapsed().as_secs_f64() * 1e6 / ops as f64;
    let t = Instant::now();
    for i in 0..ops {
        store.save(live[(i * 7919) % live.len()]).await.unwrap();
    }
    let save = t.elapsed().as_secs_f64() * 1e6 / ops as f64;
    let t = Instant::now();
    let deleted = store.delete_expired_count().await.unwrap();
    let sweep = t.elapsed().as_secs_f64() * 1e3;
    println!(
        "n = {n:>7}: create {create:6.1} us, load {load:6.1} us, save {save:6.1} us, \
         delete_expired {sweep:7.1} ms ({deleted} expired)"
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // `cargo test --all-targets` runs benches once in test mode (no `--bench`): keep that quick.
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("SQLMONGO_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench_mode { 10_000 } else { 100 });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        measure(n).await;
        measure(10 * n).await;
    });
}
