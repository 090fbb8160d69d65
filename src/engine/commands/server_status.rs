//! `serverStatus` (the engine's part: host, version, uptime, memory, cursor and TTL metrics; `serve` adds
//! its connections and operation counters) and `profile` (the slow-operation threshold, `slowms`).
//!
//! In: the engine's counters ([`crate::engine::stats`]); out: mongod's reply shapes.

use super::{admin, Ctx};
use crate::engine::error_codes::ErrorCode;
use crate::engine::numeric::Num;
use crate::engine::stats::process_memory_mib;
use crate::engine::CommandError;
use bson::{doc, Document};
use std::sync::atomic::Ordering;

/// The host name as mongod reports it (`/proc/sys/kernel/hostname`, else `localhost`).
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// `serverStatus`: the sections the engine knows.
pub(super) fn server_status(ctx: &Ctx) -> Document {
    let stats = &ctx.inner.stats;
    let up = stats.started.elapsed();
    let (open, timed_out) = ctx
        .inner
        .cursors
        .lock()
        .map(|c| (c.len() as i64, c.timed_out() as i64))
        .unwrap_or((0, 0));
    let mut mem = doc! {"bits": 64, "supported": false};
    if let Some((resident, virt)) = process_memory_mib() {
        mem = doc! {"bits": 64, "resident": resident, "virtual": virt, "supported": true};
    }
    doc! {
        "host": host_name(),
        "version": admin::VERSION,
        "process": "sqlmongo",
        "pid": i64::from(std::process::id()),
        "uptime": up.as_secs_f64(),
        "uptimeMillis": up.as_millis() as i64,
        "uptimeEstimate": up.as_secs() as i64,
        "localTime": ctx.inner.opts.clock.now(),
        "mem": mem,
        "metrics": {
            "cursor": {
                "timedOut": timed_out,
                "open": {"noTimeout": 0_i64, "pinned": 0_i64, "total": open},
            },
            "ttl": {
                "deletedDocuments": stats.ttl_deleted.load(Ordering::Relaxed) as i64,
                "passes": stats.ttl_passes.load(Ordering::Relaxed) as i64,
            },
        },
    }
}

/// `profile`: `{profile: -1}` reads the settings, `{profile: 0, slowms: N}` sets the slow-operation
/// threshold (server-wide, as mongod's). The reply holds the settings before the change (`was`, `slowms`,
/// `sampleRate`). Levels 1 and 2 (collecting into `system.profile`) are not served: 115
/// `CommandNotSupported`.
pub(super) fn profile(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let stats = &ctx.inner.stats;
    let level = match cmd.get("profile").and_then(Num::from_bson) {
        Some(n) if n.to_f64().fract() == 0.0 => n.to_f64() as i64,
        _ => {
            return Err(CommandError::new(
                ErrorCode::TypeMismatch,
                "profile level must be an integer",
            ))
        }
    };
    let slow_ms = match cmd.get("slowms") {
        None => None,
        Some(v) => match Num::from_bson(v) {
            Some(n) => Some(n.to_f64() as i64),
            None => {
                return Err(CommandError::new(
                    ErrorCode::TypeMismatch,
                    format!(
                        "slowms must be a number, not {}",
                        crate::engine::bson_order::type_name(v)
                    ),
                ))
            }
        },
    };
    match level {
        -1 | 0 => {}
        1 | 2 => {
            return Err(CommandError::new(
                ErrorCode::CommandNotSupported,
                "profiling levels 1 and 2 (system.profile) are not supported by the embedded engine; \
                 slow operations are logged by `sqlmongo serve` (set the threshold with {profile: 0, slowms: N})",
            ))
        }
        other => {
            return Err(CommandError::new(
                ErrorCode::BadValue,
                format!("Invalid profiling level: {other}"),
            ))
        }
    }
    let reply = doc! {
        "was": stats.profile_level.load(Ordering::Relaxed),
        "slowms": stats.slow_ms.load(Ordering::Relaxed),
        "sampleRate": 1.0,
    };
    if let Some(ms) = slow_ms {
        stats.slow_ms.store(ms, Ordering::Relaxed);
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use crate::engine::{Engine, EngineOptions};
    use bson::{doc, Bson, Document};
    use std::time::{Duration, Instant};

    fn int(d: &Document, path: &[&str]) -> i64 {
        let mut cur = d;
        for p in &path[..path.len() - 1] {
            cur = cur.get_document(p).expect(p);
        }
        match cur.get(path[path.len() - 1]) {
            Some(Bson::Int64(n)) => *n,
            Some(Bson::Int32(n)) => i64::from(*n),
            other => panic!("{path:?}: {other:?}"),
        }
    }

    #[test]
    fn idle_cursors_and_ttl_passes_are_counted() {
        let e = Engine::with_options(EngineOptions {
            ttl_monitor_interval: Some(Duration::from_millis(20)),
            cursor_timeout: Duration::from_millis(50),
            ..EngineOptions::default()
        });
        let docs: Vec<Document> = (0..5).map(|i| doc! {"_id": i}).collect();
        e.run_command("app", &doc! {"insert": "c", "documents": docs})
            .expect("insert");
        e.run_command("app", &doc! {"find": "c", "batchSize": 1})
            .expect("find");
        let s = e
            .run_command("admin", &doc! {"serverStatus": 1})
            .expect("status");
        assert_eq!(int(&s, &["metrics", "cursor", "open", "total"]), 1);
        let started = Instant::now();
        loop {
            let s = e
                .run_command("admin", &doc! {"serverStatus": 1})
                .expect("status");
            if int(&s, &["metrics", "cursor", "timedOut"]) == 1 {
                assert_eq!(int(&s, &["metrics", "cursor", "open", "total"]), 0);
                assert!(int(&s, &["metrics", "ttl", "passes"]) >= 1);
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{s}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn profile_reads_and_sets_slowms_as_mongod() {
        let e = Engine::in_memory();
        assert_eq!(e.slow_ms(), 100);
        let r = e
            .run_command("app", &doc! {"profile": 0, "slowms": 7})
            .expect("set");
        assert_eq!((int(&r, &["was"]), int(&r, &["slowms"])), (0, 100));
        assert_eq!(e.slow_ms(), 7);
        let r = e.run_command("app", &doc! {"profile": -1}).expect("read");
        assert_eq!(int(&r, &["slowms"]), 7);
        assert_eq!(e.slow_ms(), 7);
        for (cmd, code) in [
            (doc! {"profile": 1}, 115),
            (doc! {"profile": 5}, 2),
            (doc! {"profile": "x"}, 14),
            (doc! {"profile": 0, "slowms": "fast"}, 14),
        ] {
            let err = e.run_command("app", &cmd).expect_err("refused");
            assert_eq!(err.code, code, "{cmd}: {err:?}");
        }
        assert_eq!(e.slow_ms(), 7);
    }
}
