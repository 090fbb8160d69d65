//! The type each field of a CRUD command takes, as mongod 7.0's IDL-generated parsers check it, and the
//! error a wrongly typed value gets: `{find: "c", limit: "x"}` is refused with 14 TypeMismatch "BSON field
//! 'FindCommandRequest.limit' is the wrong type 'string', expected types '[long, int, decimal, double']"
//! (mongod's text, quote and all), not read as no limit.
//!
//! One table per command ([`kind`]); [`super::known_fields::check`] asks it for every field it accepts, in
//! the command's order, so an unknown field and a wrongly typed one are reported in the order mongod's
//! parser meets them. The families of messages:
//! - IDL types (`object`, `bool`, `string`, `array<object>`, `safeInt64`, `safeBool`): "BSON field
//!   '<ctx>.<path>' is the wrong type '<t>', expected type(s) ..."; `null` counts as absent.
//! - `safeInt64` fields with a `gte: 0` validator: 51024 "BSON field '<field>' value must be >= 0, actual
//!   value '<n>'".
//! - find's object fields (`filter`, `sort`, `projection`, ...): "Expected field <f>to be of type object"
//!   (no space: mongod's text); `null` is refused.
//! - `optionalBool` fields: "Field '<f>' should be a boolean value, but found: <t>".
//! - `hint`: 9 FailedToParse "Hint must be a string or an object".
//! - an update statement's `u`: 9 "Update argument must be either an object or an array"; a delete
//!   statement's `limit`: 9 "The limit field in delete objects must be 0 or 1. Got <n>".
//! - aggregate's `pipeline`: 14 "'pipeline' option must be specified as an array".
//!
//! find is parsed under the context name `FindCommandRequest` and distinct under `distinctCommandRequest`
//! (their IDL names), the other commands under their own name; unknown fields are named the same way.

use crate::engine::bson_order::type_name;
use crate::engine::error_codes::ErrorCode;
use crate::engine::CommandError;
use bson::Bson;

/// How a field is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// IDL `object`.
    Object,
    /// find's `object_owned_nonempty_serialize` / `object_owned`: an object, `null` refused.
    OwnedObject,
    /// IDL `bool`.
    Bool,
    /// IDL `safeBool`: a bool or a number.
    SafeBool,
    /// `optionalBool`: a bool, `null` refused.
    OptionalBool,
    /// find's `oplogReplay` (`parseBoolean`): a bool.
    ParseBoolean,
    /// IDL `string`.
    String,
    /// IDL `safeInt64`.
    Int64,
    /// IDL `safeInt64` with a `gte: 0` validator.
    NonNegativeInt64,
    /// IDL `array<object>`.
    ObjectArray,
    /// IDL `array<int>`.
    IntArray,
    /// `indexHint`: a string (an index name) or an object (a key pattern or `$natural`).
    Hint,
    /// aggregate's `pipeline`: an array of objects.
    Pipeline,
    /// aggregate's `cursor` (`SimpleCursorOptions`): an object whose `batchSize` is a non-negative int64.
    Cursor,
    /// An update statement's `u`: an object or an array (a pipeline).
    UpdateModification,
    /// A delete statement's `limit`: 0 or 1.
    DeleteLimit,
    /// `maxTimeMS` under a `safeInt64` IDL type (aggregate): checked for type here, for range by the
    /// deadline.
    MaxTimeInt64,
    /// A field this table does not type (generic arguments, checked where they are used).
    Unchecked,
}

/// The name mongod's parser puts before a field's path in its messages.
pub(super) fn context(command: &str) -> &str {
    match command {
        "find" => "FindCommandRequest",
        "distinct" => "distinctCommandRequest",
        "findandmodify" => "findAndModify",
        other => other,
    }
}

