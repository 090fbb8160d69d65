//! The query builder ([`Client::sql`]) and the typed shortcuts on [`Client`] (`query_as`, `query_one`,
//! `query_opt`, `query_scalar`), shaped like sqlx's `query` / `query_as` / `query_scalar` and their
//! `bind`, `execute`, `fetch_all`, `fetch_one`, `fetch_optional` and `fetch`.
//!
//! One SQL statement per builder, translated once per text (the client's statement cache, see
//! [`crate::client::cache`]); parameters are bound to its `$1`, `$2` ... placeholders (never spliced into
//! the text), from any `serde::Serialize` value ([`crate::client::params`]). Rows decode with serde
//! ([`crate::client::row`]).
//!
//! `fetch_one` takes the first row when there are several (as sqlx does; the rest of the cursor is closed
//! unread) and fails with [`crate::Error::RowNotFound`] when there is none; `fetch_optional` gives `None`
//! then.

use crate::client::cache::{CacheStats, CatalogUse, StatementCache};
use crate::client::row::{decode_value, DecodeError, Row};
use crate::client::stream::RowStream;
use crate::client::Client;
use crate::driver::execute::StatementResult;
use crate::mql::StatementPlan;
use bson::Bson;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::Arc;

/// One SQL statement with its bound parameters, ready to run; made by [`Client::sql`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let client = sqlmongo::Client::embedded();
/// let n = client
///     .sql("INSERT INTO user_sessions (session_id, user_id) VALUES ($1, $2)")
///     .bind("s1")
///     .bind(42)
///     .execute()
///     .await
///     .unwrap();
/// assert_eq!(n, 1);
/// let rows = client
///     .sql("SELECT session_id, user_id FROM user_sessions WHERE user_id = $1")
///     .bind(42)
///     .fetch_all()
///     .await
///     .unwrap();
/// assert_eq!(rows[0].get::<String>("session_id").unwrap(), "s1");
/// # });
/// ```
#[must_use = "a query does nothing until it is run (execute, fetch_all, ...)"]
pub struct Query<'a> {
    client: &'a Client,
    sql: Cow<'a, str>,
    params: Vec<Bson>,
    /// The first parameter that did not serialise: reported when the query runs.
    error: Option<crate::Error>,
}

impl std::fmt::Debug for Query<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("sql", &self.sql)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// A [`Query`] whose rows decode into `T`: made by [`Query::as_`] (the row, by column name) or
/// [`Query::scalar`] (its first column).
#[must_use = "a query does nothing until it is run (fetch_all, fetch_one, ...)"]
pub struct QueryAs<'a, T> {
    query: Query<'a>,
    decode: fn(Row) -> Result<T, crate::Error>,
    _t: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for QueryAs<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.query.fmt(f)
    }
}

fn decode_row<T: DeserializeOwned>(row: Row) -> Result<T, crate::Error> {
    row.decode()
}

fn decode_first<T: DeserializeOwned>(row: Row) -> Result<T, crate::Error> {
    let name = row.columns().first().cloned();
    let (Some(name), Some(v)) = (name, row.into_values().into_iter().next()) else {
        return Err(DecodeError {
            column: None,
            message: "the result has no column".into(),
        }
        .into());
    };
    decode_value(v, &name)
}

fn identity(row: Row) -> Result<Row, crate::Error> {
    Ok(row)
}

