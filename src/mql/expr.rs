//! Aggregation expressions: one builder per operator the translator emits, each rendering to the exact
//! operator document a mongod reads (`{"$cond": [c, t, e]}`, `{"$ifNull": [x, null]}`, ...), plus field paths,
//! variables and literals. Wire names live here (and in [`super::stage`], [`super::filter`],
//! [`super::accumulator`]); the translator calls these functions and never spells a `"$..."` itself.
//!
//! The nodes the translator builds most (field paths, variables, `$literal`, comparisons, `$and` / `$or` /
//! `$not`, `$ifNull` and the null tests built on it, `$cond`) are typed: their builders return an [`Expr`]
//! (`expr_node.rs`), which the translator carries and inspects by pattern matching ([`literal_value`],
//! [`field_path_of`], [`if_null_operands`], [`and_flat`] match on it). The long tail of operators still
//! returns plain [`Bson`]; an `Expr` operand renders into them through `Bson::from` (the exact same
//! document), and a `Bson` enters an `Expr` as its passthrough [`Expr::Bson`]. Operands are moved in (no
//! clones). Operators with a fixed number of operands take them as arguments (`cond(c, t, e)`); variadic ones
//! take a `Vec` (`add(vec![a, b])`).

pub use super::expr_node::Expr;
pub use super::expr_results::{all_names, bound_names, extends_by_path, free_names, map_results};
pub use super::expr_unary::*;
use bson::{Bson, Document};

/// `{name: arg}`.
fn op(name: &str, arg: Bson) -> Bson {
    let mut d = Document::new();
    d.insert(name, arg);
    Bson::Document(d)
}

/// `"$path"`: the value of a field path (`a.b.c`) of the current document.
pub fn field(path: &str) -> Expr {
    Expr::Field(path.to_string())
}

/// `"$path"` as a `String` (for places that hold a path as text, e.g. `$unwind` or `$lookup` `let`).
pub fn field_ref(path: &str) -> String {
    let mut s = String::with_capacity(path.len() + 1);
    s.push('$');
    s.push_str(path);
    s
}

/// `"$$name"`: a variable (`$let`, `$map`, `$reduce`, `$lookup` `let`); `name` may continue with a path
/// (`"this.v"`).
pub fn var(name: &str) -> Expr {
    Expr::Var(name.to_string())
}

/// `"$$name"` as a `String`.
pub fn var_ref(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 2);
    s.push_str("$$");
    s.push_str(name);
    s
}

/// `"$$ROOT"`: the whole current document.
pub fn root() -> Expr {
    var("ROOT")
}

/// `"$$NOW"`: the statement's clock.
pub fn now() -> Expr {
    var("NOW")
}

/// `"$$this"`: the current element in `$map` / `$reduce`.
pub fn this() -> Expr {
    var("this")
}

/// `"$$value"`: the accumulated value in `$reduce`.
pub fn value() -> Expr {
    var("value")
}

/// `{"$param": n}`: the n-th statement parameter (0-based), bound at execution (`mql::bind`).
pub fn param(n: i64) -> Bson {
    op("$param", Bson::Int64(n))
}

/// `{"$stepIds": k}`: the `_id`s written by step `k` of a multi-step plan, bound at execution.
pub fn step_ids(k: i64) -> Bson {
    op("$stepIds", Bson::Int64(k))
}

/// A comparison operator of the aggregation (and query) language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `$eq`.
    Eq,
    /// `$ne`.
    Ne,
    /// `$lt`.
    Lt,
    /// `$lte`.
    Lte,
    /// `$gt`.
    Gt,
    /// `$gte`.
    Gte,
}

