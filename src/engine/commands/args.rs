//! Reading a command's arguments as mongod's parsers read them (types, `null` as absent, numbers).

use crate::engine::error_codes::ErrorCode;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The collection name argument of a command (`{find: "user_sessions"}`).
pub(super) fn coll_name<'a>(cmd: &'a Document, key: &str) -> Result<&'a str, CommandError> {
    match cmd.get(key) {
        Some(Bson::String(s)) if !s.is_empty() && !s.contains('\0') && !s.starts_with('$') => Ok(s),
        Some(Bson::String(s)) => Err(CommandError::new(
            ErrorCode::InvalidNamespace,
            format!("Invalid collection name: '{s}'"),
        )),
        _ => Err(CommandError::type_mismatch(format!(
            "collection name has invalid type for '{key}'"
        ))),
    }
}

pub(super) fn opt_doc<'a>(
    cmd: &'a Document,
    key: &str,
) -> Result<Option<&'a Document>, CommandError> {
    match cmd.get(key) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::Document(d)) => Ok(Some(d)),
        Some(other) => Err(CommandError::type_mismatch(format!(
            "BSON field '{key}' is the wrong type '{}', expected type 'object'",
            crate::engine::bson_order::type_name(other)
        ))),
    }
}

/// A `safeInt64` field: any number, read as mongod's `numberLong` reads it (truncated toward zero,
/// saturating, NaN as 0); `null` is absent.
pub(super) fn opt_i64(cmd: &Document, key: &str) -> Result<Option<i64>, CommandError> {
    match cmd.get(key) {
        None | Some(Bson::Null) => Ok(None),
        Some(v) => crate::engine::numeric::Num::from_bson(v)
            .map(|n| match n.to_i64_exact() {
                Some(i) => i,
                None => {
                    let f = n.to_f64();
                    if f.is_nan() {
                        0
                    } else {
                        f as i64
                    }
                }
            })
            .map(Some)
            .ok_or_else(|| {
                CommandError::type_mismatch(format!("BSON field '{key}' must be an integer"))
            }),
    }
}

pub(super) fn opt_bool(cmd: &Document, key: &str) -> bool {
    match cmd.get(key) {
        Some(Bson::Boolean(b)) => *b,
        Some(Bson::Int32(i)) => *i != 0,
        Some(Bson::Int64(i)) => *i != 0,
        Some(Bson::Double(d)) => *d != 0.0,
        _ => false,
    }
}
