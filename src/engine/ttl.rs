//! The TTL monitor, like mongod's: a background thread that periodically deletes documents whose
//! TTL-indexed field holds a date (or an array of dates: the earliest counts) older than now minus the
//! index's `expireAfterSeconds`. Documents without a date there never expire. It also closes idle cursors.
//!
//! In: the engine state and clock; out: deleted documents. The thread holds only a weak reference, so it
//! ends when the engine is dropped.

use super::storage::Change;
use super::Inner;
use bson::Bson;
use std::sync::Weak;
use std::time::Duration;

/// Starts the monitor thread.
pub(super) fn spawn_monitor(engine: Weak<Inner>, every: Duration) {
    let spawned = std::thread::Builder::new()
        .name("sqlmongo-ttl".into())
        .spawn(move || loop {
            std::thread::sleep(every);
            let Some(inner) = engine.upgrade() else { break };
            if inner.is_closing() {
                break;
            }
            pass(&inner);
            let timeout = inner.opts.cursor_timeout;
            if let Ok(mut c) = inner.cursors.lock() {
                c.reap(timeout);
            };
        });
    if let Err(e) = spawned {
        tracing::warn!("TTL monitor not started: {e}");
    }
}

fn expiry_base(v: &Bson) -> Option<i64> {
    match v {
        Bson::DateTime(d) => Some(d.timestamp_millis()),
        Bson::Array(items) => items
            .iter()
            .filter_map(|x| match x {
                Bson::DateTime(d) => Some(d.timestamp_millis()),
                _ => None,
            })
            .min(),
        _ => None,
    }
}

/// One pass over every TTL index; returns the number of deleted documents.
pub(super) fn pass(inner: &Inner) -> usize {
    let now = inner.opts.clock.now().timestamp_millis();
    let Ok(mut guard) = inner.state.write() else {
        return 0;
    };
    let has_ttl = |c: &super::storage::Collection| {
        c.indexes.iter().any(|ix| ix.expire_after_seconds.is_some())
    };
    if !guard
        .databases
        .values()
        .any(|d| d.collections.values().any(|c| has_ttl(c)))
    {
        // Nothing to expire: no copy of what readers' snapshots share.
        return 0;
    }
    let state = std::sync::Arc::make_mut(&mut guard);
    let log = inner.opts.storage.wants_changes();
    let mut changes = Vec::new();
    let mut deleted = 0;
    for (db_name, db) in state.databases.iter_mut() {
        for (coll_name, coll) in db.collections.iter_mut() {
            if !has_ttl(coll) {
                continue;
            }
            // A copy only when a reader's snapshot shares the collection.
            let coll = std::sync::Arc::make_mut(coll);
            let ttl: Vec<(String, i64)> = coll
                .indexes
                .iter()
                .filter_map(|ix| Some((ix.fields.first()?.clone(), ix.expire_after_seconds?)))
                .collect();
            for (field, secs) in ttl {
                let expired: Vec<u64> = coll
                    .record_ids()
                    .filter_map(|rid| {
                        let base = expiry_base(&coll.value_at(rid, &field)?)?;
                        (base.saturating_add(secs.saturating_mul(1000)) <= now).then_some(rid)
                    })
                    .collect();
                for rid in expired {
                    if coll.remove(rid).is_some() {
                        deleted += 1;
                        if log {
                            changes.push(Change::Delete {
                                db: db_name.clone(),
                                coll: coll_name.clone(),
                                rid,
                            });
                        }
                    }
                }
            }
        }
    }
    if log && !changes.is_empty() {
        if let Err(e) = inner.opts.storage.commit(&changes).map(|_seq| ()) {
            tracing::error!("TTL deletions could not be committed: {e}");
        }
    }
    deleted
}
