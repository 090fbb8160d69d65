//! Translation errors: valid SQL we refuse, invalid input, and our own bugs.

/// A 1-based line and column in the SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Line, from 1 (0 when unknown).
    pub line: u64,
    /// Column, from 1 (0 when unknown).
    pub column: u64,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Why a statement could not be translated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Valid PostgreSQL that sqlmongo refuses (named in SQL words).
    #[error("unsupported: {construct} at {position}")]
    Unsupported {
        /// The refused construct, in SQL words (e.g. `window function ROW_NUMBER`).
        construct: String,
        /// Where it starts.
        position: Position,
    },
    /// The user's input is wrong (unknown function, `$`-prefixed field name, bad option).
    #[error("{message} at {position}")]
    Invalid {
        /// What is wrong.
        message: String,
        /// Where.
        position: Position,
    },
    /// A bug in sqlmongo.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlparser::tokenizer::Location> for Position {
    fn from(l: sqlparser::tokenizer::Location) -> Self {
        Position {
            line: l.line,
            column: l.column,
        }
    }
}