impl Cmp {
    /// The wire name (`"$eq"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Cmp::Eq => "$eq",
            Cmp::Ne => "$ne",
            Cmp::Lt => "$lt",
            Cmp::Lte => "$lte",
            Cmp::Gt => "$gt",
            Cmp::Gte => "$gte",
        }
    }

    /// The comparison true exactly when this one is false (on comparable, non-null operands):
    /// `=` <-> `<>`, `<` <-> `>=`, `<=` <-> `>`.
    pub fn negated(self) -> Cmp {
        match self {
            Cmp::Eq => Cmp::Ne,
            Cmp::Ne => Cmp::Eq,
            Cmp::Lt => Cmp::Gte,
            Cmp::Lte => Cmp::Gt,
            Cmp::Gt => Cmp::Lte,
            Cmp::Gte => Cmp::Lt,
        }
    }
}

/// `{$op: [a, b]}` for a comparison.
pub fn cmp(op_: Cmp, a: impl Into<Expr>, b: impl Into<Expr>) -> Expr {
    Expr::Cmp(op_, Box::new(a.into()), Box::new(b.into()))
}

/// `{$eq: [a, b]}`.
pub fn eq(a: impl Into<Expr>, b: impl Into<Expr>) -> Expr {
    cmp(Cmp::Eq, a, b)
}

/// `{$ne: [a, b]}`.
pub fn ne(a: impl Into<Expr>, b: impl Into<Expr>) -> Expr {
    cmp(Cmp::Ne, a, b)
}

/// `{$lt: [a, b]}`.
pub fn lt(a: impl Into<Expr>, b: impl Into<Expr>) -> Expr {
    cmp(Cmp::Lt, a, b)
}

/// `{$lte: [a, b]}`.
pub fn lte(a: impl Into<Expr>, b: impl Into<Expr>) -> Expr {
    cmp(Cmp::Lte, a, b)
}

/// `{$gt: [a, b]}`.
pub fn gt(a: impl Into<Expr>, b: impl Into<Expr>) -> Expr {
    cmp(Cmp::Gt, a, b)
}

/// `{$gte: [a, b]}`.
pub fn gte(a: impl Into<Expr>, b: impl Into<Expr>) -> Expr {
    cmp(Cmp::Gte, a, b)
}

/// `{$ifNull: [x, null]}`: `x` with a missing value read as null (SQL has no "missing").
pub fn or_null(x: impl Into<Expr>) -> Expr {
    if_null(x, Bson::Null)
}

/// `{$eq: [{$ifNull: [x, null]}, null]}`: true when `x` is null or missing.
pub fn is_null(x: impl Into<Expr>) -> Expr {
    eq(or_null(x), Bson::Null)
}

/// `{$ne: [{$ifNull: [x, null]}, null]}`: true when `x` is neither null nor missing.
pub fn not_null(x: impl Into<Expr>) -> Expr {
    ne(or_null(x), Bson::Null)
}

/// `{$let: {vars: {...}, in: body}}`.
pub fn let_in(vars: Document, body: impl Into<Bson>) -> Bson {
    let mut d = Document::new();
    d.insert("vars", vars);
    d.insert("in", body.into());
    op("$let", Bson::Document(d))
}

/// `{$map: {input, as, in}}`; `as_: None` leaves the element as `$$this`.
pub fn map(input: impl Into<Bson>, as_: Option<&str>, body: impl Into<Bson>) -> Bson {
    let mut d = Document::new();
    d.insert("input", input.into());
    if let Some(a) = as_ {
        d.insert("as", a);
    }
    d.insert("in", body.into());
    op("$map", Bson::Document(d))
}

/// `{$reduce: {input, initialValue, in}}` (`$$value` and `$$this` inside `body`).
pub fn reduce(input: impl Into<Bson>, initial: impl Into<Bson>, body: impl Into<Bson>) -> Bson {
    let mut d = Document::new();
    d.insert("input", input.into());
    d.insert("initialValue", initial.into());
    d.insert("in", body.into());
    op("$reduce", Bson::Document(d))
}

/// `{$switch: {branches: [{case, then}, ...], default}}`.
pub fn switch(branches: Vec<(Bson, Bson)>, default: impl Into<Bson>) -> Bson {
    let branches = branches
        .into_iter()
        .map(|(case, then)| {
            let mut b = Document::new();
            b.insert("case", case);
            b.insert("then", then);
            Bson::Document(b)
        })
        .collect::<Vec<_>>();
    let mut d = Document::new();
    d.insert("branches", branches);
    d.insert("default", default.into());
    op("$switch", Bson::Document(d))
}

