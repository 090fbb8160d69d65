//! The storage seam: where the engine's committed state lives.
//!
//! The engine works on an in-memory [`State`] (databases -> collections -> records + indexes) under one
//! lock; a [`Storage`] implementation is told about every committed change and provides the state at open.
//! [`MemoryStorage`] keeps nothing beyond the process (the default, like `mongod --storageEngine
//! inMemory`); a persistent implementation (a later issue: `--data DIR`, crash-safe) logs the same
//! [`Change`]s. Depends on `bson` and the engine's collection model only.

pub mod collection;
pub mod index;
mod probe_table;
pub mod records;

pub use collection::{Collection, RecordId};

use super::CommandError;
use bson::Document;
use std::collections::BTreeMap;

/// All databases: name -> collections (name -> collection), ordered for stable listings.
#[derive(Debug, Default)]
pub struct State {
    /// Databases by name.
    pub databases: BTreeMap<String, Database>,
}

/// One database.
#[derive(Debug, Default)]
pub struct Database {
    /// Collections and views by name.
    pub collections: BTreeMap<String, Collection>,
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
        /// New content.
        doc: Document,
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
    /// The state at open.
    fn load(&self) -> Result<State, CommandError>;
    /// Whether [`Storage::commit`] wants the change list (in-memory storage does not, so none is built).
    fn wants_changes(&self) -> bool;
    /// Makes one command's changes durable, before the reply is sent.
    fn commit(&self, changes: &[Change]) -> Result<(), CommandError>;
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
    fn commit(&self, _changes: &[Change]) -> Result<(), CommandError> {
        Ok(())
    }
}
