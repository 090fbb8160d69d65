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
pub use plan::{Output, OutputColumn, Plan, StatementPlan};
