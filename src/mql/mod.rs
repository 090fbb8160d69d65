//! Typed MongoDB command model: what the translator produces and the backends execute.
//!
//! No I/O. Each [`Command`] renders to the exact command document a mongod receives (without `$db`).
//! Filters, pipelines, update documents and expressions are held as ordered `bson::Document`s: key order
//! matters to `$sort`, `$project` and index keys, so no `HashMap` appears here. `render.rs` prints plans
//! (relaxed Extended JSON for people, typed mongosh style for the golden corpus); `bind.rs` binds parameters.
//! See `docs/architecture.md` (contract 2).

mod bind;
pub mod chain;
pub mod command;
pub mod plan;
pub mod render;

pub use command::Command;

/// A plan's placeholders could not be filled: parameters that do not fit the statement (count or type), or a
/// step reading an earlier step's output that does not exist. The crate's [`Error`](crate::Error) carries it as
/// `Error::Parameter`; `mql` itself depends on no other layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BindError(pub String);
pub use plan::{Output, OutputColumn, Plan, StatementPlan};
