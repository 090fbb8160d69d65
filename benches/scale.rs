//! Complexity of the engine's collection-shaped algorithms: each case runs at `n` and `10n` and prints the
//! time of both and their ratio (about 10 for a linear algorithm, about 12-13 for n log n, 100 for a
//! quadratic one). Cases: `$unwind` of one array, `$addToSet` (COUNT(DISTINCT)), STRING_AGG's `$push` +
//! `$reduce`/`$concat` join, `$setWindowFields` (running, whole-partition, sliding documents, range,
//! `$denseRank`), `$sort` + `$limit` (top-k) and `$group` with all-distinct keys (with the peak resident
//! memory of the process, Linux `/proc/self/status` VmHWM); string `$sort`, `$match` and `$group` by the simple
//! collation and (`collated_*`) by an ICU one.
//!
//! Each line gives wall and CPU time (of the process: on a shared machine the CPU ratio is the one to read).
//!
//! `cargo bench --bench scale` runs every case; `cargo bench --bench scale -- CASE [N]` one case (at N and
//! 10N), which also makes the VmHWM figure that case's own. Without `--bench` (as `cargo test --all-targets`
//! runs it) every case runs once at a tiny n.

use bson::{doc, Bson, Document};
use sqlmongo::engine::{Engine, EngineOptions};
use std::time::Instant;

/// The allocator the `sqlmongo` binary runs on (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn engine() -> Engine {
    Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    })
}

fn load(e: &Engine, coll: &str, docs: impl Iterator<Item = Document>) {
    let docs: Vec<Bson> = docs.map(Bson::Document).collect();
    for chunk in docs.chunks(10_000) {
        e.run_command("bench", &doc! {"insert": coll, "documents": chunk.to_vec()})
            .expect("insert");
    }
}

fn aggregate(
    e: &Engine,
    coll: &str,
    pipeline: Vec<Document>,
    collation: Option<Document>,
) -> Document {
    let pipeline: Vec<Bson> = pipeline.into_iter().map(Bson::Document).collect();
    let mut cmd = doc! {"aggregate": coll, "pipeline": pipeline, "cursor": {}};
    if let Some(c) = collation {
        cmd.insert("collation", c);
    }
    e.run_command("bench", &cmd).expect("aggregate")
}

/// Rows `{_id: i, k: <k(i)>, s: "s<i>", p: i % parts}` for i in 0..n.
fn rows(n: usize, k: impl Fn(usize) -> Bson, parts: usize) -> impl Iterator<Item = Document> {
    (0..n).map(move |i| {
        doc! {"_id": i as i64, "k": k(i), "s": format!("s{i}"), "p": (i % parts.max(1)) as i64}
    })
}

/// Session-like rows (the PostgreSQL-parity corpus' `user_sessions` columns, scalars only): what a
/// blocking stage of a translated `ORDER BY` or window holds, ~1 KB each as built, ~200 bytes encoded.
fn sessions(n: usize) -> impl Iterator<Item = Document> {
    (0..n).map(move |i| {
        let at = bson::DateTime::from_millis(1_700_000_000_000 + (i as i64 * 7919) % 86_400_000);
        doc! {
            "_id": i as i64,
            "session_id": format!("sess-{:08}", (i * 7919) % 1_000_003),
            "user_id": format!("user-{:05}", i / 4),
            "created_at": at,
            "last_accessed": at,
            "active": i % 3 != 0,
            "ip_address": format!("10.0.{}.{}", i % 250, i % 7),
            "risk_score": (i % 100) as f64 / 100.0,
            "page_views": (i % 50) as i32,
            "login_method": "password",
        }
    })
}

/// The translator's null-ordering key of a column (`{nN: <is null>, sN: <value>}` parts).
fn null_flag(field: &str) -> Bson {
    Bson::Document(
        doc! {"$cond": [{"$eq": [{"$ifNull": [format!("${field}"), null]}, null]}, 1, 0]},
    )
}

fn window(output: Document) -> Vec<Document> {
    vec![
        doc! {"$setWindowFields": {"sortBy": {"k": 1}, "output": output}},
        doc! {"$count": "n"},
    ]
}