impl<'a> Query<'a> {
    /// Binds the next placeholder (`$1`, then `$2` ...) to `value`, converted by
    /// [`crate::client::params::to_param`] (a struct becomes a document, a `Vec` an array, `None` NULL,
    /// a chrono date-time a date). A value that does not convert fails the query when it runs.
    pub fn bind<T: Serialize>(mut self, value: T) -> Self {
        match crate::client::params::to_param(&value) {
            Ok(v) => self.params.push(v),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Binds the next placeholder to a BSON value as it is.
    pub fn bind_bson(mut self, value: impl Into<Bson>) -> Self {
        self.params.push(value.into());
        self
    }

    /// Rows decoded into `T` by column name (a struct deriving `Deserialize`, a map) or position (a tuple).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct Session { session_id: String, user_id: i64, theme: Option<String> }
    /// let client = sqlmongo::Client::embedded();
    /// client.sql("INSERT INTO s (session_id, user_id) VALUES ('a', 7)").execute().await.unwrap();
    /// let s: Session = client
    ///     .sql("SELECT session_id, user_id, theme FROM s WHERE session_id = $1")
    ///     .bind("a")
    ///     .as_::<Session>()
    ///     .fetch_one()
    ///     .await
    ///     .unwrap();
    /// assert_eq!(s, Session { session_id: "a".into(), user_id: 7, theme: None });
    /// # });
    /// ```
    pub fn as_<T: DeserializeOwned>(self) -> QueryAs<'a, T> {
        QueryAs {
            query: self,
            decode: decode_row::<T>,
            _t: PhantomData,
        }
    }

    /// The first column of each row decoded into `T`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let client = sqlmongo::Client::embedded();
    /// client.sql("INSERT INTO s (k) VALUES (1), (2)").execute().await.unwrap();
    /// let n: i64 = client.sql("SELECT COUNT(*) FROM s").scalar().fetch_one().await.unwrap();
    /// assert_eq!(n, 2);
    /// # });
    /// ```
    pub fn scalar<T: DeserializeOwned>(self) -> QueryAs<'a, T> {
        QueryAs {
            query: self,
            decode: decode_first::<T>,
            _t: PhantomData,
        }
    }

    /// The statement's plan: from the client's cache (checked against the current catalog), or translated
    /// (one statement only).
    async fn plan(&self) -> Result<Arc<StatementPlan>, crate::Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        self.client.cached_plan(&self.sql).await
    }

    /// Runs the statement and returns the number of rows it affected (INSERT: inserted; UPDATE: matched;
    /// DELETE: deleted; 0 for DDL; a query: the number of its rows).
    pub async fn execute(self) -> Result<u64, crate::Error> {
        let plan = self.plan().await?;
        // execute_plan invalidates the statement cache after DDL.
        Ok(match self.client.execute_plan(&plan, &self.params).await? {
            StatementResult::Affected(n) => n,
            StatementResult::Rows(r) => r.rows.len() as u64,
        })
    }

    fn stream<T>(self, decode: fn(Row) -> Result<T, crate::Error>) -> RowStream<T> {
        if let Some(e) = self.error {
            return RowStream::failed(self.client, e, decode);
        }
        // The plan is resolved on the first poll (its catalog check is a command to the backend).
        let client = self.client.clone();
        let sql = self.sql.into_owned();
        RowStream::deferred(
            client.backend().clone(),
            Arc::from(client.database()),
            Box::pin(async move { client.cached_plan(&sql).await }),
            self.params,
            Some(self.client.statements.clone()),
            decode,
        )
    }

    /// The rows as a stream, read from the cursor batch by batch as they are pulled
    /// ([`crate::client::stream`]).
    pub fn fetch(self) -> RowStream<Row> {
        self.stream(identity)
    }

    /// All rows.
    pub async fn fetch_all(self) -> Result<Vec<Row>, crate::Error> {
        collect(self.fetch()).await
    }

    /// The first row; [`crate::Error::RowNotFound`] when there is none.
    pub async fn fetch_one(self) -> Result<Row, crate::Error> {
        self.fetch()
            .try_next()
            .await?
            .ok_or(crate::Error::RowNotFound)
    }

    /// The first row, if any.
    pub async fn fetch_optional(self) -> Result<Option<Row>, crate::Error> {
        self.fetch().try_next().await
    }
}

