//! Array update operators: `$push` (with `$each $slice $sort $position`), `$addToSet`, `$pull`, `$pullAll`,
//! `$pop`. Missing fields are created by `$push`/`$addToSet` and ignored by the removing operators; a
//! non-array field is an error, as in mongod.

use super::type_name;
use crate::engine::bson_order::{compare, equal};
use crate::engine::expr::Vars;
use crate::engine::matcher::leaf::Pred;
use crate::engine::matcher::Matcher;
use crate::engine::numeric::Num;
use crate::engine::path;
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

fn bad(msg: impl Into<String>) -> CommandError {
    CommandError::bad_value(msg)
}

/// `$sort` of `$push`: whole elements or by fields of document elements.
#[derive(Debug, Clone)]
pub enum PushSort {
    /// `1` / `-1`.
    Whole(bool),
    /// `{field: 1|-1, ...}`.
    Fields(Vec<(String, bool)>),
}

/// A compiled `$push` argument.
#[derive(Debug, Clone)]
pub struct PushSpec {
    each: Vec<Bson>,
    slice: Option<i64>,
    sort: Option<PushSort>,
    position: Option<i64>,
}

fn int_arg(name: &str, v: &Bson) -> Result<i64, CommandError> {
    let n = Num::from_bson(v).ok_or_else(|| {
        bad(format!(
            "The value for {name} must be an integer value but was given type: {}",
            type_name(v)
        ))
    })?;
    let f = n.to_f64();
    if f.fract() != 0.0 || !f.is_finite() {
        return Err(bad(format!(
            "The value for {name} must be an integer value, but found {v}"
        )));
    }
    Ok(n.to_i64_exact().unwrap_or(f as i64))
}

fn direction(v: &Bson) -> Result<bool, CommandError> {
    match Num::from_bson(v).map(|n| n.to_f64()) {
        Some(1.0) => Ok(true),
        Some(-1.0) => Ok(false),
        _ => Err(bad("The $sort element value must be either 1 or -1")),
    }
}

impl PushSpec {
    /// Compiles `$push: {field: value}`'s value (a plain value or `{$each: [...], ...}`).
    pub fn compile(value: &Bson) -> Result<PushSpec, CommandError> {
        let Bson::Document(d) = value else {
            return Ok(PushSpec::single(value));
        };
        if !d.contains_key("$each") {
            return Ok(PushSpec::single(value));
        }
        let mut spec = PushSpec::single(value);
        for (k, v) in d {
            match k.as_str() {
                "$each" => match v {
                    Bson::Array(items) => spec.each = items.clone(),
                    other => {
                        return Err(bad(format!(
                        "The argument to $each in $push must be an array but it was of type: {}",
                        type_name(other)
                    )))
                    }
                },
                "$slice" => spec.slice = Some(int_arg("$slice", v)?),
                "$position" => spec.position = Some(int_arg("$position", v)?),
                "$sort" => {
                    spec.sort = Some(match v {
                        Bson::Document(fields) => {
                            if fields.is_empty() {
                                return Err(bad(
                                    "The $sort pattern is empty when it should be a set of fields.",
                                ));
                            }
                            let mut out = Vec::new();
                            for (f, dir) in fields {
                                out.push((f.clone(), direction(dir)?));
                            }
                            PushSort::Fields(out)
                        }
                        other => PushSort::Whole(direction(other)?),
                    })
                }
                other => return Err(bad(format!("Unrecognized clause in $push: {other}"))),
            }
        }
        Ok(spec)
    }

    fn single(v: &Bson) -> PushSpec {
        PushSpec {
            each: vec![v.clone()],
            slice: None,
            sort: None,
            position: None,
        }
    }
}

fn sort_key<'a>(v: &'a Bson, field: &str) -> &'a Bson {
    match v {
        Bson::Document(d) => path::get(d, field).unwrap_or(&Bson::Null),
        _ => &Bson::Null,
    }
}

fn existing_array<'a>(
    doc: &'a mut Document,
    p: &str,
    op: &str,
) -> Result<Option<&'a mut Vec<Bson>>, CommandError> {
    let id = doc.get("_id").map(ToString::to_string).unwrap_or_default();
    match path::get_mut(doc, p) {
        None => Ok(None),
        Some(Bson::Array(a)) => Ok(Some(a)),
        Some(other) => Err(bad(format!(
            "{op}: the field '{p}' must be an array but is of type {} in document {{_id: {id}}}",
            type_name(other)
        ))),
    }
}

