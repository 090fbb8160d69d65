//! `sqlmongo serve`'s options: the command-line flags, the `--config FILE` (TOML) that can hold them, and
//! their merge (a flag given on the command line wins over the file, the file over the defaults).
//!
//! ```toml
//! # sqlmongo serve --config serve.toml
//! bind = "127.0.0.1"
//! port = 27017
//! data = "/var/lib/sqlmongo"          # as --data
//! slowms = 100                        # commands at least this slow are logged; -1: none
//! log_format = "json"                 # or "text"
//! metrics_addr = "127.0.0.1:9216"     # Prometheus: GET http://ADDR/metrics
//! ttl_monitor_sleep_secs = 60         # mongod's ttlMonitorSleepSecs
//! shutdown_timeout_secs = 10          # how long SIGTERM / Ctrl-C waits for commands in flight
//! repl_set = "rs0"                    # present the server as a one-member replica set (transactions)
//!
//! [security]
//! auth = true
//! allow_insecure_remote = false
//! tls_certificate_key_file = "/etc/sqlmongo/server.pem"
//! tls_key_file = "/etc/sqlmongo/server.key"
//! tls_ca_file = "/etc/sqlmongo/ca.pem"
//! tls_allow_connections_without_certificates = false
//! tls_mode = "requireTLS"
//! ```
//!
//! Unknown keys are errors (a misspelt option must not be silently ignored).

use super::serve::SecurityArgs;
use crate::server::tls::TlsMode;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The log line format of `serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines (the default).
    Text,
    /// One JSON object per line (`tracing-subscriber`'s JSON format: timestamp, level, target, fields).
    Json,
}

/// `sqlmongo serve`'s flags. Every one is optional so that `--config FILE` can supply it; the defaults are
/// applied by [`ServeArgs::resolve`].
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on (loopback unless told otherwise) [default: 127.0.0.1].
    #[arg(long)]
    pub bind: Option<String>,
    /// The TCP port [default: 27017].
    #[arg(long)]
    pub port: Option<u16>,
    /// Commands that take at least this many milliseconds are logged ("Slow query", mongod's slowms;
    /// `{profile: 0, slowms: N}` changes it at run time; -1: none) [default: 100].
    #[arg(long, allow_negative_numbers = true, value_name = "MS")]
    pub slowms: Option<i64>,
    /// Log format on standard error [default: text].
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Serve Prometheus metrics (OpenMetrics text) at http://ADDR/metrics.
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<String>,
    /// Seconds between TTL monitor passes (mongod's ttlMonitorSleepSecs) [default: 60].
    #[arg(long, value_name = "SECS")]
    pub ttl_monitor_sleep_secs: Option<u64>,
    /// On SIGTERM / Ctrl-C: how long the commands in flight may take to finish [default: 10].
    #[arg(long, value_name = "SECS")]
    pub shutdown_timeout_secs: Option<u64>,
    /// Present the server as the primary of a one-member replica set named NAME (as `mongod --replSet
    /// NAME` after `rs.initiate()`), so drivers run transactions and retryable writes on it; connect with
    /// `directConnection=true` or `replicaSet=NAME`. Without it the server is a standalone.
    #[arg(long = "repl-set", value_name = "NAME")]
    pub repl_set: Option<String>,
    /// Read the serve options from this TOML file (flags given on the command line win).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Authentication and TLS.
    #[command(flatten)]
    pub security: SecurityArgs,
}

/// The `[security]` table of the configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecurityFile {
    auth: Option<bool>,
    allow_insecure_remote: Option<bool>,
    tls_certificate_key_file: Option<PathBuf>,
    tls_key_file: Option<PathBuf>,
    tls_ca_file: Option<PathBuf>,
    tls_allow_connections_without_certificates: Option<bool>,
    tls_mode: Option<String>,
}

/// The configuration file (see the module documentation).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    bind: Option<String>,
    port: Option<u16>,
    data: Option<PathBuf>,
    slowms: Option<i64>,
    log_format: Option<LogFormat>,
    metrics_addr: Option<String>,
    ttl_monitor_sleep_secs: Option<u64>,
    shutdown_timeout_secs: Option<u64>,
    repl_set: Option<String>,
    security: Option<SecurityFile>,
}

/// The options `serve` runs with, after the merge.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    /// Listen address.
    pub bind: String,
    /// TCP port.
    pub port: u16,
    /// The data directory the file names (used when `--data` / `SQLMONGO_DATA` is not given).
    pub data: Option<PathBuf>,
    /// Slow-operation threshold (ms; negative: none).
    pub slowms: i64,
    /// Log format.
    pub log_format: LogFormat,
    /// Prometheus endpoint address.
    pub metrics_addr: Option<String>,
    /// TTL monitor interval.
    pub ttl_monitor_interval: Duration,
    /// Shutdown's wait for commands in flight.
    pub shutdown_timeout: Duration,
    /// Authentication and TLS.
    pub security: SecurityArgs,
    /// The replica set to present the server as (`--repl-set`).
    pub repl_set: Option<String>,
}

