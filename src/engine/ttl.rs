//! The TTL monitor, like mongod's: a background thread that periodically deletes documents whose
//! TTL-indexed field holds a date (or an array of dates: the earliest counts) older than now minus the
//! index's `expireAfterSeconds`. Documents without a date there never expire. It also closes idle cursors.
//!
//! In: the engine state and clock; out: deleted documents. The thread holds only a weak reference, so it
//! ends when the engine is dropped.

use super::storage::{Change, Collection, RecordId};
use super::Inner;
use bson::Bson;
use std::collections::BTreeSet;
use std::ops::Bound;
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
            let deleted = pass(&inner);
            inner.stats.ttl_pass(deleted);
            let timeout = inner.opts.cursor_timeout;
            if let Ok(mut c) = inner.cursors.lock() {
                c.reap(timeout);
            };
            // Transactions past their lifetime, sessions past their timeout.
            inner.sessions.reap();
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

/// The records of `coll` that a TTL index says have expired at `now` (ms): read from each TTL index's range
/// of dates up to `now - expireAfterSeconds`, so a pass costs the expired documents, not the collection (a
/// partial TTL index only ever holds the documents its filter admits, as mongod's monitor reads its index).
fn expired_records(coll: &Collection, now: i64) -> BTreeSet<RecordId> {
    let mut out = BTreeSet::new();
    for ix in &coll.indexes {
        let (Some(secs), Some(field)) = (ix.expire_after_seconds, ix.fields.first()) else {
            continue;
        };
        let cutoff = now.saturating_sub(secs.saturating_mul(1000));
        let lo = Bson::DateTime(bson::DateTime::from_millis(i64::MIN));
        let hi = Bson::DateTime(bson::DateTime::from_millis(cutoff));
        for rid in ix.range(Bound::Included(&lo), Bound::Included(&hi)) {
            // The earliest date of an array counts: the range found it by one of its elements; check it.
            let expired = coll
                .value_at(rid, field)
                .and_then(|v| expiry_base(&v))
                .is_some_and(|base| base.saturating_add(secs.saturating_mul(1000)) <= now);
            if expired {
                out.insert(rid);
            }
        }
    }
    out
}

/// One pass over every TTL index; returns the number of deleted documents. The write lock is held while
/// the expired records are found (an index range each) and removed; a collection a reader's snapshot shares
/// is copied only when it has something to delete.
pub(super) fn pass(inner: &Inner) -> usize {
    pass_at(inner, inner.now().timestamp_millis())
}

/// [`pass`] as of `now` (milliseconds since the epoch): what has expired by then is deleted.
pub(super) fn pass_at(inner: &Inner, now: i64) -> usize {
    let Ok(mut guard) = inner.state.write() else {
        return 0;
    };
    let mut found = Vec::new();
    for (db_name, db) in &guard.databases {
        for (coll_name, coll) in &db.collections {
            let expired = expired_records(coll, now);
            if !expired.is_empty() {
                found.push((db_name.clone(), coll_name.clone(), expired));
            }
        }
    }
    if found.is_empty() {
        // Nothing to expire: no copy of what readers' snapshots share.
        return 0;
    }
    let state = std::sync::Arc::make_mut(&mut guard);
    let log = inner.opts.storage.wants_changes();
    let mut changes = Vec::new();
    let mut deleted = 0;
    for (db_name, coll_name, expired) in found {
        let Some(coll) = state
            .databases
            .get_mut(&db_name)
            .and_then(|d| d.collection_mut(&coll_name))
        else {
            continue;
        };
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
    if log && !changes.is_empty() {
        if let Err(e) = inner.opts.storage.commit(&changes).map(|_seq| ()) {
            tracing::error!("TTL deletions could not be committed: {e}");
        }
    }
    deleted
}
