//! Durable store measurements (`cargo bench --bench durability`; plain timings, no criterion: each figure
//! is one run of a fixed workload). Prints: this machine's fsync time; durable single-document inserts/s
//! (`j: true`) with 1 and 32 concurrent clients and the fsyncs they shared (group commit); `j: false`
//! inserts/s against the in-memory engine; recovery time (journal replay and checkpoint load) and bytes on
//! disk per session document at 100k sessions (and 1M with `SQLMONGO_BENCH_1M=1`); point lookups/s with and
//! without `--data`. `SQLMONGO_BENCH_RECOVERY_ONLY=1`: only the journal-replay / checkpoint-load comparison
//! (wall and CPU time). `SQLMONGO_BENCH_INSERTS_ONLY=1`: only the fsync time and the insert rates;
//! `SQLMONGO_BENCH_CLIENTS=1,32` the client counts measured, `SQLMONGO_BENCH_REPEAT=N` each insert figure
//! measured N times (the machine is shared: compare figures of one run); `SQLMONGO_BENCH_LOOKUPS_ONLY=1`:
//! only point lookups over 100k sessions, per second of wall and of CPU time.
//! `SQLMONGO_BENCH_CHECKPOINT_ONLY=1`: only the checkpoint after 1,000 updates over 100k and 1M sessions,
//! incremental and full, and the reopen after four more such rounds (recovery from a chain of incremental
//! checkpoints against one full checkpoint). `SQLMONGO_BENCH_PREALLOC=BYTES`: the journal's largest preallocation step (`0`: none, every flush
//! appends; default `DurableOptions`'), to compare both in one run. `SQLMONGO_BENCH_DURABLE_FIRST=1`: the
//! `j: false` figure's durable run before its in-memory one (both send the same `writeConcern`).
//! `SQLMONGO_BENCH_JFALSE_ONLY=1`: only the `j: false` figures; `SQLMONGO_BENCH_PER=N`: inserts per client
//! in them (default 20,000 with 1 client, 2,000 with more: 10x that measures through checkpoints);
//! `SQLMONGO_BENCH_N=N` with `CHECKPOINT_ONLY`: only `N` sessions; `SQLMONGO_BENCH_REOPENS=N`: each reopen
//! timed `N` times (the reopens are alike: their spread is the machine's noise).
//! `SQLMONGO_BENCH_SLICES=N`: each `j: false` figure measured in `N` alternating slices of both sides
//! (robust to the machine's load changing during a run; the default, 1, runs each side whole); with
//! `SQLMONGO_BENCH_REPEAT=N` (N >= 2) a summary per client count gives the median ratio and its spread.
//! `SQLMONGO_BENCH_SIDE=memory|durable`: that run alone (to profile one side, e.g. under `perf record`);
//! `SQLMONGO_BENCH_FLUSH_BYTES=BYTES`: the journal's `flush_bytes` (`0`: flushed only every interval);
//! `SQLMONGO_BENCH_DIRECT=BYTES`: its `direct_write_bytes` (`0`: every flush through the page cache);
//! `SQLMONGO_BENCH_DIRECT_CHECKPOINTS=1`: checkpoint files written directly too.
//!
//! The `j: false` figure (default mode): per repetition one run of each side on a fresh engine, the order
//! alternating from one repetition to the next; each line gives both rates, the CPU per insert of both
//! sides (its system part, the journal thread's), context switches and page faults per 1,000 inserts; with
//! `SQLMONGO_BENCH_REPEAT=N` (N >= 2) a summary per client count follows: the median durable / in-memory
//! ratio with its minimum and maximum, and the median of each figure.

#[path = "support/engine_docs.rs"]
mod engine_docs;
#[path = "support/jfalse_run.rs"]
mod jfalse_run;

use jfalse_run::{jfalse_run, JfalseRun};

