//! PostgreSQL parity bench (issue 12): every read query of the PostgreSQL differential corpus
//! (`tests/oracle_data/pg_queries.sql`, ~480 statements) on the corpus' own data generator scaled up
//! (`tests/pg_oracle/data.rs`), timed on PostgreSQL (one `psql` session, `\timing`) and on sqlmongo's embedded
//! engine (in process, `Client::query`: translate + execute + rows), side by side in one run.
//!
//! Prints per statement both times and their ratio, then the geometric mean of the ratios, the worst ten,
//! the statements over 1 s or over 5x PostgreSQL, the load times of both, and the process's peak resident
//! memory (`VmHWM`) beside the data's BSON size (`dbStats.dataSize`).
//!
//! ```text
//! cargo bench --bench pg_parity -- [--sessions N] [--cache N] [--reps R] [--timeout-secs T] [--only SUBSTR[,SUBSTR...]]
//!     [--skip SUBSTR[,SUBSTR...]] [--key-pools scaled|fixed] [--dump-data FILE]
//! ```
//! `--dump-data FILE`: write the data script (schema + INSERTs) for those sizes to FILE and stop, to profile one
//! statement with `sqlmongo run FILE stmt.sql` (no PostgreSQL needed).
//! `--key-pools`: `scaled` (default) draws user ids, IP addresses and device fingerprints from pools that grow with
//! `--sessions` (about 4 sessions per user, as in a real session store); `fixed` keeps the corpus' 10 users, 12 IPs
//! and 8 fingerprints at any size, where every self-join on them is quadratic in its output (see
//! `data::KeyPools`).
//! `--skip`: leave out the statements whose name contains one of the substrings (e.g. `cte_cross_join_rows`,
//! whose result at 100k sessions is 1.4 billion rows, which neither side returns in any reasonable time).
//! Defaults: 100,000 sessions, 200,000 cache entries, best of 3, 60 s per statement (a statement past it is
//! stopped with `killOp` and reported as a timeout). PostgreSQL comes from the usual `PG*` variables and
//! `SQLMONGO_PSQL` (scripts/test.sh starts one; see README). The bench replaces the `public` schema of that
//! database. Without `--bench` (as `cargo test --all-targets` runs it) it runs once at the corpus' own size
//! (60 sessions), as a smoke test; PostgreSQL missing skips it loudly, and fails it under
//! `SQLMONGO_REQUIRE_ORACLES=1`.

#[allow(dead_code)]
#[path = "../tests/pg_oracle/corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "../tests/pg_oracle/data.rs"]
mod data;
#[allow(dead_code)]
#[path = "../tests/pg_oracle/psql.rs"]
mod psql;

