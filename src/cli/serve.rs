//! The `sqlmongo serve` subcommand: logging, the runtime, the security flags (mongod's names where mongod
//! has one), the refusal to listen on a non-loopback address without authentication, and the root-user
//! bootstrap from the environment. The server itself is [`crate::server`].

use super::backend::BackendArgs;
use super::serve_config::{LogFormat, ServeArgs};
use crate::engine::Engine;
use crate::server::auth::{users, Security};
use crate::server::tls::{Tls, TlsFiles, TlsMode};
use crate::server::Server;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Environment variable: with [`ROOT_PASSWORD_ENV`], creates this user on `admin` with the `root` role at
/// start unless it exists (as the official image's `MONGO_INITDB_ROOT_USERNAME`).
pub const ROOT_USERNAME_ENV: &str = "SQLMONGO_ROOT_USERNAME";
/// Environment variable: the bootstrap root user's password (see [`ROOT_USERNAME_ENV`]).
pub const ROOT_PASSWORD_ENV: &str = "SQLMONGO_ROOT_PASSWORD";

/// `sqlmongo serve`'s authentication and TLS flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SecurityArgs {
    /// Require authentication (SCRAM-SHA-256) and enforce each user's roles, as mongod's --auth. Users
    /// live in admin.system.users (createUser, ...); see SQLMONGO_ROOT_USERNAME / SQLMONGO_ROOT_PASSWORD.
    #[arg(long)]
    pub auth: bool,
    /// Listen on a non-loopback address even without --auth (anyone who reaches it can read and change
    /// every database).
    #[arg(long = "allow-insecure-remote")]
    pub allow_insecure_remote: bool,
    /// TLS: PEM file with the server's certificate chain and private key (turns TLS on, requireTLS).
    #[arg(long = "tlsCertificateKeyFile", value_name = "PEM")]
    pub tls_certificate_key_file: Option<PathBuf>,
    /// TLS: PEM file with the private key, when it is not in --tlsCertificateKeyFile.
    #[arg(long = "tlsKeyFile", value_name = "PEM")]
    pub tls_key_file: Option<PathBuf>,
    /// TLS: PEM file of CA certificates; clients must then present a certificate issued by one of them.
    #[arg(long = "tlsCAFile", value_name = "PEM")]
    pub tls_ca_file: Option<PathBuf>,
    /// TLS with --tlsCAFile: also accept clients without a certificate.
    #[arg(long = "tlsAllowConnectionsWithoutCertificates")]
    pub tls_allow_without_certificates: bool,
    /// TLS mode: disabled, allowTLS, preferTLS (plain and TLS clients) or requireTLS (default with a
    /// certificate).
    #[arg(long = "tlsMode", value_name = "MODE")]
    pub tls_mode: Option<TlsMode>,
}

impl SecurityArgs {
    /// The server-wide authentication settings.
    pub fn security(&self) -> Security {
        Security::new(self.auth)
    }

    /// The TLS settings, `None` without TLS. Errors are one line.
    pub fn tls(&self) -> Result<Option<Tls>, String> {
        let mode = self
            .tls_mode
            .unwrap_or(if self.tls_certificate_key_file.is_some() {
                TlsMode::Require
            } else {
                TlsMode::Disabled
            });
        if mode == TlsMode::Disabled {
            return Ok(None);
        }
        let Some(cert) = self.tls_certificate_key_file.clone() else {
            return Err(format!(
                "--tlsMode {mode:?} needs --tlsCertificateKeyFile (the server's certificate and key)"
            ));
        };
        let files = TlsFiles {
            certificate_key_file: cert,
            key_file: self.tls_key_file.clone(),
            ca_file: self.tls_ca_file.clone(),
            allow_without_certificates: self.tls_allow_without_certificates,
        };
        Tls::from_files(&files, mode).map(Some)
    }

    /// Refuses a non-loopback address without `--auth` unless `--allow-insecure-remote`; warns about the
    /// allowed but unprotected cases.
    pub fn check_address(&self, addr: SocketAddr, tls: bool) -> Result<(), String> {
        if addr.ip().is_loopback() {
            return Ok(());
        }
        if !self.auth {
            if !self.allow_insecure_remote {
                return Err(format!(
                    "refusing to listen on the non-loopback address {addr} without --auth: anyone who \
                     can reach it could read and change every database. Add --auth (users: \
                     {ROOT_USERNAME_ENV} / {ROOT_PASSWORD_ENV}, or createUser from this machine), or \
                     --allow-insecure-remote to listen anyway"
                ));
            }
            tracing::warn!(
                "listening on the non-loopback address {addr} WITHOUT authentication (--allow-insecure-remote)"
            );
        }
        if !tls {
            tracing::warn!(
                "listening on the non-loopback address {addr} without TLS: commands and data travel in clear"
            );
        }
        Ok(())
    }

