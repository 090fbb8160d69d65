//! Field predicates (`$eq`, `$gt`, `$in`, `$regex`, `$elemMatch`, ...): what one value at the end of a path
//! must satisfy, and the path walk that applies them with mongod's implicit array traversal.
//!
//! In: the operator part of `{field: {...}}` already compiled to a [`Pred`]; out: a bool per document.
//! Depends on `bson_order` (comparison within a type bracket), `numeric`, `regex`.

use super::in_set::InSet;
use super::types::TypeSet;
use super::Node;
use crate::engine::bson_order::{compare, compare_arrays, equal, type_rank};
use crate::engine::expr::Vars;
use crate::engine::numeric::Num;
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

/// Comparison operator of `$gt` and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `$gt`
    Gt,
    /// `$gte`
    Gte,
    /// `$lt`
    Lt,
    /// `$lte`
    Lte,
}

/// A compiled regular expression with its source (a BSON regex value compares equal to it by source).
#[derive(Debug, Clone)]
pub struct Re {
    /// The pattern as written.
    pub pattern: String,
    /// The options as written (`i m s x`).
    pub options: String,
    re: regex::Regex,
}

impl Re {
    /// Compiles a pattern with MongoDB options (`i`, `m`, `s`, `x`; `u` accepted and ignored).
    pub fn new(pattern: &str, options: &str) -> Result<Re, CommandError> {
        let mut flags = String::new();
        for c in options.chars() {
            match c {
                'i' | 'm' | 's' | 'x' => flags.push(c),
                'u' => {}
                other => {
                    return Err(CommandError::location(
                        51108,
                        format!("invalid flag in regex options: {other}"),
                    ))
                }
            }
        }
        let full = if flags.is_empty() {
            pattern.to_string()
        } else {
            format!("(?{flags}){pattern}")
        };
        let re = regex::Regex::new(&full).map_err(|e| {
            CommandError::location(51091, format!("Regular expression is invalid: {e}"))
        })?;
        Ok(Re {
            pattern: pattern.to_string(),
            options: options.to_string(),
            re,
        })
    }

    /// Whether a value matches: strings and symbols by search, regex values by identical source.
    pub fn matches(&self, v: &Bson) -> bool {
        match v {
            Bson::String(s) | Bson::Symbol(s) => self.re.is_match(s),
            Bson::RegularExpression(r) => {
                r.pattern.as_str() == self.pattern && r.options.as_str() == self.options
            }
            _ => false,
        }
    }
}

/// A predicate on the value at the end of a path.
#[derive(Debug, Clone)]
pub enum Pred {
    /// Equality (`{a: 1}`, `$eq`): the value, an element of it, or missing when the operand is null.
    Eq(Bson),
    /// `$gt` / `$gte` / `$lt` / `$lte`, within the operand's type bracket.
    Cmp(CmpOp, Bson),
    /// `$in`: equality to any value or a match of any regex.
    In(InSet, Vec<Re>),
    /// `$exists: true` (false is `Not(Exists)`).
    Exists,
    /// `$type`.
    Type(TypeSet),
    /// `$regex` or a regex literal.
    Regex(Re),
    /// `$mod: [divisor, remainder]`.
    Mod(i64, i64),
    /// `$size`.
    Size(i64),
    /// `$elemMatch` with a query on document elements.
    ElemMatchObj(Box<Node>),
    /// `$elemMatch` with operators applied to each element.
    ElemMatchVal(Vec<Pred>),
    /// Negation over the whole path (`$not`, `$ne`, `$nin`, `$exists: false`).
    Not(Box<Pred>),
    /// Conjunction of predicates on the same path (`{$gt: 1, $lt: 5}`, `$all`).
    And(Vec<Pred>),
    /// Never matches (an empty `$all`).
    Never,
}

/// Whether a path component addresses an array position.
fn as_index(part: &str) -> Option<usize> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// Walks `parts` from `doc`, calling `leaf` on every value the path reaches (`None` for missing), and
/// returns whether any call returned true. Arrays met midway are traversed into their document elements;
/// a numeric component also indexes the array.
pub fn walk(doc: &Document, parts: &[String], leaf: &mut dyn FnMut(Option<&Bson>) -> bool) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return false;
    };
    match crate::engine::path::field(doc, first) {
        None => leaf(None),
        Some(v) => walk_value(v, rest, leaf),
    }
}

