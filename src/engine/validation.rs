//! Collection validators: `$jsonSchema` (MongoDB's draft-4 dialect with `bsonType`) and query-operator
//! validators, checked on every insert and update.
//!
//! In: a collection's `validator` document and candidate documents; out: `Ok(())` or error 121
//! `DocumentValidationFailure`. Keywords outside the supported set are refused when the validator is
//! compiled. Depends on `matcher` (query operators, `$type` aliases, regexes) and `bson_order`.

use super::bson_order::{compare, equal};
use super::matcher::leaf::Re;
use super::matcher::types::TypeSet;
use super::numeric::is_number;
use super::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

/// `additionalProperties`: a boolean or a schema for the properties not listed.
#[derive(Debug, Clone)]
enum Additional {
    Allowed(bool),
    Schema(Box<Schema>),
}

/// `items`: one schema for every element, or one per position.
#[derive(Debug, Clone)]
enum Items {
    All(Box<Schema>),
    Each(Vec<Schema>),
}

/// A compiled `$jsonSchema` (sub)schema.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    types: Option<TypeSet>,
    required: Vec<String>,
    properties: Vec<(String, Schema)>,
    additional: Option<Additional>,
    enumeration: Option<Vec<Bson>>,
    minimum: Option<(Bson, bool)>,
    maximum: Option<(Bson, bool)>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<Re>,
    items: Option<Items>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    unique_items: bool,
    min_properties: Option<usize>,
    max_properties: Option<usize>,
    all_of: Vec<Schema>,
    any_of: Vec<Schema>,
    one_of: Vec<Schema>,
    not: Option<Box<Schema>>,
}

fn bad(msg: impl Into<String>) -> CommandError {
    CommandError::failed_to_parse(msg)
}

fn count(kw: &str, v: &Bson) -> Result<usize, CommandError> {
    crate::engine::numeric::Num::from_bson(v)
        .and_then(|n| n.to_i64_exact())
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| {
            bad(format!(
                "$jsonSchema keyword '{kw}' must be a non-negative integer"
            ))
        })
}

fn sub_schema(kw: &str, v: &Bson) -> Result<Schema, CommandError> {
    match v {
        Bson::Document(d) => Schema::compile(d),
        _ => Err(CommandError::type_mismatch(format!(
            "$jsonSchema keyword '{kw}' must be an object"
        ))),
    }
}

fn schema_list(kw: &str, v: &Bson) -> Result<Vec<Schema>, CommandError> {
    let Bson::Array(items) = v else {
        return Err(CommandError::type_mismatch(format!(
            "$jsonSchema keyword '{kw}' must be an array"
        )));
    };
    if items.is_empty() {
        return Err(bad(format!(
            "$jsonSchema keyword '{kw}' must be a non-empty array"
        )));
    }
    items.iter().map(|s| sub_schema(kw, s)).collect()
}

fn json_type(ts: &mut TypeSet, name: &str) -> Result<(), CommandError> {
    match name {
        "object" | "array" | "string" | "null" => ts.add_alias(name),
        "number" => ts.add_alias("number"),
        "boolean" => ts.add_alias("bool"),
        "integer" => Err(bad(
            "$jsonSchema type 'integer' is not currently supported.",
        )),
        other => Err(bad(format!("Unknown type name alias: {other}"))),
    }
}

fn type_names<'a>(kw: &str, v: &'a Bson) -> Result<Vec<&'a str>, CommandError> {
    match v {
        Bson::String(s) => Ok(vec![s.as_str()]),
        Bson::Array(items) => items
            .iter()
            .map(|i| match i {
                Bson::String(s) => Ok(s.as_str()),
                _ => Err(CommandError::type_mismatch(format!(
                    "$jsonSchema keyword '{kw}' array elements must be strings"
                ))),
            })
            .collect(),
        _ => Err(CommandError::type_mismatch(format!(
            "$jsonSchema keyword '{kw}' must be either a string or an array of strings"
        ))),
    }
}