    /// Creates the root user of [`ROOT_USERNAME_ENV`] / [`ROOT_PASSWORD_ENV`] when both are set; with
    /// `--auth` and no user at all, says how to create the first one.
    pub fn bootstrap(&self, engine: &Engine) -> Result<(), String> {
        let user = std::env::var(ROOT_USERNAME_ENV)
            .ok()
            .filter(|s| !s.is_empty());
        let pwd = std::env::var(ROOT_PASSWORD_ENV)
            .ok()
            .filter(|s| !s.is_empty());
        match (user, pwd) {
            (Some(user), Some(pwd)) => {
                let created = users::ensure_root_user(
                    engine,
                    &user,
                    &pwd,
                    crate::server::auth::scram::DEFAULT_ITERATIONS,
                )
                .map_err(|e| format!("cannot create the root user '{user}': {}", e.errmsg))?;
                if created {
                    tracing::info!("created the root user '{user}' on admin ({ROOT_USERNAME_ENV})");
                } else {
                    tracing::info!(
                        "root user '{user}' exists already; its password is left as it is"
                    );
                }
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(format!(
                    "{ROOT_USERNAME_ENV} and {ROOT_PASSWORD_ENV} go together: set both or neither"
                ))
            }
            (None, None) => {}
        }
        if self.auth && !users::any_user(engine).map_err(|e| e.errmsg)? {
            tracing::info!(
                "--auth and no user yet: a client on this machine may create the first one (createUser on admin)"
            );
        }
        Ok(())
    }
}

/// Sets up logging on standard error: `RUST_LOG` sets the level (default `info`), `format` the lines.
fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
    };
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM (what `kill`, systemd and container runtimes send).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    r = tokio::signal::ctrl_c() => if let Err(e) = r {
                        tracing::error!("cannot listen for Ctrl-C: {e}");
                        let _ = term.recv().await;
                    },
                    _ = term.recv() => tracing::info!("SIGTERM received"),
                }
                return;
            }
            Err(e) => tracing::error!("cannot listen for SIGTERM: {e}"),
        }
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::error!("cannot listen for Ctrl-C: {e}");
        std::future::pending::<()>().await;
    }
}

