//! PostgreSQL differential test: the same data script and the same queries, unchanged, on PostgreSQL
//! (through `psql`) and on sqlmongo (library API, embedded engine); results compared after normalising
//! (numbers as numbers, timestamps as instants, NULL apart from '', row order only where the query has an
//! ORDER BY). The corpus is `tests/oracle_data/pg_queries.sql`: `-- name: NAME` starts a case, whose
//! statements each end with `;` at the end of a line; a case may run DML and then SELECT the table.
//!
//! Skipped loudly when psql / the server is missing, failed instead when `SQLMONGO_REQUIRE_ORACLES=1`.
//! `PG_ORACLE_DUMP=1` prints the generated data script.

mod common;
#[path = "pg_oracle/corpus.rs"]
mod corpus;
#[allow(dead_code)] // KeyPools::scaled is the parity bench's (benches/pg_parity.rs)
#[path = "pg_oracle/data.rs"]
mod data;
#[path = "pg_oracle/generated.rs"]
mod generated;
#[path = "pg_oracle/psql.rs"]
mod psql;
#[path = "pg_oracle/sut.rs"]
mod sut;

use common::compare::{self, Norm};
use corpus::{
    parse_corpus, Case, CORPUS, CORPUS_CATALOG, CORPUS_COLLATION, CORPUS_DIALECT, CORPUS_SCALE,
    CORPUS_STMTS, CORPUS_TIME,
};
use libtest_mimic::{Arguments, Failed, Trial};
use psql::PgOut;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use sut::{Backend, SmOut, Sut};

fn has_order_by(stmt: &str) -> bool {
    stmt.to_ascii_uppercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| w == ["ORDER", "BY"])
}

fn has_dml(case: &Case) -> bool {
    case.stmts.iter().any(|s| !psql::is_query(s))
}

/// Compares one statement's results; `Err` describes the difference with both results.
fn compare_stmt(stmt: &str, pg: &PgOut, sm: &SmOut) -> Result<(), String> {
    match (pg, sm) {
        (PgOut::Affected(a), SmOut::Affected(b)) => {
            if a == b {
                Ok(())
            } else {
                Err(format!(
                    "affected rows differ: PostgreSQL {a}, sqlmongo {b}"
                ))
            }
        }
        (PgOut::Rows(pg_rows), SmOut::Rows { columns, rows }) => {
            let pg_cols: Option<Vec<&String>> = pg_rows.first().map(|r| r.keys().collect());
            let pg_norm: Vec<Norm> = pg_rows
                .iter()
                .map(|r| {
                    Norm::Arr(
                        r.values()
                            .map(|v| compare::from_json(v, compare::Dialect::Postgres))
                            .collect(),
                    )
                })
                .collect();
            // `SELECT *` includes MongoDB's `_id` (docs/dialect.md); the PostgreSQL tables have no such column.
            let drop_id = columns.first().is_some_and(|c| c == "_id")
                && pg_cols
                    .as_ref()
                    .is_some_and(|pc| !pc.iter().any(|c| c.as_str() == "_id"));
            let columns: &[String] = if drop_id { &columns[1..] } else { columns };
            let sm_norm: Vec<Norm> = rows
                .iter()
                .map(|r| {
                    let r = if drop_id { &r[1..] } else { &r[..] };
                    Norm::Arr(r.iter().map(compare::from_bson).collect())
                })
                .collect();
            let ordered = has_order_by(stmt);
            let show = || {
                format!(
                    "  PostgreSQL columns {:?}:\n{}  sqlmongo columns {:?}:\n{}",
                    pg_cols.clone().unwrap_or_default(),
                    compare::show_set(&pg_norm, 25),
                    columns,
                    compare::show_set(&sm_norm, 25)
                )
            };
            if let Some(pc) = &pg_cols {
                let same =
                    pc.len() == columns.len() && pc.iter().zip(columns).all(|(a, b)| *a == b);
                if !same {
                    return Err(format!("column names differ\n{}", show()));
                }
            }
            compare::compare_sets(&pg_norm, &sm_norm, ordered).map_err(|e| {
                format!(
                    "{e}\n  (row order {})\n{}",
                    if ordered { "compared" } else { "ignored" },
                    show()
                )
            })
        }
        (PgOut::Rows(_), SmOut::Affected(n)) => {
            Err(format!("PostgreSQL returned rows, sqlmongo affected {n}"))
        }
        (PgOut::Affected(n), SmOut::Rows { .. }) => Err(format!(
            "PostgreSQL affected {n} rows, sqlmongo returned rows"
        )),
    }
}

struct Shared {
    rt: tokio::runtime::Runtime,
    data: String,
    /// The read-only instance per backend (embedded, wire).
    readonly: [OnceLock<Result<Sut, String>>; 2],
    passed: AtomicUsize,
}

