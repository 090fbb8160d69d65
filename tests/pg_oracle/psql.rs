//! Runs SQL on PostgreSQL through `psql` and returns typed results.
//!
//! In: statements of one corpus case; out: per statement either the rows (as `json_agg` of the unchanged
//! query, which keeps NULL apart from '' and numbers as numbers, columns in order) or the affected-row count
//! from the command tag. Connection settings come from the usual PG* variables (scripts/test.sh exports
//! them). A case with DML runs inside BEGIN ... ROLLBACK so every case sees the same data.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

/// One statement's result on PostgreSQL.
#[derive(Debug)]
pub enum PgOut {
    /// Rows of a query: each row a JSON object, keys in column order.
    Rows(Vec<serde_json::Map<String, Value>>),
    /// Command tag count of INSERT / UPDATE / DELETE.
    Affected(u64),
}

/// Path of the psql binary (`SQLMONGO_PSQL` or `psql` on PATH).
pub fn psql_path() -> String {
    std::env::var("SQLMONGO_PSQL").unwrap_or_else(|_| "psql".to_string())
}

fn run_psql(script: &str) -> Result<String, String> {
    let mut child = Command::new(psql_path())
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-"])
        .env("PGTZ", "UTC")
        .env("PGCLIENTENCODING", "UTF8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", psql_path()))?;
    // Written from a thread while the output is read: a script whose output fills the pipe (a 100k-row
    // load's command tags) would otherwise block psql writing and this process writing at once.
    let writer = child.stdin.take().map(|mut stdin| {
        let script = script.to_string();
        std::thread::spawn(move || stdin.write_all(script.as_bytes()))
    });
    let out = child.wait_with_output().map_err(|e| format!("psql: {e}"))?;
    let written = writer.map(|w| w.join());
    if !out.status.success() {
        return Err(format!(
            "psql failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    match written {
        Some(Err(_)) => return Err("writing to psql: the writer thread panicked".into()),
        Some(Ok(Err(e))) => return Err(format!("writing to psql: {e}")),
        _ => {}
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Checks that PostgreSQL answers.
pub fn ping() -> Result<(), String> {
    let out = run_psql("SELECT 40 + 2;\n")?;
    if out.trim() == "42" {
        Ok(())
    } else {
        Err(format!("unexpected answer to SELECT 40 + 2: {out:?}"))
    }
}

/// ICU collations the collation cases name that PostgreSQL does not predefine (tests/oracle_data/
/// pg_collation.sql): the nondeterministic case- and accent-insensitive ones, numeric ordering, and French
/// backward secondary ordering turned on (`fr`) and off (`fr-CA`).
const COLLATIONS: &str = "CREATE COLLATION \"und-u-ks-level1\" (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
CREATE COLLATION \"und-u-ks-level2\" (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION \"en-u-kn-true\" (provider = icu, locale = 'en-u-kn-true');
CREATE COLLATION \"fr-u-kb-true\" (provider = icu, locale = 'fr-u-kb-true');
CREATE COLLATION \"fr-CA-u-kb-false\" (provider = icu, locale = 'fr-CA-u-kb-false');
";

/// Recreates the schema (with the ICU collations of [`COLLATIONS`]) and loads the data script.
pub fn load(data_script: &str) -> Result<(), String> {
    let script = format!("SET client_min_messages = warning;\nDROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n{COLLATIONS}{data_script}");
    run_psql(&script).map(|_| ())
}

/// Whether a statement is a query (its rows are compared) rather than DML.
pub fn is_query(stmt: &str) -> bool {
    let head = stmt.trim_start().to_ascii_uppercase();
    head.starts_with("SELECT") || head.starts_with("WITH") || head.starts_with("VALUES")
}

/// Whether a DML statement returns rows (`... RETURNING ...`): PostgreSQL runs it as a data-modifying
/// `WITH` so its rows come back as JSON like a query's.
pub fn is_returning(stmt: &str) -> bool {
    !is_query(stmt)
        && stmt
            .to_ascii_uppercase()
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|w| w == "RETURNING")
}

/// Runs the statements of one case, in one transaction that is rolled back.
pub fn run_case(stmts: &[String]) -> Result<Vec<PgOut>, String> {
    const MARK: &str = "@@sqlmongo-oracle-statement@@";
    let mut script = String::from("BEGIN;\n");
    for s in stmts {
        script.push_str(&format!("\\echo {MARK}\n"));
        let body = s.trim().trim_end_matches(';');
        if is_query(s) {
            script.push_str(&format!(
                "SELECT coalesce(json_agg(oracle_q), '[]'::json) FROM (\n{body}\n) AS oracle_q;\n"
            ));
        } else if is_returning(s) {
            script.push_str(&format!(
                "WITH oracle_q AS (\n{body}\n) SELECT coalesce(json_agg(oracle_q), '[]'::json) FROM oracle_q;\n"
            ));
        } else {
            script.push_str(body);
            script.push_str(";\n");
        }
    }
    script.push_str(&format!("\\echo {MARK}\nROLLBACK;\n"));
    let out = run_psql(&script)?;
    let chunks: Vec<&str> = out.split(MARK).collect();
    // chunk 0 is BEGIN's tag, the last one ROLLBACK's
    if chunks.len() != stmts.len() + 2 {
        return Err(format!(
            "cannot split psql output into {} statements:\n{out}",
            stmts.len()
        ));
    }
    let mut results = Vec::new();
    for (s, chunk) in stmts.iter().zip(&chunks[1..]) {
        let chunk = chunk.trim();
        if is_query(s) || is_returning(s) {
            let v: Value = serde_json::from_str(chunk)
                .map_err(|e| format!("bad json_agg output ({e}): {chunk}"))?;
            let rows = match v {
                Value::Array(items) => items
                    .into_iter()
                    .map(|r| match r {
                        Value::Object(m) => Ok(m),
                        other => Err(format!("row is not an object: {other}")),
                    })
                    .collect::<Result<Vec<_>, String>>()?,
                other => return Err(format!("json_agg gave {other}")),
            };
            results.push(PgOut::Rows(rows));
        } else {
            // command tags: "UPDATE 3", "DELETE 0", "INSERT 0 2"; DDL tags ("CREATE VIEW", "DROP VIEW")
            // have no count, and sqlmongo reports 0 for DDL.
            let tag = chunk.lines().last().unwrap_or("");
            let ddl = ["CREATE ", "DROP ", "ALTER ", "REFRESH "]
                .iter()
                .any(|p| tag.starts_with(p))
                || tag == "SET";
            let n = match tag
                .split_whitespace()
                .last()
                .and_then(|n| n.parse::<u64>().ok())
            {
                Some(n) => n,
                None if ddl => 0,
                None => return Err(format!("no row count in psql output {chunk:?}")),
            };
            results.push(PgOut::Affected(n));
        }
    }
    Ok(results)
}
