//! The library API: a [`Client`] runs SQL on a backend (the embedded engine or a MongoDB deployment),
//! and [`PreparedStatement`]s keep their translation and bind new parameters on each run.

pub mod cache;
pub mod catalog;
pub mod params;
pub mod query;
pub mod row;
mod script;
pub mod stream;

pub use query::{Query, QueryAs};
pub use row::Row;
pub use stream::RowStream;

use crate::driver::execute::{execute_owned_plan, execute_plan, Rows, StatementResult};
use crate::driver::Backend;
use crate::mql::StatementPlan;
use bson::Bson;
use std::sync::Arc;

/// A connection to a backend and a database. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Client {
    backend: Arc<dyn Backend>,
    db: String,
    /// Translated statements by SQL text ([`Client::sql`]); shared by clones.
    statements: Arc<cache::StatementCache>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client over any backend, using database `db`.
    pub fn with_backend(backend: Arc<dyn Backend>, db: impl Into<String>) -> Client {
        Client {
            backend,
            db: db.into(),
            statements: Arc::new(cache::StatementCache::new(cache::DEFAULT_CAPACITY)),
        }
    }

    /// A client on a fresh in-memory embedded engine, database `sqlmongo`.
    ///
    /// ```
    /// # tokio_test_block(async {
    /// let client = sqlmongo::Client::embedded();
    /// client.execute("INSERT INTO user_sessions (session_id, user_id) VALUES ('s1', 7)", &[]).await.unwrap();
    /// let rows = client.query("SELECT user_id FROM user_sessions WHERE session_id = $1", &["s1".into()]).await.unwrap();
    /// assert_eq!(rows.rows.len(), 1);
    /// # });
    /// # fn tokio_test_block<F: std::future::Future>(f: F) -> F::Output {
    /// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// ```
    pub fn embedded() -> Client {
        Client::with_engine(crate::engine::Engine::in_memory(), "sqlmongo")
    }

    /// A client on a durable embedded engine whose data lives in the directory `path` (created when
    /// missing), database `sqlmongo`. Every statement is durable when it returns (its commit is fsynced;
    /// concurrent statements share fsyncs). Another process opening the same directory gets an error (the
    /// directory is locked), and so does a directory whose files are damaged: it never opens empty.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let dir = std::env::temp_dir().join(format!("sqlmongo-doc-client-{}", std::process::id()));
    /// {
    ///     let client = sqlmongo::Client::open(&dir).unwrap();
    ///     client.execute("INSERT INTO user_sessions (session_id) VALUES ('s1')", &[]).await.unwrap();
    /// }
    /// let client = sqlmongo::Client::open(&dir).unwrap();
    /// let rows = client.query("SELECT session_id FROM user_sessions", &[]).await.unwrap();
    /// assert_eq!(rows.rows.len(), 1);
    /// # drop(client); std::fs::remove_dir_all(&dir).unwrap();
    /// # });
    /// ```
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Client, crate::Error> {
        Ok(Client::with_engine(
            crate::engine::Engine::open(path)?,
            "sqlmongo",
        ))
    }

    /// A client on an existing embedded engine (shared with other clients), database `db`.
    pub fn with_engine(engine: crate::engine::Engine, db: impl Into<String>) -> Client {
        Client::with_backend(
            Arc::new(crate::driver::embedded::EmbeddedBackend::new(engine)),
            db,
        )
    }

    /// Connects to a MongoDB deployment through the official driver and checks that it answers `ping`.
    ///
    /// `uri` is any MongoDB connection string (`mongodb://user:pass@host:27017/app?tls=true`,
    /// `mongodb+srv://...`); credentials, TLS, replica set and timeouts all come from it. Without
    /// `serverSelectionTimeoutMS` in the URI, an unreachable deployment fails after 5 s with one line.
    /// The database is `db` when not empty, else the one in the URI path.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), sqlmongo::Error> {
    /// let client = sqlmongo::Client::connect("mongodb://localhost:27017/app", "").await?;
    /// assert_eq!(client.database(), "app");
    /// # Ok(()) }
    /// ```
    ///
    /// Needs the `mongodb` feature (on by default).
    #[cfg(feature = "mongodb")]
    pub async fn connect(uri: &str, db: &str) -> Result<Client, crate::Error> {
        let (backend, uri_db) = crate::driver::mongo::MongoBackend::connect(uri).await?;
        let db = match (db, uri_db) {
            (d, _) if !d.is_empty() => d.to_string(),
            (_, Some(d)) if !d.is_empty() => d,
            _ => {
                return Err(crate::Error::Parameter(
                    "no database: name one in the URI path (mongodb://host/DB) or pass it".into(),
                ))
            }
        };
        Ok(Client::with_backend(Arc::new(backend), db))
    }

    /// Ends the backend's background work: on a MongoDB deployment, the driver's connection pools and
    /// monitors. Call it before the tokio runtime that ran the client is dropped (the `sqlmongo` binary does
    /// at exit); the client must not be used afterwards.
    pub async fn shutdown(&self) {
        self.backend.shutdown().await
    }

    /// The session time zone (`SET TIME ZONE`) statements are translated in; `None` is UTC. Shared by clones.
    pub fn time_zone(&self) -> Option<String> {
        self.statements.time_zone()
    }

    /// Keeps what a setting statement changed in the session (the time zone).
    fn apply_session_setting(
        &self,
        plan: &StatementPlan,
        result: &Result<StatementResult, crate::Error>,
    ) {
        if let (crate::mql::Output::Setting(crate::mql::Setting::TimeZone(z)), Ok(_)) =
            (&plan.output, result)
        {
            self.statements
                .set_time_zone((z != "UTC").then(|| z.clone()));
        }
    }

    /// The database this client uses.
    pub fn database(&self) -> &str {
        &self.db
    }

    /// The backend this client runs commands on.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// Translates and runs every statement of `sql` in order, with `params` bound to each statement that
    /// takes parameters. Stops at the first failing statement. As PostgreSQL's simple-query protocol, a
    /// syntax error anywhere in `sql` means nothing runs; a script of any size is checked and run in the
    /// memory of its longest statement (beyond 256 KiB it is read twice, statement by statement: see
    /// `client/script.rs`). Errors carry their position in the whole of `sql`. A bulk-load INSERT of
    /// literals (the whole of `sql`, or a statement of a streamed script) is planned without the parser
    /// ([`literal_insert_plan`](Self::literal_insert_plan)): the same plan, less work per row.
    pub async fn execute(
        &self,
        sql: &str,
        params: &[Bson],
    ) -> Result<Vec<StatementResult>, crate::Error> {
        // A bulk-load INSERT of literals (a library's data load) skips the parser and the translator.
        match self.literal_insert_plan(sql).await {
            Ok(Some(plan)) => return Ok(vec![self.run_translated(plan, params).await?]),
            Ok(None) => {}
            Err(e) => {
                self.backend.fail_transaction();
                return Err(e);
            }
        }
        let statements = script::statements(sql, script::WHOLE_PARSE_LIMIT)?;
        let mut out = Vec::new();
        for item in statements {
            let parsed = match item? {
                script::ScriptItem::Parsed(st) => vec![st],
                // A streamed script's bulk-load INSERTs are not parsed (unless the table is declared).
                script::ScriptItem::Bulk(bulk) => {
                    match self.literal_insert_plan(&bulk.text).await {
                        Ok(Some(plan)) => {
                            out.push(self.run_translated(plan, params).await?);
                            continue;
                        }
                        Ok(None) => bulk.parse(sql)?,
                        Err(e) => {
                            self.backend.fail_transaction();
                            return Err(e);
                        }
                    }
                }
            };
            for st in parsed {
                let plan = match self.translate_statement(&st.stmt, &st.text).await {
                    Ok(plan) => plan,
                    Err(e) => {
                        // As in PostgreSQL, an error inside a transaction block fails the block.
                        self.backend.fail_transaction();
                        return Err(st.locate(e, sql));
                    }
                };
                out.push(self.run_translated(plan, params).await?);
            }
        }
        Ok(out)
    }

    /// Runs one statement of [`execute`](Self::execute): `params` bind it only when it takes parameters.
    async fn run_translated(
        &self,
        plan: StatementPlan,
        params: &[Bson],
    ) -> Result<StatementResult, crate::Error> {
        let p = if plan.param_count == 0 {
            &[][..]
        } else {
            params
        };
        self.execute_owned_plan(plan, p).await
    }

    /// Translates one parsed statement with the catalog of the relations it names: one `listCollections`
    /// filtered by those names, read now (so a table another client changed is seen), none for a statement
    /// that names no collection ([`catalog::fetch`]).
    pub async fn translate_statement(
        &self,
        stmt: &crate::sql::Statement,
        text: &crate::sql::StatementText,
    ) -> Result<StatementPlan, crate::Error> {
        let names = crate::translate::relation_names(stmt);
        let catalog = catalog::fetch(self.backend.as_ref(), &self.db, &names).await?;
        let zone = self.time_zone();
        crate::translate::translate_statement_with_in_zone(
            stmt,
            text,
            &Arc::new(catalog),
            zone.as_deref(),
        )
    }

    /// The plan of `sql` when it is a bulk-load INSERT (`INSERT INTO t (a, b) VALUES (...), ...` of plain
    /// literals), made without the general parser (`sql::literal_insert`): into a collection without
    /// declared columns, built straight from the literals (about 5x less work per row); into a declared
    /// table, built from the literals typed by their columns (`translate::literal_insert::declared_plan`:
    /// the translator's assignment casts, its constant DEFAULTs), else (a DEFAULT such as `now()`)
    /// translated by the general translator from the statement's tree built from the literals (no value
    /// is tokenized or parsed). `None` for any other
    /// statement, or one the translator refuses (the general path then reports the error at its position),
    /// which [`translate_statement`](Self::translate_statement) then translates. The plan equals the general
    /// translation's (tests/literal_insert.rs).
    pub async fn literal_insert_plan(
        &self,
        sql: &str,
    ) -> Result<Option<StatementPlan>, crate::Error> {
        let Some(ins) = crate::sql::literal_insert::scan(sql) else {
            return Ok(None);
        };
        let catalog = Arc::new(
            catalog::fetch(self.backend.as_ref(), &self.db, &[ins.table.to_string()]).await?,
        );
        if let Some(plan) = crate::translate::literal_insert::plan(&ins, &catalog) {
            return Ok(Some(plan));
        }
        if !catalog.tables.contains_key(ins.table) || catalog.views.contains_key(ins.table) {
            return Ok(None);
        }
        let zone = self.time_zone();
        if let Some(plan) =
            crate::translate::literal_insert::declared_plan(&ins, &catalog, zone.as_deref())
        {
            return Ok(Some(plan));
        }
        let Some((stmt, text)) = ins.to_statement() else {
            return Ok(None);
        };
        Ok(crate::translate::translate_statement_with_in_zone(
            &stmt,
            &text,
            &catalog,
            zone.as_deref(),
        )
        .ok())
    }

    /// Runs one query and returns its rows.
    pub async fn query(&self, sql: &str, params: &[Bson]) -> Result<Rows, crate::Error> {
        let mut results = self.execute(sql, params).await?;
        match results.pop() {
            Some(StatementResult::Rows(r)) if results.is_empty() => Ok(r),
            _ => Err(crate::Error::Parameter(
                "query() expects exactly one statement that returns rows".into(),
            )),
        }
    }

    /// Translates one statement once, for running many times with different parameters.
    pub fn prepare(&self, sql: &str) -> Result<PreparedStatement, crate::Error> {
        let mut plan = crate::translate::translate_in_zone(sql, self.time_zone().as_deref())?;
        if plan.statements.len() != 1 {
            return Err(crate::Error::Parameter(
                "prepare() expects exactly one statement".into(),
            ));
        }
        let plan = plan.statements.remove(0);
        Ok(PreparedStatement {
            client: self.clone(),
            plan: Arc::new(plan),
            sql: Arc::from(sql),
        })
    }

    /// Runs an already translated query and hands its rows to `on_rows` batch by batch as the cursor
    /// delivers them (the whole result is never held here). `Ok(false)`: the plan is not a streamable query
    /// (several steps, `SELECT *`, DML); nothing ran — use [`Client::execute_plan`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
    /// let client = sqlmongo::Client::embedded();
    /// client.execute("INSERT INTO t (k) VALUES (1), (2), (3)", &[]).await.unwrap();
    /// let plan = sqlmongo::translate("SELECT k FROM t ORDER BY k").unwrap().statements.remove(0);
    /// let mut seen = Vec::new();
    /// let streamed = client
    ///     .stream_plan(&plan, &[], &mut |rows| {
    ///         seen.extend(rows);
    ///         Ok(())
    ///     })
    ///     .await
    ///     .unwrap();
    /// assert!(streamed);
    /// assert_eq!(seen.len(), 3);
    /// # });
    /// ```
    pub async fn stream_plan(
        &self,
        plan: &StatementPlan,
        params: &[Bson],
        on_rows: &mut (dyn FnMut(Vec<Vec<Bson>>) -> Result<(), crate::Error> + Send),
    ) -> Result<bool, crate::Error> {
        crate::driver::execute::stream_plan(self.backend.as_ref(), &self.db, plan, params, on_rows)
            .await
    }

    /// Runs an already translated statement.
    pub async fn execute_plan(
        &self,
        plan: &StatementPlan,
        params: &[Bson],
    ) -> Result<StatementResult, crate::Error> {
        let result = execute_plan(self.backend.as_ref(), &self.db, plan, params).await;
        if cache::changes_catalog(plan) {
            self.statements.invalidate();
        }
        self.apply_session_setting(plan, &result);
        result
    }

    /// [`execute_plan`](Self::execute_plan) of a plan the caller gives away: a one-command plan's documents
    /// are moved into the command instead of copied (a bulk INSERT's thousand rows).
    pub(crate) async fn execute_owned_plan(
        &self,
        plan: StatementPlan,
        params: &[Bson],
    ) -> Result<StatementResult, crate::Error> {
        if cache::changes_catalog(&plan) || matches!(plan.output, crate::mql::Output::Setting(_)) {
            return self.execute_plan(&plan, params).await;
        }
        execute_owned_plan(self.backend.as_ref(), &self.db, plan, params).await
    }
}

