//! The backend for a real MongoDB deployment, through the official `mongodb` crate (3.x, tokio).
//!
//! Each command document a plan renders is sent as is with `Database::run_command`. Commands that open a
//! cursor (`find`, `aggregate`, `listCollections`, `listIndexes`) go through `Database::run_cursor_command`
//! instead, and the driver drains the cursor itself: a cursor created inside an (implicit) session must be
//! iterated with `getMore` in that same session, which separate `run_command` calls do not guarantee. The
//! reply handed back is then a single batch with cursor id 0, so the plan executor sends no `getMore`.
//!
//! Server errors keep MongoDB's code, codeName and errmsg ([`crate::Error::Command`]); failures to reach
//! the deployment (server selection, network, TLS, authentication) are one line in
//! [`crate::Error::Connection`].

use super::{Backend, CommandFuture};
use crate::command_error::CommandError;
use bson::{doc, Bson, Document};
use mongodb::error::ErrorKind;
use mongodb::options::ClientOptions;
use std::time::Duration;

/// Server selection timeout used when the URI sets no `serverSelectionTimeoutMS` (the driver's own
/// default is 30 s, long for an interactive tool).
pub const DEFAULT_SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// A backend over a MongoDB deployment.
#[derive(Debug, Clone)]
pub struct MongoBackend {
    client: mongodb::Client,
    /// `SET sqlmongo.now` / `--now`: put in place of `$$NOW` in every command (`mql::fixed_now`).
    fixed_now: std::sync::Arc<std::sync::Mutex<Option<bson::DateTime>>>,
    /// The open transaction block's session (SQL `BEGIN`): commands that join it run in it.
    txn: std::sync::Arc<tokio::sync::Mutex<Option<mongodb::ClientSession>>>,
    /// Where the block stands.
    txn_state: std::sync::Arc<std::sync::Mutex<super::transaction::TxnState>>,
    /// Whether the deployment runs transactions (a replica set or a sharded cluster), once asked.
    has_transactions: std::sync::Arc<std::sync::Mutex<Option<bool>>>,
}

/// Commands whose reply is a cursor, drained through the driver.
const CURSOR_COMMANDS: &[&str] = &["find", "aggregate", "listCollections", "listIndexes"];

impl MongoBackend {
    /// Parses `uri` (any MongoDB connection string: `mongodb://` or `mongodb+srv://`, credentials, `tls=true`,
    /// `replicaSet`, `directConnection`, timeouts ...), connects and checks that a server answers `ping`.
    /// Returns the backend and the database named in the URI path, if any.
    pub async fn connect(uri: &str) -> Result<(MongoBackend, Option<String>), crate::Error> {
        let mut options = ClientOptions::parse(uri).await.map_err(|e| {
            crate::Error::Connection(format!(
                "invalid MongoDB connection string {}: {}",
                redact(uri),
                one_line(&e.to_string())
            ))
        })?;
        if options.server_selection_timeout.is_none() {
            options.server_selection_timeout = Some(DEFAULT_SERVER_SELECTION_TIMEOUT);
        }
        if options.connect_timeout.is_none() {
            options.connect_timeout = Some(DEFAULT_SERVER_SELECTION_TIMEOUT);
        }
        if options.app_name.is_none() {
            options.app_name = Some("sqlmongo".into());
        }
        let default_db = options.default_database.clone();
        let client =
            mongodb::Client::with_options(options).map_err(|e| connection_error(uri, &e))?;
        client
            .database("admin")
            .run_command(doc! {"ping": 1})
            .await
            .map_err(|e| map_error(uri, e))?;
        Ok((MongoBackend::from_client(client), default_db))
    }

    /// Wraps an existing driver client.
    pub fn from_client(client: mongodb::Client) -> MongoBackend {
        MongoBackend {
            client,
            fixed_now: Default::default(),
            txn: Default::default(),
            txn_state: Default::default(),
            has_transactions: Default::default(),
        }
    }

    /// The command with the fixed "now" in place of `$$NOW`, when one is set.
    fn with_fixed_now(&self, mut command: Document) -> Document {
        let now = self.fixed_now.lock().ok().and_then(|n| *n);
        if let Some(now) = now {
            crate::mql::fixed_now::fix_now(&mut command, now);
        }
        command
    }