/// One case at size n: loads, then times the command (loading is not timed). A `collated_` case is the case
/// of the rest of its name run under `{locale: "en", strength: 2}` (ICU comparisons and sort keys).
/// CPU time of the process so far (the aggregate's own when nothing else runs: robust to other load on a
/// shared machine, where wall times are not).
fn cpu_time() -> f64 {
    // SAFETY: clock_gettime writes the struct it is given.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Runs one case at `n`: (wall seconds, CPU seconds) of its aggregate.
fn run_case(name: &str, n: usize) -> (f64, f64) {
    let e = engine();
    let (name, collation) = match name.strip_prefix("collated_") {
        Some(rest) => (rest, Some(doc! {"locale": "en", "strength": 2})),
        None => (name, None),
    };
    let pipeline: Vec<Document> = match name {
        "unwind" => {
            let arr: Vec<Bson> = (0..n as i64).map(Bson::Int64).collect();
            load(
                &e,
                "c",
                std::iter::once(doc! {"_id": 1, "a": arr, "x": "y"}),
            );
            vec![doc! {"$unwind": "$a"}, doc! {"$count": "n"}]
        }
        "add_to_set" => {
            load(&e, "c", rows(n, |i| Bson::Int64(i as i64), 1));
            vec![
                doc! {"$group": {"_id": null, "s": {"$addToSet": "$k"}}},
                doc! {"$project": {"n": {"$size": "$s"}}},
            ]
        }
        "string_agg" => {
            // The translator's STRING_AGG(s, ',') shape.
            load(&e, "c", rows(n, |i| Bson::Int64(i as i64), 1));
            vec![
                doc! {"$group": {"_id": null, "a": {"$push": {"v": {"$ifNull": ["$s", null]}}}}},
                doc! {"$project": {"j": {"$reduce": {"input": {"$map": {"input": {"$ifNull": ["$a", []]}, "in": "$$this.v"}}, "initialValue": null, "in": {"$cond": [{"$eq": ["$$value", null]}, "$$this", {"$concat": ["$$value", {"$literal": ","}, "$$this"]}]}}}}},
                doc! {"$project": {"n": {"$strLenBytes": "$j"}}},
            ]
        }
        "window_running_sum" => {
            load(&e, "c", rows(n, |i| Bson::Int64(i as i64), 1));
            window(doc! {"r": {"$sum": "$k", "window": {"documents": ["unbounded", "current"]}}})
        }
        "window_partition_sum" => {
            load(&e, "c", rows(n, |i| Bson::Int64(i as i64), 1));
            window(doc! {"r": {"$sum": "$k"}})
        }
        "window_many_partitions" => {
            // `SUM(k) OVER (PARTITION BY p)` with about four rows per partition (sessions per user).
            load(&e, "c", rows(n, |i| Bson::Int64(i as i64), n / 4));
            vec![
                doc! {"$setWindowFields": {"partitionBy": {"p0": {"$ifNull": ["$p", null]}}, "output": {"r": {"$sum": "$k"}}}},
                doc! {"$count": "n"},
            ]
        }
        "window_sliding_sum" => {
            load(&e, "c", rows(n, |i| Bson::Int64(i as i64), 1));
            window(doc! {"r": {"$sum": "$k", "window": {"documents": [-100, 100]}}})
        }
        "window_range_max" => {
            load(&e, "c", rows(n, |i| Bson::Int64(i as i64 / 3), 1));
            window(doc! {"r": {"$max": "$s", "window": {"range": [-50, 0]}}})
        }
        "window_dense_rank" => {
            load(&e, "c", rows(n, |i| Bson::Int64(i as i64 / 3), 1));
            window(doc! {"r": {"$denseRank": {}}})
        }
        "held_sort" => {
            // `SELECT session_id, user_id, page_views, created_at FROM user_sessions ORDER BY session_id
            // DESC` as translated: every row held by the sort (as built, or encoded past the limit).
            load(&e, "c", sessions(n));
            vec![
                doc! {"$project": {"_id": 0, "c0": "$session_id", "c1": "$user_id", "c2": "$page_views",
                "c3": "$created_at", "__n0": null_flag("session_id"), "__s0": "$session_id"}},
                doc! {"$sort": {"__n0": -1, "__s0": -1}},
                doc! {"$unset": ["__n0", "__s0"]},
                doc! {"$group": {"_id": null, "f": {"$first": "$c0"}, "n": {"$sum": 1}}},
            ]
        }
        "held_window" => {
            // `LAG(page_views) OVER (ORDER BY session_id), LEAD(page_views, 2) OVER (...)` as translated:
            // one partition of every row, held by the window stage.
            load(&e, "c", sessions(n));
            vec![
                doc! {"$set": {"__w0k": {"n0": null_flag("session_id"), "s0": {"$ifNull": ["$session_id", null]}}}},
                doc! {"$setWindowFields": {"sortBy": {"__w0k": 1}, "output": {
                "prev": {"$shift": {"output": "$page_views", "by": -1}},
                "next2": {"$shift": {"output": "$page_views", "by": 2}}}}},
                doc! {"$group": {"_id": null, "f": {"$last": "$prev"}, "n": {"$sum": 1}}},
            ]
        }
        "top_k" => {
            load(
                &e,
                "c",
                rows(n, |i| Bson::Int64((i as i64 * 7919) % 1_000_003), 1),
            );
            vec![
                doc! {"$sort": {"k": -1}},
                doc! {"$limit": 10},
                doc! {"$count": "n"},
            ]
        }
        "group_distinct" => {
            load(&e, "c", rows(n, |i| Bson::String(format!("key-{i}")), 1));
            vec![
                doc! {"$group": {"_id": "$k", "c": {"$sum": 1}}},
                doc! {"$count": "n"},
            ]
        }
        "sort_strings" => {
            load(
                &e,
                "c",
                rows(
                    n,
                    |i| Bson::String(format!("Key-{}", (i * 7919) % 1_000_003)),
                    1,
                ),
            );
            vec![
                doc! {"$sort": {"k": 1}},
                doc! {"$group": {"_id": null, "f": {"$first": "$k"}, "n": {"$sum": 1}}},
            ]
        }
        "match_strings" => {
            load(&e, "c", rows(n, |i| Bson::String(format!("key-{i}")), 1));
            vec![doc! {"$match": {"k": "KEY-5"}}, doc! {"$count": "n"}]
        }
        other => panic!("unknown case {other}"),
    };
    let (t, cpu) = (Instant::now(), cpu_time());
    let r = aggregate(&e, "c", pipeline, collation);
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_time() - cpu;
    std::hint::black_box(r);
    (secs, cpu)
}

fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

const CASES: &[(&str, usize)] = &[
    ("unwind", 2_000),
    ("add_to_set", 8_000),
    ("string_agg", 8_000),
    ("window_running_sum", 1_000),
    ("window_partition_sum", 1_000),
    ("window_many_partitions", 10_000),
    ("window_sliding_sum", 10_000),
    ("window_range_max", 1_000),
    ("window_dense_rank", 1_000),
    ("held_sort", 10_000),
    ("held_window", 10_000),
    ("top_k", 100_000),
    ("group_distinct", 100_000),
    ("sort_strings", 100_000),
    ("match_strings", 100_000),
    ("collated_group_distinct", 100_000),
    ("collated_sort_strings", 100_000),
    ("collated_match_strings", 100_000),
];

fn main() {
    // the allocator settings of the `sqlmongo` binary (src/cli/allocator.rs)
    sqlmongo::cli::allocator::tune();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench_mode = args.iter().any(|a| a == "--bench");
    let rest: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let selected: Vec<(String, usize)> = match rest.first() {
        Some(name) => {
            let n = rest
                .get(1)
                .and_then(|s| s.parse().ok())
                .or_else(|| CASES.iter().find(|c| c.0 == name.as_str()).map(|c| c.1))
                .unwrap_or(1_000);
            vec![(name.to_string(), n)]
        }
        None => CASES.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
    };
    for (name, n) in selected {
        if !bench_mode {
            let _ = run_case(&name, 50);
            continue;
        }
        let (a, a_cpu) = run_case(&name, n);
        let (b, b_cpu) = run_case(&name, n * 10);
        println!(
            "{name:<22} n={n:<9} {:>10.4} s   10n={:<9} {:>10.4} s   ratio {:>6.1}   CPU {:.4} / {:.4} s ratio {:>6.1}   peak RSS {:.0} MB",
            a,
            n * 10,
            b,
            b / a,
            a_cpu,
            b_cpu,
            b_cpu / a_cpu.max(1e-9),
            peak_rss_mb().unwrap_or(0.0)
        );
    }
}
