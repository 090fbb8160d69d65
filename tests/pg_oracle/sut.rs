//! The system under test for the PostgreSQL oracle: sqlmongo's library API on the embedded engine, in process
//! or through the official driver against `sqlmongo serve`.
//!
//! In: the data script and the statements of a case; out: per statement the rows (column names, BSON
//! values in column order) or the affected-row count. Uses only contract 5 (`Client::embedded`,
//! `client.execute`). Each case with DML gets its own client loaded with the data; queries share one.

use bson::Bson;
use sqlmongo::{Client, StatementResult};

/// One statement's result in sqlmongo.
#[derive(Debug)]
pub enum SmOut {
    /// Column names and rows (values in column order, NULL as `Bson::Null`).
    Rows {
        /// Column names as shown.
        columns: Vec<String>,
        /// Row values.
        rows: Vec<Vec<Bson>>,
    },
    /// Affected rows of DML (UPDATE: matched rows).
    Affected(u64),
}

/// A loaded sqlmongo instance.
pub struct Sut {
    client: Client,
}

/// Where the system under test runs.
#[derive(Debug, Clone)]
pub enum Backend {
    /// A fresh embedded engine in process.
    Embedded,
    /// The official driver against `sqlmongo serve` at this URI (a fresh database per instance).
    Wire(String),
}

static NEXT_DB: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Sut {
    /// A fresh client on `backend` with the data script executed.
    pub fn load(
        rt: &tokio::runtime::Runtime,
        backend: &Backend,
        data_script: &str,
    ) -> Result<Sut, String> {
        let client = match backend {
            Backend::Embedded => Client::embedded(),
            Backend::Wire(uri) => {
                let n = NEXT_DB.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                rt.block_on(Client::connect(uri, &format!("oracle_{n}")))
                    .map_err(|e| format!("{e}"))?
            }
        };
        rt.block_on(client.execute(data_script, &[]))
            .map_err(|e| format!("{e}"))?;
        Ok(Sut { client })
    }

    /// Runs the statements of one case, one `execute` call per statement.
    pub fn run(
        &self,
        rt: &tokio::runtime::Runtime,
        stmts: &[String],
    ) -> Result<Vec<SmOut>, String> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            let results = rt
                .block_on(self.client.execute(s, &[]))
                .map_err(|e| format!("{e}"))?;
            for r in results {
                out.push(match r {
                    StatementResult::Rows(rows) => SmOut::Rows {
                        columns: rows.columns,
                        rows: rows.rows,
                    },
                    StatementResult::Affected(n) => SmOut::Affected(n),
                });
            }
        }
        Ok(out)
    }
}