    /// The driver client.
    pub fn client(&self) -> &mongodb::Client {
        &self.client
    }

    fn state(&self) -> std::sync::MutexGuard<'_, super::transaction::TxnState> {
        self.txn_state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs a command in the open transaction's session (a cursor drained in it).
    async fn run_in_session(
        &self,
        session: &mut mongodb::ClientSession,
        db: &str,
        command: Document,
    ) -> Result<Document, mongodb::error::Error> {
        let database = self.client.database(db);
        let name = command.keys().next().cloned().unwrap_or_default();
        if !CURSOR_COMMANDS.contains(&name.as_str()) {
            return database.run_command(command).session(&mut *session).await;
        }
        let coll = match command.get(&name) {
            Some(Bson::String(s)) => s.clone(),
            _ => "$cmd.".to_string() + &name,
        };
        let mut cursor = database
            .run_cursor_command(command)
            .session(&mut *session)
            .await?;
        let mut docs = Vec::new();
        while cursor.advance(&mut *session).await? {
            docs.push(Bson::Document(cursor.deserialize_current()?));
        }
        Ok(doc! {
            "cursor": {"firstBatch": docs, "id": 0i64, "ns": format!("{db}.{coll}")},
            "ok": 1.0,
        })
    }

    async fn run(&self, db: &str, command: Document) -> Result<Document, mongodb::error::Error> {
        if *self.state() != super::transaction::TxnState::Idle
            && super::transaction::joins(&command)
        {
            let mut guard = self.txn.lock().await;
            if let Some(session) = guard.as_mut() {
                return self.run_in_session(session, db, command).await;
            }
        }
        let database = self.client.database(db);
        let name = command.keys().next().cloned().unwrap_or_default();
        let explain = matches!(command.get("explain"), Some(Bson::Boolean(true)));
        if !CURSOR_COMMANDS.contains(&name.as_str()) || explain {
            return database.run_command(command).await;
        }
        let coll = match command.get(&name) {
            Some(Bson::String(s)) => s.clone(),
            _ => "$cmd.".to_string() + &name,
        };
        let mut cursor = database.run_cursor_command(command).await?;
        let mut docs = Vec::new();
        while cursor.advance().await? {
            docs.push(Bson::Document(cursor.deserialize_current()?));
        }
        Ok(doc! {
            "cursor": {"firstBatch": docs, "id": 0i64, "ns": format!("{db}.{coll}")},
            "ok": 1.0,
        })
    }
}

impl Backend for MongoBackend {
    fn run_command<'a>(&'a self, db: &'a str, command: Document) -> CommandFuture<'a> {
        Box::pin(async move {
            let command = self.with_fixed_now(command);
            self.run(db, command).await.map_err(|e| map_error("", e))
        })
    }