/// `{$sortArray: {input, sortBy}}`.
pub fn sort_array(input: impl Into<Bson>, sort_by: impl Into<Bson>) -> Bson {
    let mut d = Document::new();
    d.insert("input", input.into());
    d.insert("sortBy", sort_by.into());
    op("$sortArray", Bson::Document(d))
}

/// `{$replaceAll: {input, find, replacement}}`.
pub fn replace_all(
    input: impl Into<Bson>,
    find: impl Into<Bson>,
    replacement: impl Into<Bson>,
) -> Bson {
    let mut d = Document::new();
    d.insert("input", input.into());
    d.insert("find", find.into());
    d.insert("replacement", replacement.into());
    op("$replaceAll", Bson::Document(d))
}

/// Which end(s) `trim` strips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrimEnds {
    /// `$trim`: both ends.
    Both,
    /// `$ltrim`: the start.
    Leading,
    /// `$rtrim`: the end.
    Trailing,
}

/// `{$trim|$ltrim|$rtrim: {input, chars}}`; `chars: None` strips whitespace.
pub fn trim(ends: TrimEnds, input: impl Into<Bson>, chars: Option<Bson>) -> Bson {
    let name = match ends {
        TrimEnds::Both => "$trim",
        TrimEnds::Leading => "$ltrim",
        TrimEnds::Trailing => "$rtrim",
    };
    let mut d = Document::new();
    d.insert("input", input.into());
    if let Some(c) = chars {
        d.insert("chars", c);
    }
    op(name, Bson::Document(d))
}

/// `{$regexMatch: {input, regex, options}}`.
pub fn regex_match(
    input: impl Into<Bson>,
    regex: impl Into<Bson>,
    options: impl Into<Bson>,
) -> Bson {
    regex_op("$regexMatch", input.into(), regex.into(), options.into())
}

/// `{$regexFindAll: {input, regex, options}}`: every match, `{match, idx, captures}` each.
pub fn regex_find_all(
    input: impl Into<Bson>,
    regex: impl Into<Bson>,
    options: impl Into<Bson>,
) -> Bson {
    regex_op("$regexFindAll", input.into(), regex.into(), options.into())
}

/// `{name: {input, regex, options}}`.
fn regex_op(name: &str, input: Bson, regex: Bson, options: Bson) -> Bson {
    let mut d = Document::new();
    d.insert("input", input);
    d.insert("regex", regex);
    d.insert("options", options);
    op(name, Bson::Document(d))
}

/// `{$dateTrunc: spec}` (`date`, `unit`, optional `startOfWeek`, ...).
pub fn date_trunc(spec: Document) -> Bson {
    op("$dateTrunc", Bson::Document(spec))
}

/// `{$dateAdd: spec}` (`startDate`, `unit`, `amount`).
pub fn date_add(spec: Document) -> Bson {
    op("$dateAdd", Bson::Document(spec))
}

/// `{$dateDiff: spec}` (`startDate`, `endDate`, `unit`, optional `timezone`): the number of `unit` boundaries
/// between the dates (for months, `12 * years + months` of the two dates' fields).
pub fn date_diff(spec: Document) -> Bson {
    op("$dateDiff", Bson::Document(spec))
}

/// `{$dateToString: spec}` (`date`, optional `format`, `timezone`).
pub fn date_to_string(spec: Document) -> Bson {
    op("$dateToString", Bson::Document(spec))
}

/// `{$dateFromString: spec}` (`dateString`, optional `format`, `timezone`).
pub fn date_from_string(spec: Document) -> Bson {
    op("$dateFromString", Bson::Document(spec))
}

/// `{$dateToParts: {date[, timezone]}}`: `{year, month, day, hour, minute, second, millisecond}` in UTC or
/// the zone.
pub fn date_to_parts(date: impl Into<Bson>, timezone: Option<Bson>) -> Bson {
    let mut d = Document::new();
    d.insert("date", date.into());
    if let Some(z) = timezone {
        d.insert("timezone", z);
    }
    op("$dateToParts", Bson::Document(d))
}