impl<T> QueryAs<'_, T> {
    /// Binds the next placeholder, as [`Query::bind`].
    pub fn bind<P: Serialize>(mut self, value: P) -> Self {
        self.query = self.query.bind(value);
        self
    }

    /// The decoded rows as a stream ([`crate::client::stream`]).
    pub fn fetch(self) -> RowStream<T> {
        self.query.stream(self.decode)
    }

    /// All rows, decoded.
    pub async fn fetch_all(self) -> Result<Vec<T>, crate::Error> {
        collect(self.fetch()).await
    }

    /// The first row, decoded; [`crate::Error::RowNotFound`] when there is none.
    pub async fn fetch_one(self) -> Result<T, crate::Error> {
        self.fetch()
            .try_next()
            .await?
            .ok_or(crate::Error::RowNotFound)
    }

    /// The first row, decoded, if any.
    pub async fn fetch_optional(self) -> Result<Option<T>, crate::Error> {
        self.fetch().try_next().await
    }
}

async fn collect<T>(mut stream: RowStream<T>) -> Result<Vec<T>, crate::Error> {
    let mut out = Vec::new();
    while let Some(v) = stream.try_next().await? {
        out.push(v);
    }
    Ok(out)
}

/// Translates a text that must hold exactly one statement, with the catalog of the collections it names.
async fn translate_one(
    client: &Client,
    sql: &str,
) -> Result<(Arc<StatementPlan>, Option<Arc<CatalogUse>>), crate::Error> {
    let mut statements = crate::sql::parse(sql)?;
    if statements.len() != 1 {
        return Err(crate::Error::Parameter(format!(
            "a query runs exactly one statement; this text has {}",
            statements.len()
        )));
    }
    let (stmt, text) = statements.remove(0);
    let names = crate::translate::relation_names(&stmt);
    let catalog = Arc::new(
        crate::client::catalog::fetch(client.backend().as_ref(), client.database(), &names).await?,
    );
    let zone = client.time_zone();
    let plan = crate::translate::translate_statement_with_in_zone(
        &stmt,
        &text,
        &catalog,
        zone.as_deref(),
    )?;
    let used = (!names.is_empty()).then(|| Arc::new(CatalogUse { names, catalog }));
    Ok((Arc::new(plan), used))
}

impl Client {
    /// The plan of the one-statement text `sql`: the cached one while the catalog of the collections it
    /// names is unchanged (one `listCollections` to check; none for a statement naming no collection),
    /// else translated now and cached.
    pub(crate) async fn cached_plan(&self, sql: &str) -> Result<Arc<StatementPlan>, crate::Error> {
        let generation = match self.statements.lookup(sql) {
            Ok((plan, None)) => return Ok(plan),
            Ok((plan, Some(used))) => {
                let now = crate::client::catalog::fetch(
                    self.backend().as_ref(),
                    self.database(),
                    &used.names,
                )
                .await?;
                if now == *used.catalog {
                    return Ok(plan);
                }
                self.statements.generation()
            }
            Err(g) => g,
        };
        let (plan, used) = translate_one(self, sql).await?;
        self.statements.store(sql, plan.clone(), used, generation);
        Ok(plan)
    }
}

impl Client {
    /// A query on one SQL statement, to bind parameters to and run: the library's main entry point (see
    /// [`Query`]). The statement is translated once per text and kept in the client's statement cache.
    pub fn sql<'a>(&'a self, sql: impl Into<Cow<'a, str>>) -> Query<'a> {
        Query {
            client: self,
            sql: sql.into(),
            params: Vec::new(),
            error: None,
        }
    }

    fn sql_with<'a>(&'a self, sql: &'a str, params: &[Bson]) -> Query<'a> {
        let mut q = self.sql(sql);
        q.params = params.to_vec();
        q
    }

