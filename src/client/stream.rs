//! Rows as an async [`Stream`]: a query's cursor is read batch by batch as the consumer pulls rows, so a
//! large result is never held whole; dropping the stream early closes the cursor (`killCursors`).
//!
//! A plan of one `find` / `aggregate` with a fixed column list (a `SELECT` naming its columns) streams
//! lazily: its first batch comes with the command, the next ones with a `getMore` each when the rows
//! before them have been taken. Any other statement (`SELECT *`, whose columns are the union of the
//! documents' fields; a multi-step plan; `RETURNING`) runs whole when first polled and its rows are then
//! handed out one by one; a statement without rows (DML, DDL) gives an empty stream. Through a MongoDB
//! deployment (`Client::connect`) the driver's own cursor is read the same way, lazily
//! ([`crate::driver::Backend::open_cursor`]: its `getMore`s stay in the session that opened it).

use crate::client::cache::{changes_catalog, StatementCache};
use crate::client::Row;
use crate::driver::execute::{batch, cursor_id, execute_plan, shape_rows, StatementResult};
use crate::driver::{Backend, CursorBatches, OpenedCursor};
use crate::mql::{Output, OutputColumn, StatementPlan};
use bson::{doc, Bson, Document};
use futures_core::Stream;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// An open cursor: its id and collection.
type OpenCursor = (i64, String);

type BatchFuture = Pin<Box<dyn Future<Output = Result<Batch, crate::Error>> + Send>>;

/// The plan of a stream still to be started (the statement cache's catalog check runs first).
pub(crate) type PlanFuture =
    Pin<Box<dyn Future<Output = Result<Arc<StatementPlan>, crate::Error>> + Send>>;

/// What a deferred stream starts with once its plan is known: the plan, its parameters, the cache.
type Starting = (PlanFuture, Vec<Bson>, Option<Arc<StatementCache>>);

/// Rows (or the values decoded from them) of one statement, pulled lazily; see the module doc.
///
/// Implements [`futures_core::Stream`] (use `futures::TryStreamExt` / `StreamExt` on it), and
/// [`RowStream::try_next`] without any extra crate.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let client = sqlmongo::Client::embedded();
/// client.sql("INSERT INTO t (k) VALUES (1), (2), (3)").execute().await.unwrap();
/// let mut rows = client.sql("SELECT k FROM t ORDER BY k").scalar::<i64>().fetch();
/// let mut seen = Vec::new();
/// while let Some(k) = rows.try_next().await.unwrap() {
///     seen.push(k);
/// }
/// assert_eq!(seen, [1, 2, 3]);
/// # });
/// ```
pub struct RowStream<T> {
    backend: Arc<dyn Backend>,
    db: Arc<str>,
    /// The column names of the rows handed out.
    columns: Arc<[String]>,
    /// How a streamed cursor's documents become rows.
    shape: Vec<OutputColumn>,
    buffered: std::vec::IntoIter<Vec<Bson>>,
    pending: Option<BatchFuture>,
    /// The open cursor (id, collection), until a batch says it is exhausted.
    cursor: Option<OpenCursor>,
    /// A cursor the backend reads itself (the driver's), when it does.
    lazy: Option<CursorBatches>,
    decode: fn(Row) -> Result<T, crate::Error>,
    done: bool,
    /// Set by [`RowStream::deferred`]: the stream this one becomes on its first poll.
    starting: Option<Starting>,
}

/// What one round trip gave: rows, maybe their column names, and the cursor to continue with.
struct Batch {
    columns: Option<Vec<String>>,
    rows: Vec<Vec<Bson>>,
    cursor: Option<OpenCursor>,
    /// A cursor the backend reads itself (the driver's).
    lazy: Option<CursorBatches>,
}

impl<T> std::fmt::Debug for RowStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream")
            .field("columns", &self.columns)
            .field("cursor", &self.cursor)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// The columns of a plan that can stream lazily (see the module doc).
fn streamable(plan: &StatementPlan) -> Option<&[OutputColumn]> {
    let Output::Rows { columns } = &plan.output else {
        return None;
    };
    let one_cursor = plan.steps.len() == 1
        && plan.tolerated_codes.is_empty()
        && matches!(plan.steps[0].name(), "find" | "aggregate");
    (!columns.is_empty() && one_cursor).then_some(columns.as_slice())
}