/// `{$dateSubtract: spec}` (`startDate`, `unit`, `amount`).
pub fn date_subtract(spec: Document) -> Bson {
    op("$dateSubtract", Bson::Document(spec))
}

/// `{$expr: e}` as a query-language filter document: an aggregation expression used as a filter.
pub fn as_filter(e: impl Into<Bson>) -> Document {
    let mut d = Document::new();
    d.insert("$expr", e.into());
    d
}

/// `{$sum: x}` (expression form): the sum of an array's numbers.
pub fn sum_of(x: impl Into<Bson>) -> Bson {
    op("$sum", x.into())
}

/// `{$avg: x}` (expression form): the mean of an array's numbers.
pub fn avg_of(x: impl Into<Bson>) -> Bson {
    op("$avg", x.into())
}

/// `{$isNumber: x}`.
pub fn is_number(x: impl Into<Bson>) -> Bson {
    op("$isNumber", x.into())
}

/// `"$$REMOVE"`: a value that makes `$addToSet` / `$push` / a projection skip the field.
pub fn remove() -> Expr {
    var("REMOVE")
}

/// `{$and: parts}` with nested `$and`s flattened (moved, not cloned) and literal `true`s dropped; `true` when
/// nothing is left, the part itself when one is.
pub fn and_flat<T: Into<Expr>>(parts: Vec<T>) -> Expr {
    flat(true, parts)
}

/// `{$or: parts}` with nested `$or`s flattened and literal `false`s dropped; `false` when nothing is left.
pub fn or_flat<T: Into<Expr>>(parts: Vec<T>) -> Expr {
    flat(false, parts)
}

/// `$and` (`unit` true) or `$or` (`unit` false), flattened.
fn flat<T: Into<Expr>>(unit: bool, parts: Vec<T>) -> Expr {
    let mut out = Vec::new();
    for p in parts {
        match (p.into(), unit) {
            (Expr::Bson(Bson::Boolean(b)), _) if b == unit => {}
            // Moved, not cloned: the nested operands can be large expressions.
            (Expr::And(inner), true) | (Expr::Or(inner), false) => out.extend(inner),
            (other, _) => out.push(other),
        }
    }
    match out.len() {
        0 => Expr::Bson(Bson::Boolean(unit)),
        1 => out.pop().unwrap_or(Expr::Bson(Bson::Boolean(unit))),
        _ if unit => Expr::And(out),
        _ => Expr::Or(out),
    }
}

/// The value inside `{$literal: v}`, when `e` is one.
pub fn literal_value(e: &Expr) -> Option<&Bson> {
    match e {
        Expr::Literal(v) => Some(v),
        _ => None,
    }
}

/// The field path of `"$path"` (not of a `"$$variable"`), when `e` is one.
pub fn field_path_of(e: &Expr) -> Option<&str> {
    match e {
        Expr::Field(p) => Some(p),
        _ => None,
    }
}

/// Whether a rendered expression (a value read back from a built `$project` stage) is never missing: a
/// `{$literal: v}`, or an `{$ifNull: [..]}` whose fallback is a constant written as itself.
pub fn rendered_never_missing(e: &Bson) -> bool {
    let Bson::Document(d) = e else {
        return false;
    };
    if d.len() != 1 {
        return false;
    }
    d.contains_key("$literal")
        || d.get_array("$ifNull")
            .ok()
            .and_then(|a| a.last())
            .is_some_and(|x| !matches!(x, Bson::String(_) | Bson::Document(_) | Bson::Array(_)))
}

/// The top-level field a rendered expression (read back from a built `$project` stage) reads as it is:
/// `"$f"` or `{$ifNull: ["$f", null]}` (a missing field as NULL), `f` without dots; `None` for anything else.
pub fn rendered_plain_field(e: &Bson) -> Option<&str> {
    let path = match e {
        Bson::Document(d) if d.len() == 1 => match d.get_array("$ifNull").ok()?.as_slice() {
            [Bson::String(p), Bson::Null] => p,
            _ => return None,
        },
        Bson::String(p) => p,
        _ => return None,
    };
    path.strip_prefix('$')
        .filter(|f| !f.is_empty() && !f.starts_with('$') && !f.contains('.'))
}