    /// Runs one query and decodes every row into `T` (by column name; a tuple: by position).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// #[derive(serde::Deserialize)]
    /// struct Hit { k: i32, label: Option<String> }
    /// let client = sqlmongo::Client::embedded();
    /// client.sql("INSERT INTO t (k, label) VALUES (1, 'one'), (2, NULL)").execute().await.unwrap();
    /// let hits: Vec<Hit> = client.query_as("SELECT k, label FROM t ORDER BY k", &[]).await.unwrap();
    /// assert_eq!((hits[0].k, hits[0].label.as_deref()), (1, Some("one")));
    /// assert_eq!(hits[1].label, None);
    /// # });
    /// ```
    pub async fn query_as<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: &[Bson],
    ) -> Result<Vec<T>, crate::Error> {
        self.sql_with(sql, params).as_::<T>().fetch_all().await
    }

    /// Runs one query and decodes its first row into `T`; [`crate::Error::RowNotFound`] when it has none.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let client = sqlmongo::Client::embedded();
    /// client.sql("INSERT INTO t (k, v) VALUES (1, 'x')").execute().await.unwrap();
    /// let (k, v): (i64, String) = client.query_one("SELECT k, v FROM t WHERE k = $1", &[1.into()]).await.unwrap();
    /// assert_eq!((k, v.as_str()), (1, "x"));
    /// let none = client.query_one::<(i64, String)>("SELECT k, v FROM t WHERE k = 2", &[]).await;
    /// assert!(matches!(none, Err(sqlmongo::Error::RowNotFound)));
    /// # });
    /// ```
    pub async fn query_one<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: &[Bson],
    ) -> Result<T, crate::Error> {
        self.sql_with(sql, params).as_::<T>().fetch_one().await
    }

    /// Runs one query and decodes its first row into `T`, `None` when it has no row.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let client = sqlmongo::Client::embedded();
    /// let s: Option<(String,)> = client.query_opt("SELECT session_id FROM s WHERE session_id = 'nope'", &[]).await.unwrap();
    /// assert!(s.is_none());
    /// # });
    /// ```
    pub async fn query_opt<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: &[Bson],
    ) -> Result<Option<T>, crate::Error> {
        self.sql_with(sql, params).as_::<T>().fetch_optional().await
    }

    /// Runs one query and decodes the first column of its first row into `T` (`COUNT(*)`, `MAX(...)`);
    /// [`crate::Error::RowNotFound`] when it has no row.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let client = sqlmongo::Client::embedded();
    /// client.sql("INSERT INTO t (k) VALUES (1), (5)").execute().await.unwrap();
    /// let n: i64 = client.query_scalar("SELECT COUNT(*) FROM t", &[]).await.unwrap();
    /// let top: Option<i32> = client.query_scalar("SELECT MAX(k) FROM t WHERE k > 9", &[]).await.unwrap();
    /// assert_eq!((n, top), (2, None));
    /// # });
    /// ```
    pub async fn query_scalar<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: &[Bson],
    ) -> Result<T, crate::Error> {
        self.sql_with(sql, params).scalar::<T>().fetch_one().await
    }

    /// A client like this one (same backend and database) with its own statement cache of `capacity`
    /// statements (0: no caching). Clones of a client share its cache.
    pub fn with_statement_cache_capacity(&self, capacity: usize) -> Client {
        let mut c = self.clone();
        c.statements = Arc::new(StatementCache::new(capacity));
        c
    }

    /// Forgets every cached statement (the next run of each text translates it again). The client does
    /// this itself after a statement that changes the catalog.
    pub fn clear_statement_cache(&self) {
        self.statements.invalidate()
    }

    /// The statement cache's counters (hits, misses = translations, evictions, entries).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let client = sqlmongo::Client::embedded();
    /// for k in 0..3 {
    ///     client.sql("SELECT k FROM t WHERE k = $1").bind(k).fetch_all().await.unwrap();
    /// }
    /// let stats = client.statement_cache_stats();
    /// assert_eq!((stats.misses, stats.hits), (1, 2));
    /// # });
    /// ```
    pub fn statement_cache_stats(&self) -> CacheStats {
        self.statements.stats()
    }
}

impl<T> RowStream<T> {
    /// A stream whose only item is `error`.
    fn failed(
        client: &Client,
        error: crate::Error,
        decode: fn(Row) -> Result<T, crate::Error>,
    ) -> RowStream<T> {
        RowStream::with_error(
            client.backend().clone(),
            Arc::from(client.database()),
            error,
            decode,
        )
    }
}