use bson::doc;
use sqlmongo::Client;
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The allocator the `sqlmongo` binary runs on (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Options {
    sessions: usize,
    cache: usize,
    reps: usize,
    timeout: Duration,
    only: Option<String>,
    skip: Option<String>,
    /// Key pools that grow with the row count (`--key-pools scaled`, the default) or the corpus' fixed ones.
    scaled_pools: bool,
    /// `--dump-data FILE`: write the data script there and stop (for profiling `sqlmongo run` on it).
    dump: Option<String>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let bench = args.iter().any(|a| a == "--bench");
    let mut o = if bench {
        Options {
            sessions: 100_000,
            cache: 200_000,
            reps: 3,
            timeout: Duration::from_secs(60),
            only: None,
            skip: None,
            scaled_pools: true,
            dump: None,
        }
    } else {
        Options {
            sessions: 60,
            cache: 40,
            reps: 1,
            timeout: Duration::from_secs(60),
            only: None,
            skip: None,
            scaled_pools: true,
            dump: None,
        }
    };
    let mut i = 1;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        let n = value.replace('_', "").parse::<usize>().ok();
        match (args[i].as_str(), n) {
            ("--sessions", Some(n)) => o.sessions = n,
            ("--cache", Some(n)) => o.cache = n,
            ("--reps", Some(n)) => o.reps = n.max(1),
            ("--timeout-secs", Some(n)) => o.timeout = Duration::from_secs(n as u64),
            ("--only", _) => o.only = Some(value),
            ("--skip", _) => o.skip = Some(value),
            ("--dump-data", _) => o.dump = Some(value),
            ("--key-pools", _) if value == "fixed" || value == "scaled" => {
                o.scaled_pools = value == "scaled"
            }
            (flag, _) if bench && flag.starts_with("--") && flag != "--bench" => {
                eprintln!(
                    "pg_parity: unknown option {flag}\nusage: cargo bench --bench pg_parity -- [--sessions N] [--cache N] \
                     [--reps R] [--timeout-secs T] [--only SUBSTR[,...]] [--skip SUBSTR[,...]] \
                     [--key-pools scaled|fixed] [--dump-data FILE]"
                );
                std::process::exit(2);
            }
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    o
}

/// One statement to time.
struct Stmt {
    id: String,
    sql: String,
}

/// The read-only statements of the corpus (cases with DML are left out: they change the data).
fn statements(only: Option<&str>, skip: Option<&str>) -> Result<Vec<Stmt>, String> {
    let cases = corpus::parse_corpus(&format!(
        "{}\n{}\n{}\n{}\n{}",
        corpus::CORPUS,
        corpus::CORPUS_DIALECT,
        corpus::CORPUS_SCALE,
        corpus::CORPUS_TIME,
        corpus::CORPUS_STMTS
    ))?;
    let mut out = Vec::new();
    for case in cases {
        if case.stmts.iter().any(|s| !psql::is_query(s)) {
            continue;
        }
        if only.is_some_and(|o| !o.split(',').any(|o| case.name.contains(o))) {
            continue;
        }
        if skip.is_some_and(|k| k.split(',').any(|k| case.name.contains(k))) {
            continue;
        }
        let n = case.stmts.len();
        for (k, sql) in case.stmts.into_iter().enumerate() {
            let id = if n == 1 {
                case.name.clone()
            } else {
                format!("{}#{}", case.name, k + 1)
            };
            out.push(Stmt { id, sql });
        }
    }
    Ok(out)
}

/// What one statement did on PostgreSQL.
#[derive(Clone, Copy)]
enum PgTime {
    /// Best of the repetitions, ms.
    Ms(f64),
    /// An error other than the timeout.
    Failed,
    /// Stopped by `statement_timeout` (SQLSTATE 57014).
    Timeout,
}

/// PostgreSQL's time of each statement (best of `reps`, ms), from one `psql` session with `\timing`;
/// a statement PostgreSQL failed or stopped at `timeout` (`statement_timeout`) is told apart.
fn pg_times(stmts: &[Stmt], reps: usize, timeout: Duration) -> Result<Vec<PgTime>, String> {
    const MARK: &str = "@@pg-parity@@";
    let mut script = format!(
        "\\timing on\n\\o /dev/null\nANALYZE;\nSET statement_timeout = {};\n",
        timeout.as_millis()
    );
    for (i, s) in stmts.iter().enumerate() {
        for _ in 0..reps {
            script.push_str(&format!(
                "\\echo {MARK} {i}\n{}\n\\echo {MARK}error {i} :ERROR :SQLSTATE\n",
                s.sql.trim()
            ));
        }
    }
    let mut child = Command::new(psql::psql_path())
        .args(["-X", "-q", "-f", "-"])
        .env("PGTZ", "UTC")
        .env("PGCLIENTENCODING", "UTF8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start psql: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("psql stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(script.as_bytes()));
    let out = child.wait_with_output().map_err(|e| format!("psql: {e}"))?;
    let _ = writer.join();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut best: Vec<Option<f64>> = vec![None; stmts.len()];
    let mut failed = vec![false; stmts.len()];
    let mut timed_out = vec![false; stmts.len()];
    let mut current: Option<usize> = None;
    for line in text.lines() {
        if let Some(rest) = line
            .strip_prefix(MARK)
            .and_then(|r| r.strip_prefix("error "))
        {
            let mut parts = rest.split_whitespace();
            let i: Option<usize> = parts.next().and_then(|i| i.parse().ok());
            if let (Some(i), Some("true")) = (i, parts.next()) {
                failed[i] = true;
                // 57014 query_canceled: the statement_timeout
                timed_out[i] |= parts.next() == Some("57014");
            }
            current = None;
        } else if let Some(rest) = line.strip_prefix(MARK) {
            current = rest.trim().parse().ok();
        } else if let (Some(i), Some(t)) = (current, line.strip_prefix("Time: ")) {
            let ms = t
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok());
            if let Some(ms) = ms {
                best[i] = Some(best[i].map_or(ms, |b: f64| b.min(ms)));
            }
            current = None;
        }
    }
    Ok(best
        .into_iter()
        .zip(failed.into_iter().zip(timed_out))
        .map(|(b, (f, t))| match (b, f, t) {
            (_, _, true) => PgTime::Timeout,
            (Some(ms), false, _) => PgTime::Ms(ms),
            _ => PgTime::Failed,
        })
        .collect())
}

/// What one statement did on sqlmongo.
enum SmTime {
    Ms(f64),
    Failed(String),
    Timeout,
}

/// Stops every running operation of the engine (`killOp` on each `currentOp` entry) when the statement
/// numbered in `running` (0: none) has run for `timeout`. Statements are told apart by their number, so a
/// statement that starts right after a slow one gets its own full `timeout`.
fn watchdog(
    client: Client,
    rt: Arc<tokio::runtime::Runtime>,
    running: Arc<AtomicU64>,
    timeout: Duration,
) {
    std::thread::spawn(move || {
        let mut seen = (0, Instant::now());
        let mut killed = 0;
        loop {
            std::thread::sleep(Duration::from_millis(50));
            if Arc::strong_count(&running) == 1 {
                return;
            }
            let now = running.load(Ordering::Relaxed);
            if now == 0 {
                continue;
            }
            if now != seen.0 {
                seen = (now, Instant::now());
                continue;
            }
            if killed == now || seen.1.elapsed() < timeout {
                continue;
            }
            killed = now;
            let backend = client.backend().clone();
            let _ = rt.block_on(async move {
                let reply = backend
                    .run_command("admin", doc! {"currentOp": 1})
                    .await
                    .ok()?;
                for op in reply.get_array("inprog").ok()? {
                    if let Some(opid) = op.as_document().and_then(|d| d.get("opid")).cloned() {
                        let _ = backend
                            .run_command("admin", doc! {"killOp": 1, "op": opid})
                            .await;
                    }
                }
                Some(())
            });
        }
    });
}

fn peak_rss_mb() -> Option<f64> {
    status_mb("VmHWM:")
}

/// A `/proc/self/status` figure in MB (`VmHWM:` peak, `VmRSS:` current resident memory).
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak (`VmHWM`) to the current resident memory (Linux: `5` written to `clear_refs`), so the peak
/// read after a statement is that statement's own; false where the kernel does not allow it.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn main() -> std::process::ExitCode {
    // the allocator settings of the `sqlmongo` binary (src/cli/allocator.rs)
    sqlmongo::cli::allocator::tune();
    let o = options();
    if let Err(why) = psql::ping() {
        let msg = format!(
            "pg_parity: SKIPPED: PostgreSQL not reachable through `{}`: {why}",
            psql::psql_path()
        );
        eprintln!("{msg}");
        if std::env::var("SQLMONGO_REQUIRE_ORACLES").as_deref() == Ok("1") {
            return std::process::ExitCode::FAILURE;
        }
        return std::process::ExitCode::SUCCESS;
    }
    let stmts = match statements(o.only.as_deref(), o.skip.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pg_parity: bad corpus: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let pools = if o.scaled_pools {
        data::KeyPools::scaled(o.sessions)
    } else {
        data::KeyPools::fixed()
    };
    let data = data::script_scaled(data::SEED, o.sessions, o.cache, &pools);
    if let Some(path) = &o.dump {
        return match std::fs::write(path, &data) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("pg_parity: {path}: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    println!(
        "pg_parity: {} sessions, {} cache entries ({:.1} MB of SQL), {} read statements, best of {}",
        o.sessions,
        o.cache,
        data.len() as f64 / 1e6,
        stmts.len(),
        o.reps
    );

    let t = Instant::now();
    if let Err(e) = psql::load(&data) {
        eprintln!("pg_parity: PostgreSQL rejected the data: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let pg_load = t.elapsed();

    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => Arc::new(rt),
        Err(e) => {
            eprintln!("pg_parity: tokio runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let client = Client::embedded();
    let t = Instant::now();
    if let Err(e) = rt.block_on(client.execute(&data, &[])) {
        eprintln!("pg_parity: sqlmongo rejected the data: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let sm_load = t.elapsed();
    drop(data);
    let data_size = rt
        .block_on(
            client
                .backend()
                .run_command(client.database(), doc! {"dbStats": 1}),
        )
        .ok()
        .and_then(|d| {
            d.get("dataSize")
                .and_then(bson::Bson::as_f64)
                .or_else(|| d.get_i64("dataSize").ok().map(|v| v as f64))
                .or_else(|| d.get_i32("dataSize").ok().map(f64::from))
        })
        .unwrap_or(0.0);
    let resident = status_mb("VmRSS:").unwrap_or(0.0);
    println!(
        "load: PostgreSQL {:.2} s, sqlmongo {:.2} s; data BSON size {:.1} MB; peak RSS after load {:.0} MB, \
         resident after load {resident:.0} MB = {:.2}x the data's BSON size",
        pg_load.as_secs_f64(),
        sm_load.as_secs_f64(),
        data_size / 1e6,
        peak_rss_mb().unwrap_or(0.0),
        resident * 1e6 / data_size.max(1.0)
    );
    let mut overall_peak = peak_rss_mb().unwrap_or(0.0);
    let mut stmt_peaks: Vec<(f64, &str, usize)> = Vec::new();

    let pg = match pg_times(&stmts, o.reps, o.timeout) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("pg_parity: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };

    let running = Arc::new(AtomicU64::new(0));
    let mut number = 0;
    watchdog(client.clone(), rt.clone(), running.clone(), o.timeout);
    let mut sm = Vec::with_capacity(stmts.len());
    for s in &stmts {
        let mut best: Option<f64> = None;
        let mut outcome = None;
        let mut returned = 0;
        let peak_reset = reset_peak_rss();
        for _ in 0..o.reps {
            number += 1;
            running.store(number, Ordering::Relaxed);
            let t = Instant::now();
            let r = rt.block_on(client.query(&s.sql, &[]));
            let ms = t.elapsed().as_secs_f64() * 1e3;
            running.store(0, Ordering::Relaxed);
            match r {
                Ok(rows) => {
                    returned = rows.rows.len();
                    best = Some(best.map_or(ms, |b| b.min(ms)))
                }
                Err(e) if ms >= o.timeout.as_secs_f64() * 1e3 => {
                    let _ = e;
                    outcome = Some(SmTime::Timeout);
                    break;
                }
                Err(e) => {
                    outcome = Some(SmTime::Failed(e.to_string()));
                    break;
                }
            }
        }
        let outcome = outcome.unwrap_or(SmTime::Ms(best.unwrap_or(0.0)));
        if let Some(peak) = peak_rss_mb() {
            overall_peak = overall_peak.max(peak);
            if peak_reset {
                stmt_peaks.push((peak, &s.id, returned));
            }
        }
        // progress as it goes (a long run stopped early still shows what it measured)
        let i = sm.len();
        match (&outcome, pg[i]) {
            (SmTime::Ms(m), PgTime::Ms(p)) => {
                eprintln!("  {:<46} PG {p:>10.3} ms  sqlmongo {m:>10.3} ms", s.id)
            }
            (SmTime::Ms(m), PgTime::Failed) => {
                eprintln!("  {:<46} PG failed      sqlmongo {m:>10.3} ms", s.id)
            }
            (SmTime::Ms(m), PgTime::Timeout) => {
                eprintln!("  {:<46} PG timed out   sqlmongo {m:>10.3} ms", s.id)
            }
            (SmTime::Timeout, PgTime::Timeout) => {
                eprintln!("  {:<46} both timed out", s.id)
            }
            (SmTime::Timeout, _) => eprintln!("  {:<46} sqlmongo timed out", s.id),
            (SmTime::Failed(e), _) => eprintln!("  {:<46} sqlmongo failed: {e}", s.id),
        }
        sm.push(outcome);
    }
    drop(running);

    report(&stmts, &pg, &sm);
    println!(
        "peak RSS {overall_peak:.0} MB = {:.2}x the data's BSON size",
        overall_peak * 1e6 / data_size.max(1.0)
    );
    // Which statements drove the peak (each one's own peak: the result rows `Client::query` returns are
    // part of it, as they are of a caller's memory).
    stmt_peaks.sort_by(|a, b| b.0.total_cmp(&a.0));
    if !stmt_peaks.is_empty() {
        println!("highest peak RSS per statement (MB, rows returned):");
        for (peak, id, rows) in stmt_peaks.iter().take(10) {
            println!("  {id:<46} {peak:>8.0} MB  {rows:>10} rows");
        }
    }
    if std::env::args().any(|a| a == "--bench") {
        std::process::ExitCode::SUCCESS
    } else {
        // as a smoke test: every statement ran on both sides
        let failed = sm.iter().filter(|s| !matches!(s, SmTime::Ms(_))).count()
            + pg.iter().filter(|p| !matches!(p, PgTime::Ms(_))).count();
        if failed == 0 {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        }
    }
}

fn report(stmts: &[Stmt], pg: &[PgTime], sm: &[SmTime]) {
    let mut ratios: Vec<(f64, &str, f64, f64)> = Vec::new();
    let mut problems: HashMap<&str, String> = HashMap::new();
    println!(
        "{:<48} {:>11} {:>11} {:>8}",
        "statement", "PG ms", "sqlmongo ms", "ratio"
    );
    for ((s, p), m) in stmts.iter().zip(pg).zip(sm) {
        match (p, m) {
            (PgTime::Ms(p), SmTime::Ms(m)) => {
                // sub-0.05 ms timings are at psql's resolution: floor both at 0.05 ms
                let r = m.max(0.05) / p.max(0.05);
                ratios.push((r, &s.id, *p, *m));
                println!("{:<48} {:>11.3} {:>11.3} {:>8.2}", s.id, p, m, r);
            }
            (_, SmTime::Failed(e)) => {
                problems.insert(&s.id, format!("sqlmongo failed: {e}"));
            }
            // Past the timeout on both sides (e.g. a join of the generator's few distinct keys, ~10^9 rows
            // at 100k sessions): nothing to compare, and not a sqlmongo defect.
            (PgTime::Timeout, SmTime::Timeout) => {
                problems.insert(&s.id, "both timed out".into());
            }
            (_, SmTime::Timeout) => {
                problems.insert(&s.id, "sqlmongo timed out".into());
            }
            (PgTime::Timeout, SmTime::Ms(m)) => {
                problems.insert(&s.id, format!("PostgreSQL timed out; sqlmongo {m:.1} ms"));
            }
            (PgTime::Failed, _) => {
                problems.insert(&s.id, "PostgreSQL failed".into());
            }
        }
    }
    let n = ratios.len().max(1) as f64;
    let geo = (ratios.iter().map(|r| r.0.ln()).sum::<f64>() / n).exp();
    let pg_total: f64 = ratios.iter().map(|r| r.2).sum();
    let sm_total: f64 = ratios.iter().map(|r| r.3).sum();
    println!(
        "\n{} statements compared: geometric mean of sqlmongo/PostgreSQL {:.2}x; total PostgreSQL {:.0} ms, sqlmongo {:.0} ms",
        ratios.len(),
        geo,
        pg_total,
        sm_total
    );
    ratios.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("worst ten:");
    for (r, id, p, m) in ratios.iter().take(10) {
        println!("  {id:<46} {r:>8.2}x  (PostgreSQL {p:.2} ms, sqlmongo {m:.2} ms)");
    }
    let over: Vec<_> = ratios
        .iter()
        .filter(|r| r.0 > 5.0 || r.3 > 1000.0)
        .collect();
    println!("over 5x PostgreSQL or over 1 s: {}", over.len());
    for (r, id, p, m) in over {
        println!("  {id:<46} {r:>8.2}x  (PostgreSQL {p:.2} ms, sqlmongo {m:.2} ms)");
    }
    let mut problems: Vec<_> = problems.into_iter().collect();
    problems.sort();
    let tally = |what: &str| problems.iter().filter(|(_, w)| w.starts_with(what)).count();
    println!(
        "not compared: {} (both timed out {}, sqlmongo timed out {}, PostgreSQL timed out {}, failed {})",
        problems.len(),
        tally("both timed out"),
        tally("sqlmongo timed out"),
        tally("PostgreSQL timed out"),
        tally("sqlmongo failed") + tally("PostgreSQL failed"),
    );
    for (id, why) in problems {
        let why: String = why.chars().take(160).collect();
        println!("  {id:<46} {why}");
    }
}