fn walk_value(v: &Bson, rest: &[String], leaf: &mut dyn FnMut(Option<&Bson>) -> bool) -> bool {
    let Some((next, tail)) = rest.split_first() else {
        return leaf(Some(v));
    };
    match v {
        Bson::Document(d) => walk(d, rest, leaf),
        Bson::Array(items) => {
            if let Some(i) = as_index(next) {
                if let Some(e) = items.get(i) {
                    if walk_value(e, tail, leaf) {
                        return true;
                    }
                }
            }
            for e in items {
                if let Bson::Document(d) = e {
                    if walk(d, rest, leaf) {
                        return true;
                    }
                }
            }
            false
        }
        _ => leaf(None),
    }
}

impl Pred {
    /// Whether the predicate decides every embedded document value alike, whatever the document holds: no
    /// equality, `$in` or comparison operand is itself a document (`$ne: null`, `$exists`, `$type`, a
    /// scalar comparison, `$regex`, `$size`, `$elemMatch`...: each compares the type first). A reader may
    /// then hand it any document, such as an empty one, in place of a decoded one
    /// (`FieldValues::shallow_documents`). Arrays are not covered: their elements count.
    pub fn same_for_every_document(&self) -> bool {
        match self {
            Pred::Eq(x) | Pred::Cmp(_, x) => !matches!(x, Bson::Document(_)),
            Pred::In(vals, _) => !vals.values().iter().any(|x| matches!(x, Bson::Document(_))),
            Pred::Exists
            | Pred::Type(_)
            | Pred::Regex(_)
            | Pred::Mod(..)
            | Pred::Size(_)
            | Pred::ElemMatchObj(_)
            | Pred::ElemMatchVal(_)
            | Pred::Never => true,
            Pred::Not(p) => p.same_for_every_document(),
            Pred::And(ps) => ps.iter().all(Pred::same_for_every_document),
        }
    }

