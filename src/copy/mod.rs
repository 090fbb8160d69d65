//! `COPY` import and export, run by the client (not the engine): PostgreSQL's text and CSV formats with its
//! rules for headers, delimiters, NULL strings and quoting, and MongoDB Extended JSON lines (`FORMAT json`,
//! what mongoimport / mongoexport read and write).
//!
//! - `COPY t [(cols)] FROM 'file' (...)` reads the file here, in the client process (for us the "server" of
//!   PostgreSQL's server-side COPY is the process running the statements), converts each field with the
//!   column's declared type (the collection's `$jsonSchema` validator, as `CREATE TABLE` wrote it; a
//!   collection without one takes text values and needs a column list) and inserts batches of 1,000 rows.
//!   Nothing is half-written: a file is read and checked whole first (a bad row is `FILE:LINE: message`,
//!   nothing inserted), then inserted; an insert the server refuses (a duplicate key) deletes the rows this
//!   COPY inserted before it reports. `ON_ERROR ignore` skips rows whose values do not convert instead.
//! - `COPY {t [(cols)] | (query)} TO 'file' (...)` streams the query's cursor into the file (written to a
//!   temporary name and renamed when complete).
//!
//! Memory stays bounded by a batch (the undo list of a COPY FROM keeps 12 bytes per inserted row).

mod defaults;
pub mod delimited;
mod export;
mod import;
pub mod options;
pub mod values;

use crate::sql::copy::{CopyStatement, CopyTarget};
use crate::Client;
use std::io::{BufRead, Write};
use std::path::PathBuf;

/// Why a COPY failed.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The statement (a bad option, an unknown column) or the backend failed.
    #[error("{0}")]
    Statement(#[from] crate::Error),
    /// A row of the data: `FILE:LINE: message`.
    #[error("{file}:{line}: {message}")]
    Data {
        /// The file name (`<stdin>` for standard input).
        file: String,
        /// 1-based line.
        line: u64,
        /// PostgreSQL's message, with the column.
        message: String,
    },
    /// A file could not be opened, read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl CopyError {
    fn io(path: &str, e: impl std::fmt::Display) -> CopyError {
        CopyError::Io {
            path: path.to_string(),
            message: e.to_string(),
        }
    }

    fn invalid(message: impl Into<String>) -> CopyError {
        CopyError::Statement(crate::Error::Translate(crate::translate::Error::Invalid {
            message: message.into(),
            position: crate::translate::Position::default(),
        }))
    }
}

/// What a COPY did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopySummary {
    /// Rows inserted (FROM) or written (TO).
    pub rows: u64,
    /// Rows skipped by `ON_ERROR ignore`.
    pub skipped: u64,
    /// Notices to show (PostgreSQL's `NOTICE:` lines: skipped rows).
    pub notices: Vec<String>,
    /// Whether the rows went to the `stdout` writer (COPY TO STDOUT): nothing else should be printed.
    pub to_stdout: bool,
}

/// Progress of a COPY FROM a file: bytes done of the total (a checked import reads the file twice, so the
/// total is twice its size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes processed.
    pub done: u64,
    /// Bytes to process.
    pub total: u64,
}

/// Where STDIN / STDOUT are and what to tell about progress. `Default`: no standard streams (a COPY naming
/// them is refused), no progress.
#[derive(Default)]
pub struct CopyIo<'a> {
    /// Where `COPY ... FROM STDIN` reads (psql's `\copy ... from stdin`).
    pub stdin: Option<Box<dyn BufRead + Send + 'a>>,
    /// Where `COPY ... TO STDOUT` writes.
    pub stdout: Option<&'a mut (dyn Write + Send)>,
    /// Called as a COPY FROM a file advances.
    pub progress: Option<&'a mut (dyn FnMut(Progress) + Send)>,
    /// Relative file names are resolved against this directory (default: the current directory).
    pub base_dir: Option<PathBuf>,
}

impl std::fmt::Debug for CopyIo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyIo")
            .field("stdin", &self.stdin.is_some())
            .field("stdout", &self.stdout.is_some())
            .field("base_dir", &self.base_dir)
            .finish_non_exhaustive()
    }
}

