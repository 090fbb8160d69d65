//! One update operator on one field path: validation of its argument at compile time and its effect on
//! the value at a concrete (positional-free) path.

use super::array_ops::{self, PullCond, PushSpec};
use super::{type_name, ApplyCtx};
use crate::engine::bson_order::compare;
use crate::engine::error_codes::ErrorCode;
use crate::engine::numeric::{arith, Num, Op};
use crate::engine::path;
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

/// What an operator does to its field.
#[derive(Debug, Clone)]
pub enum OpKind {
    /// `$set`
    Set(Bson),
    /// `$setOnInsert`
    SetOnInsert(Bson),
    /// `$unset`
    Unset,
    /// `$inc`
    Inc(Num),
    /// `$mul`
    Mul(Num),
    /// `$min`
    Min(Bson),
    /// `$max`
    Max(Bson),
    /// `$rename` to the given path.
    Rename(String),
    /// `$currentDate`; true for a timestamp.
    CurrentDate(bool),
    /// `$push` with its modifiers.
    Push(PushSpec),
    /// `$addToSet` (values from `$each` or the single value).
    AddToSet(Vec<Bson>),
    /// `$pull`
    Pull(PullCond),
    /// `$pullAll`
    PullAll(Vec<Bson>),
    /// `$pop`; true removes the first element.
    Pop(bool),
}

/// An operator bound to a field path.
#[derive(Debug, Clone)]
pub struct FieldOp {
    /// The dotted path as written.
    pub path: String,
    /// Its components.
    pub parts: Vec<String>,
    /// The operator.
    pub kind: OpKind,
}

fn bad(msg: impl Into<String>) -> CommandError {
    CommandError::bad_value(msg)
}

fn validate_path(
    op: &str,
    path: &str,
    allow_positional: bool,
) -> Result<Vec<String>, CommandError> {
    let parts: Vec<String> = path.split('.').map(str::to_string).collect();
    for p in &parts {
        if p.is_empty() {
            return Err(CommandError::new(
                ErrorCode::EmptyFieldName,
                format!("An empty update path is not valid: '{path}'"),
            ));
        }
        if p == "$" {
            return Err(bad(format!(
                "The positional operator '$' in '{path}' is not supported by the embedded engine; use \
                 '$[]' or '$[<identifier>]' with arrayFilters"
            )));
        }
        if p.starts_with("$[") && p.ends_with(']') {
            if !allow_positional {
                return Err(bad(format!(
                    "{op} may not use positional operators: '{path}'"
                )));
            }
            continue;
        }
        if p.starts_with('$') {
            return Err(CommandError::new(
                ErrorCode::DollarPrefixedFieldName,
                format!(
                    "The dollar ($) prefixed field '{p}' in '{path}' is not allowed in the context of an \
                     update's replacement document. Consider using an aggregation pipeline with $replaceWith."
                ),
            ));
        }
    }
    Ok(parts)
}

fn number_arg(op: &str, path: &str, v: &Bson) -> Result<Num, CommandError> {
    Num::from_bson(v).ok_or_else(|| {
        CommandError::type_mismatch(format!(
            "Cannot {} with non-numeric argument: {{{path}: {v}}}",
            if op == "$inc" {
                "increment"
            } else {
                "multiply"
            }
        ))
    })
}

impl FieldOp {
    /// Validates one `{path: value}` entry of operator `op`.
    pub fn compile(op: &str, path: &str, value: &Bson) -> Result<FieldOp, CommandError> {
        let parts = validate_path(op, path, op != "$rename")?;
        let kind =
            match op {
                "$set" => OpKind::Set(value.clone()),
                "$setOnInsert" => OpKind::SetOnInsert(value.clone()),
                "$unset" => OpKind::Unset,
                "$inc" => OpKind::Inc(number_arg(op, path, value)?),
                "$mul" => OpKind::Mul(number_arg(op, path, value)?),
                "$min" => OpKind::Min(value.clone()),
                "$max" => OpKind::Max(value.clone()),
                "$rename" => {
                    let Bson::String(to) = value else {
                        return Err(bad(format!(
                            "The 'to' field for $rename must be a string: {path}: {value}"
                        )));
                    };
                    validate_path(op, to, false)?;
                    if to == path {
                        return Err(bad(format!(
                            "The source and target field for $rename must differ: {path}: \"{to}\""
                        )));
                    }
                    if path::conflicts(path, to) {
                        return Err(bad(format!(
                        "The source and target field for $rename must not be on the same path: \
                         {path}: \"{to}\""
                    )));
                    }
                    OpKind::Rename(to.clone())
                }
                "$currentDate" => OpKind::CurrentDate(match value {
                    Bson::Boolean(_) => false,
                    Bson::Document(d) => match (d.len(), d.get("$type")) {
                        (1, Some(Bson::String(t))) if t == "date" => false,
                        (1, Some(Bson::String(t))) if t == "timestamp" => true,
                        _ => return Err(bad(
                            "The '$type' string field is required to be 'date' or 'timestamp': \
                             {$currentDate: {field : {$type: 'date'}}}",
                        )),
                    },
                    other => {
                        return Err(bad(format!(
                        "{} is not valid type for $currentDate. Please use a boolean ('true') or a \
                         $type expression ({{$type: 'timestamp/date'}}).",
                        type_name(other)
                    )))
                    }
                }),
                "$push" => OpKind::Push(PushSpec::compile(value)?),
                "$addToSet" => OpKind::AddToSet(array_ops::add_to_set_values(value)?),
                "$pull" => OpKind::Pull(PullCond::compile(value)?),
                "$pullAll" => match value {
                    Bson::Array(items) => OpKind::PullAll(items.clone()),
                    other => {
                        return Err(bad(format!(
                            "$pullAll requires an array argument but was given a {}",
                            type_name(other)
                        )))
                    }
                },
                "$pop" => {
                    let n = Num::from_bson(value).map(|n| n.to_f64());
                    match n {
                        Some(1.0) => OpKind::Pop(false),
                        Some(-1.0) => OpKind::Pop(true),
                        _ => {
                            return Err(CommandError::failed_to_parse(format!(
                                "$pop expects 1 or -1, found: {value}"
                            )))
                        }
                    }
                }
                other => {
                    return Err(CommandError::failed_to_parse(format!(
                    "Unknown modifier: {other}. Expected a valid update modifier or pipeline-style \
                     update specified as an array"
                )))
                }
            };
        Ok(FieldOp {
            path: path.to_string(),
            parts,
            kind,
        })
    }