/// The documents of a cursor reply and the cursor to continue with.
fn cursor_batch(
    mut reply: Document,
    key: &str,
) -> Result<(Vec<Document>, Option<OpenCursor>), crate::Error> {
    let Ok(cursor) = reply.get_document_mut("cursor") else {
        return Err(crate::Error::Command(
            crate::command_error::CommandError::new(
                crate::command_error::ErrorCode::UnknownError,
                "reply has no cursor",
            ),
        ));
    };
    let docs = batch(cursor, key);
    let id = cursor_id(cursor);
    let next = (id != 0).then(|| {
        let ns = cursor.get_str("ns").unwrap_or("");
        let coll = ns.split_once('.').map_or(ns, |(_, c)| c);
        (id, coll.to_string())
    });
    Ok((docs, next))
}

impl<T> RowStream<T> {
    /// Starts `plan` with `params` (nothing runs before the first poll). `cache`: invalidated after a
    /// statement that changes the catalog.
    pub(crate) fn start(
        backend: Arc<dyn Backend>,
        db: Arc<str>,
        plan: Arc<StatementPlan>,
        params: Vec<Bson>,
        cache: Option<Arc<StatementCache>>,
        decode: fn(Row) -> Result<T, crate::Error>,
    ) -> RowStream<T> {
        let (columns, shape, pending): (Vec<String>, Vec<OutputColumn>, BatchFuture) =
            match streamable(&plan) {
                Some(cols) => {
                    let shape = cols.to_vec();
                    let names = cols.iter().map(|c| c.name.clone()).collect();
                    let (b, d, s) = (backend.clone(), db.clone(), shape.clone());
                    let fut = Box::pin(async move {
                        let Some(cmd) = plan.bind(&params)?.into_iter().next() else {
                            return Ok(Batch {
                                columns: None,
                                rows: Vec::new(),
                                cursor: None,
                                lazy: None,
                            });
                        };
                        let cmd = match b.open_cursor(&d, cmd).await? {
                            OpenedCursor::NotHandled(cmd) => cmd,
                            OpenedCursor::Batches(batches) => {
                                return Ok(Batch {
                                    columns: None,
                                    rows: Vec::new(),
                                    cursor: None,
                                    lazy: Some(batches),
                                })
                            }
                        };
                        let reply = b.run_command(&d, cmd).await?;
                        let (docs, cursor) = cursor_batch(reply, "firstBatch")?;
                        Ok(Batch {
                            columns: None,
                            rows: shape_rows(&s, docs).rows,
                            cursor,
                            lazy: None,
                        })
                    });
                    (names, shape, fut)
                }
                None => {
                    let (b, d) = (backend.clone(), db.clone());
                    let fut = Box::pin(async move {
                        let result = execute_plan(b.as_ref(), &d, &plan, &params).await;
                        if let Some(cache) = cache.filter(|_| changes_catalog(&plan)) {
                            cache.invalidate();
                        }
                        match result? {
                            StatementResult::Rows(r) => Ok(Batch {
                                columns: Some(r.columns),
                                rows: r.rows,
                                cursor: None,
                                lazy: None,
                            }),
                            StatementResult::Affected(_) => Ok(Batch {
                                columns: None,
                                rows: Vec::new(),
                                cursor: None,
                                lazy: None,
                            }),
                        }
                    });
                    (Vec::new(), Vec::new(), fut)
                }
            };
        RowStream {
            backend,
            db,
            columns: columns.into(),
            shape,
            buffered: Vec::new().into_iter(),
            pending: Some(pending),
            cursor: None,
            lazy: None,
            decode,
            done: false,
            starting: None,
        }
    }

    /// A stream whose only item is `error` (a statement that did not translate, a parameter that did not
    /// convert).
    pub(crate) fn with_error(
        backend: Arc<dyn Backend>,
        db: Arc<str>,
        error: crate::Error,
        decode: fn(Row) -> Result<T, crate::Error>,
    ) -> RowStream<T> {
        RowStream {
            backend,
            db,
            columns: Vec::new().into(),
            shape: Vec::new(),
            buffered: Vec::new().into_iter(),
            pending: Some(Box::pin(std::future::ready(Err(error)))),
            cursor: None,
            lazy: None,
            decode,
            done: false,
            starting: None,
        }
    }

