//! mongod's rules for database names and namespace lengths (error 73 InvalidNamespace).

use crate::engine::error_codes::ErrorCode;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// mongod 7's longest database name (a name must be shorter than 64 bytes).
pub const MAX_DB_NAME_BYTES: usize = 63;
/// mongod's longest namespace, `db.collection` (bytes).
pub const MAX_NAMESPACE_BYTES: usize = 255;

/// mongod's namespace length limit for the collection a command names (its first value, or a getMore's
/// `collection`): error 73 `InvalidNamespace` past [`MAX_NAMESPACE_BYTES`].
pub(super) fn check_namespace(db: &str, cmd: &Document) -> Result<(), CommandError> {
    let coll = match cmd.iter().next() {
        Some((name, _)) if name == "getMore" => cmd.get("collection"),
        Some((_, v)) => Some(v),
        None => None,
    };
    if let Some(Bson::String(c)) = coll {
        let len = db.len() + 1 + c.len();
        if len > MAX_NAMESPACE_BYTES {
            return Err(CommandError::new(
                ErrorCode::InvalidNamespace,
                format!("Fully qualified namespace is too long. Namespace: {db}.{c} Max: {MAX_NAMESPACE_BYTES}"),
            ));
        }
    }
    Ok(())
}

/// mongod's database name rule (error 73 otherwise).
pub(super) fn check_db(db: &str) -> Result<(), CommandError> {
    if db.len() > MAX_DB_NAME_BYTES {
        return Err(CommandError::new(
            ErrorCode::InvalidNamespace,
            format!(
                "db name must be at most {MAX_DB_NAME_BYTES} characters, found: {}",
                db.len()
            ),
        ));
    }
    if db.is_empty()
        || db
            .bytes()
            .any(|b| matches!(b, b'/' | b'\\' | b'.' | b' ' | b'"' | b'$' | 0))
    {
        return Err(CommandError::new(
            ErrorCode::InvalidNamespace,
            format!("Invalid database name: '{db}'"),
        ));
    }
    Ok(())
}
