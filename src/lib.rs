#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod client;
pub mod command_error;
pub mod copy;
pub mod driver;
pub mod dump;
pub mod engine;
pub mod error;
pub mod mql;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "tower-sessions")]
pub mod sessions;
pub mod sql;
pub mod translate;

pub use client::{Client, PreparedStatement, Query, QueryAs, Row, RowExt, RowStream};
pub use driver::execute::{Rows, StatementResult};
pub use error::Error;
pub use translate::translate;