/// A translated statement bound to a client; each run binds new parameters.
#[derive(Debug, Clone)]
pub struct PreparedStatement {
    client: Client,
    plan: Arc<StatementPlan>,
    sql: Arc<str>,
}

impl PreparedStatement {
    /// The translation `prepare` made, without a catalog (each run translates with the catalog of the
    /// collections the statement names, through the client's statement cache, so a declared table's
    /// columns are those declared when it runs).
    pub fn plan(&self) -> &StatementPlan {
        &self.plan
    }

    /// Runs the statement with `params`.
    pub async fn execute(&self, params: &[Bson]) -> Result<StatementResult, crate::Error> {
        let plan = self.client.cached_plan(&self.sql).await?;
        self.client.execute_plan(&plan, params).await
    }

    /// Runs the statement and returns its rows.
    pub async fn query(&self, params: &[Bson]) -> Result<Rows, crate::Error> {
        match self.execute(params).await? {
            StatementResult::Rows(r) => Ok(r),
            StatementResult::Affected(_) => Err(crate::Error::Parameter(
                "the statement returns no rows".into(),
            )),
        }
    }

    /// Runs the statement and returns the number of affected rows.
    pub async fn affected(&self, params: &[Bson]) -> Result<u64, crate::Error> {
        match self.execute(params).await? {
            StatementResult::Affected(n) => Ok(n),
            StatementResult::Rows(r) => Ok(r.rows.len() as u64),
        }
    }
}