    fn begin_transaction(&self) -> super::TxnFuture<'_> {
        Box::pin(async move {
            let known = *self
                .has_transactions
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let has = match known {
                Some(h) => h,
                None => {
                    // A replica-set member names its set; mongos says so; a standalone has neither.
                    let hello = self
                        .client
                        .database("admin")
                        .run_command(doc! {"hello": 1})
                        .await
                        .map_err(|e| map_error("", e))?;
                    let h = hello.contains_key("setName")
                        || hello.get_str("msg").ok() == Some("isdbgrid");
                    *self
                        .has_transactions
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = Some(h);
                    h
                }
            };
            if !has {
                return Err(crate::Error::Transaction(
                    "this MongoDB deployment is a standalone server, which has no transactions \
                     (a replica set or a sharded cluster has them; `sqlmongo serve --repl-set NAME` \
                     presents itself as one)"
                        .into(),
                ));
            }
            let mut session = self
                .client
                .start_session()
                .await
                .map_err(|e| map_error("", e))?;
            session
                .start_transaction()
                .await
                .map_err(|e| map_error("", e))?;
            *self.txn.lock().await = Some(session);
            *self.state() = super::transaction::TxnState::Active;
            Ok(())
        })
    }

    fn end_transaction(&self, commit: bool) -> super::TxnFuture<'_> {
        Box::pin(async move {
            let session = self.txn.lock().await.take();
            *self.state() = super::transaction::TxnState::Idle;
            let Some(mut session) = session else {
                return Ok(());
            };
            if commit {
                session
                    .commit_transaction()
                    .await
                    .map_err(|e| map_error("", e))
            } else {
                // The server may have aborted it already (a failed statement): nothing left to undo.
                let _ = session.abort_transaction().await;
                Ok(())
            }
        })
    }

    fn transaction_state(&self) -> super::transaction::TxnState {
        *self.state()
    }

    fn fail_transaction(&self) {
        let mut state = self.state();
        if *state == super::transaction::TxnState::Active {
            *state = super::transaction::TxnState::Failed;
        }
    }

    fn set_fixed_now(&self, now: Option<bson::DateTime>) -> Result<(), crate::Error> {
        if let Ok(mut fixed) = self.fixed_now.lock() {
            *fixed = now;
        }
        Ok(())
    }

    /// The driver's own shutdown: without it, dropping the runtime under the driver's pool workers can
    /// panic inside them (`connection_requester.rs: ... SendError`) after a correct answer.
    fn shutdown(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        let client = self.client.clone();
        Box::pin(async move {
            // It waits for the driver's pending cleanup (cursors, sessions) first; never for long.
            let _ =
                tokio::time::timeout(std::time::Duration::from_secs(5), client.shutdown()).await;
        })
    }

    /// The driver's cursor, read as the stream is pulled (getMore in the session that opened it).
    fn open_cursor<'a>(&'a self, db: &'a str, command: Document) -> super::OpenCursorFuture<'a> {
        Box::pin(async move {
            if *self.state() != super::transaction::TxnState::Idle {
                // Inside a transaction block: read through `run_command` (in the block's session).
                return Ok(super::OpenedCursor::NotHandled(command));
            }
            let cursor = self
                .client
                .database(db)
                .run_cursor_command(command)
                // Each getMore fetches at most one batch: the stream reads ahead by one batch, never the
                // whole rest of the result (a getMore without batchSize returns up to 16 MiB).
                .batch_size(STREAM_BATCH as u32)
                .await
                .map_err(|e| map_error("", e))?;
            let batches: super::CursorBatches = Box::pin(DriverBatches {
                cursor,
                done: false,
            });
            Ok(super::OpenedCursor::Batches(batches))
        })
    }

    /// The driver's cursor (getMore in the session that opened it), handed on in batches of
    /// [`STREAM_BATCH`] documents.
    fn stream_cursor<'a>(
        &'a self,
        db: &'a str,
        command: Document,
        sink: &'a mut super::BatchSink<'a>,
    ) -> super::StreamFuture<'a> {
        Box::pin(async move {
            let command = self.with_fixed_now(command);
            if *self.state() != super::transaction::TxnState::Idle {
                // Inside a transaction block: the cursor is read in the block's session.
                let mut reply = self.run(db, command).await.map_err(|e| map_error("", e))?;
                let cursor = reply.get_document_mut("cursor").map_err(|_| {
                    crate::Error::Command(CommandError::new(
                        crate::command_error::ErrorCode::UnknownError,
                        "reply has no cursor",
                    ))
                })?;
                return sink(super::execute::batch(cursor, "firstBatch"));
            }
            let database = self.client.database(db);
            let mut cursor = database
                .run_cursor_command(command)
                .batch_size(STREAM_BATCH as u32)
                .await
                .map_err(|e| map_error("", e))?;
            let mut batch = Vec::with_capacity(STREAM_BATCH);
            while cursor.advance().await.map_err(|e| map_error("", e))? {
                batch.push(cursor.deserialize_current().map_err(|e| map_error("", e))?);
                if batch.len() == STREAM_BATCH {
                    sink(std::mem::take(&mut batch))?;
                }
            }
            sink(batch)
        })
    }
}