/// Runs one parsed COPY on `client`.
///
/// ```
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("sqlmongo-doc-copy-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let csv = dir.join("s.csv");
/// std::fs::write(&csv, "sid,uid\ns1,7\ns2,\n").unwrap();
/// let client = sqlmongo::Client::embedded();
/// client.execute("CREATE TABLE s (sid text PRIMARY KEY, uid integer)", &[]).await.unwrap();
/// let sql = format!("COPY s FROM '{}' (FORMAT csv, HEADER)", csv.display());
/// let done = sqlmongo::copy::copy_sql(&client, &sql).await.unwrap();
/// assert_eq!(done.rows, 2);
/// let rows = client.query("SELECT uid FROM s ORDER BY sid", &[]).await.unwrap();
/// assert_eq!(rows.rows, vec![vec![bson::Bson::Int32(7)], vec![bson::Bson::Null]]);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # });
/// ```
pub async fn copy(
    client: &Client,
    stmt: &CopyStatement,
    io: CopyIo<'_>,
) -> Result<CopySummary, CopyError> {
    if let CopyTarget::Program(_) = &stmt.target {
        return Err(CopyError::invalid(
            "COPY ... PROGRAM is not supported: sqlmongo runs no shell commands (use a file)",
        ));
    }
    if stmt.to {
        export::run(client, stmt, io).await
    } else {
        import::run(client, stmt, io).await
    }
}

/// Parses `sql` (one COPY statement) and runs it with files only (no STDIN / STDOUT).
pub async fn copy_sql(client: &Client, sql: &str) -> Result<CopySummary, CopyError> {
    let mut stmts = crate::sql::parse(sql).map_err(crate::Error::from)?;
    match (stmts.pop(), stmts.is_empty()) {
        (Some((crate::sql::Statement::Copy(c), _)), true) => {
            copy(client, &c, CopyIo::default()).await
        }
        _ => Err(CopyError::invalid(
            "copy_sql expects exactly one COPY statement",
        )),
    }
}

/// The file a COPY names, resolved against `base`.
fn resolve(base: &Option<PathBuf>, file: &str) -> PathBuf {
    let p = PathBuf::from(file);
    match base {
        Some(b) if p.is_relative() => b.join(p),
        _ => p,
    }
}

/// The table's name as a collection name (the translator's rule: an unqualified name).
fn collection_of(name: &sqlparser::ast::ObjectName) -> Result<String, CopyError> {
    crate::translate::names::collection_name(name)
        .map_err(|e| CopyError::Statement(crate::Error::Translate(e)))
}

/// A column of the table: its name and declared type (`None`: an array column, not readable by COPY), and
/// whether it is `NOT NULL`; its SQL type name and `DEFAULT` expression as the catalog reads them.
#[derive(Debug, Clone)]
struct Declared {
    name: String,
    ty: Option<values::ColumnType>,
    not_null: bool,
    sql_type: Option<String>,
    default: Option<String>,
}

/// What `listCollections` says about a collection: `None` when it does not exist, else whether it is a view
/// and its declared columns (empty without a `$jsonSchema` validator).
async fn table_info(
    client: &Client,
    collection: &str,
) -> Result<Option<(bool, Vec<Declared>)>, crate::Error> {
    use bson::{doc, Bson};
    let reply = client
        .backend()
        .run_command(
            client.database(),
            doc! {"listCollections": 1, "filter": {"name": collection}},
        )
        .await?;
    let reply = crate::driver::check_reply(reply)?;
    let Some(info) = reply
        .get_document("cursor")
        .ok()
        .and_then(|c| c.get_array("firstBatch").ok())
        .and_then(|a| a.first())
        .and_then(Bson::as_document)
    else {
        return Ok(None);
    };
    let view = info.get_str("type").ok() == Some("view");
    let schema = info
        .get_document("options")
        .ok()
        .and_then(|o| o.get_document("validator").ok())
        .and_then(|v| v.get_document("$jsonSchema").ok());
    let mut columns = Vec::new();
    let catalog = crate::client::catalog::from_collection_infos([info]);
    let table = catalog.tables.get(collection);
    let catalog_column = |name: &str| table.and_then(|t| t.columns.iter().find(|c| c.name == name));
    if let Some(schema) = schema {
        let required: Vec<&str> = schema
            .get_array("required")
            .map(|a| a.iter().filter_map(Bson::as_str).collect())
            .unwrap_or_default();
        if let Ok(props) = schema.get_document("properties") {
            for (name, prop) in props {
                let ty = match prop {
                    Bson::Document(p) => values::ColumnType::of_property(p),
                    _ => Some(values::ColumnType::Json),
                };
                let known = catalog_column(name);
                columns.push(Declared {
                    name: name.clone(),
                    ty,
                    not_null: required.contains(&name.as_str()),
                    sql_type: known.and_then(|c| c.ty.clone()),
                    default: known.and_then(|c| c.default.clone()),
                });
            }
        }
    }
    Ok(Some((view, columns)))
}
