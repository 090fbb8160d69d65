//! `sqlmongo serve`: a MongoDB wire-protocol server over the embedded engine.
//!
//! Any MongoDB driver or tool (pymongo, the Node driver, mongosh, the Rust driver behind
//! [`Client::connect`](crate::Client::connect)) can talk to the embedded engine through it. It serves
//! `OP_MSG` (with document sequences and checksums) and the legacy `OP_QUERY` handshake, one tokio task per
//! connection; commands run on the engine with the database from `$db`, and the generic fields a driver adds
//! (`lsid`, `$clusterTime`, `$readPreference`, ...) are dropped as a standalone mongod ignores them, once an
//! `lsid` has registered (or refreshed) its logical session with the connection's user, as mongod's session
//! cache does (`$listLocalSessions` lists it).
//! Transactions and retryable writes (`txnNumber`) are refused as a standalone refuses them, unless the
//! server presents itself as a one-member replica set ([`Server::with_repl_set`], `serve --repl-set
//! NAME`): then `lsid` / `txnNumber` / `autocommit` / `startTransaction` go to the engine's sessions and
//! transactions, and the replies carry what a replica-set member adds (`repl_set.rs`).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let server = sqlmongo::server::Server::bind("127.0.0.1:0", sqlmongo::engine::Engine::in_memory()).await?;
//! println!("listening on {}", server.local_addr()?);
//! server.serve_until(async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

pub mod auth;
mod conn;
pub mod metrics;
pub mod repl_set;
pub mod stats;
pub mod tls;
pub mod wire;

pub use auth::Security;
pub use repl_set::ReplSet;
pub use stats::ServerStats;
pub use tls::{Tls, TlsFiles, TlsMode};

use crate::engine::Engine;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How long shutdown waits for connections to finish the command they are running (the default of
/// [`Server::with_shutdown_timeout`]).
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits, after interrupting the commands still running at the end of the shutdown
/// timeout, for their (error) replies before closing the connections.
const INTERRUPT_GRACE: Duration = Duration::from_secs(2);
/// How long a connection may go without sending a byte in the middle of a message before it is closed
/// (the default of [`Server::with_read_timeout`]).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A bound wire-protocol server over an engine.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    engine: Engine,
    read_timeout: Duration,
    security: Arc<Security>,
    tls: Option<Tls>,
    stats: Arc<ServerStats>,
    shutdown_timeout: Duration,
    repl_set: Option<Arc<ReplSet>>,
}

