//! Typed MongoDB command model: what the translator produces and the backends execute.
//!
//! No I/O. Each [`Command`] renders to the exact command document a mongod receives (without `$db`).
//! Filters, pipelines, update documents and expressions are held as ordered `bson::Document`s: key order
//! matters to `$sort`, `$project` and index keys, so no `HashMap` appears here. They are built through
//! [`stage::Stage`], [`expr`], [`filter`], [`accumulator`] and [`update`], which hold every wire name
//! (`"$match"`, `"$cond"`, ...): the translator spells none. `render.rs` prints plans
//! (relaxed Extended JSON for people, typed mongosh style for the golden corpus); `bind.rs` binds parameters.
//! See `docs/architecture.md` (contract 2).

pub mod accumulator;
mod bind;
pub mod chain;
pub mod command;
pub(crate) mod encoded_len;
pub mod expr;
mod expr_node;
mod expr_results;
mod expr_unary;
pub mod filter;
mod filter_node;
pub mod fixed_now;
pub mod interval_text;
pub(crate) mod lookup_keys;
pub mod plan;
pub mod prune;
pub mod render;
pub mod room;
pub mod stage;
pub mod update;

pub use command::Command;
pub use expr::Expr;
pub use filter_node::{Cond, Filter};
pub use stage::Stage;

/// A plan's placeholders could not be filled: parameters that do not fit the statement (count or type), or a
/// step reading an earlier step's output that does not exist. The crate's [`Error`](crate::Error) carries it as
/// `Error::Parameter`; `mql` itself depends on no other layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BindError(pub String);
pub use plan::{Output, OutputColumn, Plan, Setting, StatementPlan, TransactionControl};