/// Applies `$push` at `p`.
pub fn push(doc: &mut Document, p: &str, spec: &PushSpec) -> Result<(), CommandError> {
    if existing_array(doc, p, "$push")?.is_none() {
        path::set(doc, p, Bson::Array(Vec::new()))?;
    }
    let Some(arr) = existing_array(doc, p, "$push")? else {
        return Ok(());
    };
    let len = arr.len() as i64;
    let at = match spec.position {
        None => len,
        Some(pos) if pos < 0 => (len + pos).max(0),
        Some(pos) => pos.min(len),
    };
    let at = usize::try_from(at).unwrap_or(arr.len());
    let tail = arr.split_off(at);
    arr.extend(spec.each.iter().cloned());
    arr.extend(tail);
    match &spec.sort {
        None => {}
        Some(PushSort::Whole(asc)) => arr.sort_by(|a, b| {
            let o = compare(a, b);
            if *asc {
                o
            } else {
                o.reverse()
            }
        }),
        Some(PushSort::Fields(fields)) => arr.sort_by(|a, b| {
            for (f, asc) in fields {
                let o = compare(sort_key(a, f), sort_key(b, f));
                if o != Ordering::Equal {
                    return if *asc { o } else { o.reverse() };
                }
            }
            Ordering::Equal
        }),
    }
    if let Some(n) = spec.slice {
        let len = arr.len();
        let keep = usize::try_from(n.unsigned_abs())
            .unwrap_or(usize::MAX)
            .min(len);
        if n >= 0 {
            arr.truncate(keep);
        } else {
            arr.drain(..len - keep);
        }
    }
    Ok(())
}

/// The values of an `$addToSet` argument (`$each` list or the single value).
pub fn add_to_set_values(value: &Bson) -> Result<Vec<Bson>, CommandError> {
    match value {
        Bson::Document(d) if d.keys().next().map(String::as_str) == Some("$each") => {
            if d.len() > 1 {
                return Err(bad(format!(
                    "Found unexpected fields after $each in $addToSet: {d}"
                )));
            }
            match d.get("$each") {
                Some(Bson::Array(items)) => Ok(items.clone()),
                Some(other) => Err(CommandError::type_mismatch(format!(
                    "The argument to $each in $addToSet must be an array but it was of type {}",
                    type_name(other)
                ))),
                None => Ok(Vec::new()),
            }
        }
        other => Ok(vec![other.clone()]),
    }
}

/// Applies `$addToSet` at `p`: appends each value not already present (MongoDB equality).
pub fn add_to_set(doc: &mut Document, p: &str, vals: &[Bson]) -> Result<(), CommandError> {
    if existing_array(doc, p, "$addToSet")?.is_none() {
        path::set(doc, p, Bson::Array(Vec::new()))?;
    }
    if let Some(arr) = existing_array(doc, p, "$addToSet")? {
        for v in vals {
            if !arr.iter().any(|e| equal(e, v)) {
                arr.push(v.clone());
            }
        }
    }
    Ok(())
}

/// What `$pull` removes.
#[derive(Debug, Clone)]
pub enum PullCond {
    /// Elements equal to the value.
    Value(Bson),
    /// Elements satisfying operators (`{$gte: 6}`, a regex).
    Pred(Pred),
    /// Document elements matching a query (`{score: 8, item: "B"}`).
    Query(Box<Matcher>),
}

impl PullCond {
    /// Compiles the `$pull` argument of one field.
    pub fn compile(value: &Bson) -> Result<PullCond, CommandError> {
        Ok(match value {
            Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
                PullCond::Pred(crate::engine::matcher::compile_field(value)?)
            }
            Bson::Document(d) => PullCond::Query(Box::new(Matcher::compile(d)?)),
            Bson::RegularExpression(_) => {
                PullCond::Pred(crate::engine::matcher::compile_field(value)?)
            }
            other => PullCond::Value(other.clone()),
        })
    }

    fn removes(&self, e: &Bson, vars: &Vars) -> Result<bool, CommandError> {
        match self {
            PullCond::Value(v) => Ok(equal(v, e)),
            PullCond::Pred(p) => p.matches_value(Some(e), vars),
            PullCond::Query(m) => match e {
                Bson::Document(d) => m.matches(d, vars),
                _ => Ok(false),
            },
        }
    }
}

/// Applies `$pull` at `p`.
pub fn pull(doc: &mut Document, p: &str, cond: &PullCond) -> Result<(), CommandError> {
    let vars = Vars::new(bson::DateTime::from_millis(0));
    let Some(arr) = existing_array(doc, p, "$pull")? else {
        return Ok(());
    };
    let mut kept = Vec::with_capacity(arr.len());
    for e in arr.drain(..) {
        if !cond.removes(&e, &vars)? {
            kept.push(e);
        }
    }
    *arr = kept;
    Ok(())
}

/// Applies `$pullAll` at `p`.
pub fn pull_all(doc: &mut Document, p: &str, vals: &[Bson]) -> Result<(), CommandError> {
    if let Some(arr) = existing_array(doc, p, "$pullAll")? {
        arr.retain(|e| !vals.iter().any(|v| equal(v, e)));
    }
    Ok(())
}

/// Applies `$pop` at `p` (`first` removes the first element, otherwise the last).
pub fn pop(doc: &mut Document, p: &str, first: bool) -> Result<(), CommandError> {
    if let Some(arr) = existing_array(doc, p, "$pop")? {
        if first {
            if !arr.is_empty() {
                arr.remove(0);
            }
        } else {
            arr.pop();
        }
    }
    Ok(())
}