/// `x` of a rendered `{$ifNull: [x, null]}` (a missing value as NULL); `None` for anything else.
pub fn rendered_or_null_operand(e: &Bson) -> Option<&Bson> {
    match e {
        Bson::Document(d) if d.len() == 1 => match d.get_array("$ifNull").ok()?.as_slice() {
            [x, Bson::Null] => Some(x),
            _ => None,
        },
        _ => None,
    }
}

/// The operands of `{$ifNull: [...]}`, when `e` is one.
pub fn if_null_operands(e: &Expr) -> Option<&[Expr]> {
    match e {
        Expr::IfNull(parts) => Some(parts),
        _ => None,
    }
}

/// `{$literal: x}`: A literal value, never read as an expression.
pub fn literal(x: impl Into<Bson>) -> Expr {
    Expr::Literal(x.into())
}

/// `{$cond: [cond, then, otherwise]}`: `cond ? then : otherwise` (array form).
pub fn cond(cond: impl Into<Expr>, then: impl Into<Expr>, otherwise: impl Into<Expr>) -> Expr {
    Expr::Cond(
        Box::new(cond.into()),
        Box::new(then.into()),
        Box::new(otherwise.into()),
    )
}

/// `{$ifNull: [x, fallback]}`: `x`, or `fallback` when `x` is null or missing.
pub fn if_null(x: impl Into<Expr>, fallback: impl Into<Expr>) -> Expr {
    Expr::IfNull(vec![x.into(), fallback.into()])
}

/// `{$subtract: [a, b]}`: `a - b` (numbers, or dates).
pub fn subtract(a: impl Into<Bson>, b: impl Into<Bson>) -> Bson {
    op("$subtract", Bson::Array(vec![a.into(), b.into()]))
}

/// `{$divide: [a, b]}`: `a / b`.
pub fn divide(a: impl Into<Bson>, b: impl Into<Bson>) -> Bson {
    op("$divide", Bson::Array(vec![a.into(), b.into()]))
}

/// `{$mod: [a, b]}`: `a % b`.
pub fn modulo(a: impl Into<Bson>, b: impl Into<Bson>) -> Bson {
    op("$mod", Bson::Array(vec![a.into(), b.into()]))
}

/// `{$in: [x, array]}`: Whether `x` is an element of `array`.
pub fn in_array(x: impl Into<Bson>, array: impl Into<Bson>) -> Bson {
    op("$in", Bson::Array(vec![x.into(), array.into()]))
}

/// `{$arrayElemAt: [array, index]}`: Element of `array` at `index` (negative from the end).
pub fn array_elem_at(array: impl Into<Bson>, index: impl Into<Bson>) -> Bson {
    op(
        "$arrayElemAt",
        Bson::Array(vec![array.into(), index.into()]),
    )
}

/// `{$split: [s, delimiter]}`: `s` split at `delimiter`.
pub fn split(s: impl Into<Bson>, delimiter: impl Into<Bson>) -> Bson {
    op("$split", Bson::Array(vec![s.into(), delimiter.into()]))
}

/// `{$substrCP: [s, start, count]}`: Substring by code points.
pub fn substr_cp(s: impl Into<Bson>, start: impl Into<Bson>, count: impl Into<Bson>) -> Bson {
    op(
        "$substrCP",
        Bson::Array(vec![s.into(), start.into(), count.into()]),
    )
}

/// `{$indexOfCP: [s, needle]}`: Code-point index of `needle` in `s`, -1 when absent.
pub fn index_of_cp(s: impl Into<Bson>, needle: impl Into<Bson>) -> Bson {
    op("$indexOfCP", Bson::Array(vec![s.into(), needle.into()]))
}