fn run_one(shared: &Shared, case: &Case, backend: &Backend) -> Result<(), Failed> {
    let pg = psql::run_case(&case.stmts)
        .map_err(|e| format!("PostgreSQL rejected the case (corpus bug): {e}"))?;
    let fresh;
    let sut = if has_dml(case) {
        fresh = Sut::load(&shared.rt, backend, &shared.data);
        &fresh
    } else {
        let slot = usize::from(matches!(backend, Backend::Wire(_)));
        shared.readonly[slot].get_or_init(|| Sut::load(&shared.rt, backend, &shared.data))
    };
    let sut = sut
        .as_ref()
        .map_err(|e| format!("sqlmongo could not load the data script: {e}"))?;
    let sm = sut.run(&shared.rt, &case.stmts);
    let sql = case.stmts.join("\n");
    let sm = sm.map_err(|e| format!("case {}: sqlmongo error: {e}\n  SQL: {sql}", case.name))?;
    if sm.len() != pg.len() {
        return Err(format!(
            "case {}: {} results from sqlmongo, {} from PostgreSQL",
            case.name,
            sm.len(),
            pg.len()
        )
        .into());
    }
    for ((stmt, p), s) in case.stmts.iter().zip(&pg).zip(&sm) {
        compare_stmt(stmt, p, s)
            .map_err(|e| format!("case {}: MISMATCH\n  SQL: {stmt}\n  {e}", case.name))?;
    }
    shared.passed.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    let cases = match parse_corpus(&format!(
        "{CORPUS}\n{CORPUS_DIALECT}\n{CORPUS_SCALE}\n{CORPUS_TIME}\n{CORPUS_STMTS}\n{CORPUS_CATALOG}\n{CORPUS_COLLATION}"
    )) {
        Ok(mut c) => {
            c.extend(
                generated::cases()
                    .into_iter()
                    .map(|(name, stmts)| Case { name, stmts }),
            );
            c
        }
        Err(e) => {
            eprintln!("pg_oracle: bad corpus: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let data = data::script(data::SEED);
    if std::env::var("PG_ORACLE_DUMP").is_ok() {
        println!("{data}");
    }
    if let Err(why) = psql::ping() {
        let why = format!(
            "PostgreSQL not reachable through `{}`: {why} (scripts/test.sh installs and starts it)",
            psql::psql_path()
        );
        let names = ["pg", "wire"]
            .iter()
            .flat_map(|prefix| cases.iter().map(move |c| format!("{prefix}::{}", c.name)))
            .collect();
        return common::unavailable_as_ignored(&args, "PostgreSQL", &why, names);
    }
    if let Err(e) = psql::load(&data) {
        eprintln!("pg_oracle: PostgreSQL rejected the generated data script: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pg_oracle: tokio runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // The same corpus also runs through the official driver against `sqlmongo serve` (issue: the suites
    // pass in process and through the wire). SQLMONGO_ORACLE_WIRE=0 runs the embedded pass only.
    let wire = if std::env::var("SQLMONGO_ORACLE_WIRE").as_deref() == Ok("0") {
        None
    } else {
        match rt.block_on(start_server()) {
            Ok(uri) => Some(Backend::Wire(uri)),
            Err(e) => {
                eprintln!("pg_oracle: cannot start sqlmongo serve for the wire pass: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    };
    let shared = Arc::new(Shared {
        rt,
        data,
        readonly: [OnceLock::new(), OnceLock::new()],
        passed: AtomicUsize::new(0),
    });
    let mut total = 0;
    let mut trials: Vec<Trial> = Vec::new();
    let backends: Vec<(&str, Backend)> = std::iter::once(("pg", Backend::Embedded))
        .chain(wire.map(|w| ("wire", w)))
        .collect();
    for (prefix, backend) in backends {
        for case in &cases {
            let shared = Arc::clone(&shared);
            let case = case.clone();
            let backend = backend.clone();
            total += 1;
            trials.push(Trial::test(format!("{prefix}::{}", case.name), move || {
                run_one(&shared, &case, &backend)
            }));
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    eprintln!(
        "pg_oracle: {} of {total} PostgreSQL differential case runs passed ({} run; each case embedded and through the wire)",
        shared.passed.load(Ordering::Relaxed),
        conclusion.num_passed + conclusion.num_failed
    );
    conclusion.exit_code()
}

/// Starts `sqlmongo serve` (in process, ephemeral port) on the current runtime; returns its URI.
async fn start_server() -> std::io::Result<String> {
    let engine = sqlmongo::engine::Engine::with_options(sqlmongo::engine::EngineOptions {
        ttl_monitor_interval: None,
        ..Default::default()
    });
    let server = sqlmongo::server::Server::bind("127.0.0.1:0", engine).await?;
    let addr = server.local_addr()?;
    tokio::spawn(server.serve_until(std::future::pending::<()>()));
    Ok(format!("mongodb://{addr}/?directConnection=true"))
}