use bson::{doc, rawdoc, Document};
use sqlmongo::engine::storage::durable::{DurableOptions, DurableStorage};
use sqlmongo::engine::{Engine, EngineOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn temp(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("sqlmongo-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

fn durable(dir: &Path) -> (Engine, Arc<DurableStorage>) {
    // A dropped engine releases the directory once a checkpoint its thread is writing has finished.
    let deadline = Instant::now() + Duration::from_secs(60);
    let storage = loop {
        match DurableStorage::open(dir, options()) {
            Ok(s) => break Arc::new(s),
            Err(e) if e.code == 98 && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(e) => panic!("open: {e}"),
        }
    };
    let engine = Engine::try_with_options(EngineOptions {
        ttl_monitor_interval: None,
        storage: storage.clone(),
        ..EngineOptions::default()
    })
    .expect("engine");
    (engine, storage)
}

/// The store's options: the defaults, with `SQLMONGO_BENCH_PREALLOC` as the preallocation step.
fn options() -> DurableOptions {
    let mut opts = DurableOptions::default();
    if let Some(b) = std::env::var("SQLMONGO_BENCH_PREALLOC")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        opts.journal_preallocation = b;
    }
    if let Some(b) = std::env::var("SQLMONGO_BENCH_DIRECT")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        opts.direct_write_bytes = b;
    }
    if std::env::var("SQLMONGO_BENCH_DIRECT_CHECKPOINTS").is_ok_and(|v| v == "1") {
        opts.direct_checkpoints = true;
    }
    if let Some(b) = std::env::var("SQLMONGO_BENCH_FLUSH_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        opts.flush_bytes = b;
    }
    opts
}

fn memory() -> Engine {
    Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    })
}

/// This machine's time for a 1 KB write and its `fdatasync`: appended (the file grows: its size is made
/// durable too) and over zeros written (and synced) before, as the preallocated journal writes.
fn fsync_time(dir: &Path) -> (Duration, Duration) {
    use std::io::Write;
    use std::os::unix::fs::FileExt;
    std::fs::create_dir_all(dir).unwrap();
    let block = vec![7u8; 1024];
    let n = 200;
    let mut f = std::fs::File::create(dir.join("fsync-probe")).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        f.write_all(&block).unwrap();
        f.sync_data().unwrap();
    }
    let append = t.elapsed() / n;
    let f = std::fs::File::create(dir.join("fsync-probe-zeros")).unwrap();
    f.write_all_at(&vec![0u8; n as usize * 1024], 0).unwrap();
    f.sync_data().unwrap();
    let t = Instant::now();
    for i in 0..n {
        f.write_all_at(&block, u64::from(i) * 1024).unwrap();
        f.sync_data().unwrap();
    }
    (append, t.elapsed() / n)
}

/// `clients` threads insert `per_client` session documents each with `wc`; returns inserts/s.
fn insert_rate(e: &Engine, clients: usize, per_client: usize, wc: Option<Document>) -> f64 {
    insert_rate_from(e, clients, 0..per_client, wc)
}

/// [`insert_rate`] of the documents numbered `ids` of each client (a run in slices inserts the next ones
/// each time).
fn insert_rate_from(
    e: &Engine,
    clients: usize,
    ids: std::ops::Range<usize>,
    wc: Option<Document>,
) -> f64 {
    let per_client = ids.len();
    let t = Instant::now();
    std::thread::scope(|s| {
        for c in 0..clients {
            let e = e.clone();
            let wc = wc.clone();
            let ids = ids.clone();
            s.spawn(move || {
                for i in ids {
                    let mut d = engine_docs::session(c * 10_000_000 + i);
                    d.insert("_id", format!("c{c}-{i}"));
                    let mut cmd = doc! {"insert": "user_sessions", "documents": [d]};
                    if let Some(wc) = &wc {
                        cmd.insert("writeConcern", wc.clone());
                    }
                    e.run_command("app", &cmd).expect("insert");
                }
            });
        }
    });
    (clients * per_client) as f64 / t.elapsed().as_secs_f64()
}