/// `{$round: [x, places]}`: `x` rounded half to even at `places`.
pub fn round(x: impl Into<Bson>, places: impl Into<Bson>) -> Bson {
    op("$round", Bson::Array(vec![x.into(), places.into()]))
}

/// `{$setIsSubset: [a, b]}`: Whether every element of `a` is in `b`.
pub fn set_is_subset(a: impl Into<Bson>, b: impl Into<Bson>) -> Bson {
    op("$setIsSubset", Bson::Array(vec![a.into(), b.into()]))
}

/// `{$range: [start, end]}`: The integers `start..end`.
pub fn range(start: impl Into<Bson>, end: impl Into<Bson>) -> Bson {
    op("$range", Bson::Array(vec![start.into(), end.into()]))
}

/// `{$not: [x]}`: Boolean negation (`{$not: [x]}`).
pub fn not(x: impl Into<Expr>) -> Expr {
    Expr::Not(Box::new(x.into()))
}

/// `{$trunc: [x]}`: `x` truncated toward zero (`{$trunc: [x]}`).
pub fn trunc(x: impl Into<Bson>) -> Bson {
    op("$trunc", Bson::Array(vec![x.into()]))
}

/// `{$isArray: [x]}`: Whether `x` is an array (`{$isArray: [x]}`).
pub fn is_array(x: impl Into<Bson>) -> Bson {
    op("$isArray", Bson::Array(vec![x.into()]))
}

/// `{$anyElementTrue: [array]}`: Whether any element of `array` is true.
pub fn any_element_true(array: impl Into<Bson>) -> Bson {
    op("$anyElementTrue", Bson::Array(vec![array.into()]))
}

/// `{$allElementsTrue: [array]}`: Whether every element of `array` is true.
pub fn all_elements_true(array: impl Into<Bson>) -> Bson {
    op("$allElementsTrue", Bson::Array(vec![array.into()]))
}

/// `{$arrayToObject: [pairs]}`: A document from `[{k, v}]` pairs.
pub fn array_to_object(pairs: impl Into<Bson>) -> Bson {
    op("$arrayToObject", Bson::Array(vec![pairs.into()]))
}

/// `{$and: [args...]}`: Conjunction (`{$and: [...]}`), as given (see [`and_flat`]).
pub fn and<T: Into<Expr>>(args: Vec<T>) -> Expr {
    Expr::And(args.into_iter().map(Into::into).collect())
}

/// `{$or: [args...]}`: Disjunction (`{$or: [...]}`), as given (see [`or_flat`]).
pub fn or<T: Into<Expr>>(args: Vec<T>) -> Expr {
    Expr::Or(args.into_iter().map(Into::into).collect())
}

/// `{$add: [args...]}`: Sum of the arguments (numbers, or a date plus milliseconds).
pub fn add(args: Vec<Bson>) -> Bson {
    op("$add", Bson::Array(args))
}

/// `{$multiply: [args...]}`: Product of the arguments.
pub fn multiply(args: Vec<Bson>) -> Bson {
    op("$multiply", Bson::Array(args))
}

/// `{$concat: [args...]}`: String concatenation.
pub fn concat(args: Vec<Bson>) -> Bson {
    op("$concat", Bson::Array(args))
}

/// The operands of `{$concat: [args...]}`, when `e` is one.
pub fn concat_operands(e: &Bson) -> Option<&Vec<Bson>> {
    match e {
        Bson::Document(d) if d.len() == 1 => d.get_array("$concat").ok(),
        _ => None,
    }
}

/// The string `e` always is: a string constant written as itself (not a `$` path) or `{$literal: "..."}`.
pub fn constant_string(e: &Bson) -> Option<&str> {
    match e {
        Bson::String(s) if !s.starts_with('$') => Some(s),
        Bson::Document(d) if d.len() == 1 => d.get_str("$literal").ok(),
        _ => None,
    }
}

/// `{$concatArrays: [args...]}`: Array concatenation.
pub fn concat_arrays(args: Vec<Bson>) -> Bson {
    op("$concatArrays", Bson::Array(args))
}