impl Schema {
    /// Compiles a schema object; unknown keywords are error 9 FailedToParse.
    pub fn compile(spec: &Document) -> Result<Schema, CommandError> {
        let mut s = Schema::default();
        for (kw, v) in spec {
            match kw.as_str() {
                "bsonType" | "type" => {
                    let ts = s.types.get_or_insert_with(TypeSet::default);
                    for name in type_names(kw, v)? {
                        if kw == "type" {
                            json_type(ts, name)?;
                        } else {
                            ts.add_alias(name)?;
                        }
                    }
                }
                "required" => {
                    let names = type_names(kw, v)?;
                    s.required = names.into_iter().map(str::to_string).collect();
                }
                "properties" => {
                    let Bson::Document(props) = v else {
                        return Err(CommandError::type_mismatch(
                            "$jsonSchema keyword 'properties' must be an object",
                        ));
                    };
                    for (name, p) in props {
                        s.properties.push((name.clone(), sub_schema(name, p)?));
                    }
                }
                "additionalProperties" => {
                    s.additional = Some(match v {
                        Bson::Boolean(b) => Additional::Allowed(*b),
                        other => Additional::Schema(Box::new(sub_schema(kw, other)?)),
                    })
                }
                "enum" => match v {
                    Bson::Array(items) if !items.is_empty() => s.enumeration = Some(items.clone()),
                    _ => return Err(bad("$jsonSchema keyword 'enum' must be a non-empty array")),
                },
                "minimum" | "maximum" => {
                    if !is_number(v) {
                        return Err(CommandError::type_mismatch(format!(
                            "$jsonSchema keyword '{kw}' must be a number"
                        )));
                    }
                    let slot = if kw == "minimum" {
                        &mut s.minimum
                    } else {
                        &mut s.maximum
                    };
                    let excl = slot.as_ref().is_some_and(|(_, e)| *e);
                    *slot = Some((v.clone(), excl));
                }
                "exclusiveMinimum" | "exclusiveMaximum" => {}
                "minLength" => s.min_length = Some(count(kw, v)?),
                "maxLength" => s.max_length = Some(count(kw, v)?),
                "pattern" => match v {
                    Bson::String(p) => s.pattern = Some(Re::new(p, "")?),
                    _ => {
                        return Err(CommandError::type_mismatch(
                            "$jsonSchema keyword 'pattern' must be a string",
                        ))
                    }
                },
                "items" => {
                    s.items = Some(match v {
                        Bson::Array(_) => Items::Each(schema_list(kw, v)?),
                        other => Items::All(Box::new(sub_schema(kw, other)?)),
                    })
                }
                "minItems" => s.min_items = Some(count(kw, v)?),
                "maxItems" => s.max_items = Some(count(kw, v)?),
                "uniqueItems" => match v {
                    Bson::Boolean(b) => s.unique_items = *b,
                    _ => {
                        return Err(CommandError::type_mismatch(
                            "$jsonSchema keyword 'uniqueItems' must be a boolean",
                        ))
                    }
                },
                "minProperties" => s.min_properties = Some(count(kw, v)?),
                "maxProperties" => s.max_properties = Some(count(kw, v)?),
                "allOf" => s.all_of = schema_list(kw, v)?,
                "anyOf" => s.any_of = schema_list(kw, v)?,
                "oneOf" => s.one_of = schema_list(kw, v)?,
                "not" => s.not = Some(Box::new(sub_schema(kw, v)?)),
                "title" | "description" => {}
                other => {
                    return Err(bad(format!("Unknown $jsonSchema keyword: {other}")));
                }
            }
        }
        for (kw, is_min) in [("exclusiveMinimum", true), ("exclusiveMaximum", false)] {
            if let Some(v) = spec.get(kw) {
                let Bson::Boolean(b) = v else {
                    return Err(CommandError::type_mismatch(format!(
                        "$jsonSchema keyword '{kw}' must be a boolean"
                    )));
                };
                let slot = if is_min {
                    &mut s.minimum
                } else {
                    &mut s.maximum
                };
                match slot {
                    Some((_, e)) => *e = *b,
                    None => {
                        return Err(bad(format!(
                            "$jsonSchema keyword '{}' must be present if {kw} is present",
                            if is_min { "minimum" } else { "maximum" }
                        )))
                    }
                }
            }
        }
        Ok(s)
    }

    /// Whether a value (a document or any other) satisfies the schema, keywords for other types not applying.
    pub fn accepts(&self, v: &Bson) -> bool {
        self.value_ok(v)
    }

