//! MongoDB command errors, carrying the reply fields (`code`, `codeName`, `errmsg`) a driver reads.

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
    /// Builds an error from its parts.
    pub fn new(code: i32, code_name: &str, errmsg: impl Into<String>) -> Self {
        CommandError {
            code,
            code_name: code_name.to_string(),
            errmsg: errmsg.into(),
        }
    }
    /// Code 2, `BadValue`.
    pub fn bad_value(errmsg: impl Into<String>) -> Self {
        Self::new(2, "BadValue", errmsg)
    }
    /// Code 9, `FailedToParse`.
    pub fn failed_to_parse(errmsg: impl Into<String>) -> Self {
        Self::new(9, "FailedToParse", errmsg)
    }
    /// Code 14, `TypeMismatch`.
    pub fn type_mismatch(errmsg: impl Into<String>) -> Self {
        Self::new(14, "TypeMismatch", errmsg)
    }
    /// Code 72, `InvalidOptions`.
    pub fn invalid_options(errmsg: impl Into<String>) -> Self {
        Self::new(72, "InvalidOptions", errmsg)
    }
    /// Code 59, `CommandNotFound`.
    pub fn command_not_found(name: &str) -> Self {
        Self::new(59, "CommandNotFound", format!("no such command: '{name}'"))
    }
}