fn load(e: &Engine, n: usize) {
    for start in (0..n).step_by(1000) {
        let docs: Vec<Document> = (start..(start + 1000).min(n))
            .map(engine_docs::session)
            .collect();
        e.run_command(
            "app",
            &doc! {"insert": "user_sessions", "documents": docs, "writeConcern": {"j": false}},
        )
        .expect("load");
    }
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Point lookups by `_id` (one thread): lookups per second of wall time and per second of this thread's
/// CPU time (on a shared machine the wall figure falls with the load, the CPU one much less). The commands
/// are built before the clock starts, so the figures are the engine's.
fn lookups_per_sec(e: &Engine, n: usize) -> (f64, f64) {
    let k = 200_000;
    let cmds: Vec<bson::RawDocumentBuf> = (0..k)
        .map(|i| {
            let id = format!("sess-{:08}", (i * 7919) % n);
            rawdoc! {"find": "user_sessions", "filter": {"_id": id}}
        })
        .collect();
    let (t, c) = (Instant::now(), thread_cpu_time());
    for cmd in &cmds {
        let r = e.run_command_raw("app", cmd).expect("find");
        std::hint::black_box(r);
    }
    let (wall, cpu) = (t.elapsed(), thread_cpu_time() - c);
    (
        k as f64 / wall.as_secs_f64(),
        k as f64 / cpu.as_secs_f64().max(1e-9),
    )
}

/// CPU time of the calling thread so far.
fn thread_cpu_time() -> Duration {
    // SAFETY: clock_gettime writes the struct it is given.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Point lookups over `n` sessions in memory and with `--data` (`SQLMONGO_BENCH_LOOKUPS_ONLY=1`).
fn lookups(n: usize) {
    let mem = memory();
    load(&mem, n);
    let dir = temp(&format!("lookups-{n}"));
    let (e, s) = durable(&dir);
    load(&e, n);
    for _ in 0..3 {
        let (mw, mc) = lookups_per_sec(&mem, n);
        let (dw, dc) = lookups_per_sec(&e, n);
        println!(
            "point lookups over {n} sessions: in memory {mw:.0}/s ({mc:.0} per CPU second), --data {dw:.0}/s ({dc:.0} per CPU second)"
        );
    }
    drop(e);
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

/// CPU time (user + system, every thread) of this process so far: on a machine shared with other builds
/// the wall time of a phase grows with the load, its CPU time much less.
fn cpu_time() -> Duration {
    // SAFETY: getrusage writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// System CPU time (every thread) of this process so far: the part of [`cpu_time`] spent in the kernel
/// (page faults, writes, fsyncs).
fn sys_time() -> Duration {
    // SAFETY: getrusage writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    Duration::new(u.ru_stime.tv_sec as u64, u.ru_stime.tv_usec as u32 * 1000)
}

/// Opens `dir` and reports wall and CPU time of the open.
fn timed_open(dir: &Path, opts: DurableOptions) -> (Engine, Arc<DurableStorage>, String) {
    let (t, c) = (Instant::now(), cpu_time());
    let storage = Arc::new(DurableStorage::open(dir, opts).expect("open"));
    let engine = Engine::try_with_options(EngineOptions {
        ttl_monitor_interval: None,
        storage: storage.clone(),
        ..EngineOptions::default()
    })
    .expect("engine");
    let took = format!(
        "{:.2} s wall, {:.2} s CPU",
        t.elapsed().as_secs_f64(),
        (cpu_time() - c).as_secs_f64()
    );
    (engine, storage, took)
}

/// The same `n` sessions recovered record by record from the journal alone (no checkpoint: the path a
/// checkpoint took before its records were loaded in bulk) and from a checkpoint.
fn journal_vs_checkpoint(n: usize) {
    let dir = temp(&format!("jvc-{n}"));
    let no_checkpoints = DurableOptions {
        checkpoint_bytes: u64::MAX,
        ..DurableOptions::default()
    };
    {
        let (e, _, _) = timed_open(&dir, no_checkpoints.clone());
        e.run_command(
            "app",
            &doc! {"createIndexes": "user_sessions", "indexes": [
            {"key": {"expires_at": 1}, "name": "expires_at_1", "expireAfterSeconds": 3600},
            {"key": {"user_id": 1}, "name": "user_id_1"}]},
        )
        .expect("indexes");
        load(&e, n);
    }
    let (e, s, journal) = timed_open(&dir, no_checkpoints.clone());
    assert_eq!(s.recovery().checkpoint, None);
    let (t, c) = (Instant::now(), cpu_time());
    e.checkpoint().expect("checkpoint");
    let write = format!(
        "{:.2} s wall, {:.2} s CPU",
        t.elapsed().as_secs_f64(),
        (cpu_time() - c).as_secs_f64()
    );
    drop(e);
    drop(s);
    let (_e, s, ckpt) = timed_open(&dir, no_checkpoints);
    assert_eq!(s.recovery().checkpoint_records as usize, n);
    println!(
        "{n} sessions (3 indexes): journal replay record by record {journal}; checkpoint write {write}; checkpoint load (bulk index build) {ckpt}"
    );
    drop(_e);
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

fn recovery(n: usize) {
    let dir = temp(&format!("recovery-{n}"));
    {
        let (e, _) = durable(&dir);
        e.run_command(
            "app",
            &doc! {"createIndexes": "user_sessions", "indexes": [
            {"key": {"expires_at": 1}, "name": "expires_at_1", "expireAfterSeconds": 3600},
            {"key": {"user_id": 1}, "name": "user_id_1"}]},
        )
        .expect("indexes");
        let t = Instant::now();
        load(&e, n);
        println!(
            "load {n} sessions (j:false, batches of 1000): {:.2} s",
            t.elapsed().as_secs_f64()
        );
    }
    let journal = dir_bytes(&dir);
    let t = Instant::now();
    let (e, s) = durable(&dir);
    let replay = t.elapsed();
    let replayed = s.recovery().journal_commits;
    let from_ckpt = s.recovery().checkpoint_records;
    let t = Instant::now();
    e.checkpoint().expect("checkpoint");
    let ckpt_write = t.elapsed();
    drop(e);
    drop(s);
    let ckpt = dir_bytes(&dir);
    let t = Instant::now();
    let (e, s) = durable(&dir);
    let ckpt_load = t.elapsed();
    assert_eq!(s.recovery().checkpoint_records as usize, n);
    println!(
        "recovery at {n} sessions (3 indexes): {from_ckpt} from a checkpoint taken during the load + {replayed} journal commits in {:.2} s ({:.0} B/session on disk), checkpoint write {:.2} s, checkpoint load {:.2} s ({:.0} B/session on disk)",
        replay.as_secs_f64(),
        journal as f64 / n as f64,
        ckpt_write.as_secs_f64(),
        ckpt_load.as_secs_f64(),
        ckpt as f64 / n as f64
    );
    let mem = memory();
    load(&mem, n);
    let ((mw, mc), (dw, dc)) = (lookups_per_sec(&mem, n), lookups_per_sec(&e, n));
    println!(
        "point lookups over {n} sessions: in memory {mw:.0}/s ({mc:.0} per CPU second), --data {dw:.0}/s ({dc:.0} per CPU second)"
    );
    drop(e);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The checkpoint after 1,000 updates over `n` sessions: incremental (the chunks they touched) and full
/// (`incremental_ratio` 0, what every checkpoint wrote before), wall and CPU time and bytes written
/// (`SQLMONGO_BENCH_CHECKPOINT_ONLY=1`).
fn checkpoint_cost(n: usize) {
    let reopens: usize = std::env::var("SQLMONGO_BENCH_REOPENS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    for ratio in [0.5, 0.0] {
        let dir = temp(&format!("ckpt-{n}"));
        let storage = Arc::new(
            DurableStorage::open(
                &dir,
                DurableOptions {
                    checkpoint_bytes: u64::MAX / 2,
                    incremental_ratio: ratio,
                    ..options()
                },
            )
            .expect("open"),
        );
        let e = Engine::try_with_options(EngineOptions {
            ttl_monitor_interval: None,
            storage: storage.clone(),
            ..EngineOptions::default()
        })
        .expect("engine");
        load(&e, n);
        e.checkpoint().expect("checkpoint");
        for i in 0..1000 {
            let id = format!("sess-{:08}", (i * 7919) % n);
            e.run_command(
                "app",
                &doc! {"update": "user_sessions", "updates": [{"q": {"_id": id}, "u": {"$set": {"touched": i as i64}}}]},
            )
            .expect("update");
        }
        let (t, c) = (Instant::now(), cpu_time());
        e.checkpoint().expect("checkpoint");
        let (wall, cpu) = (t.elapsed(), cpu_time() - c);
        let w = storage.checkpoints_written();
        let last = w.last().copied().expect("written");
        println!(
            "checkpoint after 1000 updates over {n} sessions ({}): {:.1} ms wall, {:.1} ms CPU, {} records, {:.2} MB",
            if last.incremental { "incremental" } else { "full" },
            wall.as_secs_f64() * 1e3,
            cpu.as_secs_f64() * 1e3,
            last.records,
            last.bytes as f64 / 1e6
        );
        // Four more rounds of 1,000 updates and a checkpoint, then reopen: recovery from the chain (a full
        // checkpoint and the incremental ones after it) against recovery from one full checkpoint.
        let update = |e: &Engine, round: i64| {
            for i in 0..1000 {
                let id = format!("sess-{:08}", (i * 7919 + round as usize * 104_729) % n);
                e.run_command(
                    "app",
                    &doc! {"update": "user_sessions", "updates": [{"q": {"_id": id}, "u": {"$set": {"touched": round}}}]},
                )
                .expect("update");
            }
        };
        for round in 1..5 {
            update(&e, round);
            e.checkpoint().expect("checkpoint");
        }
        let chain = storage.checkpoints_written().len();
        drop(e);
        drop(storage);
        let opts = DurableOptions {
            checkpoint_bytes: u64::MAX / 2,
            incremental_ratio: ratio,
            ..options()
        };
        for _ in 0..reopens {
            let (e, s, took) = timed_open(&dir, opts.clone());
            assert_eq!(s.recovery().checkpoint_records as usize, n);
            println!(
                "reopen of {n} sessions after {chain} checkpoints ({}): {took}, {} checkpoint files read",
                if ratio > 0.0 {
                    "a full one and incremental ones after it"
                } else {
                    "each full"
                },
                s.recovery().checkpoint_files
            );
            drop(e);
            drop(s);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let env_is = |k: &str| std::env::var(k).is_ok_and(|v| v == "1");
    if env_is("SQLMONGO_BENCH_CHECKPOINT_ONLY") {
        match std::env::var("SQLMONGO_BENCH_N")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            Some(n) => checkpoint_cost(n),
            None => {
                checkpoint_cost(100_000);
                checkpoint_cost(1_000_000);
            }
        }
        return;
    }
    if env_is("SQLMONGO_BENCH_LOOKUPS_ONLY") {
        lookups(100_000);
        return;
    }
    let probe = temp("fsync");
    let (append, over) = fsync_time(&probe);
    println!(
        "fsync on {}: 1 KB append + fdatasync {:.3} ms; 1 KB over preallocated zeros + fdatasync {:.3} ms",
        std::env::temp_dir().display(),
        append.as_secs_f64() * 1e3,
        over.as_secs_f64() * 1e3
    );
    let _ = std::fs::remove_dir_all(&probe);
    let client_counts: Vec<usize> = std::env::var("SQLMONGO_BENCH_CLIENTS")
        .ok()
        .map(|v| v.split(',').filter_map(|c| c.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 32]);
    let repeat: usize = std::env::var("SQLMONGO_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let per_client: Option<usize> = std::env::var("SQLMONGO_BENCH_PER")
        .ok()
        .and_then(|v| v.parse().ok());
    let j_false_only = env_is("SQLMONGO_BENCH_JFALSE_ONLY");
    // The `j: false` runs of each client count, (in memory, durable), for the summary.
    let mut runs: std::collections::BTreeMap<usize, Vec<(JfalseRun, JfalseRun)>> =
        Default::default();
    // The durable / in-memory ratios (%) of the runs in slices of each client count, for their summary.
    let mut sliced: std::collections::BTreeMap<usize, Vec<f64>> = Default::default();
    for _ in 0..if j_false_only { 0 } else { repeat } {
        for &clients in &client_counts {
            let per = if clients == 1 { 2000 } else { 1000 };
            let dir = temp(&format!("j-{clients}"));
            let (e, s) = durable(&dir);
            let before = s.fsyncs();
            let cpu = cpu_time();
            let rate = insert_rate(&e, clients, per, Some(doc! {"w": 1, "j": true}));
            let cpu = cpu_time() - cpu;
            let fsyncs = s.fsyncs() - before;
            println!(
                "durable inserts (j:true), {clients} client(s): {rate:.0}/s ({:.1} commits per fsync, {:.1} us CPU per insert)",
                (clients * per) as f64 / fsyncs.max(1) as f64,
                cpu.as_secs_f64() * 1e6 / (clients * per) as f64
            );
            drop(e);
            drop(s);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    for _ in 0..repeat {
        for &clients in &client_counts {
            let per = per_client.unwrap_or(if clients == 1 { 20_000 } else { 2_000 });
            let in_memory = || {
                let (cpu, sys) = (cpu_time(), sys_time());
                // The same command as the durable run's (the in-memory engine ignores the
                // `writeConcern`, but parses and checks it alike).
                let wc = Some(doc! {"w": 1, "j": false});
                let mem = insert_rate(&memory(), clients, per, wc);
                (mem, cpu_time() - cpu, sys_time() - sys)
            };
            // SQLMONGO_BENCH_DURABLE_FIRST=1: the durable run before the in-memory one (the first of
            // two runs finds the allocator's memory as the previous figure left it).
            let durable_first = env_is("SQLMONGO_BENCH_DURABLE_FIRST");
            // SQLMONGO_BENCH_SIDE=memory|durable: that run alone (to profile one side).
            let side = std::env::var("SQLMONGO_BENCH_SIDE").unwrap_or_default();
            if side == "memory" || side == "durable" {
                let dir = temp(&format!("nj-{clients}"));
                let (rate, cpu, _) = if side == "memory" {
                    in_memory()
                } else {
                    let (e, _s) = durable(&dir);
                    let (cpu, sys) = (cpu_time(), sys_time());
                    let rate = insert_rate(&e, clients, per, Some(doc! {"w": 1, "j": false}));
                    (rate, cpu_time() - cpu, sys_time() - sys)
                };
                println!(
                    "j:false inserts, {clients} client(s), {side} only: {rate:.0}/s, {:.1} us CPU per insert",
                    cpu.as_secs_f64() * 1e6 / (clients * per) as f64
                );
                let _ = std::fs::remove_dir_all(&dir);
                continue;
            }
            // SQLMONGO_BENCH_SLICES=N (N > 1): both sides run in N alternating slices of their inserts
            // into the same two engines, so that a change in the machine's load (other processes on its
            // 2 cores) falls on both alike; the figures are the sums over the slices.
            let slices: usize = std::env::var("SQLMONGO_BENCH_SLICES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            if slices > 1 {
                let dir = temp(&format!("nj-{clients}"));
                let (e, s) = durable(&dir);
                let mem = memory();
                let wc = Some(doc! {"w": 1, "j": false});
                let step = per.div_ceil(slices);
                let mut totals = [(Duration::ZERO, Duration::ZERO, Duration::ZERO); 2];
                for k in 0..slices {
                    let ids = (k * step)..((k + 1) * step).min(per);
                    // The side that goes first alternates too.
                    for side in [k % 2, 1 - k % 2] {
                        let engine = if side == 0 { &mem } else { &e };
                        let (t, cpu, sys) = (Instant::now(), cpu_time(), sys_time());
                        insert_rate_from(engine, clients, ids.clone(), wc.clone());
                        let tot = &mut totals[side];
                        tot.0 += t.elapsed();
                        tot.1 += cpu_time() - cpu;
                        tot.2 += sys_time() - sys;
                    }
                }
                let n = (clients * per) as f64;
                let us = |c: Duration| c.as_secs_f64() * 1e6 / n;
                let [m, d] = totals;
                sliced
                    .entry(clients)
                    .or_default()
                    .push(100.0 * m.0.as_secs_f64() / d.0.as_secs_f64());
                println!(
                    "j:false inserts, {clients} client(s), {slices} alternating slices: {:.0}/s; in memory {:.0}/s ({:.0}%); {:.1} / {:.1} us CPU per insert (system {:.1} / {:.1}); {} checkpoint(s) during the durable run",
                    n / d.0.as_secs_f64(),
                    n / m.0.as_secs_f64(),
                    100.0 * m.0.as_secs_f64() / d.0.as_secs_f64(),
                    us(d.1),
                    us(m.1),
                    us(d.2),
                    us(m.2),
                    s.checkpoints_written().len()
                );
                drop(e);
                drop(s);
                let _ = std::fs::remove_dir_all(&dir);
                continue;
            }
            // The default: one run of each side, in an order that alternates from one repetition to the
            // next (SQLMONGO_BENCH_DURABLE_FIRST=1: the durable one first in the first repetition), each
            // on a fresh engine; the summary after the last repetition gives the median ratio and its
            // spread.
            let rep = runs.entry(clients).or_default();
            let durable_goes_first = (rep.len() % 2 == 1) != durable_first;
            let dir = temp(&format!("nj-{clients}"));
            if rep.is_empty() {
                // A warm-up of each side, not measured: the first run of the process would otherwise
                // pay for growing the allocator's heap.
                jfalse_run(None, clients, per.div_ceil(4));
                jfalse_run(Some(&dir), clients, per.div_ceil(4));
            }
            let (m, d) = if durable_goes_first {
                let d = jfalse_run(Some(&dir), clients, per);
                (jfalse_run(None, clients, per), d)
            } else {
                let m = jfalse_run(None, clients, per);
                (m, jfalse_run(Some(&dir), clients, per))
            };
            println!(
                "j:false inserts, {clients} client(s), {} first: {:.0}/s; in memory {:.0}/s ({:.0}%); {}",
                if durable_goes_first { "durable" } else { "memory" },
                d.rate,
                m.rate,
                100.0 * d.rate / m.rate,
                JfalseRun::compare(&d, &m)
            );
            rep.push((m, d));
        }
    }
    for (clients, ratios) in &mut sliced {
        if ratios.len() < 2 {
            continue;
        }
        ratios.sort_by(f64::total_cmp);
        println!(
            "j:false, {clients} client(s), {} runs in alternating slices: durable/in memory median {:.0}% (min {:.0}%, max {:.0}%)",
            ratios.len(),
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1]
        );
    }
    for (clients, rep) in &runs {
        if rep.len() < 2 {
            continue;
        }
        let mut ratios: Vec<f64> = rep.iter().map(|(m, d)| 100.0 * d.rate / m.rate).collect();
        ratios.sort_by(f64::total_cmp);
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let m = JfalseRun::median(rep.iter().map(|r| &r.0));
        let d = JfalseRun::median(rep.iter().map(|r| &r.1));
        println!(
            "j:false, {clients} client(s), {} runs of {} inserts a side: durable/in memory median {:.0}% (min {:.0}%, max {:.0}%); median rates {:.0}/s / {:.0}/s; medians {}",
            rep.len(),
            rep[0].0.inserts,
            median(ratios.clone()),
            ratios[0],
            ratios[ratios.len() - 1],
            median(rep.iter().map(|r| r.1.rate).collect()),
            median(rep.iter().map(|r| r.0.rate).collect()),
            JfalseRun::compare(&d, &m)
        );
    }
    if env_is("SQLMONGO_BENCH_INSERTS_ONLY") || j_false_only {
        return;
    }
    if std::env::var("SQLMONGO_BENCH_RECOVERY_ONLY").is_ok_and(|v| v == "1") {
        journal_vs_checkpoint(100_000);
        if std::env::var("SQLMONGO_BENCH_1M").is_ok_and(|v| v == "1") {
            journal_vs_checkpoint(1_000_000);
        }
        return;
    }
    recovery(100_000);
    journal_vs_checkpoint(100_000);
    if std::env::var("SQLMONGO_BENCH_1M").is_ok_and(|v| v == "1") {
        recovery(1_000_000);
        journal_vs_checkpoint(1_000_000);
    }
}
