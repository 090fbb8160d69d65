//! BSON type names and numbers as `$type` and `$jsonSchema`'s `bsonType` spell them.
//!
//! In: a type alias (`"int"`, `"number"`) or a type number (`16`); out: a [`TypeSet`] that tests values.
//! Depends on `bson` only.

use crate::engine::CommandError;
use bson::Bson;

/// A set of BSON types a value may have (one alias, `"number"`, or a list of them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeSet {
    codes: Vec<i32>,
    number: bool,
}

/// The BSON type number of a value (1 double ... 19 decimal, -1 minKey, 127 maxKey).
pub fn type_code(v: &Bson) -> i32 {
    match v {
        Bson::Double(_) => 1,
        Bson::String(_) => 2,
        Bson::Document(_) => 3,
        Bson::Array(_) => 4,
        Bson::Binary(_) => 5,
        Bson::Undefined => 6,
        Bson::ObjectId(_) => 7,
        Bson::Boolean(_) => 8,
        Bson::DateTime(_) => 9,
        Bson::Null => 10,
        Bson::RegularExpression(_) => 11,
        Bson::DbPointer(_) => 12,
        Bson::JavaScriptCode(_) => 13,
        Bson::Symbol(_) => 14,
        Bson::JavaScriptCodeWithScope(_) => 15,
        Bson::Int32(_) => 16,
        Bson::Timestamp(_) => 17,
        Bson::Int64(_) => 18,
        Bson::Decimal128(_) => 19,
        Bson::MinKey => -1,
        Bson::MaxKey => 127,
    }
}

/// The type number for an alias, `None` for `"number"` and unknown names (see [`TypeSet::add_alias`]).
fn alias_code(name: &str) -> Option<i32> {
    Some(match name {
        "double" => 1,
        "string" => 2,
        "object" => 3,
        "array" => 4,
        "binData" => 5,
        "undefined" => 6,
        "objectId" => 7,
        "bool" => 8,
        "date" => 9,
        "null" => 10,
        "regex" => 11,
        "dbPointer" => 12,
        "javascript" => 13,
        "symbol" => 14,
        "javascriptWithScope" => 15,
        "int" => 16,
        "timestamp" => 17,
        "long" => 18,
        "decimal" => 19,
        "minKey" => -1,
        "maxKey" => 127,
        _ => return None,
    })
}

impl TypeSet {
    /// Adds a type alias such as `"int"` or `"number"`; unknown names are error 2 BadValue.
    pub fn add_alias(&mut self, name: &str) -> Result<(), CommandError> {
        if name == "number" {
            self.number = true;
            return Ok(());
        }
        match alias_code(name) {
            Some(c) => {
                self.codes.push(c);
                Ok(())
            }
            None => Err(CommandError::bad_value(format!(
                "Unknown type name alias: {name}"
            ))),
        }
    }

    /// Adds a `$type` argument: an alias, a type number, or an array of either.
    pub fn add_spec(&mut self, spec: &Bson) -> Result<(), CommandError> {
        match spec {
            Bson::String(s) => self.add_alias(s),
            Bson::Array(items) => {
                for item in items {
                    if matches!(item, Bson::Array(_)) {
                        return Err(CommandError::bad_value(
                            "type must be represented as a number or a string",
                        ));
                    }
                    self.add_spec(item)?;
                }
                Ok(())
            }
            other => {
                let n = crate::engine::numeric::Num::from_bson(other)
                    .and_then(|n| n.to_i64_exact())
                    .ok_or_else(|| {
                        CommandError::bad_value("type must be represented as a number or a string")
                    })?;
                let valid = [-1, 127].contains(&n) || (1..=19).contains(&n);
                if !valid {
                    return Err(CommandError::bad_value(format!(
                        "Invalid numerical type code: {n}"
                    )));
                }
                self.codes.push(n as i32);
                Ok(())
            }
        }
    }

    /// Whether `v` has one of the types.
    pub fn contains(&self, v: &Bson) -> bool {
        (self.number && crate::engine::numeric::is_number(v)) || self.codes.contains(&type_code(v))
    }
}
