//! What `serve` counts: connections, operation counters (mongod's `opcounters`), command latencies and slow
//! operations. They feed `serverStatus` (merged into the engine's reply), the slow-operation log (mongod's
//! `slowms`: one `tracing` event per command slower than the threshold, target `sqlmongo::slow_query`) and
//! the Prometheus endpoint ([`crate::server::metrics`]).
//!
//! Counters are [`prometheus_client`] metrics (atomics): recording costs a few relaxed atomic adds.

use crate::engine::Engine;
use bson::{doc, Bson, Document, RawDocument};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// mongod's `net.maxIncomingConnections` default: what `connections.available` counts down from.
pub const MAX_INCOMING_CONNECTIONS: i64 = 1_000_000;

/// The kinds of mongod's `opcounters`.
const OP_KINDS: [&str; 6] = ["insert", "query", "update", "delete", "getmore", "command"];

type Labels = Vec<(String, String)>;

/// The server's counters (see the module documentation). Shared by every connection (`Arc`).
#[derive(Debug)]
pub struct ServerStats {
    registry: Registry,
    started: Instant,
    /// The counters of `sqlmongo_opcounters`, in [`OP_KINDS`] order (no label lookup per command).
    by_kind: [Counter; 6],
    connections_current: Gauge,
    connections_total: Counter,
    command_seconds: Histogram,
    slow_commands: Counter,
    cursors_open: Gauge,
    cursors_timed_out: Gauge,
    memory_resident_bytes: Gauge,
    memory_virtual_bytes: Gauge,
    uptime_seconds: Gauge<f64, AtomicU64>,
}

impl Default for ServerStats {
    fn default() -> Self {
        ServerStats::new()
    }
}