/// `{$min: [args...]}`: Smallest of the arguments (`{$min: [...]}`).
pub fn min(args: Vec<Bson>) -> Bson {
    op("$min", Bson::Array(args))
}

/// `{$max: [args...]}`: Largest of the arguments (`{$max: [...]}`).
pub fn max(args: Vec<Bson>) -> Bson {
    op("$max", Bson::Array(args))
}

/// `{$ifNull: [args...]}`: The first argument that is not null or missing (the last is the fallback).
pub fn if_null_all<T: Into<Expr>>(args: Vec<T>) -> Expr {
    Expr::IfNull(args.into_iter().map(Into::into).collect())
}

/// `{$setIntersection: [args...]}`: Elements common to every argument.
pub fn set_intersection(args: Vec<Bson>) -> Bson {
    op("$setIntersection", Bson::Array(args))
}

/// `{$mergeObjects: [args...]}`: Documents merged left to right.
pub fn merge_objects(args: Vec<Bson>) -> Bson {
    op("$mergeObjects", Bson::Array(args))
}

/// `{$filter: {input, cond}}` (the element is `$$this`).
pub fn filter_array(input: impl Into<Bson>, cond: impl Into<Bson>) -> Bson {
    let mut d = Document::new();
    d.insert("input", input.into());
    d.insert("cond", cond.into());
    op("$filter", Bson::Document(d))
}

/// `{$indexOfArray: [array, x, start]}`: the 0-based index of the first element equal to x at or after
/// `start`, -1 when there is none, null when `array` is null or missing.
pub fn index_of_array(array: impl Into<Bson>, x: impl Into<Bson>, start: impl Into<Bson>) -> Bson {
    op(
        "$indexOfArray",
        Bson::Array(vec![array.into(), x.into(), start.into()]),
    )
}

/// `{$objectToArray: x}`: the `{k, v}` pairs of a document, in field order.
pub fn object_to_array(x: impl Into<Bson>) -> Bson {
    op("$objectToArray", x.into())
}

/// `{$getField: {field: name, input: x}}`: a field of any name (`$`-prefixed or dotted too).
pub fn get_field(name: &str, input: impl Into<Bson>) -> Bson {
    let mut d = Document::new();
    d.insert("field", literal(name));
    d.insert("input", input.into());
    op("$getField", Bson::Document(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::bson;

    #[test]
    fn operators_render_as_mongod_reads_them() {
        assert_eq!(
            Bson::from(is_null(field("a"))),
            bson!({"$eq": [{"$ifNull": ["$a", null]}, null]})
        );
        assert_eq!(
            Bson::from(cond(var("c"), 1, Bson::Null)),
            bson!({"$cond": ["$$c", 1, null]})
        );
        assert_eq!(trunc(1.5), bson!({"$trunc": [1.5]}));
        assert_eq!(floor(field("x")), bson!({"$floor": "$x"}));
        assert_eq!(
            Bson::from(cmp(Cmp::Lt.negated(), 1, 2)),
            bson!({"$gte": [1, 2]})
        );
        assert_eq!(
            let_in(bson::doc! {"v": 1}, var("v")),
            bson!({"$let": {"vars": {"v": 1}, "in": "$$v"}})
        );
        assert_eq!(param(2), bson!({"$param": 2i64}));
    }

    #[test]
    fn and_or_flatten_and_readers_read() {
        let x = field("x");
        let y = field("y");
        let a = and_flat(vec![
            x.clone(),
            and(vec![y.clone(), x.clone()]),
            Expr::from(true),
        ]);
        assert_eq!(Bson::from(a), bson!({"$and": ["$x", "$y", "$x"]}));
        assert_eq!(or_flat(vec![Expr::from(false), y.clone()]), y);
        assert_eq!(
            Bson::from(and_flat(Vec::<Expr>::new())),
            Bson::Boolean(true)
        );
        assert_eq!(field_path_of(&x), Some("x"));
        assert_eq!(field_path_of(&var("v")), None);
        assert_eq!(literal_value(&literal(3)), Some(&Bson::Int32(3)));
    }
}
