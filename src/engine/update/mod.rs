//! Update documents (`{$set: ..., $inc: ...}`) and replacement documents applied to one document.
//!
//! In: the `u` of an update statement (operator document), `arrayFilters`, and the document to change;
//! out: the changed document and whether it changed. Pipeline updates (`u` is an array) are run by the
//! command layer through `pipeline`, not here. Depends on `bson`, `path`, `numeric`, `bson_order`, `matcher`.
//!
//! Compilation validates everything that does not depend on the document (operator names, argument types,
//! conflicting paths: error 40, array filter identifiers). Application works on a copy and only replaces
//! the document when every operator succeeded, so a failing update leaves the document untouched. Fields
//! are visited in mongod's order (path components lexicographically, numeric components numerically), so
//! new fields appear where mongod puts them.

mod array_ops;
mod ops;
mod positional;
#[cfg(test)]
mod tests;

use super::matcher::Matcher;
use super::CommandError;
use crate::engine::error_codes::ErrorCode;
use bson::{Bson, Document};
use ops::{FieldOp, OpKind};
use std::cmp::Ordering;

/// Context of one application.
#[derive(Debug, Clone)]
pub struct ApplyCtx {
    /// The document is being inserted by an upsert (`$setOnInsert` applies).
    pub is_insert: bool,
    /// The command's clock (`$currentDate`).
    pub now: bson::DateTime,
}

/// A compiled operator update.
#[derive(Debug, Clone)]
pub struct UpdateSpec {
    ops: Vec<FieldOp>,
    filters: Vec<(String, Matcher)>,
}

fn failed(msg: impl Into<String>) -> CommandError {
    CommandError::failed_to_parse(msg)
}

/// Orders update paths as mongod visits them: component by component, numbers numerically.
fn path_order(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(i), Ok(j)) => i.cmp(&j),
            _ => x.as_bytes().cmp(y.as_bytes()),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

impl UpdateSpec {
    /// Compiles and validates an operator update document (every key `$`-prefixed).
    pub fn compile(
        update: &Document,
        array_filters: &[Document],
    ) -> Result<UpdateSpec, CommandError> {
        if update.is_empty() {
            return Err(failed("Update document must contain at least one operator"));
        }
        let mut ops = Vec::new();
        for (name, arg) in update {
            let Bson::Document(fields) = arg else {
                return Err(failed(format!(
                    "Modifiers operate on fields but we found type {} instead. For example: {{$mod: \
                     {{<field>: ...}}}} not {{{name}: {arg}}}",
                    type_name(arg)
                )));
            };
            for (path, value) in fields {
                ops.push(FieldOp::compile(name, path, value)?);
            }
        }
        check_conflicts(&ops)?;
        ops.sort_by(|a, b| path_order(&a.parts, &b.parts));
        let filters = compile_filters(array_filters)?;
        for (ident, _) in &filters {
            let used = ops.iter().any(|op| {
                op.all_paths()
                    .any(|p| p.split('.').any(|c| c == format!("$[{ident}]")))
            });
            if !used {
                return Err(failed(format!(
                    "The array filter for identifier '{ident}' was not used in the update {update}"
                )));
            }
        }
        for op in &ops {
            for p in op.all_paths() {
                for c in p.split('.') {
                    if let Some(id) = c.strip_prefix("$[").and_then(|r| r.strip_suffix(']')) {
                        if !id.is_empty() && !filters.iter().any(|(f, _)| f == id) {
                            return Err(CommandError::bad_value(format!(
                                "No array filter found for identifier '{id}' in path '{p}'"
                            )));
                        }
                    }
                }
            }
        }
        Ok(UpdateSpec { ops, filters })
    }