impl ServeArgs {
    /// Merges the flags with `--config FILE` (read now) and the defaults. Errors are one line, naming the
    /// file.
    pub fn resolve(&self) -> Result<ServeSettings, String> {
        let file = match &self.config {
            Some(path) => read_config(path)?,
            None => ConfigFile::default(),
        };
        let sec = file.security.clone().unwrap_or_default();
        let mut security = self.security.clone();
        security.auth |= sec.auth.unwrap_or(false);
        security.allow_insecure_remote |= sec.allow_insecure_remote.unwrap_or(false);
        security.tls_allow_without_certificates |= sec
            .tls_allow_connections_without_certificates
            .unwrap_or(false);
        security.tls_certificate_key_file = security
            .tls_certificate_key_file
            .or(sec.tls_certificate_key_file);
        security.tls_key_file = security.tls_key_file.or(sec.tls_key_file);
        security.tls_ca_file = security.tls_ca_file.or(sec.tls_ca_file);
        if security.tls_mode.is_none() {
            if let Some(mode) = &sec.tls_mode {
                let path = self.config.as_deref().unwrap_or(Path::new(""));
                security.tls_mode = Some(
                    mode.parse::<TlsMode>()
                        .map_err(|e| format!("{}: security.tls_mode: {e}", path.display()))?,
                );
            }
        }
        Ok(ServeSettings {
            repl_set: self.repl_set.clone().or(file.repl_set),
            bind: self
                .bind
                .clone()
                .or(file.bind)
                .unwrap_or_else(|| "127.0.0.1".to_string()),
            port: self.port.or(file.port).unwrap_or(27017),
            data: file.data,
            slowms: self
                .slowms
                .or(file.slowms)
                .unwrap_or(crate::engine::stats::DEFAULT_SLOW_MS),
            log_format: self
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Text),
            metrics_addr: self.metrics_addr.clone().or(file.metrics_addr),
            ttl_monitor_interval: Duration::from_secs(
                self.ttl_monitor_sleep_secs
                    .or(file.ttl_monitor_sleep_secs)
                    .unwrap_or(60)
                    .max(1),
            ),
            shutdown_timeout: Duration::from_secs(
                self.shutdown_timeout_secs
                    .or(file.shutdown_timeout_secs)
                    .unwrap_or(10),
            ),
            security,
        })
    }
}

fn read_config(path: &Path) -> Result<ConfigFile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the config file {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        let msg = e.message().to_string();
        match e.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!("{}:{line}:{col}: {msg}", path.display())
            }
            None => format!("{}: {msg}", path.display()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file(text: &str, args: ServeArgs) -> Result<ServeSettings, String> {
        let path = std::env::temp_dir().join(format!(
            "sqlmongo-serve-config-{}-{:?}.toml",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&path, text).expect("write");
        let args = ServeArgs {
            config: Some(path.clone()),
            ..args
        };
        let r = args.resolve();
        let _ = std::fs::remove_file(&path);
        r
    }

    #[test]
    fn defaults_without_a_file() {
        let s = ServeArgs::default().resolve().expect("defaults");
        assert_eq!(
            (s.bind.as_str(), s.port, s.slowms),
            ("127.0.0.1", 27017, 100)
        );
        assert_eq!(s.log_format, LogFormat::Text);
        assert_eq!(s.ttl_monitor_interval, Duration::from_secs(60));
        assert!(s.metrics_addr.is_none() && s.data.is_none() && !s.security.auth);
    }

    #[test]
    fn the_file_sets_options_and_flags_win() {
        let text = "port = 28000\nslowms = 5\nlog_format = \"json\"\nmetrics_addr = \"127.0.0.1:9216\"\n\
                    ttl_monitor_sleep_secs = 2\ndata = \"/tmp/d\"\n[security]\nauth = true\ntls_mode = \"disabled\"\n";
        let s = with_file(text, ServeArgs::default()).expect("file");
        assert_eq!(
            (s.port, s.slowms, s.log_format),
            (28000, 5, LogFormat::Json)
        );
        assert_eq!(s.metrics_addr.as_deref(), Some("127.0.0.1:9216"));
        assert_eq!(s.ttl_monitor_interval, Duration::from_secs(2));
        assert_eq!(s.data.as_deref(), Some(Path::new("/tmp/d")));
        assert!(s.security.auth);
        assert_eq!(s.security.tls_mode, Some(TlsMode::Disabled));
        let flags = ServeArgs {
            port: Some(29000),
            slowms: Some(-1),
            log_format: Some(LogFormat::Text),
            ..ServeArgs::default()
        };
        let s = with_file(text, flags).expect("file");
        assert_eq!(
            (s.port, s.slowms, s.log_format),
            (29000, -1, LogFormat::Text)
        );
    }

    #[test]
    fn a_misspelt_key_or_a_bad_value_is_an_error_with_its_place() {
        let e =
            with_file("port = 1\nslow_ms = 3\n", ServeArgs::default()).expect_err("unknown key");
        assert!(e.contains(":2:1:") && e.contains("slow_ms"), "{e}");
        let e = with_file("port = \"x\"\n", ServeArgs::default()).expect_err("bad type");
        assert!(e.contains(":1:"), "{e}");
        let e = with_file("[security]\ntls_mode = \"tls\"\n", ServeArgs::default())
            .expect_err("bad mode");
        assert!(
            e.contains("security.tls_mode") && e.contains("requireTLS"),
            "{e}"
        );
        let e = ServeArgs {
            config: Some("/nonexistent/serve.toml".into()),
            ..ServeArgs::default()
        }
        .resolve()
        .expect_err("missing");
        assert!(e.contains("/nonexistent/serve.toml"), "{e}");
    }
}
