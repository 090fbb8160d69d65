//! A transaction's write conflicts and its commit.
//!
//! A document's version is its stored allocation (`Stored::same`): a write stores a new one, so "changed
//! since the snapshot" is "not the same allocation as in the snapshot". `commit` applies the transaction
//! under the engine's write lock: when nothing was committed since the transaction's snapshot its state
//! becomes the committed state as it is (its changes are the journal entry); otherwise each document it
//! wrote is carried onto the current state by `_id` (a copy of it: a unique-key failure leaves nothing
//! applied), with the collections it created. Either way one journal commit holds all of it.

use super::{write_conflict, DocKey, Txn};
use crate::engine::error_codes::ErrorCode;
use crate::engine::storage::{Change, CollectionSnapshot, RecordId, State, Stored};
use crate::engine::{CommandError, Inner};
use bson::{Bson, Document};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

fn poisoned() -> CommandError {
    CommandError::new(ErrorCode::InternalError, "engine state lock poisoned")
}

/// The `_id` key of a stored document.
fn id_of(doc: &Stored) -> Option<Bson> {
    doc.raw()
        .get("_id")
        .ok()
        .flatten()
        .and_then(|v| Bson::try_from(v).ok())
}

fn key(db: &str, coll: &str, id: &Bson) -> DocKey {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    crate::engine::bson_hash::hash_value(id, &mut h);
    DocKey {
        db: db.to_string(),
        coll: coll.to_string(),
        id_hash: std::hash::Hasher::finish(&h),
    }
}

/// The record holding `_id` `id` in `db.coll` of `state`, and its stored version.
fn find(state: &State, db: &str, coll: &str, id: &Bson) -> Option<(RecordId, Stored)> {
    let c = state.databases.get(db)?.collections.get(coll)?;
    let rid = c.index("_id_")?.lookup(id).next()?;
    Some((rid, c.stored(rid)?.clone()))
}

fn same(a: Option<&(RecordId, Stored)>, b: Option<&(RecordId, Stored)>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some((_, x)), Some((_, y))) => x.same(y),
        _ => false,
    }
}

/// The documents a statement's `changes` wrote, by `_id` (`before` is the transaction's state before the
/// statement: a deleted record's `_id` is read there).
pub(super) fn written_keys(before: &State, changes: &[Change]) -> Vec<(DocKey, Bson)> {
    let mut ids: HashMap<(&str, &str, RecordId), Bson> = HashMap::new();
    let mut out: Vec<(DocKey, Bson)> = Vec::new();
    for c in changes {
        let (db, coll, id) = match c {
            Change::Put { db, coll, rid, doc } => {
                let Some(id) = id_of(doc) else { continue };
                ids.insert((db, coll, *rid), id.clone());
                (db, coll, id)
            }
            Change::Delete { db, coll, rid } => {
                let id = ids
                    .get(&(db.as_str(), coll.as_str(), *rid))
                    .cloned()
                    .or_else(|| {
                        before
                            .databases
                            .get(db)
                            .and_then(|d| d.collections.get(coll))
                            .and_then(|c| c.stored(*rid))
                            .and_then(id_of)
                    });
                let Some(id) = id else { continue };
                (db, coll, id)
            }
            _ => continue,
        };
        let k = key(db, coll, &id);
        if !out.iter().any(|(o, _)| *o == k) {
            out.push((k, id));
        }
    }
    out
}

/// Checks a statement's new writes: a document another open transaction wrote, or one a commit changed
/// since this transaction's snapshot, is a write conflict. Otherwise the documents are locked for it.
pub(super) fn check_new_writes(
    inner: &Inner,
    session: &[u8],
    txn: &mut Txn,
    written: Vec<(DocKey, Bson)>,
) -> Result<(), CommandError> {
    if written.is_empty() {
        return Ok(());
    }
    let mut locks = inner.sessions.locks()?;
    if written
        .iter()
        .any(|(k, _)| locks.get(k).is_some_and(|owner| owner != session))
    {
        return Err(write_conflict());
    }
    let committed = inner.read_state()?;
    for (k, id) in &written {
        let base = find(&txn.base, &k.db, &k.coll, id);
        let now = find(&committed, &k.db, &k.coll, id);
        if !same(base.as_ref(), now.as_ref()) {
            return Err(write_conflict());
        }
    }
    for (k, id) in written {
        if !txn.keys.iter().any(|(o, _)| *o == k) {
            locks.insert(k.clone(), session.to_vec());
            txn.keys.push((k, id));
        }
    }
    Ok(())
}

