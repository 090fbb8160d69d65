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
    /// The further fields mongod puts beside `code` and `errmsg` for this error, in its reply (top level of
    /// an `ok: 0` reply, or inside a `writeErrors` entry): `keyPattern` and `keyValue` of a duplicate key
    /// (11000), `errInfo` of a document that failed validation (121).
    pub extra: Option<Box<bson::Document>>,
}

impl CommandError {
    /// An error with code `code` (its `codeName` from the table) and message `errmsg`.
    pub fn new(code: ErrorCode, errmsg: impl Into<String>) -> Self {
        CommandError {
            code: code.code(),
            code_name: code.name().into_owned(),
            errmsg: errmsg.into(),
            extra: None,
        }
    }
    /// The same error with `fields` added to its reply fields (see [`CommandError::extra`]).
    pub fn with_extra(mut self, fields: bson::Document) -> Self {
        match &mut self.extra {
            Some(extra) => extra.extend(fields),
            None => self.extra = Some(Box::new(fields)),
        }
        self
    }
    /// Appends the error's reply fields (`errmsg`, `code`, `codeName`, then [`CommandError::extra`]) to
    /// `reply`, as mongod writes them after `ok: 0`.
    pub fn append_to(&self, reply: &mut bson::Document) {
        reply.insert("errmsg", self.errmsg.clone());
        reply.insert("code", self.code);
        reply.insert("codeName", self.code_name.clone());
        if let Some(extra) = &self.extra {
            for (k, v) in extra.iter() {
                reply.insert(k.clone(), v.clone());
            }
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