    /// Whether the predicate holds for the path `parts` of `doc`.
    pub fn matches_path(
        &self,
        doc: &Document,
        parts: &[String],
        vars: &Vars,
    ) -> Result<bool, CommandError> {
        match self {
            Pred::Not(p) => Ok(!p.matches_path(doc, parts, vars)?),
            Pred::And(ps) => {
                for p in ps {
                    if !p.matches_path(doc, parts, vars)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            _ => {
                let mut err = None;
                let hit = walk(doc, parts, &mut |v| match self.matches_value(v, vars) {
                    Ok(b) => b,
                    Err(e) => {
                        err = Some(e);
                        true
                    }
                });
                match err {
                    Some(e) => Err(e),
                    None => Ok(hit),
                }
            }
        }
    }

    /// Whether the predicate holds for one value reached by a path (`None` = missing), including the
    /// implicit "any element" rule for arrays.
    #[inline]
    pub fn matches_value(&self, v: Option<&Bson>, vars: &Vars) -> Result<bool, CommandError> {
        // Equalities and comparisons, the commonest predicates, answered here: what `matches_one` answers
        // for them when `expand` is true.
        match self {
            Pred::Eq(x) => Ok(eq_value(x, v)),
            Pred::Cmp(op, x) => Ok(cmp_value(*op, x, v)),
            _ => self.matches_one(v, vars, true),
        }
    }

    /// As [`Pred::matches_value`]; with `expand` false an array value is judged as a whole only (the
    /// elements `$elemMatch` visits are not expanded again).
    fn matches_one(
        &self,
        v: Option<&Bson>,
        vars: &Vars,
        expand: bool,
    ) -> Result<bool, CommandError> {
        if !expand {
            if let Some(arr @ Bson::Array(_)) = v {
                return Ok(match self {
                    Pred::Eq(x) => matches!(x, Bson::Array(_)) && equal(x, arr),
                    Pred::Cmp(op, x) => matches!(x, Bson::Array(_)) && cmp_scalar(*op, x, arr),
                    Pred::In(vals, _) => vals
                        .values()
                        .iter()
                        .any(|x| matches!(x, Bson::Array(_)) && equal(x, arr)),
                    Pred::Type(ts) => ts.contains(arr),
                    Pred::Regex(_) | Pred::Mod(..) => false,
                    Pred::Not(p) => !p.matches_one(v, vars, false)?,
                    Pred::And(ps) => {
                        for p in ps {
                            if !p.matches_one(v, vars, false)? {
                                return Ok(false);
                            }
                        }
                        true
                    }
                    _ => return self.matches_one(v, vars, true),
                });
            }
        }
        Ok(match self {
            Pred::Eq(x) => eq_value(x, v),
            Pred::Cmp(op, x) => cmp_value(*op, x, v),
            Pred::In(vals, res) => {
                vals.any_eq(v) || res.iter().any(|r| any_elem(v, |e| r.matches(e)))
            }
            Pred::Exists => v.is_some(),
            Pred::Type(ts) => any_elem(v, |e| ts.contains(e)) || v.is_some_and(|a| ts.contains(a)),
            Pred::Regex(r) => any_elem(v, |e| r.matches(e)),
            Pred::Mod(d, r) => any_elem(v, |e| mod_matches(e, *d, *r)),
            Pred::Size(n) => matches!(v, Some(Bson::Array(a)) if a.len() as i64 == *n),
            Pred::ElemMatchObj(node) => match v {
                Some(Bson::Array(items)) => {
                    for e in items {
                        if let Bson::Document(d) = e {
                            if node.matches(d, vars)? {
                                return Ok(true);
                            }
                        }
                    }
                    false
                }
                _ => false,
            },
            Pred::ElemMatchVal(preds) => match v {
                Some(Bson::Array(items)) => {
                    'elems: for e in items {
                        for p in preds {
                            if !p.matches_one(Some(e), vars, false)? {
                                continue 'elems;
                            }
                        }
                        return Ok(true);
                    }
                    false
                }
                _ => false,
            },
            Pred::Not(p) => !p.matches_value(v, vars)?,
            Pred::And(ps) => {
                for p in ps {
                    if !p.matches_value(v, vars)? {
                        return Ok(false);
                    }
                }
                true
            }
            Pred::Never => false,
        })
    }
}

/// `f` on the value, or, when it is an array, on any of its elements.
fn any_elem(v: Option<&Bson>, f: impl Fn(&Bson) -> bool) -> bool {
    match v {
        None => false,
        Some(Bson::Array(items)) => items.iter().any(&f),
        Some(x) => f(x),
    }
}

#[inline]
fn eq_scalar(x: &Bson, v: &Bson) -> bool {
    match x {
        Bson::Null => matches!(v, Bson::Null),
        _ => type_rank(x) == type_rank(v) && equal(x, v),
    }
}

#[inline]
pub(super) fn eq_value(x: &Bson, v: Option<&Bson>) -> bool {
    match v {
        None => matches!(x, Bson::Null),
        Some(Bson::Array(items)) => {
            matches!(x, Bson::Array(a) if equal_array(a, items))
                || items.iter().any(|e| eq_scalar(x, e))
        }
        Some(val) => eq_scalar(x, val),
    }
}

fn equal_array(a: &[Bson], b: &[Bson]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal(x, y))
}

#[inline]
fn cmp_scalar(op: CmpOp, x: &Bson, v: &Bson) -> bool {
    let cross = matches!(x, Bson::MinKey | Bson::MaxKey);
    if !cross && type_rank(x) != type_rank(v) {
        return false;
    }
    let o = compare(v, x);
    match op {
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Gte => o != Ordering::Less,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Lte => o != Ordering::Greater,
    }
}

#[inline]
fn cmp_value(op: CmpOp, x: &Bson, v: Option<&Bson>) -> bool {
    match v {
        None => matches!(x, Bson::Null) && matches!(op, CmpOp::Gte | CmpOp::Lte),
        Some(Bson::Array(items)) => {
            let whole = match x {
                Bson::Array(a) => {
                    let o = compare_arrays(items, a);
                    match op {
                        CmpOp::Gt => o == Ordering::Greater,
                        CmpOp::Gte => o != Ordering::Less,
                        CmpOp::Lt => o == Ordering::Less,
                        CmpOp::Lte => o != Ordering::Greater,
                    }
                }
                _ => false,
            };
            whole || items.iter().any(|e| cmp_scalar(op, x, e))
        }
        Some(val) => cmp_scalar(op, x, val),
    }
}

fn mod_matches(v: &Bson, d: i64, r: i64) -> bool {
    let Some(n) = Num::from_bson(v) else {
        return false;
    };
    let f = n.to_f64();
    let i = match n {
        Num::Int(i) => i64::from(i),
        Num::Long(i) => i,
        _ if f.is_finite() => f.trunc() as i64,
        _ => return false,
    };
    i.checked_rem(d).unwrap_or(0) == r
}