/// A driver cursor as batches: the documents the driver has buffered (one server batch, at most
/// [`STREAM_BATCH`]) each time it is polled; the driver sends `getMore` in the cursor's session when its
/// buffer is empty, and kills the cursor when dropped.
struct DriverBatches {
    cursor: mongodb::Cursor<Document>,
    done: bool,
}

impl futures_core::Stream for DriverBatches {
    type Item = Result<Vec<Document>, crate::Error>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        let this = self.get_mut();
        let mut batch = Vec::new();
        while !this.done && batch.len() < STREAM_BATCH {
            match std::pin::Pin::new(&mut this.cursor).poll_next(cx) {
                Poll::Ready(Some(Ok(d))) => batch.push(d),
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(map_error("", e))));
                }
                Poll::Ready(None) => this.done = true,
                // The buffer is empty and a getMore is on its way: hand out what we have first.
                Poll::Pending if batch.is_empty() => return Poll::Pending,
                Poll::Pending => break,
            }
        }
        if batch.is_empty() {
            Poll::Ready(None)
        } else {
            Poll::Ready(Some(Ok(batch)))
        }
    }
}

/// Documents per batch handed to a stream's sink.
pub const STREAM_BATCH: usize = 1000;

/// A driver error as a sqlmongo error: server errors keep MongoDB's code and message.
fn map_error(uri: &str, e: mongodb::error::Error) -> crate::Error {
    match e.kind.as_ref() {
        ErrorKind::Command(c) => crate::Error::Command(CommandError {
            code: c.code,
            code_name: c.code_name.clone(),
            errmsg: c.message.clone(),
            extra: None,
        }),
        _ => connection_error(uri, &e),
    }
}

/// One line: what failed and where, without the driver's multi-line topology dump.
fn connection_error(uri: &str, e: &mongodb::error::Error) -> crate::Error {
    let what = match e.kind.as_ref() {
        ErrorKind::ServerSelection { message, .. } => {
            // "Server selection timeout: No available servers. Topology: { ... Error: Kind: I/O error: ...
            // Connection refused (os error 111), labels: {} } ] }": keep the first server error.
            let cause = message
                .split("Error: ")
                .nth(1)
                .map(|s| s.split(", labels").next().unwrap_or(s))
                .map(|s| s.trim_start_matches("Kind: ").to_string());
            match cause {
                Some(c) => format!("no server answered ({c})"),
                None => "no server answered before serverSelectionTimeoutMS".to_string(),
            }
        }
        ErrorKind::Authentication { message, .. } => format!("authentication failed: {message}"),
        ErrorKind::InvalidArgument { message, .. } => format!("invalid argument: {message}"),
        ErrorKind::InvalidTlsConfig { message, .. } => format!("TLS configuration: {message}"),
        ErrorKind::DnsResolve { message, .. } => format!("DNS resolution failed: {message}"),
        _ => e.to_string(),
    };
    let where_ = redact(uri);
    let line = if where_.is_empty() {
        format!("MongoDB: {what}")
    } else {
        format!("cannot connect to {where_}: {what}")
    };
    crate::Error::Connection(one_line(&line))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The URI without its password.
fn redact(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return uri.to_string();
    };
    let hosts_end = rest.find('/').unwrap_or(rest.len());
    match rest[..hosts_end].rfind('@') {
        Some(at) => {
            let creds = &rest[..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{}", &rest[at + 1..])
        }
        None => uri.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("mongodb://app:s3cret@db.example:27017/sessions?tls=true"),
            "mongodb://app:***@db.example:27017/sessions?tls=true"
        );
        assert_eq!(redact("mongodb://localhost/x"), "mongodb://localhost/x");
    }

    #[tokio::test]
    async fn unreachable_server_is_one_clear_line() {
        // Port 1 on loopback: refused at once.
        let e = MongoBackend::connect(
            "mongodb://127.0.0.1:1/?directConnection=true&serverSelectionTimeoutMS=300",
        )
        .await
        .unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, crate::Error::Connection(_)), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
        assert!(msg.contains("127.0.0.1:1"), "{msg}");
        let e = MongoBackend::connect("postgres://nope").await.unwrap_err();
        assert!(
            e.to_string().contains("invalid MongoDB connection string"),
            "{e}"
        );
    }
}