    /// The paths this operator touches (its own, and a `$rename` target).
    pub fn all_paths(&self) -> impl Iterator<Item = &str> {
        let extra = match &self.kind {
            OpKind::Rename(to) => Some(to.as_str()),
            _ => None,
        };
        std::iter::once(self.path.as_str()).chain(extra)
    }

    /// Applies the operator at the concrete dotted path `p`.
    pub fn apply_at(
        &self,
        doc: &mut Document,
        p: &str,
        ctx: &ApplyCtx,
    ) -> Result<(), CommandError> {
        match &self.kind {
            OpKind::Set(v) | OpKind::SetOnInsert(v) => path::set(doc, p, v.clone()),
            OpKind::Unset => {
                path::remove(doc, p);
                Ok(())
            }
            OpKind::Inc(n) | OpKind::Mul(n) => {
                let is_inc = matches!(self.kind, OpKind::Inc(_));
                let new = match path::get(doc, p) {
                    None if is_inc => n.to_bson(),
                    None => arith(Op::Mul, Num::Int(0), *n).to_bson(),
                    Some(cur) => match Num::from_bson(cur) {
                        Some(c) => arith(if is_inc { Op::Add } else { Op::Mul }, c, *n).to_bson(),
                        None => {
                            return Err(CommandError::type_mismatch(format!(
                            "Cannot apply {} to a value of non-numeric type. {{_id: {}}} has the \
                                 field '{}' of non-numeric type {}",
                            if is_inc { "$inc" } else { "$mul" },
                            doc.get("_id").map(ToString::to_string).unwrap_or_default(),
                            p.rsplit('.').next().unwrap_or(p),
                            type_name(cur)
                        )))
                        }
                    },
                };
                path::set(doc, p, new)
            }
            OpKind::Min(v) | OpKind::Max(v) => {
                let want = if matches!(self.kind, OpKind::Min(_)) {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
                match path::get(doc, p) {
                    Some(cur) if compare(v, cur) != want => Ok(()),
                    _ => path::set(doc, p, v.clone()),
                }
            }
            OpKind::Rename(to) => {
                for (what, path_) in [("source", p), ("destination", to.as_str())] {
                    if through_array(doc, path_) {
                        return Err(bad(format!(
                            "The {what} field cannot be an array element, '{path_}' in doc with _id: {} \
                             has an array field along the path",
                            doc.get("_id").map(ToString::to_string).unwrap_or_default()
                        )));
                    }
                }
                let Some(v) = path::get(doc, p).cloned() else {
                    return Ok(());
                };
                path::remove(doc, p);
                path::set(doc, to, v)
            }
            OpKind::CurrentDate(ts) => {
                let v = if *ts {
                    let secs = ctx.now.timestamp_millis().div_euclid(1000);
                    Bson::Timestamp(bson::Timestamp {
                        time: u32::try_from(secs).unwrap_or(0),
                        increment: 1,
                    })
                } else {
                    Bson::DateTime(ctx.now)
                };
                path::set(doc, p, v)
            }
            OpKind::Push(spec) => array_ops::push(doc, p, spec),
            OpKind::AddToSet(vals) => array_ops::add_to_set(doc, p, vals),
            OpKind::Pull(cond) => array_ops::pull(doc, p, cond),
            OpKind::PullAll(vals) => array_ops::pull_all(doc, p, vals),
            OpKind::Pop(first) => array_ops::pop(doc, p, *first),
        }
    }
}

/// Whether any proper prefix of `p` is an array in `doc` (`$rename` refuses array elements).
fn through_array(doc: &Document, p: &str) -> bool {
    let mut prefix = String::new();
    let parts: Vec<&str> = p.split('.').collect();
    for part in parts.iter().take(parts.len().saturating_sub(1)) {
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(part);
        if matches!(path::get(doc, &prefix), Some(Bson::Array(_))) {
            return true;
        }
    }
    false
}