/// The type of `field` of `command` (one of the fields [`super::known_fields`] accepts for it).
pub(super) fn kind(command: &str, field: &str) -> Kind {
    use Kind::*;
    match (command, field) {
        ("find", "filter" | "projection" | "sort" | "collation" | "min" | "max" | "let") => {
            OwnedObject
        }
        ("find", "skip" | "limit" | "batchSize") => NonNegativeInt64,
        ("find", "term") => Int64,
        (
            "find",
            "singleBatch"
            | "allowDiskUse"
            | "returnKey"
            | "showRecordId"
            | "tailable"
            | "noCursorTimeout"
            | "awaitData"
            | "allowPartialResults"
            | "readOnce"
            | "allowSpeculativeMajorityRead",
        ) => OptionalBool,
        ("find", "oplogReplay") => ParseBoolean,
        ("aggregate", "pipeline") => Pipeline,
        ("aggregate", "cursor") => Cursor,
        ("aggregate", "explain" | "allowDiskUse" | "fromMongos" | "needsMerge") => OptionalBool,
        ("aggregate", "bypassDocumentValidation") => SafeBool,
        ("aggregate", "collation" | "let" | "exchange") => Object,
        ("aggregate", "maxTimeMS") => MaxTimeInt64,
        ("count", "query" | "collation") => Object,
        ("count", "limit") => Int64,
        ("count", "skip") => NonNegativeInt64,
        ("distinct", "key") => String,
        ("distinct", "query" | "collation") => Object,
        ("insert", "documents") | ("update", "updates") | ("delete", "deletes") => ObjectArray,
        ("insert" | "update" | "delete", "ordered") => Bool,
        ("insert" | "update" | "delete", "bypassDocumentValidation") => SafeBool,
        ("insert" | "update" | "delete", "stmtIds") => IntArray,
        ("update" | "delete", "let") => Object,
        ("findAndModify" | "findandmodify", "query" | "fields" | "sort" | "collation" | "let") => {
            Object
        }
        ("findAndModify" | "findandmodify", "arrayFilters") => ObjectArray,
        ("findAndModify" | "findandmodify", "update") => UpdateModification,
        (
            "findAndModify" | "findandmodify",
            "remove" | "new" | "upsert" | "bypassDocumentValidation",
        ) => SafeBool,
        ("getMore", "collection") => String,
        ("getMore", "batchSize" | "term") => Int64,
        (_, "hint") => Hint,
        _ => Unchecked,
    }
}

/// The type of a field of one statement of `update` (`list` = "updates") or `delete` ("deletes").
pub(super) fn statement_kind(list: &str, field: &str) -> Kind {
    use Kind::*;
    match (list, field) {
        (_, "q") => Object,
        (_, "collation") => Object,
        (_, "hint") => Hint,
        ("updates", "u") => UpdateModification,
        ("updates", "c") => Object,
        ("updates", "arrayFilters") => ObjectArray,
        ("updates", "multi" | "upsert") => Bool,
        ("updates", "upsertSupplied") => OptionalBool,
        ("deletes", "limit") => DeleteLimit,
        _ => Unchecked,
    }
}

fn wrong_type(path: &str, v: &Bson, expected: &str) -> CommandError {
    CommandError::type_mismatch(format!(
        "BSON field '{path}' is the wrong type '{}', expected type '{expected}'",
        type_name(v)
    ))
}

/// mongod's multi-type message closes the list with `']` (quote inside the bracket): its text.
fn wrong_types(path: &str, v: &Bson, expected: &str) -> CommandError {
    CommandError::type_mismatch(format!(
        "BSON field '{path}' is the wrong type '{}', expected types '[{expected}']",
        type_name(v)
    ))
}

const NUMBER_TYPES: &str = "long, int, decimal, double";
const BOOL_OR_NUMBER_TYPES: &str = "bool, long, int, decimal, double";

fn is_number(v: &Bson) -> bool {
    matches!(
        v,
        Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_)
    )
}

/// A number read as mongod's `numberLong` reads it: truncated toward zero, saturating, NaN as 0.
fn number_long(v: &Bson) -> i64 {
    match v {
        Bson::Int32(i) => i64::from(*i),
        Bson::Int64(i) => *i,
        Bson::Double(d) if d.is_nan() => 0,
        Bson::Double(d) => *d as i64,
        Bson::Decimal128(d) => d
            .to_string()
            .parse::<f64>()
            .map(|f| if f.is_nan() { 0 } else { f as i64 })
            .unwrap_or(0),
        _ => 0,
    }
}

/// A number read as mongod's `numberDouble` reads it (anything else is 0).
fn number_double(v: &Bson) -> f64 {
    match v {
        Bson::Int32(i) => f64::from(*i),
        Bson::Int64(i) => *i as f64,
        Bson::Double(d) => *d,
        Bson::Decimal128(d) => d.to_string().parse::<f64>().unwrap_or(f64::NAN),
        _ => 0.0,
    }
}

/// A double as a C++ stream prints it (`2`, `0.5`).
fn show_double(d: f64) -> String {
    if d.is_finite() && d.fract() == 0.0 && d.abs() < 1e15 {
        format!("{}", d as i64)
    } else {
        format!("{d}")
    }
}