/// Decrements the open-connection gauge when a connection ends.
#[derive(Debug)]
pub struct ConnectionGuard(Gauge);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl ServerStats {
    /// Fresh counters, registered under `sqlmongo_*` names.
    pub fn new() -> ServerStats {
        let mut registry = Registry::default();
        let opcounters = Family::<Labels, Counter>::default();
        let connections_current = Gauge::default();
        let connections_total = Counter::default();
        let command_seconds = Histogram::new(exponential_buckets(0.0001, 4.0, 10));
        let slow_commands = Counter::default();
        let cursors_open = Gauge::default();
        let cursors_timed_out = Gauge::default();
        let memory_resident_bytes = Gauge::default();
        let memory_virtual_bytes = Gauge::default();
        let uptime_seconds = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "sqlmongo_opcounters",
            "Operations received, by mongod's opcounters type (insert counts documents, update and delete statements)",
            opcounters.clone(),
        );
        registry.register(
            "sqlmongo_connections_current",
            "Open client connections",
            connections_current.clone(),
        );
        registry.register(
            "sqlmongo_connections",
            "Client connections accepted since start",
            connections_total.clone(),
        );
        registry.register(
            "sqlmongo_command_duration_seconds",
            "Time from a command's arrival to its reply",
            command_seconds.clone(),
        );
        registry.register(
            "sqlmongo_slow_commands",
            "Commands slower than slowms",
            slow_commands.clone(),
        );
        registry.register(
            "sqlmongo_cursors_open",
            "Open cursors",
            cursors_open.clone(),
        );
        registry.register(
            "sqlmongo_cursors_timed_out",
            "Cursors closed for idleness since start",
            cursors_timed_out.clone(),
        );
        registry.register(
            "sqlmongo_memory_resident_bytes",
            "Resident memory of the process",
            memory_resident_bytes.clone(),
        );
        registry.register(
            "sqlmongo_memory_virtual_bytes",
            "Virtual memory of the process",
            memory_virtual_bytes.clone(),
        );
        registry.register(
            "sqlmongo_uptime_seconds",
            "Seconds since the server started",
            uptime_seconds.clone(),
        );
        // Every kind appears in the exposition from the start (at 0).
        let by_kind = OP_KINDS.map(|kind| opcounters.get_or_create(&label(kind)).clone());
        ServerStats {
            registry,
            started: Instant::now(),
            by_kind,
            connections_current,
            connections_total,
            command_seconds,
            slow_commands,
            cursors_open,
            cursors_timed_out,
            memory_resident_bytes,
            memory_virtual_bytes,
            uptime_seconds,
        }
    }

    /// Counts a new connection; the guard counts it closed when dropped.
    pub fn connection_opened(&self) -> ConnectionGuard {
        self.connections_total.inc();
        self.connections_current.inc();
        ConnectionGuard(self.connections_current.clone())
    }

    /// The value of one `opcounters` kind (`insert`, `query`, `update`, `delete`, `getmore`, `command`).
    pub fn opcounter(&self, kind: &str) -> u64 {
        OP_KINDS
            .iter()
            .position(|k| *k == kind)
            .map_or(0, |i| self.by_kind[i].get())
    }

    /// Counts one command by its name and (for writes) its statements, and its duration.
    fn count(&self, name: &str, statements: u64, elapsed: Duration) {
        self.by_kind[op_kind(name)].inc_by(statements);
        self.command_seconds.observe(elapsed.as_secs_f64());
    }

    /// Records a command run through the general path: its counters, and the slow-operation log when it
    /// took `slow_ms` or longer.
    pub fn record(
        &self,
        conn: i64,
        db: &str,
        cmd: &CommandSummary,
        reply: &Document,
        elapsed: Duration,
        slow_ms: i64,
    ) {
        self.count(&cmd.name, cmd.statements, elapsed);
        if is_slow(elapsed, slow_ms) {
            self.slow_commands.inc();
            let (returned, n) = returned_of(reply);
            log_slow(conn, db, cmd, elapsed, returned, n, reply.get("ok"));
        }
    }

    /// [`ServerStats::record`] for a `find` answered from its bytes (`reply` is the encoded reply).
    pub fn record_raw_find(
        &self,
        conn: i64,
        db: &str,
        collection: &str,
        reply: &[u8],
        elapsed: Duration,
        slow_ms: i64,
    ) {
        self.count("find", 1, elapsed);
        if is_slow(elapsed, slow_ms) {
            self.slow_commands.inc();
            let reply = RawDocument::from_bytes(reply)
                .ok()
                .and_then(|r| Document::try_from(r).ok())
                .unwrap_or_default();
            let (returned, n) = returned_of(&reply);
            let cmd = CommandSummary {
                name: "find".into(),
                collection: Some(collection.to_string()),
                statements: 1,
            };
            log_slow(conn, db, &cmd, elapsed, returned, n, reply.get("ok"));
        }
    }

    /// The sections `serve` adds to the engine's `serverStatus` reply: `connections` and `opcounters`.
    pub fn decorate_server_status(&self, reply: &mut Document) {
        let current = self.connections_current.get();
        reply.insert(
            "connections",
            doc! {
                "current": current,
                "available": MAX_INCOMING_CONNECTIONS - current,
                "totalCreated": self.connections_total.get() as i64,
                "active": current,
            },
        );
        let mut ops = Document::new();
        for kind in OP_KINDS {
            ops.insert(kind, self.opcounter(kind) as i64);
        }
        reply.insert("opcounters", ops);
        if let Ok(metrics) = reply.get_document_mut("metrics") {
            metrics.insert("commands", doc! {"slow": self.slow_commands.get() as i64});
        }
        // `ok` last, as mongod replies.
        if let Some(ok) = reply.remove("ok") {
            reply.insert("ok", ok);
        }
    }

    /// The Prometheus (OpenMetrics) text exposition of every counter, with the engine's gauges (cursors,
    /// memory) read now.
    pub fn exposition(&self, engine: &Engine) -> String {
        self.cursors_open.set(engine.open_cursors() as i64);
        self.cursors_timed_out
            .set(engine.timed_out_cursors() as i64);
        if let Some((resident, virt)) = crate::engine::stats::process_memory_mib() {
            self.memory_resident_bytes.set(resident * 1024 * 1024);
            self.memory_virtual_bytes.set(virt * 1024 * 1024);
        }
        self.uptime_seconds
            .set(self.started.elapsed().as_secs_f64());
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!("cannot encode the metrics: {e}");
        }
        out
    }
}

/// What the counters and the slow log need of a command, taken before it runs (the command moves).
#[derive(Debug, Clone)]
pub struct CommandSummary {
    /// The command name (its first key).
    pub name: String,
    /// The collection it names, if any.
    pub collection: Option<String>,
    /// How many `opcounters` it counts for: documents of an `insert`, statements of an `update` or
    /// `delete`, else 1.
    pub statements: u64,
}

impl CommandSummary {
    /// The summary of `cmd` (whose first key is `name`).
    pub fn of(name: &str, cmd: &Document) -> CommandSummary {
        let array_len = |field: &str| match cmd.get(field) {
            Some(Bson::Array(a)) => a.len() as u64,
            _ => 1,
        };
        let statements = match name {
            "insert" => array_len("documents"),
            "update" => array_len("updates"),
            "delete" => array_len("deletes"),
            _ => 1,
        };
        let collection = match name {
            "getMore" => cmd.get_str("collection").ok(),
            _ => cmd.get_str(name).ok(),
        };
        CommandSummary {
            name: name.to_string(),
            collection: collection.map(str::to_string),
            statements,
        }
    }
}

fn label(kind: &str) -> Labels {
    vec![("type".to_string(), kind.to_string())]
}

/// The `opcounters` kind of a command (its index in [`OP_KINDS`]), as mongod counts commands that arrive by
/// `OP_MSG`.
fn op_kind(name: &str) -> usize {
    match name {
        "insert" => 0,
        "find" => 1,
        "update" => 2,
        "delete" => 3,
        "getMore" => 4,
        _ => 5,
    }
}

