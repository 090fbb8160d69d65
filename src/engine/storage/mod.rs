//! The storage seam: where the engine's committed state lives.
//!
//! The engine works on an in-memory [`State`] (databases -> collections -> records + indexes) under one
//! lock; a [`Storage`] implementation is told about every committed change and provides the state at open.
//! [`MemoryStorage`] keeps nothing beyond the process (the default, like `mongod --storageEngine
//! inMemory`); [`durable::DurableStorage`] (`--data DIR`) logs the same [`Change`]s to a checksummed journal
//! and writes checkpoints ([`Snapshot`]s of the state) that bound recovery time. A commit is two steps:
//! [`Storage::commit`] appends under the engine's write lock (journal order is commit order), and
//! [`Storage::sync`] waits for the fsync after the lock is released, so concurrent writers share one fsync.
//! Depends on `bson` and the engine's collection model only.

mod candidates;
#[cfg(test)]
pub(crate) use candidates::never_matches;
pub(crate) use encode::{array_bytes, document_bytes, pairs_bytes};
pub mod collection;
pub mod durable;
mod encode;
pub mod index;
mod index_keys;
mod probe_table;
#[cfg(test)]
mod rebuild_tests;
pub mod records;
mod replay;
#[cfg(test)]
mod snapshot_tests;

pub use collection::{Collection, RecordId};
pub use records::Stored;
pub use replay::{CollectionSnapshot, Snapshot};

use super::CommandError;
use bson::Document;
use std::collections::BTreeMap;
use std::sync::Arc;

/// All databases: name -> collections (name -> collection), ordered for stable listings.
///
/// Readers work on a snapshot: the engine keeps the state behind an `Arc` and each collection behind its own,
/// so a reader clones one `Arc` under a short lock and reads without it, and a writer copies on write (the
/// state's maps when a reader holds them, then the collection it writes to when a reader holds that one).
#[derive(Debug, Default, Clone)]
pub struct State {
    /// Databases by name.
    pub databases: BTreeMap<String, Database>,
}

impl State {
    /// Every collection's catalog and record table, without indexes (see
    /// [`Collection::records_only`]).
    pub fn records_only(&self) -> State {
        State {
            databases: self
                .databases
                .iter()
                .map(|(name, d)| {
                    let collections = d
                        .collections
                        .iter()
                        .map(|(c, coll)| (c.clone(), Arc::new(coll.records_only())))
                        .collect();
                    (name.clone(), Database { collections })
                })
                .collect(),
        }
    }
}

/// One database.
#[derive(Debug, Default, Clone)]
pub struct Database {
    /// Collections and views by name (shared with the snapshots readers hold; see [`State`]).
    pub collections: BTreeMap<String, Arc<Collection>>,
}

impl Database {
    /// Collection or view `name` to write to: a copy when a snapshot shares it, so readers keep theirs.
    pub fn collection_mut(&mut self, name: &str) -> Option<&mut Collection> {
        self.collections.get_mut(name).map(Arc::make_mut)
    }
}

/// One committed change, in commit order.
#[derive(Debug, Clone)]
pub enum Change {
    /// A collection or view was created with these options.
    Create {
        /// Database.
        db: String,
        /// Collection.
        coll: String,
        /// `create` options as given.
        options: Document,
    },
    /// A collection was dropped.
    Drop {
        /// Database.
        db: String,
        /// Collection.
        coll: String,
    },
    /// An index was created (its full spec) or dropped (`spec` is `None`).
    Index {
        /// Database.
        db: String,
        /// Collection.
        coll: String,
        /// Index name.
        name: String,
        /// The spec, or `None` when dropped.
        spec: Option<Document>,
    },
    /// A document was inserted or replaced.
    Put {
        /// Database.
        db: String,
        /// Collection.
        coll: String,
        /// Record id.
        rid: RecordId,
        /// New content, as stored (the record table's own bytes, shared).
        doc: Stored,
    },
    /// A document was deleted.
    Delete {
        /// Database.
        db: String,
        /// Collection.
        coll: String,
        /// Record id.
        rid: RecordId,
    },
}

/// Where committed state is kept.
pub trait Storage: Send + Sync + std::fmt::Debug {
    /// The state at open (a persistent store hands over what it recovered; a failure is never an empty
    /// store).
    fn load(&self) -> Result<State, CommandError>;
    /// Whether [`Storage::commit`] wants the change list (in-memory storage does not, so none is built).
    fn wants_changes(&self) -> bool;
    /// Appends one command's changes, as one atomic unit, in commit order: the engine calls it under its
    /// write lock. Returns the commit's sequence number for [`Storage::sync`]; it does not wait for the disk.
    fn commit(&self, changes: &[Change]) -> Result<u64, CommandError>;
    /// Waits until commit `seq` and every commit before it are durable (fsynced). Called without the
    /// engine's lock, so that concurrent writers share one fsync (group commit).
    fn sync(&self, _seq: u64) -> Result<(), CommandError> {
        Ok(())
    }
    /// The data directory, for a store that has one.
    fn data_dir(&self) -> Option<&std::path::Path> {
        None
    }
    /// Whether the journal has grown enough that a checkpoint should be taken.
    fn checkpoint_due(&self) -> bool {
        false
    }
    /// Starts a checkpoint, under the engine's write lock: later commits go to a new journal. Returns the
    /// checkpoint's generation for [`Storage::finish_checkpoint`].
    fn begin_checkpoint(&self) -> Result<u64, CommandError> {
        Ok(0)
    }
    /// Writes the checkpoint of generation `generation` (`state`: the state when it began, shared with the
    /// engine, which copies what it writes to afterwards), without the engine's lock, and then drops the
    /// files it makes obsolete. A store may keep `state` to tell what the next checkpoint must write.
    fn finish_checkpoint(&self, _generation: u64, _state: &Arc<State>) -> Result<(), CommandError> {
        Ok(())
    }
}

/// Keeps nothing outside the process.
#[derive(Debug, Default, Clone, Copy)]
pub struct MemoryStorage;

impl Storage for MemoryStorage {
    fn load(&self) -> Result<State, CommandError> {
        Ok(State::default())
    }
    fn wants_changes(&self) -> bool {
        false
    }
    fn commit(&self, _changes: &[Change]) -> Result<u64, CommandError> {
        Ok(0)
    }
}