/// Checks `value` of field `field` at `path` (`<ctx>.<field>` or a statement's path) against `kind`.
pub(super) fn check(kind: Kind, field: &str, path: &str, value: &Bson) -> Result<(), CommandError> {
    let null = matches!(value, Bson::Null | Bson::Undefined);
    match kind {
        Kind::Unchecked => Ok(()),
        Kind::Object => match value {
            Bson::Document(_) => Ok(()),
            _ if null => Ok(()),
            v => Err(wrong_type(path, v, "object")),
        },
        Kind::OwnedObject => match value {
            Bson::Document(_) => Ok(()),
            _ => Err(CommandError::type_mismatch(format!(
                "Expected field {field}to be of type object"
            ))),
        },
        Kind::Bool => match value {
            Bson::Boolean(_) => Ok(()),
            _ if null => Ok(()),
            v => Err(wrong_type(path, v, "bool")),
        },
        Kind::SafeBool => match value {
            Bson::Boolean(_) => Ok(()),
            v if is_number(v) || null => Ok(()),
            v => Err(wrong_types(path, v, BOOL_OR_NUMBER_TYPES)),
        },
        Kind::OptionalBool => match value {
            Bson::Boolean(_) => Ok(()),
            v => Err(CommandError::type_mismatch(format!(
                "Field '{field}' should be a boolean value, but found: {}",
                type_name(v)
            ))),
        },
        Kind::ParseBoolean => match value {
            Bson::Boolean(_) => Ok(()),
            _ => Err(CommandError::type_mismatch(format!(
                "Expected field {field}to be of type bool"
            ))),
        },
        Kind::String => match value {
            Bson::String(_) => Ok(()),
            _ if null => Ok(()),
            v => Err(wrong_type(path, v, "string")),
        },
        Kind::Int64 | Kind::MaxTimeInt64 => match value {
            v if is_number(v) || null => Ok(()),
            v => Err(wrong_types(path, v, NUMBER_TYPES)),
        },
        Kind::NonNegativeInt64 => match value {
            _ if null => Ok(()),
            v if is_number(v) => {
                let n = number_long(v);
                if n < 0 {
                    return Err(CommandError::location(
                        51024,
                        format!("BSON field '{field}' value must be >= 0, actual value '{n}'"),
                    ));
                }
                Ok(())
            }
            v => Err(wrong_types(path, v, NUMBER_TYPES)),
        },
        Kind::ObjectArray | Kind::IntArray => {
            let (want, element_ok): (&str, fn(&Bson) -> bool) = if kind == Kind::ObjectArray {
                ("object", |e| matches!(e, Bson::Document(_)))
            } else {
                ("int", |e| matches!(e, Bson::Int32(_)))
            };
            match value {
                Bson::Array(items) => {
                    for (i, e) in items.iter().enumerate() {
                        if !element_ok(e) {
                            return Err(wrong_type(&format!("{path}.{i}"), e, want));
                        }
                    }
                    Ok(())
                }
                _ if null => Ok(()),
                v => Err(wrong_type(path, v, "array")),
            }
        }
        Kind::Hint => check_hint(value),
        Kind::Pipeline => match value {
            Bson::Array(stages) => {
                if stages.iter().any(|s| !matches!(s, Bson::Document(_))) {
                    return Err(CommandError::type_mismatch(
                        "Each element of the 'pipeline' array must be an object",
                    ));
                }
                Ok(())
            }
            _ => Err(CommandError::type_mismatch(
                "'pipeline' option must be specified as an array",
            )),
        },
        Kind::Cursor => match value {
            Bson::Document(c) => {
                for (k, v) in c {
                    match k.as_str() {
                        "batchSize" => check(
                            Kind::NonNegativeInt64,
                            "batchSize",
                            &format!("{path}.batchSize"),
                            v,
                        )?,
                        _ => {
                            return Err(CommandError::location(
                                40415,
                                format!("BSON field '{path}.{k}' is an unknown field."),
                            ))
                        }
                    }
                }
                Ok(())
            }
            _ if null => Ok(()),
            v => Err(wrong_type(path, v, "object")),
        },
        Kind::UpdateModification => match value {
            Bson::Document(_) | Bson::Array(_) => Ok(()),
            _ => Err(CommandError::failed_to_parse(
                "Update argument must be either an object or an array",
            )),
        },
        Kind::DeleteLimit => {
            let limit = number_double(value);
            if limit == 0.0 || limit == 1.0 {
                Ok(())
            } else {
                Err(CommandError::failed_to_parse(format!(
                    "The limit field in delete objects must be 0 or 1. Got {}",
                    show_double(limit)
                )))
            }
        }
    }
}