/// Typed getters on a row of [`Rows`].
pub trait RowExt {
    /// The value as text, if it is a string.
    fn get_str(&self, i: usize) -> Option<&str>;
    /// The value as an integer (int32, int64, or an integral double).
    fn get_i64(&self, i: usize) -> Option<i64>;
    /// The value as a float (any number).
    fn get_f64(&self, i: usize) -> Option<f64>;
    /// The value as a boolean.
    fn get_bool(&self, i: usize) -> Option<bool>;
    /// The value as a date.
    fn get_datetime(&self, i: usize) -> Option<bson::DateTime>;
    /// Whether the value is NULL (or the column does not exist).
    fn is_null(&self, i: usize) -> bool;
}

impl RowExt for [Bson] {
    fn get_str(&self, i: usize) -> Option<&str> {
        self.get(i).and_then(Bson::as_str)
    }
    fn get_i64(&self, i: usize) -> Option<i64> {
        match self.get(i)? {
            Bson::Int32(v) => Some(i64::from(*v)),
            Bson::Int64(v) => Some(*v),
            Bson::Double(d) if d.fract() == 0.0 && d.abs() < 9.2e18 => Some(*d as i64),
            _ => None,
        }
    }
    fn get_f64(&self, i: usize) -> Option<f64> {
        match self.get(i)? {
            Bson::Int32(v) => Some(f64::from(*v)),
            Bson::Int64(v) => Some(*v as f64),
            Bson::Double(d) => Some(*d),
            // Decimal128 prints as a decimal string, `Infinity` or `NaN`, all of which f64 parses.
            Bson::Decimal128(d) => d.to_string().parse::<f64>().ok(),
            _ => None,
        }
    }
    fn get_bool(&self, i: usize) -> Option<bool> {
        self.get(i).and_then(Bson::as_bool)
    }
    fn get_datetime(&self, i: usize) -> Option<bson::DateTime> {
        self.get(i).and_then(Bson::as_datetime).copied()
    }
    fn is_null(&self, i: usize) -> bool {
        matches!(self.get(i), None | Some(Bson::Null))
    }
}