    /// Applies the update to `doc`; returns whether the document changed (type-exact comparison, so
    /// `$set: {a: 1}` on `{a: 1.0}` is a change and `$set: {a: 1}` on `{a: 1}` is not).
    pub fn apply(&self, doc: &mut Document, ctx: &ApplyCtx) -> Result<bool, CommandError> {
        let mut work = doc.clone();
        for op in &self.ops {
            if matches!(op.kind, OpKind::SetOnInsert(_)) && !ctx.is_insert {
                continue;
            }
            let paths = positional::expand(&work, &op.parts, &self.filters)?;
            for p in paths {
                op.apply_at(&mut work, &p, ctx)?;
            }
        }
        if let Some(old) = doc.get("_id") {
            let same = work.get("_id").is_some_and(|new| identical(old, new));
            if !same {
                return Err(CommandError::new(
                    ErrorCode::ImmutableField,
                    "Performing an update on the path '_id' would modify the immutable field '_id'",
                ));
            }
        }
        let changed = !identical_documents(doc, &work);
        if changed {
            *doc = work;
        }
        Ok(changed)
    }
}

pub(crate) use crate::engine::bson_order::type_name;
use crate::engine::bson_order::{identical, identical_documents};

fn check_conflicts(ops: &[FieldOp]) -> Result<(), CommandError> {
    let all: Vec<&str> = ops.iter().flat_map(FieldOp::all_paths).collect();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            if super::path::conflicts(a, b) {
                let (longer, shorter) = if a.len() >= b.len() { (a, b) } else { (b, a) };
                return Err(CommandError::new(
                    ErrorCode::ConflictingUpdateOperators,
                    format!("Updating the path '{longer}' would create a conflict at '{shorter}'"),
                ));
            }
        }
    }
    Ok(())
}

fn compile_filters(array_filters: &[Document]) -> Result<Vec<(String, Matcher)>, CommandError> {
    let mut out: Vec<(String, Matcher)> = Vec::new();
    for f in array_filters {
        let mut ident: Option<&str> = None;
        for key in f.keys() {
            let top = key.split('.').next().unwrap_or("");
            match ident {
                None => ident = Some(top),
                Some(i) if i != top => {
                    return Err(failed(format!(
                    "Error parsing array filter :: caused by :: Expected a single top-level field \
                         name, found '{i}' and '{top}'"
                )))
                }
                Some(_) => {}
            }
        }
        let Some(id) = ident else {
            return Err(failed(
                "Cannot use an expression without a top-level field name in arrayFilters",
            ));
        };
        let valid = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && id.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid {
            return Err(CommandError::bad_value(format!(
                "Error parsing array filter :: caused by :: The top-level field name must be an \
                 alphanumeric string beginning with a lowercase letter, found '{id}'"
            )));
        }
        if out.iter().any(|(i, _)| i == id) {
            return Err(failed(format!(
                "Found multiple array filters with the same top-level field name {id}"
            )));
        }
        out.push((id.to_string(), Matcher::compile(f)?));
    }
    Ok(out)
}

/// Whether `u` is an operator update (its first key starts with `$`) rather than a replacement.
pub fn is_operator_update(u: &Document) -> bool {
    u.keys().next().is_some_and(|k| k.starts_with('$'))
}

/// The document an upsert starts from: the equality fields of `filter` (`{a: 1}`, `{a: {$eq: 1}}`, `$and`
/// branches), with dotted paths expanded, as mongod seeds an upserted document.
pub fn upsert_seed(filter: &Document) -> Result<Document, CommandError> {
    let mut seed = Document::new();
    add_equalities(filter, &mut seed)?;
    Ok(seed)
}

fn add_equalities(filter: &Document, seed: &mut Document) -> Result<(), CommandError> {
    for (key, value) in filter {
        if key == "$and" {
            if let Bson::Array(items) = value {
                for item in items {
                    if let Bson::Document(d) = item {
                        add_equalities(d, seed)?;
                    }
                }
            }
            continue;
        }
        if key.starts_with('$') {
            continue;
        }
        let eq = match value {
            Bson::RegularExpression(_) => None,
            Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
                d.get("$eq").cloned()
            }
            other => Some(other.clone()),
        };
        if let Some(v) = eq {
            if super::path::get(seed, key).is_some() {
                return Err(CommandError::new(
                    ErrorCode::NotSingleValueField,
                    format!("cannot infer query fields to set, path '{key}' is matched twice"),
                ));
            }
            super::path::set(seed, key, v)?;
        }
    }
    Ok(())
}
