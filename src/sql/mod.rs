//! SQL front end: text -> [`Statement`]s.
//!
//! sqlparser with the PostgreSQL dialect parses standard SQL; our extension statements (`CREATE COLLECTION`,
//! `ALTER COLLECTION`, `DROP COLLECTION`, `SHOW COLLECTIONS`, `SHOW INDEXES FROM`, `EXPLAIN`) are parsed by a
//! thin wrapper that peeks at the first keywords, DataFusion-`DFParser`-style, using sqlparser's own parser API.
//! Text is never rewritten. [`splitter`] cuts a source of any size into statements as it reads it. Depends on
//! sqlparser only.

mod ast;
pub mod copy;
mod depth;
mod dialect;
mod error;
pub mod literal_insert;
mod only;
mod parser;
mod plain_split;
mod question;
pub mod splitter;

pub use ast::{
    AlterCollection, CollectionOption, CreateCollection, DropCollection, RefreshMaterializedView,
    ShowIndexes, Statement, StatementText,
};
pub use depth::{with_stack, MAX_EXPR_DEPTH};
pub use dialect::SqlMongoDialect;
pub use error::ParseError;
pub use parser::{parse, parse_piece};
