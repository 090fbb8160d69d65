//! Rebuilding state from a change list, and taking a consistent copy of the state.
//!
//! [`State::apply`] replays one [`Change`] (a journal entry or a checkpoint item) onto the in-memory state,
//! exactly as the command that produced it left the state; [`State::snapshot`] copies the catalog and shares
//! every record's bytes (no document is copied), so a checkpoint or a dump is written from it after the
//! engine's lock is released. Depends on the collection model only.

use super::{Change, Collection, RecordId, State, Stored};
use bson::{Bson, Document};

/// A consistent copy of the state: every collection and view, its options, its index specs and its records.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    /// Collections and views, by database then name.
    pub collections: Vec<CollectionSnapshot>,
}

/// One collection (or view) of a [`Snapshot`].
#[derive(Debug, Clone)]
pub struct CollectionSnapshot {
    /// Database.
    pub db: String,
    /// Collection or view name.
    pub name: String,
    /// Its `create` options (validator, capped, `viewOn` / `pipeline`, ...).
    pub options: Document,
    /// Its index specs as `listIndexes` shows them, `_id_` first (none for a view).
    pub indexes: Vec<Document>,
    /// Its records in natural order, as stored.
    pub records: Vec<(RecordId, Stored)>,
}

impl CollectionSnapshot {
    /// The changes that rebuild this collection from nothing: create, indexes (not `_id_`, which every
    /// collection has), then its records.
    pub fn changes(&self) -> impl Iterator<Item = Change> + '_ {
        let records = self.records.iter().map(|(rid, doc)| Change::Put {
            db: self.db.clone(),
            coll: self.name.clone(),
            rid: *rid,
            doc: doc.clone(),
        });
        self.catalog_changes().chain(records)
    }

    /// The changes that rebuild this collection without its records: create, then indexes (not `_id_`).
    pub fn catalog_changes(&self) -> impl Iterator<Item = Change> + '_ {
        let create = Change::Create {
            db: self.db.clone(),
            coll: self.name.clone(),
            options: self.options.clone(),
        };
        let indexes = self
            .indexes
            .iter()
            .filter(|s| s.get_str("name").ok() != Some("_id_"))
            .map(|s| Change::Index {
                db: self.db.clone(),
                coll: self.name.clone(),
                name: s.get_str("name").unwrap_or_default().to_string(),
                spec: Some(s.clone()),
            });
        std::iter::once(create).chain(indexes)
    }
}

impl State {
    /// A consistent copy (take it under the engine's lock; writing it out needs no lock).
    pub fn snapshot(&self) -> Snapshot {
        let mut collections = Vec::new();
        for (db, d) in &self.databases {
            for (name, c) in &d.collections {
                collections.push(CollectionSnapshot {
                    db: db.clone(),
                    name: name.clone(),
                    options: c.options().clone(),
                    indexes: c.indexes.iter().map(|i| i.spec.clone()).collect(),
                    records: c.stored_records().map(|(r, s)| (r, s.clone())).collect(),
                });
            }
        }
        Snapshot { collections }
    }

    /// Replays one change. A change that cannot apply (a record of a missing collection, a duplicate key)
    /// means the files do not describe a state the engine was ever in: the error says what failed.
    pub fn apply(&mut self, change: Change) -> Result<(), String> {
        match change {
            Change::Create { db, coll, options } => {
                let d = self.databases.entry(db.clone()).or_default();
                match d.collection_mut(&coll) {
                    // collMod logs the collection's new options as a Create of an existing collection.
                    Some(c) => c.set_options(options),
                    None => {
                        let ns = format!("{db}.{coll}");
                        d.collections
                            .insert(coll, std::sync::Arc::new(Collection::new(ns, options)));
                    }
                }
            }
            Change::Drop { db, coll } => {
                let d = self.databases.get_mut(&db);
                let removed = d.and_then(|d| d.collections.remove(&coll));
                if removed.is_none() {
                    return Err(format!("drop of {db}.{coll}, which does not exist"));
                }
            }
            Change::Index {
                db,
                coll,
                name,
                spec,
            } => {
                let c = self.collection(&db, &coll)?;
                match spec {
                    None => c
                        .drop_index(&name)
                        .map_err(|e| format!("dropping index {name} of {db}.{coll}: {e}"))?,
                    Some(spec) => {
                        let ttl = spec.get("expireAfterSeconds").and_then(|v| match v {
                            Bson::Int32(i) => Some(i64::from(*i)),
                            Bson::Int64(i) => Some(*i),
                            Bson::Double(d) => Some(*d as i64),
                            _ => None,
                        });
                        match c.index_mut(&name) {
                            // collMod (expireAfterSeconds, hidden) logs the index's new spec.
                            Some(ix) => {
                                ix.expire_after_seconds = ttl;
                                ix.spec = spec;
                            }
                            None => {
                                c.add_index(&spec).map_err(|e| {
                                    format!("building index {name} of {db}.{coll}: {e}")
                                })?;
                            }
                        }
                    }
                }
            }
            Change::Put { db, coll, rid, doc } => {
                let c = self.collection(&db, &coll)?;
                c.put_at(rid, doc)
                    .map_err(|e| format!("record {rid} of {db}.{coll}: {e}"))?;
            }
            Change::Delete { db, coll, rid } => {
                let c = self.collection(&db, &coll)?;
                if c.remove(rid).is_none() {
                    return Err(format!(
                        "delete of record {rid} of {db}.{coll}, which does not exist"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Replays a record of a checkpoint without indexing it (see [`Collection::put_unindexed`]); the
    /// collection's indexes are built by [`State::rebuild_indexes`] once all its records are in.
    pub fn put_unindexed(
        &mut self,
        db: &str,
        coll: &str,
        rid: RecordId,
        doc: Stored,
    ) -> Result<(), String> {
        self.collection(db, coll)?
            .put_unindexed(rid, doc)
            .map_err(|e| format!("record {rid} of {db}.{coll}: {e}"))
    }

    /// Builds the indexes of `db.coll` over its records (after [`State::put_unindexed`]); a collection
    /// dropped meanwhile is skipped.
    pub fn rebuild_indexes(&mut self, db: &str, coll: &str) -> Result<(), String> {
        match self
            .databases
            .get_mut(db)
            .and_then(|d| d.collection_mut(coll))
        {
            Some(c) => c
                .rebuild_indexes()
                .map_err(|e| format!("building the indexes of {db}.{coll}: {e}")),
            None => Ok(()),
        }
    }

    fn collection(&mut self, db: &str, coll: &str) -> Result<&mut Collection, String> {
        self.databases
            .get_mut(db)
            .and_then(|d| d.collection_mut(coll))
            .ok_or_else(|| format!("collection {db}.{coll} does not exist"))
    }
}
