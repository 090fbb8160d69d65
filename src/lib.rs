#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod cli;
pub mod client;
pub mod driver;
pub mod dump;
pub mod engine;
pub mod error;
pub mod mql;
pub mod server;
pub mod sql;
pub mod translate;

pub use client::{Client, PreparedStatement, RowExt};
pub use driver::execute::{Rows, StatementResult};
pub use error::Error;
pub use translate::translate;
