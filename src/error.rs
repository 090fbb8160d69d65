//! The crate's error type: one variant per layer, each keeping its own typed error.

/// Any error sqlmongo returns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The SQL text does not parse.
    #[error(transparent)]
    Parse(#[from] crate::sql::ParseError),
    /// Valid SQL that is refused, or invalid input, found while translating.
    #[error(transparent)]
    Translate(#[from] crate::translate::Error),
    /// A MongoDB command failed (keeps MongoDB's code, codeName and message).
    #[error("MongoDB error: {0}")]
    Command(#[from] crate::command_error::CommandError),
    /// Parameters do not fit the statement (count or type).
    #[error("parameter error: {0}")]
    Parameter(String),
    /// A MongoDB deployment could not be reached or used (connection string, server selection, network,
    /// TLS, authentication): one line saying what failed and where.
    #[error("{0}")]
    Connection(String),
}

impl From<crate::mql::BindError> for Error {
    fn from(e: crate::mql::BindError) -> Self {
        Error::Parameter(e.0)
    }
}

impl Error {
    /// The 1-based (line, column) the error points at, when it has one.
    pub fn position(&self) -> Option<(u64, u64)> {
        match self {
            Error::Parse(p) if p.line > 0 => Some((p.line, p.column)),
            Error::Translate(crate::translate::Error::Unsupported { position, .. })
            | Error::Translate(crate::translate::Error::Invalid { position, .. })
                if position.line > 0 =>
            {
                Some((position.line, position.column))
            }
            _ => None,
        }
    }
}
