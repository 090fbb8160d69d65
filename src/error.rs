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
    /// A row or value did not decode into the Rust type asked for (a NULL in a non-`Option`, an integer
    /// out of range, a missing column ...): names the column ([`crate::client::Row`]).
    #[error("decode error: {0}")]
    Decode(#[from] DecodeError),
    /// `fetch_one` / `query_one` / `query_scalar` found no row.
    #[error("the query returned no rows")]
    RowNotFound,
    /// A transaction block refused the statement: PostgreSQL's "current transaction is aborted, commands
    /// ignored until end of transaction block" after an error inside `BEGIN` ... `COMMIT`, or a backend
    /// without transactions.
    #[error("{0}")]
    Transaction(String),
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

/// Why a row or a value did not decode, and where: the column (a dotted path inside a nested document,
/// `data.theme`; `[2]` for an array element) when one is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The column (or path inside it) that failed, when known.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl DecodeError {
    pub(crate) fn at(column: &str, message: impl Into<String>) -> DecodeError {
        DecodeError {
            column: Some(column.to_string()),
            message: message.into(),
        }
    }

    /// Sets the column when the error does not name one yet (the innermost path wins).
    pub(crate) fn in_column(mut self, path: &str) -> DecodeError {
        if self.column.is_none() {
            self.column = Some(path.to_string());
        }
        self
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "column {c}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DecodeError {}

impl serde::de::Error for DecodeError {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        DecodeError {
            column: None,
            message: msg.to_string(),
        }
    }

    fn missing_field(field: &'static str) -> Self {
        DecodeError::at(
            field,
            "no such column in the result (select it, or make the field an Option)",
        )
    }
}