/// `indexHint`: an index name, a key pattern, or `{$natural: 1 | -1}` alone.
fn check_hint(value: &Bson) -> Result<(), CommandError> {
    match value {
        Bson::String(_) => Ok(()),
        Bson::Document(d) => {
            let Some((first, v)) = d.iter().next() else {
                return Ok(());
            };
            if first != "$natural" {
                return Ok(());
            }
            if d.len() != 1 {
                return Err(CommandError::failed_to_parse(format!(
                    "$natural hint may only accept one field{}",
                    element_string(d)
                )));
            }
            match number_long(v) {
                1 | -1 if is_number(v) => Ok(()),
                _ => Err(CommandError::new(
                    ErrorCode::FailedToParse,
                    format!(
                        "$natural hint may only accept 1 or -1, not {}",
                        element_string(d)
                    ),
                )),
            }
        }
        _ => Err(CommandError::failed_to_parse(
            "Hint must be a string or an object",
        )),
    }
}

/// A hint element as mongod's `BSONElement::toString` shows it: `hint: { $natural: 2 }`.
fn element_string(d: &bson::Document) -> String {
    let fields: Vec<String> = d
        .iter()
        .map(|(k, v)| match v {
            Bson::String(s) => format!("{k}: \"{s}\""),
            Bson::Double(x) => format!("{k}: {}", show_double(*x)),
            other => format!("{k}: {other}"),
        })
        .collect();
    format!("hint: {{ {} }}", fields.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn err(kind: Kind, field: &str, path: &str, v: Bson) -> (i32, String) {
        let e = check(kind, field, path, &v).unwrap_err();
        (e.code, e.errmsg)
    }

    #[test]
    fn numbers_bools_and_objects_get_mongods_messages() {
        assert_eq!(
            err(
                Kind::NonNegativeInt64,
                "limit",
                "FindCommandRequest.limit",
                "x".into()
            ),
            (
                14,
                "BSON field 'FindCommandRequest.limit' is the wrong type 'string', expected types \
                 '[long, int, decimal, double']"
                    .into()
            )
        );
        assert_eq!(
            err(
                Kind::NonNegativeInt64,
                "batchSize",
                "x.batchSize",
                Bson::Double(-1.5)
            ),
            (
                51024,
                "BSON field 'batchSize' value must be >= 0, actual value '-1'".into()
            )
        );
        assert!(check(Kind::NonNegativeInt64, "limit", "p", &Bson::Null).is_ok());
        assert_eq!(
            err(Kind::OwnedObject, "filter", "p", Bson::Array(vec![])).1,
            "Expected field filterto be of type object"
        );
        assert_eq!(
            err(Kind::Bool, "multi", "update.updates.multi", "yes".into()).1,
            "BSON field 'update.updates.multi' is the wrong type 'string', expected type 'bool'"
        );
        assert_eq!(
            err(
                Kind::OptionalBool,
                "explain",
                "aggregate.explain",
                "x".into()
            )
            .1,
            "Field 'explain' should be a boolean value, but found: string"
        );
        assert_eq!(
            err(
                Kind::ObjectArray,
                "documents",
                "insert.documents",
                Bson::Document(doc! {})
            )
            .1,
            "BSON field 'insert.documents' is the wrong type 'object', expected type 'array'"
        );
        assert_eq!(
            err(
                Kind::ObjectArray,
                "documents",
                "insert.documents",
                bson::bson!([{}, 5])
            )
            .1,
            "BSON field 'insert.documents.1' is the wrong type 'int', expected type 'object'"
        );
    }

    #[test]
    fn hints_updates_and_delete_limits_are_failed_to_parse() {
        assert_eq!(
            err(Kind::Hint, "hint", "p", Bson::Int32(5)),
            (9, "Hint must be a string or an object".into())
        );
        assert!(check(
            Kind::Hint,
            "hint",
            "p",
            &Bson::Document(doc! {"$natural": -1})
        )
        .is_ok());
        assert_eq!(
            err(
                Kind::Hint,
                "hint",
                "p",
                Bson::Document(doc! {"$natural": 2})
            )
            .0,
            9
        );
        assert_eq!(
            err(Kind::UpdateModification, "u", "p", Bson::Int32(5)),
            (
                9,
                "Update argument must be either an object or an array".into()
            )
        );
        assert_eq!(
            err(Kind::DeleteLimit, "limit", "p", Bson::Int32(2)),
            (
                9,
                "The limit field in delete objects must be 0 or 1. Got 2".into()
            )
        );
        assert_eq!(
            err(Kind::DeleteLimit, "limit", "p", Bson::Double(0.5)).1,
            "The limit field in delete objects must be 0 or 1. Got 0.5"
        );
        // mongod reads a non-number limit as 0 (delete all matches).
        assert!(check(Kind::DeleteLimit, "limit", "p", &"x".into()).is_ok());
    }
}