/// The `sqlmongo serve` subcommand: merges the flags with `--config FILE`, sets up logging (text or JSON on
/// standard error), opens the engine `backend` names (in memory, or durable with `--data DIR`; opened once
/// logging is set up, so recovery is logged) and serves it on `bind:port` with the authentication and TLS
/// asked for (a non-loopback address needs `--auth` or `--allow-insecure-remote`), the slow-operation log,
/// and Prometheus metrics on `--metrics-addr`. On SIGTERM or Ctrl-C it stops accepting, lets the commands in
/// flight finish (at most `--shutdown-timeout-secs`), writes a checkpoint of a durable store and returns.
/// Errors are one line.
pub fn run_cli(args: &ServeArgs, mut backend: BackendArgs) -> Result<(), String> {
    let settings = args.resolve()?;
    init_logging(settings.log_format);
    if backend.data.is_none() {
        backend.data = settings.data.clone();
    }
    let security = &settings.security;
    let (bind, port) = (settings.bind.as_str(), settings.port);
    let tls = security.tls()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let ttl_every = settings.ttl_monitor_interval;
    let engine = super::backend::open_engine_tuned(&backend, |o| {
        o.ttl_monitor_interval = Some(ttl_every);
    })
    .map_err(|e| e.message)?;
    engine
        .run_command(
            "admin",
            &bson::doc! {"profile": 0, "slowms": settings.slowms},
        )
        .map_err(|e| format!("--slowms: {}", e.errmsg))?;
    rt.block_on(async {
        let server = Server::bind((bind, port), engine.clone())
            .await
            .map_err(|e| format!("cannot listen on {bind}:{port}: {e}"))?;
        let addr = server
            .local_addr()
            .map_err(|e| format!("cannot read the bound address: {e}"))?;
        security.check_address(addr, tls.is_some())?;
        security.bootstrap(&engine)?;
        let mut server = server
            .with_security(security.security())
            .with_shutdown_timeout(settings.shutdown_timeout);
        let tls_note = match &tls {
            Some(t) => format!("TLS {:?}", t.mode()),
            None => "no TLS".to_string(),
        };
        if let Some(t) = tls {
            server = server.with_tls(t);
        }
        if let Some(name) = &settings.repl_set {
            server = server.with_repl_set(name.clone());
            tracing::info!("presenting the server as the primary of replica set {name}");
        }
        let (metrics_stop, metrics_stopped) = tokio::sync::watch::channel(false);
        let metrics_task = match &settings.metrics_addr {
            Some(maddr) => {
                let listener = tokio::net::TcpListener::bind(maddr.as_str())
                    .await
                    .map_err(|e| format!("cannot listen on --metrics-addr {maddr}: {e}"))?;
                let bound = listener
                    .local_addr()
                    .map_err(|e| format!("cannot read the metrics address: {e}"))?;
                tracing::info!("metrics: http://{bound}/metrics (Prometheus)");
                if !bound.ip().is_loopback() {
                    tracing::warn!(
                        "the metrics endpoint {bound} is not on loopback and has no authentication: anyone who reaches it reads the server's counters"
                    );
                }
                let mut stopped = metrics_stopped.clone();
                Some(tokio::spawn(crate::server::metrics::serve_metrics(
                    listener,
                    server.stats(),
                    engine.clone(),
                    async move {
                        let _ = stopped.changed().await;
                    },
                )))
            }
            None => None,
        };
        let store = match engine.data_dir() {
            Some(dir) => format!("durable embedded engine, data in {}", dir.display()),
            None => "embedded in-memory engine".to_string(),
        };
        tracing::info!(
            "sqlmongo serve: listening on {addr} ({store}; MongoDB wire protocol, maxWireVersion 21; {}; {tls_note}; slowms {}); Ctrl-C or SIGTERM stops",
            if security.auth { "authentication required" } else { "no authentication" },
            settings.slowms
        );
        server
            .serve_until(shutdown_signal())
            .await
            .map_err(|e| format!("server failed: {e}"))?;
        let _ = metrics_stop.send(true);
        if let Some(task) = metrics_task {
            let _ = task.await;
        }
        if engine.data_dir().is_some() {
            // As mongod at a clean shutdown: a checkpoint, so the next start replays no journal.
            let started = std::time::Instant::now();
            match tokio::task::block_in_place(|| engine.checkpoint()) {
                Ok(()) => tracing::info!("checkpoint written in {:.3} s", started.elapsed().as_secs_f64()),
                Err(e) => tracing::error!("checkpoint at shutdown failed: {e} (the journal holds every commit)"),
            }
        }
        tracing::info!("stopped");
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(auth: bool, insecure: bool) -> SecurityArgs {
        SecurityArgs {
            auth,
            allow_insecure_remote: insecure,
            ..SecurityArgs::default()
        }
    }

    #[test]
    fn a_non_loopback_address_needs_auth_or_the_explicit_flag() {
        let any: SocketAddr = "0.0.0.0:27017".parse().expect("addr");
        let lan: SocketAddr = "[::]:27017".parse().expect("addr");
        let lo: SocketAddr = "127.0.0.1:27017".parse().expect("addr");
        let lo6: SocketAddr = "[::1]:27017".parse().expect("addr");
        for a in [any, lan] {
            let e = args(false, false)
                .check_address(a, false)
                .expect_err("refused");
            assert!(
                e.contains("--auth") && e.contains("--allow-insecure-remote"),
                "{e}"
            );
            assert!(args(true, false).check_address(a, false).is_ok());
            assert!(args(false, true).check_address(a, true).is_ok());
        }
        for a in [lo, lo6] {
            assert!(args(false, false).check_address(a, false).is_ok());
        }
    }

    #[test]
    fn tls_flags_are_checked() {
        assert!(args(false, false).tls().expect("no TLS").is_none());
        let mut a = args(false, false);
        a.tls_mode = Some(TlsMode::Require);
        assert!(a
            .tls()
            .expect_err("no certificate")
            .contains("--tlsCertificateKeyFile"));
        a.tls_mode = Some(TlsMode::Disabled);
        a.tls_certificate_key_file = Some("/nonexistent.pem".into());
        assert!(a.tls().expect("disabled").is_none());
        a.tls_mode = None;
        let e = a.tls().expect_err("missing file");
        assert!(e.contains("/nonexistent.pem"), "{e}");
        assert_eq!("preferTLS".parse::<TlsMode>(), Ok(TlsMode::Prefer));
        assert!("tls".parse::<TlsMode>().is_err());
    }
}