/// Commits `txn`: all of its writes or none, as one journal commit, durable as `cmd`'s write concern asks.
pub(super) fn commit(inner: &Inner, txn: &Txn, cmd: &Document) -> Result<(), CommandError> {
    let changes = txn.changes.lock().map_err(|_| poisoned())?;
    if changes.is_empty() {
        return Ok(());
    }
    let mine = txn
        .state
        .read()
        .map(|s| Arc::clone(&s))
        .map_err(|_| poisoned())?;
    let seq = {
        let mut guard = inner.state.write().map_err(|_| poisoned())?;
        for (k, id) in &txn.keys {
            let base = find(&txn.base, &k.db, &k.coll, id);
            let now = find(&guard, &k.db, &k.coll, id);
            if !same(base.as_ref(), now.as_ref()) {
                return Err(write_conflict());
            }
        }
        let (next, journal) = if Arc::ptr_eq(&guard, &txn.base) {
            // Nothing was committed since the snapshot: the transaction's state is the next state.
            (mine, changes.clone())
        } else {
            let (next, journal) = merge(&guard, &txn.base, &mine, txn, &changes)?;
            (Arc::new(next), journal)
        };
        let seq = if inner.opts.storage.wants_changes() {
            inner.opts.storage.commit(&journal)?
        } else {
            0
        };
        *guard = next;
        seq
    };
    if seq > 0 && crate::engine::commands::wants_journal(cmd, inner.opts.synchronous_commit) {
        inner.opts.storage.sync(seq)?;
    }
    Ok(())
}

/// The current state with the transaction's writes carried onto it by `_id`, and the journal entry.
fn merge(
    current: &State,
    base: &State,
    mine: &State,
    txn: &Txn,
    changes: &[Change],
) -> Result<(State, Vec<Change>), CommandError> {
    let mut next = current.clone();
    let mut journal = Vec::new();
    // Collections the transaction created come over whole (every record in them is its own).
    let mut whole: HashSet<(&str, &str)> = HashSet::new();
    for c in changes {
        let Change::Create { db, coll, .. } = c else {
            continue;
        };
        let existed = |s: &State| {
            s.databases
                .get(db)
                .is_some_and(|d| d.collections.contains_key(coll))
        };
        if existed(base) || whole.contains(&(db.as_str(), coll.as_str())) {
            continue;
        }
        if existed(current) {
            return Err(write_conflict());
        }
        let Some(created) = mine.databases.get(db).and_then(|d| d.collections.get(coll)) else {
            continue;
        };
        let snapshot = CollectionSnapshot {
            db: db.clone(),
            name: coll.clone(),
            options: created.options().clone(),
            indexes: created.indexes.iter().map(|i| i.spec.clone()).collect(),
            records: created
                .stored_records()
                .map(|(r, s)| (r, s.clone()))
                .collect(),
        };
        journal.extend(snapshot.changes());
        next.databases
            .entry(db.clone())
            .or_default()
            .collections
            .insert(coll.clone(), Arc::clone(created));
        whole.insert((db.as_str(), coll.as_str()));
    }
    for (k, id) in &txn.keys {
        if whole.contains(&(k.db.as_str(), k.coll.as_str())) {
            continue;
        }
        let new = find(mine, &k.db, &k.coll, id);
        let at = find(&next, &k.db, &k.coll, id).map(|(rid, _)| rid);
        let Some(coll) = next
            .databases
            .get_mut(&k.db)
            .and_then(|d| d.collection_mut(&k.coll))
        else {
            // The collection was dropped since the snapshot.
            return Err(write_conflict());
        };
        let (db, name) = (k.db.clone(), k.coll.clone());
        match (new, at) {
            (None, None) => {}
            (None, Some(rid)) => {
                coll.remove(rid);
                journal.push(Change::Delete {
                    db,
                    coll: name,
                    rid,
                });
            }
            (Some((_, doc)), Some(rid)) => {
                coll.put_at(rid, doc.clone())?;
                journal.push(Change::Put {
                    db,
                    coll: name,
                    rid,
                    doc,
                });
            }
            (Some((_, doc)), None) => {
                let parsed = crate::engine::storage::collection::parse(doc.raw());
                let rid = coll.insert(parsed)?;
                if let Some(stored) = coll.stored(rid) {
                    journal.push(Change::Put {
                        db,
                        coll: name,
                        rid,
                        doc: stored.clone(),
                    });
                }
            }
        }
    }
    Ok((next, journal))
}