impl Server {
    /// Binds `addr` (e.g. `"127.0.0.1:27017"`, or port 0 for an ephemeral port) to serve `engine`, without
    /// authentication required and without TLS (see [`Server::with_security`], [`Server::with_tls`]).
    pub async fn bind(addr: impl ToSocketAddrs, engine: Engine) -> std::io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Server {
            listener,
            engine,
            read_timeout: DEFAULT_READ_TIMEOUT,
            security: Arc::new(Security::new(false)),
            tls: None,
            stats: Arc::new(ServerStats::new()),
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            repl_set: None,
        })
    }

    /// The same server presented as the primary of the one-member replica set `name` (`serve --repl-set
    /// NAME`): `hello` names the set and this member, replies carry `$clusterTime` / `operationTime`, and
    /// sessions, transactions and retryable writes reach the engine (a standalone refuses them). Drivers
    /// connect with `directConnection=true` or `replicaSet=NAME`.
    pub fn with_repl_set(mut self, name: impl Into<String>) -> Server {
        let rs = ReplSet::new(name);
        if let Ok(addr) = self.listener.local_addr() {
            rs.bound(addr);
        }
        self.repl_set = Some(Arc::new(rs));
        self
    }

    /// Sets how long a client may pause in the middle of a message before its connection is closed
    /// (default [`DEFAULT_READ_TIMEOUT`]); a connection idle between messages is never closed.
    pub fn with_read_timeout(mut self, timeout: Duration) -> Server {
        self.read_timeout = timeout;
        self
    }

    /// The same server with these authentication settings (e.g. `Security::new(true)`: `--auth`).
    pub fn with_security(mut self, security: Security) -> Server {
        self.security = Arc::new(security);
        self
    }

    /// The same server with TLS.
    pub fn with_tls(mut self, tls: Tls) -> Server {
        self.tls = Some(tls);
        self
    }

    /// Sets how long shutdown waits for the commands in flight to finish before closing their connections
    /// anyway (default [`DEFAULT_SHUTDOWN_TIMEOUT`]).
    pub fn with_shutdown_timeout(mut self, timeout: Duration) -> Server {
        self.shutdown_timeout = timeout;
        self
    }

    /// The server's counters (`serverStatus`, the slow-operation log, [`metrics::serve_metrics`]).
    pub fn stats(&self) -> Arc<ServerStats> {
        self.stats.clone()
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The engine the server runs commands on.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Accepts and serves connections until `shutdown` completes; then stops accepting, tells every
    /// connection to close after its current command (whose reply is still sent), and waits for them at
    /// most the shutdown timeout ([`Server::with_shutdown_timeout`]) before dropping the stragglers.
    pub async fn serve_until<F>(self, shutdown: F) -> std::io::Result<()>
    where
        F: Future<Output = ()>,
    {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut next_conn: i64 = 0;
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        next_conn += 1;
                        if let Err(e) = stream.set_nodelay(true) {
                            tracing::debug!(%peer, "set_nodelay failed: {e}");
                        }
                        let session = auth::Session::new(self.security.clone(), peer.ip().is_loopback());
                        let (engine, stop, tls) = (self.engine.clone(), stop_rx.clone(), self.tls.clone());
                        let settings = conn::ConnSettings {
                            read_timeout: self.read_timeout,
                            stats: self.stats.clone(),
                            repl_set: self.repl_set.clone(),
                        };
                        tasks.spawn(async move {
                            match tls {
                                None => conn::serve(stream, peer, engine, session, next_conn, stop, settings).await,
                                Some(tls) => match tls::accept(&tls, stream, peer).await {
                                    Some(tls::Accepted::Plain(s)) => {
                                        conn::serve(s, peer, engine, session, next_conn, stop, settings).await
                                    }
                                    Some(tls::Accepted::Tls(s)) => {
                                        conn::serve(*s, peer, engine, session, next_conn, stop, settings).await
                                    }
                                    None => {}
                                },
                            }
                        });
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: keep serving the open connections.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Err(e) = done {
                        tracing::error!("connection task failed: {e}");
                    }
                }
            }
        }
        tracing::info!(
            "shutting down: no new connections; {} open connection(s) close after their command in flight",
            tasks.len()
        );
        drop(self.listener);
        let _ = stop_tx.send(true);
        let drain = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(self.shutdown_timeout, drain)
            .await
            .is_err()
        {
            // As mongod at shutdown: the commands still running are interrupted (11600
            // InterruptedAtShutdown, labelled RetryableWriteError for a retryable write, so its driver
            // retries it), and their replies get a moment to go out before the connections close.
            let interrupted = self.engine.interrupt_at_shutdown();
            tracing::warn!(
                "shutdown: {} connection(s) still busy after {:?}; {interrupted} command(s) interrupted",
                tasks.len(),
                self.shutdown_timeout
            );
            let drain = async { while tasks.join_next().await.is_some() {} };
            if tokio::time::timeout(INTERRUPT_GRACE, drain).await.is_err() {
                tasks.abort_all();
            }
        }
        Ok(())
    }

    /// Serves until Ctrl-C (SIGINT).
    pub async fn serve_until_ctrl_c(self) -> std::io::Result<()> {
        self.serve_until(async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::error!("cannot listen for Ctrl-C: {e}");
                std::future::pending::<()>().await;
            }
        })
        .await
    }
}