fn is_slow(elapsed: Duration, slow_ms: i64) -> bool {
    slow_ms >= 0 && elapsed.as_millis() >= u128::from(slow_ms.unsigned_abs())
}

/// Documents a reply returns (`cursor.firstBatch` / `nextBatch`) and its `n` (writes, counts).
fn returned_of(reply: &Document) -> (Option<i64>, Option<i64>) {
    let returned = reply.get_document("cursor").ok().and_then(|c| {
        c.get_array("firstBatch")
            .or_else(|_| c.get_array("nextBatch"))
            .ok()
            .map(|b| b.len() as i64)
    });
    let n = match reply.get("n") {
        Some(Bson::Int32(n)) => Some(i64::from(*n)),
        Some(Bson::Int64(n)) => Some(*n),
        _ => None,
    };
    (returned, n)
}

fn log_slow(
    conn: i64,
    db: &str,
    cmd: &CommandSummary,
    elapsed: Duration,
    returned: Option<i64>,
    n: Option<i64>,
    ok: Option<&Bson>,
) {
    let ns = format!("{db}.{}", cmd.collection.as_deref().unwrap_or("$cmd"));
    let ok = !matches!(ok, Some(Bson::Double(v)) if *v == 0.0);
    tracing::info!(
        target: "sqlmongo::slow_query",
        conn,
        ns = %ns,
        command = %cmd.name,
        duration_ms = elapsed.as_millis() as u64,
        nreturned = returned,
        n = n,
        statements = cmd.statements,
        ok,
        "Slow query"
    );
}

/// Shared handle to the counters.
pub type SharedStats = Arc<ServerStats>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcounters_count_documents_and_statements_as_mongod() {
        let s = ServerStats::new();
        let insert = doc! {"insert": "c", "documents": [{}, {}, {}]};
        let update = doc! {"update": "c", "updates": [{"q": {}, "u": {}}, {"q": {}, "u": {}}]};
        for (name, cmd) in [("insert", &insert), ("update", &update)] {
            let sum = CommandSummary::of(name, cmd);
            s.record(1, "app", &sum, &doc! {"ok": 1.0}, Duration::ZERO, 100);
        }
        let find = CommandSummary::of("find", &doc! {"find": "c"});
        s.record(1, "app", &find, &doc! {"ok": 1.0}, Duration::ZERO, 100);
        let hello = CommandSummary::of("hello", &doc! {"hello": 1});
        s.record(1, "admin", &hello, &doc! {"ok": 1.0}, Duration::ZERO, 100);
        assert_eq!(s.opcounter("insert"), 3);
        assert_eq!(s.opcounter("update"), 2);
        assert_eq!(s.opcounter("query"), 1);
        assert_eq!(s.opcounter("command"), 1);
        assert_eq!(s.opcounter("delete"), 0);
        assert_eq!(s.slow_commands.get(), 0);
        s.record(
            1,
            "app",
            &find,
            &doc! {"ok": 1.0},
            Duration::from_millis(150),
            100,
        );
        assert_eq!(s.slow_commands.get(), 1);
        // slowms -1: nothing is slow; 0: everything is.
        s.record(
            1,
            "app",
            &find,
            &doc! {"ok": 1.0},
            Duration::from_secs(9),
            -1,
        );
        s.record(1, "app", &find, &doc! {"ok": 1.0}, Duration::ZERO, 0);
        assert_eq!(s.slow_commands.get(), 2);
    }

    #[test]
    fn connections_are_counted_open_and_closed() {
        let s = ServerStats::new();
        let a = s.connection_opened();
        let b = s.connection_opened();
        drop(a);
        let mut reply = doc! {"host": "h", "metrics": {}, "ok": 1.0};
        s.decorate_server_status(&mut reply);
        let c = reply.get_document("connections").expect("connections");
        assert_eq!(c.get_i64("current").ok(), Some(1));
        assert_eq!(c.get_i64("totalCreated").ok(), Some(2));
        assert_eq!(
            c.get_i64("available").ok(),
            Some(MAX_INCOMING_CONNECTIONS - 1)
        );
        assert_eq!(reply.keys().last().map(String::as_str), Some("ok"));
        drop(b);
    }

    #[test]
    fn the_exposition_names_every_counter() {
        let s = ServerStats::new();
        let _c = s.connection_opened();
        let text = s.exposition(&Engine::in_memory());
        for needle in [
            "sqlmongo_opcounters_total{type=\"insert\"} 0",
            "sqlmongo_connections_current 1",
            "sqlmongo_connections_total 1",
            "sqlmongo_cursors_open 0",
            "# EOF",
        ] {
            assert!(text.contains(needle), "{needle} missing in\n{text}");
        }
    }
}