    /// A stream that becomes the one `start` resolves, on its first poll (the plan needs a command to the
    /// backend first: the catalog check of the statement cache).
    pub(crate) fn deferred(
        backend: Arc<dyn Backend>,
        db: Arc<str>,
        plan: PlanFuture,
        params: Vec<Bson>,
        cache: Option<Arc<StatementCache>>,
        decode: fn(Row) -> Result<T, crate::Error>,
    ) -> RowStream<T> {
        let mut s = RowStream::with_error(backend, db, crate::Error::RowNotFound, decode);
        s.pending = None;
        s.starting = Some((plan, params, cache));
        s
    }

    /// The column names of the rows (for a `SELECT` naming its columns, known once the stream has been
    /// polled; for other statements once the first row has been pulled).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The next row, `None` at the end: `StreamExt::try_next` without depending on `futures`.
    pub async fn try_next(&mut self) -> Result<Option<T>, crate::Error> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx))
            .await
            .transpose()
    }

    /// The `getMore` of the open cursor.
    fn get_more(&mut self, id: i64, coll: String) -> BatchFuture {
        let (b, d) = (self.backend.clone(), self.db.clone());
        let shape = self.shape.clone();
        Box::pin(async move {
            let reply = b
                .run_command(&d, doc! {"getMore": id, "collection": &coll})
                .await?;
            let (docs, cursor) = cursor_batch(reply, "nextBatch")?;
            Ok(Batch {
                columns: None,
                rows: shape_rows(&shape, docs).rows,
                cursor,
                lazy: None,
            })
        })
    }
}

impl<T> Stream for RowStream<T> {
    type Item = Result<T, crate::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some((plan, _, _)) = this.starting.as_mut() {
            match plan.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => {
                    this.starting = None;
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(Ok(plan)) => {
                    // Nothing of this stream has run: it becomes the started one.
                    let (params, cache) = match this.starting.take() {
                        Some((_, params, cache)) => (params, cache),
                        None => (Vec::new(), None),
                    };
                    *this = RowStream::start(
                        this.backend.clone(),
                        this.db.clone(),
                        plan,
                        params,
                        cache,
                        this.decode,
                    );
                }
            }
        }
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(values) = this.buffered.next() {
                let row = Row::new(this.columns.clone(), values);
                return Poll::Ready(Some((this.decode)(row)));
            }
            if let Some(fut) = this.pending.as_mut() {
                match fut.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(e)) => {
                        this.pending = None;
                        this.done = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                    Poll::Ready(Ok(b)) => {
                        this.pending = None;
                        if let Some(c) = b.columns {
                            this.columns = c.into();
                        }
                        this.buffered = b.rows.into_iter();
                        this.cursor = b.cursor;
                        this.lazy = b.lazy;
                        continue;
                    }
                }
            }
            if let Some(batches) = this.lazy.as_mut() {
                match batches.as_mut().poll_next(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Some(Ok(docs))) => {
                        this.buffered = shape_rows(&this.shape, docs).rows.into_iter();
                        continue;
                    }
                    Poll::Ready(Some(Err(e))) => {
                        this.done = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                    Poll::Ready(None) => {
                        this.lazy = None;
                        this.done = true;
                        continue;
                    }
                }
            }
            match this.cursor.clone() {
                Some((id, coll)) => this.pending = Some(this.get_more(id, coll)),
                None => this.done = true,
            }
        }
    }
}

impl<T> Drop for RowStream<T> {
    /// An unfinished cursor is closed in the background (on the current tokio runtime, if any; else the
    /// server's idle-cursor timeout ends it).
    fn drop(&mut self) {
        let Some((id, coll)) = self.cursor.take() else {
            return;
        };
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (b, d) = (self.backend.clone(), self.db.clone());
        handle.spawn(async move {
            let _ = b
                .run_command(&d, doc! {"killCursors": coll, "cursors": [id]})
                .await;
        });
    }
}
