//! MongoDB command errors, carrying the reply fields (`code`, `codeName`, `errmsg`) a driver reads: the
//! error type of both backends (the embedded engine and a real deployment through the driver) and of the
//! wire server. It depends on nothing else in the crate, so every layer that speaks MongoDB may use it.
//!
//! Errors are built from an [`ErrorCode`] of the one table in [`codes`], which gives each code its mongod
//! `codeName`.

pub mod codes;

pub use codes::ErrorCode;

/// A command-level failure, as mongod reports it in an `ok: 0` reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{errmsg} (code {code}, {code_name})")]
pub struct CommandError {
    /// Numeric MongoDB error code (e.g. 2 BadValue, 11000 DuplicateKey).
    pub code: i32,
    /// MongoDB's name for the code (e.g. `BadValue`).
    pub code_name: String,
    /// Human-readable message.
    pub errmsg: String,
}

impl CommandError {
    /// An error with code `code` (its `codeName` from the table) and message `errmsg`.
    pub fn new(code: ErrorCode, errmsg: impl Into<String>) -> Self {
        CommandError {
            code: code.code(),
            code_name: code.name().into_owned(),
            errmsg: errmsg.into(),
        }
    }
    /// An error with mongod's numeric code `code` (a location code, `Location<code>`, unless the table
    /// names it).
    pub fn location(code: i32, errmsg: impl Into<String>) -> Self {
        Self::new(ErrorCode::location(code), errmsg)
    }
    /// Code 2, `BadValue`.
    pub fn bad_value(errmsg: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadValue, errmsg)
    }
    /// Code 9, `FailedToParse`.
    pub fn failed_to_parse(errmsg: impl Into<String>) -> Self {
        Self::new(ErrorCode::FailedToParse, errmsg)
    }
    /// Code 14, `TypeMismatch`.
    pub fn type_mismatch(errmsg: impl Into<String>) -> Self {
        Self::new(ErrorCode::TypeMismatch, errmsg)
    }
    /// Code 72, `InvalidOptions`.
    pub fn invalid_options(errmsg: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidOptions, errmsg)
    }
    /// Code 59, `CommandNotFound`.
    pub fn command_not_found(name: &str) -> Self {
        Self::new(
            ErrorCode::CommandNotFound,
            format!("no such command: '{name}'"),
        )
    }
}