    /// Whether a top-level document satisfies the schema.
    pub fn matches(&self, doc: &Document) -> bool {
        if let Some(ts) = &self.types {
            if !ts.contains(&Bson::Document(Document::new())) {
                return false;
            }
        }
        if let Some(values) = &self.enumeration {
            let whole = Bson::Document(doc.clone());
            if !values.iter().any(|x| equal(x, &whole)) {
                return false;
            }
        }
        self.object_ok(doc)
            && (!self.has_combinators() || self.combinators_ok(&Bson::Document(doc.clone())))
    }

    fn has_combinators(&self) -> bool {
        !(self.all_of.is_empty()
            && self.any_of.is_empty()
            && self.one_of.is_empty()
            && self.not.is_none())
    }

    fn combinators_ok(&self, v: &Bson) -> bool {
        if !self.has_combinators() {
            return true;
        }
        self.all_of.iter().all(|s| s.value_ok(v))
            && (self.any_of.is_empty() || self.any_of.iter().any(|s| s.value_ok(v)))
            && (self.one_of.is_empty() || self.one_of.iter().filter(|s| s.value_ok(v)).count() == 1)
            && !self.not.as_ref().is_some_and(|s| s.value_ok(v))
    }

    /// Whether a value (at any depth) satisfies the schema; keywords for other types do not apply.
    fn value_ok(&self, v: &Bson) -> bool {
        if let Some(ts) = &self.types {
            if !ts.contains(v) {
                return false;
            }
        }
        if let Some(values) = &self.enumeration {
            if !values.iter().any(|x| equal(x, v)) {
                return false;
            }
        }
        let typed = match v {
            Bson::Document(d) => self.object_ok(d),
            Bson::Array(a) => self.array_ok(a),
            Bson::String(s) => self.string_ok(s),
            n if is_number(n) => self.number_ok(n),
            _ => true,
        };
        typed && self.combinators_ok(v)
    }

    fn object_ok(&self, d: &Document) -> bool {
        if self.required.iter().any(|r| !d.contains_key(r)) {
            return false;
        }
        if self.min_properties.is_some_and(|m| d.len() < m)
            || self.max_properties.is_some_and(|m| d.len() > m)
        {
            return false;
        }
        for (k, v) in d {
            match self.properties.iter().find(|(name, _)| name == k) {
                Some((_, s)) => {
                    if !s.value_ok(v) {
                        return false;
                    }
                }
                None => match &self.additional {
                    Some(Additional::Allowed(false)) => return false,
                    Some(Additional::Schema(s)) if !s.value_ok(v) => return false,
                    _ => {}
                },
            }
        }
        true
    }

    fn array_ok(&self, a: &[Bson]) -> bool {
        if self.min_items.is_some_and(|m| a.len() < m)
            || self.max_items.is_some_and(|m| a.len() > m)
        {
            return false;
        }
        if self.unique_items {
            for (i, x) in a.iter().enumerate() {
                if a.iter().skip(i + 1).any(|y| equal(x, y)) {
                    return false;
                }
            }
        }
        match &self.items {
            Some(Items::All(s)) => a.iter().all(|e| s.value_ok(e)),
            Some(Items::Each(list)) => a.iter().zip(list).all(|(e, s)| s.value_ok(e)),
            None => true,
        }
    }

    fn string_ok(&self, s: &str) -> bool {
        // Counted only when a length bound asks (most schemas have none).
        let n = || s.chars().count();
        !(self.min_length.is_some_and(|m| n() < m)
            || self.max_length.is_some_and(|m| n() > m)
            || self
                .pattern
                .as_ref()
                .is_some_and(|p| !p.matches(&Bson::String(s.to_string()))))
    }

    fn number_ok(&self, n: &Bson) -> bool {
        let min_ok = self.minimum.as_ref().is_none_or(|(m, excl)| {
            let o = compare(n, m);
            o == Ordering::Greater || (!excl && o == Ordering::Equal)
        });
        let max_ok = self.maximum.as_ref().is_none_or(|(m, excl)| {
            let o = compare(n, m);
            o == Ordering::Less || (!excl && o == Ordering::Equal)
        });
        min_ok && max_ok
    }
}
